//! `private-chef-ctl drbd-handler <name>`: DRBD's handlers, for drbd.conf:
//!
//! ```text
//! disk { fencing resource-and-stonith; }
//! handlers {
//!   fence-peer "/opt/opscode/bin/private-chef-ctl drbd-handler fence-peer";
//!   after-resync-target "/opt/opscode/bin/private-chef-ctl drbd-handler after-resync-target";
//!   split-brain "/opt/opscode/bin/private-chef-ctl drbd-handler split-brain";
//!   initial-split-brain "/opt/opscode/bin/private-chef-ctl drbd-handler initial-split-brain";
//! }
//! ```
//!
//! Each reads DRBD's environment (`DRBD_RESOURCE`, `DRBD_MINOR`, `DRBD_PEER_ADDRESS`, …).
//!
//! * `fence-peer` answers DRBD with its exit code: 3 the peer is Inconsistent or worse, 4
//!   the peer is outdated (seen so), 5 the peer is unreachable (assumed dead), 6 the peer is
//!   Primary, 1 not proven. The policy and its bound are in [`crate::decide::fence`], the
//!   ssh side in [`crate::act::fence`].
//! * `after-resync-target` records that this node's copy is consistent again (a `cleared`
//!   line in fence.log); always exits 0.
//! * `split-brain` and `initial-split-brain` record the event (a JSON line in
//!   `<drbd_dir>/split-brain.log`, see [`crate::observe::split_brain_log`]; the audit log;
//!   syslog with `logger -t private-chef-ctl -p daemon.err`) and notify:
//!   `ha['notify_command']` from private-chef.rb when set (a program path, run as
//!   `COMMAND SUBJECT BODY`, 30 s timeout; see [`crate::decide::notify::notify_argv`]), else
//!   `mail -s SUBJECT RECIPIENT` with the body on stdin when `mail` is on PATH (recipient:
//!   `notification_email` from private-chef.rb, else `root`). They **always exit 0**: DRBD
//!   must never be blocked by a failed notification. Each failure is printed on stderr
//!   (which DRBD logs) and recorded in the audit log.

use anyhow::Result;

use super::Ctx;
use crate::act::{fence, notify};
use crate::config::Config;

/// Handlers this command implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Handler {
    /// DRBD lost its peer (I/O frozen on a Primary, or a promotion waits): outdate the peer over
    /// ssh and answer with the exit code (3, 4, 5, 6; 1: not proven).
    FencePeer,
    /// This node's disk is consistent again after a resync: record that the fence is over
    /// (exit 0).
    AfterResyncTarget,
    /// DRBD detected a split brain it did not resolve automatically (exit 0).
    SplitBrain,
    /// DRBD detected a split brain, before its policies try to resolve it (exit 0).
    InitialSplitBrain,
}

/// Run as a DRBD handler.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXIT_CODES)]
pub struct Args {
    /// Which DRBD handler this call is.
    #[arg(value_enum)]
    pub handler: Handler,
}

/// The exit codes, shown by `--help`.
const EXIT_CODES: &str = "\
Exit codes of fence-peer (DRBD's fence-peer interface):
  3  the peer's disk is Inconsistent or worse
  4  the peer is outdated (seen Outdated and disconnected after `drbdadm outdate`)
  5  the peer was unreachable over ssh since the handler started, for
     ha['fence_peer_unreachable_after'] seconds (default 10): assumed dead
  6  the peer is Primary (DRBD outdates this node)
  1  not proven within ha['fence_peer_timeout'] seconds (default 40), or the topology
     cannot be read: DRBD keeps I/O frozen and refuses a promotion
The other handlers always exit 0.";

/// Runs the handler; returns its exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let cfg = Config::load(ctx.global.config_path()).map_err(|e| format!("{e:#}"));
    // a topology named with --config that cannot be read: nothing is written to the
    // default paths (syslog and mail still go out); only the default file may be absent
    let fallback = !ctx.global.config_is_explicit();
    let env = |k: &str| std::env::var(k).ok();
    match args.handler {
        Handler::FencePeer => Ok(fence::fence_peer(cfg.as_ref().map_err(String::clone), env)),
        Handler::AfterResyncTarget => {
            let paths = notify::handler_paths(cfg.as_ref(), fallback);
            fence::after_resync_target(paths.as_ref(), env);
            Ok(0)
        }
        Handler::SplitBrain => {
            notify::split_brain("split-brain", cfg.as_ref().map_err(String::clone), fallback);
            Ok(0)
        }
        Handler::InitialSplitBrain => {
            notify::split_brain(
                "initial-split-brain",
                cfg.as_ref().map_err(String::clone),
                fallback,
            );
            Ok(0)
        }
    }
}
