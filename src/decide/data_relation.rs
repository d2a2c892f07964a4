//! Issue 10: the diagnosis follows the data relation (DRBD's generation identifiers of both
//! nodes, [`crate::drbd::gi::relation`]) and each node's single-node assessment
//! ([`crate::model::generation`], assessed by [`super::promote`]), never `oos` alone.
//!
//! * [`relation`]: the relation of this node's data to the peer's (unknown when the peer's
//!   identifiers are not in its view).
//! * [`came_back_alone`]: a node that is not connected and whose data may be stale (it has
//!   not seen its peer since it booted, or was not current when it lost it): the situation
//!   `came-back-alone`, ahead of scenarios 2 and 3.
//! * [`pick_newer`]: scenario 5 and split brain: which node holds the data to keep.

use crate::drbd::gi::{self, Comparison, Relation};
use crate::model::{NodeView, PeerView};

/// The relation of `local`'s data to the peer's.
pub fn relation(local: &NodeView, peer: &PeerView) -> Comparison {
    gi::relation(
        local.data.ids.as_ref(),
        peer.view().and_then(|v| v.data.ids.as_ref()),
    )
}

/// Why `v`'s data may be stale while it is alone, or `None` when it is not alone, its data
/// was current when it lost the peer, or nothing says otherwise (no witness record of this
/// boot and no crashed-Primary flag: the original's scenario 3).
pub fn alone_and_maybe_stale(v: &NodeView) -> Option<String> {
    let d = v.device()?;
    // the danger is an UpToDate disk that is stale: a disk that is not UpToDate is
    // scenario 4's (DRBD itself refuses to promote it)
    if d.unconfigured() || d.linked() || !d.disk_up_to_date() {
        return None;
    }
    let crashed = v.data.ids.is_some_and(|g| g.flags.crashed_primary);
    if let Some(a) = &v.data.assessment {
        // without a witness record (witness not running, older install) only DRBD's
        // crashed-Primary flag is evidence; the transition itself still refuses
        if !a.promotable && (v.data.witness.is_some() || crashed) {
            return Some(a.text.clone());
        }
    }
    // Already Primary alone (promoted by an older tool, or by hand): the witness says
    // whether it had seen its peer since it booted.
    if d.is_primary() {
        if let Some(w) = &v.data.witness {
            if w.last_connected.is_none() {
                let crashed = match &v.data.ids {
                    Some(g) if g.flags.crashed_primary => " (DRBD: crashed Primary)",
                    _ => "",
                };
                return Some(format!(
                    "Primary without having been connected to its peer since it booted{crashed}: \
                     the peer may hold newer data"
                ));
            }
        }
    }
    None
}

/// The situation "came back alone, data may be stale" applies to this node: it is alone,
/// may be stale, and the peer's view does not show that this node's data is the same or
/// newer.
pub fn came_back_alone(local: &NodeView, peer: &PeerView, rel: &Comparison) -> Option<String> {
    let why = alone_and_maybe_stale(local)?;
    match rel.relation {
        Relation::Same | Relation::LocalNewer => None,
        Relation::PeerNewer => Some(format!(
            "{why}; the identifiers confirm it: {} (DRBD rule {})",
            rel.why, rel.rule
        )),
        _ => {
            let p = match peer {
                PeerView::Reachable { .. } => "the peer's identifiers are not known",
                _ => "the peer cannot be asked",
            };
            Some(format!("{why}; {p}"))
        }
    }
}

/// Which of two nodes holds the data to keep, from the relation: `Some(true)` this node,
/// `Some(false)` the peer, `None` when the identifiers do not say (same data, diverged,
/// unrelated, unknown).
pub fn pick_newer(rel: &Comparison) -> Option<bool> {
    match rel.relation {
        Relation::LocalNewer => Some(true),
        Relation::PeerNewer => Some(false),
        _ => None,
    }
}

/// The bootstrap node among the two views, if one says it is.
pub fn bootstrap_node(local: &NodeView, peer: &PeerView) -> Option<String> {
    if local.data.bootstrap == Some(true) {
        return Some(local.node.clone());
    }
    peer.view()
        .filter(|v| v.data.bootstrap == Some(true))
        .map(|v| v.node.clone())
}

/// Neither view reports generation facts at all (older private-chef-ctl, old fixtures).
pub fn not_reported(local: &NodeView, peer: &PeerView) -> bool {
    let none = |v: &NodeView| v.data.ids.is_none() && v.data.error.is_none();
    none(local) && peer.view().is_none_or(none)
}

/// The node's last master transition gave up because its data might be stale (its
/// ha-status cluster check carries the refusal) and no transition holds the lock now.
pub fn gave_up_refusing(v: &NodeView) -> bool {
    v.transition_lock_held != Some(true)
        && v.check("cluster_status")
            .is_some_and(|c| c.message.contains(super::promote::REFUSAL_MARK))
}
