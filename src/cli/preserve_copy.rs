//! `private-chef-ctl preserve-copy DEVICE DEST` (hidden; the split-brain runbook's "keep the
//! victim's data" step): see [`crate::act::preserve_copy`].
//!
//! Exit codes: 0 copied; 1 the copy failed; 2 DEST exists; 28 not enough space.

use std::path::PathBuf;

use anyhow::Result;

/// Arguments of `preserve-copy`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 copied; 1 the copy failed (the partial image is removed); 2 DEST exists; 28 not enough free space (nothing written)."
)]
pub struct Args {
    /// The device (or file) to copy.
    #[arg(value_name = "DEVICE")]
    pub device: PathBuf,
    /// The image file to create (must not exist); written 0600.
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
}

/// Runs the copy; returns the exit code.
pub fn run(args: &Args) -> Result<i32> {
    Ok(crate::act::preserve_copy::run(&args.device, &args.dest))
}
