//! ha-diagnose, ha-recover and drbd-handler through the binary on any host: this host is
//! made the first backend of a topology whose /proc/drbd, state files, DRBD directory and
//! audit log are files in a temporary directory; the peer's ssh is a program that does
//! not exist (so the peer is Unknown, naming it). Nothing touches DRBD.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Node {
    dir: tempfile::TempDir,
    config: PathBuf,
}

const SCENARIO3: &str = "version: 8.4.1 (api:1/proto:86-100)\n\
GIT-hash: 91b4c048c1a0e06777b5f65d312b38d47abaea80 build by dag@Build64R6, 2011-12-21 06:08:50\n \
0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----\n    \
ns:0 nr:3505480 dw:4938128 dr:0 al:0 bm:290 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";

const SPLIT_BRAIN_22: &str = "version: 8.4.11 (api:1/proto:86-101)\n\
srcversion: 96ED19D4C144624490A9AB1\n \
0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n    \
ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:71590684\n";

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

impl Node {
    fn new(proc_drbd: &str, status: &str, extra: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["sv", "service", "ka", "drbd", "empty-path"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(d.join("mounts"), "").unwrap();
        std::fs::write(d.join("proc_drbd"), proc_drbd).unwrap();
        std::fs::write(d.join("ka/requested_cluster_status"), status).unwrap();
        std::fs::write(d.join("ka/current_cluster_status"), status).unwrap();
        let config = d.join("private-chef.rb");
        std::fs::write(
            &config,
            format!(
                r#"topology "ha"
server "{host}", :ipaddress => "127.0.0.1", :role => "backend", :bootstrap => true
server "peer-be.lab.example", :ipaddress => "192.0.2.254", :role => "backend"
backend_vip "backend.lab.example", :ipaddress => "198.51.100.10/24", :device => "eth0"
ha['ssh_command'] = "/nonexistent/bin/ssh"
private_chef_ctl['sv_dir'] = "{d}/sv"
private_chef_ctl['service_dir'] = "{d}/service"
private_chef_ctl['keepalived_dir'] = "{d}/ka"
private_chef_ctl['drbd_dir'] = "{d}/drbd"
private_chef_ctl['log_dir'] = "{d}/log"
private_chef_ctl['proc_mounts'] = "{d}/mounts"
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

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"));
        c.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("PATH", self.p("empty-path"))
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn events(o: &Output) -> Vec<serde_json::Value> {
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn diagnose_names_scenario_3_with_an_unknown_peer() {
    let n = Node::new(SCENARIO3, "backup", "");
    let o = n.run(&["ha-diagnose", "--json"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["situation"], "scenario-3");
    assert_eq!(j["details"]["survivor"], hostname());
    assert_eq!(j["details"]["lost"], "peer-be.lab.example");
    assert_eq!(j["peer"]["state"], "unknown");
    assert!(j["peer"]["reason"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/bin/ssh"));
    assert!(j["next_step"]["why"]
        .as_str()
        .unwrap()
        .contains("make sure it is really down"));
    let o = n.run(&["ha-diagnose"], &[]);
    assert!(text(&o.stdout).starts_with("Scenario 3: the primary (peer-be.lab.example) is lost"));
}

#[test]
fn recover_dry_run_json_event_stream() {
    let n = Node::new(SCENARIO3, "backup", "");
    let o = n.run(&["ha-recover", "--dry-run", "--json"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let ev = events(&o);
    assert_eq!(ev[0]["event"], "diagnosis");
    assert_eq!(ev[0]["situation"], "scenario-3");
    assert_eq!(ev[1]["event"], "plan");
    assert_eq!(ev[1]["runbook"]["scenario"], "scenario-3");
    assert_eq!(
        ev[1]["runbook"]["steps"][0]["command"],
        "drbdadm primary pc0"
    );
    let steps: Vec<&serde_json::Value> = ev.iter().filter(|e| e["event"] == "step").collect();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["status"], "dry-run");
    assert_eq!(steps[0]["index"], 1);
    assert_eq!(steps[0]["of"], 2);
    assert_eq!(steps[1]["command"], "private-chef-ctl master-recover --yes");
    let last = ev.last().unwrap();
    assert_eq!(last["event"], "done");
    assert_eq!(last["result"], "dry-run");
    assert_eq!(last["exit_code"], 0);
    // The dry run is in the audit log.
    let audit = std::fs::read_to_string(n.p("audit/audit.log")).unwrap();
    assert!(audit.contains("\"result\":\"dry-run\""), "{audit}");
    assert!(audit.contains("ha-recover scenario-3"), "{audit}");
}

#[test]
fn recover_without_tty_or_yes_is_refused() {
    let n = Node::new(SCENARIO3, "backup", "");
    let o = n.run(&["ha-recover"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("pass --yes"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("$ drbdadm primary pc0"));
    let audit = std::fs::read_to_string(n.p("audit/audit.log")).unwrap();
    assert!(audit.contains("\"result\":\"refused\""), "{audit}");
    // JSON mode: the refusal is the last event.
    let o = n.run(&["ha-recover", "--json"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let ev = events(&o);
    assert_eq!(ev.last().unwrap()["result"], "refused");
}

#[test]
fn recover_refuses_a_runbook_that_does_not_match() {
    let n = Node::new(SCENARIO3, "backup", "");
    let o = n.run(&["ha-recover", "scenario-4", "--dry-run"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("ha-diagnose says scenario-3"));
}

#[test]
fn recover_with_yes_runs_until_a_precondition_or_step_fails() {
    // drbdadm is not on PATH: the promotion fails and the plan stops there (exit 1).
    let n = Node::new(SCENARIO3, "backup", "");
    let o = n.run(&["ha-recover", "--yes", "--json"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let ev = events(&o);
    let failed = ev
        .iter()
        .find(|e| e["event"] == "step" && e["status"] == "failed")
        .unwrap();
    assert_eq!(failed["index"], 1);
    assert!(failed["error"].as_str().unwrap().contains("drbdadm"));
    assert_eq!(ev.last().unwrap()["result"], "failed");
}

#[test]
fn drbd_handler_records_notifies_and_exits_0() {
    let d = tempfile::tempdir().unwrap();
    let notify = d.path().join("notify");
    let out = d.path().join("notified");
    common::write_executable(
        &notify,
        &format!("#!/bin/sh\nprintf '%s\\n' \"$1\" > {}\n", out.display()),
    );
    let n = Node::new(
        SPLIT_BRAIN_22,
        "master",
        &format!("ha['notify_command'] = \"{}\"", notify.display()),
    );
    let env = [
        ("DRBD_RESOURCE", "pc0"),
        ("DRBD_MINOR", "0"),
        ("DRBD_VOLUME", "0"),
        ("DRBD_PEER", "peer-be.lab.example"),
        ("DRBD_PEER_ADDRESS", "192.0.2.254"),
        ("DRBD_PEER_AF", "ipv4"),
        ("DRBD_LL_DISK", "/dev/opscode/drbd"),
    ];
    let o = n.run(&["drbd-handler", "split-brain"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // logger is not on the (empty) PATH: reported, not fatal.
    assert!(text(&o.stderr).contains("syslog"), "{}", text(&o.stderr));
    let log = std::fs::read_to_string(n.p("drbd/split-brain.log")).unwrap();
    let rec: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(rec["resource"], "pc0");
    assert_eq!(rec["minor"], 0);
    assert_eq!(rec["peer"], "peer-be.lab.example");
    assert_eq!(rec["peer_address"], "192.0.2.254");
    assert_eq!(rec["backing_disk"], "/dev/opscode/drbd");
    assert_eq!(rec["oos"], 71590684);
    assert!(rec["state"].as_str().unwrap().contains("cs:StandAlone"));
    let subject = std::fs::read_to_string(&out).unwrap();
    assert!(
        subject.starts_with("DRBD split brain on resource pc0"),
        "{subject}"
    );
    let audit = std::fs::read_to_string(n.p("audit/audit.log")).unwrap();
    assert!(audit.contains("\"action\":\"drbd-handler\""), "{audit}");

    // ha-diagnose reads the record: "split brain at <time>".
    let o = n.run(&["ha-diagnose", "--json"], &[]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["situation"], "split-brain", "{j}");
    assert_eq!(j["details"]["since"], rec["time"]);
    assert!(j["title"].as_str().unwrap().contains("Split brain at "));
}

#[test]
fn drbd_handler_exits_0_without_notifier_or_environment() {
    // No notify_command, no mail/logger on PATH, no DRBD_* variables: still exit 0.
    // (Only configured paths are used: the defaults would write to the host's
    // /var/opt/opscode when run as root.)
    let n = Node::new(SPLIT_BRAIN_22, "master", "");
    let o = n.run(&["drbd-handler", "split-brain"], &[]);
    assert_eq!(o.status.code(), Some(0));
    let e = text(&o.stderr);
    assert!(e.contains("no notification sent"), "{e}");
    let log = std::fs::read_to_string(n.p("drbd/split-brain.log")).unwrap();
    let rec: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(rec["resource"], serde_json::Value::Null);
    assert_eq!(rec["oos"], 71590684);
    let audit = std::fs::read_to_string(n.p("audit/audit.log")).unwrap();
    assert!(audit.contains("no notification sent"), "{audit}");
}

#[test]
fn ha_status_peer_keeps_the_local_exit_code() {
    let n = Node::new(SCENARIO3, "backup", "");
    let plain = n.run(&["ha-status"], &[]);
    let o = n.run(&["ha-status", "--peer"], &[]);
    assert_eq!(o.status.code(), plain.status.code());
    let t = text(&o.stdout);
    assert!(t.contains("peer-be.lab.example (peer)"), "{t}");
    assert!(t.contains("cluster status"), "{t}");
    assert!(t.contains("unknown:"), "{t}");
    let o = n.run(&["ha-status", "--peer", "--json"], &[]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["peer"]["state"], "unknown");
    assert!(j["checks"].is_array());
}
