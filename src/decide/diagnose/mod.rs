//! `ha-diagnose`: names the pair's situation from both nodes' views.
//!
//! [`diagnose`] is a pure function of this node's [`NodeView`] and the peer's [`PeerView`]
//! (fixtures in `fixtures/diagnose/`). The situations are the Enterprise Chef HA guide's
//! "Failure Scenarios" 1–5 and "Split Brains" (enterprise-chef-ha.txt), plus the states
//! around them:
//!
//! | situation | slug | when | exit |
//! |---|---|---|---|
//! | [`Situation::Healthy`] | `healthy` | Connected, Primary/Secondary, UpToDate/UpToDate | 0 |
//! | [`Situation::Resyncing`] | `resyncing` | connected and resyncing (the end of scenarios 1/2) | 1 |
//! | [`Situation::Scenario1SecondaryLost`] | `scenario-1` | Primary, peer gone (WFConnection/StandAlone or DRBD down there), oos 0 | 1 |
//! | [`Situation::Scenario2SecondaryLostPrimaryAhead`] | `scenario-2` | same, oos > 0 | 1 |
//! | [`Situation::Scenario3PrimaryLostSecondaryUpToDate`] | `scenario-3` | Secondary/Unknown UpToDate/DUnknown, peer gone | 1 |
//! | [`Situation::Scenario4PrimaryLostSecondaryInconsistent`] | `scenario-4` | Secondary/Unknown Inconsistent/DUnknown, peer gone | 1 |
//! | [`Situation::OutdatedCopy`] | `outdated-copy` | Secondary, not linked, Outdated or Consistent (not proven current), and the peer's DRBD cannot be seen (unreachable, unknown, or down there): the peer has writes this node lacks | 1 |
//! | [`Situation::Isolated`] | `isolated` | quorum on (`ha['quorum_arbiter']`) and this node not quorate: cut off from the pair, it does not serve; checked first (its DRBD shows the peer lost, which would read as scenario 1 or 3) | 1 |
//! | [`Situation::CameBackAlone`] | `came-back-alone` | alone with an UpToDate disk that may be stale (the promotion policy refuses it) and the peer's identifiers do not show it current; checked first | 1 |
//! | [`Situation::Scenario5BothSecondary`] | `scenario-5` | both Secondary (also when one copy is Outdated: the other is the one to promote) | 1 |
//! | [`Situation::SplitBrain`] | `split-brain` | disconnected, both Primary; or StandAlone with both disks UpToDate and a Primary; or StandAlone with a handler record | 1 |
//! | [`Situation::FailoverNotReady`] | `failover-not-ready` | healthy DRBD, but a node's cluster status is `fault` or `stop`, or the peer DRBD replicates to is unreachable over ssh (its public link is down): it cannot take over | 1 |
//! | [`Situation::TransitionInProgress`] | `transition-in-progress` | requested != current cluster status, or the transition lock held, on either node; unless the DRBD states name a situation the transition waits on (scenario 4, outdated copy): that one is named, with the transition in its title and evidence | 1 |
//! | [`Situation::Unknown`] | `unknown` | what is needed is missing (the details say what) | 3 |
//!
//! "Primary" and "secondary" in the scenarios are the DRBD roles the nodes had: when the
//! peer cannot be seen, the survivor's own role decides (this node Primary → the
//! secondary was lost; this node Secondary → the primary was lost).
//!
//! # JSON (`ha-diagnose --json`)
//!
//! ```text
//! {"situation":"scenario-3",
//!  "details":{"survivor":"be2.lab.example","lost":"be1.lab.example"},   // per situation
//!  "title":"Scenario 3: the primary (be1.lab.example) is lost; be2.lab.example is UpToDate",
//!  "exit_code":1,
//!  "evidence":[{"node":"be2.lab.example","source":"/proc/drbd","text":"cs:WFConnection …"}],
//!  "next_step":{"node":"be2.lab.example","command":"private-chef-ctl ha-recover scenario-3",
//!               "why":"…"},
//!  "local":NodeView, "peer":PeerView,          // see crate::model::view
//!  "relation":{…},                              // the data relation
//!  "frontends":{"results":[…],"reached":"be1.lab.example"|null,   // null when not asked
//!               "how":"reported"|"inferred"|null,"disagree":bool,"all_pong":bool}}
//! ```
//!
//! The front ends' view ([`super::frontends::add_to_diagnosis`]) adds one evidence line per
//! front end (`source` `/_status`) and one saying which back end they reach; a healthy pair
//! whose front ends are not all pong, or reach different back ends, exits 1.
//!
//! `details` per situation: `healthy`/`transition-in-progress` `{"node"?}`,
//! `failover-not-ready {"node","reason"}`,
//! `resyncing {"source","target"}`, `scenario-1/2 {"primary","secondary","oos_kib"}`,
//! `scenario-3/4 {"survivor","lost","disk"}`, `outdated-copy {"node","peer","disk"}`,
//! `came-back-alone {"node","reason"}`, `isolated {"node","votes"}`, `scenario-5 {"promote"|null,"other"|null,
//! "local_oos","peer_oos"}`, `split-brain {"since"|null,"victim"|null,"survivor"|null,
//! "local_oos","peer_oos"}`, `unknown {"missing"}`. `next_step.node`/`command` may be null.

