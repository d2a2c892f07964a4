//! One exit-code table: every mutating command refuses with exit 2 (nothing changed, the
//! refusal audited). stdin is /dev/null (not a terminal) and PATH is empty.

mod common;

const REFUSED: i32 = 2;

use common::{ctl as run, node_with as setup};

fn refusals(dir: &tempfile::TempDir, action: &str) -> usize {
    std::fs::read_to_string(dir.path().join("audit/audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["action"] == action && e["result"] == "refused")
        .count()
}

#[test]
fn stop_keepalived_on_a_master_whose_peer_cannot_take_over() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let ka = dir.path().join("ka");
    std::fs::create_dir_all(&ka).unwrap();
    std::fs::write(ka.join("requested_cluster_status"), "master\n").unwrap();
    std::fs::write(ka.join("current_cluster_status"), "master\n").unwrap();
    let o = run(&dir, &cfg, &["stop", "keepalived"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(REFUSED), "{err}");
    assert!(err.contains("refusing to stop keepalived"), "{err}");
    assert_eq!(refusals(&dir, "stop keepalived"), 1);
}

#[test]
fn start_keepalived_without_a_terminal_or_yes() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["start", "keepalived"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(REFUSED), "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    assert_eq!(refusals(&dir, "start keepalived"), 1);
}

#[test]
fn master_and_backup_recover_without_a_terminal_or_yes() {
    for cmd in ["master-recover", "backup-recover"] {
        let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
        let o = run(&dir, &cfg, &[cmd]);
        assert_eq!(o.status.code(), Some(REFUSED), "{cmd}: {o:?}");
        assert_eq!(refusals(&dir, cmd), 1, "{cmd}");
    }
}

#[test]
fn cluster_transition_with_bad_arguments() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["cluster-transition", "sideways"]);
    assert_eq!(o.status.code(), Some(REFUSED), "{o:?}");
    assert_eq!(refusals(&dir, "cluster-transition"), 1);
}

#[test]
fn the_table_is_in_the_help() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["--help"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Exit codes (every command):"), "{out}");
    assert!(out.contains("  2  refused, nothing was changed"), "{out}");
}
