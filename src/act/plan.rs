//! A runbook as a value: a [`Plan`] is a list of [`Step`]s that can be printed (text or
//! JSON), tested without a host, confirmed by the operator, and then executed step by step
//! with every step recorded in the audit log.
//!
//! The executor's rules:
//!
//! 1. the plan is printed (numbered steps);
//! 2. `--dry-run`: nothing runs, each step is audited as `dry-run`, the result is
//!    [`Gate::DryRun`] (exit 0 for the commands);
//! 3. otherwise the operator confirms: `--yes` skips the question; without `--yes` and
//!    without a terminal on stdin the plan is **refused** (audited `refused`) with a message
//!    saying to pass `--yes`; an answer other than `y`/`yes` is refused too;
//! 4. [`run_steps`]: before each step a precondition closure is re-checked (a failure stops
//!    the plan, audited `refused`); each step is audited `started`, then `ok` or `failed`
//!    with an output excerpt; the first failed step stops the plan.
//!
//! Every mutating command goes through a [`Runner`]: its refusals (a precondition before
//! the plan), its confirmation, its audit lines and its exit codes
//! ([`crate::model::exit`]: dry run 0, refused 2, a failed step 1) are this module's.

use std::io::{BufRead, Write};

use crate::act::audit::{Audit, AuditResult};
use crate::model::exit;
pub use crate::model::plan::{Plan, Step};

/// How the executor asks and prints.
pub trait Ui {
    /// Prints a line (or several) to the operator.
    fn say(&mut self, text: &str);
    /// Whether a human can answer (stdin is a terminal).
    fn interactive(&self) -> bool;
    /// Asks a yes/no question; true only for `y`/`yes`.
    fn ask(&mut self, question: &str) -> bool;
}

/// The terminal: stdout for text, stdin for answers.
#[derive(Debug, Default)]
pub struct TermUi;

impl Ui for TermUi {
    fn say(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    fn interactive(&self) -> bool {
        // SAFETY: isatty only inspects the descriptor.
        unsafe { libc::isatty(0) == 1 }
    }

    fn ask(&mut self, question: &str) -> bool {
        {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{question} [y/N] ");
            let _ = out.flush();
        }
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return false;
        }
        is_yes(&line)
    }
}

/// Whether an answer means yes (`y`, `yes`, any case, surrounding blanks ignored).
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Options of an execution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Run without asking.
    pub yes: bool,
    /// Print only.
    pub dry_run: bool,
}

impl ExecOptions {
    /// Run without asking: keepalived's notify and DRBD's handlers have no one to ask.
    pub const UNATTENDED: ExecOptions = ExecOptions {
        yes: true,
        dry_run: false,
    };
}

/// What the confirmation gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead.
    Proceed,
    /// `--dry-run`: printed only.
    DryRun,
    /// Not confirmed: no terminal and no `--yes`, or the operator said no. The text says why.
    Refused(String),
}

impl Gate {
    /// The exit code when the command stops at the gate: dry run 0, refused 2; `None`
    /// to go ahead.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            Gate::Proceed => None,
            Gate::DryRun => Some(exit::OK),
            Gate::Refused(_) => Some(exit::REFUSED),
        }
    }
}

/// The message when there is nobody to ask.
pub const NO_TTY_MESSAGE: &str =
    "refusing to run without confirmation: stdin is not a terminal; pass --yes to run the plan, or --dry-run to only print it";

/// Prints the plan and decides whether to run it (see the module docs). Audits
/// `dry-run` for each step, or `refused` for the action.
pub fn confirm(
    plan: &Plan,
    opts: ExecOptions,
    ui: &mut dyn Ui,
    audit: &Audit,
    action: &str,
) -> Gate {
    ui.say(&crate::render::text::plan(plan));
    if opts.dry_run {
        for st in &plan.steps {
            audit.record(action, &st.what, AuditResult::DryRun, "");
        }
        ui.say("Dry run: nothing was changed.");
        return Gate::DryRun;
    }
    if opts.yes {
        return Gate::Proceed;
    }
    let refusal = if !ui.interactive() {
        Some(NO_TTY_MESSAGE.to_string())
    } else if !ui.ask("Run this plan?") {
        Some("not confirmed by the operator; nothing was changed".to_string())
    } else {
        None
    };
    match refusal {
        Some(why) => {
            audit.record(action, "", AuditResult::Refused, &why);
            Gate::Refused(why)
        }
        None => Gate::Proceed,
    }
}

/// How a run of steps ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every step succeeded.
    Done,
    /// A precondition failed before step `index` (0-based); nothing of it ran.
    PreconditionFailed { index: usize, reason: String },
    /// Step `index` (0-based) failed.
    Failed { index: usize, error: String },
}

