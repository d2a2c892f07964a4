//! The guests' files: rendered per node into `<run>/guest/<node>/` and copied over the
//! overlay root by the guest's stage 2 script at every boot.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cache::{write_file, Kernel, SshKeys, Tls};
use crate::NodeId;

pub const STAGE2: &str = include_str!("../guest/stage2.sh");
pub const BACKDOOR: &str = include_str!("../guest/backdoor.sh");
pub const SPLIT_BRAIN_SH: &str = include_str!("../guest/notify-split-brain.sh");
pub const KEEPALIVED_CONF: &str = include_str!("../guest/keepalived.conf");
pub const DRBD_CONF: &str = include_str!("../guest/drbd.conf");
pub const PC0_RES: &str = include_str!("../guest/pc0.res");
pub const REDIS_CONF: &str = include_str!("../guest/redis.conf");
pub const BOOTSTRAP_PRIMARY: &str = include_str!("../guest/bootstrap-primary.sh");
pub const SSHD_CONFIG: &str = include_str!("../guest/sshd_config");
/// The load writer (see [`crate::writer`]).
pub const WRITER_PY: &str = include_str!("../guest/writer.py");
const SV_KEEPALIVED_RUN: &str = include_str!("../guest/sv-keepalived-run");
const SV_KEEPALIVED_LOG_RUN: &str = include_str!("../guest/sv-keepalived-log-run");
const SV_POSTGRESQL_RUN: &str = include_str!("../guest/sv-postgresql-run");
const SV_POSTGRESQL_CONTROL_T: &str = include_str!("../guest/sv-postgresql-control-t");
const SV_REDIS_RUN: &str = include_str!("../guest/sv-redis_lb-run");
const SV_DRBD_WITNESS_RUN: &str = include_str!("../guest/sv-drbd-witness-run");
const SV_NODE_EXPORTER_RUN: &str = include_str!("../guest/sv-node-exporter-run");
/// The product's own textfile service, as shipped: the lab runs the repository's files.
const SV_METRICS_RUN: &str = include_str!("../../monitoring/sv/private-chef-metrics/run");
const SV_METRICS_LOG_RUN: &str = include_str!("../../monitoring/sv/private-chef-metrics/log/run");
/// fe1's `/_status` service (imports the writer's wire-protocol code).
pub const FRONTEND_STATUS_PY: &str = include_str!("../guest/frontend-status.py");
const SV_FRONTEND_STATUS_RUN: &str = include_str!("../guest/sv-frontend-status-run");

/// The documented topology file for the pair and the front end.
pub const PRIVATE_CHEF_RB: &str = r#"topology "ha"
server "be1.lab.example", :ipaddress => "198.51.100.11", :role => "backend", :bootstrap => true, :cluster_ipaddress => "192.0.2.11"
server "be2.lab.example", :ipaddress => "198.51.100.12", :role => "backend", :cluster_ipaddress => "192.0.2.12"
server "fe1.lab.example", :ipaddress => "198.51.100.21", :role => "frontend"
backend_vip "backend.lab.example", :ipaddress => "198.51.100.10/24", :device => "eth0"
api_fqdn "chef.lab.example"
"#;

/// The front end's server line in [`PRIVATE_CHEF_RB`] (dropped in a lab without fe1).
const FE1_LINE: &str = r#"server "fe1.lab.example", :ipaddress => "198.51.100.21", :role => "frontend"
"#;

/// The topology file of a lab with (or without) its front end.
pub fn private_chef_rb(frontend: bool) -> String {
    if frontend {
        format!("{PRIVATE_CHEF_RB}{}", crate::quorum::PRIVATE_CHEF_RB_QUORUM)
    } else {
        PRIVATE_CHEF_RB.replace(FE1_LINE, "")
    }
}

