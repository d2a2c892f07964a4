//! `drbd-handler fence-peer` and `drbd-handler after-resync-target`: the host side.
//!
//! fence-peer reaches the peer over ssh on the public link (the peer view's ssh program,
//! options and shared connection: [`crate::observe::peer`]), looks at its `/proc/drbd`
//! (`cat /proc/drbd`), runs `drbdadm outdate -- RESOURCE` there when that is safe, and loops
//! until [`crate::decide::fence`] answers or the bound is reached. Every decision goes to
//! cluster.log and stderr (a waiting reason only when it changes); the start, each outdate
//! and the answer to the audit log (action `drbd-handler`, step `fence-peer`); the answer
//! to `<drbd_dir>/fence.log` ([`crate::model::fence`]).
//!
//! While it runs, I/O on the replicated file system may be frozen: nothing is written under
//! `paths.drbd_data_dir` (such a write would wait for this very handler).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::act::audit::{Audit, AuditResult};
use crate::act::transition::ClusterLog;
use crate::config::{Config, FenceSettings, Paths};
use crate::decide::fence::{
    attempt_timeout, decide, out_of_time, track, Answer, Decision, Facts, QuorumSample, Step,
    RETRY_PAUSE,
};
use crate::model::fence::{FenceRecord, OutdateOutcome, PeerProbe};
use crate::observe::peer::{self, PeerOptions, RemoteResult};

/// One line on stderr (DRBD logs it); a stderr that is gone is no reason to fail.
fn warn(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{args}");
}

/// The audit action of every DRBD handler.
const ACTION: &str = "drbd-handler";
/// No look is started with less time than this left: it could not end in time.
const MIN_ATTEMPT: Duration = Duration::from_millis(200);

/// What the fence loop needs from the host (the real one is ssh to the peer and a clock;
/// the tests script one).
pub trait FenceHost {
    /// Time since the handler started.
    fn elapsed(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&mut self, d: Duration);
    /// One look at the peer's device, bounded by `timeout`.
    fn look(&mut self, timeout: Duration) -> PeerProbe;
    /// `drbdadm outdate` on the peer, bounded by `timeout`.
    fn outdate(&mut self, timeout: Duration) -> OutdateOutcome;
    /// Logs one decision (cluster.log, stderr), and to the audit log when `audit` is set.
    fn log(&mut self, msg: &str, audit: Option<AuditResult>);
    /// This node's quorum and whether the peer is in its partition, now.
    fn quorum(&mut self) -> QuorumSample;
}

fn outdate_text(o: &OutdateOutcome) -> (String, AuditResult) {
    match o {
        OutdateOutcome::Done => ("exited 0".to_string(), AuditResult::Ok),
        OutdateOutcome::LowerThanOutdated => (
            "exited 5: the peer's disk is below Outdated".to_string(),
            AuditResult::Ok,
        ),
        OutdateOutcome::PeerPrimary => (
            "exited 17: the peer is Primary".to_string(),
            AuditResult::Failed,
        ),
        OutdateOutcome::Failed { code, message } => (
            format!(
                "failed (exit {}): {message}",
                code.map_or_else(|| "by a signal".to_string(), |c| c.to_string())
            ),
            AuditResult::Failed,
        ),
        OutdateOutcome::Unreachable(r) => {
            (format!("the peer is unreachable: {r}"), AuditResult::Failed)
        }
        OutdateOutcome::Unknown(r) => (format!("could not run: {r}"), AuditResult::Failed),
    }
}

