//! Small helpers: hashing, running host programs, waiting with deadlines.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// FNV-1a 64: a stable hash for cache keys (std's hasher is not guaranteed stable).
pub fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The error for a host program that could not be started: a missing program is named with
/// the step that installs it.
pub fn start_error(program: &std::ffi::OsStr, e: std::io::Error) -> anyhow::Error {
    let name = program.to_string_lossy();
    if e.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!("`{name}` not found: run scripts/install-deps.sh")
    } else {
        anyhow::anyhow!("starting `{name}`: {e}")
    }
}

/// Run a host program, fail with its stderr unless it exits 0.
pub fn run_checked(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| start_error(cmd.get_program(), e))
        .with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// 64 random bits from the kernel.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(&mut b).is_ok() {
            return u64::from_le_bytes(b);
        }
    }
    // fallback: time and pid (nonces only need to be unlikely to appear in output)
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (u64::from(std::process::id()) << 32)
}

/// Evaluate `probe` until it returns `Ok(Some(_))` or the deadline passes. `probe` errors
/// are remembered and reported on timeout (a node may be booting). Checks every 250 ms.
pub fn wait_until<T>(
    deadline: Instant,
    what: &str,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    loop {
        let last = match probe() {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => "condition not met".to_string(),
            Err(e) => format!("{e:#}"),
        };
        let now = Instant::now();
        if now >= deadline {
            bail!("timed out waiting for {what} (last: {last})");
        }
        std::thread::sleep(Duration::from_millis(250).min(deadline - now));
    }
}
