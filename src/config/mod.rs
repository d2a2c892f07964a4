//! The topology (a strict subset of private-chef.rb) and the paths of an install.
//!
//! # What is read
//!
//! [`Config::load`] reads `/etc/opscode/private-chef.rb` (or `--config`) and parses it with
//! [`topology::parse`]. Ruby is never evaluated: only this subset is accepted, one statement
//! per line (a line ending with `,` continues the statement; `;` also ends one):
//!
//! - `topology "ha"` (or `"standalone"`, `"tier"`; standalone when absent)
//! - `server "FQDN", :ipaddress => "IP", :role => "backend", :bootstrap => true, :cluster_ipaddress => "IP"`
//! - `backend_vip "FQDN", :ipaddress => "IP[/prefix]", :device => "eth0", :heartbeat_device => "eth1"`
//! - `api_fqdn "FQDN"`
//! - attribute assignments `ns['key'] = value` and `ns['key']['sub'] = value` for the
//!   original's namespaces (`drbd`, `keepalived`, `ha`, `nginx`, `opscode_erchef`,
//!   `postgresql`, …) and ours, `private_chef_ctl`
//! - other one-value settings of the original (`notification_email "…"`, `from_email`, …)
//!
//! Values are strings (double or single quotes, usual escapes, no `#{}` interpolation),
//! integers, floats, `true`/`false`/`nil`, symbols and arrays of those. `:key => value` and
//! `key: value` pairs, parentheses around arguments and trailing commas are accepted.
//! Comments (`# …`) and blank lines are skipped. Anything else is an error
//! `PATH:LINE:COL: unsupported Ruby: expected …, found …`.
//!
//! Attribute assignments the HA commands use are applied (and their types checked);
//! the others, and the other settings, are recorded as [`Skipped`] (`show-config --verbose`).
//!
//! # Path overrides
//!
//! Every field of [`Paths`] can be overridden from private-chef.rb. Precedence, highest first:
//! `private_chef_ctl['<field>']`, then the original's attribute, then the value derived from
//! its base directory, then the default.
//!
//! | Paths field | attributes | derived from |
//! |---|---|---|
//! | `base_dir` | `private_chef_ctl['base_dir']` | |
//! | `sv_dir`, `service_dir`, `init_dir` | `private_chef_ctl['sv_dir']` … | `base_dir` + `sv`, `service`, `init` |
//! | `sv_bin` | `private_chef_ctl['sv_bin']` | `base_dir/embedded/bin/sv` if it exists, else `sv` |
//! | `svwait_secs` | `private_chef_ctl['svwait']` (or `['svwait_secs']`), integer | |
//! | `data_dir`, `log_dir`, `etc_dir` | `private_chef_ctl['data_dir']` … | |
//! | `running_config` | `private_chef_ctl['running_config']` | `etc_dir/chef-server-running.json` |
//! | `keepalived_dir` | `keepalived['dir']` | `data_dir/keepalived` |
//! | `requested_status`, `current_status`, `transition_lock` | `private_chef_ctl['requested_status']` … | `keepalived_dir` + `requested_cluster_status`, `current_cluster_status`, `cluster-transition.lock` |
//! | `cluster_log` | `keepalived['log_directory']` (+ `/cluster.log`) | `log_dir/keepalived/cluster.log` |
//! | `drbd_dir` | `drbd['dir']` | `data_dir/drbd` |
//! | `drbd_data_dir` | `drbd['data_dir']`, then `ha['path']` (the CS12 name) | `drbd_dir/data` |
//! | `drbd_device` | `drbd['device']` | |
//! | `drbd_disk` | `drbd['disk']` | |
//! | `drbd_resource` | `drbd['resource']` | |
//! | `proc_drbd`, `proc_mounts` | `private_chef_ctl['proc_drbd']`, `['proc_mounts']` | |
//! | `audit_log` | `private_chef_ctl['audit_log']` | `log_dir/private-chef-ctl/audit.log` |
//! | `service_manager` | `private_chef_ctl['service_manager']` = `"runit"` or `"systemd"` | |
//!
//! `private_chef_ctl['<field>']` is accepted for every field name above (e.g.
//! `private_chef_ctl['keepalived_dir']`); an unknown `private_chef_ctl` key is an error.
//!
//! # Topology values the HA commands use
//!
//! - `keepalived['enable']`, `drbd['enable']`: default true when topology is ha.
//! - `drbd['primary']['ip']`, `drbd['secondary']['ip']`: default the first / second backend's
//!   `cluster_ipaddress || ipaddress`; `drbd['primary']['port']`: default 7788.
//! - `keepalived['vrrp_instance_ipaddress']` ("IP[/prefix]"), `['vrrp_instance_ipaddress_dev']`,
//!   `['vrrp_instance_interface']`: default from `backend_vip`.

