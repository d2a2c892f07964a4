//! runit: the `supervise/status` record, the original's layout, control through `sv`,
//! and graceful-kill.
//!
//! Layout (as omnibus-ctl): services are the entries of `sv_dir`; a service is enabled
//! when `service_dir/<svc>` exists; `service_dir/<svc>/supervise/status` (and
//! `log/supervise/status`) hold the state, read directly; control goes through
//! `sv <cmd> <svc>` with `SVDIR=<service_dir>` and `SVWAIT=<svwait_secs>`, so sv prints
//! the short service name as the original's LSB-mode `init/<svc>` did.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::{
    sorted_entries, Control, ControlOutput, LogState, ServiceManager, ServiceState, State, Want,
};
use crate::config::{Paths, ServiceManagerKind};
use crate::sys::exec;

/// The TAI64 label of the Unix epoch as runit writes it: 2^62 + 10 (TAI − UTC in 1970).
pub const TAI64_UNIX_EPOCH: u64 = (1u64 << 62) + 10;

/// Length of runit's `supervise/status` record.
pub const STATUS_LEN: usize = 20;

/// Byte 19 of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// 0
    Down,
    /// 1
    Run,
    /// 2: `./finish` is running.
    Finish,
}

/// A decoded `supervise/status` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuperviseStatus {
    /// TAI64 seconds of the last state change (bytes 0–7, big-endian).
    pub tai_secs: u64,
    /// Nanoseconds (bytes 8–11, big-endian).
    pub nanos: u32,
    /// Bytes 12–15, little-endian; 0 when no process runs.
    pub pid: u32,
    /// Byte 16.
    pub paused: bool,
    /// Byte 17 (`u`/`d`); `None` for any other byte.
    pub want: Option<Want>,
    /// Byte 18.
    pub got_term: bool,
    /// Byte 19.
    pub run_state: RunState,
}

impl SuperviseStatus {
    /// Seconds since the last change, given the current Unix time, as sv computes it
    /// (0 when the record is in the future).
    pub fn elapsed_secs(&self, now_unix: u64) -> u64 {
        now_unix
            .saturating_add(TAI64_UNIX_EPOCH)
            .saturating_sub(self.tai_secs)
    }

    /// The Unix time of the last change.
    pub fn changed_unix(&self) -> u64 {
        self.tai_secs.saturating_sub(TAI64_UNIX_EPOCH)
    }

    /// The [`State`] at `now_unix`.
    pub fn state(&self, now_unix: u64) -> State {
        let secs = self.elapsed_secs(now_unix);
        match self.run_state {
            RunState::Down => State::Down { secs },
            RunState::Run => State::Up {
                pid: self.pid,
                secs,
            },
            RunState::Finish => State::Finishing {
                pid: self.pid,
                secs,
            },
        }
    }
}

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusError {
    /// Not 20 bytes.
    WrongLength { len: usize },
    /// Byte 19 not 0, 1 or 2.
    BadRunState { byte: u8 },
    /// A flag byte (16 paused, 18 got TERM) not 0 or 1, or the want byte (17) not `u`/`d`.
    BadByte {
        offset: usize,
        byte: u8,
        expected: &'static str,
    },
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusError::WrongLength { len } => {
                write!(f, "is {len} bytes long, expected {STATUS_LEN}")
            }
            StatusError::BadRunState { byte } => {
                write!(
                    f,
                    "has an unknown run state byte {byte} (expected 0, 1 or 2)"
                )
            }
            StatusError::BadByte {
                offset,
                byte,
                expected,
            } => write!(
                f,
                "has byte {byte} at offset {offset} (expected {expected})"
            ),
        }
    }
}

impl std::error::Error for StatusError {}

