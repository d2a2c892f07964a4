//! The split-brain handler's pure parts: environment parsing, the record file, the
//! notification command and message.

use std::path::Path;

use private_chef_ctl::act::notify::append;
use private_chef_ctl::decide::notify::{message, notify_argv};
use private_chef_ctl::model::split_brain::{last_of, SplitBrainRecord};
use private_chef_ctl::observe::split_brain_log::last;

fn env(k: &str) -> Option<String> {
    match k {
        "DRBD_RESOURCE" => Some("pc0".into()),
        "DRBD_MINOR" => Some("0".into()),
        "DRBD_VOLUME" => Some(" 0 ".into()),
        "DRBD_PEER" => Some("be2.lab.example".into()),
        "DRBD_PEER_ADDRESS" => Some("192.0.2.12".into()),
        "DRBD_PEER_AF" => Some("ipv4".into()),
        "DRBD_LL_DISK" => Some("/dev/opscode/drbd".into()),
        "DRBD_CONF" => Some("/etc/drbd.conf".into()),
        _ => None,
    }
}

fn rec() -> SplitBrainRecord {
    SplitBrainRecord::from_env(
        "split-brain",
        env,
        "2024-05-01T12:00:00+00:00".into(),
        Some(1714564800),
        Some("be1.lab.example".into()),
    )
}

#[test]
fn environment_is_parsed() {
    let r = rec();
    assert_eq!(r.resource.as_deref(), Some("pc0"));
    assert_eq!(r.minor, Some(0));
    assert_eq!(r.volume, Some(0));
    assert_eq!(r.peer.as_deref(), Some("be2.lab.example"));
    assert_eq!(r.peer_address.as_deref(), Some("192.0.2.12"));
    assert_eq!(r.peer_af.as_deref(), Some("ipv4"));
    assert_eq!(r.backing_disk.as_deref(), Some("/dev/opscode/drbd"));
    assert_eq!(r.handler.as_deref(), Some("split-brain"));
    // Missing, empty or non-numeric values are null.
    let r = SplitBrainRecord::from_env(
        "split-brain",
        |k| match k {
            "DRBD_MINOR" => Some("minor-x".into()),
            "DRBD_RESOURCE" => Some("".into()),
            _ => None,
        },
        "t".into(),
        None,
        None,
    );
    assert_eq!(r.minor, None);
    assert_eq!(r.resource, None);
    assert_eq!(r.peer, None);
}

#[test]
fn records_append_and_the_last_one_is_read_back() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("drbd");
    assert_eq!(last(&dir), None);
    let mut a = rec();
    append(&dir, &a).unwrap();
    a.time = "2024-05-02T00:00:00+00:00".into();
    a.oos = Some(42);
    let p = append(&dir, &a).unwrap();
    assert_eq!(p, dir.join("split-brain.log"));
    assert_eq!(last(&dir), Some(a.clone()));
    // A torn or foreign last line is skipped.
    let text = std::fs::read_to_string(&p).unwrap() + "{\"time\": broken\n";
    assert_eq!(last_of(&text), Some(a));
    assert_eq!(last_of("garbage\n"), None);
}

#[test]
fn notification_command_and_message() {
    let (subject, body) = message(&rec());
    assert_eq!(
        subject,
        "DRBD split brain on resource pc0 (be1.lab.example)"
    );
    assert!(body.contains("peer be2.lab.example at 192.0.2.12"));
    assert!(body.contains("ha-recover split-brain"));
    // A configured command gets subject and body as arguments.
    let (argv, stdin) = notify_argv(
        Some("/usr/local/bin/page-oncall"),
        Some(Path::new("/usr/bin/mail")),
        "ops@example.com",
        &subject,
        &body,
    )
    .unwrap();
    assert_eq!(
        argv,
        vec![
            "/usr/local/bin/page-oncall".to_string(),
            subject.clone(),
            body.clone()
        ]
    );
    assert_eq!(stdin, None);
    // Else mail -s SUBJECT -- RECIPIENT with the body on stdin (after `--` a recipient
    // from private-chef.rb is never an option).
    let (argv, stdin) = notify_argv(
        None,
        Some(Path::new("/usr/bin/mail")),
        "root",
        &subject,
        &body,
    )
    .unwrap();
    assert_eq!(
        argv,
        vec![
            "/usr/bin/mail".to_string(),
            "-s".into(),
            subject.clone(),
            "--".into(),
            "root".into()
        ]
    );
    assert_eq!(stdin.as_deref(), Some(body.as_str()));
    // Neither: nothing (the handler reports it and still exits 0).
    assert_eq!(notify_argv(Some("  "), None, "root", &subject, &body), None);
}

#[test]
fn the_first_handler_of_a_split_brain_says_what_comes_next() {
    let mut first = rec();
    first.handler = Some("initial-split-brain".into());
    let (subject, body) = message(&first);
    assert_eq!(
        subject,
        "DRBD split brain detected on resource pc0 (be1.lab.example)"
    );
    assert!(body.contains("after-split-brain policies"), "{body}");
    assert!(body.contains("second notification follows"), "{body}");
    // the second one says the policies failed
    let mut second = rec();
    second.repeat_of = Some(first.time.clone());
    let (subject, body) = message(&second);
    assert_eq!(
        subject,
        "DRBD split brain on resource pc0 (be1.lab.example)"
    );
    assert!(body.contains("could not resolve it"), "{body}");
}
