//! Runbooks as values: the exact steps per scenario, their nodes and commands, which
//! discard data, the victim choice, the tie-break, preconditions and tolerated answers.

use private_chef_ctl::act::runbook::{parse_lvs, typed_confirmation};
use private_chef_ctl::decide::diagnose::{diagnose, Diagnosis};
use private_chef_ctl::decide::runbook::{
    build, precondition, Action, BuildError, Inputs, Preserve, Runbook, Tolerance, Which,
};
use private_chef_ctl::model::{DeviceView, DiskState, NodeView, PeerView};

const B1: &str = "be1.lab.example";
const B2: &str = "be2.lab.example";

fn diag(name: &str) -> Diagnosis {
    let p = format!(
        "{}/fixtures/diagnose/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let local: NodeView = serde_json::from_value(v["local"].clone()).unwrap();
    let peer: PeerView = serde_json::from_value(v["peer"].clone()).unwrap();
    diagnose(&local, &peer)
}

fn inputs() -> Inputs {
    Inputs {
        timestamp: "20240501T120000".into(),
        ..Inputs::default()
    }
}

/// (node, command or "wait", discards_data, only_if_refused)
fn shape(rb: &Runbook) -> Vec<(String, String, bool, Option<usize>)> {
    rb.steps
        .iter()
        .map(|s| {
            (
                s.node.name.clone(),
                s.action.command().unwrap_or_else(|| "wait".into()),
                s.discards_data,
                s.only_if_refused,
            )
        })
        .collect()
}

fn row(n: &str, c: &str, d: bool, o: Option<usize>) -> (String, String, bool, Option<usize>) {
    (n.into(), c.into(), d, o)
}

#[test]
fn scenario_1_peer_unreachable_only_waits() {
    let rb = build(Which::Auto, &diag("scenario-1"), &inputs()).unwrap();
    assert_eq!(rb.scenario, "scenario-1");
    assert_eq!(shape(&rb), vec![row(B1, "wait", false, None)]);
    assert!(rb.steps[0].what.contains("come back"));
    assert!(rb.steps[0].why.contains("drbdadm up pc0"));
    assert!(rb.steps.iter().all(|s| !s.discards_data && !s.interrupts));
    assert!(matches!(
        rb.steps[0].action,
        Action::WaitSync { timeout_secs: 3600 }
    ));
}

#[test]
fn scenario_2_brings_drbd_up_or_connects_on_the_secondary() {
    let rb = build(Which::Auto, &diag("scenario-2-peer-drbd-down"), &inputs()).unwrap();
    assert_eq!(rb.scenario, "scenario-2");
    assert_eq!(
        shape(&rb),
        vec![
            row(B2, "drbdadm up pc0", false, None),
            row(B1, "wait", false, None)
        ]
    );
    assert!(!rb.steps[0].node.local);
    assert!(rb.title.contains("130760 KiB"));
    let rb = build(
        Which::Scenario2,
        &diag("scenario-2-peer-standalone"),
        &inputs(),
    )
    .unwrap();
    assert_eq!(
        shape(&rb),
        vec![
            row(B2, "drbdadm connect pc0", false, None),
            row(B1, "wait", false, None)
        ]
    );
    match &rb.steps[0].action {
        Action::Drbdadm { tolerate, .. } => {
            assert_eq!(tolerate, &vec![Tolerance::AlreadyConnected])
        }
        a => panic!("{a:?}"),
    }
    // scenario-1 and scenario-2 are interchangeable names for the same runbook.
    assert!(build(Which::Scenario1, &diag("scenario-2"), &inputs()).is_ok());
}

#[test]
fn scenario_3_promote_then_master_recover() {
    let rb = build(Which::Scenario3, &diag("scenario-3"), &inputs()).unwrap();
    assert_eq!(
        shape(&rb),
        vec![
            row(B2, "drbdadm primary pc0", false, None),
            row(B2, "private-chef-ctl master-recover --yes", false, None),
        ]
    );
    assert!(rb.steps.iter().all(|s| s.node.local));
    assert!(rb.notes.iter().any(|n| n.contains("resyncs from")));
}

#[test]
fn scenario_4_forces_with_confirmation_and_says_what_to_reupload() {
    let rb = build(Which::Auto, &diag("scenario-4"), &inputs()).unwrap();
    assert_eq!(
        shape(&rb),
        vec![
            row(B2, "drbdadm primary --force pc0", true, None),
            row(B2, "drbdadm connect pc0", false, None),
            row(B2, "private-chef-ctl master-recover --yes", false, None),
        ]
    );
    let notes = rb.notes.join("\n");
    assert!(notes.contains("Re-upload cookbooks"));
    assert!(notes.contains("source control"));
    assert!(notes.contains("Users or organizations"));
    let plan = rb.to_plan();
    assert!(plan.steps[0].destructive);
    assert!(!plan.steps[1].destructive);
}

#[test]
fn scenario_5_promotes_lower_oos_and_resets_other_only_if_refused() {
    let rb = build(Which::Auto, &diag("scenario-5"), &inputs()).unwrap();
    assert_eq!(
        shape(&rb),
        vec![
            row(B1, "drbdadm primary pc0", false, None),
            row(B2, "drbdadm down pc0", false, Some(0)),
            row(B2, "drbdadm wipe-md --force pc0", true, Some(0)),
            row(B2, "drbdadm create-md --force pc0", true, Some(0)),
            row(B2, "drbdadm up pc0", false, Some(0)),
            row(B1, "drbdadm primary pc0", false, Some(0)),
            row(B1, "private-chef-ctl master-recover --yes", false, None),
            row(B1, "wait", false, None),
        ]
    );
    match &rb.steps[0].action {
        Action::Drbdadm {
            refusal_continues, ..
        } => assert!(refusal_continues),
        a => panic!("{a:?}"),
    }
    assert!(rb.steps[1].interrupts);
    assert!(rb.to_plan().steps[2]
        .what
        .contains("(only if step 1 is refused)"));
    // The peer has the lower oos: promote it, reset this node.
    let rb = build(Which::Scenario5, &diag("scenario-5-peer-lower"), &inputs()).unwrap();
    assert_eq!(rb.steps[0].node.name, B2);
    assert!(!rb.steps[0].node.local);
    assert_eq!(rb.steps[2].node.name, B1);
    assert!(rb.steps[2].node.local);
}

#[test]
fn scenario_5_tie_needs_a_choice() {
    let d = diag("scenario-5-tie");
    match build(Which::Auto, &d, &inputs()) {
        Err(BuildError::NeedChoice {
            what, candidates, ..
        }) => {
            assert_eq!(what, "promote");
            assert_eq!(candidates, vec![B1.to_string(), B2.to_string()]);
        }
        r => panic!("{r:?}"),
    }
    let mut i = inputs();
    i.promote = Some(B2.into());
    let rb = build(Which::Auto, &d, &i).unwrap();
    assert_eq!(rb.steps[0].node.name, B2);
    i.promote = Some("be3".into());
    assert!(matches!(
        build(Which::Auto, &d, &i),
        Err(BuildError::NeedChoice { .. })
    ));
}

#[test]
fn split_brain_victim_is_the_side_with_fewer_changes() {
    let rb = build(Which::SplitBrain, &diag("split-brain"), &inputs()).unwrap();
    // be2 (oos 33818816) has fewer changes than be1 (71590684): be2 is the victim.
    assert_eq!(
        shape(&rb),
        vec![
            row(B2, "private-chef-ctl backup-recover --yes", false, None),
            row(B2, "drbdadm disconnect pc0", false, None),
            row(B2, "drbdadm secondary pc0", false, None),
            row(
                B2,
                "private-chef-ctl preserve-copy /dev/opscode/drbd /var/opt/opscode/drbd/split-brain-20240501T120000.img",
                false,
                None
            ),
            row(B2, "drbdadm connect --discard-my-data pc0", true, None),
            row(B1, "drbdadm connect pc0", false, None),
            row(B1, "wait", false, None),
        ]
    );
    assert!(rb.steps[0].interrupts);
    match &rb.steps[1].action {
        Action::Drbdadm { tolerate, .. } => {
            assert_eq!(tolerate, &vec![Tolerance::UnknownConnection])
        }
        a => panic!("{a:?}"),
    }
    match &rb.steps[5].action {
        Action::Drbdadm { tolerate, .. } => {
            assert_eq!(tolerate, &vec![Tolerance::AlreadyConnected])
        }
        a => panic!("{a:?}"),
    }
    // The copy comes before the discard, and the notes say where it is.
    assert!(rb
        .notes
        .iter()
        .any(|n| n
            .contains("/var/opt/opscode/drbd/split-brain-20240501T120000.img on be2.lab.example")));
}

#[test]
fn split_brain_operator_victim_and_lvm_snapshot() {
    let d = diag("split-brain");
    let mut i = inputs();
    i.victim = Some(B1.into());
    i.victim_lv = Some("opscode/drbd".into());
    let rb = build(Which::Auto, &d, &i).unwrap();
    let cmds = shape(&rb);
    assert_eq!(cmds[3].0, B1);
    assert_eq!(
        cmds[3].1,
        "lvcreate --snapshot --name pc0-split-brain-20240501T120000 --extents 100%ORIGIN opscode/drbd"
    );
    assert_eq!(
        cmds[4],
        row(B1, "drbdadm connect --discard-my-data pc0", true, None)
    );
    assert_eq!(cmds[5], row(B2, "drbdadm connect pc0", false, None));
    match &rb.steps[3].action {
        Action::Preserve(p @ Preserve::LvmSnapshot { .. }) => {
            assert_eq!(
                p.location(),
                "LVM snapshot /dev/opscode/pc0-split-brain-20240501T120000"
            )
        }
        a => panic!("{a:?}"),
    }
}

#[test]
fn split_brain_tie_needs_victim_and_unreachable_peer_is_refused() {
    assert!(matches!(
        build(Which::Auto, &diag("split-brain-tie"), &inputs()),
        Err(BuildError::NeedChoice { ref what, .. }) if what == "victim"
    ));
    // The tie's survivor (be2) is Secondary: master-recover there at the end.
    let mut i = inputs();
    i.victim = Some(B1.into());
    let rb = build(Which::Auto, &diag("split-brain-tie"), &i).unwrap();
    let last = rb.steps.last().unwrap();
    assert_eq!(last.node.name, B2);
    assert_eq!(
        last.action.command().as_deref(),
        Some("private-chef-ctl master-recover --yes")
    );
    let mut i = inputs();
    i.victim = Some(B2.into());
    assert!(matches!(
        build(Which::Auto, &diag("split-brain-peer-unreachable"), &i),
        Err(BuildError::NotApplicable(_))
    ));
}

#[test]
fn auto_refuses_what_no_runbook_covers_and_explicit_must_match() {
    assert!(matches!(
        build(Which::Auto, &diag("healthy"), &inputs()),
        Err(BuildError::NothingToDo(_))
    ));
    assert!(matches!(
        build(Which::Auto, &diag("unknown"), &inputs()),
        Err(BuildError::NotApplicable(_))
    ));
    assert!(matches!(
        build(Which::Auto, &diag("transition-in-progress"), &inputs()),
        Err(BuildError::NotApplicable(_))
    ));
    match build(Which::Scenario4, &diag("scenario-3"), &inputs()) {
        Err(BuildError::Mismatch(m)) => assert!(m.contains("ha-diagnose says scenario-3"), "{m}"),
        r => panic!("{r:?}"),
    }
    // A resync is followed by the scenario-2 runbook (a wait).
    let rb = build(Which::Auto, &diag("resyncing"), &inputs()).unwrap();
    assert_eq!(shape(&rb), vec![row(B1, "wait", false, None)]);
}

fn dev(cs: &str, role: &str, peer: &str, disk: &str) -> DeviceView {
    DeviceView {
        minor: 0,
        cs: cs.parse().unwrap_or_else(|e| match e {}),
        role: Some(role.parse().unwrap_or_else(|e| match e {})),
        peer_role: Some(peer.parse().unwrap_or_else(|e| match e {})),
        disk: Some(disk.parse().unwrap_or_else(|e| match e {})),
        peer_disk: Some(DiskState::DUnknown),
        oos: Some(0),
        io_suspended: false,
        sync: None,
    }
}

#[test]
fn preconditions_rechecked_before_steps() {
    let rb = build(Which::Auto, &diag("scenario-4"), &inputs()).unwrap();
    let force = &rb.steps[0];
    assert!(precondition(
        force,
        Some(&dev("WFConnection", "Secondary", "Unknown", "Inconsistent"))
    )
    .is_ok());
    // The lost primary came back meanwhile.
    let e = precondition(
        force,
        Some(&dev("Connected", "Secondary", "Primary", "Inconsistent")),
    )
    .unwrap_err();
    assert!(e.contains("peer is Primary"), "{e}");
    assert!(precondition(
        force,
        Some(&dev("WFConnection", "Secondary", "Unknown", "Diskless"))
    )
    .is_err());
    assert!(precondition(force, None).is_err());

    let sb = build(Which::Auto, &diag("split-brain"), &inputs()).unwrap();
    let discard = &sb.steps[4];
    assert!(precondition(
        discard,
        Some(&dev("StandAlone", "Primary", "Unknown", "UpToDate"))
    )
    .is_err());
    assert!(precondition(
        discard,
        Some(&dev("StandAlone", "Secondary", "Unknown", "UpToDate"))
    )
    .is_ok());

    let s5 = build(Which::Auto, &diag("scenario-5"), &inputs()).unwrap();
    let wipe = &s5.steps[2];
    assert!(precondition(
        wipe,
        Some(&dev("WFConnection", "Secondary", "Unknown", "UpToDate"))
    )
    .is_err());
    assert!(precondition(wipe, None).is_ok());
}

#[test]
fn tolerated_drbdadm_answers() {
    let u = Tolerance::UnknownConnection;
    assert!(u.matches(
        Some(10),
        "pc0: Failure: (162) Invalid configuration request\nadditional info from kernel:\nunknown connection\n"
    ));
    assert!(!u.matches(Some(11), "unknown connection"));
    let a = Tolerance::AlreadyConnected;
    assert!(a.matches(
        Some(10),
        "pc0: Failure: (125) Device has a net-config (use disconnect first)"
    ));
    assert!(!a.matches(
        Some(10),
        "pc0: Failure: (102) Local address(port) already in use."
    ));
}

#[test]
fn typed_confirmation_rules() {
    assert!(typed_confirmation("pc0", false, None, || Some("pc0\n".into())).is_ok());
    assert!(typed_confirmation("pc0", false, None, || Some("yes".into())).is_err());
    assert!(typed_confirmation("pc0", false, None, || None).is_err());
    let e = typed_confirmation("pc0", true, None, || panic!("asked")).unwrap_err();
    assert!(e.contains("--confirm-resource pc0"), "{e}");
    assert!(typed_confirmation("pc0", true, Some("pc0"), || panic!("asked")).is_ok());
    assert!(typed_confirmation("pc0", true, Some("r0"), || panic!("asked")).is_err());
}

#[test]
fn runbook_json_and_lvs_parsing() {
    let rb = build(Which::Auto, &diag("scenario-4"), &inputs()).unwrap();
    let j = rb.to_json();
    assert_eq!(j["scenario"], "scenario-4");
    assert_eq!(j["resource"], "pc0");
    assert_eq!(j["steps"][0]["command"], "drbdadm primary --force pc0");
    assert_eq!(j["steps"][0]["discards_data"], true);
    assert_eq!(j["steps"][0]["action"]["kind"], "drbdadm");
    assert_eq!(j["steps"][0]["node"]["local"], true);
    assert!(j["notes"].as_array().unwrap().len() >= 4);
    assert_eq!(parse_lvs("  opscode drbd\n"), Some("opscode/drbd".into()));
    assert_eq!(parse_lvs("\n"), None);
}
