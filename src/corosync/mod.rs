//! What corosync says about quorum: the output of `corosync-quorumtool -s`, parsed.
//! corosync's votequorum with a quorum device (corosync-qdevice on the back ends,
//! corosync-qnetd on the arbiter) is the engine that decides; this module only reads it.

pub mod quorumtool;

pub use quorumtool::{parse_status, Member, QuorumStatus};
