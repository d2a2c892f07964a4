//! ha-diagnose over the state fixtures of fixtures/diagnose/: each pair of views is named,
//! with its evidence and next step.

use private_chef_ctl::decide::diagnose::{diagnose, Diagnosis, Situation};
use private_chef_ctl::model::{DiskState, NodeView, PeerView};

mod common;

fn load(name: &str) -> (NodeView, PeerView) {
    common::diagnose_views(name)
}

fn diag(name: &str) -> Diagnosis {
    let (l, p) = load(name);
    diagnose(&l, &p)
}

fn evidence_has(d: &Diagnosis, node: &str, needle: &str) -> bool {
    d.evidence
        .iter()
        .any(|e| e.node == node && e.text.contains(needle))
}

const B1: &str = "be1.lab.example";
const B2: &str = "be2.lab.example";

#[test]
fn every_fixture_round_trips_and_has_its_slug() {
    let dir = format!("{}/fixtures/diagnose", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        let (l, peer) = load(&stem);
        // The fixture format is the serialized views.
        let back: NodeView = serde_json::from_value(serde_json::to_value(&l).unwrap()).unwrap();
        assert_eq!(back, l);
        let d = diagnose(&l, &peer);
        let slug = d.situation.slug();
        assert!(
            stem.starts_with(slug)
                || (stem.starts_with("transition") && slug == "transition-in-progress"),
            "{stem}: diagnosed {slug}: {}",
            d.title
        );
        assert!(!d.evidence.is_empty());
        assert!(!d.next_step.why.is_empty());
        n += 1;
    }
    assert!(n >= 17, "{n} fixtures");
}

#[test]
fn healthy() {
    let d = diag("healthy");
    assert_eq!(d.situation, Situation::Healthy);
    assert_eq!(d.exit_code, 0);
    assert!(evidence_has(
        &d,
        B1,
        "cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate"
    ));
    assert!(evidence_has(&d, B2, "cs:Connected ro:Secondary/Primary"));
    assert_eq!(d.next_step.command, None);
}

#[test]
fn failover_not_ready_when_the_backup_is_in_keepalived_fault() {
    let d = diag("failover-not-ready");
    assert_eq!(
        d.situation,
        Situation::FailoverNotReady {
            node: B2.into(),
            reason: "its cluster status is fault (keepalived has lost its VRRP interface, a \
                     tracked check fails, or it is stopped)"
                .into()
        }
    );
    assert_eq!(d.exit_code, 1);
    assert!(
        d.title.starts_with(
            "DRBD is healthy, but be2.lab.example cannot take over: its cluster status is fault"
        ),
        "{}",
        d.title
    );
    assert_eq!(d.next_step.node.as_deref(), Some(B2));
    assert!(
        d.next_step.why.contains("public link"),
        "{}",
        d.next_step.why
    );
}

#[test]
fn resyncing() {
    let d = diag("resyncing");
    assert_eq!(
        d.situation,
        Situation::Resyncing {
            source: B1.into(),
            target: B2.into()
        }
    );
    assert!(d.title.contains("57.3%"), "{}", d.title);
    assert_eq!(d.exit_code, 1);
}

#[test]
fn scenario_1() {
    let d = diag("scenario-1");
    assert_eq!(
        d.situation,
        Situation::Scenario1SecondaryLost {
            primary: B1.into(),
            secondary: B2.into(),
            oos_kib: 0
        }
    );
    assert_eq!(d.exit_code, 1);
    assert!(evidence_has(
        &d,
        B1,
        "cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown oos:0"
    ));
    assert!(evidence_has(&d, B2, "peer unreachable"));
    assert_eq!(d.next_step.node.as_deref(), Some(B1));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover scenario-1")
    );
}

#[test]
fn scenario_2() {
    let d = diag("scenario-2");
    assert!(matches!(
        d.situation,
        Situation::Scenario2SecondaryLostPrimaryAhead {
            oos_kib: 361540,
            ..
        }
    ));
    assert!(d.title.contains("361540 KiB"));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover scenario-2")
    );
    // The secondary's host answers but DRBD is down there.
    let d = diag("scenario-2-peer-drbd-down");
    assert!(matches!(
        d.situation,
        Situation::Scenario2SecondaryLostPrimaryAhead {
            oos_kib: 130760,
            ..
        }
    ));
    assert!(evidence_has(&d, B2, "cs:Unconfigured"));
    let d = diag("scenario-2-peer-standalone");
    assert!(matches!(
        d.situation,
        Situation::Scenario2SecondaryLostPrimaryAhead { .. }
    ));
}

