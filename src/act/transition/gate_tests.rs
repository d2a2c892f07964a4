//! The transition loop with the promotion gate (a recording host): refused attempts never
//! run `drbdadm primary`, mount or start anything; a later allowed attempt promotes; a loop
//! that gives up fails with the refusal's reason.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::act::transition::{self, Host, Outcome, Settings, Snapshot, StateFiles, Target};
use crate::decide::promote::REFUSAL_MARK;

struct Gated {
    calls: Vec<String>,
    /// may_promote refuses this many times, then allows.
    refusals: u32,
}

impl Host for Gated {
    fn log(&mut self, _msg: &str) {}
    fn snapshot(&mut self) -> Result<Snapshot, String> {
        Ok(Snapshot {
            resource: "pc0".into(),
            device: "/dev/drbd0".into(),
            data_dir: "/data".into(),
            ha_services: vec!["postgresql".into()],
            mounted: false,
        })
    }
    fn may_promote(&mut self, _r: &str) -> Result<(), String> {
        self.calls.push("may_promote".into());
        if self.refusals > 0 {
            self.refusals -= 1;
            return Err(format!("{}: came back alone", REFUSAL_MARK));
        }
        Ok(())
    }
    fn drbd_primary(&mut self, r: &str) -> Result<(), String> {
        self.calls.push(format!("primary {r}"));
        Ok(())
    }
    fn drbd_secondary(&mut self, r: &str) -> Result<(), String> {
        self.calls.push(format!("secondary {r}"));
        Ok(())
    }
    fn is_mounted(&mut self, _d: &Path) -> Result<bool, String> {
        Ok(false)
    }
    fn mount(&mut self, _dev: &Path, _d: &Path) -> Result<(), String> {
        self.calls.push("mount".into());
        Ok(())
    }
    fn end_mount_users(&mut self, _d: &Path) -> Result<Vec<u32>, String> {
        Ok(vec![])
    }
    fn unmount(&mut self, _d: &Path) -> Result<(), String> {
        Ok(())
    }
    fn start_service(&mut self, s: &str) -> Result<(), String> {
        self.calls.push(format!("start {s}"));
        Ok(())
    }
    fn stop_service(&mut self, _s: &str) -> Result<(), String> {
        Ok(())
    }
    fn sleep(&mut self, _d: Duration) {}
}

fn state(d: &Path) -> StateFiles {
    StateFiles {
        requested: d.join("requested"),
        current: d.join("current"),
        error: d.join("current.error"),
    }
}

fn settings(attempts: u32) -> Settings {
    Settings {
        attempts,
        retry: Duration::ZERO,
        ..Settings::default()
    }
}

#[test]
fn refused_attempts_do_nothing_then_the_promotion_goes_through() {
    let d = tempfile::tempdir().unwrap();
    let st = state(d.path());
    st.write_requested(Target::Master).unwrap();
    let mut h = Gated {
        calls: vec![],
        refusals: 3,
    };
    let o = transition::run_loop(&mut h, &st, Target::Master, &settings(10));
    assert_eq!(o, Outcome::Reached(Target::Master));
    assert_eq!(
        h.calls,
        [
            "may_promote",
            "may_promote",
            "may_promote",
            "may_promote",
            "primary pc0",
            "mount",
            "start postgresql"
        ]
    );
}

#[test]
fn a_loop_that_gives_up_fails_with_the_reason_and_touched_nothing() {
    let d = tempfile::tempdir().unwrap();
    let st = state(d.path());
    st.write_requested(Target::Master).unwrap();
    let mut h = Gated {
        calls: vec![],
        refusals: u32::MAX,
    };
    let o = transition::run_loop(&mut h, &st, Target::Master, &settings(5));
    let Outcome::Failed { reason, .. } = o else {
        panic!("{o:?}")
    };
    assert!(reason.contains(REFUSAL_MARK), "{reason}");
    assert!(h.calls.iter().all(|c| c == "may_promote"), "{:?}", h.calls);
    assert_eq!(h.calls.len(), 5);
    let err = std::fs::read_to_string(PathBuf::from(&st.error)).unwrap();
    assert!(err.contains(REFUSAL_MARK), "{err}");
    assert!(!st.current.exists());
}
