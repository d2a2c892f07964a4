//! The HA transition of one back-end node (keepalived's notify target; master-recover and
//! backup-recover), the repaired form of Enterprise Chef's `cluster.sh`.
//!
//! * **Knowing** ([`parse_notify_args`], [`plan`], [`run_loop`]): pure decisions over a
//!   [`Snapshot`] and a [`Host`], the small trait of host actions; unit-tested without a host.
//! * **Touching** ([`real::RealHost`], [`files`], [`fuser`]): the thin executor.
//!
//! # Semantics (see `chef-ha-ctl.md` §6.3 for the original)
//!
//! 1. The requested state is written first, atomically, to `requested_cluster_status`.
//! 2. The lock is an exclusive `flock(2)` on `cluster-transition.lock` (the file holds the
//!    holder's pid). A caller that cannot take it logs
//!    `Requested transition to <s>, but state transition already running.` and returns
//!    [`Outcome::Busy`] (**exit 0**: its request is recorded and the running transition picks
//!    it up).
//! 3. The holder transitions, then re-reads the request and goes on until the reached
//!    state equals it. After releasing the lock it reads the request once more and, if it
//!    changed meanwhile, takes the lock again (so a request made in that window is not lost).
//! 4. **master**: `drbdadm primary <res>` retried (`attempts` × `retry`; each attempt has its
//!    own timeout; abandoned when the request changes), mount the device unless mounted (a
//!    failed mount fails the transition), start the `keepalive_me` services in ascending
//!    order and wait until each is up.
//! 5. **backup**, and also **fault** and **stop** (safer than the original's no-op: a node
//!    keepalived no longer trusts must not keep the data): stop the services in reverse
//!    order (graceful-kill), SIGKILL remaining users of the mount, unmount (retried),
//!    `drbdadm secondary <res>` (retried; abandoned when `master` is requested meanwhile).
//! 6. `current_cluster_status` is written only on success (and the error file removed);
//!    a failure writes its reason to [`crate::probe::transition_error_file`], logs it,
//!    and the outcome is [`Outcome::Failed`] (**exit 1**).
//!
//! Log lines go to cluster.log as `<date -R>: <message>` and to stdout, with the
//! original's messages.

pub mod files;
pub mod fuser;
pub mod real;
pub mod recover;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::config::{Config, Paths, Value};
pub use files::{ClusterLog, LockAttempt, StateFiles, TransitionLock};

/// A state keepalived (or an operator) can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Hold the data and run the services.
    Master,
    /// Give them up.
    Backup,
    /// keepalived's FAULT: demoted like backup.
    Fault,
    /// keepalived stopping: demoted like backup.
    Stop,
}

impl Target {
    /// The word written to the state files.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Master => "master",
            Target::Backup => "backup",
            Target::Fault => "fault",
            Target::Stop => "stop",
        }
    }

    /// `master`, `backup`, `fault`, `stop`, any case.
    pub fn from_word(s: &str) -> Option<Target> {
        match s.trim().to_ascii_lowercase().as_str() {
            "master" => Some(Target::Master),
            "backup" => Some(Target::Backup),
            "fault" => Some(Target::Fault),
            "stop" => Some(Target::Stop),
            _ => None,
        }
    }

    /// True for master: the only state that holds the data.
    pub fn promotes(self) -> bool {
        self == Target::Master
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exit code: the request was reached, or recorded for the running transition.
pub const EXIT_OK: i32 = 0;
/// Exit code: the transition failed (reason in the error file and cluster.log).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: the arguments are not a state.
pub const EXIT_USAGE: i32 = 2;

/// Parses cluster-transition's arguments: one state word (`master|backup|fault|stop`,
/// any case), or keepalived's generic notify arguments `INSTANCE|GROUP NAME STATE PRIORITY`
/// (STATE `MASTER|BACKUP|FAULT|STOP`, any case; NAME may be quoted as in the notify FIFO;
/// PRIORITY an integer 0–255). Anything else is an error saying what was expected.
pub fn parse_notify_args<S: AsRef<str>>(args: &[S]) -> Result<Target, String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    const EXPECTED: &str =
        "expected one of master|backup|fault|stop, or keepalived's notify arguments INSTANCE|GROUP NAME STATE PRIORITY";
    match args.as_slice() {
        [] => Err(format!("no state given: {EXPECTED}")),
        [word] => {
            Target::from_word(word).ok_or_else(|| format!("unknown state '{word}': {EXPECTED}"))
        }
        [kind, name, state, prio] => {
            if !kind.eq_ignore_ascii_case("INSTANCE") && !kind.eq_ignore_ascii_case("GROUP") {
                return Err(format!(
                    "unknown notify type '{kind}' (expected INSTANCE or GROUP): {EXPECTED}"
                ));
            }
            let name = name.trim_matches('"');
            if name.is_empty() {
                return Err(format!("empty instance/group name: {EXPECTED}"));
            }
            if prio.parse::<u8>().is_err() {
                return Err(format!(
                    "priority '{prio}' is not a number 0-255: {EXPECTED}"
                ));
            }
            Target::from_word(state).ok_or_else(|| {
                format!("state '{state}' of {kind} {name} is not MASTER, BACKUP, FAULT or STOP")
            })
        }
        other => Err(format!(
            "{} arguments given ({}): {EXPECTED}",
            other.len(),
            other.join(" ")
        )),
    }
}

