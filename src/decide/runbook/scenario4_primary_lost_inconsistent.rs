//! Scenario 4: the primary is lost for good while the survivor was Inconsistent (an
//! Outdated or Consistent survivor is `outdated-copy`, which master-recover --force
//! handles): data loss is likely. After a typed confirmation of the resource name:
//! `drbdadm primary --force pc0` (declare the survivor's data UpToDate), `drbdadm connect
//! pc0` (listen for the replacement partner; a no-op when already waiting), then
//! `private-chef-ctl master-recover`. The notes say what may need re-uploading, as the
//! Enterprise Chef HA guide does.

use super::scenario3_primary_lost::{master_recover, survivor_lost};
use super::{drbdadm, node, step, Action, Inputs, Runbook, Tolerance};
use crate::decide::diagnose::{Diagnosis, Situation};
use crate::model::DiskState;

/// What may have been lost, and what to do about it (the guide's words).
pub const LOSS_NOTES: &[&str] = &[
    "Some recent data is likely lost: whatever the lost primary wrote that this node had not received.",
    "Re-upload cookbooks and other files from the chef-repo in source control (knife upload / knife cookbook upload) once the cluster works.",
    "Users or organizations created recently may need to be re-created.",
    "chef-client runs and uploads that failed while the cluster was Inconsistent will be fine once it works again; re-run them.",
];

/// Scenario 4's runbook.
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Runbook {
    let (survivor, lost) = survivor_lost(d);
    let res = &inputs.resource;
    let disk = match &d.situation {
        Situation::Scenario4PrimaryLostSecondaryInconsistent { disk, .. } => disk.clone(),
        _ => DiskState::Inconsistent,
    };
    let mut force = step(
        format!("Force {survivor} to DRBD Primary, declaring its {disk} data UpToDate"),
        node(d, &survivor),
        drbdadm(&["primary", "--force"], res),
        format!(
            "{lost} is gone and {survivor} is {disk}: forcing is the only way to serve again; \
             whatever {survivor} had not received from {lost} is discarded"
        ),
    );
    force.discards_data = true;
    let mut connect_action = drbdadm(&["connect"], res);
    if let Action::Drbdadm { tolerate, .. } = &mut connect_action {
        tolerate.push(Tolerance::AlreadyConnected);
    }
    let connect = step(
        format!("Make {survivor} listen for a (new) partner"),
        node(d, &survivor),
        connect_action,
        "it may have gone StandAlone; the replacement partner syncs from it (a no-op when it is already waiting)",
    );
    let recover = step(
        format!("Make {survivor} the Chef server master (mount, start services)"),
        node(d, &survivor),
        master_recover(),
        "starts the configured services on the forced Primary",
    );
    let mut notes: Vec<String> = LOSS_NOTES.iter().map(|s| s.to_string()).collect();
    notes.push(format!(
        "Provision a new partner for {survivor}: if its IP address differs from {lost}'s, change private-chef.rb on {survivor} and reconfigure; on the new host create the meta-data and bring DRBD up (drbdadm create-md {res}; drbdadm up {res}): it syncs from {survivor}."
    ));
    Runbook {
        scenario: "scenario-4".into(),
        title: format!(
            "Scenario 4: the primary ({lost}) is lost and {survivor} is {disk}: force {survivor} to Primary (data loss likely)"
        ),
        resource: res.clone(),
        steps: vec![force, connect, recover],
        notes,
    }
}
