//! Scenarios 1–4: one node is gone (or its DRBD is down) and the survivor's role says which:
//! this node Primary → the secondary was lost (1, 2); this node Secondary → the primary was
//! lost (3, 4).

use super::reading::{step, Reading};
use super::situation::{Diagnosis, Situation};
use crate::model::{DeviceView, DiskState, PeerView};

pub(super) fn secondary_lost(
    c: Reading<'_>,
    primary_dev: &DeviceView,
    primary: &str,
    secondary: &str,
) -> Diagnosis {
    let oos = primary_dev.oos.unwrap_or(0);
    // "ahead" by the identifiers when both are known; alone, by the primary's own
    // identifiers (its bitmap tracks changes the secondary lacks); oos only when neither is
    let primary_is_local = primary == c.lname;
    let ahead = match c.rel.relation {
        crate::drbd::gi::Relation::Same => false,
        crate::drbd::gi::Relation::LocalNewer => primary_is_local,
        crate::drbd::gi::Relation::PeerNewer => !primary_is_local,
        _ => {
            let ids = if primary_is_local {
                c.local.data.ids.as_ref()
            } else {
                c.peer.view().and_then(|v| v.data.ids.as_ref())
            };
            ids.map(|g| g.tracks_changes() && oos > 0)
                .unwrap_or(oos > 0)
        }
    };
    let (situation, n) = if !ahead {
        (
            Situation::Scenario1SecondaryLost {
                primary: primary.to_string(),
                secondary: secondary.to_string(),
                oos_kib: oos,
            },
            1,
        )
    } else {
        (
            Situation::Scenario2SecondaryLostPrimaryAhead {
                primary: primary.to_string(),
                secondary: secondary.to_string(),
                oos_kib: oos,
            },
            2,
        )
    };
    let title = if n == 1 {
        format!("Scenario 1: the secondary ({secondary}) is lost; the primary ({primary}) has nothing to resync (oos {oos})")
    } else {
        format!("Scenario 2: the secondary ({secondary}) is lost; the primary ({primary}) is ahead by {oos} KiB (oos)")
    };
    let ns = step(
        primary,
        &format!("private-chef-ctl ha-recover scenario-{n}"),
        format!(
            "nothing destructive: the primary keeps serving. Bring {secondary} back (boot it; \
             the runbook runs 'drbdadm up/connect' there when it answers) and it resyncs \
             {oos} KiB"
        ),
    );
    c.finish(situation, title, ns)
}

pub(super) fn primary_lost(c: Reading<'_>, disk: DiskState, up_to_date: bool) -> Diagnosis {
    let (survivor, lost) = (c.lname.clone(), c.pname.clone());
    let reach = match c.peer {
        PeerView::Unreachable { .. } => String::new(),
        _ => " (its state is not known: make sure it is really down)".to_string(),
    };
    if up_to_date {
        let title = format!(
            "Scenario 3: the primary ({lost}) is lost; {survivor} is Secondary and UpToDate"
        );
        let ns = step(
            &survivor,
            "private-chef-ctl ha-recover scenario-3",
            format!(
                "once {lost} is known to stay down for a while{reach}: promote {survivor} \
                 ('drbdadm primary pc0') and run master-recover; nothing is lost"
            ),
        );
        c.finish(
            Situation::Scenario3PrimaryLostSecondaryUpToDate {
                survivor,
                lost,
                disk: disk.clone(),
            },
            title,
            ns,
        )
    } else {
        let title = format!(
            "Scenario 4: the primary ({lost}) is lost and {survivor} is {disk}: data loss is likely"
        );
        let ns = step(
            &survivor,
            "private-chef-ctl ha-recover scenario-4",
            format!(
                "only if {lost} cannot come back{reach}: force {survivor} to Primary \
                 ('drbdadm primary --force pc0', confirmed by typing the resource name), \
                 master-recover, then re-upload cookbooks from source control and recreate \
                 recently created users/orgs"
            ),
        );
        c.finish(
            Situation::Scenario4PrimaryLostSecondaryInconsistent {
                survivor,
                lost,
                disk: disk.clone(),
            },
            title,
            ns,
        )
    }
}
