//! The in-process `fuser -m`: a child whose cwd (or an open file) is under a directory is
//! found by the /proc scan, and `kill_users` SIGKILLs it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use private_chef_ctl::act::transition::fuser;

#[test]
fn child_with_cwd_inside_is_found_and_killed() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("data");
    std::fs::create_dir(&inside).unwrap();
    let mut child = Command::new("sleep")
        .arg("30")
        .current_dir(&inside)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let users = fuser::users_of(&fuser::proc_root(), dir.path());
    let me = users.iter().find(|u| u.pid == pid);
    assert!(me.is_some(), "pid {pid} not in {users:?}");
    assert!(me.unwrap().how.contains(&"cwd"), "{users:?}");
    // A sibling directory with a common prefix does not match.
    let sibling = std::path::PathBuf::from(format!("{}x", dir.path().display()));
    assert!(!fuser::users_of(&fuser::proc_root(), &sibling)
        .iter()
        .any(|u| u.pid == pid));

    let killed = fuser::kill_users(&fuser::proc_root(), dir.path()).unwrap();
    assert!(killed.contains(&pid), "{killed:?}");
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "child survived SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc_sigkill()));
}

#[test]
fn open_file_inside_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("held");
    std::fs::write(&f, "x").unwrap();
    // `sh -c 'exec 3<file; sleep'` keeps fd 3 open on the file; cwd elsewhere.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("exec 3<\"$0\"; exec sleep 30")
        .arg(&f)
        .current_dir("/")
        .spawn()
        .unwrap();
    let pid = child.id();
    let t0 = Instant::now();
    let found = loop {
        let users = fuser::users_of(&fuser::proc_root(), dir.path());
        if let Some(u) = users.into_iter().find(|u| u.pid == pid) {
            break u;
        }
        assert!(t0.elapsed() < Duration::from_secs(5), "never found");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(found.how.contains(&"fd"), "{found:?}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn this_process_is_never_a_user() {
    let cwd = std::env::current_dir().unwrap();
    let me = std::process::id();
    assert!(!fuser::users_of(&fuser::proc_root(), &cwd)
        .iter()
        .any(|u| u.pid == me));
}

fn libc_sigkill() -> i32 {
    9
}
