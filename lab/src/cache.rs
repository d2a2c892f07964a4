//! The lab's cache under `~/.cache/private-chef-ctl-lab/`: the extracted guest kernel, the
//! initramfs (keyed by kernel version and a hash of its inputs), the ssh keys, the TLS CA and
//! front-end certificate, and the bootstrapped base disk images. Nothing here needs the network: `scripts/install-deps.sh`
//! downloads the kernel package.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{fnv1a, run_checked};

/// The initramfs `/init` (busybox sh).
pub const INIT_SCRIPT: &str = include_str!("../guest/init");

/// Modules the initramfs loads before it can mount the 9p root (the rest come from the
/// extracted kernel tree through the 9p root in stage 2).
const BOOT_MODULES: &[&str] = &[
    "virtio_pci",
    "virtio_blk",
    "virtio_net",
    "virtio_console",
    "9pnet_virtio",
    "9p",
    "overlay",
];

/// The cache root: `$LAB_CACHE_DIR`, else `$XDG_CACHE_HOME/private-chef-ctl-lab`, else
/// `$HOME/.cache/private-chef-ctl-lab`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("LAB_CACHE_DIR") {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(d).join("private-chef-ctl-lab"));
    }
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home)
        .join(".cache")
        .join("private-chef-ctl-lab"))
}

/// An extracted guest kernel.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub version: String,
    pub vmlinuz: PathBuf,
    /// `<root>/lib/modules/<version>`
    pub modules: PathBuf,
}

