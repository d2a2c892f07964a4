//! `private-chef-ctl frontend-status [--json] [--timeout SECS] [FRONTEND…]` (issue 11): the
//! front ends' `/_status`, asked in parallel, as a table or JSON.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;

use super::common::{load_config, print_json_sorted};
use super::Ctx;
use crate::config::frontends::Target;
use crate::config::Config;
use crate::decide::frontends::{self, EXIT_CONFIG};
use crate::model::frontend::FrontendsDoc;
use crate::observe::frontend;

/// Ask every front end for `/_status` (HTTPS to the api_fqdn at the front end's address,
/// certificate checked with the system CA store; HTTP when the HTTPS port refuses).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 every front end pong; 1 a front end answered but an \
upstream fails, it answered 500 or another code, or its body is not the documented JSON; \
2 a front end did not answer (refused, timed out, TLS or certificate failure); 3 bad \
configuration (no front ends in the topology, a name that is not one)."
)]
pub struct Args {
    /// Print one JSON document ({"ok","exit_code","frontends":[…]}) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Seconds each front end may take, connection included [default: ha['frontend_timeout'], else 5].
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,
    /// Ask only these front ends (FQDN or short name, as in the topology).
    #[arg(value_name = "FRONTEND")]
    pub frontends: Vec<String>,
}

fn parse_timeout(s: &str) -> std::result::Result<f64, String> {
    super::common::secs_between(s, 0.1, 300.0)
}

/// The front ends named (all when none is), or why a name is not one.
pub fn select(cfg: &Config, names: &[String]) -> std::result::Result<Vec<Target>, String> {
    let all = cfg.frontend_targets();
    if all.is_empty() {
        return Err(format!(
            "{}: no front ends in the topology (expected server \"FQDN\", :ipaddress => \"IP\", :role => \"frontend\")",
            cfg.source.display()
        ));
    }
    if names.is_empty() {
        return Ok(all);
    }
    let mut out = Vec::new();
    for n in names {
        match all
            .iter()
            .find(|t| t.name == *n || crate::config::topology::short(&t.name) == n)
        {
            Some(t) if !out.contains(t) => out.push(t.clone()),
            Some(_) => {}
            None => {
                return Err(format!(
                    "{n:?} is not a front end of the topology (front ends: {})",
                    all.iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    }
    Ok(out)
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let cfg = match load_config(ctx) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("private-chef-ctl: {e:#}");
            return Ok(EXIT_CONFIG);
        }
    };
    let targets = match select(&cfg, &args.frontends) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("private-chef-ctl: {e}");
            return Ok(EXIT_CONFIG);
        }
    };
    let mut settings = cfg.frontend_settings();
    if let Some(t) = args.timeout {
        settings.timeout = Duration::from_secs_f64(t);
    }
    let results = frontend::probe_all(&targets, &settings);
    let code = frontends::exit_code(&results);
    if args.json {
        print_json_sorted(&FrontendsDoc {
            ok: code == 0,
            exit_code: code,
            frontends: results,
        })?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", crate::render::frontends::table(&results))?;
        out.flush()?;
        for r in results.iter().filter(|r| r.error.is_some()) {
            eprintln!("{}", frontends::line(r));
        }
    }
    Ok(code)
}
