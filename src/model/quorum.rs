//! This node's quorum as the views carry it: [`QuorumView`] (what the probe read, kept
//! beside the other facts in [`super::node_state`]) and
//! [`QuorumDoc`], the `quorum` object of `ha-status --json`, which the peer's document
//! brings over ssh and the diagnosis, `metrics` and `check` read.
//!
//! ```text
//! QuorumDoc = {"enabled": true,                 // ha['quorum_arbiter'] is set
//!              "arbiter": "fe1.example"|null,
//!              "quorate": true|false|null,       // null: quorum off, or corosync unread
//!              "votes": 3|null, "expected_votes": 3|null, "quorum": 2|null,
//!              "members": ["be1","be2"],         // corosync's node names in this partition
//!              "arbiter_vote": true|false|null,  // the arbiter's vote counts here
//!              "ring_id": "1.9"|null,
//!              "error": "…"|null}                // why corosync could not be read
//! ```

use serde::{Deserialize, Serialize};

use super::node_state::Known;
pub use super::node_state::QuorumView;

/// This node's quorum in a document (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QuorumDoc {
    /// Quorum is required (an arbiter is configured).
    pub enabled: bool,
    /// The arbiter (corosync-qnetd) host.
    #[serde(default)]
    pub arbiter: Option<String>,
    /// This node is quorate (`None`: quorum off, or corosync could not be read).
    #[serde(default)]
    pub quorate: Option<bool>,
    /// The votes in this node's partition.
    #[serde(default)]
    pub votes: Option<u32>,
    /// The votes expected (both back ends and the arbiter: 3).
    #[serde(default)]
    pub expected_votes: Option<u32>,
    /// The votes needed for quorum.
    #[serde(default)]
    pub quorum: Option<u32>,
    /// corosync's names of the nodes in this node's partition.
    #[serde(default)]
    pub members: Vec<String>,
    /// The arbiter's vote counts in this node's partition.
    #[serde(default)]
    pub arbiter_vote: Option<bool>,
    /// corosync's ring id (changes with every membership change).
    #[serde(default)]
    pub ring_id: Option<String>,
    /// Why corosync could not be read.
    #[serde(default)]
    pub error: Option<String>,
}

impl QuorumDoc {
    /// The document of what the probe read.
    pub fn from_view(v: &QuorumView) -> QuorumDoc {
        match v {
            QuorumView::Off => QuorumDoc::default(),
            QuorumView::On {
                arbiter,
                status: Known::Unknown(why),
            } => QuorumDoc {
                enabled: true,
                arbiter: Some(arbiter.clone()),
                error: Some(why.clone()),
                ..QuorumDoc::default()
            },
            QuorumView::On {
                arbiter,
                status: Known::Known(s),
            } => QuorumDoc {
                enabled: true,
                arbiter: Some(arbiter.clone()),
                quorate: Some(s.quorate),
                votes: Some(s.total_votes),
                expected_votes: Some(s.expected_votes),
                quorum: Some(s.quorum),
                members: s.members.iter().map(|m| m.name.clone()).collect(),
                arbiter_vote: Some(s.arbiter_votes_here()),
                ring_id: Some(s.ring_id.clone()).filter(|r| !r.is_empty()),
                error: None,
            },
        }
    }

    /// Quorum is on and this node is not quorate (corosync said so).
    pub fn lost(&self) -> bool {
        self.enabled && self.quorate == Some(false)
    }

    /// Quorum is on, this node is quorate, and the arbiter's vote is not counted here.
    pub fn arbiter_vote_missing(&self) -> bool {
        self.enabled && self.quorate == Some(true) && self.arbiter_vote == Some(false)
    }

    /// `3 of 3 votes (quorum 2)`, `? of ? votes` for what is not known.
    pub fn votes_text(&self) -> String {
        let n = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_else(|| "?".into());
        format!(
            "{} of {} votes (quorum {})",
            n(self.votes),
            n(self.expected_votes),
            n(self.quorum)
        )
    }

    /// Who is in this node's partition: `be1, be2 and the arbiter fe1.example`; the
    /// arbiter is named only when its vote counts here.
    pub fn who_text(&self) -> String {
        let mut who: Vec<String> = self.members.clone();
        if self.arbiter_vote == Some(true) {
            who.push(format!(
                "the arbiter {}",
                self.arbiter.as_deref().unwrap_or("?")
            ));
        }
        and_list(&who)
    }

    /// Is `node` (a topology FQDN or corosync's short name) in this node's partition?
    /// corosync's names are the host names, the topology's the FQDNs: a member matches
    /// the full name or its first label.
    pub fn has_member(&self, node: &str) -> bool {
        let short = node.split('.').next().unwrap_or(node);
        self.members.iter().any(|m| m == node || m == short)
    }
}

/// `a`, `a and b`, `a, b and c`; `nobody` when empty.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => "nobody".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(name: &str) -> QuorumView {
        crate::corosync::fixture_view(name, "fe1.example")
    }

    #[test]
    fn off_is_all_null() {
        let d = QuorumDoc::from_view(&QuorumView::Off);
        let j = serde_json::to_value(&d).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"enabled":false,"arbiter":null,"quorate":null,"votes":null,
                "expected_votes":null,"quorum":null,"members":[],"arbiter_vote":null,
                "ring_id":null,"error":null})
        );
        assert!(!d.lost() && !d.arbiter_vote_missing());
    }

    #[test]
    fn healthy_names_everyone() {
        let d = QuorumDoc::from_view(&on("quorumtool-s-healthy.txt"));
        assert_eq!(d.quorate, Some(true));
        assert_eq!(d.votes_text(), "3 of 3 votes (quorum 2)");
        assert_eq!(d.who_text(), "be1, be2 and the arbiter fe1.example");
        assert_eq!(d.ring_id.as_deref(), Some("1.9"));
        assert!(d.has_member("be2.lab.example") && d.has_member("be2"));
        assert!(!d.has_member("be3.lab.example"));
    }

    #[test]
    fn isolated_is_lost_and_without_the_arbiter() {
        let d = QuorumDoc::from_view(&on("quorumtool-s-isolated.txt"));
        assert!(d.lost());
        assert_eq!(d.arbiter_vote, Some(false));
        assert_eq!(d.votes_text(), "1 of 3 votes (quorum 2)");
        assert_eq!(d.who_text(), "be2");
    }

    #[test]
    fn unknown_carries_the_reason() {
        let v = QuorumView::On {
            arbiter: "fe1.example".into(),
            status: Known::Unknown("corosync-quorumtool: exit 1".into()),
        };
        let d = QuorumDoc::from_view(&v);
        assert!(d.enabled && d.quorate.is_none() && !d.lost());
        assert_eq!(d.error.as_deref(), Some("corosync-quorumtool: exit 1"));
        assert_eq!(d.votes_text(), "? of ? votes (quorum ?)");
    }

    #[test]
    fn lists_read_as_prose() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&s(&[])), "nobody");
        assert_eq!(and_list(&s(&["a"])), "a");
        assert_eq!(and_list(&s(&["a", "b"])), "a and b");
        assert_eq!(and_list(&s(&["a", "b", "c"])), "a, b and c");
    }
}
