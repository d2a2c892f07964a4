//! qemu processes, the virtio-serial command channel and QMP.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::util::random_u64;

/// What a command run in a guest produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// exit status (124 when the guest-side timeout killed it, 128+N for signal N)
    pub code: i32,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// Everything needed to start one guest's qemu.
#[derive(Debug, Clone)]
pub struct QemuSpec {
    pub name: String,
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    pub append: String,
    /// the back ends' DRBD disk (fe1 has none)
    pub disk: Option<PathBuf>,
    pub console_log: PathBuf,
    pub ctl_sock: PathBuf,
    pub qmp_sock: PathBuf,
    pub mem_mib: u32,
    /// (netdev id, mac, `-netdev socket` options after the id: `mcast=…` or `udp=…`)
    pub nics: Vec<(String, String, String)>,
    /// CPU priority of the qemu process (0 normal, 10 background)
    pub nice: i32,
}

impl QemuSpec {
    pub fn args(&self) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "-name".into(),
            format!("lab-{}", self.name),
            "-accel".into(),
            "tcg".into(),
            "-machine".into(),
            "pc".into(),
            "-m".into(),
            self.mem_mib.to_string(),
            "-smp".into(),
            "1".into(),
            "-nodefaults".into(),
            "-no-user-config".into(),
            "-display".into(),
            "none".into(),
            "-no-reboot".into(),
            "-kernel".into(),
            self.kernel.display().to_string(),
            "-initrd".into(),
            self.initrd.display().to_string(),
            "-append".into(),
            self.append.clone(),
            "-chardev".into(),
            format!("file,id=con,path={},append=on", self.console_log.display()),
            "-serial".into(),
            "chardev:con".into(),
            "-virtfs".into(),
            "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap".into(),
        ];
        if let Some(disk) = &self.disk {
            a.extend([
                "-drive".into(),
                format!(
                    "file={},if=none,id=d0,format=qcow2,cache=writeback,discard=unmap",
                    disk.display()
                ),
                "-device".into(),
                "virtio-blk-pci,drive=d0".into(),
            ]);
        }
        for (id, mac, opts) in &self.nics {
            a.push("-netdev".into());
            a.push(format!("socket,id={id},{opts}"));
            a.push("-device".into());
            a.push(format!("virtio-net-pci,netdev={id},mac={mac}"));
        }
        a.extend([
            "-device".into(),
            "virtio-serial-pci".into(),
            "-chardev".into(),
            format!(
                "socket,id=ctl,path={},server=on,wait=off",
                self.ctl_sock.display()
            ),
            "-device".into(),
            "virtserialport,chardev=ctl,name=ctl".into(),
            "-qmp".into(),
            format!("unix:{},server=on,wait=off", self.qmp_sock.display()),
        ]);
        a
    }

    /// Start qemu in its own session. `tied` = die with the calling thread
    /// (PR_SET_PDEATHSIG), for tests; otherwise detached, for the CLI.
    pub fn spawn(&self, tied: bool) -> Result<Child> {
        for p in [&self.ctl_sock, &self.qmp_sock] {
            let _ = std::fs::remove_file(p);
        }
        let mut cmd = Command::new("qemu-system-x86_64");
        cmd.args(self.args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.console_log.with_extension("qemu-stderr.log"))?,
            ));
        let parent = unsafe { libc::getpid() };
        let nice = self.nice;
        // SAFETY: the closure only calls async-signal-safe functions (setsid, setpriority,
        // prctl, getppid).
        unsafe {
            cmd.pre_exec(move || {
                libc::setsid();
                if nice != 0 {
                    libc::setpriority(libc::PRIO_PROCESS, 0, nice);
                }
                if tied {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                    if libc::getppid() != parent {
                        return Err(std::io::Error::other("parent already gone"));
                    }
                }
                Ok(())
            });
        }
        cmd.spawn()
            .map_err(|e| crate::util::start_error(cmd.get_program(), e))
    }
}

/// Is `pid` a live process whose command line mentions `marker`?
pub fn pid_alive(pid: i32, marker: &str) -> bool {
    if pid <= 0 {
        return false;
    }
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(c) => {
            let s = String::from_utf8_lossy(&c);
            // a zombie has an empty cmdline
            !s.is_empty() && s.contains(marker)
        }
        Err(_) => false,
    }
}

/// Is `pid` still in the process table as our qemu: alive with `marker` in its command line,
/// or a zombie named qemu that its parent has not reaped yet?
pub fn pid_present(pid: i32, marker: &str) -> bool {
    if pid_alive(pid, marker) {
        return true;
    }
    if pid <= 0 {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ...": a zombie is state Z
        Ok(st) => {
            st.contains("(qemu") && st.rsplit(") ").next().is_some_and(|r| r.starts_with('Z'))
        }
        Err(_) => false,
    }
}

