//! runit `supervise/status` parser and `sv status` line rendering, on real and
//! hand-built 20-byte records (fixtures/runit).

use std::path::{Path, PathBuf};

use private_chef_ctl::service::runit::{
    parse_supervise_status, read_supervise_status, state_from_records, status_of_dir, RunState,
    StatusError, TAI64_UNIX_EPOCH,
};
use private_chef_ctl::service::{LogState, ServiceState, State, Want};
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/runit")
        .join(name)
}

fn rec(name: &str) -> private_chef_ctl::service::SuperviseStatus {
    read_supervise_status(&fixture(name)).unwrap()
}

#[test]
fn real_running_record() {
    let st = rec("running.status");
    assert_eq!(st.pid, 5475);
    assert_eq!(st.want, Some(Want::Up));
    assert_eq!(st.run_state, RunState::Run);
    assert!(!st.paused && !st.got_term);
    // Captured in 2025/2026: a sane Unix time.
    assert!(st.changed_unix() > 1_700_000_000, "{}", st.changed_unix());
    assert_eq!(rec("log-running.status").pid, 5474);
}

#[test]
fn real_records_fields() {
    let d = rec("down-normally-down.status");
    assert_eq!(
        (d.pid, d.want, d.run_state),
        (0, Some(Want::Down), RunState::Down)
    );
    let p = rec("paused.status");
    assert!(p.paused);
    let t = rec("want-down-got-term.status");
    assert_eq!((t.pid, t.want, t.got_term), (5517, Some(Want::Down), true));
    let f = rec("finish.status");
    assert_eq!((f.pid, f.run_state), (5519, RunState::Finish));
}

#[test]
fn handmade_record() {
    let st = rec("handmade-run-pid4314.status");
    assert_eq!(st.tai_secs, TAI64_UNIX_EPOCH + 1_000_000);
    assert_eq!(st.changed_unix(), 1_000_000);
    assert_eq!(st.elapsed_secs(1_000_174), 174);
    assert_eq!(
        st.state(1_000_174),
        State::Up {
            pid: 4314,
            secs: 174
        }
    );
}

#[test]
fn wrong_length_names_file_and_length() {
    for (f, len) in [
        ("truncated.status", 19),
        ("oversized.status", 21),
        ("empty.status", 0),
    ] {
        let e = read_supervise_status(&fixture(f)).unwrap_err();
        assert!(e.contains(f), "{e}");
        assert!(
            e.contains(&format!("is {len} bytes long, expected 20")),
            "{e}"
        );
    }
    assert_eq!(
        parse_supervise_status(&[0; 3]),
        Err(StatusError::WrongLength { len: 3 })
    );
    let e = read_supervise_status(&fixture("handmade-bad-state.status")).unwrap_err();
    assert!(e.contains("unknown run state byte 7"), "{e}");
}

#[test]
fn missing_status_file_names_it() {
    let e = read_supervise_status(&fixture("nope.status")).unwrap_err();
    assert!(e.contains("nope.status"), "{e}");
}

/// The three forms of chef-ha-ctl.md §7.2, rebuilt from records.
#[test]
fn render_reference_examples() {
    let now = 1_000_000;
    let at = |secs_ago: u64, pid: u32, want: u8, state: u8| {
        let mut b = [0u8; 20];
        b[0..8].copy_from_slice(&(TAI64_UNIX_EPOCH + now - secs_ago).to_be_bytes());
        b[12..16].copy_from_slice(&pid.to_le_bytes());
        b[17] = want;
        b[19] = state;
        parse_supervise_status(&b).unwrap()
    };
    let nginx = state_from_records(
        "nginx",
        &at(174, 4314, b'u', 1),
        false,
        Some((&at(186, 3907, b'u', 1), false)),
        now,
    );
    assert_eq!(
        nginx.status_line(),
        "run: nginx: (pid 4314) 174s; run: log: (pid 3907) 186s"
    );
    assert_eq!(nginx.lsb_code(), 0);
    let mover = state_from_records(
        "opscode-chef-mover",
        &at(220, 0, b'd', 0),
        false,
        Some((&at(221, 3756, b'u', 1), false)),
        now,
    );
    assert_eq!(
        mover.status_line(),
        "down: opscode-chef-mover: 220s, normally up; run: log: (pid 3756) 221s"
    );
    assert_eq!(
        mover.lsb_code(),
        3,
        "down main, running log: 3 (not 2.1.2's 0)"
    );
    let bookshelf = state_from_records(
        "bookshelf",
        &at(2789, 32257, b'u', 1),
        true,
        Some((&at(180873, 8783, b'u', 1), false)),
        now,
    );
    assert_eq!(
        bookshelf.status_line(),
        "run: bookshelf: (pid 32257) 2789s, normally down; run: log: (pid 8783) 180873s"
    );
}

