//! Act: the code that changes the host, step by step, audited.
//!
//! * [`plan`]: the one plan runner (print, `--dry-run`, confirmation / `--yes`, audit
//!   lines, a precondition before each step) and its [`plan::Ui`];
//! * [`audit`]: the audit log;
//! * [`transition`]: the cluster-transition runner (state files, lock, cluster.log);
//! * [`ha_recover`]: a recovery runbook through the plan runner;
//! * [`runbook`]: running a runbook's step here and on the peer, the event stream;
//! * [`failover`]: controlling keepalived and following the failover;
//! * [`master_recover`]: master-recover / backup-recover;
//! * [`notify`]: the split-brain handler's record, syslog line and notification;
//! * [`fence`]: the fence-peer and after-resync-target handlers (the peer over ssh,
//!   bounded in time, every decision logged);
//! * [`services`]: the omnibus-ctl service verbs;
//! * [`signals`]: SIGTERM/SIGHUP deferral for a running transition;
//! * [`session`]: the transition re-run in its own session, out of keepalived's SIGKILL;
//! * [`witness`]: the drbd-witness service (issue 10);
//! * [`preserve_copy`]: the split-brain victim's copy (issue 10).

pub mod audit;
pub mod failover;
pub mod fence;
pub mod ha_recover;
pub mod master_recover;
pub mod notify;
pub mod plan;
pub mod preserve_copy;
pub mod quorum_watch;
pub mod runbook;
pub mod self_fence;
pub mod services;
pub mod session;
pub mod signals;
pub mod transition;
pub mod witness;
