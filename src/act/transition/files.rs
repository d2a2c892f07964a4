//! The transition's files: the state files (written atomically), the cluster.log, and
//! the `flock(2)` lock.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::Target;
use crate::config::Paths;

/// Writes `content` to `path` atomically: a temporary file beside it (same directory,
/// so the same file system), fsync, then rename over `path`. Readers see the old or the
/// new content, never a partial one.
pub fn write_atomic(path: &Path, content: &str) -> std::io::Result<()> {
    // a checked directory, a temp file of random name (O_EXCL|O_NOFOLLOW), a link at
    // `path` refused
    Ok(crate::sys::safe_fs::replace(
        path,
        content.as_bytes(),
        0o644,
    )?)
}

/// `requested_cluster_status`, `current_cluster_status` and the transition error file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFiles {
    /// The last requested state (written first on every call).
    pub requested: PathBuf,
    /// The state reached (written only on success).
    pub current: PathBuf,
    /// The reason of the last failed transition (removed on success).
    pub error: PathBuf,
}

impl StateFiles {
    /// The files of an install.
    pub fn new(paths: &Paths) -> StateFiles {
        StateFiles {
            requested: paths.requested_status.clone(),
            current: paths.current_status.clone(),
            error: crate::observe::probe::transition_error_file(paths),
        }
    }

    /// Records a request (`master\n`, as the original's `echo $1 >`).
    pub fn write_requested(&self, t: Target) -> std::io::Result<()> {
        write_atomic(&self.requested, &format!("{}\n", t.as_str()))
    }

    /// The request now on disk; `None` when it is missing, unreadable or not a state.
    pub fn read_requested(&self) -> Option<Target> {
        let s = crate::observe::host::read_state_file(&self.requested).ok()?;
        Target::from_word(&s)
    }

    /// A transition succeeded: `current_cluster_status` = `t`, error file removed.
    pub fn record_success(&self, t: Target) -> std::io::Result<()> {
        write_atomic(&self.current, &format!("{}\n", t.as_str()))?;
        match std::fs::remove_file(&self.error) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// A transition failed: the reason goes to the error file; `current` is left alone.
    pub fn record_failure(&self, t: Target, reason: &str, date: &str) -> std::io::Result<()> {
        write_atomic(
            &self.error,
            &format!("transition to {} at {date}: {reason}\n", t.as_str()),
        )
    }
}

/// One cluster.log line: `<date -R>: <message>` and a newline.
pub fn log_line(date: &str, msg: &str) -> String {
    format!("{date}: {msg}\n")
}

/// The environment variable naming an optional timing trace file (see [`ClusterLog`]).
pub const TRACE_ENV: &str = "PRIVATE_CHEF_CTL_TRACE";

/// One timing trace line: `<unix seconds, 6 decimals> <pid> <message>` and a newline.
pub fn trace_line(unix_secs: f64, pid: u32, msg: &str) -> String {
    format!("{unix_secs:.6} {pid} {msg}\n")
}

/// The cluster.log writer: each message is echoed to stdout and appended to the file
/// as `<date -R>: <message>` (the original's `log_me`). A log that cannot be written is
/// a warning on stderr (once), never a reason to stop a transition.
///
/// When the environment variable [`TRACE_ENV`] names a file, every message and every
/// [`ClusterLog::trace`] event is also appended there with a microsecond timestamp
/// ([`trace_line`]): cluster.log's `date -R` has 1-s resolution, too coarse to tell a
/// transition's own overhead from the time spent in drbdadm, mount and the services.
/// Trace write errors are ignored.
#[derive(Debug)]
pub struct ClusterLog {
    path: PathBuf,
    echo: bool,
    warned: bool,
    trace: Option<PathBuf>,
}

impl ClusterLog {
    /// A log appending to `path`; `echo` also prints each message to stdout.
    pub fn new(path: &Path, echo: bool) -> ClusterLog {
        ClusterLog {
            path: path.to_path_buf(),
            echo,
            warned: false,
            trace: std::env::var_os(TRACE_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The same log with the trace file `trace` (`None`: no trace), whatever the environment.
    pub fn with_trace(mut self, trace: Option<PathBuf>) -> ClusterLog {
        self.trace = trace;
        self
    }

    /// Appends `msg` to the trace file only (when there is one).
    pub fn trace(&mut self, msg: &str) {
        let Some(path) = &self.trace else {
            return;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let line = trace_line(
            now,
            std::process::id(),
            &crate::sys::safe_fs::escape_control(msg),
        );
        let _ = crate::sys::safe_fs::append(path, line.as_bytes(), 0o644);
    }

    /// Logs one message.
    pub fn log(&mut self, msg: &str) {
        if self.echo {
            // not println!: it panics when stdout is gone (a closed pipe), and a transition
            // must not die of its own log
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                crate::sys::safe_fs::escape_control(msg)
            );
        }
        self.trace(msg);
        // a message may carry keepalived's arguments: escaped, it cannot forge a line
        let line = log_line(
            &crate::sys::time::rfc2822_now(),
            &crate::sys::safe_fs::escape_control(msg),
        );
        let r: std::io::Result<()> =
            crate::sys::safe_fs::append(&self.path, line.as_bytes(), 0o644).map_err(Into::into);
        if let Err(e) = r {
            if !self.warned {
                self.warned = true;
                eprintln!(
                    "private-chef-ctl: warning: cannot write {}: {} (continuing)",
                    self.path.display(),
                    crate::sys::io_reason(&e)
                );
            }
        }
    }
}

/// The transition lock: an exclusive `flock(2)` on `cluster-transition.lock`, held for
/// the life of this value. The file holds the holder's pid for humans (and is emptied
/// on release); the lock itself is the flock, so a stale pid can never block anyone.
#[derive(Debug)]
pub struct TransitionLock {
    file: File,
}

/// The result of [`TransitionLock::try_acquire`].
#[derive(Debug)]
pub enum LockAttempt {
    /// This process holds the lock.
    Acquired(TransitionLock),
    /// Another process holds it; its pid as the file says, when readable.
    Busy {
        /// The pid written in the lock file.
        holder: Option<u32>,
    },
}

impl TransitionLock {
    /// Tries to take the lock without waiting (creating the file and its directory).
    pub fn try_acquire(path: &Path) -> std::io::Result<LockAttempt> {
        crate::sys::safe_fs::create_parent(path)?;
        // never through a link: the pid is written into (and emptied from) this file
        let (dir, name) = crate::sys::safe_fs::SafeDir::of(path)?;
        let mut file = dir.lock_file(&name, 0o644)?;
        // SAFETY: flock on a descriptor we own.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut s = String::new();
                let _ = file.read_to_string(&mut s);
                return Ok(LockAttempt::Busy {
                    holder: s.trim().parse().ok(),
                });
            }
            return Err(e);
        }
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(format!("{}\n", std::process::id()).as_bytes())?;
        Ok(LockAttempt::Acquired(TransitionLock { file }))
    }
}

impl Drop for TransitionLock {
    fn drop(&mut self) {
        // Empty the pid while still holding the lock; closing the file releases it.
        let _ = self.file.set_len(0);
    }
}

#[cfg(test)]
mod trace_tests {
    use super::*;