/// The fence loop: look, decide, outdate, until an answer or the bound (`ssh_timeout`
/// bounds each ssh besides the time left). Returns the answer and why. A message is
/// logged once (a peer that stays connected for 30 s is one line); each outdate's end is
/// logged and audited every time.
pub fn fence_loop(
    host: &mut dyn FenceHost,
    settings: FenceSettings,
    ssh_timeout: Duration,
    peer_stop_after: Duration,
) -> (Answer, String) {
    let mut throughout = true;
    let mut outside_since = None;
    let mut after: Option<OutdateOutcome> = None;
    let mut last_why = "the peer was never asked: no time left".to_string();
    let mut logged: std::collections::BTreeSet<String> = Default::default();
    let mut note = |host: &mut dyn FenceHost, msg: String, audit: Option<AuditResult>| {
        if audit.is_some() || !logged.contains(&msg) {
            host.log(&msg, audit);
            logged.insert(msg);
        }
    };
    loop {
        let t = attempt_timeout(&settings, host.elapsed(), ssh_timeout);
        if t < MIN_ATTEMPT {
            return finish(out_of_time(&last_why, &settings));
        }
        // quorum is read before the look too: a look at an unreachable peer lasts up to
        // ssh's connect timeout, and the peer's time outside counts from the first sample
        // that saw it; the decision takes the sample after the look
        let before = host.quorum();
        track(&mut outside_since, &before, host.elapsed());
        let probe = host.look(t);
        throughout &= matches!(probe, PeerProbe::Unreachable(_));
        let sample = host.quorum();
        let quorum = track(&mut outside_since, &sample, host.elapsed());
        let mut d = decide(&Facts {
            step: Step::Look {
                probe: &probe,
                after: after.as_ref(),
            },
            elapsed: host.elapsed(),
            unreachable_throughout: throughout,
            settings,
            quorum: &quorum,
            peer_stop_after,
        });
        after = None;
        if let Decision::Outdate { why } = &d {
            let t = attempt_timeout(&settings, host.elapsed(), ssh_timeout);
            if t < MIN_ATTEMPT {
                return finish(out_of_time(why, &settings));
            }
            note(host, format!("outdating the peer: {why}"), None);
            let o = host.outdate(t);
            let (text, result) = outdate_text(&o);
            note(
                host,
                format!("drbdadm outdate on the peer {text}"),
                Some(result),
            );
            d = decide(&Facts {
                step: Step::Outdate(&o),
                elapsed: host.elapsed(),
                unreachable_throughout: false,
                settings,
                quorum: &quorum,
                peer_stop_after,
            });
            after = Some(o);
        }
        match d {
            Decision::Answer { answer, why } => return (answer, why),
            Decision::Verify { why } => {
                note(host, why.clone(), None);
                last_why = why;
            }
            // an outdate decided on an outdate's outcome does not exist: treated as a retry
            Decision::Retry { why } | Decision::Outdate { why } => {
                note(host, format!("waiting: {why}"), None);
                last_why = why;
                let left = settings.timeout.saturating_sub(host.elapsed());
                host.sleep(RETRY_PAUSE.min(left));
            }
        }
    }
}

fn finish(d: Decision) -> (Answer, String) {
    match d {
        Decision::Answer { answer, why } => (answer, why),
        Decision::Retry { why } | Decision::Verify { why } | Decision::Outdate { why } => {
            (Answer::NotProven, why)
        }
    }
}