/// The product's timeouts that a slower machine needs longer (private-chef.rb key, its
/// default in seconds, or in attempts one second apart): each is written as the default
/// times the lab's pace factor.
pub const PACED_TIMEOUTS: &[(&str, u64)] = &[
    ("ha['ssh_timeout']", 30),
    ("ha['ssh_connect_timeout']", 10),
    ("ha['frontend_timeout']", 5),
    ("private_chef_ctl['svwait']", 30),
    ("keepalived['transition_command_timeout']", 60),
    // the fence-peer handler's bound and its patience with an unreachable peer: ssh to a
    // loaded guest is slow, and a reachable peer must not be taken for a dead one
    ("ha['fence_peer_timeout']", 40),
    ("ha['fence_peer_unreachable_after']", 10),
    // quorum: how long the peer must be outside this node's partition to count as stopped,
    // and how long a Primary without quorum may try to demote before it resets itself
    ("ha['quorum_peer_stop_after']", 15),
    ("ha['quorum_self_fence_after']", 20),
    // attempts one second apart: how long a refused promotion is retried, which must
    // outlast the time a test takes to bring the peer back on a slow machine
    ("keepalived['transition_attempts']", 300),
];

/// How long the peer's shared ssh connection outlives a command in the lab (seconds,
/// before scaling): the tests ask the peer view command after command.
pub const SSH_CONTROL_PERSIST_SECS: u64 = 60;

/// The VIP with its prefix, as in the topology file.
pub const VIP_CIDR: &str = "198.51.100.10/24";
pub const VIP: &str = "198.51.100.10";

/// Where keepalived's notify hooks point by default: the product's handler, called as
/// `<cmd> master|backup|fault|stop` from notify_master/notify_backup/notify_fault/notify_stop.
pub const DEFAULT_TRANSITION_CMD: &str = "/opt/opscode/bin/private-chef-ctl cluster-transition";

/// The HA services (keepalive_me + down), ascending.
pub const HA_SERVICES: &[&str] = &["postgresql", "redis_lb"];

/// Settings that shape the rendered files.
#[derive(Debug, Clone)]
pub struct GuestSettings {
    /// the notify target in keepalived.conf (`<cmd> master|backup|fault|stop`)
    pub transition_cmd: String,
    /// the lab has fe1 (its files are rendered; the topology lists it)
    pub frontend: bool,
    /// the back ends run node_exporter and the metrics textfile service
    pub monitoring: bool,
    /// the lab CA (appended to every guest's CA bundle) and fe1's certificate
    pub tls: Tls,
}

fn running_config(frontend: bool) -> String {
    let mut v = serde_json::json!({
        "private_chef": {
            "topology": "ha",
            "api_fqdn": "chef.lab.example",
            "servers": {
                "be1.lab.example": {"ipaddress": "198.51.100.11", "role": "backend", "bootstrap": true, "cluster_ipaddress": "192.0.2.11"},
                "be2.lab.example": {"ipaddress": "198.51.100.12", "role": "backend", "cluster_ipaddress": "192.0.2.12"}
            },
            "backend_vips": {"ipaddress": VIP_CIDR, "device": "eth0"},
            "keepalived": {
                "enable": true,
                "dir": "/var/opt/opscode/keepalived",
                "log_directory": "/var/log/opscode/keepalived",
                "vrrp_instance_interface": "eth0",
                "vrrp_instance_ipaddress": VIP_CIDR,
                "vrrp_instance_ipaddress_dev": "eth0",
                "vrrp_instance_virtual_router_id": "1",
                "vrrp_instance_advert_int": "1",
                "vrrp_instance_nopreempt": true
            },
            "drbd": {
                "enable": true,
                "dir": "/var/opt/opscode/drbd",
                "data_dir": "/var/opt/opscode/drbd/data",
                "device": "/dev/drbd0",
                "disk": "/dev/opscode/drbd",
                "primary": {"fqdn": "be1.lab.example", "ip": "192.0.2.11", "port": 7788},
                "secondary": {"fqdn": "be2.lab.example", "ip": "192.0.2.12", "port": 7788}
            }
        }
    });
    if frontend {
        v["private_chef"]["servers"]["fe1.lab.example"] =
            serde_json::json!({"ipaddress": "198.51.100.21", "role": "frontend"});
    }
    format!("{v:#}\n")
}

/// The host's system CA bundle with the lab CA appended (what the guests trust).
fn ca_bundle(tls: &Tls) -> Result<Vec<u8>> {
    let mut b = fs::read("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    if !b.is_empty() && !b.ends_with(b"\n") {
        b.push(b'\n');
    }
    b.extend_from_slice(
        &fs::read(&tls.ca_crt).with_context(|| format!("reading {}", tls.ca_crt.display()))?,
    );
    Ok(b)
}

