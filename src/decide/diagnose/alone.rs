//! The situations of a node that cannot go on by itself: it came back alone with data that
//! may be stale, its copy is outdated, a cluster transition is running, or what is needed to
//! name the situation is missing.

use super::reading::{step, Reading};
use super::situation::{Diagnosis, Evidence, NextStep, Situation};
use crate::model::{DiskState, PeerView};

pub(super) fn came_back_alone(c: Reading<'_>, reason: String) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    let title =
        format!("Came back alone: {ln}'s data may be stale; it must not serve until {pn} returns");
    let ns = NextStep {
        node: Some(ln.clone()),
        command: Some("private-chef-ctl master-recover --force".to_string()),
        why: format!(
            "{reason}. Safe: wait for {pn} (boot it, or restore the cluster link): DRBD \
             connects, resyncs {ln} from it if it is newer, and the transition promotes {ln} \
             if keepalived still wants it master. Only if {pn} is lost for good: run the command \
             above on {ln} (it asks you to type the resource name); writes made on {pn} since \
             {ln} last saw it are lost"
        ),
    };
    c.finish(Situation::CameBackAlone { node: ln, reason }, title, ns)
}

pub(super) fn unknown(c: Reading<'_>, missing: String) -> Diagnosis {
    let title = format!("Unknown: {missing}");
    let ns = NextStep {
        node: Some(c.lname.clone()),
        command: Some("private-chef-ctl ha-status --peer".to_string()),
        why: format!(
            "the situation cannot be named safely: {missing}. Restore what is missing (the \
             peer's ssh access, /proc/drbd, the DRBD resource) and diagnose again"
        ),
    };
    c.finish(Situation::Unknown { missing }, title, ns)
}

pub(super) fn outdated_copy(c: Reading<'_>, disk: DiskState) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    let (what, lost) = if disk == DiskState::Outdated {
        (
            format!("{ln} is Outdated: {pn}'s fence-peer handler marked it, or it was disconnected gracefully"),
            format!("the writes {pn} acknowledged after it outdated {ln} are lost"),
        )
    } else {
        (
            format!("{ln} is Consistent but not proven current: DRBD needs {pn} outdated first"),
            format!("the writes {pn} acknowledged while {ln} was away are lost"),
        )
    };
    let title = format!(
        "Outdated copy: the peer has writes this node lacks ({what}); {ln} must not serve until {pn} returns"
    );
    let back = match c.peer {
        PeerView::Reachable { .. } => format!(
            "bring DRBD up on {pn} ('drbdadm up <resource>' there): it connects and resyncs {ln}"
        ),
        PeerView::Unreachable { .. } => format!(
            "bring {pn} back (boot it, or restore the replication link): it connects and \
             resyncs {ln}"
        ),
        PeerView::Unknown { .. } => format!(
            "bring {pn} back (its state is not known here: check it by hand): it connects and \
             resyncs {ln}"
        ),
    };
    let ns = NextStep {
        node: Some(ln.clone()),
        command: Some("private-chef-ctl master-recover --force".to_string()),
        why: format!(
            "outdated copy: the peer has writes this node lacks. Safe: {back}, and the \
             transition promotes {ln} if keepalived still wants it master. Only if {pn} is lost \
             for good: run the command above on {ln} (it asks you to type the resource name, \
             then runs 'drbdadm primary --force'); {lost}"
        ),
    };
    c.finish(
        Situation::OutdatedCopy {
            node: ln,
            peer: pn,
            disk,
        },
        title,
        ns,
    )
}

pub(super) fn transition(c: Reading<'_>, node: String, what: String) -> Diagnosis {
    let title = format!("A cluster transition is in progress on {node}: {what}");
    let ns = step(
        &node,
        "private-chef-ctl ha-status --watch",
        "wait for the transition to finish and diagnose again; if it does not finish, read \
         the cluster log (/var/log/opscode/keepalived/cluster.log)",
    );
    c.finish(Situation::TransitionInProgress { node }, title, ns)
}

/// A situation that blocks a transition, named with the transition that waits on it.
pub(super) fn with_transition(mut d: Diagnosis, node: &str, what: &str) -> Diagnosis {
    d.evidence.push(Evidence {
        node: node.to_string(),
        source: "cluster status files".to_string(),
        text: format!(
            "a cluster transition is in progress ({what}): it keeps retrying and cannot \
             promote this copy until the situation is resolved"
        ),
    });
    d.title.push_str(&format!(
        " (a cluster transition is in progress on {node}: {what})"
    ));
    d.next_step.why.push_str(&format!(
        ". The cluster transition in progress on {node} ({what}) cannot promote this copy: \
         it waits, then gives up after its attempts"
    ));
    d
}