/// A DRBD resource name as the handler accepts it from `DRBD_RESOURCE`: letters, digits,
/// `_ . -`, not starting with `-`, at most 64 characters.
pub fn valid_resource(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// The minor of this call: the first of `DRBD_MINOR` (a space-separated list for a
/// resource-level handler; the pair has one volume), else the configured device's.
pub fn handler_minor(env_minor: Option<&str>, paths: &Paths) -> Option<u32> {
    env_minor
        .and_then(|m| m.split_whitespace().next())
        .and_then(|m| m.parse().ok())
        .or_else(|| crate::observe::host::drbd_minor(&paths.drbd_device))
}

/// True when writing `p` cannot wait on frozen DRBD I/O (it is not on the replicated file
/// system).
fn outside_data(p: &Path, paths: &Paths) -> bool {
    !p.starts_with(&paths.drbd_data_dir)
}

/// Where a handler writes: cluster.log, the audit log and fence.log, each only when it is
/// outside the replicated file system.
struct Journal {
    prefix: String,
    log: Option<ClusterLog>,
    audit: Audit,
    drbd_dir: Option<std::path::PathBuf>,
    step: &'static str,
}

impl Journal {
    fn new(paths: Option<&Paths>, step: &'static str, resource: &str) -> Journal {
        let ok = |p: &Path| paths.is_some_and(|x| outside_data(p, x));
        Journal {
            prefix: format!("drbd-handler {step} {resource}"),
            log: paths
                .filter(|p| ok(&p.cluster_log))
                .map(|p| ClusterLog::new(&p.cluster_log, false)),
            audit: match paths {
                Some(p) if ok(&p.audit_log) => Audit::new(&p.audit_log),
                _ => Audit::disabled(),
            },
            drbd_dir: paths
                .filter(|p| ok(&crate::model::fence::path(&p.drbd_dir)))
                .map(|p| p.drbd_dir.clone()),
            step,
        }
    }

    fn say(&mut self, msg: &str, audit: Option<AuditResult>) {
        let line = format!("{}: {msg}", self.prefix);
        warn(format_args!(
            "private-chef-ctl: {}",
            crate::sys::safe_fs::escape_control(&line)
        ));
        if let Some(l) = &mut self.log {
            l.log(&line);
        }
        if let Some(r) = audit {
            self.audit.record(ACTION, self.step, r, msg);
        }
    }

    fn record(&mut self, rec: &FenceRecord) {
        let Some(dir) = &self.drbd_dir else {
            return;
        };
        let p = crate::model::fence::path(dir);
        let r = serde_json::to_string(rec)
            .map_err(std::io::Error::other)
            .and_then(|line| {
                crate::sys::safe_fs::append(&p, format!("{line}\n").as_bytes(), 0o640)
                    .map_err(Into::into)
            });
        if let Err(e) = r {
            warn(format_args!(
                "private-chef-ctl: {}: cannot write {}: {}",
                self.prefix,
                p.display(),
                crate::sys::io_reason(&e)
            ));
        }
    }
}

fn epoch_now() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// A record with the time and node filled in.
fn record(handler: &str, resource: Option<&str>, minor: Option<u32>, why: &str) -> FenceRecord {
    FenceRecord {
        at: crate::sys::time::rfc3339_now(),
        epoch: epoch_now(),
        node: Some(crate::sys::hostname_or("unknown")),
        handler: handler.to_string(),
        resource: resource.map(str::to_string),
        minor,
        peer: None,
        peer_address: None,
        answer: None,
        meaning: None,
        why: why.to_string(),
        elapsed_ms: None,
        cleared: false,
    }
}

/// This node's device line, for the log.
fn local_state(paths: &Paths, minor: u32) -> String {
    match crate::drbd::read(&paths.proc_drbd) {
        Ok(p) => match p.device(minor) {
            Some(d) => d.state_line.trim().to_string(),
            None => format!("minor {minor} not in {}", paths.proc_drbd.display()),
        },
        Err(e) => format!("{} unreadable: {e}", paths.proc_drbd.display()),
    }
}

/// The real host: the peer over ssh, the monotonic clock, the journal.
struct SshPeer<'a> {
    opts: PeerOptions,
    /// quorum's settings, and the peer's names as corosync may know it (FQDN, short)
    quorum: crate::config::QuorumSettings,
    peer_names: Vec<String>,
    /// quorum-watch's record of when the current membership began
    ring_state: std::path::PathBuf,
    address: String,
    resource: String,
    minor: u32,
    start: Instant,
    journal: &'a mut Journal,
}

impl SshPeer<'_> {
    /// The peer options for one ssh bounded by `timeout`: ssh's own connect timeout no
    /// longer than that either.
    fn opts(&self, timeout: Duration) -> PeerOptions {
        let mut o = self.opts.clone();
        o.connect_timeout = o.connect_timeout.min(timeout);
        o
    }
}