    #[test]
    fn trace_line_has_microseconds_pid_and_message() {
        assert_eq!(
            trace_line(
                1_700_000_000.123_456_7,
                42,
                "exec begin: drbdadm primary pc0"
            ),
            "1700000000.123457 42 exec begin: drbdadm primary pc0\n"
        );
    }

    #[test]
    fn log_goes_to_the_trace_with_a_fine_timestamp_and_trace_only_events_skip_cluster_log() {
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("cluster.log");
        let tr = d.path().join("trace");
        let mut l = ClusterLog::new(&log, false).with_trace(Some(tr.clone()));
        l.log("Transitioning to master");
        l.trace("exec begin: mount /dev/drbd0 /data");
        let cl = std::fs::read_to_string(&log).unwrap();
        assert_eq!(cl.lines().count(), 1);
        assert!(cl.ends_with(": Transitioning to master\n"), "{cl}");
        let t = std::fs::read_to_string(&tr).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2, "{t}");
        let pid = std::process::id().to_string();
        for (line, msg) in lines.iter().zip([
            "Transitioning to master",
            "exec begin: mount /dev/drbd0 /data",
        ]) {
            let mut w = line.splitn(3, ' ');
            let ts = w.next().unwrap();
            assert_eq!(ts.split_once('.').unwrap().1.len(), 6, "{line}");
            assert!(ts.parse::<f64>().unwrap() > 1.5e9);
            assert_eq!(w.next(), Some(pid.as_str()));
            assert_eq!(w.next(), Some(msg));
        }
    }

    #[test]
    fn no_trace_file_without_a_trace_path() {
        let d = tempfile::tempdir().unwrap();
        let mut l = ClusterLog::new(&d.path().join("cluster.log"), false).with_trace(None);
        l.trace("nothing");
        l.log("x");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
