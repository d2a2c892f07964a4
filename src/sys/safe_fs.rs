//! Files written as root, safely: the directory is checked and opened once, every file in it
//! is opened relative to that handle with `O_NOFOLLOW`, state files are replaced through a
//! temp file of unpredictable name (`O_EXCL`, then `rename`), and a symbolic link where a
//! file should be is refused, never followed. Log lines are escaped so that input cannot
//! forge a line.
//!
//! A directory is trusted when it is a real directory (not a link) owned by root or by the
//! caller, and neither group- nor world-writable: nobody else can then plant a link in it.

use std::ffi::CString;
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Why a file could not be written safely.
#[derive(Debug)]
pub enum SafeFsError {
    /// The directory may be changed by others, or is not a directory we can trust.
    UntrustedDir { dir: PathBuf, why: String },
    /// A symbolic link (or another non-regular file) stands where a file should be.
    NotARegularFile { path: PathBuf, what: &'static str },
    /// A name with a `/`, a NUL, or `.`/`..`.
    BadName { name: String },
    /// The system call failed.
    Io { path: PathBuf, err: std::io::Error },
}

impl fmt::Display for SafeFsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SafeFsError::UntrustedDir { dir, why } => write!(
                f,
                "refusing to write in {}: {why} (it must be a directory owned by root and writable only by its owner)",
                dir.display()
            ),
            SafeFsError::NotARegularFile { path, what } => write!(
                f,
                "refusing to write {}: it is {what}, not a regular file (remove it if it was not made by private-chef-ctl)",
                path.display()
            ),
            SafeFsError::BadName { name } => write!(f, "{name:?} is not a plain file name"),
            SafeFsError::Io { path, err } => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for SafeFsError {}

type Result<T> = std::result::Result<T, SafeFsError>;

fn io(path: &Path, err: std::io::Error) -> SafeFsError {
    SafeFsError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// A checked directory, opened once; files are opened relative to it.
pub struct SafeDir {
    fd: OwnedFd,
    path: PathBuf,
}

fn cstr(path: &Path, bytes: &[u8]) -> Result<CString> {
    CString::new(bytes).map_err(|_| SafeFsError::BadName {
        name: path.display().to_string(),
    })
}

fn last_os_error(path: &Path) -> SafeFsError {
    io(path, std::io::Error::last_os_error())
}

impl SafeDir {
    /// Opens `dir` (without following a link at its last component) and checks that only
    /// its owner, root or the caller, can change it.
    pub fn open(dir: &Path) -> Result<SafeDir> {
        let c = cstr(dir, dir.as_os_str().as_bytes())?;
        // SAFETY: `c` is a valid NUL-terminated path; open(2) returns a new fd or -1.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::ELOOP) || err.raw_os_error() == Some(libc::ENOTDIR)
            {
                return Err(SafeFsError::UntrustedDir {
                    dir: dir.to_path_buf(),
                    why: "it is a symbolic link or not a directory".into(),
                });
            }
            return Err(io(dir, err));
        }
        // SAFETY: fd is a freshly opened descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let meta = File::from(fd.try_clone().map_err(|e| io(dir, e))?)
            .metadata()
            .map_err(|e| io(dir, e))?;
        // SAFETY: geteuid cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != 0 && meta.uid() != me {
            return Err(SafeFsError::UntrustedDir {
                dir: dir.to_path_buf(),
                why: format!("it is owned by uid {}", meta.uid()),
            });
        }
        if meta.mode() & 0o022 != 0 {
            return Err(SafeFsError::UntrustedDir {
                dir: dir.to_path_buf(),
                why: format!(
                    "it is group- or world-writable (mode {:o})",
                    meta.mode() & 0o7777
                ),
            });
        }
        Ok(SafeDir {
            fd,
            path: dir.to_path_buf(),
        })
    }

