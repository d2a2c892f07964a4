//! Resource-level fencing on the real pair: no acknowledged write is lost when the
//! replication link is cut, and an outdated copy is never served. One lab with the front end
//! fe1, whose writer (`lab::writer`) writes through the VIP throughout; fe1 survives the
//! crash of either back end.
//!
//! In order, on one pair (be1 master, be2 backup):
//! * (f) the replication link cut while the backup's sshd is down (the handler cannot reach
//!   it): be1's writes stay frozen, and its `ha-status` fails with the frozen-writes line and
//!   its metrics pass promtool; be2 is still in be1's quorum partition (alive), so the
//!   handler never takes it for dead: it answers 1 (not proven) at its bound and the writes
//!   stay frozen until the link heals, when they go on and be2 resyncs;
//! * (b) the replication link cut under writes: be1 freezes its I/O until its fence-peer
//!   handler has outdated be2 over the public link, then goes on serving; healing the link
//!   resyncs be2, which becomes UpToDate by itself;
//! * (c) the backup crashed (unreachable on both links): be1 goes on serving after a bounded
//!   freeze; be2 boots and rejoins;
//! * (a) the link cut, more acknowledged writes on be1 alone, then be1 crashed: be2 (outdated)
//!   is asked to be master but never promotes, mounts or serves, and `ha-diagnose` names its
//!   outdated copy; be1 boots: the pair heals without an operator and every acknowledged
//!   write is served.
//!
//! A plain crash of the master still failing over by itself is shown by `failover` (b) and
//! `stale_data` on this same fenced configuration. Each freeze (the longest time the
//! writer's acknowledgements stood still) is printed.

use std::time::{Duration, Instant};

use lab::writer::{Progress, Writer};
use lab::{wait_until, Lab, LabOptions, Link, NodeId, NodeStatus, Output};

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
const VIP: &str = "198.51.100.10";
const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;
const FENCE_LOG: &str = "/var/opt/opscode/drbd/fence.log";

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec_timeout(n, cmd, Duration::from_secs(300)) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn lap(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

fn wait(lab: &Lab, secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    wait_until(lab.deadline(secs), what, || Ok(f().then_some(())))
        .unwrap_or_else(|e| panic!("{e:#}\n{}", lab.summary()));
}

fn healthy_pair(lab: &Lab, master: NodeId) -> bool {
    lab.status(master).is_ok_and(|s| s.healthy_master())
        && lab.status(master.peer()).is_ok_and(|s| s.healthy_backup())
}

fn serving(s: &NodeStatus) -> bool {
    s.role.starts_with("Primary/")
        || s.mounted
        || s.postgresql.starts_with("run")
        || s.redis_lb.starts_with("run")
}

/// The fence-peer answers `n` recorded (its fence.log lines with an `answer`).
fn fence_answers(lab: &Lab, n: NodeId) -> Vec<serde_json::Value> {
    let o = run(lab, n, &format!("cat {FENCE_LOG} 2>/dev/null || true"));
    o.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("answer").is_some_and(|a| !a.is_null()))
        .collect()
}

