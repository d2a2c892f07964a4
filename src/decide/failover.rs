//! `stop keepalived` / `start keepalived` decisions: whether to refuse, the plans, and
//! where a failover stands given one [`Observation`] (pure; the follow loop is
//! [`crate::act::failover`]).

use crate::config::Paths;
use crate::drbd::{ConnState, DiskState, Role};
use crate::model::failover::Observation;
use crate::model::plan::{Plan, Step};

use crate::model::shown as name;

/// Why `stop keepalived` should not go ahead on this node, if it should not.
pub fn stop_refusal(o: &Observation) -> Option<String> {
    if !o.is_master() {
        return None;
    }
    if o.cs != Some(ConnState::Connected) || o.peer_disk != Some(DiskState::UpToDate) {
        let cs = name(&o.cs, "unknown");
        let pd = name(&o.peer_disk, "unknown");
        return Some(format!(
            "this node is master and its DRBD peer is not ready to take over (cs:{cs}, peer disk {pd}): \
             stopping keepalived here would leave the pair without a master, or promote stale data. \
             Fix the replication first (see ha-status), or pass --force."
        ));
    }
    None
}

/// Where a graceful failover started from this node stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopProgress {
    Waiting(String),
    Done,
}

/// The pure decision: what the failover is waiting for, given one observation.
/// `was_master` tells whether this node was master when keepalived was stopped.
pub fn stop_progress(o: &Observation, was_master: bool) -> StopProgress {
    use StopProgress::Waiting;
    if o.keepalived.is_up() {
        return Waiting("waiting for keepalived to stop".into());
    }
    if !was_master {
        return StopProgress::Done;
    }
    let demoted = matches!(o.current.as_deref(), Some("backup" | "stop" | "fault"))
        && o.requested == o.current;
    if !demoted
        || o.vip_here != Some(false)
        || o.mounted != Some(false)
        || o.role != Some(Role::Secondary)
    {
        let step = o
            .last_log
            .clone()
            .unwrap_or_else(|| "no transition logged yet".into());
        return Waiting(format!("demoting this node: {step}"));
    }
    if o.peer_role != Some(Role::Primary) {
        return Waiting(format!(
            "waiting for the peer to promote (DRBD cs:{} peer role {})",
            name(&o.cs, "?"),
            name(&o.peer_role, "?")
        ));
    }
    if o.vip_answers != Some(true) {
        return Waiting("waiting for the VIP to answer from the peer".into());
    }
    StopProgress::Done
}

/// Where `start keepalived` stands: done when keepalived runs and this node settled.
pub fn start_progress(o: &Observation) -> StopProgress {
    if !o.keepalived.is_up() {
        return StopProgress::Waiting("waiting for keepalived to start".into());
    }
    match (&o.requested, &o.current) {
        (Some(r), Some(c)) if r == c && (c == "master" || c == "backup") => StopProgress::Done,
        _ => StopProgress::Waiting(format!(
            "waiting for this node to settle (requested {}, current {}): {}",
            o.requested.as_deref().unwrap_or("?"),
            o.current.as_deref().unwrap_or("?"),
            o.last_log.as_deref().unwrap_or("")
        )),
    }
}

/// One line about this node, printed before and after the failover.
pub fn summary(o: &Observation) -> String {
    format!(
        "this node: cluster status {} (requested {}), DRBD {} {}/{} {}/{}, VIP {}, data {}",
        o.current.as_deref().unwrap_or("unknown"),
        o.requested.as_deref().unwrap_or("unknown"),
        name(&o.cs, "?"),
        name(&o.role, "?"),
        name(&o.peer_role, "?"),
        name(&o.disk, "?"),
        name(&o.peer_disk, "?"),
        match o.vip_here {
            Some(true) => "here",
            Some(false) => "not here",
            None => "unknown",
        },
        match o.mounted {
            Some(true) => "mounted",
            Some(false) => "not mounted",
            None => "mount state unknown",
        }
    )
}

fn step(node: &str, what: String, command: Option<String>, why: &str, destructive: bool) -> Step {
    Step {
        what,
        node: node.to_string(),
        command,
        why: why.to_string(),
        destructive,
    }
}

