//! The cache's built artifacts (kernel, initramfs, ssh keys, TLS) and the bootstrapped base
//! disk images every lab boots on.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use std::process::Command;

use crate::util::{fnv1a, run_checked, wait_until};
use crate::{cache, guest, progress, Lab, LabOptions, NodeId, Output, DISK_SIZE};

/// Everything built once and kept in the cache.
pub(crate) struct Artifacts {
    pub(crate) kernel: cache::Kernel,
    pub(crate) initrd: PathBuf,
    pub(crate) keys: cache::SshKeys,
    pub(crate) tls: cache::Tls,
}

pub(crate) fn artifacts() -> Result<Artifacts> {
    let c = cache::cache_dir()?;
    let kernel = cache::kernel(&c)?;
    let initrd = cache::initramfs(&c, &kernel)?;
    let keys = cache::ssh_keys(&c, &["be1", "be2", "fe1"])?;
    let tls = cache::tls(&c)?;
    Ok(Artifacts {
        kernel,
        initrd,
        keys,
        tls,
    })
}

/// The cache key of the bootstrapped base images: whatever shapes the disks' content.
fn base_key(kernel: &cache::Kernel) -> String {
    let mut k = Vec::new();
    for part in [
        "base-v1",
        kernel.version.as_str(),
        DISK_SIZE,
        guest::BOOTSTRAP_PRIMARY,
        guest::PC0_RES,
        guest::DRBD_CONF,
    ] {
        k.extend_from_slice(part.as_bytes());
        k.push(0);
    }
    format!("{:016x}", fnv1a(&k))
}

/// An exclusive lock file (flock), released on drop.
struct FileLock(fs::File);

impl FileLock {
    fn acquire(path: &Path) -> Result<FileLock> {
        if let Some(p) = path.parent() {
            fs::create_dir_all(p)?;
        }
        let f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        use std::os::fd::AsRawFd;
        // SAFETY: flock on an fd we own.
        let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            bail!(
                "flock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
        Ok(FileLock(f))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on an fd we own.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

/// The bootstrapped base images (be1, be2), built when missing.
pub(crate) fn base_images(a: &Artifacts, opts: &LabOptions, t0: Instant) -> Result<[PathBuf; 2]> {
    let c = cache::cache_dir()?;
    let key = base_key(&a.kernel);
    let dir = c.join("base").join(&key);
    let imgs = [dir.join("be1.qcow2"), dir.join("be2.qcow2")];
    if imgs.iter().all(|p| p.is_file()) {
        return Ok(imgs);
    }
    let _lock = FileLock::acquire(&c.join("base").join(".lock"))?;
    if imgs.iter().all(|p| p.is_file()) {
        return Ok(imgs);
    }
    progress(opts.verbose, t0, "bootstrapping the base disk images");
    let tmp = c
        .join("base")
        .join(format!("{key}.tmp{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let tmp_imgs = [tmp.join("be1.qcow2"), tmp.join("be2.qcow2")];
    for p in &tmp_imgs {
        run_checked(
            Command::new("qemu-img")
                .args(["create", "-q", "-f", "qcow2"])
                .arg(p)
                .arg(DISK_SIZE),
        )?;
    }
    {
        let mut bopts = opts.clone();
        bopts.run_dir = None;
        bopts.frontend = false;
        bopts.detached = false;
        let lab = Lab::boot(a, &bopts, tmp_imgs.clone(), "bootstrap", None)?;
        lab.bootstrap_disks(opts.verbose, t0)?;
    }
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&tmp, &dir)?;
    progress(opts.verbose, t0, "base images ready");
    Ok(imgs)
}

impl Lab {
    /// The DRBD bootstrap on blank disks (both guests booted in `bootstrap` mode).
    pub(crate) fn bootstrap_disks(&self, verbose: bool, t0: Instant) -> Result<()> {
        let must = |n: NodeId, cmd: &str, secs: u64| -> Result<Output> {
            let o = self.exec_timeout(n, cmd, Duration::from_secs(secs))?;
            if !o.success() {
                bail!("{n}: `{cmd}` failed ({}): {}{}", o.code, o.stdout, o.stderr);
            }
            Ok(o)
        };
        for n in NodeId::BACKENDS {
            must(n, "drbdadm -- --force create-md pc0 && drbdadm up pc0", 120)?;
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        for n in NodeId::BACKENDS {
            wait_until(deadline, &format!("{n}: DRBD connected"), || {
                Ok(self.status(n)?.cstate.eq("Connected").then_some(()))
            })?;
        }
        progress(
            verbose,
            t0,
            "bootstrap: DRBD connected, skipping the initial sync",
        );
        must(
            NodeId::Be1,
            "drbdadm -- --clear-bitmap new-current-uuid pc0",
            60,
        )?;
        for n in NodeId::BACKENDS {
            wait_until(deadline, &format!("{n}: DRBD UpToDate"), || {
                Ok(self.status(n)?.drbd_in_sync().then_some(()))
            })?;
        }
        progress(verbose, t0, "bootstrap: mkfs, initdb");
        must(
            NodeId::Be1,
            "drbdadm primary pc0 && bash \"$(sed -n 's/.*lab\\.dir=\\([^ ]*\\).*/\\1/p' /proc/cmdline)/bootstrap-primary.sh\"",
            600,
        )?;
        for n in NodeId::BACKENDS {
            wait_until(
                deadline,
                &format!("{n}: Secondary/Secondary in sync"),
                || {
                    let s = self.status(n)?;
                    Ok((s.drbd_in_sync() && s.role == "Secondary/Secondary").then_some(()))
                },
            )?;
        }
        for n in NodeId::BACKENDS {
            must(n, "drbdadm down pc0 && sync", 60)?;
        }
        for n in NodeId::BACKENDS {
            self.poweroff(n)?;
        }
        Ok(())
    }
}
