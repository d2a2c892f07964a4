//! The self-fence: a Primary that has lost quorum and cannot demote resets itself.
//!
//! A back end without quorum leaves keepalived's MASTER state (the quorum file that
//! `quorum-watch` keeps says so: FAULT drops the VIP at once) and the transition demotes it. But a
//! node cut off from its peer usually has DRBD's I/O frozen (`fencing
//! resource-and-stonith`: its fence-peer handler, without quorum, never lets it resume):
//! PostgreSQL's shutdown then waits on a write that never completes, the file system
//! cannot be unmounted and `drbdadm secondary` is refused. Nothing acknowledged is at risk
//! (the frozen writes were never acknowledged), but the node would stay Primary, frozen,
//! and come back to the healed network as a second Primary.
//!
//! So a transition away from master, with quorum on, is watched from its start (keepalived
//! may enter FAULT for a lost interface before corosync has noticed anything). Once the node
//! is Primary without quorum it resets itself through the kernel (`b` to
//! `/proc/sysrq-trigger`: no sync, which would wait on the frozen device; no service manager,
//! which may be stuck): at once when its I/O is frozen, since no demote can finish then and the
//! peer is about to take over; otherwise after `ha['quorum_self_fence_after']` (default 20 s)
//! without a finished demote. Resetting at once keeps the two Primaries apart: the peer
//! promotes only `ha['quorum_peer_stop_after']` after its own membership change. This is the
//! pattern of Patroni's watchdog and
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
use crate::observe::quorum::read;

/// Where the kernel takes its reset request.
pub const SYSRQ_TRIGGER: &str = "/proc/sysrq-trigger";

/// Why this node must not stay as it is, or `None`: quorum is on and not held (or
/// unknown) and DRBD is Primary here. The flag says DRBD's I/O is frozen: no demote can
/// finish then.
pub fn needed(paths: &Paths, quorum: &QuorumSettings) -> Option<(String, bool)> {
    let why_no_quorum = read(quorum).why_not()?;
    let minor = crate::observe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let proc = crate::drbd::read(&paths.proc_drbd).ok()?;
    let dev = proc.device(minor)?;
    if dev.role != Some(Role::Primary) {
        return None;
    }
    let frozen = dev.io_suspended();
    Some((
        format!(
            "{why_no_quorum} and DRBD is still Primary here ({}){}",
            dev.state_line.trim(),
            if frozen { ", its I/O frozen" } else { "" }
        ),
        frozen,
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

/// How often the watcher looks.
const POLL: Duration = Duration::from_secs(1);

/// Watches a transition away from master, from its start, with quorum on: the node resets
/// itself as soon as it is Primary without quorum with its I/O frozen (no demote can finish:
/// waiting would only keep a Primary alive that the peer is about to replace), or once it
/// has been Primary without quorum for `quorum.self_fence_after` (a demote that does not
/// end). The watcher returns once `done` is set and the node is no longer Primary without
/// quorum; join it after a failed transition. `None` when quorum is off.
pub fn watch(
    paths: &Paths,
    quorum: &QuorumSettings,
    action: &str,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    if !quorum.enabled() {
        return None;
    }
    let (paths, quorum, action) = (paths.clone(), quorum.clone(), action.to_string());
    Some(std::thread::spawn(move || {
        let after = quorum.self_fence_after;
        let mut since: Option<std::time::Instant> = None;
        loop {
            match needed(&paths, &quorum) {
                Some((why, frozen)) => {
                    let start = *since.get_or_insert_with(|| {
                        ClusterLog::new(&paths.cluster_log, true).log(&format!(
                            "self-fence armed: {why}; this node resets itself at once if its I/O is frozen, else unless demoted within {} s (ha['quorum_self_fence_after'])",
                            after.as_secs()
                        ));
                        std::time::Instant::now()
                    });
                    if frozen || start.elapsed() >= after {
                        let audit = Audit::new(&paths.audit_log);
                        let e = reset(&paths, &audit, &action, &why, &PathBuf::from(SYSRQ_TRIGGER));
                        ClusterLog::new(&paths.cluster_log, true)
                            .log(&format!("self-fence failed: {e}"));
                        return;
                    }
                }
                None => {
                    since = None;
                    if done.load(std::sync::atomic::Ordering::SeqCst) {
                        return;
                    }
                }
            }
            std::thread::sleep(POLL);
        }
    }))
}
