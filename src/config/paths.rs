//! Where things live on a back-end node. Defaults are Enterprise Chef 11's layout; every
//! path can be overridden (see `config` for how) for other installs and for tests.

use std::path::PathBuf;

use serde::Serialize;

/// Which service manager runs the services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceManagerKind {
    Runit,
    Systemd,
}

/// Every file, directory and name the HA commands read or write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paths {
    /// /opt/opscode
    pub base_dir: PathBuf,
    /// /var/opt/opscode
    pub data_dir: PathBuf,
    /// /var/log/opscode
    pub log_dir: PathBuf,
    /// /etc/opscode
    pub etc_dir: PathBuf,
    /// /opt/opscode/sv: runit service directories (one per service)
    pub sv_dir: PathBuf,
    /// /opt/opscode/service: enabled services (symlinks into sv_dir), runsvdir's directory
    pub service_dir: PathBuf,
    /// /opt/opscode/init: LSB-style links to sv
    pub init_dir: PathBuf,
    /// runit's `sv` program (the omnibus one when present, else `sv` on PATH)
    pub sv_bin: PathBuf,
    /// SVWAIT for sv start/stop/restart, seconds (the original exported 30)
    pub svwait_secs: u64,
    /// /etc/opscode/chef-server-running.json (omnibus-ctl's running config)
    pub running_config: PathBuf,
    /// /var/opt/opscode/keepalived
    pub keepalived_dir: PathBuf,
    /// /var/opt/opscode/keepalived/requested_cluster_status
    pub requested_status: PathBuf,
    /// /var/opt/opscode/keepalived/current_cluster_status
    pub current_status: PathBuf,
    /// /var/opt/opscode/keepalived/cluster-transition.lock
    pub transition_lock: PathBuf,
    /// /var/log/opscode/keepalived/cluster.log
    pub cluster_log: PathBuf,
    /// /var/opt/opscode/drbd
    pub drbd_dir: PathBuf,
    /// /var/opt/opscode/drbd/data: the replicated file system's mount point
    pub drbd_data_dir: PathBuf,
    /// /dev/drbd0
    pub drbd_device: PathBuf,
    /// /dev/opscode/drbd: the backing block device
    pub drbd_disk: PathBuf,
    /// pc0
    pub drbd_resource: String,
    /// /proc/drbd
    pub proc_drbd: PathBuf,
    /// /proc/mounts
    pub proc_mounts: PathBuf,
    /// /var/log/opscode/private-chef-ctl/audit.log
    pub audit_log: PathBuf,
    /// runit (default) or systemd
    pub service_manager: ServiceManagerKind,
}

impl Default for Paths {
    fn default() -> Self {
        let base = PathBuf::from("/opt/opscode");
        let data = PathBuf::from("/var/opt/opscode");
        let log = PathBuf::from("/var/log/opscode");
        let ka = data.join("keepalived");
        let drbd = data.join("drbd");
        let omnibus_sv = base.join("embedded/bin/sv");
        Paths {
            sv_dir: base.join("sv"),
            service_dir: base.join("service"),
            init_dir: base.join("init"),
            sv_bin: if omnibus_sv.exists() {
                omnibus_sv
            } else {
                PathBuf::from("sv")
            },
            svwait_secs: 30,
            running_config: PathBuf::from("/etc/opscode/chef-server-running.json"),
            requested_status: ka.join("requested_cluster_status"),
            current_status: ka.join("current_cluster_status"),
            transition_lock: ka.join("cluster-transition.lock"),
            cluster_log: log.join("keepalived/cluster.log"),
            drbd_data_dir: drbd.join("data"),
            drbd_device: PathBuf::from("/dev/drbd0"),
            drbd_disk: PathBuf::from("/dev/opscode/drbd"),
            drbd_resource: "pc0".to_string(),
            proc_drbd: PathBuf::from("/proc/drbd"),
            proc_mounts: PathBuf::from("/proc/mounts"),
            audit_log: log.join("private-chef-ctl/audit.log"),
            service_manager: ServiceManagerKind::Runit,
            keepalived_dir: ka,
            drbd_dir: drbd,
            etc_dir: PathBuf::from("/etc/opscode"),
            base_dir: base,
            data_dir: data,
            log_dir: log,
        }
    }
}
