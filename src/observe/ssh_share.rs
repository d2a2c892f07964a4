//! One authenticated ssh connection to the peer, shared by every peer view of a command.
//!
//! A peer view is `ssh peer private-chef-ctl ha-status --json`; on a slow or loaded host
//! nearly all of its time is ssh's handshake, not the remote program. ssh's own connection
//! sharing (`ControlMaster=auto`, `ControlPath`) pays that handshake once: the first ssh of
//! a command becomes the master, every later one (the record after the view, each runbook
//! step and precondition re-read) rides on it.
//!
//! * The socket grants root on the peer to whoever can open it, so it lives in a directory
//!   that only its owner (root, or the caller) can enter: created with mode 0700, refused
//!   when it is a link, owned by someone else, or open to group or others. When it cannot
//!   be used, ssh connects on its own as before: sharing only ever saves time.
//! * By default the master is the command's own (its socket name ends with the process id,
//!   so no other command rides on it) and is closed when the command ends (`ssh -O exit`,
//!   see [`close_all`]): closing a master another command is using would cut that
//!   command's peer view short. `ha['ssh_control_persist'] = SECS` makes it shared
//!   instead: one socket per peer, kept that many idle seconds, so that the next command
//!   (`ha-diagnose`, then `ha-recover`) reuses it; no command closes it.
//! * A master whose peer died must not stall later views: ssh's keepalives
//!   (`ServerAliveInterval`) end it after a few seconds of silence, and a command that is
//!   killed before it can close its master leaves one that ends itself after
//!   [`IDLE_BACKSTOP`] without clients.

use std::collections::BTreeSet;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use crate::sys::exec;

/// Where the control sockets live by default (a tmpfs, gone at reboot).
pub const DEFAULT_CONTROL_DIR: &str = "/run/private-chef-ctl/ssh";
/// How long a master closed by nobody (its command was killed) lingers without clients.
pub const IDLE_BACKSTOP: Duration = Duration::from_secs(120);
/// Seconds of silence between ssh's keepalives on a shared connection, and how many may go
/// unanswered before the master gives up on a dead peer.
const ALIVE_INTERVAL_SECS: u64 = 3;
const ALIVE_COUNT: u64 = 2;
/// The bound on `ssh -O exit`.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How peer connections are shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharing {
    /// The directory of the control sockets (checked by [`prepare_dir`]).
    pub dir: PathBuf,
    /// How long the master stays after the command; zero: closed when the command ends.
    pub persist: Duration,
}

impl Sharing {
    /// The socket path as ssh expands it (`%C`: a hash of the local host, the peer, its
    /// port and user): this command's own unless the connection persists.
    pub fn control_path(&self) -> String {
        if self.persist.is_zero() {
            format!("{}/%C.{}", self.dir.display(), std::process::id())
        } else {
            format!("{}/%C", self.dir.display())
        }
    }

    /// The ssh options that share the connection (before the destination).
    pub fn ssh_options(&self) -> Vec<String> {
        let persist = if self.persist.is_zero() {
            IDLE_BACKSTOP
        } else {
            self.persist
        };
        vec![
            "-o".into(),
            "ControlMaster=auto".into(),
            "-o".into(),
            format!("ControlPath={}", self.control_path()),
            "-o".into(),
            format!("ControlPersist={}", persist.as_secs().max(1)),
            "-o".into(),
            format!("ServerAliveInterval={ALIVE_INTERVAL_SECS}"),
            "-o".into(),
            format!("ServerAliveCountMax={ALIVE_COUNT}"),
        ]
    }
}

/// Makes `dir` (mode 0700, parents 0755) when it is missing, and checks that only its
/// owner can enter it: a real directory, not a link, owned by the caller, no access for
/// group or others. The error says what is wrong with it.
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    if !dir.is_absolute() {
        return Err(format!("{} is not an absolute path", dir.display()));
    }
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            match std::fs::DirBuilder::new().mode(0o700).create(dir) {
                Ok(()) => {}
                // made by a concurrent command: checked below like any existing one
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("{}: {e}", dir.display())),
            }
        }
        Err(e) => return Err(format!("{}: {e}", dir.display())),
        Ok(_) => {}
    }
    let md = std::fs::symlink_metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !md.file_type().is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let me = effective_uid();
    if md.uid() != me {
        return Err(format!(
            "{} is owned by uid {}, not by this user (uid {me})",
            dir.display(),
            md.uid()
        ));
    }
    if md.mode() & 0o077 != 0 {
        return Err(format!(
            "{} has mode {:o}: group and others must have no access",
            dir.display(),
            md.mode() & 0o7777
        ));
    }
    // the socket path must fit sun_path (108 bytes): %C is 40 hex digits, then `.PID` and
    // the random suffix ssh adds while it binds (`.XXXXXXXXXXXXXXXX`)
    if dir.as_os_str().len() + 1 + 40 + 11 + 17 >= 108 {
        return Err(format!("{} is too long for a socket path", dir.display()));
    }
    Ok(())
}

fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail
    unsafe { libc::geteuid() }
}

/// A shared connection opened by this process: (ssh program, user@address, options).
type Opened = (PathBuf, String, Sharing);

static OPENED: Mutex<BTreeSet<(PathBuf, String, PathBuf, u64)>> = Mutex::new(BTreeSet::new());

/// Notes that this process may have opened a master to `dest` (closed by [`close_all`]).
pub fn remember(ssh: &Path, dest: &str, s: &Sharing) {
    let mut m = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    m.insert((
        ssh.to_path_buf(),
        dest.to_string(),
        s.dir.clone(),
        s.persist.as_secs(),
    ));
}

fn opened() -> Vec<Opened> {
    let m = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    m.iter()
        .map(|(ssh, dest, dir, persist)| {
            (
                ssh.clone(),
                dest.clone(),
                Sharing {
                    dir: dir.clone(),
                    persist: Duration::from_secs(*persist),
                },
            )
        })
        .collect()
}

/// The command that asks the master for `dest` to exit (nothing happens when none runs).
pub fn exit_command(ssh: &Path, dest: &str, s: &Sharing) -> exec::Command {
    exec::Command::new(ssh.as_os_str())
        .args([
            "-o".to_string(),
            format!("ControlPath={}", s.control_path()),
            "-O".to_string(),
            "exit".to_string(),
            dest.to_string(),
        ])
        .timeout(CLOSE_TIMEOUT)
}

/// Closes the masters this process opened that are not meant to outlive it; called when
/// the command ends. Failures are ignored: a master nobody closes ends itself after
/// [`IDLE_BACKSTOP`].
pub fn close_all() {
    for (ssh, dest, s) in opened() {
        if !s.persist.is_zero() {
            continue;
        }
        if !socket_exists(&s.dir) {
            continue;
        }
        let _ = exit_command(&ssh, &dest, &s).run();
    }
    OPENED.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

/// Is there any socket in `dir` (a cheap test before forking ssh for nothing)?
fn socket_exists(dir: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.file_type().is_ok_and(|t| t.is_socket()))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_close_with_the_command_by_default() {
        let s = Sharing {
            dir: PathBuf::from("/run/private-chef-ctl/ssh"),
            persist: Duration::ZERO,
        };
        let pid = std::process::id();
        assert_eq!(
            s.ssh_options().join(" "),
            format!(
                "-o ControlMaster=auto -o ControlPath=/run/private-chef-ctl/ssh/%C.{pid} \
                 -o ControlPersist=120 -o ServerAliveInterval=3 -o ServerAliveCountMax=2"
            )
        );
        // a persisting connection is shared by every command: one socket per peer
        let s = Sharing {
            persist: Duration::from_secs(60),
            ..s
        };
        let o = s.ssh_options();
        assert!(o.contains(&"ControlPersist=60".to_string()), "{o:?}");
        assert!(
            o.contains(&"ControlPath=/run/private-chef-ctl/ssh/%C".to_string()),
            "{o:?}"
        );
    }

    #[test]
    fn the_directory_is_made_private_and_checked() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("a/ssh");
        prepare_dir(&d).unwrap();
        let md = std::fs::metadata(&d).unwrap();
        assert_eq!(md.mode() & 0o777, 0o700);
        // an existing private directory is fine; an open one is refused, naming it
        prepare_dir(&d).unwrap();
        std::fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let e = prepare_dir(&d).unwrap_err();
        assert!(
            e.contains("mode 755") && e.contains(&d.display().to_string()),
            "{e}"
        );
        // a link is refused, never followed
        let l = t.path().join("link");
        std::os::unix::fs::symlink(t.path().join("a"), &l).unwrap();
        let e = prepare_dir(&l).unwrap_err();
        assert!(e.contains("not a directory"), "{e}");
        assert!(prepare_dir(Path::new("relative/ssh")).is_err());
        // a socket path longer than sun_path is refused
        let long = t.path().join("x".repeat(60));
        assert!(prepare_dir(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn exit_command_names_the_socket_and_the_peer() {
        let s = Sharing {
            dir: PathBuf::from("/run/p/ssh"),
            persist: Duration::ZERO,
        };
        assert_eq!(
            exit_command(Path::new("ssh"), "root@192.0.2.12", &s).display(),
            format!(
                "ssh -o ControlPath=/run/p/ssh/%C.{} -O exit root@192.0.2.12",
                std::process::id()
            )
        );
    }
}
