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
//! | [`Situation::Scenario4PrimaryLostSecondaryInconsistent`] | `scenario-4` | Secondary/Unknown Inconsistent (or Outdated/Consistent)/DUnknown, peer gone | 1 |
//! | [`Situation::Scenario5BothSecondary`] | `scenario-5` | both Secondary | 1 |
//! | [`Situation::SplitBrain`] | `split-brain` | disconnected, both Primary; or StandAlone with both disks UpToDate and a Primary; or StandAlone with a handler record | 1 |
//! | [`Situation::FailoverNotReady`] | `failover-not-ready` | healthy DRBD, but a node's cluster status is `fault` or `stop`, or the peer DRBD replicates to is unreachable over ssh (its public link is down): it cannot take over | 1 |
//! | [`Situation::TransitionInProgress`] | `transition-in-progress` | requested != current cluster status, or the transition lock held, on either node | 1 |
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
//!  "relation":{…},                              // issue 10: the data relation
//!  "frontends":{"results":[…],"reached":"be1.lab.example"|null,   // issue 11, null when
//!               "how":"reported"|"inferred"|null,"disagree":bool,"all_pong":bool}}  // not asked
//! ```
//!
//! The front ends' view ([`super::frontends::add_to_diagnosis`]) adds one evidence line per
//! front end (`source` `/_status`) and one saying which back end they reach; a healthy pair
//! whose front ends are not all pong, or reach different back ends, exits 1.
//!
//! `details` per situation: `healthy`/`transition-in-progress` `{"node"?}`,
//! `failover-not-ready {"node","reason"}`,
//! `resyncing {"source","target"}`, `scenario-1/2 {"primary","secondary","oos_kib"}`,
//! `scenario-3/4 {"survivor","lost","disk"}`, `scenario-5 {"promote"|null,"other"|null,
//! "local_oos","peer_oos"}`, `split-brain {"since"|null,"victim"|null,"survivor"|null,
//! "local_oos","peer_oos"}`, `unknown {"missing"}`. `next_step.node`/`command` may be null.

use serde::Serialize;

use super::data_relation;
use crate::model::{exit, DeviceView, DiskState, NodeView, PeerView, Role};

/// Exit code: the pair is healthy.
pub const EXIT_HEALTHY: i32 = exit::OK;
/// Exit code: a situation needing action (or waiting).
pub const EXIT_ACTION: i32 = 1;
/// Exit code: the situation cannot be named (something needed is missing): the table's
/// "does not apply".
pub const EXIT_UNKNOWN: i32 = exit::NOT_APPLICABLE;

