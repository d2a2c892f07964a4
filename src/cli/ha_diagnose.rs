//! `private-chef-ctl ha-diagnose [--json]`: names the pair's situation (healthy, scenario
//! 1–5 of the Enterprise Chef HA guide, split brain, transition in progress, unknown) from
//! this node's state and the peer's (fetched over ssh), with the evidence and the next
//! safe step. See [`crate::diagnose`] for the situations and the JSON schema.

use std::io::Write;

use anyhow::Result;

use super::Ctx;
use crate::config::Config;
use crate::diagnose::{self, EXIT_UNKNOWN};
use crate::peer::{self, NodeView, PeerView};

/// Name the pair's situation and the next safe step.
///
/// Exit codes: 0 healthy; 1 a situation needing action (scenario 1–5, split brain,
/// resyncing, transition in progress); 3 unknown (what is missing is said).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON document ({"situation","details","title","exit_code","evidence",
    /// "next_step","local","peer"}) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A view for a node whose topology could not be read.
fn no_config_views(err: &str) -> (NodeView, PeerView) {
    let host = peer::hostname().unwrap_or_else(|_| "localhost".into());
    let local = NodeView {
        node: host,
        source: "local".into(),
        exit_code: None,
        cluster_status: Default::default(),
        transition_lock_held: None,
        checks: Vec::new(),
        minor: 0,
        drbd: None,
        drbd_error: Some(format!("not read: {err}")),
        split_brain: None,
        data: Default::default(),
    };
    let peer = PeerView::Unknown {
        node: None,
        reason: format!("no topology: {err}"),
    };
    (local, peer)
}

/// Runs ha-diagnose; returns the exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let (local, peer) = match Config::load(&ctx.global.config) {
        Ok(cfg) => peer::both_views(&cfg),
        Err(e) => no_config_views(&format!("{e:#}")),
    };
    let d = diagnose::diagnose(&local, &peer);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&d.to_json())?)?;
    } else {
        out.write_all(d.render_text().as_bytes())?;
    }
    out.flush()?;
    debug_assert!(d.exit_code <= EXIT_UNKNOWN);
    Ok(d.exit_code)
}
