//! What `metrics` and `check` render: one [`Sample`] of this node, read once. Its core is
//! the `ha-status --json` document ([`StatusDoc`], with the generation facts, the peer's
//! view and the front ends' answers); beside it the facts behind the checks that the
//! document only carries as messages (VIP present, each service, the replication pings),
//! the split-brain record, and how each source's read went ([`ProbeSample`]).
//!
//! A `Sample` serializes and deserializes, so the renderers are tested on JSON fixtures
//! (`fixtures/monitor/*.json`) without a host. An unreadable fact is `null` here, and the
//! probe that should have read it has `success: false`.

use serde::{Deserialize, Serialize};

use super::node_state::{Known, NodeState};
use super::split_brain::SplitBrainRecord;
use super::view::StatusDoc;

/// The keepalived service's name (as in the service directory).
pub const KEEPALIVED: &str = "keepalived";

/// One supervised service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSample {
    /// The service's name.
    pub name: String,
    /// Managed by keepalived: it runs on the master only.
    pub ha: bool,
    /// Running (`null`: its state could not be read).
    pub up: Option<bool>,
}

impl ServiceSample {
    /// Should it run here? An HA service on the master only, any other one always.
    pub fn wanted_up(&self, master: bool) -> bool {
        !self.ha || master
    }
}

/// One replication address and whether it answered a ping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSample {
    /// `primary` or `secondary` (the topology's DRBD addresses).
    pub link: String,
    /// The address (`null`: not configured).
    pub address: Option<String>,
    /// It answered (`null`: not known).
    pub up: Option<bool>,
}

/// How reading one source went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSample {
    /// The source: `config`, `drbd`, `drbd_config`, `generation`, `cluster_status`, `interfaces`,
    /// `mounts`, `services`, `replication_ping`, `quorum`, `split_brain_log`, `peer`, `frontends`.
    pub probe: String,
    /// The source could be read.
    pub success: bool,
    /// How long the read took, seconds.
    pub duration_seconds: f64,
    /// Why it could not be read.
    #[serde(default)]
    pub error: Option<String>,
}

/// The probes every sample reports, in the order they are rendered.
pub const PROBES: &[&str] = &[
    "config",
    "drbd",
    "drbd_config",
    "generation",
    "cluster_status",
    "interfaces",
    "mounts",
    "services",
    "replication_ping",
    "quorum",
    "split_brain_log",
    "peer",
    "frontends",
];

/// This node, read once, for the monitoring renderers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// This host's name.
    pub node: String,
    /// The DRBD resource's name.
    pub resource: String,
    /// The resource's minor.
    pub minor: u32,
    /// When the sample was taken, seconds since the epoch.
    pub time: f64,
    /// The ha-status document (with `generation`, and `peer` / `frontends` when asked).
    pub status: StatusDoc,
    /// The reason the last transition recorded, if it failed.
    #[serde(default)]
    pub transition_error: Option<String>,
    /// The configured VIP (`null`: none).
    #[serde(default)]
    pub vip: Option<String>,
    /// The VIP's interface, which is also VRRP's.
    #[serde(default)]
    pub vip_interface: Option<String>,
    /// The VIP is bound here (`null`: not known).
    #[serde(default)]
    pub vip_present: Option<bool>,
    /// The VRRP interface exists (`null`: not known).
    #[serde(default)]
    pub vrrp_interface_present: Option<bool>,
    /// The DRBD data directory is mounted (`null`: not known).
    #[serde(default)]
    pub data_dir_mounted: Option<bool>,
    /// The enabled services (`null`: the list could not be read).
    #[serde(default)]
    pub services: Option<Vec<ServiceSample>>,
    /// The replication addresses.
    #[serde(default)]
    pub links: Vec<LinkSample>,
    /// The last split-brain handler record.
    #[serde(default)]
    pub split_brain: Option<SplitBrainRecord>,
    /// Each source's read, as in [`PROBES`].
    #[serde(default)]
    pub probes: Vec<ProbeSample>,
}

fn known_bool(k: &Known<bool>) -> Option<bool> {
    k.known().copied()
}

impl Sample {
    /// The facts of the probe's [`NodeState`] beside its document (`probes`,
    /// `split_brain` and the peer/front ends in the document are the caller's).
    pub fn new(node: &str, resource: &str, time: f64, s: &NodeState, status: StatusDoc) -> Sample {
        let link = |name: &str, r: &super::Reachability| LinkSample {
            link: name.to_string(),
            address: r.address.map(|a| a.to_string()),
            up: known_bool(&r.reachable),
        };
        Sample {
            node: node.to_string(),
            resource: resource.to_string(),
            minor: s.drbd_minor,
            time,
            status,
            transition_error: s.transition_failure.clone(),
            vip: s.vip.as_ref().map(|v| v.address.to_string()),
            vip_interface: s
                .vip
                .as_ref()
                .map(|v| v.device.clone())
                .or_else(|| s.vrrp_interface.clone()),
            vip_present: known_bool(&s.vip_present),
            vrrp_interface_present: known_bool(&s.vrrp_interface_exists),
            data_dir_mounted: known_bool(&s.data_dir_mounted),
            services: s.services.known().map(|v| {
                let mut v: Vec<ServiceSample> = v
                    .iter()
                    .map(|f| ServiceSample {
                        name: f.name.clone(),
                        ha: f.ha,
                        up: f.up.known().copied(),
                    })
                    .collect();
                v.sort_by(|a, b| a.name.cmp(&b.name));
                v
            }),
            links: vec![link("primary", &s.primary), link("secondary", &s.secondary)],
            split_brain: None,
            probes: Vec::new(),
        }
    }

    /// `current_cluster_status` is `master`.
    pub fn is_master(&self) -> bool {
        self.status.cluster_status.current.as_deref() == Some("master")
    }

    /// The resource's device in the document.
    pub fn device(&self) -> Option<&crate::drbd::DeviceDoc> {
        self.status.drbd.as_ref()?.device(self.minor)
    }

    /// A probe by name.
    pub fn probe(&self, name: &str) -> Option<&ProbeSample> {
        self.probes.iter().find(|p| p.probe == name)
    }

    /// This node's view (as the diagnosis builds it) and the peer's (unknown when it was
    /// not asked): what the data relation and the came-back-alone guard read.
    pub fn views(&self) -> (super::NodeView, super::PeerView) {
        let mut local = super::NodeView::from_doc(&self.node, "local", self.minor, &self.status);
        local.split_brain = self.split_brain.clone();
        let peer = self
            .status
            .peer
            .clone()
            .unwrap_or(super::PeerView::Unknown {
                node: None,
                reason: "the peer was not asked".to_string(),
            });
        (local, peer)
    }

    /// The keepalived service's state: `Some(up)` when it is an enabled, readable service.
    pub fn keepalived_up(&self) -> Option<bool> {
        self.services
            .as_ref()?
            .iter()
            .find(|s| s.name == KEEPALIVED)
            .and_then(|s| s.up)
    }
}
