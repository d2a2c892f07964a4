//! The lab's nodes and links: names, addresses, MACs.

use anyhow::{bail, Result};

/// A node of the lab: the back-end pair (`be1`, `be2`) and the front end (`fe1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeId {
    Be1,
    Be2,
    /// The front end on the public segment (no cluster link, no DRBD disk): serves
    /// `/_status` and runs lab clients (the writer) outside both back ends.
    Fe1,
}

impl NodeId {
    /// Every node, back ends first.
    pub const ALL: [NodeId; 3] = [NodeId::Be1, NodeId::Be2, NodeId::Fe1];
    /// The back-end pair (DRBD, keepalived, PostgreSQL, Redis).
    pub const BACKENDS: [NodeId; 2] = [NodeId::Be1, NodeId::Be2];

    pub fn name(self) -> &'static str {
        match self {
            NodeId::Be1 => "be1",
            NodeId::Be2 => "be2",
            NodeId::Fe1 => "fe1",
        }
    }
    pub fn fqdn(self) -> &'static str {
        match self {
            NodeId::Be1 => "be1.lab.example",
            NodeId::Be2 => "be2.lab.example",
            NodeId::Fe1 => "fe1.lab.example",
        }
    }
    /// Is it one of the back-end pair?
    pub fn is_backend(self) -> bool {
        self != NodeId::Fe1
    }
    /// eth0: the public segment (VRRP and the VIP on the back ends; `/_status` on fe1)
    pub fn public_ip(self) -> &'static str {
        match self {
            NodeId::Be1 => "198.51.100.11",
            NodeId::Be2 => "198.51.100.12",
            NodeId::Fe1 => "198.51.100.21",
        }
    }
    /// eth1: DRBD replication (back ends only; fe1 has no cluster link)
    pub fn cluster_ip(self) -> &'static str {
        match self {
            NodeId::Be1 => "192.0.2.11",
            NodeId::Be2 => "192.0.2.12",
            NodeId::Fe1 => panic!("fe1 has no cluster link"),
        }
    }
    /// The other back end (back ends only).
    pub fn peer(self) -> NodeId {
        match self {
            NodeId::Be1 => NodeId::Be2,
            NodeId::Be2 => NodeId::Be1,
            NodeId::Fe1 => panic!("fe1 is not one of the back-end pair: it has no peer"),
        }
    }
    pub(crate) fn index(self) -> usize {
        match self {
            NodeId::Be1 => 0,
            NodeId::Be2 => 1,
            NodeId::Fe1 => 2,
        }
    }
    /// MAC of link `i` (0 public, 1 cluster)
    pub fn mac(self, i: usize) -> String {
        format!("52:54:00:0a:{:02x}:{:02x}", i + 1, self.index() + 1)
    }
    pub fn parse(s: &str) -> Result<NodeId> {
        match s {
            "be1" | "be1.lab.example" => Ok(NodeId::Be1),
            "be2" | "be2.lab.example" => Ok(NodeId::Be2),
            "fe1" | "fe1.lab.example" => Ok(NodeId::Fe1),
            _ => bail!("unknown node {s:?} (be1, be2 or fe1)"),
        }
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The two links of each node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// eth0: clients, VRRP adverts, the VIP
    Public,
    /// eth1: DRBD replication
    Cluster,
}

impl Link {
    pub(crate) fn netdev(self) -> &'static str {
        match self {
            Link::Public => "pub",
            Link::Cluster => "clu",
        }
    }
    pub fn parse(s: &str) -> Result<Link> {
        match s {
            "public" | "pub" | "eth0" => Ok(Link::Public),
            "cluster" | "clu" | "eth1" => Ok(Link::Cluster),
            _ => bail!("unknown link {s:?} (public or cluster)"),
        }
    }
}
