//! The front end (issue 11): fe1 on the public segment serves `/_status`, checking
//! PostgreSQL and Redis through the VIP, and the product's `frontend-status` reads it from
//! inside the guests. One lab, sequential phases:
//!
//! (a) healthy pair: `frontend-status` on be1 and fe1 (and `ha-status --frontends` on be1)
//!     exits 0, every upstream pong, served by be1; the table has one row for fe1;
//! (b) the backup's public link cut: the front ends still pong, served by be1 (and
//!     `ha-diagnose` says they reach be1, and that be2, cut off, cannot take over:
//!     `failover-not-ready`); healed, the pair is healthy again;
//! (c) crash of the master with the writer on fe1: `/_status` from fe1's view fails, then
//!     pongs again served by be2 (the durations are printed); no acknowledged write lost;
//!     be1 boots again and rejoins as backup;
//! (d) fe1 crashed: `frontend-status` on the new master exits 2 and names fe1;
//!     `ha-status --frontends` there exits 9 with the front end's `[ERROR]` line.
//!
//! Monitoring, on the way: both back ends run Debian's node_exporter with its textfile
//! collector reading the file the product's textfile service (monitoring/sv/) rewrites.
//! fe1 scrapes both (`curl :9100/metrics`) and sees the roles, VRRP states, services and
//! the VIP change across the failover of (c); in (a) a slowed resync of be2 shows its
//! remaining bytes falling from one scrape to the next; (b) and (d) read the file on the
//! node (fe1 cannot reach it then). In every state the file passes `promtool check metrics`.
//!
//! Needs `scripts/install-deps.sh` and `cargo build --release -p private-chef-ctl -p lab`;
//! run with `cargo test -p lab --release --test frontends -- --test-threads=1`.

use std::time::{Duration, Instant};

mod monitoring;

