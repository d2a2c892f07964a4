//! `private-chef-ctl drbd-handler split-brain`: a DRBD handler for drbd.conf:
//!
//! ```text
//! handlers { split-brain "/opt/opscode/bin/private-chef-ctl drbd-handler split-brain"; }
//! ```
//!
//! It reads `DRBD_RESOURCE`, `DRBD_MINOR`, `DRBD_VOLUME`, `DRBD_PEER`, `DRBD_PEER_ADDRESS`,
//! `DRBD_PEER_AF`, `DRBD_LL_DISK` from the environment and:
//!
//! 1. appends a JSON line to `<drbd_dir>/split-brain.log` (see
//!    [`crate::diagnose::handler_record`]), with the device's /proc/drbd state then;
//! 2. writes an audit line (action `drbd-handler`, result `ok`);
//! 3. logs to syslog with `logger -t private-chef-ctl -p daemon.err` (10 s timeout);
//! 4. notifies: `ha['notify_command']` from private-chef.rb when set (a program path, run
//!    as `COMMAND SUBJECT BODY`, 30 s timeout; see [`notify_argv`]), else
//!    `mail -s SUBJECT RECIPIENT` with the body on stdin when `mail` is on PATH (recipient:
//!    `notification_email` from private-chef.rb, else `root`).
//!
//! It **always exits 0**: DRBD must never be blocked by a failed notification. Each
//! failure is printed on stderr (which DRBD logs) and recorded in the audit log.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::Ctx;
use crate::audit::{Audit, AuditResult};
use crate::config::{Config, Paths, Value};
use crate::diagnose::handler_record::{self, SplitBrainRecord};

/// Handlers this command implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Handler {
    /// `split-brain`: DRBD detected a split brain it did not resolve automatically.
    SplitBrain,
}

/// Run as a DRBD handler (always exits 0).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which DRBD handler this call is.
    #[arg(value_enum)]
    pub handler: Handler,
}

/// The subject and body of the notification.
pub fn message(rec: &SplitBrainRecord) -> (String, String) {
    let res = rec.resource.as_deref().unwrap_or("?");
    let node = rec.node.as_deref().unwrap_or("?");
    let subject = format!("DRBD split brain on resource {res} ({node})");
    let mut body = format!(
        "DRBD detected a split brain on resource {res} at {} on {node}",
        rec.time
    );
    if let Some(p) = &rec.peer {
        body.push_str(&format!(" (peer {p}"));
        if let Some(a) = &rec.peer_address {
            body.push_str(&format!(" at {a}"));
        }
        body.push(')');
    }
    body.push_str(".\n");
    if let Some(s) = &rec.state {
        body.push_str(&format!("State: {s}\n"));
    }
    body.push_str(
        "Diagnose with 'private-chef-ctl ha-diagnose'; recover with 'private-chef-ctl ha-recover split-brain' \
         (it keeps the victim's data before discarding it).\n",
    );
    (subject, body)
}

/// The notification command: `notify_command SUBJECT BODY` when configured, else
/// `mail -s SUBJECT RECIPIENT` (body on stdin) when `mail` exists; `None` when neither.
/// Returns the argv and the stdin text.
pub fn notify_argv(
    notify_command: Option<&str>,
    mail: Option<&Path>,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Option<(Vec<String>, Option<String>)> {
    if let Some(c) = notify_command.filter(|c| !c.trim().is_empty()) {
        return Some((
            vec![c.to_string(), subject.to_string(), body.to_string()],
            None,
        ));
    }
    let mail = mail?;
    Some((
        vec![
            mail.display().to_string(),
            "-s".to_string(),
            subject.to_string(),
            recipient.to_string(),
        ],
        Some(body.to_string()),
    ))
}

/// The first `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run_with_stdin(
    argv: &[String],
    stdin: Option<&str>,
    timeout: Duration,
) -> std::result::Result<(), String> {
    let (prog, rest) = argv.split_first().ok_or("empty command")?;
    let mut expr = duct::cmd(prog, rest)
        .stdout_null()
        .stderr_capture()
        .unchecked()
        .env("LC_ALL", "C");
    expr = match stdin {
        Some(s) => expr.stdin_bytes(s.as_bytes().to_vec()),
        None => expr.stdin_null(),
    };
    let h = expr
        .start()
        .map_err(|e| format!("cannot run {prog}: {e}"))?;
    match h.wait_timeout(timeout) {
        Ok(Some(o)) if o.status.success() => Ok(()),
        Ok(Some(o)) => Err(format!(
            "{prog} exited {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(None) => {
            let _ = h.kill();
            Err(format!(
                "{prog} did not finish within {} s",
                timeout.as_secs()
            ))
        }
        Err(e) => Err(format!("{prog}: {e}")),
    }
}

/// The device's state line and oos now, for the record.
fn drbd_state(paths: &Paths, minor: Option<u32>) -> (Option<String>, Option<u64>) {
    let Ok(p) = crate::drbd::read(&paths.proc_drbd) else {
        return (None, None);
    };
    let minor = minor
        .or_else(|| crate::probe::host::drbd_minor(&paths.drbd_device))
        .unwrap_or(0);
    match p.device(minor) {
        Some(d) => (Some(d.state_line.trim().to_string()), d.counters.oos),
        None => (None, None),
    }
}

/// Runs the handler; always returns 0.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let Handler::SplitBrain = args.handler;
    let cfg = Config::load(&ctx.global.config);
    let paths = cfg.as_ref().map(|c| c.paths.clone()).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    if let Err(e) = &cfg {
        problems.push(format!("topology not read, using default paths: {e:#}"));
    }
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    let mut rec = SplitBrainRecord::from_env(
        "split-brain",
        |k| std::env::var(k).ok(),
        crate::audit::rfc3339_now(),
        epoch,
        Some(crate::audit::hostname()),
    );
    let (state, oos) = drbd_state(&paths, rec.minor);
    rec.state = state;
    rec.oos = oos;

    // 1. the record
    match handler_record::append(&paths.drbd_dir, &rec) {
        Ok(p) => eprintln!("private-chef-ctl: split brain recorded in {}", p.display()),
        Err(e) => problems.push(format!(
            "cannot write {}: {e}",
            handler_record::path(&paths.drbd_dir).display()
        )),
    }
    // 2. the audit log (never fails the command)
    let audit = Audit::new(&paths.audit_log);
    let detail = serde_json::to_string(&rec).unwrap_or_default();
    audit.record("drbd-handler", "split-brain", AuditResult::Ok, &detail);

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
    if let Err(e) = run_with_stdin(&logger, None, Duration::from_secs(10)) {
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
            if let Err(e) = run_with_stdin(&argv, stdin.as_deref(), Duration::from_secs(30)) {
                problems.push(format!("notification: {e}"));
            }
        }
        None => problems.push(
            "no notification sent: neither ha['notify_command'] nor a 'mail' program".to_string(),
        ),
    }
    for p in &problems {
        eprintln!("private-chef-ctl: drbd-handler split-brain: {p}");
        audit.record("drbd-handler", "split-brain", AuditResult::Failed, p);
    }
    let _ = std::io::stderr().flush();
    Ok(0)
}