/// Find the extracted kernel in the cache, extracting a downloaded `.deb` if that is all
/// there is. The newest version wins when there are several.
pub fn kernel(cache: &Path) -> Result<Kernel> {
    let kdir = cache.join("kernel");
    if let Some(k) = newest_kernel(&kdir)? {
        return Ok(k);
    }
    // a .deb without its extraction (install-deps interrupted?): extract it now
    let debs = cache.join("debs");
    let mut found: Vec<PathBuf> = match fs::read_dir(&debs) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("linux-image-") && n.ends_with(".deb"))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    found.sort();
    let Some(deb) = found.pop() else {
        bail!(
            "no guest kernel in {}: run scripts/install-deps.sh first",
            kdir.display()
        );
    };
    let name = deb
        .file_name()
        .and_then(|n| n.to_str())
        .context("bad .deb name")?;
    // linux-image-6.1.0-56-amd64_6.1.x_amd64.deb
    let version = name
        .trim_start_matches("linux-image-")
        .split('_')
        .next()
        .context("bad .deb name")?
        .to_string();
    let dest = kdir.join(&version);
    let tmp = kdir.join(format!("{version}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    run_checked(Command::new("dpkg").arg("-x").arg(&deb).arg(&tmp))?;
    let usr_mods = tmp.join("usr/lib/modules");
    if !tmp.join("lib/modules").exists() && usr_mods.exists() {
        fs::create_dir_all(tmp.join("lib"))?;
        fs::rename(&usr_mods, tmp.join("lib/modules"))?;
    }
    run_checked(Command::new("depmod").arg("-b").arg(&tmp).arg(&version))?;
    let _ = fs::remove_dir_all(&dest);
    fs::rename(&tmp, &dest)?;
    newest_kernel(&kdir)?.context("kernel extraction produced nothing usable")
}

fn newest_kernel(kdir: &Path) -> Result<Option<Kernel>> {
    let Ok(rd) = fs::read_dir(kdir) else {
        return Ok(None);
    };
    let mut best: Option<Kernel> = None;
    for e in rd.flatten() {
        let Some(version) = e.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if version.ends_with(".tmp") {
            continue;
        }
        let vmlinuz = e.path().join("boot").join(format!("vmlinuz-{version}"));
        let modules = e.path().join("lib/modules").join(&version);
        if vmlinuz.is_file() && modules.join("modules.dep").is_file() {
            let newer = best
                .as_ref()
                .is_none_or(|b| version_key(&version) > version_key(&b.version));
            if newer {
                best = Some(Kernel {
                    version,
                    vmlinuz,
                    modules,
                });
            }
        }
    }
    Ok(best)
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Resolve the boot modules and their dependencies (deps first) from modules.dep.
fn module_closure(modules_dir: &Path) -> Result<Vec<String>> {
    let dep = fs::read_to_string(modules_dir.join("modules.dep"))
        .with_context(|| format!("reading {}/modules.dep", modules_dir.display()))?;
    let mut deps: Vec<(String, Vec<String>)> = Vec::new();
    for line in dep.lines() {
        if let Some((m, rest)) = line.split_once(':') {
            deps.push((
                m.to_string(),
                rest.split_whitespace().map(str::to_string).collect(),
            ));
        }
    }
    let find = |name: &str| -> Option<&(String, Vec<String>)> {
        deps.iter().find(|(p, _)| {
            let base = p.rsplit('/').next().unwrap_or(p);
            let stem = base.split(".ko").next().unwrap_or(base);
            stem == name || stem.replace('-', "_") == name
        })
    };
    let mut order: Vec<String> = Vec::new();
    fn visit(
        path: &str,
        deps: &[(String, Vec<String>)],
        order: &mut Vec<String>,
        depth: usize,
    ) -> Result<()> {
        if depth > 64 {
            bail!("module dependency loop at {path}");
        }
        if order.iter().any(|o| o == path) {
            return Ok(());
        }
        if let Some((_, ds)) = deps.iter().find(|(p, _)| p == path) {
            // modules.dep lists the full closure, most dependent first: load from the back
            for d in ds.iter().rev() {
                visit(d, deps, order, depth + 1)?;
            }
        }
        if !order.iter().any(|o| o == path) {
            order.push(path.to_string());
        }
        Ok(())
    }
    for m in BOOT_MODULES {
        match find(m) {
            Some((path, _)) => {
                let path = path.clone();
                visit(&path, &deps, &mut order, 0)?;
            }
            None => {
                // built into the kernel (or absent): nothing to load
            }
        }
    }
    Ok(order)
}

/// Build (or reuse) the initramfs for this kernel. Keyed by kernel version and a hash of
/// the init script, the module list and the busybox binary.
pub fn initramfs(cache: &Path, k: &Kernel) -> Result<PathBuf> {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .context("busybox not found: run scripts/install-deps.sh (busybox-static)")?;
    let bb = fs::read(&busybox)?;
    let mods = module_closure(&k.modules)?;
    let mut key_input = Vec::new();
    key_input.extend_from_slice(INIT_SCRIPT.as_bytes());
    key_input.extend_from_slice(mods.join("\n").as_bytes());
    key_input.extend_from_slice(&bb);
    let key = format!("{}-{:016x}", k.version, fnv1a(&key_input));
    let dir = cache.join("initramfs");
    let out = dir.join(format!("{key}.cpio"));
    if out.is_file() {
        return Ok(out);
    }
    fs::create_dir_all(&dir)?;
    let mut w = CpioWriter::default();
    for d in [
        "bin", "dev", "proc", "sys", "modules", "ro", "rw", "newroot",
    ] {
        w.dir(d);
    }
    w.file("bin/busybox", 0o755, &bb);
    w.file("init", 0o755, INIT_SCRIPT.as_bytes());
    let mut order = String::new();
    for m in &mods {
        let base = m.rsplit('/').next().unwrap_or(m);
        let data = fs::read(k.modules.join(m)).with_context(|| format!("reading module {m}"))?;
        w.file(&format!("modules/{base}"), 0o644, &data);
        order.push_str(base);
        order.push('\n');
    }
    w.file("modules.order", 0o644, order.as_bytes());
    let bytes = w.finish();
    let tmp = dir.join(format!("{key}.cpio.tmp{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, &out)?;
    Ok(out)
}

/// A minimal cpio "newc" writer (the format the kernel unpacks as an initramfs).
#[derive(Default)]
struct CpioWriter {
    buf: Vec<u8>,
    ino: u32,
}

impl CpioWriter {
    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        self.ino += 1;
        let namesize = name.len() + 1;
        let header = format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            self.ino,
            mode,
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            namesize,
            0
        );
        self.buf.extend_from_slice(header.as_bytes());
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(0);
        self.pad();
        self.buf.extend_from_slice(data);
        self.pad();
    }
    fn pad(&mut self) {
        while !self.buf.len().is_multiple_of(4) {
            self.buf.push(0);
        }
    }
    fn dir(&mut self, name: &str) {
        self.entry(name, 0o040755, &[]);
    }
    fn file(&mut self, name: &str, perm: u32, data: &[u8]) {
        self.entry(name, 0o100000 | perm, data);
    }
    fn finish(mut self) -> Vec<u8> {
        self.ino = 0;
        self.entry("TRAILER!!!", 0, &[]);
        self.buf
    }
}

/// ssh keys shared by every lab run: a root key pair and one host key per node.
#[derive(Debug, Clone)]
pub struct SshKeys {
    pub dir: PathBuf,
}

impl SshKeys {
    pub fn root_key(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }
    pub fn host_key(&self, node: &str) -> PathBuf {
        self.dir.join(node).join("ssh_host_ed25519_key")
    }
}

/// Generate the keys once (ssh-keygen), reuse them afterwards.
pub fn ssh_keys(cache: &Path, nodes: &[&str]) -> Result<SshKeys> {
    let dir = cache.join("ssh");
    fs::create_dir_all(&dir)?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
    let keys = SshKeys { dir };
    let mut wanted = vec![(keys.root_key(), "root@lab".to_string())];
    for n in nodes {
        fs::create_dir_all(keys.dir.join(n))?;
        wanted.push((keys.host_key(n), format!("root@{n}.lab.example")));
    }
    for (path, comment) in wanted {
        let mut pubkey = path.clone().into_os_string();
        pubkey.push(".pub");
        if path.is_file() && Path::new(&pubkey).is_file() {
            continue;
        }
        let _ = fs::remove_file(&path);
        let _ = fs::remove_file(&pubkey);
        run_checked(
            Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C"])
                .arg(&comment)
                .arg("-f")
                .arg(&path),
        )
        .context("ssh-keygen (openssh-client) failed")?;
    }
    Ok(keys)
}

/// The lab's TLS material: a CA generated once, and the front end's server certificate
/// (CN and SAN `chef.lab.example`, the api_fqdn; SAN `fe1.lab.example` and IP
/// 198.51.100.21) signed by it. Every guest's system CA bundle gets the CA appended.
#[derive(Debug, Clone)]
pub struct Tls {
    pub ca_crt: PathBuf,
    pub crt: PathBuf,
    pub key: PathBuf,
}

const TLS_VERSION: &str = "v1";

const CA_CNF: &str = "[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = private-chef-ctl lab CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
";

const SERVER_CNF: &str = "[req]
distinguished_name = dn
prompt = no
[dn]
CN = chef.lab.example
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:chef.lab.example,DNS:fe1.lab.example,IP:198.51.100.21
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Generate the CA and the server certificate once (openssl CLI, P-256, 10 years), reuse
/// them afterwards.
pub fn tls(cache: &Path) -> Result<Tls> {
    let dir = cache.join("tls").join(TLS_VERSION);
    let t = Tls {
        ca_crt: dir.join("ca.crt"),
        crt: dir.join("server.crt"),
        key: dir.join("server.key"),
    };
    let done = |t: &Tls| t.ca_crt.is_file() && t.crt.is_file() && t.key.is_file();
    if done(&t) {
        return Ok(t);
    }
    let tmp = cache
        .join("tls")
        .join(format!("{TLS_VERSION}.tmp{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700))?;
    write_file(&tmp.join("ca.cnf"), 0o644, CA_CNF.as_bytes())?;
    write_file(&tmp.join("server.cnf"), 0o644, SERVER_CNF.as_bytes())?;
    let ossl = |args: &[&str]| -> Result<()> {
        run_checked(Command::new("openssl").current_dir(&tmp).args(args))
            .context("openssl (the openssl package) failed")?;
        Ok(())
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    ossl(
        &[
            &[
                "req", "-x509", "-config", "ca.cnf", "-sha256", "-days", "3650",
            ][..],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.crt"][..],
        ]
        .concat(),
    )?;
    ossl(
        &[
            &["req", "-new", "-config", "server.cnf", "-sha256"][..],
            &ec[..],
            &["-keyout", "server.key", "-out", "server.csr"][..],
        ]
        .concat(),
    )?;
    let serial = format!("0x{:016x}", crate::util::random_u64() >> 1);
    ossl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        &serial,
        "-days",
        "3650",
        "-sha256",
        "-extfile",
        "server.cnf",
        "-extensions",
        "ext",
        "-out",
        "server.crt",
    ])?;
    if done(&t) {
        // another process made it meanwhile: keep theirs
        let _ = fs::remove_dir_all(&tmp);
        return Ok(t);
    }
    match fs::rename(&tmp, &dir) {
        Ok(()) => Ok(t),
        Err(_) if done(&t) => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(t)
        }
        Err(e) => {
            Err(e).with_context(|| format!("renaming {} to {}", tmp.display(), dir.display()))
        }
    }
}

/// Write `data` to `path` with `mode`, creating parent directories.
pub fn write_file(path: &Path, mode: u32, data: &[u8]) -> Result<()> {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p)?;
    }
    let mut f = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(data)?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    Ok(())
}
