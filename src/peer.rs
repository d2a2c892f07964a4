//! The two nodes' views: this node's, read locally, and the peer's, fetched over ssh by
//! running `private-chef-ctl ha-status --json` there.
//!
//! Both are a [`NodeView`]: the same serialized shape, which is also the fixture format of
//! `fixtures/diagnose/` (a fixture is `{"local": NodeView, "peer": PeerView}`):
//!
//! ```text
//! NodeView = {
//!   "node": "be1.lab.example",            // hostname (local) or topology FQDN (peer)
//!   "source": "local" | "ssh root@192.0.2.12",
//!   "exit_code": 0,                        // that node's ha-status exit code, null if unknown
//!   "cluster_status": {"requested": "master"|null, "current": "master"|null},
//!   "transition_lock_held": false|true|null,   // null: not read (always null for the peer)
//!   "checks": [{"id","status","code","message"}],   // ha-status checks
//!   "minor": 0,
//!   "drbd": [DeviceView] | null,           // null: /proc/drbd unreadable (see drbd_error)
//!   "drbd_error": "…" | null,
//!   "split_brain": SplitBrainRecord | null // the last split-brain handler record
//! }
//! DeviceView = {"minor":0,"cs":"WFConnection","role":"Primary","peer_role":"Unknown",
//!               "disk":"UpToDate","peer_disk":"DUnknown","oos":130760,
//!               "sync": {"percent":36.3,"done_kib":…,"total_kib":…,
//!                        "speed_kib_s":…|null,"finish_secs":…|null} | null}
//! PeerView = {"state":"reachable","view":NodeView}
//!          | {"state":"unreachable","node":"be2…"|null,"reason":"…"} // ssh could not reach it
//!          | {"state":"unknown","node":"be2…"|null,"reason":"…"}     // no ssh, no peer, garbage…
//! ```
//!
//! An unreachable peer, an ssh failure, a timeout or unparsable output is never an error:
//! it becomes [`PeerView::Unreachable`] or [`PeerView::Unknown`] with the reason.
//!
//! The peer is the other backend of the topology (`cfg.peer_of(hostname)`), reached at its
//! `ipaddress` as `root`. The ssh program, the remote program path and the timeouts come
//! from [`PeerOptions`] (defaults below, overridable in private-chef.rb with
//! `ha['ssh_command']`, `ha['peer_ctl']`, `ha['ssh_connect_timeout']` and
//! `ha['ssh_timeout']`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{Config, Value as CfgValue};
use crate::diagnose::handler_record::SplitBrainRecord;
use crate::exec;

/// Where private-chef-ctl lives on the peer (the omnibus layout).
pub const DEFAULT_PEER_CTL: &str = "/opt/opscode/bin/private-chef-ctl";
/// ssh's own connection timeout, seconds (`-o ConnectTimeout=`).
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 3;
/// The bound on a whole peer query (connect + remote ha-status), seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 15;

/// The resync/verify progress of a device, as the views carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SyncView {
    /// Percent done, when printed.
    pub percent: Option<f64>,
    /// KiB done.
    #[serde(default)]
    pub done_kib: u64,
    /// KiB in total.
    #[serde(default)]
    pub total_kib: u64,
    /// Current speed, KiB/s.
    #[serde(default)]
    pub speed_kib_s: Option<i64>,
    /// Estimated seconds to finish.
    #[serde(default)]
    pub finish_secs: Option<u64>,
}

/// One DRBD minor as a node sees it (names as `/proc/drbd` prints them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    /// The minor number.
    pub minor: u32,
    /// Connection state (`Connected`, `WFConnection`, `StandAlone`, `Unconfigured`, …).
    pub cs: String,
    /// This node's role (`Primary`, `Secondary`, `Unknown`), absent when unconfigured.
    #[serde(default)]
    pub role: Option<String>,
    /// The peer's role as this node sees it.
    #[serde(default)]
    pub peer_role: Option<String>,
    /// This node's disk state (`UpToDate`, `Inconsistent`, …).
    #[serde(default)]
    pub disk: Option<String>,
    /// The peer's disk state as this node sees it (`DUnknown` when not connected).
    #[serde(default)]
    pub peer_disk: Option<String>,
    /// Out of sync, KiB.
    #[serde(default)]
    pub oos: Option<u64>,
    /// Resync progress, when syncing.
    #[serde(default)]
    pub sync: Option<SyncView>,
}

