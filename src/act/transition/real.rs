//! The host-touching side of a transition: drbdadm, mount/umount, the service manager,
//! the /proc scan, the cluster.log and the audit log. Each external program runs through
//! [`crate::sys::exec::Command`] with the configured time limit.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{files::ClusterLog, fuser, Host, Settings, Snapshot, Step};
use crate::act::audit::{Audit, AuditResult};
use crate::config::Paths;
use crate::service::{self, Control, ServiceManager};
use crate::sys::exec::Command;

/// This machine, as a [`Host`].
pub struct RealHost<'a> {
    paths: Paths,
    settings: Settings,
    log: ClusterLog,
    manager: Box<dyn ServiceManager>,
    audit: &'a Audit,
    action: String,
    node: String,
    proc_root: PathBuf,
    /// Issue 10: the promotion gate (see [`super::gate`]).
    pub promote_gate: super::gate::Gate,
}

impl<'a> RealHost<'a> {
    /// A host for `paths`; steps are audited under `action` (e.g. `cluster-transition`).
    pub fn new(paths: &Paths, settings: Settings, audit: &'a Audit, action: &str) -> Self {
        RealHost {
            paths: paths.clone(),
            settings,
            log: ClusterLog::new(&paths.cluster_log, true),
            manager: service::manager_for(paths),
            audit,
            action: action.to_string(),
            node: crate::sys::hostname_or("unknown"),
            proc_root: fuser::proc_root(),
            promote_gate: super::gate::Gate::default(),
        }
    }

