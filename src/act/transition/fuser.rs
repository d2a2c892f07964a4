//! `fuser -km` in-process: find the processes using paths under a mount point by
//! scanning `/proc/<pid>/{fd/*,cwd,root,exe,maps}`, and SIGKILL them.
//!
//! A process counts as a user when one of its open files, its working directory, its
//! root, its executable or a mapped file is the mount point or below it (by path
//! components, so `/data2` is not under `/data`). This process is never reported.

use std::path::{Path, PathBuf};

/// A process using the mount, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its pid.
    pub pid: u32,
    /// What refers to the mount: `cwd`, `root`, `exe`, `fd`, `maps` (each at most once).
    pub how: Vec<&'static str>,
}

/// Whether `p` is `dir` or below it. A deleted file's link text ends with ` (deleted)`,
/// which stays below its directory.
pub fn is_under(p: &Path, dir: &Path) -> bool {
    p.starts_with(dir)
}

/// The path column of one `/proc/<pid>/maps` line, if the mapping has a file path.
pub fn maps_path(line: &str) -> Option<&str> {
    // address perms offset dev inode [pathname]; the path may contain spaces.
    let mut rest = line;
    for _ in 0..5 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace)?;
        rest = &rest[end..];
    }
    let p = rest.trim_start();
    p.starts_with('/').then_some(p)
}

/// How process `pid_dir` (a `/proc/<pid>` directory) uses `dir`; empty when it does not.
fn uses(pid_dir: &Path, dir: &Path) -> Vec<&'static str> {
    let mut how = Vec::new();
    for link in ["cwd", "root", "exe"] {
        if let Ok(t) = std::fs::read_link(pid_dir.join(link)) {
            if is_under(&t, dir) {
                how.push(link);
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(pid_dir.join("fd")) {
        let found = rd
            .flatten()
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .any(|t| is_under(&t, dir));
        if found {
            how.push("fd");
        }
    }
    if let Ok(maps) = std::fs::read_to_string(pid_dir.join("maps")) {
        if maps
            .lines()
            .filter_map(maps_path)
            .any(|p| is_under(Path::new(p), dir))
        {
            how.push("maps");
        }
    }
    how
}

/// Every process under `proc_root` (normally `/proc`) using `dir`, sorted by pid,
/// without this process. Processes that vanish or cannot be read are skipped (as fuser
/// does: reading another user's fds needs root).
pub fn users_of(proc_root: &Path, dir: &Path) -> Vec<User> {
    let me = std::process::id();
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(proc_root) else {
        return out;
    };
    for e in rd.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let how = uses(&e.path(), dir);
        if !how.is_empty() {
            out.push(User { pid, how });
        }
    }
    out.sort_by_key(|u| u.pid);
    out
}

/// SIGKILLs every user of `dir` (see [`users_of`]); returns the pids signalled. A pid
/// that is gone already is not an error.
pub fn kill_users(proc_root: &Path, dir: &Path) -> Result<Vec<u32>, String> {
    let mut killed = Vec::new();
    let mut errors = Vec::new();
    for u in users_of(proc_root, dir) {
        let Ok(pid) = libc::pid_t::try_from(u.pid) else {
            continue;
        };
        // SAFETY: kill(2) with a pid read from /proc and a constant signal.
        let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
        if rc == 0 {
            killed.push(u.pid);
        } else {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::ESRCH) {
                errors.push(format!("pid {}: {}", u.pid, crate::sys::io_reason(&e)));
            }
        }
    }
    if errors.is_empty() {
        Ok(killed)
    } else {
        Err(format!(
            "cannot kill processes using {}: {}",
            dir.display(),
            errors.join(", ")
        ))
    }
}

/// The default `/proc`.
pub fn proc_root() -> PathBuf {
    PathBuf::from("/proc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_is_by_component() {
        let d = Path::new("/var/opt/opscode/drbd/data");
        assert!(is_under(Path::new("/var/opt/opscode/drbd/data"), d));
        assert!(is_under(
            Path::new("/var/opt/opscode/drbd/data/pg/x (deleted)"),
            d
        ));
        assert!(!is_under(Path::new("/var/opt/opscode/drbd/data2/x"), d));
        assert!(!is_under(Path::new("/"), d));
    }

    #[test]
    fn maps_paths() {
        assert_eq!(
            maps_path("7f1c2a000000-7f1c2a021000 r--p 00000000 fd:01 1234    /data/my lib.so"),
            Some("/data/my lib.so")
        );
        assert_eq!(
            maps_path("7ffd5c1f0000-7ffd5c211000 rw-p 00000000 00:00 0          [stack]"),
            None
        );
        assert_eq!(
            maps_path("7ffd5c1f0000-7ffd5c211000 rw-p 00000000 00:00 0"),
            None
        );
        assert_eq!(maps_path(""), None);
    }
}
