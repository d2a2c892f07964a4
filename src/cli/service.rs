//! The omnibus-ctl service verbs on the command line (see [`crate::act::services`]).

use anyhow::{bail, Result};

use super::common::{load_optional, ServiceArgs};
use super::Ctx;
use crate::act::services::{self, Verb};
use crate::service::manager_for;

/// Arguments of `service-list` (none).
#[derive(Debug, clap::Args)]
pub struct ServiceListArgs {}

/// `status|start|…|graceful-kill [svc]` on the command line.
pub fn run(verb: Verb, args: &ServiceArgs, ctx: &Ctx) -> Result<i32> {
    let (_, paths) = load_optional(ctx)?;
    let m = manager_for(&paths);
    services::run_verb(
        m.as_ref(),
        verb,
        args.service.as_deref(),
        ctx.global.verbose,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}

/// `service-list` on the command line.
pub fn run_service_list(_args: &ServiceListArgs, ctx: &Ctx) -> Result<i32> {
    let (_, paths) = load_optional(ctx)?;
    let m = manager_for(&paths);
    services::service_list(m.as_ref(), &mut std::io::stdout().lock())
}

/// `tail [svc]`: follows the service logs (this process becomes `tail`).
pub fn run_tail(args: &ServiceArgs, ctx: &Ctx) -> Result<i32> {
    let (_, paths) = load_optional(ctx)?;
    if let Some(svc) = args.service.as_deref() {
        services::known_service(&manager_for(&paths).services()?, svc)?;
    }
    let files = services::tail_files(&paths.log_dir, args.service.as_deref())?;
    if files.is_empty() {
        bail!(
            "no log files to follow under {}",
            match &args.service {
                Some(s) => paths.log_dir.join(s),
                None => paths.log_dir.clone(),
            }
            .display()
        );
    }
    Err(services::exec_tail(&files))
}
