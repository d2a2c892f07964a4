//! Issue 10: the promotion gate of a transition on this host. Before each `drbdadm primary`
//! attempt it reads the facts ([`crate::observe::generation::local`]), applies the policy
//! ([`crate::decide::promote::decide`]), and remembers the last refusal so that it is
//! logged, audited and written to the error file once, not every second.

use std::path::PathBuf;

use crate::act::audit::{Audit, AuditResult};
use crate::config::Paths;
use crate::decide::promote::{decide, refusal_message, Decision, Facts};
use crate::observe::generation;

use super::{StateFiles, Target};

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
    /// Where the boot id is read (default [`generation::BOOT_ID`]).
    pub boot_id_path: Option<PathBuf>,
    /// Quorum: with an arbiter configured, a node without quorum never promotes (not even
    /// forced: the peer may be serving with the arbiter's vote).
    pub quorum: crate::config::QuorumSettings,
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
        let here = generation::local(paths, self.boot_id_path.as_deref());
        decide(&Facts {
            resource: &paths.drbd_resource,
            device: here.device.as_ref(),
            witness: here.witness.as_ref(),
            boot_id: here.boot_id.as_deref(),
            gi: None,
            promote_without_peer: self.promote_without_peer,
        })
    }

    /// Decides and remembers the refusal.
    pub fn check(&mut self, paths: &Paths) -> Check {
        if let Some(message) = no_quorum(&self.quorum) {
            return self.refused(message);
        }
        if self.forced {
            return Check::Promote("forced by the operator (master-recover --force)".into());
        }
        let d = self.decide_here(paths);
        match refusal_message(&d) {
            None => {
                self.last_refusal = None;
                Check::Promote(match d {
                    Decision::Promote { why } => why,
                    Decision::Wait { reason, .. } => reason,
                })
            }
            Some(message) => self.refused(message),
        }
    }

    /// A refusal, `new` when its reason differs from the last check's.
    fn refused(&mut self, message: String) -> Check {
        let new = self.last_refusal.as_deref() != Some(message.as_str());
        self.last_refusal = Some(message.clone());
        Check::Refused { message, new }
    }
}

/// Why this node must not promote for want of quorum, or `None` (quorum off or held).
pub fn no_quorum(settings: &crate::config::QuorumSettings) -> Option<String> {
    let view = crate::observe::quorum::read(settings);
    let why = view.why_not()?;
    let arbiter = settings.arbiter.as_deref().unwrap_or("?");
    let what = match view.status() {
        Some(_) => format!("this node has {why}; arbiter {arbiter}"),
        None => format!("this node cannot tell whether it has quorum: {why}; arbiter {arbiter}"),
    };
    Some(format!(
        "{what}: it must not serve, the peer may be serving with the arbiter's vote. It promotes once it holds quorum: restore its links to the peer and the arbiter (corosync-quorumtool -s shows the votes)"
    ))
}

/// What a transition does with a check: a refusal seen for the first time is audited and
/// written to `current_cluster_status.error` (so `ha-status` shows it while the transition
/// waits); the result is the step's: `Err(message)` when refused.
pub fn apply(check: Check, audit: &Audit, action: &str, paths: &Paths) -> Result<(), String> {
    match check {
        Check::Promote(_) => Ok(()),
        Check::Refused { message, new } => {
            if new {
                audit.record(
                    action,
                    "refuse drbdadm primary",
                    AuditResult::Refused,
                    &message,
                );
                let state = StateFiles::new(paths);
                // best effort: the transition's own failure record follows if it gives up
                let _ = state.record_failure(
                    Target::Master,
                    &format!("waiting: {message}"),
                    &crate::sys::time::rfc2822_now(),
                );
            }
            Err(message)
        }
    }
}
