//! `ha-recover`: run the runbook of the diagnosed situation, one step at a time, through
//! the plan runner (see [`crate::decide::runbook`] for the runbooks and
//! [`crate::act::runbook`] for running a step here or on the peer, and the event stream).
//!
//! Exit codes (the table's): 0 done, dry run, or nothing to do; 1 a step failed;
//! 2 refused (not confirmed, a precondition failed, the runbook does not match the
//! diagnosis, or a choice is needed and there is no terminal); 3 no runbook applies.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use crate::act::audit::Audit;
use crate::act::plan::{self, ExecOptions, Gate, RunOutcome, Runner, Steps, Ui};
use crate::act::runbook::{self as rrun, Events, Pair, RecoverUi, StepResult};
use crate::config::Config;
use crate::decide::diagnose::Diagnosis;
use crate::decide::runbook::{self, Action, BuildError, Inputs, Runbook, Which};
use crate::model::exit;
use crate::observe::peer::{self, PeerOptions};

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The runbook (`Auto`: the diagnosed one).
    pub which: Which,
    /// Run without asking.
    pub yes: bool,
    /// With `--yes`: the resource name, confirming steps that can discard data.
    pub confirm_resource: Option<String>,
    /// Print only.
    pub dry_run: bool,
    /// The JSON event stream instead of text.
    pub json: bool,
    /// split-brain: the victim.
    pub victim: Option<String>,
    /// scenario-5: the node to promote.
    pub promote: Option<String>,
    /// Seconds to wait for a resync.
    pub sync_timeout: u64,
}

fn done(events: Events, result: &str, code: i32, notes: &[String]) -> i32 {
    events.emit(json!({"event":"done","result":result,"exit_code":code,"notes":notes}));
    code
}

/// Runs the runbook for diagnosis `d` (this node's name: `d.local.node`); returns the
/// exit code.
pub fn run(cfg: &Config, d: &Diagnosis, req: &Request) -> Result<i32> {
    let events = Events { json: req.json };
    let mut ui = RecoverUi { events };
    events.emit(json!({"event":"diagnosis","situation":d.situation.slug(),"title":d.title}));
    if !req.json {
        ui.say(&format!("Diagnosis: {}", d.title));
    }
    let host = Pair {
        peer_address: peer::peer_address(cfg, &d.local.node).ok().map(|(_, a)| a),
        peer_opts: PeerOptions::from_config(cfg),
        local_ctl: std::env::current_exe()
            .unwrap_or_else(|_| std::path::PathBuf::from("private-chef-ctl")),
        proc_drbd: cfg.paths.proc_drbd.clone(),
        minor: d.local.minor,
    };
    let audit = Audit::new(&cfg.paths.audit_log);
    let interactive = std::io::stdin().is_terminal();
    let opts = ExecOptions {
        yes: req.yes,
        dry_run: req.dry_run,
    };
    let rb = match build(cfg, d, req, &host, interactive) {
        Ok(rb) => rb,
        Err(Stop::NothingToDo(m)) => {
            ui.say(&m);
            return Ok(done(events, "nothing-to-do", exit::OK, &[]));
        }
        Err(Stop::NotApplicable(m)) => {
            eprintln!("private-chef-ctl: ha-recover: {m}");
            return Ok(done(events, "not-applicable", exit::NOT_APPLICABLE, &[]));
        }
        Err(Stop::Refused(m)) => {
            eprintln!("private-chef-ctl: ha-recover: {m}");
            let runner = Runner::new(&mut ui, &audit, "ha-recover", opts);
            return Ok(done(events, "refused", runner.refuse(&m), &[]));
        }
    };
    events.emit(json!({"event":"plan","runbook":rb.to_json()}));
    let action = format!("ha-recover {}", rb.scenario);
    let notes = rb.notes.clone();
    // --yes with a step that will discard data: the resource must be confirmed before
    // anything runs, not half-way through.
    if req.yes && !req.dry_run && rb.needs_confirmation_upfront() {
        if let Err(m) =
            rrun::typed_confirmation(&rb.resource, true, req.confirm_resource.as_deref(), || None)
        {
            eprintln!("private-chef-ctl: ha-recover: {m}");
            let mut runner = Runner::new(&mut ui, &audit, &action, opts);
            runner.say(&format!("Refused before any step: {m}"));
            return Ok(done(events, "refused", runner.refuse(&m), &notes));
        }
    }

    let the_plan = rb.to_plan();
    let n = rb.steps.len();
    let mut steps = RunbookSteps {
        rb: &rb,
        host: &host,
        events,
        req,
        interactive,
        results: vec![None; n],
    };
    let (gate, outcome) =
        Runner::new(&mut ui, &audit, &action, opts).execute(&the_plan, &mut steps);
    let say_notes = |ui: &mut RecoverUi| {
        if !req.json && !notes.is_empty() {
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
            done(events, "dry-run", exit::OK, &notes)
        }
        (Gate::Refused(why), _) => {
            eprintln!("private-chef-ctl: ha-recover: {why}");
            done(events, "refused", exit::REFUSED, &notes)
        }
        (Gate::Proceed, Some(RunOutcome::Done)) => {
            ui.say(&format!("{}: done.", rb.title));
            say_notes(&mut ui);
            done(events, "ok", exit::OK, &notes)
        }
        (Gate::Proceed, Some(o @ RunOutcome::PreconditionFailed { .. })) => {
            if let RunOutcome::PreconditionFailed { index, reason } = &o {
                eprintln!(
                    "private-chef-ctl: ha-recover: stopped before step {}: {reason}",
                    index + 1
                );
            }
            done(events, "refused", o.exit_code(), &notes)
        }
        (Gate::Proceed, Some(o @ RunOutcome::Failed { .. })) => {
            if let RunOutcome::Failed { index, error } = &o {
                eprintln!(
                    "private-chef-ctl: ha-recover: step {} failed: {error}",
                    index + 1
                );
            }
            done(events, "failed", o.exit_code(), &notes)
        }
        (Gate::Proceed, None) => done(events, "failed", exit::FAILED, &notes),
    })
}

