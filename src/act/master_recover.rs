//! `master-recover` / `backup-recover`: run the local transition now, ignoring VRRP (as
//! the original), after checking preconditions and asking for confirmation.
//!
//! 1. Checks (/proc/drbd, the device's minor): master-recover requires the local disk
//!    UpToDate and the peer not Primary (not connected → peer Unknown is accepted, with a
//!    warning); otherwise it refuses and explains. `--force` overrides with a warning naming
//!    what may be lost. backup-recover warns when the peer is not Primary (both Secondary =
//!    nobody serves).
//!    Issue 10: the transition's promotion policy ([`crate::decide::promote`]) is a
//!    precondition too: data that may be stale (this node came back alone, or was not
//!    current when it lost the peer) is refused; `--force` overrides it only after the
//!    operator typed the resource name (scripted: `--yes --confirm-resource NAME`), and the
//!    audit log names what may be lost.
//! 2. Prints the plan (the transition's steps); asks for confirmation (`--yes` skips; no
//!    terminal and no `--yes` → refused); `--dry-run` prints only; `--json` prints the checks
//!    and the plan as JSON and changes nothing.
//! 3. Runs the same transition as `cluster-transition` (request file, lock, loop, state files,
//!    cluster.log), each step recorded in the audit log.
//! 4. Reports the VIP: keepalived owns it; says whether this node holds it, and that
//!    keepalived may undo a manual recover.
//!
//! Exit codes: **0** done, or dry run, or queued behind a running transition; **1** the
//! transition failed; **2** refused (preconditions, no confirmation).

use anyhow::Result;

use crate::act::audit::{Audit, AuditResult};
use crate::act::plan::{ExecOptions, Gate, Runner, TermUi};
use crate::act::transition::{self, real, Outcome, Settings, StateFiles};
use crate::config::Config;
use crate::decide::master_recover::{self as checks, vip_report, RecoverTo};
use crate::model::exit;
use crate::observe::host;

/// `--yes`, `--dry-run`, `--json`, `--force`, `--confirm-resource`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Do not ask.
    pub yes: bool,
    /// Print only.
    pub dry_run: bool,
    /// Print the checks and the plan as JSON; change nothing.
    pub json: bool,
    /// master-recover: run although the checks refuse.
    pub force: bool,
    /// master-recover --force --yes on data that may be stale: the resource name.
    pub confirm_resource: Option<String>,
}

/// The audit step of promoting data that may be stale.
const STALE_STEP: &str = "promote data that may be stale";

/// Issue 10: the typed confirmation of `--force` on data that may be stale (`lost`: what
/// may be lost); audited either way. Nothing to confirm with `--dry-run` or `--json`.
fn confirm_stale(resource: &str, opts: &Options, lost: &str, audit: &Audit) -> Result<(), String> {
    if opts.dry_run || opts.json {
        return Ok(());
    }
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let prompt = format!(
        "This node's data may be stale; promoting it loses the peer's newer writes. Type the resource name ({resource}) to confirm: "
    );
    let r = crate::act::runbook::typed_confirmation(
        resource,
        opts.yes,
        opts.confirm_resource.as_deref(),
        || interactive.then(|| crate::act::runbook::prompt(&prompt)),
    );
    match &r {
        Ok(()) => audit.record(
            "master-recover",
            STALE_STEP,
            AuditResult::Started,
            &crate::act::plan::excerpt(lost),
        ),
        Err(m) => audit.record("master-recover", STALE_STEP, AuditResult::Refused, m),
    }
    r
}

/// [`vip_report`] of this node now.
fn vip_report_now(cfg: &Config, target: RecoverTo) -> String {
    let vip = cfg.vip();
    let held = match &vip {
        Some(v) => host::interfaces()
            .map(|ifs| host::has_address(&ifs, &v.device, v.address, v.prefix))
            .map_err(|e| crate::sys::io_reason(&e)),
        None => Ok(false),
    };
    vip_report(vip.as_ref(), held, target)
}