pub mod fence;
pub mod frontends;
pub mod paths;
pub mod quorum;
pub mod redact;
pub mod ruby;
pub mod topology;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use fence::FenceSettings;
pub use paths::{Paths, ServiceManagerKind};
pub use quorum::QuorumSettings;
pub use ruby::{ConfigError, ErrorKind, Value};
pub use topology::{parse, BackendVip, Role, Server, Skipped, Topology, TopologyKind};

/// The largest private-chef.rb read.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// The DRBD replication port of the original's `pc0.res`.
pub const DEFAULT_DRBD_PORT: u16 = 7788;

/// The effective VRRP virtual address: where keepalived puts the VIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vip {
    /// The address, without prefix.
    pub address: IpAddr,
    /// The prefix length, when configured.
    pub prefix: Option<u8>,
    /// The device the VIP is added to (`vrrp_instance_ipaddress_dev`).
    pub device: String,
}

/// The loaded configuration: topology, effective paths and skipped statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// What private-chef.rb says.
    pub topology: Topology,
    /// Effective paths (defaults with the overrides applied).
    pub paths: Paths,
    /// Statements accepted but without effect on the HA commands.
    pub skipped: Vec<Skipped>,
    /// The file read.
    pub source: PathBuf,
}

impl Config {
    /// Reads and parses `path`. Errors name the file:
    /// `cannot read /etc/opscode/private-chef.rb: No such file or directory`, or
    /// `PATH:LINE:COL: …` for parse errors.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        // a real private-chef.rb is a few KiB: `--config /dev/zero` must end, not fill memory
        let bytes = std::fs::File::open(path)
            .and_then(|f| crate::sys::read_limited(f, MAX_CONFIG_BYTES, "the file"))
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::sys::io_reason(&e)
                )
            })?;
        let text = String::from_utf8(bytes)
            .map_err(|e| anyhow::anyhow!("cannot read {}: not UTF-8 text ({e})", path.display()))?;
        Ok(Config::from_text(&text, path)?)
    }

    /// Parses `text` as if read from `source`, then applies the path overrides.
    pub fn from_text(text: &str, source: &Path) -> Result<Config, ConfigError> {
        let topology = topology::parse(text).map_err(|e| e.with_path(source))?;
        let paths = effective_paths(&topology);
        Ok(Config {
            skipped: topology.skipped.clone(),
            topology,
            paths,
            source: source.to_path_buf(),
        })
    }

    /// The value last assigned to `ns['key']` (e.g. `("keepalived", "enable")`), used or not.
    pub fn attr(&self, ns: &str, key: &str) -> Option<&Value> {
        self.topology.attr(ns, key)
    }

    /// The value last assigned to `ns[k0][k1]…` (e.g. `("drbd", &["primary", "ip"])`).
    pub fn attr_path(&self, ns: &str, keys: &[&str]) -> Option<&Value> {
        self.topology.attr_path(ns, keys)
    }

    /// `topology` (standalone when absent).
    pub fn kind(&self) -> TopologyKind {
        self.topology.kind()
    }

    fn enabled(&self, ns: &str) -> bool {
        match self.attr(ns, "enable").and_then(Value::as_bool) {
            Some(b) => b,
            None => self.kind() == TopologyKind::Ha,
        }
    }

    /// keepalived is enabled: topology ha, unless `keepalived['enable']` says otherwise.
    pub fn keepalived_enabled(&self) -> bool {
        self.enabled("keepalived")
    }

    /// DRBD is enabled: topology ha, unless `drbd['enable']` says otherwise.
    pub fn drbd_enabled(&self) -> bool {
        self.enabled("drbd")
    }

    /// The backend servers, in file order (the first is DRBD primary, the second secondary).
    pub fn backends(&self) -> Vec<&Server> {
        self.topology.backends()
    }

    fn drbd_ip(&self, which: &str, index: usize) -> Option<IpAddr> {
        match self
            .attr_path("drbd", &[which, "ip"])
            .and_then(Value::as_str)
        {
            // Checked to be an IP address by the parser; a failure falls back to the backend.
            Some(s) => s.parse().ok(),
            None => None,
        }
        .or_else(|| self.backends().get(index).map(|s| s.replication_ip()))
    }

    /// `drbd['primary']['ip']`, else the first backend's `cluster_ipaddress || ipaddress`.
    pub fn drbd_primary_ip(&self) -> Option<IpAddr> {
        self.drbd_ip("primary", 0)
    }

    /// `drbd['secondary']['ip']`, else the second backend's `cluster_ipaddress || ipaddress`.
    pub fn drbd_secondary_ip(&self) -> Option<IpAddr> {
        self.drbd_ip("secondary", 1)
    }

    /// The DRBD replication port: `drbd['primary']['port']`, else 7788.
    pub fn drbd_port(&self) -> u16 {
        self.attr_path("drbd", &["primary", "port"])
            .and_then(Value::as_int)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(DEFAULT_DRBD_PORT)
    }

    /// The VIP keepalived manages: `backend_vip`'s address and device, overridden by
    /// `keepalived['vrrp_instance_ipaddress']` / `['vrrp_instance_ipaddress_dev']`. The device
    /// defaults to `eth0` as in the original's attributes. `None` when neither is configured.
    pub fn vip(&self) -> Option<Vip> {
        let vip = self.topology.backend_vip.as_ref();
        let over = self
            .attr("keepalived", "vrrp_instance_ipaddress")
            .and_then(Value::as_str)
            .and_then(|s| topology::parse_ip_prefix(s).ok());
        let (address, prefix) = over.or_else(|| vip.map(|v| (v.address, v.prefix)))?;
        let device = self
            .attr("keepalived", "vrrp_instance_ipaddress_dev")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| vip.and_then(|v| v.device.clone()))
            .unwrap_or_else(|| "eth0".to_string());
        Some(Vip {
            address,
            prefix,
            device,
        })
    }

    /// The interface VRRP adverts use: `keepalived['vrrp_instance_interface']`, else
    /// `backend_vip`'s `:device`.
    pub fn vrrp_interface(&self) -> Option<String> {
        self.attr("keepalived", "vrrp_instance_interface")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                self.topology
                    .backend_vip
                    .as_ref()
                    .and_then(|v| v.device.clone())
            })
    }

    /// The server this host is: an exact FQDN match (case-insensitive), else a short-name
    /// match when either `hostname` or the server's name has no domain.
    pub fn this_server(&self, hostname: &str) -> Option<&Server> {
        let servers = &self.topology.servers;
        servers
            .iter()
            .find(|s| s.fqdn.eq_ignore_ascii_case(hostname))
            .or_else(|| {
                servers.iter().find(|s| {
                    (!hostname.contains('.') || !s.fqdn.contains('.'))
                        && s.short_name()
                            .eq_ignore_ascii_case(topology::short(hostname))
                })
            })
    }

    /// The other backend of the pair, when `hostname` is a backend.
    pub fn peer_of(&self, hostname: &str) -> Option<&Server> {
        let me = self.this_server(hostname)?;
        if me.role != Role::Backend {
            return None;
        }
        self.backends().into_iter().find(|s| s.fqdn != me.fqdn)
    }

    /// Which DRBD role (`"primary"`, `"secondary"`) the config gives `server`, if any.
    pub fn drbd_role_of(&self, server: &Server) -> Option<&'static str> {
        let backends = self.backends();
        let idx = backends.iter().position(|s| s.fqdn == server.fqdn)?;
        match idx {
            0 => Some("primary"),
            1 => Some("secondary"),
            _ => None,
        }
    }
}

