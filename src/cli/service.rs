//! The omnibus-ctl service verbs (status, start, stop, …, service-list, tail).

use anyhow::{bail, Result};

use super::Ctx;

/// A service verb, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Status,
    Start,
    Stop,
    Restart,
    Once,
    Hup,
    Term,
    Int,
    Kill,
    Usr1,
    Usr2,
    GracefulKill,
}

#[derive(Debug, clap::Args)]
pub struct ServiceArgs {
    /// One service; all enabled services when omitted.
    pub service: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ServiceListArgs {}

pub fn run(_verb: Verb, _args: &ServiceArgs, _ctx: &Ctx) -> Result<i32> {
    bail!("service verbs are not built yet")
}

pub fn run_service_list(_args: &ServiceListArgs, _ctx: &Ctx) -> Result<i32> {
    bail!("service-list is not built yet")
}

pub fn run_tail(_args: &ServiceArgs, _ctx: &Ctx) -> Result<i32> {
    bail!("tail is not built yet")
}
