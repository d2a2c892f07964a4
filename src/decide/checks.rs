//! The `ha-status` checks: pure functions over the [`NodeState`] of one node.
//!
//! The checks, their order, their `[OK]`/`[WARN]`/`[ERROR]` lines and their codes are
//! Enterprise Chef 11's (`chef-ha-ctl.md` §4.1), with these deliberate differences:
//!
//! * the exit code is the **first** failing check's code (the original kept the last);
//! * a missing or unreadable source is an `[UNKNOWN]` line naming the source, with the
//!   code of the check it belongs to — never a crash, never a silent pass;
//! * a missing cluster state file is an `[ERROR]` line (code 2), not an exception;
//! * the VIP must match exactly (address, and prefix when one is configured);
//! * the DRBD check looks at the resource's own minor (from the device path), not the
//!   first `cs:` line of `/proc/drbd`;
//! * a failed transition's recorded reason is shown beside the cluster status.
//!
//! Checks 1–5 are preconditions: when one fails, the run stops there with code 1.
//!
//! Two DRBD checks are new, both code 4, after the DRBD state: `drbd_io` (writes frozen
//! while resource-level fencing waits for the peer to be proven outdated; only when the
//! resource's device is in /proc/drbd) and `drbd_fencing` (the running configuration can
//! lose acknowledged writes, see [`super::fencing`]).
//!
//! One check is new, code 10, right after the preconditions: `quorum` ([`quorum`] has its
//! table). Its `[WARN]` lines are advisory (code 0: the exit code is unchanged): no
//! arbiter configured, or the arbiter's vote missing while this node still serves.

mod quorum;

pub use quorum::quorum_check;

use crate::model::{code, Check, Known, NodeState, Reachability, Report, ServiceFact, Status};

fn finish(checks: Vec<Check>) -> Report {
    Report::from_checks(checks)
}

/// Runs every check over the snapshot, in the original's order.
pub fn run_checks(s: &NodeState) -> Report {
    let mut checks = Vec::new();

    // 1. the topology could be read (the original: "reconfigure has run").
    if let Some(e) = &s.config_error {
        checks.push(Check::error(
            "config",
            code::PRECONDITION,
            format!("cannot check HA status without the topology: {e}"),
        ));
        return finish(checks);
    }
    // 2. keepalived enabled
    if s.keepalived_enabled {
        checks.push(Check::ok(
            "keepalived_enabled",
            code::PRECONDITION,
            "keepalived HA services enabled.",
        ));
    } else {
        checks.push(Check::error(
            "keepalived_enabled",
            code::PRECONDITION,
            "keepalived HA services not enabled, please configure keepalived according to documentation.",
        ));
        return finish(checks);
    }
    // 3. DRBD enabled
    if s.drbd_enabled {
        checks.push(Check::ok(
            "drbd_enabled",
            code::PRECONDITION,
            "DRBD disk replication enabled.",
        ));
    } else {
        checks.push(Check::error(
            "drbd_enabled",
            code::PRECONDITION,
            "DRBD disk replication services not enabled, please configure DRBD according to documentation.",
        ));
        return finish(checks);
    }
    // 4. backing device
    let disk = s.drbd_disk.display();
    match &s.drbd_disk_exists {
        Known::Known(true) => checks.push(Check::ok(
            "drbd_disk",
            code::PRECONDITION,
            format!("DRBD partition {disk} found."),
        )),
        Known::Known(false) => {
            checks.push(Check::error(
                "drbd_disk",
                code::PRECONDITION,
                format!("DRBD partition {disk} not found, please FIXME."),
            ));
            return finish(checks);
        }
        Known::Unknown(why) => {
            checks.push(Check::unknown(
                "drbd_disk",
                code::PRECONDITION,
                format!("cannot tell whether DRBD partition {disk} exists: {why}"),
            ));
            return finish(checks);
        }
    }
    // 5. DRBD device (module loaded, resource up)
    let dev = s.drbd_device.display();
    match &s.drbd_device_exists {
        Known::Known(true) => checks.push(Check::ok(
            "drbd_device",
            code::PRECONDITION,
            format!("DRBD device {dev} found."),
        )),
        Known::Known(false) => {
            checks.push(Check::error(
                "drbd_device",
                code::PRECONDITION,
                format!("DRBD device {dev} not found, please FIXME."),
            ));
            return finish(checks);
        }
        Known::Unknown(why) => {
            checks.push(Check::unknown(
                "drbd_device",
                code::PRECONDITION,
                format!("cannot tell whether DRBD device {dev} exists: {why}"),
            ));
            return finish(checks);
        }
    }

    checks.push(quorum_check(&s.quorum));
    checks.push(cluster_status_check(s));
    let master = s.is_master();
    checks.push(vip_check(s, master));
    checks.push(vrrp_interface_check(s));
    checks.push(drbd_state_check(s, master));
    checks.extend(io_check(s));
    checks.push(fencing_check(s));
    checks.push(mount_check(s, master));
    checks.push(ping_check("drbd_primary_ip", "primary", &s.primary));
    checks.push(ping_check("drbd_secondary_ip", "secondary", &s.secondary));
    checks.extend(service_checks(s, master));
    finish(checks)
}

