//! systemd back-end.
//!
//! * Unit name: `<prefix><svc>.service`, prefix [`DEFAULT_UNIT_PREFIX`]
//!   (`private-chef-`, e.g. `private-chef-nginx.service`); override it with the
//!   environment variable [`UNIT_PREFIX_ENV`] (`PRIVATE_CHEF_CTL_UNIT_PREFIX`, may be
//!   empty for plain `<svc>.service`) or [`SystemdManager::with_prefix`].
//! * Services are still the entries of `sv_dir`, and HA services are still marked by
//!   `sv_dir/<svc>/keepalive_me` (the cookbook writes the markers whatever the init).
//! * State: `systemctl show -p …` parsed as `key=value` (never `is-active`'s exit code,
//!   which differs between systemd versions). `LoadState=not-found` → Unknown ("no such
//!   unit"); "System has not been booted with systemd" / "Failed to connect to bus" →
//!   Unknown, never down.
//! * Control: `systemctl start|stop|restart <unit>` (timeout SVWAIT + 5 s; `once` is a
//!   start) and `systemctl kill --kill-whom=main -s SIG<X> <unit>` for the signals
//!   (runit signals only the main process too).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use super::{sorted_entries, Control, ControlOutput, ServiceManager, ServiceState, State, Want};
use crate::config::{Paths, ServiceManagerKind};
use crate::sys::exec;

/// Default unit name prefix.
pub const DEFAULT_UNIT_PREFIX: &str = "private-chef-";
/// Environment variable overriding the unit prefix.
pub const UNIT_PREFIX_ENV: &str = "PRIVATE_CHEF_CTL_UNIT_PREFIX";

/// The properties asked of `systemctl show`.
pub const SHOW_PROPERTIES: &str = "LoadState,ActiveState,SubState,MainPID,UnitFileState,ActiveEnterTimestampMonotonic,InactiveEnterTimestampMonotonic";

/// systemd as service manager.
#[derive(Debug, Clone)]
pub struct SystemdManager {
    pub paths: Paths,
    /// Unit name prefix.
    pub prefix: String,
    /// The `systemctl` program (`systemctl` on PATH by default).
    pub systemctl: PathBuf,
}

impl SystemdManager {
    /// A manager with the prefix from [`UNIT_PREFIX_ENV`] or [`DEFAULT_UNIT_PREFIX`].
    pub fn new(paths: Paths) -> Self {
        let prefix =
            std::env::var(UNIT_PREFIX_ENV).unwrap_or_else(|_| DEFAULT_UNIT_PREFIX.to_string());
        Self::with_prefix(paths, prefix)
    }

    /// A manager with an explicit unit prefix.
    pub fn with_prefix(paths: Paths, prefix: impl Into<String>) -> Self {
        SystemdManager {
            paths,
            prefix: prefix.into(),
            systemctl: PathBuf::from("systemctl"),
        }
    }

    /// `<prefix><svc>.service`.
    pub fn unit(&self, svc: &str) -> String {
        format!("{}{}.service", self.prefix, svc)
    }

    fn cmd(&self) -> exec::Command {
        exec::Command::new(self.systemctl.clone()).timeout(Duration::from_secs(
            self.paths.svwait_secs.saturating_add(5),
        ))
    }

    fn show(&self, svc: &str) -> Result<HashMap<String, String>, String> {
        let unit = self.unit(svc);
        let o = self
            .cmd()
            .args(["show", "-p", SHOW_PROPERTIES, "--", unit.as_str()])
            .run()
            .map_err(|e| format!("{e:#}"))?;
        if let Some(r) = no_systemd_reason(&o.stderr) {
            return Err(r);
        }
        if !o.success() {
            return Err(format!(
                "systemctl show {unit} failed (exit {}): {}",
                o.code.map_or("signal".to_string(), |c| c.to_string()),
                o.stderr.trim()
            ));
        }
        Ok(parse_show(&o.stdout))
    }
}

/// Parses `systemctl show` output (`Key=value` lines; values may contain `=`).
pub fn parse_show(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The reason when systemctl cannot talk to systemd at all.
pub fn no_systemd_reason(stderr: &str) -> Option<String> {
    let s = stderr.trim();
    if s.contains("System has not been booted with systemd")
        || s.contains("Failed to connect to bus")
        || s.contains("Failed to connect to system scope bus")
    {
        Some(format!(
            "systemd is not running: {}",
            s.lines().next().unwrap_or(s)
        ))
    } else {
        None
    }
}

/// Whether a `UnitFileState` counts as enabled.
pub fn unit_file_enabled(state: &str) -> bool {
    matches!(
        state,
        "enabled"
            | "enabled-runtime"
            | "static"
            | "linked"
            | "linked-runtime"
            | "alias"
            | "indirect"
    )
}

/// CLOCK_MONOTONIC in microseconds (systemd's `…TimestampMonotonic` clock).
fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000)
        .saturating_add(ts.tv_nsec as u64 / 1000)
}

