//! Unit tests of the decisions and the loop, with a recording host.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

/// A host that records every action and fails on command.
struct Fake {
    calls: Vec<String>,
    logs: Vec<String>,
    mounted: bool,
    services: Vec<String>,
    /// drbdadm primary fails this many times before succeeding (u32::MAX = always).
    primary_failures: u32,
    secondary_failures: u32,
    mount_fails: bool,
    start_fails: Option<String>,
    /// A hook run at each primary attempt (index) — e.g. a second caller writing a request.
    on_primary: Option<Box<dyn FnMut(u32)>>,
    primary_attempts: u32,
}

impl Fake {
    fn new(mounted: bool) -> Fake {
        Fake {
            calls: vec![],
            logs: vec![],
            mounted,
            services: vec!["redis_lb".into(), "bookshelf".into(), "postgresql".into()],
            primary_failures: 0,
            secondary_failures: 0,
            mount_fails: false,
            start_fails: None,
            on_primary: None,
            primary_attempts: 0,
        }
    }
}

impl Host for Fake {
    fn log(&mut self, msg: &str) {
        self.logs.push(msg.to_string());
    }
    fn snapshot(&mut self) -> Result<Snapshot, String> {
        let mut s = self.services.clone();
        s.sort();
        Ok(Snapshot {
            resource: "pc0".into(),
            device: "/dev/drbd0".into(),
            data_dir: "/var/opt/opscode/drbd/data".into(),
            ha_services: s,
            mounted: self.mounted,
        })
    }
    fn drbd_primary(&mut self, r: &str) -> Result<(), String> {
        self.calls.push(format!("primary {r}"));
        self.primary_attempts += 1;
        let n = self.primary_attempts;
        if let Some(h) = self.on_primary.as_mut() {
            h(n);
        }
        if self.primary_failures > 0 {
            self.primary_failures = self.primary_failures.saturating_sub(1);
            return Err(
                "0: State change failed: (-1) Multiple primaries not allowed by config".into(),
            );
        }
        Ok(())
    }
    fn drbd_secondary(&mut self, r: &str) -> Result<(), String> {
        self.calls.push(format!("secondary {r}"));
        if self.secondary_failures > 0 {
            self.secondary_failures -= 1;
            return Err("0: State change failed: (-12) Device is held open by someone".into());
        }
        Ok(())
    }
    fn is_mounted(&mut self, _d: &Path) -> Result<bool, String> {
        Ok(self.mounted)
    }
    fn mount(&mut self, dev: &Path, dir: &Path) -> Result<(), String> {
        self.calls
            .push(format!("mount {} {}", dev.display(), dir.display()));
        if self.mount_fails {
            return Err("mount: wrong fs type".into());
        }
        self.mounted = true;
        Ok(())
    }
    fn end_mount_users(&mut self, _d: &Path) -> Result<Vec<u32>, String> {
        self.calls.push("kill users".into());
        Ok(vec![4242])
    }
    fn unmount(&mut self, _d: &Path) -> Result<(), String> {
        self.calls.push("umount".into());
        self.mounted = false;
        Ok(())
    }
    fn start_service(&mut self, s: &str) -> Result<(), String> {
        self.calls.push(format!("start {s}"));
        match &self.start_fails {
            Some(f) if f == s => Err("not up after 30 s: down: x".into()),
            _ => Ok(()),
        }
    }
    fn stop_service(&mut self, s: &str) -> Result<(), String> {
        self.calls.push(format!("stop {s}"));
        Ok(())
    }
    fn sleep(&mut self, _d: Duration) {
        self.calls.push("sleep".into());
    }
}

fn quick() -> Settings {
    Settings {
        attempts: 3,
        retry: Duration::from_millis(1),
        command_timeout: Duration::from_secs(1),
        start_wait: Duration::from_secs(1),
    }
}