/// What the plan needs to know about this node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The DRBD resource (`pc0`).
    pub resource: String,
    /// The DRBD device (`/dev/drbd0`).
    pub device: PathBuf,
    /// The mount point (`/var/opt/opscode/drbd/data`).
    pub data_dir: PathBuf,
    /// The enabled `keepalive_me` services, sorted ascending.
    pub ha_services: Vec<String>,
    /// Whether `data_dir` is mounted now.
    pub mounted: bool,
}

/// One step of a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `drbdadm primary <resource>`, retried.
    DrbdPrimary { resource: String },
    /// `mount <device> <dir>`.
    Mount { device: PathBuf, dir: PathBuf },
    /// Start a service and wait until it is up.
    StartService { service: String },
    /// Graceful-kill a service.
    StopService { service: String },
    /// SIGKILL the users of the mount and unmount it, retried.
    Unmount { dir: PathBuf },
    /// `drbdadm secondary <resource>`, retried; each attempt first ends the users of
    /// `data_dir` and unmounts it if it is mounted (again).
    DrbdSecondary { resource: String, data_dir: PathBuf },
}

/// The steps that move this node to `target`, given what it looks like now.
///
/// * master: primary, mount (unless mounted), start each service ascending;
/// * backup/fault/stop: stop each service descending, unmount (if mounted), secondary.
///
/// `drbdadm primary/secondary` are always planned: they succeed at once when the role is
/// already right, and /proc/drbd may be stale.
pub fn plan(target: Target, snap: &Snapshot) -> Vec<Step> {
    let mut steps = Vec::new();
    if target.promotes() {
        steps.push(Step::DrbdPrimary {
            resource: snap.resource.clone(),
        });
        if !snap.mounted {
            steps.push(Step::Mount {
                device: snap.device.clone(),
                dir: snap.data_dir.clone(),
            });
        }
        let mut svcs = snap.ha_services.clone();
        svcs.sort();
        steps.extend(
            svcs.into_iter()
                .map(|service| Step::StartService { service }),
        );
    } else {
        let mut svcs = snap.ha_services.clone();
        svcs.sort();
        steps.extend(
            svcs.into_iter()
                .rev()
                .map(|service| Step::StopService { service }),
        );
        if snap.mounted {
            steps.push(Step::Unmount {
                dir: snap.data_dir.clone(),
            });
        }
        steps.push(Step::DrbdSecondary {
            resource: snap.resource.clone(),
            data_dir: snap.data_dir.clone(),
        });
    }
    steps
}

