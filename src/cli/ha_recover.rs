//! `private-chef-ctl ha-recover [auto|scenario-1|…|scenario-5|split-brain]`: runs the
//! Enterprise Chef HA guide's runbook for the diagnosed situation, one step at a time.
//!
//! 1. Diagnoses (both nodes' views, as `ha-diagnose`); `auto` takes the diagnosed runbook,
//!    an explicit one must match the diagnosis (scenario 1 and 2 are interchangeable).
//! 2. Builds the runbook (see [`crate::recovery`]) and prints it as a plan; asks once for
//!    the plan (`--yes` skips; no terminal and no `--yes` → refused; `--dry-run` prints only).
//! 3. Runs it with the shared executor: before each step the node's DRBD state is read again
//!    and the step's precondition checked; a step that can discard data (`primary --force`,
//!    `wipe-md`, `create-md`, `connect --discard-my-data`) first needs the resource name
//!    typed (with `--yes`: `--confirm-resource NAME`); steps on the peer run over ssh;
//!    resyncs are followed with a progress bar until Connected UpToDate/UpToDate. Every
//!    step is in the audit log.
//! 4. Prints the notes (what may need re-uploading, where the victim's data was kept).
//!
//! `--json` prints an event stream instead (see [`crate::recovery::run`]).
//!
//! Exit codes: **0** done, dry run, or nothing to do (healthy); **1** a step failed;
//! **2** refused (not confirmed, a precondition failed, the runbook does not match the
//! diagnosis, or a choice is needed and there is no terminal); **3** no runbook applies
//! (the situation is unknown or a transition is running).

use std::cell::RefCell;
use std::io::IsTerminal;

use anyhow::Result;
use serde_json::json;

use super::Ctx;
use crate::audit::Audit;
use crate::config::Config;
use crate::diagnose;
use crate::peer::{self, PeerOptions};
use crate::plan::{self, ExecOptions, Gate, RunOutcome, Ui};
use crate::recovery::run::{self as rrun, Events, Host, RecoverUi, StepResult};
use crate::recovery::{self, Action, BuildError, Inputs, Which};

/// Exit code: a step failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: refused.
pub const EXIT_REFUSED: i32 = 2;
/// Exit code: no runbook applies.
pub const EXIT_NOT_APPLICABLE: i32 = 3;

/// The runbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunbookArg {
    /// The runbook for what ha-diagnose names.
    Auto,
    /// Secondary lost, primary has nothing to resync: bring it back, follow the resync.
    #[value(name = "scenario-1")]
    Scenario1,
    /// Secondary lost, primary ahead (oos > 0): bring it back, follow the resync.
    #[value(name = "scenario-2")]
    Scenario2,
    /// Primary lost, secondary UpToDate: drbdadm primary, master-recover.
    #[value(name = "scenario-3")]
    Scenario3,
    /// Primary lost, secondary Inconsistent: drbdadm primary --force (typed confirmation), master-recover.
    #[value(name = "scenario-4")]
    Scenario4,
    /// Both Secondary: promote the lower-oos node; reset the other only if refused.
    #[value(name = "scenario-5")]
    Scenario5,
    /// Split brain: keep the victim's data, discard it, resync from the survivor.
    #[value(name = "split-brain")]
    SplitBrain,
}

impl From<RunbookArg> for Which {
    fn from(r: RunbookArg) -> Which {
        match r {
            RunbookArg::Auto => Which::Auto,
            RunbookArg::Scenario1 => Which::Scenario1,
            RunbookArg::Scenario2 => Which::Scenario2,
            RunbookArg::Scenario3 => Which::Scenario3,
            RunbookArg::Scenario4 => Which::Scenario4,
            RunbookArg::Scenario5 => Which::Scenario5,
            RunbookArg::SplitBrain => Which::SplitBrain,
        }
    }
}

/// Walk through the recovery of a failure scenario, one confirmed step at a time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The runbook to run.
    #[arg(value_enum, default_value = "auto")]
    pub runbook: RunbookArg,
    /// Run the plan without asking (needed when stdin is not a terminal). Steps that can
    /// discard data also need --confirm-resource.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// With --yes: the DRBD resource name (e.g. pc0), confirming the steps that can
    /// discard data (primary --force, wipe-md, create-md, connect --discard-my-data).
    #[arg(long, value_name = "RESOURCE")]
    pub confirm_resource: Option<String>,
    /// Print the plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print a JSON event stream (one object per line) instead of text.
    #[arg(long)]
    pub json: bool,
    /// split-brain: the node whose changes since the split are discarded (default: the
    /// one with fewer changes, i.e. the lower oos).
    #[arg(long, value_name = "NODE")]
    pub victim: Option<String>,
    /// scenario-5: the node to promote (default: the one with the lower oos; needed on a tie
    /// without a terminal).
    #[arg(long, value_name = "NODE")]
    pub promote: Option<String>,
    /// Seconds to wait for a resync to reach UpToDate/UpToDate.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub sync_timeout: u64,
}

