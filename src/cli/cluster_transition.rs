//! `private-chef-ctl cluster-transition`: keepalived's notify entry point (the original's
//! `cluster.sh`, repaired; see [`crate::transition`] for the semantics).
//!
//! keepalived.conf: `notify_master "private-chef-ctl cluster-transition master"`, … or
//! `notify "private-chef-ctl cluster-transition"` (generic: `INSTANCE|GROUP NAME STATE PRIORITY`).
//!
//! Exit codes: **0** the requested state was reached, or another transition holds the lock
//! and this request was recorded for it; **1** the transition failed (reason in cluster.log
//! and in `current_cluster_status.error`); **2** the arguments are not a state (logged to
//! cluster.log too).

use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

use anyhow::Result;

use super::Ctx;
use crate::audit::{Audit, AuditResult};
use crate::config::{Config, Paths};
use crate::transition::{self, real::RealHost, ClusterLog, Outcome, Settings, StateFiles};

/// Retry and time-limit options of a transition (defaults from private-chef.rb).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RetryArgs {
    /// Attempts of `drbdadm primary|secondary` and of unmount [default: keepalived['transition_attempts'], else 300].
    #[arg(long, value_name = "N")]
    pub attempts: Option<u32>,
    /// Seconds between attempts [default: keepalived['transition_retry_secs'], else 1].
    #[arg(long, value_name = "SECS")]
    pub retry_secs: Option<f64>,
    /// Time limit of each external command (drbdadm, mount, umount, sv), seconds [default: keepalived['transition_command_timeout'], else 60].
    #[arg(long, value_name = "SECS")]
    pub command_timeout: Option<u64>,
}

/// Arguments of `cluster-transition`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The state to move to: master, backup, fault or stop (any case); or keepalived's
    /// generic notify arguments INSTANCE|GROUP NAME STATE PRIORITY. fault and stop demote
    /// like backup.
    #[arg(value_name = "STATE", num_args = 0..)]
    pub state: Vec<String>,
    #[command(flatten)]
    pub retry: RetryArgs,
}

/// The configuration when `path` exists (defaults otherwise, as the service verbs); a file
/// that exists but cannot be read or parsed is an error.
pub(crate) fn load_optional(path: &Path) -> Result<(Option<Config>, Paths)> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, Paths::default())),
        _ => {
            let cfg = Config::load(path)?;
            let paths = cfg.paths.clone();
            Ok((Some(cfg), paths))
        }
    }
}

impl RetryArgs {
    /// The effective settings.
    pub fn settings(&self, cfg: Option<&Config>, paths: &Paths) -> Settings {
        Settings::resolve(
            cfg,
            paths,
            self.attempts,
            self.retry_secs,
            self.command_timeout,
        )
    }
}

/// The last SIGTERM/SIGHUP received while [`shield_from_termination`] is in force (0: none).
static DEFERRED_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn note_signal(sig: libc::c_int) {
    DEFERRED_SIGNAL.store(sig, Ordering::SeqCst);
}

/// Makes SIGTERM and SIGHUP non-fatal for the rest of this process: they are noted
/// ([`deferred_signal`]) and the transition goes on.
///
/// keepalived SIGTERMs its notify scripts still running when it stops (observed with
/// keepalived 2.2.7 in the lab): `stop keepalived` on the master starts the notify_stop
/// transition and kills it about a second later, in the middle of stopping the services,
/// leaving this node Primary with the data mounted and the peer unable to promote. A
/// half-done transition is worse than a finished one, so the transition finishes.
/// A handler (not `SIG_IGN`) so that the programs it runs get the default dispositions
/// back at exec. SIGINT (an operator's Ctrl-C) stays fatal.
pub fn shield_from_termination() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installing an async-signal-safe handler (one atomic store) with a
        // zeroed, then initialised, sigaction we own.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = note_signal as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The signal [`shield_from_termination`] deferred, if any.
pub fn deferred_signal() -> Option<i32> {
    match DEFERRED_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGHUP => "SIGHUP".into(),
        s => format!("signal {s}"),
    }
}

/// Runs `cluster-transition`; returns the exit code (0, 1 or 2, see the module docs).
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    const ACTION: &str = "cluster-transition";
    shield_from_termination();
    let (cfg, paths) = load_optional(&ctx.global.config)?;
    let mut trace = ClusterLog::new(&paths.cluster_log, false);
    trace.trace(&format!(
        "process start: cluster-transition {}",
        args.state.join(" ")
    ));
    let audit = Audit::new(&paths.audit_log);
    let target = match transition::parse_notify_args(&args.state) {
        Ok(t) => t,
        Err(reason) => {
            let msg = format!(
                "Rejected cluster-transition arguments '{}': {reason}",
                args.state.join(" ")
            );
            ClusterLog::new(&paths.cluster_log, false).log(&msg);
            eprintln!("private-chef-ctl: {msg}");
            audit.record(ACTION, "", AuditResult::Refused, &msg);
            return Ok(transition::EXIT_USAGE);
        }
    };
    let settings = args.retry.settings(cfg.as_ref(), &paths);
    audit.record(ACTION, target.as_str(), AuditResult::Started, "");
    let state = StateFiles::new(&paths);
    let mut host = RealHost::new(&paths, settings, &audit, ACTION);
    host.promote_gate.promote_without_peer = crate::promote::promote_without_peer(cfg.as_ref()); // issue 10
    let outcome = transition::run(&mut host, &state, &paths.transition_lock, target, &settings);
    record_outcome(&audit, ACTION, target, &outcome);
    if let Some(sig) = deferred_signal() {
        trace.log(&format!(
            "Received {} during the transition (keepalived stopping?): finished it anyway",
            signal_name(sig)
        ));
    }
    trace.trace(&format!("process end: exit {}", outcome.exit_code()));
    Ok(outcome.exit_code())
}

/// Audits the end of a transition run.
pub(crate) fn record_outcome(
    audit: &Audit,
    action: &str,
    target: transition::Target,
    outcome: &Outcome,
) {
    match outcome {
        Outcome::Reached(t) => audit.record(
            action,
            target.as_str(),
            AuditResult::Ok,
            &format!("reached {t}"),
        ),
        Outcome::Busy { holder } => audit.record(
            action,
            target.as_str(),
            AuditResult::Ok,
            &format!(
                "queued: a transition is already running (pid {}); it picks up this request",
                holder.map(|p| p.to_string()).unwrap_or_else(|| "?".into())
            ),
        ),
        Outcome::Failed { target: t, reason } => audit.record(
            action,
            t.as_str(),
            AuditResult::Failed,
            &crate::plan::excerpt(reason),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigterm_and_sighup_are_deferred_not_fatal() {
        shield_from_termination();
        // SAFETY: raising a signal whose handler was just installed.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        assert_eq!(deferred_signal(), Some(libc::SIGHUP));
        unsafe {
            libc::raise(libc::SIGTERM);
        }
        // still alive, and the signal is remembered
        assert_eq!(deferred_signal(), Some(libc::SIGTERM));
        assert_eq!(signal_name(libc::SIGTERM), "SIGTERM");
        assert_eq!(signal_name(libc::SIGHUP), "SIGHUP");
    }

    #[test]
    fn children_get_the_default_disposition_back() {
        shield_from_termination();
        // a child that SIGTERMs itself dies of it: the handler is not inherited across exec
        let st = std::process::Command::new("sh")
            .args(["-c", "kill -TERM $$; sleep 5"])
            .status()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(st.signal(), Some(libc::SIGTERM));
    }
}