impl RunOutcome {
    /// Done 0, a precondition failed (nothing of the step ran) 2, a step failed 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunOutcome::Done => exit::OK,
            RunOutcome::PreconditionFailed { .. } => exit::REFUSED,
            RunOutcome::Failed { .. } => exit::FAILED,
        }
    }
}

/// One mutating command's run: the operator interface, the audit log, the action name
/// (the audit lines' `action`) and `--yes`/`--dry-run`.
pub struct Runner<'a> {
    /// How to print and ask.
    pub ui: &'a mut dyn Ui,
    /// The audit log.
    pub audit: &'a Audit,
    /// The action, e.g. `master-recover`, `stop keepalived`.
    pub action: String,
    /// `--yes`, `--dry-run`.
    pub opts: ExecOptions,
}

impl<'a> Runner<'a> {
    /// A runner for `action`.
    pub fn new(ui: &'a mut dyn Ui, audit: &'a Audit, action: &str, opts: ExecOptions) -> Self {
        Runner {
            ui,
            audit,
            action: action.to_string(),
            opts,
        }
    }

    /// Refuses before any plan (a precondition not met): audited `refused` with `why`;
    /// returns the refused exit code.
    pub fn refuse(&self, why: &str) -> i32 {
        self.audit
            .record(&self.action, "", AuditResult::Refused, why);
        exit::REFUSED
    }

    /// Records one audit line of this action.
    pub fn record(&self, step: &str, result: AuditResult, detail: &str) {
        self.audit.record(&self.action, step, result, detail);
    }

    /// Prints a line to the operator.
    pub fn say(&mut self, text: &str) {
        self.ui.say(text);
    }

    /// [`confirm`] with this runner's options.
    pub fn confirm(&mut self, plan: &Plan) -> Gate {
        confirm(plan, self.opts, &mut *self.ui, self.audit, &self.action)
    }

    /// [`execute_steps`] with this runner's options.
    pub fn execute(&mut self, plan: &Plan, steps: &mut dyn Steps) -> (Gate, Option<RunOutcome>) {
        execute_steps(
            plan,
            self.opts,
            &mut *self.ui,
            self.audit,
            &self.action,
            steps,
        )
    }
}

/// At most this many characters of a step's output go into the audit log.
pub const EXCERPT_CHARS: usize = 400;

