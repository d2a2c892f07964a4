//! This node's quorum, from corosync (`corosync-quorumtool -s`, bounded by [`TIMEOUT`]).
//! With no arbiter configured quorum is off and nothing is run. corosync down, the tool
//! missing or hanging, or a text that does not parse all read as unknown, with the reason:
//! never as quorate.

use std::time::Duration;

use crate::config::QuorumSettings;
use crate::corosync::{parse_status, QuorumStatus};
use crate::model::Known;
use crate::sys::exec::Command;

/// How long `corosync-quorumtool -s` may take (it answers from corosync's memory).
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub use crate::model::quorum::QuorumView;

/// Reads this node's quorum (nothing is run when quorum is off).
pub fn read(settings: &QuorumSettings) -> QuorumView {
    let Some(arbiter) = settings.arbiter.clone() else {
        return QuorumView::Off;
    };
    QuorumView::On {
        arbiter,
        status: read_status(),
    }
}

/// `corosync-quorumtool -s`: exit 0 (quorate) and 2 (not quorate) both print the status;
/// anything else (1: corosync not running) is unknown.
pub fn read_status() -> Known<QuorumStatus> {
    let cmd = Command::new("corosync-quorumtool")
        .arg("-s")
        .env("LC_ALL", "C")
        .timeout(TIMEOUT);
    match cmd.run() {
        Ok(o) if matches!(o.code, Some(0) | Some(2)) => match parse_status(&o.stdout) {
            Ok(s) => Known::Known(s),
            Err(e) => Known::Unknown(format!("'{}': {e}", cmd.display())),
        },
        r => match crate::sys::exec::stdout_of(&cmd, r) {
            Err(e) => Known::Unknown(format!("{e} (is corosync running?)")),
            Ok(_) => Known::Unknown(format!("'{}' exited 0 but said nothing", cmd.display())),
        },
    }
}