fn state_in(dir: &Path) -> (StateFiles, PathBuf) {
    (
        StateFiles {
            requested: dir.join("requested_cluster_status"),
            current: dir.join("current_cluster_status"),
            error: dir.join("current_cluster_status.error"),
        },
        dir.join("cluster-transition.lock"),
    )
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

#[test]
fn notify_args_all_forms() {
    assert_eq!(parse_notify_args(&["master"]), Ok(Target::Master));
    assert_eq!(parse_notify_args(&["BACKUP"]), Ok(Target::Backup));
    assert_eq!(parse_notify_args(&["Fault"]), Ok(Target::Fault));
    assert_eq!(parse_notify_args(&["stop"]), Ok(Target::Stop));
    assert_eq!(
        parse_notify_args(&["INSTANCE", "PC_VI", "MASTER", "100"]),
        Ok(Target::Master)
    );
    assert_eq!(
        parse_notify_args(&["GROUP", "PC_GROUP", "backup", "0"]),
        Ok(Target::Backup)
    );
    assert_eq!(
        parse_notify_args(&["instance", "\"VI_1\"", "FAULT", "150"]),
        Ok(Target::Fault)
    );
    assert_eq!(
        parse_notify_args(&["INSTANCE", "VI_1", "STOP", "255"]),
        Ok(Target::Stop)
    );
}

#[test]
fn notify_args_rejected_with_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "no state given"),
        (&["primary"], "unknown state 'primary'"),
        (&["INSTANCE", "VI_1", "DELETED", "100"], "state 'DELETED'"),
        (
            &["HOST", "VI_1", "MASTER", "100"],
            "unknown notify type 'HOST'",
        ),
        (&["INSTANCE", "VI_1", "MASTER", "high"], "priority 'high'"),
        (&["INSTANCE", "VI_1", "MASTER", "256"], "priority '256'"),
        (
            &["INSTANCE", "\"\"", "MASTER", "1"],
            "empty instance/group name",
        ),
        (&["master", "backup"], "2 arguments given"),
        (&["INSTANCE", "VI_1", "MASTER"], "3 arguments given"),
    ];
    for (args, want) in cases {
        let e = parse_notify_args(args).unwrap_err();
        assert!(e.contains(want), "{args:?}: {e}");
    }
}

fn snap(mounted: bool) -> Snapshot {
    Snapshot {
        resource: "pc0".into(),
        device: "/dev/drbd0".into(),
        data_dir: "/d".into(),
        ha_services: vec!["b".into(), "a".into(), "c".into()],
        mounted,
    }
}

#[test]
fn master_plan_ascending_and_mount_unless_mounted() {
    let p = plan(Target::Master, &snap(false));
    assert_eq!(
        p,
        vec![
            Step::DrbdPrimary {
                resource: "pc0".into()
            },
            Step::Mount {
                device: "/dev/drbd0".into(),
                dir: "/d".into()
            },
            Step::StartService {
                service: "a".into()
            },
            Step::StartService {
                service: "b".into()
            },
            Step::StartService {
                service: "c".into()
            },
        ]
    );
    let p = plan(Target::Master, &snap(true));
    assert!(!p.iter().any(|s| matches!(s, Step::Mount { .. })));
}

#[test]
fn backup_fault_stop_plan_descending() {
    for t in [Target::Backup, Target::Fault, Target::Stop] {
        let p = plan(t, &snap(true));
        assert_eq!(
            p,
            vec![
                Step::StopService {
                    service: "c".into()
                },
                Step::StopService {
                    service: "b".into()
                },
                Step::StopService {
                    service: "a".into()
                },
                Step::Unmount { dir: "/d".into() },
                Step::DrbdSecondary {
                    resource: "pc0".into(),
                    data_dir: "/d".into()
                },
            ],
            "{t}"
        );
    }
    let p = plan(Target::Backup, &snap(false));
    assert!(!p.iter().any(|s| matches!(s, Step::Unmount { .. })));
}

#[test]
fn master_success_logs_original_messages_and_writes_current() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    std::fs::write(&st.error, "old failure\n").unwrap();
    let mut h = Fake::new(false);
    h.primary_failures = 1;
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert_eq!(o, Outcome::Reached(Target::Master));
    assert_eq!(o.exit_code(), 0);
    assert_eq!(
        h.logs,
        vec![
            "Transitioning to master",
            "Attempting DRBD primary takeover - attempts left 3",
            "0: State change failed: (-1) Multiple primaries not allowed by config",
            "Attempting DRBD primary takeover - attempts left 2",
            "DRBD primary takeover successful",
            "Mounting /dev/drbd0 at /var/opt/opscode/drbd/data",
            "Starting service bookshelf",
            "Starting service postgresql",
            "Starting service redis_lb",
            "Transitioned to master",
        ]
    );
    assert_eq!(read(&st.requested).as_deref(), Some("master\n"));
    assert_eq!(read(&st.current).as_deref(), Some("master\n"));
    assert!(!st.error.exists(), "success removes the error file");
    // The lock file is left empty (no stale pid).
    assert_eq!(read(&lock).as_deref(), Some(""));
}

