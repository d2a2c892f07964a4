//! `private-chef-ctl drbd-status`: the DRBD devices of /proc/drbd as a table or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::common::print_json;
use super::Ctx;
use crate::drbd::{self, ProcDrbd};
use crate::model::exit;
use crate::render::tables;

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
            print_json(&proc)?;
        }
        return Ok(exit::NOT_APPLICABLE);
    }
    if args.json {
        print_json(&proc)?;
    } else {
        println!("{}", tables::drbd_table(&proc));
        if proc.devices.is_empty() {
            eprintln!("no DRBD minors are configured");
        }
    }
    Ok(exit::OK)
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
