//! Driving failures and lifetimes: crash, boot again, shut down, cut and heal links, stop
//! the lab (and, dropping an owning lab, kill its guests).

use std::fs;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{qemu, wait_until, Lab, Link, NodeId};

/// How [`Lab::isolate`] cuts a node off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Both links unplugged: the carrier is lost.
    Unplugged,
    /// Every packet dropped on both links, which stay up.
    Silent,
}

/// Drops every packet in and out of both links (the command channel is virtio-serial).
const TC_DROP: &str = "set -e; for d in eth0 eth1; do \
    tc qdisc add dev $d root handle 1: prio; \
    tc filter add dev $d parent 1: matchall action drop; \
    tc qdisc add dev $d ingress; \
    tc filter add dev $d parent ffff: matchall action drop; done";
const TC_UNDROP: &str =
    "for d in eth0 eth1; do tc qdisc del dev $d root; tc qdisc del dev $d ingress; done; true";

impl Lab {
    pub(crate) fn start_keepalived(&self, n: NodeId) -> Result<()> {
        let out = self.exec(
            n,
            "rm -f /opt/opscode/sv/keepalived/down && sv -w 30 start /opt/opscode/service/keepalived",
        )?;
        if !out.success() {
            bail!("{n}: starting keepalived failed: {out:?}");
        }
        Ok(())
    }

    /// Power cut: SIGKILL the node's qemu.
    pub fn crash(&self, n: NodeId) -> Result<()> {
        if let Some(pid) = self.kill_qemu(n) {
            let deadline = Instant::now() + Duration::from_secs(10);
            wait_until(deadline, &format!("{n}'s qemu to die"), || {
                Ok((!qemu::pid_alive(pid, &self.run.display().to_string())).then_some(()))
            })?;
        }
        self.lock_state().pids[n.index()] = 0;
        if !self.owned || !self.tied {
            self.save_state()?;
        }
        Ok(())
    }

    /// Boot the node again on its own disk (keepalived starts at boot, like a real node).
    /// Returns when its command channel answers.
    pub fn start(&self, n: NodeId) -> Result<()> {
        if self.is_running(n) {
            bail!("{n} is already running");
        }
        self.spawn(n, "boot")?;
        if !self.tied {
            self.save_state()?;
        }
        let out = self.exec_timeout(n, "true", self.boot_timeout)?;
        if !out.success() {
            bail!("{n}: booted but `true` failed");
        }
        Ok(())
    }

    /// Graceful shutdown: stop keepalived through runit (the transition script demotes),
    /// take DRBD down, sync, power off; wait for qemu to exit.
    pub fn shutdown(&self, n: NodeId) -> Result<()> {
        if !self.is_running(n) {
            return Ok(());
        }
        if !n.is_backend() {
            return self.poweroff(n);
        }
        let _ = self.exec_timeout(
            n,
            "sv -w 30 stop /opt/opscode/service/keepalived; \
             for i in $(seq 60); do [ \"$(cat /var/opt/opscode/keepalived/current_cluster_status 2>/dev/null)\" != master ] && break; sleep 0.5; done; \
             sv -w 30 force-stop /opt/opscode/service/redis_lb /opt/opscode/service/postgresql; \
             umount /var/opt/opscode/drbd/data 2>/dev/null; drbdadm down pc0; sync",
            Duration::from_secs(120),
        )?;
        self.poweroff(n)
    }

    /// Cut the node off from both links: unplugged (QMP: the carrier is lost, keepalived
    /// sees its interface go down) or silently (every packet dropped by a `tc` filter
    /// inside the guest, both directions, the links up: a failed switch or firewall).
    pub fn isolate(&self, n: NodeId, how: Isolation) -> Result<()> {
        match how {
            Isolation::Unplugged => {
                self.cut_link(n, Link::Public)?;
                self.cut_link(n, Link::Cluster)
            }
            Isolation::Silent => {
                let out = self.exec(n, TC_DROP)?;
                if !out.success() {
                    bail!("{n}: adding the tc drop filters failed: {out:?}");
                }
                Ok(())
            }
        }
    }

    /// Undo [`Lab::isolate`].
    pub fn rejoin(&self, n: NodeId, how: Isolation) -> Result<()> {
        match how {
            Isolation::Unplugged => {
                self.heal_link(n, Link::Public)?;
                self.heal_link(n, Link::Cluster)
            }
            Isolation::Silent => {
                let out = self.exec(n, TC_UNDROP)?;
                if !out.success() {
                    bail!("{n}: removing the tc drop filters failed: {out:?}");
                }
                Ok(())
            }
        }
    }