/// Set the CPU priority of every thread of process `pid` (nice is per thread on Linux).
/// Best effort: lowering it needs CAP_SYS_NICE.
pub fn renice(pid: i32, nice: i32) {
    if pid <= 0 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for t in rd.flatten() {
        if let Some(tid) = t.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) {
            // SAFETY: setpriority(2) on a thread of a process we started.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, tid, nice);
            }
        }
    }
}

/// SIGKILL a qemu's process group (it is a session leader) and the process itself.
pub fn kill_group(pid: i32) {
    if pid > 0 {
        // SAFETY: plain kill(2) calls on a pid/pgid we started.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Connect to a unix socket that qemu is about to create.
fn connect_retry(path: &Path, timeout: Duration) -> Result<UnixStream> {
    let deadline = Instant::now() + timeout;
    loop {
        match UnixStream::connect(path) {
            Ok(s) => return Ok(s),
            Err(e) => {
                if Instant::now() >= deadline {
                    return Err(anyhow!(e))
                        .with_context(|| format!("connecting {}", path.display()));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// The host end of a guest's command channel (one connection, one command at a time).
pub struct Channel {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    counter: u64,
}

impl Channel {
    pub fn connect(path: &Path, timeout: Duration) -> Result<Channel> {
        let s = connect_retry(path, timeout)?;
        let reader = BufReader::new(s.try_clone()?);
        Ok(Channel {
            writer: s,
            reader,
            counter: 0,
        })
    }

    /// Run `cmd` with `bash -c` in the guest. The guest kills it after `timeout`; the host
    /// gives up 10 s later (the channel must then be dropped and reconnected).
    pub fn exec(&mut self, cmd: &str, timeout: Duration) -> Result<Output> {
        self.counter += 1;
        let nonce = format!("N{:016x}{:06x}", random_u64(), self.counter);
        let secs = timeout.as_secs().max(1);
        let line = format!("{nonce} {secs} {}\n", b64encode(cmd.as_bytes()));
        self.writer
            .write_all(line.as_bytes())
            .context("writing to the command channel")?;
        let deadline = Instant::now() + Duration::from_secs(secs + 10);
        let mut buf = String::new();
        loop {
            let now = Instant::now();
            if now >= deadline {
                bail!("command channel: no answer within {}s", secs + 10);
            }
            self.reader
                .get_ref()
                .set_read_timeout(Some(deadline - now))?;
            buf.clear();
            let n = self
                .reader
                .read_line(&mut buf)
                .context("reading the command channel")?;
            if n == 0 {
                bail!("command channel closed (guest gone?)");
            }
            let Some(rest) = buf.trim_end().strip_prefix(&nonce) else {
                continue; // stale output of an abandoned command, or noise
            };
            let mut f = rest.split(' ').filter(|s| !s.is_empty());
            let code: i32 = f
                .next()
                .and_then(|c| c.parse().ok())
                .context("bad reply: exit code")?;
            let out = f
                .next()
                .and_then(|s| s.strip_prefix('o'))
                .context("bad reply: stdout")?;
            let err = f
                .next()
                .and_then(|s| s.strip_prefix('e'))
                .context("bad reply: stderr")?;
            return Ok(Output {
                stdout: String::from_utf8_lossy(&b64decode(out)?).into_owned(),
                stderr: String::from_utf8_lossy(&b64decode(err)?).into_owned(),
                code,
            });
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64encode(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                s.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub fn b64decode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for ch in s.bytes() {
        if ch == b'=' {
            break;
        }
        let v = B64
            .iter()
            .position(|&c| c == ch)
            .with_context(|| format!("bad base64 byte {ch}"))? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Ok(out)
}

/// One QMP command (e.g. `set_link`) on a fresh connection.
pub fn qmp(path: &Path, command: &str, arguments: serde_json::Value) -> Result<serde_json::Value> {
    let s = connect_retry(path, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut w = s.try_clone()?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).context("QMP greeting")?;
    let mut send = |v: serde_json::Value| -> Result<serde_json::Value> {
        w.write_all(format!("{v}\n").as_bytes())?;
        loop {
            let mut l = String::new();
            if r.read_line(&mut l)? == 0 {
                bail!("QMP connection closed");
            }
            let j: serde_json::Value = serde_json::from_str(&l).context("QMP reply")?;
            if let Some(ret) = j.get("return") {
                return Ok(ret.clone());
            }
            if let Some(e) = j.get("error") {
                bail!("QMP error: {e}");
            }
        }
    };
    send(serde_json::json!({"execute": "qmp_capabilities"}))?;
    send(serde_json::json!({"execute": command, "arguments": arguments}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_roundtrip() {
        for s in ["", "a", "ab", "abc", "abcd", "hello\nworld\x00\u{7f}"] {
            let e = b64encode(s.as_bytes());
            assert_eq!(b64decode(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(b64encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64encode(b"fo"), "Zm8=");
    }
}