    /// Opens the parent directory of `file` and returns it with the file's name.
    pub fn of(file: &Path) -> Result<(SafeDir, String)> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| SafeFsError::BadName {
                name: file.display().to_string(),
            })?;
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Ok((SafeDir::open(parent)?, name))
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn name(&self, name: &str) -> Result<CString> {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            return Err(SafeFsError::BadName {
                name: name.to_string(),
            });
        }
        cstr(&self.path_of(name), name.as_bytes())
    }

    /// What stands at `name`, without following a link: `None` when nothing does.
    fn kind_of(&self, name: &str) -> Result<Option<libc::mode_t>> {
        let c = self.name(name)?;
        // SAFETY: an all-zero stat is a valid out-parameter for fstatat.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: valid dirfd, NUL-terminated name, valid out-pointer.
        let r = unsafe {
            libc::fstatat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if r < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::NotFound {
                return Ok(None);
            }
            return Err(io(&self.path_of(name), err));
        }
        Ok(Some(st.st_mode & libc::S_IFMT))
    }

    fn refuse_non_regular(&self, name: &str) -> Result<()> {
        match self.kind_of(name)? {
            None => Ok(()),
            Some(k) if k == libc::S_IFREG => Ok(()),
            Some(k) => Err(SafeFsError::NotARegularFile {
                path: self.path_of(name),
                what: if k == libc::S_IFLNK {
                    "a symbolic link"
                } else {
                    "a special file"
                },
            }),
        }
    }

    fn openat(&self, name: &str, flags: libc::c_int, mode: libc::mode_t) -> Result<File> {
        let c = self.name(name)?;
        // SAFETY: valid dirfd and NUL-terminated name; openat returns a new fd or -1.
        let fd = unsafe {
            libc::openat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                libc::c_uint::from(mode),
            )
        };
        if fd < 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::ELOOP) {
                return Err(SafeFsError::NotARegularFile {
                    path: self.path_of(name),
                    what: "a symbolic link",
                });
            }
            return Err(io(&self.path_of(name), err));
        }
        // SAFETY: fd is freshly opened and owned by nobody else.
        let f = unsafe { File::from_raw_fd(fd) };
        let meta = f.metadata().map_err(|e| io(&self.path_of(name), e))?;
        if !meta.file_type().is_file() {
            return Err(SafeFsError::NotARegularFile {
                path: self.path_of(name),
                what: "a special file",
            });
        }
        Ok(f)
    }

    /// Replaces `name` with `data`: a new temp file (random name, `O_EXCL`, `mode`), written
    /// and synced, then renamed over `name`. A link or special file at `name` is refused.
    pub fn replace(&self, name: &str, data: &[u8], mode: libc::mode_t) -> Result<()> {
        self.refuse_non_regular(name)?;
        let tmp = format!(".{name}.{:016x}.tmp", random_u64());
        let mut f = self.openat(&tmp, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, mode)?;
        let done = f
            .write_all(data)
            .and_then(|()| f.sync_all())
            .map_err(|e| io(&self.path_of(&tmp), e))
            .and_then(|()| self.rename(&tmp, name));
        if done.is_err() {
            let _ = self.unlink(&tmp);
        }
        done
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (a, b) = (self.name(from)?, self.name(to)?);
        let fd = self.fd.as_raw_fd();
        // SAFETY: valid dirfds and NUL-terminated names.
        if unsafe { libc::renameat(fd, a.as_ptr(), fd, b.as_ptr()) } < 0 {
            return Err(last_os_error(&self.path_of(to)));
        }
        // SAFETY: fsync on a valid fd; a failure only weakens durability, reported as such.
        if unsafe { libc::fsync(fd) } < 0 {
            return Err(last_os_error(&self.path));
        }
        Ok(())
    }

    fn unlink(&self, name: &str) -> Result<()> {
        let c = self.name(name)?;
        // SAFETY: valid dirfd and NUL-terminated name.
        if unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0) } < 0 {
            return Err(last_os_error(&self.path_of(name)));
        }
        Ok(())
    }

    /// Opens `name` for appending (created with `mode` when missing), never through a link.
    pub fn append(&self, name: &str, mode: libc::mode_t) -> Result<File> {
        self.openat(name, libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT, mode)
    }

    /// Opens `name` read-write for a lock (created when missing, never truncated, never
    /// through a link).
    pub fn lock_file(&self, name: &str, mode: libc::mode_t) -> Result<File> {
        self.openat(name, libc::O_RDWR | libc::O_CREAT, mode)
    }

    /// Creates `name`, which must not exist yet, with `mode` (e.g. 0600 for a data copy).
    pub fn create_new(&self, name: &str, mode: libc::mode_t) -> Result<File> {
        self.openat(name, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, mode)
    }

    /// Whether something (a file, a link, anything) stands at `name`; a link is not followed.
    pub fn exists(&self, name: &str) -> Result<bool> {
        Ok(self.kind_of(name)?.is_some())
    }

    /// Renames `from` to `to`, which must not exist (never overwritten: `RENAME_NOREPLACE`,
    /// or a hard link then an unlink where the file system lacks it), then syncs the
    /// directory.
    pub fn rename_new(&self, from: &str, to: &str) -> Result<()> {
        let (a, b) = (self.name(from)?, self.name(to)?);
        let fd = self.fd.as_raw_fd();
        // SAFETY: valid dirfds and NUL-terminated names.
        let r = unsafe { libc::renameat2(fd, a.as_ptr(), fd, b.as_ptr(), libc::RENAME_NOREPLACE) };
        if r < 0 {
            let err = std::io::Error::last_os_error();
            if !matches!(err.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
                return Err(io(&self.path_of(to), err));
            }
            // SAFETY: valid dirfds and NUL-terminated names; linkat fails on an existing `to`.
            if unsafe { libc::linkat(fd, a.as_ptr(), fd, b.as_ptr(), 0) } < 0 {
                return Err(last_os_error(&self.path_of(to)));
            }
            self.unlink(from)?;
        }
        // SAFETY: fsync on a valid fd.
        if unsafe { libc::fsync(fd) } < 0 {
            return Err(last_os_error(&self.path));
        }
        Ok(())
    }

    /// Removes the file `name` (a link is removed, never followed).
    pub fn remove(&self, name: &str) -> Result<()> {
        self.unlink(name)
    }

    /// The bytes free for an unprivileged writer on the directory's file system
    /// (`fstatvfs`: `f_bavail * f_frsize`).
    pub fn free_bytes(&self) -> Result<u64> {
        // SAFETY: an all-zero statvfs is a valid out-parameter.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: valid fd and out-pointer.
        if unsafe { libc::fstatvfs(self.fd.as_raw_fd(), &mut st) } < 0 {
            return Err(last_os_error(&self.path));
        }
        #[allow(clippy::unnecessary_cast)]
        Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// 64 random bits from the kernel (getrandom); the time and pid if that fails.
fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: getrandom writes at most b.len() bytes into b.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n == 8 {
        return u64::from_ne_bytes(b);
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (u64::from(std::process::id()) << 32)
}

/// Appends `bytes` to `path` with one `write(2)` on an `O_APPEND` descriptor: the parent
/// directories are created when missing, the directory is checked, and the file (created
/// with `mode`) is never opened through a link. Callers escape what they log
/// ([`escape_control`]).
pub fn append(path: &Path, bytes: &[u8], mode: libc::mode_t) -> Result<()> {
    create_parent(path)?;
    let (dir, name) = SafeDir::of(path)?;
    let mut f = dir.append(&name, mode)?;
    f.write_all(bytes).map_err(|e| io(path, e))
}

/// Creates `path`'s parent directories when missing (0755 under the usual umask).
pub fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::create_dir_all(d).map_err(|e| io(d, e)),
        _ => Ok(()),
    }
}

