//! The situations `ha-diagnose` names, and the diagnosis that carries one with its evidence
//! and the next safe step (the JSON document of `ha-diagnose --json`).

use serde::Serialize;

use super::{EXIT_ACTION, EXIT_HEALTHY, EXIT_UNKNOWN};
use crate::model::{DiskState, NodeView, PeerView};

/// The named situation, with the nodes it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "situation", content = "details")]
pub enum Situation {
    /// Connected, Primary/Secondary, UpToDate/UpToDate.
    #[serde(rename = "healthy")]
    Healthy,
    /// Connected and resyncing.
    #[serde(rename = "resyncing")]
    Resyncing {
        /// The SyncSource node.
        source: String,
        /// The SyncTarget node.
        target: String,
    },
    /// The secondary is gone; the primary has nothing to resync (oos 0).
    #[serde(rename = "scenario-1")]
    Scenario1SecondaryLost {
        /// The surviving Primary.
        primary: String,
        /// The lost secondary.
        secondary: String,
        /// Out of sync on the primary, KiB.
        oos_kib: u64,
    },
    /// The secondary is gone; the primary has written since (oos > 0).
    #[serde(rename = "scenario-2")]
    Scenario2SecondaryLostPrimaryAhead {
        /// The surviving Primary.
        primary: String,
        /// The lost secondary.
        secondary: String,
        /// Out of sync on the primary, KiB.
        oos_kib: u64,
    },
    /// The primary is gone; the surviving secondary is UpToDate.
    #[serde(rename = "scenario-3")]
    Scenario3PrimaryLostSecondaryUpToDate {
        /// The surviving secondary.
        survivor: String,
        /// The lost primary.
        lost: String,
        /// The survivor's disk state.
        disk: DiskState,
    },
    /// The primary is gone; the survivor is not UpToDate: data loss is likely.
    #[serde(rename = "scenario-4")]
    Scenario4PrimaryLostSecondaryInconsistent {
        /// The surviving secondary.
        survivor: String,
        /// The lost primary.
        lost: String,
        /// The survivor's disk state (Inconsistent, Outdated, Consistent).
        disk: DiskState,
    },
    /// Both nodes are Secondary.
    #[serde(rename = "scenario-5")]
    Scenario5BothSecondary {
        /// The node to promote (lower oos); `None` on a tie or when an oos is unknown.
        promote: Option<String>,
        /// The other node.
        other: Option<String>,
        /// This node's oos, KiB.
        local_oos: Option<u64>,
        /// The peer's oos, KiB.
        peer_oos: Option<u64>,
    },
    /// StandAlone with divergent data.
    #[serde(rename = "split-brain")]
    SplitBrain {
        /// When the handler recorded it.
        since: Option<String>,
        /// The suggested victim: the side with fewer changes (lower oos); `None` on a tie
        /// or when a side is unknown.
        victim: Option<String>,
        /// The other side.
        survivor: Option<String>,
        /// This node's oos, KiB.
        local_oos: Option<u64>,
        /// The peer's oos, KiB.
        peer_oos: Option<u64>,
    },
    /// This node is alone and its UpToDate data may be stale (it has not seen its peer
    /// since it booted, or was not current when it lost it): it must not serve.
    #[serde(rename = "came-back-alone")]
    CameBackAlone {
        /// The node.
        node: String,
        /// Why its data may be stale.
        reason: String,
    },
    /// This node's copy is Outdated (the peer's fence-peer handler marked it) or Consistent
    /// (not proven current), and the peer's DRBD cannot be seen: the peer has writes this
    /// node lacks; DRBD refuses to promote it without `--force`.
    #[serde(rename = "outdated-copy")]
    OutdatedCopy {
        /// The node with the outdated copy (this node).
        node: String,
        /// The peer, which holds the newer writes.
        peer: String,
        /// This node's disk state (Outdated or Consistent).
        disk: DiskState,
    },
    /// DRBD is healthy, but a node's keepalived is in fault (or stopped): that
    /// node cannot take over, so a failure of the master is not covered.
    #[serde(rename = "failover-not-ready")]
    FailoverNotReady {
        /// The node.
        node: String,
        /// Why: its cluster status (`fault`, `stop`), or ssh cannot reach it.
        reason: String,
    },
    /// Quorum is on and this node is not quorate: it is cut off from the pair and does not
    /// serve (its DRBD shows the peer lost; the cause is the missing quorum).
    #[serde(rename = "isolated")]
    Isolated {
        /// The node without quorum (this node).
        node: String,
        /// Its votes: `1 of 3 votes (quorum 2)`.
        votes: String,
    },
    /// A cluster transition is running (or failed half-way).
    #[serde(rename = "transition-in-progress")]
    TransitionInProgress {
        /// The node in transition.
        node: String,
    },
    /// Not enough is known.
    #[serde(rename = "unknown")]
    Unknown {
        /// What is missing.
        missing: String,
    },
}

