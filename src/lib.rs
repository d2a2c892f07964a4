//! private-chef-ctl: high-availability control for a DRBD + keepalived back-end pair.
//!
//! The code is split the way an operator thinks about a failing cluster: code that
//! *knows* (parsers, the model, checks, diagnosis, runbooks) is pure and tested on
//! fixtures; code that *touches* the host (probe, ssh, service managers, the runners) is
//! thin and tested in the lab. The layers, lowest first; a module imports only from its
//! own layer or lower ones (`tests/layers.rs` enforces it, and that [`decide`] is pure):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | primitives | [`sys`] | the process runner (argv, timeout, typed errors), time formats, safe file writes, hostname |
//! | model | [`drbd`], [`corosync`], [`config`], [`model`] | DRBD states and `/proc/drbd`, corosync's quorum (`corosync-quorumtool -s`), `private-chef.rb`, the node model and the documents |
//! | observe | [`observe`], [`service`] | the probe, the peer over ssh, files, service managers |
//! | decide | [`decide`] | pure functions of model values: checks, diagnosis, runbooks, transition and failover plans |
//! | render | [`render`] | text, tables, progress |
//! | act | [`act`] | the plan runner (confirm, dry-run, audit), the transition and runbook runners |
//! | cli | `cli` | one file per command: clap `Args` and a short `run`; only it knows `Ctx` |

pub mod sys;

pub mod config;
pub mod corosync;
pub mod drbd;
pub mod model;

pub mod observe;
pub mod service;

pub mod decide;

pub mod render;

pub mod act;

pub mod cli;