use lab::prom::{self, Sample};
use lab::writer::Writer;
use lab::{Lab, LabOptions, Link, NodeId, Output};
use monitoring::{await_scrape, await_textfile, await_where, lint, stamp, Part, DEV};
use serde_json::Value;

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";
const VIP: &str = "198.51.100.10";
const BE1: NodeId = NodeId::Be1;
const BE2: NodeId = NodeId::Be2;
const FE1: NodeId = NodeId::Fe1;

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec(n, cmd) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn lap(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

/// `frontend-status --json ARGS` on `n`: the output and the parsed document.
fn frontend_status(lab: &Lab, n: NodeId, args: &str) -> (Output, Value) {
    let o = run(lab, n, &format!("{PCC} frontend-status --json {args}"));
    let v: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{n}: frontend-status --json: {e}: {o:?}"));
    (o, v)
}

/// The single front end's entry of a `frontend-status --json` document.
fn fe1_entry(v: &Value) -> &Value {
    let fes = v["frontends"].as_array().expect("frontends array");
    assert_eq!(fes.len(), 1, "one front end expected: {v:#}");
    assert_eq!(fes[0]["name"], "fe1.lab.example", "{v:#}");
    &fes[0]
}

/// Exit 0, ok, HTTP 200, pong, every upstream pong, served by `backend`, no error.
fn assert_pong(n: NodeId, o: &Output, v: &Value, backend: &str) {
    assert_eq!(o.code, 0, "{n}: frontend-status: {o:?}");
    assert_eq!(v["ok"], true, "{n}: {v:#}");
    assert_eq!(v["exit_code"], 0, "{n}: {v:#}");
    let fe = fe1_entry(v);
    assert_eq!(
        fe["address"]
            .as_str()
            .map(|a| a.starts_with("198.51.100.21")),
        Some(true),
        "{n}: {fe:#}"
    );
    assert_eq!(fe["http_status"], 200, "{n}: {fe:#}");
    assert_eq!(fe["status"], "pong", "{n}: {fe:#}");
    let ups = fe["upstreams"].as_object().expect("upstreams object");
    for u in ["chef_sql", "redis_lb"] {
        assert_eq!(
            ups.get(u).and_then(Value::as_str),
            Some("pong"),
            "{n}: {u}: {fe:#}"
        );
    }
    assert!(ups.values().all(|p| p == "pong"), "{n}: {fe:#}");
    assert_eq!(fe["served_by"], backend, "{n}: {fe:#}");
    assert!(fe["error"].is_null(), "{n}: {fe:#}");
}

fn healthy_pair(lab: &Lab, master: NodeId) -> bool {
    lab.status(master).is_ok_and(|s| s.healthy_master())
        && lab.status(master.peer()).is_ok_and(|s| s.healthy_backup())
}

fn wait_for(lab: &Lab, secs: u64, what: &str, f: impl FnMut(&Lab) -> bool) {
    lab.wait_for(secs, what, f)
}

#[test]
fn frontend_view_of_the_pair() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions {
        monitoring: true,
        ..LabOptions::default()
    })
    .unwrap_or_else(|e| panic!("lab up: {e:#}"));
    lap(t0, "lab up: be1 master, be2 backup, fe1 /_status pong");

    // (a) healthy pair: from a back end and from the front end itself
    for n in [BE1, FE1] {
        let (o, v) = frontend_status(&lab, n, "");
        assert_pong(n, &o, &v, "be1.lab.example");
    }
    let o = run(&lab, BE1, &format!("{PCC} frontend-status"));
    assert_eq!(o.code, 0, "frontend-status (table): {o:?}");
    let rows: Vec<&str> = o
        .stdout
        .lines()
        .filter(|l| l.contains("fe1.lab.example"))
        .collect();
    assert_eq!(rows.len(), 1, "one row for fe1:\n{}", o.stdout);
    assert!(
        rows[0].contains("pong") && rows[0].contains("be1.lab.example"),
        "{}",
        o.stdout
    );
    // the service itself: HTTPS verified with the system CA bundle, HTTP, 404 elsewhere
    let o = run(
        &lab,
        BE2,
        "curl -sS -o /dev/null -w '%{http_code} %{content_type}\\n' https://chef.lab.example/_status/; \
         curl -sS -o /dev/null -w '%{http_code}\\n' http://198.51.100.21/_status; \
         curl -sS -o /dev/null -w '%{http_code}\\n' https://chef.lab.example/nope",
    );
    assert_eq!(
        o.stdout, "200 application/json\n200\n404\n",
        "/_status over HTTPS and HTTP: {o:?}"
    );
    // ha-status --frontends: the classic lines, then the front ends' group
    let o = run(&lab, BE1, &format!("{PCC} ha-status --frontends"));
    assert_eq!(o.code, 0, "ha-status --frontends: {o:?}");
    let line = o
        .stdout
        .lines()
        .find(|l| l.starts_with("[OK] front end fe1.lab.example /_status pong (HTTP 200, "))
        .unwrap_or_else(|| panic!("no front-end line: {}", o.stdout));
    assert!(
        line.ends_with("; chef_sql pong, redis_lb pong; served by be1.lab.example)"),
        "{line}"
    );
    assert!(
        o.stdout.contains("\n[OK] all checks passed.\n"),
        "{}",
        o.stdout
    );
    lap(
        t0,
        "(a) healthy: exit 0, every upstream pong, served by be1",
    );

    // (a) monitoring: fe1 scrapes both back ends' node_exporter
    // the textfile is rewritten every 15 s: the one written before fe1 answered says fe1 down
    let fe1_up = [("frontend", "fe1.lab.example")];
    let master = Part::expected(true, "Connected");
    let m1 = await_where(&lab, BE1, &format!("{master:?} and fe1 up"), |s| {
        Part::of(s) == master && prom::value(s, "chef_ha_frontend_up", &fe1_up) == Some(1.0)
    });
    let m2 = await_scrape(&lab, BE2, &Part::expected(false, "Connected"));
    let same = [DEV[0], DEV[1], ("relation", "same")];
    for (n, m) in [(BE1, &m1), (BE2, &m2)] {
        assert_eq!(
            prom::value(m, "node_textfile_scrape_error", &[]),
            Some(0.0),
            "{n}"
        );
        assert_eq!(
            prom::value(m, "chef_ha_drbd_data_relation", &same),
            Some(1.0),
            "{n}"
        );
        assert_eq!(prom::value(m, "chef_ha_peer_up", &[]), Some(1.0), "{n}");
        // node_exporter's own DRBD collector, beside ours
        assert_eq!(
            prom::value(m, "node_drbd_connected", &[("device", "drbd0")]),
            Some(1.0),
            "{n}"
        );
        lint(&lab, n, "healthy pair");
    }
    assert_eq!(prom::value(&m1, "chef_ha_frontend_up", &fe1_up), Some(1.0));
    lap(
        t0,
        "(a) fe1's scrapes: be1 Primary, MASTER, the VIP, services up; be2 Secondary, BACKUP",
    );

    // (a) a slowed full resync of be2: the remaining bytes fall from one scrape to the next
    for n in NodeId::BACKENDS {
        let o = run(
            &lab,
            n,
            "drbdadm -- --c-plan-ahead=0 --resync-rate=2M disk-options pc0",
        );
        assert_eq!(o.code, 0, "{n}: {o:?}");
    }
    let o = run(&lab, BE2, "drbdadm invalidate pc0");
    assert_eq!(o.code, 0, "invalidate: {o:?}");
    let remaining = |s: &[Sample]| prom::value(s, "chef_ha_drbd_resync_remaining_bytes", &DEV);
    let resync = [DEV[0], DEV[1], ("kind", "resync")];
    let syncing = |s: &[Sample]| prom::value(s, "chef_ha_drbd_resync_active", &resync) == Some(1.0);
    let first = await_where(&lab, BE2, "resync running", |s| {
        syncing(s) && remaining(s).is_some_and(|r| r > 0.0)
    });
    let second = await_where(&lab, BE2, "later scrape", |s| stamp(s) > stamp(&first));
    let (r1, r2) = (remaining(&first), remaining(&second));
    eprintln!(
        "(a) be2's resync remaining bytes: {r1:?}, then {r2:?} {:.0} s later",
        stamp(&second) - stamp(&first)
    );
    assert_eq!(Part::of(&first).cstate.as_deref(), Some("SyncTarget"));
    assert!(
        syncing(&second),
        "the resync ended between two scrapes at 2 MB/s"
    );
    assert!(r2 < r1, "remaining bytes did not fall: {r1:?} then {r2:?}");
    assert!(
        prom::value(&second, "chef_ha_drbd_resync_speed_bytes_per_second", &DEV)
            .is_some_and(|v| v > 0.0),
        "no resync speed"
    );
    let local_disk = [DEV[0], DEV[1], ("node", "local")];
    assert_eq!(
        prom::state_of(&second, "chef_ha_drbd_disk_state", "state", &local_disk).as_deref(),
        Some("Inconsistent")
    );
    lint(&lab, BE2, "resync target");
    await_where(&lab, BE1, "SyncSource", |s| {
        Part::of(s).cstate.as_deref() == Some("SyncSource")
    });
    lint(&lab, BE1, "resync source");
    for n in NodeId::BACKENDS {
        let o = run(
            &lab,
            n,
            "drbdadm -- --c-plan-ahead=0 --resync-rate=200M disk-options pc0",
        );
        assert_eq!(o.code, 0, "{n}: {o:?}");
    }
    wait_for(
        &lab,
        180,
        "the resync to end: be1 master, be2 backup",
        |l| healthy_pair(l, BE1),
    );
    lap(t0, "(a) resync seen falling in the scrapes; ended");

    // (b) the backup's public link cut: it hears no adverts, but it cannot take over (its
    // NIC has no carrier: keepalived goes fault; DRBD still sees the Primary on the cluster
    // link); the front ends still reach be1
    lab.cut_link(BE2, Link::Public)
        .unwrap_or_else(|e| panic!("cut: {e:#}"));
    wait_for(&lab, 30, "be2's keepalived to leave backup", |l| {
        l.status(BE2)
            .is_ok_and(|s| s.current != "backup" && !s.current.is_empty())
    });
    let s2 = lab.status(BE2).unwrap_or_else(|e| panic!("{e:#}"));
    lap(
        t0,
        &format!("(b) be2 cut off the public segment: {}", s2.summary()),
    );
    assert!(
        !s2.vip && !s2.mounted && s2.role.starts_with("Secondary/"),
        "be2 took over while cut off: {}",
        s2.summary()
    );
    let s1 = lab.status(BE1).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(s1.vip && s1.mounted, "be1: {}", s1.summary());
    let (o, v) = frontend_status(&lab, FE1, "");
    assert_pong(FE1, &o, &v, "be1.lab.example");
    let o = run(&lab, BE1, &format!("{PCC} ha-diagnose --json"));
    let d: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("ha-diagnose --json: {e}: {o:?}"));
    eprintln!(
        "(b) ha-diagnose on be1 (exit {}): {} | front ends: {}",
        o.code, d["title"], d["frontends"]
    );
    assert_eq!(
        d["frontends"]["reached"], "be1.lab.example",
        "ha-diagnose does not name the back end the front ends reach: {d:#}"
    );
    // be2 cannot take over while its keepalived is in fault: not a healthy pair
    assert_eq!(d["situation"], "failover-not-ready", "{d:#}");
    assert_eq!(d["details"]["node"], "be2.lab.example", "{d:#}");
    assert_eq!(o.code, 1, "{o:?}");
    let m = await_textfile(&lab, BE2, "VRRP FAULT", |s| {
        prom::state_of(s, "chef_ha_vrrp_state", "state", &[]).as_deref() == Some("FAULT")
    });
    assert_eq!(prom::value(&m, "chef_ha_vip_present", &[]), Some(0.0));
    lint(&lab, BE2, "public link cut, VRRP FAULT");
    lab.heal_link(BE2, Link::Public)
        .unwrap_or_else(|e| panic!("heal: {e:#}"));
    wait_for(&lab, 90, "be1 master, be2 backup after the heal", |l| {
        healthy_pair(l, BE1)
    });
    lap(t0, "(b) healed: be1 master, be2 backup");

    // (c) crash of the master with the writer on fe1; /_status polled from fe1
    let w = Writer::start(&lab, FE1, "frontends", 1).unwrap_or_else(|e| panic!("{e:#}"));
    let before = w
        .wait_for(1000, 1000, lab.deadline(90))
        .unwrap_or_else(|e| panic!("{e:#}"));
    lap(
        t0,
        &format!("(c) writer on fe1 acknowledged {before:?}; crashing be1"),
    );
    lab.crash(BE1).unwrap_or_else(|e| panic!("crash: {e:#}"));
    let crash = Instant::now();
    let (mut first_fail, mut pong_again) = (None, None);
    let mut seen = Vec::new();
    while crash.elapsed() < lab.scaled(Duration::from_secs(90)) {
        let o = run(
            &lab,
            FE1,
            &format!(
                "{PCC} frontend-status --json --timeout {}",
                lab.scaled_secs(2)
            ),
        );
        let at = crash.elapsed().as_secs_f64();
        let v: Value = serde_json::from_str(&o.stdout).unwrap_or(Value::Null);
        let fe = &v["frontends"][0];
        let word = format!(
            "{} {} {}",
            o.code,
            fe["status"].as_str().unwrap_or("-"),
            fe["served_by"].as_str().unwrap_or("-")
        );
        if seen
            .last()
            .map(|(_, w): &(f64, String)| w != &word)
            .unwrap_or(true)
        {
            seen.push((at, word));
        }
        let pong = o.code == 0 && fe["status"] == "pong";
        if !pong && first_fail.is_none() {
            first_fail = Some(at);
        }
        if pong && first_fail.is_some() && fe["served_by"] == "be2.lab.example" {
            pong_again = Some(at);
            assert_pong(FE1, &o, &v, "be2.lab.example");
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let changes: Vec<String> = seen.iter().map(|(t, w)| format!("{t:.1}s: {w}")).collect();
    eprintln!(
        "(c) /_status from fe1 after the crash (exit status served_by): {}",
        changes.join(" | ")
    );
    let (Some(f), Some(p)) = (first_fail, pong_again) else {
        panic!("no fail then pong from be2 within 90 s: {changes:?}");
    };
    eprintln!(
        "frontend view: first fail {f:.1} s after the crash, fail for {:.1} s, pong again (served by be2) {p:.1} s after the crash",
        p - f
    );
    let m = await_scrape(&lab, BE2, &Part::expected(true, "WFConnection"));
    assert_eq!(
        prom::value(&m, "chef_ha_peer_up", &[]),
        Some(0.0),
        "be1 crashed"
    );
    lint(&lab, BE2, "master alone, its peer crashed");
    lap(
        t0,
        "(c) fe1's scrape of be2: Primary, MASTER, the VIP, services up, WFConnection",
    );
    let deadline = lab.deadline(60);
    w.wait_for(before.pg + 200, before.redis + 200, deadline)
        .unwrap_or_else(|e| panic!("{e:#}\nwriter log:\n{}", w.log().unwrap_or_default()));
    let p = w.stop(lab.deadline(30)).unwrap_or_else(|e| panic!("{e:#}"));
    let o = w.verify(VIP).unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!(
        "(c) verify on the VIP: {}",
        o.stdout.trim().replace('\n', " | ")
    );
    assert_eq!(o.code, 0, "acknowledged writes lost: {o:?}");
    assert!(
        o.stdout
            .starts_with(&format!("pg acked={0} present={0} missing=0\n", p.pg)),
        "{o:?}"
    );
    lap(t0, &format!("(c) done: {p:?}, 0 acknowledged writes lost"));
    lab.start(BE1)
        .unwrap_or_else(|e| panic!("start be1: {e:#}"));
    wait_for(&lab, 120, "be2 master, be1 backup in sync", |l| {
        healthy_pair(l, BE2)
    });
    let (o, v) = frontend_status(&lab, FE1, "");
    assert_pong(FE1, &o, &v, "be2.lab.example");
    lap(
        t0,
        "(c) be1 rejoined as backup; the front end still served by be2",
    );
    await_scrape(&lab, BE1, &Part::expected(false, "Connected"));
    await_scrape(&lab, BE2, &Part::expected(true, "Connected"));
    lint(&lab, BE1, "backup after the failover");
    lint(&lab, BE2, "master after the failover");
    lap(
        t0,
        "(c) fe1's scrapes: be1 Secondary, BACKUP; be2 Primary, MASTER",
    );

    // (d) the front end down: the new master's view names it, exit 2
    lab.crash(FE1)
        .unwrap_or_else(|e| panic!("crash fe1: {e:#}"));
    let (o, v) = frontend_status(&lab, BE2, &format!("--timeout {}", lab.scaled_secs(2)));
    assert_eq!(o.code, 2, "frontend-status with fe1 down: {o:?}");
    assert_eq!(v["ok"], false, "{v:#}");
    assert_eq!(v["exit_code"], 2, "{v:#}");
    let fe = fe1_entry(&v);
    assert!(fe["status"].is_null(), "{fe:#}");
    assert!(
        fe["error"].as_str().is_some_and(|e| !e.is_empty()),
        "no error for fe1: {fe:#}"
    );
    let o = run(
        &lab,
        BE2,
        &format!("{PCC} frontend-status --timeout {}", lab.scaled_secs(2)),
    );
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        format!("{}{}", o.stdout, o.stderr).contains("fe1.lab.example"),
        "fe1 not named: {o:?}"
    );
    // ha-status --frontends on the healthy master: every classic check passes, the front
    // ends' group fails with its own code, 9
    let o = run(&lab, BE2, &format!("{PCC} ha-status --frontends"));
    assert_eq!(o.code, 9, "ha-status --frontends with fe1 down: {o:?}");
    assert!(
        o.stdout.lines().any(|l| l.starts_with(
            "[ERROR] front end fe1.lab.example /_status unreachable: 198.51.100.21:443: "
        )),
        "{}",
        o.stdout
    );
    let m = await_textfile(&lab, BE2, "fe1 down", |s| {
        prom::value(s, "chef_ha_frontend_up", &[("frontend", "fe1.lab.example")]) == Some(0.0)
    });
    assert_eq!(
        prom::value(
            &m,
            "chef_ha_frontend_http_status",
            &[("frontend", "fe1.lab.example")]
        ),
        Some(0.0)
    );
    lint(&lab, BE2, "front end down");
    lap(t0, &format!("(d) fe1 down: exit 2, {}", fe["error"]));
}
