//! Quorum with a third vote, from private-chef.rb.
//!
//! | setting | default | range | meaning |
//! |---|---|---|---|
//! | `ha['quorum_arbiter']` | unset: quorum off | a host name or address | the host running corosync-qnetd (a front end); setting it turns quorum on: the back ends run corosync and corosync-qdevice, and a back end without quorum never serves |
//! | `ha['quorum_peer_stop_after']` | 15 | 1–600 s | how long this node must have held quorum with the peer outside its partition before the peer counts as stopped (fence-peer answers "peer gone") |
//! | `ha['quorum_self_fence_after']` | 20 | 1–600 s | how long a Primary without quorum may try to demote before it resets itself |
//!
//! `docs/quorum.md` derives the defaults from corosync's and keepalived's timers.

use std::time::Duration;

use super::{Config, Value};

/// The default of `ha['quorum_peer_stop_after']`, seconds.
pub const DEFAULT_PEER_STOP_AFTER_SECS: u64 = 15;
/// The default of `ha['quorum_self_fence_after']`, seconds.
pub const DEFAULT_SELF_FENCE_AFTER_SECS: u64 = 20;
/// The range of both durations, seconds.
pub const RANGE_SECS: (u64, u64) = (1, 600);

/// Quorum settings: `arbiter` is `None` in the original topology (quorum off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumSettings {
    /// The arbiter (corosync-qnetd) host: quorum is on when it is set.
    pub arbiter: Option<String>,
    /// How long the peer must have been outside this node's quorate partition to count
    /// as stopped.
    pub peer_stop_after: Duration,
    /// How long a Primary without quorum may try to demote before it resets itself.
    pub self_fence_after: Duration,
}

impl QuorumSettings {
    /// Quorum is required (an arbiter is configured).
    pub fn enabled(&self) -> bool {
        self.arbiter.is_some()
    }
}

impl Default for QuorumSettings {
    fn default() -> Self {
        QuorumSettings {
            arbiter: None,
            peer_stop_after: Duration::from_secs(DEFAULT_PEER_STOP_AFTER_SECS),
            self_fence_after: Duration::from_secs(DEFAULT_SELF_FENCE_AFTER_SECS),
        }
    }
}

impl Config {
    /// The quorum settings (checked at load; defaults where absent).
    pub fn quorum_settings(&self) -> QuorumSettings {
        let secs = |key: &str, default: u64| self.ha_secs(key, default);
        QuorumSettings {
            arbiter: self
                .attr("ha", "quorum_arbiter")
                .and_then(Value::as_str)
                .map(str::to_string),
            peer_stop_after: secs("quorum_peer_stop_after", DEFAULT_PEER_STOP_AFTER_SECS),
            self_fence_after: secs("quorum_self_fence_after", DEFAULT_SELF_FENCE_AFTER_SECS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Result<Config, String> {
        Config::from_text(text, Path::new("private-chef.rb")).map_err(|e| e.to_string())
    }

    #[test]
    fn off_by_default() {
        let q = load("").unwrap().quorum_settings();
        assert_eq!(q, QuorumSettings::default());
        assert!(!q.enabled());
        assert_eq!(q.peer_stop_after, Duration::from_secs(15));
    }

    #[test]
    fn arbiter_turns_it_on() {
        let q = load("ha['quorum_arbiter'] = \"fe1.example\"\nha['quorum_peer_stop_after'] = 30\n")
            .unwrap()
            .quorum_settings();
        assert_eq!(q.arbiter.as_deref(), Some("fe1.example"));
        assert!(q.enabled());
        assert_eq!(q.peer_stop_after, Duration::from_secs(30));
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = load("ha['quorum_peer_stop_after'] = 0\n").unwrap_err();
        assert!(e.contains("quorum_peer_stop_after"), "{e}");
        let e = load("ha['quorum_arbiter'] = \"-x\"\n").unwrap_err();
        assert!(e.contains("quorum_arbiter"), "{e}");
        let e = load("ha['quorum_arbiter'] = \"fe1\"\nha['quorum_peer_stop_after'] = 40\n")
            .unwrap_err();
        assert!(
            e.contains("must be below ha['fence_peer_timeout'] (40 s)"),
            "{e}"
        );
        let e = load("ha['quorum_arbiter'] = \"fe1\"\nha['fence_peer_timeout'] = 10\nha['fence_peer_unreachable_after'] = 5\n").unwrap_err();
        assert!(
            e.contains("must exceed ha['quorum_peer_stop_after'] (15 s, the default)"),
            "{e}"
        );
        assert!(load("ha['fence_peer_timeout'] = 30\nha['quorum_peer_stop_after'] = 29\n").is_ok());
    }
}