/// Replaces `path` atomically with `data` (see [`SafeDir::replace`]), creating its parent
/// directories when missing.
pub fn replace(path: &Path, data: &[u8], mode: libc::mode_t) -> Result<()> {
    create_parent(path)?;
    let (dir, name) = SafeDir::of(path)?;
    dir.replace(&name, data, mode)
}

impl From<SafeFsError> for std::io::Error {
    fn from(e: SafeFsError) -> std::io::Error {
        match e {
            SafeFsError::Io { err, .. } => err,
            other => std::io::Error::new(std::io::ErrorKind::PermissionDenied, other.to_string()),
        }
    }
}

/// The text with every control character escaped (`\n` → `\\n`, others `\\xNN`), so a
/// value cannot end a log line early or forge the next one.
pub fn escape_control(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        d
    }

    #[test]
    fn replace_writes_and_refuses_a_planted_link() {
        let d = dir();
        let sd = SafeDir::open(d.path()).unwrap();
        sd.replace("state", b"master\n", 0o644).unwrap();
        assert_eq!(std::fs::read(d.path().join("state")).unwrap(), b"master\n");
        sd.replace("state", b"backup\n", 0o644).unwrap();
        assert_eq!(std::fs::read(d.path().join("state")).unwrap(), b"backup\n");
        let target = d.path().join("target");
        std::fs::write(&target, b"precious").unwrap();
        symlink(&target, d.path().join("linked")).unwrap();
        let e = sd.replace("linked", b"x", 0o644).unwrap_err();
        assert!(e.to_string().contains("a symbolic link"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert!(std::fs::symlink_metadata(d.path().join("linked"))
            .unwrap()
            .file_type()
            .is_symlink());
        // no temp file left behind
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn append_and_lock_never_follow_links() {
        let d = dir();
        let target = d.path().join("target");
        std::fs::write(&target, b"precious").unwrap();
        symlink(&target, d.path().join("cluster.log")).unwrap();
        symlink(&target, d.path().join("x.lock")).unwrap();
        let e = append(&d.path().join("cluster.log"), b"forged\n", 0o644).unwrap_err();
        assert!(e.to_string().contains("a symbolic link"), "{e}");
        let sd = SafeDir::open(d.path()).unwrap();
        assert!(sd.lock_file("x.lock", 0o644).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        append(&d.path().join("sub/real.log"), b"a\n", 0o644).unwrap();
        append(&d.path().join("sub/real.log"), b"b\n", 0o644).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("sub/real.log")).unwrap(),
            "a\nb\n"
        );
    }

    #[test]
    fn untrusted_directories_are_refused() {
        let d = dir();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = SafeDir::open(d.path()).err().unwrap();
        assert!(e.to_string().contains("world-writable"), "{e}");
        let d2 = dir();
        symlink(d2.path(), d2.path().join("link")).unwrap();
        let e = SafeDir::open(&d2.path().join("link")).err().unwrap();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn create_new_is_private_and_exclusive() {
        let d = dir();
        let sd = SafeDir::open(d.path()).unwrap();
        let f = sd.create_new("copy.img", 0o600).unwrap();
        assert_eq!(f.metadata().unwrap().mode() & 0o777, 0o600);
        assert!(sd.create_new("copy.img", 0o600).is_err());
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("plain"), "plain");
        assert_eq!(
            escape_control("x\nTransitioned to master\r\x1b[2J"),
            "x\\nTransitioned to master\\r\\x1b[2J"
        );
    }
}
