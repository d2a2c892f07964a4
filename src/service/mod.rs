//! Service managers: runit (supervise/status) and systemd.
//!
//! The original (omnibus-ctl, see `chef-ha-ctl.md` §7) drives runit through
//! `/opt/opscode/init/<svc>` (LSB-mode `sv`). This module keeps the layout and the
//! output, but reads the state **directly** from `supervise/status` (runit) or
//! `systemctl show` (systemd), so a status never depends on `sv`'s exit code (runit
//! 2.1.2 … 2.3.0 report a down service as running when its log service runs).
//!
//! * Services: every entry of `sv_dir`, sorted (both backends: the `sv_dir/<svc>`
//!   directories are the catalogue of services and hold the HA markers).
//! * HA service: `sv_dir/<svc>/keepalive_me` exists (both backends).
//! * Enabled: runit: an entry `service_dir/<svc>` exists; systemd: the unit's
//!   `UnitFileState` is `enabled`, `enabled-runtime`, `static`, `linked`,
//!   `linked-runtime`, `alias` or `indirect`.
//! * A state is never guessed: a missing or unreadable status file, a runsv that is not
//!   running, a host without systemd all give [`State::Unknown`] with the reason.
//!
//! **Exit codes of the service verbs** (`status`, `start`, …): the **first non-zero**
//! per-service exit status, as omnibus-ctl 0.0.8 / 0.1.x (EC11) did (later omnibus-ctl
//! summed them, which can wrap at 256). Per-service `status` codes are sv's LSB codes:
//! 0 running, 3 down (or finishing), 4 unknown.
//!
//! **Global commands and keepalived**: with no service named, keepalived only answers
//! `status` (omnibus-ctl ≥ 0.1.1); `start`, `stop`, … skip it. Named explicitly, it is
//! handled like any other service.

use std::fmt;
use std::path::Path;

use anyhow::{bail, Result};

use crate::config::{Paths, ServiceManagerKind};

pub mod runit;
pub mod systemd;

pub use runit::{parse_supervise_status, RunState, RunitManager, SuperviseStatus};
pub use systemd::SystemdManager;

/// The service whose stop/start is the failover: only `status` reaches it in global commands.
pub const KEEPALIVED: &str = "keepalived";

/// What runit's supervisor wants for a process (`supervise/status` byte 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Want {
    /// `u`: keep it running.
    Up,
    /// `d`: keep it stopped.
    Down,
}

pub use crate::model::service::State;

/// State of a service's log process (runit `log/`), rendered after `; `.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogState {
    pub state: State,
    /// No `log/down` file.
    pub normally_up: bool,
    pub want: Option<Want>,
    pub paused: bool,
    pub got_term: bool,
}

/// Everything known about one service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceState {
    pub name: String,
    /// Enabled (runit: linked into `service_dir`; systemd: unit enabled).
    pub enabled: bool,
    /// Managed by keepalived/cluster.sh (`sv_dir/<svc>/keepalive_me` exists).
    pub ha: bool,
    pub state: State,
    /// runit: no `down` file; systemd: unit enabled.
    pub normally_up: bool,
    pub want: Option<Want>,
    pub paused: bool,
    /// The supervisor sent TERM and the process has not exited yet.
    pub got_term: bool,
    /// The log service, when there is one (runit only).
    pub log: Option<LogState>,
}

impl ServiceState {
    /// A state that could not be read, with the reason.
    pub fn unknown(name: &str, enabled: bool, ha: bool, reason: impl Into<String>) -> Self {
        ServiceState {
            name: name.to_string(),
            enabled,
            ha,
            state: State::Unknown {
                reason: reason.into(),
            },
            normally_up: true,
            want: None,
            paused: false,
            got_term: false,
            log: None,
        }
    }

    /// sv's LSB `status` exit code for the main service: 0 running, 3 down or
    /// finishing, 4 unknown (never the log service's, unlike runit 2.1.2).
    pub fn lsb_code(&self) -> i32 {
        match self.state {
            State::Up { .. } => 0,
            State::Down { .. } | State::Finishing { .. } => 3,
            State::Unknown { .. } => 4,
        }
    }

    /// The line `sv status` prints, e.g.
    /// `run: nginx: (pid 4314) 174s; run: log: (pid 3907) 186s`.
    pub fn status_line(&self) -> String {
        if let State::Unknown { reason } = &self.state {
            return format!("fail: {}: {}", self.name, reason);
        }
        let mut s = render_one(
            &self.name,
            &self.state,
            self.normally_up,
            self.want,
            self.paused,
            self.got_term,
        );
        if let Some(l) = &self.log {
            s.push_str("; ");
            if let State::Unknown { reason } = &l.state {
                s.push_str("warning: log: ");
                s.push_str(reason);
            } else {
                s.push_str(&render_one(
                    "log",
                    &l.state,
                    l.normally_up,
                    l.want,
                    l.paused,
                    l.got_term,
                ));
            }
        }
        s
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.status_line())
    }
}

