//! The one place that reads the host to build a node snapshot.