mod alone;
mod isolated;
mod lost;
mod pair;
mod reading;
mod situation;

use crate::decide::data_relation;
use crate::model::{exit, DiskState, NodeView, PeerView, Role, SplitBrainRecord};
use alone::{came_back_alone, outdated_copy, transition, unknown, with_transition};
use lost::{primary_lost, secondary_lost};
use pair::{both_secondary, healthy, resyncing, split_brain};
use reading::{peer_name, peer_source, sync_roles, Reading};

pub use reading::lower_oos;
pub use situation::{Diagnosis, Evidence, NextStep, Situation};

/// Exit code: the pair is healthy.
pub const EXIT_HEALTHY: i32 = exit::OK;
/// Exit code: a situation needing action (or waiting).
pub const EXIT_ACTION: i32 = 1;
/// Exit code: the situation cannot be named (something needed is missing): the table's
/// "does not apply".
pub const EXIT_UNKNOWN: i32 = exit::NOT_APPLICABLE;

/// Names the situation from this node's and the peer's views (pure).
pub fn diagnose(local: &NodeView, peer: &PeerView) -> Diagnosis {
    let mut c = Reading {
        local,
        peer,
        lname: local.node.clone(),
        pname: peer_name(peer),
        ev: Vec::new(),
        rel: data_relation::relation(local, peer),
    };
    let (ln, pn) = (c.lname.clone(), c.pname.clone());

    // Evidence: both nodes' DRBD state, cluster status and split-brain records.
    let ldev = local.device();
    match ldev {
        Some(d) => c.ev(&ln, "/proc/drbd", d.summary()),
        None => c.ev(&ln, "/proc/drbd", local.device_missing_reason()),
    }
    let pview = peer.view();
    let pdev = pview.and_then(NodeView::device);
    match (pview, pdev) {
        (Some(v), Some(d)) => c.ev(&pn, &peer_source(v), d.summary()),
        (Some(v), None) => c.ev(&pn, &peer_source(v), v.device_missing_reason()),
        (None, _) => c.ev(
            &pn,
            "ssh",
            format!("peer {}: {}", peer.state(), peer.reason().unwrap_or("")),
        ),
    }
    let mut views: Vec<&NodeView> = vec![local];
    views.extend(pview);
    for v in &views {
        let cs = &v.cluster_status;
        c.ev(
            &v.node,
            "cluster status files",
            format!(
                "requested {}, current {}",
                cs.requested.as_deref().unwrap_or("unreadable"),
                cs.current.as_deref().unwrap_or("unreadable")
            ),
        );
    }
    let mut records: Vec<(&str, &crate::model::SplitBrainRecord)> = Vec::new();
    for v in &views {
        if let Some(r) = &v.split_brain {
            records.push((&v.node, r));
        }
    }
    records.sort_by_key(|(_, r)| r.epoch.unwrap_or(0));
    let sb_record = records.last().map(|(n, r)| (n.to_string(), (*r).clone()));
    if let Some((n, r)) = &sb_record {
        c.ev(
            n,
            crate::model::split_brain::FILE_NAME,
            format!(
                "split brain recorded at {} on resource {}{}",
                r.time,
                r.resource.as_deref().unwrap_or("?"),
                r.state
                    .as_ref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
        );
    }

    // Both nodes' generation identifiers and the relation; a node that is alone
    // with data that may be stale comes first (it may be waiting in a refused transition).
    for v in &views {
        c.ev(&v.node, "drbdadm get-gi", v.data.ids_text());
        if let Some(a) = &v.data.assessment {
            c.ev(&v.node, "drbd-witness", a.text.clone());
        }
    }
    let rel_text = format!(
        "data relation {}: {} (DRBD rule {})",
        c.rel.relation, c.rel.why, c.rel.rule
    );
    c.ev(&ln, "generation identifiers", rel_text);
    for v in &views {
        if let Some(q) = &v.quorum {
            isolated::evidence(&mut c, &v.node, q);
        }
    }
    // A node without quorum is cut off: what its DRBD shows (the peer lost) is the
    // consequence, and the DRBD situations' steps (promote, force) are what quorum forbids.
    if let Some(q) = local.quorum.as_ref().filter(|q| q.lost()) {
        return isolated::isolated(c, q);
    }
    if let Some(reason) = data_relation::came_back_alone(local, peer, &c.rel.clone()) {
        return came_back_alone(c, reason);
    }

    // 1. a transition running (or stuck) on either node. It is named, but a situation only
    //    the operator can resolve comes first: a master transition waits in its retry loop
    //    for exactly that, and "wait" would hide it.
    let Some((node, what)) = views.iter().find_map(|v| transition_in_progress(v)) else {
        return by_drbd(c, sb_record);
    };
    let waiting = c.clone();
    let d = by_drbd(c, sb_record);
    if d.situation.blocks_a_transition() {
        return with_transition(d, &node, &what);
    }
    transition(waiting, node, what)
}

/// The node and what shows that a cluster transition is running (or stuck) on it.
fn transition_in_progress(v: &NodeView) -> Option<(String, String)> {
    let cs = &v.cluster_status;
    let differs = matches!((&cs.requested, &cs.current), (Some(r), Some(cur)) if r != cur);
    // a master transition that gave up refusing stale data is over, not in progress: the
    // situation below (e.g. scenario 5 once the peer is back) applies
    let differs = differs && !data_relation::gave_up_refusing(v);
    if v.transition_lock_held == Some(true) {
        Some((v.node.clone(), "the transition lock is held".to_string()))
    } else if differs {
        Some((
            v.node.clone(),
            format!(
                "requested {} but current {}",
                cs.requested.as_deref().unwrap_or("?"),
                cs.current.as_deref().unwrap_or("?")
            ),
        ))
    } else {
        None
    }
}

/// The situation from both nodes' DRBD states (the evidence is gathered).
fn by_drbd(mut c: Reading<'_>, sb_record: Option<(String, SplitBrainRecord)>) -> Diagnosis {
    let (local, peer) = (c.local, c.peer);
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    let ldev = local.device();
    let pdev = peer.view().and_then(NodeView::device);

    // 2. this node's DRBD state is needed for everything else.
    let Some(l) = ldev else {
        let missing = format!("{ln}: {}", local.device_missing_reason());
        return unknown(c, missing);
    };

    // The peer's device, unless its DRBD is down (then it is "gone" for DRBD).
    let p = pdev.filter(|d| !d.unconfigured());
    if l.unconfigured() {
        return match p {
            Some(p) if p.is_primary() => secondary_lost(c, p, &pn, &ln),
            _ => unknown(
                c,
                format!(
                    "{ln}: DRBD resource is not up (minor {} Unconfigured); bring it up with \
                     'drbdadm up <resource>' and diagnose again",
                    l.minor
                ),
            ),
        };
    }
    let lo = l.oos;
    let po = p.and_then(|d| d.oos);

    match p {
        Some(p) => {
            if l.linked() && p.linked() {
                if l.cs.is_syncing() || p.cs.is_syncing() {
                    let (s, t) = sync_roles(l, &ln, &pn);
                    return resyncing(c, s, t, l);
                }
                if l.is_secondary() && p.is_secondary() {
                    return both_secondary(c, lo, po);
                }
                let roles_ok =
                    (l.is_primary() && p.is_secondary()) || (l.is_secondary() && p.is_primary());
                if l.connected() && p.connected() && l.both_up_to_date() && roles_ok {
                    return healthy(c);
                }
                return unknown(
                    c,
                    format!(
                        "connected but neither healthy nor resyncing ({ln}: {}; {pn}: {})",
                        l.summary(),
                        p.summary()
                    ),
                );
            }
            if l.linked() != p.linked() {
                return unknown(
                    c,
                    format!(
                        "the nodes disagree about the connection ({ln}: {}; {pn}: {}): a state \
                         change in progress? diagnose again",
                        l.cs, p.cs
                    ),
                );
            }
            // Neither linked.
            let standalone = l.standalone() || p.standalone();
            let both_primary = l.is_primary() && p.is_primary();
            let heuristic = standalone
                && l.disk_up_to_date()
                && p.disk_up_to_date()
                && (l.is_primary() || p.is_primary());
            if both_primary || heuristic || (standalone && sb_record.is_some()) {
                return split_brain(c, sb_record.map(|(_, r)| r.time), lo, po, true);
            }
            if l.is_secondary() && p.is_secondary() {
                return both_secondary(c, lo, po);
            }
            if l.is_primary() {
                return secondary_lost(c, l, &ln, &pn);
            }
            if p.is_primary() {
                return secondary_lost(c, p, &pn, &ln);
            }
            unknown(
                c,
                format!(
                    "disconnected in states the runbooks do not cover ({ln}: {}; {pn}: {})",
                    l.summary(),
                    p.summary()
                ),
            )
        }
        None => {
            // Only this node's view (the peer is unreachable, unknown, or its DRBD is down).
            if l.linked() {
                c.ev(
                    &ln,
                    "/proc/drbd",
                    "DRBD is connected to the peer even though its own view is unavailable; \
                     judging from this node's view of both",
                );
                if l.cs.is_syncing() {
                    let (s, t) = sync_roles(l, &ln, &pn);
                    return resyncing(c, s, t, l);
                }
                let roles_ok = (l.is_primary() && l.peer_is(Role::Secondary))
                    || (l.is_secondary() && l.peer_is(Role::Primary));
                if l.connected() && l.both_up_to_date() && roles_ok {
                    return healthy(c);
                }
                if l.is_secondary() && l.peer_is(Role::Secondary) {
                    return both_secondary(c, lo, None);
                }
                return unknown(
                    c,
                    format!("connected in state {} and no peer view", l.summary()),
                );
            }
            if l.is_primary() {
                if l.standalone() && sb_record.is_some() {
                    return split_brain(c, sb_record.map(|(_, r)| r.time), lo, None, false);
                }
                return secondary_lost(c, l, &ln, &pn);
            }
            if l.is_secondary() {
                return match &l.disk {
                    Some(d @ DiskState::UpToDate) => primary_lost(c, d.clone(), true),
                    Some(d @ DiskState::Inconsistent) => primary_lost(c, d.clone(), false),
                    // DRBD's own mark: the copy is not proven current, whatever the witness
                    // says (beside a Secondary peer that is seen, it is scenario 5's choice)
                    Some(d @ (DiskState::Outdated | DiskState::Consistent)) => {
                        outdated_copy(c, d.clone())
                    }
                    other => unknown(
                        c,
                        format!(
                            "{ln} is Secondary with disk {}: no data to promote",
                            crate::model::shown(other, "?")
                        ),
                    ),
                };
            }
            unknown(c, format!("{ln}: role {:?}", l.role))
        }
    }
}
