//! May this node promote itself? The policy `cluster-transition master` applies before each
//! `drbdadm primary` attempt (pure: it decides over facts read elsewhere).
//!
//! DRBD's disk state is not enough: a node that comes back alone after its peer took over
//! and wrote attaches its disk straight to UpToDate (its meta-data says so), and DRBD lets
//! it become Primary; it would then serve a stale copy, and DRBD's split-brain policies
//! (`after-sb-1pri discard-secondary`) would later throw away the peer's newer writes.
//!
//! With resource-level fencing (`fencing resource-and-stonith`) DRBD's disk state says more:
//! the Primary's fence-peer handler marks a peer it lost `Outdated` (persistent, and DRBD
//! refuses `drbdadm primary` on it without `--force`), and a node that boots while
//! disconnected attaches `Consistent`, not UpToDate, until its peer is proven outdated. Both
//! mean "not proven current" whatever the witness recorded: the witness may have seen this
//! node lose the peer while UpToDate, and the Primary outdated it a moment later.
//!
//! | this node now | the witness (this boot) | decision |
//! |---|---|---|
//! | `promote_without_peer` set | — | promote (the original's behaviour) |
//! | DRBD not up / minor missing | — | try (drbdadm says why it cannot) |
//! | already Primary | — | promote (nothing changes) |
//! | linked, disk UpToDate | — | promote: DRBD compared the identifiers when it connected |
//! | linked, disk Outdated or Consistent | — | wait: DRBD is comparing the data with the peer's; the resync or the promotion follows |
//! | linked, disk otherwise not UpToDate (SyncTarget, …) | — | wait: the peer is resyncing this node |
//! | not linked, disk Outdated | any | wait: outdated copy, the peer has writes this node lacks |
//! | not linked, disk Consistent | any | wait: consistent but not proven current (DRBD needs the peer outdated first) |
//! | not linked, disk neither UpToDate, Outdated nor Consistent (Inconsistent, Diskless, …) | any | wait: no current data here (scenario 4) |
//! | not linked, disk UpToDate | no record for this boot | wait: cannot tell whether the data is current |
//! | not linked, disk UpToDate | never connected since boot | wait: the peer may be newer |
//! | not linked, disk UpToDate | lost the peer while linked and UpToDate (not SyncTarget) | promote: the data was current at the loss (scenario 3) |
//! | not linked, disk UpToDate | lost the peer while SyncTarget / not UpToDate | wait |
//!
//! "wait" means: do not run `drbdadm primary`, re-check at the next attempt; a peer that
//! comes back connects, resyncs this node if it is newer, and the next check promotes.
//! The fix of every wait names the safe step (bring the peer back) and the one that loses
//! data (`private-chef-ctl master-recover --force`, confirmed by typing the resource name;
//! for an Outdated or Consistent disk it runs `drbdadm primary --force`, see [`needs_force`]).
//!
//! The facts are read by [`crate::observe::generation`]; the transition's gate that applies
//! the decision before each attempt (and audits a refusal once) is
//! [`crate::act::transition::gate`].

use serde::Serialize;

use crate::drbd::gi::GenerationIds;
use crate::drbd::witness::WitnessRecord;
use crate::drbd::{Device, DiskState, Role};
use crate::model::{Assessment, DataFacts};

/// The facts the policy needs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The resource name (for messages).
    pub resource: &'a str,
    /// This node's device in /proc/drbd (`None`: unreadable or not listed).
    pub device: Option<&'a Device>,
    /// The witness record, if one could be read.
    pub witness: Option<&'a WitnessRecord>,
    /// This boot's id (`None`: unreadable).
    pub boot_id: Option<&'a str>,
    /// This node's identifiers, when read (for the message only).
    pub gi: Option<&'a GenerationIds>,
    /// `keepalived['promote_without_peer'] = true`: always promote, as the original.
    pub promote_without_peer: bool,
}

/// What the policy decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Run `drbdadm primary`.
    Promote {
        /// Why it is safe.
        why: String,
    },
    /// Do not promote now; re-check later.
    Wait {
        /// Why the data may be stale.
        reason: String,
        /// What the operator can do.
        fix: String,
    },
}

impl Decision {
    /// True for [`Decision::Promote`].
    pub fn promotes(&self) -> bool {
        matches!(self, Decision::Promote { .. })
    }
}

