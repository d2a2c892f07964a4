//! `private-chef-ctl drbd-witness`: the small always-up service that remembers what this
//! node saw of its DRBD peer since boot (see [`crate::drbd::witness`]); the transition
//! reads its record before promoting (see [`crate::promote`]).
//!
//! Every `--interval` seconds it reads `/proc/drbd` (a file read: it forks nothing) and
//! folds the sample into `<keepalived dir>/drbd-witness.json`, which it rewrites
//! atomically (temporary file + rename) only when something changed. Run it under the
//! service manager (runit: `sv/drbd-witness/run` with `exec private-chef-ctl drbd-witness`),
//! always up, not `keepalive_me`.

use std::time::Duration;

use anyhow::{Context, Result};

use super::Ctx;
use crate::drbd::witness;

/// Arguments of `drbd-witness`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 after --once; 1 when the boot id cannot be read or the record cannot be written at start."
)]
pub struct Args {
    /// Seconds between samples of /proc/drbd.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub interval: f64,
    /// Take one sample, write the record if it changed, print it, and exit.
    #[arg(long)]
    pub once: bool,
}

/// Runs the witness; returns the exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let (_cfg, paths) = super::cluster_transition::load_optional(&ctx.global.config)?;
    let path = crate::promote::witness_path(&paths);
    let boot_path = std::path::Path::new(crate::promote::host::BOOT_ID);
    let boot = crate::promote::host::boot_id(boot_path)
        .with_context(|| format!("cannot read the boot id {}", boot_path.display()))?;
    let minor = crate::probe::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let mut rec = crate::promote::host::read_witness(&path);
    let interval = Duration::from_secs_f64(if args.interval.is_finite() {
        args.interval.clamp(0.05, 3600.0)
    } else {
        1.0
    });
    let mut warned = false;
    loop {
        let proc = crate::drbd::read(&paths.proc_drbd).ok();
        let dev = proc.as_ref().and_then(|p| p.device(minor));
        let (next, changed) =
            witness::observe(rec.as_ref(), &boot, minor, dev, &crate::exec::rfc2822_now());
        if changed {
            let text = serde_json::to_string(&next)? + "\n";
            match crate::transition::files::write_atomic(&path, &text) {
                Ok(()) => warned = false,
                Err(e) if !warned => {
                    eprintln!(
                        "private-chef-ctl drbd-witness: cannot write {}: {}",
                        path.display(),
                        crate::probe::host::io_reason(&e)
                    );
                    warned = true;
                    if args.once {
                        return Ok(1);
                    }
                }
                Err(_) => {}
            }
            if !args.once {
                println!("drbd-witness: {}", next.now.summary());
            }
        }
        rec = Some(next);
        if args.once {
            if let Some(r) = &rec {
                println!("{}", serde_json::to_string_pretty(r)?);
            }
            return Ok(0);
        }
        std::thread::sleep(interval);
    }
}