/// Decodes a 20-byte `supervise/status` record. Pure; never panics.
pub fn parse_supervise_status(bytes: &[u8]) -> Result<SuperviseStatus, StatusError> {
    let b: &[u8; STATUS_LEN] = bytes
        .try_into()
        .map_err(|_| StatusError::WrongLength { len: bytes.len() })?;
    let tai_secs = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let nanos = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
    let pid = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
    // runsv writes 0/1 flags and `u`/`d` (runsv.c, update_status); anything else is not a
    // record runsv wrote
    let flag = |offset: usize| match b[offset] {
        0 => Ok(false),
        1 => Ok(true),
        byte => Err(StatusError::BadByte {
            offset,
            byte,
            expected: "0 or 1",
        }),
    };
    let want = match b[17] {
        b'u' => Some(Want::Up),
        b'd' => Some(Want::Down),
        byte => {
            return Err(StatusError::BadByte {
                offset: 17,
                byte,
                expected: "`u` or `d`",
            })
        }
    };
    let paused = flag(16)?;
    let got_term = flag(18)?;
    let run_state = match b[19] {
        0 => RunState::Down,
        1 => RunState::Run,
        2 => RunState::Finish,
        byte => return Err(StatusError::BadRunState { byte }),
    };
    Ok(SuperviseStatus {
        tai_secs,
        nanos,
        pid,
        paused,
        want,
        got_term,
        run_state,
    })
}

/// Reads and decodes `file`; the error names the file (and the length when wrong).
pub fn read_supervise_status(file: &Path) -> Result<SuperviseStatus, String> {
    let bytes = fs::read(file).map_err(|e| format!("unable to read {}: {e}", file.display()))?;
    parse_supervise_status(&bytes).map_err(|e| format!("{} {e}", file.display()))
}

/// The current Unix time in seconds (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether a runsv serves `dir`: sv's test, opening `supervise/ok` for writing without
/// blocking (ENXIO = no reader = runsv not running).
fn check_runsv(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let ok = dir.join("supervise/ok");
    match fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&ok)
    {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => Err("runsv not running".to_string()),
        Err(e) => Err(format!("unable to open {}: {e}", ok.display())),
    }
}

/// `normally up` = no `down` file in `dir`.
fn normally_up(dir: &Path) -> Result<bool, String> {
    let down = dir.join("down");
    match fs::symlink_metadata(&down) {
        Ok(_) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(format!("unable to stat {}: {e}", down.display())),
    }
}

/// The parts of one supervised process (main or log) read from `dir`.
struct Supervised {
    state: State,
    normally_up: bool,
    want: Option<Want>,
    paused: bool,
    got_term: bool,
}

/// Reads a supervised directory: the status record first (a missing or bad record
/// names the file), then whether runsv still serves it (a stale record of a dead runsv
/// must not pass for a state), then the `down` file.
fn read_supervised(dir: &Path, now: u64) -> Supervised {
    let unknown = |reason: String| Supervised {
        state: State::Unknown { reason },
        normally_up: true,
        want: None,
        paused: false,
        got_term: false,
    };
    let st = match read_supervise_status(&dir.join("supervise/status")) {
        Ok(st) => st,
        Err(e) => return unknown(e),
    };
    if let Err(e) = check_runsv(dir) {
        return unknown(e);
    }
    let normally_up = match normally_up(dir) {
        Ok(n) => n,
        Err(e) => return unknown(e),
    };
    Supervised {
        state: st.state(now),
        normally_up,
        want: st.want,
        paused: st.paused,
        got_term: st.got_term,
    }
}

/// The state of the runit service directory `dir` (with `log/` if present), named
/// `name`, at `now_unix`. Usable on any directory (tests, other layouts).
pub fn status_of_dir(name: &str, dir: &Path, now_unix: u64) -> ServiceState {
    if !dir.is_dir() {
        return ServiceState::unknown(
            name,
            false,
            false,
            format!(
                "unable to change to service directory {}: file does not exist",
                dir.display()
            ),
        );
    }
    let main = read_supervised(dir, now_unix);
    let log_dir = dir.join("log");
    let log = if log_dir.is_dir() {
        let l = read_supervised(&log_dir, now_unix);
        Some(LogState {
            state: l.state,
            normally_up: l.normally_up,
            want: l.want,
            paused: l.paused,
            got_term: l.got_term,
        })
    } else {
        None
    };
    ServiceState {
        name: name.to_string(),
        enabled: true,
        ha: false,
        state: main.state,
        normally_up: main.normally_up,
        want: main.want,
        paused: main.paused,
        got_term: main.got_term,
        log,
    }
}

