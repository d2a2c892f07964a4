//! What corosync says about quorum: the output of `corosync-quorumtool -s`, parsed.
//! corosync's votequorum with a quorum device (corosync-qdevice on the back ends,
//! corosync-qnetd on the arbiter) is the engine that decides; this module only reads it.

pub mod quorumtool;

pub use quorumtool::{parse_status, Member, QuorumStatus};

/// A capture of `corosync-quorumtool -s` from `fixtures/corosync/`, for tests.
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> String {
    let p = format!("{}/fixtures/corosync/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The view of quorum on with `arbiter` and the status of a fixture, for tests.
#[cfg(test)]
pub(crate) fn fixture_view(name: &str, arbiter: &str) -> crate::model::QuorumView {
    crate::model::QuorumView::On {
        arbiter: arbiter.to_string(),
        status: crate::model::Known::Known(
            parse_status(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}")),
        ),
    }
}
