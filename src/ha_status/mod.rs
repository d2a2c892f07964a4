//! The `ha-status` checks: pure functions over a [`Snapshot`] of one node.
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

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

use crate::drbd::ProcDrbd;

/// A fact about the node, or the reason it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Known<T> {
    Known(T),
    Unknown(String),
}

impl<T> Known<T> {
    pub fn as_ref(&self) -> Known<&T> {
        match self {
            Known::Known(v) => Known::Known(v),
            Known::Unknown(r) => Known::Unknown(r.clone()),
        }
    }

    pub fn known(&self) -> Option<&T> {
        match self {
            Known::Known(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }

    pub fn from_result<E: std::fmt::Display>(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => Known::Known(v),
            Err(e) => Known::Unknown(format!("{e:#}")),
        }
    }
}

/// The configured virtual IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VipSpec {
    pub address: IpAddr,
    pub prefix: Option<u8>,
    pub device: String,
}

/// One enabled service as the service manager sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFact {
    pub name: String,
    /// Managed by keepalived (has a `keepalive_me` sentinel).
    pub ha: bool,
    /// Running, or why that is unknown.
    pub up: Known<bool>,
}

/// A pingable replication address and whether it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reachability {
    pub address: Option<IpAddr>,
    pub reachable: Known<bool>,
}

/// Everything the checks need to know about one node, read once.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Why the topology could not be loaded (check 1), if it could not.
    pub config_error: Option<String>,
    pub keepalived_enabled: bool,
    pub drbd_enabled: bool,
    pub drbd_disk: PathBuf,
    pub drbd_disk_exists: Known<bool>,
    pub drbd_device: PathBuf,
    pub drbd_device_exists: Known<bool>,
    pub requested_status: Known<String>,
    pub current_status: Known<String>,
    /// The reason recorded by the last failed transition, if any.
    pub transition_failure: Option<String>,
    pub vip: Option<VipSpec>,
    /// Whether the VIP is on its device (exact address and prefix).
    pub vip_present: Known<bool>,
    pub vrrp_interface: Option<String>,
    pub vrrp_interface_exists: Known<bool>,
    /// The resource's minor (from the device path, e.g. /dev/drbd0 → 0).
    pub drbd_minor: u32,
    pub proc_drbd_path: PathBuf,
    pub drbd: Known<ProcDrbd>,
    pub data_dir: PathBuf,
    pub data_dir_mounted: Known<bool>,
    pub primary: Reachability,
    pub secondary: Reachability,
    /// Enabled services, any order (the checks sort them by name).
    pub services: Known<Vec<ServiceFact>>,
}

impl Snapshot {
    /// "master" means `current_cluster_status == master`; anything else (backup, fault,
    /// garbage, unreadable) is "not master", as in the original.
    pub fn is_master(&self) -> bool {
        matches!(&self.current_status, Known::Known(s) if s == "master")
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Error,
    Unknown,
}

impl Status {
    pub fn tag(self) -> &'static str {
        match self {
            Status::Ok => "[OK]",
            Status::Warn => "[WARN]",
            Status::Error => "[ERROR]",
            Status::Unknown => "[UNKNOWN]",
        }
    }

    pub fn failed(self) -> bool {
        self != Status::Ok
    }
}

/// One check's outcome: an id, a status, the code it contributes, and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: String,
    pub status: Status,
    /// The exit code this check gives when it fails (0 when it passed).
    pub code: i32,
    pub message: String,
}

impl Check {
    fn new(id: &str, status: Status, code: i32, message: impl Into<String>) -> Self {
        Check {
            id: id.to_string(),
            status,
            code: if status.failed() { code } else { 0 },
            message: message.into(),
        }
    }

    fn ok(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Ok, code, message)
    }

    fn error(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Error, code, message)
    }

    fn unknown(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Unknown, code, message)
    }

    /// The classic output line, e.g. `[OK] cluster status = master`.
    pub fn line(&self) -> String {
        format!("{} {}", self.status.tag(), self.message)
    }
}

