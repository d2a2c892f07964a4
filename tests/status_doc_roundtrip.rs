//! The `ha-status --json` document is read back into the type it was written from: for
//! every /proc/drbd fixture (and an unreadable /proc/drbd, an unread cluster status), the
//! document round-trips, and the peer's view deserialized from the printed document is
//! the view this node builds from its own document.

mod common;

use std::path::{Path, PathBuf};

use private_chef_ctl::decide::checks::run_checks;
use private_chef_ctl::drbd::{parse, DrbdDoc};
use private_chef_ctl::model::{Known, NodeState, NodeView, PeerView, StatusDoc};
use private_chef_ctl::observe::peer::{peer_view_from_output, RemoteResult};
use private_chef_ctl::sys::exec::Output;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proc-drbd");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("txt"))
        .collect();
    v.sort();
    v
}

/// A master's state with `drbd` as /proc/drbd, one replication address unknown.
fn state(drbd: Known<private_chef_ctl::drbd::ProcDrbd>) -> NodeState {
    let mut s = common::master_state();
    s.drbd = drbd;
    s.secondary.reachable = Known::Unknown("ping: no route".into());
    s
}

/// Round-trips the document of `s` and checks that the peer path gives this node's view.
fn round_trip(s: &NodeState, what: &str) -> usize {
    let report = run_checks(s);
    let doc = StatusDoc::new(s, &report);
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let back: StatusDoc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(back, doc, "{what}");

    // The peer's view (its printed document, read over "ssh") is the same value as the
    // view built from the document in memory.
    let local = NodeView::from_doc("be2", "ssh root@192.0.2.12", s.drbd_minor, &doc);
    let ran = RemoteResult::Ran(Output {
        code: Some(report.exit_code),
        stdout: text,
        stderr: String::new(),
    });
    match peer_view_from_output("be2", "ssh root@192.0.2.12", s.drbd_minor, ran) {
        PeerView::Reachable { view } => assert_eq!(*view, local, "{what}"),
        other => panic!("{what}: {other:?}"),
    }
    // And the view itself round-trips (it is the fixture format of fixtures/diagnose/).
    let v: NodeView = serde_json::from_value(serde_json::to_value(&local).unwrap()).unwrap();
    assert_eq!(v, local, "{what}");
    doc.drbd.map(|d| d.devices.len()).unwrap_or(0)
}

#[test]
fn every_fixture_state_round_trips() {
    let mut devices = 0;
    let mut n = 0;
    for f in fixtures() {
        // the fixture's bytes without its `# source:` first line
        let bytes = std::fs::read(&f).unwrap();
        let body = match bytes.iter().position(|c| *c == b'\n') {
            Some(nl) if bytes.starts_with(b"# source: ") => &bytes[nl + 1..],
            _ => &bytes[..],
        };
        let Ok(p) = parse(body) else { continue };
        let what = f.display().to_string();
        // the drbd-status document alone
        let text = serde_json::to_string(&p).unwrap();
        let doc: DrbdDoc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(doc, p.to_doc(), "{what}");
        devices += round_trip(&state(Known::Known(p)), &what);
        n += 1;
    }
    assert!(n >= 30, "{n} fixtures parsed");
    assert!(devices >= 60, "{devices} devices");
}

#[test]
fn unknown_states_round_trip_as_values() {
    let mut s = state(Known::Unknown(
        "/proc/drbd: No such file or directory".into(),
    ));
    s.current_status = Known::Unknown("missing".into());
    round_trip(&s, "unreadable");
    let doc = StatusDoc::new(&s, &run_checks(&s));
    let v = NodeView::from_doc("be1", "local", 0, &doc);
    assert_eq!(v.drbd, None);
    assert!(v
        .drbd_error
        .as_deref()
        .unwrap_or("")
        .contains("No such file"));
    assert_eq!(v.cluster_status.current, None);
}

#[test]
fn a_document_without_its_keys_is_refused_not_defaulted() {
    let ran = |stdout: &str| {
        RemoteResult::Ran(Output {
            code: Some(0),
            stdout: stdout.to_string(),
            stderr: String::new(),
        })
    };
    // "checks" renamed: the peer is Unknown with the reason, not an empty healthy view.
    let v = peer_view_from_output("be2", "ssh", 0, ran(r#"{"exit_code":0,"check":[]}"#));
    match v {
        PeerView::Unknown { reason, .. } => assert!(reason.contains("checks"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
