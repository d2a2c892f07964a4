//! Issue 11: the front ends' view in `ha-diagnose` (the third witness) and in
//! `ha-status --frontends` (its check group), over fixtures.

mod common;

use private_chef_ctl::decide::checks::run_checks;
use private_chef_ctl::decide::diagnose::diagnose;
use private_chef_ctl::decide::frontends::{add_to_diagnosis, extend_report, seen};
use private_chef_ctl::model::frontend::FrontendResult;

const PONG_BE1: &str = r#"{"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"},"served_by":"be1.lab.example"}"#;
const PONG: &str = r#"{"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"}}"#;
const FAIL: &str = r#"{"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"fail"}}"#;

fn answer(name: &str, code: u16, body: &str) -> FrontendResult {
    FrontendResult::answered(
        name,
        "198.51.100.21:443",
        "https://chef.lab.example/_status",
        code,
        body.as_bytes(),
        15,
    )
}

#[test]
fn a_healthy_pair_whose_front_ends_pong_stays_healthy_and_names_the_back_end() {
    let (l, p) = common::diagnose_views("healthy");
    let mut d = diagnose(&l, &p);
    assert_eq!(d.exit_code, 0);
    let title = d.title.clone();
    let s = seen(vec![answer("fe1.lab.example", 200, PONG_BE1)], &l, p.view());
    add_to_diagnosis(&mut d, s);
    assert_eq!(d.exit_code, 0);
    assert_eq!(d.title, title);
    let last = d.evidence.last().unwrap();
    assert_eq!(
        (last.node.as_str(), last.source.as_str(), last.text.as_str()),
        (
            "front ends",
            "/_status",
            "1 of 1 front ends pong; they reach be1.lab.example (as they report)"
        )
    );
    assert!(d
        .evidence
        .iter()
        .any(|e| e.node == "fe1.lab.example" && e.text.contains("served by be1.lab.example")));
    let f = d.to_json()["frontends"].clone();
    assert_eq!(f["reached"], "be1.lab.example");
    assert_eq!(f["how"], "reported");
    assert_eq!(f["all_pong"], true);
}

#[test]
fn without_a_report_the_back_end_is_inferred_from_the_pair() {
    let (l, p) = common::diagnose_views("healthy");
    let s = seen(vec![answer("fe1.lab.example", 200, PONG)], &l, p.view());
    let primary = [&l]
        .into_iter()
        .chain(p.view())
        .find(|v| v.cluster_status.current.as_deref() == Some("master"))
        .map(|v| v.node.clone());
    assert_eq!(s.reached, primary);
    assert_eq!(s.how.as_deref(), Some("inferred"));
}

#[test]
fn a_healthy_pair_the_users_cannot_reach_is_a_situation_needing_action() {
    let (l, p) = common::diagnose_views("healthy");
    let mut d = diagnose(&l, &p);
    let s = seen(vec![answer("fe1.lab.example", 500, FAIL)], &l, p.view());
    add_to_diagnosis(&mut d, s);
    assert_eq!(d.exit_code, 1);
    assert!(
        d.title.ends_with(" — front ends: 1 of 1 not pong"),
        "{}",
        d.title
    );
    assert!(d
        .evidence
        .iter()
        .any(|e| e.text == "0 of 1 front ends pong: the users cannot reach a working back end"));
}

#[test]
fn front_ends_that_reach_different_back_ends_are_named() {
    let (l, p) = common::diagnose_views("split-brain");
    let mut d = diagnose(&l, &p);
    let be2 = PONG_BE1.replace("be1", "be2");
    let s = seen(
        vec![
            answer("fe1.lab.example", 200, PONG_BE1),
            answer("fe2.lab.example", 200, &be2),
        ],
        &l,
        p.view(),
    );
    assert!(s.disagree);
    add_to_diagnosis(&mut d, s);
    assert_eq!(d.exit_code, 1);
    let last = d.evidence.last().unwrap();
    assert!(
        last.text
            .contains("fe1.lab.example reaches be1.lab.example")
            && last
                .text
                .contains("fe2.lab.example reaches be2.lab.example")
            && last.text.contains("both are serving writes"),
        "{}",
        last.text
    );
}

#[test]
fn ha_status_frontends_adds_its_group_after_the_other_checks() {
    let mut r = run_checks(&common::master_state());
    assert_eq!(r.exit_code, 0, "{:?}", r.checks);
    let n = r.checks.len();
    extend_report(&mut r, &[answer("fe1.lab.example", 200, PONG_BE1)]);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        r.checks[n].line(),
        "[OK] front end fe1.lab.example /_status pong (HTTP 200, 15 ms; chef_sql pong, redis_lb pong; served by be1.lab.example)"
    );
    let mut r = run_checks(&common::master_state());
    let down = FrontendResult::unreachable(
        "fe1.lab.example",
        "198.51.100.21:443",
        "https://chef.lab.example/_status",
        "198.51.100.21:443: timed out after 5.0 s".into(),
        5000,
    );
    extend_report(&mut r, &[down]);
    assert_eq!(r.exit_code, 9);
    assert_eq!(
        r.checks.last().unwrap().line(),
        "[ERROR] front end fe1.lab.example /_status unreachable: 198.51.100.21:443: timed out after 5.0 s"
    );
    // an earlier failing check keeps its code: the first failing check's
    let mut s = common::master_state();
    s.vrrp_interface_exists = private_chef_ctl::model::Known::Known(false);
    let mut r = run_checks(&s);
    let before = r.exit_code;
    assert_ne!(before, 0);
    extend_report(&mut r, &[answer("fe1.lab.example", 500, FAIL)]);
    assert_eq!(r.exit_code, before);
}

#[test]
fn the_documented_bodies_of_fixtures_frontend() {
    use private_chef_ctl::model::frontend::{Outcome, Pong};
    let read = |n: &str| {
        std::fs::read(format!(
            "{}/fixtures/frontend/{n}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let r = FrontendResult::answered("fe", "a", "u", 200, &read("ec11-pong.json"), 1);
    assert_eq!(r.outcome, Outcome::Pong);
    assert_eq!(r.upstreams.len(), 4);
    let r = FrontendResult::answered("fe", "a", "u", 500, &read("cs12-fail.json"), 1);
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(r.upstreams["chef_index"], Pong::Fail);
    assert_eq!(r.error.as_deref(), Some("upstream fails: chef_index"));
    let r = FrontendResult::answered("fe", "a", "u", 200, &read("lab-pong.json"), 1);
    assert_eq!(r.served_by.as_deref(), Some("be1.lab.example"));
    let r = FrontendResult::answered("fe", "a", "u", 502, &read("nginx-502.html"), 1);
    assert_eq!((r.outcome, r.status), (Outcome::Fail, None));
    assert!(r
        .error
        .unwrap()
        .starts_with("HTTP 502, body is not the documented /_status JSON: not JSON"));
}
