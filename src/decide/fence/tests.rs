use super::*;

const STOP: Duration = Duration::from_secs(20);

fn settings() -> FenceSettings {
    FenceSettings::default()
}

fn dev(role: Role, cs: ConnState, disk: DiskState) -> PeerProbe {
    PeerProbe::Device(PeerDevice {
        role: Some(role),
        cs,
        disk: Some(disk),
        state_line: String::new(),
    })
}

fn look(p: &PeerProbe, after: Option<&OutdateOutcome>, secs: u64) -> Decision {
    decide(&Facts {
        step: Step::Look { probe: p, after },
        elapsed: Duration::from_secs(secs),
        unreachable_throughout: matches!(p, PeerProbe::Unreachable(_)),
        settings: settings(),
        quorum: &QuorumFact::Off,
        peer_stop_after: STOP,
    })
}

fn outdated(o: &OutdateOutcome, secs: u64) -> Decision {
    decide(&Facts {
        step: Step::Outdate(o),
        elapsed: Duration::from_secs(secs),
        unreachable_throughout: false,
        settings: settings(),
        quorum: &QuorumFact::Off,
        peer_stop_after: STOP,
    })
}

fn answered(d: &Decision) -> Option<i32> {
    match d {
        Decision::Answer { answer, .. } => Some(answer.code()),
        _ => None,
    }
}

fn is_retry(d: &Decision) -> bool {
    matches!(d, Decision::Retry { .. })
}

use ConnState as C;
use DiskState as D;

#[test]
fn row_primary_peer_answers_6_whatever_its_link_and_disk() {
    for (cs, disk) in [
        (C::WFConnection, D::UpToDate),
        (C::Connected, D::UpToDate),
        (C::StandAlone, D::Inconsistent),
        (C::SyncSource, D::UpToDate),
    ] {
        let d = look(&dev(Role::Primary, cs, disk), None, 0);
        assert_eq!(answered(&d), Some(6), "{d:?}");
    }
    // even at the bound
    assert_eq!(
        answered(&look(
            &dev(Role::Primary, C::StandAlone, D::UpToDate),
            None,
            99
        )),
        Some(6)
    );
}

#[test]
fn row_inconsistent_or_worse_answers_3() {
    for disk in [D::Diskless, D::Failed, D::Inconsistent] {
        for cs in [C::WFConnection, C::StandAlone, C::SyncTarget] {
            let d = look(&dev(Role::Secondary, cs, disk.clone()), None, 0);
            assert_eq!(answered(&d), Some(3), "{d:?}");
        }
    }
}

#[test]
fn row_outdated_and_disconnected_answers_4() {
    for cs in [
        C::WFConnection,
        C::StandAlone,
        C::NetworkFailure,
        C::Unconnected,
    ] {
        let d = look(&dev(Role::Secondary, cs, D::Outdated), None, 0);
        assert_eq!(answered(&d), Some(4), "{d:?}");
    }
}

#[test]
fn row_a_peer_that_believes_it_is_connected_is_waited_for() {
    for cs in [
        C::Connected,
        C::SyncSource,
        C::SyncTarget,
        C::VerifyS,
        C::Ahead,
        C::Behind,
    ] {
        for disk in [D::UpToDate, D::Outdated, D::Consistent] {
            let d = look(&dev(Role::Secondary, cs.clone(), disk), None, 0);
            assert!(is_retry(&d), "{d:?}");
        }
    }
    let Decision::Retry { why } = look(&dev(Role::Secondary, C::Connected, D::UpToDate), None, 0)
    else {
        unreachable!()
    };
    assert!(why.contains("would be undone"), "{why}");
}

#[test]
fn row_a_disconnected_secondary_is_outdated() {
    for cs in [
        C::WFConnection,
        C::StandAlone,
        C::BrokenPipe,
        C::Timeout,
        C::WFReportParams,
    ] {
        for disk in [D::UpToDate, D::Consistent] {
            let d = look(&dev(Role::Secondary, cs.clone(), disk), None, 0);
            assert!(matches!(d, Decision::Outdate { .. }), "{d:?}");
        }
    }
}