impl FenceHost for SshPeer<'_> {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    fn look(&mut self, timeout: Duration) -> PeerProbe {
        peer::probe_drbd(&self.opts(timeout), &self.address, self.minor, timeout)
    }

    fn outdate(&mut self, timeout: Duration) -> OutdateOutcome {
        let argv = vec![
            "drbdadm".to_string(),
            "outdate".to_string(),
            "--".to_string(),
            self.resource.clone(),
        ];
        match peer::run_remote(&self.opts(timeout), &self.address, &argv, timeout) {
            RemoteResult::Ran(o) => OutdateOutcome::from_exit(o.code, &o.stderr),
            RemoteResult::Unreachable(r) => OutdateOutcome::Unreachable(r),
            RemoteResult::Unknown(r) => OutdateOutcome::Unknown(r),
        }
    }

    fn log(&mut self, msg: &str, audit: Option<AuditResult>) {
        self.journal.say(msg, audit);
    }

    fn quorum(&mut self) -> QuorumSample {
        quorum_sample(&self.quorum, &self.peer_names, &self.ring_state)
    }
}

/// This node's quorum now, and whether the peer (by any of `peer_names`) is in its
/// partition; for a peer outside, how long this membership has existed when quorum-watch's
/// record (`ring_state`) is of the same ring.
pub fn quorum_sample(
    settings: &crate::config::QuorumSettings,
    peer_names: &[String],
    ring_state: &Path,
) -> QuorumSample {
    let view = crate::observe::quorum::read(settings);
    if let Some(why) = view.why_not() {
        return QuorumSample::Lost(why);
    }
    match view.status() {
        None => QuorumSample::Off,
        Some(s) if peer_names.iter().any(|n| s.has_member(n)) => QuorumSample::PeerInside,
        Some(s) => {
            let known = crate::act::quorum_watch::read_state(ring_state)
                .filter(|r| r.ring_id == s.ring_id && r.quorate)
                .and_then(|r| {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .ok()?
                        .as_secs_f64();
                    Duration::try_from_secs_f64(now - r.since).ok()
                })
                .unwrap_or(Duration::ZERO);
            QuorumSample::PeerOutside(known)
        }
    }
}

/// The names corosync may know a node by: its FQDN and its first label.
pub fn corosync_names(fqdn: &str) -> Vec<String> {
    let mut v = vec![fqdn.to_string()];
    if let Some((short, _)) = fqdn.split_once('.') {
        v.push(short.to_string());
    }
    v
}

