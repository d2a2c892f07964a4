//! The run directory: where a lab keeps its consoles, sockets, overlays and state.json. It
//! must be visible to the guests (under the host's root, not a directory they mount as
//! their own), and the lab only ever empties a directory it made.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

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
pub(crate) fn prepare_run_dir(run: &Path) -> Result<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target_dir;

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
}