impl DeviceView {
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
    /// `role` is Primary.
    pub fn is_primary(&self) -> bool {
        self.is(&self.role, "Primary")
    }
    /// `role` is Secondary.
    pub fn is_secondary(&self) -> bool {
        self.is(&self.role, "Secondary")
    }
    /// The local disk is UpToDate.
    pub fn disk_up_to_date(&self) -> bool {
        self.is(&self.disk, "UpToDate")
    }
    /// Both disks UpToDate.
    pub fn both_up_to_date(&self) -> bool {
        self.disk_up_to_date() && self.is(&self.peer_disk, "UpToDate")
    }
    /// `cs:Connected`.
    pub fn connected(&self) -> bool {
        self.cs == "Connected"
    }
    /// A state with a live connection to the peer (Connected, syncing, verifying, …).
    pub fn linked(&self) -> bool {
        crate::drbd::ConnState::from_name(&self.cs).is_connected()
    }
    /// Not configured (no resource up on this minor).
    pub fn unconfigured(&self) -> bool {
        self.cs == "Unconfigured"
    }
    /// `cs ro:role/peer ds:disk/peer oos:N`, for evidence lines.
    pub fn summary(&self) -> String {
        let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".to_string());
        let mut s = format!(
            "cs:{} ro:{}/{} ds:{}/{}",
            self.cs,
            o(&self.role),
            o(&self.peer_role),
            o(&self.disk),
            o(&self.peer_disk)
        );
        if let Some(n) = self.oos {
            s.push_str(&format!(" oos:{n}"));
        }
        if let Some(p) = self.sync.as_ref().and_then(|s| s.percent) {
            s.push_str(&format!(" sync'ed:{p:.1}%"));
        }
        s
    }

    /// Reads one device of the `drbd-status --json` schema.
    pub fn from_drbd_json(v: &Value) -> Option<DeviceView> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let sync = v.get("sync").filter(|x| !x.is_null()).map(|x| SyncView {
            percent: x.get("percent").and_then(Value::as_f64),
            done_kib: x.get("done_kib").and_then(Value::as_u64).unwrap_or(0),
            total_kib: x.get("total_kib").and_then(Value::as_u64).unwrap_or(0),
            speed_kib_s: x.get("speed_kib_s").and_then(Value::as_i64),
            finish_secs: x.get("finish_secs").and_then(Value::as_u64),
        });
        Some(DeviceView {
            minor: u32::try_from(v.get("minor")?.as_u64()?).ok()?,
            cs: s("cs")?,
            role: s("role"),
            peer_role: s("peer_role"),
            disk: s("disk"),
            peer_disk: s("peer_disk"),
            oos: v
                .get("counters")
                .and_then(|c| c.get("oos"))
                .and_then(Value::as_u64),
            sync,
        })
    }
}

/// requested/current cluster status (`null` when unreadable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ClusterStatus {
    /// `requested_cluster_status`.
    pub requested: Option<String>,
    /// `current_cluster_status`.
    pub current: Option<String>,
}

/// One ha-status check as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    /// Check id (`cluster_status`, `drbd_state`, `service:nginx`, …).
    pub id: String,
    /// `ok`, `warn`, `error` or `unknown`.
    pub status: String,
    /// The exit code it contributes.
    #[serde(default)]
    pub code: i32,
    /// The message.
    #[serde(default)]
    pub message: String,
}

