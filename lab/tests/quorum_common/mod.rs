//! What the quorum lab tests share: a pair with the arbiter on fe1 and a writer on fe1
//! through the VIP; a back end cut off (unplugged or silently), watched until the other
//! side has settled, then brought back; what each cut-off cost, measured.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use lab::writer::{Progress, Writer};
use lab::{wait_until, Isolation, Lab, NodeId, NodeStatus, Output};

pub const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
pub const VIP: &str = "198.51.100.10";

pub fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec_timeout(n, cmd, Duration::from_secs(300)) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

pub fn lap(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

pub fn wait(lab: &Lab, secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    wait_until(lab.deadline(secs), what, || Ok(f().then_some(())))
        .unwrap_or_else(|e| panic!("{e:#}\n{}", lab.summary()));
}

pub fn healthy_pair(lab: &Lab, master: NodeId) -> bool {
    lab.status(master).is_ok_and(|s| s.healthy_master())
        && lab.status(master.peer()).is_ok_and(|s| s.healthy_backup())
}

/// The master of a healthy pair, if the pair is healthy.
pub fn healthy_master(lab: &Lab) -> Option<NodeId> {
    [NodeId::Be1, NodeId::Be2]
        .into_iter()
        .find(|&m| healthy_pair(lab, m))
}

pub fn primary(s: &NodeStatus) -> bool {
    s.role.starts_with("Primary/")
}

pub fn serving(s: &NodeStatus) -> bool {
    primary(s) || s.mounted || s.postgresql.starts_with("run") || s.redis_lb.starts_with("run")
}

/// `quorum-status` on `n`: (exit code, line).
pub fn quorum_status(lab: &Lab, n: NodeId) -> (i32, String) {
    let o = run(lab, n, &format!("{PCC} quorum-status"));
    (o.code, o.stdout.trim().to_string())
}

/// What one cut-off cost.
#[derive(Debug, Default)]
pub struct Record {
    /// Samples (about one a second) with both back ends Primary.
    pub two_primary_samples: u32,
    /// Samples taken.
    pub samples: u32,
    /// The longest time the writer's acknowledged rows stood still (host clock, s).
    pub outage: f64,
    /// The cut-off node reset itself (a Primary without quorum that could not demote).
    pub self_reset: bool,
    /// Seconds from the cut to the other node serving as a healthy master (a master cut off).
    pub takeover: Option<f64>,
}

/// Cuts `node` off (`how`) and watches both back ends and the writer until the survivor
/// serves and the writer has had `more` rows acknowledged since, or (the backup cut off)
/// for `observe` seconds at least; then brings `node` back (booting it if it reset itself)
/// and waits for a healthy pair. Panics if the cut-off node ever serves while it is cut off,
/// or both are Primary at once.
pub fn cut_off(
    lab: &Lab,
    w: &Writer,
    node: NodeId,
    how: Isolation,
    observe: u64,
    more: u64,
    t0: Instant,
) -> Record {
    let master = healthy_master(lab).unwrap_or_else(|| panic!("no healthy pair before the cut"));
    let survivor = node.peer();
    let mut rec = Record::default();
    let p0 = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    lap(
        t0,
        &format!("cutting {node} off ({how:?}); master {master}, writer at {p0:?}"),
    );
    let cut_at = Instant::now();
    lab.isolate(node, how).unwrap_or_else(|e| panic!("{e:#}"));
    let min_end = cut_at + lab.scaled(Duration::from_secs(observe));
    let deadline = lab.deadline(observe + 300);
    let mut last = p0;
    let mut last_change = Instant::now();
    let mut settled_from: Option<Progress> = None;
    loop {
        let p = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
        if p.pg != last.pg {
            rec.outage = rec.outage.max(last_change.elapsed().as_secs_f64());
            last_change = Instant::now();
            last = p;
        }
        let down = !rec.self_reset && lab.reset_by_itself(node).unwrap_or(false);
        if down {
            rec.self_reset = true;
            lap(t0, &format!("{node} reset itself (qemu exited)"));
        }
        let sn = if rec.self_reset {
            None
        } else {
            lab.status(node).ok()
        };
        let ss = lab
            .status(survivor)
            .unwrap_or_else(|e| panic!("{survivor}: {e:#}"));
        rec.samples += 1;
        let np = sn.as_ref().is_some_and(primary);
        if np && primary(&ss) {
            rec.two_primary_samples += 1;
            eprintln!(
                "TWO PRIMARIES: {node}: {} | {survivor}: {}",
                sn.as_ref().map(|s| s.summary()).unwrap_or_default(),
                ss.summary()
            );
        }
        if node != master {
            // the cut-off backup never becomes Primary, never serves
            if let Some(s) = &sn {
                assert!(
                    !serving(s),
                    "the cut-off backup {node} serves: {}",
                    s.summary()
                );
            }
            // and the master is never demoted for it
            assert_eq!(ss.requested, "master", "{survivor}: {}", ss.summary());
        }
        let survivor_serves = ss.serving_master();
        if survivor_serves && rec.takeover.is_none() && node == master {
            rec.takeover = Some(cut_at.elapsed().as_secs_f64());
            lap(
                t0,
                &format!(
                    "{survivor} serves after {:.1} s",
                    cut_at.elapsed().as_secs_f64()
                ),
            );
        }
        if survivor_serves
            && settled_from.is_none()
            && (node == master || Instant::now() >= min_end)
        {
            settled_from = Some(p);
        }
        if let Some(f) = settled_from {
            if p.pg >= f.pg + more && p.redis >= f.redis + more && Instant::now() >= min_end {
                break;
            }
        }
        if Instant::now() > deadline {
            panic!(
                "{node} cut off ({how:?}): {survivor} never served with writes going on (now {p:?})\nwriter log:\n{}\n{}",
                w.log().unwrap_or_default(),
                lab.summary()
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(
        rec.two_primary_samples, 0,
        "{node} cut off ({how:?}): both back ends were Primary in {} of {} samples",
        rec.two_primary_samples, rec.samples
    );
    if !rec.self_reset {
        // still cut off: it must not serve, and it says why
        if let Ok(s) = lab.status(node) {
            assert!(!serving(&s), "{node} serves while cut off: {}", s.summary());
            let (code, line) = quorum_status(lab, node);
            eprintln!("{node} cut off: quorum-status exit {code}: {line}");
            assert_eq!(code, 1, "{node} cut off holds quorum: {line}");
            // the operator's view of it: ha-status fails on its quorum, ha-diagnose names it
            let hs = run(lab, node, &format!("{PCC} ha-status"));
            let no_quorum = hs
                .stdout
                .lines()
                .find(|l| l.starts_with("[ERROR] no quorum"));
            eprintln!("{node} cut off: ha-status exit {}: {no_quorum:?}", hs.code);
            assert_eq!(hs.code, 10, "{node} cut off: ha-status:\n{}", hs.stdout);
            assert!(
                no_quorum.is_some(),
                "{node} cut off: ha-status:\n{}",
                hs.stdout
            );
            let d = run(
                lab,
                node,
                &format!("{PCC} ha-diagnose --json --no-frontends"),
            );
            let dj: serde_json::Value = serde_json::from_str(&d.stdout)
                .unwrap_or_else(|e| panic!("ha-diagnose --json: {e}: {}", d.stdout));
            eprintln!(
                "{node} cut off: ha-diagnose: {} ({})",
                dj["situation"], dj["title"]
            );
            assert_eq!(dj["situation"], "isolated", "{dj:#}");
        }
    }
    let (code, line) = quorum_status(lab, survivor);
    eprintln!("{survivor}: quorum-status exit {code}: {line}");
    assert_eq!(code, 0, "{survivor} lost quorum: {line}");
    lap(
        t0,
        &format!(
            "{node} cut off ({how:?}): two Primaries in {} of {} samples; writes stood still at most {:.1} s; {}",
            rec.two_primary_samples,
            rec.samples,
            rec.outage,
            if rec.self_reset { "it reset itself" } else { "it stayed up, not serving" }
        ),
    );
    if rec.self_reset {
        // a fresh boot has its links plugged in and no drop filters: nothing to undo
        lab.start(node).unwrap_or_else(|e| panic!("{e:#}"));
        lap(t0, &format!("{node} booted again"));
    } else {
        lab.rejoin(node, how).unwrap_or_else(|e| panic!("{e:#}"));
    }
    wait(
        lab,
        300,
        &format!("a healthy pair after {node} came back"),
        || healthy_pair(lab, survivor),
    );
    lap(
        t0,
        &format!("{node} back: a healthy pair, {survivor} master"),
    );
    rec
}

/// Stops the writer and checks every acknowledged row and key through `host`.
pub fn stop_and_verify(w: &Writer, host: &str) -> Progress {
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

/// A lab with fe1 (the arbiter) and a writer on fe1 that has written a little.
pub fn up_with_writer(name: &str) -> (Lab, Instant) {
    let t0 = Instant::now();
    let lab = Lab::up(lab::LabOptions::default()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "pair up: be1 master, be2 backup, the arbiter on fe1");
    for n in [NodeId::Be1, NodeId::Be2] {
        let (code, line) = quorum_status(&lab, n);
        assert_eq!(code, 0, "{n}: {line}");
        assert!(line.starts_with("quorate: 3 of 3 votes"), "{n}: {line}");
    }
    let _ = name;
    (lab, t0)
}
