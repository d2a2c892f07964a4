//! The monitoring check's verdict (`private-chef-ctl check`, Monitoring Plugins
//! conventions): every finding about one [`Sample`] with its state, and the worst of them.
//! Pure; the output is [`crate::render::check`]. The same verdict is exported as
//! `chef_ha_health` by `metrics`.
//!
//! | finding | state |
//! |---|---|
//! | topology unreadable (classic code 1, `config`) | UNKNOWN |
//! | keepalived or DRBD not enabled, backing disk or DRBD device missing (code 1) | CRITICAL |
//! | a source unreadable (an `[UNKNOWN]` line: /proc/drbd, state files, services, interfaces, mounts, the DRBD configuration) | UNKNOWN |
//! | requested ≠ current cluster status: a transition is running (code 2, `[WARN]`) | WARNING |
//! | the last transition failed (code 2, `[ERROR]`) | CRITICAL |
//! | VIP missing on the master or present on the backup (code 3) | CRITICAL |
//! | DRBD: the master not Primary/UpToDate, or the backup Primary (code 4) | CRITICAL |
//! | DRBD: the resource's minor not in /proc/drbd (code 4) | CRITICAL |
//! | DRBD: not connected, resyncing, the peer's role or disk not as expected (code 4) | WARNING |
//! | DRBD: writes frozen, I/O suspended until the peer is proven outdated (code 4, `drbd_io`) | CRITICAL |
//! | DRBD: the running resource can lose acknowledged writes: protocol, fencing, no fence-peer handler, an after-sb policy that discards changes (code 4, `drbd_fencing`) | WARNING |
//! | data directory mounted on the backup or not on the master (code 5) | CRITICAL |
//! | a replication address does not ping (code 6) | WARNING |
//! | an HA service down on the master, or running on the backup (code 7) | CRITICAL |
//! | keepalived down on the master (code 7) | CRITICAL |
//! | another service down, keepalived down on the backup (code 7) | WARNING |
//! | VRRP interface missing (code 8) | CRITICAL |
//! | quorum on and this node not quorate, or corosync unreadable (code 10, `quorum`) | CRITICAL |
//! | quorum on, quorate, but the arbiter's vote not counted here (`quorum`, `[WARN]`) | WARNING |
//! | quorum off (no `ha['quorum_arbiter']`: ha-status's advisory `[WARN]`) | OK |
//! | a front end not pong (code 9) | WARNING (CRITICAL when none is pong) |
//! | split brain: the data relation is diverged or unrelated, or StandAlone after a split-brain record | CRITICAL |
//! | this node came back alone with data that may be stale | CRITICAL |
//! | this node Primary while the peer holds newer data | CRITICAL |
//! | both nodes master (this node's and the peer's current cluster status) | CRITICAL |
//! | the peer's ha-status unreadable (when asked) | WARNING |
//! | the resync stalled | WARNING |
//! | oos, resync ETA or front-end latency outside a `--warning`/`--critical` range | WARNING / CRITICAL |
//!
//! The overall state is the worst finding's, in the order CRITICAL, UNKNOWN, WARNING, OK:
//! a source that cannot be read hides nothing worse than a warning.

use crate::drbd::gi::Relation;
use crate::drbd::{ConnState, DiskState, Role};
use crate::model::frontend::Outcome;
use crate::model::monitor::Sample;
use crate::model::threshold::Range;
use crate::model::{Check, PeerView, Status};

/// The table above, for `check --help` and the man page (a test keeps both the same).
pub const STATES: &str = "States, worst first (CRITICAL, UNKNOWN, WARNING, OK); docs/check.md has the table:
  UNKNOWN: topology unreadable (classic code 1, `config`)
  CRITICAL: keepalived or DRBD not enabled, backing disk or DRBD device missing (code 1)
  UNKNOWN: a source unreadable (an `[UNKNOWN]` line: /proc/drbd, state files, services, interfaces, mounts, the DRBD configuration)
  WARNING: requested ≠ current cluster status: a transition is running (code 2, `[WARN]`)
  CRITICAL: the last transition failed (code 2, `[ERROR]`)
  CRITICAL: VIP missing on the master or present on the backup (code 3)
  CRITICAL: DRBD: the master not Primary/UpToDate, or the backup Primary (code 4)
  CRITICAL: DRBD: the resource's minor not in /proc/drbd (code 4)
  WARNING: DRBD: not connected, resyncing, the peer's role or disk not as expected (code 4)
  CRITICAL: DRBD: writes frozen, I/O suspended until the peer is proven outdated (code 4, `drbd_io`)
  WARNING: DRBD: the running resource can lose acknowledged writes: protocol, fencing, no fence-peer handler, an after-sb policy that discards changes (code 4, `drbd_fencing`)
  CRITICAL: data directory mounted on the backup or not on the master (code 5)
  WARNING: a replication address does not ping (code 6)
  CRITICAL: an HA service down on the master, or running on the backup (code 7)
  CRITICAL: keepalived down on the master (code 7)
  WARNING: another service down, keepalived down on the backup (code 7)
  CRITICAL: VRRP interface missing (code 8)
  CRITICAL: quorum on and this node not quorate, or corosync unreadable (code 10, `quorum`)
  WARNING: quorum on, quorate, but the arbiter's vote not counted here (`quorum`, `[WARN]`)
  OK: quorum off (no `ha['quorum_arbiter']`: ha-status's advisory `[WARN]`)
  WARNING (CRITICAL when none is pong): a front end not pong (code 9)
  CRITICAL: split brain: the data relation is diverged or unrelated, or StandAlone after a split-brain record
  CRITICAL: this node came back alone with data that may be stale
  CRITICAL: this node Primary while the peer holds newer data
  CRITICAL: both nodes master (this node's and the peer's current cluster status)
  WARNING: the peer's ha-status unreadable (when asked)
  WARNING: the resync stalled
  WARNING / CRITICAL: oos, resync ETA or front-end latency outside a `--warning`/`--critical` range
  OK: anything else

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also bad arguments, --help and the -t timeout).
";

