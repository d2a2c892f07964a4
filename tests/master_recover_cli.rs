//! master-recover / backup-recover through the binary, changing nothing: --dry-run,
//! --json, refusal without a terminal and without --yes, precondition refusal; each with
//! its audit lines. stdin is /dev/null (not a terminal) and PATH is empty.

mod common;

use std::path::PathBuf;

use common::ctl as run;

fn setup(proc_fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, config) = setup_without_witness(proc_fixture);
    // issue 10: the witness saw this node Connected and UpToDate when it lost the peer
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let rec = serde_json::json!({
        "boot_id": boot.trim(), "minor": 0, "started": "t0",
        "now": {"cs":"WFConnection","role":"Secondary","peer_role":"Unknown","disk":"UpToDate","peer_disk":"DUnknown"},
        "now_since": "t2", "connections": 1,
        "last_connected": {"cs":"Connected","role":"Secondary","peer_role":"Primary","disk":"UpToDate","peer_disk":"UpToDate"},
        "last_connected_since": "t1", "lost_at": "t2"
    });
    std::fs::create_dir_all(dir.path().join("ka")).unwrap();
    std::fs::write(dir.path().join("ka/drbd-witness.json"), rec.to_string()).unwrap();
    (dir, config)
}

fn setup_without_witness(proc_fixture: &str) -> (tempfile::TempDir, PathBuf) {
    common::node_with(proc_fixture)
}

/// Issue 10: alone, and no witness record says the data was current when the peer was
/// lost: refused (exit 2); --force needs the typed resource name (--confirm-resource with --yes).
#[test]
fn data_that_may_be_stale_is_refused_and_force_needs_the_resource_name() {
    let (dir, cfg) = setup_without_witness("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["master-recover", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("data may be stale"), "{err}");
    assert!(err.contains("master-recover --force"), "{err}");
    nothing_changed(&dir);
    let o = run(&dir, &cfg, &["master-recover", "--yes", "--force"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--confirm-resource pc0"), "{err}");
    nothing_changed(&dir);
    let a = audit(&dir);
    assert!(a
        .iter()
        .any(|e| e["step"] == "promote data that may be stale" && e["result"] == "refused"));
    let o = run(&dir, &cfg, &["master-recover", "--force", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("will be lost"), "{err}");
    nothing_changed(&dir);
}

fn audit(dir: &tempfile::TempDir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path().join("audit/audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn nothing_changed(dir: &tempfile::TempDir) {
    let ka = dir.path().join("ka");
    assert!(!ka.join("requested_cluster_status").exists());
    assert!(!ka.join("current_cluster_status").exists());
    assert!(!ka.join("cluster-transition.lock").exists());
}

#[test]
fn dry_run_prints_the_plan_and_runs_nothing() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["master-recover", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("DRBD: minor 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown"),
        "{out}"
    );
    assert!(out.contains("Plan: master-recover: set "), "{out}");
    assert!(
        out.contains("  1. Promote DRBD resource pc0 to Primary"),
        "{out}"
    );
    assert!(out.contains("$ drbdadm primary pc0"), "{out}");
    assert!(out.contains("Dry run: nothing was changed."), "{out}");
    assert!(out.contains("VIP"), "{out}");
    nothing_changed(&dir);
    let a = audit(&dir);
    assert!(!a.is_empty());
    assert!(a
        .iter()
        .all(|e| e["result"] == "dry-run" && e["action"] == "master-recover"));
}

#[test]
fn no_tty_and_no_yes_is_refused() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["master-recover"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pass --yes"), "{err}");
    nothing_changed(&dir);
    let a = audit(&dir);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["result"], "refused");
    assert!(a[0]["detail"].as_str().unwrap().contains("not a terminal"));
}

#[test]
fn failed_preconditions_refuse_and_explain() {
    let (dir, cfg) = setup("peer-primary-connected.txt");
    let o = run(&dir, &cfg, &["master-recover", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("master-recover: refusing:"), "{err}");
    assert!(err.contains("the peer is Primary"), "{err}");
    assert!(err.contains("--force"), "{err}");
    nothing_changed(&dir);
    let a = audit(&dir);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["result"], "refused");
}

#[test]
fn force_with_dry_run_warns_and_plans() {
    let (dir, cfg) = setup("inconsistent-standalone.txt");
    let o = run(&dir, &cfg, &["master-recover", "--force", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("WARNING: --force: data on this node is Inconsistent"),
        "{err}"
    );
    nothing_changed(&dir);
}

#[test]
fn json_prints_checks_and_plan() {
    let (dir, cfg) = setup("inconsistent-standalone.txt");
    let o = run(&dir, &cfg, &["master-recover", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "refused checks: exit 2 even in JSON"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["checks"]["allowed"], false);
    assert_eq!(v["plan"]["steps"][0]["command"], "drbdadm primary pc0");
    assert_eq!(
        v["plan"]["steps"][1]["command"],
        format!("mount /dev/drbd0 /var/opt/opscode/drbd/data")
    );
    nothing_changed(&dir);
}

#[test]
fn backup_recover_warns_when_peer_not_primary() {
    let (dir, cfg) = setup("both-secondary-connected.txt");
    let o = run(&dir, &cfg, &["backup-recover", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("WARNING: the peer is not Primary"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Demote DRBD resource pc0 to Secondary"),
        "{out}"
    );
    nothing_changed(&dir);
}
