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

/// Runs `cluster-transition`; returns the exit code (0, 1 or 2, see the module docs).
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    const ACTION: &str = "cluster-transition";
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
    let outcome = transition::run(&mut host, &state, &paths.transition_lock, target, &settings);
    record_outcome(&audit, ACTION, target, &outcome);
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
