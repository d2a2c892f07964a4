//! How long `drbd-handler fence-peer` may take, from private-chef.rb.
//!
//! | setting | default | range | meaning |
//! |---|---|---|---|
//! | `ha['fence_peer_timeout']` | 40 | 1–600 s | the bound on the whole handler: when nothing is proven by then, it answers "not proven" (exit 1) |
//! | `ha['fence_peer_unreachable_after']` | 10 | 1–600 s, at most `fence_peer_timeout` | how long the peer must have been unreachable over ssh, since the handler started, before it is assumed dead (exit 5) |
//!
//! The ranges are checked at load ([`super::topology`]); a value out of range, or an
//! `unreachable_after` above the timeout, is a load error naming the key.
//!
//! The timeout must stay below `keepalived['transition_command_timeout']` (default 60 s):
//! on a Secondary being promoted, DRBD runs the handler inside `drbdadm primary`, which the
//! master transition bounds by that timeout. A handler still running when `drbdadm` is
//! killed leaves the transition failed for a reason nobody can read.

use std::time::Duration;

use super::{Config, Value};

/// The default of `ha['fence_peer_timeout']`, seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 40;
/// The default of `ha['fence_peer_unreachable_after']`, seconds.
pub const DEFAULT_UNREACHABLE_AFTER_SECS: u64 = 10;
/// The range of both settings, seconds.
pub const RANGE_SECS: (u64, u64) = (1, 600);

/// The fence-peer handler's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FenceSettings {
    /// The bound on the whole handler.
    pub timeout: Duration,
    /// How long the peer must have been unreachable since the start to be assumed dead.
    pub unreachable_after: Duration,
}

impl Default for FenceSettings {
    fn default() -> Self {
        FenceSettings {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            unreachable_after: Duration::from_secs(DEFAULT_UNREACHABLE_AFTER_SECS),
        }
    }
}

impl Config {
    /// `ha[KEY]` as a duration in whole seconds (checked at load), else `default` seconds.
    pub(crate) fn ha_secs(&self, key: &str, default: u64) -> Duration {
        self.attr("ha", key)
            .and_then(Value::as_int)
            .and_then(|s| u64::try_from(s).ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(default))
    }

    /// The fence-peer settings (checked at load; defaults where absent).
    pub fn fence_settings(&self) -> FenceSettings {
        let secs = |key: &str, default: u64| self.ha_secs(key, default);
        FenceSettings {
            timeout: secs("fence_peer_timeout", DEFAULT_TIMEOUT_SECS),
            unreachable_after: secs(
                "fence_peer_unreachable_after",
                DEFAULT_UNREACHABLE_AFTER_SECS,
            ),
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
    fn defaults() {
        assert_eq!(load("").unwrap().fence_settings(), FenceSettings::default());
        assert_eq!(
            FenceSettings::default(),
            FenceSettings {
                timeout: Duration::from_secs(40),
                unreachable_after: Duration::from_secs(10)
            }
        );
    }

    #[test]
    fn settings_are_read() {
        let c = load("ha['fence_peer_timeout'] = 20\nha['fence_peer_unreachable_after'] = 20\n")
            .unwrap();
        assert_eq!(
            c.fence_settings(),
            FenceSettings {
                timeout: Duration::from_secs(20),
                unreachable_after: Duration::from_secs(20)
            }
        );
        // the last assignment counts
        let c = load("ha['fence_peer_timeout'] = 20\nha['fence_peer_timeout'] = 600\n").unwrap();
        assert_eq!(c.fence_settings().timeout, Duration::from_secs(600));
        assert_eq!(
            c.fence_settings().unreachable_after,
            Duration::from_secs(10)
        );
    }

    #[test]
    fn out_of_range_values_are_load_errors_naming_the_key() {
        for (bad, want) in [
            (
                "ha['fence_peer_timeout'] = 0",
                "ha['fence_peer_timeout'] must be a whole number of seconds from 1 to 600",
            ),
            (
                "ha['fence_peer_timeout'] = 601",
                "ha['fence_peer_timeout'] must be a whole number of seconds from 1 to 600",
            ),
            (
                "ha['fence_peer_timeout'] = \"40\"",
                "ha['fence_peer_timeout'] must be a whole number of seconds from 1 to 600",
            ),
            (
                "ha['fence_peer_unreachable_after'] = -1",
                "ha['fence_peer_unreachable_after'] must be a whole number of seconds from 1 to 600",
            ),
            (
                "ha['fence_peer_unreachable_after'] = 2.5",
                "ha['fence_peer_unreachable_after'] must be a whole number of seconds from 1 to 600",
            ),
        ] {
            let e = load(bad).unwrap_err();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }

    #[test]
    fn unreachable_after_may_not_exceed_the_timeout() {
        // against the default timeout (40)
        let e = load("ha['fence_peer_unreachable_after'] = 41\n").unwrap_err();
        assert!(
            e.contains("ha['fence_peer_unreachable_after'] (41 s) must not exceed ha['fence_peer_timeout'] (40 s, the default)"),
            "{e}"
        );
        assert!(e.starts_with("private-chef.rb:1:"), "{e}");
        // against a configured one, in either order
        for text in [
            "ha['fence_peer_timeout'] = 5\nha['fence_peer_unreachable_after'] = 6\n",
            "ha['fence_peer_unreachable_after'] = 6\nha['fence_peer_timeout'] = 5\n",
        ] {
            let e = load(text).unwrap_err();
            assert!(
                e.contains("(6 s) must not exceed ha['fence_peer_timeout'] (5 s)"),
                "{text}: {e}"
            );
        }
        // a short timeout alone must leave room for the default 10 s
        let e = load("ha['fence_peer_timeout'] = 5\n").unwrap_err();
        assert!(
            e.contains("ha['fence_peer_unreachable_after'] (10 s, the default) must not exceed ha['fence_peer_timeout'] (5 s)"),
            "{e}"
        );
        assert!(
            load("ha['fence_peer_timeout'] = 5\nha['fence_peer_unreachable_after'] = 5\n").is_ok()
        );
    }
}
