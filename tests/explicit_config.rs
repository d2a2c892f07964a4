//! A topology file named with `--config` (or PRIVATE_CHEF_CTL_CONFIG) that is missing is an
//! error for every command that reads one, and nothing falls back to the system's default
//! paths; only the default file may be absent.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(args)
        .env_remove("PRIVATE_CHEF_CTL_CONFIG")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap()
}

#[test]
fn a_missing_explicit_config_is_an_error_everywhere() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("nope/private-chef.rb");
    let m = missing.to_str().unwrap();
    for args in [
        &["status"][..],
        &["stop", "postgresql"][..],
        &["service-list"][..],
        &["cluster-transition", "backup"][..],
        &["show-config"][..],
        &["master-recover", "--dry-run"][..],
    ] {
        let mut a = vec!["--config", m];
        a.extend_from_slice(args);
        let o = run(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_ne!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.contains(m), "{args:?} does not name the file: {err}");
    }
    // nothing was created beside it
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
}

#[test]
fn the_split_brain_handler_writes_nothing_elsewhere_and_still_exits_0() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("private-chef.rb");
    let o = run(&[
        "--config",
        missing.to_str().unwrap(),
        "drbd-handler",
        "split-brain",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no record or audit line is written"), "{err}");
    assert!(!err.contains("split brain recorded in"), "{err}");
}

#[test]
fn an_endless_config_is_an_error_not_all_memory() {
    let o = run(&["--config", "/dev/zero", "show-config"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "private-chef-ctl: error: cannot read /dev/zero: the file is larger than 16 MiB\n"
    );
}
