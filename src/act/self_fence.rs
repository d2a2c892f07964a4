//! The self-fence: a Primary that has lost quorum and cannot demote resets itself.
//!
//! A back end without quorum leaves keepalived's MASTER state (its tracked
//! `quorum-status` fails: FAULT drops the VIP at once) and the transition demotes it. But a
//! node cut off from its peer usually has DRBD's I/O frozen (`fencing
//! resource-and-stonith`: its fence-peer handler, without quorum, never lets it resume):
//! PostgreSQL's shutdown then waits on a write that never completes, the file system
//! cannot be unmounted and `drbdadm secondary` is refused. Nothing acknowledged is at risk
//! (the frozen writes were never acknowledged), but the node would stay Primary, frozen,
//! and come back to the healed network as a second Primary.
//!
//! So the transition away from master, on a node whose quorum is on and not held, is
//! watched: if, after `ha['quorum_self_fence_after']` (default 20 s), the node still has no
//! quorum and DRBD is still Primary here, it resets itself at once through the kernel
//! (`b` to `/proc/sysrq-trigger`: no sync, which would wait on the frozen device; no
//! service manager, which may be stuck). This is the pattern of Patroni's watchdog and
//! DRBD 9's `quorum-lost` handler. It cannot hang: the decision reads corosync (bounded,
//! [`crate::observe::quorum::TIMEOUT`]) and `/proc/drbd`, and the reset is one write to
//! procfs. After the reset DRBD comes back Consistent (not UpToDate): the node cannot be
//! promoted until it has reconnected and resynced from the peer that served meanwhile.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::act::audit::{Audit, AuditResult};
use crate::act::transition::ClusterLog;
use crate::config::{Paths, QuorumSettings};
use crate::drbd::Role;
use crate::observe::quorum::{read, QuorumView};

/// Where the kernel takes its reset request.
pub const SYSRQ_TRIGGER: &str = "/proc/sysrq-trigger";

/// Why this node must reset itself now, or `None`: quorum is on and not held (or
/// unknown) and DRBD is Primary here.
pub fn needed(paths: &Paths, quorum: &QuorumSettings) -> Option<String> {
    let view = read(quorum);
    if view.may_serve() {
        return None;
    }
    let why_no_quorum = match &view {
        QuorumView::On {
            status: crate::model::Known::Known(s),
            ..
        } => format!(
            "no quorum ({} of {} votes, {} needed)",
            s.total_votes, s.expected_votes, s.quorum
        ),
        QuorumView::On {
            status: crate::model::Known::Unknown(r),
            ..
        } => format!("quorum unknown ({r})"),
        QuorumView::Off => return None,
    };
    let minor = crate::observe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let proc = crate::drbd::read(&paths.proc_drbd).ok()?;
    let dev = proc.device(minor)?;
    if dev.role != Some(Role::Primary) {
        return None;
    }
    Some(format!(
        "{why_no_quorum} and DRBD is still Primary here ({}){}",
        dev.state_line.trim(),
        if dev.io_suspended() {
            ", its I/O frozen"
        } else {
            ""
        }
    ))
}

/// Records the reset everywhere it can without touching the replicated file system, then
/// asks the kernel to reset the machine. Returns only if the request could not be made
/// (the error).
pub fn reset(paths: &Paths, audit: &Audit, action: &str, why: &str, trigger: &Path) -> String {
    let msg = format!(
        "self-fence: resetting this node now: {why}; it cannot demote, and a Primary without quorum must not come back to a healed network"
    );
    ClusterLog::new(&paths.cluster_log, true).log(&msg);
    audit.record(action, "self-fence", AuditResult::Started, &msg);
    eprintln!("private-chef-ctl: {msg}");
    match std::fs::write(trigger, b"b") {
        // the machine is resetting: nothing after this line runs on real hardware
        Ok(()) => {
            std::thread::sleep(Duration::from_secs(5));
            format!("wrote to {} but the node did not reset", trigger.display())
        }
        Err(e) => format!(
            "cannot write {}: {}",
            trigger.display(),
            crate::sys::io_reason(&e)
        ),
    }
}

/// Watches a transition away from master: after `quorum.self_fence_after`, resets the
/// node if [`needed`] still says so. Returns the watcher (join it to wait for its verdict)
/// or `None` when quorum is off or held now (nothing to watch).
pub fn watch(
    paths: &Paths,
    quorum: &QuorumSettings,
    action: &str,
) -> Option<std::thread::JoinHandle<()>> {
    if !quorum.enabled() || needed(paths, quorum).is_none() {
        return None;
    }
    let (paths, quorum, action) = (paths.clone(), quorum.clone(), action.to_string());
    let after = quorum.self_fence_after;
    ClusterLog::new(&paths.cluster_log, true).log(&format!(
        "self-fence armed: this node has no quorum and is Primary; it resets itself unless demoted within {} s (ha['quorum_self_fence_after'])",
        after.as_secs()
    ));
    Some(std::thread::spawn(move || {
        std::thread::sleep(after);
        if let Some(why) = needed(&paths, &quorum) {
            let audit = Audit::new(&paths.audit_log);
            let e = reset(&paths, &audit, &action, &why, &PathBuf::from(SYSRQ_TRIGGER));
            ClusterLog::new(&paths.cluster_log, true).log(&format!("self-fence failed: {e}"));
        }
    }))
}