/// The graceful failover as a plan (what `stop keepalived` does and waits for).
/// `node` is this host's name.
pub fn stop_plan(paths: &Paths, node: &str, was_master: bool, wait: u64) -> Plan {
    let p = paths;
    let mut steps = vec![step(
        node,
        "Stop keepalived on this node".into(),
        Some(format!(
            "SVWAIT={} {} stop keepalived",
            p.svwait_secs,
            p.sv_bin.display()
        )),
        "keepalived going away is what moves the VIP to the peer",
        was_master,
    )];
    if was_master {
        steps.push(step(
        node,
            format!(
                "keepalived removes the VIP; notify_stop demotes this node (services stopped, {} unmounted, DRBD {} secondary)",
                p.drbd_data_dir.display(),
                p.drbd_resource
            ),
            None,
            "the data must be released here before the peer can promote",
            false,
        ));
        steps.push(step(
            node,
            format!(
                "Wait up to {wait} s until the peer is DRBD Primary and the VIP answers from it"
            ),
            None,
            "the peer takes the VIP, promotes, mounts and starts the services",
            false,
        ));
    }
    Plan {
        title: if was_master {
            "graceful failover to the peer".into()
        } else {
            "stop keepalived (this node is not master: the VIP stays where it is)".into()
        },
        steps,
    }
}

/// What `start keepalived` does and waits for.
pub fn start_plan(paths: &Paths, node: &str, wait: u64) -> Plan {
    let p = paths;
    Plan {
        title: "start keepalived on this node".into(),
        steps: vec![
            step(
                node,
                "Start keepalived".into(),
                Some(format!("{} start keepalived", p.sv_bin.display())),
                "it starts as BACKUP (nopreempt) and becomes master only if no peer is master",
                false,
            ),
            step(
                node,
                format!("Wait up to {wait} s until this node settles as master or backup"),
                None,
                "keepalived's notify hook runs the transition",
                false,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::service::State;

    fn master() -> Observation {
        Observation {
            keepalived: State::Up { pid: 10, secs: 100 },
            requested: Some("master".into()),
            current: Some("master".into()),
            vip_here: Some(true),
            vip_answers: Some(true),
            cs: Some(ConnState::Connected),
            role: Some(Role::Primary),
            peer_role: Some(Role::Secondary),
            disk: Some(DiskState::UpToDate),
            peer_disk: Some(DiskState::UpToDate),
            mounted: Some(true),
            last_log: None,
        }
    }

    #[test]
    fn refuses_when_peer_cannot_take_over() {
        assert_eq!(stop_refusal(&master()), None);
        let mut o = master();
        o.cs = Some(ConnState::WFConnection);
        o.peer_disk = Some(DiskState::DUnknown);
        let why = stop_refusal(&o).unwrap();
        assert!(why.contains("cs:WFConnection, peer disk DUnknown"), "{why}");
        let mut o = master();
        o.peer_disk = Some(DiskState::Inconsistent);
        assert!(stop_refusal(&o).is_some());
        // a backup may always stop its keepalived
        let mut o = master();
        o.current = Some("backup".into());
        o.cs = Some(ConnState::StandAlone);
        assert_eq!(stop_refusal(&o), None);
    }

    #[test]
    fn stop_progress_walks_through_the_steps() {
        let mut o = master();
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("waiting for keepalived to stop".into())
        );
        o.keepalived = State::Down { secs: 1 };
        o.requested = Some("stop".into());
        o.vip_here = Some(false);
        o.last_log = Some("Stopping service redis_lb".into());
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("demoting this node: Stopping service redis_lb".into())
        );
        o.current = Some("stop".into());
        o.mounted = Some(false);
        o.role = Some(Role::Secondary);
        o.peer_role = Some(Role::Secondary);
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting(
                "waiting for the peer to promote (DRBD cs:Connected peer role Secondary)".into()
            )
        );
        o.peer_role = Some(Role::Primary);
        o.vip_answers = Some(false);
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("waiting for the VIP to answer from the peer".into())
        );
        o.vip_answers = Some(true);
        assert_eq!(stop_progress(&o, true), StopProgress::Done);
    }

    #[test]
    fn stop_on_a_backup_is_done_when_keepalived_is_down() {
        let mut o = master();
        o.current = Some("backup".into());
        o.keepalived = State::Down { secs: 0 };
        assert_eq!(stop_progress(&o, false), StopProgress::Done);
    }

    #[test]
    fn start_settles_on_master_or_backup() {
        let mut o = master();
        o.keepalived = State::Down { secs: 3 };
        assert!(matches!(start_progress(&o), StopProgress::Waiting(_)));
        o.keepalived = State::Up { pid: 1, secs: 1 };
        o.requested = Some("backup".into());
        assert!(matches!(start_progress(&o), StopProgress::Waiting(_)));
        o.current = Some("backup".into());
        assert_eq!(start_progress(&o), StopProgress::Done);
    }
}
