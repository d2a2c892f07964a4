//! `private-chef-ctl drbd-status`: the DRBD devices of /proc/drbd as a table or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use comfy_table::{presets::UTF8_FULL, Table};

use super::Ctx;
use crate::drbd::{self, Device, ProcDrbd};

/// Show the DRBD devices of /proc/drbd (or of a saved copy).
///
/// Exit status: 0 when the file was read; 1 when it could not be read or parsed (the
/// message names the file); 3 on DRBD 9 without compat-8.4 mode, whose /proc/drbd lists
/// no devices (use `drbdsetup status` there).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 read and shown; 1 unreadable or unparsable input; \
3 DRBD 9 (its /proc/drbd lists no devices: use `drbdsetup status`)."
)]
pub struct Args {
    /// Read this file instead of /proc/drbd; `-` reads standard input.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Print the stable JSON document (version, api, proto, build, devices) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code (see `Args`).
pub fn run(args: &Args, _ctx: &Ctx) -> Result<i32> {
    let proc = load(args.file.as_ref())?;
    if proc.is_drbd9_without_devices() {
        let v = proc.version.as_ref().map_or("?", |v| v.raw.as_str());
        eprintln!("DRBD 9 (version {v}): /proc/drbd lists no devices; use `drbdsetup status`");
        if args.json {
            println!("{}", serde_json::to_string_pretty(&proc)?);
        }
        return Ok(3);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&proc)?);
    } else {
        println!("{}", table(&proc));
        if proc.devices.is_empty() {
            eprintln!("no DRBD minors are configured");
        }
    }
    Ok(0)
}

fn load(file: Option<&PathBuf>) -> Result<ProcDrbd> {
    match file {
        Some(p) if p.as_os_str() == "-" => {
            let buf = drbd::proc::read_limited(std::io::stdin(), "standard input")
                .context("cannot read standard input")?;
            drbd::parse_named("<stdin>", &buf)
        }
        Some(p) => drbd::read(p),
        None => drbd::read(&crate::config::Paths::default().proc_drbd),
    }
}

/// The table: minor, cs, ro, ds, proto, flags, oos, sync, ETA.
pub fn table(proc: &ProcDrbd) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL);
    t.set_header([
        "minor", "cs", "ro", "ds", "proto", "flags", "oos", "sync", "ETA",
    ]);
    for d in &proc.devices {
        t.add_row(row(d));
    }
    t
}

fn pair<T: std::fmt::Display>(a: &Option<T>, b: &Option<T>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{a}/{b}"),
        _ => String::new(),
    }
}

fn row(d: &Device) -> Vec<String> {
    let (sync, eta) = match &d.sync {
        Some(s) => {
            let pct = s.percent.map(|p| format!("{p:.1}% ")).unwrap_or_default();
            let kind = match s.kind {
                drbd::ProgressKind::Sync => "",
                drbd::ProgressKind::Verify => "verify ",
            };
            let sync = format!("{kind}{pct}{}/{} KiB", s.done_kib, s.total_kib);
            let eta = match s.finish_secs {
                Some(secs) => format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
                None if s.finish_infinite => "∞".to_string(),
                None if s.stalled => "stalled".to_string(),
                None => String::new(),
            };
            (sync, eta)
        }
        None => (String::new(), String::new()),
    };
    vec![
        d.minor.to_string(),
        d.cs.to_string(),
        pair(&d.role, &d.peer_role),
        pair(&d.disk, &d.peer_disk),
        d.protocol.map(String::from).unwrap_or_default(),
        d.io_flags.clone().unwrap_or_default(),
        d.counters.oos.map(|o| o.to_string()).unwrap_or_default(),
        sync,
        eta,
    ]
}
