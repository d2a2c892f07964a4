//! `private-chef-ctl show-config`: the effective topology and paths read from private-chef.rb.

use anyhow::Result;

use super::common::{load_config, print_json};
use super::Ctx;
use crate::render::config::{render_text, to_json};

/// Path overrides, shown after `show-config --help` (see `crate::config` for the full table).
pub const OVERRIDES_HELP: &str = "\
Path overrides (attributes in private-chef.rb; highest first):
  private_chef_ctl['<field>']   any field in the Paths table (base_dir, data_dir, log_dir,
                                etc_dir, sv_dir, service_dir, init_dir, sv_bin, svwait,
                                running_config, keepalived_dir, requested_status,
                                current_status, transition_lock, cluster_log, drbd_dir,
                                drbd_data_dir, drbd_device, drbd_disk, drbd_resource,
                                proc_drbd, proc_mounts, audit_log,
                                service_manager = \"runit\" | \"systemd\")
  drbd['device'], drbd['disk'], drbd['dir'], drbd['resource'] (default pc0)
  drbd['data_dir'], then ha['path'] (the CS12 name)   the replicated mount point
  keepalived['dir']             moves requested/current cluster status and the lock
  keepalived['log_directory']   moves cluster.log
Derived paths follow their base (base_dir, data_dir, log_dir, etc_dir, keepalived dir,
DRBD dir) unless set themselves.";

/// Arguments of `show-config`.
#[derive(Debug, clap::Args)]
#[command(after_help = OVERRIDES_HELP)]
pub struct Args {
    /// Print one JSON object (source, topology, servers, backend_vip, vrrp_interface, api_fqdn,
    /// keepalived_enabled, drbd_enabled, drbd, paths, skipped) instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Loads `--config` and prints it; errors (unreadable file, unsupported Ruby) name the file.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let config = load_config(ctx)?;
    if args.json {
        print_json(&to_json(&config))?;
    } else {
        print!("{}", render_text(&config, ctx.global.verbose));
    }
    Ok(0)
}
