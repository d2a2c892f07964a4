//! The situations of a node that cannot go on by itself: it came back alone with data that
//! may be stale, or what is needed to name the situation is missing.

use super::reading::Reading;
use super::situation::{Diagnosis, NextStep, Situation};

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
