use super::*;
use crate::drbd::{ConnState, DiskState, Role};
use crate::model::fence::PeerDevice;

/// A scripted peer on a fake clock: each look or outdate takes `cost`.
struct Fake {
    now: Duration,
    cost: Duration,
    looks: Vec<PeerProbe>,
    outdates: Vec<OutdateOutcome>,
    log: Vec<String>,
    asked: usize,
    /// quorum at each look (the last one repeats)
    quorum: Vec<QuorumSample>,
}

impl Fake {
    fn new(looks: Vec<PeerProbe>, outdates: Vec<OutdateOutcome>) -> Fake {
        Fake {
            now: Duration::ZERO,
            cost: Duration::from_millis(100),
            looks,
            outdates,
            log: Vec::new(),
            asked: 0,
            quorum: vec![QuorumSample::Off],
        }
    }
}

impl FenceHost for Fake {
    fn elapsed(&self) -> Duration {
        self.now
    }
    fn sleep(&mut self, d: Duration) {
        self.now += d;
    }
    fn look(&mut self, timeout: Duration) -> PeerProbe {
        self.asked += 1;
        self.now += self.cost.min(timeout);
        // the last one repeats
        if self.looks.len() > 1 {
            self.looks.remove(0)
        } else {
            self.looks[0].clone()
        }
    }
    fn outdate(&mut self, timeout: Duration) -> OutdateOutcome {
        self.now += self.cost.min(timeout);
        if self.outdates.len() > 1 {
            self.outdates.remove(0)
        } else {
            self.outdates[0].clone()
        }
    }
    fn log(&mut self, msg: &str, _: Option<AuditResult>) {
        self.log.push(msg.to_string());
    }
    fn quorum(&mut self) -> QuorumSample {
        if self.quorum.len() > 1 {
            self.quorum.remove(0)
        } else {
            self.quorum[0].clone()
        }
    }
}

const STOP: Duration = Duration::from_secs(20);

fn dev(role: Role, cs: ConnState, disk: DiskState) -> PeerProbe {
    PeerProbe::Device(PeerDevice {
        role: Some(role),
        cs,
        disk: Some(disk),
        state_line: String::new(),
    })
}

fn settings(timeout: u64, after: u64) -> FenceSettings {
    FenceSettings {
        timeout: Duration::from_secs(timeout),
        unreachable_after: Duration::from_secs(after),
    }
}

const SSH: Duration = Duration::from_secs(30);

#[test]
fn a_disconnected_secondary_is_outdated_then_verified() {
    let mut f = Fake::new(
        vec![
            dev(Role::Secondary, ConnState::Connected, DiskState::UpToDate),
            dev(
                Role::Secondary,
                ConnState::WFConnection,
                DiskState::UpToDate,
            ),
            dev(
                Role::Secondary,
                ConnState::WFConnection,
                DiskState::Outdated,
            ),
        ],
        vec![OutdateOutcome::Done],
    );
    let (a, why) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!(a, Answer::PeerOutdated, "{why} {:?}", f.log);
    assert_eq!(f.asked, 3);
    assert!(
        f.log[0].starts_with("waiting: the peer still believes"),
        "{:?}",
        f.log
    );
    assert!(
        f.log
            .iter()
            .any(|l| l == "drbdadm outdate on the peer exited 0"),
        "{:?}",
        f.log
    );
}

#[test]
fn a_waiting_reason_is_logged_once() {
    let mut f = Fake::new(
        vec![dev(
            Role::Secondary,
            ConnState::Connected,
            DiskState::UpToDate,
        )],
        vec![OutdateOutcome::Done],
    );
    let (a, why) = fence_loop(&mut f, settings(5, 1), SSH, STOP);
    assert_eq!(a, Answer::NotProven);
    assert!(why.contains("still believes it is connected"), "{why}");
    assert_eq!(f.log.len(), 1, "{:?}", f.log);
    assert!(f.now <= Duration::from_secs(5) + f.cost, "{:?}", f.now);
}

#[test]
fn a_dead_peer_answers_5_after_the_setting_but_not_a_peer_once_reached() {
    let gone = PeerProbe::Unreachable("ssh failed (exit 255): Connection refused".into());
    let mut f = Fake::new(vec![gone.clone()], vec![OutdateOutcome::Done]);
    let (a, _) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!(a, Answer::PeerUnreachable);
    assert!(
        f.now >= Duration::from_secs(10) && f.now < Duration::from_secs(12),
        "{:?}",
        f.now
    );
    // reached once, then gone: never 5, not proven at the bound
    let mut f = Fake::new(
        vec![
            dev(Role::Secondary, ConnState::Connected, DiskState::UpToDate),
            gone,
        ],
        vec![OutdateOutcome::Done],
    );
    let (a, why) = fence_loop(&mut f, settings(20, 10), SSH, STOP);
    assert_eq!(a, Answer::NotProven, "{why}");
    assert!(why.contains("unreachable"), "{why}");
}