#[test]
fn scenario_3() {
    let d = diag("scenario-3");
    assert_eq!(
        d.situation,
        Situation::Scenario3PrimaryLostSecondaryUpToDate {
            survivor: B2.into(),
            lost: B1.into(),
            disk: DiskState::UpToDate
        }
    );
    assert!(evidence_has(
        &d,
        B2,
        "ro:Secondary/Unknown ds:UpToDate/DUnknown"
    ));
    assert_eq!(d.next_step.node.as_deref(), Some(B2));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover scenario-3")
    );
    assert!(d.next_step.why.contains("drbdadm primary pc0"));
}

#[test]
fn scenario_4() {
    let d = diag("scenario-4");
    assert_eq!(
        d.situation,
        Situation::Scenario4PrimaryLostSecondaryInconsistent {
            survivor: B2.into(),
            lost: B1.into(),
            disk: DiskState::Inconsistent
        }
    );
    assert!(d.title.contains("data loss is likely"));
    assert!(d.next_step.why.contains("--force"));
    assert!(d.next_step.why.contains("re-upload cookbooks"));
}

#[test]
fn scenario_5_lower_oos_and_tie() {
    let d = diag("scenario-5");
    assert_eq!(
        d.situation,
        Situation::Scenario5BothSecondary {
            promote: Some(B1.into()),
            other: Some(B2.into()),
            local_oos: Some(120),
            peer_oos: Some(4096)
        }
    );
    assert_eq!(d.next_step.node.as_deref(), Some(B1));
    let d = diag("scenario-5-peer-lower");
    assert!(matches!(
        &d.situation,
        Situation::Scenario5BothSecondary { promote: Some(p), .. } if p == B2
    ));
    assert_eq!(d.next_step.node.as_deref(), Some(B2));
    let d = diag("scenario-5-tie");
    assert!(matches!(
        d.situation,
        Situation::Scenario5BothSecondary { promote: None, .. }
    ));
    assert!(d
        .next_step
        .command
        .as_deref()
        .unwrap()
        .contains("--promote NODE"));
}

#[test]
fn split_brain_from_samples_22_23() {
    let d = diag("split-brain");
    assert_eq!(
        d.situation,
        Situation::SplitBrain {
            since: Some("2024-05-01T12:00:00+00:00".into()),
            victim: Some(B2.into()),
            survivor: Some(B1.into()),
            local_oos: Some(71590684),
            peer_oos: Some(33818816)
        }
    );
    assert!(d.title.contains("Split brain at 2024-05-01T12:00:00+00:00"));
    assert!(d
        .evidence
        .iter()
        .any(|e| e.source == "split-brain.log" && e.text.contains("split brain recorded at")));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover split-brain")
    );
}

#[test]
fn split_brain_tie_and_one_sided() {
    let d = diag("split-brain-tie");
    assert!(matches!(
        d.situation,
        Situation::SplitBrain { victim: None, .. }
    ));
    assert!(d
        .next_step
        .command
        .as_deref()
        .unwrap()
        .contains("--victim NODE"));
    let d = diag("split-brain-peer-unreachable");
    assert!(matches!(
        d.situation,
        Situation::SplitBrain {
            victim: None,
            peer_oos: None,
            ..
        }
    ));
    assert!(d.next_step.why.contains("peer's state is needed"));
}

#[test]
fn transition_in_progress() {
    let d = diag("transition-in-progress");
    assert_eq!(
        d.situation,
        Situation::TransitionInProgress { node: B2.into() }
    );
    assert!(d.title.contains("requested master but current backup"));
    let d = diag("transition-lock-held");
    assert!(d.title.contains("transition lock is held"), "{}", d.title);
    assert_eq!(d.exit_code, 1);
}