/// A plugin state, with its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl State {
    /// The exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    pub fn code(self) -> i32 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Critical => 2,
            State::Unknown => 3,
        }
    }

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    pub fn word(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }

    /// How bad: the worst finding decides (CRITICAL > UNKNOWN > WARNING > OK).
    pub fn rank(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Unknown => 2,
            State::Critical => 3,
        }
    }

    /// Every state, best first.
    pub const ALL: [State; 4] = [State::Ok, State::Warning, State::Critical, State::Unknown];
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub state: State,
    /// The check's id (`drbd_state`, `data_relation`, `threshold:oos`, …).
    pub id: String,
    /// One line.
    pub text: String,
}

/// The `--warning-*` / `--critical-*` ranges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    /// Out-of-sync bytes.
    pub oos: (Option<Range>, Option<Range>),
    /// Resync ETA, seconds.
    pub eta: (Option<Range>, Option<Range>),
    /// The slowest front end's `/_status` answer, seconds.
    pub latency: (Option<Range>, Option<Range>),
}

/// The verdict: every finding, worst first.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub state: State,
    pub findings: Vec<Finding>,
}

fn finding(state: State, id: &str, text: impl Into<String>) -> Finding {
    Finding {
        state,
        id: id.to_string(),
        text: text.into(),
    }
}

/// The state of one classic ha-status check (see the table in the module docs).
pub fn classic_state(c: &Check, s: &Sample) -> State {
    // without an arbiter the ha-status warning is advice for the topology, not a problem
    // of this node now
    let quorum_on = s.status.quorum.as_ref().is_some_and(|q| q.enabled);
    if c.id == "quorum" && c.status == Status::Warn && !quorum_on {
        return State::Ok;
    }
    match c.status {
        Status::Ok => return State::Ok,
        Status::Unknown => return State::Unknown,
        Status::Warn => return State::Warning,
        Status::Error => {}
    }
    let master = s.is_master();
    let id = c.id.as_str();
    match id {
        "config" => State::Unknown,
        "cluster_status" if s.probe("cluster_status").is_some_and(|p| !p.success) => State::Unknown,
        "drbd_state" => drbd_state(s, master),
        // frozen writes hang every request; a risky configuration is a risk, not an outage
        "drbd_io" => State::Critical,
        "drbd_fencing" => State::Warning,
        "drbd_primary_ip" | "drbd_secondary_ip" => State::Warning,
        _ if id.starts_with("frontend:") => State::Warning,
        _ if id.starts_with("service:") => {
            let name = &id["service:".len()..];
            let svc = s.services.iter().flatten().find(|x| x.name == name);
            match svc {
                Some(x) if x.ha => State::Critical,
                Some(_) if name == crate::model::monitor::KEEPALIVED && master => State::Critical,
                _ => State::Warning,
            }
        }
        _ => State::Critical,
    }
}

fn drbd_state(s: &Sample, master: bool) -> State {
    let Some(d) = s.device() else {
        return State::Critical;
    };
    let primary = d.role == Some(Role::Primary);
    let up_to_date = d.disk == Some(DiskState::UpToDate);
    if (master && (!primary || !up_to_date)) || (!master && primary) {
        State::Critical
    } else {
        State::Warning
    }
}

fn threshold(
    out: &mut Vec<Finding>,
    id: &str,
    what: &str,
    value: Option<f64>,
    (warn, crit): &(Option<Range>, Option<Range>),
) {
    let Some(v) = value else {
        return;
    };
    let shown = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    };
    if let Some(c) = crit.as_ref().filter(|c| c.alerts(v)) {
        out.push(finding(
            State::Critical,
            id,
            format!("{what} {shown} outside the critical range {c}"),
        ));
    } else if let Some(w) = warn.as_ref().filter(|w| w.alerts(v)) {
        out.push(finding(
            State::Warning,
            id,
            format!("{what} {shown} outside the warning range {w}"),
        ));
    } else if warn.is_some() || crit.is_some() {
        out.push(finding(
            State::Ok,
            id,
            format!("{what} {shown} within range"),
        ));
    }
}

