//! `drbd-handler fence-peer`, `after-resync-target` and `initial-split-brain` through the
//! binary: this host is the first backend of a topology whose files are in a temporary
//! directory, and `ha['ssh_command']` is a small script standing in for ssh and the peer (it
//! prints a canned /proc/drbd for `cat /proc/drbd`, and for `drbdadm outdate` exits with a
//! chosen code, optionally changing the canned file). Nothing touches DRBD; the bounds are
//! 1–2 s so the tests stay fast.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const HDR: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 96ED19D4C144624490A9AB1\n";
const COUNTERS: &str = "    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";

fn proc_drbd(state: &str) -> String {
    format!("{HDR} 0: {state} C r-----\n{COUNTERS}")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

struct Node {
    dir: tempfile::TempDir,
    config: PathBuf,
}

/// The fake ssh: skips ssh's options up to `--`, then plays the peer.
const FAKE_SSH: &str = r#"#!/bin/sh
PATH=/usr/bin:/bin
export PATH
D="$(dirname "$0")"
echo "$*" >> "$D/ssh.calls"
[ -f "$D/unreachable" ] && { echo "ssh: connect to host 192.0.2.254 port 22: Connection refused" >&2; exit 255; }
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
case "$1" in
  cat) cat "$D/peer_proc_drbd" ;;
  drbdadm)
    [ -f "$D/outdate_effect" ] && cp "$D/outdate_effect" "$D/peer_proc_drbd"
    exit "$(cat "$D/outdate_code" 2>/dev/null || echo 0)" ;;
  *) exit 127 ;;
esac
"#;

impl Node {
    fn new(peer: &str, extra: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["drbd", "empty-path", "fake"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(
            d.join("proc_drbd"),
            proc_drbd("cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown"),
        )
        .unwrap();
        std::fs::write(d.join("fake/peer_proc_drbd"), peer).unwrap();
        common::write_executable(&d.join("fake/ssh"), FAKE_SSH);
        let config = d.join("private-chef.rb");
        std::fs::write(
            &config,
            format!(
                r#"topology "ha"
server "{host}", :ipaddress => "127.0.0.1", :role => "backend", :bootstrap => true
server "peer-be.lab.example", :ipaddress => "192.0.2.254", :role => "backend"
backend_vip "backend.lab.example", :ipaddress => "198.51.100.10/24", :device => "eth0"
ha['ssh_command'] = "{d}/fake/ssh"
ha['ssh_share'] = false
ha['fence_peer_timeout'] = 2
ha['fence_peer_unreachable_after'] = 1
private_chef_ctl['keepalived_dir'] = "{d}/ka"
private_chef_ctl['drbd_dir'] = "{d}/drbd"
private_chef_ctl['log_dir'] = "{d}/log"
private_chef_ctl['proc_drbd'] = "{d}/proc_drbd"
private_chef_ctl['audit_log'] = "{d}/audit/audit.log"
{extra}
"#,
                host = hostname(),
                d = d.display()
            ),
        )
        .unwrap();
        Node { dir, config }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.p(rel)).unwrap_or_default()
    }

