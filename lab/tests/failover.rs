//! Failover of the real pair with the product's handler (`private-chef-ctl
//! cluster-transition` as keepalived's notify target) and acknowledged writes through the VIP.
//!
//! * `graceful_crash_rejoin` (one pair, in order): (a) `stop keepalived` on the master,
//!   (b) hard crash of the new master, (c) the crashed node boots and rejoins.
//! * `flapping_and_queued_transitions` (a second pair): (d) 20 alternating
//!   `cluster-transition` calls on both nodes at once, (e) a transition requested while
//!   another runs is queued.
//!
//! In `graceful_crash_rejoin` the writer (`lab::writer`) runs on the front end fe1, outside
//! both back ends, so it survives the crash of either; the second pair has no front end.
//!
//! Needs `scripts/install-deps.sh` and `cargo build --release -p private-chef-ctl`; run with
//! `cargo test -p lab --release -- --test-threads=1`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lab::writer::Writer;
use lab::{wait_until, Lab, LabOptions, NodeId, NodeStatus, Output};

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
const VIP: &str = "198.51.100.10";
const CLUSTER_LOG: &str = "/var/log/opscode/keepalived/cluster.log";
const REQUESTED: &str = "/var/opt/opscode/keepalived/requested_cluster_status";

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec(n, cmd) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn run_long(lab: &Lab, n: NodeId, cmd: &str, secs: u64) -> Output {
    match lab.exec_timeout(n, cmd, Duration::from_secs(secs)) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn status(lab: &Lab, n: NodeId) -> NodeStatus {
    lab.status(n)
        .unwrap_or_else(|e| panic!("{n}: status: {e:#}"))
}

fn wait_for(lab: &Lab, secs: u64, what: &str, f: impl FnMut(&Lab) -> bool) {
    lab.wait_for(secs, what, f)
}

fn healthy_pair(lab: &Lab, master: NodeId) -> bool {
    lab.status(master).is_ok_and(|s| s.healthy_master())
        && lab.status(master.peer()).is_ok_and(|s| s.healthy_backup())
}

/// A master whose peer is gone: Primary, VIP, mounted, services up, PostgreSQL ready.
fn lone_master(s: &NodeStatus) -> bool {
    s.role.starts_with("Primary/")
        && s.current == "master"
        && s.requested == "master"
        && s.vip
        && s.mounted
        && s.postgresql.starts_with("run")
        && s.redis_lb.starts_with("run")
        && s.pg_ready
}

fn ha_status_passes(lab: &Lab, n: NodeId, master: bool) {
    let o = run(lab, n, &format!("{PCC} ha-status"));
    assert_eq!(o.code, 0, "{n}: ha-status: {o:?}");
    let lines: Vec<&str> = o.stdout.lines().map(str::trim_end).collect();
    let role = if master {
        "[OK] my DRBD status is Connected/Primary/UpToDate and I am master"
    } else {
        "[OK] my DRBD status is Connected/Secondary/UpToDate and I am not master"
    };
    for want in [role, "[OK] all checks passed."] {
        assert!(
            lines.contains(&want),
            "{n}: ha-status lacks {want:?}:\n{}",
            o.stdout
        );
    }
}

/// Waits until the writer has acknowledged more than `after` rows and keys (it reconnected
/// to the new master and writes there).
fn wait_writes_resume(
    w: &Writer,
    after: lab::writer::Progress,
    secs: u64,
) -> lab::writer::Progress {
    let deadline = w.lab().deadline(secs);
    w.wait_for(after.pg + 200, after.redis + 200, deadline)
        .unwrap_or_else(|e| panic!("{e:#}\nwriter log:\n{}", w.log().unwrap_or_default()))
}

/// Stops the writer and checks every acknowledged row and key on each of `hosts`.
fn stop_and_verify(w: &Writer, hosts: &[&str]) -> lab::writer::Progress {
    let p = w
        .stop(w.lab().deadline(30))
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(p.pg >= 1000 && p.redis >= 1000, "too few writes: {p:?}");
    for h in hosts {
        let o = w.verify(h).unwrap_or_else(|e| panic!("{e:#}"));
        eprintln!("verify on {h}: {}", o.stdout.trim().replace('\n', " | "));
        assert_eq!(o.code, 0, "acknowledged writes lost on {h}: {o:?}");
        let lines: Vec<&str> = o.stdout.lines().collect();
        assert_eq!(
            lines[0],
            format!("pg acked={0} present={0} missing=0", p.pg),
            "{h}"
        );
        assert!(
            lines[1].starts_with(&format!("redis acked={0} present={0} missing=0 ", p.redis)),
            "{h}: {}",
            lines[1]
        );
    }
    p
}

fn lap(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

#[test]
fn graceful_crash_rejoin() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::default()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    let (be1, be2) = (NodeId::Be1, NodeId::Be2);
    lap(t0, "pair up: be1 master, be2 backup");

    // (a) graceful failover be1 -> be2; the writer on fe1
    let w = Writer::start(&lab, NodeId::Fe1, "graceful", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let before = w
        .wait_for(1000, 1000, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("(a) writer acknowledged {before:?}"));
    let o = run_long(
        &lab,
        be1,
        &format!("{PCC} stop keepalived --yes --wait 150"),
        200,
    );
    assert_eq!(o.code, 0, "stop keepalived: {o:?}");
    lap(t0, "(a) stop keepalived exited 0");
    wait_for(&lab, 60, "be2 to be a healthy master", |l| {
        l.status(be2).is_ok_and(|s| s.healthy_master())
    });
    let s1 = status(&lab, be1);
    assert_eq!(
        (s1.role.as_str(), s1.current.as_str(), s1.vip, s1.mounted),
        ("Secondary/Primary", "stop", false, false),
        "be1 after stop keepalived: {}",
        s1.summary()
    );
    assert!(s1.postgresql.starts_with("down") && s1.redis_lb.starts_with("down"));
    let log1 = run(&lab, be1, &format!("cat {CLUSTER_LOG}")).stdout;
    assert!(
        log1.contains(": Transitioned to stop\n"),
        "be1 did not finish its notify_stop transition:\n{log1}"
    );
    let mid = wait_writes_resume(&w, before, 60);
    lap(t0, &format!("(a) writes resumed on be2: {mid:?}"));
    stop_and_verify(&w, &[VIP, NodeId::Be2.public_ip()]);
    ha_status_passes(&lab, be2, true);
    let o = run_long(
        &lab,
        be1,
        &format!("{PCC} start keepalived --yes --wait 120"),
        150,
    );
    assert_eq!(o.code, 0, "start keepalived: {o:?}");
    wait_for(&lab, 60, "be2 master, be1 backup (nopreempt)", |l| {
        healthy_pair(l, be2)
    });
    ha_status_passes(&lab, be1, false);
    ha_status_passes(&lab, be2, true);
    lap(t0, "(a) done: be1 rejoined as backup, both pass ha-status");

    // (b) hard crash of the master (be2); the writer on fe1
    let w =
        Writer::start(&lab, NodeId::Fe1, "crash", 1_000_000).unwrap_or_else(|e| panic!("{e:#}"));
    let before = w
        .wait_for(1000, 1000, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(
        t0,
        &format!("(b) writer acknowledged {before:?}; crashing be2"),
    );
    lab.crash(be2).unwrap_or_else(|e| panic!("crash: {e:#}"));
    wait_for(&lab, 90, "be1 to take over alone", |l| {
        l.status(be1).is_ok_and(|s| lone_master(&s))
    });
    lap(t0, "(b) be1 is master");
    let mid = wait_writes_resume(&w, before, 90);
    lap(t0, &format!("(b) writes resumed on be1: {mid:?}"));
    stop_and_verify(&w, &[VIP, NodeId::Be1.public_ip()]);
    let o = run(&lab, be1, &format!("{PCC} ha-status"));
    eprintln!(
        "(b) ha-status on the survivor (exit {}):\n{}",
        o.code, o.stdout
    );
    let lines: Vec<&str> = o.stdout.lines().map(str::trim_end).collect();
    for want in [
        "[OK] cluster status = master",
        "[OK] found VIP IP address and I am master",
        "[OK] my DRBD partition is mounted and I am master",
        "[OK] postgresql is running correctly, and I am master.",
        "[OK] redis_lb is running correctly, and I am master.",
        "[OK] DRBD primary IP address pings",
        "[ERROR] DRBD secondary IP address does not ping",
        "[OK] keepalived is running.",
    ] {
        assert!(
            lines.contains(&want),
            "ha-status lacks {want:?}:\n{}",
            o.stdout
        );
    }
    // the DRBD line is /proc/drbd's own: the peer is gone (WFConnection, Unknown), and its
    // copy marked Outdated when the fence-peer handler found it dead at the promotion
    assert!(
        lines.contains(
            &"[ERROR] my DRBD status is:  0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/Outdated C r-----"
        ),
        "DRBD line does not tell the peer is gone:\n{}",
        o.stdout
    );
    // the exit code is the first failing check's: the DRBD status check (4)
    assert_eq!(o.code, 4, "ha-status exit code:\n{}", o.stdout);
    assert!(lines.contains(&"[ERROR] ERRORS WERE DETECTED."));
    assert!(!lines.contains(&"[OK] all checks passed."));
    lap(t0, "(b) done: 0 acknowledged writes lost");

    // (c) be2 boots again: no takeover, rejoins as secondary, resyncs
    lab.start(be2)
        .unwrap_or_else(|e| panic!("start be2: {e:#}"));
    lap(t0, "(c) be2 booted");
    wait_for(&lab, 120, "be1 master, be2 backup in sync", |l| {
        let s2 = l.status(be2).unwrap_or_default();
        // be2 must never hold the VIP or the data while rejoining
        assert!(
            !s2.vip && !s2.role.starts_with("Primary"),
            "be2 took over: {}",
            s2.summary()
        );
        healthy_pair(l, be1)
    });
    ha_status_passes(&lab, be1, true);
    ha_status_passes(&lab, be2, false);
    lap(
        t0,
        "(c) done: be2 rejoined as backup, UpToDate/UpToDate, both pass ha-status",
    );
}

/// One sample of a node, read in one exec: services first, then the DRBD role, then the
/// mount (so "services up" implies the role read just after was current).
#[derive(Debug, Clone)]
struct Sample {
    t: f64,
    services_up: bool,
    ro: String,
    mounted: bool,
}

/// One sample: the HA services' runit `stat`, then the DRBD role and the mount, then the
/// services again. A service counts as up only when it was up at both reads: a transition
/// stops services before it unmounts and mounts before it starts them, so a service up
/// before and after the role and mount reads was up while they were read (one read of each
/// in turn saw a stop-and-unmount between the reads as "up while not mounted").
const SAMPLE: &str = r#"s() { for v in postgresql redis_lb; do cat /opt/opscode/service/$v/supervise/stat 2>/dev/null || echo none; done | tr '\n' ';'; }
a=$(s)
ro=$(sed -n 's/.* ro:\([^ ]*\) .*/\1/p' /proc/drbd)
m=0; grep -q ' /var/opt/opscode/drbd/data ' /proc/mounts && m=1
b=$(s)
echo "$a|$ro|$m|$b""#;

fn sample(lab: &Lab, n: NodeId, t0: Instant) -> Option<Sample> {
    let o = lab.exec_timeout(n, SAMPLE, Duration::from_secs(20)).ok()?;
    let mut p = o.stdout.trim().split('|');
    let before: Vec<&str> = p.next()?.split(';').collect();
    let ro = p.next()?.to_string();
    let mounted = p.next()? == "1";
    let after: Vec<&str> = p.next()?.split(';').collect();
    let services_up = before
        .iter()
        .zip(&after)
        .any(|(a, b)| a.starts_with("run") && b.starts_with("run"));
    Some(Sample {
        t: t0.elapsed().as_secs_f64(),
        services_up,
        ro,
        mounted,
    })
}

/// The cluster.log lines of the transitions (not the retries or the queued requests).
fn transition_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter_map(|l| l.split_once(": ").map(|(_, m)| m))
        .filter(|m| m.starts_with("Transitioning to ") || m.starts_with("Transitioned to "))
        .collect()
}

#[test]
fn flapping_and_queued_transitions() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    let (be1, be2) = (NodeId::Be1, NodeId::Be2);
    lap(t0, "pair up: be1 master, be2 backup");

    // (d) flapping: on each node 20 calls fired 0.2 s apart, alternating, in the background;
    // be1 starts with backup, be2 with master (so they fight), sampled throughout. Each call
    // is fired only once the previous one has recorded its request (its first act), so the
    // last request is the last call's on any machine: be1 ends wanting master, be2 backup.
    // Without that, on a loaded machine two calls could record out of order and leave both
    // wanting master, one retrying `drbdadm primary` until its attempts run out.
    for (n, first, second) in [(be1, "backup", "master"), (be2, "master", "backup")] {
        let script = format!(
            "rm -rf /run/flap && mkdir -p /run/flap && setsid -f bash -c 'for i in $(seq 1 20); do \
             if [ $((i % 2)) = 1 ] then w={first}; else w={second}; fi; \
             ( {PCC} cluster-transition $w >/dev/null 2>&1; echo \"$i $w $?\" >> /run/flap/rc ) & \
             k=0; until [ \"$(cat {REQUESTED} 2>/dev/null)\" = $w ]; do k=$((k+1)); \
             if [ $k -gt 600 ] then echo \"$i $w\" >> /run/flap/unordered; break; fi; sleep 0.05; done; \
             sleep 0.2; done; wait; touch /run/flap/done' </dev/null >/dev/null 2>&1"
        )
        .replace(" then", "; then");
        let o = run(&lab, n, &script);
        assert_eq!(o.code, 0, "{n}: {o:?}");
    }
    let stop = AtomicBool::new(false);
    let samples: Vec<(NodeId, Vec<Sample>)> = std::thread::scope(|s| {
        let hs: Vec<_> = NodeId::BACKENDS
            .iter()
            .map(|&n| {
                let lab = &lab;
                let stop = &stop;
                s.spawn(move || {
                    let mut v = Vec::new();
                    // a pause between samples: back to back they kept the guest's one
                    // CPU busy on their own (a sample took 4 s), beside the calls
                    let pause = lab.scaled(Duration::from_secs(2));
                    while !stop.load(Ordering::SeqCst) {
                        if let Some(x) = sample(lab, n, t0) {
                            v.push(x);
                        }
                        std::thread::sleep(pause);
                    }
                    (n, v)
                })
            })
            .collect();
        // the calls end (queued ones at once, the lock holders when their loop settles)
        let deadline = lab.deadline(400);
        let r = wait_until(deadline, "the flapping calls to end", || {
            let a = lab.exec(be1, "test -e /run/flap/done && echo y")?;
            let b = lab.exec(be2, "test -e /run/flap/done && echo y")?;
            Ok((a.stdout.trim() == "y" && b.stdout.trim() == "y").then_some(()))
        });
        lap(t0, "(d) flapping calls ended");
        stop.store(true, Ordering::SeqCst);
        let out = hs.into_iter().map(|h| h.join().unwrap()).collect();
        if let Err(e) = r {
            for n in NodeId::BACKENDS {
                let o = lab.exec(
                    n,
                    &format!(
                        "cat {REQUESTED}; cat /run/flap/rc /run/flap/unordered; cat /proc/drbd; tail -n 40 {CLUSTER_LOG}"
                    ),
                );
                eprintln!("--- {n} (request, calls ended, unordered, DRBD, cluster.log):");
                match o {
                    Ok(o) => eprintln!("{}", o.stdout),
                    Err(e) => eprintln!("unreadable: {e:#}"),
                }
            }
            panic!("{e:#}");
        }
        out
    });
    for n in NodeId::BACKENDS {
        let late = run(&lab, n, "cat /run/flap/unordered 2>/dev/null").stdout;
        assert!(
            late.trim().is_empty(),
            "{n}: these calls had not recorded their request after 30 s: {late}"
        );
        let rc = run(&lab, n, "cat /run/flap/rc").stdout;
        let lines: Vec<&str> = rc.lines().collect();
        assert_eq!(lines.len(), 20, "{n}: {rc}");
        for l in &lines {
            assert!(l.ends_with(" 0"), "{n}: a flapping call failed: {l}\n{rc}");
        }
    }
    let mut n_samples = 0;
    for (n, v) in &samples {
        n_samples += v.len();
        for x in v {
            assert_ne!(x.ro, "Primary/Primary", "{n}: both Primary at {x:?}");
            if x.services_up {
                assert!(
                    x.ro.starts_with("Primary/") && x.mounted,
                    "{n}: HA services up while not Primary+mounted: {x:?}"
                );
            }
        }
    }
    // services on both at once: a sample of one node with services up, bracketed by two
    // samples of the other with services up
    let (a, b) = (&samples[0].1, &samples[1].1);
    for (x, other) in [(a, b), (b, a)] {
        for s in x.iter().filter(|s| s.services_up) {
            let before = other.iter().rev().find(|o| o.t <= s.t);
            let after = other.iter().find(|o| o.t >= s.t);
            if let (Some(p), Some(q)) = (before, after) {
                assert!(
                    !(p.services_up && q.services_up),
                    "HA services up on both nodes around {s:?}: {p:?} {q:?}"
                );
            }
        }
    }
    let roles: BTreeSet<&str> = samples
        .iter()
        .flat_map(|(_, v)| v.iter().map(|x| x.ro.as_str()))
        .collect();
    lap(
        t0,
        &format!("(d) {n_samples} samples, roles seen {roles:?}"),
    );

    // settle to keepalived's view: the VIP holder is MASTER; ask it for master and the
    // other for backup (backup first, so the data is free), as notify hooks would
    let holder = NodeId::BACKENDS
        .into_iter()
        .find(|n| status(&lab, *n).vip)
        .expect("nobody holds the VIP");
    let o = run_long(
        &lab,
        holder.peer(),
        &format!("{PCC} cluster-transition backup"),
        300,
    );
    assert_eq!(o.code, 0, "{}: settle backup: {o:?}", holder.peer());
    let o = run_long(
        &lab,
        holder,
        &format!("{PCC} cluster-transition master"),
        300,
    );
    assert_eq!(o.code, 0, "{holder}: settle master: {o:?}");
    wait_for(&lab, 120, "the pair to match keepalived", |l| {
        healthy_pair(l, holder)
    });
    ha_status_passes(&lab, holder, true);
    ha_status_passes(&lab, holder.peer(), false);
    lap(
        t0,
        &format!("(d) settled: {holder} (VIP holder) master, peer backup"),
    );

    // (e) queued, not interleaved: backup on the master, then master while it stops services
    let m = holder;
    // the backup transition must still be running when the master request arrives, on any
    // machine: redis_lb (stopped first) takes `hold` seconds to stop, through a runit
    // control/d script that sleeps, then lets runsv send its TERM (exit 1)
    let hold = lab.scaled_secs(20);
    let control_d = "/opt/opscode/sv/redis_lb/control/d";
    let o = run(
        &lab,
        m,
        &format!("mkdir -p /opt/opscode/sv/redis_lb/control && printf '#!/bin/sh\\nsleep {hold}\\nexit 1\\n' > {control_d} && chmod 755 {control_d}"),
    );
    assert_eq!(o.code, 0, "{o:?}");
    let mark = run(&lab, m, &format!("wc -l < {CLUSTER_LOG}"))
        .stdout
        .trim()
        .parse::<usize>()
        .unwrap();
    let o = run(
        &lab,
        m,
        &format!("rm -f /run/e1.rc; setsid -f bash -c '{PCC} cluster-transition backup >/run/e1.out 2>&1; echo $? > /run/e1.rc' </dev/null >/dev/null 2>&1"),
    );
    assert_eq!(o.code, 0, "{o:?}");
    wait_for(&lab, 60, "the backup transition to stop services", |l| {
        l.exec(m, &format!("tail -n +{} {CLUSTER_LOG}", mark + 1))
            .is_ok_and(|o| o.stdout.contains(": Stopping service "))
    });
    let t = Instant::now();
    let o = run(&lab, m, &format!("{PCC} cluster-transition master"));
    let took = t.elapsed();
    assert_eq!(o.code, 0, "queued call: {o:?}");
    assert!(
        o.stdout
            .lines()
            .any(|l| l == "Requested transition to master, but state transition already running."),
        "queued call output: {o:?}"
    );
    assert!(
        took < lab.scaled(Duration::from_secs(5)),
        "the queued call waited {took:?}"
    );
    wait_for(&lab, 120, "the first call to end", |l| {
        l.exec(m, "cat /run/e1.rc")
            .is_ok_and(|o| !o.stdout.trim().is_empty())
    });
    assert_eq!(run(&lab, m, "cat /run/e1.rc").stdout.trim(), "0");
    run(&lab, m, &format!("rm -f {control_d}"));
    let log = run(&lab, m, &format!("tail -n +{} {CLUSTER_LOG}", mark + 1)).stdout;
    assert_eq!(
        transition_lines(&log),
        vec![
            "Transitioning to backup",
            "Transitioned to backup",
            "Transitioning to master",
            "Transitioned to master"
        ],
        "cluster.log:\n{log}"
    );
    // nothing of the master transition before the backup one ended
    let msgs: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(_, m)| m))
        .collect();
    let end_backup = msgs
        .iter()
        .position(|m| *m == "Transitioned to backup")
        .unwrap();
    let queued = msgs
        .iter()
        .position(|m| *m == "Requested transition to master, but state transition already running.")
        .expect("queued line in cluster.log");
    assert!(
        queued < end_backup,
        "the request came after the backup ended:\n{log}"
    );
    for m in &msgs[..end_backup] {
        assert!(
            !m.starts_with("Attempting DRBD primary")
                && !m.starts_with("Starting service")
                && !m.starts_with("Mounting"),
            "master steps interleaved with the backup transition:\n{log}"
        );
    }
    wait_for(&lab, 60, "the pair back to the same master", |l| {
        healthy_pair(l, m)
    });
    ha_status_passes(&lab, m, true);
    lap(t0, "(e) done: queued, then master again");
}
