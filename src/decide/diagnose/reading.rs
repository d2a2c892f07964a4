//! What every situation's builder shares: the reading of both views (the evidence so far,
//! the names, the data relation) and the small helpers that word a next step.

use super::situation::{Diagnosis, Evidence, NextStep, Situation};
use crate::model::{DeviceView, NodeView, PeerView};

/// The peer's name for messages: its view's, else the name it was looked up by.
pub(super) fn peer_name(peer: &PeerView) -> String {
    peer.node().unwrap_or("the peer").to_string()
}

/// Sync source and target from one side's device (`SyncSource` = this side is source).
pub(super) fn sync_roles(dev: &DeviceView, me: &str, other: &str) -> (String, String) {
    if dev.cs.is_sync_target() {
        (other.to_string(), me.to_string())
    } else {
        (me.to_string(), other.to_string())
    }
}

/// The node with the lower oos; `None` on a tie or when one is unknown.
pub fn lower_oos<'a>(
    a: (&'a str, Option<u64>),
    b: (&'a str, Option<u64>),
) -> Option<(&'a str, &'a str)> {
    match (a.1, b.1) {
        (Some(x), Some(y)) if x < y => Some((a.0, b.0)),
        (Some(x), Some(y)) if y < x => Some((b.0, a.0)),
        _ => None,
    }
}

/// Both views as read so far: the names, the evidence gathered, the data relation.
#[derive(Clone)]
pub(super) struct Reading<'a> {
    pub(super) local: &'a NodeView,
    pub(super) peer: &'a PeerView,
    pub(super) lname: String,
    pub(super) pname: String,
    pub(super) ev: Vec<Evidence>,
    pub(super) rel: crate::drbd::gi::Comparison,
}

impl Reading<'_> {
    pub(super) fn ev(&mut self, node: &str, source: &str, text: impl Into<String>) {
        self.ev.push(Evidence {
            node: node.to_string(),
            source: source.to_string(),
            text: text.into(),
        });
    }

    pub(super) fn finish(
        self,
        situation: Situation,
        title: String,
        next_step: NextStep,
    ) -> Diagnosis {
        Diagnosis {
            exit_code: situation.exit_code(),
            situation,
            title,
            evidence: self.ev,
            next_step,
            local: self.local.clone(),
            peer: self.peer.clone(),
            relation: self.rel,
            frontends: None,
        }
    }
}

pub(super) fn step(node: &str, command: &str, why: impl Into<String>) -> NextStep {
    NextStep {
        node: Some(node.to_string()),
        command: Some(command.to_string()),
        why: why.into(),
    }
}

pub(super) fn peer_source(v: &NodeView) -> String {
    if v.source == "local" {
        "ha-status".to_string()
    } else {
        format!("ha-status --json via {}", v.source)
    }
}