#[test]
fn failed_mount_is_a_failed_transition() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    std::fs::write(&st.current, "backup\n").unwrap();
    let mut h = Fake::new(false);
    h.mount_fails = true;
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    let Outcome::Failed { target, reason } = &o else {
        panic!("{o:?}")
    };
    assert_eq!(*target, Target::Master);
    assert!(reason.contains("Cannot mount /dev/drbd0"), "{reason}");
    assert_eq!(o.exit_code(), 1);
    assert!(
        !h.calls.iter().any(|c| c.starts_with("start")),
        "{:?}",
        h.calls
    );
    // current untouched, error recorded.
    assert_eq!(read(&st.current).as_deref(), Some("backup\n"));
    let err = read(&st.error).unwrap();
    assert!(err.starts_with("transition to master at "), "{err}");
    assert!(err.contains("Cannot mount"), "{err}");
    assert_eq!(read(&st.requested).as_deref(), Some("master\n"));
}

#[test]
fn service_not_up_fails() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let mut h = Fake::new(true);
    h.start_fails = Some("postgresql".into());
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert!(
        matches!(&o, Outcome::Failed { reason, .. } if reason.starts_with("Cannot start postgresql")),
        "{o:?}"
    );
    assert!(!st.current.exists());
    assert!(!h.calls.contains(&"start redis_lb".to_string()));
}

#[test]
fn primary_exhaustion() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let mut h = Fake::new(false);
    h.primary_failures = u32::MAX;
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert!(
        matches!(&o, Outcome::Failed { reason, .. } if reason.starts_with("Cannot become drbd primary!")),
        "{o:?}"
    );
    assert_eq!(h.primary_attempts, 3);
    // Sleeps between attempts only, not after the last one.
    assert_eq!(h.calls.iter().filter(|c| *c == "sleep").count(), 2);
    // The repeated identical error is logged once.
    assert_eq!(
        h.logs
            .iter()
            .filter(|l| l.starts_with("0: State change failed"))
            .count(),
        1
    );
}

#[test]
fn backup_demotes_in_order() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let mut h = Fake::new(true);
    h.secondary_failures = 1;
    let o = run(&mut h, &st, &lock, Target::Fault, &quick());
    assert_eq!(o, Outcome::Reached(Target::Fault));
    assert_eq!(
        h.calls,
        vec![
            "stop redis_lb",
            "stop postgresql",
            "stop bookshelf",
            "kill users",
            "umount",
            "secondary pc0",
            "sleep",
            "secondary pc0",
        ]
    );
    assert!(h
        .logs
        .contains(&"Killed processes using /var/opt/opscode/drbd/data: 4242".to_string()));
    assert!(h
        .logs
        .contains(&"Attempting to become DRBD secondary - attempts left 3".to_string()));
    assert_eq!(read(&st.current).as_deref(), Some("fault\n"));
}

#[test]
fn request_change_aborts_primary_and_loop_follows_it() {
    // A second caller (keepalived's notify_backup) writes its request while we retry
    // drbdadm primary: the loop abandons master and performs backup.
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let st2 = st.clone();
    let mut h = Fake::new(false);
    h.primary_failures = u32::MAX;
    h.on_primary = Some(Box::new(move |n| {
        if n == 2 {
            st2.write_requested(Target::Backup).unwrap();
        }
    }));
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert_eq!(o, Outcome::Reached(Target::Backup));
    assert!(h.logs.contains(
        &"Requested state transition to backup, aborting trying to aquire DRBD primary".to_string()
    ));
    assert!(!h.logs.contains(&"Transitioned to master".to_string()));
    assert!(h.logs.contains(&"Transitioning to backup".to_string()));
    assert!(h.logs.contains(&"Transitioned to backup".to_string()));
    assert_eq!(read(&st.current).as_deref(), Some("backup\n"));
}

#[test]
fn loop_rereads_request_after_each_transition() {
    // The request changes during the master transition but after the primary step:
    // master completes, then the loop performs the new request.
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let st2 = st.clone();
    let mut h = Fake::new(false);
    h.on_primary = Some(Box::new(move |_| {
        // Written during the only (successful) primary attempt: no abort (checked after failures only).
        st2.write_requested(Target::Backup).unwrap();
    }));
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert_eq!(o, Outcome::Reached(Target::Backup));
    let order: Vec<_> = h
        .logs
        .iter()
        .filter(|l| l.starts_with("Transition"))
        .cloned()
        .collect();
    assert_eq!(
        order,
        vec![
            "Transitioning to master",
            "Transitioned to master",
            "Transitioning to backup",
            "Transitioned to backup"
        ]
    );
}

