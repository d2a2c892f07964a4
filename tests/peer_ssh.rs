//! The peer view over ssh: every failure is a fact (Unreachable / Unknown), never an error.
//! A fake `ssh` (a shell script) stands in for the peer; one test uses the real ssh
//! against a TEST-NET address that never answers.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use private_chef_ctl::model::{ConnState, PeerView, Role};
use private_chef_ctl::observe::peer::{fetch, PeerOptions};

fn fake_ssh(dir: &Path, body: &str) -> PathBuf {
    // a new name each time: a script is never rewritten while an earlier child may run it
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let p = dir.join(format!("ssh{n}"));
    common::write_executable(&p, &format!("#!/bin/sh\n{body}\n"));
    p
}

fn opts(ssh: PathBuf) -> PeerOptions {
    PeerOptions {
        ssh,
        timeout: Duration::from_secs(5),
        ..PeerOptions::default()
    }
}

const DOC: &str = r#"{"ok":false,"exit_code":4,"cluster_status":{"requested":"backup","current":"backup"},
"checks":[{"id":"cluster_status","status":"ok","code":0,"message":"cluster status = backup"},
{"id":"drbd_state","status":"error","code":4,"message":"my DRBD status is 0: cs:WFConnection"}],
"drbd":{"version":"8.4.11","api":1,"proto":"86-101","build":null,"devices":[{"minor":0,"cs":"WFConnection",
"role":"Secondary","peer_role":"Unknown","disk":"UpToDate","peer_disk":"DUnknown","protocol":"C",
"io_flags":"r-----","counters":{"ns":0,"oos":0},"sync":null}]}}"#;

