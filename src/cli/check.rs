//! `private-chef-ctl check`: a Nagios/Icinga/Sensu/Zabbix check of this node, following
//! the Monitoring Plugins guidelines. A command of its own rather than `ha-status
//! --nagios`: ha-status keeps its 0–9 codes and its options (--json, --watch, --peer), and
//! the check gets the plugin conventions whole (exit 0–3 only, also for bad arguments,
//! its own timeout, thresholds) without one command's options meaning two things.
//! The verdict is [`crate::decide::health`], the text [`crate::render::check`].

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

use super::common::{monitor_sample, SampleScope};
use super::Ctx;
use crate::decide::health::{self, State, Thresholds};
use crate::model::threshold::Range;
use crate::render::check;

/// Check this node for a monitoring system (Nagios, Icinga, Sensu, Zabbix): exit 0 OK,
/// 1 WARNING, 2 CRITICAL, 3 UNKNOWN — and nothing else, also for bad arguments or a
/// timeout.
///
/// Prints one line `CHEF-HA <STATE>: <summary> | <perfdata>` (at most 1 KiB); with -v one
/// more line per finding, worst first. The states (docs/check.md has the full table):
/// CRITICAL for split brain, two masters, a node that came back alone with data that may
/// be stale, a VIP, mount, role or HA service in the wrong place, a failed transition;
/// WARNING for a resync, a lost replication link, an unreadable peer, a failing front end,
/// a transition in progress; UNKNOWN when the topology or a source cannot be read, or on
/// timeout. Thresholds use the Monitoring Plugins range syntax (N, N:, ~:N, N:M, @N:M).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// WARNING when the out-of-sync data (bytes) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub warning_oos: Option<Range>,
    /// CRITICAL when the out-of-sync data (bytes) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub critical_oos: Option<Range>,
    /// WARNING when the resync's estimated time to finish (seconds) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub warning_eta: Option<Range>,
    /// CRITICAL when the resync's estimated time to finish (seconds) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub critical_eta: Option<Range>,
    /// WARNING when the slowest front end's /_status answer (seconds) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub warning_latency: Option<Range>,
    /// CRITICAL when the slowest front end's /_status answer (seconds) is outside RANGE.
    #[arg(long, value_name = "RANGE", value_parser = Range::parse)]
    pub critical_latency: Option<Range>,
    /// Give up after SECS seconds with UNKNOWN.
    #[arg(short = 't', long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Do not ask the peer over ssh (no data relation, no two-masters finding).
    #[arg(long)]
    pub no_peer: bool,
    /// Do not ask the front ends for /_status.
    #[arg(long)]
    pub no_frontends: bool,
}

fn parse_timeout(s: &str) -> std::result::Result<f64, String> {
    super::common::secs_between(s, 1.0, 3600.0)
}

impl Args {
    fn thresholds(&self) -> Thresholds {
        Thresholds {
            oos: (self.warning_oos.clone(), self.critical_oos.clone()),
            eta: (self.warning_eta.clone(), self.critical_eta.clone()),
            latency: (self.warning_latency.clone(), self.critical_latency.clone()),
        }
    }
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let scope = SampleScope {
        peer: !args.no_peer,
        frontends: !args.no_frontends,
    };
    let (tx, rx) = mpsc::channel();
    let ctx2 = ctx.clone();
    // the probe runs aside so that the check answers UNKNOWN on time whatever hangs; the
    // process ends when this returns, whatever that thread still waits for
    std::thread::spawn(move || {
        let _ = tx.send(monitor_sample(&ctx2, scope));
    });
    let limit = Duration::from_secs_f64(args.timeout);
    let (text, state) = match rx.recv_timeout(limit) {
        Ok(sample) => {
            let t = args.thresholds();
            let v = health::evaluate(&sample, &t);
            (check::output(&sample, &v, &t, ctx.global.verbose), v.state)
        }
        Err(_) => (
            check::unknown(&format!(
                "timed out after {}s reading this node's state (-t to allow more)",
                args.timeout
            )),
            State::Unknown,
        ),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(state.code())
}
