//! The quorum families: corosync's view of this node's partition when an arbiter is
//! configured. With quorum off (or no topology) the values are NaN except
//! `chef_ha_quorum_enabled`, which says why.

use super::{flag, maybe, Exposition, Kind};
use crate::model::monitor::Sample;

pub fn families(e: &mut Exposition, s: &Sample) {
    let q = s.status.quorum.as_ref();
    let on = q.filter(|q| q.enabled);
    let num = |v: Option<u32>| v.map(f64::from).unwrap_or(f64::NAN);
    e.single(
        "chef_ha_quorum_enabled",
        Kind::Gauge,
        "Whether quorum is required (ha['quorum_arbiter'] set): 1, or 0 in the original topology (NaN: no topology).",
        &[],
        q.map(|q| flag(q.enabled)).unwrap_or(f64::NAN),
    );
    e.single(
        "chef_ha_quorate",
        Kind::Gauge,
        "Whether this node has quorum (corosync-quorumtool -s); NaN when quorum is off or corosync could not be read.",
        &[],
        maybe(on.and_then(|q| q.quorate)),
    );
    e.single(
        "chef_ha_quorum_votes",
        Kind::Gauge,
        "The votes in this node's partition, the arbiter's included when it counts here (NaN: quorum off or unread).",
        &[],
        num(on.and_then(|q| q.votes)),
    );
    e.single(
        "chef_ha_quorum_expected_votes",
        Kind::Gauge,
        "The votes expected: both back ends and the arbiter (NaN: quorum off or unread).",
        &[],
        num(on.and_then(|q| q.expected_votes)),
    );
    e.single(
        "chef_ha_quorum_arbiter_vote",
        Kind::Gauge,
        "Whether the arbiter's vote counts in this node's partition (NaN: quorum off or unread).",
        &[],
        maybe(on.and_then(|q| q.arbiter_vote)),
    );
}