impl Step {
    /// The step as a [`crate::plan::Step`] on `node`, for printing and the audit log.
    pub fn describe(&self, node: &str, settings: &Settings) -> crate::plan::Step {
        let retry = format!(
            "up to {} attempts, {} s apart",
            settings.attempts,
            settings.retry.as_secs_f64()
        );
        let (what, command, why, destructive) = match self {
            Step::DrbdPrimary { resource } => (
                format!("Promote DRBD resource {resource} to Primary ({retry})"),
                Some(format!("drbdadm primary {resource}")),
                "the data must be writable here before the services start".to_string(),
                false,
            ),
            Step::Mount { device, dir } => (
                format!("Mount {} at {}", device.display(), dir.display()),
                Some(format!("mount {} {}", device.display(), dir.display())),
                "the services keep their data on the replicated file system".to_string(),
                false,
            ),
            Step::StartService { service } => (
                format!("Start service {service} and wait until it is up"),
                Some(format!("private-chef-ctl start {service}")),
                "an HA service runs only on the master".to_string(),
                false,
            ),
            Step::StopService { service } => (
                format!("Stop service {service} (graceful-kill)"),
                Some(format!("private-chef-ctl graceful-kill {service}")),
                "an HA service runs only on the master; this interrupts it here".to_string(),
                true,
            ),
            Step::Unmount { dir } => (
                format!(
                    "SIGKILL remaining processes using {} and unmount it ({retry})",
                    dir.display()
                ),
                Some(format!("umount {}", dir.display())),
                "DRBD cannot become Secondary while the device is open".to_string(),
                true,
            ),
            Step::DrbdSecondary { resource, .. } => (
                format!("Demote DRBD resource {resource} to Secondary ({retry})"),
                Some(format!("drbdadm secondary {resource}")),
                "the peer can only become Primary when this node is Secondary".to_string(),
                false,
            ),
        };
        crate::plan::Step {
            what,
            node: node.to_string(),
            command,
            why,
            destructive,
        }
    }
}

/// The plan of a transition as a printable [`crate::plan::Plan`].
pub fn to_plan(
    target: Target,
    steps: &[Step],
    node: &str,
    settings: &Settings,
) -> crate::plan::Plan {
    crate::plan::Plan {
        title: format!("transition {node} to {target}"),
        steps: steps.iter().map(|s| s.describe(node, settings)).collect(),
    }
}

/// Retry counts and time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Attempts of `drbdadm primary/secondary` and of unmount (original: 300).
    pub attempts: u32,
    /// Pause between attempts (original: 1 s).
    pub retry: Duration,
    /// Time limit of each external command (drbdadm, mount, umount, sv).
    pub command_timeout: Duration,
    /// How long a started service may take to be up (default SVWAIT, 30 s).
    pub start_wait: Duration,
}

/// Default attempts, as the original.
pub const DEFAULT_ATTEMPTS: u32 = 300;
/// Default pause between attempts, as the original.
pub const DEFAULT_RETRY_SECS: f64 = 1.0;
/// Default time limit of one external command.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 60;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            attempts: DEFAULT_ATTEMPTS,
            retry: Duration::from_secs_f64(DEFAULT_RETRY_SECS),
            command_timeout: Duration::from_secs(DEFAULT_COMMAND_TIMEOUT_SECS),
            start_wait: Duration::from_secs(30),
        }
    }
}

fn positive_secs(v: &Value) -> Option<Duration> {
    let f = match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return None,
    };
    (f.is_finite() && f >= 0.0).then(|| Duration::from_secs_f64(f))
}

impl Settings {
    /// The settings of an install: `keepalived['transition_attempts']`,
    /// `['transition_retry_secs']`, `['transition_command_timeout']` when set, start wait =
    /// SVWAIT; then the command-line overrides (`Some` wins).
    pub fn resolve(
        cfg: Option<&Config>,
        paths: &Paths,
        attempts: Option<u32>,
        retry_secs: Option<f64>,
        command_timeout_secs: Option<u64>,
    ) -> Settings {
        let mut s = Settings {
            start_wait: Duration::from_secs(paths.svwait_secs),
            ..Settings::default()
        };
        if let Some(cfg) = cfg {
            if let Some(n) = cfg
                .attr("keepalived", "transition_attempts")
                .and_then(Value::as_int)
                .and_then(|n| u32::try_from(n).ok())
            {
                s.attempts = n.max(1);
            }
            if let Some(d) = cfg
                .attr("keepalived", "transition_retry_secs")
                .and_then(positive_secs)
            {
                s.retry = d;
            }
            if let Some(d) = cfg
                .attr("keepalived", "transition_command_timeout")
                .and_then(positive_secs)
            {
                s.command_timeout = d;
            }
        }
        if let Some(n) = attempts {
            s.attempts = n.max(1);
        }
        if let Some(r) = retry_secs.filter(|r| r.is_finite() && *r >= 0.0) {
            s.retry = Duration::from_secs_f64(r);
        }
        if let Some(t) = command_timeout_secs {
            s.command_timeout = Duration::from_secs(t.max(1));
        }
        s
    }
}