/// A [`ServiceState`] from decoded records (pure): the main record, whether there is a
/// `down` file, and optionally the log record with its own `down` flag.
pub fn state_from_records(
    name: &str,
    main: &SuperviseStatus,
    has_down_file: bool,
    log: Option<(&SuperviseStatus, bool)>,
    now_unix: u64,
) -> ServiceState {
    ServiceState {
        name: name.to_string(),
        enabled: true,
        ha: false,
        state: main.state(now_unix),
        normally_up: !has_down_file,
        want: main.want,
        paused: main.paused,
        got_term: main.got_term,
        log: log.map(|(l, down)| LogState {
            state: l.state(now_unix),
            normally_up: !down,
            want: l.want,
            paused: l.paused,
            got_term: l.got_term,
        }),
    }
}

/// runit in the original's layout.
#[derive(Debug, Clone)]
pub struct RunitManager {
    pub paths: Paths,
}

impl RunitManager {
    /// A manager over `paths` (sv_dir, service_dir, sv_bin, svwait_secs).
    pub fn new(paths: Paths) -> Self {
        RunitManager { paths }
    }

    /// `service_dir/<svc>`.
    pub fn service_path(&self, svc: &str) -> PathBuf {
        self.paths.service_dir.join(svc)
    }

    /// The argument naming the service for sv: the bare name (resolved under SVDIR, so
    /// sv prints it as the original did) unless it starts with `.`.
    fn sv_target(&self, svc: &str) -> PathBuf {
        if svc.starts_with('.') || svc.contains('/') {
            self.service_path(svc)
        } else {
            PathBuf::from(svc)
        }
    }

    /// `sv <word> <svc>` with SVDIR and SVWAIT, timeout SVWAIT + 5 s.
    pub fn sv_command(&self, word: &str, svc: &str) -> exec::Command {
        exec::Command::new(self.paths.sv_bin.clone())
            .arg(word)
            .arg(self.sv_target(svc))
            .env("SVDIR", self.paths.service_dir.clone())
            .env("SVWAIT", self.paths.svwait_secs.to_string())
            .timeout(Duration::from_secs(
                self.paths.svwait_secs.saturating_add(5),
            ))
    }

    fn run_sv(&self, word: &str, svc: &str) -> Result<ControlOutput> {
        let o = self.sv_command(word, svc).run()?;
        Ok(ControlOutput {
            code: o.code.unwrap_or(1),
            stdout: o.stdout,
            stderr: o.stderr,
        })
    }
}

impl ServiceManager for RunitManager {
    fn kind(&self) -> ServiceManagerKind {
        ServiceManagerKind::Runit
    }

    fn services(&self) -> Result<Vec<String>> {
        sorted_entries(&self.paths.sv_dir)
    }

    fn is_enabled(&self, svc: &str) -> bool {
        fs::symlink_metadata(self.service_path(svc)).is_ok()
    }

    fn is_ha(&self, svc: &str) -> bool {
        fs::symlink_metadata(self.paths.sv_dir.join(svc).join("keepalive_me")).is_ok()
    }

    fn status(&self, svc: &str) -> ServiceState {
        let mut st = status_of_dir(svc, &self.service_path(svc), now_unix());
        st.enabled = self.is_enabled(svc);
        st.ha = self.is_ha(svc);
        st
    }

    fn control(&self, svc: &str, action: Control) -> Result<ControlOutput> {
        self.run_sv(action.sv_word(), svc)
    }

