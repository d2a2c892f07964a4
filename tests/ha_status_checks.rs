//! The ha-status checks as pure functions over snapshots: healthy master, healthy
//! backup, and each failure code 1–8 and 10, with exact lines and exit codes.

mod common;

use private_chef_ctl::decide::checks::run_checks;
use private_chef_ctl::drbd::proc::parse;
use private_chef_ctl::model::{Known, NodeState, ServiceFact, StatusDoc};

const BACKUP_DRBD: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 2A1C8A8D5B9F4E7E2E5C6F1 \n 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:1024 dw:1024 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";
const LOST_PEER_DRBD: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 2A1C8A8D5B9F4E7E2E5C6F1 \n 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n    ns:0 nr:0 dw:4096 dr:0 al:1 bm:1 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:4096\n";

use common::{master_state as master, svc, MASTER_DRBD};

fn backup() -> NodeState {
    let mut s = master();
    s.requested_status = Known::Known("backup".into());
    s.current_status = Known::Known("backup".into());
    s.vip_present = Known::Known(false);
    s.drbd = Known::Known(parse(BACKUP_DRBD.as_bytes()).unwrap());
    s.data_dir_mounted = Known::Known(false);
    s.services = Known::Known(vec![
        svc("redis_lb", true, false),
        svc("keepalived", false, true),
        svc("postgresql", true, false),
    ]);
    s
}

const MASTER_TEXT: &str = "\
[OK] keepalived HA services enabled.
[OK] DRBD disk replication enabled.
[OK] DRBD partition /dev/opscode/drbd found.
[OK] DRBD device /dev/drbd0 found.
[WARN] no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one
[OK] cluster status = master
[OK] found VIP IP address and I am master
[OK] found VRRP communications interface eth0
[OK] my DRBD status is Connected/Primary/UpToDate and I am master
[OK] I/O on DRBD resource pc0 is running
[OK] DRBD resource pc0 cannot lose acknowledged writes (protocol C, fencing resource-and-stonith, fence-peer handler set)
[OK] my DRBD partition is mounted and I am master
[OK] DRBD primary IP address pings
[OK] DRBD secondary IP address pings
[OK] keepalived is running.
[OK] postgresql is running correctly, and I am master.
[OK] redis_lb is running correctly, and I am master.

[OK] all checks passed.

";

const BACKUP_TEXT: &str = "\
[OK] keepalived HA services enabled.
[OK] DRBD disk replication enabled.
[OK] DRBD partition /dev/opscode/drbd found.
[OK] DRBD device /dev/drbd0 found.
[WARN] no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one
[OK] cluster status = backup
[OK] did not find VIP IP address and I am not master
[OK] found VRRP communications interface eth0
[OK] my DRBD status is Connected/Secondary/UpToDate and I am not master
[OK] I/O on DRBD resource pc0 is running
[OK] DRBD resource pc0 cannot lose acknowledged writes (protocol C, fencing resource-and-stonith, fence-peer handler set)
[OK] my DRBD partition is not mounted and I am not master
[OK] DRBD primary IP address pings
[OK] DRBD secondary IP address pings
[OK] keepalived is running.
[OK] postgresql is not running, and I am not master.
[OK] redis_lb is not running, and I am not master.

[OK] all checks passed.

";

fn lines_of(s: &NodeState) -> (String, i32) {
    let r = run_checks(s);
    (private_chef_ctl::render::text::report(&r), r.exit_code)
}

fn assert_line(s: &NodeState, line: &str, code: i32) {
    let (text, c) = lines_of(s);
    assert!(
        text.lines().any(|l| l == line),
        "missing line {line:?} in:\n{text}"
    );
    assert_eq!(c, code, "exit code for:\n{text}");
}

#[test]
fn healthy_master() {
    assert_eq!(lines_of(&master()), (MASTER_TEXT.to_string(), 0));
}

#[test]
fn healthy_backup() {
    assert_eq!(lines_of(&backup()), (BACKUP_TEXT.to_string(), 0));
}

