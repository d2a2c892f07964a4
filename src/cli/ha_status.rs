//! `private-chef-ctl ha-status`: the original's checks, lines and exit codes, plus
//! `--json` and a `--watch` mode that redraws in place.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::common::{
    ask_frontends, data_facts, data_facts_given, load_optional, print_json_sorted,
};
use super::Ctx;
use crate::act::signals;
use crate::config::Config;
use crate::decide::{checks, frontends};
use crate::model::frontend::FrontendResult;
use crate::model::{Known, NodeState, NodeView, PeerView, Report, StatusDoc};
use crate::observe::peer;
use crate::observe::probe;
use crate::render::progress::{self, ResyncBar, Style};
use crate::render::terminal::TerminalGuard;
use crate::render::{tables, text};

/// Show the status of high availability services.
///
/// Exit codes: 0 all checks passed; 1 precondition (topology unreadable, keepalived or
/// DRBD not enabled, backing disk or DRBD device missing); 2 requested and current
/// cluster status differ, or cannot be read; 3 VIP on the wrong node or missing on the
/// master; 4 DRBD role/connection/disk state wrong, its writes frozen (I/O suspended until
/// the peer is proven outdated), or its running configuration can lose acknowledged writes
/// (fencing, protocol, fence-peer handler, after-sb policies; read with drbdsetup show and
/// drbdadm dump all); 5 DRBD mount state wrong;
/// 6 replication IP does not ping; 7 a service in the wrong state; 8 VRRP interface
/// missing; 9 (only with --frontends) a front end's /_status is not pong or does not
/// answer; 10 quorum is on (ha['quorum_arbiter']) and this node has none, or corosync
/// cannot be read. The code is the *first* failing check's (quorum comes right after the
/// preconditions). A source that cannot be read is an [UNKNOWN] line with its check's
/// code. Advisory [WARN] lines leave the code alone: no quorum arbiter configured, or the
/// arbiter's vote missing while this node keeps quorum.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON document instead of the classic lines.
    #[arg(long, conflicts_with = "watch")]
    pub json: bool,
    /// Also fetch the peer's status over ssh and show both nodes side by side (with
    /// --json: the peer's view under "peer"). The exit code stays this node's.
    #[arg(long, conflicts_with = "watch")]
    pub peer: bool,
    /// Also ask every front end of the topology for /_status (after the other checks: one
    /// [OK] or [ERROR] line each, code 9; with --json, their answers under "frontends").
    #[arg(long, conflicts_with = "peer")]
    pub frontends: bool,
    /// Redraw in place every --interval seconds until Ctrl-C; shows a resync progress bar
    /// while DRBD syncs. Exits with the last report's code.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between redraws in --watch mode.
    #[arg(long, default_value_t = 2.0, value_name = "SECS", value_parser = parse_interval)]
    pub interval: f64,
}

fn parse_interval(s: &str) -> std::result::Result<f64, String> {
    super::common::secs_between(s, 0.1, 3600.0)
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    if args.watch {
        return watch(args, ctx);
    }
    if args.peer {
        return run_with_peer(ctx, args.json);
    }
    let (cfg, snap, report, fronts) = read_node(ctx, args.frontends);
    if args.json {
        let mut doc = StatusDoc::new(&snap, &report);
        doc.frontends = fronts;
        // issue 10; without a readable topology, the default paths (when the default file
        // is merely absent)
        doc.generation = match &cfg {
            Ok(c) => Some(data_facts_given(Some(c), &c.paths, snap.drbd.known())),
            Err(_) => load_optional(ctx)
                .ok()
                .map(|(c, paths)| data_facts(c.as_ref(), &paths)),
        };
        print_json_sorted(&doc)?;
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text::report(&report).as_bytes())?;
        out.flush()?;
    }
    Ok(report.exit_code)
}