/// DRBD's fence-peer handler: returns the exit code (see [`crate::decide::fence`]). `cfg`
/// is the topology or why it could not be read; `env` reads the handler's environment.
/// Never panics; whatever goes wrong before the peer was asked answers 1 (not proven).
pub fn fence_peer(cfg: Result<&Config, String>, env: impl Fn(&str) -> Option<String>) -> i32 {
    let start = Instant::now();
    let resource = env("DRBD_RESOURCE").unwrap_or_default();
    let shown_resource = if valid_resource(&resource) {
        resource.clone()
    } else {
        "?".to_string()
    };
    let cfg = match cfg {
        Ok(c) => c,
        Err(e) => {
            warn(format_args!(
                "private-chef-ctl: drbd-handler fence-peer {shown_resource}: answer 1 (not proven): the topology cannot be read, so the peer cannot be asked: {e}"
            ));
            return Answer::NotProven.code();
        }
    };
    let paths = &cfg.paths;
    let mut journal = Journal::new(Some(paths), "fence-peer", &shown_resource);
    let settings = cfg.fence_settings();
    let fail = |journal: &mut Journal, minor: Option<u32>, why: String| {
        let answer = Answer::NotProven;
        journal.say(
            &format!("answer {} ({}): {why}", answer.code(), answer.as_str()),
            Some(AuditResult::Failed),
        );
        let mut rec = record(
            "fence-peer",
            Some(resource.as_str()).filter(|r| valid_resource(r)),
            minor,
            &why,
        );
        rec.answer = Some(answer.code());
        rec.meaning = Some(answer.as_str().to_string());
        rec.elapsed_ms = Some(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX));
        journal.record(&rec);
        answer.code()
    };
    if !valid_resource(&resource) {
        return fail(
            &mut journal,
            None,
            format!(
                "DRBD_RESOURCE is {resource:?}: expected a resource name of letters, digits and `_ . -`"
            ),
        );
    }
    let Some(minor) = handler_minor(env("DRBD_MINOR").as_deref(), paths) else {
        return fail(
            &mut journal,
            None,
            format!(
                "no minor: DRBD_MINOR is unset and the device {} names none",
                paths.drbd_device.display()
            ),
        );
    };
    let host = crate::sys::hostname_or("unknown");
    let (name, address) = match peer::peer_address(cfg, &host) {
        Ok(p) => p,
        Err(e) => {
            return fail(
                &mut journal,
                Some(minor),
                format!("the peer cannot be named: {e}"),
            )
        }
    };
    let opts = PeerOptions::from_config(cfg);
    let quorum = cfg.quorum_settings();
    let gone_rule = match &quorum.arbiter {
        Some(a) => format!(
            "the peer counted gone once outside this node's quorate partition for {} s (arbiter {a})",
            quorum.peer_stop_after.as_secs()
        ),
        None => format!(
            "quorum off: the peer assumed dead after {} s unreachable",
            settings.unreachable_after.as_secs()
        ),
    };
    journal.say(
        &format!(
            "asking the peer {name} at {address} over ssh (replication address {}); this node: {}; answering within {} s, {gone_rule}",
            env("DRBD_PEER_ADDRESS").unwrap_or_else(|| "?".to_string()),
            local_state(paths, minor),
            settings.timeout.as_secs(),
        ),
        Some(AuditResult::Started),
    );
    let ssh_timeout = opts.timeout;
    let peer_stop_after = quorum.peer_stop_after;
    let mut real = SshPeer {
        opts,
        quorum,
        peer_names: corosync_names(&name),
        ring_state: crate::act::quorum_watch::state_path(
            &paths.keepalived_dir.join("quorum.track"),
        ),
        address: address.clone(),
        resource: resource.clone(),
        minor,
        start,
        journal: &mut journal,
    };
    let (answer, why) = fence_loop(&mut real, settings, ssh_timeout, peer_stop_after);
    let elapsed = start.elapsed();
    let result = if answer.proven() {
        AuditResult::Ok
    } else {
        AuditResult::Failed
    };
    journal.say(
        &format!(
            "answer {} ({}) after {:.1} s: {why}",
            answer.code(),
            answer.as_str(),
            elapsed.as_secs_f64()
        ),
        Some(result),
    );
    let mut rec = record("fence-peer", Some(&resource), Some(minor), &why);
    rec.peer = Some(name);
    rec.peer_address = Some(address);
    rec.answer = Some(answer.code());
    rec.meaning = Some(answer.as_str().to_string());
    rec.elapsed_ms = Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
    journal.record(&rec);
    answer.code()
}

/// DRBD's after-resync-target handler: this node's disk is consistent again after a resync.
/// Records it in cluster.log, the audit log and fence.log (a `cleared` line: the last fence
/// is over). Never fails. `paths`: where to write (`None`: nowhere but stderr).
pub fn after_resync_target(paths: Option<&Paths>, env: impl Fn(&str) -> Option<String>) {
    let resource = env("DRBD_RESOURCE").filter(|r| valid_resource(r));
    let shown = resource.clone().unwrap_or_else(|| "?".to_string());
    let mut journal = Journal::new(paths, "after-resync-target", &shown);
    let read_paths = paths.cloned().unwrap_or_default();
    let minor = handler_minor(env("DRBD_MINOR").as_deref(), &read_paths);
    let device = crate::drbd::read(&read_paths.proc_drbd)
        .ok()
        .and_then(|p| minor.and_then(|m| p.device(m).cloned()));
    let why = match &device {
        Some(d) => format!(
            "resync finished: this node's copy is {} again ({})",
            crate::model::shown(&d.disk, "?"),
            d.state_line.trim()
        ),
        None => {
            "resync finished: this node's copy is consistent again (its state could not be read)"
                .to_string()
        }
    };
    journal.say(&why, Some(AuditResult::Ok));
    let mut rec = record("after-resync-target", resource.as_deref(), minor, &why);
    rec.cleared = true;
    journal.record(&rec);
}

#[cfg(test)]
mod tests;
