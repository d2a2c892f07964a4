//! The lab: a real two-node DRBD 8.4 + keepalived + runit back-end pair (`be1`, `be2`) and a
//! front end (`fe1`, serving `/_status` through the VIP) in local qemu guests (TCG), built
//! from the host's own binaries (the host `/` is each guest's read-only root under a tmpfs
//! overlay). The public link is one segment for the three; the cluster link joins the pair.
//!
//! * [`Lab::up`] builds what is missing in the cache (kernel extraction, initramfs, ssh keys,
//!   TLS CA and certificate, bootstrapped base disks), boots the pair on fresh qcow2
//!   overlays and (unless [`LabOptions::frontend`] is off) fe1 while the pair settles, and
//!   returns once be1 is a healthy master, be2 a healthy backup and fe1's `/_status` pong.
//! * [`Lab::exec`] runs a command in a guest over a virtio-serial channel.
//! * [`Lab::pace`]: how much slower than the reference machine this one runs the guests
//!   (measured at boot, see [`pace`]); every wait of the lab and of [`Lab::wait_for`],
//!   [`Lab::exec_timeout`] and [`Lab::deadline`] is scaled by it, and so are the product's
//!   timeouts in the lab's private-chef.rb.
//! * [`Lab::crash`], [`Lab::start`], [`Lab::shutdown`], [`Lab::cut_link`], [`Lab::heal_link`]
//!   drive failures.
//! * Dropping an owning `Lab` kills its guests; while panicking it first saves the guests'
//!   logs under `target/lab-logs/<test>/`.

mod boot;
pub mod cache;
mod control;
pub mod guest;
mod images;
mod logs;
mod node;
pub mod pace;
pub mod prom;
pub mod qemu;
pub mod quorum;
mod run_dir;
mod state;
mod status;
pub mod util;
pub mod writer;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

pub use control::Isolation;
pub use node::{Link, NodeId};
pub use qemu::Output;
pub use run_dir::run_dir_problem;
pub use status::NodeStatus;
pub use util::wait_until;

use images::{artifacts, base_images};
use qemu::Channel;
use state::State;

/// Size of each node's DRBD backing disk.
pub const DISK_SIZE: &str = "256M";

/// How to bring the lab up.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// name for the failure logs (default: the current thread's name, i.e. the test's)
    pub name: Option<String>,
    /// run directory (default: a fresh one under the cache's `runs/`)
    pub run_dir: Option<PathBuf>,
    /// qemu outlives this process (the CLI); otherwise it dies with the calling thread
    pub detached: bool,
    /// the product binary installed as /opt/opscode/bin/private-chef-ctl (default:
    /// `$LAB_PRODUCT_BIN`, else `<workspace>/target/release/private-chef-ctl`); must exist
    pub product_bin: Option<PathBuf>,
    /// keepalived's notify target (`<cmd> master|backup|fault`)
    pub transition_cmd: String,
    /// memory of each back end
    pub mem_mib: u32,
    /// boot the front end fe1 too (in parallel with the pair; `/_status` answering is part
    /// of `up`); tests that do not need it save the CPU
    pub frontend: bool,
    /// memory of fe1
    pub fe_mem_mib: u32,
    /// the back ends run Debian's node_exporter (:9100, textfile and drbd collectors) and
    /// the product's textfile service (monitoring/sv/private-chef-metrics), both up from
    /// the start; off by default (each back end would probe itself every 15 s)
    pub monitoring: bool,
    /// for booting a guest up to a working command channel
    pub boot_timeout: Duration,
    /// for the pair to become healthy once booted
    pub healthy_timeout: Duration,
    /// progress messages on stderr
    pub verbose: bool,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            name: None,
            run_dir: None,
            detached: false,
            product_bin: None,
            transition_cmd: guest::DEFAULT_TRANSITION_CMD.to_string(),
            mem_mib: 768,
            frontend: true,
            fe_mem_mib: 384,
            monitoring: false,
            boot_timeout: Duration::from_secs(240),
            healthy_timeout: Duration::from_secs(180),
            verbose: std::env::var_os("LAB_VERBOSE").is_some(),
        }
    }
}

