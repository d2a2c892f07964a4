//! The omnibus-ctl service verbs (status, start, stop, …, service-list, tail).
//!
//! Output and exit codes follow omnibus-ctl (`chef-ha-ctl.md` §7):
//!
//! * `status [svc]`: one `sv status`-style line per enabled service, read from
//!   `supervise/status` directly; a disabled service prints `<svc> disabled` only with
//!   `--verbose`. Per-service code: 0 running, 3 down, 4 unknown.
//! * `start|stop|restart|once|hup|term|int|kill|usr1|usr2 [svc]`: `sv <cmd>` per enabled
//!   service, sv's output passed through.
//! * `graceful-kill [svc]`: stop, then SIGKILL what is left of the process group.
//! * **Exit code: the first non-zero per-service exit status** (omnibus-ctl 0.0.8/0.1.x),
//!   0 when every service succeeded.
//! * With no service named, **keepalived only answers `status`**; other verbs skip it.
//! * A named service that does not exist is an error listing the valid names (exit 1);
//!   a named service that is disabled prints `<svc> disabled` and exits 1.
//! * `service-list`: every service, `*` appended when enabled; exit 0.
//! * `tail [svc]`: `tail --follow=name --retry` on the log files under `log_dir[/svc]`.
//!
//! The entry points ([`run_verb`], [`service_list`], [`tail_files`]) take a
//! [`ServiceManager`] / paths and writers, so other layouts (and tests) can use them.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::service::{first_nonzero, global_command_permitted, Control, ServiceManager};

/// A service verb, as typed on the command line: `status`, `graceful-kill`, or one of
/// the service manager's control actions (`start`, `stop`, `hup`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Status,
    GracefulKill,
    Control(Control),
}

/// `svc` is one of `all` (the services the manager lists), else an error naming the valid
/// ones: a name is never used as a path before this check (`tail /etc`).
pub fn known_service(all: &[String], svc: &str) -> Result<()> {
    if all.iter().any(|s| s == svc) {
        return Ok(());
    }
    if all.is_empty() {
        bail!("unknown service '{svc}' (there are no services)");
    }
    bail!(
        "unknown service '{svc}'; valid services: {}",
        all.join(", ")
    )
}

/// Runs a verb on one service or on every enabled service; returns the exit code
/// (first non-zero per-service status). Service output goes to `out`, the tools'
/// stderr to `err`. `Err` when the services cannot be listed, the named service does
/// not exist, or a tool cannot be run at all (e.g. `sv` missing).
pub fn run_verb(
    m: &dyn ServiceManager,
    verb: Verb,
    service: Option<&str>,
    verbose: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let all = m.services()?;
    if let Some(svc) = service {
        known_service(&all, svc)?;
        if !m.is_enabled(svc) {
            if verb == Verb::GracefulKill {
                writeln!(out, "{svc} disabled, not stopping")?;
            } else {
                writeln!(out, "{svc} disabled")?;
            }
            return Ok(1);
        }
        return one(m, verb, svc, out, err);
    }
    let mut code = 0;
    for svc in &all {
        if !m.is_enabled(svc) {
            if verb == Verb::Status && verbose {
                writeln!(out, "{svc} disabled")?;
            }
            continue;
        }
        if !global_command_permitted(svc, verb == Verb::Status) {
            continue;
        }
        code = first_nonzero(code, one(m, verb, svc, out, err)?);
    }
    Ok(code)
}

/// One verb on one enabled service.
fn one(
    m: &dyn ServiceManager,
    verb: Verb,
    svc: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    match verb {
        Verb::Status => {
            let st = m.status(svc);
            writeln!(out, "{}", st.status_line())?;
            Ok(st.lsb_code())
        }
        Verb::GracefulKill => {
            let mut lines = Vec::new();
            let code = m
                .graceful_kill(svc, &mut |l: &str| lines.push(l.to_string()))
                .with_context(|| format!("graceful-kill {svc}"))?;
            for l in lines {
                writeln!(out, "{l}")?;
            }
            Ok(code)
        }
        Verb::Control(action) => {
            let o = m
                .control(svc, action)
                .with_context(|| format!("{} {svc}", action.sv_word()))?;
            out.write_all(o.stdout.as_bytes())?;
            err.write_all(o.stderr.as_bytes())?;
            Ok(o.code)
        }
    }
}

/// Prints every service, `*` appended when enabled; returns 0.
pub fn service_list(m: &dyn ServiceManager, out: &mut dyn Write) -> Result<i32> {
    for svc in m.services()? {
        let star = if m.is_enabled(&svc) { "*" } else { "" };
        writeln!(out, "{svc}{star}")?;
    }
    Ok(0)
}

/// The original's exclusion regex `(config|lock|@|bz2|gz|gzip|tbz2|tgz|txz|xz|zip)`:
/// plain substrings (`gz` also covers `gzip`/`tgz`, `xz` covers `txz`).
const TAIL_EXCLUDE: &[&str] = &["config", "lock", "@", "bz2", "gz", "tbz2", "xz", "zip"];

/// The files `tail` follows: every regular file under `log_dir[/svc]` (symlinks followed,
/// as `find -L`), minus paths with a `sasl` directory and paths matching the exclusion
/// regex. The regex is applied to the path *relative to* `log_dir` (the original applied
/// it to `/var/log/opscode/…`, which contains none of the words), sorted.
pub fn tail_files(log_dir: &Path, svc: Option<&str>) -> Result<Vec<PathBuf>> {
    let root = match svc {
        Some(s) => log_dir.join(s),
        None => log_dir.to_path_buf(),
    };
    if !root.is_dir() {
        bail!(
            "log directory {} does not exist (or is not a directory)",
            root.display()
        );
    }
    let mut files = Vec::new();
    let mut stack = vec![root];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        seen += 1;
        if seen > 100_000 {
            bail!(
                "too many directories under {} (symlink loop?)",
                log_dir.display()
            );
        }
        let rd = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for e in rd.flatten() {
            let p = e.path();
            // metadata() follows symlinks (find -L); dangling links are skipped.
            let Ok(md) = std::fs::metadata(&p) else {
                continue;
            };
            if md.is_dir() {
                stack.push(p);
            } else if md.is_file() {
                let rel = p.strip_prefix(log_dir).unwrap_or(&p);
                let rel_s = rel.to_string_lossy();
                let in_sasl = rel
                    .parent()
                    .is_some_and(|d| d.components().any(|c| c.as_os_str() == "sasl"));
                if !in_sasl && !TAIL_EXCLUDE.iter().any(|x| rel_s.contains(x)) {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Replaces this process with `tail --follow=name --retry -- <files>` (no timeout: it
/// runs until interrupted); returns only on failure.
pub fn exec_tail(files: &[PathBuf]) -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    let e = std::process::Command::new("tail")
        .args(["--follow=name", "--retry", "--"])
        .args(files)
        .exec();
    // exec only returns on failure.
    if e.kind() == std::io::ErrorKind::NotFound {
        return anyhow::anyhow!(
            "cannot run 'tail': program not found (is it installed and on PATH?)"
        );
    }
    anyhow::anyhow!("cannot run 'tail': {e}")
}
