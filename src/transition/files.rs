//! The transition's files: the state files (written atomically), the cluster.log, and
//! the `flock(2)` lock.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::Target;
use crate::config::Paths;

/// Writes `content` to `path` atomically: a temporary file beside it (same directory,
/// so the same file system), fsync, then rename over `path`. Readers see the old or the
/// new content, never a partial one.
pub fn write_atomic(path: &Path, content: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(content.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
            error: crate::probe::transition_error_file(paths),
        }
    }

    /// Records a request (`master\n`, as the original's `echo $1 >`).
    pub fn write_requested(&self, t: Target) -> std::io::Result<()> {
        write_atomic(&self.requested, &format!("{}\n", t.as_str()))
    }

    /// The request now on disk; `None` when it is missing, unreadable or not a state.
    pub fn read_requested(&self) -> Option<Target> {
        let s = crate::probe::host::read_state_file(&self.requested).ok()?;
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

/// The cluster.log writer: each message is echoed to stdout and appended to the file
/// as `<date -R>: <message>` (the original's `log_me`). A log that cannot be written is
/// a warning on stderr (once), never a reason to stop a transition.
#[derive(Debug)]
pub struct ClusterLog {
    path: PathBuf,
    echo: bool,
    warned: bool,
}

impl ClusterLog {
    /// A log appending to `path`; `echo` also prints each message to stdout.
    pub fn new(path: &Path, echo: bool) -> ClusterLog {
        ClusterLog {
            path: path.to_path_buf(),
            echo,
            warned: false,
        }
    }

    /// Logs one message.
    pub fn log(&mut self, msg: &str) {
        if self.echo {
            println!("{msg}");
        }
        let line = log_line(&crate::exec::rfc2822_now(), msg);
        let r = (|| {
            if let Some(d) = self.path.parent() {
                if !d.as_os_str().is_empty() {
                    std::fs::create_dir_all(d)?;
                }
            }
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o644)
                .open(&self.path)?;
            f.write_all(line.as_bytes())
        })();
        if let Err(e) = r {
            if !self.warned {
                self.warned = true;
                eprintln!(
                    "private-chef-ctl: warning: cannot write {}: {} (continuing)",
                    self.path.display(),
                    crate::probe::host::io_reason(&e)
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
        if let Some(d) = path.parent() {
            if !d.as_os_str().is_empty() {
                std::fs::create_dir_all(d)?;
            }
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .open(path)?;
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