#[test]
fn nonexistent_ssh_binary_is_unknown_naming_it() {
    let v = fetch(
        &opts(PathBuf::from("/nonexistent/bin/ssh")),
        "be2",
        "192.0.2.12",
        0,
    );
    match &v {
        PeerView::Unknown { node, reason } => {
            assert_eq!(node.as_deref(), Some("be2"));
            assert!(reason.contains("/nonexistent/bin/ssh"), "{reason}");
            assert!(reason.contains("not found"), "{reason}");
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn ssh_exit_255_is_unreachable() {
    let d = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(
        d.path(),
        "echo 'ssh: connect to host 192.0.2.12 port 22: Connection refused' >&2; exit 255",
    );
    match fetch(&opts(ssh), "be2", "192.0.2.12", 0) {
        PeerView::Unreachable { reason, .. } => {
            assert!(reason.contains("Connection refused"), "{reason}")
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn timeout_is_unreachable() {
    let d = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(d.path(), "exec sleep 10");
    let mut o = opts(ssh);
    o.timeout = Duration::from_millis(300);
    let t = Instant::now();
    match fetch(&o, "be2", "192.0.2.12", 0) {
        PeerView::Unreachable { reason, .. } => {
            assert!(reason.contains("did not finish"), "{reason}")
        }
        v => panic!("{v:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn garbage_and_missing_program_are_unknown() {
    let d = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(d.path(), "echo 'Welcome to be2!'; echo 'not json'");
    match fetch(&opts(ssh), "be2", "192.0.2.12", 0) {
        PeerView::Unknown { reason, .. } => assert!(reason.contains("not JSON"), "{reason}"),
        v => panic!("{v:?}"),
    }
    let ssh = fake_ssh(d.path(), "echo '{\"hello\":1}'");
    match fetch(&opts(ssh), "be2", "192.0.2.12", 0) {
        PeerView::Unknown { reason, .. } => {
            assert!(reason.contains("not an ha-status document"), "{reason}")
        }
        v => panic!("{v:?}"),
    }
    let ssh = fake_ssh(
        d.path(),
        "echo 'sh: /opt/opscode/bin/private-chef-ctl: not found' >&2; exit 127",
    );
    match fetch(&opts(ssh), "be2", "192.0.2.12", 0) {
        PeerView::Unknown { reason, .. } => {
            assert!(
                reason.contains("/opt/opscode/bin/private-chef-ctl"),
                "{reason}"
            )
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn a_failing_ha_status_is_still_a_view() {
    let d = tempfile::tempdir().unwrap();
    // The fake logs its argv, then answers like the peer's ha-status (exit 4).
    let log = d.path().join("argv");
    let body = format!(
        "printf '%s\\n' \"$@\" > {}; cat <<'JSON'\n{DOC}\nJSON\nexit 4",
        log.display()
    );
    let ssh = fake_ssh(d.path(), &body);
    let v = fetch(&opts(ssh), "be2.lab.example", "198.51.100.12", 0);
    let view = v.view().unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(view.node, "be2.lab.example");
    assert_eq!(view.source, "ssh root@198.51.100.12");
    assert_eq!(view.exit_code, Some(4));
    assert_eq!(view.cluster_status.current.as_deref(), Some("backup"));
    let dev = view.device().unwrap();
    assert_eq!(dev.cs, ConnState::WFConnection);
    assert_eq!(dev.role, Some(Role::Secondary));
    assert_eq!(dev.oos, Some(0));
    let argv = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        vec![
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "ConnectTimeout=10",
            "root@198.51.100.12",
            "--",
            "/opt/opscode/bin/private-chef-ctl",
            "ha-status",
            "--json"
        ]
    );
}

#[test]
fn real_ssh_to_a_test_net_address_is_unreachable() {
    if !Path::new("/usr/bin/ssh").exists() {
        eprintln!("no /usr/bin/ssh: skipped");
        return;
    }
    let o = PeerOptions {
        ssh: PathBuf::from("/usr/bin/ssh"),
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_secs(4),
        ..PeerOptions::default()
    };
    let t = Instant::now();
    let v = fetch(&o, "be2", "192.0.2.254", 0);
    assert!(matches!(v, PeerView::Unreachable { .. }), "{v:?}");
    assert!(t.elapsed() < Duration::from_secs(8));
}

/// A topology naming this host and a peer at 192.0.2.12, reached with `ssh` (a fake), its
/// control sockets in `ctl_dir`, plus `extra` lines. Returns (layout dir, config).
fn shared_layout(ssh: &Path, ctl_dir: &Path, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, config) = common::node_with("master.proc");
    let me = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "server \"{me}\", :ipaddress => \"192.0.2.11\", :role => \"backend\"\n\
         server \"peer.example\", :ipaddress => \"192.0.2.12\", :role => \"backend\"\n\
         ha['ssh_command'] = \"{}\"\nha['ssh_control_dir'] = \"{}\"\n{extra}",
        ssh.display(),
        ctl_dir.display()
    ));
    std::fs::write(&config, text).unwrap();
    (dir, config)
}

/// A fake ssh (run with an empty PATH) that logs each call's argv on one line; a session call leaves a socket in
/// the control directory (as a master would) and answers like the peer's ha-status; an
/// `-O exit` call removes it.
fn sharing_ssh(d: &Path, log: &Path, ctl_dir: &Path) -> PathBuf {
    fake_ssh(
        d,
        &format!(
            "echo \"$*\" >> {log}\n\
             case \" $* \" in *' -O exit '*) /bin/rm -f {ctl}/master; exit 0 ;; esac\n\
             /usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' {ctl}/master 2>/dev/null\n\
             /bin/cat <<'JSON'\n{DOC}\nJSON\nexit 4",
            log = log.display(),
            ctl = ctl_dir.display()
        ),
    )
}

/// `ha-status --peer --json` with the sharing fake ssh, control sockets in `<tmp>/run/ssh`
/// and `extra` config lines. Returns the temp dir, the control dir, the calls and the output.
fn peer_view_sharing(extra: &str) -> (tempfile::TempDir, PathBuf, String, std::process::Output) {
    let d = tempfile::tempdir().unwrap();
    let ctl_dir = d.path().join("run/ssh");
    let log = d.path().join("calls");
    let ssh = sharing_ssh(d.path(), &log, &ctl_dir);
    let (layout, config) = shared_layout(&ssh, &ctl_dir, extra);
    let o = common::ctl(&layout, &config, &["ha-status", "--peer", "--json"]);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (d, ctl_dir, calls, o)
}

#[test]
fn peer_views_share_one_connection_closed_when_the_command_ends() {
    let (_d, ctl_dir, calls, o) = peer_view_sharing("");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(v["peer"]["state"], "reachable", "{v:#}");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    // the command's own master (its pid in the socket name), closed when it ends
    let want = format!(
        "-o ControlMaster=auto -o ControlPath={}/%C.",
        ctl_dir.display()
    );
    assert!(calls[0].contains(&want), "{}", calls[0]);
    assert!(
        calls[0].ends_with("root@192.0.2.12 -- /opt/opscode/bin/private-chef-ctl ha-status --json")
    );
    let path = calls[0]
        .split(' ')
        .find(|w| w.starts_with("ControlPath="))
        .unwrap();
    assert!(calls[0].contains("-o ControlPersist=120"), "{}", calls[0]);
    assert_eq!(calls[1], format!("-o {path} -O exit root@192.0.2.12"));
    assert!(
        !ctl_dir.join("master").exists(),
        "the master outlived the command"
    );
    // the directory was made private: the socket grants root on the peer
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&ctl_dir).unwrap().mode() & 0o777, 0o700);
}

#[test]
fn a_persisting_connection_outlives_the_command() {
    let (_d, ctl_dir, calls, o) = peer_view_sharing("ha['ssh_control_persist'] = 45\n");
    assert!(o.status.code().is_some(), "{o:?}");
    assert_eq!(calls.lines().count(), 1, "{calls}");
    assert!(calls.contains("ControlPersist=45"), "{calls}");
    // shared by every command: no pid in the socket name
    assert!(
        calls.contains(&format!("ControlPath={}/%C ", ctl_dir.display())),
        "{calls}"
    );
    assert!(ctl_dir.join("master").exists());
}

#[test]
fn an_open_control_directory_is_not_used() {
    let d = tempfile::tempdir().unwrap();
    let ctl_dir = d.path().join("open");
    std::fs::create_dir(&ctl_dir).unwrap();
    std::fs::set_permissions(
        &ctl_dir,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let log = d.path().join("calls");
    let ssh = sharing_ssh(d.path(), &log, &d.path().join("elsewhere"));
    let (layout, config) = shared_layout(&ssh, &ctl_dir, "");
    let o = common::ctl(&layout, &config, &["ha-status", "--peer", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // still a view, over a connection of its own
    assert_eq!(v["peer"]["state"], "reachable", "{v:#}");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().count(), 1, "{calls}");
    assert!(!calls.contains("Control"), "{calls}");
}