/// Captured records rendered as sv rendered them (seconds fixed by choosing `now`).
#[test]
fn render_captured_records() {
    let cases: &[(&str, bool, &str)] = &[
        ("paused.status", false, "run: svc: (pid 5475) 2s, paused"),
        (
            "run-normally-down-want-down.status",
            true,
            "run: svc: (pid 5489) 2s, normally down, want down",
        ),
        (
            "down-normally-up.status",
            false,
            "down: svc: 2s, normally up",
        ),
        ("down-normally-down.status", true, "down: svc: 2s"),
        (
            "want-down-got-term.status",
            false,
            "run: svc: (pid 5517) 2s, want down, got TERM",
        ),
        ("finish.status", false, "finish: svc: (pid 5519) 2s"),
    ];
    for (f, down_file, want) in cases {
        let st = rec(f);
        let now = st.changed_unix() + 2;
        let s = state_from_records("svc", &st, *down_file, None, now);
        assert_eq!(&s.status_line(), want, "{f}");
    }
    let up = rec("handmade-down-want-u.status");
    let s = state_from_records("crash", &up, false, None, 1_000_000);
    assert_eq!(s.status_line(), "down: crash: 0s, normally up, want up");
    assert_eq!(s.lsb_code(), 3);
}

#[test]
fn finishing_counts_as_not_running() {
    let st = rec("finish.status");
    let s = state_from_records("svc", &st, false, None, st.changed_unix());
    assert_eq!(s.lsb_code(), 3);
}

#[test]
fn unknown_is_rendered_and_coded_4() {
    let s = ServiceState::unknown("nginx", true, true, "runsv not running");
    assert_eq!(s.status_line(), "fail: nginx: runsv not running");
    assert_eq!(s.lsb_code(), 4);
    let mut with_log = state_from_records(
        "svc",
        &rec("running.status"),
        false,
        None,
        rec("running.status").changed_unix(),
    );
    with_log.log = Some(LogState {
        state: State::Unknown {
            reason: "runsv not running".into(),
        },
        normally_up: true,
        want: None,
        paused: false,
        got_term: false,
    });
    assert_eq!(
        with_log.status_line(),
        "run: svc: (pid 5475) 0s; warning: log: runsv not running"
    );
}

/// A service dir whose supervise/status is missing, unreadable or short is Unknown,
/// naming the file: never "down".
#[test]
fn missing_or_bad_status_file_is_unknown() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("svc");
    std::fs::create_dir_all(dir.join("supervise")).unwrap();
    let st = status_of_dir("svc", &dir, 0);
    match &st.state {
        State::Unknown { reason } => {
            assert!(reason.contains("supervise/status"), "{reason}")
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(st.lsb_code(), 4);
    // A directory in place of the file: unreadable.
    std::fs::create_dir(dir.join("supervise/status")).unwrap();
    let st = status_of_dir("svc", &dir, 0);
    assert!(
        matches!(&st.state, State::Unknown { reason } if reason.contains("supervise/status")),
        "{st:?}"
    );
    std::fs::remove_dir(dir.join("supervise/status")).unwrap();
    std::fs::write(dir.join("supervise/status"), [1u8, 2, 3]).unwrap();
    let st = status_of_dir("svc", &dir, 0);
    assert!(
        matches!(&st.state, State::Unknown { reason } if reason.contains("is 3 bytes long")),
        "{st:?}"
    );
    // A good record but no runsv (no supervise/ok): still Unknown, not the stale record.
    std::fs::copy(fixture("running.status"), dir.join("supervise/status")).unwrap();
    let st = status_of_dir("svc", &dir, 0);
    assert!(
        matches!(&st.state, State::Unknown { reason } if reason.contains("supervise/ok")),
        "{st:?}"
    );
    // A missing service dir.
    let st = status_of_dir("gone", &t.path().join("gone"), 0);
    assert!(st.state.is_unknown());
}

proptest! {
    #[test]
    fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let r = parse_supervise_status(&bytes);
        if bytes.len() != 20 {
            prop_assert_eq!(r, Err(StatusError::WrongLength { len: bytes.len() }));
        } else if bytes[19] <= 2 && bytes[16] <= 1 && bytes[18] <= 1 && matches!(bytes[17], b'u' | b'd') {
            let st = r.unwrap();
            prop_assert_eq!(st.pid, u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]));
            // Rendering never panics either.
            let _ = state_from_records("x", &st, bytes[0] & 1 == 1, Some((&st, false)), u64::MAX).status_line();
        }
    }
}
