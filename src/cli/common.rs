//! What every command shares: loading the topology (one policy for a missing file), the
//! service argument, the exit-code table and printing documents.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::Ctx;
use crate::config::{Config, Paths};
use crate::decide::transition::Settings;
pub use crate::model::exit;
use crate::model::monitor::Sample;
use crate::model::{DataFacts, NodeView, PeerView, StatusDoc};
use crate::observe::{generation, host, peer, probe, split_brain_log};

/// Arguments of the per-service verbs.
#[derive(Debug, clap::Args)]
pub struct ServiceArgs {
    /// One service; all enabled services when omitted.
    pub service: Option<String>,
}

/// The topology `--config` names; a missing or unreadable file is an error naming it.
pub fn load_config(ctx: &Ctx) -> Result<Config> {
    Config::load(ctx.global.config_path())
}

/// The topology when the file exists, else `None` and the default paths (the service
/// verbs and cluster-transition need no topology, as in the original) — but only for the
/// default file: one named with `--config` (or the environment) must exist. A file that
/// exists but cannot be read or parsed is an error, never silently ignored.
pub fn load_optional(ctx: &Ctx) -> Result<(Option<Config>, Paths)> {
    load_optional_at(ctx.global.config_path(), ctx.global.config_is_explicit())
}

/// [`load_optional`] for a path; `explicit`: the caller named it.
pub fn load_optional_at(path: &Path, explicit: bool) -> Result<(Option<Config>, Paths)> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            Ok((None, Paths::default()))
        }
        _ => {
            let cfg = Config::load(path)?;
            let paths = cfg.paths.clone();
            Ok((Some(cfg), paths))
        }
    }
}

/// Prints a document as pretty JSON on stdout.
pub fn print_json<T: Serialize>(doc: &T) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(doc)?)?;
    out.flush()?;
    Ok(())
}

/// Prints a document as pretty JSON with its keys in alphabetical order: the form the
/// ha-status, ha-diagnose and show-config documents have always been printed in.
pub fn print_json_sorted<T: Serialize>(doc: &T) -> Result<()> {
    print_json(&serde_json::to_value(doc)?)
}

/// Retry and time-limit options of a transition (defaults from private-chef.rb).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RetryArgs {
    /// Attempts of `drbdadm primary|secondary` and of unmount [default: keepalived['transition_attempts'], else 300].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub attempts: Option<u32>,
    /// Seconds between attempts [default: keepalived['transition_retry_secs'], else 1].
    #[arg(long, value_name = "SECS", value_parser = retry_secs)]
    pub retry_secs: Option<f64>,
    /// Time limit of each external command (drbdadm, mount, umount, sv), seconds [default: keepalived['transition_command_timeout'], else 60].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub command_timeout: Option<u64>,
}

/// `--retry-secs`: 0 to 3600 seconds, fractions allowed (never an overflow later).
fn retry_secs(s: &str) -> std::result::Result<f64, String> {
    secs_between(s, 0.0, 3600.0)
}

/// A number of seconds from `lo` to `hi`, fractions allowed; the error names the range.
pub fn secs_between(s: &str, lo: f64, hi: f64) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{s}' is not a number of seconds from {lo} to {hi}"
        )),
    }
}

impl RetryArgs {
    /// The effective settings.
    pub fn settings(&self, cfg: Option<&Config>, paths: &Paths) -> Settings {
        Settings::resolve(
            cfg,
            paths,
            self.attempts,
            self.retry_secs,
            self.command_timeout,
        )
    }
}

/// This node's view: its ha-status document (the probe's state and the checks) plus the
/// local-only facts (transition lock, split-brain record).
pub fn local_view(cfg: &Config, node: &str) -> NodeView {
    let snap = probe::snapshot_with(cfg);
    let report = crate::decide::checks::run_checks(&snap);
    let mut doc = StatusDoc::new(&snap, &report);
    doc.generation = Some(data_facts(Some(cfg), &cfg.paths)); // issue 10
    let mut v = NodeView::from_doc(node, "local", snap.drbd_minor, &doc);
    v.transition_lock_held = host::lock_held(&cfg.paths.transition_lock).ok();
    v.split_brain = split_brain_log::last(&cfg.paths.drbd_dir);
    v
}

