//! The `quorum` check (code 10): right after the preconditions, because a node without
//! quorum does not serve, and every check after it (DRBD cut off from the peer, a
//! replication address that does not ping) only shows the consequences.
//!
//! | quorum | line | exit code |
//! |---|---|---|
//! | off (no `ha['quorum_arbiter']`) | `[WARN] no quorum arbiter configured …` | unchanged (advisory) |
//! | quorate, the arbiter's vote counted here | `[OK] quorum: 3 of 3 votes (quorum 2): be1, be2 and the arbiter fe1.example` | unchanged |
//! | quorate, the arbiter's vote not counted here | `[WARN] quorum: 2 of 3 votes … the arbiter's vote is missing …` | unchanged (advisory: the node serves) |
//! | not quorate | `[ERROR] no quorum: …: this node does not serve …` | 10 |
//! | corosync unreadable | `[ERROR] quorum unknown: …` | 10 |

use crate::model::quorum::QuorumDoc;
use crate::model::{code, Check, Known, QuorumView};

/// The check's id.
pub const ID: &str = "quorum";

/// The quorum check of this node's view.
pub fn quorum_check(q: &QuorumView) -> Check {
    let c = code::QUORUM;
    let (arbiter, why) = match q {
        QuorumView::Off => {
            return Check::advisory(
                ID,
                "no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one",
            )
        }
        QuorumView::On {
            arbiter,
            status: Known::Unknown(why),
        } => (arbiter, why),
        QuorumView::On { .. } => return known(&QuorumDoc::from_view(q)),
    };
    Check::error(
        ID,
        c,
        format!(
            "quorum unknown: {why}; without its quorum this node must not serve. Check corosync and corosync-qdevice here (corosync-quorumtool -s) and the link to the arbiter {arbiter}"
        ),
    )
}

fn known(d: &QuorumDoc) -> Check {
    let arbiter = d.arbiter.as_deref().unwrap_or("?");
    let votes = d.votes_text();
    if d.lost() {
        let arbiter_here = if d.arbiter_vote == Some(true) {
            format!("the arbiter {arbiter}'s vote is counted here")
        } else {
            format!("the arbiter {arbiter}'s vote is not counted here")
        };
        return Check::error(
            ID,
            code::QUORUM,
            format!(
                "no quorum: {votes}, this node sees only {} and {arbiter_here}: this node does not serve. Check its links to the peer and to the arbiter (corosync-quorumtool -s); once they are back it rejoins by itself. Do not force a promotion here",
                d.who_text()
            ),
        );
    }
    let line = format!("quorum: {votes}: {}", d.who_text());
    if d.arbiter_vote_missing() {
        return Check::advisory(
            ID,
            format!(
                "{line}; the arbiter's ({arbiter}) vote is missing: one more fault stops the service. Check corosync-qdevice here and corosync-qnetd on {arbiter}"
            ),
        );
    }
    Check::ok(ID, code::QUORUM, line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn on(name: &str) -> QuorumView {
        crate::corosync::fixture_view(name, "fe1.example")
    }

    #[test]
    fn off_is_an_advisory_warning() {
        let c = quorum_check(&QuorumView::Off);
        assert_eq!(c.line(), "[WARN] no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one");
        assert_eq!((c.status, c.code, c.fails()), (Status::Warn, 0, false));
    }

    #[test]
    fn healthy_names_both_nodes_and_the_arbiter() {
        let c = quorum_check(&on("quorumtool-s-healthy.txt"));
        assert_eq!(
            c.line(),
            "[OK] quorum: 3 of 3 votes (quorum 2): be1, be2 and the arbiter fe1.example"
        );
        assert!(!c.fails());
    }

    #[test]
    fn the_survivor_with_the_arbiter_is_ok() {
        let c = quorum_check(&on("quorumtool-s-alone-with-arbiter.txt"));
        assert_eq!(
            c.line(),
            "[OK] quorum: 2 of 3 votes (quorum 2): be1 and the arbiter fe1.example"
        );
    }

    #[test]
    fn isolated_is_an_error_with_code_10() {
        let c = quorum_check(&on("quorumtool-s-isolated.txt"));
        assert_eq!(c.line(), "[ERROR] no quorum: 1 of 3 votes (quorum 2), this node sees only be2 and the arbiter fe1.example's vote is not counted here: this node does not serve. Check its links to the peer and to the arbiter (corosync-quorumtool -s); once they are back it rejoins by itself. Do not force a promotion here");
        assert_eq!((c.code, c.fails()), (10, true));
    }

    #[test]
    fn arbiter_down_is_an_advisory_warning() {
        let mut q = on("quorumtool-s-healthy.txt");
        if let QuorumView::On {
            status: Known::Known(s),
            ..
        } = &mut q
        {
            s.total_votes = 2;
            s.qdevice_votes = Some(0);
        }
        let c = quorum_check(&q);
        assert_eq!(c.line(), "[WARN] quorum: 2 of 3 votes (quorum 2): be1 and be2; the arbiter's (fe1.example) vote is missing: one more fault stops the service. Check corosync-qdevice here and corosync-qnetd on fe1.example");
        assert_eq!((c.code, c.fails()), (0, false));
    }

    #[test]
    fn corosync_unreadable_is_an_error_naming_the_reason() {
        let q = QuorumView::On {
            arbiter: "fe1.example".into(),
            status: Known::Unknown("corosync-quorumtool -s: exit 1 (is corosync running?)".into()),
        };
        let c = quorum_check(&q);
        assert_eq!(c.line(), "[ERROR] quorum unknown: corosync-quorumtool -s: exit 1 (is corosync running?); without its quorum this node must not serve. Check corosync and corosync-qdevice here (corosync-quorumtool -s) and the link to the arbiter fe1.example");
        assert_eq!((c.code, c.fails()), (10, true));
    }
}
