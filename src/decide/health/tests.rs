use super::*;

macro_rules! fixture_text {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/monitor/",
            $name,
            ".json"
        ))
    };
}

/// A fixture, compiled in: the decide layer reads nothing, its tests neither.
fn fixture(name: &str) -> Sample {
    let text = match name {
        "healthy-master" => fixture_text!("healthy-master"),
        "resync-source" => fixture_text!("resync-source"),
        "split-brain" => fixture_text!("split-brain"),
        "came-back-alone" => fixture_text!("came-back-alone"),
        "unreadable" => fixture_text!("unreadable"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

fn ids(v: &Verdict) -> Vec<(&str, State)> {
    v.findings
        .iter()
        .map(|f| (f.id.as_str(), f.state))
        .collect()
}

#[test]
fn healthy_master_is_ok() {
    let v = evaluate(&fixture("healthy-master"), &Thresholds::default());
    assert_eq!(v.state, State::Ok, "{:?}", ids(&v));
    assert!(v.findings.iter().any(|f| f.id == "data_relation"));
}

#[test]
fn a_resync_is_a_warning_unless_a_threshold_says_more() {
    let s = fixture("resync-source");
    let v = evaluate(&s, &Thresholds::default());
    assert_eq!(v.state, State::Warning, "{:?}", ids(&v));
    assert_eq!(v.findings[0].id, "drbd_state");
    let t = Thresholds {
        eta: (Range::parse("300").ok(), Range::parse("400").ok()),
        ..Thresholds::default()
    };
    let v = evaluate(&s, &t);
    assert_eq!(v.state, State::Critical);
    assert_eq!(v.findings[0].id, "threshold:eta");
    let t = Thresholds {
        oos: (Range::parse("~:1000000000000").ok(), None),
        ..Thresholds::default()
    };
    assert_eq!(evaluate(&s, &t).state, State::Warning);
}

#[test]
fn split_brain_is_critical_and_first() {
    let v = evaluate(&fixture("split-brain"), &Thresholds::default());
    assert_eq!(v.state, State::Critical);
    let critical: Vec<_> = v
        .findings
        .iter()
        .take_while(|f| f.state == State::Critical)
        .map(|f| f.id.as_str())
        .collect();
    assert!(critical.contains(&"data_relation"), "{critical:?}");
    assert!(critical.contains(&"two_masters"), "{critical:?}");
    // worst first
    let ranks: Vec<u8> = v.findings.iter().map(|f| f.state.rank()).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
}

#[test]
fn came_back_alone_is_critical() {
    let v = evaluate(&fixture("came-back-alone"), &Thresholds::default());
    assert_eq!(v.state, State::Critical);
    let f: Vec<_> = ids(&v);
    assert!(f.contains(&("came_back_alone", State::Critical)), "{f:?}");
    assert!(f.contains(&("peer", State::Warning)), "{f:?}");
    // the lone front end fails: one WARNING line, and CRITICAL because none is pong
    assert!(
        f.contains(&("frontend:fe1.lab.example", State::Warning)),
        "{f:?}"
    );
    assert!(f.contains(&("frontends", State::Critical)), "{f:?}");
    // the replication address that does not ping
    assert!(f.contains(&("drbd_secondary_ip", State::Warning)), "{f:?}");
}

#[test]
fn unreadable_sources_are_unknown() {
    let v = evaluate(&fixture("unreadable"), &Thresholds::default());
    assert_eq!(v.state, State::Unknown, "{:?}", ids(&v));
}

#[test]
fn the_classic_codes_map_to_plugin_states() {
    let s = fixture("healthy-master");
    let c = |id: &str, status: Status| Check::new(id, status, 9, "x");
    assert_eq!(
        classic_state(&c("keepalived_enabled", Status::Error), &s),
        State::Critical
    );
    assert_eq!(
        classic_state(&c("config", Status::Error), &s),
        State::Unknown
    );
    assert_eq!(
        classic_state(&c("cluster_status", Status::Warn), &s),
        State::Warning
    );
    assert_eq!(
        classic_state(&c("cluster_status", Status::Error), &s),
        State::Critical
    );
    assert_eq!(classic_state(&c("vip", Status::Error), &s), State::Critical);
    assert_eq!(
        classic_state(&c("vip", Status::Unknown), &s),
        State::Unknown
    );
    assert_eq!(
        classic_state(&c("drbd_mount", Status::Error), &s),
        State::Critical
    );
    assert_eq!(
        classic_state(&c("drbd_primary_ip", Status::Error), &s),
        State::Warning
    );
    // postgresql is an HA service, keepalived is not (but the master needs it)
    assert_eq!(
        classic_state(&c("service:postgresql", Status::Error), &s),
        State::Critical
    );
    assert_eq!(
        classic_state(&c("service:keepalived", Status::Error), &s),
        State::Critical
    );
    assert_eq!(
        classic_state(&c("vrrp_interface", Status::Error), &s),
        State::Critical
    );
    assert_eq!(
        classic_state(&c("frontend:fe1", Status::Error), &s),
        State::Warning
    );
    // on a backup, keepalived down is a warning, the master Primary a critical
    let b = fixture("came-back-alone");
    assert_eq!(
        classic_state(&c("service:keepalived", Status::Error), &b),
        State::Warning
    );
    assert_eq!(
        classic_state(&c("drbd_state", Status::Error), &b),
        State::Warning
    );
    assert_eq!(
        classic_state(&c("drbd_state", Status::Error), &s),
        State::Warning
    );
    let mut demoted = fixture("healthy-master");
    demoted.status.cluster_status.current = Some("backup".into());
    assert_eq!(
        classic_state(&c("drbd_state", Status::Error), &demoted),
        State::Critical
    );
}

#[test]
fn exit_codes_are_the_plugin_codes() {
    let codes: Vec<i32> = State::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(codes, vec![0, 1, 2, 3]);
}

#[test]
fn the_help_table_is_the_module_docs_table() {
    let docs = include_str!("../health.rs");
    let rows: Vec<(String, String)> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("//! | "))
        .filter(|l| !l.starts_with("finding") && !l.starts_with("---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_end_matches(" |").split(" | ").collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect();
    assert!(rows.len() > 20);
    let help: Vec<&str> = STATES.lines().collect();
    for (finding, state) in &rows {
        assert!(
            help.iter().any(
                |l| l.trim_start().starts_with(state.as_str()) && l.ends_with(finding.as_str())
            ),
            "{state} {finding} is not in STATES"
        );
    }
    assert_eq!(help.len(), rows.len() + 4);
}

#[test]
fn quorum_lines_rate_as_the_module_table_says() {
    use crate::model::{Check, QuorumDoc};
    let mut s = fixture("healthy-master");
    // quorum off: ha-status's advisory warning is advice for the topology, not a problem now
    s.status.quorum = Some(QuorumDoc::default());
    let off = Check::advisory(
        "quorum",
        "no quorum arbiter configured (ha['quorum_arbiter'])",
    );
    assert_eq!(classic_state(&off, &s), State::Ok);
    // quorum on: the arbiter's vote missing is a warning, no quorum is critical
    s.status.quorum = Some(QuorumDoc {
        enabled: true,
        arbiter: Some("fe1.example".into()),
        ..QuorumDoc::default()
    });
    let missing = Check::advisory(
        "quorum",
        "quorum: 2 of 3 votes; the arbiter's vote is missing",
    );
    assert_eq!(classic_state(&missing, &s), State::Warning);
    let lost = Check::error("quorum", 10, "no quorum: 1 of 3 votes (quorum 2)");
    assert_eq!(classic_state(&lost, &s), State::Critical);
}