/// The first [`EXCERPT_CHARS`] characters of `s`, trimmed, `…` appended when cut.
pub fn excerpt(s: &str) -> String {
    let t = s.trim();
    let mut out: String = t.chars().take(EXCERPT_CHARS).collect();
    if t.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// What a plan's steps do on the host: a precondition re-checked right before each step,
/// then the step itself (an output excerpt, or the error). One object, so the two may
/// share state (an earlier step's result) without interior mutability.
pub trait Steps {
    /// Whether step `i` may run now; `Err` says why not (the plan stops, nothing of it ran).
    fn precheck(&mut self, i: usize, step: &Step) -> Result<(), String>;
    /// Runs step `i`.
    fn run(&mut self, i: usize, step: &Step) -> Result<String, String>;
}

/// [`Steps`] from two closures.
struct Closures<P, R>(P, R);

impl<P, R> Steps for Closures<P, R>
where
    P: FnMut(usize, &Step) -> Result<(), String>,
    R: FnMut(usize, &Step) -> Result<String, String>,
{
    fn precheck(&mut self, i: usize, step: &Step) -> Result<(), String> {
        (self.0)(i, step)
    }
    fn run(&mut self, i: usize, step: &Step) -> Result<String, String> {
        (self.1)(i, step)
    }
}

/// Runs the steps in order (see the module docs): `precheck(i, step)` before each,
/// then `run(i, step)` returning an output excerpt or the error. Stops at the first
/// failure.
pub fn run_steps(
    plan: &Plan,
    ui: &mut dyn Ui,
    audit: &Audit,
    action: &str,
    precheck: impl FnMut(usize, &Step) -> Result<(), String>,
    run: impl FnMut(usize, &Step) -> Result<String, String>,
) -> RunOutcome {
    run_plan_steps(plan, ui, audit, action, &mut Closures(precheck, run))
}

/// [`run_steps`] with a [`Steps`] object.
pub fn run_plan_steps(
    plan: &Plan,
    ui: &mut dyn Ui,
    audit: &Audit,
    action: &str,
    steps: &mut dyn Steps,
) -> RunOutcome {
    let n = plan.steps.len();
    for (i, st) in plan.steps.iter().enumerate() {
        if let Err(reason) = steps.precheck(i, st) {
            audit.record(action, &st.what, AuditResult::Refused, &reason);
            ui.say(&format!(
                "Step {}/{n} not run: precondition failed: {reason}",
                i + 1
            ));
            return RunOutcome::PreconditionFailed { index: i, reason };
        }
        ui.say(&format!("Step {}/{n}: {}", i + 1, st.what));
        audit.record(action, &st.what, AuditResult::Started, "");
        match steps.run(i, st) {
            Ok(out) => audit.record(action, &st.what, AuditResult::Ok, &excerpt(&out)),
            Err(error) => {
                audit.record(action, &st.what, AuditResult::Failed, &excerpt(&error));
                ui.say(&format!("Step {}/{n} failed: {error}", i + 1));
                return RunOutcome::Failed { index: i, error };
            }
        }
    }
    RunOutcome::Done
}

/// [`confirm`], then [`run_steps`] when confirmed. `None` when nothing ran (dry run or
/// refused; the [`Gate`] says which).
pub fn execute(
    plan: &Plan,
    opts: ExecOptions,
    ui: &mut dyn Ui,
    audit: &Audit,
    action: &str,
    precheck: impl FnMut(usize, &Step) -> Result<(), String>,
    run: impl FnMut(usize, &Step) -> Result<String, String>,
) -> (Gate, Option<RunOutcome>) {
    execute_steps(plan, opts, ui, audit, action, &mut Closures(precheck, run))
}

/// [`execute`] with a [`Steps`] object.
pub fn execute_steps(
    plan: &Plan,
    opts: ExecOptions,
    ui: &mut dyn Ui,
    audit: &Audit,
    action: &str,
    steps: &mut dyn Steps,
) -> (Gate, Option<RunOutcome>) {
    match confirm(plan, opts, ui, audit, action) {
        Gate::Proceed => {
            let out = run_plan_steps(plan, ui, audit, action, steps);
            (Gate::Proceed, Some(out))
        }
        g => (g, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted operator.
    struct Script {
        tty: bool,
        answer: bool,
        said: String,
        asked: usize,
    }

    impl Ui for Script {
        fn say(&mut self, text: &str) {
            self.said.push_str(text);
            self.said.push('\n');
        }
        fn interactive(&self) -> bool {
            self.tty
        }
        fn ask(&mut self, _q: &str) -> bool {
            self.asked += 1;
            self.answer
        }
    }

    fn ui(tty: bool, answer: bool) -> Script {
        Script {
            tty,
            answer,
            said: String::new(),
            asked: 0,
        }
    }

    use crate::model::plan::tests::plan;

    fn audit_in(dir: &std::path::Path) -> (Audit, std::path::PathBuf) {
        let p = dir.join("a/audit.log");
        (
            Audit::with_identity(&p, "u".into(), "cmd".into(), "n1".into()),
            p,
        )
    }

    fn results(p: &std::path::Path) -> Vec<(String, String)> {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["step"].as_str().unwrap().to_string(),
                    v["result"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn yes_answer() {
        assert!(is_yes(" Y \n"));
        assert!(is_yes("yes"));
        assert!(!is_yes("no"));
        assert!(!is_yes(""));
    }

    #[test]
    fn no_tty_refuses_and_audits() {
        let d = tempfile::tempdir().unwrap();
        let (a, p) = audit_in(d.path());
        let mut u = ui(false, true);
        let mut ran = 0;
        let (g, out) = execute(
            &plan(),
            ExecOptions::default(),
            &mut u,
            &a,
            "demo",
            |_, _| Ok(()),
            |_, _| {
                ran += 1;
                Ok(String::new())
            },
        );
        assert_eq!(g, Gate::Refused(NO_TTY_MESSAGE.into()));
        assert!(out.is_none());
        assert_eq!(ran, 0);
        assert_eq!(u.asked, 0);
        assert_eq!(results(&p), vec![(String::new(), "refused".to_string())]);
    }

    #[test]
    fn operator_no_refuses() {
        let d = tempfile::tempdir().unwrap();
        let (a, _) = audit_in(d.path());
        let mut u = ui(true, false);
        let g = confirm(&plan(), ExecOptions::default(), &mut u, &a, "demo");
        assert!(matches!(g, Gate::Refused(_)));
        assert_eq!(u.asked, 1);
    }

    #[test]
    fn dry_run_runs_nothing() {
        let d = tempfile::tempdir().unwrap();
        let (a, p) = audit_in(d.path());
        let mut u = ui(false, false);
        let opts = ExecOptions {
            yes: false,
            dry_run: true,
        };
        let (g, out) = execute(
            &plan(),
            opts,
            &mut u,
            &a,
            "demo",
            |_, _| panic!("precheck ran"),
            |_, _| panic!("step ran"),
        );
        assert_eq!(g, Gate::DryRun);
        assert!(out.is_none());
        assert!(u.said.contains("1. first"));
        assert_eq!(
            results(&p),
            vec![
                ("first".to_string(), "dry-run".to_string()),
                ("second".to_string(), "dry-run".to_string())
            ]
        );
    }

    #[test]
    fn stops_at_first_failure() {
        let d = tempfile::tempdir().unwrap();
        let (a, p) = audit_in(d.path());
        let mut u = ui(false, false);
        let opts = ExecOptions {
            yes: true,
            dry_run: false,
        };
        let (g, out) = execute(
            &plan(),
            opts,
            &mut u,
            &a,
            "demo",
            |_, _| Ok(()),
            |i, _| {
                if i == 0 {
                    Err("boom".into())
                } else {
                    Ok("x".into())
                }
            },
        );
        assert_eq!(g, Gate::Proceed);
        assert_eq!(
            out,
            Some(RunOutcome::Failed {
                index: 0,
                error: "boom".into()
            })
        );
        assert_eq!(
            results(&p),
            vec![
                ("first".to_string(), "started".to_string()),
                ("first".to_string(), "failed".to_string())
            ]
        );
    }

    #[test]
    fn precondition_rechecked_before_each_step() {
        let d = tempfile::tempdir().unwrap();
        let (a, p) = audit_in(d.path());
        let mut u = ui(false, false);
        let out = run_steps(
            &plan(),
            &mut u,
            &a,
            "demo",
            |i, _| {
                if i == 1 {
                    Err("peer became Primary".into())
                } else {
                    Ok(())
                }
            },
            |_, _| Ok("fine".into()),
        );
        assert_eq!(
            out,
            RunOutcome::PreconditionFailed {
                index: 1,
                reason: "peer became Primary".into()
            }
        );
        let r = results(&p);
        assert_eq!(r.len(), 3);
        assert_eq!(r[2], ("second".to_string(), "refused".to_string()));
    }

    #[test]
    fn excerpt_cuts() {
        let long = "x".repeat(EXCERPT_CHARS + 10);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("  a \n"), "a");
    }

    #[test]
    fn runner_refusals_and_exit_codes_are_the_tables() {
        let d = tempfile::tempdir().unwrap();
        let (a, p) = audit_in(d.path());
        let mut u = ui(false, false);
        let run = Runner::new(&mut u, &a, "demo", ExecOptions::default());
        assert_eq!(run.refuse("peer not ready"), exit::REFUSED);
        assert_eq!(results(&p), vec![(String::new(), "refused".to_string())]);
        assert_eq!(Gate::Proceed.exit_code(), None);
        assert_eq!(Gate::DryRun.exit_code(), Some(exit::OK));
        assert_eq!(Gate::Refused("x".into()).exit_code(), Some(exit::REFUSED));
        assert_eq!(RunOutcome::Done.exit_code(), exit::OK);
        let pre = RunOutcome::PreconditionFailed {
            index: 0,
            reason: "x".into(),
        };
        assert_eq!(pre.exit_code(), exit::REFUSED);
        let failed = RunOutcome::Failed {
            index: 0,
            error: "x".into(),
        };
        assert_eq!(failed.exit_code(), exit::FAILED);
    }

    /// Steps sharing state without interior mutability: the second runs only if the
    /// first said so.
    struct Dependent {
        first_said: Option<String>,
        ran: Vec<usize>,
    }

    impl Steps for Dependent {
        fn precheck(&mut self, i: usize, _: &Step) -> Result<(), String> {
            match (i, &self.first_said) {
                (1, Some(s)) if s == "go" => Ok(()),
                (1, _) => Err("the first step did not say go".into()),
                _ => Ok(()),
            }
        }
        fn run(&mut self, i: usize, _: &Step) -> Result<String, String> {
            self.ran.push(i);
            if i == 0 {
                self.first_said = Some("go".into());
            }
            Ok("done".into())
        }
    }

    #[test]
    fn a_steps_object_carries_state_between_steps() {
        let d = tempfile::tempdir().unwrap();
        let (a, _) = audit_in(d.path());
        let mut u = ui(false, false);
        let mut steps = Dependent {
            first_said: None,
            ran: Vec::new(),
        };
        let opts = ExecOptions {
            yes: true,
            dry_run: false,
        };
        let (g, out) = Runner::new(&mut u, &a, "demo", opts).execute(&plan(), &mut steps);
        assert_eq!(g, Gate::Proceed);
        assert_eq!(out, Some(RunOutcome::Done));
        assert_eq!(steps.ran, vec![0, 1]);
    }
}