#[test]
fn code1_topology_unreadable_stops_at_once() {
    let mut s = master();
    s.config_error =
        Some("cannot read /etc/opscode/private-chef.rb: No such file or directory".into());
    let (text, code) = lines_of(&s);
    assert_eq!(text, "[ERROR] cannot check HA status without the topology: cannot read /etc/opscode/private-chef.rb: No such file or directory\n");
    assert_eq!(code, 1);
}

#[test]
fn code1_keepalived_disabled() {
    let mut s = master();
    s.keepalived_enabled = false;
    let (text, code) = lines_of(&s);
    assert_eq!(text, "[ERROR] keepalived HA services not enabled, please configure keepalived according to documentation.\n");
    assert_eq!(code, 1);
}

#[test]
fn code1_drbd_disabled() {
    let mut s = master();
    s.drbd_enabled = false;
    let (text, code) = lines_of(&s);
    assert_eq!(text, "[OK] keepalived HA services enabled.\n[ERROR] DRBD disk replication services not enabled, please configure DRBD according to documentation.\n");
    assert_eq!(code, 1);
}

#[test]
fn code1_disk_and_device_missing() {
    let mut s = master();
    s.drbd_disk_exists = Known::Known(false);
    let (text, code) = lines_of(&s);
    assert!(
        text.ends_with("[ERROR] DRBD partition /dev/opscode/drbd not found, please FIXME.\n"),
        "{text}"
    );
    assert_eq!(code, 1);
    let mut s = master();
    s.drbd_device_exists = Known::Known(false);
    let (text, code) = lines_of(&s);
    assert!(text.ends_with("[OK] DRBD partition /dev/opscode/drbd found.\n[ERROR] DRBD device /dev/drbd0 not found, please FIXME.\n"), "{text}");
    assert_eq!(code, 1);
}

#[test]
fn code2_inconsistent_cluster_status() {
    let mut s = master();
    s.requested_status = Known::Known("backup".into());
    assert_line(
        &s,
        "[WARN] inconsistent cluster status, requested: backup, current: master, failover running?",
        2,
    );
    assert!(lines_of(&s)
        .0
        .ends_with("\n[ERROR] ERRORS WERE DETECTED.\n\n"));
}

#[test]
fn code2_missing_state_file_is_an_error_line_not_a_crash() {
    let mut s = backup();
    s.current_status = Known::Unknown(
        "/var/opt/opscode/keepalived/current_cluster_status: No such file or directory".into(),
    );
    assert_line(&s, "[ERROR] cannot read cluster status: /var/opt/opscode/keepalived/current_cluster_status: No such file or directory", 2);
}

#[test]
fn code2_failed_transition_reason_is_shown() {
    let mut s = master();
    s.requested_status = Known::Known("master".into());
    s.current_status = Known::Known("backup".into());
    s.transition_failure = Some("mount /dev/drbd0 on /var/opt/opscode/drbd/data failed".into());
    let (text, code) = lines_of(&s);
    assert!(text.contains("[WARN] inconsistent cluster status, requested: master, current: backup, failover running? (last transition failed: mount /dev/drbd0 on /var/opt/opscode/drbd/data failed)"), "{text}");
    assert_eq!(code, 2);
}

#[test]
fn code3_vip() {
    let mut s = backup();
    s.vip_present = Known::Known(true);
    assert_line(&s, "[ERROR] found VRRP address and I am not master", 3);
    let mut s = master();
    s.vip_present = Known::Known(false);
    assert_line(&s, "[ERROR] did not find VIP IP address and I am master", 3);
}

#[test]
fn code4_drbd_state() {
    let mut s = master();
    s.drbd = Known::Known(parse(LOST_PEER_DRBD.as_bytes()).unwrap());
    assert_line(&s, "[ERROR] my DRBD status is:  0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----", 4);
    let mut s = backup();
    s.drbd = Known::Known(parse(MASTER_DRBD.as_bytes()).unwrap());
    // no colon on the non-master line: the original's quirk
    assert_line(&s, "[ERROR] my DRBD status is  0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----", 4);
}