    fn run(&self, handler: &str, env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"));
        c.arg("--config")
            .arg(&self.config)
            .args(["drbd-handler", handler])
            .env("PATH", self.p("empty-path"))
            .env("HOME", "/")
            .env_remove("DRBD_MINOR")
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    fn fence(&self) -> (Output, Duration) {
        let t = Instant::now();
        let o = self.run(
            "fence-peer",
            &[
                ("DRBD_RESOURCE", "pc0"),
                ("DRBD_MINOR", "0"),
                ("DRBD_PEER_ADDRESS", "10.0.0.2"),
            ],
        );
        (o, t.elapsed())
    }

    fn last_fence(&self) -> serde_json::Value {
        let log = self.read("drbd/fence.log");
        serde_json::from_str(log.lines().last().expect("a fence.log line")).unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_disconnected_secondary_is_outdated_and_verified_4() {
    let n = Node::new(
        &proc_drbd("cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown"),
        "",
    );
    std::fs::write(
        n.p("fake/outdate_effect"),
        proc_drbd("cs:WFConnection ro:Secondary/Unknown ds:Outdated/DUnknown"),
    )
    .unwrap();
    let (o, _) = n.fence();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    let calls = n.read("fake/ssh.calls");
    assert!(
        calls.contains("root@192.0.2.254 -- drbdadm outdate -- pc0"),
        "{calls}"
    );
    assert!(calls.contains("BatchMode=yes"), "{calls}");
    let rec = n.last_fence();
    assert_eq!(rec["handler"], "fence-peer");
    assert_eq!(rec["answer"], 4);
    assert_eq!(rec["meaning"], "peer-outdated");
    assert_eq!(rec["resource"], "pc0");
    assert_eq!(rec["peer"], "peer-be.lab.example");
    assert_eq!(rec["peer_address"], "192.0.2.254");
    assert_eq!(rec["cleared"], false);
    assert!(rec["elapsed_ms"].is_u64());
    let log = n.read("log/keepalived/cluster.log");
    assert!(
        log.contains(
            "drbd-handler fence-peer pc0: asking the peer peer-be.lab.example at 192.0.2.254"
        ),
        "{log}"
    );
    assert!(log.contains("replication address 10.0.0.2"), "{log}");
    assert!(log.contains("cs:WFConnection ro:Primary/Unknown"), "{log}");
    assert!(
        log.contains("drbdadm outdate on the peer exited 0"),
        "{log}"
    );
    assert!(log.contains("answer 4 (peer-outdated)"), "{log}");
    assert!(err.contains("answer 4 (peer-outdated)"), "{err}");
    let audit = n.read("audit/audit.log");
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .all(|l| l["action"] == "drbd-handler" && l["step"] == "fence-peer"));
    let results: Vec<&str> = lines
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["started", "ok", "ok"], "{audit}");
}

#[test]
fn a_primary_peer_answers_6_without_an_outdate() {
    let n = Node::new(
        &proc_drbd("cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown"),
        "",
    );
    let (o, _) = n.fence();
    assert_eq!(o.status.code(), Some(6), "{}", text(&o.stderr));
    assert!(!n.read("fake/ssh.calls").contains("drbdadm"));
    assert_eq!(n.last_fence()["answer"], 6);
}

#[test]
fn an_inconsistent_peer_answers_3() {
    let n = Node::new(
        &proc_drbd("cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown"),
        "",
    );
    let (o, _) = n.fence();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
}

#[test]
fn an_outdate_refused_with_17_answers_6() {
    let n = Node::new(
        &proc_drbd("cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown"),
        "",
    );
    std::fs::write(n.p("fake/outdate_code"), "17").unwrap();
    let (o, _) = n.fence();
    assert_eq!(o.status.code(), Some(6), "{}", text(&o.stderr));
}

#[test]
fn an_unreachable_peer_answers_5_after_unreachable_after() {
    let n = Node::new("", "");
    std::fs::write(n.p("fake/unreachable"), "").unwrap();
    let (o, took) = n.fence();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(err.contains("assumed dead"), "{err}");
    assert!(err.contains("Connection refused"), "{err}");
    // one waiting line, however many attempts
    assert_eq!(
        err.matches("waiting: the peer is unreachable").count(),
        1,
        "{err}"
    );
    assert_eq!(n.last_fence()["meaning"], "peer-unreachable");
}

#[test]
fn a_peer_that_stays_connected_answers_1_at_the_bound() {
    let n = Node::new(
        &proc_drbd("cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate"),
        "",
    );
    let (o, took) = n.fence();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(took >= Duration::from_millis(1500), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(err.contains("nothing proven within 2 s"), "{err}");
    assert!(!n.read("fake/ssh.calls").contains("drbdadm"));
    let rec = n.last_fence();
    assert_eq!(
        (rec["answer"].as_i64(), rec["meaning"].as_str()),
        (Some(1), Some("not-proven"))
    );
    let audit = n.read("audit/audit.log");
    assert!(
        audit
            .lines()
            .last()
            .unwrap()
            .contains("\"result\":\"failed\""),
        "{audit}"
    );
}

#[test]
fn a_bad_resource_or_topology_answers_1_without_asking_the_peer() {
    let n = Node::new(
        &proc_drbd("cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown"),
        "",
    );
    for bad in ["", "pc0; reboot", "-x"] {
        let o = n.run("fence-peer", &[("DRBD_RESOURCE", bad)]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{bad:?}: {err}");
        assert!(err.contains("DRBD_RESOURCE is"), "{err}");
    }
    assert_eq!(n.read("fake/ssh.calls"), "");
    // a topology that cannot be read
    let o = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("--config")
        .arg(n.p("missing.rb"))
        .args(["drbd-handler", "fence-peer"])
        .env("DRBD_RESOURCE", "pc0")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("answer 1 (not proven)") && err.contains("missing.rb"),
        "{err}"
    );
    // this host not in the topology
    let other = Node::new("", "");
    let cfg = std::fs::read_to_string(&other.config).unwrap().replace(
        &format!("server \"{}\"", hostname()),
        "server \"be1.elsewhere.example\"",
    );
    std::fs::write(&other.config, cfg).unwrap();
    let (o, _) = other.fence();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is not a server of the topology"), "{err}");
}

#[test]
fn bad_fence_settings_are_load_errors() {
    let n = Node::new("", "ha['fence_peer_unreachable_after'] = 3\n");
    let (o, _) = n.fence();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ha['fence_peer_unreachable_after'] (3 s) must not exceed ha['fence_peer_timeout'] (2 s)"),
        "{err}"
    );
}

#[test]
fn after_resync_target_clears_the_fence() {
    let n = Node::new("", "");
    std::fs::write(
        n.p("proc_drbd"),
        proc_drbd("cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate"),
    )
    .unwrap();
    let o = n.run(
        "after-resync-target",
        &[("DRBD_RESOURCE", "pc0"), ("DRBD_MINOR", "0")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rec = n.last_fence();
    assert_eq!(rec["handler"], "after-resync-target");
    assert_eq!(rec["cleared"], true);
    assert_eq!(rec["answer"], serde_json::Value::Null);
    assert_eq!(
        rec["why"].as_str().unwrap().split(" (").next(),
        Some("resync finished: this node's copy is UpToDate again")
    );
    assert!(n
        .read("log/keepalived/cluster.log")
        .contains("drbd-handler after-resync-target pc0: resync finished"));
    assert!(n
        .read("audit/audit.log")
        .contains("\"step\":\"after-resync-target\",\"result\":\"ok\""));
    // nothing to go on: still 0
    let o = n.run("after-resync-target", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn both_split_brain_handlers_record_one_event_counted_once() {
    let n = Node::new("", "");
    let env = [("DRBD_RESOURCE", "pc0"), ("DRBD_MINOR", "0")];
    let o = n.run("initial-split-brain", &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = n.run("split-brain", &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let log = n.read("drbd/split-brain.log");
    let recs: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2, "{log}");
    assert_eq!(recs[0]["handler"], "initial-split-brain");
    assert_eq!(recs[0]["repeat_of"], serde_json::Value::Null);
    assert_eq!(recs[1]["handler"], "split-brain");
    assert_eq!(recs[1]["repeat_of"], recs[0]["time"]);
    let audit = n.read("audit/audit.log");
    assert!(
        audit.contains("\"step\":\"initial-split-brain\""),
        "{audit}"
    );
    // a later split brain's initial line is a new event
    let o = n.run("initial-split-brain", &env);
    assert_eq!(o.status.code(), Some(0));
    let last: serde_json::Value =
        serde_json::from_str(n.read("drbd/split-brain.log").lines().last().unwrap()).unwrap();
    assert_eq!(last["repeat_of"], serde_json::Value::Null);
}
