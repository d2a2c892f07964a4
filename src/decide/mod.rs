//! Decide: pure functions of model values — no `std::fs`, `std::process`, `libc` or
//! clock (`tests/layers.rs` checks the sources). Tested on fixtures, without a host.
//!
//! * [`checks`]: the ha-status checks (the original's order, lines and codes);
//! * [`diagnose`]: the pair's situation from both nodes' views;
//! * [`runbook`]: the recovery runbooks, one file per scenario;
//! * [`transition`]: the steps of a cluster transition;
//! * [`master_recover`]: master-recover/backup-recover's preconditions;
//! * [`failover`]: `stop/start keepalived`'s refusal, plans and progress;
//! * [`notify`]: the split-brain notification's text and command;
//! * [`fence`]: what the fence-peer handler answers DRBD, from what it saw of the peer;
//! * [`promote`]: issue 10, may this node promote itself (never data that may be stale);
//! * [`data_relation`]: issue 10, the relation of both nodes' data for the diagnosis;
//! * [`fencing`]: can the running DRBD resource lose acknowledged writes (its protocol,
//!   fencing, handlers and split-brain policies)?
//! * [`health`]: the monitoring check's verdict (Monitoring Plugins states) over a sample.

pub mod checks;
pub mod data_relation;
pub mod diagnose;
pub mod failover;
pub mod fence;
pub mod fencing;
pub mod frontends; // issue 11
pub mod health;
pub mod master_recover;
pub mod notify;
pub mod promote;
pub mod runbook;
pub mod transition;
