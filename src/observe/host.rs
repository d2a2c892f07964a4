//! Small readers of host facts that need no external program: network interfaces
//! (getifaddrs), mounts (/proc/mounts), cluster state files, and ICMP echo.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::sys::io_reason;

/// One address of one interface (or an interface with no address, e.g. AF_PACKET).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfAddr {
    pub name: String,
    pub addr: Option<IpAddr>,
    pub prefix: Option<u8>,
}

fn prefix_len(mask: &[u8]) -> u8 {
    mask.iter().map(|b| b.count_ones() as u8).sum()
}

/// Every interface address on this host, via getifaddrs(3) (no fork, no `ip`).
pub fn interfaces() -> io::Result<Vec<IfAddr>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned; it stays valid until
        // freeifaddrs, and every pointer in it is either null or valid for its type.
        unsafe {
            let ifa = &*cur;
            let name = if ifa.ifa_name.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(ifa.ifa_name)
                    .to_string_lossy()
                    .into_owned()
            };
            let (mut addr, mut prefix) = (None, None);
            if !ifa.ifa_addr.is_null() {
                match i32::from((*ifa.ifa_addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                        addr = Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                            sin.sin_addr.s_addr,
                        ))));
                        if !ifa.ifa_netmask.is_null() {
                            let m = &*(ifa.ifa_netmask as *const libc::sockaddr_in);
                            prefix = Some(prefix_len(&m.sin_addr.s_addr.to_ne_bytes()));
                        }
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                        addr = Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
                        if !ifa.ifa_netmask.is_null() {
                            let m = &*(ifa.ifa_netmask as *const libc::sockaddr_in6);
                            prefix = Some(prefix_len(&m.sin6_addr.s6_addr));
                        }
                    }
                    _ => {}
                }
            }
            out.push(IfAddr { name, addr, prefix });
            cur = ifa.ifa_next;
        }
    }
    // SAFETY: `head` came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    Ok(out)
}

/// Whether `addr` (with `prefix`, when given) is on interface `dev`. Exact match: the
/// original's regex matched 10.0.0.5 inside 10.0.0.55/24; this does not.
pub fn has_address(ifs: &[IfAddr], dev: &str, addr: IpAddr, prefix: Option<u8>) -> bool {
    ifs.iter().any(|i| {
        i.name == dev && i.addr == Some(addr) && prefix.is_none_or(|p| i.prefix == Some(p))
    })
}

/// Whether an interface of that name exists.
pub fn has_interface(ifs: &[IfAddr], dev: &str) -> bool {
    ifs.iter().any(|i| i.name == dev) || Path::new("/sys/class/net").join(dev).exists()
}

