//! Guided recovery on the real pair: each test recreates one of the Enterprise Chef HA
//! guide's failure situations, checks that `ha-diagnose --json` names it, runs
//! `ha-recover … --yes` and checks the end state and the data (rows written through the VIP
//! with psql from the node that stays up; every acknowledged id must be there afterwards).
//!
//! The states diagnosed are saved as `{"local","peer"}` fixtures under
//! `target/lab-fixtures/` (and, with `LAB_SAVE_FIXTURES=1`, as `fixtures/diagnose/lab/*.json`,
//! which `tests/diagnose_lab_fixtures.rs` checks: the pure diagnosis on real states).
//!
//! Needs `scripts/install-deps.sh` and `cargo build --release -p private-chef-ctl`; run with
//! `cargo test -p lab --release --test recovery -- --test-threads=1`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use lab::{prom, wait_until, Lab, LabOptions, Link, NodeId, Output};
use serde_json::Value;

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
const VIP: &str = "198.51.100.10";
const LOCAL_PG: &str = "/var/run/postgresql";
const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;

fn boot() -> Lab {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    eprintln!("lab up took {:.1}s", t0.elapsed().as_secs_f64());
    lab
}

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec_timeout(n, cmd, Duration::from_secs(600)) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn ok(lab: &Lab, n: NodeId, cmd: &str) -> String {
    let o = run(lab, n, cmd);
    assert_eq!(o.code, 0, "{n}: `{cmd}` failed: {o:?}");
    o.stdout.trim().to_string()
}

fn wait(lab: &Lab, what: &str, secs: u64, probe: impl FnMut() -> anyhow::Result<Option<()>>) {
    let deadline = lab.deadline(secs);
    wait_until(deadline, what, probe).unwrap_or_else(|e| panic!("{e:#}"));
}

/// Waits until `n`'s DRBD connection state is `cs`.
fn wait_cstate(lab: &Lab, n: NodeId, cs: &str, secs: u64) {
    wait(lab, &format!("{n}: cstate {cs}"), secs, || {
        Ok((lab.status(n)?.cstate == cs).then_some(()))
    });
}

/// `ha-diagnose --json` on `n`; the exit code must match the document's.
fn diagnose(lab: &Lab, n: NodeId) -> Value {
    let o = run(lab, n, &format!("{PCC} ha-diagnose --json"));
    let v: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{n}: ha-diagnose --json: {e}: {o:?}"));
    assert_eq!(
        v["exit_code"].as_i64(),
        Some(i64::from(o.code)),
        "{n}: exit code vs document: {v:#}"
    );
    v
}

/// Diagnoses on `n` until the situation is `slug` (states settle in a few seconds), saves
/// the views as a fixture, checks that the node's metrics in that situation pass the lint,
/// and returns the diagnosis.
fn diagnose_until(lab: &Lab, n: NodeId, slug: &str, fixture: &str, secs: u64) -> Value {
    let mut last = Value::Null;
    let deadline = lab.deadline(secs);
    let r = wait_until(deadline, &format!("{n}: ha-diagnose says {slug}"), || {
        last = diagnose(lab, n);
        Ok((last["situation"] == slug).then(|| last.clone()))
    });
    let v = r.unwrap_or_else(|e| panic!("{e:#}\nlast diagnosis: {last:#}"));
    save_fixture(fixture, &v);
    metrics(lab, n, slug);
    v
}

/// Saves `{"local","peer"}` of a diagnosis under target/lab-fixtures/ (and in
/// fixtures/diagnose/lab/ with LAB_SAVE_FIXTURES=1).
fn save_fixture(name: &str, d: &Value) {
    let doc = serde_json::json!({"local": d["local"], "peer": d["peer"]});
    let text = format!("{doc:#}\n");
    let dir = lab::target_dir().join("lab-fixtures");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.json")), &text);
    if std::env::var_os("LAB_SAVE_FIXTURES").is_some() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let p = root.join(format!("fixtures/diagnose/lab/{name}.json"));
        std::fs::write(&p, &text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
}

/// `ha-recover ARGS --json` on `n`: the exit code and the events.
fn recover(lab: &Lab, n: NodeId, args: &str) -> (i32, Vec<Value>, Output) {
    let t0 = Instant::now();
    let o = run(lab, n, &format!("{PCC} ha-recover {args} --json"));
    eprintln!(
        "{n}: ha-recover {args}: exit {} after {:.1}s",
        o.code,
        t0.elapsed().as_secs_f64()
    );
    let events: Vec<Value> = o
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (o.code, events, o)
}

fn done_event(events: &[Value]) -> &Value {
    events
        .iter()
        .rev()
        .find(|e| e["event"] == "done")
        .unwrap_or_else(|| panic!("no done event in {events:#?}"))
}

/// The commands of the steps that ended `status` (ok, skipped, failed, …).
fn steps_with(events: &[Value], status: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "step" && e["status"] == status)
        .map(|e| format!("{} {}", e["node"].as_str().unwrap_or("?"), e["command"]))
        .collect()
}

