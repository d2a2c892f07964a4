//! Issue 10, the reading side of the promotion policy: the kernel's boot id, the
//! drbd-witness record, `/proc/drbd` and `drbdadm get-gi` on this host, as model values
//! ([`Local`], [`DataFacts`]). The policy itself is [`crate::decide::promote`]; the gate a
//! transition applies before each `drbdadm primary` is [`crate::act::transition::gate`].

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, Paths};
use crate::drbd::gi::GenerationIds;
use crate::drbd::witness::WitnessRecord;
use crate::drbd::{Device, ProcDrbd};
use crate::model::DataFacts;
use crate::sys::exec::Command;

/// The kernel's boot id.
pub const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// How long `drbdadm get-gi` may take.
pub const GET_GI_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads the boot id (trimmed; `None` when unreadable or empty).
pub fn boot_id(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Reads the witness record (`None` when missing or unusable).
pub fn read_witness(path: &Path) -> Option<WitnessRecord> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| crate::drbd::witness::parse(&t).ok())
}

/// The witness record's path for these paths.
pub fn witness_path(paths: &Paths) -> std::path::PathBuf {
    crate::drbd::witness::path_in(&paths.keepalived_dir)
}

/// What the promotion policy reads on this host (without the identifiers).
#[derive(Debug, Clone, Default)]
pub struct Local {
    /// The resource's device in /proc/drbd (`None`: unreadable or not listed).
    pub device: Option<Device>,
    /// The witness record, whatever boot it is of.
    pub witness: Option<WitnessRecord>,
    /// This boot's id.
    pub boot_id: Option<String>,
}

/// Reads [`Local`]; the boot id from `boot_id_path` (default [`BOOT_ID`]).
pub fn local(paths: &Paths, boot_id_path: Option<&Path>) -> Local {
    let proc = crate::drbd::read(&paths.proc_drbd).ok();
    local_given(paths, boot_id_path, proc.as_ref())
}

/// [`local`] with `/proc/drbd` already read (`None`: unreadable), so that one report reads
/// it once.
pub fn local_given(paths: &Paths, boot_id_path: Option<&Path>, proc: Option<&ProcDrbd>) -> Local {
    let minor = super::host::drbd_minor(&paths.drbd_device).unwrap_or(0);
    Local {
        device: proc.and_then(|p| p.device(minor)).cloned(),
        witness: read_witness(&witness_path(paths)),
        boot_id: boot_id(boot_id_path.unwrap_or(Path::new(BOOT_ID))),
    }
}

/// `drbdadm get-gi <resource>` (LC_ALL=C, bounded by `timeout`), parsed.
pub fn read_gi(resource: &str, timeout: Duration) -> Result<GenerationIds, String> {
    let cmd = Command::new("drbdadm")
        .args(["get-gi", resource])
        .env("LC_ALL", "C")
        .timeout(timeout);
    let r = cmd.run();
    let out = crate::sys::exec::stdout_of(&cmd, r)?;
    crate::drbd::gi::parse(&out).map_err(|e| format!("'{}': {e}", cmd.display()))
}

/// `drbdadm get-gi`'s last answer, kept between the reads of a long-running reader (`metrics
/// --textfile … --interval`, `--listen`). DRBD changes the generation identifiers only
/// with a state change: a new data generation starts when a Primary loses its peer or a
/// disconnected node is promoted, the bitmap identifier is cleared when a resync ends, and
/// `invalidate` and `outdate` change the disk state. So the answer is asked again when
/// /proc/drbd's connection state, roles or disk states differ from the last read's, and at
/// least every [`GiCache::MAX_AGE`]; an error is never kept.
#[derive(Debug, Default)]
pub struct GiCache {
    last: Option<(String, std::time::Instant, GenerationIds)>,
}

impl GiCache {
    /// The longest an answer is kept while nothing in /proc/drbd moved.
    pub const MAX_AGE: Duration = Duration::from_secs(60);

    /// The identifiers of `resource`: the kept answer when `device`'s states are those it was
    /// read with and it is younger than [`GiCache::MAX_AGE`], else a new `drbdadm get-gi`.
    pub fn read(
        &mut self,
        resource: &str,
        device: Option<&Device>,
    ) -> Result<GenerationIds, String> {
        self.read_by(resource, device, || read_gi(resource, GET_GI_TIMEOUT))
    }