#[test]
fn row_transient_or_unknown_states_are_retried() {
    for p in [
        dev(Role::Secondary, C::WFConnection, D::Attaching),
        dev(Role::Secondary, C::WFConnection, D::Negotiating),
        dev(Role::Secondary, C::WFConnection, D::Other("Shiny".into())),
        dev(Role::Secondary, C::Other("Established".into()), D::UpToDate),
        dev(Role::Other("Leader".into()), C::WFConnection, D::UpToDate),
        dev(Role::Unknown, C::WFConnection, D::UpToDate),
        PeerProbe::Device(PeerDevice {
            role: None,
            cs: C::WFConnection,
            disk: None,
            state_line: String::new(),
        }),
    ] {
        assert!(is_retry(&look(&p, None, 0)), "{p:?}");
    }
}

#[test]
fn rows_drbd_down_on_the_peer() {
    let down = PeerProbe::Down("minor 0 is Unconfigured on the peer".into());
    assert!(matches!(look(&down, None, 0), Decision::Outdate { .. }));
    assert_eq!(
        answered(&look(&down, Some(&OutdateOutcome::Done), 0)),
        Some(4)
    );
    assert_eq!(
        answered(&look(&down, Some(&OutdateOutcome::LowerThanOutdated), 0)),
        Some(3)
    );
    let failed = OutdateOutcome::Failed {
        code: Some(20),
        message: "x".into(),
    };
    assert!(matches!(
        look(&down, Some(&failed), 0),
        Decision::Outdate { .. }
    ));
    // a device seen after an outdate is judged on what it shows, not on the exit code
    let connected = dev(Role::Secondary, C::Connected, D::UpToDate);
    assert!(is_retry(&look(&connected, Some(&OutdateOutcome::Done), 0)));
    let outdated = dev(Role::Secondary, C::WFConnection, D::Outdated);
    assert_eq!(
        answered(&look(&outdated, Some(&OutdateOutcome::Done), 0)),
        Some(4)
    );
}

#[test]
fn row_an_outdate_that_does_not_show_is_retried_after_a_pause() {
    let p = dev(Role::Secondary, C::WFConnection, D::UpToDate);
    for o in [OutdateOutcome::Done, OutdateOutcome::LowerThanOutdated] {
        let d = look(&p, Some(&o), 0);
        assert!(is_retry(&d), "{d:?}");
    }
    // after a failed one (already a pause): outdate again
    let failed = OutdateOutcome::Failed {
        code: Some(11),
        message: String::new(),
    };
    assert!(matches!(
        look(&p, Some(&failed), 0),
        Decision::Outdate { .. }
    ));
}

#[test]
fn row_unreachable_since_the_start_answers_5_after_the_setting() {
    let p = PeerProbe::Unreachable("ssh failed (exit 255): Connection refused".into());
    assert!(is_retry(&look(&p, None, 0)));
    assert!(is_retry(&look(&p, None, 9)));
    let d = look(&p, None, 10);
    assert_eq!(answered(&d), Some(5), "{d:?}");
    let Decision::Answer { why, .. } = d else {
        unreachable!()
    };
    assert!(
        why.contains("assumed dead") && why.contains("Connection refused"),
        "{why}"
    );
    // beyond the bound too: the unreachable rule answers first
    assert_eq!(answered(&look(&p, None, 45)), Some(5));
}

#[test]
fn row_unreachable_after_being_reached_is_never_5() {
    let p = PeerProbe::Unreachable("timeout".into());
    let d = decide(&Facts {
        step: Step::Look {
            probe: &p,
            after: None,
        },
        elapsed: Duration::from_secs(20),
        unreachable_throughout: false,
        settings: settings(),
        quorum: &QuorumFact::Off,
        peer_stop_after: STOP,
    });
    assert!(is_retry(&d), "{d:?}");
    // at the bound: not proven
    let d = decide(&Facts {
        step: Step::Look {
            probe: &p,
            after: None,
        },
        elapsed: Duration::from_secs(40),
        unreachable_throughout: false,
        settings: settings(),
        quorum: &QuorumFact::Off,
        peer_stop_after: STOP,
    });
    assert_eq!(answered(&d), Some(1), "{d:?}");
}

