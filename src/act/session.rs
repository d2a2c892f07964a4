//! Running the transition in its own session, out of reach of keepalived's SIGKILL.
//!
//! keepalived runs a notify script in a process group of its own. When it stops (and on a
//! reload) it sends SIGTERM to that group, and one second later SIGKILL to the whole group
//! of a script still running (keepalived 2.2 `script_killall` and `child_killed_thread`,
//! lib/notify.c). SIGTERM is deferred by [`super::signals::shield_from_termination`];
//! SIGKILL cannot be. A notify_stop demote that takes more than that second (stopping the
//! services, unmounting, `drbdadm secondary`: always, on a loaded machine) was killed
//! half-way and left the node Primary with the data mounted, so the peer could not take
//! over. The fix is to run the transition in a child that is in a session (and so a
//! process group) of its own: the group keepalived kills holds only the parent, which just
//! waits for the child and passes on its exit code. keepalived's `PR_SET_PDEATHSIG` is not
//! inherited across fork, so the child outlives the parent's death.
//!
//! Under systemd with `KillMode=control-group` (the keepalived unit's default) a stop also
//! signals the child, which is in the same cgroup: it defers the SIGTERM and systemd waits
//! `TimeoutStopSec` (90 s) before SIGKILL, longer than a transition bounded by
//! `transition_command_timeout`.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;

/// Whether this process leads its own session (then it is the detached child already).
pub fn leads_own_session() -> bool {
    // SAFETY: getsid(0) and getpid() only read this process's ids.
    unsafe { libc::getsid(0) == libc::getpid() }
}

/// Whether standard input is a terminal: an operator who may press Ctrl-C, which must
/// reach the transition (a detached child would be in another session, out of reach).
pub fn stdin_is_terminal() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDIN_FILENO) == 1 }
}

/// Whether the transition should be re-run in a session of its own: not when it already
/// leads one, and not when an operator runs it from a terminal.
pub fn should_detach() -> bool {
    !leads_own_session() && !stdin_is_terminal()
}

/// A child running this same program, with the same arguments, in a new session.
pub struct Detached {
    handle: duct::Handle,
    /// The child's pid (it leads its session and its process group).
    pub pid: u32,
}

/// Starts this program again with the same arguments in a new session (`setsid` before
/// exec); standard input, output and error are inherited.
pub fn rerun_in_own_session() -> io::Result<Detached> {
    let exe = std::env::current_exe()?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let handle = duct::cmd(exe, args)
        .unchecked()
        .before_spawn(|c| {
            // SAFETY: setsid is async-signal-safe and touches no memory of this process.
            unsafe {
                c.pre_exec(|| {
                    if libc::setsid() == -1 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            Ok(())
        })
        .start()?;
    let pid = handle.pids().first().copied().unwrap_or(0);
    Ok(Detached { handle, pid })
}

impl Detached {
    /// Waits for the child (no timeout of its own: the transition bounds every command it
    /// runs) and returns its exit code; killed by a signal: 128 + the signal, as a shell.
    pub fn wait(self) -> io::Result<i32> {
        let out = self.handle.wait()?;
        use std::os::unix::process::ExitStatusExt;
        Ok(match (out.status.code(), out.status.signal()) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        })
    }
}
