//! The peer's view, fetched over ssh by running `private-chef-ctl ha-status --json` there
//! and deserializing its document into the same [`StatusDoc`] this node writes (see
//! [`crate::model::view`] for the views and their JSON form).
//!
//! An unreachable peer, an ssh failure, a timeout or unparsable output is never an error:
//! it becomes [`PeerView::Unreachable`] or [`PeerView::Unknown`] with the reason.
//!
//! The peer is the other backend of the topology (`cfg.peer_of(hostname)`), reached at its
//! `ipaddress` as `root`. The ssh program, the remote program path and the timeouts come
//! from [`PeerOptions`] (defaults below, overridable in private-chef.rb with
//! `ha['ssh_command']`, `ha['peer_ctl']`, `ha['ssh_connect_timeout']` and
//! `ha['ssh_timeout']`). Every ssh of one command shares one authenticated connection
//! ([`super::ssh_share`]; `ha['ssh_share']`, `ha['ssh_control_dir']`,
//! `ha['ssh_control_persist']`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ssh_share::{self, Sharing, DEFAULT_CONTROL_DIR};
use crate::config::{Config, Value as CfgValue};
use crate::model::fence::PeerProbe;
use crate::model::StatusDoc;
use crate::model::{NodeView, PeerView};
use crate::sys::exec;

/// Where private-chef-ctl lives on the peer (the omnibus layout).
pub const DEFAULT_PEER_CTL: &str = "/opt/opscode/bin/private-chef-ctl";
/// ssh's own connection timeout, seconds (`-o ConnectTimeout=`). It bounds the TCP connect
/// and the banner exchange, which a loaded peer (sshd forks and re-executes itself per
/// connection) can take seconds for: a reachable peer must not be reported unreachable.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// The bound on a whole peer query (connect + remote ha-status), seconds. A loaded or
/// emulated host can take over 10 s for ssh's handshake alone, which is the bulk of a
/// first peer view: 15 s was too close to it.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// How to reach the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerOptions {
    /// The ssh program.
    pub ssh: PathBuf,
    /// The remote user.
    pub user: String,
    /// private-chef-ctl on the peer.
    pub remote_ctl: String,
    /// ssh `ConnectTimeout`.
    pub connect_timeout: Duration,
    /// The bound on a whole query.
    pub timeout: Duration,
    /// Connection sharing (`None`: every ssh connects on its own).
    pub share: Option<Sharing>,
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions {
            ssh: PathBuf::from("ssh"),
            user: "root".to_string(),
            remote_ctl: DEFAULT_PEER_CTL.to_string(),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            share: None,
        }
    }
}

impl PeerOptions {
    /// The defaults with `ha['ssh_command']`, `ha['peer_ctl']`, `ha['ssh_connect_timeout']`
    /// and `ha['ssh_timeout']` (seconds) applied, and connection sharing in
    /// `ha['ssh_control_dir']` (default [`DEFAULT_CONTROL_DIR`]; `ha['ssh_share'] = false` turns it off) when
    /// that directory is private (see [`ssh_share::prepare_dir`]), kept
    /// `ha['ssh_control_persist']` seconds after the command (default 0: closed with it).
    pub fn from_config(cfg: &Config) -> PeerOptions {
        let mut o = PeerOptions::default();
        if let Some(s) = cfg.attr("ha", "ssh_command").and_then(CfgValue::as_str) {
            o.ssh = PathBuf::from(s);
        }
        if let Some(s) = cfg.attr("ha", "peer_ctl").and_then(CfgValue::as_str) {
            o.remote_ctl = s.to_string();
        }
        let secs = |k: &str| {
            cfg.attr("ha", k)
                .and_then(CfgValue::as_int)
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| *n > 0)
                .map(Duration::from_secs)
        };
        if let Some(d) = secs("ssh_connect_timeout") {
            o.connect_timeout = d;
        }
        if let Some(d) = secs("ssh_timeout") {
            o.timeout = d;
        }
        let share = cfg.attr("ha", "ssh_share").and_then(CfgValue::as_bool) != Some(false);
        let dir = cfg
            .attr("ha", "ssh_control_dir")
            .and_then(CfgValue::as_str)
            .unwrap_or(DEFAULT_CONTROL_DIR);
        if share && ssh_share::prepare_dir(Path::new(dir)).is_ok() {
            o.share = Some(Sharing {
                dir: PathBuf::from(dir),
                persist: secs("ssh_control_persist").unwrap_or(Duration::ZERO),
            });
        }
        o
    }
}