#[test]
fn row_an_unusable_answer_is_retried() {
    let p = PeerProbe::Unknown("cat /proc/drbd on the peer exited 1".into());
    assert!(is_retry(&look(&p, None, 0)));
    assert_eq!(answered(&look(&p, None, 40)), Some(1));
}

#[test]
fn rows_the_outdate_outcome() {
    assert!(matches!(
        outdated(&OutdateOutcome::Done, 0),
        Decision::Verify { .. }
    ));
    assert!(matches!(
        outdated(&OutdateOutcome::LowerThanOutdated, 0),
        Decision::Verify { .. }
    ));
    assert_eq!(
        answered(&outdated(&OutdateOutcome::PeerPrimary, 0)),
        Some(6)
    );
    for o in [
        OutdateOutcome::Failed {
            code: Some(11),
            message: "State change failed".into(),
        },
        OutdateOutcome::Failed {
            code: None,
            message: String::new(),
        },
        OutdateOutcome::Unreachable("timeout".into()),
        OutdateOutcome::Unknown("drbdadm: not found".into()),
    ] {
        assert!(is_retry(&outdated(&o, 0)), "{o:?}");
    }
}

#[test]
fn row_the_bound_answers_1_instead_of_retrying_verifying_or_outdating() {
    let outdate = dev(Role::Secondary, C::WFConnection, D::UpToDate);
    let connected = dev(Role::Secondary, C::Connected, D::UpToDate);
    for d in [
        look(&outdate, None, 40),
        look(&connected, None, 41),
        outdated(&OutdateOutcome::Done, 40),
    ] {
        assert_eq!(answered(&d), Some(1), "{d:?}");
        let Decision::Answer { why, .. } = d else {
            unreachable!()
        };
        assert!(
            why.contains("within 40 s") && why.contains("last: "),
            "{why}"
        );
    }
    // a proof still wins at the bound
    assert_eq!(
        answered(&look(
            &dev(Role::Secondary, C::StandAlone, D::Outdated),
            None,
            40
        )),
        Some(4)
    );
}

#[test]
fn out_of_time_keeps_the_last_reason() {
    let d = out_of_time("the peer is unreachable: x", &settings());
    let Decision::Answer { answer, why } = d else {
        unreachable!()
    };
    assert_eq!(answer, Answer::NotProven);
    assert!(why.contains("last: the peer is unreachable: x"), "{why}");
}

#[test]
fn answers_and_codes() {
    let all = [
        (Answer::PeerInconsistent, 3, "peer-inconsistent"),
        (Answer::PeerOutdated, 4, "peer-outdated"),
        (Answer::PeerUnreachable, 5, "peer-unreachable"),
        (Answer::PeerPrimary, 6, "peer-primary"),
        (Answer::NotProven, 1, "not-proven"),
    ];
    for (a, code, name) in all {
        assert_eq!((a.code(), a.as_str()), (code, name));
        assert_eq!(serde_json::to_value(a).unwrap(), name);
        assert_eq!(a.proven(), code != 1);
    }
}

#[test]
fn attempts_are_bounded_by_the_time_left() {
    let s = settings();
    let ssh = Duration::from_secs(30);
    assert_eq!(attempt_timeout(&s, Duration::ZERO, ssh), ssh);
    assert_eq!(
        attempt_timeout(&s, Duration::from_secs(35), ssh),
        Duration::from_secs(5)
    );
    assert_eq!(
        attempt_timeout(&s, Duration::from_secs(50), ssh),
        Duration::ZERO
    );
}

fn with_quorum(p: &PeerProbe, q: &QuorumFact, secs: u64) -> Decision {
    decide(&Facts {
        step: Step::Look {
            probe: p,
            after: None,
        },
        elapsed: Duration::from_secs(secs),
        unreachable_throughout: matches!(p, PeerProbe::Unreachable(_)),
        settings: settings(),
        quorum: q,
        peer_stop_after: STOP,
    })
}

#[test]
fn quorum_an_unreachable_peer_outside_the_partition_long_enough_is_gone() {
    let p = PeerProbe::Unreachable("ssh: connect timed out".into());
    let d = with_quorum(&p, &QuorumFact::PeerOutside(Duration::from_secs(20)), 21);
    assert_eq!(answered(&d), Some(5), "{d:?}");
    let Decision::Answer { why, .. } = d else {
        unreachable!()
    };
    assert!(
        why.contains("holds quorum") && why.contains("20 s"),
        "{why}"
    );
    // not yet: outside for less than the stop time, however long the handler has run
    let d = with_quorum(&p, &QuorumFact::PeerOutside(Duration::from_secs(19)), 30);
    assert!(is_retry(&d), "{d:?}");
}