    fn read_by(
        &mut self,
        resource: &str,
        device: Option<&Device>,
        fetch: impl FnOnce() -> Result<GenerationIds, String>,
    ) -> Result<GenerationIds, String> {
        let key = device.map(|d| {
            format!(
                "{resource} {:?} {:?} {:?} {:?} {:?}",
                d.cs, d.role, d.peer_role, d.disk, d.peer_disk
            )
        });
        if let (Some(k), Some((kept, at, ids))) = (&key, &self.last) {
            if k == kept && at.elapsed() < Self::MAX_AGE {
                return Ok(*ids);
            }
        }
        let gi = fetch();
        self.last = match (&gi, key) {
            (Ok(ids), Some(k)) => Some((k, std::time::Instant::now(), *ids)),
            _ => None,
        };
        gi
    }
}

/// Whether this host is the topology's bootstrap server.
pub fn is_bootstrap(cfg: &Config) -> bool {
    let me = crate::sys::hostname_or("localhost");
    cfg.topology
        .servers
        .iter()
        .any(|s| s.bootstrap && (s.fqdn == me || s.fqdn.split('.').next() == Some(me.as_str())))
}

/// This node's data-generation facts without the assessment: `drbdadm get-gi` (bounded to
/// [`GET_GI_TIMEOUT`]), the witness record (when of this boot), whether this node is the
/// bootstrap server; and what the assessment needs ([`Local`], witness of this boot only).
/// [`crate::decide::promote::assess`] adds the assessment.
pub fn collect(cfg: Option<&Config>, paths: &Paths) -> (DataFacts, Local) {
    let proc = crate::drbd::read(&paths.proc_drbd).ok();
    collect_given(cfg, paths, proc.as_ref())
}

/// [`collect`] with `/proc/drbd` already read (`None`: unreadable).
pub fn collect_given(
    cfg: Option<&Config>,
    paths: &Paths,
    proc: Option<&ProcDrbd>,
) -> (DataFacts, Local) {
    let gi = read_gi(&paths.drbd_resource, GET_GI_TIMEOUT);
    collect_with_gi(cfg, paths, proc, gi)
}

/// [`collect_given`] with `drbdadm get-gi`'s result already at hand (a long-running reader
/// keeps it while DRBD's state stands still: [`GiCache`]).
pub fn collect_with_gi(
    cfg: Option<&Config>,
    paths: &Paths,
    proc: Option<&ProcDrbd>,
    gi: Result<GenerationIds, String>,
) -> (DataFacts, Local) {
    let (ids, error) = match gi {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(e)),
    };
    let mut here = local_given(paths, None, proc);
    here.witness = here
        .witness
        .filter(|w| here.boot_id.as_deref() == Some(w.boot_id.as_str()));
    let facts = DataFacts {
        ids,
        error,
        boot_id: here.boot_id.clone(),
        witness: here.witness.clone(),
        bootstrap: cfg.map(is_bootstrap),
        assessment: None,
    };
    (facts, here)
}

#[cfg(test)]
mod gi_cache_tests {
    use super::*;
    use crate::drbd::ConnState;

    #[test]
    fn asked_again_only_when_drbd_moved_and_errors_never_kept() {
        let text = std::fs::read_to_string(format!(
            "{}/fixtures/gi/healthy-be1.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let ids = crate::drbd::gi::parse(&text).unwrap();
        let mut dev = Device {
            cs: ConnState::Connected,
            ..Device::default()
        };
        let mut c = GiCache::default();
        let asked = std::cell::Cell::new(0);
        let ask = |r: Result<GenerationIds, String>| {
            asked.set(asked.get() + 1);
            move || r
        };
        assert!(c.read_by("pc0", Some(&dev), ask(Ok(ids))).is_ok());
        assert_eq!(
            c.read_by("pc0", Some(&dev), || Err("kept: not asked".into())),
            Ok(ids)
        );
        dev.cs = ConnState::WFConnection;
        assert!(c.read_by("pc0", Some(&dev), ask(Err("no".into()))).is_err());
        // an error is not kept: asked again although nothing moved
        assert!(c.read_by("pc0", Some(&dev), ask(Ok(ids))).is_ok());
        // without /proc/drbd nothing is kept
        assert!(c.read_by("pc0", None, ask(Ok(ids))).is_ok());
        assert!(c.read_by("pc0", None, ask(Ok(ids))).is_ok());
        assert_eq!(asked.get(), 5);
    }
}