impl LabOptions {
    /// The defaults without the front end: the pair alone (less CPU for tests that do not
    /// need fe1).
    pub fn pair_only() -> Self {
        LabOptions {
            frontend: false,
            ..LabOptions::default()
        }
    }
}

/// The workspace's `target/` directory.
pub fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.join("target"))
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// The product binary the guests get.
pub fn default_product_bin() -> PathBuf {
    std::env::var_os("LAB_PRODUCT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release").join("private-chef-ctl"))
}

struct NodeRt {
    child: Mutex<Option<Child>>,
    chan: Mutex<Option<Channel>>,
}

/// A running lab: the pair and, when it has one, the front end.
pub struct Lab {
    run: PathBuf,
    name: String,
    owned: bool,
    tied: bool,
    state: Mutex<State>,
    nodes: [NodeRt; 3],
    boot_timeout: Duration,
    /// when this value was made (for progress messages)
    started: Instant,
}

/// An HTTP answer: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub code: u16,
    pub body: String,
}

fn progress(verbose: bool, t0: Instant, msg: &str) {
    if verbose {
        eprintln!("lab [{:6.1}s] {msg}", t0.elapsed().as_secs_f64());
    }
}

/// Build what the cache lacks (kernel extraction, initramfs, keys, TLS, the bootstrapped
/// base images) and boot nothing else: `lab images`, so that labs started side by side
/// never wait on one another's first build.
pub fn prepare_cache(verbose: bool) -> Result<()> {
    let t0 = Instant::now();
    let a = artifacts()?;
    progress(verbose, t0, "artifacts ready");
    let opts = LabOptions {
        verbose,
        ..LabOptions::default()
    };
    base_images(&a, &opts, t0)?;
    progress(verbose, t0, "base images ready");
    Ok(())
}

impl Lab {
    /// Boot the pair fresh (qcow2 overlays over the bootstrapped base images) and, with
    /// `opts.frontend`, fe1 in parallel; return when be1 is a healthy master, be2 a healthy
    /// backup and fe1's `/_status` answers pong.
    pub fn up(opts: LabOptions) -> Result<Lab> {
        let t0 = Instant::now();
        let product = opts.product_bin.clone().unwrap_or_else(default_product_bin);
        if !product.is_file() {
            bail!(
                "{} is missing: build it first with `cargo build --release -p private-chef-ctl` (or set LAB_PRODUCT_BIN)",
                product.display()
            );
        }
        warn_if_stale(&product);
        let a = artifacts()?;
        progress(opts.verbose, t0, "artifacts ready");
        let base = base_images(&a, &opts, t0)?;
        let lab = Lab::boot(&a, &opts, base, "hold", Some(&product))?;
        progress(opts.verbose, t0, "both back ends answer");
        if let Err(e) = lab
            .settle(&opts, t0)
            .and_then(|()| lab.settle_frontend(&opts, t0))
        {
            if let Ok(d) = lab.collect_logs() {
                eprintln!("lab: up failed; logs saved in {}", d.display());
            }
            return Err(e);
        }
        Ok(lab)
    }

