//! The one place that reads the host to build a node [`NodeState`]. Every source that
//! cannot be read becomes an explicit [`Known::Unknown`] naming it, never a default.
//! It forks `drbdsetup show` and `drbdadm dump all` (the DRBD resource's running
//! configuration, in parallel with the pings, each bounded), `corosync-quorumtool -s`
//! when quorum is on (in parallel too, bounded) and `ping -6` for IPv6
//! replication addresses; the rest is files, getifaddrs and an in-process ICMP echo.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::{Config, Paths};
use crate::model::{Known, NodeState, Reachability, ServiceFact, VipSpec};
use crate::observe::host;
use crate::service;

/// How long a replication address may take to answer (both are pinged in parallel).
pub const PING_TIMEOUT: Duration = Duration::from_secs(1);

fn exists(p: &Path) -> Known<bool> {
    match p.try_exists() {
        Ok(b) => Known::Known(b),
        Err(e) => Known::Unknown(format!("{}: {}", p.display(), crate::sys::io_reason(&e))),
    }
}

fn service_facts(paths: &Paths) -> Known<Vec<ServiceFact>> {
    let m = service::manager_for(paths);
    match service::enabled_states(m.as_ref()) {
        Ok(states) => Known::Known(
            states
                .into_iter()
                .map(|st| ServiceFact {
                    up: match &st.state {
                        service::State::Unknown { reason } => Known::Unknown(reason.clone()),
                        s => Known::Known(s.is_up()),
                    },
                    name: st.name,
                    ha: st.ha,
                })
                .collect(),
        ),
        Err(e) => Known::Unknown(format!("{e:#}")),
    }
}

/// The state of a node whose topology could not be loaded: only check 1 runs.
pub fn config_failed(err: String) -> NodeState {
    fn unread<T>() -> Known<T> {
        Known::Unknown("not read: no topology".to_string())
    }
    let p = Paths::default();
    NodeState {
        config_error: Some(err),
        keepalived_enabled: false,
        drbd_enabled: false,
        drbd_disk_exists: unread(),
        drbd_device_exists: unread(),
        requested_status: unread(),
        current_status: unread(),
        transition_failure: None,
        vip: None,
        vip_present: unread(),
        vrrp_interface: None,
        vrrp_interface_exists: unread(),
        drbd_minor: 0,
        drbd: unread(),
        drbd_resource: p.drbd_resource.clone(),
        drbd_config: unread(),
        data_dir_mounted: unread(),
        primary: Reachability {
            address: None,
            reachable: unread(),
        },
        secondary: Reachability {
            address: None,
            reachable: unread(),
        },
        services: unread(),
        // without a topology the arbiter is not known; the checks stop before quorum
        quorum: crate::model::QuorumView::Off,
        proc_drbd_path: p.proc_drbd,
        drbd_disk: p.drbd_disk,
        drbd_device: p.drbd_device,
        data_dir: p.drbd_data_dir,
    }
}

/// Reads this node's state for the ha-status checks, with the topology at `config`.
pub fn snapshot(config: &Path) -> NodeState {
    match Config::load(config) {
        Ok(cfg) => snapshot_with(&cfg),
        Err(e) => config_failed(format!("{e:#}")),
    }
}

/// Reads this node's state, given its configuration.
pub fn snapshot_with(cfg: &Config) -> NodeState {
    snapshot_timed(cfg).0
}