/// Exit codes, with the original's meanings.
pub mod code {
    /// Fatal precondition: no topology, keepalived or DRBD disabled, disk or device missing.
    pub const PRECONDITION: i32 = 1;
    /// requested != current cluster state (transition running or failed).
    pub const CLUSTER_STATUS: i32 = 2;
    /// VIP on the wrong node, or missing on the master.
    pub const VIP: i32 = 3;
    /// DRBD role/connection/disk state wrong.
    pub const DRBD_STATE: i32 = 4;
    /// DRBD mount state wrong.
    pub const MOUNT: i32 = 5;
    /// A replication IP does not answer.
    pub const REPLICATION_LINK: i32 = 6;
    /// A service in the wrong state.
    pub const SERVICE: i32 = 7;
    /// VRRP interface missing.
    pub const VRRP_INTERFACE: i32 = 8;
}

/// The outcome of all checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The first failing check's code; 0 when everything passed.
    pub exit_code: i32,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.exit_code == 0
    }

    /// The classic text: one line per check, then the summary wrapped in blank lines
    /// (only when the run got past the preconditions, as in the original).
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.checks {
            s.push_str(&c.line());
            s.push('\n');
        }
        if !self.stopped_early() {
            if self.ok() {
                s.push_str("\n[OK] all checks passed.\n\n");
            } else {
                s.push_str("\n[ERROR] ERRORS WERE DETECTED.\n\n");
            }
        }
        s
    }

    fn stopped_early(&self) -> bool {
        self.checks
            .last()
            .map(|c| c.status.failed() && c.code == code::PRECONDITION)
            .unwrap_or(true)
    }
}

fn first_failing_code(checks: &[Check]) -> i32 {
    checks
        .iter()
        .find(|c| c.status.failed())
        .map(|c| c.code)
        .unwrap_or(0)
}

fn finish(checks: Vec<Check>) -> Report {
    let exit_code = first_failing_code(&checks);
    Report { checks, exit_code }
}

/// Runs every check over the snapshot, in the original's order.
pub fn run_checks(s: &Snapshot) -> Report {
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

    checks.push(cluster_status_check(s));
    let master = s.is_master();
    checks.push(vip_check(s, master));
    checks.push(vrrp_interface_check(s));
    checks.push(drbd_state_check(s, master));
    checks.push(mount_check(s, master));
    checks.push(ping_check("drbd_primary_ip", "primary", &s.primary));
    checks.push(ping_check("drbd_secondary_ip", "secondary", &s.secondary));
    checks.extend(service_checks(s, master));
    finish(checks)
}

fn cluster_status_check(s: &Snapshot) -> Check {
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
        if check.status == Status::Ok || reason.contains(crate::promote::REFUSAL_MARK) {
            check = Check::error(id, c, check.message);
        }
        check
            .message
            .push_str(&format!(" (last transition failed: {reason})"));
    }
    check
}

fn vip_check(s: &Snapshot, master: bool) -> Check {
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

fn vrrp_interface_check(s: &Snapshot) -> Check {
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

fn drbd_state_check(s: &Snapshot, master: bool) -> Check {
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

fn mount_check(s: &Snapshot, master: bool) -> Check {
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

fn service_checks(s: &Snapshot, master: bool) -> Vec<Check> {
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

/// The `--json` document: `{"ok","exit_code","cluster_status","checks","drbd"}`.
pub fn report_json(s: &Snapshot, r: &Report) -> serde_json::Value {
    let known = |k: &Known<String>| match k {
        Known::Known(v) => serde_json::Value::String(v.clone()),
        Known::Unknown(_) => serde_json::Value::Null,
    };
    serde_json::json!({
        "ok": r.ok(),
        "exit_code": r.exit_code,
        "cluster_status": {
            "requested": known(&s.requested_status),
            "current": known(&s.current_status),
        },
        "checks": r.checks,
        "drbd": match &s.drbd {
            Known::Known(p) => p.to_json(),
            Known::Unknown(_) => serde_json::Value::Null,
        },
    })
}