#[test]
fn code4_unreadable_proc_drbd_is_unknown() {
    let mut s = master();
    s.drbd = Known::Unknown("cannot read /proc/drbd: No such file or directory".into());
    let r = run_checks(&s);
    let c = r.checks.iter().find(|c| c.id == "drbd_state").unwrap();
    assert_eq!(
        c.line(),
        "[UNKNOWN] cannot read DRBD status: cannot read /proc/drbd: No such file or directory"
    );
    assert_eq!(r.exit_code, 4);
}

#[test]
fn code5_mount() {
    let mut s = master();
    s.data_dir_mounted = Known::Known(false);
    assert_line(
        &s,
        "[ERROR] my DRBD partition is not mounted and I am master",
        5,
    );
    let mut s = backup();
    s.data_dir_mounted = Known::Known(true);
    assert_line(
        &s,
        "[ERROR] my DRBD partition is mounted and I am not master",
        5,
    );
}

#[test]
fn code6_replication_link() {
    let mut s = master();
    s.secondary.reachable = Known::Known(false);
    assert_line(&s, "[ERROR] DRBD secondary IP address does not ping", 6);
    assert_line(&s, "[OK] DRBD primary IP address pings", 6);
}

#[test]
fn code7_services() {
    let mut s = master();
    s.services = Known::Known(vec![
        svc("postgresql", true, false),
        svc("keepalived", false, true),
    ]);
    // the trailing space is the original's
    assert_line(
        &s,
        "[ERROR] postgresql is not running correctly, and I am master. ",
        7,
    );
    let mut s = backup();
    s.services = Known::Known(vec![
        svc("redis_lb", true, true),
        svc("keepalived", false, false),
    ]);
    assert_line(&s, "[ERROR] redis_lb is running, and I am not master.", 7);
    assert_line(&s, "[ERROR] keepalived is not running.", 7);
    let mut s = master();
    s.services = Known::Known(vec![ServiceFact {
        name: "postgresql".into(),
        ha: true,
        up: Known::Unknown(
            "/opt/opscode/service/postgresql/supervise/status: Permission denied".into(),
        ),
    }]);
    assert_line(&s, "[UNKNOWN] postgresql state is unknown: /opt/opscode/service/postgresql/supervise/status: Permission denied", 7);
}

#[test]
fn code8_vrrp_interface() {
    let mut s = master();
    s.vrrp_interface_exists = Known::Known(false);
    assert_line(
        &s,
        "[ERROR] VRRP communications interface eth0 not found.",
        8,
    );
}

#[test]
fn first_failing_check_gives_the_code() {
    // VIP (3) fails before services (7): the original would have said 7.
    let mut s = master();
    s.vip_present = Known::Known(false);
    s.services = Known::Known(vec![svc("postgresql", true, false)]);
    let (_, code) = lines_of(&s);
    assert_eq!(code, 3);
}

#[test]
fn json_document() {
    let s = backup();
    let r = run_checks(&s);
    let j = serde_json::to_value(StatusDoc::new(&s, &r)).unwrap();
    assert_eq!(j["ok"], true);
    assert_eq!(j["exit_code"], 0);
    assert_eq!(j["cluster_status"]["requested"], "backup");
    assert_eq!(j["cluster_status"]["current"], "backup");
    assert_eq!(j["checks"][0]["id"], "keepalived_enabled");
    assert_eq!(j["checks"][0]["status"], "ok");
    assert_eq!(j["checks"][0]["code"], 0);
    assert_eq!(j["checks"][0]["message"], "keepalived HA services enabled.");
    assert_eq!(j["drbd"]["devices"][0]["role"], "Secondary");
    let mut s = master();
    s.current_status = Known::Unknown("missing".into());
    s.drbd = Known::Unknown("x".into());
    let r = run_checks(&s);
    let j = serde_json::to_value(StatusDoc::new(&s, &r)).unwrap();
    assert_eq!(j["ok"], false);
    assert_eq!(j["exit_code"], 2);
    assert!(j["cluster_status"]["current"].is_null());
    assert!(j["drbd"].is_null());
    let states: Vec<_> = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_string())
        .collect();
    assert!(states.contains(&"unknown".to_string()));
}