fn cluster_status_check(s: &NodeState) -> Check {
    let id = "cluster_status";
    let c = code::CLUSTER_STATUS;
    let mut check = match (&s.requested_status, &s.current_status) {
        (Known::Known(r), Known::Known(cur)) if r == cur => {
            Check::ok(id, c, format!("cluster status = {cur}"))
        }
        (Known::Known(r), Known::Known(cur)) => Check::new(
            id,
            Status::Warn,
            c,
            format!(
                "inconsistent cluster status, requested: {r}, current: {cur}, failover running?"
            ),
        ),
        (Known::Unknown(why), _) | (_, Known::Unknown(why)) => {
            Check::error(id, c, format!("cannot read cluster status: {why}"))
        }
    };
    if let Some(reason) = &s.transition_failure {
        // issue 10: a refused promotion (data may be stale) is an error naming the fix
        if check.status == Status::Ok || reason.contains(crate::decide::promote::REFUSAL_MARK) {
            check = Check::error(id, c, check.message);
        }
        check
            .message
            .push_str(&format!(" (last transition failed: {reason})"));
    }
    check
}

fn vip_check(s: &NodeState, master: bool) -> Check {
    let id = "vip";
    let c = code::VIP;
    let Some(vip) = &s.vip else {
        return Check::error(
            id,
            c,
            "no backend_vip configured in the topology, cannot check the VIP",
        );
    };
    match (&s.vip_present, master) {
        (Known::Known(true), true) => Check::ok(id, c, "found VIP IP address and I am master"),
        (Known::Known(false), false) => {
            Check::ok(id, c, "did not find VIP IP address and I am not master")
        }
        (Known::Known(true), false) => {
            Check::error(id, c, "found VRRP address and I am not master")
        }
        (Known::Known(false), true) => {
            Check::error(id, c, "did not find VIP IP address and I am master")
        }
        (Known::Unknown(why), _) => Check::unknown(
            id,
            c,
            format!(
                "cannot tell whether the VIP {} is on {}: {why}",
                vip.address, vip.device
            ),
        ),
    }
}

fn vrrp_interface_check(s: &NodeState) -> Check {
    let id = "vrrp_interface";
    let c = code::VRRP_INTERFACE;
    let Some(ifname) = &s.vrrp_interface else {
        return Check::error(
            id,
            c,
            "no VRRP communications interface configured (backend_vip :device)",
        );
    };
    match &s.vrrp_interface_exists {
        Known::Known(true) => Check::ok(
            id,
            c,
            format!("found VRRP communications interface {ifname}"),
        ),
        Known::Known(false) => Check::error(
            id,
            c,
            format!("VRRP communications interface {ifname} not found."),
        ),
        Known::Unknown(why) => Check::unknown(
            id,
            c,
            format!("cannot tell whether VRRP communications interface {ifname} exists: {why}"),
        ),
    }
}

