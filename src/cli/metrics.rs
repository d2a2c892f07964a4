//! `private-chef-ctl metrics`: this node's state in the Prometheus text format, from the
//! same probe as `ha-status --json`. Three ways out: stdout; `--textfile DIR` for
//! node_exporter's textfile collector (temp file + rename, never a half-written file);
//! `--listen ADDR:PORT` serving `/metrics` over HTTP (tiny_http).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};

use super::common::{monitor_sample_with, GiCache, SampleScope};
use super::Ctx;
use crate::act::signals;
use crate::render::metrics::{exposition, CONTENT_TYPE, TEXTFILE_NAME};
use crate::sys::safe_fs::SafeDir;

/// The port `--listen` takes without one (next to node_exporter's 9100 range; not among
/// the keepalived exporters' 9165/9650 or drbd-reactor's 9942).
pub const DEFAULT_PORT: u16 = 9891;

/// Print this node's state as Prometheus metrics (text format 0.0.4): DRBD, keepalived, the
/// VIP, the cluster status, the services, the peer, the front ends and the probes
/// themselves. docs/metrics.md lists every metric.
///
/// Without --textfile or --listen the metrics go to stdout once. A source that cannot be
/// read never removes a series: its values are NaN (state-sets all 0) and
/// chef_ha_probe_success{probe="…"} is 0. Exit 0 when the metrics were written, 1 when
/// they could not be (an unwritable, linked or untrusted --textfile directory, a --listen
/// address in use), 2 for bad arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write DIR/private_chef_ha.prom for node_exporter's textfile collector (through a
    /// temp file in DIR and a rename: the collector never reads a half-written file). DIR
    /// must be a real directory (not a link) owned by root or the caller, not group- or
    /// world-writable.
    #[arg(long, value_name = "DIR", conflicts_with = "listen")]
    pub textfile: Option<PathBuf>,
    /// Serve the metrics over HTTP at http://ADDR:PORT/metrics [default address:
    /// 127.0.0.1:9891, loopback only]. They are read again every --interval seconds in
    /// the background, so a scrape never waits for the peer or the front ends.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        num_args = 0..=1,
        default_missing_value = "127.0.0.1:9891",
        value_parser = parse_listen
    )]
    pub listen: Option<SocketAddr>,
    /// With --textfile: rewrite the file every SECS seconds until SIGTERM/SIGINT (a runit
    /// service, see monitoring/sv/). With --listen: read the state every SECS seconds
    /// [default with --listen: 15].
    #[arg(long, value_name = "SECS", value_parser = parse_interval)]
    pub interval: Option<f64>,
    /// Do not ask the peer over ssh: the data relation is then unknown and
    /// chef_ha_peer_up NaN.
    #[arg(long)]
    pub no_peer: bool,
    /// Do not ask the front ends for /_status.
    #[arg(long)]
    pub no_frontends: bool,
}

fn parse_interval(s: &str) -> std::result::Result<f64, String> {
    super::common::secs_between(s, 1.0, 86_400.0)
}

fn parse_listen(s: &str) -> std::result::Result<SocketAddr, String> {
    s.trim().parse::<SocketAddr>().map_err(|_| {
        format!("'{s}' is not an address and port (e.g. 127.0.0.1:{DEFAULT_PORT} or [::1]:{DEFAULT_PORT})")
    })
}

impl Args {
    fn scope(&self) -> SampleScope {
        SampleScope {
            peer: !self.no_peer,
            frontends: !self.no_frontends,
        }
    }
}

