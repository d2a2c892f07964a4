//! `private-chef-ctl ha-diagnose [--json]`: names the pair's situation (healthy, scenario
//! 1–5 of the Enterprise Chef HA guide, an outdated copy, split brain, transition in
//! progress, unknown) from
//! this node's state and the peer's (fetched over ssh), with the evidence and the next
//! safe step. See [`crate::decide::diagnose`] for the situations and the JSON schema.

use std::io::Write;

use anyhow::Result;

use super::common::{ask_frontends, both_views, print_json_sorted};
use super::Ctx;
use crate::config::Config;
use crate::decide::diagnose::{self, EXIT_UNKNOWN};
use crate::decide::frontends;
use crate::model::{NodeView, PeerView};

/// Name the pair's situation and the next safe step.
///
/// Exit codes: 0 healthy; 1 a situation needing action (scenario 1–5, an outdated copy,
/// came back alone, split brain, resyncing, transition in progress, or a healthy pair whose
/// front ends are not all pong or reach different back ends); 3 unknown (what is missing
/// is said).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON document ({"situation","details","title","exit_code","evidence",
    /// "next_step","local","peer"}) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not ask the front ends for /_status (by default every front end of the topology
    /// is asked, and its answer is evidence: which back end the users actually reach).
    #[arg(long)]
    pub no_frontends: bool,
}

/// A view for a node whose topology could not be read.
fn no_config_views(err: &str) -> (NodeView, PeerView) {
    let host = crate::sys::hostname_or("localhost");
    let local = NodeView::unread(&host, err);
    let peer = PeerView::Unknown {
        node: None,
        reason: format!("no topology: {err}"),
    };
    (local, peer)
}

/// Runs ha-diagnose; returns the exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let cfg = Config::load(ctx.global.config_path());
    let (local, peer) = match &cfg {
        Ok(cfg) => both_views(cfg),
        Err(e) => no_config_views(&format!("{e:#}")),
    };
    let mut d = diagnose::diagnose(&local, &peer);
    // issue 11: the front ends are the third witness
    if let Ok(cfg) = &cfg {
        if !args.no_frontends && !cfg.frontend_targets().is_empty() {
            let seen = frontends::seen(ask_frontends(cfg), &local, peer.view());
            frontends::add_to_diagnosis(&mut d, seen);
        }
    }
    if args.json {
        print_json_sorted(&d)?;
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(crate::render::text::diagnosis(&d).as_bytes())?;
        out.flush()?;
    }
    debug_assert!(d.exit_code <= EXIT_UNKNOWN);
    Ok(d.exit_code)
}
