//! master-recover / backup-recover preconditions as pure decisions over parsed /proc/drbd
//! fixtures (fixtures/transition/).

use private_chef_ctl::decide::master_recover::{check_backup, check_master, Verdict};
use private_chef_ctl::drbd;

fn fixture(name: &str) -> drbd::ProcDrbd {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transition")
        .join(name);
    drbd::read(&p).unwrap()
}

fn master(name: &str, force: bool) -> Verdict {
    let p = fixture(name);
    check_master(0, p.device(0), force)
}

#[test]
fn uptodate_secondary_unknown_is_allowed_with_peer_warning() {
    let v = master("uptodate-secondary-unknown.txt", false);
    assert!(v.allowed, "{v:?}");
    assert!(v.problems.is_empty());
    assert_eq!(
        v.saw,
        "minor 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown"
    );
    assert_eq!(v.warnings.len(), 1);
    assert!(v.warnings[0].contains("make sure the peer is really down"));
}

#[test]
fn both_secondary_connected_is_allowed_silently() {
    let v = master("both-secondary-connected.txt", false);
    assert!(
        v.allowed && v.problems.is_empty() && v.warnings.is_empty(),
        "{v:?}"
    );
}

#[test]
fn inconsistent_is_refused() {
    let v = master("inconsistent-standalone.txt", false);
    assert!(!v.allowed);
    assert!(
        v.problems[0].contains("the local disk is Inconsistent, not UpToDate"),
        "{v:?}"
    );
}

#[test]
fn peer_primary_is_refused() {
    let v = master("peer-primary-connected.txt", false);
    assert!(!v.allowed);
    assert_eq!(v.problems.len(), 1);
    assert!(v.problems[0].contains("the peer is Primary (connection Connected)"));
    assert!(v.problems[0].contains("split brain"));
}

#[test]
fn force_allows_with_warning_naming_the_loss() {
    let v = master("inconsistent-standalone.txt", true);
    assert!(v.allowed);
    assert!(!v.problems.is_empty(), "problems are still reported");
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("data on this node is Inconsistent")),
        "{v:?}"
    );
    let v = master("peer-primary-connected.txt", true);
    assert!(v.allowed);
    assert!(
        v.warnings.iter().any(|w| w.contains("the peer's writes")),
        "{v:?}"
    );
}

#[test]
fn missing_or_unconfigured_device_is_refused() {
    let v = check_master(0, None, false);
    assert!(!v.allowed);
    assert!(v.problems[0].contains("not in /proc/drbd"));
    let p = fixture("uptodate-secondary-unknown.txt");
    let v = check_master(3, p.device(3), false);
    assert!(!v.allowed);
    let v = check_master(3, p.device(3), true);
    assert!(v.allowed && !v.warnings.is_empty());
}

#[test]
fn backup_recover_warns_when_peer_not_primary() {
    let p = fixture("peer-primary-connected.txt");
    let v = check_backup(0, p.device(0));
    assert!(v.allowed && v.warnings.is_empty(), "{v:?}");
    for f in [
        "both-secondary-connected.txt",
        "uptodate-secondary-unknown.txt",
    ] {
        let p = fixture(f);
        let v = check_backup(0, p.device(0));
        assert!(v.allowed);
        assert!(v.warnings[0].contains("nobody serves it"), "{f}: {v:?}");
    }
}
