//! The guests' logs, saved when a test fails (`target/lab-logs/<test>/`).

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::{target_dir, Lab, NodeId};

impl Lab {
    /// Save consoles, keepalived logs, cluster.log, dmesg and a state dump of both back ends
    /// (fe1: console, dmesg, the `/_status` service's log and answer, a state dump) under
    /// `target/lab-logs/<name>/`.
    pub fn collect_logs(&self) -> Result<PathBuf> {
        let dir = target_dir().join("lab-logs").join(&self.name);
        fs::create_dir_all(&dir)?;
        for n in NodeId::ALL {
            if n == NodeId::Fe1 && !self.has_frontend() {
                continue;
            }
            let nm = n.name();
            for (src, dst) in [
                (format!("{nm}.console.log"), format!("{nm}-console.log")),
                (
                    format!("{nm}.console.qemu-stderr.log"),
                    format!("{nm}-qemu-stderr.log"),
                ),
            ] {
                let _ = fs::copy(self.run.join(src), dir.join(dst));
            }
            if !self.is_running(n) {
                let _ = fs::write(dir.join(format!("{nm}-NOT-RUNNING")), b"");
                continue;
            }
            let t = Duration::from_secs(15);
            let fe_items: [(&str, &str); 4] = [
                ("dmesg.txt", "dmesg"),
                (
                    "frontend-status.log",
                    "cat /var/log/lab/frontend-status.log",
                ),
                (
                    "status.txt",
                    "curl -sS -i --max-time 5 https://chef.lab.example/_status",
                ),
                (
                    "state.txt",
                    "ip addr; ip neigh; sv status /opt/opscode/service/*; ps axf",
                ),
            ];
            let be_items: [(&str, &str); 6] = [
                ("dmesg.txt", "dmesg"),
                (
                    "keepalived-current.log",
                    "cat /var/log/opscode/keepalived/current",
                ),
                (
                    "cluster.log",
                    "cat /var/log/opscode/keepalived/cluster.log",
                ),
                ("split-brain.log", "cat /var/opt/opscode/drbd/split-brain.log"),
                (
                    "state.txt",
                    "cat /proc/drbd; ip addr; sv status /opt/opscode/service/*; cat /var/opt/opscode/keepalived/*_cluster_status; cat /proc/mounts; ps axf",
                ),
                ("keepalived-logs.tar.b64", "tar -C /var/log/opscode -cz keepalived | base64"),
            ];
            let items: &[(&str, &str)] = if n.is_backend() { &be_items } else { &fe_items };
            for &(file, cmd) in items {
                let text = match self.exec_timeout(n, cmd, t) {
                    Ok(o) => format!("{}{}", o.stdout, o.stderr),
                    Err(e) => format!("(could not collect: {e:#})\n"),
                };
                let _ = fs::write(dir.join(format!("{nm}-{file}")), text);
            }
        }
        Ok(dir)
    }
}
