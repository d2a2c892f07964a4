//! The `drbd-status --json` document (also the `"drbd"` member of `ha-status --json`) as
//! types that serialize *and* deserialize: this node writes it, the peer's copy (fetched
//! over ssh) is read back into the same types. The schema is in the docs of
//! [`crate::drbd`]; [`super::ProcDrbd`]'s `Serialize` is this document.

use serde::{Deserialize, Serialize};

use super::model::{
    ConnState, Counters, Device, DiskState, ProcDrbd, Progress, ProgressKind, Role,
};

/// `api`: a number when DRBD printed one, else the printed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Api {
    /// `api:1`, `api:86`.
    Number(u64),
    /// Anything else, as printed.
    Text(String),
}

impl Api {
    fn from_printed(a: &str) -> Api {
        match a.parse::<u64>() {
            Ok(n) => Api::Number(n),
            Err(_) => Api::Text(a.to_string()),
        }
    }
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrbdDoc {
    /// The release as printed (`8.4.11`), `null` without a version line.
    pub version: Option<String>,
    /// `api:`.
    pub api: Option<Api>,
    /// `proto:` as printed (`86-101`, 8.0's `86`).
    pub proto: Option<String>,
    /// The build-tag line.
    pub build: Option<String>,
    /// The minors, in file order.
    #[serde(default)]
    pub devices: Vec<DeviceDoc>,
}

/// One minor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceDoc {
    /// The minor number.
    pub minor: u32,
    /// Connection state (`Unconfigured` for an unused minor).
    pub cs: ConnState,
    /// Local role (`null` when unconfigured).
    pub role: Option<Role>,
    /// Peer role.
    pub peer_role: Option<Role>,
    /// Local disk state.
    pub disk: Option<DiskState>,
    /// Peer disk state.
    pub peer_disk: Option<DiskState>,
    /// `A`/`B`/`C`, `null` when the column is blank.
    pub protocol: Option<char>,
    /// The I/O flags (`r-----`).
    pub io_flags: Option<String>,
    /// I/O is suspended (first I/O flag `s`): on a Primary with resource-level fencing,
    /// writes are frozen until the peer is proven outdated.
    #[serde(default)]
    pub io_suspended: bool,
    /// The counters the line printed.
    #[serde(default)]
    pub counters: Counters,
    /// Resync/verify progress, `null` without progress lines.
    pub sync: Option<SyncDoc>,
}

/// Resync/verify progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncDoc {
    /// `sync` or `verify`.
    #[serde(default)]
    pub kind: ProgressKind,
    /// The printed percentage.
    pub percent: Option<f64>,
    /// Done, KiB.
    #[serde(default)]
    pub done_kib: u64,
    /// Total, KiB.
    #[serde(default)]
    pub total_kib: u64,
    /// `finish:` in seconds.
    pub finish_secs: Option<u64>,
    /// Current speed, KiB/s.
    pub speed_kib_s: Option<i64>,
    /// `want:`, KiB/s.
    pub want_kib_s: Option<i64>,
    /// Stalled.
    #[serde(default)]
    pub stalled: bool,
}

impl From<&Progress> for SyncDoc {
    fn from(p: &Progress) -> SyncDoc {
        SyncDoc {
            kind: p.kind,
            percent: p.percent,
            done_kib: p.done_kib,
            total_kib: p.total_kib,
            finish_secs: p.finish_secs,
            speed_kib_s: p.speed_kib_s,
            want_kib_s: p.want_kib_s,
            stalled: p.stalled,
        }
    }
}

impl From<&Device> for DeviceDoc {
    fn from(d: &Device) -> DeviceDoc {
        DeviceDoc {
            minor: d.minor,
            cs: d.cs.clone(),
            role: d.role.clone(),
            peer_role: d.peer_role.clone(),
            disk: d.disk.clone(),
            peer_disk: d.peer_disk.clone(),
            protocol: d.protocol,
            io_flags: d.io_flags.clone(),
            io_suspended: d.io_suspended(),
            counters: d.counters.clone(),
            sync: d.sync.as_ref().map(SyncDoc::from),
        }
    }
}

impl From<&ProcDrbd> for DrbdDoc {
    fn from(p: &ProcDrbd) -> DrbdDoc {
        let v = p.version.as_ref();
        DrbdDoc {
            version: v.map(|v| v.raw.clone()),
            api: v.and_then(|v| v.api.as_deref()).map(Api::from_printed),
            proto: v.and_then(|v| v.proto.clone()),
            build: p.build.clone(),
            devices: p.devices.iter().map(DeviceDoc::from).collect(),
        }
    }
}

impl ProcDrbd {
    /// The documented, stable JSON document (see the module docs of `crate::drbd`);
    /// serializing `self` gives the same document.
    pub fn to_doc(&self) -> DrbdDoc {
        DrbdDoc::from(self)
    }
}

impl Serialize for ProcDrbd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DrbdDoc::from(self).serialize(s)
    }
}

impl DrbdDoc {
    /// The device with this minor number.
    pub fn device(&self, minor: u32) -> Option<&DeviceDoc> {
        self.devices.iter().find(|d| d.minor == minor)
    }
}