#[test]
fn unknown_says_what_is_missing() {
    let d = diag("unknown");
    match &d.situation {
        Situation::Unknown { missing } => {
            assert!(missing.contains("/proc/drbd"), "{missing}")
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(d.exit_code, 3);
    assert!(evidence_has(&d, B2, "program not found"));
}

#[test]
fn json_document_shape() {
    let j = diag("scenario-3").to_json();
    assert_eq!(j["situation"], "scenario-3");
    assert_eq!(j["details"]["survivor"], B2);
    assert_eq!(j["exit_code"], 1);
    assert!(j["title"].as_str().unwrap().starts_with("Scenario 3"));
    assert_eq!(j["evidence"][0]["source"], "/proc/drbd");
    assert_eq!(j["next_step"]["node"], B2);
    assert_eq!(j["local"]["node"], B2);
    assert_eq!(j["peer"]["state"], "unreachable");
    let j = diag("healthy").to_json();
    assert_eq!(j["situation"], "healthy");
    assert!(j.get("details").is_none() || j["details"].is_null());
}

#[test]
fn text_has_title_evidence_next_step() {
    let t = private_chef_ctl::render::text::diagnosis(&diag("scenario-4"));
    assert!(t.starts_with("Scenario 4: the primary (be1.lab.example) is lost"));
    assert!(t.contains("Evidence:\n  - [be2.lab.example, /proc/drbd] cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown oos:40552"));
    assert!(t.contains("Next step:\n  on be2.lab.example: private-chef-ctl ha-recover scenario-4"));
}

#[test]
fn an_outdated_copy_alone_is_named_with_the_safe_step_and_the_loss() {
    let d = diag("outdated-copy");
    assert_eq!(
        d.situation,
        Situation::OutdatedCopy {
            node: B2.into(),
            peer: B1.into(),
            disk: DiskState::Outdated
        }
    );
    assert_eq!(d.situation.slug(), "outdated-copy");
    assert_eq!(d.exit_code, 1);
    assert!(
        d.title
            .starts_with("Outdated copy: the peer has writes this node lacks"),
        "{}",
        d.title
    );
    assert_eq!(d.next_step.node.as_deref(), Some(B2));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl master-recover --force")
    );
    let why = &d.next_step.why;
    assert!(
        why.starts_with(
            "outdated copy: the peer has writes this node lacks. Safe: bring be1.lab.example back"
        ),
        "{why}"
    );
    assert!(why.contains("type the resource name"), "{why}");
    assert!(
        why.contains(
            "the writes be1.lab.example acknowledged after it outdated be2.lab.example are lost"
        ),
        "{why}"
    );
    let j = d.to_json();
    assert_eq!(j["situation"], "outdated-copy");
    assert_eq!(j["details"]["disk"], "Outdated");
    assert_eq!(j["details"]["peer"], B1);
    // no runbook: the next step is master-recover --force or the peer's return
    let inputs = private_chef_ctl::decide::runbook::Inputs {
        resource: "pc0".into(),
        ..Default::default()
    };
    let e = private_chef_ctl::decide::runbook::build(
        private_chef_ctl::decide::runbook::Which::Auto,
        &d,
        &inputs,
    )
    .unwrap_err();
    assert!(e.to_string().contains("no runbook applies"), "{e}");
}

#[test]
fn a_consistent_copy_alone_is_an_outdated_copy_too() {
    let d = diag("outdated-copy-consistent");
    assert_eq!(
        d.situation,
        Situation::OutdatedCopy {
            node: B2.into(),
            peer: B1.into(),
            disk: DiskState::Consistent
        }
    );
    assert!(
        d.title.contains("Consistent but not proven current"),
        "{}",
        d.title
    );
    assert!(d.next_step.why.contains("its state is not known here"));
    // the peer answers but its DRBD is down: bring it up there
    let d = diag("outdated-copy-peer-drbd-down");
    assert_eq!(d.situation.slug(), "outdated-copy");
    assert!(
        d.next_step.why.contains("bring DRBD up on be1.lab.example"),
        "{}",
        d.next_step.why
    );
}

#[test]
fn an_outdated_copy_beside_a_secondary_peer_is_scenario_5_and_never_picked() {
    let d = diag("scenario-5-outdated");
    // by oos this node (120) would be promoted; DRBD's Outdated mark says the peer
    assert_eq!(
        d.situation,
        Situation::Scenario5BothSecondary {
            promote: Some(B2.into()),
            other: Some(B1.into()),
            local_oos: Some(120),
            peer_oos: Some(4096),
        }
    );
    assert!(
        d.next_step.why.contains("be1.lab.example is Outdated"),
        "{}",
        d.next_step.why
    );
}

#[test]
fn a_waiting_transition_does_not_hide_scenario_4_or_an_outdated_copy() {
    // the master crashed during the resync; keepalived made be2 master and the transition
    // waits in its retry loop
    let d = diag("scenario-4-transition-waiting");
    assert!(
        matches!(
            d.situation,
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. }
        ),
        "{:?}",
        d.situation
    );
    assert!(
        d.title.contains(
            "a cluster transition is in progress on be2.lab.example: the transition lock is held"
        ),
        "{}",
        d.title
    );
    assert!(evidence_has(&d, B2, "a cluster transition is in progress"));
    assert!(d.next_step.why.contains("cannot promote this copy"));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("private-chef-ctl ha-recover scenario-4")
    );
    let d = diag("outdated-copy-transition-waiting");
    assert_eq!(d.situation.slug(), "outdated-copy");
    assert!(d.title.contains("a cluster transition is in progress"));
    // an UpToDate survivor with a transition running: the transition is the situation
    let d = diag("transition-in-progress");
    assert_eq!(d.situation.slug(), "transition-in-progress");
}