/// The host actions a transition needs. [`real::RealHost`] does them on this machine;
/// tests use a recording implementation.
pub trait Host {
    /// Logs a message (cluster.log and stdout).
    fn log(&mut self, msg: &str);
    /// What the plan needs to know now.
    fn snapshot(&mut self) -> Result<Snapshot, String>;
    /// One `drbdadm primary` attempt.
    fn drbd_primary(&mut self, resource: &str) -> Result<(), String>;
    /// Issue 10: may this node promote now? `Err` says why not (its data may be stale);
    /// `drbdadm primary` is then not run and the check is repeated at the next attempt.
    fn may_promote(&mut self, _resource: &str) -> Result<(), String> {
        Ok(())
    }
    /// One `drbdadm secondary` attempt.
    fn drbd_secondary(&mut self, resource: &str) -> Result<(), String>;
    /// Whether `dir` is mounted now.
    fn is_mounted(&mut self, dir: &Path) -> Result<bool, String>;
    /// Mounts `device` at `dir`.
    fn mount(&mut self, device: &Path, dir: &Path) -> Result<(), String>;
    /// SIGKILLs the processes using `dir`; returns their pids.
    fn end_mount_users(&mut self, dir: &Path) -> Result<Vec<u32>, String>;
    /// One unmount attempt.
    fn unmount(&mut self, dir: &Path) -> Result<(), String>;
    /// Starts a service and waits until it is up.
    fn start_service(&mut self, service: &str) -> Result<(), String>;
    /// Stops a service (graceful-kill).
    fn stop_service(&mut self, service: &str) -> Result<(), String>;
    /// Waits between attempts.
    fn sleep(&mut self, d: Duration);
    /// A step begins (audit hook).
    fn step_started(&mut self, _step: &Step) {}
    /// A step ended (audit hook): `Ok(())`, or the error.
    fn step_finished(&mut self, _step: &Step, _result: &Result<(), String>) {}
}

/// How one transition ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Performed {
    /// The target was reached.
    Reached,
    /// Abandoned because this state was requested meanwhile.
    Aborted(Target),
}

enum StepEnd {
    Done,
    Aborted(Target),
}

/// The request has changed direction (master ↔ not master): abandon the retries.
fn changed_direction(state: &StateFiles, target: Target) -> Option<Target> {
    state
        .read_requested()
        .filter(|r| r.promotes() != target.promotes())
}

fn note_error(host: &mut dyn Host, last: &mut Option<String>, e: String) {
    if last.as_deref() != Some(e.as_str()) {
        host.log(&e);
    }
    *last = Some(e);
}