fn fix(resource: &str, lost: &str) -> String {
    format!(
        "wait for the peer: when it comes back it connects and resyncs this node if it has newer \
         data, then this node is promoted. If the peer is lost for good: private-chef-ctl \
         master-recover --force (you type the resource name {resource}); {lost}"
    )
}

/// The fix of an Outdated (`outdated`) or Consistent copy that is alone.
fn fix_not_current(resource: &str, outdated: bool) -> String {
    let lost = if outdated {
        "the writes the peer acknowledged after it outdated this node are lost"
    } else {
        "the writes the peer acknowledged while this node was away are lost"
    };
    format!(
        "bring the peer back (boot it, or restore the replication link): it connects, resyncs \
         this node, and the promotion follows. If the peer is lost for good: private-chef-ctl \
         master-recover --force (you type the resource name {resource}; it runs drbdadm primary \
         --force); {lost}"
    )
}

/// Whether promoting this device takes `drbdadm primary --force`: DRBD refuses an Outdated
/// disk, and a Consistent one whose peer cannot be outdated, without it. Only when not
/// linked: a linked node's marks are DRBD's own comparison in progress, and forcing it
/// would overwrite the peer's data. Used once the operator confirmed the loss
/// (`master-recover --force`).
pub fn needs_force(d: &Device) -> bool {
    !d.cs.is_connected()
        && d.role != Some(Role::Primary)
        && matches!(d.disk, Some(DiskState::Outdated | DiskState::Consistent))
}

/// The policy (see the module docs).
pub fn decide(f: &Facts<'_>) -> Decision {
    let promote = |why: &str| Decision::Promote {
        why: why.to_string(),
    };
    if f.promote_without_peer {
        return promote("keepalived['promote_without_peer'] is set: promoting as the original did");
    }
    let Some(d) = f.device.filter(|d| !d.is_unconfigured()) else {
        return promote("DRBD is not up here: drbdadm primary will say why it cannot promote");
    };
    if d.role == Some(Role::Primary) {
        return promote("already Primary");
    }
    if d.cs.is_connected() {
        let disk = d
            .disk
            .as_ref()
            .map(|x| x.to_string())
            .unwrap_or_else(|| "?".into());
        return match &d.disk {
            Some(DiskState::UpToDate) => promote("connected to the peer with an UpToDate disk: DRBD compared the data generations when it connected"),
            // DRBD clears both marks once connected: this is the moment it compares the
            // generations and decides who resyncs whom
            Some(DiskState::Outdated | DiskState::Consistent) => Decision::Wait {
                reason: format!(
                    "connected to the peer but the local disk is still {disk} (cs:{}): DRBD is comparing this node's data with the peer's",
                    d.cs
                ),
                fix: "wait: DRBD marks the disk UpToDate or resyncs it from the peer; the promotion follows".to_string(),
            },
            _ => Decision::Wait {
                reason: format!(
                    "connected to the peer but the local disk is {disk} (cs:{}): waiting for the resync from the peer",
                    d.cs
                ),
                fix: "wait: DRBD resyncs this node from the peer; the promotion follows".to_string(),
            },
        };
    }
    // Not linked: a disk DRBD itself does not call current wins over the witness, which
    // only knows what this node saw before the link dropped.
    match &d.disk {
        Some(DiskState::UpToDate) => {}
        Some(DiskState::Outdated) => {
            return Decision::Wait {
                reason: format!(
                    "outdated copy: the peer has writes this node lacks (cs:{}, ds:Outdated: the peer's fence-peer handler outdated this node, or it was disconnected gracefully)",
                    d.cs
                ),
                fix: fix_not_current(f.resource, true),
            }
        }
        Some(DiskState::Consistent) => {
            return Decision::Wait {
                reason: format!(
                    "consistent but not proven current: DRBD needs the peer outdated first (cs:{}, ds:Consistent: this node attached its disk while disconnected, and the peer may have written since)",
                    d.cs
                ),
                fix: fix_not_current(f.resource, false),
            }
        }
        other => {
            let disk = other
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_else(|| "?".into());
            return Decision::Wait {
                reason: format!(
                    "not connected to the peer (cs:{}) and the local disk is {disk}: this node holds no current data (scenario 4)",
                    d.cs
                ),
                fix: format!(
                    "wait for the peer: when it comes back it resyncs this node, then the \
                     promotion follows. If the peer is lost for good: private-chef-ctl \
                     ha-recover scenario-4 (it forces this node to Primary once you type the \
                     resource name {}); whatever this node had not received from the peer is \
                     lost",
                    f.resource
                ),
            };
        }
    }
    let crashed = match f.gi {
        Some(g) if g.flags.crashed_primary => {
            " DRBD's meta-data says: crashed Primary that has not seen its peer since."
        }
        _ => "",
    };
    let lost_all = "writes the peer made while this node was away would be lost (DRBD would \
                    discard them as a split brain when the peer returns)";
    let Some(w) = f.witness else {
        return Decision::Wait {
            reason: format!(
                "not connected to the peer (cs:{}) and no witness record: cannot tell whether this node's data was current when it lost the peer (is the drbd-witness service running?).{crashed}",
                d.cs
            ),
            fix: fix(f.resource, lost_all),
        };
    };
    if f.boot_id.is_none() || f.boot_id != Some(w.boot_id.as_str()) {
        return Decision::Wait {
            reason: format!(
                "not connected to the peer (cs:{}) and the witness record is of another boot: this node has not been seen connected since it booted.{crashed}",
                d.cs
            ),
            fix: fix(f.resource, lost_all),
        };
    }
    match &w.last_connected {
        None => Decision::Wait {
            reason: format!(
                "came back alone: not connected to the peer since this node booted (cs:{}); the peer may hold newer data.{crashed}",
                d.cs
            ),
            fix: fix(f.resource, lost_all),
        },
        Some(last) if last.current_here() => Decision::Promote {
            why: format!(
                "this node lost the peer at {} while its data was current ({}): the scenario 3 survivor",
                w.lost_at.as_deref().unwrap_or("the last check"),
                last.summary()
            ),
        },
        Some(last) => Decision::Wait {
            reason: format!(
                "when this node lost the peer (at {}) its data was not current ({}): the peer holds newer data",
                w.lost_at.as_deref().unwrap_or("?"),
                last.summary()
            ),
            fix: fix(
                f.resource,
                "the writes this node had not yet received from the peer would be lost",
            ),
        },
    }
}

