//! `private-chef-ctl preserve-copy DEVICE DEST` (hidden; the split-brain runbook's "keep the
//! victim's data" step): copies the backing device to an image file, safely.
//!
//! * checks first that the destination's file system has room for the whole device (plus
//!   64 MiB), and refuses (exit 28) with both sizes when it does not: nothing is written;
//! * writes `DEST.partial`, created new with mode 0600 (the image holds every byte of the
//!   database), fsyncs it and renames it to DEST (an existing DEST is never overwritten);
//! * when the copy fails it removes the partial image and says so, or says where it is
//!   when it cannot be removed.
//!
//! Exit codes: 0 copied; 1 the copy failed; 2 bad arguments or DEST exists; 28 not enough space.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Result;

/// Arguments of `preserve-copy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device (or file) to copy.
    #[arg(value_name = "DEVICE")]
    pub device: PathBuf,
    /// The image file to create (must not exist).
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
}

/// Room kept free beyond the image.
const MARGIN: u64 = 64 << 20;

fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: statvfs fills the zeroed struct we own; the path is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

/// The decision before copying (pure): `Err` says why there is not enough room.
pub fn check_space(size: u64, free: u64, dest: &Path) -> Result<(), String> {
    let need = size.saturating_add(MARGIN);
    if free < need {
        return Err(format!(
            "not enough free space for {}: the device has {size} bytes, the file system has {free} bytes free (needs {need} with a 64 MiB margin); nothing was copied",
            dest.display()
        ));
    }
    Ok(())
}

fn copy(src: &mut std::fs::File, dst: &mut std::fs::File) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 4 << 20];
    let mut total = 0u64;
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        dst.write_all(&buf[..n])?;
        total += n as u64;
    }
    dst.sync_all()?;
    Ok(total)
}

/// Runs the copy; returns the exit code.
pub fn run(args: &Args) -> Result<i32> {
    let reason = crate::probe::host::io_reason;
    let dest = &args.dest;
    if dest.exists() {
        eprintln!(
            "private-chef-ctl: preserve-copy: {} exists; not overwriting it",
            dest.display()
        );
        return Ok(2);
    }
    let mut src = match std::fs::File::open(&args.device) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "private-chef-ctl: preserve-copy: cannot open {}: {}",
                args.device.display(),
                reason(&e)
            );
            return Ok(1);
        }
    };
    let size = match src
        .seek(SeekFrom::End(0))
        .and_then(|s| src.seek(SeekFrom::Start(0)).map(|_| s))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "private-chef-ctl: preserve-copy: cannot size {}: {}",
                args.device.display(),
                reason(&e)
            );
            return Ok(1);
        }
    };
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match free_bytes(&dir) {
        Ok(free) => {
            if let Err(m) = check_space(size, free, dest) {
                eprintln!("private-chef-ctl: preserve-copy: {m}");
                return Ok(28);
            }
        }
        Err(e) => {
            eprintln!("private-chef-ctl: preserve-copy: cannot read the free space of {}: {}; nothing was copied", dir.display(), reason(&e));
            return Ok(1);
        }
    }
    let mut partial_name = dest.as_os_str().to_os_string();
    partial_name.push(".partial");
    let partial = PathBuf::from(partial_name);
    let mut out = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "private-chef-ctl: preserve-copy: cannot create {}: {}; nothing was copied",
                partial.display(),
                reason(&e)
            );
            return Ok(1);
        }
    };
    match copy(&mut src, &mut out).and_then(|n| std::fs::rename(&partial, dest).map(|()| n)) {
        Ok(n) => {
            println!(
                "kept {n} bytes of {} in {} (mode 0600)",
                args.device.display(),
                dest.display()
            );
            Ok(0)
        }
        Err(e) => {
            let gone = match std::fs::remove_file(&partial) {
                Ok(()) => format!("the partial image {} was removed", partial.display()),
                Err(r) => format!(
                    "the partial image {} could NOT be removed ({}): it is incomplete, delete it",
                    partial.display(),
                    reason(&r)
                ),
            };
            eprintln!(
                "private-chef-ctl: preserve-copy: copying {} failed: {}; {gone}",
                args.device.display(),
                reason(&e)
            );
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_without_room_and_copies_0600_otherwise() {
        assert!(check_space(100 << 20, 100 << 20, Path::new("/x.img")).is_err());
        assert!(check_space(1 << 20, 1 << 30, Path::new("/x.img")).is_ok());
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("dev");
        std::fs::write(&src, vec![7u8; 5 << 20]).unwrap();
        let dest = d.path().join("keep.img");
        let a = Args {
            device: src.clone(),
            dest: dest.clone(),
        };
        assert_eq!(run(&a).unwrap(), 0);
        let m = std::fs::metadata(&dest).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
        assert_eq!(m.len(), 5 << 20);
        assert!(!d.path().join("keep.img.partial").exists());
        // never overwrites
        assert_eq!(run(&a).unwrap(), 2);
        // a missing device: nothing left behind
        let b = Args {
            device: d.path().join("none"),
            dest: d.path().join("b.img"),
        };
        assert_eq!(run(&b).unwrap(), 1);
        assert!(!d.path().join("b.img.partial").exists());
    }
}
