//! What `stop keepalived` / `start keepalived` watch while they follow a failover: one
//! [`Observation`] of this node, read from files, getifaddrs and one bounded ping.

use std::time::Duration;

use crate::config::Config;
use crate::drbd::ProcDrbd;
pub use crate::model::failover::Observation;
use crate::observe::host;
use crate::service::{self, KEEPALIVED};

fn last_line(path: &std::path::Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let start = len.saturating_sub(4096);
    f.seek(SeekFrom::Start(start)).ok()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.to_string())
}

/// Reads the observation (files, getifaddrs, one bounded ping of the VIP).
pub fn observe(cfg: &Config, ping_vip: bool) -> Observation {
    let p = &cfg.paths;
    let m = service::manager_for(p);
    let drbd: Option<ProcDrbd> = crate::drbd::read(&p.proc_drbd).ok();
    let minor = host::drbd_minor(&p.drbd_device).unwrap_or(0);
    let dev = drbd
        .as_ref()
        .and_then(|d| d.devices.iter().find(|x| x.minor == minor).cloned());
    let vip = cfg.vip();
    let vip_here = match (&vip, host::interfaces()) {
        (Some(v), Ok(ifs)) => Some(host::has_address(&ifs, &v.device, v.address, v.prefix)),
        _ => None,
    };
    let vip_answers = match (&vip, ping_vip) {
        (Some(v), true) => host::ping(v.address, Duration::from_millis(500)).ok(),
        _ => None,
    };
    Observation {
        keepalived: m.status(KEEPALIVED).state,
        requested: host::read_state_file(&p.requested_status).ok(),
        current: host::read_state_file(&p.current_status).ok(),
        vip_here,
        vip_answers,
        cs: dev.as_ref().map(|d| d.cs.clone()),
        role: dev.as_ref().and_then(|d| d.role.clone()),
        peer_role: dev.as_ref().and_then(|d| d.peer_role.clone()),
        disk: dev.as_ref().and_then(|d| d.disk.clone()),
        peer_disk: dev.as_ref().and_then(|d| d.peer_disk.clone()),
        mounted: std::fs::read_to_string(&p.proc_mounts)
            .ok()
            .map(|m| host::is_mounted(&m, &p.drbd_data_dir)),
        last_log: last_line(&p.cluster_log),
    }
}