#[test]
fn outdate_exit_codes_become_answers() {
    let sec = dev(Role::Secondary, ConnState::StandAlone, DiskState::UpToDate);
    let mut f = Fake::new(vec![sec.clone()], vec![OutdateOutcome::PeerPrimary]);
    assert_eq!(
        fence_loop(&mut f, settings(40, 10), SSH, STOP).0,
        Answer::PeerPrimary
    );
    let mut f = Fake::new(
        vec![
            sec,
            dev(
                Role::Secondary,
                ConnState::StandAlone,
                DiskState::Inconsistent,
            ),
        ],
        vec![OutdateOutcome::LowerThanOutdated],
    );
    assert_eq!(
        fence_loop(&mut f, settings(40, 10), SSH, STOP).0,
        Answer::PeerInconsistent
    );
    let down = PeerProbe::Down("minor 0 is Unconfigured on the peer".into());
    let mut f = Fake::new(vec![down], vec![OutdateOutcome::Done]);
    assert_eq!(
        fence_loop(&mut f, settings(40, 10), SSH, STOP).0,
        Answer::PeerOutdated
    );
}

#[test]
fn an_outdate_that_never_shows_ends_at_the_bound_with_pauses() {
    let sec = dev(Role::Secondary, ConnState::StandAlone, DiskState::UpToDate);
    let mut f = Fake::new(vec![sec], vec![OutdateOutcome::Done]);
    let (a, _) = fence_loop(&mut f, settings(5, 1), SSH, STOP);
    assert_eq!(a, Answer::NotProven);
    // a pause per cycle: a handful of looks, not thousands
    assert!(f.asked < 12, "{}", f.asked);
}

#[test]
fn no_time_left_asks_nobody() {
    let mut f = Fake::new(
        vec![PeerProbe::Unknown("x".into())],
        vec![OutdateOutcome::Done],
    );
    f.now = Duration::from_secs(40);
    let (a, why) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!((a, f.asked), (Answer::NotProven, 0));
    assert!(why.contains("never asked"), "{why}");
}

#[test]
fn resource_names_and_minors() {
    for ok in ["pc0", "r.0", "my_res-1"] {
        assert!(valid_resource(ok), "{ok}");
    }
    for bad in ["", "-x", "a b", "a;b", "ä", "$(x)", &"x".repeat(65)] {
        assert!(!valid_resource(bad), "{bad}");
    }
    let p = Paths::default();
    assert_eq!(handler_minor(Some("3 4"), &p), Some(3));
    assert_eq!(handler_minor(Some(" 7"), &p), Some(7));
    assert_eq!(handler_minor(None, &p), Some(0));
    assert_eq!(handler_minor(Some("x"), &p), Some(0));
    let p = Paths {
        drbd_device: "/dev/mapper/x".into(),
        ..Paths::default()
    };
    assert_eq!(handler_minor(None, &p), None);
}

#[test]
fn quorum_a_dead_peer_is_gone_once_outside_the_partition_long_enough() {
    let mut f = Fake::new(
        vec![PeerProbe::Unreachable("connect timed out".into())],
        vec![OutdateOutcome::Done],
    );
    // corosync still counts the peer in for 3 looks (a sample before and after each),
    // then it is outside
    f.quorum = vec![QuorumSample::PeerInside; 6];
    f.quorum.push(QuorumSample::PeerOutside(Duration::ZERO));
    let (a, why) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!(a, Answer::PeerUnreachable, "{why}");
    // 3 looks inside (about 1.1 s each), then 20 s outside
    assert!(
        f.now >= Duration::from_secs(23) && f.now < Duration::from_secs(26),
        "{:?}",
        f.now
    );
    assert!(
        f.log
            .iter()
            .any(|l| l.contains("in this node's quorum partition")),
        "{:?}",
        f.log
    );
}

#[test]
fn quorum_an_isolated_node_stays_frozen() {
    let mut f = Fake::new(
        vec![PeerProbe::Unreachable("connect timed out".into())],
        vec![OutdateOutcome::Done],
    );
    f.quorum = vec![QuorumSample::Lost(
        "not quorate: 1 of 3 votes, 2 needed".into(),
    )];
    let (a, why) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!(a, Answer::NotProven, "{why}");
    assert!(why.contains("no quorum"), "{why}");
}

#[test]
fn quorum_the_time_outside_counts_from_the_sample_before_a_slow_look() {
    let mut f = Fake::new(
        vec![PeerProbe::Unreachable("connect timed out".into())],
        vec![OutdateOutcome::Done],
    );
    // each look at the unreachable peer takes ssh's connect timeout
    f.cost = Duration::from_secs(10);
    f.quorum = vec![QuorumSample::PeerOutside(Duration::ZERO)];
    let (a, why) = fence_loop(&mut f, settings(40, 10), SSH, STOP);
    assert_eq!(a, Answer::PeerUnreachable, "{why}");
    // looks end at 10 and 21 s: at the second the peer has been outside for 21 s, counted
    // from the sample before the first look (after it, it would be 11 s)
    assert!(why.contains("outside its partition for 21 s"), "{why}");
}
