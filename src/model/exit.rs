//! The one exit-code table of private-chef-ctl (shown by `--help` and in the README).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done: reached, shown, dry run, nothing to do, or queued behind a running transition |
//! | 1 | failed: a step failed, the failover is stuck, an error (the message says which) |
//! | 2 | refused, nothing was changed: bad arguments, a precondition not met, not confirmed, a runbook that does not match the diagnosis |
//! | 3 | does not apply: no runbook for the situation (`ha-recover`), the situation cannot be named (`ha-diagnose`), DRBD 9 (`drbd-status`) |
//!
//! Three commands keep codes of their own: `frontend-status` (0 pong, 1 fail, 2 unreachable,
//! 3 bad configuration: [`crate::decide::frontends`]), and two families keep the codes their
//! originals had: `ha-status` (0–8, and 9 for `--frontends`: the checks' codes in
//! [`super::status::code`]) and the service verbs (the first non-zero `sv` status). For
//! `ha-diagnose`, 1 means a situation needs action.

/// Done (or dry run, nothing to do, queued).
pub const OK: i32 = 0;
/// A step failed, the failover is stuck, or an error.
pub const FAILED: i32 = 1;
/// Refused; nothing was changed.
pub const REFUSED: i32 = 2;
/// Does not apply: no runbook, the situation cannot be named, DRBD 9.
pub const NOT_APPLICABLE: i32 = 3;

/// The table as `--help` shows it.
pub const HELP: &str = "\
Exit codes (every command):
  0  done: reached, shown, dry run, nothing to do, or queued behind a running transition
  1  failed: a step failed, the failover is stuck, an error (the message says which)
  2  refused, nothing was changed: bad arguments, a precondition not met, not confirmed,
     a runbook that does not match the diagnosis
  3  does not apply: no runbook for the situation (ha-recover), the situation cannot be
     named (ha-diagnose), DRBD 9 (drbd-status)
ha-status keeps the original's codes 0-8 (9: --frontends; see ha-status --help),
frontend-status its own (0 pong, 1 fail, 2 unreachable, 3 bad configuration), the service verbs the
first non-zero sv status; for ha-diagnose, 1 means a situation needs action.";
