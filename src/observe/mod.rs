//! Observe: the code that reads the host and the peer and produces model values. Every
//! source that cannot be read becomes an explicit unknown, never a default.
//!
//! * [`probe`]: this node's [`crate::model::NodeState`] for the ha-status checks;
//! * [`drbd_config`]: the DRBD resource's running configuration (`drbdsetup show`,
//!   `drbdadm dump all`), for the fencing check;
//! * [`host`]: host facts without forking (getifaddrs, /proc/mounts, state files, ICMP, flock);
//! * [`peer`]: the peer's view over ssh, and the one ssh result classifier;
//! * [`ssh_share`]: one ssh connection to the peer per command, shared by its peer views;
//! * [`split_brain_log`]: the split-brain handler's record file;
//! * [`fence_log`]: the fence-peer handler's record file;
//! * [`failover`]: what `stop/start keepalived` watch while they follow a failover;
//! * [`generation`]: issue 10, the boot id, the drbd-witness record and `drbdadm get-gi`;
//! * [`monitor`]: one timed reading of every source for `metrics` and `check`.
//!
//! The service managers ([`crate::service`]) are observe-layer too.

pub mod drbd_config;
pub mod failover;
pub mod fence_log;
pub mod frontend; // issue 11
pub mod generation;
pub mod host;
pub mod monitor;
pub mod peer;
pub mod probe;
pub mod quorum;
pub mod split_brain_log;
pub mod ssh_share;