/// The words that start a refusal (in cluster.log, the error file, the audit log);
/// `ha-status` shows a transition error containing them as an error.
pub const REFUSAL_MARK: &str = "Not promoting: this node's data may be stale";

/// The setting `keepalived['promote_without_peer']` (false when absent).
pub fn promote_without_peer(cfg: Option<&crate::config::Config>) -> bool {
    cfg.and_then(|c| c.attr("keepalived", "promote_without_peer"))
        .and_then(crate::config::Value::as_bool)
        .unwrap_or(false)
}

/// The single-node assessment of a decision (what `ha-status --json` reports).
pub fn assessment(d: &Decision) -> Assessment {
    match d {
        Decision::Promote { why } => Assessment {
            promotable: true,
            text: why.clone(),
        },
        Decision::Wait { reason, .. } => Assessment {
            promotable: false,
            text: reason.clone(),
        },
    }
}

/// The single-node assessment `ha-status --json` reports (the policy without the
/// `promote_without_peer` setting): `device` is this node's /proc/drbd device, `facts` what
/// [`crate::observe::generation::collect`] read (its witness is of this boot).
pub fn assess(resource: &str, facts: &DataFacts, device: Option<&Device>) -> Assessment {
    assessment(&decide(&Facts {
        resource,
        device,
        witness: facts.witness.as_ref(),
        boot_id: facts.boot_id.as_deref(),
        gi: facts.ids.as_ref(),
        promote_without_peer: false,
    }))
}