#[test]
fn isolated_comes_before_scenario_3() {
    // be2's DRBD alone reads as scenario 3; without quorum it must not be promoted
    let d = diag("isolated");
    assert_eq!(
        d.situation,
        Situation::Isolated {
            node: B2.into(),
            votes: "1 of 3 votes (quorum 2)".into()
        }
    );
    assert_eq!(d.situation.slug(), "isolated");
    assert_eq!(d.exit_code, 1);
    assert_eq!(
        d.title,
        "Isolated: be2.lab.example has no quorum (1 of 3 votes (quorum 2)) and does not serve"
    );
    assert!(evidence_has(
        &d,
        B2,
        "not quorate: 1 of 3 votes (quorum 2); members be2; the arbiter fe1.lab.example's vote does not count here"
    ));
    assert_eq!(d.next_step.node.as_deref(), Some(B2));
    assert_eq!(
        d.next_step.command.as_deref(),
        Some("corosync-quorumtool -s")
    );
    assert_eq!(
        d.next_step.why,
        "be2.lab.example sees only be2 and not the arbiter's vote: the partition with the quorum \
         (be1.lab.example with the arbiter fe1.lab.example, if it is up) serves. Safe: restore \
         be2.lab.example's links to be1.lab.example and to fe1.lab.example; be2.lab.example \
         rejoins by itself, DRBD reconnects and resyncs it. Do not force a promotion here. Only \
         if be1.lab.example is dead for good and fe1.lab.example is down too: after confirming \
         be1.lab.example is powered off, give be2.lab.example the vote with \
         'corosync-quorumtool -e 1' on be2.lab.example"
    );
    let j = d.to_json();
    assert_eq!(j["situation"], "isolated");
    assert_eq!(
        j["details"],
        serde_json::json!({"node": B2, "votes": "1 of 3 votes (quorum 2)"})
    );
    assert_eq!(j["local"]["quorum"]["quorate"], false);
}

#[test]
fn isolated_primary_comes_before_scenario_1() {
    let d = diag("isolated-primary");
    assert_eq!(d.situation.slug(), "isolated", "{}", d.title);
    assert!(evidence_has(&d, B1, "ro:Primary/Unknown"));
}

#[test]
fn the_survivor_with_quorum_is_still_scenario_3() {
    let d = diag("scenario-3-quorate");
    assert_eq!(d.situation.slug(), "scenario-3", "{}", d.title);
    assert!(evidence_has(
        &d,
        B2,
        "quorate: 2 of 3 votes (quorum 2); members be2; the arbiter fe1.lab.example's vote counts here"
    ));
}
