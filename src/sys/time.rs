//! The one time formatting module: local time stamps (cluster.log's `date -R`, the audit
//! log's RFC 3339, file-name stamps) and durations as `H:MM:SS` (resync ETAs).

/// The current local time formatted by strftime(3) with `fmt` (a C format string
/// without the trailing NUL); `@<epoch>` when the local time cannot be computed.
pub fn local_time(fmt: &str) -> String {
    let Ok(cfmt) = std::ffi::CString::new(fmt) else {
        return String::new();
    };
    // SAFETY: time/localtime_r/strftime with a NUL-terminated format and buffers we own.
    unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return format!("@{t}");
        }
        let mut buf = [0u8; 128];
        let n = libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            cfmt.as_ptr(),
            &tm,
        );
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

/// The current local time as `date -R` prints it (RFC 2822), e.g.
/// `Mon, 27 Jul 2015 19:24:38 +0000`: the original cluster.log format.
pub fn rfc2822_now() -> String {
    local_time("%a, %d %b %Y %H:%M:%S %z")
}

/// The current local time in RFC 3339, e.g. `2024-05-01T14:03:07+02:00`.
pub fn rfc3339_now() -> String {
    colon_offset(&local_time("%Y-%m-%dT%H:%M:%S%z"))
}

/// `…+0200` → `…+02:00` (strftime's `%z` has no colon; RFC 3339 wants one).
fn colon_offset(s: &str) -> String {
    let n = s.len();
    if n >= 5 {
        let (head, off) = s.split_at(n - 5);
        if off.starts_with(['+', '-']) && off[1..].bytes().all(|b| b.is_ascii_digit()) {
            return format!("{head}{}:{}", &off[..3], &off[3..]);
        }
    }
    s.to_string()
}

/// A time stamp for file names: `YYYYMMDDTHHMMSS` local time.
pub fn file_stamp() -> String {
    // 2024-05-01T12:00:00+02:00 → 20240501T120000
    rfc3339_now()
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect()
}

/// Seconds as `H:MM:SS` (a resync's ETA).
pub fn hms(secs: u64) -> String {
    format!("{}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_gets_a_colon() {
        assert_eq!(
            colon_offset("2024-05-01T14:03:07+0200"),
            "2024-05-01T14:03:07+02:00"
        );
        assert_eq!(
            colon_offset("2024-05-01T14:03:07-0130"),
            "2024-05-01T14:03:07-01:30"
        );
    }

    #[test]
    fn now_is_rfc3339() {
        let s = rfc3339_now();
        assert_eq!(s.len(), 25, "{s}");
        assert_eq!(&s[10..11], "T");
        assert_eq!(&s[22..23], ":");
    }

    #[test]
    fn stamps_and_durations() {
        let f = file_stamp();
        assert_eq!(f.len(), 15, "{f}");
        assert_eq!(&f[8..9], "T");
        assert_eq!(hms(0), "0:00:00");
        assert_eq!(hms(3725), "1:02:05");
        assert_eq!(hms(36000 + 59), "10:00:59");
    }
}
