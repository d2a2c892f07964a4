//! The `ha-status --json` document ([`StatusDoc`]) and the two nodes' views the diagnosis
//! reads: this node's (built from its own document) and the peer's (its `ha-status
//! --json`, fetched over ssh and deserialized into the same [`StatusDoc`]). One type, one
//! conversion, for both.
//!
//! ```text
//! StatusDoc = {"ok":true,"exit_code":0,
//!   "cluster_status":{"requested":"master","current":"master"},
//!   "checks":[{"id":"keepalived_enabled","status":"ok","code":0,"message":"…"}],
//!   "drbd":DrbdDoc|null,          // crate::drbd::json; null when /proc/drbd is unreadable
//!   "drbd_config":RunningConfig,  // crate::drbd::running_config; absent when unreadable
//!   "generation":DataFacts,       // crate::model::generation (absent from older versions)
//!   "quorum":QuorumDoc|null,      // crate::model::quorum; null without a topology
//!   "peer":PeerView}              // only with ha-status --peer --json
//! ```
//!
//! The serialized shape is also the fixture format of `fixtures/diagnose/` (a fixture is
//! `{"local": NodeView, "peer": PeerView}`) and the `local`/`peer` of `ha-diagnose --json`:
//!
//! ```text
//! NodeView = {
//!   "node": "be1.lab.example",            // hostname (local) or topology FQDN (peer)
//!   "source": "local" | "ssh root@192.0.2.12",
//!   "exit_code": 0,                        // that node's ha-status exit code, null if unknown
//!   "cluster_status": {"requested": "master"|null, "current": "master"|null},
//!   "transition_lock_held": false|true|null,   // null: not read (always null for the peer)
//!   "checks": [{"id","status","code","message"}],   // ha-status checks
//!   "minor": 0,
//!   "drbd": [DeviceView] | null,           // null: /proc/drbd unreadable (see drbd_error)
//!   "drbd_error": "…" | null,
//!   "split_brain": SplitBrainRecord | null, // the last split-brain handler record
//!   "data": DataFacts,                      // the generation facts (default: not reported)
//!   "quorum": QuorumDoc | null              // crate::model::quorum (null: not reported)
//! }
//! DeviceView = {"minor":0,"cs":"WFConnection","role":"Primary","peer_role":"Unknown",
//!               "disk":"UpToDate","peer_disk":"DUnknown","oos":130760,"io_suspended":false,
//!               "sync": {"percent":36.3,"done_kib":…,"total_kib":…,
//!                        "speed_kib_s":…|null,"finish_secs":…|null} | null}
//! PeerView = {"state":"reachable","view":NodeView}
//!          | {"state":"unreachable","node":"be2…"|null,"reason":"…"} // ssh could not reach it
//!          | {"state":"unknown","node":"be2…"|null,"reason":"…"}     // no ssh, no peer, garbage…
//! ```

use serde::{Deserialize, Serialize};

use super::generation::DataFacts;
use super::node_state::{Known, NodeState};
use super::quorum::QuorumDoc;
use super::split_brain::SplitBrainRecord;
use super::status::{Check, ClusterStatus, Report};
use crate::drbd::{ConnState, DeviceDoc, DiskState, DrbdDoc, Role};

/// The `ha-status --json` document. `checks` and `exit_code` are required: a document
/// without them is not an ha-status report (a renamed key is an error, not a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDoc {
    /// No check failed.
    #[serde(default)]
    pub ok: bool,
    /// The first failing check's code.
    pub exit_code: i32,
    /// requested/current cluster status.
    #[serde(default)]
    pub cluster_status: ClusterStatus,
    /// The checks, in the original's order.
    pub checks: Vec<Check>,
    /// `/proc/drbd`, `None` when it could not be read.
    pub drbd: Option<DrbdDoc>,
    /// Issue 10: the data generation facts (DRBD's identifiers, the witness record, the
    /// single-node assessment); absent from an older private-chef-ctl's document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<DataFacts>,
    /// The DRBD resource's running configuration (`drbdsetup show`, the handlers of
    /// `drbdadm dump all`); absent when it could not be read (the `drbd_fencing` check says
    /// why) and from an older private-chef-ctl's document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drbd_config: Option<crate::drbd::running_config::RunningConfig>,
    /// This node's quorum (see [`super::quorum`]); `null` when the topology could not be
    /// read, absent from an older private-chef-ctl's document.
    #[serde(default)]
    pub quorum: Option<QuorumDoc>,
    /// `--peer`: the peer's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerView>,
    /// Issue 11, `--frontends`: every front end's `/_status` (as `frontend-status --json`'s
    /// entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontends: Option<Vec<super::frontend::FrontendResult>>,
}

