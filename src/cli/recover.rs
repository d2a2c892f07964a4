//! `master-recover` / `backup-recover`: run the local transition now, ignoring VRRP (as
//! the original), after checking preconditions and asking for confirmation.
//!
//! 1. Checks (/proc/drbd, the device's minor): master-recover requires the local disk
//!    UpToDate and the peer not Primary (not connected → peer Unknown is accepted, with a
//!    warning); otherwise it refuses and explains. `--force` overrides with a warning naming
//!    what may be lost. backup-recover warns when the peer is not Primary (both Secondary =
//!    nobody serves).
//! 2. Prints the plan (the transition's steps); asks for confirmation (`--yes` skips; no
//!    terminal and no `--yes` → refused); `--dry-run` prints only; `--json` prints the checks
//!    and the plan as JSON and changes nothing.
//! 3. Runs the same transition as `cluster-transition` (request file, lock, loop, state files,
//!    cluster.log), each step recorded in the audit log.
//! 4. Reports the VIP: keepalived owns it; says whether this node holds it, and that
//!    keepalived may undo a manual recover.
//!
//! Exit codes: **0** done, or dry run, or queued behind a running transition; **1** the
//! transition failed; **3** refused (preconditions, no confirmation).

use anyhow::Result;

use super::cluster_transition::{record_outcome, RetryArgs};
use super::Ctx;
use crate::audit::{Audit, AuditResult};
use crate::config::Config;
use crate::plan::{self, ExecOptions, Gate, TermUi, Ui};
use crate::transition::{self, real, recover as checks, Outcome, StateFiles};

/// Which state to recover to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `master-recover`.
    Master,
    /// `backup-recover`.
    Backup,
}

/// Exit code: refused (preconditions not met, or not confirmed).
pub const EXIT_REFUSED: i32 = 3;

/// Arguments of `master-recover` and `backup-recover`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run the plan without asking for confirmation (needed when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Print the checks and the plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the checks and the plan as JSON; change nothing.
    #[arg(long)]
    pub json: bool,
    /// master-recover: run although the checks refuse (local disk not UpToDate, peer Primary);
    /// a warning says what may be lost. No effect on backup-recover.
    #[arg(long)]
    pub force: bool,
    /// master-recover --force on a node whose data may be stale, with --yes: the resource
    /// name, confirming that the peer's newer writes may be lost.
    #[arg(long, value_name = "RESOURCE")]
    pub confirm_resource: Option<String>,
    #[command(flatten)]
    pub retry: RetryArgs,
}

fn vip_report(cfg: &Config, target: Target) -> String {
    let Some(vip) = cfg.vip() else {
        return "VIP: none configured; keepalived manages no address here.".to_string();
    };
    let addr = match vip.prefix {
        Some(p) => format!("{}/{p}", vip.address),
        None => vip.address.to_string(),
    };
    let held = crate::probe::host::interfaces()
        .map(|ifs| crate::probe::host::has_address(&ifs, &vip.device, vip.address, vip.prefix));
    match (held, target) {
        (Err(e), _) => format!(
            "VIP {addr} on {}: cannot tell whether this node holds it (getifaddrs: {}). keepalived owns the VIP and may undo a manual recover.",
            vip.device,
            crate::probe::host::io_reason(&e)
        ),
        (Ok(true), Target::Master) => format!(
            "VIP {addr} is on {} of this node: clients reach this master. keepalived owns the VIP; if it elects the peer, it runs cluster-transition backup here and undoes this recover.",
            vip.device
        ),
        (Ok(false), Target::Master) => format!(
            "VIP {addr} is NOT on this node: keepalived owns the VIP, so clients do not reach this master until keepalived elects it (ha-status reports the missing VIP); keepalived may also run cluster-transition backup here and undo this recover."
        ),
        (Ok(true), Target::Backup) => format!(
            "VIP {addr} is still on {} of this node, which no longer serves: keepalived owns the VIP; stop keepalived here (private-chef-ctl stop keepalived) to move it to the peer. keepalived may also run cluster-transition master here and undo this recover.",
            vip.device
        ),
        (Ok(false), Target::Backup) => format!(
            "VIP {addr} is not on this node. keepalived owns the VIP; if it elects this node it runs cluster-transition master here and undoes this recover."
        ),
    }
}