/// Maps parsed `systemctl show` properties to a [`ServiceState`]; `now_mono_usec` is
/// CLOCK_MONOTONIC in µs. Pure.
pub fn state_from_show(
    name: &str,
    p: &HashMap<String, String>,
    ha: bool,
    now_mono_usec: u64,
) -> ServiceState {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let enabled = unit_file_enabled(get("UnitFileState"));
    match get("LoadState") {
        "not-found" => {
            return ServiceState::unknown(name, false, ha, "no such unit (LoadState=not-found)")
        }
        "" => return ServiceState::unknown(name, enabled, ha, "systemctl show gave no LoadState"),
        _ => {}
    }
    let secs_since = |k: &str| -> u64 {
        get(k)
            .parse::<u64>()
            .ok()
            .filter(|t| *t > 0)
            .map_or(0, |t| now_mono_usec.saturating_sub(t) / 1_000_000)
    };
    let pid = get("MainPID").parse::<u32>().unwrap_or(0);
    let (state, want) = match get("ActiveState") {
        "active" | "reloading" => (
            State::Up {
                pid,
                secs: secs_since("ActiveEnterTimestampMonotonic"),
            },
            None,
        ),
        "deactivating" => (
            State::Finishing {
                pid,
                secs: secs_since("ActiveEnterTimestampMonotonic"),
            },
            Some(Want::Down),
        ),
        "activating" => (
            State::Down {
                secs: secs_since("InactiveEnterTimestampMonotonic"),
            },
            Some(Want::Up),
        ),
        "inactive" | "failed" => (
            State::Down {
                secs: secs_since("InactiveEnterTimestampMonotonic"),
            },
            None,
        ),
        other => (
            State::Unknown {
                reason: format!("ActiveState={other}, SubState={}", get("SubState")),
            },
            None,
        ),
    };
    ServiceState {
        name: name.to_string(),
        enabled,
        ha,
        state,
        normally_up: enabled,
        want,
        paused: false,
        got_term: false,
        log: None,
    }
}

impl ServiceManager for SystemdManager {
    fn kind(&self) -> ServiceManagerKind {
        ServiceManagerKind::Systemd
    }

    fn services(&self) -> Result<Vec<String>> {
        sorted_entries(&self.paths.sv_dir)
    }

    fn is_enabled(&self, svc: &str) -> bool {
        self.show(svc)
            .map(|p| unit_file_enabled(p.get("UnitFileState").map_or("", String::as_str)))
            .unwrap_or(false)
    }

    fn is_ha(&self, svc: &str) -> bool {
        std::fs::symlink_metadata(self.paths.sv_dir.join(svc).join("keepalive_me")).is_ok()
    }

    fn status(&self, svc: &str) -> ServiceState {
        let ha = self.is_ha(svc);
        match self.show(svc) {
            Ok(p) => state_from_show(svc, &p, ha, monotonic_usec()),
            Err(reason) => ServiceState::unknown(svc, false, ha, reason),
        }
    }

    fn control(&self, svc: &str, action: Control) -> Result<ControlOutput> {
        let unit = self.unit(svc);
        let cmd = match action.signal() {
            Some(sig) => {
                self.cmd()
                    .args(["kill", "--kill-whom=main", "-s", sig, "--", unit.as_str()])
            }
            None => {
                let verb = match action {
                    Control::Stop => "stop",
                    Control::Restart => "restart",
                    _ => "start",
                };
                self.cmd().args([verb, "--", unit.as_str()])
            }
        };
        let o = cmd.run()?;
        let code = o.code.unwrap_or(1);
        let mut stdout = o.stdout;
        // sv prints `ok: <status>` after start/stop/restart; do the same.
        if action.signal().is_none() && action != Control::Once {
            let st = self.status(svc);
            let prefix = if code == 0 { "ok" } else { "fail" };
            stdout.push_str(&format!("{prefix}: {}\n", st.status_line()));
        }
        Ok(ControlOutput {
            code,
            stdout,
            stderr: o.stderr,
        })
    }

    fn graceful_kill(&self, svc: &str, log: &mut dyn FnMut(&str)) -> Result<i32> {
        // systemd's stop already kills the unit's whole cgroup (KillMode=control-group),
        // with SIGKILL after TimeoutStopSec: the original's pgrp sweep is built in.
        let out = self.control(svc, Control::Stop)?;
        for l in out.stdout.lines().chain(out.stderr.lines()) {
            log(l);
        }
        Ok(out.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(s: &str) -> HashMap<String, String> {
        parse_show(s)
    }

    #[test]
    fn active_running() {
        let p = props("LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=42\nUnitFileState=enabled\nActiveEnterTimestampMonotonic=1000000\n");
        let st = state_from_show("nginx", &p, true, 11_000_000);
        assert_eq!(st.state, State::Up { pid: 42, secs: 10 });
        assert!(st.enabled && st.ha && st.normally_up);
        assert_eq!(st.status_line(), "run: nginx: (pid 42) 10s");
    }

    #[test]
    fn not_found_is_unknown() {
        let p = props("LoadState=not-found\nActiveState=inactive\nMainPID=0\n");
        let st = state_from_show("x", &p, false, 0);
        assert!(st.state.is_unknown());
        assert_eq!(st.lsb_code(), 4);
    }

    #[test]
    fn inactive_disabled_is_down() {
        let p = props("LoadState=loaded\nActiveState=failed\nMainPID=0\nUnitFileState=disabled\nInactiveEnterTimestampMonotonic=0\n");
        let st = state_from_show("x", &p, false, 5);
        assert_eq!(st.state, State::Down { secs: 0 });
        assert_eq!(st.lsb_code(), 3);
        assert_eq!(st.status_line(), "down: x: 0s");
    }

    #[test]
    fn no_systemd() {
        assert!(no_systemd_reason("System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n").is_some());
        assert!(no_systemd_reason("").is_none());
    }

    #[test]
    fn unit_names() {
        let m = SystemdManager::with_prefix(Paths::default(), "private-chef-");
        assert_eq!(m.unit("nginx"), "private-chef-nginx.service");
    }
}