impl StatusDoc {
    /// The document of a node's state and its checks' report.
    pub fn new(s: &NodeState, r: &Report) -> StatusDoc {
        let known = |k: &Known<String>| k.known().cloned();
        StatusDoc {
            ok: r.ok(),
            exit_code: r.exit_code,
            cluster_status: ClusterStatus {
                requested: known(&s.requested_status),
                current: known(&s.current_status),
            },
            checks: r.checks.clone(),
            drbd: s.drbd.known().map(|p| p.to_doc()),
            drbd_config: s.drbd_config.known().cloned(),
            generation: None,
            quorum: s
                .config_error
                .is_none()
                .then(|| QuorumDoc::from_view(&s.quorum)),
            peer: None,
            frontends: None,
        }
    }

    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// The resync/verify progress of a device, as the views carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SyncView {
    /// Percent done, when printed.
    pub percent: Option<f64>,
    /// KiB done.
    #[serde(default)]
    pub done_kib: u64,
    /// KiB in total.
    #[serde(default)]
    pub total_kib: u64,
    /// Current speed, KiB/s.
    #[serde(default)]
    pub speed_kib_s: Option<i64>,
    /// Estimated seconds to finish.
    #[serde(default)]
    pub finish_secs: Option<u64>,
}

/// One DRBD minor as a node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    /// The minor number.
    pub minor: u32,
    /// Connection state (`Connected`, `WFConnection`, `StandAlone`, `Unconfigured`, …).
    pub cs: ConnState,
    /// This node's role, absent when unconfigured.
    #[serde(default)]
    pub role: Option<Role>,
    /// The peer's role as this node sees it.
    #[serde(default)]
    pub peer_role: Option<Role>,
    /// This node's disk state.
    #[serde(default)]
    pub disk: Option<DiskState>,
    /// The peer's disk state as this node sees it (`DUnknown` when not connected).
    #[serde(default)]
    pub peer_disk: Option<DiskState>,
    /// Out of sync, KiB.
    #[serde(default)]
    pub oos: Option<u64>,
    /// I/O is suspended (first I/O flag `s`): a Primary's writes are frozen.
    #[serde(default)]
    pub io_suspended: bool,
    /// Resync progress, when syncing.
    #[serde(default)]
    pub sync: Option<SyncView>,
}

impl From<&DeviceDoc> for DeviceView {
    fn from(d: &DeviceDoc) -> DeviceView {
        DeviceView {
            minor: d.minor,
            cs: d.cs.clone(),
            role: d.role.clone(),
            peer_role: d.peer_role.clone(),
            disk: d.disk.clone(),
            peer_disk: d.peer_disk.clone(),
            oos: d.counters.oos,
            io_suspended: d.io_suspended,
            sync: d.sync.as_ref().map(|s| SyncView {
                percent: s.percent,
                done_kib: s.done_kib,
                total_kib: s.total_kib,
                speed_kib_s: s.speed_kib_s,
                finish_secs: s.finish_secs,
            }),
        }
    }
}

impl From<&crate::drbd::Device> for DeviceView {
    fn from(d: &crate::drbd::Device) -> DeviceView {
        DeviceView::from(&DeviceDoc::from(d))
    }
}

impl DeviceView {
    /// `role` is Primary.
    pub fn is_primary(&self) -> bool {
        self.role == Some(Role::Primary)
    }
    /// `role` is Secondary.
    pub fn is_secondary(&self) -> bool {
        self.role == Some(Role::Secondary)
    }
    /// The peer's role is `r`.
    pub fn peer_is(&self, r: Role) -> bool {
        self.peer_role == Some(r)
    }
    /// The local disk is UpToDate.
    pub fn disk_up_to_date(&self) -> bool {
        self.disk == Some(DiskState::UpToDate)
    }
    /// Both disks UpToDate.
    pub fn both_up_to_date(&self) -> bool {
        self.disk_up_to_date() && self.peer_disk == Some(DiskState::UpToDate)
    }
    /// `cs:Connected`.
    pub fn connected(&self) -> bool {
        self.cs == ConnState::Connected
    }
    /// A state with a live connection to the peer (Connected, syncing, verifying, …).
    pub fn linked(&self) -> bool {
        self.cs.is_connected()
    }
    /// `cs:StandAlone`.
    pub fn standalone(&self) -> bool {
        self.cs == ConnState::StandAlone
    }
    /// Not configured (no resource up on this minor).
    pub fn unconfigured(&self) -> bool {
        self.cs == ConnState::Unconfigured
    }
    /// `cs ro:role/peer ds:disk/peer oos:N`, for evidence lines.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "cs:{} ro:{}/{} ds:{}/{}",
            self.cs,
            super::shown(&self.role, "?"),
            super::shown(&self.peer_role, "?"),
            super::shown(&self.disk, "?"),
            super::shown(&self.peer_disk, "?")
        );
        if let Some(n) = self.oos {
            s.push_str(&format!(" oos:{n}"));
        }
        if self.io_suspended {
            s.push_str(" I/O suspended");
        }
        if let Some(p) = self.sync.as_ref().and_then(|s| s.percent) {
            s.push_str(&format!(" sync'ed:{p:.1}%"));
        }
        s
    }
}