/// Waits until `master` is a healthy master and the other node a healthy backup, then
/// checks that `ha-status` exits 0 on both.
fn wait_healthy_pair(lab: &Lab, master: NodeId, secs: u64) {
    let backup = master.peer();
    let mut last = String::new();
    let deadline = lab.deadline(secs);
    wait_until(deadline, "a healthy pair", || {
        let m = lab.status(master)?;
        let b = lab.status(backup)?;
        last = format!("{master}: {}\n{backup}: {}", m.summary(), b.summary());
        Ok((m.healthy_master() && b.healthy_backup()).then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e:#}\n{last}"));
    for n in [master, backup] {
        let deadline = lab.deadline(60);
        let mut out = String::new();
        wait_until(deadline, &format!("{n}: ha-status exit 0"), || {
            let o = lab.exec(n, &format!("{PCC} ha-status"))?;
            out = format!("{}{}", o.stdout, o.stderr);
            Ok((o.code == 0).then_some(()))
        })
        .unwrap_or_else(|e| panic!("{e:#}\n{out}"));
    }
}

/// Creates the test table through `host` (the VIP or the local socket) from `n`.
fn create_table(lab: &Lab, n: NodeId, host: &str) {
    let deadline = lab.deadline(90);
    wait_until(deadline, &format!("{n}: create table via {host}"), || {
        let o = lab.exec(
            n,
            &format!(
                "psql -h {host} -U postgres -v ON_ERROR_STOP=1 -Atc \
                 'create table if not exists acked (id int primary key, pad text)'"
            ),
        )?;
        Ok((o.code == 0).then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
}

/// Inserts `batches` batches of `per` rows (ids from `first`) through `host` from `n`, one
/// transaction each; returns the acknowledged ids (those of batches psql reported
/// committed).
fn write_rows(lab: &Lab, n: NodeId, host: &str, first: u32, batches: u32, per: u32) -> Vec<u32> {
    let script = format!(
        "for b in $(seq 0 {last}); do a=$(( {first} + b * {per} )); z=$(( a + {per} - 1 )); \
         if timeout 20 psql -h {host} -U postgres -v ON_ERROR_STOP=1 -Atqc \
         \"insert into acked select g, repeat('x', 200) from generate_series($a, $z) g\" \
         >/dev/null 2>&1; then echo ACK $a $z; else echo NAK $a $z; fi; done",
        last = batches.saturating_sub(1)
    );
    let o = run(lab, n, &script);
    let mut acked = Vec::new();
    for l in o.stdout.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() == 3 && w[0] == "ACK" {
            let (a, z): (u32, u32) = (w[1].parse().unwrap(), w[2].parse().unwrap());
            acked.extend(a..=z);
        }
    }
    acked
}

/// The ids in the table, read through `host` from `n`.
fn read_ids(lab: &Lab, n: NodeId, host: &str) -> BTreeSet<u32> {
    let out = ok(
        lab,
        n,
        &format!("psql -h {host} -U postgres -v ON_ERROR_STOP=1 -Atc 'select id from acked'"),
    );
    out.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// Every acknowledged id is in the table.
fn assert_no_ack_lost(lab: &Lab, n: NodeId, host: &str, acked: &[u32]) {
    let have = read_ids(lab, n, host);
    let lost: Vec<u32> = acked
        .iter()
        .copied()
        .filter(|i| !have.contains(i))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged rows lost (of {}), e.g. {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(10)]
    );
    eprintln!("{n}: all {} acknowledged rows present", acked.len());
}

fn fin(t0: Instant, what: &str) {
    eprintln!("{what} took {:.1}s", t0.elapsed().as_secs_f64());
}

/// Progress with the test's elapsed time.
fn mark(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

/// Scenario 2 (and the peer view): the secondary's DRBD goes down, the primary writes on
/// (oos > 0); `ha-recover auto` brings it up over ssh and follows the resync.
#[test]
fn scenario_2_secondary_lost_primary_ahead() {
    let t0 = Instant::now();
    let lab = boot();

    // the peer view on both nodes matches each node's own ha-status --json
    mark(t0, "peer views");
    peer_views_match(&lab);
    for n in NodeId::BACKENDS {
        let d = diagnose(&lab, n);
        assert_eq!(d["situation"], "healthy", "{n}: {d:#}");
        assert_eq!(d["exit_code"], 0);
    }
    save_fixture("healthy", &diagnose(&lab, BE1));

    mark(t0, "write");
    create_table(&lab, BE2, VIP);
    let mut acked = write_rows(&lab, BE2, VIP, 0, 5, 100);
    assert_eq!(acked.len(), 500);

    mark(t0, "drbdadm down on be2");
    ok(&lab, BE2, "drbdadm down pc0");
    wait_cstate(&lab, BE1, "WFConnection", 120);
    acked.extend(write_rows(&lab, BE2, VIP, 1000, 10, 100));
    assert!(acked.len() >= 1400, "{} acked", acked.len());

    mark(t0, "diagnose");
    let d = diagnose_until(&lab, BE1, "scenario-2", "scenario-2-peer-drbd-down", 60);
    assert!(d["details"]["oos_kib"].as_u64().unwrap_or(0) > 0, "{d:#}");
    assert_eq!(d["details"]["primary"], "be1.lab.example");
    assert_eq!(d["details"]["secondary"], "be2.lab.example");
    assert_eq!(d["peer"]["state"], "reachable", "{d:#}");

    mark(t0, "recover");
    let (code, ev, o) = recover(&lab, BE1, "auto --yes");
    assert_eq!(code, 0, "{o:?}");
    assert_eq!(done_event(&ev)["result"], "ok");
    let ran = steps_with(&ev, "ok");
    assert!(
        ran.iter()
            .any(|s| s.starts_with("be2") && s.contains("drbdadm up pc0")),
        "{ran:?}"
    );

    mark(t0, "wait healthy pair");
    wait_healthy_pair(&lab, BE1, 180);
    let d = diagnose(&lab, BE1);
    assert_eq!(d["situation"], "healthy", "{d:#}");
    acked.extend(write_rows(&lab, BE2, VIP, 5000, 2, 100));
    assert_no_ack_lost(&lab, BE1, LOCAL_PG, &acked);
    fin(t0, "scenario 2");
}

/// Scenario 3: keepalived on the survivor is stopped (so it does not take over, as in the
/// guide's situation), the primary crashes in sync; `ha-recover scenario-3` on the survivor
/// promotes it and runs master-recover; the old primary comes back Secondary and resyncs.
#[test]
fn scenario_3_primary_lost_secondary_up_to_date() {
    let t0 = Instant::now();
    let lab = boot();
    create_table(&lab, BE2, VIP);
    let mut acked = write_rows(&lab, BE2, VIP, 0, 10, 100);
    assert_eq!(acked.len(), 1000);

    ok(&lab, BE2, "sv -w 30 stop /opt/opscode/service/keepalived");
    mark(t0, "crash be1");
    lab.crash(BE1)
        .unwrap_or_else(|e| panic!("crash be1: {e:#}"));
    wait_cstate(&lab, BE2, "WFConnection", 120);

    let d = diagnose_until(&lab, BE2, "scenario-3", "scenario-3", 90);
    assert_eq!(d["details"]["survivor"], "be2.lab.example", "{d:#}");
    assert_eq!(d["details"]["lost"], "be1.lab.example", "{d:#}");
    assert_eq!(d["details"]["disk"], "UpToDate", "{d:#}");
    assert_eq!(d["peer"]["state"], "unreachable", "{d:#}");

    mark(t0, "recover");
    let (code, ev, o) = recover(&lab, BE2, "scenario-3 --yes");
    assert_eq!(code, 0, "{o:?}");
    assert_eq!(done_event(&ev)["result"], "ok");
    let s = lab.status(BE2).unwrap();
    assert!(s.role.starts_with("Primary/"), "{}", s.summary());
    assert!(s.mounted && s.pg_ready, "{}", s.summary());
    assert!(
        s.postgresql.starts_with("run") && s.redis_lb.starts_with("run"),
        "{}",
        s.summary()
    );
    assert_no_ack_lost(&lab, BE2, LOCAL_PG, &acked);
    acked.extend(write_rows(&lab, BE2, LOCAL_PG, 2000, 5, 100));

    // keepalived back on the survivor: it becomes VRRP master of its own (be1 is down)
    ok(
        &lab,
        BE2,
        "rm -f /opt/opscode/sv/keepalived/down; sv -w 30 start /opt/opscode/service/keepalived",
    );
    wait(&lab, "be2 holds the VIP as master", 120, || {
        let s = lab.status(BE2)?;
        Ok((s.vip && s.current == "master" && s.requested == "master").then_some(()))
    });
    acked.extend(write_rows(&lab, BE2, VIP, 3000, 5, 100));

    // the old primary comes back: it stays Secondary and resyncs from be2
    mark(t0, "start be1");
    lab.start(BE1)
        .unwrap_or_else(|e| panic!("start be1: {e:#}"));
    mark(t0, "wait healthy pair");
    wait_healthy_pair(&lab, BE2, 300);
    let d = diagnose(&lab, BE1);
    assert_eq!(d["situation"], "healthy", "{d:#}");
    assert_no_ack_lost(&lab, BE2, VIP, &acked);
    fin(t0, "scenario 3");
}

/// The `.img` path the split-brain runbook reports in its notes.
fn kept_image_path(done: &Value) -> String {
    let notes = done["notes"].as_array().cloned().unwrap_or_default();
    for n in &notes {
        let t = n.as_str().unwrap_or("");
        if let Some(w) = t
            .split_whitespace()
            .find(|w| w.starts_with('/') && w.contains("split-brain-") && w.contains(".img"))
        {
            return w.trim_end_matches([',', '.', ':', ';']).to_string();
        }
    }
    panic!("no kept image path in the notes: {done:#}");
}

/// Split brain: the cluster link is cut, both nodes are Primary and write, the link heals:
/// both StandAlone, the handler (drbd.conf) records it; `ha-recover split-brain` keeps the
/// victim's data in an image, discards it, resyncs from the survivor.
#[test]
fn split_brain() {
    let t0 = Instant::now();
    let lab = boot();
    create_table(&lab, BE2, VIP);
    let mut acked = write_rows(&lab, BE2, VIP, 0, 5, 100);
    assert_eq!(acked.len(), 500);

    mark(t0, "cut link");
    lab.cut_link(BE1, Link::Cluster).unwrap();
    wait_cstate(&lab, BE1, "WFConnection", 120);
    wait_cstate(&lab, BE2, "WFConnection", 120);

    // the survivor (be1, the master) writes more than the victim will
    acked.extend(write_rows(&lab, BE2, VIP, 1000, 10, 200));
    assert!(acked.len() >= 2500, "{} acked", acked.len());
    let ballast = "/var/opt/opscode/drbd/data/survivor-ballast";
    let sum = ok(
        &lab,
        BE1,
        &format!(
            "dd if=/dev/urandom of={ballast} bs=1M count=8 conv=fsync status=none && \
             md5sum < {ballast}"
        ),
    );
    // fencing: be1's fence-peer handler outdated be2 over the public link before be1's
    // writes went on, so DRBD refuses to promote be2 ...
    wait(
        &lab,
        "be2 Outdated by be1's fence-peer handler",
        120,
        || {
            let o = run(&lab, BE2, "drbdadm dstate pc0");
            Ok(o.stdout.trim().starts_with("Outdated/").then_some(()))
        },
    );
    let refused = run(&lab, BE2, "drbdadm primary pc0");
    assert_ne!(
        refused.code, 0,
        "be2 promoted an Outdated copy: {refused:?}"
    );
    // ... and only an operator's --force makes the split brain this test needs: the
    // victim (be2) becomes Primary too and writes a little
    ok(
        &lab,
        BE2,
        "drbdadm primary --force pc0 && mkdir -p /mnt/sb && mount /dev/drbd0 /mnt/sb && \
         echo victim-was-here > /mnt/sb/victim-marker && sync && umount /mnt/sb",
    );
    mark(t0, "heal link");
    lab.heal_link(BE1, Link::Cluster).unwrap();

    let d = diagnose_until(&lab, BE1, "split-brain", "split-brain-both-primary", 180);
    assert_eq!(d["details"]["victim"], "be2.lab.example", "{d:#}");
    assert_eq!(d["details"]["survivor"], "be1.lab.example", "{d:#}");
    // after-sb-2pri disconnect: DRBD resolves nothing by itself ("unresolved, dropping
    // connection!", the split-brain handlers), or the connection drops first (no handler);
    // which side ends StandAlone first varies. Wait until one side is StandAlone and
    // neither is connected.
    wait(&lab, "one side StandAlone, none connected", 60, || {
        let a = lab.status(BE1)?.cstate;
        let b = lab.status(BE2)?.cstate;
        Ok(((a == "StandAlone" || b == "StandAlone")
            && !["Connected", "SyncSource", "SyncTarget"].contains(&a.as_str())
            && !["Connected", "SyncSource", "SyncTarget"].contains(&b.as_str()))
        .then_some(()))
    });
    // be1 stays Primary; be2 is Primary, or was demoted by DRBD ("Sync from peer node")
    // before the connection dropped: its divergent data is there either way
    let s = lab.status(BE1).unwrap();
    assert!(s.role.starts_with("Primary/"), "be1: {}", s.summary());
    // the handler, when DRBD called it, ran from drbd.conf with DRBD's environment
    let mut records = 0;
    for n in NodeId::BACKENDS {
        let log = run(
            &lab,
            n,
            "cat /var/opt/opscode/drbd/split-brain.log 2>/dev/null",
        );
        eprintln!("{n}: split-brain.log: {}", log.stdout.trim());
        for l in log.stdout.lines() {
            let Ok(r) = serde_json::from_str::<Value>(l) else {
                continue;
            };
            assert_eq!(r["resource"], "pc0", "{n}: {r}");
            assert_eq!(r["minor"], 0, "{n}: {r}");
            assert_eq!(r["node"], n.fqdn(), "{n}: {r}");
            assert_eq!(r["peer"], n.peer().fqdn(), "{n}: {r}");
            assert_eq!(r["peer_address"], n.peer().cluster_ip(), "{n}: {r}");
            assert_eq!(r["backing_disk"], "/dev/opscode/drbd", "{n}: {r}");
            records += 1;
        }
    }
    let d = diagnose(&lab, BE1);
    assert_eq!(d["situation"], "split-brain", "{d:#}");
    // what monitoring is handed: be1's metrics (with the peer's identifiers) pass the lint
    // and say split brain, the data diverged
    let m = metrics(&lab, BE1, "split brain");
    assert_eq!(
        prom::value(&m, "chef_ha_drbd_split_brain", &[("resource", "pc0")]),
        Some(1.0)
    );
    // a forced promotion of an Outdated copy may start a data generation that shares no
    // history the other side still records: diverged or unrelated, never `same`
    let relation = prom::state_of(&m, "chef_ha_drbd_data_relation", "relation", &[]);
    assert!(
        matches!(relation.as_deref(), Some("diverged" | "unrelated")),
        "data relation after a split brain: {relation:?}"
    );
    if records > 0 {
        // a record on either node (the peer's is fetched over ssh) dates the split brain
        assert!(!d["details"]["since"].is_null(), "{d:#}");
        save_fixture("split-brain-handler-record", &d);
    } else {
        eprintln!("note: DRBD dropped the connection before calling the split-brain handler");
    }

    // discarding data needs the resource typed
    mark(t0, "recover");
    let before = [lab.status(BE1).unwrap(), lab.status(BE2).unwrap()];
    let (code, ev, o) = recover(&lab, BE1, "split-brain --yes");
    assert_eq!(code, 2, "{o:?}");
    assert_eq!(done_event(&ev)["result"], "refused");
    // refused before any step: nothing changed on either node
    assert!(steps_with(&ev, "ok").is_empty(), "{ev:#?}");
    let after = [lab.status(BE1).unwrap(), lab.status(BE2).unwrap()];
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.role, &b.cstate),
            (&a.role, &a.cstate),
            "{}",
            a.summary()
        );
    }

    mark(t0, "recover");
    let (code, ev, o) = recover(&lab, BE1, "split-brain --yes --confirm-resource pc0");
    assert_eq!(code, 0, "{o:?}");
    let done = done_event(&ev);
    assert_eq!(done["result"], "ok");
    let img = kept_image_path(done);
    let size = ok(&lab, BE2, &format!("stat -c %s {img}"));
    let dev = ok(&lab, BE2, "blockdev --getsize64 /dev/opscode/drbd");
    assert_eq!(size, dev, "{img} has the backing device's size");
    let marker = ok(
        &lab,
        BE2,
        &format!("debugfs -R 'cat /victim-marker' {img} 2>/dev/null"),
    );
    assert_eq!(
        marker, "victim-was-here",
        "the victim's divergent data is in {img}"
    );

    mark(t0, "wait healthy pair");
    wait_healthy_pair(&lab, BE1, 240);
    let d = diagnose(&lab, BE2);
    assert_eq!(d["situation"], "healthy", "{d:#}");
    assert_eq!(
        ok(&lab, BE1, &format!("md5sum < {ballast}")),
        sum,
        "the survivor's data"
    );
    assert_no_ack_lost(&lab, BE2, VIP, &acked);
    fin(t0, "split brain");
}

/// `private-chef-ctl metrics --no-frontends` on `n` (the peer asked over ssh), linted by
/// the host's promtool.
fn metrics(lab: &Lab, n: NodeId, state: &str) -> Vec<prom::Sample> {
    let m = prom::linted_metrics(lab, n, &["--no-frontends"])
        .unwrap_or_else(|e| panic!("{state}: {e:#}"));
    eprintln!("{n} ({state}): metrics pass promtool check metrics");
    m
}

/// Stops keepalived on `n` (its notify runs `cluster-transition`, which demotes a master).
fn stop_keepalived(lab: &Lab, n: NodeId) {
    ok(lab, n, "sv -w 60 stop /opt/opscode/service/keepalived");
}

/// Items 7 and 5: while the master's keepalived stops, its `cluster-transition backup`
/// runs and `ha-diagnose` there says transition-in-progress; then both nodes are
/// Secondary (scenario 5): `ha-recover scenario-5` promotes one (a tie needs --promote),
/// skips the reset steps, and nothing acknowledged is lost.
#[test]
fn transition_then_scenario_5_both_secondary() {
    let t0 = Instant::now();
    let lab = boot();
    create_table(&lab, BE2, VIP);
    let acked = write_rows(&lab, BE2, VIP, 0, 10, 100);
    assert_eq!(acked.len(), 1000);

    // Item 7. A real transition here is over (~1 s) before one ha-diagnose (~10 s under
    // TCG) ends, so hold the transition's own lock (flock(1) on the file cluster-transition
    // locks) the way a running transition does, and diagnose on both nodes.
    let lock = "/var/opt/opscode/keepalived/cluster-transition.lock";
    ok(
        &lab,
        BE1,
        &format!("(flock -x {lock} sleep 60 >/dev/null 2>&1 &); sleep 1"),
    );
    let d = diagnose(&lab, BE1);
    assert_eq!(d["situation"], "transition-in-progress", "{d:#}");
    assert_eq!(d["details"]["node"], "be1.lab.example", "{d:#}");
    assert_eq!(d["local"]["transition_lock_held"], true, "{d:#}");
    ok(&lab, BE1, &format!("fuser -k {lock} >/dev/null 2>&1; true"));
    wait(&lab, "the transition lock released", 30, || {
        let o = lab.exec(BE1, &format!("flock -n -x {lock} true"))?;
        Ok((o.code == 0).then_some(()))
    });
    save_fixture("transition-lock-held", &d);

    // Item 5: keepalived stopped on both (the master's notify demotes it): both Secondary
    stop_keepalived(&lab, BE2);
    mark(t0, "stop keepalived on be1");
    stop_keepalived(&lab, BE1);

    // both Secondary (the transition demoted be1)
    wait(&lab, "both Secondary", 120, || {
        let a = lab.status(BE1)?;
        let b = lab.status(BE2)?;
        Ok(
            (a.role == "Secondary/Secondary" && b.role == "Secondary/Secondary" && !a.mounted)
                .then_some(()),
        )
    });
    let d = diagnose_until(&lab, BE1, "scenario-5", "scenario-5-tie", 60);
    // what monitoring is handed: both Secondary and unmounted, keepalived down, no VIP,
    // the same data on both
    for n in NodeId::BACKENDS {
        let m = metrics(&lab, n, "scenario 5");
        let local = [("resource", "pc0"), ("node", "local")];
        assert_eq!(
            prom::state_of(&m, "chef_ha_drbd_role", "state", &local).as_deref(),
            Some("Secondary"),
            "{n}"
        );
        for (name, want) in [
            ("chef_ha_keepalived_up", 0.0),
            ("chef_ha_vip_present", 0.0),
            ("chef_ha_data_dir_mounted", 0.0),
            ("chef_ha_peer_up", 1.0),
        ] {
            assert_eq!(prom::value(&m, name, &[]), Some(want), "{n}: {name}");
        }
        assert_eq!(
            prom::state_of(&m, "chef_ha_drbd_data_relation", "relation", &[]).as_deref(),
            Some("same"),
            "{n}"
        );
    }
    let promote = d["details"]["promote"].clone();
    let args = if promote.is_null() {
        // a tie (both oos 0): without a terminal the choice must be given
        let (code, ev, o) = recover(&lab, BE1, "scenario-5 --yes");
        assert_eq!(code, 2, "{o:?}");
        assert_eq!(done_event(&ev)["result"], "refused");
        "scenario-5 --yes --promote be1.lab.example".to_string()
    } else {
        "scenario-5 --yes".to_string()
    };
    let promoted = promote.as_str().unwrap_or("be1.lab.example").to_string();
    let master = if promoted.starts_with("be1") {
        BE1
    } else {
        BE2
    };
    mark(t0, "recover");
    let (code, ev, o) = recover(&lab, BE1, &args);
    assert_eq!(code, 0, "{o:?}");
    assert_eq!(done_event(&ev)["result"], "ok");
    let skipped = steps_with(&ev, "skipped");
    assert!(
        skipped.iter().any(|s| s.contains("wipe-md"))
            && skipped.iter().any(|s| s.contains("create-md")),
        "the reset steps are skipped: {skipped:?}"
    );
    assert!(steps_with(&ev, "failed").is_empty(), "{ev:#?}");
    let s = lab.status(master).unwrap();
    assert!(
        s.role.starts_with("Primary/") && s.mounted && s.pg_ready,
        "{}",
        s.summary()
    );
    assert_no_ack_lost(&lab, master, LOCAL_PG, &acked);

    // keepalived back: the promoted node first, so it keeps the VIP
    for n in [master, master.peer()] {
        ok(
            &lab,
            n,
            "rm -f /opt/opscode/sv/keepalived/down; sv -w 30 start /opt/opscode/service/keepalived",
        );
        if n == master {
            wait(&lab, "the promoted node holds the VIP", 120, || {
                let s = lab.status(n)?;
                Ok((s.vip && s.current == "master").then_some(()))
            });
        }
    }
    mark(t0, "wait healthy pair");
    wait_healthy_pair(&lab, master, 180);
    assert_no_ack_lost(&lab, master.peer(), VIP, &acked);
    fin(t0, "transition + scenario 5");
}

/// Scenario 4: the secondary is made Inconsistent (`invalidate`, resync slowed down), the
/// primary crashes: while keepalived has the survivor's transition waiting in its retry loop,
/// `ha-diagnose` names scenario 4 (not only the transition); keepalived stopped,
/// `ha-recover scenario-4` is refused without `--confirm-resource`; with
/// it the survivor is forced Primary and serves; the likely loss is reported (notes) and
/// each step is in the audit log.
#[test]
fn scenario_4_primary_lost_secondary_inconsistent() {
    let t0 = Instant::now();
    let lab = boot();
    create_table(&lab, BE2, VIP);
    let acked = write_rows(&lab, BE2, VIP, 0, 5, 100);
    assert_eq!(acked.len(), 500);

    for n in NodeId::BACKENDS {
        ok(
            &lab,
            n,
            "drbdadm -- --c-plan-ahead=0 --resync-rate=64K disk-options pc0",
        );
    }
    ok(&lab, BE2, "drbdadm invalidate pc0");
    wait_cstate(&lab, BE2, "SyncTarget", 60);
    mark(t0, "crash be1");
    lab.crash(BE1)
        .unwrap_or_else(|e| panic!("crash be1: {e:#}"));
    wait_cstate(&lab, BE2, "WFConnection", 120);
    // keepalived asks be2 to be master; its transition waits in its retry loop (the gate
    // refuses an Inconsistent disk): the diagnosis still names the data situation
    wait(&lab, "be2 asked to be master", 120, || {
        Ok((lab.status(BE2)?.requested == "master").then_some(()))
    });
    let d = diagnose_until(&lab, BE2, "scenario-4", "scenario-4-transition-waiting", 90);
    eprintln!("scenario 4 while the transition waits: {}", d["title"]);
    let s2 = lab.status(BE2).unwrap();
    assert!(
        !s2.role.starts_with("Primary") && !s2.mounted,
        "be2 promoted an Inconsistent copy: {}",
        s2.summary()
    );
    stop_keepalived(&lab, BE2);

    let d = diagnose_until(&lab, BE2, "scenario-4", "scenario-4", 90);
    assert_eq!(d["details"]["survivor"], "be2.lab.example", "{d:#}");
    assert_eq!(d["details"]["lost"], "be1.lab.example", "{d:#}");
    assert_eq!(d["details"]["disk"], "Inconsistent", "{d:#}");

    mark(t0, "recover");
    let (code, ev, o) = recover(&lab, BE2, "scenario-4 --yes");
    assert_eq!(code, 2, "refused without --confirm-resource: {o:?}");
    assert_eq!(done_event(&ev)["result"], "refused");
    assert_eq!(lab.status(BE2).unwrap().role, "Secondary/Unknown");

    let (code, ev, o) = recover(&lab, BE2, "scenario-4 --yes --confirm-resource pc0");
    assert_eq!(code, 0, "{o:?}");
    let done = done_event(&ev);
    assert_eq!(done["result"], "ok");
    let notes = done["notes"].to_string();
    assert!(
        notes.contains("likely lost"),
        "the loss is reported: {done:#}"
    );
    let ran = steps_with(&ev, "ok");
    assert!(ran.iter().any(|s| s.contains("primary --force")), "{ran:?}");
    assert!(ran.iter().any(|s| s.contains("master-recover")), "{ran:?}");
    let audit = ok(&lab, BE2, "cat /var/log/opscode/private-chef-ctl/audit.log");
    let lines: Vec<Value> = audit
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // one audit line per step and outcome (`step` is the step's description)
    for needle in [
        "Force be2.lab.example to DRBD Primary",
        "listen for a (new) partner",
        "Chef server master",
    ] {
        assert!(
            lines.iter().any(|l| l["result"] == "ok"
                && l["action"] == "ha-recover scenario-4"
                && l["step"].as_str().is_some_and(|st| st.contains(needle))),
            "audit log lacks an ok step {needle}:\n{audit}"
        );
    }

    let s = lab.status(BE2).unwrap();
    assert!(s.role.starts_with("Primary/"), "{}", s.summary());
    assert!(s.dstate.starts_with("UpToDate/"), "{}", s.summary());
    assert!(s.mounted && s.pg_ready, "{}", s.summary());
    assert!(
        s.postgresql.starts_with("run") && s.redis_lb.starts_with("run"),
        "{}",
        s.summary()
    );
    // the survivor serves alone, waiting for a (new) partner
    let d = diagnose(&lab, BE2);
    let sit = d["situation"].as_str().unwrap_or("");
    assert!(sit == "scenario-1" || sit == "scenario-2", "{d:#}");
    let have = read_ids(&lab, BE2, LOCAL_PG);
    eprintln!(
        "be2: {} of {} acknowledged rows survived the forced promotion",
        acked.iter().filter(|i| have.contains(i)).count(),
        acked.len()
    );
    fin(t0, "scenario 4");
}

/// The stable part of a NodeView: name, exit code, cluster status, DRBD states, checks.
fn stable_view(v: &Value) -> Value {
    let drbd: Vec<Value> = v["drbd"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    serde_json::json!([
                        d["minor"],
                        d["cs"],
                        d["role"],
                        d["peer_role"],
                        d["disk"],
                        d["peer_disk"]
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let checks: Vec<Value> = v["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| serde_json::json!([c["id"], c["status"]]))
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({"node": v["node"], "exit_code": v["exit_code"],
        "cluster_status": v["cluster_status"], "drbd": drbd, "checks": checks,
        "split_brain": v["split_brain"]})
}

/// Item 1: `ha-status --peer --json` on each node shows the peer as the peer sees itself
/// (its own `ha-diagnose --json` "local" view), and `ha-diagnose` on each node sees the
/// peer reachable with the same view.
fn peer_views_match(lab: &Lab) {
    for n in NodeId::BACKENDS {
        let own = diagnose(lab, n.peer());
        let own = stable_view(&own["local"]);
        let o = run(lab, n, &format!("{PCC} ha-status --peer --json"));
        assert_eq!(o.code, 0, "{n}: ha-status --peer: {o:?}");
        let seen: Value = serde_json::from_str(&o.stdout)
            .unwrap_or_else(|e| panic!("{n}: ha-status --peer --json: {e}: {o:?}"));
        assert_eq!(seen["peer"]["state"], "reachable", "{n}: {seen:#}");
        assert_eq!(stable_view(&seen["peer"]["view"]), own, "{n}: peer view");
        let d = diagnose(lab, n);
        assert_eq!(d["peer"]["state"], "reachable", "{n}: {d:#}");
        assert_eq!(
            stable_view(&d["peer"]["view"]),
            own,
            "{n}: ha-diagnose's peer view"
        );
        let src = d["peer"]["view"]["source"].as_str().unwrap_or("");
        assert!(
            src.contains(n.peer().cluster_ip())
                || src.contains(n.peer().public_ip())
                || src.starts_with("ssh"),
            "{n}: {src}"
        );
    }
}