fn run_step(
    host: &mut dyn Host,
    state: &StateFiles,
    target: Target,
    step: &Step,
    s: &Settings,
) -> Result<StepEnd, String> {
    match step {
        Step::DrbdPrimary { resource } => {
            let mut last = None;
            for left in (1..=s.attempts).rev() {
                host.log(&format!(
                    "Attempting DRBD primary takeover - attempts left {left}"
                ));
                // issue 10: never promote a node whose data may be stale
                match host
                    .may_promote(resource)
                    .and_then(|()| host.drbd_primary(resource))
                {
                    Ok(()) => {
                        host.log("DRBD primary takeover successful");
                        return Ok(StepEnd::Done);
                    }
                    Err(e) => note_error(host, &mut last, e),
                }
                if let Some(r) = changed_direction(state, target) {
                    host.log(&format!(
                        "Requested state transition to {r}, aborting trying to aquire DRBD primary"
                    ));
                    return Ok(StepEnd::Aborted(r));
                }
                if left > 1 {
                    host.sleep(s.retry);
                }
            }
            Err(format!(
                "Cannot become drbd primary! ({})",
                last.unwrap_or_default()
            ))
        }
        Step::Mount { device, dir } => {
            host.log(&format!(
                "Mounting {} at {}",
                device.display(),
                dir.display()
            ));
            if host.is_mounted(dir)? {
                host.log(&format!("{} is already mounted", dir.display()));
                return Ok(StepEnd::Done);
            }
            host.mount(device, dir).map_err(|e| {
                format!(
                    "Cannot mount {} at {}: {e}",
                    device.display(),
                    dir.display()
                )
            })?;
            Ok(StepEnd::Done)
        }
        Step::StartService { service } => {
            host.log(&format!("Starting service {service}"));
            host.start_service(service)
                .map_err(|e| format!("Cannot start {service}: {e}"))?;
            Ok(StepEnd::Done)
        }
        Step::StopService { service } => {
            host.log(&format!("Stopping service {service}"));
            host.stop_service(service)
                .map_err(|e| format!("Cannot kill {service}: {e}"))?;
            Ok(StepEnd::Done)
        }
        Step::Unmount { dir } => {
            let mut last = None;
            for left in (1..=s.attempts).rev() {
                if !host.is_mounted(dir)? {
                    return Ok(StepEnd::Done);
                }
                host.log(&format!(
                    "Attempting to unmount {} - attempts left {left}",
                    dir.display()
                ));
                match end_users_and_unmount(host, dir) {
                    Ok(()) => return Ok(StepEnd::Done),
                    Err(e) => note_error(host, &mut last, e),
                }
                if let Some(r) = changed_direction(state, target) {
                    host.log(&format!(
                        "Requested state transition to {r}, aborting trying to unmount {}",
                        dir.display()
                    ));
                    return Ok(StepEnd::Aborted(r));
                }
                if left > 1 {
                    host.sleep(s.retry);
                }
            }
            Err(format!(
                "Cannot unmount {} ({})",
                dir.display(),
                last.unwrap_or_default()
            ))
        }
        Step::DrbdSecondary { resource, data_dir } => {
            let mut last = None;
            for left in (1..=s.attempts).rev() {
                host.log(&format!(
                    "Attempting to become DRBD secondary - attempts left {left}"
                ));
                let r = match host.is_mounted(data_dir) {
                    Ok(true) => end_users_and_unmount(host, data_dir)
                        .and_then(|()| host.drbd_secondary(resource)),
                    _ => host.drbd_secondary(resource),
                };
                match r {
                    Ok(()) => {
                        host.log("DRBD secondary successful");
                        return Ok(StepEnd::Done);
                    }
                    Err(e) => note_error(host, &mut last, e),
                }
                if let Some(r) = changed_direction(state, target) {
                    host.log(&format!(
                        "Requested state transition to {r}, aborting trying to become DRBD secondary"
                    ));
                    return Ok(StepEnd::Aborted(r));
                }
                if left > 1 {
                    host.sleep(s.retry);
                }
            }
            Err(format!(
                "Cannot become DRBD secondary ({})",
                last.unwrap_or_default()
            ))
        }
    }
}

fn end_users_and_unmount(host: &mut dyn Host, dir: &Path) -> Result<(), String> {
    let pids = host.end_mount_users(dir)?;
    if !pids.is_empty() {
        let list: Vec<String> = pids.iter().map(u32::to_string).collect();
        host.log(&format!(
            "Killed processes using {}: {}",
            dir.display(),
            list.join(" ")
        ));
    }
    host.unmount(dir)
}

/// One transition: logs `Transitioning to <t>`, plans from a fresh snapshot, runs the
/// steps. `Err` carries the reason of a failure.
pub fn perform(
    host: &mut dyn Host,
    state: &StateFiles,
    target: Target,
    settings: &Settings,
) -> Result<Performed, String> {
    host.log(&format!("Transitioning to {target}"));
    let snap = host.snapshot()?;
    for step in plan(target, &snap) {
        host.step_started(&step);
        let r = run_step(host, state, target, &step, settings);
        let fin = match &r {
            Ok(_) => Ok(()),
            Err(e) => Err(e.clone()),
        };
        host.step_finished(&step, &fin);
        match r? {
            StepEnd::Done => {}
            StepEnd::Aborted(t) => return Ok(Performed::Aborted(t)),
        }
    }
    Ok(Performed::Reached)
}

