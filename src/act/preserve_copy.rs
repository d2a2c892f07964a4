//! Issue 10: `preserve-copy DEVICE DEST`, the split-brain runbook's "keep the victim's
//! data" step: copies the backing device to an image file, safely.
//!
//! * checks first that the destination's file system has room for the whole device (plus
//!   64 MiB, [`crate::decide::runbook::preserve_space`]), and refuses (exit 28) with both
//!   sizes when it does not: nothing is written;
//! * writes `DEST.partial`, created new with mode 0600 in a checked directory, never
//!   through a link ([`crate::sys::safe_fs::SafeDir::create_new`]; the image holds every
//!   byte of the database), fsyncs it and renames it to DEST without replacing anything
//!   (an existing DEST is never overwritten);
//! * when the copy fails it removes the partial image and says so, or says where it is
//!   when it cannot be removed.
//!
//! Exit codes: 0 copied; 1 the copy failed; 2 DEST exists (or is not a plain name); 28
//! not enough space.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::decide::runbook::preserve_space;
use crate::sys::io_reason;
use crate::sys::safe_fs::SafeDir;

/// The exit code of "not enough space" (ENOSPC).
pub const EXIT_NO_SPACE: i32 = 28;

fn say_err(m: &str) {
    eprintln!("private-chef-ctl: preserve-copy: {m}");
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

/// Copies `device` to `dest`; returns the exit code (see the module docs).
pub fn run(device: &Path, dest: &Path) -> i32 {
    let (dir, name) = match SafeDir::of(dest) {
        Ok(x) => x,
        Err(e) => {
            say_err(&format!("{e}; nothing was copied"));
            return 1;
        }
    };
    match dir.exists(&name) {
        Ok(false) => {}
        Ok(true) => {
            say_err(&format!("{} exists; not overwriting it", dest.display()));
            return 2;
        }
        Err(e) => {
            say_err(&format!("{e}; nothing was copied"));
            return 1;
        }
    }
    let mut src = match std::fs::File::open(device) {
        Ok(f) => f,
        Err(e) => {
            say_err(&format!(
                "cannot open {}: {}",
                device.display(),
                io_reason(&e)
            ));
            return 1;
        }
    };
    let size = match src
        .seek(SeekFrom::End(0))
        .and_then(|s| src.seek(SeekFrom::Start(0)).map(|_| s))
    {
        Ok(s) => s,
        Err(e) => {
            say_err(&format!(
                "cannot size {}: {}",
                device.display(),
                io_reason(&e)
            ));
            return 1;
        }
    };
    match dir.free_bytes() {
        Ok(free) => {
            if let Err(m) = preserve_space(size, free, dest) {
                say_err(&m);
                return EXIT_NO_SPACE;
            }
        }
        Err(e) => {
            say_err(&format!(
                "cannot read the free space of {}: {e}; nothing was copied",
                dir.path().display()
            ));
            return 1;
        }
    }
    let partial_name = format!("{name}.partial");
    let partial = dir.path().join(&partial_name);
    let mut out = match dir.create_new(&partial_name, 0o600) {
        Ok(f) => f,
        Err(e) => {
            say_err(&format!(
                "cannot create {}: {e}; nothing was copied",
                partial.display()
            ));
            return 1;
        }
    };
    let done = copy(&mut src, &mut out)
        .map_err(|e| io_reason(&e))
        .and_then(|n| {
            dir.rename_new(&partial_name, &name)
                .map(|()| n)
                .map_err(|e| e.to_string())
        });
    match done {
        Ok(n) => {
            crate::render::terminal::say(format_args!(
                "kept {n} bytes of {} in {} (mode 0600)",
                device.display(),
                dest.display()
            ));
            0
        }
        Err(e) => {
            let gone = match dir.remove(&partial_name) {
                Ok(()) => format!("the partial image {} was removed", partial.display()),
                Err(r) => format!(
                    "the partial image {} could NOT be removed ({r}): it is incomplete, delete it",
                    partial.display()
                ),
            };
            say_err(&format!("copying {} failed: {e}; {gone}", device.display()));
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn refuses_without_room_and_copies_0600_otherwise() {
        assert!(preserve_space(100 << 20, 100 << 20, Path::new("/x.img")).is_err());
        assert!(preserve_space(1 << 20, 1 << 30, Path::new("/x.img")).is_ok());
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("dev");
        std::fs::write(&src, vec![7u8; 5 << 20]).unwrap();
        let dest = d.path().join("keep.img");
        assert_eq!(run(&src, &dest), 0);
        let m = std::fs::metadata(&dest).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
        assert_eq!(m.len(), 5 << 20);
        assert!(!d.path().join("keep.img.partial").exists());
        // never overwrites
        assert_eq!(run(&src, &dest), 2);
        // a missing device: nothing left behind
        let b = d.path().join("b.img");
        assert_eq!(run(&d.path().join("none"), &b), 1);
        assert!(!d.path().join("b.img.partial").exists() && !b.exists());
        // a link where the image should be: refused, not followed
        let l = d.path().join("l.img");
        std::os::unix::fs::symlink(d.path().join("elsewhere"), &l).unwrap();
        assert_eq!(run(&src, &l), 2);
        assert!(!d.path().join("elsewhere").exists());
    }

    #[test]
    fn an_untrusted_directory_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let open = d.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let src = d.path().join("dev");
        std::fs::write(&src, b"x").unwrap();
        assert_eq!(run(&src, &open.join("keep.img")), 1);
        assert!(!open.join("keep.img.partial").exists());
    }
}