fn drbd_state_check(s: &NodeState, master: bool) -> Check {
    let id = "drbd_state";
    let c = code::DRBD_STATE;
    let proc = match &s.drbd {
        Known::Known(p) => p,
        Known::Unknown(why) => {
            return Check::unknown(id, c, format!("cannot read DRBD status: {why}"))
        }
    };
    let Some(dev) = proc.devices.iter().find(|d| d.minor == s.drbd_minor) else {
        let what = if proc.is_drbd9_without_devices() {
            format!(
                "{} is DRBD 9 and lists no devices",
                s.proc_drbd_path.display()
            )
        } else {
            format!(
                "minor {} ({}) is not in {}",
                s.drbd_minor,
                s.drbd_device.display(),
                s.proc_drbd_path.display()
            )
        };
        return if master {
            Check::error(id, c, format!("my DRBD status is: {what}"))
        } else {
            Check::error(id, c, format!("my DRBD status is {what}"))
        };
    };
    let name = |o: Option<&str>| o.unwrap_or("").to_string();
    let cs = dev.cs.as_str().to_string();
    let role = name(dev.role.as_ref().map(|r| r.as_str()));
    let peer_role = name(dev.peer_role.as_ref().map(|r| r.as_str()));
    let disk = name(dev.disk.as_ref().map(|d| d.as_str()));
    let peer_disk = name(dev.peer_disk.as_ref().map(|d| d.as_str()));
    let healthy_pair = cs == "Connected" && disk == "UpToDate" && peer_disk == "UpToDate";
    if master {
        if healthy_pair && role == "Primary" && peer_role == "Secondary" {
            Check::ok(
                id,
                c,
                "my DRBD status is Connected/Primary/UpToDate and I am master",
            )
        } else {
            Check::error(id, c, format!("my DRBD status is: {}", dev.state_line))
        }
    } else if healthy_pair && role == "Secondary" && peer_role == "Primary" {
        Check::ok(
            id,
            c,
            "my DRBD status is Connected/Secondary/UpToDate and I am not master",
        )
    } else {
        // The original prints no colon here; kept for compatibility.
        Check::error(id, c, format!("my DRBD status is {}", dev.state_line))
    }
}

/// Writes frozen: the first I/O flag is `s`. `None` when the device is not in /proc/drbd
/// (the DRBD state check already says so).
fn io_check(s: &NodeState) -> Option<Check> {
    let id = "drbd_io";
    let c = code::DRBD_STATE;
    let res = &s.drbd_resource;
    let dev = s.drbd.known()?.device(s.drbd_minor)?;
    if dev.is_unconfigured() {
        return None;
    }
    if !dev.io_suspended() {
        return Some(Check::ok(
            id,
            c,
            format!("I/O on DRBD resource {res} is running"),
        ));
    }
    let msg = if dev.role == Some(crate::drbd::Role::Primary) {
        format!(
            "writes to DRBD resource {res} are frozen (I/O suspended): the peer is not yet proven outdated (its fence-peer handler is running, or it failed). Restore the replication link or let the handler finish; only once the peer is known to be down or outdated: drbdadm resume-io {res} (it resumes without outdating the peer)"
        )
    } else {
        format!(
            "I/O on DRBD resource {res} is suspended (flags {}): drbdadm resume-io {res} once the cause is known",
            dev.io_flags.as_deref().unwrap_or("?")
        )
    };
    Some(Check::error(id, c, msg))
}

