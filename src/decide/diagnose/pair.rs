//! The situations where both nodes are seen: healthy (or not ready to fail over), resyncing,
//! both Secondary (scenario 5), split brain.

use super::reading::{lower_oos, step, Reading};
use super::situation::{Diagnosis, NextStep, Situation};
use crate::decide::data_relation;
use crate::model::{DeviceView, PeerView};

pub(super) fn healthy(c: Reading<'_>) -> Diagnosis {
    // a node whose keepalived is in fault or stopped, or a peer that DRBD still
    // replicates to but ssh cannot reach (its public link is down), cannot take over
    let mut views = vec![c.local];
    views.extend(c.peer.view());
    let mut not_ready = views.iter().find_map(|v| {
        let cur = v.cluster_status.current.as_deref()?;
        (cur != "master" && cur != "backup").then(|| {
            (
                v.node.clone(),
                format!(
                    "its cluster status is {cur} (keepalived has lost its VRRP interface, a \
                     tracked check fails, or it is stopped)"
                ),
            )
        })
    });
    if let (None, PeerView::Unreachable { reason, .. }) = (&not_ready, c.peer) {
        not_ready = Some((
            c.pname.clone(),
            format!(
                "DRBD still replicates to it, but ssh cannot reach it ({reason}): its public \
                 link or sshd is down"
            ),
        ));
    }
    if let Some((node, reason)) = not_ready {
        let title = format!("DRBD is healthy, but {node} cannot take over: {reason}");
        let why = format!(
            "until {node} is back on the public link with keepalived in backup, a failure of \
             the master is not covered: check its public link (`ip link`, the switch port), \
             `private-chef-ctl ha-status` there, and `private-chef-ctl start keepalived` if \
             it is stopped; keepalived returns to backup by itself once VRRP works"
        );
        let ns = step(&node, "private-chef-ctl ha-status", why);
        return c.finish(Situation::FailoverNotReady { node, reason }, title, ns);
    }
    let title = "Healthy: Connected, Primary/Secondary, UpToDate/UpToDate".to_string();
    let ns = NextStep {
        node: None,
        command: None,
        why: "nothing to recover; ha-status shows the services' state".to_string(),
    };
    c.finish(Situation::Healthy, title, ns)
}

pub(super) fn resyncing(
    c: Reading<'_>,
    source: String,
    target: String,
    dev: &DeviceView,
) -> Diagnosis {
    let pct = dev
        .sync
        .as_ref()
        .and_then(|s| s.percent)
        .map(|p| format!(" ({p:.1}% done)"))
        .unwrap_or_default();
    let title = format!("Resyncing: {source} → {target}{pct}");
    let ns = step(
        &c.lname.clone(),
        "private-chef-ctl ha-recover auto",
        "no action needed: wait for UpToDate/UpToDate (ha-recover follows the resync with a \
         progress bar; ha-status --watch too)",
    );
    c.finish(Situation::Resyncing { source, target }, title, ns)
}