/// The defaults of [`Paths`] with the overrides of `topo` applied (see the module docs).
pub fn effective_paths(topo: &Topology) -> Paths {
    let def = Paths::default();
    let path = |ns: &str, key: &str| {
        topo.attr(ns, key)
            .and_then(Value::as_str)
            .map(PathBuf::from)
    };
    let ours = |key: &str| path("private_chef_ctl", key);

    let base_dir = ours("base_dir");
    let sv_bin = ours("sv_bin").unwrap_or_else(|| match &base_dir {
        Some(b) if b.join("embedded/bin/sv").exists() => b.join("embedded/bin/sv"),
        Some(_) => PathBuf::from("sv"),
        None => def.sv_bin.clone(),
    });
    let base_dir = base_dir.unwrap_or(def.base_dir);
    let data_dir = ours("data_dir").unwrap_or(def.data_dir);
    let log_dir = ours("log_dir").unwrap_or(def.log_dir);
    let etc_dir = ours("etc_dir").unwrap_or(def.etc_dir);

    let keepalived_dir = ours("keepalived_dir")
        .or_else(|| path("keepalived", "dir"))
        .unwrap_or_else(|| data_dir.join("keepalived"));
    let drbd_dir = ours("drbd_dir")
        .or_else(|| path("drbd", "dir"))
        .unwrap_or_else(|| data_dir.join("drbd"));
    let svwait_secs = topo
        .assignments
        .iter()
        .rev()
        .find(|a| a.ns == "private_chef_ctl" && (a.keys == ["svwait"] || a.keys == ["svwait_secs"]))
        .and_then(|a| a.value.as_int())
        .and_then(|i| u64::try_from(i).ok())
        .unwrap_or(def.svwait_secs);
    let service_manager = match topo
        .attr("private_chef_ctl", "service_manager")
        .and_then(Value::as_str)
    {
        Some("systemd") => ServiceManagerKind::Systemd,
        Some("runit") => ServiceManagerKind::Runit,
        _ => def.service_manager,
    };
    let drbd_resource = topo
        .attr("private_chef_ctl", "drbd_resource")
        .or_else(|| topo.attr("drbd", "resource"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(def.drbd_resource);

    Paths {
        sv_dir: ours("sv_dir").unwrap_or_else(|| base_dir.join("sv")),
        service_dir: ours("service_dir").unwrap_or_else(|| base_dir.join("service")),
        init_dir: ours("init_dir").unwrap_or_else(|| base_dir.join("init")),
        sv_bin,
        svwait_secs,
        running_config: ours("running_config")
            .unwrap_or_else(|| etc_dir.join("chef-server-running.json")),
        requested_status: ours("requested_status")
            .unwrap_or_else(|| keepalived_dir.join("requested_cluster_status")),
        current_status: ours("current_status")
            .unwrap_or_else(|| keepalived_dir.join("current_cluster_status")),
        transition_lock: ours("transition_lock")
            .unwrap_or_else(|| keepalived_dir.join("cluster-transition.lock")),
        cluster_log: ours("cluster_log")
            .or_else(|| path("keepalived", "log_directory").map(|d| d.join("cluster.log")))
            .unwrap_or_else(|| log_dir.join("keepalived/cluster.log")),
        drbd_data_dir: ours("drbd_data_dir")
            .or_else(|| path("drbd", "data_dir"))
            .or_else(|| path("ha", "path"))
            .unwrap_or_else(|| drbd_dir.join("data")),
        drbd_device: ours("drbd_device")
            .or_else(|| path("drbd", "device"))
            .unwrap_or(def.drbd_device),
        drbd_disk: ours("drbd_disk")
            .or_else(|| path("drbd", "disk"))
            .unwrap_or(def.drbd_disk),
        drbd_resource,
        proc_drbd: ours("proc_drbd").unwrap_or(def.proc_drbd),
        proc_mounts: ours("proc_mounts").unwrap_or(def.proc_mounts),
        audit_log: ours("audit_log").unwrap_or_else(|| log_dir.join("private-chef-ctl/audit.log")),
        service_manager,
        keepalived_dir,
        drbd_dir,
        etc_dir,
        base_dir,
        data_dir,
        log_dir,
    }
}
