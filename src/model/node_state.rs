//! One node's state as the probe reads it: every fact, or the reason it is unknown.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::corosync::QuorumStatus;
use crate::drbd::running_config::RunningConfig;
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

/// What this node knows of quorum.
#[derive(Debug, Clone, PartialEq)]
pub enum QuorumView {
    /// No arbiter configured: the original topology, every node decides alone.
    Off,
    /// Quorum is required: the arbiter's host and what corosync says.
    On {
        arbiter: String,
        status: Known<QuorumStatus>,
    },
}

impl QuorumView {
    /// Quorum is required and this node has it for sure.
    pub fn quorate(&self) -> bool {
        matches!(self, QuorumView::On { status: Known::Known(s), .. } if s.quorate)
    }

    /// This node may serve as far as quorum goes: quorum off, or held.
    pub fn may_serve(&self) -> bool {
        matches!(self, QuorumView::Off) || self.quorate()
    }

    /// Why this node may not serve, in a few words (`no quorum (1 of 3 votes, 2 needed)`,
    /// `quorum unknown (why)`), or `None` when it may.
    pub fn why_not(&self) -> Option<String> {
        match self {
            QuorumView::Off => None,
            QuorumView::On {
                status: Known::Known(s),
                ..
            } if s.quorate => None,
            QuorumView::On {
                status: Known::Known(s),
                ..
            } => Some(format!(
                "no quorum ({} of {} votes, {} needed)",
                s.total_votes, s.expected_votes, s.quorum
            )),
            QuorumView::On {
                status: Known::Unknown(r),
                ..
            } => Some(format!("quorum unknown ({r})")),
        }
    }

    /// The status when quorum is on and corosync answered.
    pub fn status(&self) -> Option<&QuorumStatus> {
        match self {
            QuorumView::On {
                status: Known::Known(s),
                ..
            } => Some(s),
            _ => None,
        }
    }
}

/// A pingable replication address and whether it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reachability {
    pub address: Option<IpAddr>,
    pub reachable: Known<bool>,
}

/// Everything the ha-status checks need to know about one node, read once by the probe.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeState {
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
    /// The DRBD resource's name (`pc0`).
    pub drbd_resource: String,
    /// What the kernel runs the resource with, and its handlers (`drbdsetup show`,
    /// `drbdadm dump all`).
    pub drbd_config: Known<RunningConfig>,
    pub data_dir: PathBuf,
    pub data_dir_mounted: Known<bool>,
    pub primary: Reachability,
    pub secondary: Reachability,
    /// Enabled services, any order (the checks sort them by name).
    pub services: Known<Vec<ServiceFact>>,
    /// Quorum: off without an arbiter, else what corosync says (or why it is unknown).
    pub quorum: QuorumView,
}

impl NodeState {
    /// "master" means `current_cluster_status == master`; anything else (backup, fault,
    /// garbage, unreadable) is "not master", as in the original.
    pub fn is_master(&self) -> bool {
        matches!(&self.current_status, Known::Known(s) if s == "master")
    }
}
