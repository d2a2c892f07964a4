//! The ha-status checks' outcome and the `ha-status --json` document ([`StatusDoc`]):
//! written by this node, and read back (the peer's, over ssh) into the same types.
//!
//! ```text
//! {"ok":true,"exit_code":0,"cluster_status":{"requested":"master","current":"master"},
//!  "checks":[{"id":"keepalived_enabled","status":"ok","code":0,"message":"…"}],
//!  "drbd":DrbdDoc|null,          // crate::drbd::json; null when /proc/drbd is unreadable
//!  "peer":PeerView}              // only with --peer
//! ```

use serde::{Deserialize, Serialize};

use super::node_state::{Known, NodeState};
use super::view::PeerView;
use crate::drbd::DrbdDoc;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Error,
    Unknown,
}

impl Status {
    pub fn tag(self) -> &'static str {
        match self {
            Status::Ok => "[OK]",
            Status::Warn => "[WARN]",
            Status::Error => "[ERROR]",
            Status::Unknown => "[UNKNOWN]",
        }
    }

    pub fn failed(self) -> bool {
        self != Status::Ok
    }
}

/// One check's outcome: an id, a status, the code it contributes, and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Check id (`cluster_status`, `drbd_state`, `service:nginx`, …).
    pub id: String,
    /// `ok`, `warn`, `error` or `unknown`.
    pub status: Status,
    /// The exit code this check gives when it fails (0 when it passed).
    #[serde(default)]
    pub code: i32,
    /// The message of the classic line.
    #[serde(default)]
    pub message: String,
}

impl Check {
    pub fn new(id: &str, status: Status, code: i32, message: impl Into<String>) -> Self {
        Check {
            id: id.to_string(),
            status,
            code: if status.failed() { code } else { 0 },
            message: message.into(),
        }
    }

    pub fn ok(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Ok, code, message)
    }

    pub fn error(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Error, code, message)
    }

    pub fn unknown(id: &str, code: i32, message: impl Into<String>) -> Self {
        Check::new(id, Status::Unknown, code, message)
    }

    /// The classic output line, e.g. `[OK] cluster status = master`.
    pub fn line(&self) -> String {
        format!("{} {}", self.status.tag(), self.message)
    }
}

/// Exit codes of `ha-status`, with the original's meanings.
pub mod code {
    /// Fatal precondition: no topology, keepalived or DRBD disabled, disk or device missing.
    pub const PRECONDITION: i32 = 1;
    /// requested != current cluster state (transition running or failed).
    pub const CLUSTER_STATUS: i32 = 2;
    /// VIP on the wrong node, or missing on the master.
    pub const VIP: i32 = 3;
    /// DRBD role/connection/disk state wrong.
    pub const DRBD_STATE: i32 = 4;
    /// DRBD mount state wrong.
    pub const MOUNT: i32 = 5;
    /// A replication IP does not answer.
    pub const REPLICATION_LINK: i32 = 6;
    /// A service in the wrong state.
    pub const SERVICE: i32 = 7;
    /// VRRP interface missing.
    pub const VRRP_INTERFACE: i32 = 8;
}

/// The outcome of all checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The first failing check's code; 0 when everything passed.
    pub exit_code: i32,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.exit_code == 0
    }

    /// The classic text: one line per check, then the summary wrapped in blank lines
    /// (only when the run got past the preconditions, as in the original).
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.checks {
            s.push_str(&c.line());
            s.push('\n');
        }
        if !self.stopped_early() {
            if self.ok() {
                s.push_str("\n[OK] all checks passed.\n\n");
            } else {
                s.push_str("\n[ERROR] ERRORS WERE DETECTED.\n\n");
            }
        }
        s
    }

    fn stopped_early(&self) -> bool {
        self.checks
            .last()
            .map(|c| c.status.failed() && c.code == code::PRECONDITION)
            .unwrap_or(true)
    }
}

/// requested/current cluster status (`null` when unreadable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ClusterStatus {
    /// `requested_cluster_status`.
    pub requested: Option<String>,
    /// `current_cluster_status`.
    pub current: Option<String>,
}

/// The `ha-status --json` document. `checks` and `exit_code` are required: a document
/// without them is not an ha-status report (a renamed key is an error, not a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDoc {
    /// No check failed.
    #[serde(default)]
    pub ok: bool,
    /// The first failing check's code.
    pub exit_code: i32,
    /// requested/current cluster status.
    #[serde(default)]
    pub cluster_status: ClusterStatus,
    /// The checks, in the original's order.
    pub checks: Vec<Check>,
    /// `/proc/drbd`, `None` when it could not be read.
    pub drbd: Option<DrbdDoc>,
    /// `--peer`: the peer's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerView>,
}

impl StatusDoc {
    /// The document of a node's state and its checks' report.
    pub fn new(s: &NodeState, r: &Report) -> StatusDoc {
        let known = |k: &Known<String>| k.known().cloned();
        StatusDoc {
            ok: r.ok(),
            exit_code: r.exit_code,
            cluster_status: ClusterStatus {
                requested: known(&s.requested_status),
                current: known(&s.current_status),
            },
            checks: r.checks.clone(),
            drbd: s.drbd.known().map(|p| p.to_doc()),
            peer: None,
        }
    }

    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}