#[test]
fn busy_lock_records_request_and_returns_busy() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let held = match TransitionLock::try_acquire(&lock).unwrap() {
        LockAttempt::Acquired(l) => l,
        LockAttempt::Busy { .. } => panic!("fresh lock busy"),
    };
    // flock locks belong to the open file description: a second open in this
    // process conflicts like another process would.
    let mut h = Fake::new(false);
    let o = run(&mut h, &st, &lock, Target::Backup, &quick());
    assert_eq!(
        o,
        Outcome::Busy {
            holder: Some(std::process::id())
        }
    );
    assert_eq!(o.exit_code(), 0);
    assert!(h.calls.is_empty());
    assert_eq!(
        h.logs,
        vec![
            "Requested transition to backup",
            "Requested transition to backup, but state transition already running."
        ]
    );
    assert_eq!(read(&st.requested).as_deref(), Some("backup\n"));
    drop(held);
}

#[test]
fn holder_picks_up_request_recorded_by_a_busy_caller() {
    let d = tempfile::tempdir().unwrap();
    let (st, lock) = state_in(d.path());
    let st2 = st.clone();
    let lock2 = lock.clone();
    let second: std::rc::Rc<RefCell<Option<Outcome>>> = Default::default();
    let second2 = second.clone();
    let mut h = Fake::new(false);
    h.on_primary = Some(Box::new(move |n| {
        if n == 1 {
            let mut h2 = Fake::new(true);
            let o = run(&mut h2, &st2, &lock2, Target::Backup, &quick());
            *second2.borrow_mut() = Some(o);
        }
    }));
    let o = run(&mut h, &st, &lock, Target::Master, &quick());
    assert_eq!(
        *second.borrow(),
        Some(Outcome::Busy {
            holder: Some(std::process::id())
        })
    );
    assert_eq!(o, Outcome::Reached(Target::Backup));
    assert_eq!(read(&st.current).as_deref(), Some("backup\n"));
}

#[test]
fn settings_from_config_and_flags() {
    let cfg = crate::config::Config::from_text(
        "keepalived['transition_attempts'] = 5\nkeepalived['transition_retry_secs'] = 0.5\n",
        Path::new("t.rb"),
    )
    .unwrap();
    let s = Settings::resolve(Some(&cfg), &cfg.paths, None, None, None);
    assert_eq!(s.attempts, 5);
    assert_eq!(s.retry, Duration::from_millis(500));
    let s = Settings::resolve(Some(&cfg), &cfg.paths, Some(7), Some(2.0), Some(9));
    assert_eq!(s.attempts, 7);
    assert_eq!(s.retry, Duration::from_secs(2));
    assert_eq!(s.command_timeout, Duration::from_secs(9));
    let s = Settings::resolve(None, &crate::config::Paths::default(), None, None, None);
    assert_eq!(s.attempts, 300);
    assert_eq!(s.retry, Duration::from_secs(1));
    assert_eq!(s.start_wait, Duration::from_secs(30));
}

#[test]
fn plan_rendering() {
    let steps = plan(Target::Master, &snap(false));
    let p = to_plan(Target::Master, &steps, "be1", &quick());
    let t = crate::render::text::plan(&p);
    assert!(t.starts_with("Plan: transition be1 to master\n"), "{t}");
    assert!(
        t.contains(
            "  1. Promote DRBD resource pc0 to Primary (up to 3 attempts, 0.001 s apart) [be1]\n"
        ),
        "{t}"
    );
    assert!(t.contains("$ drbdadm primary pc0"), "{t}");
    assert!(
        t.contains("  5. Start service c and wait until it is up [be1]"),
        "{t}"
    );
    let j = p.to_json();
    assert_eq!(j["steps"][1]["command"], "mount /dev/drbd0 /d");
}

#[test]
fn notify_words_are_the_raw_arguments_after_the_options() {
    use crate::decide::transition::notify_words;
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        notify_words(&v(&[
            "pcc",
            "cluster-transition",
            "INSTANCE",
            "-h",
            "MASTER",
            "100"
        ])),
        v(&["INSTANCE", "-h", "MASTER", "100"])
    );
    assert_eq!(
        notify_words(&v(&[
            "pcc",
            "--config",
            "x.rb",
            "cluster-transition",
            "--attempts",
            "2",
            "--retry-secs=0",
            "-v",
            "master"
        ])),
        v(&["master"])
    );
    assert_eq!(
        notify_words(&v(&["pcc", "cluster-transition", "--", "stop"])),
        v(&["--", "stop"])
    );
    assert_eq!(notify_words(&v(&["pcc", "status"])), Vec::<String>::new());
    assert_eq!(parse_notify_args(&[" stop"]).map_err(|_| ()), Err(()));
}
