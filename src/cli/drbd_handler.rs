//! `private-chef-ctl drbd-handler split-brain`: a DRBD handler for drbd.conf:
//!
//! ```text
//! handlers { split-brain "/opt/opscode/bin/private-chef-ctl drbd-handler split-brain"; }
//! ```
//!
//! It reads `DRBD_RESOURCE`, `DRBD_MINOR`, `DRBD_VOLUME`, `DRBD_PEER`, `DRBD_PEER_ADDRESS`,
//! `DRBD_PEER_AF`, `DRBD_LL_DISK` from the environment and:
//!
//! 1. appends a JSON line to `<drbd_dir>/split-brain.log` (see
//!    [`crate::observe::split_brain_log`]), with the device's /proc/drbd state then;
//! 2. writes an audit line (action `drbd-handler`, result `ok`);
//! 3. logs to syslog with `logger -t private-chef-ctl -p daemon.err` (10 s timeout);
//! 4. notifies: `ha['notify_command']` from private-chef.rb when set (a program path, run
//!    as `COMMAND SUBJECT BODY`, 30 s timeout; see [`crate::decide::notify::notify_argv`]), else
//!    `mail -s SUBJECT RECIPIENT` with the body on stdin when `mail` is on PATH (recipient:
//!    `notification_email` from private-chef.rb, else `root`).
//!
//! It **always exits 0**: DRBD must never be blocked by a failed notification. Each
//! failure is printed on stderr (which DRBD logs) and recorded in the audit log.

use anyhow::Result;

use super::Ctx;
use crate::act::notify;
use crate::config::Config;

/// Handlers this command implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Handler {
    /// `split-brain`: DRBD detected a split brain it did not resolve automatically.
    SplitBrain,
}

/// Run as a DRBD handler (always exits 0).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which DRBD handler this call is.
    #[arg(value_enum)]
    pub handler: Handler,
}

/// Runs the handler; always returns 0.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let Handler::SplitBrain = args.handler;
    let cfg = Config::load(ctx.global.config_path()).map_err(|e| format!("{e:#}"));
    // a topology named with --config that cannot be read: nothing is written to the
    // default paths (syslog and mail still go out); only the default file may be absent
    let fallback = !ctx.global.config_is_explicit();
    notify::split_brain("split-brain", cfg.as_ref().map_err(String::clone), fallback);
    Ok(0)
}
