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

pub mod cache;
pub mod guest;
mod images;
mod logs;
mod node;
pub mod pace;
pub mod qemu;
mod state;
mod status;
pub mod util;
pub mod writer;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

pub use node::{Link, NodeId};
pub use qemu::Output;
pub use status::NodeStatus;
pub use util::wait_until;

use images::{artifacts, base_images, Artifacts};
use qemu::{Channel, QemuSpec};
use state::State;
use util::run_checked;

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

/// Appends `<lab name> <factor>` to `target/lab-pace.log`: the suite's summary of how fast
/// this machine ran the guests (scripts/test.sh prints it). Best effort.
fn record_pace(name: &str, f: f64) {
    use std::io::Write;
    let p = target_dir().join("lab-pace.log");
    if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(p) {
        let _ = writeln!(file, "{name} {f:.2}");
    }
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

static RUN_COUNTER: AtomicU32 = AtomicU32::new(0);

fn free_udp_ports() -> Result<[u16; 2]> {
    // hold both sockets at once so the kernel hands out distinct ports
    let socks: Vec<std::net::UdpSocket> = (0..2)
        .map(|_| std::net::UdpSocket::bind("127.0.0.1:0"))
        .collect::<std::io::Result<_>>()?;
    Ok([socks[0].local_addr()?.port(), socks[1].local_addr()?.port()])
}

/// A fresh public segment for one lab: a random administratively scoped multicast group
/// (239.255.0.0/16, never .0.0) and a port the kernel just handed out, so concurrent labs
/// (a test beside `scripts/bench-rto.sh`) never share a segment.
fn new_public_segment() -> Result<String> {
    let r = util::random_u64();
    let (a, b) = (((r >> 8) & 0xff) as u8, (r & 0xff) as u8);
    let (a, b) = if a == 0 && b == 0 { (0, 1) } else { (a, b) };
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    Ok(format!("239.255.{a}.{b}:{port}"))
}

fn progress(verbose: bool, t0: Instant, msg: &str) {
    if verbose {
        eprintln!("lab [{:6.1}s] {msg}", t0.elapsed().as_secs_f64());
    }
}

/// Marks a directory as a lab run directory: only such a directory (or an empty one) is
/// ever emptied by the lab.
const RUN_MARKER: &str = ".lab-run-dir";

/// Host directories the guests do not see: they mount their own tmpfs (or proc, sysfs,
/// devtmpfs) there over the host's root file system.
const GUEST_PRIVATE_DIRS: &[&str] = &["/tmp", "/run", "/var/run", "/dev", "/proc", "/sys"];

/// Why `dir` (absolute, canonical) cannot hold a run directory, if it cannot.
pub fn run_dir_problem(dir: &Path) -> Option<String> {
    let s = dir.display().to_string();
    if let Some(p) = GUEST_PRIVATE_DIRS.iter().find(|p| dir.starts_with(p)) {
        return Some(format!(
            "run directory {s} is under {p}, which the guests mount as their own (tmpfs /tmp, /run and /dev/shm, proc, sysfs, devtmpfs), so they cannot see it: use a directory on the host's root file system, e.g. under the home directory (the default is ~/.cache/private-chef-ctl-lab/run)"
        ));
    }
    if s.contains([' ', ',', '\t', '\n']) || s.len() > 80 {
        return Some(format!(
            "run directory {s} must be at most 80 characters, without spaces or commas (it goes into qemu's options)"
        ));
    }
    None
}

/// Make `run` an empty, marked run directory and return its canonical path. Refuses a
/// directory the guests cannot see, and one that holds anything but a previous run (it
/// would be emptied).
fn prepare_run_dir(run: &Path) -> Result<PathBuf> {
    let abs = if run.is_absolute() {
        run.to_path_buf()
    } else {
        std::env::current_dir()?.join(run)
    };
    // check the path as given and as resolved (a link into /tmp is just as invisible)
    let resolved = abs
        .ancestors()
        .find_map(|a| {
            a.canonicalize()
                .ok()
                .map(|c| c.join(abs.strip_prefix(a).unwrap_or(Path::new(""))))
        })
        .unwrap_or_else(|| abs.clone());
    for p in [&abs, &resolved] {
        if let Some(why) = run_dir_problem(p) {
            bail!("{why}");
        }
    }
    if abs.exists() {
        let empty = fs::read_dir(&abs)
            .with_context(|| format!("reading run directory {}", abs.display()))?
            .next()
            .is_none();
        if !empty && !abs.join(RUN_MARKER).exists() {
            bail!(
                "run directory {} is not empty and is not a lab run directory (no {RUN_MARKER}): the lab empties its run directory, so choose a new or empty one",
                abs.display()
            );
        }
        fs::remove_dir_all(&abs)
            .with_context(|| format!("emptying run directory {}", abs.display()))?;
    }
    fs::create_dir_all(&abs)
        .with_context(|| format!("creating run directory {}", abs.display()))?;
    fs::write(abs.join(RUN_MARKER), b"")?;
    Ok(abs.canonicalize()?)
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

    /// Create a run directory, render the guests' files and start both back ends in `mode`
    /// on `disks` (overlays are created over them unless the mode is `bootstrap`); once both
    /// answer, with `opts.frontend` (never in `bootstrap` mode), start fe1 at a lower CPU
    /// priority (`settle_frontend` restores it), to boot while the pair settles.
    fn boot(
        a: &Artifacts,
        opts: &LabOptions,
        disks: [PathBuf; 2],
        mode: &str,
        product: Option<&Path>,
    ) -> Result<Lab> {
        let c = cache::cache_dir()?;
        let frontend = opts.frontend && mode != "bootstrap";
        let run = match &opts.run_dir {
            Some(r) => r.clone(),
            None => c.join("runs").join(format!(
                "{}-{}",
                std::process::id(),
                RUN_COUNTER.fetch_add(1, Ordering::SeqCst)
            )),
        };
        let run = prepare_run_dir(&run)?;
        guest::render(
            &run.join("guest"),
            &a.kernel,
            &a.keys,
            product,
            &guest::GuestSettings {
                transition_cmd: opts.transition_cmd.clone(),
                frontend,
                tls: a.tls.clone(),
            },
        )?;
        let disks = if mode == "bootstrap" {
            disks
        } else {
            let mut out = Vec::new();
            for (i, base) in disks.iter().enumerate() {
                let ov = run.join(format!("{}.qcow2", NodeId::BACKENDS[i].name()));
                run_checked(
                    Command::new("qemu-img")
                        .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
                        .arg(base)
                        .arg(&ov),
                )?;
                out.push(ov);
            }
            [out[0].clone(), out[1].clone()]
        };
        let state = State {
            kernel: a.kernel.vmlinuz.clone(),
            initrd: a.initrd.clone(),
            kmods: a.kernel.modules.clone(),
            public: Some(new_public_segment()?),
            ports: free_udp_ports()?,
            disks,
            pids: [0, 0, 0],
            mem_mib: opts.mem_mib,
            fe_mem_mib: opts.fe_mem_mib,
            frontend,
            pace: 1.0,
        };
        let name = opts.name.clone().unwrap_or_else(|| {
            std::thread::current()
                .name()
                .unwrap_or("lab")
                .replace("::", "-")
        });
        let lab = Lab {
            run,
            name,
            owned: true,
            tied: !opts.detached,
            state: Mutex::new(state),
            nodes: NodeId::ALL.map(|_| NodeRt {
                child: Mutex::new(None),
                chan: Mutex::new(None),
            }),
            boot_timeout: opts.boot_timeout,
            started: Instant::now(),
        };
        for n in NodeId::BACKENDS {
            lab.spawn(n, mode)?;
        }
        for n in NodeId::BACKENDS {
            let out = lab.exec_timeout(n, "true", lab.boot_timeout)?;
            if !out.success() {
                bail!("{n}: the command channel answers but `true` failed: {out:?}");
            }
        }
        if mode != "bootstrap" {
            let f = match pace::from_env()? {
                Some(f) => f,
                None => lab.measure_pace()?,
            };
            lab.set_pace(f, frontend)?;
            record_pace(&lab.name, f);
            progress(
                opts.verbose,
                lab.started,
                &format!("pace factor {f:.2} (1 = the reference machine)"),
            );
        }
        if frontend {
            // while the pair settles (DRBD connect, keepalived, services: mostly waiting),
            // niced so that it does not slow that down; booting it beside the back ends'
            // own boot cost them ≈ 5 s
            lab.spawn_nice(NodeId::Fe1, "frontend", 10)?;
        }
        if opts.detached {
            // from here on the pair belongs to the run directory, not to this process
            lab.save_state()?;
        }
        Ok(lab)
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

    fn spec(&self, n: NodeId, mode: &str) -> Result<QemuSpec> {
        let st = self.lock_state();
        let Some(public) = st.public.clone() else {
            bail!("this lab was started by an older lab binary (state.json format 1): `lab down`, then `lab up`");
        };
        let mut nics = vec![(
            "pub".to_string(),
            n.mac(0),
            format!("mcast={public},localaddr=127.0.0.1"),
        )];
        let (disk, mem_mib, mode) = match n {
            NodeId::Be1 | NodeId::Be2 => {
                let i = n.index();
                let (local, peer) = (st.ports[i], st.ports[1 - i]);
                nics.push((
                    "clu".to_string(),
                    n.mac(1),
                    format!("udp=127.0.0.1:{peer},localaddr=127.0.0.1:{local}"),
                ));
                (Some(st.disks[i].clone()), st.mem_mib, mode)
            }
            NodeId::Fe1 => (None, st.fe_mem_mib, "frontend"),
        };
        let guest = self.run.join("guest");
        Ok(QemuSpec {
            name: n.name().to_string(),
            kernel: st.kernel.clone(),
            initrd: st.initrd.clone(),
            append: format!(
                "console=ttyS0 quiet panic=-1 mitigations=off lab.node={} lab.mode={} lab.dir={} lab.stage2={}",
                n.name(),
                mode,
                guest.display(),
                guest.join("stage2.sh").display()
            ),
            disk,
            console_log: self.run.join(format!("{}.console.log", n.name())),
            ctl_sock: self.run.join(format!("{}.ctl", n.name())),
            qmp_sock: self.run.join(format!("{}.qmp", n.name())),
            mem_mib,
            nics,
            nice: 0,
        })
    }

    fn spawn(&self, n: NodeId, mode: &str) -> Result<()> {
        self.spawn_nice(n, mode, 0)
    }

    /// Start node `n`'s qemu at CPU priority `nice`.
    fn spawn_nice(&self, n: NodeId, mode: &str, nice: i32) -> Result<()> {
        if n == NodeId::Fe1 && !self.has_frontend() {
            bail!("this lab has no front end (booted with LabOptions::frontend = false)");
        }
        let mut spec = self.spec(n, mode)?;
        spec.nice = nice;
        let child = spec.spawn(self.tied)?;
        let pid = i32::try_from(child.id()).context("pid out of range")?;
        self.lock_state().pids[n.index()] = pid;
        *self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(child);
        *self.chan(n) = None;
        if !self.tied {
            self.save_state()?;
        }
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

    fn start_keepalived(&self, n: NodeId) -> Result<()> {
        let out = self.exec(
            n,
            "rm -f /opt/opscode/sv/keepalived/down && sv -w 30 start /opt/opscode/service/keepalived",
        )?;
        if !out.success() {
            bail!("{n}: starting keepalived failed: {out:?}");
        }
        Ok(())
    }

    /// Power cut: SIGKILL the node's qemu.
    pub fn crash(&self, n: NodeId) -> Result<()> {
        if let Some(pid) = self.kill_qemu(n) {
            let deadline = Instant::now() + Duration::from_secs(10);
            wait_until(deadline, &format!("{n}'s qemu to die"), || {
                Ok((!qemu::pid_alive(pid, &self.run.display().to_string())).then_some(()))
            })?;
        }
        self.lock_state().pids[n.index()] = 0;
        if !self.owned || !self.tied {
            self.save_state()?;
        }
        Ok(())
    }

    /// Boot the node again on its own disk (keepalived starts at boot, like a real node).
    /// Returns when its command channel answers.
    pub fn start(&self, n: NodeId) -> Result<()> {
        if self.is_running(n) {
            bail!("{n} is already running");
        }
        self.spawn(n, "boot")?;
        if !self.tied {
            self.save_state()?;
        }
        let out = self.exec_timeout(n, "true", self.boot_timeout)?;
        if !out.success() {
            bail!("{n}: booted but `true` failed");
        }
        Ok(())
    }

    /// Graceful shutdown: stop keepalived through runit (the transition script demotes),
    /// take DRBD down, sync, power off; wait for qemu to exit.
    pub fn shutdown(&self, n: NodeId) -> Result<()> {
        if !self.is_running(n) {
            return Ok(());
        }
        if !n.is_backend() {
            return self.poweroff(n);
        }
        let _ = self.exec_timeout(
            n,
            "sv -w 30 stop /opt/opscode/service/keepalived; \
             for i in $(seq 60); do [ \"$(cat /var/opt/opscode/keepalived/current_cluster_status 2>/dev/null)\" != master ] && break; sleep 0.5; done; \
             sv -w 30 force-stop /opt/opscode/service/redis_lb /opt/opscode/service/postgresql; \
             umount /var/opt/opscode/drbd/data 2>/dev/null; drbdadm down pc0; sync",
            Duration::from_secs(120),
        )?;
        self.poweroff(n)
    }

    /// `poweroff -f` in the guest, then wait for its qemu to exit.
    fn poweroff(&self, n: NodeId) -> Result<()> {
        let _ = self.exec_timeout(
            n,
            "sync; (sleep 0.3; busybox poweroff -f) >/dev/null 2>&1 &",
            Duration::from_secs(20),
        )?;
        *self.chan(n) = None;
        let deadline = self.deadline(60);
        wait_until(deadline, &format!("{n} to power off"), || {
            Ok((!self.is_running(n)).then_some(()))
        })?;
        if let Some(mut c) = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = c.wait();
        }
        self.lock_state().pids[n.index()] = 0;
        if !self.tied {
            self.save_state()?;
        }
        Ok(())
    }

    /// Unplug one of the node's links (QMP set_link): a network partition on that link.
    pub fn cut_link(&self, n: NodeId, link: Link) -> Result<()> {
        self.set_link(n, link, false)
    }

    /// Plug the link back in.
    pub fn heal_link(&self, n: NodeId, link: Link) -> Result<()> {
        self.set_link(n, link, true)
    }

    fn set_link(&self, n: NodeId, link: Link, up: bool) -> Result<()> {
        if link == Link::Cluster && !n.is_backend() {
            bail!("{n} has no cluster link");
        }
        let sock = self.run.join(format!("{}.qmp", n.name()));
        qemu::qmp(
            &sock,
            "set_link",
            serde_json::json!({"name": link.netdev(), "up": up}),
        )
        .with_context(|| format!("{n}: set_link {} {up}", link.netdev()))?;
        Ok(())
    }

    /// Stop both guests and remove the run directory. Returns once both qemu processes are
    /// gone from the process table (a detached pair's qemu is reaped by whoever adopted it),
    /// so a caller that looks right after sees none; an error names a pid still present.
    pub fn down(self) -> Result<()> {
        let detached = self.kill_all();
        let marker = self.run.display().to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        for pid in detached {
            while qemu::pid_present(pid, &marker) {
                if Instant::now() >= deadline {
                    bail!(
                        "qemu pid {pid} is still present 30 s after SIGKILL (a zombie its parent does not reap?); run dir {} kept",
                        self.run.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = fs::remove_dir_all(&self.run);
        Ok(())
    }

    /// Kills both guests; returns the pids of detached ones (not ours to reap).
    fn kill_all(&self) -> Vec<i32> {
        NodeId::ALL
            .into_iter()
            .filter_map(|n| self.kill_qemu(n))
            .collect()
    }

    /// SIGKILLs node `n`'s qemu process group and drops its command channel. A qemu we
    /// spawned is reaped here; one started by another invocation (the CLI's detached pair)
    /// cannot be, so its pid is returned for the caller to wait on.
    fn kill_qemu(&self, n: NodeId) -> Option<i32> {
        *self.chan(n) = None;
        let pid = self.lock_state().pids[n.index()];
        let mut child = self.nodes[n.index()]
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let detached = if let Some(c) = child.as_mut() {
            qemu::kill_group(pid);
            let _ = c.kill();
            let _ = c.wait();
            None
        } else if qemu::pid_alive(pid, &self.run.display().to_string()) {
            qemu::kill_group(pid);
            Some(pid)
        } else {
            None
        };
        *child = None;
        detached
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if !self.owned || !self.tied {
            return; // the CLI's pair lives on until `lab down`
        }
        if std::thread::panicking() {
            match self.collect_logs() {
                Ok(d) => eprintln!("lab: logs saved in {}", d.display()),
                Err(e) => eprintln!("lab: could not save logs: {e:#}"),
            }
        }
        self.kill_all();
        if std::env::var_os("LAB_KEEP_RUN").is_none() {
            let _ = fs::remove_dir_all(&self.run);
        }
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
    fn run_dirs_the_guests_cannot_see_are_refused() {
        for d in [
            "/tmp/lab",
            "/run/user/0/lab",
            "/dev/shm/lab",
            "/var/run/lab",
        ] {
            let why = run_dir_problem(Path::new(d)).expect(d);
            assert!(why.contains("home directory"), "{why}");
        }
        assert_eq!(run_dir_problem(Path::new("/root/.cache/lab/run")), None);
        assert!(run_dir_problem(Path::new("/root/a b")).is_some());
    }

    #[test]
    fn a_directory_the_lab_did_not_make_is_never_emptied() {
        let base = target_dir()
            .join("run-dir-test")
            .join(std::process::id().to_string());
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        fs::write(base.join("precious"), b"x").unwrap();
        let err = prepare_run_dir(&base).unwrap_err().to_string();
        assert!(err.contains("not a lab run directory"), "{err}");
        assert_eq!(fs::read(base.join("precious")).unwrap(), b"x");
        // a marked one (a previous run) is emptied and marked again
        fs::remove_file(base.join("precious")).unwrap();
        let run = prepare_run_dir(&base).unwrap();
        fs::write(run.join("old-state"), b"x").unwrap();
        let run = prepare_run_dir(&base).unwrap();
        assert!(!run.join("old-state").exists());
        assert!(run.join(RUN_MARKER).exists());
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
