//! `drbd-handler split-brain` and `drbd-handler initial-split-brain`: record the event (a
//! JSON line in `split-brain.log`, the audit log, syslog) and notify (see
//! [`crate::decide::notify`] for what is sent).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::act::audit::{Audit, AuditResult};
use crate::act::plan::{ExecOptions, Runner, TermUi};
use crate::config::{Config, Paths, Value};
use crate::decide::notify::{message, notify_argv};
use crate::model::split_brain::{path, SplitBrainRecord};
use crate::sys::exec;

/// Appends `rec` as one JSON line (parent directory created, mode 0640).
pub fn append(drbd_dir: &Path, rec: &SplitBrainRecord) -> std::io::Result<PathBuf> {
    let p = path(drbd_dir);
    let line = serde_json::to_string(rec).map_err(std::io::Error::other)?;
    // never through a link, only in a directory nobody else can write
    crate::sys::safe_fs::append(&p, format!("{line}\n").as_bytes(), 0o640)?;
    Ok(p)
}

/// The first `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs `argv` (stdin fed `stdin`), output discarded, bounded by `timeout`; `Err` says
/// why it did not succeed.
fn run_quietly(argv: &[String], stdin: Option<&str>, timeout: Duration) -> Result<(), String> {
    let (prog, rest) = argv.split_first().ok_or("empty command")?;
    let mut cmd = exec::Command::new(prog)
        .args(rest)
        .discard_stdout()
        .timeout(timeout);
    if let Some(s) = stdin {
        cmd = cmd.stdin(s.as_bytes());
    }
    match cmd.run() {
        Ok(o) if o.success() => Ok(()),
        Ok(o) => Err(format!("{prog} exited {:?}: {}", o.code, o.stderr.trim())),
        Err(exec::Error::Timeout { after, .. }) => Err(format!(
            "{prog} did not finish within {} s",
            after.as_secs()
        )),
        Err(exec::Error::NotFound { .. }) => Err(format!("cannot run {prog}: program not found")),
        Err(exec::Error::Spawn { source, .. }) => Err(format!("cannot run {prog}: {source}")),
        Err(e) => Err(format!("{prog}: {e}")),
    }
}

/// The device's state line and oos now, for the record.
fn drbd_state(paths: &Paths, minor: Option<u32>) -> (Option<String>, Option<u64>) {
    let Ok(p) = crate::drbd::read(&paths.proc_drbd) else {
        return (None, None);
    };
    let minor = minor
        .or_else(|| crate::observe::host::drbd_minor(&paths.drbd_device))
        .unwrap_or(0);
    match p.device(minor) {
        Some(d) => (Some(d.state_line.trim().to_string()), d.counters.oos),
        None => (None, None),
    }
}

/// Where a DRBD handler writes: the topology's paths; when it could not be read, the
/// default paths if `fallback` (the default file was absent), else none (a file named with
/// `--config` that cannot be read must not send records elsewhere).
pub fn handler_paths(cfg: Result<&Config, &String>, fallback: bool) -> Option<Paths> {
    match cfg {
        Ok(c) => Some(c.paths.clone()),
        Err(_) if fallback => Some(Paths::default()),
        Err(_) => None,
    }
}

/// DRBD's split-brain handlers (`handler`: `initial-split-brain` for every split brain
/// detected, `split-brain` for one left unresolved): records the event, logs it to syslog
/// and notifies. Never fails (DRBD must not be blocked): each problem is printed on stderr
/// and audited. `cfg` is the topology, or why it could not be read (see [`handler_paths`]).
pub fn split_brain(handler: &str, cfg: Result<&Config, String>, fallback: bool) {
    let paths = handler_paths(cfg.as_ref().copied(), fallback);
    let mut problems: Vec<String> = Vec::new();
    if let Err(e) = &cfg {
        problems.push(if fallback {
            format!("topology not read, using default paths: {e}")
        } else {
            format!("topology not read, so no record or audit line is written: {e}")
        });
    }
    // reading /proc/drbd at its default place writes nothing
    let read_paths = paths.clone().unwrap_or_default();
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    let mut rec = SplitBrainRecord::from_env(
        handler,
        |k| std::env::var(k).ok(),
        crate::sys::time::rfc3339_now(),
        epoch,
        Some(crate::sys::hostname_or("unknown")),
    );
    let (state, oos) = drbd_state(&read_paths, rec.minor);
    rec.state = state;
    rec.oos = oos;
    // the second handler of one split brain says so: readers count the event once
    if let Some(prev) = paths
        .as_ref()
        .and_then(|p| crate::observe::split_brain_log::last(&p.drbd_dir))
    {
        if rec.repeats(&prev) {
            rec.repeat_of = Some(prev.time);
        }
    }

    // 1. the record
    if let Some(paths) = &paths {
        match append(&paths.drbd_dir, &rec) {
            Ok(p) => eprintln!(
                "private-chef-ctl: drbd-handler {handler}: split brain recorded in {}",
                p.display()
            ),
            Err(e) => problems.push(format!(
                "cannot write {}: {e}",
                crate::model::split_brain::path(&paths.drbd_dir).display()
            )),
        }
    }
    // 2. the audit log (never fails the command)
    let audit = match &paths {
        Some(p) => Audit::new(&p.audit_log),
        None => Audit::disabled(),
    };
    // DRBD's handler: no one to ask, it always runs.
    let mut ui = TermUi;
    let run = Runner::new(&mut ui, &audit, "drbd-handler", ExecOptions::UNATTENDED);
    let detail = serde_json::to_string(&rec).unwrap_or_default();
    run.record(handler, AuditResult::Ok, &detail);

    // 3. syslog
    let (subject, body) = message(&rec);
    let logger = vec![
        "logger".to_string(),
        "-t".to_string(),
        "private-chef-ctl".to_string(),
        "-p".to_string(),
        "daemon.err".to_string(),
        format!("{subject}: {}", body.lines().next().unwrap_or("")),
    ];
    if let Err(e) = run_quietly(&logger, None, Duration::from_secs(10)) {
        problems.push(format!("syslog: {e}"));
    }
    // 4. notify
    let notify_command = cfg.as_ref().ok().and_then(|c| {
        c.attr("ha", "notify_command")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let recipient = cfg
        .as_ref()
        .ok()
        .and_then(|c| {
            c.topology
                .setting("notification_email")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "root".to_string());
    let mail = which("mail");
    match notify_argv(
        notify_command.as_deref(),
        mail.as_deref(),
        &recipient,
        &subject,
        &body,
    ) {
        Some((argv, stdin)) => {
            if let Err(e) = run_quietly(&argv, stdin.as_deref(), Duration::from_secs(30)) {
                problems.push(format!("notification: {e}"));
            }
        }
        None => problems.push(
            "no notification sent: neither ha['notify_command'] nor a 'mail' program".to_string(),
        ),
    }
    for p in &problems {
        eprintln!("private-chef-ctl: drbd-handler {handler}: {p}");
        run.record(handler, AuditResult::Failed, p);
    }
    let _ = std::io::stderr().flush();
}
