//! Quorum on the real pair, the master's side: with the arbiter (corosync-qnetd) on fe1 and a
//! writer on fe1 through the VIP throughout, in order on one lab:
//! * the master (be1) cut off silently (every packet dropped on both links, the links up):
//!   it loses quorum, leaves MASTER (FAULT) and, its I/O frozen, resets itself; be2 takes
//!   over by itself once it has seen be1 outside its quorate partition long enough; be1
//!   boots into the healed network and resyncs as the backup;
//! * the new master (be2) cut off by unplugging both links: be1 takes over the same way;
//! * the master (be1) crashed: be2 still fails over by itself.
//!
//! Each records the samples with two Primaries (must be 0), the longest time the writer's
//! acknowledgements stood still and the time to a serving survivor; every acknowledged write
//! is verified through the VIP at the end.

mod quorum_common;

use std::time::Instant;

use lab::writer::Writer;
use lab::{Isolation, NodeId};
use quorum_common::*;

const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;
const FE1: NodeId = NodeId::Fe1;

#[test]
fn quorum_a_cut_off_master_stops_and_the_backup_takes_over() {
    let (lab, t0) = up_with_writer("quorum-master");
    let w = Writer::start(&lab, FE1, "quorum-master", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .wait_for(200, 200, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("writer at {p:?}"));

    let silent = cut_off(&lab, &w, BE1, Isolation::Silent, 0, 200, t0);
    let unplugged = cut_off(&lab, &w, BE2, Isolation::Unplugged, 0, 200, t0);

    // a crash of the master still fails over by itself
    let p0 = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("crashing the master be1; writer at {p0:?}"));
    let crashed = Instant::now();
    lab.crash(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    wait(&lab, 300, "be2 serving after be1's crash", || {
        lab.status(BE2).is_ok_and(|s| s.serving_master())
    });
    let takeover = crashed.elapsed().as_secs_f64();
    let p1 = w
        .wait_for(p0.pg + 100, p0.redis + 100, lab.deadline(120))
        .unwrap_or_else(|e| panic!("writes after be1's crash: {e:#}"));
    lap(
        t0,
        &format!("be2 serves {takeover:.1} s after be1's crash; writer at {p1:?}"),
    );
    lab.start(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    wait(&lab, 300, "be1 back as the backup", || {
        healthy_pair(&lab, BE2)
    });

    let p = stop_and_verify(&w, VIP);
    eprintln!("| the master cut off | two Primaries (samples) | writes stood still at most | survivor serving after | the cut-off node |");
    eprintln!("|---|---|---|---|---|");
    for (how, r) in [("silently", &silent), ("unplugged", &unplugged)] {
        eprintln!(
            "| {how} | {} of {} | {:.1} s | {:.1} s | {} |",
            r.two_primary_samples,
            r.samples,
            r.outage,
            r.takeover.unwrap_or(f64::NAN),
            if r.self_reset {
                "reset itself"
            } else {
                "demoted"
            }
        );
    }
    eprintln!("| crashed | - | - | {takeover:.1} s | - |");
    lap(
        t0,
        &format!(
            "done: every acknowledged write is served ({} rows, {} keys)",
            p.pg, p.redis
        ),
    );
}