/// One exposition of this node now. An unreadable topology still gives every series (as
/// unknowns, `chef_ha_probe_success{probe="config"} 0`), and says why on stderr.
fn render_now(ctx: &Ctx, scope: SampleScope, gi: Option<&mut GiCache>) -> String {
    let sample = monitor_sample_with(ctx, scope, gi);
    if let Some(e) = sample.probe("config").and_then(|p| p.error.as_deref()) {
        eprintln!("private-chef-ctl metrics: every metric is unknown: {e}");
    }
    exposition(&sample)
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    if let Some(dir) = &args.textfile {
        return textfile(args, ctx, dir);
    }
    if let Some(addr) = args.listen {
        return listen(args, ctx, addr);
    }
    if args.interval.is_some() {
        return Err(anyhow!(
            "--interval needs --textfile DIR or --listen ADDR:PORT (to stdout the metrics are printed once)"
        ));
    }
    let text = render_now(ctx, args.scope(), None);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// Sleeps until `deadline` or a stop request, in short steps.
fn sleep_until(deadline: Instant) {
    while !signals::stop_requested() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn textfile(args: &Args, ctx: &Ctx, dir: &std::path::Path) -> Result<i32> {
    // checked before anything is read: a bad directory is an error naming it, and nothing
    // is written
    let safe = SafeDir::open(dir)
        .with_context(|| format!("--textfile {}: not a usable directory", dir.display()))?;
    let write = |text: &str| {
        safe.replace(TEXTFILE_NAME, text.as_bytes(), 0o644)
            .with_context(|| format!("--textfile {}: cannot write {TEXTFILE_NAME}", dir.display()))
    };
    let Some(interval) = args.interval else {
        write(&render_now(ctx, args.scope(), None))?;
        return Ok(0);
    };
    // every --interval: the generation identifiers are asked again only when DRBD's state
    // moved (or a minute passed), the rest is read anew
    let mut gi = GiCache::default();
    signals::stop_on_interrupt();
    let every = Duration::from_secs_f64(interval);
    let mut first = true;
    while !signals::stop_requested() {
        let started = Instant::now();
        match write(&render_now(ctx, args.scope(), Some(&mut gi))) {
            Ok(()) => {}
            // the first write proves the directory; later a full disk is reported and the
            // file goes stale (chef_ha_last_run_timestamp_seconds says so) until it clears
            Err(e) if first => return Err(e),
            Err(e) => eprintln!("private-chef-ctl metrics: {e:#}"),
        }
        first = false;
        sleep_until(started + every);
    }
    Ok(0)
}

fn listen(args: &Args, ctx: &Ctx, addr: SocketAddr) -> Result<i32> {
    let server = tiny_http::Server::http(addr)
        .map_err(|e| anyhow!("--listen {addr}: cannot listen: {e}"))?;
    signals::stop_on_interrupt();
    let every = Duration::from_secs_f64(args.interval.unwrap_or(15.0));
    let mut gi = GiCache::default();
    let latest = Arc::new(Mutex::new(render_now(ctx, args.scope(), Some(&mut gi))));
    let scope = args.scope();
    std::thread::scope(|s| {
        let shared = Arc::clone(&latest);
        s.spawn(move || {
            let mut next = Instant::now() + every;
            while !signals::stop_requested() {
                sleep_until(next);
                if signals::stop_requested() {
                    break;
                }
                next = Instant::now() + every;
                let text = render_now(ctx, scope, Some(&mut gi));
                if let Ok(mut l) = shared.lock() {
                    *l = text;
                }
            }
        });
        while !signals::stop_requested() {
            let req = match server.recv_timeout(Duration::from_millis(200)) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => {
                    eprintln!("private-chef-ctl metrics: --listen {addr}: {e}");
                    continue;
                }
            };
            let body = latest.lock().map(|l| l.clone()).unwrap_or_default();
            let reply = response(req.method(), req.url(), body);
            let _ = req.respond(reply);
        }
    });
    Ok(0)
}

type Reply = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// `/metrics`, a landing page at `/`, 404 elsewhere, 405 for anything but GET/HEAD.
fn response(method: &tiny_http::Method, url: &str, metrics: String) -> Reply {
    use tiny_http::{Method, Response};
    if !matches!(method, Method::Get | Method::Head) {
        return Response::from_string("only GET and HEAD\n").with_status_code(405);
    }
    let path = url.split('?').next().unwrap_or("");
    let (code, body, ctype) = match path {
        "/metrics" => (200, metrics, CONTENT_TYPE),
        "/" => (
            200,
            "<html><head><title>private-chef-ctl metrics</title></head><body>\
             <h1>private-chef-ctl metrics</h1><p><a href=\"/metrics\">Metrics</a></p>\
             </body></html>\n"
                .to_string(),
            "text/html; charset=utf-8",
        ),
        _ => (
            404,
            "not found: the metrics are at /metrics\n".to_string(),
            "text/plain; charset=utf-8",
        ),
    };
    let mut r = Response::from_string(body).with_status_code(code);
    if let Some(h) = header("Content-Type", ctype) {
        r = r.with_header(h);
    }
    r
}
