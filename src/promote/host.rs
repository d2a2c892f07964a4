//! The touching side of the promotion policy: reads /proc/drbd, the witness record and the
//! boot id on this host, and remembers the last refusal so that it is logged and audited
//! once, not every second.

use std::path::{Path, PathBuf};

use super::{decide, Decision, Facts};
use crate::config::Paths;

/// The kernel's boot id.
pub const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// Reads the boot id (trimmed; `None` when unreadable or empty).
pub fn boot_id(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Reads the witness record (`None` when missing or unusable).
pub fn read_witness(path: &Path) -> Option<crate::drbd::witness::WitnessRecord> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| crate::drbd::witness::parse(&t).ok())
}

/// The promotion gate of a transition on this host.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// `keepalived['promote_without_peer']`: always promote.
    pub promote_without_peer: bool,
    /// `master-recover --force` (confirmed by the operator): promote although the data may
    /// be stale.
    pub forced: bool,
    /// The last refusal, to log it once.
    pub last_refusal: Option<String>,
    /// Where the boot id is read (default [`BOOT_ID`]).
    pub boot_id_path: Option<PathBuf>,
}

/// What [`Gate::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Promote.
    Promote(String),
    /// Refused; `new` is true when the reason differs from the last check's.
    Refused {
        /// The message (reason and fix).
        message: String,
        /// First time this reason is seen.
        new: bool,
    },
}

impl Gate {
    /// Decides now, from this host's files.
    pub fn decide_here(&self, paths: &Paths) -> Decision {
        let minor = crate::probe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
        let proc = crate::drbd::read(&paths.proc_drbd).ok();
        let witness = read_witness(&super::witness_path(paths));
        let boot = boot_id(self.boot_id_path.as_deref().unwrap_or(Path::new(BOOT_ID)));
        decide(&Facts {
            resource: &paths.drbd_resource,
            device: proc.as_ref().and_then(|p| p.device(minor)),
            witness: witness.as_ref(),
            boot_id: boot.as_deref(),
            gi: None,
            promote_without_peer: self.promote_without_peer,
        })
    }

    /// Decides and remembers the refusal.
    pub fn check(&mut self, paths: &Paths) -> Check {
        if self.forced {
            return Check::Promote("forced by the operator (master-recover --force)".into());
        }
        match self.decide_here(paths) {
            Decision::Promote { why } => {
                self.last_refusal = None;
                Check::Promote(why)
            }
            Decision::Wait { reason, fix } => {
                let message = format!(
                    "{}: {}. Fix: {fix}",
                    super::REFUSAL_MARK,
                    reason.trim_end_matches('.')
                );
                let new = self.last_refusal.as_deref() != Some(message.as_str());
                self.last_refusal = Some(message.clone());
                Check::Refused { message, new }
            }
        }
    }
}

/// What a transition does with a check: a refusal seen for the first time is audited and
/// written to `current_cluster_status.error` (so `ha-status` shows it while the transition
/// waits); the result is the step's: `Err(message)` when refused.
pub fn host_check(
    check: Check,
    audit: &crate::audit::Audit,
    action: &str,
    paths: &Paths,
) -> Result<(), String> {
    match check {
        Check::Promote(_) => Ok(()),
        Check::Refused { message, new } => {
            if new {
                audit.record(
                    action,
                    "refuse drbdadm primary",
                    crate::audit::AuditResult::Refused,
                    &message,
                );
                let state = crate::transition::StateFiles::new(paths);
                // best effort: the transition's own failure record follows if it gives up
                let _ = state.record_failure(
                    crate::transition::Target::Master,
                    &format!("waiting: {message}"),
                    &crate::exec::rfc2822_now(),
                );
            }
            Err(message)
        }
    }
}

/// `drbdadm get-gi <resource>` (LC_ALL=C, bounded by `timeout`), parsed.
pub fn read_gi(
    resource: &str,
    timeout: std::time::Duration,
) -> Result<crate::drbd::gi::GenerationIds, String> {
    let cmd = crate::exec::Command::new("drbdadm")
        .args(["get-gi", resource])
        .env("LC_ALL", "C")
        .timeout(timeout);
    match cmd.run() {
        Ok(o) if o.success() => {
            crate::drbd::gi::parse(&o.stdout).map_err(|e| format!("'{}': {e}", cmd.display()))
        }
        Ok(o) => Err(format!(
            "'{}' failed (exit {}): {}",
            cmd.display(),
            o.code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "signal".into()),
            crate::plan::excerpt(&format!("{}{}", o.stderr.trim(), o.stdout.trim()))
        )),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// This node's data-generation facts: `drbdadm get-gi` (bounded to 5 s), the witness
/// record (when of this boot), whether this node is the bootstrap server, and the
/// single-node assessment.
pub fn collect(cfg: Option<&crate::config::Config>, paths: &Paths) -> super::facts::DataFacts {
    let (ids, error) = match read_gi(&paths.drbd_resource, std::time::Duration::from_secs(5)) {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(e)),
    };
    let boot = boot_id(Path::new(BOOT_ID));
    let witness = read_witness(&super::witness_path(paths))
        .filter(|w| boot.as_deref() == Some(w.boot_id.as_str()));
    let me = crate::audit::hostname();
    let bootstrap = cfg.map(|c| {
        c.topology
            .servers
            .iter()
            .any(|s| s.bootstrap && (s.fqdn == me || s.fqdn.split('.').next() == Some(me.as_str())))
    });
    let minor = crate::probe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let proc = crate::drbd::read(&paths.proc_drbd).ok();
    let d = decide(&Facts {
        resource: &paths.drbd_resource,
        device: proc.as_ref().and_then(|p| p.device(minor)),
        witness: witness.as_ref(),
        boot_id: boot.as_deref(),
        gi: ids.as_ref(),
        promote_without_peer: false,
    });
    super::facts::DataFacts {
        ids,
        error,
        boot_id: boot,
        witness,
        bootstrap,
        assessment: Some(super::facts::assessment(&d)),
    }
}