/// One node's state, as the diagnosis needs it (see the module docs for the JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// The node's name.
    pub node: String,
    /// Where the view came from: `local` or `ssh root@ADDR`.
    pub source: String,
    /// That node's ha-status exit code.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// requested/current cluster status.
    #[serde(default)]
    pub cluster_status: ClusterStatus,
    /// Whether cluster-transition.lock is held (null: not read).
    #[serde(default)]
    pub transition_lock_held: Option<bool>,
    /// The ha-status checks.
    #[serde(default)]
    pub checks: Vec<CheckView>,
    /// The resource's minor.
    #[serde(default)]
    pub minor: u32,
    /// DRBD devices, `None` when `/proc/drbd` could not be read.
    #[serde(default)]
    pub drbd: Option<Vec<DeviceView>>,
    /// Why DRBD could not be read.
    #[serde(default)]
    pub drbd_error: Option<String>,
    /// The last split-brain handler record on this node.
    #[serde(default)]
    pub split_brain: Option<SplitBrainRecord>,
    /// Issue 10: the data generation facts (identifiers, witness, assessment).
    #[serde(default)]
    pub data: crate::promote::facts::DataFacts,
}

impl NodeView {
    /// The resource's device, when DRBD was read and lists it.
    pub fn device(&self) -> Option<&DeviceView> {
        self.drbd.as_ref()?.iter().find(|d| d.minor == self.minor)
    }

    /// Why the resource's device is not in the view.
    pub fn device_missing_reason(&self) -> String {
        match (&self.drbd, &self.drbd_error) {
            (None, Some(e)) => format!("DRBD state unreadable: {e}"),
            (None, None) => "DRBD state not reported".to_string(),
            (Some(_), _) => format!("minor {} is not in /proc/drbd", self.minor),
        }
    }

    /// A check by id.
    pub fn check(&self, id: &str) -> Option<&CheckView> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Builds a view from an `ha-status --json` document (see `ha_status::report_json`).
    /// `minor` is the resource's minor (same on both nodes: from the shared topology).
    pub fn from_status_json(
        node: &str,
        source: &str,
        minor: u32,
        doc: &Value,
    ) -> Result<NodeView, String> {
        let obj = doc
            .as_object()
            .ok_or_else(|| "not a JSON object".to_string())?;
        if !obj.contains_key("checks") || !obj.contains_key("exit_code") {
            return Err("not an ha-status document (no \"checks\"/\"exit_code\")".to_string());
        }
        let checks: Vec<CheckView> = serde_json::from_value(obj["checks"].clone())
            .map_err(|e| format!("bad \"checks\": {e}"))?;
        let cs = obj.get("cluster_status");
        let st = |k: &str| {
            cs.and_then(|c| c.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let drbd = match obj.get("drbd") {
            Some(Value::Object(d)) => Some(
                d.get("devices")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(DeviceView::from_drbd_json).collect())
                    .unwrap_or_default(),
            ),
            _ => None,
        };
        let drbd_error = if drbd.is_none() {
            Some(
                checks
                    .iter()
                    .find(|c| c.id == "drbd_state")
                    .map(|c| c.message.clone())
                    .unwrap_or_else(|| "no DRBD state in the ha-status report".to_string()),
            )
        } else {
            None
        };
        Ok(NodeView {
            node: node.to_string(),
            source: source.to_string(),
            exit_code: obj
                .get("exit_code")
                .and_then(Value::as_i64)
                .and_then(|c| i32::try_from(c).ok()),
            cluster_status: ClusterStatus {
                requested: st("requested"),
                current: st("current"),
            },
            transition_lock_held: None,
            checks,
            minor,
            drbd,
            drbd_error,
            split_brain: None,
            data: crate::promote::facts::DataFacts::from_status_json(doc), // issue 10
        })
    }
}

/// The peer's state, or why it is not known. Never an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum PeerView {
    /// The peer answered.
    Reachable {
        /// Its view.
        view: Box<NodeView>,
    },
    /// ssh could not reach it (connection refused/timed out, no route, host down).
    Unreachable {
        /// The peer's name, when known.
        #[serde(default)]
        node: Option<String>,
        /// What ssh said.
        reason: String,
    },
    /// Its state is not known for another reason (no ssh binary, no peer in the topology,
    /// garbage output, remote program missing).
    Unknown {
        /// The peer's name, when known.
        #[serde(default)]
        node: Option<String>,
        /// Why.
        reason: String,
    },
}

