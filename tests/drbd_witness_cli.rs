//! Issue 10: `drbd-witness --once` writes the record of this boot in the keepalived
//! directory (through safe_fs: never through a link) and prints it.

mod common;

use common::{ctl as run, node_with as setup};

#[test]
fn once_writes_the_record_of_this_boot() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["drbd-witness", "--once"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let path = dir.path().join("ka/drbd-witness.json");
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    assert_eq!(rec["boot_id"], boot.trim());
    assert_eq!(rec["now"]["cs"], "WFConnection");
    assert!(rec["last_connected"].is_null(), "{rec}");
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, rec);
}

#[test]
fn a_link_where_the_record_should_be_is_refused() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let ka = dir.path().join("ka");
    std::fs::create_dir_all(&ka).unwrap();
    let target = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, ka.join("drbd-witness.json")).unwrap();
    let o = run(&dir, &cfg, &["drbd-witness", "--once"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!target.exists());
}

#[test]
fn the_interval_is_bounded() {
    let (dir, cfg) = setup("uptodate-secondary-unknown.txt");
    let o = run(&dir, &cfg, &["drbd-witness", "--once", "--interval", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