pub use crate::model::plan::shell_quote;

/// The ssh command that runs `argv` on `address` (an argument vector; the remote words
/// are shell-quoted), bounded by `timeout`.
pub fn ssh_command(
    opts: &PeerOptions,
    address: &str,
    argv: &[String],
    timeout: Duration,
) -> exec::Command {
    let remote: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    let dest = format!("{}@{}", opts.user, address);
    let mut cmd = exec::Command::new(opts.ssh.as_os_str())
        .args([
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
        ])
        .arg(format!(
            "ConnectTimeout={}",
            opts.connect_timeout.as_secs().max(1)
        ));
    if let Some(s) = &opts.share {
        ssh_share::remember(&opts.ssh, &dest, s);
        cmd = cmd.args(s.ssh_options());
    }
    cmd.arg(dest)
        .arg("--")
        .args(remote.into_iter().map(OsString::from))
        .timeout(timeout)
}

/// The peer of `hostname` in the topology: (name, address).
pub fn peer_address(cfg: &Config, hostname: &str) -> Result<(String, String), String> {
    if cfg.this_server(hostname).is_none() {
        return Err(format!(
            "this host ({hostname}) is not a server of the topology {}",
            cfg.source.display()
        ));
    }
    let p = cfg
        .peer_of(hostname)
        .ok_or_else(|| format!("no peer backend of {hostname} in {}", cfg.source.display()))?;
    Ok((p.fqdn.clone(), p.ipaddress.to_string()))
}

/// How a remote command ended, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteResult {
    /// The remote program ran (any exit code but ssh's 255 and the shell's 126/127).
    Ran(exec::Output),
    /// ssh could not reach the peer.
    Unreachable(String),
    /// Something else went wrong (ssh missing, remote program missing).
    Unknown(String),
}