/// A Primary that lost its peer with `fencing resource-and-stonith`: I/O frozen.
const FROZEN_PRIMARY_DRBD: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 2A1C8A8D5B9F4E7E2E5C6F1 \n 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s-----\n    ns:0 nr:0 dw:4096 dr:0 al:1 bm:1 lo:0 pe:0 ua:0 ap:3 ep:1 wo:f oos:4096\n";

#[test]
fn code4_frozen_writes_say_what_ends_them_and_when_it_is_safe() {
    let mut s = master();
    s.drbd = Known::Known(parse(FROZEN_PRIMARY_DRBD.as_bytes()).unwrap());
    let (text, code) = lines_of(&s);
    assert_eq!(code, 4, "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("frozen"))
        .unwrap_or_else(|| panic!("no frozen line in:\n{text}"));
    assert_eq!(
        line,
        "[ERROR] writes to DRBD resource pc0 are frozen (I/O suspended): the peer is not yet proven outdated (its fence-peer handler is running, or it failed). Restore the replication link or let the handler finish; only once the peer is known to be down or outdated: drbdadm resume-io pc0 (it resumes without outdating the peer)"
    );
    // the device facts carry it
    let j = serde_json::to_value(StatusDoc::new(&s, &run_checks(&s))).unwrap();
    assert_eq!(j["drbd"]["devices"][0]["io_suspended"], true);
    let check = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "drbd_io")
        .unwrap();
    assert_eq!(check["status"], "error");
    assert_eq!(check["code"], 4);
    // a healthy master's is false
    let j = serde_json::to_value(StatusDoc::new(&master(), &run_checks(&master()))).unwrap();
    assert_eq!(j["drbd"]["devices"][0]["io_suspended"], false);
}

