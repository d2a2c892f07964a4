//! Split brain: both nodes StandAlone (or one WFConnection) with divergent data.
//!
//! The victim is the side with fewer changes since the split (the lower oos; ha-diagnose
//! compares both nodes' /proc/drbd), or `--victim NODE`. Its divergent data is **kept
//! before it is discarded**: an LVM snapshot when the backing device is a logical volume,
//! else a `dd` copy of the backing device to
//! `<drbd_dir>/split-brain-<timestamp>.img` (`/var/opt/opscode/drbd/…`). Then the 8.4
//! User's Guide's manual recovery:
//!
//! 1. on the victim, when it is Primary: `private-chef-ctl backup-recover` (stop services,
//!    unmount, demote), so nothing writes while it is copied;
//! 2. on the victim: `drbdadm disconnect pc0` (rc 10 "unknown connection" = already
//!    StandAlone: fine), `drbdadm secondary pc0`;
//! 3. keep the victim's data (above);
//! 4. on the victim, after a typed confirmation: `drbdadm connect --discard-my-data pc0`;
//! 5. on the survivor: `drbdadm connect pc0` (rc 10 "(125) net-config" = already waiting:
//!    fine);
//! 6. wait for the resync and verify Connected UpToDate/UpToDate;
//! 7. when the survivor is not Primary: `private-chef-ctl master-recover` there.

use super::scenario3_primary_lost::master_recover;
use super::{
    device_of, drbdadm, node, step, view_of, Action, BuildError, Inputs, Preserve, Runbook,
    Tolerance,
};
use crate::decide::diagnose::{Diagnosis, Situation};

/// The victim and the survivor: `--victim`, else the diagnosis's (lower oos).
pub fn choose_victim(d: &Diagnosis, inputs: &Inputs) -> Result<(String, String), BuildError> {
    let local = d.local.node.clone();
    let peer = d.peer.node().unwrap_or("peer").to_string();
    let candidates = vec![local.clone(), peer.clone()];
    if let Some(v) = &inputs.victim {
        return if *v == local {
            Ok((local, peer))
        } else if *v == peer {
            Ok((peer, local))
        } else {
            Err(BuildError::NeedChoice {
                what: "victim".into(),
                candidates,
                why: format!("--victim {v} is neither {local} nor {peer}"),
            })
        };
    }
    match &d.situation {
        Situation::SplitBrain {
            victim: Some(v),
            survivor: Some(s),
            ..
        } => Ok((v.clone(), s.clone())),
        Situation::SplitBrain {
            local_oos,
            peer_oos,
            ..
        } => {
            let f = |o: &Option<u64>| o.map(|v| v.to_string()).unwrap_or_else(|| "unknown".into());
            Err(BuildError::NeedChoice {
                what: "victim".into(),
                candidates,
                why: format!(
                    "the changes since the split do not decide the victim (oos {local} {}, {peer} {})",
                    f(local_oos),
                    f(peer_oos)
                ),
            })
        }
        _ => Err(BuildError::NotApplicable("not a split brain".into())),
    }
}

/// How the victim's data is kept (pure: the caller found out whether it is an LV).
pub fn preserve_for(inputs: &Inputs) -> Preserve {
    match &inputs.victim_lv {
        Some(lv) => Preserve::LvmSnapshot {
            origin: lv.clone(),
            name: format!("{}-split-brain-{}", inputs.resource, inputs.timestamp),
        },
        None => Preserve::Dd {
            device: inputs.drbd_disk.clone(),
            dest: inputs
                .drbd_dir
                .join(format!("split-brain-{}.img", inputs.timestamp)),
        },
    }
}