    fn graceful_kill(&self, svc: &str, log: &mut dyn FnMut(&str)) -> Result<i32> {
        let pidfile = self.service_path(svc).join("supervise/pid");
        let pid = fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
            .filter(|p| *p > 0);
        let Some(pid) = pid else {
            log(&format!(
                "could not find {svc} runit pidfile (service already stopped?), cannot attempt SIGKILL..."
            ));
            return Ok(self.control(svc, Control::Stop)?.code);
        };
        let Some(pgrp) = pgrp_of(Path::new("/proc"), pid) else {
            log(&format!(
                "could not find pgrp of pid {pid} (not running?), cannot attempt SIGKILL..."
            ));
            return Ok(self.control(svc, Control::Stop)?.code);
        };
        let out = self.control(svc, Control::Stop)?;
        log_output(&out, log);
        if let Some(why) = unsafe_pgrp(pgrp) {
            log(&format!(
                "not sending SIGKILL to process group {pgrp}: {why}"
            ));
            return Ok(out.code);
        }
        let pids = pids_in_pgrp(Path::new("/proc"), pgrp);
        if !pids.is_empty() {
            let list: Vec<String> = pids.iter().map(|p| p.to_string()).collect();
            log(&format!(
                "found stuck pids still running in process group: {}, sending SIGKILL",
                list.join(" ")
            ));
            // SAFETY: plain syscall; pgrp > 1 and not our own group (checked above).
            let rc = unsafe { libc::kill(-pgrp, libc::SIGKILL) };
            if rc != 0 {
                log(&format!(
                    "sending SIGKILL to process group {pgrp} failed: {}",
                    io::Error::last_os_error()
                ));
            }
        }
        Ok(out.code)
    }
}

/// Lines sv printed during graceful-kill's stop go to the log too (the original ran
/// the stop through the same run_command that echoed its output).
fn log_output(out: &ControlOutput, log: &mut dyn FnMut(&str)) {
    for l in out.stdout.lines().chain(out.stderr.lines()) {
        log(l);
    }
}

/// Reasons never to SIGKILL a process group: init's, ours, or a supervisor's (a run
/// script without `chpst -P` leaves the service in runsv's group).
fn unsafe_pgrp(pgrp: i32) -> Option<String> {
    if pgrp <= 1 {
        return Some("it is init's".to_string());
    }
    // SAFETY: getpgrp cannot fail.
    if pgrp == unsafe { libc::getpgrp() } {
        return Some("it is private-chef-ctl's own".to_string());
    }
    let comm = fs::read_to_string(format!("/proc/{pgrp}/comm")).unwrap_or_default();
    let comm = comm.trim();
    if comm == "runsv" || comm == "runsvdir" || comm == "runit" {
        return Some(format!("its leader is {comm} (the supervisor)"));
    }
    None
}

/// Parses `/proc/<pid>/stat`: `pid (comm) state ppid pgrp …`; comm may hold spaces and
/// parentheses, so fields are counted after the last `)`. Returns field 5 (pgrp).
pub fn parse_stat_pgrp(stat: &str) -> Option<i32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// The process group of `pid`, read from `<proc>/<pid>/stat` (no `ps` fork).
pub fn pgrp_of(proc_dir: &Path, pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(proc_dir.join(pid.to_string()).join("stat")).ok()?;
    parse_stat_pgrp(&stat).filter(|g| *g > 0)
}

/// Every pid in process group `pgrp` (scanning `<proc>`), sorted; zombies excluded.
pub fn pids_in_pgrp(proc_dir: &Path, pgrp: i32) -> Vec<i32> {
    let mut v = Vec::new();
    let Ok(rd) = fs::read_dir(proc_dir) else {
        return v;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let zombie = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            == Some("Z");
        if !zombie && parse_stat_pgrp(&stat) == Some(pgrp) {
            v.push(pid);
        }
    }
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_parens_in_comm() {
        assert_eq!(parse_stat_pgrp("123 (a) b) c) S 1 456 456 0 -1"), Some(456));
        assert_eq!(parse_stat_pgrp("garbage"), None);
    }

    #[test]
    fn own_pgrp_found() {
        let me = std::process::id() as i32;
        // SAFETY: getpgrp cannot fail.
        let g = unsafe { libc::getpgrp() };
        assert_eq!(pgrp_of(Path::new("/proc"), me), Some(g));
        assert!(pids_in_pgrp(Path::new("/proc"), g).contains(&me));
    }

    #[test]
    fn elapsed_never_negative() {
        let st = parse_supervise_status(&[0xff; 20]);
        assert!(st.is_err());
        let mut b = [0u8; 20];
        b[0..8].copy_from_slice(&(TAI64_UNIX_EPOCH + 100).to_be_bytes());
        b[17] = b'd';
        let st = parse_supervise_status(&b).unwrap();
        assert_eq!(st.elapsed_secs(50), 0);
        assert_eq!(st.elapsed_secs(160), 60);
        assert_eq!(st.changed_unix(), 100);
    }
}
