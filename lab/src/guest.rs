//! The guests' files: rendered per node into `<run>/guest/<node>/` and copied over the
//! overlay root by the guest's stage 2 script at every boot.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cache::{write_file, Kernel, SshKeys};
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

/// The documented topology file for the pair.
pub const PRIVATE_CHEF_RB: &str = r#"topology "ha"
server "be1.lab.example", :ipaddress => "198.51.100.11", :role => "backend", :bootstrap => true, :cluster_ipaddress => "192.0.2.11"
server "be2.lab.example", :ipaddress => "198.51.100.12", :role => "backend", :cluster_ipaddress => "192.0.2.12"
backend_vip "backend.lab.example", :ipaddress => "198.51.100.10/24", :device => "eth0"
api_fqdn "chef.lab.example"
"#;

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
}

fn running_config() -> String {
    let v = serde_json::json!({
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
    format!("{v:#}\n")
}

/// Render `<guest>/<node>/…`, `<guest>/<node>.macs`, `<guest>/<node>.addrs` and the shared
/// scripts. `product_bin` is copied to /opt/opscode/bin/private-chef-ctl.
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
    let mut known_hosts = String::new();
    for n in NodeId::ALL {
        let hk = fs::read_to_string(keys.host_key(n.name()).with_extension("pub"))?;
        let key = hk.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        known_hosts.push_str(&format!(
            "{},{},{},{} {key}\n",
            n.fqdn(),
            n.name(),
            n.public_ip(),
            n.cluster_ip()
        ));
    }
    for n in NodeId::ALL {
        let peer = n.peer();
        write_file(
            &guest.join(format!("{}.macs", n.name())),
            0o644,
            format!("eth0 {}\neth1 {}\n", n.mac(0), n.mac(1)).as_bytes(),
        )?;
        write_file(
            &guest.join(format!("{}.addrs", n.name())),
            0o644,
            format!("eth0 {}/24\neth1 {}/24\n", n.public_ip(), n.cluster_ip()).as_bytes(),
        )?;
        let r = guest.join(n.name());
        let _ = fs::remove_dir_all(&r);
        let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
        f("etc/hostname", 0o644, format!("{}\n", n.fqdn()).as_bytes())?;
        let mut hosts = String::from("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
        for m in NodeId::ALL {
            hosts.push_str(&format!("{} {} {}\n", m.public_ip(), m.fqdn(), m.name()));
            hosts.push_str(&format!("{} {}-cluster\n", m.cluster_ip(), m.name()));
        }
        hosts.push_str(&format!("{VIP} backend.lab.example chef.lab.example\n"));
        f("etc/hosts", 0o644, hosts.as_bytes())?;
        f(
            "etc/opscode/private-chef.rb",
            0o644,
            PRIVATE_CHEF_RB.as_bytes(),
        )?;
        f(
            "etc/opscode/chef-server-running.json",
            0o644,
            running_config().as_bytes(),
        )?;
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
            .replace("{{PEER_IP}}", peer.public_ip())
            .replace("{{VIP}}", VIP_CIDR)
            .replace("{{NOTIFY}}", &settings.transition_cmd);
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
        for s in ["drbd-witness", "keepalived", "postgresql", "redis_lb"] {
            symlink(
                format!("/opt/opscode/sv/{s}"),
                r.join("opt/opscode/service").join(s),
            )?;
            symlink("/usr/bin/sv", r.join("opt/opscode/init").join(s))?;
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
