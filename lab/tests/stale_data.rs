//! Issue 10 on the real pair: a node whose data may be stale never promotes itself, and
//! availability does not regress where the data is current. Acknowledged writes through the
//! VIP (`lab::writer`); the writer runs on a node that stays up, and when no node stays up
//! its acknowledged records are copied to the host before the crash and checked with
//! `writer.py verify` on the pair that comes back.
//!
//! * `double_fault_old_master_boots_first`: crash the master (the survivor is promoted
//!   automatically: scenario 3), writes on the new master, crash it, boot the old master
//!   alone (it must never promote, mount or serve), then boot the other: nothing lost, the
//!   pair healthy with the newer data.
//! * `both_lose_power_and_boot_together`: both crash, both boot: the pair comes back by itself.
//! * `scenario_5_equal_and_one_newer`: both Secondary with the same data (`ha-recover auto
//!   --yes` promotes the bootstrap node, no `--promote` needed), then with be2 newer and
//!   disconnected (the diagnosis promotes be2; after the link heals, the runbook ends healthy).
//!
//! Each test logs both nodes' `drbdadm show-gi` at every phase (see `lab/GENERATION-IDS.md`).
//! Run one at a time: `cargo test --release -p lab --test stale_data -- --test-threads=1 NAME`.

use std::time::{Duration, Instant};

use lab::writer::Writer;
use lab::{shell_quote, wait_until, Lab, LabOptions, NodeId, NodeStatus, Output};

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
const VIP: &str = "198.51.100.10";
const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;
const ERROR_FILE: &str = "/var/opt/opscode/keepalived/current_cluster_status.error";

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec_timeout(n, cmd, Duration::from_secs(300)) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn lap(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

fn wait_for(lab: &Lab, secs: u64, what: &str, f: impl FnMut(&Lab) -> bool) {
    lab.wait_for(secs, what, f)
}

/// Either node a healthy master and the other a healthy backup; returns the master.
fn healthy_pair(lab: &Lab) -> Option<NodeId> {
    NodeId::BACKENDS.into_iter().find(|m| {
        lab.status(*m).is_ok_and(|s| s.healthy_master())
            && lab.status(m.peer()).is_ok_and(|s| s.healthy_backup())
    })
}

fn lone_master(s: &NodeStatus) -> bool {
    s.role.starts_with("Primary/")
        && s.current == "master"
        && s.vip
        && s.mounted
        && s.postgresql.starts_with("run")
        && s.pg_ready
}

/// `drbdadm get-gi pc0` and the flags line of show-gi, logged.
fn log_gi(lab: &Lab, when: &str) {
    for n in NodeId::BACKENDS {
        if !lab.is_running(n) {
            eprintln!("  gi {when}: {n}: down");
            continue;
        }
        let o = run(
            lab,
            n,
            "drbdadm show-gi pc0 2>&1 | grep -E '^[0-9A-F]{16}:|^flags'; sed -n 3p /proc/drbd",
        );
        eprintln!("  gi {when}: {n}: {}", o.stdout.trim().replace('\n', " | "));
    }
}

/// The writer's acknowledged records (copied before its node goes down).
struct Acked {
    pg: String,
    redis: String,
}

fn save_acked(lab: &Lab, w: &Writer) -> Acked {
    let d = shell_quote(w.dir());
    let pg = run(lab, w.node(), &format!("cat {d}/pg.acked")).stdout;
    let redis = run(lab, w.node(), &format!("cat {d}/redis.acked")).stdout;
    Acked { pg, redis }
}

/// Puts the records on `n` and runs `writer.py verify` there against `host`: nothing missing.
fn verify_acked(lab: &Lab, n: NodeId, a: &Acked, host: &str) -> (u64, u64) {
    let d = "/run/lab-writer/copied";
    let o = run(
        lab,
        n,
        &format!(
            "rm -rf {d} && mkdir -p {d} && printf %s {} > {d}/pg.acked && printf %s {} > {d}/redis.acked && python3 /opt/lab/writer.py verify {d} --host {host}",
            shell_quote(&a.pg),
            shell_quote(&a.redis)
        ),
    );
    eprintln!("verify on {host}: {}", o.stdout.trim().replace('\n', " | "));
    assert_eq!(o.code, 0, "acknowledged writes lost on {host}: {o:?}");
    let pg: u64 =
        a.pg.lines()
            .filter_map(|l| {
                let (lo, hi) = l.split_once(' ')?;
                Some(hi.trim().parse::<u64>().ok()? - lo.trim().parse::<u64>().ok()? + 1)
            })
            .sum();
    let redis = a.redis.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines[0], format!("pg acked={pg} present={pg} missing=0"));
    assert!(
        lines[1].starts_with(&format!("redis acked={redis} present={redis} missing=0 ")),
        "{}",
        lines[1]
    );
    (pg, redis)
}