/// How long each source took to read, by the names of [`crate::model::monitor::PROBES`].
pub type Timings = Vec<(&'static str, Duration)>;

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

/// Reads this node's state, and how long each source took (`metrics` reports it: a slow
/// source is what makes a scrape or a check time out).
pub fn snapshot_timed(cfg: &Config) -> (NodeState, Timings) {
    let paths = &cfg.paths;
    // Start the pings first: they are the only thing that waits.
    let primary_ip = cfg.drbd_primary_ip();
    let secondary_ip = cfg.drbd_secondary_ip();
    let (pings, (drbd_config, t_config), (quorum, t_quorum), rest) = std::thread::scope(|scope| {
        let pinger =
            scope.spawn(|| timed(|| host::ping_all(&[primary_ip, secondary_ip], PING_TIMEOUT)));
        // the only other source that may wait (up to its timeout): DRBD's configuration lock
        let configured = scope.spawn(|| timed(|| super::drbd_config::read(&paths.drbd_resource)));
        // corosync-quorumtool may wait up to its timeout too; with quorum off nothing runs
        let quorum = scope.spawn(|| timed(|| super::quorum::read(&cfg.quorum_settings())));
        let (ifs, t_ifs) = timed(|| {
            host::interfaces().map_err(|e| format!("getifaddrs: {}", crate::sys::io_reason(&e)))
        });
        let vip = cfg.vip().map(|v| VipSpec {
            address: v.address,
            prefix: v.prefix,
            device: v.device.clone(),
        });
        let vip_present = match (&vip, &ifs) {
            (Some(v), Ok(ifs)) => {
                Known::Known(host::has_address(ifs, &v.device, v.address, v.prefix))
            }
            (_, Err(e)) => Known::Unknown(e.clone()),
            (None, Ok(_)) => Known::Unknown("no VIP configured".to_string()),
        };
        let vrrp_interface = cfg.vrrp_interface();
        let vrrp_interface_exists = match (&vrrp_interface, &ifs) {
            (Some(i), Ok(ifs)) => Known::Known(host::has_interface(ifs, i)),
            (_, Err(e)) => Known::Unknown(e.clone()),
            (None, Ok(_)) => Known::Unknown("no VRRP interface configured".to_string()),
        };
        let (mounted, t_mounts) = timed(|| match std::fs::read_to_string(&paths.proc_mounts) {
            Ok(m) => Known::Known(host::is_mounted(&m, &paths.drbd_data_dir)),
            Err(e) => Known::Unknown(format!(
                "{}: {}",
                paths.proc_mounts.display(),
                crate::sys::io_reason(&e)
            )),
        });
        let (drbd, t_drbd) = timed(|| Known::from_result(crate::drbd::read(&paths.proc_drbd)));
        let (services, t_services) = timed(|| service_facts(paths));
        let rest = (
            vip,
            vip_present,
            vrrp_interface,
            vrrp_interface_exists,
            mounted,
            drbd,
            services,
            [
                ("interfaces", t_ifs),
                ("mounts", t_mounts),
                ("drbd", t_drbd),
                ("services", t_services),
            ],
        );
        let pings = pinger
            .join()
            .unwrap_or_else(|_| (vec![None, None], Duration::ZERO));
        let configured = configured.join().unwrap_or_else(|_| {
            let why = "reading the DRBD configuration failed".to_string();
            (Known::Unknown(why), Duration::ZERO)
        });
        let quorum = quorum.join().unwrap_or_else(|_| {
            let q = match cfg.quorum_settings().arbiter {
                None => crate::model::QuorumView::Off,
                Some(arbiter) => crate::model::QuorumView::On {
                    arbiter,
                    status: Known::Unknown("reading corosync's quorum failed".to_string()),
                },
            };
            (q, Duration::ZERO)
        });
        (pings, configured, quorum, rest)
    });
    let (
        vip,
        vip_present,
        vrrp_interface,
        vrrp_interface_exists,
        data_dir_mounted,
        drbd,
        services,
        times,
    ) = rest;
    let (pings, t_ping) = pings;
    let reach = |addr, r: Option<&Option<Result<bool, String>>>| Reachability {
        address: addr,
        reachable: match r {
            Some(Some(Ok(b))) => Known::Known(*b),
            Some(Some(Err(e))) => Known::Unknown(e.clone()),
            _ => Known::Unknown("no address configured".to_string()),
        },
    };
    let ((requested_status, current_status, transition_failure), t_status) = timed(|| {
        (
            Known::from_result(host::read_state_file(&paths.requested_status)),
            Known::from_result(host::read_state_file(&paths.current_status)),
            transition_failure(paths),
        )
    });
    let state = NodeState {
        config_error: None,
        keepalived_enabled: cfg.keepalived_enabled(),
        drbd_enabled: cfg.drbd_enabled(),
        drbd_disk: paths.drbd_disk.clone(),
        drbd_disk_exists: exists(&paths.drbd_disk),
        drbd_device: paths.drbd_device.clone(),
        drbd_device_exists: exists(&paths.drbd_device),
        requested_status,
        current_status,
        transition_failure,
        vip,
        vip_present,
        vrrp_interface,
        vrrp_interface_exists,
        drbd_minor: host::drbd_minor(&paths.drbd_device).unwrap_or(0),
        proc_drbd_path: paths.proc_drbd.clone(),
        drbd,
        drbd_resource: paths.drbd_resource.clone(),
        drbd_config,
        data_dir: paths.drbd_data_dir.clone(),
        data_dir_mounted,
        primary: reach(primary_ip, pings.first()),
        secondary: reach(secondary_ip, pings.get(1)),
        services,
        quorum,
    };
    let mut timings: Timings = times.to_vec();
    timings.push(("replication_ping", t_ping));
    timings.push(("cluster_status", t_status));
    timings.push(("drbd_config", t_config));
    timings.push(("quorum", t_quorum));
    (state, timings)
}

/// The file a failed transition writes its reason to, beside `current_cluster_status`.
pub fn transition_error_file(paths: &Paths) -> std::path::PathBuf {
    let mut p = paths.current_status.clone().into_os_string();
    p.push(".error");
    p.into()
}

fn transition_failure(paths: &Paths) -> Option<String> {
    let s = std::fs::read_to_string(transition_error_file(paths)).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}
