//! Scenario 2: the secondary is lost and the primary has written since (oos > 0). The
//! same non-destructive steps as scenario 1; the resync copies the out-of-sync blocks.

use super::scenario1_secondary_lost::{notes, roles, steps};
use super::{Inputs, Runbook};
use crate::decide::diagnose::{Diagnosis, Situation};

/// Scenario 2: bring the secondary back and follow the resync of the oos KiB.
pub fn build(d: &Diagnosis, inputs: &Inputs) -> Runbook {
    let (primary, secondary) = roles(d);
    let oos = match &d.situation {
        Situation::Scenario2SecondaryLostPrimaryAhead { oos_kib, .. } => *oos_kib,
        _ => 0,
    };
    let why = format!(
        "the primary wrote {oos} KiB the secondary has not seen (oos): they are copied over; \
         the time depends on the replication link (syncer rate 40M)"
    );
    Runbook {
        scenario: "scenario-2".into(),
        title: format!(
            "Scenario 2: bring the secondary ({secondary}) back and resync {oos} KiB from the primary ({primary})"
        ),
        resource: inputs.resource.clone(),
        steps: steps(d, inputs, &why),
        notes: notes(d),
    }
}