/// Runs `argv` on the peer and classifies the outcome (never an error).
pub fn run_remote(
    opts: &PeerOptions,
    address: &str,
    argv: &[String],
    timeout: Duration,
) -> RemoteResult {
    let cmd = ssh_command(opts, address, argv, timeout);
    let program = argv.first().map(String::as_str).unwrap_or("");
    classify(&cmd, cmd.run(), program)
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The one classifier of an ssh-wrapped command's end (`program`: the remote program, for
/// messages): ssh's timeout or exit 255 → unreachable; no ssh, the shell's 126/127 (the
/// remote program is missing) or a signal → unknown; any other exit → it ran.
pub fn classify(cmd: &exec::Command, r: exec::Result<exec::Output>, program: &str) -> RemoteResult {
    match r {
        Err(e) if e.is_timeout() => RemoteResult::Unreachable(e.to_string()),
        Err(e) => RemoteResult::Unknown(e.to_string()),
        Ok(o) => classify_output(cmd, o, program),
    }
}

/// [`classify`] for a command that ran to its end.
pub fn classify_output(cmd: &exec::Command, o: exec::Output, program: &str) -> RemoteResult {
    match o.code {
        Some(255) => {
            RemoteResult::Unreachable(format!("ssh failed (exit 255): {}", first_line(&o.stderr)))
        }
        Some(126) | Some(127) => RemoteResult::Unknown(format!(
            "'{}' cannot run {program} on the peer (exit {}): {}",
            cmd.display(),
            o.code.unwrap_or(-1),
            first_line(&o.stderr)
        )),
        None => RemoteResult::Unknown(format!("'{}' was killed by a signal", cmd.display())),
        _ => RemoteResult::Ran(o),
    }
}

/// The remote command that reads the peer's `/proc/drbd`.
pub fn proc_drbd_argv() -> Vec<String> {
    vec!["cat".to_string(), "/proc/drbd".to_string()]
}

/// One look at the peer's DRBD `minor` over ssh, bounded by `timeout`; never an error:
/// ssh's failures become [`PeerProbe::Unreachable`] or [`PeerProbe::Unknown`].
pub fn probe_drbd(opts: &PeerOptions, address: &str, minor: u32, timeout: Duration) -> PeerProbe {
    match run_remote(opts, address, &proc_drbd_argv(), timeout) {
        RemoteResult::Unreachable(r) => PeerProbe::Unreachable(r),
        RemoteResult::Unknown(r) => PeerProbe::Unknown(r),
        RemoteResult::Ran(o) => PeerProbe::from_cat(o.code, &o.stdout, &o.stderr, minor),
    }
}

/// Turns the output of the remote `ha-status --json` into a [`PeerView`]: its document
/// deserialized into a [`StatusDoc`], the type this node's own report is.
pub fn peer_view_from_output(name: &str, source: &str, minor: u32, r: RemoteResult) -> PeerView {
    let unknown = |reason: String| PeerView::Unknown {
        node: Some(name.to_string()),
        reason,
    };
    match r {
        RemoteResult::Unreachable(reason) => PeerView::Unreachable {
            node: Some(name.to_string()),
            reason,
        },
        RemoteResult::Unknown(reason) => unknown(reason),
        RemoteResult::Ran(o) => match serde_json::from_str::<StatusDoc>(o.stdout.trim()) {
            Ok(doc) => PeerView::Reachable {
                view: Box::new(NodeView::from_doc(name, source, minor, &doc)),
            },
            Err(e) if e.is_data() => unknown(format!(
                "the peer's ha-status --json output is unusable: not an ha-status document ({e})"
            )),
            Err(e) => {
                let shown: String = o.stdout.trim().chars().take(80).collect();
                unknown(format!(
                    "the peer's ha-status --json output is not JSON ({e}; exit {:?}; \
                     stdout starts {shown:?}; stderr: {})",
                    o.code,
                    first_line(&o.stderr)
                ))
            }
        },
    }
}

/// Fetches the peer's view over ssh.
pub fn fetch(opts: &PeerOptions, name: &str, address: &str, minor: u32) -> PeerView {
    let argv = vec![
        opts.remote_ctl.clone(),
        "ha-status".to_string(),
        "--json".to_string(),
    ];
    let source = format!("ssh {}@{}", opts.user, address);
    peer_view_from_output(
        name,
        &source,
        minor,
        run_remote(opts, address, &argv, opts.timeout),
    )
}

/// Whether the peer's split-brain record is worth fetching: its view is there and its DRBD
/// device is not linked to this node (a split brain is only ever seen disconnected).
pub fn wants_peer_record(peer: &PeerView) -> bool {
    peer.view()
        .and_then(NodeView::device)
        .is_some_and(|d| !d.linked() && !d.unconfigured())
}

/// The remote command reading the peer's split-brain records (the same `drbd_dir` layout
/// on both nodes): the last lines of the file, nothing (exit 0) when there is none.
pub fn peer_record_argv(drbd_dir: &Path) -> Vec<String> {
    let p = crate::model::split_brain::path(drbd_dir);
    vec![
        "tail".to_string(),
        "-n".to_string(),
        "20".to_string(),
        p.display().to_string(),
    ]
}

/// Puts the record read from the peer (the output of [`peer_record_argv`]) into its view.
/// `ha-status --json` does not carry the record, yet the split-brain handler often runs on
/// one node only (with `after-sb-2pri call-pri-lost-after-sb` DRBD resolves on one side
/// and calls `split-brain` on the other): without this, a diagnosis from the other node
/// misses when the split brain happened.
pub fn attach_peer_record(peer: &mut PeerView, out: &RemoteResult) {
    if let (PeerView::Reachable { view }, RemoteResult::Ran(o)) = (peer, out) {
        if view.split_brain.is_none() {
            view.split_brain = crate::model::split_brain::last_of(&o.stdout);
        }
    }
}

/// The peer of `host` in the topology, fetched over ssh, with its split-brain record when
/// its DRBD is disconnected (see [`attach_peer_record`]). Never an error.
pub fn fetch_peer(cfg: &Config, host: &str, minor: u32) -> PeerView {
    let opts = PeerOptions::from_config(cfg);
    match peer_address(cfg, host) {
        Ok((name, addr)) => {
            let mut v = fetch(&opts, &name, &addr, minor);
            if wants_peer_record(&v) {
                let argv = peer_record_argv(&cfg.paths.drbd_dir);
                let out = run_remote(&opts, &addr, &argv, opts.timeout);
                attach_peer_record(&mut v, &out);
            }
            v
        }
        Err(reason) => PeerView::Unknown { node: None, reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reachable peer whose device is in `cs` (as the lab's split brain left be2).
    fn peer_in(cs: &str) -> PeerView {
        serde_json::from_value(serde_json::json!({"state": "reachable", "view": {
            "node": "be2.lab.example", "source": "ssh root@192.0.2.12", "exit_code": 2,
            "cluster_status": {"requested": "backup", "current": "backup"},
            "transition_lock_held": null, "checks": [], "minor": 0,
            "drbd": [{"minor": 0, "cs": cs, "role": "Primary", "peer_role": "Unknown",
                      "disk": "UpToDate", "peer_disk": "DUnknown", "oos": 184, "sync": null}],
            "drbd_error": null, "split_brain": null}}))
        .unwrap()
    }

    const RECORD: &str = r#"{"time":"2026-11-26T09:13:49+00:00","epoch":1795684429,"node":"be2.lab.example","handler":"split-brain","resource":"pc0","minor":0,"volume":0,"peer":"be1.lab.example","peer_address":"192.0.2.11","peer_af":"ipv4","backing_disk":"/dev/opscode/drbd","state":"0: cs:NetworkFailure ro:Primary/Unknown ds:UpToDate/DUnknown C r-----","oos":184}"#;

    fn ran(stdout: &str, code: i32) -> RemoteResult {
        RemoteResult::Ran(exec::Output {
            code: Some(code),
            stdout: stdout.to_string(),
            stderr: String::new(),
        })
    }

    #[test]
    fn peer_record_only_when_disconnected() {
        assert!(wants_peer_record(&peer_in("StandAlone")));
        assert!(wants_peer_record(&peer_in("WFConnection")));
        assert!(!wants_peer_record(&peer_in("Connected")));
        assert!(!wants_peer_record(&peer_in("SyncTarget")));
        assert!(!wants_peer_record(&peer_in("Unconfigured")));
        let gone = PeerView::Unreachable {
            node: Some("be2".into()),
            reason: "timeout".into(),
        };
        assert!(!wants_peer_record(&gone));
    }

    #[test]
    fn peer_record_argv_reads_the_handler_file() {
        assert_eq!(
            peer_record_argv(Path::new("/var/opt/opscode/drbd")),
            vec!["tail", "-n", "20", "/var/opt/opscode/drbd/split-brain.log"]
        );
    }

    #[test]
    fn peer_record_is_attached_to_the_view() {
        // the lab's split brain: the handler ran on be2 only; be1 diagnoses
        let mut p = peer_in("StandAlone");
        attach_peer_record(&mut p, &ran(&format!("garbage\n{RECORD}\n"), 0));
        let r = p.view().unwrap().split_brain.clone().unwrap();
        assert_eq!(r.time, "2026-11-26T09:13:49+00:00");
        assert_eq!(r.resource.as_deref(), Some("pc0"));
        // no file (tail fails), ssh failure: nothing attached, nothing breaks
        for out in [ran("", 1), RemoteResult::Unreachable("x".into())] {
            let mut p = peer_in("StandAlone");
            attach_peer_record(&mut p, &out);
            assert_eq!(p.view().unwrap().split_brain, None);
        }
    }

    #[test]
    fn peer_record_gives_the_diagnosis_its_time() {
        let local: NodeView = serde_json::from_value(serde_json::json!({
            "node": "be1.lab.example", "source": "local", "exit_code": 2,
            "cluster_status": {"requested": "master", "current": "master"},
            "transition_lock_held": false, "checks": [], "minor": 0,
            "drbd": [{"minor": 0, "cs": "WFConnection", "role": "Primary", "peer_role": "Unknown",
                      "disk": "UpToDate", "peer_disk": "DUnknown", "oos": 9832, "sync": null}],
            "drbd_error": null, "split_brain": null}))
        .unwrap();
        let mut p = peer_in("StandAlone");
        let before = crate::decide::diagnose::diagnose(&local, &p);
        attach_peer_record(&mut p, &ran(RECORD, 0));
        let after = crate::decide::diagnose::diagnose(&local, &p);
        for (d, since) in [(before, None), (after, Some("2026-11-26T09:13:49+00:00"))] {
            match d.situation {
                crate::decide::diagnose::Situation::SplitBrain {
                    since: s, victim, ..
                } => {
                    assert_eq!(s.as_deref(), since);
                    assert_eq!(victim.as_deref(), Some("be2.lab.example"));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("pc0"), "pc0");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn ssh_argv() {
        let c = ssh_command(
            &PeerOptions::default(),
            "192.0.2.12",
            &["drbdadm".into(), "up".into(), "pc0".into()],
            Duration::from_secs(9),
        );
        assert_eq!(
            c.display(),
            "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10 root@192.0.2.12 -- drbdadm up pc0"
        );
        assert_eq!(c.timeout, Duration::from_secs(9));
    }
}
