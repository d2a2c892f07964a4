//! The split-brain handler's record: one JSON line per event appended to
//! `<paths.drbd_dir>/split-brain.log` (default `/var/opt/opscode/drbd/split-brain.log`)
//! by `private-chef-ctl drbd-handler split-brain`, read back by `ha-diagnose`.
//!
//! ```text
//! {"time":"2024-05-01T12:00:00+02:00","epoch":1714557600,"node":"be1.lab.example",
//!  "handler":"split-brain","resource":"pc0","minor":0,"volume":0,
//!  "peer":"be2.lab.example","peer_address":"192.0.2.12","peer_af":"ipv4",
//!  "backing_disk":"/dev/opscode/drbd",
//!  "state":"cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown oos:71590684","oos":71590684}
//! ```
//!
//! Values come from DRBD's handler environment (`DRBD_RESOURCE`, `DRBD_MINOR`,
//! `DRBD_VOLUME`, `DRBD_PEER`, `DRBD_PEER_ADDRESS`, `DRBD_PEER_AF`, `DRBD_LL_DISK`; see
//! drbd-status.md §6.1); `state`/`oos` from `/proc/drbd` at the time of the call. Missing
//! values are `null`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name of the record under `paths.drbd_dir`.
pub const FILE_NAME: &str = "split-brain.log";

/// One recorded split-brain event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitBrainRecord {
    /// RFC 3339 local time.
    pub time: String,
    /// Seconds since the epoch.
    #[serde(default)]
    pub epoch: Option<i64>,
    /// The node that recorded it.
    #[serde(default)]
    pub node: Option<String>,
    /// The handler name (`split-brain`).
    #[serde(default)]
    pub handler: Option<String>,
    /// `DRBD_RESOURCE`.
    #[serde(default)]
    pub resource: Option<String>,
    /// `DRBD_MINOR`.
    #[serde(default)]
    pub minor: Option<u32>,
    /// `DRBD_VOLUME`.
    #[serde(default)]
    pub volume: Option<u32>,
    /// `DRBD_PEER` (8.4 sets it to the peer's host name).
    #[serde(default)]
    pub peer: Option<String>,
    /// `DRBD_PEER_ADDRESS`.
    #[serde(default)]
    pub peer_address: Option<String>,
    /// `DRBD_PEER_AF`.
    #[serde(default)]
    pub peer_af: Option<String>,
    /// `DRBD_LL_DISK`: the backing device.
    #[serde(default)]
    pub backing_disk: Option<String>,
    /// The device's state line when the handler ran.
    #[serde(default)]
    pub state: Option<String>,
    /// Its out-of-sync KiB then.
    #[serde(default)]
    pub oos: Option<u64>,
}

impl SplitBrainRecord {
    /// A record from a handler environment (`lookup("DRBD_RESOURCE")` …), with the time
    /// and node given. Pure: the caller reads the environment.
    pub fn from_env(
        handler: &str,
        lookup: impl Fn(&str) -> Option<String>,
        time: String,
        epoch: Option<i64>,
        node: Option<String>,
    ) -> SplitBrainRecord {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let num = |k: &str| get(k).and_then(|v| v.parse::<u32>().ok());
        SplitBrainRecord {
            time,
            epoch,
            node,
            handler: Some(handler.to_string()),
            resource: get("DRBD_RESOURCE"),
            minor: num("DRBD_MINOR"),
            volume: num("DRBD_VOLUME"),
            peer: get("DRBD_PEER"),
            peer_address: get("DRBD_PEER_ADDRESS"),
            peer_af: get("DRBD_PEER_AF"),
            backing_disk: get("DRBD_LL_DISK"),
            state: None,
            oos: None,
        }
    }
}

/// The record file under `drbd_dir`.
pub fn path(drbd_dir: &Path) -> PathBuf {
    drbd_dir.join(FILE_NAME)
}

/// Appends `rec` as one JSON line (parent directory created, mode 0640).
pub fn append(drbd_dir: &Path, rec: &SplitBrainRecord) -> std::io::Result<PathBuf> {
    let p = path(drbd_dir);
    let line = serde_json::to_string(rec).map_err(std::io::Error::other)?;
    // never through a link, only in a directory nobody else can write
    crate::safe_fs::append(&p, format!("{line}\n").as_bytes(), 0o640)?;
    Ok(p)
}

/// The last well-formed record of a record file's text.
pub fn last_of(text: &str) -> Option<SplitBrainRecord> {
    text.lines()
        .rev()
        .find_map(|l| serde_json::from_str::<SplitBrainRecord>(l.trim()).ok())
}

/// The last record under `drbd_dir`, if any (unreadable file = none).
pub fn last(drbd_dir: &Path) -> Option<SplitBrainRecord> {
    last_of(&std::fs::read_to_string(path(drbd_dir)).ok()?)
}