/// runit 2.1.2's `svstatus_print`: state word, `(pid N) ` while a process exists, the
/// age, then the suffixes in sv's order. Suffixes depend on whether there is a pid.
fn render_one(
    name: &str,
    state: &State,
    normally_up: bool,
    want: Option<Want>,
    paused: bool,
    got_term: bool,
) -> String {
    let (word, pid, secs) = match state {
        State::Up { pid, secs } => ("run", *pid, *secs),
        State::Down { secs } => ("down", 0, *secs),
        State::Finishing { pid, secs } => ("finish", *pid, *secs),
        State::Unknown { reason } => return format!("fail: {name}: {reason}"),
    };
    let mut s = format!("{word}: {name}: ");
    if !matches!(state, State::Down { .. }) {
        s.push_str(&format!("(pid {pid}) "));
    }
    s.push_str(&format!("{secs}s"));
    let has_pid = pid != 0;
    if has_pid && !normally_up {
        s.push_str(", normally down");
    }
    if !has_pid && normally_up {
        s.push_str(", normally up");
    }
    if has_pid && paused {
        s.push_str(", paused");
    }
    if !has_pid && want == Some(Want::Up) {
        s.push_str(", want up");
    }
    if has_pid && want == Some(Want::Down) {
        s.push_str(", want down");
    }
    if has_pid && got_term {
        s.push_str(", got TERM");
    }
    s
}

/// A control action of the service verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Start,
    Stop,
    Restart,
    Once,
    Hup,
    Term,
    Int,
    Kill,
    Usr1,
    Usr2,
}

impl Control {
    /// The `sv` command word (`sv` accepts `i`, `1`, `2` for int, usr1, usr2).
    pub fn sv_word(self) -> &'static str {
        match self {
            Control::Start => "start",
            Control::Stop => "stop",
            Control::Restart => "restart",
            Control::Once => "once",
            Control::Hup => "hup",
            Control::Term => "term",
            Control::Int => "i",
            Control::Kill => "kill",
            Control::Usr1 => "1",
            Control::Usr2 => "2",
        }
    }

    /// The signal name for the signalling actions, `None` for start/stop/restart/once.
    pub fn signal(self) -> Option<&'static str> {
        match self {
            Control::Hup => Some("SIGHUP"),
            Control::Term => Some("SIGTERM"),
            Control::Int => Some("SIGINT"),
            Control::Kill => Some("SIGKILL"),
            Control::Usr1 => Some("SIGUSR1"),
            Control::Usr2 => Some("SIGUSR2"),
            _ => None,
        }
    }
}

/// What a control action printed and its exit status (passed through to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlOutput {
    /// 0 on success; sv's / systemctl's exit code otherwise (1 on a signal death).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A service manager back-end (runit or systemd).
pub trait ServiceManager {
    /// Which back-end this is.
    fn kind(&self) -> ServiceManagerKind;
    /// Every service, sorted (the entries of `sv_dir`).
    fn services(&self) -> Result<Vec<String>>;
    /// Whether the service is enabled.
    fn is_enabled(&self, svc: &str) -> bool;
    /// Whether keepalived/cluster.sh manages the service (`sv_dir/<svc>/keepalive_me`).
    fn is_ha(&self, svc: &str) -> bool;
    /// The service's state; never fails: what cannot be read is [`State::Unknown`].
    fn status(&self, svc: &str) -> ServiceState;
    /// Runs a control action. `Err` only when the tool cannot be run at all (missing
    /// program, timeout); a non-zero exit is reported in [`ControlOutput::code`].
    fn control(&self, svc: &str, action: Control) -> Result<ControlOutput>;
    /// Stops the service, then SIGKILLs what is left of its process group. Messages go to
    /// `log` (one line each); returns the exit status of the stop.
    fn graceful_kill(&self, svc: &str, log: &mut dyn FnMut(&str)) -> Result<i32>;
}

/// The back-end `paths.service_manager` names.
pub fn manager_for(paths: &Paths) -> Box<dyn ServiceManager> {
    match paths.service_manager {
        ServiceManagerKind::Runit => Box::new(RunitManager::new(paths.clone())),
        ServiceManagerKind::Systemd => Box::new(SystemdManager::new(paths.clone())),
    }
}

/// The states of every enabled service, sorted by name (what ha-status needs: each
/// carries `ha` and `state`).
pub fn enabled_states(m: &dyn ServiceManager) -> Result<Vec<ServiceState>> {
    Ok(m.services()?
        .into_iter()
        .filter(|s| m.is_enabled(s))
        .map(|s| m.status(&s))
        .collect())
}

/// The states of the enabled HA services (`keepalive_me`), sorted by name.
pub fn ha_states(m: &dyn ServiceManager) -> Result<Vec<ServiceState>> {
    Ok(enabled_states(m)?.into_iter().filter(|s| s.ha).collect())
}

/// omnibus-ctl ≥ 0.1.1's rule: in a global command (no service named) keepalived only
/// answers `status`.
pub fn global_command_permitted(svc: &str, is_status: bool) -> bool {
    is_status || svc != KEEPALIVED
}

/// The sorted entry names of a directory (the original's `get_all_services`, without
/// `.` and `..`); the error names the directory.
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<String>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => bail!("cannot list services in {}: {e}", dir.display()),
    };
    let mut v = Vec::new();
    for e in rd {
        match e {
            Ok(e) => v.push(e.file_name().to_string_lossy().into_owned()),
            Err(e) => bail!("cannot list services in {}: {e}", dir.display()),
        }
    }
    v.sort();
    Ok(v)
}

/// First non-zero: the exit-code rule of the service verbs.
pub fn first_nonzero(acc: i32, code: i32) -> i32 {
    if acc != 0 {
        acc
    } else {
        code
    }
}