/// Decodes the octal escapes (`\040` for a space …) of /proc/mounts fields.
fn unescape_mount_field(f: &str) -> String {
    let b = f.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() {
            let oct = &b[i + 1..(i + 4).min(b.len())];
            if oct.len() == 3 && oct.iter().all(|c| (b'0'..=b'7').contains(c)) {
                let v = (oct[0] - b'0') as u32 * 64
                    + (oct[1] - b'0') as u32 * 8
                    + (oct[2] - b'0') as u32;
                if let Ok(byte) = u8::try_from(v) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `dir` is a mount point according to a /proc/mounts text (field 2 equal to it).
pub fn is_mounted(mounts: &str, dir: &Path) -> bool {
    let want = dir.to_string_lossy();
    let want = want.trim_end_matches('/');
    mounts.lines().any(|l| {
        l.split(' ')
            .nth(1)
            .map(|f| {
                let f = unescape_mount_field(f);
                let f = if f == "/" {
                    f.as_str()
                } else {
                    f.trim_end_matches('/')
                };
                f == want || (want.is_empty() && f == "/")
            })
            .unwrap_or(false)
    })
}

/// Reads a one-word state file (requested/current cluster status): trimmed content, or
/// an error that names the file.
pub fn read_state_file(path: &Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(b) => {
            let s = String::from_utf8_lossy(&b).trim().to_string();
            if s.is_empty() {
                Err(format!("{} is empty", path.display()))
            } else {
                Ok(s)
            }
        }
        Err(e) => Err(format!("{}: {}", path.display(), io_reason(&e))),
    }
}

fn icmp_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for chunk in data.chunks(2) {
        let word = if chunk.len() == 2 {
            u16::from_be_bytes([chunk[0], chunk[1]]) as u32
        } else {
            (chunk[0] as u32) << 8
        };
        sum = sum.wrapping_add(word);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

struct Fd(i32);
impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the fd was returned by socket() and is closed exactly once.
        unsafe { libc::close(self.0) };
    }
}

/// Sends one ICMP echo request to an IPv4 address and waits up to `timeout` for the
/// reply, in-process (no `ping` fork): a datagram ICMP socket when the kernel allows it,
/// else a raw socket (root).
fn ping_v4(addr: Ipv4Addr, timeout: Duration) -> io::Result<bool> {
    // SAFETY: plain socket(2) calls; the fd is owned by `Fd`.
    let (fd, raw) = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_ICMP);
        if fd >= 0 {
            (Fd(fd), false)
        } else {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            (Fd(fd), true)
        }
    };
    let ident = (std::process::id() as u16) ^ 0x5043;
    let seq: u16 = 1;
    let mut pkt = [0u8; 16];
    pkt[0] = 8; // echo request
    pkt[4..6].copy_from_slice(&ident.to_be_bytes());
    pkt[6..8].copy_from_slice(&seq.to_be_bytes());
    pkt[8..16].copy_from_slice(b"pcc-ping");
    let ck = icmp_checksum(&pkt);
    pkt[2..4].copy_from_slice(&ck.to_be_bytes());
    let sa = SocketAddrV4::new(addr, 0);
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(*sa.ip()).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: `pkt` and `sin` are valid for the lengths given.
    let sent = unsafe {
        libc::sendto(
            fd.0,
            pkt.as_ptr() as *const libc::c_void,
            pkt.len(),
            0,
            &sin as *const libc::sockaddr_in as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    if sent < 0 {
        let e = io::Error::last_os_error();
        // No route / unreachable network: the address does not ping.
        return match e.raw_os_error() {
            Some(libc::ENETUNREACH) | Some(libc::EHOSTUNREACH) => Ok(false),
            _ => Err(e),
        };
    }
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 1500];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        let mut pfd = libc::pollfd {
            fd: fd.0,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Ok(false);
        }
        let mut from: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        let mut fromlen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: `buf` and `from` are valid for the lengths given.
        let got = unsafe {
            libc::recvfrom(
                fd.0,
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                0,
                &mut from as *mut libc::sockaddr_in as *mut libc::sockaddr,
                &mut fromlen,
            )
        };
        if got < 0 {
            continue;
        }
        let got = got as usize;
        if u32::from_be(from.sin_addr.s_addr) != u32::from(addr) {
            continue;
        }
        // A raw socket hands us the IP header too; a datagram socket does not.
        let icmp = if raw {
            let ihl = buf.first().map(|b| ((b & 0x0f) as usize) * 4).unwrap_or(0);
            buf.get(ihl..got).unwrap_or(&[])
        } else {
            buf.get(..got).unwrap_or(&[])
        };
        if icmp.len() >= 8 && icmp[0] == 0 {
            // Datagram sockets rewrite the identifier; match the sequence only there.
            let id_ok = !raw || icmp[4..6] == ident.to_be_bytes();
            if id_ok && icmp[6..8] == seq.to_be_bytes() {
                return Ok(true);
            }
        }
    }
}

/// Whether `addr` answers an ICMP echo within `timeout`. IPv6 uses `ping -6` (bounded).
pub fn ping(addr: IpAddr, timeout: Duration) -> Result<bool, String> {
    match addr {
        IpAddr::V4(a) => ping_v4(a, timeout).map_err(|e| format!("ICMP to {a}: {}", io_reason(&e))),
        IpAddr::V6(a) => {
            let secs = timeout.as_secs().max(1).to_string();
            crate::sys::exec::Command::new("ping")
                .args(["-6", "-n", "-c", "1", "-W", &secs, &a.to_string()])
                .timeout(timeout + Duration::from_secs(1))
                .run()
                .map(|o| o.success())
                .map_err(|e| format!("{e:#}"))
        }
    }
}

