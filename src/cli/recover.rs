//! `master-recover` / `backup-recover`: run the local transition, ignoring VRRP.
use anyhow::{bail, Result};

use super::Ctx;

/// Which state to recover to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Master,
    Backup,
}

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_target: Target, _args: &Args, _ctx: &Ctx) -> Result<i32> {
    bail!("recover is not built yet")
}
