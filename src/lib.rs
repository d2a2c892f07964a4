//! private-chef-ctl: high-availability control for a DRBD + keepalived back-end pair.
//!
//! The code is split the way an operator thinks about a failing cluster (see
//! `ARCHITECTURE.md`): *knowing* code (parsers, model, checks) is pure and tested on
//! fixtures; *touching* code (probe, exec, service managers) is thin and tested in the lab.

pub mod audit;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod drbd;
pub mod exec;
pub mod ha_status;
pub mod peer;
pub mod plan;
pub mod probe;
pub mod promote; // issue 10: may this node promote?
pub mod recovery;
pub mod service;
pub mod transition;