#[test]
fn quorum_an_unreachable_peer_is_never_gone_without_quorum_or_inside_it() {
    let p = PeerProbe::Unreachable("ssh: connect timed out".into());
    for q in [
        QuorumFact::PeerInside,
        QuorumFact::Lost("not quorate: 1 of 3 votes".into()),
    ] {
        // the classic rule would have answered 5 here (unreachable throughout, > 10 s)
        let d = with_quorum(&p, &q, 15);
        assert!(is_retry(&d), "{q:?}: {d:?}");
        // and at the bound: not proven
        let d = with_quorum(&p, &q, 40);
        assert_eq!(answered(&d), Some(1), "{q:?}: {d:?}");
    }
}

#[test]
fn quorum_a_node_without_it_does_not_outdate_its_peer() {
    let p = dev(
        Role::Secondary,
        ConnState::WFConnection,
        DiskState::UpToDate,
    );
    let lost = QuorumFact::Lost("not quorate".into());
    let d = with_quorum(&p, &lost, 3);
    assert!(is_retry(&d), "{d:?}");
    // with quorum it does
    let d = with_quorum(&p, &QuorumFact::PeerInside, 3);
    assert!(matches!(d, Decision::Outdate { .. }), "{d:?}");
    // the answers that only stop this node still come without quorum
    let primary = dev(Role::Primary, ConnState::WFConnection, DiskState::UpToDate);
    assert_eq!(answered(&with_quorum(&primary, &lost, 3)), Some(6));
    let outdated = dev(
        Role::Secondary,
        ConnState::WFConnection,
        DiskState::Outdated,
    );
    assert_eq!(answered(&with_quorum(&outdated, &lost, 3)), Some(4));
}

#[test]
fn quorum_tracking_needs_an_unbroken_run() {
    let mut since = None;
    let s = |x: u64| Duration::from_secs(x);
    assert_eq!(
        track(&mut since, &QuorumSample::PeerOutside(Duration::ZERO), s(1)),
        QuorumFact::PeerOutside(s(0))
    );
    assert_eq!(
        track(&mut since, &QuorumSample::PeerOutside(Duration::ZERO), s(9)),
        QuorumFact::PeerOutside(s(8))
    );
    // a look with the peer inside, or without quorum, starts the count again
    assert_eq!(
        track(&mut since, &QuorumSample::PeerInside, s(10)),
        QuorumFact::PeerInside
    );
    assert_eq!(
        track(
            &mut since,
            &QuorumSample::PeerOutside(Duration::ZERO),
            s(12)
        ),
        QuorumFact::PeerOutside(s(0))
    );
    let lost = QuorumSample::Lost("x".into());
    assert_eq!(
        track(&mut since, &lost, s(13)),
        QuorumFact::Lost("x".into())
    );
    assert_eq!(
        track(
            &mut since,
            &QuorumSample::PeerOutside(Duration::ZERO),
            s(14)
        ),
        QuorumFact::PeerOutside(s(0))
    );
    assert_eq!(track(&mut None, &QuorumSample::Off, s(14)), QuorumFact::Off);
}

#[test]
fn quorum_the_time_outside_counts_from_the_membership_change_when_known() {
    let s = |x: u64| Duration::from_secs(x);
    let mut since = None;
    // corosync announced the membership without the peer 13 s before the handler's first look
    assert_eq!(
        track(&mut since, &QuorumSample::PeerOutside(s(13)), s(1)),
        QuorumFact::PeerOutside(s(13))
    );
    assert_eq!(
        track(&mut since, &QuorumSample::PeerOutside(s(15)), s(3)),
        QuorumFact::PeerOutside(s(15))
    );
    // a sample that does not know (another ring, no record) never shortens what was seen
    assert_eq!(
        track(&mut since, &QuorumSample::PeerOutside(s(0)), s(4)),
        QuorumFact::PeerOutside(s(3))
    );
}