/// Watches the writer from now until `done` holds and `more` rows and keys have been
/// acknowledged after that; returns the progress then and the longest time (host clock,
/// seconds) during which its count of acknowledged rows stood still: how long writes froze.
fn watch_writes(
    w: &Writer,
    what: &str,
    mut done: impl FnMut() -> bool,
    more: u64,
    secs: u64,
) -> (Progress, f64) {
    let deadline = w.lab().deadline(secs);
    let mut last = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    let mut last_change = Instant::now();
    let mut longest = 0.0f64;
    let mut from: Option<Progress> = None;
    loop {
        let p = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
        if p.pg != last.pg {
            longest = longest.max(last_change.elapsed().as_secs_f64());
            last_change = Instant::now();
            last = p;
        }
        if from.is_none() && done() {
            from = Some(p);
        }
        if let Some(f) = from {
            if p.pg >= f.pg + more && p.redis >= f.redis + more {
                return (p, longest);
            }
        }
        if Instant::now() > deadline {
            panic!(
                "{what}: not done, or writes did not go on ({more} more after it; now {p:?})\nwriter log:\n{}\n{}",
                w.log().unwrap_or_default(),
                w.lab().summary()
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn outdated(lab: &Lab, n: NodeId) -> bool {
    lab.status(n)
        .is_ok_and(|s| s.dstate.starts_with("Outdated/"))
}

/// Stops the writer and checks every acknowledged row and key through `host`.
fn stop_and_verify(w: &Writer, host: &str) -> Progress {
    let p = w
        .stop(w.lab().deadline(60))
        .unwrap_or_else(|e| panic!("{e:#}"));
    let o = w.verify(host).unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!("verify on {host}: {}", o.stdout.trim().replace('\n', " | "));
    assert_eq!(o.code, 0, "acknowledged writes lost on {host}: {o:?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("pg acked={0} present={0} missing=0", p.pg)
    );
    assert!(
        lines[1].starts_with(&format!("redis acked={0} present={0} missing=0 ", p.redis)),
        "{}",
        lines[1]
    );
    p
}

#[test]
fn fencing_keeps_every_acknowledged_write() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::default()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "pair up: be1 master, be2 backup");
    // the running resource is fenced, with a protocol that cannot lose acknowledged writes
    let cfg = run(&lab, BE1, "drbdsetup show pc0");
    eprintln!("drbdsetup show pc0:\n{}", cfg.stdout);
    assert!(
        cfg.stdout.contains("fencing") && cfg.stdout.contains("resource-and-stonith"),
        "pc0 runs without fencing:\n{}",
        cfg.stdout
    );
    let w = Writer::start(&lab, NodeId::Fe1, "fencing", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let started = w
        .wait_for(300, 300, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));

    // (f) the fence cannot reach the backup (its sshd killed): be1's writes stay frozen
    // until the handler gives up on the peer (answer 5 after fence_peer_unreachable_after);
    // meanwhile ha-status and the metrics say so
    lap(
        t0,
        &format!("(f) writer at {started:?}; killing be2's sshd, cutting be1's replication link"),
    );
    run(
        &lab,
        BE2,
        "pkill -f 'sshd -f /etc/ssh/lab/sshd_config'; true",
    );
    let fenced_before = fence_answers(&lab, BE1).len();
    lab.cut_link(BE1, Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let frozen_line = "[ERROR] writes to DRBD resource pc0 are frozen (I/O suspended)";
    let mut seen: Option<Output> = None;
    wait(
        &lab,
        120,
        "(f) be1's ha-status saying its writes are frozen",
        || {
            let o = run(&lab, BE1, &format!("{PCC} ha-status; echo \"exit=$?\""));
            let frozen = o.stdout.lines().any(|l| l.starts_with(frozen_line));
            if frozen {
                seen = Some(o);
            }
            frozen || fence_answers(&lab, BE1).len() > fenced_before
        },
    );
    let o = seen.unwrap_or_else(|| {
        panic!("(f) be1's fence ended before ha-status showed the freeze: the window was missed")
    });
    eprintln!("(f) ha-status on be1 while frozen:\n{}", o.stdout);
    assert!(
        !o.stdout.contains("exit=0"),
        "(f) ha-status passes while writes are frozen:\n{}",
        o.stdout
    );
    let m = lab::prom::linted_metrics(&lab, BE1, &["--no-frontends"]);
    match m {
        Ok(m) => eprintln!(
            "(f) be1's metrics (linted): chef_ha_drbd_io_suspended {:?}",
            lab::prom::value(&m, "chef_ha_drbd_io_suspended", &[])
        ),
        Err(e) => panic!("(f) be1's metrics while frozen: {e:#}"),
    }
    wait(&lab, 240, "(f) be1's fence-peer answer", || {
        fence_answers(&lab, BE1).len() > fenced_before
    });
    let a = fence_answers(&lab, BE1);
    let last = a
        .last()
        .unwrap_or_else(|| panic!("be1 recorded no fence-peer answer"));
    // be2 is alive in be1's quorum partition: never assumed dead
    assert_eq!(last["answer"], 1, "(f) be1's answer: {last}");
    let frozen = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    std::thread::sleep(lab.scaled(Duration::from_secs(5)));
    let still = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        frozen.pg, still.pg,
        "(f) writes went on after answer 1: {frozen:?} -> {still:?}"
    );
    lap(
        t0,
        &format!(
            "(f) be1 answered 1 (not proven) after {} ms: its peer is alive in its quorum partition; writes stay frozen at {still:?} until the link heals",
            last["elapsed_ms"]
        ),
    );
    run(&lab, BE2, "/usr/sbin/sshd -f /etc/ssh/lab/sshd_config");
    lab.heal_link(BE1, Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    wait(&lab, 180, "(f) the pair healthy again by itself", || {
        healthy_pair(&lab, BE1)
    });
    let (p0, _) = watch_writes(&w, "(f) writes after the heal", || true, 100, 120);
    lap(t0, "(f) done: be2 resynced after the link healed");

    // (b) the replication link cut under writes
    lap(
        t0,
        &format!("(b) writer at {p0:?}; cutting be1's replication link"),
    );
    lab.cut_link(BE1, Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let (p1, froze) = watch_writes(
        &w,
        "(b) be2 Outdated by be1's fence-peer handler",
        || outdated(&lab, BE2),
        200,
        180,
    );
    lap(
        t0,
        &format!("(b) be2 outdated; writes went on on be1 ({p1:?}); they stood still at most {froze:.1} s"),
    );
    let s1 = lab.status(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        s1.role.starts_with("Primary/") && s1.dstate == "UpToDate/Outdated",
        "be1 after fencing its peer: {}",
        s1.summary()
    );
    let a = fence_answers(&lab, BE1);
    eprintln!("(b) be1 fence.log: {a:?}");
    let last = a
        .last()
        .unwrap_or_else(|| panic!("be1 recorded no fence-peer answer"));
    assert_eq!(last["answer"], 4, "be1's fence-peer answer: {last}");
    let hs = run(&lab, BE2, &format!("{PCC} ha-status"));
    eprintln!("(b) ha-status on be2 (exit {}):\n{}", hs.code, hs.stdout);
    assert_ne!(hs.code, 0, "ha-status passes on an Outdated backup");

    lab.heal_link(BE1, Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    wait(
        &lab,
        180,
        "(b) be2 resynced, the pair healthy by itself",
        || healthy_pair(&lab, BE1),
    );
    let (p2, froze) = watch_writes(&w, "(b) after the heal", || true, 200, 120);
    lap(
        t0,
        &format!("(b) done: link healed, be2 UpToDate again; writes {p2:?} (stood still at most {froze:.1} s)"),
    );
    let log2 = run(&lab, BE2, &format!("cat {FENCE_LOG} 2>/dev/null || true"));
    assert!(
        log2.stdout.contains("after-resync-target"),
        "(b) be2's after-resync-target handler left no record:\n{}",
        log2.stdout
    );

    // (c) the backup crashed: both links gone at once
    lap(t0, "(c) crashing be2");
    let fenced_before = fence_answers(&lab, BE1).len();
    lab.crash(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    let (p3, froze) = watch_writes(
        &w,
        "(c) be1's fence-peer answer for its crashed backup",
        || fence_answers(&lab, BE1).len() > fenced_before,
        200,
        240,
    );
    lap(
        t0,
        &format!("(c) be1 serves alone: {p3:?}; writes stood still at most {froze:.1} s"),
    );
    let s1 = lab.status(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        s1.role.starts_with("Primary/") && s1.vip && s1.mounted,
        "be1 after its backup crashed: {}",
        s1.summary()
    );
    let a = fence_answers(&lab, BE1);
    let last = a
        .last()
        .unwrap_or_else(|| panic!("be1 recorded no fence-peer answer"));
    eprintln!("(c) be1's last fence-peer answer: {last}");
    assert_eq!(
        last["answer"], 5,
        "be1's fence-peer answer for a dead backup: {last}"
    );
    lab.start(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    wait(&lab, 180, "(c) be2 rejoined, the pair healthy", || {
        healthy_pair(&lab, BE1)
    });
    lap(t0, "(c) done: be2 rejoined as backup");

    // (a) the link cut, writes on be1 alone, be1 crashed
    let p4 = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, "(a) cutting be1's replication link again");
    lab.cut_link(BE1, Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    // only be1 has the writes acknowledged once be2 is outdated
    let (p5, froze) = watch_writes(&w, "(a) be2 Outdated", || outdated(&lab, BE2), 60, 180);
    lap(
        t0,
        &format!(
            "(a) {} rows written on be1 alone (froze {froze:.1} s); crashing be1",
            p5.pg - p4.pg
        ),
    );
    lab.crash(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    // keepalived asks be2 to be master; its copy is outdated: it must never serve
    let watch_until = Instant::now() + lab.scaled(Duration::from_secs(60));
    let mut asked = false;
    while Instant::now() < watch_until {
        let s = lab.status(BE2).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            !serving(&s),
            "(a) be2 serves an outdated copy: {}",
            s.summary()
        );
        asked |= s.requested == "master";
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(asked, "(a) keepalived never asked be2 to be master");
    let d = run(
        &lab,
        BE2,
        &format!("{PCC} ha-diagnose --json --no-frontends"),
    );
    let dj: serde_json::Value = serde_json::from_str(&d.stdout)
        .unwrap_or_else(|e| panic!("ha-diagnose --json: {e}: {}", d.stdout));
    eprintln!("(a) ha-diagnose on be2: {dj:#}");
    assert_eq!(dj["situation"], "outdated-copy", "{dj:#}");
    let s2 = lab.status(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!serving(&s2), "(a) be2: {}", s2.summary());
    lap(
        t0,
        "(a) be2 was asked to be master and did not serve its outdated copy",
    );

    lab.start(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, "(a) be1 booted");
    wait(&lab, 300, "(a) a healthy pair without an operator", || {
        healthy_pair(&lab, BE1) || healthy_pair(&lab, BE2)
    });
    let (p6, _) = watch_writes(&w, "(a) after the heal", || true, 100, 120);
    lap(t0, &format!("(a) the pair healed by itself; writes {p6:?}"));
    let p = stop_and_verify(&w, VIP);
    lap(
        t0,
        &format!(
            "(a) done: every acknowledged write is served ({} rows, {} keys)",
            p.pg, p.redis
        ),
    );
}