/// Why no runbook runs.
enum Stop {
    NothingToDo(String),
    NotApplicable(String),
    Refused(String),
}

/// Builds the runbook: asks for a choice the operator must make (once, on a terminal),
/// and for a split brain snapshots the victim's LV instead of copying it, when it is one.
fn build(
    cfg: &Config,
    d: &Diagnosis,
    req: &Request,
    host: &Pair,
    interactive: bool,
) -> std::result::Result<Runbook, Stop> {
    let mut inputs = Inputs {
        resource: cfg.paths.drbd_resource.clone(),
        timestamp: crate::sys::time::file_stamp(),
        drbd_disk: cfg.paths.drbd_disk.clone(),
        drbd_dir: cfg.paths.drbd_dir.clone(),
        victim_lv: None,
        victim: req.victim.clone(),
        promote: req.promote.clone(),
        sync_timeout_secs: req.sync_timeout,
    };
    let mut asked = false;
    let rb = loop {
        match runbook::build(req.which, d, &inputs) {
            Ok(rb) => break rb,
            Err(BuildError::NothingToDo(m)) => return Err(Stop::NothingToDo(m)),
            Err(BuildError::NotApplicable(m)) => return Err(Stop::NotApplicable(m)),
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
            Err(e) => return Err(Stop::Refused(e.to_string())),
        }
    };
    if rb.scenario != "split-brain" {
        return Ok(rb);
    }
    let victim = rb.steps.iter().find_map(|s| match &s.action {
        Action::Preserve(_) => Some(s.node.clone()),
        _ => None,
    });
    if let Some(v) = victim {
        if let Some(lv) = rrun::backing_lv(host, &v, &inputs.drbd_disk) {
            inputs.victim = Some(v.name.clone());
            inputs.victim_lv = Some(lv);
            if let Ok(r) = runbook::build(req.which, d, &inputs) {
                return Ok(r);
            }
        }
    }
    Ok(rb)
}

/// The runbook's steps on the host: preconditions re-read before each drbdadm step, the
/// typed confirmation before a step that can discard data, the event stream, and the
/// steps that run only when an earlier one was refused.
struct RunbookSteps<'a> {
    rb: &'a Runbook,
    host: &'a Pair,
    events: Events,
    req: &'a Request,
    interactive: bool,
    results: Vec<Option<StepResult>>,
}

impl RunbookSteps<'_> {
    /// Why step `i` is skipped (it runs only when an earlier step was refused, and that
    /// one was not).
    fn skipped(&self, i: usize) -> Option<String> {
        let j = self.rb.steps[i].only_if_refused?;
        match self.results.get(j) {
            Some(Some(StepResult::Refused(_))) => None,
            _ => Some(format!("skipped: step {} was not refused", j + 1)),
        }
    }

    fn check(&self, i: usize) -> std::result::Result<(), String> {
        let s = &self.rb.steps[i];
        if matches!(s.action, Action::Drbdadm { .. }) {
            let dev = self.host.observe(&s.node)?;
            runbook::precondition(s, dev.as_ref())?;
        }
        if s.discards_data {
            let prompt_text = format!(
                "Step {} can discard data on {}: type the resource name ({}) to confirm: ",
                i + 1,
                s.node.name,
                self.rb.resource
            );
            let interactive = self.interactive;
            rrun::typed_confirmation(
                &self.rb.resource,
                self.req.yes,
                self.req.confirm_resource.as_deref(),
                || interactive.then(|| rrun::prompt(&prompt_text)),
            )?;
        }
        Ok(())
    }
}

impl Steps for RunbookSteps<'_> {
    fn precheck(&mut self, i: usize, _: &plan::Step) -> std::result::Result<(), String> {
        if self.skipped(i).is_some() {
            return Ok(());
        }
        let r = self.check(i);
        if let Err(reason) = &r {
            let mut ev = rrun::step_event(i, self.rb.steps.len(), &self.rb.steps[i], "refused");
            ev["reason"] = reason.clone().into();
            self.events.emit(ev);
        }
        r
    }

    fn run(&mut self, i: usize, _: &plan::Step) -> std::result::Result<String, String> {
        let n = self.rb.steps.len();
        let s = &self.rb.steps[i];
        if let Some(why) = self.skipped(i) {
            let mut ev = rrun::step_event(i, n, s, "skipped");
            ev["reason"] = why.clone().into();
            self.events.emit(ev);
            return Ok(why);
        }
        self.events.emit(rrun::step_event(i, n, s, "started"));
        let r = match &s.action {
            Action::WaitSync { timeout_secs } => match self.host.wait_sync(
                &s.node,
                Duration::from_secs(*timeout_secs),
                i + 1,
                self.events,
            ) {
                Ok(o) => StepResult::Ok(o),
                Err(e) => StepResult::Failed(e),
            },
            _ => self.host.run_step(s),
        };
        self.results[i] = Some(r.clone());
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
        self.events.emit(ev);
        out
    }
}