    fn run(&mut self, cmd: Command) -> Result<(), String> {
        let cmd = cmd.timeout(self.settings.command_timeout);
        let shown = cmd.display();
        self.log.trace(&format!("exec begin: {shown}"));
        let r = cmd.run();
        self.log.trace(&format!(
            "exec end: {shown}: {}",
            match &r {
                Ok(o) if o.success() => "ok",
                _ => "failed",
            }
        ));
        match r {
            Ok(o) if o.success() => Ok(()),
            Ok(o) => {
                let msg = if o.stderr.trim().is_empty() {
                    o.stdout.trim().to_string()
                } else {
                    o.stderr.trim().to_string()
                };
                let code = o
                    .code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "killed by a signal".to_string());
                Err(format!(
                    "'{}' failed (exit {code}): {}",
                    cmd.display(),
                    msg.replace('\n', " / ")
                ))
            }
            Err(e) => Err(format!("{e:#}")),
        }
    }

    /// `sv start` and wait until the supervisor says up.
    fn start_service_wait(&mut self, svc: &str) -> Result<(), String> {
        let out = self
            .manager
            .control(svc, Control::Start)
            .map_err(|e| format!("{e:#}"))?;
        if out.code != 0 {
            let msg = format!("{}{}", out.stdout.trim(), out.stderr.trim());
            return Err(format!("start exit code {}: {msg}", out.code));
        }
        // Verify: poll the supervisor's state, bounded by the start wait.
        let deadline = Instant::now() + self.settings.start_wait;
        loop {
            let st = self.manager.status(svc);
            if st.state.is_up() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "not up after {} s: {}",
                    self.settings.start_wait.as_secs(),
                    st.status_line()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn stop_service_now(&mut self, svc: &str) -> Result<(), String> {
        let log = &mut self.log;
        let code = self
            .manager
            .graceful_kill(svc, &mut |l: &str| log.log(l))
            .map_err(|e| format!("{e:#}"))?;
        if code == 0 {
            Ok(())
        } else {
            Err(format!("graceful-kill exit code {code}"))
        }
    }
}

/// What a transition plan needs, read from this host (mounts from `proc_mounts`, the
/// enabled `keepalive_me` services from the service manager).
pub fn snapshot(paths: &Paths, manager: &dyn ServiceManager) -> Result<Snapshot, String> {
    let mounts = std::fs::read_to_string(&paths.proc_mounts).map_err(|e| {
        format!(
            "cannot read {}: {}",
            paths.proc_mounts.display(),
            crate::sys::io_reason(&e)
        )
    })?;
    let ha = service::ha_states(manager).map_err(|e| format!("{e:#}"))?;
    Ok(Snapshot {
        resource: paths.drbd_resource.clone(),
        device: paths.drbd_device.clone(),
        data_dir: paths.drbd_data_dir.clone(),
        ha_services: ha.into_iter().map(|s| s.name).collect(),
        mounted: crate::observe::host::is_mounted(&mounts, &paths.drbd_data_dir),
    })
}

impl Host for RealHost<'_> {
    fn log(&mut self, msg: &str) {
        self.log.log(msg);
    }

    fn snapshot(&mut self) -> Result<Snapshot, String> {
        snapshot(&self.paths, self.manager.as_ref())
    }

    // `--` before every operand: a name is never read as an option (names are also
    // checked at load: no leading `-`)
    fn drbd_primary(&mut self, resource: &str) -> Result<(), String> {
        // The operator confirmed the loss (master-recover --force, the resource name typed):
        // an Outdated or Consistent disk alone is refused by DRBD without --force.
        let force = self.promote_gate.forced
            && crate::observe::generation::local(&self.paths, None)
                .device
                .as_ref()
                .is_some_and(crate::decide::promote::needs_force);
        if force {
            self.log.log(
                "Forced by the operator: drbdadm primary --force (this node's copy is not proven current)",
            );
            return self.run(Command::new("drbdadm").args(["primary", "--force", "--", resource]));
        }
        self.run(Command::new("drbdadm").args(["primary", "--", resource]))
    }

    fn may_promote(&mut self, _resource: &str) -> Result<(), String> {
        super::gate::apply(
            self.promote_gate.check(&self.paths),
            self.audit,
            &self.action,
            &self.paths,
        )
    }

    fn drbd_secondary(&mut self, resource: &str) -> Result<(), String> {
        self.run(Command::new("drbdadm").args(["secondary", "--", resource]))
    }

    fn is_mounted(&mut self, dir: &Path) -> Result<bool, String> {
        let m = std::fs::read_to_string(&self.paths.proc_mounts).map_err(|e| {
            format!(
                "cannot read {}: {}",
                self.paths.proc_mounts.display(),
                crate::sys::io_reason(&e)
            )
        })?;
        Ok(crate::observe::host::is_mounted(&m, dir))
    }

    fn mount(&mut self, device: &Path, dir: &Path) -> Result<(), String> {
        self.run(Command::new("mount").arg("--").arg(device).arg(dir))
    }

    fn end_mount_users(&mut self, dir: &Path) -> Result<Vec<u32>, String> {
        fuser::kill_users(&self.proc_root, dir)
    }

    fn unmount(&mut self, dir: &Path) -> Result<(), String> {
        self.run(Command::new("umount").arg("--").arg(dir))
    }

    fn start_service(&mut self, svc: &str) -> Result<(), String> {
        self.log.trace(&format!("exec begin: start {svc}"));
        let r = self.start_service_wait(svc);
        self.log.trace(&format!(
            "exec end: start {svc}: {}",
            if r.is_ok() { "ok" } else { "failed" }
        ));
        r
    }

    fn stop_service(&mut self, svc: &str) -> Result<(), String> {
        self.log.trace(&format!("exec begin: stop {svc}"));
        let r = self.stop_service_now(svc);
        self.log.trace(&format!(
            "exec end: stop {svc}: {}",
            if r.is_ok() { "ok" } else { "failed" }
        ));
        r
    }

    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    fn step_started(&mut self, step: &Step) {
        let d = step.describe(&self.node, &self.settings);
        self.audit
            .record(&self.action, &d.what, AuditResult::Started, "");
    }

    fn step_finished(&mut self, step: &Step, result: &Result<(), String>) {
        let d = step.describe(&self.node, &self.settings);
        match result {
            Ok(()) => self
                .audit
                .record(&self.action, &d.what, AuditResult::Ok, ""),
            Err(e) => self.audit.record(
                &self.action,
                &d.what,
                AuditResult::Failed,
                &crate::act::plan::excerpt(e),
            ),
        }
    }
}
