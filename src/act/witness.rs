//! Issue 10: the `drbd-witness` service. Every interval it reads `/proc/drbd` (a file read:
//! it forks nothing), folds the sample into the record ([`crate::drbd::witness::observe`])
//! and, only when something changed, replaces `<keepalived dir>/drbd-witness.json`
//! atomically (temporary file + rename, never through a link: [`crate::sys::safe_fs`]).
//! The transition reads the record before promoting ([`crate::act::transition::gate`]).

use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::Paths;
use crate::drbd::witness;
use crate::observe::{generation, host};
use crate::render::terminal::say;

/// The record's mode: world-readable, as the other keepalived state files.
const MODE: libc::mode_t = 0o644;

/// Runs the witness: one sample and exit with `once` (the record printed), else forever.
/// Returns the exit code: 0 after `once`; 1 when the record cannot be written with `once`.
/// `Err` when the boot id cannot be read.
pub fn run(paths: &Paths, interval: Duration, once: bool) -> Result<i32> {
    let path = generation::witness_path(paths);
    let boot_path = std::path::Path::new(generation::BOOT_ID);
    let boot = generation::boot_id(boot_path)
        .with_context(|| format!("cannot read the boot id {}", boot_path.display()))?;
    let minor = host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    let mut rec = generation::read_witness(&path);
    let mut warned = false;
    loop {
        let proc = crate::drbd::read(&paths.proc_drbd).ok();
        let dev = proc.as_ref().and_then(|p| p.device(minor));
        let now = crate::sys::time::rfc2822_now();
        let (next, changed) = witness::observe(rec.as_ref(), &boot, minor, dev, &now);
        if changed {
            let text = serde_json::to_string(&next)? + "\n";
            match crate::sys::safe_fs::replace(&path, text.as_bytes(), MODE) {
                Ok(()) => warned = false,
                Err(e) if !warned => {
                    eprintln!(
                        "private-chef-ctl drbd-witness: cannot write {}: {e}",
                        path.display()
                    );
                    warned = true;
                    if once {
                        return Ok(1);
                    }
                }
                Err(_) => {}
            }
            if !once {
                say(format_args!("drbd-witness: {}", next.now.summary()));
            }
        }
        if once {
            say(format_args!("{}", serde_json::to_string_pretty(&next)?));
            return Ok(0);
        }
        rec = Some(next);
        std::thread::sleep(interval);
    }
}
