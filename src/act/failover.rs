//! `stop keepalived` / `start keepalived`: control keepalived through the service manager
//! and follow the failover until the pair has settled (the decisions are
//! [`crate::decide::failover`]). Confirmation, refusals and audit lines go through the
//! plan runner; exit codes are the table's (0 done, 1 stuck, 2 refused).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::act::audit::{Audit, AuditResult};
use crate::act::plan::{self, ExecOptions, Plan, Runner, TermUi};
use crate::config::Config;
use crate::decide::failover::{
    start_plan, start_progress, stop_plan, stop_progress, stop_refusal, summary, StopProgress,
};
use crate::model::exit;
use crate::observe::failover::{self as observe, Observation};
use crate::service::{self, Control, KEEPALIVED};

const ACTION_STOP: &str = "stop keepalived";
const ACTION_START: &str = "start keepalived";

/// The failover options (`--yes`, `--dry-run`, `--force`, `--wait`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Do not ask.
    pub yes: bool,
    /// Print only.
    pub dry_run: bool,
    /// Stop keepalived even when the peer cannot take over with current data.
    pub force: bool,
    /// Seconds to wait for the failover.
    pub wait: u64,
}

impl Options {
    fn exec(&self) -> ExecOptions {
        ExecOptions {
            yes: self.yes,
            dry_run: self.dry_run,
        }
    }
}

/// Follows progress until done or the deadline; shows each step as it changes.
fn follow(
    cfg: &Config,
    wait: Duration,
    mut decide: impl FnMut(&Observation) -> StopProgress,
) -> (bool, Observation) {
    let tty = std::io::stderr().is_terminal();
    let spinner = indicatif::ProgressBar::new_spinner();
    if tty {
        spinner.enable_steady_tick(Duration::from_millis(120));
    }
    let deadline = Instant::now() + wait;
    let mut shown = String::new();
    loop {
        let o = observe::observe(cfg, true);
        match decide(&o) {
            StopProgress::Done => {
                spinner.finish_and_clear();
                return (true, o);
            }
            StopProgress::Waiting(step) => {
                if step != shown {
                    if tty {
                        spinner.set_message(step.clone());
                    } else {
                        crate::render::terminal::say(format_args!("... {step}"));
                    }
                    shown = step;
                }
            }
        }
        if Instant::now() >= deadline {
            spinner.finish_and_clear();
            return (false, o);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Shows the plan and asks; `Some(code)` when the command must stop here.
fn gate(run: &mut Runner, plan: &Plan) -> Option<i32> {
    let g = run.confirm(plan);
    if let plan::Gate::Refused(why) = &g {
        eprintln!("private-chef-ctl: {why}");
    }
    g.exit_code()
}

/// Runs keepalived's start or stop through the service manager, audited.
fn control_keepalived(cfg: &Config, run: &Runner, what: &str, c: Control) -> Result<bool> {
    run.record(what, AuditResult::Started, "");
    let m = service::manager_for(&cfg.paths);
    let out = m
        .control(KEEPALIVED, c)
        .with_context(|| format!("{} keepalived", c.sv_word()))?;
    crate::render::terminal::say_raw(&out.stdout);
    eprint!("{}", out.stderr);
    let text = plan::excerpt(&format!("{}{}", out.stdout, out.stderr));
    if out.code != 0 {
        eprintln!(
            "private-chef-ctl: {} keepalived failed (exit {})",
            c.sv_word(),
            out.code
        );
        run.record(what, AuditResult::Failed, &text);
        return Ok(false);
    }
    run.record(what, AuditResult::Ok, &text);
    Ok(true)
}

/// `private-chef-ctl stop keepalived`; returns the exit code.
pub fn stop_keepalived(cfg: &Config, opts: &Options) -> Result<i32> {
    let audit = Audit::new(&cfg.paths.audit_log);
    let mut ui = TermUi;
    let mut run = Runner::new(&mut ui, &audit, ACTION_STOP, opts.exec());
    let node = crate::sys::hostname_or("unknown");
    let before = observe::observe(cfg, false);
    let was_master = before.is_master();
    if !before.keepalived.is_up() && !before.keepalived.is_unknown() {
        crate::render::terminal::say(format_args!(
            "keepalived is not running on this node: nothing to fail over."
        ));
        return Ok(exit::OK);
    }
    if let Some(why) = stop_refusal(&before) {
        if opts.force {
            eprintln!("WARNING: --force: {why}");
        } else {
            eprintln!("private-chef-ctl: refusing to stop keepalived: {why}");
            return Ok(run.refuse(&why));
        }
    }
    crate::render::terminal::say(format_args!("{}", summary(&before)));
    let plan = stop_plan(&cfg.paths, &node, was_master, opts.wait);
    if let Some(code) = gate(&mut run, &plan) {
        return Ok(code);
    }
    if !control_keepalived(cfg, &run, "Stop keepalived on this node", Control::Stop)? {
        return Ok(exit::FAILED);
    }
    let (done, o) = follow(cfg, Duration::from_secs(opts.wait), |o| {
        stop_progress(o, was_master)
    });
    crate::render::terminal::say(format_args!("{}", summary(&o)));
    match stop_progress(&o, was_master) {
        StopProgress::Done if done => {
            if was_master {
                crate::render::terminal::say(format_args!(
                    "Failover complete: the peer is Primary and holds the VIP."
                ));
            }
            run.record("follow the failover", AuditResult::Ok, &summary(&o));
            Ok(exit::OK)
        }
        StopProgress::Done => Ok(exit::OK),
        StopProgress::Waiting(step) => {
            eprintln!(
                "private-chef-ctl: failover did not complete within {} s; stuck at: {step}",
                opts.wait
            );
            eprintln!(
                "  see {} and `private-chef-ctl ha-status` on both nodes",
                cfg.paths.cluster_log.display()
            );
            run.record(
                "follow the failover",
                AuditResult::Failed,
                &format!("stuck at: {step}"),
            );
            Ok(exit::FAILED)
        }
    }
}

/// `private-chef-ctl start keepalived`; returns the exit code.
pub fn start_keepalived(cfg: &Config, opts: &Options) -> Result<i32> {
    let audit = Audit::new(&cfg.paths.audit_log);
    let mut ui = TermUi;
    let mut run = Runner::new(&mut ui, &audit, ACTION_START, opts.exec());
    let node = crate::sys::hostname_or("unknown");
    let before = observe::observe(cfg, false);
    crate::render::terminal::say(format_args!("{}", summary(&before)));
    let plan = start_plan(&cfg.paths, &node, opts.wait);
    if let Some(code) = gate(&mut run, &plan) {
        return Ok(code);
    }
    if !control_keepalived(cfg, &run, "Start keepalived", Control::Start)? {
        return Ok(exit::FAILED);
    }
    let (_, o) = follow(cfg, Duration::from_secs(opts.wait), start_progress);
    crate::render::terminal::say(format_args!("{}", summary(&o)));
    match start_progress(&o) {
        StopProgress::Done => {
            crate::render::terminal::say(format_args!(
                "keepalived is running; this node is {}.",
                o.current.as_deref().unwrap_or("?")
            ));
            run.record("wait until settled", AuditResult::Ok, &summary(&o));
            Ok(exit::OK)
        }
        StopProgress::Waiting(step) => {
            eprintln!(
                "private-chef-ctl: this node did not settle within {} s; stuck at: {step}",
                opts.wait
            );
            run.record(
                "wait until settled",
                AuditResult::Failed,
                &format!("stuck at: {step}"),
            );
            Ok(exit::FAILED)
        }
    }
}
