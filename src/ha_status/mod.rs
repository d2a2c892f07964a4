//! The ha-status checks: pure functions over a node snapshot.