/// `ha-status --peer [--json]`: this node's checks and the peer's, side by side (text) or
/// this node's document with a `"peer"` key holding the [`PeerView`] (JSON). Returns this
/// node's ha-status exit code.
fn run_with_peer(ctx: &Ctx, json: bool) -> Result<i32> {
    let host = crate::sys::hostname_or("localhost");
    let cfg = Config::load(ctx.global.config_path());
    // the peer's view is mostly ssh's time and this node's probe is local work: they do
    // not depend on each other, so the command takes the longer of the two, not the sum
    let ((snap, report, _), facts, the_peer) = std::thread::scope(|s| {
        let the_peer = s.spawn(|| peer_view(&cfg, &host));
        let local = probe_node(&cfg, false);
        let facts = cfg.as_ref().ok().map(|c| data_facts(Some(c), &c.paths));
        let the_peer = the_peer.join().unwrap_or_else(|_| PeerView::Unknown {
            node: None,
            reason: "the peer query panicked".to_string(),
        });
        (local, facts, the_peer)
    });
    let mut doc = StatusDoc::new(&snap, &report);
    doc.generation = facts;
    if json {
        doc.peer = Some(the_peer);
        print_json_sorted(&doc)?;
    } else {
        let local = NodeView::from_doc(&host, "local", snap.drbd_minor, &doc);
        let mut out = std::io::stdout().lock();
        out.write_all(tables::side_by_side(&local, &the_peer).as_bytes())?;
        out.flush()?;
    }
    Ok(report.exit_code)
}

/// One read of this node: the topology (read once), the snapshot, the checks and, with
/// `frontends`, the front ends' answers with their check group added to the report.
fn read_node(
    ctx: &Ctx,
    frontends: bool,
) -> (
    Result<Config>,
    NodeState,
    Report,
    Option<Vec<FrontendResult>>,
) {
    let cfg = Config::load(ctx.global.config_path());
    let (snap, report, fronts) = probe_node(&cfg, frontends);
    (cfg, snap, report, fronts)
}

/// The peer of this host in the topology, fetched over ssh (never an error).
fn peer_view(cfg: &Result<Config>, host: &str) -> PeerView {
    match cfg {
        Ok(c) => {
            let opts = peer::PeerOptions::from_config(c);
            let minor = crate::observe::host::drbd_minor(&c.paths.drbd_device).unwrap_or(0);
            match peer::peer_address(c, host) {
                Ok((name, addr)) => peer::fetch(&opts, &name, &addr, minor),
                Err(reason) => PeerView::Unknown { node: None, reason },
            }
        }
        Err(e) => PeerView::Unknown {
            node: None,
            reason: format!("no topology: {e:#}"),
        },
    }
}

/// This node's snapshot and checks (and the front ends' group) from a loaded topology.
fn probe_node(
    cfg: &Result<Config>,
    frontends: bool,
) -> (NodeState, Report, Option<Vec<FrontendResult>>) {
    let snap = match cfg {
        Ok(c) => probe::snapshot_with(c),
        Err(e) => probe::config_failed(format!("{e:#}")),
    };
    let mut report = checks::run_checks(&snap);
    let fronts = frontends.then(|| {
        // without a topology the report already stopped at its precondition
        let results = cfg.as_ref().map(ask_frontends).unwrap_or_default();
        frontends::extend_report(&mut report, &results);
        results
    });
    (snap, report, fronts)
}

fn now_text() -> String {
    crate::sys::time::rfc2822_now()
}

fn frame(report: &Report, interval: f64, host: &str) -> String {
    format!(
        "Every {interval}s: private-chef-ctl ha-status    {host}: {}\n\n{}",
        now_text(),
        text::report(report)
    )
}

/// The resync/verify progress of the resource's device, if it is syncing.
fn sync_progress(s: &NodeState) -> Option<(u64, String)> {
    let Known::Known(p) = &s.drbd else {
        return None;
    };
    let dev = p.device(s.drbd_minor)?;
    let sync = dev.sync.as_ref()?;
    let msg = progress::watch_message(&dev.cs, sync);
    Some((progress::permille(sync.percent.unwrap_or(0.0)), msg))
}

fn watch(args: &Args, ctx: &Ctx) -> Result<i32> {
    signals::stop_on_interrupt();
    let tty = std::io::stdout().is_terminal();
    let _guard = TerminalGuard::new(tty);
    let host = crate::sys::hostname_or("this node");
    let interval = Duration::from_secs_f64(args.interval);
    let mut bar = ResyncBar::new(Style::Watch);
    let mut last = 0;
    while !signals::stop_requested() {
        let started = Instant::now();
        let (_, snap, report, _) = read_node(ctx, args.frontends);
        last = report.exit_code;
        let text = frame(&report, args.interval, &host);
        let draw = || {
            let mut out = std::io::stdout().lock();
            if tty {
                let _ = write!(out, "\x1b[H\x1b[2J");
            } else {
                let _ = writeln!(out, "----");
            }
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match sync_progress(&snap) {
            Some((permille, msg)) => {
                bar.suspend(draw);
                bar.show(permille, msg);
            }
            None => {
                bar.clear();
                draw();
            }
        }
        while !signals::stop_requested() && started.elapsed() < interval {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    bar.clear();
    Ok(last)
}