/// The named situation, with the nodes it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "situation", content = "details")]
pub enum Situation {
    /// Connected, Primary/Secondary, UpToDate/UpToDate.
    #[serde(rename = "healthy")]
    Healthy,
    /// Connected and resyncing.
    #[serde(rename = "resyncing")]
    Resyncing {
        /// The SyncSource node.
        source: String,
        /// The SyncTarget node.
        target: String,
    },
    /// The secondary is gone; the primary has nothing to resync (oos 0).
    #[serde(rename = "scenario-1")]
    Scenario1SecondaryLost {
        /// The surviving Primary.
        primary: String,
        /// The lost secondary.
        secondary: String,
        /// Out of sync on the primary, KiB.
        oos_kib: u64,
    },
    /// The secondary is gone; the primary has written since (oos > 0).
    #[serde(rename = "scenario-2")]
    Scenario2SecondaryLostPrimaryAhead {
        /// The surviving Primary.
        primary: String,
        /// The lost secondary.
        secondary: String,
        /// Out of sync on the primary, KiB.
        oos_kib: u64,
    },
    /// The primary is gone; the surviving secondary is UpToDate.
    #[serde(rename = "scenario-3")]
    Scenario3PrimaryLostSecondaryUpToDate {
        /// The surviving secondary.
        survivor: String,
        /// The lost primary.
        lost: String,
        /// The survivor's disk state.
        disk: DiskState,
    },
    /// The primary is gone; the survivor is not UpToDate: data loss is likely.
    #[serde(rename = "scenario-4")]
    Scenario4PrimaryLostSecondaryInconsistent {
        /// The surviving secondary.
        survivor: String,
        /// The lost primary.
        lost: String,
        /// The survivor's disk state (Inconsistent, Outdated, Consistent).
        disk: DiskState,
    },
    /// Both nodes are Secondary.
    #[serde(rename = "scenario-5")]
    Scenario5BothSecondary {
        /// The node to promote (lower oos); `None` on a tie or when an oos is unknown.
        promote: Option<String>,
        /// The other node.
        other: Option<String>,
        /// This node's oos, KiB.
        local_oos: Option<u64>,
        /// The peer's oos, KiB.
        peer_oos: Option<u64>,
    },
    /// StandAlone with divergent data.
    #[serde(rename = "split-brain")]
    SplitBrain {
        /// When the handler recorded it.
        since: Option<String>,
        /// The suggested victim: the side with fewer changes (lower oos); `None` on a tie
        /// or when a side is unknown.
        victim: Option<String>,
        /// The other side.
        survivor: Option<String>,
        /// This node's oos, KiB.
        local_oos: Option<u64>,
        /// The peer's oos, KiB.
        peer_oos: Option<u64>,
    },
    /// Issue 10: this node is alone and its data may be stale (it has not seen its peer
    /// since it booted, or was not current when it lost it): it must not serve.
    #[serde(rename = "came-back-alone")]
    CameBackAlone {
        /// The node.
        node: String,
        /// Why its data may be stale.
        reason: String,
    },
    /// Issue 11: DRBD is healthy, but a node's keepalived is in fault (or stopped): that
    /// node cannot take over, so a failure of the master is not covered.
    #[serde(rename = "failover-not-ready")]
    FailoverNotReady {
        /// The node.
        node: String,
        /// Why: its cluster status (`fault`, `stop`), or ssh cannot reach it.
        reason: String,
    },
    /// A cluster transition is running (or failed half-way).
    #[serde(rename = "transition-in-progress")]
    TransitionInProgress {
        /// The node in transition.
        node: String,
    },
    /// Not enough is known.
    #[serde(rename = "unknown")]
    Unknown {
        /// What is missing.
        missing: String,
    },
}

impl Situation {
    /// The slug (`scenario-3`, `split-brain`, …).
    pub fn slug(&self) -> &'static str {
        match self {
            Situation::Healthy => "healthy",
            Situation::Resyncing { .. } => "resyncing",
            Situation::Scenario1SecondaryLost { .. } => "scenario-1",
            Situation::Scenario2SecondaryLostPrimaryAhead { .. } => "scenario-2",
            Situation::Scenario3PrimaryLostSecondaryUpToDate { .. } => "scenario-3",
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. } => "scenario-4",
            Situation::Scenario5BothSecondary { .. } => "scenario-5",
            Situation::SplitBrain { .. } => "split-brain",
            Situation::CameBackAlone { .. } => "came-back-alone",
            Situation::FailoverNotReady { .. } => "failover-not-ready",
            Situation::TransitionInProgress { .. } => "transition-in-progress",
            Situation::Unknown { .. } => "unknown",
        }
    }

    /// The exit code of `ha-diagnose` (see the module docs).
    pub fn exit_code(&self) -> i32 {
        match self {
            Situation::Healthy => EXIT_HEALTHY,
            Situation::Unknown { .. } => EXIT_UNKNOWN,
            _ => EXIT_ACTION,
        }
    }
}

/// One observed fact behind a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The node it was seen on.
    pub node: String,
    /// Where: `/proc/drbd`, `ha-status --json over ssh`, `split-brain.log`, `ssh`, …
    pub source: String,
    /// What was seen.
    pub text: String,
}

/// The next safe step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// The node to run it on.
    pub node: Option<String>,
    /// The command, when there is one.
    pub command: Option<String>,
    /// Why, and what to check first.
    pub why: String,
}

