use anyhow::{bail, Result};

use super::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, _ctx: &Ctx) -> Result<i32> {
    bail!("ha_recover is not built yet")
}
