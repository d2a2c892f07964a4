//! `private-chef-ctl ha-recover [auto|scenario-1|…|scenario-5|split-brain]`: runs the
//! Enterprise Chef HA guide's runbook for the diagnosed situation, one step at a time.
//!
//! 1. Diagnoses (both nodes' views, as `ha-diagnose`); `auto` takes the diagnosed runbook,
//!    an explicit one must match the diagnosis (scenario 1 and 2 are interchangeable).
//! 2. Builds the runbook (see [`crate::decide::runbook`]) and prints it as a plan; asks once for
//!    the plan (`--yes` skips; no terminal and no `--yes` → refused; `--dry-run` prints only).
//! 3. Runs it with the shared executor: before each step the node's DRBD state is read again
//!    and the step's precondition checked; a step that can discard data (`primary --force`,
//!    `wipe-md`, `create-md`, `connect --discard-my-data`) first needs the resource name
//!    typed (with `--yes`: `--confirm-resource NAME`); steps on the peer run over ssh;
//!    resyncs are followed with a progress bar until Connected UpToDate/UpToDate. Every
//!    step is in the audit log.
//! 4. Prints the notes (what may need re-uploading, where the victim's data was kept).
//!
//! `--json` prints an event stream instead (see [`crate::act::runbook`]).
//!
//! The runner is [`crate::act::ha_recover`].
//!
//! Exit codes: **0** done, dry run, or nothing to do (healthy); **1** a step failed;
//! **2** refused (not confirmed, a precondition failed, the runbook does not match the
//! diagnosis, or a choice is needed and there is no terminal); **3** no runbook applies
//! (the situation is unknown or a transition is running).

use anyhow::Result;

use super::common::{both_views, load_config};
use super::Ctx;
use crate::act::ha_recover::{self, Request};
use crate::decide::diagnose;
use crate::decide::runbook::Which;

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
    #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub sync_timeout: u64,
}

/// Runs ha-recover; returns the exit code (see the module docs).
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let cfg = load_config(ctx)?;
    let (local, the_peer) = both_views(&cfg);
    let d = diagnose::diagnose(&local, &the_peer);
    let req = Request {
        which: args.runbook.into(),
        yes: args.yes,
        confirm_resource: args.confirm_resource.clone(),
        dry_run: args.dry_run,
        json: args.json,
        victim: args.victim.clone(),
        promote: args.promote.clone(),
        sync_timeout: args.sync_timeout,
    };
    ha_recover::run(&cfg, &d, &req)
}
