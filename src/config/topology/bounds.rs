//! Checks across settings, at load: durations that must fit inside one another for the
//! fence-peer handler to be able to answer.

use super::{Assignment, Topology};
use crate::config::ruby::ConfigError;

/// `ha['fence_peer_unreachable_after']` must not exceed `ha['fence_peer_timeout']`
/// (either may be the default): the handler gives up at its timeout, so a peer could
/// never be unreachable for longer. The error points at the later of the two lines.
pub(super) fn check_fence_bounds(topo: &Topology) -> Result<(), ConfigError> {
    use crate::config::fence::{DEFAULT_TIMEOUT_SECS, DEFAULT_UNREACHABLE_AFTER_SECS};
    let timeout = topo.assignment("ha", &["fence_peer_timeout"]);
    let after = topo.assignment("ha", &["fence_peer_unreachable_after"]);
    let secs = |a: Option<&Assignment>, default: u64| {
        a.and_then(|a| a.value.as_int())
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(default)
    };
    let (t, u) = (
        secs(timeout, DEFAULT_TIMEOUT_SECS),
        secs(after, DEFAULT_UNREACHABLE_AFTER_SECS),
    );
    check_quorum_wait(topo, t)?;
    if u <= t {
        return Ok(());
    }
    let shown = |a: Option<&Assignment>, v: u64| match a {
        Some(_) => format!("{v} s"),
        None => format!("{v} s, the default"),
    };
    let at = [timeout, after]
        .into_iter()
        .flatten()
        .max_by_key(|a| (a.line, a.col))
        .map(|a| (a.line, a.col))
        .unwrap_or((1, 1));
    Err(ConfigError::invalid(
        at.0,
        at.1,
        format!(
            "ha['fence_peer_unreachable_after'] ({}) must not exceed ha['fence_peer_timeout'] ({}): \
             the fence-peer handler stops at its timeout",
            shown(after, u),
            shown(timeout, t)
        ),
    ))
}

/// `ha['quorum_peer_stop_after']` must be below `ha['fence_peer_timeout']` (`timeout`, in
/// seconds) when quorum is on: the handler waits that long for a peer outside the partition before it
/// answers "gone", and it stops at its timeout.
fn check_quorum_wait(topo: &Topology, timeout: u64) -> Result<(), ConfigError> {
    if topo.assignment("ha", &["quorum_arbiter"]).is_none() {
        return Ok(());
    }
    let Some(a) = topo.assignment("ha", &["quorum_peer_stop_after"]) else {
        return if crate::config::quorum::DEFAULT_PEER_STOP_AFTER_SECS < timeout {
            Ok(())
        } else {
            Err(ConfigError::invalid(
                1,
                1,
                format!(
                    "ha['fence_peer_timeout'] ({timeout} s) must exceed ha['quorum_peer_stop_after'] ({} s, the default): the fence-peer handler could never count the peer as stopped",
                    crate::config::quorum::DEFAULT_PEER_STOP_AFTER_SECS
                ),
            ))
        };
    };
    match a.value.as_int().and_then(|v| u64::try_from(v).ok()) {
        Some(w) if w >= timeout => Err(ConfigError::invalid(
            a.line,
            a.col,
            format!(
                "ha['quorum_peer_stop_after'] ({w} s) must be below ha['fence_peer_timeout'] ({timeout} s): the fence-peer handler stops at its timeout and could never count the peer as stopped"
            ),
        )),
        _ => Ok(()),
    }
}