/// Runs `master-recover` / `backup-recover`; returns the exit code (see the module docs).
pub fn run(target: Target, args: &Args, ctx: &Ctx) -> Result<i32> {
    let (action, tt) = match target {
        Target::Master => ("master-recover", transition::Target::Master),
        Target::Backup => ("backup-recover", transition::Target::Backup),
    };
    let cfg = Config::load(&ctx.global.config)?;
    let paths = cfg.paths.clone();
    let audit = Audit::new(&paths.audit_log);
    let mut ui = TermUi;
    let node = crate::audit::hostname();

    // 1. Checks.
    let minor = crate::probe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let proc = crate::drbd::read(&paths.proc_drbd);
    let dev = proc.as_ref().ok().and_then(|p| p.device(minor));
    let mut verdict = match target {
        Target::Master => checks::check_master(minor, dev, args.force),
        Target::Backup => checks::check_backup(minor, dev),
    };
    if let Err(e) = &proc {
        verdict.saw = format!("cannot read {}: {e:#}", paths.proc_drbd.display());
    }
    // issue 10: the promotion policy of the transition (data that may be stale)
    let stale = match target {
        Target::Master => super::recover_stale::check(&cfg, &paths, args.force, &mut verdict),
        Target::Backup => None,
    };

    // 2. Plan.
    let settings = args.retry.settings(Some(&cfg), &paths);
    let manager = crate::service::manager_for(&paths);
    let snap = match real::snapshot(&paths, manager.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            audit.record(action, "", AuditResult::Refused, &e);
            eprintln!("private-chef-ctl: {action}: cannot plan: {e}");
            return Ok(EXIT_REFUSED);
        }
    };
    let steps = transition::plan(tt, &snap);
    let mut the_plan = transition::to_plan(tt, &steps, &node, &settings);
    the_plan.title = format!("{action}: set {node} to HA {tt} state, ignoring VRRP");

    if args.json {
        let doc = serde_json::json!({ "checks": verdict, "plan": the_plan.to_json() });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        audit.record(action, "", AuditResult::DryRun, "--json");
        return Ok(if verdict.allowed { 0 } else { EXIT_REFUSED });
    }

    ui.say(&format!("DRBD: {}", verdict.saw));
    if !verdict.allowed {
        let mut msg = format!("{action}: refusing:");
        for p in &verdict.problems {
            msg.push_str(&format!("\n  - {p}"));
        }
        msg.push_str("\nNothing was changed. If you are sure (the peer is down and its data is not needed), pass --force.");
        eprintln!("{msg}");
        audit.record(
            action,
            "",
            AuditResult::Refused,
            &verdict.problems.join("; "),
        );
        return Ok(EXIT_REFUSED);
    }
    for w in &verdict.warnings {
        eprintln!("WARNING: {w}");
    }

    if let Some(lost) = &stale {
        if let Err(m) = super::recover_stale::confirm(&paths.drbd_resource, args, lost, &audit) {
            eprintln!("private-chef-ctl: {action}: {m}");
            return Ok(EXIT_REFUSED);
        }
    }

    // 3. Confirm, then the same transition as cluster-transition.
    let opts = ExecOptions {
        yes: args.yes,
        dry_run: args.dry_run,
    };
    match plan::confirm(&the_plan, opts, &mut ui, &audit, action) {
        Gate::DryRun => {
            ui.say(&vip_report(&cfg, target));
            return Ok(0);
        }
        Gate::Refused(why) => {
            eprintln!("private-chef-ctl: {action}: {why}");
            return Ok(EXIT_REFUSED);
        }
        Gate::Proceed => {}
    }
    audit.record(
        action,
        tt.as_str(),
        AuditResult::Started,
        &verdict.warnings.join("; "),
    );
    let state = StateFiles::new(&paths);
    let mut host = real::RealHost::new(&paths, settings, &audit, action);
    host.promote_gate.promote_without_peer = crate::promote::promote_without_peer(Some(&cfg));
    host.promote_gate.forced = stale.is_some(); // issue 10: confirmed above
    let outcome = transition::run(&mut host, &state, &paths.transition_lock, tt, &settings);
    record_outcome(&audit, action, tt, &outcome);
    let code = match &outcome {
        Outcome::Reached(t) if *t == tt => {
            ui.say(&format!("{action}: this node is now HA {t}."));
            0
        }
        Outcome::Reached(t) => {
            eprintln!(
                "private-chef-ctl: {action}: {t} was requested meanwhile (keepalived?) and this node is now {t}, not {tt}"
            );
            transition::EXIT_FAILED
        }
        Outcome::Busy { holder } => {
            ui.say(&format!(
                "{action}: a transition is already running (pid {}); it will pick up this request. Watch {}.",
                holder.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                paths.cluster_log.display()
            ));
            0
        }
        Outcome::Failed { reason, .. } => {
            eprintln!("private-chef-ctl: {action} failed: {reason}");
            transition::EXIT_FAILED
        }
    };
    // 4. The VIP.
    ui.say(&vip_report(&cfg, target));
    Ok(code)
}
