//! Audit log lines: shape, append, directory creation, identity, and a write failure that
//! only warns.

use private_chef_ctl::act::audit::{Audit, AuditResult};

#[test]
fn lines_have_the_documented_shape_and_append() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("deep/er/audit.log");
    let a = Audit::with_identity(
        &p,
        "alice".into(),
        "private-chef-ctl master-recover --yes".into(),
        "be1".into(),
    );
    a.try_record(
        "master-recover",
        "drbdadm primary pc0",
        AuditResult::Started,
        "",
    )
    .unwrap();
    a.try_record(
        "master-recover",
        "drbdadm primary pc0",
        AuditResult::Failed,
        "exit 17",
    )
    .unwrap();
    let b = Audit::with_identity(&p, "bob".into(), "x".into(), "be1".into());
    b.record("backup-recover", "", AuditResult::Refused, "no tty");
    b.record("backup-recover", "s", AuditResult::DryRun, "");
    b.record("backup-recover", "s", AuditResult::Ok, "");
    let text = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    let results = ["started", "failed", "refused", "dry-run", "ok"];
    for (l, want) in lines.iter().zip(results) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        let mut want_keys = vec![
            "action", "command", "detail", "node", "result", "step", "time", "user",
        ];
        want_keys.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, want_keys);
        assert_eq!(v["result"], want);
        let t = v["time"].as_str().unwrap();
        // RFC 3339 with offset: 2024-05-01T14:03:07+02:00
        assert_eq!(t.len(), 25, "{t}");
        assert_eq!(&t[4..5], "-");
        assert_eq!(&t[10..11], "T");
        assert!(t[19..20] == *"+" || t[19..20] == *"-", "{t}");
    }
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["user"], "alice");
    assert_eq!(first["node"], "be1");
    assert_eq!(first["command"], "private-chef-ctl master-recover --yes");
    assert_eq!(first["step"], "drbdadm primary pc0");
}

#[test]
fn unwritable_log_is_an_error_for_try_and_a_warning_for_record() {
    let d = tempfile::tempdir().unwrap();
    // A regular file where the directory should be.
    std::fs::write(d.path().join("notadir"), "").unwrap();
    let p = d.path().join("notadir/audit.log");
    let a = Audit::with_identity(&p, "u".into(), "c".into(), "n".into());
    assert!(a.try_record("x", "", AuditResult::Ok, "").is_err());
    a.record("x", "", AuditResult::Ok, ""); // must not panic or abort
}

#[test]
fn sudo_user_wins() {
    // current_user reads SUDO_USER first; set only within this test process.
    std::env::set_var("SUDO_USER", "operator7");
    assert_eq!(private_chef_ctl::act::audit::current_user(), "operator7");
    std::env::remove_var("SUDO_USER");
    assert!(!private_chef_ctl::act::audit::current_user().is_empty());
}