    /// Whether the node's qemu has exited by itself (a guest reset: qemu runs with
    /// `-no-reboot`, so a reset is an exit); if so, forget its channel and process, so that
    /// [`Lab::start`] boots it again.
    pub fn reset_by_itself(&self, n: NodeId) -> Result<bool> {
        if self.is_running(n) {
            return Ok(false);
        }
        *self.chan(n) = None;
        if let Some(mut c) = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = c.wait();
        }
        self.lock_state().pids[n.index()] = 0;
        if !self.tied {
            self.save_state()?;
        }
        Ok(true)
    }

    /// `poweroff -f` in the guest, then wait for its qemu to exit.
    pub(crate) fn poweroff(&self, n: NodeId) -> Result<()> {
        let _ = self.exec_timeout(
            n,
            "sync; (sleep 0.3; busybox poweroff -f) >/dev/null 2>&1 &",
            Duration::from_secs(20),
        )?;
        *self.chan(n) = None;
        let deadline = self.deadline(60);
        wait_until(deadline, &format!("{n} to power off"), || {
            Ok((!self.is_running(n)).then_some(()))
        })?;
        if let Some(mut c) = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = c.wait();
        }
        self.lock_state().pids[n.index()] = 0;
        if !self.tied {
            self.save_state()?;
        }
        Ok(())
    }

    /// Unplug one of the node's links (QMP set_link): a network partition on that link.
    pub fn cut_link(&self, n: NodeId, link: Link) -> Result<()> {
        self.set_link(n, link, false)
    }

    /// Plug the link back in.
    pub fn heal_link(&self, n: NodeId, link: Link) -> Result<()> {
        self.set_link(n, link, true)
    }

    fn set_link(&self, n: NodeId, link: Link, up: bool) -> Result<()> {
        if link == Link::Cluster && !n.is_backend() {
            bail!("{n} has no cluster link");
        }
        let sock = self.run.join(format!("{}.qmp", n.name()));
        qemu::qmp(
            &sock,
            "set_link",
            serde_json::json!({"name": link.netdev(), "up": up}),
        )
        .with_context(|| format!("{n}: set_link {} {up}", link.netdev()))?;
        Ok(())
    }

    /// Stop both guests and remove the run directory. Returns once both qemu processes are
    /// gone from the process table (a detached pair's qemu is reaped by whoever adopted it),
    /// so a caller that looks right after sees none; an error names a pid still present.
    pub fn down(self) -> Result<()> {
        let detached = self.kill_all();
        let marker = self.run.display().to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        for pid in detached {
            while qemu::pid_present(pid, &marker) {
                if Instant::now() >= deadline {
                    bail!(
                        "qemu pid {pid} is still present 30 s after SIGKILL (a zombie its parent does not reap?); run dir {} kept",
                        self.run.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = fs::remove_dir_all(&self.run);
        Ok(())
    }

    /// Kills both guests; returns the pids of detached ones (not ours to reap).
    pub(crate) fn kill_all(&self) -> Vec<i32> {
        NodeId::ALL
            .into_iter()
            .filter_map(|n| self.kill_qemu(n))
            .collect()
    }

    /// SIGKILLs node `n`'s qemu process group and drops its command channel. A qemu we
    /// spawned is reaped here; one started by another invocation (the CLI's detached pair)
    /// cannot be, so its pid is returned for the caller to wait on.
    fn kill_qemu(&self, n: NodeId) -> Option<i32> {
        *self.chan(n) = None;
        let pid = self.lock_state().pids[n.index()];
        let mut child = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let detached = if let Some(c) = child.as_mut() {
            qemu::kill_group(pid);
            let _ = c.kill();
            let _ = c.wait();
            None
        } else if qemu::pid_alive(pid, &self.run.display().to_string()) {
            qemu::kill_group(pid);
            Some(pid)
        } else {
            None
        };
        *child = None;
        detached
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if !self.owned || !self.tied {
            return; // the CLI's pair lives on until `lab down`
        }
        if std::thread::panicking() {
            match self.collect_logs() {
                Ok(d) => eprintln!("lab: logs saved in {}", d.display()),
                Err(e) => eprintln!("lab: could not save logs: {e:#}"),
            }
        }
        self.kill_all();
        if std::env::var_os("LAB_KEEP_RUN").is_none() {
            let _ = fs::remove_dir_all(&self.run);
        }
    }
}
