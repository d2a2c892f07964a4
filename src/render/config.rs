//! `show-config`: the effective topology and paths as text (tables) and as JSON.

use comfy_table::{presets::UTF8_BORDERS_ONLY, Table};
use serde_json::{json, Value as Json};

use crate::config::Config;

/// The stable JSON form of the effective configuration.
pub fn to_json(config: &Config) -> Json {
    let vip = config.vip();
    let backend_vip = vip.map(|v| {
        let bv = config.topology.backend_vip.as_ref();
        json!({
            "fqdn": bv.map(|b| b.fqdn.clone()),
            "address": v.address.to_string(),
            "prefix": v.prefix,
            "device": v.device,
            "heartbeat_device": bv.and_then(|b| b.heartbeat_device.clone()),
        })
    });
    let servers: Vec<Json> = config
        .topology
        .servers
        .iter()
        .map(|s| {
            json!({
                "fqdn": s.fqdn,
                "ipaddress": s.ipaddress.to_string(),
                "role": s.role.to_string(),
                "bootstrap": s.bootstrap,
                "cluster_ipaddress": s.cluster_ipaddress.map(|ip| ip.to_string()),
            })
        })
        .collect();
    json!({
        "source": config.source.display().to_string(),
        "topology": config.kind().to_string(),
        "servers": servers,
        "backend_vip": backend_vip,
        "vrrp_interface": config.vrrp_interface(),
        "api_fqdn": config.topology.api_fqdn,
        "keepalived_enabled": config.keepalived_enabled(),
        "drbd_enabled": config.drbd_enabled(),
        "drbd": {
            "primary_ip": config.drbd_primary_ip().map(|ip| ip.to_string()),
            "secondary_ip": config.drbd_secondary_ip().map(|ip| ip.to_string()),
            "port": config.drbd_port(),
            "resource": config.paths.drbd_resource,
        },
        "quorum": {
            "arbiter": config.quorum_settings().arbiter,
            "peer_stop_after_secs": config.quorum_settings().peer_stop_after.as_secs(),
            "self_fence_after_secs": config.quorum_settings().self_fence_after.as_secs(),
        },
        "paths": serde_json::to_value(&config.paths).unwrap_or(Json::Null),
        "skipped": config.skipped,
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn or_dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| "-".to_string())
}

/// The human form: a summary, the servers, the paths and (verbose) the skipped lines.
pub fn render_text(config: &Config, verbose: bool) -> String {
    let mut out = String::new();
    let line = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<20} {v}\n"));
    line(
        &mut out,
        "Configuration:",
        config.source.display().to_string(),
    );
    line(&mut out, "Topology:", config.kind().to_string());
    line(
        &mut out,
        "API FQDN:",
        or_dash(config.topology.api_fqdn.clone()),
    );
    line(
        &mut out,
        "keepalived enabled:",
        yes_no(config.keepalived_enabled()).to_string(),
    );
    line(
        &mut out,
        "DRBD enabled:",
        yes_no(config.drbd_enabled()).to_string(),
    );
    let vip = config.vip().map(|v| {
        let name = config
            .topology
            .backend_vip
            .as_ref()
            .map(|b| format!("{} ", b.fqdn))
            .unwrap_or_default();
        let prefix = v.prefix.map(|p| format!("/{p}")).unwrap_or_default();
        format!("{name}{}{prefix} dev {}", v.address, v.device)
    });
    line(&mut out, "Backend VIP:", or_dash(vip));
    line(
        &mut out,
        "VRRP interface:",
        or_dash(config.vrrp_interface()),
    );
    line(
        &mut out,
        "DRBD:",
        format!(
            "primary {}, secondary {}, port {}, resource {}",
            or_dash(config.drbd_primary_ip().map(|i| i.to_string())),
            or_dash(config.drbd_secondary_ip().map(|i| i.to_string())),
            config.drbd_port(),
            config.paths.drbd_resource
        ),
    );
    let q = config.quorum_settings();
    line(
        &mut out,
        "Quorum:",
        match &q.arbiter {
            Some(a) => format!(
                "on, arbiter {a}; the peer counted stopped after {} s outside the partition; self-fence after {} s",
                q.peer_stop_after.as_secs(),
                q.self_fence_after.as_secs()
            ),
            None => "off (no ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one".to_string(),
        },
    );

    out.push_str("\nServers:\n");
    if config.topology.servers.is_empty() {
        out.push_str("  (none)\n");
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY);
        t.set_header(vec![
            "FQDN",
            "Role",
            "IP address",
            "Cluster IP",
            "Bootstrap",
            "DRBD",
        ]);
        for s in &config.topology.servers {
            t.add_row(vec![
                s.fqdn.clone(),
                s.role.to_string(),
                s.ipaddress.to_string(),
                or_dash(s.cluster_ipaddress.map(|i| i.to_string())),
                yes_no(s.bootstrap).to_string(),
                config.drbd_role_of(s).unwrap_or("-").to_string(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }

    out.push_str("\nPaths:\n");
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    t.set_header(vec!["Name", "Value"]);
    if let Ok(Json::Object(map)) = serde_json::to_value(&config.paths) {
        for (k, v) in map {
            let v = match v {
                Json::String(s) => s,
                other => other.to_string(),
            };
            t.add_row(vec![k, v]);
        }
    }
    out.push_str(&format!("{t}\n"));

    if verbose {
        out.push_str("\nSkipped lines:\n");
        if config.skipped.is_empty() {
            out.push_str("  (none)\n");
        }
        for s in &config.skipped {
            out.push_str(&format!("  line {}: {}\n", s.line, s.text));
        }
    } else if !config.skipped.is_empty() {
        out.push_str(&format!(
            "\n{} line(s) skipped (no effect on the HA commands; --verbose lists them)\n",
            config.skipped.len()
        ));
    }
    out
}