/// Can the running resource lose acknowledged writes ([`super::fencing`])?
fn fencing_check(s: &NodeState) -> Check {
    let id = "drbd_fencing";
    let c = code::DRBD_STATE;
    let res = &s.drbd_resource;
    let cfg = match &s.drbd_config {
        Known::Known(cfg) => cfg,
        Known::Unknown(why) => {
            return Check::unknown(
                id,
                c,
                format!(
                    "cannot tell whether DRBD resource {res} can lose acknowledged writes: {why}"
                ),
            )
        }
    };
    let a = super::fencing::assess(cfg);
    match a.safe {
        Some(true) => Check::ok(
            id,
            c,
            format!(
                "DRBD resource {res} cannot lose acknowledged writes ({})",
                a.summary
            ),
        ),
        Some(false) => {
            let mut msg = format!(
                "DRBD resource {res} can lose acknowledged writes: {}",
                a.problems.join("; ")
            );
            if !a.unknown.is_empty() {
                msg.push_str(&format!("; not read: {}", a.unknown.join("; ")));
            }
            Check::error(id, c, msg)
        }
        None => Check::unknown(
            id,
            c,
            format!(
                "cannot tell whether DRBD resource {res} can lose acknowledged writes: {}",
                a.unknown.join("; ")
            ),
        ),
    }
}

fn mount_check(s: &NodeState, master: bool) -> Check {
    let id = "drbd_mount";
    let c = code::MOUNT;
    match (&s.data_dir_mounted, master) {
        (Known::Known(true), true) => {
            Check::ok(id, c, "my DRBD partition is mounted and I am master")
        }
        (Known::Known(false), false) => Check::ok(
            id,
            c,
            "my DRBD partition is not mounted and I am not master",
        ),
        (Known::Known(false), true) => {
            Check::error(id, c, "my DRBD partition is not mounted and I am master")
        }
        (Known::Known(true), false) => {
            Check::error(id, c, "my DRBD partition is mounted and I am not master")
        }
        (Known::Unknown(why), _) => Check::unknown(
            id,
            c,
            format!(
                "cannot tell whether {} is mounted: {why}",
                s.data_dir.display()
            ),
        ),
    }
}

fn ping_check(id: &str, which: &str, r: &Reachability) -> Check {
    let c = code::REPLICATION_LINK;
    if r.address.is_none() {
        return Check::error(
            id,
            c,
            format!("DRBD {which} IP address is not configured (need two backend servers)"),
        );
    }
    match &r.reachable {
        Known::Known(true) => Check::ok(id, c, format!("DRBD {which} IP address pings")),
        Known::Known(false) => {
            Check::error(id, c, format!("DRBD {which} IP address does not ping"))
        }
        Known::Unknown(why) => {
            Check::unknown(id, c, format!("cannot ping DRBD {which} IP address: {why}"))
        }
    }
}

fn service_checks(s: &NodeState, master: bool) -> Vec<Check> {
    let c = code::SERVICE;
    let services = match &s.services {
        Known::Known(v) => v,
        Known::Unknown(why) => {
            return vec![Check::unknown(
                "services",
                c,
                format!("cannot list services: {why}"),
            )]
        }
    };
    let mut sorted: Vec<&ServiceFact> = services.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted
        .into_iter()
        .map(|svc| {
            let id = format!("service:{}", svc.name);
            let n = &svc.name;
            match (&svc.up, svc.ha, master) {
                (Known::Unknown(why), _, _) => {
                    Check::unknown(&id, c, format!("{n} state is unknown: {why}"))
                }
                (Known::Known(true), true, true) => Check::ok(
                    &id,
                    c,
                    format!("{n} is running correctly, and I am master."),
                ),
                (Known::Known(false), true, false) => {
                    Check::ok(&id, c, format!("{n} is not running, and I am not master."))
                }
                // The trailing space is the original's.
                (Known::Known(false), true, true) => Check::error(
                    &id,
                    c,
                    format!("{n} is not running correctly, and I am master. "),
                ),
                (Known::Known(true), true, false) => {
                    Check::error(&id, c, format!("{n} is running, and I am not master."))
                }
                (Known::Known(true), false, _) => Check::ok(&id, c, format!("{n} is running.")),
                (Known::Known(false), false, _) => {
                    Check::error(&id, c, format!("{n} is not running."))
                }
            }
        })
        .collect()
}
