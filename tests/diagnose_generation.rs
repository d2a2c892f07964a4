//! Issue 10: the diagnosis follows the data relation. Real states from the lab
//! (`fixtures/diagnose/lab/*.json`) with the generation facts each node reports
//! (`"generation"` of `ha-status --json`: identifiers captured in the lab,
//! `fixtures/gi/*.txt`, and witness records) put in.

use private_chef_ctl::decide::diagnose::{diagnose, Situation};
use private_chef_ctl::drbd::gi;
use private_chef_ctl::drbd::witness::{Observation, WitnessRecord};
use private_chef_ctl::model::{Assessment, DataFacts};
use private_chef_ctl::model::{NodeView, PeerView};

const B1: &str = "be1.lab.example";
const B2: &str = "be2.lab.example";

mod common;

fn load(name: &str) -> (NodeView, PeerView) {
    common::diagnose_views(&format!("lab/{name}"))
}

fn ids(fixture: &str) -> gi::GenerationIds {
    let p = format!("{}/fixtures/gi/{fixture}.txt", env!("CARGO_MANIFEST_DIR"));
    gi::parse(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn facts(fixture: &str, bootstrap: bool) -> DataFacts {
    DataFacts {
        ids: Some(ids(fixture)),
        bootstrap: Some(bootstrap),
        ..DataFacts::default()
    }
}

fn peer_view(p: &mut PeerView) -> &mut NodeView {
    match p {
        PeerView::Reachable { view } => view,
        _ => panic!("peer not reachable in the fixture"),
    }
}

fn obs(cs: &str, role: &str, peer_role: &str, disk: &str, peer_disk: &str) -> Observation {
    Observation {
        cs: cs.into(),
        role: role.into(),
        peer_role: peer_role.into(),
        disk: disk.into(),
        peer_disk: peer_disk.into(),
    }
}

#[test]
fn scenario_5_same_data_promotes_the_bootstrap_node() {
    let (mut l, mut p) = load("scenario-5-tie");
    // be1 (local) is the bootstrap node: it is chosen; run on be2's side it is chosen too
    l.data = facts("healthy-be2", true);
    peer_view(&mut p).data = facts("healthy-be1", false);
    let d = diagnose(&l, &p);
    assert_eq!(d.relation.relation, gi::Relation::Same);
    assert!(
        matches!(&d.situation, Situation::Scenario5BothSecondary { promote: Some(n), .. } if n == B1),
        "{:?}",
        d.situation
    );
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover scenario-5")
    );
    // the bootstrap node is the peer: the peer is chosen
    l.data.bootstrap = Some(false);
    peer_view(&mut p).data.bootstrap = Some(true);
    let d = diagnose(&l, &p);
    assert!(
        matches!(&d.situation, Situation::Scenario5BothSecondary { promote: Some(n), .. } if n == B2)
    );
    // nobody says it is the bootstrap node: this node
    peer_view(&mut p).data.bootstrap = None;
    let d = diagnose(&l, &p);
    assert!(
        matches!(&d.situation, Situation::Scenario5BothSecondary { promote: Some(n), .. } if n == B1)
    );
    let j = d.to_json();
    assert_eq!(j["relation"]["relation"], "same");
    assert!(j["local"]["data"]["ids"]["line"].is_string());
}

#[test]
fn scenario_5_promotes_the_newer_and_refuses_on_diverged_data() {
    let (mut l, mut p) = load("scenario-5-tie");
    // be1 booted alone on old data; be2 took over and wrote: be2 is newer (rule 50)
    l.data = facts("boot-alone-refused-be1", true);
    peer_view(&mut p).data = facts("survivor-promoted-be2", false);
    let d = diagnose(&l, &p);
    assert_eq!(
        (d.relation.relation, d.relation.rule),
        (gi::Relation::PeerNewer, 50)
    );
    assert!(
        matches!(&d.situation, Situation::Scenario5BothSecondary { promote: Some(n), .. } if n == B2)
    );
    // both wrote since they parted: no choice without the operator
    l.data = facts("boot-alone-old-master-be1", true);
    peer_view(&mut p).data = facts("after-crash-of-primary-be2", false);
    let d = diagnose(&l, &p);
    assert_eq!(d.relation.relation, gi::Relation::Diverged);
    assert!(matches!(
        &d.situation,
        Situation::Scenario5BothSecondary { promote: None, .. }
    ));
    assert!(d
        .next_step
        .command
        .as_deref()
        .unwrap()
        .contains("--promote"));
}

fn record(last_connected: Option<Observation>) -> WitnessRecord {
    WitnessRecord {
        boot_id: "b".into(),
        minor: 0,
        started: "t0".into(),
        now: obs(
            "WFConnection",
            "Secondary",
            "Unknown",
            "UpToDate",
            "DUnknown",
        ),
        now_since: "t1".into(),
        connections: u32::from(last_connected.is_some()),
        lost_at: last_connected.as_ref().map(|_| "t1".to_string()),
        last_connected_since: last_connected.as_ref().map(|_| "t0".to_string()),
        last_connected,
    }
}

#[test]
fn a_node_alone_that_never_saw_its_peer_came_back_alone() {
    let (mut l, p) = load("scenario-3");
    l.data = DataFacts {
        ids: Some(ids("boot-alone-refused-be1")),
        witness: Some(record(None)),
        assessment: Some(Assessment {
            promotable: false,
            text: "came back alone: not connected to the peer since this node booted".into(),
        }),
        ..DataFacts::default()
    };
    let d = diagnose(&l, &p);
    assert!(
        matches!(&d.situation, Situation::CameBackAlone { node, .. } if node == B2),
        "{:?}",
        d.situation
    );
    assert!(d.title.starts_with("Came back alone"));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl master-recover --force")
    );
    assert!(d.next_step.why.contains("wait for"));
    assert_eq!(d.to_json()["situation"], "came-back-alone");
    assert_eq!(d.exit_code, 1);

    // the survivor that was current when it lost the peer: scenario 3, as before
    l.data = DataFacts {
        ids: Some(ids("survivor-promoted-be2")),
        witness: Some(record(Some(obs(
            "Connected",
            "Secondary",
            "Primary",
            "UpToDate",
            "UpToDate",
        )))),
        assessment: Some(Assessment {
            promotable: true,
            text: "this node lost the peer while its data was current".into(),
        }),
        ..DataFacts::default()
    };
    let d = diagnose(&l, &p);
    assert_eq!(d.situation.slug(), "scenario-3", "{:?}", d.situation);
}