/// Render `<guest>/<node>/…`, `<guest>/<node>.macs`, `<guest>/<node>.addrs` and the shared
/// scripts, for the back ends and (with `settings.frontend`) fe1. `product_bin` is copied to
/// /opt/opscode/bin/private-chef-ctl.
pub fn render(
    guest: &Path,
    kernel: &Kernel,
    keys: &SshKeys,
    product_bin: Option<&Path>,
    settings: &GuestSettings,
) -> Result<()> {
    fs::create_dir_all(guest)?;
    write_file(&guest.join("stage2.sh"), 0o755, STAGE2.as_bytes())?;
    write_file(&guest.join("backdoor.sh"), 0o755, BACKDOOR.as_bytes())?;
    write_file(
        &guest.join("bootstrap-primary.sh"),
        0o755,
        BOOTSTRAP_PRIMARY.as_bytes(),
    )?;
    write_file(
        &guest.join("kmoddir"),
        0o644,
        kernel.modules.display().to_string().as_bytes(),
    )?;
    let root_pub = fs::read_to_string(keys.root_key().with_extension("pub"))
        .context("reading the lab's root public key")?;
    let root_priv = fs::read(keys.root_key())?;
    let nodes: Vec<NodeId> = NodeId::ALL
        .into_iter()
        .filter(|n| n.is_backend() || settings.frontend)
        .collect();
    let bundle = ca_bundle(&settings.tls)?;
    let mut known_hosts = String::new();
    for &n in &nodes {
        let hk = fs::read_to_string(keys.host_key(n.name()).with_extension("pub"))?;
        let key = hk.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let mut names = vec![n.fqdn(), n.name(), n.public_ip()];
        if n.is_backend() {
            names.push(n.cluster_ip());
        }
        known_hosts.push_str(&format!("{} {key}\n", names.join(",")));
    }
    for &n in &nodes {
        let (macs, addrs) = if n.is_backend() {
            (
                format!("eth0 {}\neth1 {}\n", n.mac(0), n.mac(1)),
                format!("eth0 {}/24\neth1 {}/24\n", n.public_ip(), n.cluster_ip()),
            )
        } else {
            (
                format!("eth0 {}\n", n.mac(0)),
                format!("eth0 {}/24\n", n.public_ip()),
            )
        };
        write_file(
            &guest.join(format!("{}.macs", n.name())),
            0o644,
            macs.as_bytes(),
        )?;
        write_file(
            &guest.join(format!("{}.addrs", n.name())),
            0o644,
            addrs.as_bytes(),
        )?;
        let r = guest.join(n.name());
        let _ = fs::remove_dir_all(&r);
        let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
        f("etc/hostname", 0o644, format!("{}\n", n.fqdn()).as_bytes())?;
        let mut hosts = String::from("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
        for m in NodeId::ALL {
            if m == NodeId::Fe1 {
                // the api_fqdn is served by the front end
                hosts.push_str(&format!(
                    "{} {} {} chef.lab.example\n",
                    m.public_ip(),
                    m.fqdn(),
                    m.name()
                ));
                continue;
            }
            hosts.push_str(&format!("{} {} {}\n", m.public_ip(), m.fqdn(), m.name()));
            hosts.push_str(&format!("{} {}-cluster\n", m.cluster_ip(), m.name()));
        }
        hosts.push_str(&format!("{VIP} backend.lab.example\n"));
        f("etc/hosts", 0o644, hosts.as_bytes())?;
        f(
            "etc/opscode/private-chef.rb",
            0o644,
            private_chef_rb(settings.frontend).as_bytes(),
        )?;
        f(
            "etc/opscode/chef-server-running.json",
            0o644,
            running_config(settings.frontend).as_bytes(),
        )?;
        // the system CA store (curl, python, the product's rustls-native-certs) trusts the lab CA
        f("etc/ssl/certs/ca-certificates.crt", 0o644, &bundle)?;
        if n.is_backend() {
            render_backend(&r, n, settings)?;
        } else {
            render_frontend(&r, &settings.tls)?;
        }
        if let Some(bin) = product_bin {
            let dst = r.join("opt/opscode/bin/private-chef-ctl");
            fs::create_dir_all(r.join("opt/opscode/bin"))?;
            fs::copy(bin, &dst).with_context(|| format!("copying {}", bin.display()))?;
        }
        f("opt/lab/writer.py", 0o755, WRITER_PY.as_bytes())?;
        // ssh
        f("etc/ssh/lab/sshd_config", 0o644, SSHD_CONFIG.as_bytes())?;
        f(
            "etc/ssh/lab/ssh_host_ed25519_key",
            0o600,
            &fs::read(keys.host_key(n.name()))?,
        )?;
        f(
            "etc/ssh/lab/ssh_host_ed25519_key.pub",
            0o644,
            &fs::read(keys.host_key(n.name()).with_extension("pub"))?,
        )?;
        f("root/.ssh/id_ed25519", 0o600, &root_priv)?;
        f("root/.ssh/id_ed25519.pub", 0o644, root_pub.as_bytes())?;
        f("root/.ssh/authorized_keys", 0o600, root_pub.as_bytes())?;
        // bash sources ~/.bashrc for every command sshd runs; the guests share the host's
        // /root, whose .bashrc may start tools (a pyenv init took 5 s a command under TCG)
        // that a real back end does not have: every peer view would pay for them
        f(
            "root/.bashrc",
            0o644,
            b"# lab guest: nothing to set up (the host's own .bashrc is not for the guests)\n",
        )?;
        f("root/.ssh/known_hosts", 0o644, known_hosts.as_bytes())?;
        f(
            "root/.ssh/config",
            0o644,
            b"Host *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  ConnectTimeout 5\n",
        )?;
        fs::set_permissions(
            r.join("root/.ssh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;
    }
    Ok(())
}

/// The back end's own files: DRBD, keepalived, Redis, the runit services.
fn render_backend(r: &Path, n: NodeId, settings: &GuestSettings) -> Result<()> {
    let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
    // DRBD: Debian's global_common.conf defines `common` too: neutralise it
    f(
        "etc/drbd.d/global_common.conf",
        0o644,
        b"# replaced by the lab: the common section lives in /var/opt/opscode/drbd/etc/drbd.conf\n",
    )?;
    f(
        "var/opt/opscode/drbd/etc/drbd.conf",
        0o644,
        DRBD_CONF.as_bytes(),
    )?;
    f(
        "var/opt/opscode/drbd/etc/pc0.res",
        0o644,
        PC0_RES.as_bytes(),
    )?;
    f(
        "var/opt/opscode/drbd/bin/notify-split-brain.sh",
        0o755,
        SPLIT_BRAIN_SH.as_bytes(),
    )?;
    f("var/opt/opscode/drbd/drbd_ready", 0o644, b"")?;
    fs::create_dir_all(r.join("var/opt/opscode/drbd/data"))?;
    fs::create_dir_all(r.join("etc"))?;
    symlink(
        "/var/opt/opscode/drbd/etc/drbd.conf",
        r.join("etc/drbd.conf"),
    )?;
    // keepalived
    let ka = KEEPALIVED_CONF
        .replace("{{SHORT}}", n.name())
        .replace("{{PRIORITY}}", "100")
        .replace("{{SELF_IP}}", n.public_ip())
        .replace("{{PEER_IP}}", n.peer().public_ip())
        .replace("{{VIP}}", VIP_CIDR)
        .replace("{{NOTIFY}}", &settings.transition_cmd)
        .replace(
            "{{QUORUM_SCRIPT}}",
            if settings.frontend {
                crate::quorum::KEEPALIVED_SCRIPT
            } else {
                ""
            },
        )
        .replace(
            "{{QUORUM_TRACK}}",
            if settings.frontend {
                crate::quorum::KEEPALIVED_TRACK
            } else {
                ""
            },
        );
    f(
        "var/opt/opscode/keepalived/etc/keepalived.conf",
        0o644,
        ka.as_bytes(),
    )?;
    fs::create_dir_all(r.join("var/log/opscode/keepalived"))?;
    f(
        "var/opt/opscode/redis_lb/etc/redis.conf",
        0o644,
        REDIS_CONF.as_bytes(),
    )?;
    // runit
    f(
        "opt/opscode/sv/keepalived/run",
        0o755,
        SV_KEEPALIVED_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/keepalived/log/run",
        0o755,
        SV_KEEPALIVED_LOG_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/postgresql/run",
        0o755,
        SV_POSTGRESQL_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/postgresql/control/t",
        0o755,
        SV_POSTGRESQL_CONTROL_T.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/redis_lb/run",
        0o755,
        SV_REDIS_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/drbd-witness/run",
        0o755,
        SV_DRBD_WITNESS_RUN.as_bytes(),
    )?;
    for s in HA_SERVICES {
        f(&format!("opt/opscode/sv/{s}/keepalive_me"), 0o644, b"")?;
        f(&format!("opt/opscode/sv/{s}/down"), 0o644, b"")?;
    }
    fs::create_dir_all(r.join("opt/opscode/service"))?;
    fs::create_dir_all(r.join("opt/opscode/init"))?;
    // LSB-mode sv (`/opt/opscode/init/<svc>`) resolves names under /etc/service
    symlink("/opt/opscode/service", r.join("etc/service"))?;
    let mut enabled = vec!["drbd-witness", "keepalived", "postgresql", "redis_lb"];
    if settings.frontend {
        crate::quorum::render_backend(r)?;
        enabled.extend(crate::quorum::BACKEND_SERVICES);
    }
    if settings.monitoring {
        render_monitoring(r)?;
        enabled.extend(["node-exporter", "private-chef-metrics"]);
    }
    for s in enabled {
        symlink(
            format!("/opt/opscode/sv/{s}"),
            r.join("opt/opscode/service").join(s),
        )?;
        symlink("/usr/bin/sv", r.join("opt/opscode/init").join(s))?;
    }
    Ok(())
}

/// node_exporter and the product's textfile service (both always up, not `keepalive_me`):
/// the collector reads the file the service rewrites every 15 s.
fn render_monitoring(r: &Path) -> Result<()> {
    let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
    f(
        "opt/opscode/sv/node-exporter/run",
        0o755,
        SV_NODE_EXPORTER_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/private-chef-metrics/run",
        0o755,
        SV_METRICS_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/private-chef-metrics/log/run",
        0o755,
        SV_METRICS_LOG_RUN.as_bytes(),
    )?;
    // the textfile directory as Debian's package makes it (root's, 0755): the service
    // refuses a directory others could write to
    let dir = r.join("var/lib/prometheus/node-exporter");
    fs::create_dir_all(&dir)?;
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    Ok(())
}

/// fe1's own files: its TLS certificate and the `/_status` service (always up).
fn render_frontend(r: &Path, tls: &Tls) -> Result<()> {
    let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
    f(
        "etc/opscode/lab-tls/server.crt",
        0o644,
        &fs::read(&tls.crt).with_context(|| format!("reading {}", tls.crt.display()))?,
    )?;
    f(
        "etc/opscode/lab-tls/server.key",
        0o600,
        &fs::read(&tls.key)?,
    )?;
    f(
        "opt/lab/frontend-status.py",
        0o755,
        FRONTEND_STATUS_PY.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/frontend-status/run",
        0o755,
        SV_FRONTEND_STATUS_RUN.as_bytes(),
    )?;
    fs::create_dir_all(r.join("opt/opscode/service"))?;
    fs::create_dir_all(r.join("opt/opscode/init"))?;
    symlink("/opt/opscode/service", r.join("etc/service"))?;
    symlink(
        "/opt/opscode/sv/frontend-status",
        r.join("opt/opscode/service/frontend-status"),
    )?;
    symlink("/usr/bin/sv", r.join("opt/opscode/init/frontend-status"))?;
    crate::quorum::render_arbiter(r)?;
    let q = crate::quorum::ARBITER_SERVICE;
    symlink(
        format!("/opt/opscode/sv/{q}"),
        r.join("opt/opscode/service").join(q),
    )?;
    symlink("/usr/bin/sv", r.join("opt/opscode/init").join(q))?;
    Ok(())
}