    /// From both guests booted in `hold` mode to be1 master and be2 backup.
    fn settle(&self, opts: &LabOptions, t0: Instant) -> Result<()> {
        let lab = self;
        let deadline = Instant::now() + self.scaled(opts.healthy_timeout);
        for n in NodeId::BACKENDS {
            wait_until(
                deadline,
                &format!("{n}: DRBD connected and in sync"),
                || Ok(lab.status(n)?.drbd_in_sync().then_some(())),
            )?;
        }
        progress(opts.verbose, t0, "DRBD connected, UpToDate/UpToDate");
        lab.start_keepalived(NodeId::Be1)?;
        // be2 may start as soon as be1 holds the VIP (VRRP master): with `nopreempt` and
        // be1's adverts it stays backup, and its backup transition changes nothing be1's
        // master transition uses. Waiting for be1's services first cost every lab that long.
        wait_until(deadline, "be1 to hold the VIP (VRRP master)", || {
            Ok(lab.status(NodeId::Be1)?.vip.then_some(()))
        })?;
        progress(opts.verbose, t0, "be1 holds the VIP");
        lab.start_keepalived(NodeId::Be2)?;
        wait_until(deadline, "be1 to be a healthy master", || {
            Ok(lab.status(NodeId::Be1)?.healthy_master().then_some(()))
        })?;
        progress(opts.verbose, t0, "be1 is master");
        wait_until(deadline, "be2 to be a healthy backup", || {
            Ok(lab.status(NodeId::Be2)?.healthy_backup().then_some(()))
        })?;
        progress(opts.verbose, t0, "be2 is backup: pair healthy");
        Ok(())
    }

