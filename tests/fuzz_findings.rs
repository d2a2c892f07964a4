//! Every input of fixtures/fuzz-findings/ that a parser used to accept silently or misread,
//! with the right answer: an error naming where it is and what was expected, or the exact parse.

use std::path::{Path, PathBuf};

use private_chef_ctl::drbd::parse;
use private_chef_ctl::service::parse_supervise_status;

fn file(name: &str) -> Vec<u8> {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz-findings")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn proc_error(name: &str) -> String {
    match parse(&file(name)) {
        Ok(p) => panic!("{name}: accepted, {} devices", p.devices.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_garbled_device_line_is_an_error_not_dropped() {
    // "d\n6:cs:Unconfigured\n2: cs:Unconfigured": the minor without a space after its colon
    assert_eq!(
        proc_error("proc_drbd--device-line-dropped.input"),
        "line 1, column 1: expected a header line (`version:`, `GIT-hash:`, `srcversion:`, \
         `SVN Revision:`, `built-in`, `Transports`) or a device line (` N: cs:…`), found \"d\""
    );
    assert_eq!(
        parse(b"version: 8.4.11 (api:1/proto:86-101)\n6:cs:Unconfigured\n2: cs:Unconfigured\n")
            .unwrap_err()
            .to_string(),
        "line 2, column 3: expected a space after `N:`, found \"cs:Unconfigured\""
    );
    // the same inside the device region (used to become a detail line of minor 0)
    assert_eq!(
        proc_error("proc_drbd-device-region-minor-line-swallowed.txt"),
        "line 5, column 4: expected a space after `N:`, found \"cs:Unconfigured\""
    );
    // and as the first device (used to become the build line)
    assert_eq!(
        proc_error("proc_drbd-header-swallows-garbled-device.txt"),
        "line 3, column 4: expected a space after `N:`, found \"cs:Connected ro:Primary/…\""
    );
}

#[test]
fn a_minor_over_u32_is_an_error() {
    assert_eq!(
        proc_error("proc_drbd-minor-over-u32-becomes-build.txt"),
        "line 2, column 2: expected a minor number (0 to 4294967295), found \"4294967296: cs:Connected…\""
    );
}

#[test]
fn an_unknown_header_line_is_an_error() {
    assert_eq!(
        proc_error("proc_drbd--header-line-dropped.input"),
        "line 1, column 1: expected a header line (`version:`, `GIT-hash:`, `srcversion:`, \
         `SVN Revision:`, `built-in`, `Transports`) or a device line (` N: cs:…`), found \"d\""
    );
    let e = parse(b"version: garbage\n 0: cs:Unconfigured\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 1, column 10: expected a release number (e.g. 8.4.11), found \"garbage\""
    );
    let e = parse(b"version: 8.4.11 (api:1/proto:86-101)\nversion: 8.4.11 (api:1/proto:86-101)\n")
        .unwrap_err();
    assert_eq!(
        (e.line, e.expected.as_str()),
        (2, "a single `version:` line")
    );
}

#[test]
fn duplicate_and_descending_minors_are_errors() {
    assert_eq!(
        proc_error("proc_drbd-duplicate-minor.txt"),
        "line 3, column 2: expected each minor once (minor 0 is also on line 2), found \"0: cs:Connected ro:Prima…\""
    );
    assert_eq!(
        proc_error("proc_drbd-minors-descending.txt"),
        "line 3, column 2: expected minors in ascending order (minor 1 is on line 2), found \"0: cs:Unconfigured\""
    );
    // the fuzzer's minimized forms (after a garbage first line, which is its own error)
    for name in [
        "proc_drbd--duplicate-minor.input",
        "proc_drbd--minors-not-ascending.input",
    ] {
        let body = file(name);
        let rest = &body[body.iter().position(|c| *c == b'\n').unwrap() + 1..];
        let e = parse(rest).unwrap_err();
        assert_eq!(e.line, 2, "{name}: {e}");
        assert!(
            e.expected.contains("minor 6"),
            "{name}: {e} should name the earlier minor"
        );
    }
}

#[test]
fn runit_status_bytes_outside_their_range_are_errors() {
    // the fuzzer's two findings are one input: flag byte 18 = 117 and want byte 17 = 116
    for name in [
        "runit_status--flag-byte-not-0-1.input",
        "runit_status--want-byte-unknown.input",
    ] {
        let e = parse_supervise_status(&file(name)).unwrap_err().to_string();
        assert!(e.starts_with("has byte "), "{name}: {e}");
    }
    let mut good = [0u8; 20];
    good[17] = b'u';
    good[19] = 1;
    assert!(parse_supervise_status(&good).is_ok());
    for (offset, byte, want) in [
        (16, 2, "has byte 2 at offset 16 (expected 0 or 1)"),
        (18, 117, "has byte 117 at offset 18 (expected 0 or 1)"),
        (17, 116, "has byte 116 at offset 17 (expected `u` or `d`)"),
    ] {
        let mut b = good;
        b[offset] = byte;
        assert_eq!(parse_supervise_status(&b).unwrap_err().to_string(), want);
    }
}

/// The peer's `ha-status --json` is read into the document type this node writes: a device
/// with a mistyped field, or an exit code out of range, makes the whole document unusable
/// (the peer is then *unknown*, with the reason), never a view with the device dropped.
#[test]
fn a_peer_document_with_a_mistyped_field_is_refused_whole() {
    use private_chef_ctl::model::StatusDoc;
    for name in [
        "peer-device-minor-as-string-dropped.json",
        "peer-exit-code-out-of-i32-dropped.json",
        "peer_status_json--device-dropped.input",
        "peer_status_json--exit-code-dropped.input",
    ] {
        let r = serde_json::from_slice::<StatusDoc>(&file(name));
        assert!(r.is_err(), "{name}: accepted as {r:?}");
    }
}

/// keepalived's notify words: `-h`/`-v` instance names and `GROUP -r BACKUP 0` are valid
/// notifications; `-- stop` and ` stop` are not states.
#[test]
fn notify_findings_have_the_right_answer() {
    use private_chef_ctl::decide::transition::{parse_notify_args, Target};
    let words = |name: &str| -> Vec<String> {
        String::from_utf8(file(name))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        parse_notify_args(&words("notify-instance-named-dash-h.txt")),
        Ok(Target::Master)
    );
    assert_eq!(
        parse_notify_args(&words("notify-instance-named-dash-v.txt")),
        Ok(Target::Master)
    );
    assert_eq!(
        parse_notify_args(&["GROUP", "-r", "BACKUP", "0"]),
        Ok(Target::Backup)
    );
    assert!(parse_notify_args(&["--", "stop"]).is_err());
    assert!(parse_notify_args(&[" stop"]).is_err());
}

/// Found by the drbd_gi fuzz target: identifiers whose current generation is 0 (no data)
/// compare with themselves as "peer newer" — DRBD 8.4's rule 20 (`self == 0`, peer not
/// just created → become sync target with a full sync), kept as DRBD decides it.
#[test]
fn a_zero_current_generation_is_never_the_source() {
    use private_chef_ctl::drbd::gi::{parse, relation, Relation};
    let g = parse(
        "0000000000000000:0000000000000000:0000000000000000:0000000000000000:1:1:1:0:0:0:0:0:0:0\n",
    )
    .unwrap();
    let c = relation(Some(&g), Some(&g));
    assert_eq!(
        (c.relation, c.rule, c.full_sync),
        (Relation::PeerNewer, 20, true)
    );
}
