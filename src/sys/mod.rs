//! Primitives every layer above uses: the one process runner ([`exec`]), the one time
//! formatting module ([`time`]), file writes that never follow a link ([`safe_fs`]), this
//! host's name and the text of an I/O error.

pub mod exec;
pub mod safe_fs;
pub mod time;

/// This host's name (gethostname(2)), `None` when it cannot be read.
pub fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is ours and its length is passed.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if rc != 0 {
        return None;
    }
    let n = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..n]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// This host's name, or `fallback` when it cannot be read.
pub fn hostname_or(fallback: &str) -> String {
    hostname().unwrap_or_else(|| fallback.to_string())
}

/// The reason of an I/O error without Rust's `(os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Restores SIGPIPE's default action (Rust starts with it ignored): a write to a closed
/// pipe then ends the process quietly, as coreutils do, instead of a panic in `println!`.
pub fn default_sigpipe() {
    // SAFETY: signal(2) with SIG_DFL installs no handler code; it cannot fail for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Reads at most `max` bytes from `r`: more is an `InvalidData` error saying `what` is
/// larger than the limit (`--file /dev/zero` ends with an error, not all memory).
pub fn read_limited(r: impl std::io::Read, max: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut buf = Vec::new();
    r.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{what} is larger than {} MiB", max >> 20),
        ));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostname_is_this_hosts() {
        let proc = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        assert_eq!(super::hostname().unwrap_or_default(), proc.trim());
    }

    #[test]
    fn io_reason_drops_the_errno() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(super::io_reason(&e), "No such file or directory");
    }
}
