//! What `stop/start keepalived` see of this node at one instant while they follow a
//! failover (read by [`crate::observe::failover`], judged by [`crate::decide::failover`]).

use crate::drbd::{ConnState, DiskState, Role};
use crate::model::service::State;

/// What this node shows about the pair at one instant (read without forking).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub keepalived: State,
    pub requested: Option<String>,
    pub current: Option<String>,
    pub vip_here: Option<bool>,
    /// Whether the VIP answered a ping (from whoever holds it).
    pub vip_answers: Option<bool>,
    pub cs: Option<ConnState>,
    pub role: Option<Role>,
    pub peer_role: Option<Role>,
    pub disk: Option<DiskState>,
    pub peer_disk: Option<DiskState>,
    pub mounted: Option<bool>,
    /// The last line of cluster.log: what the transition is doing.
    pub last_log: Option<String>,
}

impl Observation {
    /// `current_cluster_status` is master.
    pub fn is_master(&self) -> bool {
        self.current.as_deref() == Some("master")
    }
}
