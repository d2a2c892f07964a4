//! `private-chef-ctl drbd-status` run as a process on fixtures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_private-chef-ctl");

/// Writes the fixture without its `# source:` line to a temp file.
fn stripped(dir: &Path, prefix: &str) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proc-drbd");
    let name = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with(prefix))
        .unwrap();
    let bytes = std::fs::read(fixtures.join(&name)).unwrap();
    let nl = bytes.iter().position(|c| *c == b'\n').unwrap();
    let out = dir.join(name);
    std::fs::write(&out, &bytes[nl + 1..]).unwrap();
    out
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut i = child.stdin.take().unwrap();
        if let Some(b) = stdin {
            i.write_all(b).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn json_of(prefix: &str) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = stripped(dir.path(), prefix);
    let out = run(
        &["drbd-status", "--file", f.to_str().unwrap(), "--json"],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("}\n"));
    (serde_json::from_str(&text).unwrap(), text)
}

#[test]
fn json_syncsource() {
    let (v, text) = json_of("09-");
    assert_eq!(
        v,
        json!({"version":"8.4.2","api":1,"proto":"86-101",
        "build":"GIT-hash: 7ad5f850d711223713d6dcadc3dd48860321070c build by root@example.com, 2013-04-10 07:45:25",
        "devices":[
          {"minor":0,"cs":"StandAlone","role":"Primary","peer_role":"Unknown","disk":"UpToDate","peer_disk":"DUnknown",
           "protocol":null,"io_flags":"r-----","io_suspended":false,
           "counters":{"ns":0,"nr":0,"dw":33318,"dr":730,"al":15,"bm":0,"lo":0,"pe":0,"ua":0,"ap":0,"ep":1,"wo":"d","oos":1048320},
           "sync":null},
          {"minor":3,"cs":"Unconfigured","role":null,"peer_role":null,"disk":null,"peer_disk":null,
           "protocol":null,"io_flags":null,"io_suspended":false,"counters":{},"sync":null},
          {"minor":5,"cs":"SyncSource","role":"Secondary","peer_role":"Secondary","disk":"UpToDate","peer_disk":"Inconsistent",
           "protocol":"C","io_flags":"r---n-","io_suspended":false,
           "counters":{"ns":716992,"nr":0,"dw":0,"dr":719432,"al":0,"bm":43,"lo":0,"pe":33,"ua":18,"ap":0,"ep":1,"wo":"f","oos":335744},
           "sync":{"kind":"sync","percent":68.5,"done_kib":712832,"total_kib":1048576,"finish_secs":5,
                   "speed_kib_s":64800,"want_kib_s":null,"stalled":false}}
        ]})
    );
    // Keys come out in the documented order.
    let order = [
        "\"version\"",
        "\"api\"",
        "\"proto\"",
        "\"build\"",
        "\"devices\"",
    ];
    let pos: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]));
    assert!(text.find("\"ns\"").unwrap() < text.find("\"oos\"").unwrap());
}

#[test]
fn json_split_brain_pair() {
    for (prefix, dw, dr, al, oos) in [
        ("22-", 0, 0, 0, 71590684u64),
        ("23-", 98114, 537665, 266, 33818816),
    ] {
        let (v, _) = json_of(prefix);
        assert_eq!(
            v,
            json!({"version":"8.4.11","api":1,"proto":"86-101","build":"srcversion: 96ED19D4C144624490A9AB1",
              "devices":[{"minor":0,"cs":"StandAlone","role":"Primary","peer_role":"Unknown",
                "disk":"UpToDate","peer_disk":"DUnknown","protocol":null,"io_flags":"r-----","io_suspended":false,
                "counters":{"ns":0,"nr":0,"dw":dw,"dr":dr,"al":al,"bm":0,"lo":0,"pe":0,"ua":0,"ap":0,"ep":1,"wo":"f","oos":oos},
                "sync":null}]})
        );
    }
}

#[test]
fn table_cells() {
    let dir = tempfile::tempdir().unwrap();
    let f = stripped(dir.path(), "19-");
    let out = run(&["drbd-status", "--file", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let t = String::from_utf8(out.stdout).unwrap();
    for cell in [
        "minor",
        "ETA",
        "SyncSource",
        "Primary/Secondary",
        "UpToDate/Inconsistent",
        "r-----",
        "194018468",
        "0.4% 749568/194764800 KiB",
        "5:14:06",
    ] {
        assert!(t.contains(cell), "{cell} missing in\n{t}");
    }
}

#[test]
fn missing_file() {
    let out = run(&["drbd-status", "--file", "/nonexistent/drbd"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "private-chef-ctl: error: cannot read /nonexistent/drbd: No such file or directory\n"
    );
}

#[test]
fn parse_error_names_the_source() {
    let out = run(
        &["drbd-status", "--file", "-"],
        Some(b"version: 8.4.11 (api:1/proto:86-101)\n 0: cs:Connected\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("private-chef-ctl: error: <stdin>: line 2, column 17: expected ` ro:`"),
        "{err}"
    );
}

#[test]
fn stdin_and_drbd9() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proc-drbd");
    let b =
        std::fs::read(fixtures.join("18-drbd8410-debian-intree-srcversion-minor1.txt")).unwrap();
    let nl = b.iter().position(|c| *c == b'\n').unwrap();
    let out = run(
        &["drbd-status", "--file", "-", "--json"],
        Some(&b[nl + 1..]),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["devices"][0]["minor"], 1);
    assert_eq!(v["version"], "8.4.10");

    let out = run(
        &["drbd-status", "--file", "-"],
        Some(b"version: 9.0.22-2 (api:2/proto:86-116)\nGIT-hash: x\nTransports (api:16): tcp (9.0.22-2)\n"),
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "DRBD 9 (version 9.0.22-2): /proc/drbd lists no devices; use `drbdsetup status`\n"
    );
}

#[test]
fn endless_input_is_an_error_not_all_memory() {
    let out = run(&["drbd-status", "--file", "/dev/zero"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "private-chef-ctl: error: cannot read /dev/zero: /dev/zero (not a /proc/drbd text) is larger than 16 MiB\n"
    );
}

#[test]
fn a_duplicate_minor_is_an_error() {
    let out = run(
        &["drbd-status", "--file", "-"],
        Some(b"version: 8.4.11 (api:1/proto:86-101)\n 0: cs:Unconfigured\n 0: cs:Unconfigured\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, b"");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "private-chef-ctl: error: <stdin>: line 3, column 2: expected each minor once (minor 0 is also on line 2), found \"0: cs:Unconfigured\"\n"
    );
}

/// `drbd-status | head -1`: the closed pipe ends the command quietly (SIGPIPE, as
/// coreutils), never a panic.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::BufRead;
    use std::os::unix::process::ExitStatusExt;
    let mut text = String::from("version: 8.4.11 (api:1/proto:86-101)\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "{i:2}: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"
        ));
    }
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("drbd");
    std::fs::write(&f, text).unwrap();
    for json in [false, true] {
        let mut args = vec!["drbd-status", "--file", f.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{err}");
        assert!(
            out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
            "{:?}",
            out.status
        );
    }
}

#[test]
fn more_devices_than_a_pair_has_are_an_error() {
    let mut text = String::from("version: 8.4.11 (api:1/proto:86-101)\n");
    for i in 0..5000 {
        text.push_str(&format!("{i:2}: cs:Unconfigured\n"));
    }
    let out = run(&["drbd-status", "--file", "-"], Some(text.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("line 4098, column 1: expected at most 4096 devices"),
        "{err}"
    );
}