impl PeerView {
    /// The view, when reachable.
    pub fn view(&self) -> Option<&NodeView> {
        match self {
            PeerView::Reachable { view } => Some(view),
            _ => None,
        }
    }

    /// `reachable`, `unreachable` or `unknown`.
    pub fn state(&self) -> &'static str {
        match self {
            PeerView::Reachable { .. } => "reachable",
            PeerView::Unreachable { .. } => "unreachable",
            PeerView::Unknown { .. } => "unknown",
        }
    }

    /// Why there is no view.
    pub fn reason(&self) -> Option<&str> {
        match self {
            PeerView::Reachable { .. } => None,
            PeerView::Unreachable { reason, .. } | PeerView::Unknown { reason, .. } => Some(reason),
        }
    }

    /// The peer's name, when known.
    pub fn node(&self) -> Option<&str> {
        match self {
            PeerView::Reachable { view } => Some(&view.node),
            PeerView::Unreachable { node, .. } | PeerView::Unknown { node, .. } => node.as_deref(),
        }
    }
}

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
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions {
            ssh: PathBuf::from("ssh"),
            user: "root".to_string(),
            remote_ctl: DEFAULT_PEER_CTL.to_string(),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        }
    }
}

impl PeerOptions {
    /// The defaults with `ha['ssh_command']`, `ha['peer_ctl']`, `ha['ssh_connect_timeout']`
    /// and `ha['ssh_timeout']` (seconds) applied.
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
        o
    }
}

/// Quotes one word for the remote POSIX shell (ssh joins its arguments with spaces and
/// hands them to the login shell).
pub fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// The ssh command that runs `argv` on `address` (an argument vector; the remote words
/// are shell-quoted), bounded by `timeout`.
pub fn ssh_command(
    opts: &PeerOptions,
    address: &str,
    argv: &[String],
    timeout: Duration,
) -> exec::Command {
    let remote: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    exec::Command::new(opts.ssh.as_os_str())
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
        ))
        .arg(format!("{}@{}", opts.user, address))
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
    classify(&cmd, cmd.run(), &opts.remote_ctl)
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

fn classify(
    cmd: &exec::Command,
    r: anyhow::Result<exec::Output>,
    remote_ctl: &str,
) -> RemoteResult {
    match r {
        Err(e) => {
            let msg = format!("{e:#}");
            if msg.contains("did not finish within") {
                RemoteResult::Unreachable(msg)
            } else {
                RemoteResult::Unknown(msg)
            }
        }
        Ok(o) => match o.code {
            Some(255) => RemoteResult::Unreachable(format!(
                "ssh failed (exit 255): {}",
                first_line(&o.stderr)
            )),
            Some(126) | Some(127) => RemoteResult::Unknown(format!(
                "'{}' cannot run {remote_ctl} on the peer (exit {}): {}",
                cmd.display(),
                o.code.unwrap_or(-1),
                first_line(&o.stderr)
            )),
            None => RemoteResult::Unknown(format!("'{}' was killed by a signal", cmd.display())),
            _ => RemoteResult::Ran(o),
        },
    }
}

/// Turns the output of the remote `ha-status --json` into a [`PeerView`].
pub fn peer_view_from_output(name: &str, source: &str, minor: u32, r: RemoteResult) -> PeerView {
    match r {
        RemoteResult::Unreachable(reason) => PeerView::Unreachable {
            node: Some(name.to_string()),
            reason,
        },
        RemoteResult::Unknown(reason) => PeerView::Unknown {
            node: Some(name.to_string()),
            reason,
        },
        RemoteResult::Ran(o) => match serde_json::from_str::<Value>(o.stdout.trim()) {
            Ok(doc) => match NodeView::from_status_json(name, source, minor, &doc) {
                Ok(v) => PeerView::Reachable { view: Box::new(v) },
                Err(e) => PeerView::Unknown {
                    node: Some(name.to_string()),
                    reason: format!("the peer's ha-status --json output is unusable: {e}"),
                },
            },
            Err(e) => {
                let shown: String = o.stdout.trim().chars().take(80).collect();
                PeerView::Unknown {
                    node: Some(name.to_string()),
                    reason: format!(
                        "the peer's ha-status --json output is not JSON ({e}; exit {:?}; \
                         stdout starts {shown:?}; stderr: {})",
                        o.code,
                        first_line(&o.stderr)
                    ),
                }
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
    let p = crate::diagnose::handler_record::path(drbd_dir);
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
            view.split_brain = crate::diagnose::handler_record::last_of(&o.stdout);
        }
    }
}

/// This host's name, from /proc/sys/kernel/hostname.
pub fn hostname() -> Result<String, String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("/proc/sys/kernel/hostname: {e}"))
}