#[test]
fn double_fault_old_master_boots_first() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "pair up: be1 master, be2 backup");
    log_gi(&lab, "healthy");

    // 1. crash the master; the writer on be2, which takes over by itself (scenario 3)
    let w = Writer::start(&lab, BE2, "double", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let before = w
        .wait_for(400, 400, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("writer acknowledged {before:?}; crashing be1"));
    lab.crash(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    let crashed_at = Instant::now();
    wait_for(&lab, 90, "be2 to take over alone", |l| {
        l.status(BE2).is_ok_and(|s| lone_master(&s))
    });
    lap(
        t0,
        &format!(
            "(b) be2 promoted automatically {:.1}s after the crash",
            crashed_at.elapsed().as_secs_f64()
        ),
    );
    log_gi(&lab, "be1 crashed, be2 promoted");
    // at least 300 rows and keys acknowledged by be2 alone, 1000 in all
    let taken_over = w.progress().unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .wait_for(
            (taken_over.pg + 300).max(1000),
            (taken_over.redis + 300).max(1000),
            lab.deadline(120),
        )
        .unwrap_or_else(|e| panic!("{e:#}\n{}", w.log().unwrap_or_default()));
    let p = w
        .stop(lab.deadline(30))
        .unwrap_or_else(|e| panic!("{e:#} ({p:?})"));
    lap(
        t0,
        &format!("writer stopped: {p:?} ({taken_over:?} when be2 had taken over)"),
    );
    assert!(p.pg >= 1000 && p.redis >= 1000, "too few writes: {p:?}");
    let acked = save_acked(&lab, &w);

    // 2. crash be2 too; boot be1 (stale) alone: it must never promote, mount or serve
    lab.crash(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    lab.start(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, "be2 crashed; be1 booted alone");
    let alone = Instant::now();
    let mut saw_master_request = false;
    while alone.elapsed() < lab.scaled(Duration::from_secs(45)) {
        let s = lab.status(BE1).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            !s.role.starts_with("Primary") && !s.mounted && !s.postgresql.starts_with("run"),
            "be1 (stale) promoted, mounted or served while alone: {}",
            s.summary()
        );
        saw_master_request |= s.requested == "master";
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(
        saw_master_request,
        "keepalived never asked be1 for master: the test did not test the gate"
    );
    log_gi(&lab, "be1 booted alone (refused)");
    let err = run(&lab, BE1, &format!("cat {ERROR_FILE}")).stdout;
    assert!(
        err.contains("Not promoting") && err.contains("master-recover --force"),
        "error file: {err}"
    );
    let hs = run(&lab, BE1, &format!("{PCC} ha-status"));
    assert_ne!(hs.code, 0);
    assert!(
        hs.stdout.contains("master-recover --force"),
        "ha-status does not name the fix:\n{}",
        hs.stdout
    );
    let j: serde_json::Value =
        serde_json::from_str(&run(&lab, BE1, &format!("{PCC} ha-status --json")).stdout)
            .unwrap_or_else(|e| panic!("ha-status --json: {e}"));
    let g = &j["generation"];
    eprintln!("ha-status --json generation on be1 alone: {g}");
    assert_eq!(g["ids"]["flags"]["crashed_primary"], true, "{g}");
    assert_eq!(g["assessment"]["promotable"], false, "{g}");
    assert!(g["witness"]["last_connected"].is_null(), "{g}");
    let diag = run(&lab, BE1, &format!("{PCC} ha-diagnose"));
    eprintln!("ha-diagnose on be1 alone:\n{}", diag.stdout);
    // with fencing, a node that boots without its peer attaches Consistent (not proven
    // current): DRBD would not promote it either, and the diagnosis names the copy
    assert!(
        diag.stdout.starts_with("Outdated copy"),
        "ha-diagnose on be1 alone: {}",
        diag.stdout
    );
    // what monitoring is handed (the peer is down: asked, unreachable): the lint passes,
    // be1's disk is Consistent and may not be promoted alone (the refused transition is the
    // alert), its peer is down
    let m = lab::prom::linted_metrics(&lab, BE1, &["--no-frontends"])
        .unwrap_or_else(|e| panic!("be1 alone: {e:#}"));
    assert_eq!(
        lab::prom::state_of(&m, "chef_ha_drbd_disk_state", "state", &[("node", "local")])
            .as_deref(),
        Some("Consistent"),
        "be1 alone: disk state"
    );
    for (name, want) in [
        ("chef_ha_came_back_alone", 0.0),
        ("chef_ha_transition_error", 1.0),
        ("chef_ha_promotable_alone", 0.0),
        ("chef_ha_peer_up", 0.0),
        ("chef_ha_data_dir_mounted", 0.0),
    ] {
        assert_eq!(
            lab::prom::value(&m, name, &[]),
            Some(want),
            "be1 alone: {name}"
        );
    }
    lap(
        t0,
        "be1 stayed Secondary, unmounted, services down; the reason is recorded",
    );

    // 3. boot be2 (newer): it resyncs be1, which is then promoted; nothing lost
    lab.start(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, "be2 booted");
    wait_for(&lab, 180, "a healthy pair", |l| healthy_pair(l).is_some());
    let m = healthy_pair(&lab).unwrap_or(BE1);
    lap(t0, &format!("pair healthy, {m} master"));
    log_gi(&lab, "be2 returned, pair healthy");
    let (pg, redis) = verify_acked(&lab, m.peer(), &acked, VIP);
    lap(
        t0,
        &format!(
            "all {pg} rows and {redis} keys acknowledged are served ({} rows, {} keys on be2 alone)",
            pg.saturating_sub(taken_over.pg),
            redis.saturating_sub(taken_over.redis)
        ),
    );
}

#[test]
fn both_lose_power_and_boot_together() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "pair up: be1 master, be2 backup");
    let w = Writer::start(&lab, BE2, "power", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .wait_for(1000, 1000, lab.deadline(120))
        .unwrap_or_else(|e| panic!("{e:#}"));
    // power cut on the master; the writer on be2 stops getting acknowledgements at once,
    // its records are copied, then be2 loses power too (before keepalived there notices)
    lab.crash(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    let acked = save_acked(&lab, &w);
    lab.crash(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, &format!("both lost power ({p:?} acknowledged before)"));
    // one after the other from this thread (a test's guests die with the thread that
    // started them); `start` returns when the guest answers, a few seconds apart
    lab.start(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    lab.start(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    lap(t0, "both booted");
    log_gi(&lab, "both booted");
    wait_for(&lab, 240, "the pair to come back by itself", |l| {
        healthy_pair(l).is_some()
    });
    let m = healthy_pair(&lab).unwrap_or(BE1);
    lap(t0, &format!("pair healthy by itself, {m} master"));
    log_gi(&lab, "pair healthy");
    let (pg, redis) = verify_acked(&lab, m.peer(), &acked, VIP);
    lap(t0, &format!("all {pg} rows and {redis} keys are served"));
}

/// `ha-diagnose --json` on `n`.
fn diagnose(lab: &Lab, n: NodeId) -> serde_json::Value {
    let o = run(lab, n, &format!("{PCC} ha-diagnose --json"));
    serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{n}: ha-diagnose: {e}: {o:?}"))
}

fn diagnose_until(lab: &Lab, n: NodeId, slug: &str, secs: u64) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    let deadline = lab.deadline(secs);
    let r = wait_until(deadline, &format!("{n}: ha-diagnose says {slug}"), || {
        last = diagnose(lab, n);
        Ok((last["situation"] == slug).then(|| last.clone()))
    });
    r.unwrap_or_else(|e| panic!("{e:#}\nlast diagnosis: {last:#}"))
}

/// `ha-recover auto --yes --json` on `n`: exit 0 and a done event `ok`.
fn recover_auto(lab: &Lab, n: NodeId) {
    let o = run(lab, n, &format!("{PCC} ha-recover auto --yes --json"));
    let done = o
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .rfind(|e| e["event"] == "done");
    assert_eq!(o.code, 0, "{n}: ha-recover auto --yes: {o:?}");
    assert_eq!(
        done.map(|d| d["result"].clone()),
        Some("ok".into()),
        "{o:?}"
    );
}

fn ok(lab: &Lab, n: NodeId, cmd: &str) -> String {
    let o = run(lab, n, cmd);
    assert_eq!(o.code, 0, "{n}: `{cmd}`: {o:?}");
    o.stdout
}

fn both_secondary(lab: &Lab) -> bool {
    let a = lab.status(BE1).unwrap_or_default();
    let b = lab.status(BE2).unwrap_or_default();
    a.role.starts_with("Secondary/") && b.role.starts_with("Secondary/") && !a.mounted && !b.mounted
}

/// The Primary with services up and PostgreSQL ready.
fn serving(lab: &Lab) -> Option<NodeId> {
    NodeId::BACKENDS.into_iter().find(|n| {
        lab.status(*n).is_ok_and(|s| {
            s.role.starts_with("Primary/")
                && s.mounted
                && s.pg_ready
                && s.dstate == "UpToDate/UpToDate"
        })
    })
}

#[test]
fn scenario_5_equal_and_one_newer() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "pair up: be1 master, be2 backup");
    let w = Writer::start(&lab, BE2, "s5", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .wait_for(1000, 1000, lab.deadline(120))
        .unwrap_or_else(|e| panic!("{e:#}"));
    let p = w
        .stop(lab.deadline(30))
        .unwrap_or_else(|e| panic!("{e:#} {p:?}"));
    lap(t0, &format!("writer acknowledged {p:?}"));

    // 1. equal data: keepalived stopped on both (the master's notify demotes it)
    for n in [BE2, BE1] {
        ok(&lab, n, "sv -w 60 stop /opt/opscode/service/keepalived");
    }
    wait_for(&lab, 120, "both Secondary", both_secondary);
    log_gi(&lab, "scenario 5, equal data");
    let d = diagnose_until(&lab, BE2, "scenario-5", 60);
    lap(t0, &format!("diagnosed on be2: {}", d["title"]));
    assert_eq!(d["relation"]["relation"], "same", "{d:#}");
    assert_eq!(
        d["details"]["promote"], "be1.lab.example",
        "a true tie promotes the bootstrap node: {d:#}"
    );
    recover_auto(&lab, BE2);
    wait_for(&lab, 120, "be1 serving", |l| serving(l) == Some(BE1));
    lap(
        t0,
        "equal data: ha-recover auto --yes on be2 promoted be1 (bootstrap)",
    );
    let o = w
        .verify(BE1.public_ip())
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(o.code, 0, "acknowledged writes lost: {o:?}");

    // 2. one node newer: be2 becomes Primary, loses the cluster link, writes alone, is
    //    demoted: both Secondary, be2 newer, not connected
    ok(&lab, BE1, &format!("{PCC} backup-recover --yes"));
    ok(&lab, BE2, &format!("{PCC} master-recover --yes"));
    lab.cut_link(BE2, lab::Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    wait_for(&lab, 60, "be2 to notice the cut", |l| {
        l.status(BE2).is_ok_and(|s| s.cstate != "Connected")
    });
    // be2's I/O is frozen until its fence-peer handler has outdated be1: PostgreSQL, just
    // started by master-recover, answers once it resumes
    wait_for(&lab, 120, "be1 outdated, be2's PostgreSQL ready", |l| {
        l.status(BE2).is_ok_and(|s| s.pg_ready)
            && l.status(BE1)
                .is_ok_and(|s| s.dstate.starts_with("Outdated/"))
    });
    let sql = "psql -h /var/run/postgresql -U postgres -v ON_ERROR_STOP=1 -Atqc";
    ok(
        &lab,
        BE2,
        &format!("{sql} 'create table newer (id int primary key)' && {sql} 'insert into newer select generate_series(1, 1000)'"),
    );
    ok(&lab, BE2, &format!("{PCC} backup-recover --yes"));
    wait_for(&lab, 120, "both Secondary", both_secondary);
    log_gi(&lab, "scenario 5, be2 newer, disconnected");
    let d = diagnose_until(&lab, BE1, "scenario-5", 60);
    lap(t0, &format!("diagnosed on be1: {}", d["title"]));
    assert_eq!(d["relation"]["relation"], "peer-newer", "{d:#}");
    assert_eq!(d["details"]["promote"], "be2.lab.example", "{d:#}");
    // the link back: DRBD resyncs be1 from be2 (both Secondary), then the runbook
    lab.heal_link(BE2, lab::Link::Cluster)
        .unwrap_or_else(|e| panic!("{e:#}"));
    wait_for(&lab, 120, "connected again and in sync", |l| {
        l.status(BE1).is_ok_and(|s| s.drbd_in_sync())
    });
    log_gi(&lab, "link healed, resynced");
    let d = diagnose_until(&lab, BE1, "scenario-5", 60);
    lap(t0, &format!("diagnosed on be1: {}", d["title"]));
    recover_auto(&lab, BE1);
    let m = {
        wait_for(&lab, 120, "a node serving", |l| serving(l).is_some());
        serving(&lab).unwrap_or(BE1)
    };
    lap(
        t0,
        &format!("one node newer: ha-recover auto --yes ended with {m} serving"),
    );
    let n = ok(&lab, m, &format!("{sql} 'select count(*) from newer'"));
    assert_eq!(n.trim(), "1000", "rows written on be2 alone");
    let o = w.verify(m.public_ip()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(o.code, 0, "acknowledged writes lost: {o:?}");
    log_gi(&lab, "after ha-recover");
}