/// Issue 10: this node's data-generation facts (`drbdadm get-gi`, the drbd-witness record
/// of this boot, the bootstrap flag) with the single-node assessment of the promotion
/// policy: `ha-status --json`'s `"generation"`.
pub fn data_facts(cfg: Option<&Config>, paths: &Paths) -> DataFacts {
    let (mut facts, here) = generation::collect(cfg, paths);
    facts.assessment = Some(crate::decide::promote::assess(
        &paths.drbd_resource,
        &facts,
        here.device.as_ref(),
    ));
    facts
}

/// Both views, read in parallel: this node's and its peer's (fetched over ssh).
pub fn both_views(cfg: &Config) -> (NodeView, PeerView) {
    let me = crate::sys::hostname_or("localhost");
    let minor = host::drbd_minor(&cfg.paths.drbd_device).unwrap_or(0);
    std::thread::scope(|s| {
        let the_peer = s.spawn(|| peer::fetch_peer(cfg, &me, minor));
        let local = local_view(cfg, &me);
        let the_peer = the_peer.join().unwrap_or_else(|_| PeerView::Unknown {
            node: None,
            reason: "the peer query panicked".to_string(),
        });
        (local, the_peer)
    })
}

/// Issue 11: every front end's `/_status`, asked in parallel with the topology's settings.
pub fn ask_frontends(cfg: &Config) -> Vec<crate::model::frontend::FrontendResult> {
    crate::observe::frontend::probe_all(&cfg.frontend_targets(), &cfg.frontend_settings())
}

/// [`data_facts`] with the report's `/proc/drbd` (`None`: unreadable): one report reads it
/// once.
pub fn data_facts_given(
    cfg: Option<&Config>,
    paths: &Paths,
    proc: Option<&crate::drbd::ProcDrbd>,
) -> DataFacts {
    let (mut facts, here) = generation::collect_given(cfg, paths, proc);
    facts.assessment = Some(crate::decide::promote::assess(
        &paths.drbd_resource,
        &facts,
        here.device.as_ref(),
    ));
    facts
}

pub use crate::observe::generation::GiCache;
pub use crate::observe::monitor::SampleScope;

/// This node read once for `metrics` and `check`: the same probe, checks and document as
/// `ha-status --json` (with the generation facts, and the peer's view and the front ends'
/// answers when `scope` asks for them), plus how long each source took.
pub fn monitor_sample(ctx: &Ctx, scope: SampleScope) -> Sample {
    monitor_sample_with(ctx, scope, None)
}

/// [`monitor_sample`] for a long-running reader, keeping `drbdadm get-gi`'s answer in `gi`
/// while DRBD's state stands still.
pub fn monitor_sample_with(ctx: &Ctx, scope: SampleScope, gi: Option<&mut GiCache>) -> Sample {
    let host = crate::sys::hostname_or("localhost");
    let r = crate::observe::monitor::read_with(ctx.global.config_path(), &host, scope, gi);
    let mut report = crate::decide::checks::run_checks(&r.snap);
    // a topology without front ends has nothing to report here, not a failure
    if let Some((results, _)) = r.frontends.as_ref().filter(|(f, _)| !f.is_empty()) {
        crate::decide::frontends::extend_report(&mut report, results);
    }
    let mut doc = StatusDoc::new(&r.snap, &report);
    if let (Some(mut facts), Some(local)) = (r.facts.clone(), r.local.as_ref()) {
        facts.assessment = Some(crate::decide::promote::assess(
            &r.resource,
            &facts,
            local.device.as_ref(),
        ));
        doc.generation = Some(facts);
    }
    doc.frontends = r.frontends.as_ref().map(|(f, _)| f.clone());
    doc.peer = r.peer.as_ref().map(|(p, _)| p.clone());
    let mut s = Sample::new(&host, &r.resource, r.time, &r.snap, doc);
    s.split_brain = r.split_brain.clone().ok().flatten();
    s.probes = r.probes();
    s
}
