//! `private-chef-ctl ha-status`: the original's checks, lines and exit codes, plus
//! `--json` and a `--watch` mode that redraws in place.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::Ctx;
use crate::ha_status::{self, Known, Report, Snapshot};
use crate::probe;

/// Show the status of high availability services.
///
/// Exit codes: 0 all checks passed; 1 precondition (topology unreadable, keepalived or
/// DRBD not enabled, backing disk or DRBD device missing); 2 requested and current
/// cluster status differ, or cannot be read; 3 VIP on the wrong node or missing on the
/// master; 4 DRBD role/connection/disk state wrong; 5 DRBD mount state wrong;
/// 6 replication IP does not ping; 7 a service in the wrong state; 8 VRRP interface
/// missing. The code is the *first* failing check's. A source that cannot be read is
/// an [UNKNOWN] line with its check's code.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON document instead of the classic lines.
    #[arg(long, conflicts_with = "watch")]
    pub json: bool,
    /// Also fetch the peer's status over ssh and show both nodes side by side (with
    /// --json: the peer's view under "peer"). The exit code stays this node's.
    #[arg(long, conflicts_with = "watch")]
    pub peer: bool,
    /// Redraw in place every --interval seconds until Ctrl-C; shows a resync progress bar
    /// while DRBD syncs. Exits with the last report's code.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between redraws in --watch mode.
    #[arg(long, default_value_t = 2.0, value_name = "SECS", value_parser = parse_interval)]
    pub interval: f64,
}

fn parse_interval(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.1..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{s}' is not a number of seconds between 0.1 and 3600"
        )),
    }
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    if args.watch {
        return watch(args, ctx);
    }
    if args.peer {
        return crate::peer::run_status_with_peer(ctx, args.json);
    }
    let snap = probe::snapshot(ctx);
    let report = ha_status::run_checks(&snap);
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut doc = ha_status::report_json(&snap, &report);
        if let Ok((cfg, paths)) = super::cluster_transition::load_optional(&ctx.global.config) {
            crate::promote::host::collect(cfg.as_ref(), &paths).insert_into(&mut doc);
            // issue 10
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out.write_all(report.text().as_bytes())?;
    }
    out.flush()?;
    Ok(report.exit_code)
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn install_signal_handlers() {
    let handler = on_signal as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

/// Restores the terminal (cursor, main screen) however the loop ends.
struct TerminalGuard {
    tty: bool,
}

impl TerminalGuard {
    fn new(tty: bool) -> Self {
        if tty {
            print!("\x1b[?1049h\x1b[?25l");
            let _ = std::io::stdout().flush();
        }
        TerminalGuard { tty }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.tty {
            print!("\x1b[?25h\x1b[?1049l");
            let _ = std::io::stdout().flush();
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "this node".to_string())
}

fn now_text() -> String {
    crate::exec::rfc2822_now()
}

fn frame(report: &Report, interval: f64, host: &str) -> String {
    format!(
        "Every {interval}s: private-chef-ctl ha-status    {host}: {}\n\n{}",
        now_text(),
        report.text()
    )
}

/// The resync/verify progress of the resource's device, if it is syncing.
fn sync_progress(s: &Snapshot) -> Option<(u64, String)> {
    let Known::Known(p) = &s.drbd else {
        return None;
    };
    let dev = p.devices.iter().find(|d| d.minor == s.drbd_minor)?;
    let sync = dev.sync.as_ref()?;
    let pct = sync.percent.unwrap_or(0.0);
    let mut msg = format!("{} {:.1}%", dev.cs.as_str(), pct);
    msg.push_str(&format!(" {}/{} KiB", sync.done_kib, sync.total_kib));
    if let Some(sp) = sync.speed_kib_s {
        msg.push_str(&format!(", {sp} KiB/s"));
    }
    if let Some(f) = sync.finish_secs {
        msg.push_str(&format!(
            ", ETA {}:{:02}:{:02}",
            f / 3600,
            (f / 60) % 60,
            f % 60
        ));
    }
    if sync.stalled {
        msg.push_str(" (stalled)");
    }
    Some(((pct * 10.0).round().clamp(0.0, 1000.0) as u64, msg))
}

fn watch(args: &Args, ctx: &Ctx) -> Result<i32> {
    install_signal_handlers();
    let tty = std::io::stdout().is_terminal();
    let _guard = TerminalGuard::new(tty);
    let host = hostname();
    let interval = Duration::from_secs_f64(args.interval);
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut last = 0;
    while !STOP.load(Ordering::SeqCst) {
        let started = Instant::now();
        let snap = probe::snapshot(ctx);
        let report = ha_status::run_checks(&snap);
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
        match (sync_progress(&snap), &bar) {
            (Some((permille, msg)), Some(b)) => {
                b.suspend(draw);
                b.set_position(permille);
                b.set_message(msg);
            }
            (Some((permille, msg)), None) => {
                draw();
                let b = indicatif::ProgressBar::new(1000);
                b.set_style(
                    indicatif::ProgressStyle::with_template("resync [{bar:40}] {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                b.set_position(permille);
                b.set_message(msg);
                bar = Some(b);
            }
            (None, Some(b)) => {
                b.finish_and_clear();
                bar = None;
                draw();
            }
            (None, None) => draw(),
        }
        while !STOP.load(Ordering::SeqCst) && started.elapsed() < interval {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(last)
}