#[test]
fn an_inconsistent_survivor_stays_scenario_4() {
    let (mut l, p) = load("scenario-4");
    l.data = DataFacts {
        witness: Some(record(Some(obs(
            "SyncTarget",
            "Secondary",
            "Primary",
            "Inconsistent",
            "UpToDate",
        )))),
        assessment: Some(Assessment {
            promotable: false,
            text: "when this node lost the peer its data was not current".into(),
        }),
        ..DataFacts::default()
    };
    let d = diagnose(&l, &p);
    assert_eq!(d.situation.slug(), "scenario-4", "{:?}", d.situation);
}

#[test]
fn a_transition_that_gave_up_refusing_is_not_in_progress() {
    let (mut l, mut p) = load("scenario-5-tie");
    l.data = facts("healthy-be2", true);
    peer_view(&mut p).data = facts("healthy-be1", false);
    // be1 (local) waited for its peer, gave up, and the peer came back: both Secondary
    l.cluster_status.requested = Some("master".into());
    l.cluster_status.current = Some("backup".into());
    l.transition_lock_held = Some(false);
    let c = l
        .checks
        .iter_mut()
        .find(|c| c.id == "cluster_status")
        .unwrap();
    c.status = private_chef_ctl::model::Status::Error;
    c.message = format!(
        "inconsistent cluster status, requested: master, current: backup, failover running? (last transition failed: transition to master at …: Cannot become drbd primary! ({}: came back alone …))",
        private_chef_ctl::decide::promote::REFUSAL_MARK
    );
    let d = diagnose(&l, &p);
    assert_eq!(d.situation.slug(), "scenario-5", "{:?}", d.situation);
    // while the transition still holds the lock it is in progress
    l.transition_lock_held = Some(true);
    assert_eq!(diagnose(&l, &p).situation.slug(), "transition-in-progress");
}
