//! Scenario 1 (and the shared steps of scenario 2): the secondary is lost, the primary keeps
//! serving. Nothing destructive: bring DRBD back on the secondary when it answers
//! (`drbdadm up` when the resource is down there, `drbdadm connect` when it is StandAlone),
//! make the primary listen again if it went StandAlone, then wait for
//! Connected UpToDate/UpToDate with a progress bar.

use super::{device_of, drbdadm, node, step, Action, Inputs, RecoveryStep, Runbook, Tolerance};
use crate::decide::diagnose::{Diagnosis, Situation};

/// The primary and secondary named by the diagnosis (for a resync: source and target).
pub(crate) fn roles(d: &Diagnosis) -> (String, String) {
    match &d.situation {
        Situation::Scenario1SecondaryLost {
            primary, secondary, ..
        }
        | Situation::Scenario2SecondaryLostPrimaryAhead {
            primary, secondary, ..
        } => (primary.clone(), secondary.clone()),
        Situation::Resyncing { source, target } => (source.clone(), target.clone()),
        _ => (
            d.local.node.clone(),
            d.peer.node().unwrap_or("peer").to_string(),
        ),
    }
}

/// The steps shared by scenarios 1 and 2.
pub(crate) fn steps(d: &Diagnosis, inputs: &Inputs, why_wait: &str) -> Vec<RecoveryStep> {
    let (primary, secondary) = roles(d);
    let res = &inputs.resource;
    let mut steps = Vec::new();
    if let Some(p) = device_of(d, &primary) {
        if p.standalone() {
            let mut a = drbdadm(&["connect"], res);
            if let Action::Drbdadm { tolerate, .. } = &mut a {
                tolerate.push(Tolerance::AlreadyConnected);
            }
            steps.push(step(
                format!("Make {primary} listen for its peer again"),
                node(d, &primary),
                a,
                "the primary is StandAlone: it does not accept the secondary's connection",
            ));
        }
    }
    let secondary_seen = super::view_of(d, &secondary).is_some();
    match device_of(d, &secondary) {
        None if secondary_seen => steps.push(step(
            format!("Bring DRBD resource {res} up on {secondary}"),
            node(d, &secondary),
            drbdadm(&["up"], res),
            "the host answers but its DRBD resource is not up",
        )),
        Some(s) if s.unconfigured() => steps.push(step(
            format!("Bring DRBD resource {res} up on {secondary}"),
            node(d, &secondary),
            drbdadm(&["up"], res),
            "the host answers but its DRBD resource is Unconfigured",
        )),
        Some(s) if s.standalone() => {
            let mut a = drbdadm(&["connect"], res);
            if let Action::Drbdadm { tolerate, .. } = &mut a {
                tolerate.push(Tolerance::AlreadyConnected);
            }
            steps.push(step(
                format!("Connect {secondary} to {primary}"),
                node(d, &secondary),
                a,
                "the secondary is StandAlone: it does not try to reach the primary",
            ))
        }
        _ => {}
    }
    let what = if secondary_seen {
        format!("Wait for {secondary} to resync from {primary} (Connected UpToDate/UpToDate)")
    } else {
        format!(
            "Wait for {secondary} to come back and resync from {primary} (Connected UpToDate/UpToDate)"
        )
    };
    let why = if secondary_seen {
        why_wait.to_string()
    } else {
        format!(
            "{secondary} cannot be reached: boot it (DRBD starts and connects at boot; if it stays \
             DUnknown run 'drbdadm up {res}' there). {why_wait}"
        )
    };
    steps.push(step(
        what,
        node(d, &primary),
        Action::WaitSync {
            timeout_secs: inputs.sync_timeout_secs,
        },
        why,
    ));
    steps
}

/// The notes shared by scenarios 1 and 2.
pub(crate) fn notes(d: &Diagnosis) -> Vec<String> {
    let (_, secondary) = roles(d);
    vec![
        "The Chef server keeps running on the primary during all of this; no service needs to be touched.".to_string(),
        format!("If {secondary} is lost for good, install a new host in its place with the same topology entry, create the DRBD meta-data (drbdadm create-md), bring it up (drbdadm up): it pairs with the primary and syncs."),
    ]
}

/// Scenario 1: the secondary is lost and the primary has nothing to resync (oos 0).
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Runbook {
    let (primary, secondary) = roles(d);
    Runbook {
        scenario: "scenario-1".into(),
        title: format!(
            "Scenario 1: bring the secondary ({secondary}) back; the primary ({primary}) has nothing to resync"
        ),
        resource: inputs.resource.clone(),
        steps: steps(
            d,
            inputs,
            "the primary had no writes since the secondary left (oos 0): the resync is immediate",
        ),
        notes: notes(d),
    }
}
