//! A node cut off from the pair by quorum: corosync says it is not quorate, so it does not
//! serve. Its DRBD shows the peer lost, which alone would read as scenario 1 or 3; the
//! cause is the missing quorum, and promoting here is what quorum exists to prevent.

use super::reading::Reading;
use super::situation::{Diagnosis, NextStep, Situation};
use crate::model::quorum::and_list;
use crate::model::QuorumDoc;

/// The quorum facts as evidence (quorum on only): who is in this node's partition.
pub(super) fn evidence(c: &mut Reading<'_>, node: &str, q: &QuorumDoc) {
    if !q.enabled {
        return;
    }
    let text = match (&q.quorate, &q.error) {
        (Some(quorate), _) => format!(
            "{}: {}; members {}; the arbiter {}'s vote {}",
            if *quorate { "quorate" } else { "not quorate" },
            q.votes_text(),
            and_list(&q.members),
            q.arbiter.as_deref().unwrap_or("?"),
            if q.arbiter_vote == Some(true) {
                "counts here"
            } else {
                "does not count here"
            }
        ),
        (None, Some(e)) => format!("quorum unknown: {e}"),
        (None, None) => "quorum unknown".to_string(),
    };
    c.ev(node, "corosync-quorumtool -s", text);
}

pub(super) fn isolated(c: Reading<'_>, q: &QuorumDoc) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    let arbiter = q.arbiter.clone().unwrap_or_else(|| "?".to_string());
    let votes = q.votes_text();
    let title = format!("Isolated: {ln} has no quorum ({votes}) and does not serve");
    let ns = NextStep {
        node: Some(ln.clone()),
        command: Some("corosync-quorumtool -s".to_string()),
        why: format!(
            "{ln} sees only {} and not the arbiter's vote: the partition with the quorum (\
             {pn} with the arbiter {arbiter}, if it is up) serves. Safe: restore {ln}'s links \
             to {pn} and to {arbiter}; {ln} rejoins by itself, DRBD reconnects and resyncs it. \
             Do not force a promotion here. Only if {pn} is dead for good and {arbiter} is \
             down too: after confirming {pn} is powered off, give {ln} the vote with \
             'corosync-quorumtool -e 1' on {ln}",
            q.who_text()
        ),
    };
    c.finish(Situation::Isolated { node: ln, votes }, title, ns)
}
