//! Signals: SIGTERM and SIGHUP deferred while a transition runs (see
//! [`shield_from_termination`]); SIGINT and SIGTERM ending a watch loop ([`stop_on_interrupt`]).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The last SIGTERM/SIGHUP received while [`shield_from_termination`] is in force (0: none).
static DEFERRED_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn note_signal(sig: libc::c_int) {
    DEFERRED_SIGNAL.store(sig, Ordering::SeqCst);
}

/// Makes SIGTERM and SIGHUP non-fatal for the rest of this process: they are noted
/// ([`deferred_signal`]) and the transition goes on.
///
/// keepalived SIGTERMs its notify scripts still running when it stops (observed with
/// keepalived 2.2.7 in the lab): `stop keepalived` on the master starts the notify_stop
/// transition and kills it about a second later, in the middle of stopping the services,
/// leaving this node Primary with the data mounted and the peer unable to promote. A
/// half-done transition is worse than a finished one, so the transition finishes.
/// A handler (not `SIG_IGN`) so that the programs it runs get the default dispositions
/// back at exec. SIGINT (an operator's Ctrl-C) stays fatal.
pub fn shield_from_termination() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installing an async-signal-safe handler (one atomic store) with a
        // zeroed, then initialised, sigaction we own.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = note_signal as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The signal [`shield_from_termination`] deferred, if any.
pub fn deferred_signal() -> Option<i32> {
    match DEFERRED_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// `SIGTERM`, `SIGHUP`, or `signal N`.
pub fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGHUP => "SIGHUP".into(),
        s => format!("signal {s}"),
    }
}

/// Set by SIGINT/SIGTERM once [`stop_on_interrupt`] is in force.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM end a loop (see [`stop_requested`]) instead of the process.
pub fn stop_on_interrupt() {
    let handler = on_signal as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

/// Whether SIGINT or SIGTERM arrived since [`stop_on_interrupt`].
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigterm_and_sighup_are_deferred_not_fatal() {
        shield_from_termination();
        // SAFETY: raising a signal whose handler was just installed.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        assert_eq!(deferred_signal(), Some(libc::SIGHUP));
        unsafe {
            libc::raise(libc::SIGTERM);
        }
        // still alive, and the signal is remembered
        assert_eq!(deferred_signal(), Some(libc::SIGTERM));
        assert_eq!(signal_name(libc::SIGTERM), "SIGTERM");
        assert_eq!(signal_name(libc::SIGHUP), "SIGHUP");
    }

    #[test]
    fn children_get_the_default_disposition_back() {
        shield_from_termination();
        // a child that SIGTERMs itself dies of it: the handler is not inherited across exec
        let st = std::process::Command::new("sh")
            .args(["-c", "kill -TERM $$; sleep 5"])
            .status()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(st.signal(), Some(libc::SIGTERM));
    }
}
