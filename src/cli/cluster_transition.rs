//! `private-chef-ctl cluster-transition`: keepalived's notify entry point (the original's
//! `cluster.sh`, repaired; see [`crate::act::transition`] for the semantics).
//!
//! keepalived.conf: `notify_master "private-chef-ctl cluster-transition master"`, … or
//! `notify "private-chef-ctl cluster-transition"` (generic: `INSTANCE|GROUP NAME STATE PRIORITY`).
//!
//! Exit codes: **0** the requested state was reached, or another transition holds the lock
//! and this request was recorded for it; **1** the transition failed (reason in cluster.log
//! and in `current_cluster_status.error`); **2** refused: the arguments are not a state
//! (logged to cluster.log too).

use anyhow::Result;

use super::common::{load_optional, RetryArgs};
use super::Ctx;
use crate::act::audit::{Audit, AuditResult};
use crate::act::plan::{ExecOptions, Runner, TermUi};
use crate::act::transition::{self, real::RealHost, ClusterLog, StateFiles};
use crate::act::{session, signals};

/// Arguments of `cluster-transition`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The state to move to: master, backup, fault or stop (any case); or keepalived's
    /// generic notify arguments INSTANCE|GROUP NAME STATE PRIORITY. fault and stop demote
    /// like backup.
    /// Taken as they come: after the first word nothing is an option (an instance may be
    /// named `-h`), so the options go before the state.
    #[arg(value_name = "STATE", num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub state: Vec<String>,
    #[command(flatten)]
    pub retry: RetryArgs,
}

/// Runs `cluster-transition`; returns the exit code (0, 1 or 2, see the module docs).
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    const ACTION: &str = "cluster-transition";
    signals::shield_from_termination();
    // Detach before anything else (even reading the configuration): keepalived SIGKILLs
    // the notify script's group one second after its SIGTERM, and on a slow machine the
    // configuration alone can take a good part of that second.
    let detached = if session::should_detach() {
        Some(session::rerun_in_own_session())
    } else {
        None
    };
    let (cfg, paths) = match load_optional(ctx) {
        Ok(loaded) => loaded,
        // the child reads the same configuration and reports the error itself
        Err(e) => match detached {
            Some(Ok(child)) => return Ok(child.wait().unwrap_or(1)),
            _ => return Err(e),
        },
    };
    let mut trace = ClusterLog::new(&paths.cluster_log, false);
    trace.trace(&format!(
        "process start: cluster-transition {}",
        args.state.join(" ")
    ));
    match detached {
        Some(Ok(child)) => {
            let pid = child.pid;
            trace.trace(&format!("detached: the transition runs in pid {pid}"));
            let code = child.wait().unwrap_or(1);
            if let Some(sig) = signals::deferred_signal() {
                trace.log(&format!(
                    "Received {} while the transition ran in its own session (pid {pid}): it was not interrupted",
                    signals::signal_name(sig)
                ));
            }
            trace.trace(&format!("process end: exit {code} (pid {pid}'s)"));
            return Ok(code);
        }
        // Running here, killable, is still better than not running at all.
        Some(Err(e)) => trace.log(&format!(
            "Cannot start the transition in its own session ({e}): running it in keepalived's process group"
        )),
        None => {}
    }
    let audit = Audit::new(&paths.audit_log);
    // keepalived's notify: no one to ask, the transition always runs (`--yes`).
    let mut ui = TermUi;
    let run = Runner::new(&mut ui, &audit, ACTION, ExecOptions::UNATTENDED);
    // keepalived's arguments as they came (clap drops a `--`); what clap read when this
    // was not called from a command line that names the subcommand
    let argv: Vec<String> = std::env::args().collect();
    let words = match crate::decide::transition::notify_words(&argv) {
        w if w.is_empty() => args.state.clone(),
        w => w,
    };
    let target = match transition::parse_notify_args(&words) {
        Ok(t) => t,
        Err(reason) => {
            let msg = format!(
                "Rejected cluster-transition arguments '{}': {reason}",
                words.join(" ")
            );
            ClusterLog::new(&paths.cluster_log, false).log(&msg);
            eprintln!("private-chef-ctl: {msg}");
            return Ok(run.refuse(&msg));
        }
    };
    let settings = args.retry.settings(cfg.as_ref(), &paths);
    run.record(target.as_str(), AuditResult::Started, "");
    let state = StateFiles::new(&paths);
    let mut host = RealHost::new(&paths, settings, &audit, ACTION);
    // issue 10: the promotion gate (never promote data that may be stale)
    host.promote_gate.promote_without_peer =
        crate::decide::promote::promote_without_peer(cfg.as_ref());
    let quorum = cfg
        .as_ref()
        .map(|c| c.quorum_settings())
        .unwrap_or_default();
    host.promote_gate.quorum = quorum.clone();
    // leaving master with quorum on: a Primary that loses quorum and cannot demote resets
    // itself (see act::self_fence)
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = if target.promotes() {
        None
    } else {
        crate::act::self_fence::watch(&paths, &quorum, ACTION, done.clone())
    };
    let outcome = transition::run(&mut host, &state, &paths.transition_lock, target, &settings);
    transition::record_outcome(&run, target, &outcome);
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    if let (Some(w), transition::Outcome::Failed { .. }) = (watcher, &outcome) {
        // the demote failed: the watcher returns once this node is no longer Primary
        // without quorum, or resets it (bounded by ha['quorum_self_fence_after'])
        let _ = w.join();
    }
    if let Some(sig) = signals::deferred_signal() {
        trace.log(&format!(
            "Received {} during the transition (keepalived stopping?): finished it anyway",
            signals::signal_name(sig)
        ));
    }
    trace.trace(&format!("process end: exit {}", outcome.exit_code()));
    Ok(outcome.exit_code())
}