impl Situation {
    /// The slug (`scenario-3`, `split-brain`, …).
    pub fn slug(&self) -> &'static str {
        match self {
            Situation::Healthy => "healthy",
            Situation::Resyncing { .. } => "resyncing",
            Situation::Scenario1SecondaryLost { .. } => "scenario-1",
            Situation::Scenario2SecondaryLostPrimaryAhead { .. } => "scenario-2",
            Situation::Scenario3PrimaryLostSecondaryUpToDate { .. } => "scenario-3",
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. } => "scenario-4",
            Situation::Scenario5BothSecondary { .. } => "scenario-5",
            Situation::SplitBrain { .. } => "split-brain",
            Situation::CameBackAlone { .. } => "came-back-alone",
            Situation::OutdatedCopy { .. } => "outdated-copy",
            Situation::FailoverNotReady { .. } => "failover-not-ready",
            Situation::Isolated { .. } => "isolated",
            Situation::TransitionInProgress { .. } => "transition-in-progress",
            Situation::Unknown { .. } => "unknown",
        }
    }

    /// A situation only the operator can resolve, which a master transition waits on in
    /// its retry loop (its data cannot be promoted): named ahead of "transition in
    /// progress", with the transition as evidence.
    pub fn blocks_a_transition(&self) -> bool {
        matches!(
            self,
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. }
                | Situation::OutdatedCopy { .. }
        )
    }

    /// The exit code of `ha-diagnose` (see the module docs).
    pub fn exit_code(&self) -> i32 {
        match self {
            Situation::Healthy => EXIT_HEALTHY,
            Situation::Unknown { .. } => EXIT_UNKNOWN,
            _ => EXIT_ACTION,
        }
    }
}

/// One observed fact behind a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The node it was seen on.
    pub node: String,
    /// Where: `/proc/drbd`, `ha-status --json over ssh`, `split-brain.log`, `ssh`, …
    pub source: String,
    /// What was seen.
    pub text: String,
}

/// The next safe step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// The node to run it on.
    pub node: Option<String>,
    /// The command, when there is one.
    pub command: Option<String>,
    /// Why, and what to check first.
    pub why: String,
}

/// A named situation with its evidence and the next step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// The situation (serialized as `situation` + `details`).
    #[serde(flatten)]
    pub situation: Situation,
    /// One line for humans.
    pub title: String,
    /// `ha-diagnose`'s exit code.
    pub exit_code: i32,
    /// What was seen.
    pub evidence: Vec<Evidence>,
    /// What to do next.
    pub next_step: NextStep,
    /// This node's view.
    pub local: NodeView,
    /// The peer's view.
    pub peer: PeerView,
    /// The data relation from both nodes' generation identifiers.
    pub relation: crate::drbd::gi::Comparison,
    /// What the front ends see (`null` when not asked or none are configured).
    pub frontends: Option<crate::model::frontend::FrontendsSeen>,
}

impl Diagnosis {
    /// The JSON document (see the module docs).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
