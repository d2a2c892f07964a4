//! The HA transition of one back-end node (keepalived's notify target; master-recover and
//! backup-recover), the repaired form of Enterprise Chef's `cluster.sh`.
//!
//! * **Knowing** ([`parse_notify_args`], [`plan`]: [`crate::decide::transition`]) and the
//!   loop ([`run_loop`]) over a [`Host`], the small trait of host actions; unit-tested
//!   without a host.
//! * **Touching** ([`real::RealHost`], [`files`], [`fuser`]): the thin executor.
//! * Issue 10: [`Host::may_promote`] before each `drbdadm primary` attempt; the real host
//!   asks the promotion gate ([`gate`]), which never promotes data that may be stale.
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
//!    a failure writes its reason to [`crate::observe::probe::transition_error_file`], logs it,
//!    and the outcome is [`Outcome::Failed`] (**exit 1**).
//!
//! Log lines go to cluster.log as `<date -R>: <message>` and to stdout, with the
//! original's messages.

pub mod files;
pub mod fuser;
pub mod gate;
pub mod real;

use std::path::Path;
use std::time::Duration;

use crate::act::audit::AuditResult;
use crate::act::plan::{excerpt, Runner};
pub use crate::decide::transition::{
    parse_notify_args, plan, to_plan, Settings, Snapshot, Step, Target, DEFAULT_ATTEMPTS,
    DEFAULT_COMMAND_TIMEOUT_SECS, DEFAULT_RETRY_SECS,
};
use crate::model::exit;
pub use files::{ClusterLog, LockAttempt, StateFiles, TransitionLock};

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
            Outcome::Reached(_) | Outcome::Busy { .. } => exit::OK,
            Outcome::Failed { .. } => exit::FAILED,
        }
    }
}

fn fail(host: &mut dyn Host, state: &StateFiles, target: Target, reason: &str) {
    host.log(reason);
    eprintln!("private-chef-ctl: {reason}");
    if let Err(e) = state.record_failure(target, reason, &crate::sys::time::rfc2822_now()) {
        host.log(&format!(
            "cannot write {}: {}",
            state.error.display(),
            crate::sys::io_reason(&e)
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
                            crate::sys::io_reason(&e)
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
            crate::sys::io_reason(&e)
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
                    crate::sys::io_reason(&e)
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

/// Audits the end of a transition run (through the command's plan runner).
pub fn record_outcome(run: &Runner, target: Target, outcome: &Outcome) {
    match outcome {
        Outcome::Reached(t) => {
            run.record(target.as_str(), AuditResult::Ok, &format!("reached {t}"))
        }
        Outcome::Busy { holder } => run.record(
            target.as_str(),
            AuditResult::Ok,
            &format!(
                "queued: a transition is already running (pid {}); it picks up this request",
                holder.map(|p| p.to_string()).unwrap_or_else(|| "?".into())
            ),
        ),
        Outcome::Failed { target: t, reason } => {
            run.record(t.as_str(), AuditResult::Failed, &excerpt(reason))
        }
    }
}

#[cfg(test)]
mod gate_tests;
#[cfg(test)]
mod tests;