/// Runs `master-recover` / `backup-recover`; returns the exit code (see the module docs).
pub fn run(cfg: &Config, target: RecoverTo, opts: &Options, settings: Settings) -> Result<i32> {
    let (action, tt) = match target {
        RecoverTo::Master => ("master-recover", transition::Target::Master),
        RecoverTo::Backup => ("backup-recover", transition::Target::Backup),
    };
    let paths = cfg.paths.clone();
    let audit = Audit::new(&paths.audit_log);
    let mut ui = TermUi;
    let mut run = Runner::new(
        &mut ui,
        &audit,
        action,
        ExecOptions {
            yes: opts.yes,
            dry_run: opts.dry_run,
        },
    );
    let node = crate::sys::hostname_or("unknown");

    // 1. Checks.
    let minor = crate::observe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let proc = crate::drbd::read(&paths.proc_drbd);
    let dev = proc.as_ref().ok().and_then(|p| p.device(minor));
    let mut verdict = match target {
        RecoverTo::Master => checks::check_master(minor, dev, opts.force),
        RecoverTo::Backup => checks::check_backup(minor, dev),
    };
    if let Err(e) = &proc {
        verdict.saw = format!("cannot read {}: {e:#}", paths.proc_drbd.display());
    }
    // issue 10: the promotion policy of the transition (data that may be stale)
    let promote_without_peer = crate::decide::promote::promote_without_peer(Some(cfg));
    let stale = match target {
        RecoverTo::Master => {
            let gate = transition::gate::Gate {
                promote_without_peer,
                ..Default::default()
            };
            let decision = gate.decide_here(&paths);
            checks::apply_promotion_policy(&mut verdict, &decision, opts.force)
        }
        RecoverTo::Backup => None,
    };

    // a node without quorum never promotes, --force or not
    let quorum = cfg.quorum_settings();
    if matches!(target, RecoverTo::Master) {
        if let Some(m) = transition::gate::no_quorum(&quorum) {
            eprintln!("private-chef-ctl: {action}: {m}");
            return Ok(run.refuse(&m));
        }
    }

    // 2. Plan.
    let manager = crate::service::manager_for(&paths);
    let snap = match real::snapshot(&paths, manager.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("private-chef-ctl: {action}: cannot plan: {e}");
            return Ok(run.refuse(&e));
        }
    };
    let steps = transition::plan(tt, &snap);
    let mut the_plan = transition::to_plan(tt, &steps, &node, &settings);
    the_plan.title = format!("{action}: set {node} to HA {tt} state, ignoring VRRP");

    if opts.json {
        let doc = serde_json::json!({ "checks": verdict, "plan": the_plan.to_json() });
        crate::render::terminal::say(format_args!("{}", serde_json::to_string_pretty(&doc)?));
        run.record("", AuditResult::DryRun, "--json");
        return Ok(if verdict.allowed {
            exit::OK
        } else {
            exit::REFUSED
        });
    }

    run.say(&format!("DRBD: {}", verdict.saw));
    if !verdict.allowed {
        let mut msg = format!("{action}: refusing:");
        for p in &verdict.problems {
            msg.push_str(&format!("\n  - {p}"));
        }
        msg.push_str("\nNothing was changed. If you are sure (the peer is down and its data is not needed), pass --force.");
        eprintln!("{msg}");
        return Ok(run.refuse(&verdict.problems.join("; ")));
    }
    for w in &verdict.warnings {
        eprintln!("WARNING: {w}");
    }
    if let Some(lost) = &stale {
        if let Err(m) = confirm_stale(&paths.drbd_resource, opts, lost, &audit) {
            eprintln!("private-chef-ctl: {action}: {m}");
            return Ok(exit::REFUSED);
        }
    }

    // 3. Confirm, then the same transition as cluster-transition.
    match run.confirm(&the_plan) {
        g @ Gate::DryRun => {
            run.say(&vip_report_now(cfg, target));
            return Ok(g.exit_code().unwrap_or(exit::OK));
        }
        g @ Gate::Refused(_) => {
            if let Gate::Refused(why) = &g {
                eprintln!("private-chef-ctl: {action}: {why}");
            }
            return Ok(g.exit_code().unwrap_or(exit::REFUSED));
        }
        Gate::Proceed => {}
    }
    run.record(
        tt.as_str(),
        AuditResult::Started,
        &verdict.warnings.join("; "),
    );
    let state = StateFiles::new(&paths);
    let mut host = real::RealHost::new(&paths, settings, &audit, action);
    host.promote_gate.promote_without_peer = promote_without_peer;
    host.promote_gate.forced = stale.is_some(); // confirmed above
    host.promote_gate.quorum = quorum;
    let outcome = transition::run(&mut host, &state, &paths.transition_lock, tt, &settings);
    transition::record_outcome(&run, tt, &outcome);
    let code = match &outcome {
        Outcome::Reached(t) if *t == tt => {
            run.say(&format!("{action}: this node is now HA {t}."));
            exit::OK
        }
        Outcome::Reached(t) => {
            eprintln!(
                "private-chef-ctl: {action}: {t} was requested meanwhile (keepalived?) and this node is now {t}, not {tt}"
            );
            exit::FAILED
        }
        Outcome::Busy { holder } => {
            run.say(&format!(
                "{action}: a transition is already running (pid {}); it will pick up this request. Watch {}.",
                holder.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                paths.cluster_log.display()
            ));
            exit::OK
        }
        Outcome::Failed { reason, .. } => {
            eprintln!("private-chef-ctl: {action} failed: {reason}");
            exit::FAILED
        }
    };
    // 4. The VIP.
    run.say(&vip_report_now(cfg, target));
    Ok(code)
}