/// The refusal message of a [`Decision::Wait`]: it starts with [`REFUSAL_MARK`] and names
/// the fix (`None` for a promotion).
pub fn refusal_message(d: &Decision) -> Option<String> {
    match d {
        Decision::Promote { .. } => None,
        Decision::Wait { reason, fix } => Some(format!(
            "{REFUSAL_MARK}: {}. Fix: {fix}",
            reason.trim_end_matches('.')
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbd::witness::{observe, WitnessRecord};

    pub(super) fn proc(line: &str) -> crate::drbd::ProcDrbd {
        crate::drbd::parse(format!(
            "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: F73C670A7EC572DB9CF3E5B \n{line}\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"
        ).as_bytes())
        .unwrap()
    }

    pub(super) const CONNECTED: &str =
        " 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----";
    const ALONE: &str = " 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----";
    const SYNCT: &str = " 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----";

    fn facts<'a>(
        dev: Option<&'a Device>,
        w: Option<&'a WitnessRecord>,
        boot: Option<&'a str>,
    ) -> Facts<'a> {
        Facts {
            resource: "pc0",
            device: dev,
            witness: w,
            boot_id: boot,
            gi: None,
            promote_without_peer: false,
        }
    }

    #[test]
    fn the_scenario_3_survivor_promotes() {
        let c = proc(CONNECTED);
        let a = proc(ALONE);
        let (r, _) = observe(None, "b", 0, c.device(0), "t1");
        let (r, _) = observe(Some(&r), "b", 0, a.device(0), "t2");
        assert!(decide(&facts(a.device(0), Some(&r), Some("b"))).promotes());
        // the witness has not noticed the loss yet: its last linked state counts
        let (r0, _) = observe(None, "b", 0, c.device(0), "t1");
        assert!(decide(&facts(a.device(0), Some(&r0), Some("b"))).promotes());
    }

    #[test]
    fn a_node_that_came_back_alone_waits() {
        let a = proc(ALONE);
        let (r, _) = observe(None, "b", 0, a.device(0), "t1");
        let d = decide(&facts(a.device(0), Some(&r), Some("b")));
        assert!(!d.promotes(), "{d:?}");
        let Decision::Wait { reason, fix } = d else {
            unreachable!()
        };
        assert!(reason.contains("came back alone"), "{reason}");
        assert!(fix.contains("master-recover --force"), "{fix}");
        // no record, or another boot's record
        assert!(!decide(&facts(a.device(0), None, Some("b"))).promotes());
        assert!(!decide(&facts(a.device(0), Some(&r), Some("other"))).promotes());
        assert!(!decide(&facts(a.device(0), Some(&r), None)).promotes());
        // the setting restores the original
        let mut f = facts(a.device(0), None, None);
        f.promote_without_peer = true;
        assert!(decide(&f).promotes());
    }

    #[test]
    fn a_sync_target_waits_connected_or_not() {
        let s = proc(SYNCT);
        let a = proc(ALONE);
        assert!(!decide(&facts(s.device(0), None, None)).promotes());
        let (r, _) = observe(None, "b", 0, s.device(0), "t1");
        let (r, _) = observe(Some(&r), "b", 0, a.device(0), "t2");
        assert!(!decide(&facts(a.device(0), Some(&r), Some("b"))).promotes());
        // connected and UpToDate: DRBD arbitrates
        let c = proc(CONNECTED);
        assert!(decide(&facts(c.device(0), None, None)).promotes());
        // not up: drbdadm tells
        assert!(decide(&facts(None, None, None)).promotes());
    }
}

#[cfg(test)]
mod fencing_tests {
    use super::*;
    use crate::drbd::witness::observe;

    use super::tests::{proc, CONNECTED};
    const OUTDATED: &str = " 0: cs:WFConnection ro:Secondary/Unknown ds:Outdated/DUnknown C r-----";
    // a node that booted while disconnected; StandAlone has no protocol column
    const CONSISTENT: &str =
        " 0: cs:StandAlone ro:Secondary/Unknown ds:Consistent/DUnknown   r-----";
    const INCONSISTENT: &str =
        " 0: cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown C r-----";
    const LINKED_OUTDATED: &str =
        " 0: cs:WFBitMapT ro:Secondary/Primary ds:Outdated/UpToDate C r-----";

    /// The witness saw this node connected and UpToDate, then alone: "current at the loss".
    fn current_at_loss() -> crate::drbd::witness::WitnessRecord {
        let c = proc(CONNECTED);
        let (r, _) = observe(None, "b", 0, c.device(0), "t1");
        let alone = proc(" 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----");
        observe(Some(&r), "b", 0, alone.device(0), "t2").0
    }

    fn decide_on(line: &str, witness: bool) -> Decision {
        let p = proc(line);
        let w = current_at_loss();
        decide(&Facts {
            resource: "pc0",
            device: p.device(0),
            witness: witness.then_some(&w),
            boot_id: Some("b"),
            gi: None,
            promote_without_peer: false,
        })
    }

    fn wait(d: Decision) -> (String, String) {
        match d {
            Decision::Wait { reason, fix } => (reason, fix),
            d => panic!("expected a wait, got {d:?}"),
        }
    }

    #[test]
    fn an_outdated_copy_alone_waits_whatever_the_witness_says() {
        for witness in [true, false] {
            let (reason, fix) = wait(decide_on(OUTDATED, witness));
            assert!(
                reason.starts_with("outdated copy: the peer has writes this node lacks"),
                "{reason}"
            );
            assert!(fix.contains("bring the peer back"), "{fix}");
            assert!(fix.contains("master-recover --force"), "{fix}");
            assert!(fix.contains("resource name pc0"), "{fix}");
            assert!(
                fix.contains(
                    "the writes the peer acknowledged after it outdated this node are lost"
                ),
                "{fix}"
            );
        }
    }

    #[test]
    fn a_consistent_copy_alone_waits_whatever_the_witness_says() {
        for witness in [true, false] {
            let (reason, fix) = wait(decide_on(CONSISTENT, witness));
            assert!(
                reason.starts_with(
                    "consistent but not proven current: DRBD needs the peer outdated first"
                ),
                "{reason}"
            );
            assert!(fix.contains("master-recover --force"), "{fix}");
            assert!(fix.contains("are lost"), "{fix}");
        }
    }

    #[test]
    fn the_witness_promotes_only_an_up_to_date_disk() {
        // the same record promotes the UpToDate survivor ...
        let alone = " 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----";
        assert!(decide_on(alone, true).promotes());
        // ... and not an Inconsistent one
        let (reason, fix) = wait(decide_on(INCONSISTENT, true));
        assert!(reason.contains("scenario 4"), "{reason}");
        assert!(fix.contains("ha-recover scenario-4"), "{fix}");
    }

    #[test]
    fn linked_but_outdated_or_consistent_waits_for_drbd() {
        let (reason, fix) = wait(decide_on(LINKED_OUTDATED, true));
        assert!(reason.contains("still Outdated"), "{reason}");
        assert!(reason.contains("comparing"), "{reason}");
        assert!(fix.starts_with("wait: DRBD"), "{fix}");
        let linked_consistent =
            " 0: cs:Connected ro:Secondary/Primary ds:Consistent/UpToDate C r-----";
        let (reason, _) = wait(decide_on(linked_consistent, false));
        assert!(
            reason.contains("still Consistent (cs:Connected)"),
            "{reason}"
        );
        // a SyncTarget is the resync the row below names
        let synct = " 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----";
        let (reason, _) = wait(decide_on(synct, false));
        assert!(reason.contains("waiting for the resync"), "{reason}");
    }

    #[test]
    fn promote_without_peer_still_promotes_as_the_original() {
        let p = proc(OUTDATED);
        let f = Facts {
            resource: "pc0",
            device: p.device(0),
            witness: None,
            boot_id: None,
            gi: None,
            promote_without_peer: true,
        };
        assert!(decide(&f).promotes());
    }

    #[test]
    fn force_is_needed_only_for_an_outdated_or_consistent_disk_alone() {
        let dev = |l: &str| proc(l).device(0).cloned().unwrap();
        assert!(needs_force(&dev(OUTDATED)));
        assert!(needs_force(&dev(CONSISTENT)));
        assert!(!needs_force(&dev(INCONSISTENT)));
        assert!(!needs_force(&dev(LINKED_OUTDATED)));
        assert!(!needs_force(&dev(CONNECTED)));
    }

    #[test]
    fn the_refusal_names_the_outdated_copy() {
        let m = refusal_message(&decide_on(OUTDATED, true)).unwrap();
        assert!(
            m.starts_with(
                "Not promoting: this node's data may be stale: outdated copy: the peer has writes this node lacks"
            ),
            "{m}"
        );
    }
}

#[cfg(test)]
mod setting_tests {
    #[test]
    fn promote_without_peer_is_off_by_default_and_read_from_keepalived() {
        let base = "topology \"ha\"\nserver \"be1.example\", :ipaddress => \"192.0.2.1\", :role => \"backend\", :bootstrap => true\nserver \"be2.example\", :ipaddress => \"192.0.2.2\", :role => \"backend\"\nbackend_vip \"vip.example\", :ipaddress => \"192.0.2.10\", :device => \"eth0\"\n";
        let off = crate::config::Config::from_text(base, std::path::Path::new("p.rb")).unwrap();
        assert!(!super::promote_without_peer(Some(&off)));
        assert!(!super::promote_without_peer(None));
        let on = crate::config::Config::from_text(
            &format!("{base}keepalived['promote_without_peer'] = true\n"),
            std::path::Path::new("p.rb"),
        )
        .unwrap();
        assert!(super::promote_without_peer(Some(&on)));
    }
}