#[test]
fn code4_a_configuration_that_can_lose_acknowledged_writes() {
    let mut s = master();
    s.drbd_config = Known::Known(common::running_config(
        "show-unfenced.txt",
        "dump-unfenced.txt",
    ));
    let (text, code) = lines_of(&s);
    assert_eq!(code, 4, "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("acknowledged writes"))
        .unwrap();
    // the line docs/ha-status.md shows
    assert_eq!(
        line,
        "[ERROR] DRBD resource pc0 can lose acknowledged writes: fencing dont-care (the default): a disconnected Secondary stays UpToDate and can be promoted, and the writes the Primary acknowledged meanwhile are discarded (use fencing resource-and-stonith); no fence-peer handler: nothing outdates the peer, so a Primary that loses it stays frozen and a Secondary is never promoted; after-sb-0pri discard-younger-primary discards the changes of the node that became Primary last (use disconnect or discard-zero-changes); after-sb-1pri discard-secondary discards the Secondary's changes, even those it made as Primary alone (use disconnect or consensus or call-pri-lost-after-sb)"
    );
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ha-status.md")).unwrap();
    assert!(doc.contains(line), "docs/ha-status.md shows another line");
    // the JSON carries the facts
    let j = serde_json::to_value(StatusDoc::new(&s, &run_checks(&s))).unwrap();
    assert_eq!(j["drbd_config"]["fencing"], "dont-care");
    assert_eq!(
        j["drbd_config"]["net"]["after_sb_1pri"],
        "discard-secondary"
    );
    assert_eq!(j["drbd_config"]["handlers"][0], "split-brain");
}

#[test]
fn code4_an_unreadable_configuration_is_unknown_never_a_pass() {
    let mut s = master();
    s.drbd_config = Known::Unknown(
        "cannot run 'drbdsetup': program not found (is it installed and on PATH?)".into(),
    );
    assert_line(
        &s,
        "[UNKNOWN] cannot tell whether DRBD resource pc0 can lose acknowledged writes: cannot run 'drbdsetup': program not found (is it installed and on PATH?)",
        4,
    );
    let j = serde_json::to_value(StatusDoc::new(&s, &run_checks(&s))).unwrap();
    assert!(j.get("drbd_config").is_none());
    // handlers not read, the rest safe: unknown too
    let mut cfg = common::fenced_config();
    cfg.handlers = None;
    cfg.handlers_error = Some("'drbdadm dump all' did not finish within 5 s and was killed".into());
    s.drbd_config = Known::Known(cfg);
    assert_line(
        &s,
        "[UNKNOWN] cannot tell whether DRBD resource pc0 can lose acknowledged writes: handlers not read: 'drbdadm dump all' did not finish within 5 s and was killed",
        4,
    );
}

fn quorum_on(fixture: &str) -> private_chef_ctl::model::QuorumView {
    let p = format!("{}/fixtures/corosync/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&p).unwrap();
    private_chef_ctl::model::QuorumView::On {
        arbiter: "fe1.example".into(),
        status: Known::Known(private_chef_ctl::corosync::parse_status(&text).unwrap()),
    }
}

#[test]
fn code10_no_quorum_comes_before_what_it_causes() {
    // be2 cut off: its DRBD lost the peer too (code 4), but quorum is the cause
    let mut s = backup();
    s.quorum = quorum_on("quorumtool-s-isolated.txt");
    s.drbd = Known::Known(parse(LOST_PEER_DRBD.as_bytes()).unwrap());
    let (text, code) = lines_of(&s);
    assert_eq!(code, 10, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[4], "[ERROR] no quorum: 1 of 3 votes (quorum 2), this node sees only be2 and the arbiter fe1.example's vote is not counted here: this node does not serve. Check its links to the peer and to the arbiter (corosync-quorumtool -s); once they are back it rejoins by itself. Do not force a promotion here");
    assert!(
        text.ends_with("\n[ERROR] ERRORS WERE DETECTED.\n\n"),
        "{text}"
    );
}

#[test]
fn quorum_held_is_ok_and_the_missing_arbiter_vote_is_advisory() {
    let mut s = master();
    s.quorum = quorum_on("quorumtool-s-healthy.txt");
    assert_line(
        &s,
        "[OK] quorum: 3 of 3 votes (quorum 2): be1, be2 and the arbiter fe1.example",
        0,
    );
    if let private_chef_ctl::model::QuorumView::On {
        status: Known::Known(q),
        ..
    } = &mut s.quorum
    {
        q.total_votes = 2;
        q.qdevice_votes = Some(0);
    }
    let (text, code) = lines_of(&s);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("\n[WARN] quorum: 2 of 3 votes (quorum 2): be1 and be2; the arbiter's (fe1.example) vote is missing: one more fault stops the service."), "{text}");
    assert!(text.ends_with("\n[OK] all checks passed.\n\n"), "{text}");
}

#[test]
fn code10_corosync_unreadable() {
    let mut s = master();
    s.quorum = private_chef_ctl::model::QuorumView::On {
        arbiter: "fe1.example".into(),
        status: Known::Unknown("'corosync-quorumtool -s' exited 1 (is corosync running?)".into()),
    };
    let (text, code) = lines_of(&s);
    assert_eq!(code, 10, "{text}");
    assert!(text.contains("\n[ERROR] quorum unknown: 'corosync-quorumtool -s' exited 1 (is corosync running?); without its quorum this node must not serve."), "{text}");
}

#[test]
fn json_quorum_object() {
    let mut s = backup();
    let r = run_checks(&s);
    let j = serde_json::to_value(StatusDoc::new(&s, &r)).unwrap();
    assert_eq!(j["quorum"]["enabled"], false);
    assert!(j["quorum"]["quorate"].is_null() && j["quorum"]["arbiter"].is_null());
    s.quorum = quorum_on("quorumtool-s-isolated.txt");
    let r = run_checks(&s);
    let j = serde_json::to_value(StatusDoc::new(&s, &r)).unwrap();
    assert_eq!(
        j["quorum"],
        serde_json::json!({"enabled":true,"arbiter":"fe1.example","quorate":false,"votes":1,
            "expected_votes":3,"quorum":2,"members":["be2"],"arbiter_vote":false,
            "ring_id":"2.d","error":null})
    );
    assert_eq!(j["exit_code"], 10);
    assert_eq!(j["ok"], false);
}
