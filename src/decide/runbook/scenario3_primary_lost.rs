//! Scenario 3: the primary is lost and the surviving secondary is UpToDate. Promote the
//! survivor (`drbdadm primary pc0`), then `private-chef-ctl master-recover` there (the
//! shared transition: mount, start the services, record master). Nothing is lost.

use super::{drbdadm, node, step, Action, Inputs, Runbook};
use crate::decide::diagnose::{Diagnosis, Situation};

/// The survivor and the lost node of scenarios 3 and 4.
pub(crate) fn survivor_lost(d: &Diagnosis) -> (String, String) {
    match &d.situation {
        Situation::Scenario3PrimaryLostSecondaryUpToDate { survivor, lost, .. }
        | Situation::Scenario4PrimaryLostSecondaryInconsistent { survivor, lost, .. } => {
            (survivor.clone(), lost.clone())
        }
        _ => (
            d.local.node.clone(),
            d.peer.node().unwrap_or("peer").to_string(),
        ),
    }
}

/// `private-chef-ctl master-recover --yes` on the survivor.
pub(crate) fn master_recover() -> Action {
    Action::Ctl {
        args: vec!["master-recover".into(), "--yes".into()],
    }
}

/// Scenario 3's runbook.
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Runbook {
    let (survivor, lost) = survivor_lost(d);
    let res = &inputs.resource;
    let mut promote = step(
        format!("Promote {survivor} to DRBD Primary"),
        node(d, &survivor),
        drbdadm(&["primary"], res),
        "ds:UpToDate/DUnknown: the survivor has all the data the primary had and loses nothing \
         by being promoted",
    );
    promote.interrupts = false;
    let mut recover = step(
        format!("Make {survivor} the Chef server master (mount, start services)"),
        node(d, &survivor),
        master_recover(),
        "the documented next step after the promotion: starts the configured services here",
    );
    recover.interrupts = false;
    Runbook {
        scenario: "scenario-3".into(),
        title: format!("Scenario 3: the primary ({lost}) is lost; promote {survivor} and make it master"),
        resource: res.clone(),
        steps: vec![promote, recover],
        notes: vec![
            format!("Verify first that {lost} is going to be down for a while: if it comes back during the promotion both nodes may become Primary."),
            format!("When {lost} comes back, its keepalived tries 'drbdadm primary', which fails once {survivor} has written: it stays Secondary and resyncs from {survivor}. Check with 'private-chef-ctl ha-diagnose'."),
            "master-recover ignores VRRP: keepalived owns the VIP; ha-status reports it until keepalived elects this node.".to_string(),
        ],
    }
}
