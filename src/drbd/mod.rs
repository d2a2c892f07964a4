//! DRBD: the `/proc/drbd` model and parser, and the resource's running configuration
//! ([`running_config`]: `drbdsetup show`, `drbdadm dump`).
//!
//! * [`parse`] / [`read`] turn `/proc/drbd` (DRBD 8.0–8.4, DRBD 9 header-only, DRBD 9
//!   compat-8.4) into a [`ProcDrbd`]; errors say `line L, column C: expected …, found …`.
//! * [`json::DrbdDoc`] is the stable JSON schema of `drbd-status --json` (serialize a
//!   [`ProcDrbd`], or deserialize a document into a `DrbdDoc`):
//!
//! ```text
//! {"version":"8.4.11","api":1,"proto":"86-101","build":"srcversion: …",
//!  "devices":[{"minor":0,"cs":"SyncSource","role":"Primary","peer_role":"Secondary",
//!   "disk":"UpToDate","peer_disk":"Inconsistent","protocol":"C","io_flags":"r-----",
//!   "io_suspended":false,
//!   "counters":{"ns":0,"nr":0,"dw":0,"dr":0,"al":0,"bm":0,"lo":0,"pe":0,"ua":0,"ap":0,
//!               "ep":1,"wo":"f","oos":0},
//!   "sync":{"kind":"sync","percent":12.5,"done_kib":0,"total_kib":0,"finish_secs":32,
//!           "speed_kib_s":1736,"want_kib_s":null,"stalled":false}}]}
//! ```
//!
//! `api` is a number when it is one, `proto` the printed string; `protocol` is null when the
//! column is blank; `sync` is null without progress lines; an Unconfigured minor has null
//! role/disk/protocol/io_flags/sync and `{}` counters; absent counters are absent, unknown
//! counters appear with their printed value (number if numeric); non-printable flag bytes
//! show as `?`; `io_suspended` says the first flag is `s` (false when unconfigured). Sizes
//! and speeds are KiB and KiB/s, as DRBD prints them.

pub mod gi; // issue 10: data generation identifiers
pub mod json;
pub mod model;
pub mod proc;
pub mod running_config;
pub mod witness; // issue 10: what this node saw of its peer since boot

pub use json::{DeviceDoc, DrbdDoc, SyncDoc};
pub use model::{
    ConnState, Counters, Device, DiskState, ProcDrbd, Progress, ProgressKind, Role, RoleKey,
    SectorPos, Version,
};
pub use proc::{parse, parse_named, read, ParseError};