    /// fe1 (booted niced beside the pair) gets its normal priority back, answers, and its
    /// `/_status` says pong.
    fn settle_frontend(&self, opts: &LabOptions, t0: Instant) -> Result<()> {
        if !opts.frontend {
            return Ok(());
        }
        qemu::renice(self.lock_state().pids[NodeId::Fe1.index()], 0);
        let out = self.exec_timeout(NodeId::Fe1, "true", self.boot_timeout)?;
        if !out.success() {
            bail!("fe1: the command channel answers but `true` failed: {out:?}");
        }
        let deadline = self.deadline(60);
        wait_until(deadline, "fe1: /_status to answer pong", || {
            Ok(self
                .frontend_status()
                .ok()
                .filter(|s| s.code == 200 && s.body.contains(r#""status":"pong""#))
                .map(|_| ()))
        })?;
        progress(opts.verbose, t0, "fe1 answers: /_status pong");
        Ok(())
    }

    /// Does this lab have the front end fe1?
    pub fn has_frontend(&self) -> bool {
        self.lock_state().frontend
    }

    /// fe1's `GET https://chef.lab.example/_status`, asked on fe1 itself (curl, verified
    /// with the system CA bundle, 5 s).
    pub fn frontend_status(&self) -> Result<HttpAnswer> {
        let o = self.exec_timeout(
            NodeId::Fe1,
            "curl -sS --max-time 5 -o /tmp/.lab-status -w '%{http_code}' https://chef.lab.example/_status; echo; cat /tmp/.lab-status 2>/dev/null",
            Duration::from_secs(20),
        )?;
        let (code, body) = o.stdout.split_once('\n').unwrap_or((o.stdout.as_str(), ""));
        let code: u16 = code.trim().parse().unwrap_or(0);
        if code == 0 {
            bail!("fe1: /_status: no answer: {}", o.stderr.trim());
        }
        Ok(HttpAnswer {
            code,
            body: body.trim().to_string(),
        })
    }

    /// Attach to a pair started by another process (the CLI). Dropping it leaves the pair
    /// running; use [`Lab::down`] to stop it.
    pub fn attach(run: &Path) -> Result<Lab> {
        let text = fs::read_to_string(run.join("state.json"))
            .with_context(|| format!("no lab running in {} (lab up?)", run.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let state = State::from_json(&v)?;
        Ok(Lab {
            run: run.to_path_buf(),
            name: "cli".to_string(),
            owned: false,
            tied: false,
            state: Mutex::new(state),
            nodes: NodeId::ALL.map(|_| NodeRt {
                child: Mutex::new(None),
                chan: Mutex::new(None),
            }),
            boot_timeout: LabOptions::default().boot_timeout,
            started: Instant::now(),
        })
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn save_state(&self) -> Result<()> {
        let v = self.lock_state().to_json();
        let tmp = self.run.join("state.json.tmp");
        fs::write(&tmp, format!("{v:#}\n"))?;
        fs::rename(&tmp, self.run.join("state.json"))?;
        Ok(())
    }

    fn chan(&self, n: NodeId) -> MutexGuard<'_, Option<Channel>> {
        self.nodes[n.index()]
            .chan
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The run directory (consoles, sockets, overlays, state.json).
    pub fn run_dir(&self) -> &Path {
        &self.run
    }

    /// Is the node's qemu running?
    pub fn is_running(&self, n: NodeId) -> bool {
        if let Some(c) = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            return matches!(c.try_wait(), Ok(None));
        }
        let pid = self.lock_state().pids[n.index()];
        qemu::pid_alive(pid, &self.run.display().to_string())
    }

    /// Run `cmd` (a bash script) in the node with a 120 s timeout.
    pub fn exec(&self, n: NodeId, cmd: &str) -> Result<Output> {
        self.exec_timeout(n, cmd, Duration::from_secs(120))
    }

    /// Run `cmd` (a bash script) in the node; the guest kills it after `timeout` times the
    /// pace factor. One command at a time per node.
    pub fn exec_timeout(&self, n: NodeId, cmd: &str, timeout: Duration) -> Result<Output> {
        let timeout = self.scaled(timeout);
        let mut guard = self.chan(n);
        if !self.is_running(n) {
            *guard = None;
            bail!("{n} is not running");
        }
        if guard.is_none() {
            let sock = self.run.join(format!("{}.ctl", n.name()));
            *guard = Some(Channel::connect(&sock, Duration::from_secs(10))?);
        }
        let Some(ch) = guard.as_mut() else {
            bail!("{n}: no command channel");
        };
        match ch.exec(cmd, timeout) {
            Ok(o) => Ok(o),
            Err(e) => {
                *guard = None; // resynchronise on a fresh connection next time
                Err(e.context(format!("{n}: exec")))
            }
        }
    }

    /// Run a command given as an argument vector (each argument shell-quoted).
    pub fn exec_argv(&self, n: NodeId, argv: &[&str]) -> Result<Output> {
        let cmd: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
        self.exec(n, &cmd.join(" "))
    }

    /// One line per running back end (`be1: drbd … | cluster … | …`), for failure messages.
    pub fn summary(&self) -> String {
        NodeId::BACKENDS
            .iter()
            .filter(|n| self.is_running(**n))
            .map(|n| {
                format!(
                    "{n}: {}",
                    self.status(*n).map(|s| s.summary()).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// For tests: waits up to `secs` (times the pace factor) for `f`; on timeout panics with
    /// what was awaited and [`Lab::summary`].
    pub fn wait_for(&self, secs: u64, what: &str, mut f: impl FnMut(&Lab) -> bool) {
        let deadline = self.deadline(secs);
        wait_until(deadline, what, || Ok(f(self).then_some(())))
            .unwrap_or_else(|e| panic!("{e:#}\n{}", self.summary()));
    }

    /// DRBD, cluster state, VIP, mount and services as the node sees them.
    pub fn status(&self, n: NodeId) -> Result<NodeStatus> {
        let out = self.exec_timeout(n, status::STATUS_PROBE, Duration::from_secs(30))?;
        Ok(NodeStatus::parse(&out.stdout))
    }
}

/// Quote one argument for bash.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,@%+".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn warn_if_stale(bin: &Path) {
    let Ok(bin_m) = fs::metadata(bin).and_then(|m| m.modified()) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
    let Some(root) = root else { return };
    let mut newest = None;
    let mut stack = vec![root.join("src")];
    stack.push(root.join("Cargo.toml"));
    while let Some(p) = stack.pop() {
        let Ok(m) = fs::metadata(&p) else { continue };
        if m.is_dir() {
            if let Ok(rd) = fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        } else if let Ok(t) = m.modified() {
            if newest.is_none_or(|n| t > n) {
                newest = Some(t);
            }
        }
    }
    if newest.is_some_and(|n| n > bin_m) {
        eprintln!(
            "lab: warning: {} is older than the sources; rebuild with `cargo build --release -p private-chef-ctl`",
            bin.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