/// A named situation with its evidence and the next step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// The situation (serialized as `situation` + `details`).
    #[serde(flatten)]
    pub situation: Situation,
    /// One line for humans.
    pub title: String,
    /// `ha-diagnose`'s exit code.
    pub exit_code: i32,
    /// What was seen.
    pub evidence: Vec<Evidence>,
    /// What to do next.
    pub next_step: NextStep,
    /// This node's view.
    pub local: NodeView,
    /// The peer's view.
    pub peer: PeerView,
    /// Issue 10: the data relation from both nodes' generation identifiers.
    pub relation: crate::drbd::gi::Comparison,
    /// Issue 11: what the front ends see (`null` when not asked or none are configured).
    pub frontends: Option<crate::model::frontend::FrontendsSeen>,
}

impl Diagnosis {
    /// The JSON document (see the module docs).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The peer's name for messages: its view's, else the name it was looked up by.
fn peer_name(peer: &PeerView) -> String {
    peer.node().unwrap_or("the peer").to_string()
}

/// Sync source and target from one side's device (`SyncSource` = this side is source).
fn sync_roles(dev: &DeviceView, me: &str, other: &str) -> (String, String) {
    if dev.cs.is_sync_target() {
        (other.to_string(), me.to_string())
    } else {
        (me.to_string(), other.to_string())
    }
}

/// The node with the lower oos; `None` on a tie or when one is unknown.
pub fn lower_oos<'a>(
    a: (&'a str, Option<u64>),
    b: (&'a str, Option<u64>),
) -> Option<(&'a str, &'a str)> {
    match (a.1, b.1) {
        (Some(x), Some(y)) if x < y => Some((a.0, b.0)),
        (Some(x), Some(y)) if y < x => Some((b.0, a.0)),
        _ => None,
    }
}

struct Reading<'a> {
    local: &'a NodeView,
    peer: &'a PeerView,
    lname: String,
    pname: String,
    ev: Vec<Evidence>,
    rel: crate::drbd::gi::Comparison,
}

impl Reading<'_> {
    fn ev(&mut self, node: &str, source: &str, text: impl Into<String>) {
        self.ev.push(Evidence {
            node: node.to_string(),
            source: source.to_string(),
            text: text.into(),
        });
    }

    fn finish(self, situation: Situation, title: String, next_step: NextStep) -> Diagnosis {
        Diagnosis {
            exit_code: situation.exit_code(),
            situation,
            title,
            evidence: self.ev,
            next_step,
            local: self.local.clone(),
            peer: self.peer.clone(),
            relation: self.rel,
            frontends: None,
        }
    }
}

fn step(node: &str, command: &str, why: impl Into<String>) -> NextStep {
    NextStep {
        node: Some(node.to_string()),
        command: Some(command.to_string()),
        why: why.into(),
    }
}

fn peer_source(v: &NodeView) -> String {
    if v.source == "local" {
        "ha-status".to_string()
    } else {
        format!("ha-status --json via {}", v.source)
    }
}

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

    // Issue 10: both nodes' generation identifiers and the relation; a node that is alone
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
    if let Some(reason) = data_relation::came_back_alone(local, peer, &c.rel.clone()) {
        return came_back_alone(c, reason);
    }

    // 1. a transition running (or stuck) on either node.
    for v in &views {
        let cs = &v.cluster_status;
        let differs = matches!((&cs.requested, &cs.current), (Some(r), Some(cur)) if r != cur);
        // issue 10: a master transition that gave up refusing stale data is over, not in
        // progress: the situation below (e.g. scenario 5 once the peer is back) applies
        let differs = differs && !data_relation::gave_up_refusing(v);
        if v.transition_lock_held == Some(true) || differs {
            let what = if v.transition_lock_held == Some(true) {
                "the transition lock is held".to_string()
            } else {
                format!(
                    "requested {} but current {}",
                    cs.requested.as_deref().unwrap_or("?"),
                    cs.current.as_deref().unwrap_or("?")
                )
            };
            let node = v.node.clone();
            let title = format!("A cluster transition is in progress on {node}: {what}");
            return c.finish(
                Situation::TransitionInProgress { node: node.clone() },
                title,
                step(
                    &node,
                    "private-chef-ctl ha-status --watch",
                    "wait for the transition to finish and diagnose again; if it does not \
                     finish, read the cluster log (/var/log/opscode/keepalived/cluster.log)",
                ),
            );
        }
    }

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
                    Some(
                        d @ (DiskState::Inconsistent | DiskState::Outdated | DiskState::Consistent),
                    ) => primary_lost(c, d.clone(), false),
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