fn done(events: Events, result: &str, code: i32, notes: &[String]) -> i32 {
    events.emit(json!({"event":"done","result":result,"exit_code":code,"notes":notes}));
    code
}

/// Runs ha-recover; returns the exit code (see the module docs).
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let events = Events { json: args.json };
    let mut ui = RecoverUi { events };
    let cfg = Config::load(&ctx.global.config)?;
    let (local, peer_view) = peer::both_views(&cfg);
    let d = diagnose::diagnose(&local, &peer_view);
    events.emit(json!({"event":"diagnosis","situation":d.situation.slug(),"title":d.title}));
    if !args.json {
        ui.say(&format!("Diagnosis: {}", d.title));
    }

    let host_name = local.node.clone();
    let peer_opts = PeerOptions::from_config(&cfg);
    let host = Host {
        peer_address: peer::peer_address(&cfg, &host_name).ok().map(|(_, a)| a),
        peer_opts,
        local_ctl: std::env::current_exe()
            .unwrap_or_else(|_| std::path::PathBuf::from("private-chef-ctl")),
        proc_drbd: cfg.paths.proc_drbd.clone(),
        minor: local.minor,
    };
    let mut inputs = Inputs {
        resource: cfg.paths.drbd_resource.clone(),
        timestamp: rrun::timestamp(),
        drbd_disk: cfg.paths.drbd_disk.clone(),
        drbd_dir: cfg.paths.drbd_dir.clone(),
        victim_lv: None,
        victim: args.victim.clone(),
        promote: args.promote.clone(),
        sync_timeout_secs: args.sync_timeout,
    };
    let which: Which = args.runbook.into();
    let interactive = std::io::stdin().is_terminal();
    let mut asked = false;
    let mut rb = loop {
        match recovery::build(which, &d, &inputs) {
            Ok(rb) => break rb,
            Err(BuildError::NothingToDo(m)) => {
                ui.say(&m);
                return Ok(done(events, "nothing-to-do", 0, &[]));
            }
            Err(BuildError::NotApplicable(m)) => {
                eprintln!("private-chef-ctl: ha-recover: {m}");
                return Ok(done(events, "not-applicable", EXIT_NOT_APPLICABLE, &[]));
            }
            Err(BuildError::NeedChoice {
                what,
                candidates,
                why,
            }) if interactive && !asked => {
                asked = true;
                let a = rrun::prompt(&format!(
                    "{why}. Which node to {}? [{}] ",
                    if what == "victim" {
                        "sacrifice (victim)"
                    } else {
                        "promote"
                    },
                    candidates.join("/")
                ));
                if what == "victim" {
                    inputs.victim = Some(a);
                } else {
                    inputs.promote = Some(a);
                }
            }
            Err(e) => {
                eprintln!("private-chef-ctl: ha-recover: {e}");
                return Ok(done(events, "refused", EXIT_REFUSED, &[]));
            }
        }
    };
    // Split brain: snapshot the victim's LV instead of copying it, when it is one.
    if rb.scenario == "split-brain" {
        let victim = rb.steps.iter().find_map(|s| match &s.action {
            Action::Preserve(_) => Some(s.node.clone()),
            _ => None,
        });
        if let Some(v) = victim {
            if let Some(lv) = rrun::backing_lv(&host, &v, &inputs.drbd_disk) {
                inputs.victim = Some(v.name.clone());
                inputs.victim_lv = Some(lv);
                if let Ok(r) = recovery::build(which, &d, &inputs) {
                    rb = r;
                }
            }
        }
    }
    events.emit(json!({"event":"plan","runbook":rb.to_json()}));
    // --yes with a step that will discard data: the resource must be confirmed before
    // anything runs, not half-way through.
    if args.yes && !args.dry_run && rb.needs_confirmation_upfront() {
        if let Err(m) =
            rrun::typed_confirmation(&rb.resource, true, args.confirm_resource.as_deref(), || {
                None
            })
        {
            eprintln!("private-chef-ctl: ha-recover: {m}");
            ui.say(&format!("Refused before any step: {m}"));
            return Ok(done(events, "refused", EXIT_REFUSED, &rb.notes));
        }
    }

    let the_plan = rb.to_plan();
    let audit = Audit::new(&cfg.paths.audit_log);
    let action = format!("ha-recover {}", rb.scenario);
    let opts = ExecOptions {
        yes: args.yes,
        dry_run: args.dry_run,
    };
    let n = rb.steps.len();
    let results: RefCell<Vec<Option<StepResult>>> = RefCell::new(vec![None; n]);
    let skipped = |i: usize| -> Option<String> {
        let j = rb.steps[i].only_if_refused?;
        match results.borrow().get(j) {
            Some(Some(StepResult::Refused(_))) => None,
            _ => Some(format!("skipped: step {} was not refused", j + 1)),
        }
    };
    let precheck = |i: usize, _: &plan::Step| -> std::result::Result<(), String> {
        let s = &rb.steps[i];
        if skipped(i).is_some() {
            return Ok(());
        }
        let r: std::result::Result<(), String> = (|| {
            if matches!(s.action, Action::Drbdadm { .. }) {
                let dev = host.observe(&s.node)?;
                recovery::precondition(s, dev.as_ref())?;
            }
            if s.discards_data {
                let prompt_text = format!(
                    "Step {} can discard data on {}: type the resource name ({}) to confirm: ",
                    i + 1,
                    s.node.name,
                    rb.resource
                );
                rrun::typed_confirmation(
                    &rb.resource,
                    args.yes,
                    args.confirm_resource.as_deref(),
                    || interactive.then(|| rrun::prompt(&prompt_text)),
                )?;
            }
            Ok(())
        })();
        if let Err(reason) = &r {
            let mut ev = rrun::step_event(i, n, s, "refused");
            ev["reason"] = reason.clone().into();
            events.emit(ev);
        }
        r
    };
    let run_one = |i: usize, _: &plan::Step| -> std::result::Result<String, String> {
        let s = &rb.steps[i];
        if let Some(why) = skipped(i) {
            let mut ev = rrun::step_event(i, n, s, "skipped");
            ev["reason"] = why.clone().into();
            events.emit(ev);
            return Ok(why);
        }
        events.emit(rrun::step_event(i, n, s, "started"));
        let r = match &s.action {
            Action::WaitSync { timeout_secs } => match host.wait_sync(
                &s.node,
                std::time::Duration::from_secs(*timeout_secs),
                i + 1,
                events,
            ) {
                Ok(o) => StepResult::Ok(o),
                Err(e) => StepResult::Failed(e),
            },
            _ => host.run_step(s),
        };
        results.borrow_mut()[i] = Some(r.clone());
        let (status, key, text, out) = match r {
            StepResult::Ok(o) => ("ok", "output", o.clone(), Ok(o)),
            StepResult::Refused(o) => {
                let t = format!("refused: {o}; continuing with the steps for a refusal");
                ("ok", "output", t.clone(), Ok(t))
            }
            StepResult::Failed(e) => ("failed", "error", e.clone(), Err(e)),
        };
        let mut ev = rrun::step_event(i, n, s, status);
        ev[key] = plan::excerpt(&text).into();
        events.emit(ev);
        out
    };
    let (gate, outcome) =
        plan::execute(&the_plan, opts, &mut ui, &audit, &action, precheck, run_one);
    let notes = rb.notes.clone();
    let say_notes = |ui: &mut RecoverUi| {
        if !args.json && !notes.is_empty() {
            let mut t = String::from("Notes:\n");
            for n in &notes {
                t.push_str(&format!("  - {n}\n"));
            }
            ui.say(&t);
        }
    };
    Ok(match (gate, outcome) {
        (Gate::DryRun, _) => {
            for (i, s) in rb.steps.iter().enumerate() {
                events.emit(rrun::step_event(i, n, s, "dry-run"));
            }
            say_notes(&mut ui);
            done(events, "dry-run", 0, &notes)
        }
        (Gate::Refused(why), _) => {
            eprintln!("private-chef-ctl: ha-recover: {why}");
            done(events, "refused", EXIT_REFUSED, &notes)
        }
        (Gate::Proceed, Some(RunOutcome::Done)) => {
            ui.say(&format!("{}: done.", rb.title));
            say_notes(&mut ui);
            done(events, "ok", 0, &notes)
        }
        (Gate::Proceed, Some(RunOutcome::PreconditionFailed { index, reason })) => {
            eprintln!(
                "private-chef-ctl: ha-recover: stopped before step {}: {reason}",
                index + 1
            );
            done(events, "refused", EXIT_REFUSED, &notes)
        }
        (Gate::Proceed, Some(RunOutcome::Failed { index, error })) => {
            eprintln!(
                "private-chef-ctl: ha-recover: step {} failed: {error}",
                index + 1
            );
            done(events, "failed", EXIT_FAILED, &notes)
        }
        (Gate::Proceed, None) => done(events, "failed", EXIT_FAILED, &notes),
    })
}