/// The out-of-sync bytes, the resync ETA (seconds) and the slowest front end (seconds).
pub fn measured(s: &Sample) -> (Option<f64>, Option<f64>, Option<f64>) {
    let d = s.device();
    let oos = d.and_then(|d| d.counters.oos).map(|k| k as f64 * 1024.0);
    let eta = d.and_then(|d| match &d.sync {
        None => Some(0.0),
        Some(x) => x.finish_secs.map(|f| f as f64),
    });
    let latency = s
        .status
        .frontends
        .as_ref()
        .filter(|f| !f.is_empty())
        .map(|f| f.iter().map(|r| r.latency_ms).max().unwrap_or(0) as f64 / 1000.0);
    (oos, eta, latency)
}

/// The verdict over a sample (see the module docs).
pub fn evaluate(s: &Sample, t: &Thresholds) -> Verdict {
    let mut out: Vec<Finding> = s
        .status
        .checks
        .iter()
        .map(|c| finding(classic_state(c, s), &c.id, c.message.trim_end()))
        .collect();
    if s.status.checks.iter().any(|c| c.id == "config") {
        return finish(out);
    }
    // all front ends failing is worse than one
    let fronts = s.status.frontends.as_deref().unwrap_or_default();
    if !fronts.is_empty() && fronts.iter().all(|f| f.outcome != Outcome::Pong) {
        out.push(finding(
            State::Critical,
            "frontends",
            "no front end answers pong",
        ));
    }
    pair_findings(s, &mut out);
    let (oos, eta, latency) = measured(s);
    threshold(&mut out, "threshold:oos", "out of sync bytes", oos, &t.oos);
    threshold(&mut out, "threshold:eta", "resync ETA seconds", eta, &t.eta);
    threshold(
        &mut out,
        "threshold:latency",
        "slowest front end seconds",
        latency,
        &t.latency,
    );
    finish(out)
}

fn pair_findings(s: &Sample, out: &mut Vec<Finding>) {
    let dev = s.device();
    let (local, peer) = s.views();
    let rel = super::data_relation::relation(&local, &peer);
    let asked = s.status.peer.is_some();
    let standalone = dev.is_some_and(|d| d.cs == ConnState::StandAlone);
    match rel.relation {
        Relation::Diverged | Relation::Unrelated => out.push(finding(
            State::Critical,
            "data_relation",
            format!("split brain: the data is {} ({})", rel.relation, rel.why),
        )),
        _ if standalone && s.split_brain.is_some() => out.push(finding(
            State::Critical,
            "data_relation",
            "split brain: DRBD is StandAlone after a recorded split-brain event",
        )),
        Relation::PeerNewer if dev.is_some_and(|d| d.role == Some(Role::Primary)) => {
            out.push(finding(
                State::Critical,
                "data_relation",
                format!("Primary while the peer holds newer data ({})", rel.why),
            ))
        }
        Relation::Unknown if asked => out.push(finding(
            State::Warning,
            "data_relation",
            format!("data relation unknown: {}", rel.why),
        )),
        r => out.push(finding(
            State::Ok,
            "data_relation",
            format!("data relation {r}"),
        )),
    }
    if let Some(why) = super::data_relation::came_back_alone(&local, &peer, &rel) {
        out.push(finding(
            State::Critical,
            "came_back_alone",
            format!("came back alone: {why}"),
        ));
    }
    match &s.status.peer {
        Some(PeerView::Reachable { view }) => {
            let both = s.is_master() && view.cluster_status.current.as_deref() == Some("master");
            if both {
                out.push(finding(
                    State::Critical,
                    "two_masters",
                    format!("both nodes are master (this node and {})", view.node),
                ));
            } else {
                out.push(finding(
                    State::Ok,
                    "peer",
                    format!(
                        "peer {} {}",
                        view.node,
                        view.cluster_status.current.as_deref().unwrap_or("?")
                    ),
                ));
            }
        }
        Some(p) => out.push(finding(
            State::Warning,
            "peer",
            format!(
                "peer {} not readable: {}",
                p.node().unwrap_or("?"),
                p.reason().unwrap_or("?")
            ),
        )),
        None => {}
    }
    if dev.and_then(|d| d.sync.as_ref()).is_some_and(|x| x.stalled) {
        out.push(finding(State::Warning, "resync", "the resync is stalled"));
    }
}

fn finish(mut findings: Vec<Finding>) -> Verdict {
    // stable: equal states keep the checks' order
    findings.sort_by_key(|f| std::cmp::Reverse(f.state.rank()));
    let state = findings.first().map(|f| f.state).unwrap_or(State::Unknown);
    Verdict { state, findings }
}

#[cfg(test)]
mod tests;