pub(super) fn both_secondary(c: Reading<'_>, lo: Option<u64>, po: Option<u64>) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    // the newer data by the identifiers; else DRBD's Outdated mark (the runbook resets the
    // other node's meta-data when the promotion is refused, so an Outdated copy, which DRBD
    // refuses to promote, must not be picked over one that is not); the same data: the
    // bootstrap node, else this node; diverged/unrelated/unknown: the operator chooses
    use crate::drbd::gi::Relation;
    let outdated = |v: Option<&crate::model::NodeView>| {
        v.and_then(|v| v.device())
            .is_some_and(|d| d.disk == Some(crate::model::DiskState::Outdated))
    };
    let by_mark = match (outdated(Some(c.local)), outdated(c.peer.view())) {
        (true, false) => Some((pn.as_str(), ln.as_str())),
        (false, true) => Some((ln.as_str(), pn.as_str())),
        _ => None,
    };
    let mut why = match c.rel.relation {
        Relation::Same => "both hold the same data: the bootstrap node, else this node".to_string(),
        _ => format!("its data is newer: {}", c.rel.why),
    };
    let pick = match (data_relation::pick_newer(&c.rel), c.rel.relation) {
        (Some(true), _) => Some((ln.as_str(), pn.as_str())),
        (Some(false), _) => Some((pn.as_str(), ln.as_str())),
        (None, Relation::Same | Relation::Unknown) if by_mark.is_some() => {
            if let Some((_, o)) = by_mark {
                why = format!("{o} is Outdated: DRBD marked it as lacking writes the other has");
            }
            by_mark
        }
        (None, Relation::Same) => match data_relation::bootstrap_node(c.local, c.peer) {
            Some(b) if b == pn => Some((pn.as_str(), ln.as_str())),
            _ => Some((ln.as_str(), pn.as_str())),
        },
        // neither node reports identifiers (an older private-chef-ctl): the original
        // runbook's oos
        (None, _) if data_relation::not_reported(c.local, c.peer) => {
            lower_oos((&ln, lo), (&pn, po))
        }
        (None, _) => None,
    };
    let fmt = |o: Option<u64>| o.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
    let (promote, other) = match pick {
        Some((a, b)) => (Some(a.to_string()), Some(b.to_string())),
        None => (None, None),
    };
    let title = format!(
        "Scenario 5: both nodes are Secondary (oos {ln} {}, {pn} {})",
        fmt(lo),
        fmt(po)
    );
    let ns = match &promote {
        Some(n) => step(
            n,
            "private-chef-ctl ha-recover scenario-5",
            format!(
                "promote {n} ({why}); the other node's meta-data is reset only if the \
                 promotion is refused"
            ),
        ),
        None => step(
            &ln,
            "private-chef-ctl ha-recover scenario-5 --promote NODE",
            format!(
                "the identifiers do not say which data to keep (relation {}: {}): choose the \
                 node to promote, knowing the other node's changes are lost",
                c.rel.relation, c.rel.why
            ),
        ),
    };
    c.finish(
        Situation::Scenario5BothSecondary {
            promote,
            other,
            local_oos: lo,
            peer_oos: po,
        },
        title,
        ns,
    )
}

pub(super) fn split_brain(
    mut c: Reading<'_>,
    since: Option<String>,
    lo: Option<u64>,
    po: Option<u64>,
    peer_seen: bool,
) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    // the identifiers first (a side that did not write since the split is the
    // victim), then the amount changed since the split (each side's oos: its own changes)
    let pick = match data_relation::pick_newer(&c.rel) {
        Some(true) => Some((pn.as_str(), ln.as_str())),
        Some(false) => Some((ln.as_str(), pn.as_str())),
        None if peer_seen && c.rel.relation != crate::drbd::gi::Relation::Same => {
            lower_oos((&ln, lo), (&pn, po))
        }
        None => None,
    };
    let fmt = |o: Option<u64>| {
        o.map(|v| format!("{v} KiB"))
            .unwrap_or_else(|| "unknown".into())
    };
    c.ev(
        &ln,
        "split brain",
        format!(
            "changes since the split: {ln} {}, {pn} {}; data relation {} ({})",
            fmt(lo),
            fmt(po),
            c.rel.relation,
            c.rel.why
        ),
    );
    let (victim, survivor) = match pick {
        Some((v, s)) => (Some(v.to_string()), Some(s.to_string())),
        None => (None, None),
    };
    let at = since
        .as_ref()
        .map(|t| format!(" at {t}"))
        .unwrap_or_default();
    let title = format!("Split brain{at}: the nodes are StandAlone with divergent data");
    let ns = match &victim {
        Some(v) => step(
            &ln,
            "private-chef-ctl ha-recover split-brain",
            format!(
                "{v} has fewer changes since the split (lower oos) and is the suggested victim: \
                 its data is copied aside, then discarded and resynced from {}",
                survivor.as_deref().unwrap_or("the survivor")
            ),
        ),
        None => step(
            &ln,
            "private-chef-ctl ha-recover split-brain --victim NODE",
            if peer_seen {
                "the oos values tie: choose the victim (the node whose changes are thrown away)"
            } else {
                "the peer's state is needed to choose the victim: restore ssh to it, or choose \
                 with --victim"
            },
        ),
    };
    c.finish(
        Situation::SplitBrain {
            since,
            victim,
            survivor,
            local_oos: lo,
            peer_oos: po,
        },
        title,
        ns,
    )
}
