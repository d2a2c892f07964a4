//! cluster-transition through the binary, on any host: argument rejection (exit 2, logged),
//! the flock held by another process (request recorded, exit 0), the two-process pick-up
//! of a request, state files, and the cluster.log line format. DRBD is never touched:
//! the child runs with an empty PATH, so `drbdadm` cannot be found and every transition
//! that needs it fails (which is what is asserted).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use private_chef_ctl::act::transition::{LockAttempt, TransitionLock};

struct Node {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Node {
    fn new() -> Node {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let config = common::node_layout(d, &d.join("proc_drbd"));
        Node { dir, config }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"));
        c.arg("--config")
            .arg(&self.config)
            .arg("cluster-transition")
            .args(args)
            .env("PATH", self.p("empty-path"));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.p("log/keepalived/cluster.log")).unwrap_or_default()
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.p("audit/audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

/// `date -R` + ": ".
fn is_log_line(l: &str) -> bool {
    // ^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}:
    let b = l.as_bytes();
    let pat = "Aaa, 00 Aaa 0000 00:00:00 +0000: ";
    if b.len() < pat.len() {
        return false;
    }
    pat.bytes().zip(b.iter()).all(|(p, &c)| match p {
        b'A' => c.is_ascii_uppercase(),
        b'a' => c.is_ascii_lowercase(),
        b'0' => c.is_ascii_digit(),
        b'+' => c == b'+' || c == b'-',
        other => other == c,
    })
}

#[test]
fn log_line_matcher_works() {
    assert!(is_log_line(
        "Mon, 27 Jul 2015 19:24:38 +0000: Transitioning to backup"
    ));
    assert!(is_log_line("Mon, 27 Jul 2015 19:24:38 -0130: x"));
    assert!(!is_log_line("Mon, 7 Jul 2015 19:24:38 +0000: x"));
    assert!(!is_log_line("2015-07-27 19:24:38: x"));
}

#[test]
fn bad_arguments_exit_2_and_are_logged() {
    let n = Node::new();
    for args in [
        &["primary"][..],
        &["INSTANCE", "VI_1", "DELETED", "100"][..],
        &["VRRP", "VI_1", "MASTER", "100"][..],
        &["INSTANCE", "VI_1", "MASTER", "x"][..],
        &["master", "now"][..],
        &[][..],
    ] {
        let o = n.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("Rejected cluster-transition arguments"),
            "{err}"
        );
        assert!(
            err.contains("expected") || err.contains("is not MASTER"),
            "{err}"
        );
    }
    let log = n.log();
    assert_eq!(log.lines().count(), 6, "{log}");
    assert!(log.lines().all(is_log_line), "{log}");
    assert!(
        log.contains("Rejected cluster-transition arguments 'primary': unknown state 'primary'")
    );
    // Nothing was requested.
    assert!(!n.p("ka/requested_cluster_status").exists());
    let a = n.audit();
    assert_eq!(a.len(), 6);
    assert!(a.iter().all(|e| e["result"] == "refused"));
}

#[test]
fn busy_lock_records_request_and_exits_0() {
    let n = Node::new();
    std::fs::create_dir_all(n.p("ka")).unwrap();
    let lock = match TransitionLock::try_acquire(&n.p("ka/cluster-transition.lock")).unwrap() {
        LockAttempt::Acquired(l) => l,
        LockAttempt::Busy { .. } => panic!("busy"),
    };
    let o = n.run(&["INSTANCE", "PC_VI", "BACKUP", "100"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Requested transition to backup, but state transition already running."),
        "{out}"
    );
    assert_eq!(
        read(&n.p("ka/requested_cluster_status")).as_deref(),
        Some("backup\n")
    );
    assert!(!n.p("ka/current_cluster_status").exists());
    let log = n.log();
    assert!(log.lines().all(is_log_line), "{log}");
    assert!(
        log.ends_with("Requested transition to backup, but state transition already running.\n")
    );
    drop(lock);
}

#[test]
fn failure_writes_error_file_not_current() {
    let n = Node::new();
    std::fs::create_dir_all(n.p("ka")).unwrap();
    std::fs::write(n.p("ka/current_cluster_status"), "backup\n").unwrap();
    let o = n.run(&["--attempts", "2", "--retry-secs", "0", "master"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        read(&n.p("ka/current_cluster_status")).as_deref(),
        Some("backup\n")
    );
    let err = read(&n.p("ka/current_cluster_status.error")).unwrap();
    assert!(err.contains("Cannot become drbd primary!"), "{err}");
    let log = n.log();
    assert!(log.lines().all(is_log_line), "{log}");
    for m in [
        ": Transitioning to master\n",
        ": Attempting DRBD primary takeover - attempts left 2\n",
        ": Attempting DRBD primary takeover - attempts left 1\n",
        ": Cannot become drbd primary!",
    ] {
        assert!(log.contains(m), "{m} in {log}");
    }
    // The lock is free and holds no stale pid.
    assert_eq!(
        read(&n.p("ka/cluster-transition.lock")).as_deref(),
        Some("")
    );
    // No temporary state files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(n.p("ka"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn second_process_request_is_picked_up_by_the_first() {
    let n = Node::new();
    // First: backup, retrying drbdadm secondary (not found) for a while, holding the lock.
    let first = n
        .cmd(&["--attempts", "100", "--retry-secs", "0.05", "backup"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it holds the lock.
    let lock = n.p("ka/cluster-transition.lock");
    let t0 = std::time::Instant::now();
    while read(&lock).map(|s| s.trim().is_empty()).unwrap_or(true) {
        assert!(t0.elapsed().as_secs() < 10, "first never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = n.run(&["master"]);
    assert_eq!(second.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&second.stdout)
        .contains("Requested transition to master, but state transition already running."));
    let first = first.wait_with_output().unwrap();
    // master cannot be reached here (no drbdadm), but the first process tried it.
    assert_eq!(first.status.code(), Some(1));
    let log = n.log();
    assert!(log.lines().all(is_log_line), "{log}");
    let order = [
        ": Transitioning to backup\n",
        ": Requested transition to master, but state transition already running.\n",
        ": Requested state transition to master, aborting trying to become DRBD secondary\n",
        ": Transitioning to master\n",
        ": Cannot become drbd primary!",
    ];
    let mut at = 0;
    for m in order {
        let i = log[at..]
            .find(m)
            .unwrap_or_else(|| panic!("{m:?} after {at} in {log}"));
        at += i + m.len();
    }
    assert_eq!(
        read(&n.p("ka/requested_cluster_status")).as_deref(),
        Some("master\n")
    );
}

/// A link planted where the transition writes: its target stays as it was.
fn plant_link(n: &Node, rel: &str) -> PathBuf {
    let target = n.p("precious");
    std::fs::write(&target, "precious\n").unwrap();
    std::fs::create_dir_all(n.p(rel).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, n.p(rel)).unwrap();
    target
}

#[test]
fn a_symlinked_lock_is_refused_and_its_target_unchanged() {
    let n = Node::new();
    let target = plant_link(&n, "ka/cluster-transition.lock");
    let o = n.run(&["--attempts", "1", "--retry-secs", "0", "backup"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("a symbolic link"), "{err}");
    assert_eq!(read(&target).as_deref(), Some("precious\n"));
    assert!(!n.p("ka/current_cluster_status").exists());
}

#[test]
fn a_symlinked_state_file_is_refused_and_its_target_unchanged() {
    let n = Node::new();
    let target = plant_link(&n, "ka/requested_cluster_status");
    let o = n.run(&["--attempts", "1", "--retry-secs", "0", "backup"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(read(&target).as_deref(), Some("precious\n"));
    assert!(
        std::fs::symlink_metadata(n.p("ka/requested_cluster_status"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let log = n.log();
    assert!(log.contains("a symbolic link"), "{log}");
}

#[test]
fn a_symlinked_cluster_log_is_not_followed() {
    let n = Node::new();
    let target = plant_link(&n, "log/keepalived/cluster.log");
    let _ = n.run(&["--attempts", "1", "--retry-secs", "0", "backup"]);
    assert_eq!(read(&target).as_deref(), Some("precious\n"));
}

#[test]
fn a_world_writable_state_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let n = Node::new();
    std::fs::create_dir_all(n.p("ka")).unwrap();
    std::fs::set_permissions(n.p("ka"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = n.run(&["--attempts", "1", "--retry-secs", "0", "backup"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(!n.p("ka/requested_cluster_status").exists());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(all.contains("world-writable"), "{all}");
}

#[test]
fn a_newline_in_an_argument_cannot_forge_a_log_line() {
    let n = Node::new();
    let o = n.run(&["INSTANCE", "VI_1\nTransitioned to master", "MASTERX", "100"]);
    assert_eq!(o.status.code(), Some(2));
    let log = n.log();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("VI_1\\nTransitioned to master"), "{log}");
    assert!(log.lines().all(is_log_line), "{log}");
}

/// keepalived's notify arguments are taken as they come, whatever the instance or group is
/// named (fixtures/fuzz-findings/notify*): `-h` is not help, `-r` is not an option, and a
/// `--` or a padded word is not a state.
#[test]
fn notify_arguments_are_taken_as_they_come() {
    let opts = ["--attempts", "1", "--retry-secs", "0"];
    for (words, expect) in [
        (
            &["INSTANCE", "-h", "MASTER", "100"][..],
            "Transitioning to master",
        ),
        (
            &["INSTANCE", "-v", "BACKUP", "100"][..],
            "Transitioning to backup",
        ),
        (
            &["GROUP", "-r", "BACKUP", "0"][..],
            "Transitioning to backup",
        ),
    ] {
        let n = Node::new();
        let mut a: Vec<&str> = opts.to_vec();
        a.extend_from_slice(words);
        let o = n.run(&a);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains("Usage"), "{words:?} printed help: {out}");
        assert!(n.log().contains(expect), "{words:?}: {}", n.log());
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{o:?}"
        );
    }
    for words in [&["--", "stop"][..], &[" stop"][..]] {
        let n = Node::new();
        let o = n.run(words);
        assert_eq!(o.status.code(), Some(2), "{words:?}: {o:?}");
        assert!(
            n.log().contains("Rejected cluster-transition arguments"),
            "{}",
            n.log()
        );
        assert!(!n.p("ka/requested_cluster_status").exists());
    }
}

/// keepalived stopping: SIGTERM to the notify script's process group, then SIGKILL to the
/// whole group a second later. The transition runs in a session of its own, so the group
/// holds only the waiting parent and the demote finishes.
#[test]
fn keepalived_killing_the_notify_process_group_does_not_stop_the_transition() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let n = Node::new();
    let mut c = n.cmd(&[
        "--attempts",
        "40",
        "--retry-secs",
        "0.05",
        "INSTANCE",
        "PC_VI",
        "STOP",
        "100",
    ]);
    c.process_group(0)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    let mut parent = c.spawn().unwrap();
    let pgid = parent.id() as i32;
    let lock = n.p("ka/cluster-transition.lock");
    let t0 = std::time::Instant::now();
    while read(&lock).map(|s| s.trim().is_empty()).unwrap_or(true) {
        assert!(
            t0.elapsed().as_secs() < 20,
            "the transition never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let holder: i32 = read(&lock).unwrap().trim().parse().unwrap();
    assert_ne!(
        holder, pgid,
        "the transition runs in the process keepalived kills"
    );
    // SAFETY: signalling the process group this test created.
    unsafe {
        libc::kill(-pgid, libc::SIGTERM);
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    assert_eq!(parent.wait().unwrap().signal(), Some(libc::SIGKILL));
    // The detached transition goes on to its end (here: no drbdadm, so it fails) and
    // frees the lock.
    let t0 = std::time::Instant::now();
    while !n.log().contains("Cannot become DRBD secondary") {
        assert!(
            t0.elapsed().as_secs() < 60,
            "the transition did not finish: {}",
            n.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    while read(&lock).map(|s| !s.trim().is_empty()).unwrap_or(false) {
        assert!(t0.elapsed().as_secs() < 60, "the lock was never freed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let log = n.log();
    assert!(log.contains("Transitioning to stop"), "{log}");
    assert!(log.lines().all(is_log_line), "{log}");
}