fn came_back_alone(c: Reading<'_>, reason: String) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    let title =
        format!("Came back alone: {ln}'s data may be stale; it must not serve until {pn} returns");
    let ns = NextStep {
        node: Some(ln.clone()),
        command: Some("private-chef-ctl master-recover --force".to_string()),
        why: format!(
            "{reason}. Safe: wait for {pn} (boot it, or restore the cluster link): DRBD \
             connects, resyncs {ln} from it if it is newer, and the transition promotes {ln} \
             if keepalived still wants it master. Only if {pn} is lost for good: run the command \
             above on {ln} (it asks you to type the resource name); writes made on {pn} since \
             {ln} last saw it are lost"
        ),
    };
    c.finish(Situation::CameBackAlone { node: ln, reason }, title, ns)
}

fn unknown(c: Reading<'_>, missing: String) -> Diagnosis {
    let title = format!("Unknown: {missing}");
    let ns = NextStep {
        node: Some(c.lname.clone()),
        command: Some("private-chef-ctl ha-status --peer".to_string()),
        why: format!(
            "the situation cannot be named safely: {missing}. Restore what is missing (the \
             peer's ssh access, /proc/drbd, the DRBD resource) and diagnose again"
        ),
    };
    c.finish(Situation::Unknown { missing }, title, ns)
}

fn healthy(c: Reading<'_>) -> Diagnosis {
    // issue 11: a node whose keepalived is in fault or stopped, or a peer that DRBD still
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

fn resyncing(c: Reading<'_>, source: String, target: String, dev: &DeviceView) -> Diagnosis {
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

fn secondary_lost(
    c: Reading<'_>,
    primary_dev: &DeviceView,
    primary: &str,
    secondary: &str,
) -> Diagnosis {
    let oos = primary_dev.oos.unwrap_or(0);
    // issue 10: "ahead" by the identifiers when both are known; alone, by the primary's own
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

fn primary_lost(c: Reading<'_>, disk: DiskState, up_to_date: bool) -> Diagnosis {
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

fn both_secondary(c: Reading<'_>, lo: Option<u64>, po: Option<u64>) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    // issue 10: the newer data by the identifiers; the same data: the bootstrap node, else
    // this node; diverged/unrelated/unknown: the operator chooses
    let pick = match (data_relation::pick_newer(&c.rel), c.rel.relation) {
        (Some(true), _) => Some((ln.as_str(), pn.as_str())),
        (Some(false), _) => Some((pn.as_str(), ln.as_str())),
        (None, crate::drbd::gi::Relation::Same) => {
            match data_relation::bootstrap_node(c.local, c.peer) {
                Some(b) if b == pn => Some((pn.as_str(), ln.as_str())),
                _ => Some((ln.as_str(), pn.as_str())),
            }
        }
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
                "promote {n} ({}); the other node's meta-data is reset only if the promotion \
                 is refused",
                match c.rel.relation {
                    crate::drbd::gi::Relation::Same =>
                        "both hold the same data: the bootstrap node, else this node".to_string(),
                    _ => format!("its data is newer: {}", c.rel.why),
                }
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

fn split_brain(
    mut c: Reading<'_>,
    since: Option<String>,
    lo: Option<u64>,
    po: Option<u64>,
    peer_seen: bool,
) -> Diagnosis {
    let (ln, pn) = (c.lname.clone(), c.pname.clone());
    // issue 10: the identifiers first (a side that did not write since the split is the
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