/// Whether another process holds the `flock(2)` on `path` (a running transition).
/// `Ok(false)` when the file does not exist.
pub fn lock_held(path: &Path) -> Result<bool, String> {
    use std::os::unix::io::AsRawFd;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    // SAFETY: flock on a descriptor we own; the lock is released when `f` is dropped.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(false);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(true)
    } else {
        Err(format!("{}: flock: {e}", path.display()))
    }
}

/// This node's view, from its ha-status snapshot plus the local-only facts (transition
/// lock, split-brain record).
pub fn local_view(cfg: &Config, node: &str) -> NodeView {
    let snap = crate::probe::snapshot_with(cfg);
    let report = crate::ha_status::run_checks(&snap);
    let mut doc = crate::ha_status::report_json(&snap, &report);
    crate::promote::host::collect(Some(cfg), &cfg.paths).insert_into(&mut doc); // issue 10
    let mut v = match NodeView::from_status_json(node, "local", snap.drbd_minor, &doc) {
        Ok(v) => v,
        // report_json always has checks and exit_code; keep a usable view regardless.
        Err(e) => NodeView {
            node: node.to_string(),
            source: "local".to_string(),
            exit_code: Some(report.exit_code),
            cluster_status: ClusterStatus::default(),
            transition_lock_held: None,
            checks: Vec::new(),
            minor: snap.drbd_minor,
            drbd: None,
            drbd_error: Some(e),
            split_brain: None,
            data: Default::default(),
        },
    };
    v.transition_lock_held = lock_held(&cfg.paths.transition_lock).ok();
    v.split_brain = crate::diagnose::handler_record::last(&cfg.paths.drbd_dir);
    v
}

/// Both views: this node's and its peer's (fetched over ssh).
pub fn both_views(cfg: &Config) -> (NodeView, PeerView) {
    let host = hostname().unwrap_or_else(|_| "localhost".to_string());
    let opts = PeerOptions::from_config(cfg);
    let minor = crate::probe::host::drbd_minor(&cfg.paths.drbd_device).unwrap_or(0);
    let (local, peer) = std::thread::scope(|s| {
        let peer = s.spawn(|| match peer_address(cfg, &host) {
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
        });
        let local = local_view(cfg, &host);
        let peer = peer.join().unwrap_or_else(|_| PeerView::Unknown {
            node: None,
            reason: "the peer query panicked".to_string(),
        });
        (local, peer)
    });
    (local, peer)
}

/// One cell of the side-by-side table for a check.
fn check_cell(c: Option<&CheckView>) -> String {
    match c {
        Some(c) => format!("[{}] {}", c.status.to_uppercase(), c.message),
        None => "-".to_string(),
    }
}