/// Pings several addresses in parallel (the ha-status replication-link checks).
pub fn ping_all(addrs: &[Option<IpAddr>], timeout: Duration) -> Vec<Option<Result<bool, String>>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = addrs
            .iter()
            .map(|a| a.map(|a| scope.spawn(move || ping(a, timeout))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("ping thread failed".to_string()))
                })
            })
            .collect()
    })
}

/// The minor number of a DRBD device path: /dev/drbd0 → 0, /dev/drbd12 → 12.
pub fn drbd_minor(device: &Path) -> Option<u32> {
    let name = device.file_name()?.to_str()?;
    let digits = name.strip_prefix("drbd")?;
    digits.parse().ok()
}

/// Whether another process holds the `flock(2)` on `path` (a running transition).
/// `Ok(false)` when the file does not exist.
pub fn lock_held(path: &Path) -> Result<bool, String> {
    use std::os::unix::io::AsRawFd;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    // SAFETY: flock on a descriptor we own; the lock is released when `f` is dropped.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(false);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(true)
    } else {
        Err(format!("{}: flock: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_exact_field_two() {
        let m =
            "/dev/drbd0 /var/opt/opscode/drbd/data ext4 rw,relatime 0 0\n/dev/vda / ext4 rw 0 0\n";
        assert!(is_mounted(m, Path::new("/var/opt/opscode/drbd/data")));
        assert!(is_mounted(m, Path::new("/var/opt/opscode/drbd/data/")));
        assert!(!is_mounted(m, Path::new("/var/opt/opscode/drbd")));
        assert!(!is_mounted(m, Path::new("/var/opt/opscode/drbd/data2")));
        let esc = "/dev/sdb /mnt/with\\040space ext4 rw 0 0\n";
        assert!(is_mounted(esc, Path::new("/mnt/with space")));
        assert!(!is_mounted("", Path::new("/x")));
        assert!(!is_mounted("garbage\n\\\\\\ \\0\n", Path::new("/x")));
    }

    #[test]
    fn vip_match_is_exact() {
        let ifs = vec![
            IfAddr {
                name: "eth0".into(),
                addr: Some("10.0.0.55".parse().unwrap()),
                prefix: Some(24),
            },
            IfAddr {
                name: "eth1".into(),
                addr: Some("10.0.0.5".parse().unwrap()),
                prefix: Some(24),
            },
        ];
        let vip: IpAddr = "10.0.0.5".parse().unwrap();
        assert!(!has_address(&ifs, "eth0", vip, Some(24)));
        assert!(has_address(&ifs, "eth1", vip, Some(24)));
        assert!(!has_address(&ifs, "eth1", vip, Some(32)));
        assert!(has_address(&ifs, "eth1", vip, None));
    }

    #[test]
    fn minors() {
        assert_eq!(drbd_minor(Path::new("/dev/drbd0")), Some(0));
        assert_eq!(drbd_minor(Path::new("/dev/drbd12")), Some(12));
        assert_eq!(drbd_minor(Path::new("/dev/opscode/drbd")), None);
    }

    #[test]
    fn state_file_errors_name_the_file() {
        let e = read_state_file(Path::new("/nonexistent/current_cluster_status")).unwrap_err();
        assert_eq!(
            e,
            "/nonexistent/current_cluster_status: No such file or directory"
        );
    }

    #[test]
    fn checksum_of_known_packet() {
        // echo request, id 0, seq 0, no payload: checksum is !0x0800
        assert_eq!(icmp_checksum(&[8, 0, 0, 0, 0, 0, 0, 0]), 0xf7ff);
    }

    #[test]
    fn loopback_pings() {
        let r = ping("127.0.0.1".parse().unwrap(), Duration::from_secs(1));
        assert_eq!(r, Ok(true));
    }

    #[test]
    fn interfaces_lists_loopback() {
        let ifs = interfaces().unwrap();
        assert!(has_interface(&ifs, "lo"));
        assert!(has_address(
            &ifs,
            "lo",
            "127.0.0.1".parse().unwrap(),
            Some(8)
        ));
    }
}