/// The split-brain runbook.
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Result<Runbook, BuildError> {
    if d.peer.view().is_none() {
        return Err(BuildError::NotApplicable(format!(
            "split-brain recovery runs steps on both nodes and the peer cannot be reached ({}); restore ssh to it first",
            d.peer.reason().unwrap_or("unknown")
        )));
    }
    let (victim, survivor) = choose_victim(d, inputs)?;
    let res = &inputs.resource;
    let vdev = device_of(d, &victim);
    let sdev = device_of(d, &survivor);
    let vmaster =
        view_of(d, &victim).and_then(|v| v.cluster_status.current.as_deref()) == Some("master");
    let mut steps = Vec::new();
    if vdev.is_some_and(|v| v.is_primary()) || vmaster {
        let mut s = step(
            format!("Stop the Chef server on {victim} and demote it (backup-recover)"),
            node(d, &victim),
            Action::Ctl {
                args: vec!["backup-recover".into(), "--yes".into()],
            },
            "the victim must not serve or write while its data is copied and discarded",
        );
        s.interrupts = true;
        steps.push(s);
    }
    let mut disconnect = drbdadm(&["disconnect"], res);
    if let Action::Drbdadm { tolerate, .. } = &mut disconnect {
        tolerate.push(Tolerance::UnknownConnection);
    }
    steps.push(step(
        format!("Make sure {victim} is StandAlone"),
        node(d, &victim),
        disconnect,
        "the victim must be StandAlone before it reconnects as victim (already StandAlone: fine)",
    ));
    steps.push(step(
        format!("Demote {victim} to DRBD Secondary"),
        node(d, &victim),
        drbdadm(&["secondary"], res),
        "--discard-my-data is refused on a Primary",
    ));
    let keep = preserve_for(inputs);
    steps.push(step(
        format!("Keep {victim}'s divergent data: {}", keep.location()),
        node(d, &victim),
        Action::Preserve(keep.clone()),
        "whatever was written on the victim since the split is discarded next; this copy keeps it",
    ));
    let mut discard = step(
        format!("Reconnect {victim} discarding its changes since the split"),
        node(d, &victim),
        drbdadm(&["connect", "--discard-my-data"], res),
        format!(
            "{victim} has fewer changes since the split{}; it becomes SyncTarget of {survivor}",
            match (vdev.and_then(|v| v.oos), sdev.and_then(|s| s.oos)) {
                (Some(a), Some(b)) => format!(" (oos {a} vs {b} KiB)"),
                _ => String::new(),
            }
        ),
    );
    discard.discards_data = true;
    steps.push(discard);
    let mut connect = drbdadm(&["connect"], res);
    if let Action::Drbdadm { tolerate, .. } = &mut connect {
        tolerate.push(Tolerance::AlreadyConnected);
    }
    steps.push(step(
        format!("Reconnect {survivor}"),
        node(d, &survivor),
        connect,
        "StandAlone: it listens again; already WFConnection: nothing to do",
    ));
    steps.push(step(
        format!(
            "Wait for {victim} to resync from {survivor} and verify Connected UpToDate/UpToDate"
        ),
        node(d, &survivor),
        Action::WaitSync {
            timeout_secs: inputs.sync_timeout_secs,
        },
        "only the blocks changed on either side since the split are resynced",
    ));
    if !sdev.is_some_and(|s| s.is_primary()) {
        steps.push(step(
            format!("Make {survivor} the Chef server master"),
            node(d, &survivor),
            master_recover(),
            "the survivor is not Primary: promote it and start the services",
        ));
    }
    let notes = vec![
        format!(
            "{victim}'s data from before the recovery is kept at {} on {victim}: attach it read-only (e.g. losetup -r; mount -o ro) to recover anything written there since the split, then delete it.",
            keep.location()
        ),
        "The split-brain record is in split-brain.log under the DRBD directory; 'private-chef-ctl ha-diagnose' should now say healthy.".to_string(),
    ];
    Ok(Runbook {
        scenario: "split-brain".into(),
        title: format!(
            "Split brain: keep {survivor}'s data, discard {victim}'s (kept aside first)"
        ),
        resource: res.clone(),
        steps,
        notes,
    })
}
