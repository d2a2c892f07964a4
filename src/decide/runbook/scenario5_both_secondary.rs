//! Scenario 5: both nodes are Secondary. Promote the node with the lower oos
//! (`--promote NODE` on a tie, or when the operator knows better). Only if that promotion
//! is refused: reset the other node's meta-data (`drbdadm down`, `wipe-md`, `create-md`,
//! `up`, after a typed confirmation) and promote again. Then master-recover on the
//! promoted node and wait for the resync.

use super::scenario3_primary_lost::master_recover;
use super::{drbdadm, node, step, Action, BuildError, Inputs, Runbook};
use crate::decide::diagnose::{Diagnosis, Situation};

/// The node to promote: the operator's choice, else the diagnosis's (lower oos).
pub fn choose(d: &Diagnosis, inputs: &Inputs) -> Result<(String, String), BuildError> {
    let local = d.local.node.clone();
    let peer = d.peer.node().unwrap_or("peer").to_string();
    let candidates = vec![local.clone(), peer.clone()];
    if let Some(p) = &inputs.promote {
        return if *p == local {
            Ok((local, peer))
        } else if *p == peer {
            Ok((peer, local))
        } else {
            Err(BuildError::NeedChoice {
                what: "promote".into(),
                candidates,
                why: format!("--promote {p} is neither {local} nor {peer}"),
            })
        };
    }
    match &d.situation {
        Situation::Scenario5BothSecondary {
            promote: Some(p),
            other: Some(o),
            ..
        } => Ok((p.clone(), o.clone())),
        Situation::Scenario5BothSecondary {
            local_oos,
            peer_oos,
            ..
        } => {
            let f = |o: &Option<u64>| o.map(|v| v.to_string()).unwrap_or_else(|| "unknown".into());
            Err(BuildError::NeedChoice {
                what: "promote".into(),
                candidates,
                why: format!(
                    "the oos values do not decide ({local} {}, {peer} {})",
                    f(local_oos),
                    f(peer_oos)
                ),
            })
        }
        _ => Err(BuildError::NotApplicable("not scenario 5".into())),
    }
}

/// Scenario 5's runbook.
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Result<Runbook, BuildError> {
    let (chosen, other) = choose(d, inputs)?;
    let res = &inputs.resource;
    let mut first = step(
        format!("Promote {chosen} to DRBD Primary"),
        node(d, &chosen),
        drbdadm(&["primary"], res),
        format!("{chosen} has the lower amount out of sync (or was chosen)"),
    );
    if let Action::Drbdadm {
        refusal_continues, ..
    } = &mut first.action
    {
        *refusal_continues = true;
    }
    let cond = |mut s: super::RecoveryStep| {
        s.only_if_refused = Some(0);
        s
    };
    let mut down = cond(step(
        format!("Take DRBD resource {res} down on {other}"),
        node(d, &other),
        drbdadm(&["down"], res),
        "the meta-data can only be reset on a resource that is down",
    ));
    down.interrupts = true;
    let mut wipe = cond(step(
        format!("Wipe {other}'s DRBD meta-data"),
        node(d, &other),
        drbdadm(&["wipe-md", "--force"], res),
        format!("abandon what is on {other} so that it can sync from {chosen} (--force: confirmed here, drbdmeta gets no terminal)"),
    ));
    wipe.discards_data = true;
    let mut create = cond(step(
        format!("Create fresh DRBD meta-data on {other}"),
        node(d, &other),
        drbdadm(&["create-md", "--force"], res),
        "a new, empty generation: the next connect is a full sync from the promoted node",
    ));
    create.discards_data = true;
    let up = cond(step(
        format!("Bring DRBD resource {res} up on {other}"),
        node(d, &other),
        drbdadm(&["up"], res),
        "it connects to the other node as an empty secondary",
    ));
    let again = cond(step(
        format!("Promote {chosen} to DRBD Primary again"),
        node(d, &chosen),
        drbdadm(&["primary"], res),
        "with the other node reset, nothing stands in the way of the promotion",
    ));
    let recover = step(
        format!("Make {chosen} the Chef server master (mount, start services)"),
        node(d, &chosen),
        master_recover(),
        "both nodes were Secondary: no services ran",
    );
    let wait = step(
        format!("Wait for {other} to sync from {chosen} (Connected UpToDate/UpToDate)"),
        node(d, &chosen),
        Action::WaitSync {
            timeout_secs: inputs.sync_timeout_secs,
        },
        "the pair is safe again once both disks are UpToDate",
    );
    Ok(Runbook {
        scenario: "scenario-5".into(),
        title: format!("Scenario 5: both nodes are Secondary; promote {chosen}"),
        resource: res.clone(),
        steps: vec![first, down, wipe, create, up, again, recover, wait],
        notes: vec![format!(
            "Steps 2-6 run only if {chosen} refuses the promotion; they reset {other}, which then receives a full sync."
        )],
    })
}
