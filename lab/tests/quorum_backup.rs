//! Quorum on the real pair, the backup's side: with the arbiter (corosync-qnetd) on fe1 and a
//! writer on fe1 through the VIP throughout, in order on one lab:
//! * the arbiter down while the pair is healthy: nothing changes (2 of 3 votes on each
//!   back end, the master serves on), and its return is seen;
//! * the backup cut off silently (every packet dropped on both links, the links up): it
//!   loses quorum, never becomes Primary nor serves; the master serves on once its
//!   fence-peer handler has seen the backup outside its quorate partition long enough;
//! * the backup cut off by unplugging both links: the same.
//!
//! Each cut-off records the samples with two Primaries (must be 0) and the longest time
//! the writer's acknowledgements stood still; the writer's every acknowledged write is
//! verified through the VIP at the end.

mod quorum_common;

use std::time::{Duration, Instant};

use lab::writer::Writer;
use lab::{Isolation, NodeId};
use quorum_common::*;

const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;
const FE1: NodeId = NodeId::Fe1;

#[test]
fn quorum_a_cut_off_backup_never_serves() {
    let (lab, t0) = up_with_writer("quorum-backup");
    let w = Writer::start(&lab, FE1, "quorum-backup", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .wait_for(200, 200, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("writer at {p:?}; stopping the arbiter"));

    // the arbiter down: both back ends keep quorum (2 of 3), nothing moves
    run(
        &lab,
        FE1,
        "sv -w 30 stop /opt/opscode/service/corosync-qnetd",
    );
    wait(&lab, 120, "both back ends counting 2 of 3 votes", || {
        [BE1, BE2].into_iter().all(|n| {
            let (code, line) = quorum_status(&lab, n);
            code == 0 && line.starts_with("quorate: 2 of 3 votes")
        })
    });
    let (_, line) = quorum_status(&lab, BE1);
    assert!(line.ends_with("vote: not counted here"), "{line}");
    let until = Instant::now() + lab.scaled(Duration::from_secs(30));
    let p0 = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    while Instant::now() < until {
        assert!(
            healthy_pair(&lab, BE1),
            "the arbiter down moved the pair:\n{}",
            lab.summary()
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    let p1 = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        p1.pg > p0.pg + 50,
        "writes stalled with the arbiter down: {p0:?} -> {p1:?}"
    );
    run(
        &lab,
        FE1,
        "sv -w 30 start /opt/opscode/service/corosync-qnetd",
    );
    wait(&lab, 120, "the arbiter's vote back on both", || {
        [BE1, BE2].into_iter().all(|n| {
            quorum_status(&lab, n)
                .1
                .starts_with("quorate: 3 of 3 votes")
        })
    });
    lap(
        t0,
        &format!("arbiter down then up: the pair never moved; writes {p0:?} -> {p1:?}"),
    );

    let silent = cut_off(&lab, &w, BE2, Isolation::Silent, 60, 200, t0);
    let unplugged = cut_off(&lab, &w, BE2, Isolation::Unplugged, 60, 200, t0);
    let p = stop_and_verify(&w, VIP);
    eprintln!("| the backup cut off | two Primaries (samples) | writes stood still at most |");
    eprintln!("|---|---|---|");
    for (how, r) in [("silently", &silent), ("unplugged", &unplugged)] {
        eprintln!(
            "| {how} | {} of {} | {:.1} s |",
            r.two_primary_samples, r.samples, r.outage
        );
    }
    lap(
        t0,
        &format!(
            "done: every acknowledged write is served ({} rows, {} keys)",
            p.pg, p.redis
        ),
    );
}
