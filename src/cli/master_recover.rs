//! `master-recover` / `backup-recover`: run the local transition now, ignoring VRRP (see
//! [`crate::act::master_recover`]).
//!
//! Exit codes: **0** done, or dry run, or queued behind a running transition; **1** the
//! transition failed; **2** refused (preconditions, no confirmation).

use anyhow::Result;

use super::common::{load_config, RetryArgs};
use super::Ctx;
use crate::act::master_recover::{self, Options};
pub use crate::decide::master_recover::RecoverTo;

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

/// Runs `master-recover` / `backup-recover`; returns the exit code.
pub fn run(target: RecoverTo, args: &Args, ctx: &Ctx) -> Result<i32> {
    let cfg = load_config(ctx)?;
    let settings = args.retry.settings(Some(&cfg), &cfg.paths);
    let opts = Options {
        yes: args.yes,
        dry_run: args.dry_run,
        json: args.json,
        force: args.force,
        confirm_resource: args.confirm_resource.clone(),
    };
    master_recover::run(&cfg, target, &opts, settings)
}
