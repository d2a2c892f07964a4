//! Booting a lab: the run directory's guests rendered, the overlays over the base disks,
//! each node's qemu started (and its pace measured), the public segment chosen.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::images::Artifacts;
use crate::qemu::QemuSpec;
use crate::run_dir::prepare_run_dir;
use crate::state::State;
use crate::util::{self, run_checked};
use crate::{cache, guest, pace, progress, target_dir, Lab, LabOptions, NodeId, NodeRt};

/// Appends `<lab name> <factor>` to `target/lab-pace.log`: the suite's summary of how fast
/// this machine ran the guests (scripts/test.sh prints it). Best effort.
fn record_pace(name: &str, f: f64) {
    use std::io::Write;
    let p = target_dir().join("lab-pace.log");
    if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(p) {
        let _ = writeln!(file, "{name} {f:.2}");
    }
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
pub(crate) fn new_public_segment() -> Result<String> {
    let r = util::random_u64();
    let (a, b) = (((r >> 8) & 0xff) as u8, (r & 0xff) as u8);
    let (a, b) = if a == 0 && b == 0 { (0, 1) } else { (a, b) };
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    Ok(format!("239.255.{a}.{b}:{port}"))
}

impl Lab {
    /// Create a run directory, render the guests' files and start both back ends in `mode`
    /// on `disks` (overlays are created over them unless the mode is `bootstrap`); once both
    /// answer, with `opts.frontend` (never in `bootstrap` mode), start fe1 at a lower CPU
    /// priority (`settle_frontend` restores it), to boot while the pair settles.
    pub(crate) fn boot(
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
                monitoring: opts.monitoring && mode != "bootstrap",
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

    pub(crate) fn spawn(&self, n: NodeId, mode: &str) -> Result<()> {
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
}
