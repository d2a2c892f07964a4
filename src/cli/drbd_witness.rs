//! `private-chef-ctl drbd-witness`: the small always-up service that remembers what this
//! node saw of its DRBD peer since boot (see [`crate::drbd::witness`] and
//! [`crate::act::witness`]); the transition reads its record before promoting (see
//! [`crate::decide::promote`]).
//!
//! Every `--interval` seconds it reads `/proc/drbd` and folds the sample into
//! `<keepalived dir>/drbd-witness.json`, which it replaces atomically only when something
//! changed. Run it under the service manager (runit: `sv/drbd-witness/run` with
//! `exec private-chef-ctl drbd-witness`), always up, not `keepalive_me`.

use std::time::Duration;

use anyhow::Result;

use super::common::{load_optional, secs_between};
use super::Ctx;

/// Arguments of `drbd-witness`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 after --once; 1 when the boot id cannot be read, or with --once when the record cannot be written."
)]
pub struct Args {
    /// Seconds between samples of /proc/drbd.
    #[arg(long, value_name = "SECS", default_value_t = 1.0, value_parser = parse_interval)]
    pub interval: f64,
    /// Take one sample, write the record if it changed, print it, and exit.
    #[arg(long)]
    pub once: bool,
}

fn parse_interval(s: &str) -> std::result::Result<f64, String> {
    secs_between(s, 0.05, 3600.0)
}

/// Runs the witness; returns the exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let (_cfg, paths) = load_optional(ctx)?;
    crate::act::witness::run(&paths, Duration::from_secs_f64(args.interval), args.once)
}
