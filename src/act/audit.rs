//! The audit log: one JSON line per action of every mutating command.
//!
//! Each line is appended (`O_APPEND`, parent directories created, mode 0640) to
//! `paths.audit_log` (default `/var/log/opscode/private-chef-ctl/audit.log`, configurable
//! through `private_chef_ctl['audit_log']`):
//!
//! ```text
//! {"time":"2024-05-01T12:00:00+00:00","user":"alice","command":"private-chef-ctl master-recover --yes",
//!  "node":"be1.example.com","action":"master-recover","step":"drbdadm primary pc0","result":"ok","detail":"…"}
//! ```
//!
//! * `time`: RFC 3339, local time with offset;
//! * `user`: `SUDO_USER` when set (the human behind sudo), else the name of the real uid
//!   (`uid:<n>` when it has none);
//! * `command`: the process's argv joined by spaces;
//! * `node`: the hostname;
//! * `result`: one of `started`, `ok`, `failed`, `refused`, `dry-run`.
//!
//! **A failure to write the audit log never aborts the command**: a failover must not
//! stop because `/var/log` is full or read-only. It is reported once per process as a
//! warning on stderr (`private-chef-ctl: warning: cannot write audit log …`), and the
//! action goes on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// The outcome an audit line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuditResult {
    /// The action or step began.
    #[serde(rename = "started")]
    Started,
    /// It succeeded.
    #[serde(rename = "ok")]
    Ok,
    /// It failed (`detail` says why).
    #[serde(rename = "failed")]
    Failed,
    /// It was not run: a precondition or a missing confirmation stopped it.
    #[serde(rename = "refused")]
    Refused,
    /// It was only printed (`--dry-run`).
    #[serde(rename = "dry-run")]
    DryRun,
}

impl AuditResult {
    /// The text written in the `result` field.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Started => "started",
            AuditResult::Ok => "ok",
            AuditResult::Failed => "failed",
            AuditResult::Refused => "refused",
            AuditResult::DryRun => "dry-run",
        }
    }
}

/// One audit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// RFC 3339 time with offset.
    pub time: String,
    /// Who ran the command.
    pub user: String,
    /// The command line (argv joined by spaces).
    pub command: String,
    /// The hostname.
    pub node: String,
    /// The command's action (e.g. `master-recover`, `cluster-transition`).
    pub action: String,
    /// The step (e.g. `drbdadm primary pc0`); empty for the action as a whole.
    pub step: String,
    /// What happened.
    pub result: AuditResult,
    /// Free text: an error, an output excerpt, a warning.
    pub detail: String,
}

/// An audit log writer for one command invocation.
#[derive(Debug)]
pub struct Audit {
    path: Option<PathBuf>,
    user: String,
    command: String,
    node: String,
    warned: AtomicBool,
}

impl Audit {
    /// A writer appending to `path`, with the user, argv and hostname of this process.
    pub fn new(path: &Path) -> Audit {
        let command = std::env::args().collect::<Vec<_>>().join(" ");
        Audit::with_identity(
            path,
            current_user(),
            command,
            crate::sys::hostname().unwrap_or_else(|| "unknown".to_string()),
        )
    }

    /// A writer with an explicit identity (tests, or a command acting for someone else).
    pub fn with_identity(path: &Path, user: String, command: String, node: String) -> Audit {
        Audit {
            path: Some(path.to_path_buf()),
            user,
            command,
            node,
            warned: AtomicBool::new(false),
        }
    }

    /// A writer that records nothing (for library callers that do not audit).
    pub fn disabled() -> Audit {
        Audit {
            path: None,
            user: String::new(),
            command: String::new(),
            node: String::new(),
            warned: AtomicBool::new(false),
        }
    }

    /// The file written, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The line that [`Audit::record`] would write now.
    pub fn entry(&self, action: &str, step: &str, result: AuditResult, detail: &str) -> Entry {
        Entry {
            time: crate::sys::time::rfc3339_now(),
            user: self.user.clone(),
            command: self.command.clone(),
            node: self.node.clone(),
            action: action.to_string(),
            step: step.to_string(),
            result,
            detail: detail.to_string(),
        }
    }

    /// Appends one line; on failure returns the error (see [`Audit::record`] for the
    /// variant that only warns).
    pub fn try_record(
        &self,
        action: &str,
        step: &str,
        result: AuditResult,
        detail: &str,
    ) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let entry = self.entry(action, step, result, detail);
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        append_line(path, line.as_bytes())
    }

    /// Appends one line; a failure is a warning on stderr (once per process), never an
    /// error: the audit log must not stop a failover.
    pub fn record(&self, action: &str, step: &str, result: AuditResult, detail: &str) {
        if let Err(e) = self.try_record(action, step, result, detail) {
            if !self.warned.swap(true, Ordering::Relaxed) {
                let p = self.path.as_deref().unwrap_or(Path::new("?"));
                eprintln!(
                    "private-chef-ctl: warning: cannot write audit log {}: {} (continuing)",
                    p.display(),
                    crate::sys::io_reason(&e)
                );
            }
        }
    }
}

/// Appends `bytes` to `path` with one `write(2)` on an `O_APPEND` descriptor, creating
/// the file (0640) and its parent directories; never through a link, only in a directory
/// that nobody else can write.
fn append_line(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    Ok(crate::sys::safe_fs::append(path, bytes, 0o640)?)
}

/// `SUDO_USER` when set and non-empty, else the login name of the real uid, else `uid:<n>`.
pub fn current_user() -> String {
    if let Ok(u) = std::env::var("SUDO_USER") {
        if !u.is_empty() {
            return u;
        }
    }
    // SAFETY: getuid never fails.
    let uid = unsafe { libc::getuid() };
    user_name(uid).unwrap_or_else(|| format!("uid:{uid}"))
}

fn user_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: a zeroed passwd is a valid out-parameter for getpwuid_r.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to memory we own, sized as passed.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_writes_nothing() {
        let a = Audit::disabled();
        assert!(a.try_record("x", "y", AuditResult::Ok, "").is_ok());
        assert!(a.path().is_none());
    }
}