/// How a whole run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The request was reached (the last one, if it changed meanwhile).
    Reached(Target),
    /// The last transition failed.
    Failed {
        /// The state it tried to reach.
        target: Target,
        /// Why.
        reason: String,
    },
    /// Another process holds the lock; this request is recorded for it.
    Busy {
        /// The holder's pid, as the lock file says.
        holder: Option<u32>,
    },
}

impl Outcome {
    /// The exit code: 0 reached or busy, 1 failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Reached(_) | Outcome::Busy { .. } => EXIT_OK,
            Outcome::Failed { .. } => EXIT_FAILED,
        }
    }
}

fn fail(host: &mut dyn Host, state: &StateFiles, target: Target, reason: &str) {
    host.log(reason);
    eprintln!("private-chef-ctl: {reason}");
    if let Err(e) = state.record_failure(target, reason, &crate::exec::rfc2822_now()) {
        host.log(&format!(
            "cannot write {}: {}",
            state.error.display(),
            crate::probe::host::io_reason(&e)
        ));
    }
}

/// The transition loop (the lock held): transition to `first`, then re-read the request
/// and go on until the reached state equals it. A failed transition is recorded
/// (error file) and ends the loop unless another state was requested meanwhile.
pub fn run_loop(
    host: &mut dyn Host,
    state: &StateFiles,
    first: Target,
    settings: &Settings,
) -> Outcome {
    let mut target = first;
    loop {
        let result = perform(host, state, target, settings);
        let outcome = match result {
            Ok(Performed::Aborted(next)) => {
                target = next;
                continue;
            }
            Ok(Performed::Reached) => {
                host.log(&format!("Transitioned to {target}"));
                match state.record_success(target) {
                    Ok(()) => Outcome::Reached(target),
                    Err(e) => {
                        let reason = format!(
                            "Transitioned to {target}, but cannot record it in {}: {}",
                            state.current.display(),
                            crate::probe::host::io_reason(&e)
                        );
                        fail(host, state, target, &reason);
                        Outcome::Failed { target, reason }
                    }
                }
            }
            Err(reason) => {
                fail(host, state, target, &reason);
                Outcome::Failed { target, reason }
            }
        };
        match state.read_requested() {
            Some(r) if r != target => target = r,
            _ => return outcome,
        }
    }
}

/// The whole transition: record the request, take the lock (or report [`Outcome::Busy`]),
/// run the loop, release, and re-check the request once more after the release.
pub fn run(
    host: &mut dyn Host,
    state: &StateFiles,
    lock_path: &Path,
    target: Target,
    settings: &Settings,
) -> Outcome {
    if let Err(e) = state.write_requested(target) {
        let reason = format!(
            "Cannot record requested transition to {target} in {}: {}",
            state.requested.display(),
            crate::probe::host::io_reason(&e)
        );
        fail(host, state, target, &reason);
        return Outcome::Failed { target, reason };
    }
    let mut want = target;
    let mut last: Option<Outcome> = None;
    loop {
        let lock = match TransitionLock::try_acquire(lock_path) {
            Ok(LockAttempt::Acquired(l)) => l,
            Ok(LockAttempt::Busy { holder }) => {
                return match last {
                    // We finished; the new holder handles the newer request.
                    Some(o) => o,
                    None => {
                        host.log(&format!("Requested transition to {target}"));
                        host.log(&format!(
                            "Requested transition to {target}, but state transition already running."
                        ));
                        Outcome::Busy { holder }
                    }
                };
            }
            Err(e) => {
                let reason = format!(
                    "Cannot take the transition lock {}: {}",
                    lock_path.display(),
                    crate::probe::host::io_reason(&e)
                );
                fail(host, state, want, &reason);
                return Outcome::Failed {
                    target: want,
                    reason,
                };
            }
        };
        let outcome = run_loop(host, state, want, settings);
        drop(lock);
        let reached = match &outcome {
            Outcome::Reached(t) | Outcome::Failed { target: t, .. } => *t,
            Outcome::Busy { .. } => return outcome,
        };
        match state.read_requested() {
            Some(r) if r != reached => {
                want = r;
                last = Some(outcome);
            }
            _ => return outcome,
        }
    }
}

#[cfg(test)]
mod tests;