/// `ha-status --peer` as a table: one row per check id (this node's order, then the
/// peer's extra ids), plus the cluster status and DRBD rows; columns this node / peer.
pub fn side_by_side(local: &NodeView, peer: &PeerView) -> String {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
    let pname = peer.node().unwrap_or("peer").to_string();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "check".to_string(),
            format!("{} (this node)", local.node),
            format!("{pname} (peer)"),
        ]);
    let pv = peer.view();
    let missing = format!("{}: {}", peer.state(), peer.reason().unwrap_or("no view"));
    let cs = |v: &NodeView| {
        format!(
            "requested {}, current {}",
            v.cluster_status.requested.as_deref().unwrap_or("?"),
            v.cluster_status.current.as_deref().unwrap_or("?")
        )
    };
    let drbd = |v: &NodeView| match v.device() {
        Some(d) => d.summary(),
        None => v.device_missing_reason(),
    };
    t.add_row(vec![
        "cluster status".to_string(),
        cs(local),
        pv.map(cs).unwrap_or_else(|| missing.clone()),
    ]);
    t.add_row(vec![
        "DRBD".to_string(),
        drbd(local),
        pv.map(drbd).unwrap_or_else(|| "-".to_string()),
    ]);
    // issue 10: the generation identifiers, their relation and each node's own assessment
    let gen = |v: &NodeView| {
        let a = v
            .data
            .assessment
            .as_ref()
            .map(|a| a.text.as_str())
            .unwrap_or("");
        format!("{}\n{a}", v.data.ids_text()).trim_end().to_string()
    };
    t.add_row(vec![
        format!(
            "data generation ({})",
            crate::diagnose::data_relation::relation(local, peer).relation
        ),
        gen(local),
        pv.map(gen).unwrap_or_else(|| "-".to_string()),
    ]);
    let mut ids: Vec<&str> = local.checks.iter().map(|c| c.id.as_str()).collect();
    if let Some(v) = pv {
        for c in &v.checks {
            if !ids.contains(&c.id.as_str()) {
                ids.push(&c.id);
            }
        }
    }
    for id in ids {
        t.add_row(vec![
            id.to_string(),
            check_cell(local.check(id)),
            pv.map(|v| check_cell(v.check(id)))
                .unwrap_or_else(|| "-".to_string()),
        ]);
    }
    let code = |v: &NodeView| {
        v.exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".to_string())
    };
    t.add_row(vec![
        "exit code".to_string(),
        code(local),
        pv.map(code).unwrap_or_else(|| "-".to_string()),
    ]);
    format!("{t}\n")
}

/// `ha-status --peer [--json]`: this node's checks and the peer's, side by side (text) or
/// the local document with a `"peer"` key holding the [`PeerView`] (JSON). Returns this
/// node's ha-status exit code.
pub fn run_status_with_peer(ctx: &crate::cli::Ctx, json: bool) -> anyhow::Result<i32> {
    use std::io::Write;
    let cfg = Config::load(&ctx.global.config);
    let snap = match &cfg {
        Ok(c) => crate::probe::snapshot_with(c),
        Err(_) => crate::probe::snapshot(ctx),
    };
    let report = crate::ha_status::run_checks(&snap);
    let mut doc = crate::ha_status::report_json(&snap, &report);
    if let Ok(c) = &cfg {
        crate::promote::host::collect(Some(c), &c.paths).insert_into(&mut doc); // issue 10
    }
    let host = hostname().unwrap_or_else(|_| "localhost".to_string());
    let peer = match &cfg {
        Ok(c) => {
            let opts = PeerOptions::from_config(c);
            match peer_address(c, &host) {
                Ok((name, addr)) => fetch(&opts, &name, &addr, snap.drbd_minor),
                Err(reason) => PeerView::Unknown { node: None, reason },
            }
        }
        Err(e) => PeerView::Unknown {
            node: None,
            reason: format!("no topology: {e:#}"),
        },
    };
    let mut out = std::io::stdout().lock();
    if json {
        doc["peer"] = serde_json::to_value(&peer)?;
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let local = NodeView::from_status_json(&host, "local", snap.drbd_minor, &doc)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        out.write_all(side_by_side(&local, &peer).as_bytes())?;
    }
    out.flush()?;
    Ok(report.exit_code)
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
        let before = crate::diagnose::diagnose(&local, &p);
        attach_peer_record(&mut p, &ran(RECORD, 0));
        let after = crate::diagnose::diagnose(&local, &p);
        for (d, since) in [(before, None), (after, Some("2026-11-26T09:13:49+00:00"))] {
            match d.situation {
                crate::diagnose::Situation::SplitBrain {
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
            "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=3 root@192.0.2.12 -- drbdadm up pc0"
        );
        assert_eq!(c.timeout, Duration::from_secs(9));
    }
}
