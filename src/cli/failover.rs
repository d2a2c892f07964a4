//! `start [svc]` / `stop [svc]`: the service verbs, and for `keepalived` the graceful
//! failover (`stop keepalived`) or its return (`start keepalived`), followed until the
//! pair has settled (see [`crate::act::failover`]).
//!
//! Exit codes: 0 done (or dry run); 1 stuck or failed (the message says at which step);
//! 2 refused (a precondition, or no confirmation). Every action is in the audit log.

use anyhow::Result;

use super::common::{load_config, ServiceArgs};
use super::Ctx;
use crate::act::failover::{self, Options};
use crate::service::KEEPALIVED;

/// Options of `start`/`stop` that only matter for `keepalived` (the failover).
#[derive(Debug, Clone, clap::Args)]
pub struct FailoverOpts {
    /// keepalived only: do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// keepalived only: print what would be done, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// keepalived only: stop it even when the peer cannot take over with current data.
    #[arg(long)]
    pub force: bool,
    /// keepalived only: seconds to wait for the failover to complete.
    #[arg(long, default_value_t = 180, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait: u64,
}

/// Arguments of `start` and `stop`: a service, plus the failover options for keepalived.
#[derive(Debug, clap::Args)]
pub struct StartStopArgs {
    #[command(flatten)]
    pub svc: ServiceArgs,
    #[command(flatten)]
    pub failover: FailoverOpts,
}

impl StartStopArgs {
    fn failover_opts_given(&self) -> bool {
        let f = &self.failover;
        f.yes || f.dry_run || f.force || f.wait != 180
    }
}

/// `start keepalived` / `stop keepalived`: the failover. `None` when another service (or
/// none) is named: then it is the plain service verb's, and the failover options are refused.
pub fn run(stop: bool, args: &StartStopArgs, ctx: &Ctx) -> Result<Option<i32>> {
    if args.svc.service.as_deref() == Some(KEEPALIVED) {
        let f = &args.failover;
        let opts = Options {
            yes: f.yes,
            dry_run: f.dry_run,
            force: f.force,
            wait: f.wait,
        };
        let cfg = load_config(ctx)?;
        return if stop {
            failover::stop_keepalived(&cfg, &opts)
        } else {
            failover::start_keepalived(&cfg, &opts)
        }
        .map(Some);
    }
    if args.failover_opts_given() {
        anyhow::bail!("--yes, --dry-run, --force and --wait apply only to `start keepalived` / `stop keepalived`");
    }
    Ok(None)
}
