//! The keepalived, VIP, cluster-status, service, peer and front-end families.

use super::{flag, maybe, Exposition, Kind};
use crate::model::frontend::{Outcome, Pong};
use crate::model::monitor::Sample;
use crate::model::PeerView;

/// The VRRP states keepalived notifies (the words of the cluster status files, in
/// keepalived's upper case).
pub const VRRP_STATES: &[&str] = &["MASTER", "BACKUP", "FAULT", "STOP"];

/// The cluster status words.
pub const CLUSTER_STATES: &[&str] = &["master", "backup", "fault", "stop"];

pub fn families(e: &mut Exposition, s: &Sample) {
    e.single(
        "chef_ha_keepalived_up",
        Kind::Gauge,
        "Whether the keepalived service runs here (NaN: not an enabled service, or its state is unreadable).",
        &[],
        maybe(s.keepalived_up()),
    );
    let requested = s.status.cluster_status.requested.as_deref();
    let vrrp = requested.map(|r| r.to_ascii_uppercase());
    e.state_set(
        "chef_ha_vrrp_state",
        "The VRRP state keepalived last notified (requested_cluster_status), one series per state.",
        &[],
        "state",
        VRRP_STATES,
        vrrp.as_deref(),
    );
    e.family(
        "chef_ha_cluster_status",
        Kind::Gauge,
        "The requested and the current cluster status (the state files), one series per state.",
    );
    for (kind, v) in [
        ("requested", requested),
        ("current", s.status.cluster_status.current.as_deref()),
    ] {
        e.state_samples(&[("kind", kind)], "state", CLUSTER_STATES, v);
    }
    let cluster_known = s.probe("cluster_status").is_some_and(|p| p.success);
    e.single(
        "chef_ha_transition_error",
        Kind::Gauge,
        "Whether the last cluster transition failed and recorded its reason.",
        &[],
        if cluster_known || s.transition_error.is_some() {
            flag(s.transition_error.is_some())
        } else {
            f64::NAN
        },
    );
    let vip = s.vip.clone().unwrap_or_default();
    let ifname = s.vip_interface.clone().unwrap_or_default();
    e.single(
        "chef_ha_vip_present",
        Kind::Gauge,
        "Whether the back-end VIP is bound on this node.",
        &[("vip", &vip), ("interface", &ifname)],
        maybe(s.vip_present),
    );
    e.single(
        "chef_ha_vrrp_interface_present",
        Kind::Gauge,
        "Whether the VRRP interface exists on this node.",
        &[("interface", &ifname)],
        maybe(s.vrrp_interface_present),
    );
    e.single(
        "chef_ha_data_dir_mounted",
        Kind::Gauge,
        "Whether the DRBD data directory is mounted on this node.",
        &[],
        maybe(s.data_dir_mounted),
    );
    services(e, s);
    e.family(
        "chef_ha_replication_address_up",
        Kind::Gauge,
        "Whether the DRBD replication address answers a ping, by link (primary, secondary).",
    );
    for l in &s.links {
        let a = l.address.clone().unwrap_or_default();
        e.sample(&[("link", &l.link), ("address", &a)], maybe(l.up));
    }
    peer(e, s);
    frontends(e, s);
}

fn services(e: &mut Exposition, s: &Sample) {
    let master = s.is_master();
    e.family(
        "chef_ha_service_up",
        Kind::Gauge,
        "Whether the enabled service runs (NaN: its state is unreadable).",
    );
    for svc in s.services.iter().flatten() {
        e.sample(&[("service", &svc.name)], maybe(svc.up));
    }
    e.family(
        "chef_ha_service_want_up",
        Kind::Gauge,
        "Whether the service should run here: an HA service on the master only, any other always.",
    );
    for svc in s.services.iter().flatten() {
        e.sample(&[("service", &svc.name)], flag(svc.wanted_up(master)));
    }
}

fn peer(e: &mut Exposition, s: &Sample) {
    let (up, current) = match &s.status.peer {
        None => (f64::NAN, None),
        Some(PeerView::Reachable { view }) => (1.0, view.cluster_status.current.clone()),
        Some(_) => (0.0, None),
    };
    e.single(
        "chef_ha_peer_up",
        Kind::Gauge,
        "Whether the peer's ha-status could be read over ssh (NaN: not asked).",
        &[],
        up,
    );
    e.state_set(
        "chef_ha_peer_cluster_status",
        "The peer's current cluster status as it reported it, one series per state (all 0: not read).",
        &[],
        "state",
        CLUSTER_STATES,
        current.as_deref(),
    );
}

fn frontends(e: &mut Exposition, s: &Sample) {
    let fronts = s.status.frontends.as_deref().unwrap_or_default();
    e.family(
        "chef_ha_frontend_up",
        Kind::Gauge,
        "Whether the front end's /_status answers 200 with every upstream pong.",
    );
    for f in fronts {
        e.sample(&[("frontend", &f.name)], flag(f.outcome == Outcome::Pong));
    }
    e.family(
        "chef_ha_frontend_upstream_up",
        Kind::Gauge,
        "Whether the upstream is pong in the front end's /_status.",
    );
    for f in fronts {
        for (u, p) in &f.upstreams {
            e.sample(
                &[("frontend", &f.name), ("upstream", u)],
                flag(*p == Pong::Pong),
            );
        }
    }
    e.family(
        "chef_ha_frontend_http_status",
        Kind::Gauge,
        "The HTTP status of the front end's /_status (0: no HTTP answer).",
    );
    for f in fronts {
        let code = f.http_status.map(f64::from).unwrap_or(0.0);
        e.sample(&[("frontend", &f.name)], code);
    }
    e.family(
        "chef_ha_frontend_request_duration_seconds",
        Kind::Gauge,
        "How long the front end's /_status took to answer (or to fail), seconds.",
    );
    for f in fronts {
        e.sample(&[("frontend", &f.name)], f.latency_ms as f64 / 1000.0);
    }
}