/// One node's state, as the diagnosis needs it (see the module docs for the JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// The node's name.
    pub node: String,
    /// Where the view came from: `local` or `ssh root@ADDR`.
    pub source: String,
    /// That node's ha-status exit code.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// requested/current cluster status.
    #[serde(default)]
    pub cluster_status: ClusterStatus,
    /// Whether cluster-transition.lock is held (null: not read).
    #[serde(default)]
    pub transition_lock_held: Option<bool>,
    /// The ha-status checks.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// The resource's minor.
    #[serde(default)]
    pub minor: u32,
    /// DRBD devices, `None` when `/proc/drbd` could not be read.
    #[serde(default)]
    pub drbd: Option<Vec<DeviceView>>,
    /// Why DRBD could not be read.
    #[serde(default)]
    pub drbd_error: Option<String>,
    /// The last split-brain handler record on this node.
    #[serde(default)]
    pub split_brain: Option<SplitBrainRecord>,
    /// Issue 10: the data generation facts (identifiers, witness, assessment).
    #[serde(default)]
    pub data: DataFacts,
    /// The node's quorum (`null`: not reported, e.g. by an older private-chef-ctl).
    #[serde(default)]
    pub quorum: Option<QuorumDoc>,
}

impl NodeView {
    /// The view of an ha-status document: this node's own, or the peer's as fetched.
    /// `minor` is the resource's minor (the same on both nodes: from the shared topology).
    pub fn from_doc(node: &str, source: &str, minor: u32, doc: &StatusDoc) -> NodeView {
        let drbd: Option<Vec<DeviceView>> = doc
            .drbd
            .as_ref()
            .map(|d| d.devices.iter().map(DeviceView::from).collect());
        let drbd_error = drbd.is_none().then(|| {
            doc.check("drbd_state")
                .map(|c| c.message.clone())
                .unwrap_or_else(|| "no DRBD state in the ha-status report".to_string())
        });
        NodeView {
            node: node.to_string(),
            source: source.to_string(),
            exit_code: Some(doc.exit_code),
            cluster_status: doc.cluster_status.clone(),
            transition_lock_held: None,
            checks: doc.checks.clone(),
            minor,
            drbd,
            drbd_error,
            split_brain: None,
            data: doc.generation.clone().unwrap_or_default(),
            quorum: doc.quorum.clone(),
        }
    }

    /// A view of a node whose state could not be read at all (`why`).
    pub fn unread(node: &str, why: &str) -> NodeView {
        NodeView {
            node: node.to_string(),
            source: "local".to_string(),
            exit_code: None,
            cluster_status: ClusterStatus::default(),
            transition_lock_held: None,
            checks: Vec::new(),
            minor: 0,
            drbd: None,
            drbd_error: Some(format!("not read: {why}")),
            split_brain: None,
            data: DataFacts::default(),
            quorum: None,
        }
    }

    /// The resource's device, when DRBD was read and lists it.
    pub fn device(&self) -> Option<&DeviceView> {
        self.drbd.as_ref()?.iter().find(|d| d.minor == self.minor)
    }

    /// Why the resource's device is not in the view.
    pub fn device_missing_reason(&self) -> String {
        match (&self.drbd, &self.drbd_error) {
            (None, Some(e)) => format!("DRBD state unreadable: {e}"),
            (None, None) => "DRBD state not reported".to_string(),
            (Some(_), _) => format!("minor {} is not in /proc/drbd", self.minor),
        }
    }

    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// The peer's state, or why it is not known. Never an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum PeerView {
    /// The peer answered.
    Reachable {
        /// Its view.
        view: Box<NodeView>,
    },
    /// ssh could not reach it (connection refused/timed out, no route, host down).
    Unreachable {
        /// The peer's name, when known.
        #[serde(default)]
        node: Option<String>,
        /// What ssh said.
        reason: String,
    },
    /// Its state is not known for another reason (no ssh binary, no peer in the topology,
    /// garbage output, remote program missing).
    Unknown {
        /// The peer's name, when known.
        #[serde(default)]
        node: Option<String>,
        /// Why.
        reason: String,
    },
}

impl PeerView {
    /// The view, when reachable.
    pub fn view(&self) -> Option<&NodeView> {
        match self {
            PeerView::Reachable { view } => Some(view),
            _ => None,
        }
    }

    /// `reachable`, `unreachable` or `unknown`.
    pub fn state(&self) -> &'static str {
        match self {
            PeerView::Reachable { .. } => "reachable",
            PeerView::Unreachable { .. } => "unreachable",
            PeerView::Unknown { .. } => "unknown",
        }
    }

    /// Why there is no view.
    pub fn reason(&self) -> Option<&str> {
        match self {
            PeerView::Reachable { .. } => None,
            PeerView::Unreachable { reason, .. } | PeerView::Unknown { reason, .. } => Some(reason),
        }
    }

    /// The peer's name, when known.
    pub fn node(&self) -> Option<&str> {
        match self {
            PeerView::Reachable { view } => Some(&view.node),
            PeerView::Unreachable { node, .. } | PeerView::Unknown { node, .. } => node.as_deref(),
        }
    }
}
