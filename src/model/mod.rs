//! The one typed model of a node and of the pair: what every other layer reads and writes.
//!
//! * DRBD's vocabulary ([`ConnState`], [`Role`], [`DiskState`], with an `Other` case for
//!   names a newer DRBD prints) and the `/proc/drbd` document live in [`crate::drbd`];
//! * [`node_state`]: one node's facts as the probe reads them ([`Known`] or why not);
//! * [`status`]: the ha-status checks' outcome ([`Check`], [`Report`], the codes);
//! * [`view`]: the `ha-status --json` document ([`StatusDoc`]) and [`NodeView`] /
//!   [`PeerView`] / [`DeviceView`], the diagnosis' input, built from a `StatusDoc` — this
//!   node's own, or the peer's deserialized from its JSON;
//! * [`split_brain`]: the split-brain handler's record;
//! * [`fence`]: the fence-peer handler's facts (the peer's device, the outdate's end) and
//!   its record;
//! * [`generation`]: a node's data-generation facts (issue 10: DRBD's identifiers, the
//!   drbd-witness record, the single-node assessment);
//! * [`plan`]: a plan as a value (printed, serialized, then run by [`crate::act::plan`]);
//! * [`quorum`]: this node's quorum (corosync with the arbiter's vote), as read and as
//!   documented in `ha-status --json`;
//! * [`monitor`]: one sample of this node for `metrics` and `check`;
//! * [`threshold`]: the Monitoring Plugins range syntax of the check's thresholds;
//! * [`exit`]: the one exit-code table.
//!
//! Everything here is plain data: no I/O. Unknown is always a typed value
//! ([`Known::Unknown`], [`PeerView::Unknown`], `ConnState::Other`), never a missing key.

pub mod exit;
pub mod failover;
pub mod fence;
pub mod frontend; // issue 11
pub mod generation;
pub mod monitor;
pub mod node_state;
pub mod plan;
pub mod quorum;
pub mod service;
pub mod split_brain;
pub mod status;
pub mod threshold;
pub mod view;

pub use crate::drbd::{ConnState, DiskState, Role};

/// A value's text, or `missing` when there is none (`?` in the one-line summaries).
pub fn shown<T: std::fmt::Display>(v: &Option<T>, missing: &str) -> String {
    v.as_ref()
        .map(|x| x.to_string())
        .unwrap_or_else(|| missing.to_string())
}
pub use generation::{Assessment, DataFacts};
pub use node_state::{Known, NodeState, Reachability, ServiceFact, VipSpec};
pub use quorum::{QuorumDoc, QuorumView};
pub use split_brain::SplitBrainRecord;
pub use status::{code, Check, ClusterStatus, Report, Status};
pub use view::{DeviceView, NodeView, PeerView, StatusDoc, SyncView};
