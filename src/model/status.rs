//! The ha-status checks' outcome: each [`Check`], the [`Report`] and the codes (the
//! document that carries them is [`super::view::StatusDoc`]).

use serde::{Deserialize, Serialize};

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

    /// A `[WARN]` line that does not set the exit code (code 0): something the operator
    /// should know that is not a fault of this node (no quorum arbiter configured, the
    /// arbiter's vote missing while the node still serves).
    pub fn advisory(id: &str, message: impl Into<String>) -> Self {
        Check {
            id: id.to_string(),
            status: Status::Warn,
            code: 0,
            message: message.into(),
        }
    }

    /// The check sets the exit code: it failed, with a code (an advisory line has none).
    pub fn fails(&self) -> bool {
        self.status.failed() && self.code != 0
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
    /// A front end's `/_status` is not pong, or it does not answer (`--frontends` only).
    pub const FRONTENDS: i32 = 9;
    /// Quorum is on and this node has none, or corosync cannot be read: it does not serve.
    pub const QUORUM: i32 = 10;
}

/// The outcome of all checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The first failing check's code; 0 when everything passed.
    pub exit_code: i32,
}

impl Report {
    /// The report of these checks: the exit code is the first failing check's, 0 when all
    /// passed (advisory `[WARN]` lines, code 0, pass).
    pub fn from_checks(checks: Vec<Check>) -> Report {
        let exit_code = checks
            .iter()
            .find(|c| c.fails())
            .map(|c| c.code)
            .unwrap_or(0);
        Report { checks, exit_code }
    }

    pub fn ok(&self) -> bool {
        self.exit_code == 0
    }

    /// Did a precondition stop the run (its last check failed with code 1)? An empty
    /// report counts as stopped.
    pub fn stopped_at_precondition(&self) -> bool {
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
