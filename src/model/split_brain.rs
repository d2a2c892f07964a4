//! The split-brain handlers' record: one JSON line per call appended to
//! `<paths.drbd_dir>/split-brain.log` (default `/var/opt/opscode/drbd/split-brain.log`)
//! by `private-chef-ctl drbd-handler initial-split-brain` (DRBD detected a split brain,
//! resolved automatically or not) and `drbd-handler split-brain` (DRBD could not resolve
//! it), read back by `ha-diagnose`. The file's I/O is in
//! [`crate::observe::split_brain_log`]; this is the record and its parsing.
//!
//! ```text
//! {"time":"2024-05-01T12:00:00+02:00","epoch":1714557600,"node":"be1.lab.example",
//!  "handler":"initial-split-brain","resource":"pc0","minor":0,"volume":0,
//!  "peer":"be2.lab.example","peer_address":"192.0.2.12","peer_af":"ipv4",
//!  "backing_disk":"/dev/opscode/drbd",
//!  "state":"cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown oos:71590684","oos":71590684,
//!  "repeat_of":null}
//! {"time":"2024-05-01T12:00:01+02:00", … "handler":"split-brain", …
//!  "repeat_of":"2024-05-01T12:00:00+02:00"}
//! ```
//!
//! DRBD calls `initial-split-brain` for every split brain it detects, then `split-brain`
//! when its after-sb policies leave it unresolved: one event, two lines. The second carries
//! `repeat_of`, the time of the first ([`SplitBrainRecord::repeats`]); a reader counting
//! split brains counts the lines without it ([`SplitBrainRecord::counts`]). Lines written
//! before these fields existed have neither and count once each.
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
    /// The handler name (`initial-split-brain` or `split-brain`).
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
    /// The time of the `initial-split-brain` line this `split-brain` line repeats (the same
    /// event seen by both handlers), else null.
    #[serde(default)]
    pub repeat_of: Option<String>,
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
            repeat_of: None,
        }
    }

    /// Whether this line is the second report of the split brain `prev` (the line just
    /// before it) recorded: a `split-brain` line on the same node, resource and minor
    /// within [`REPEAT_WINDOW_SECS`] of an `initial-split-brain` line (DRBD runs the two
    /// handlers one after the other for one event).
    pub fn repeats(&self, prev: &SplitBrainRecord) -> bool {
        let gap = match (self.epoch, prev.epoch) {
            (Some(a), Some(b)) => a.checked_sub(b),
            _ => None,
        };
        self.handler.as_deref() == Some("split-brain")
            && prev.handler.as_deref() == Some("initial-split-brain")
            && prev.repeat_of.is_none()
            && self.node == prev.node
            && self.resource == prev.resource
            && self.minor == prev.minor
            && gap.is_some_and(|g| (0..=REPEAT_WINDOW_SECS).contains(&g))
    }

    /// Whether a reader counting split brains counts this line (it is not a repeat).
    pub fn counts(&self) -> bool {
        self.repeat_of.is_none()
    }
}

/// The longest gap between the two handlers' lines of one split brain, seconds (the
/// first handler's notification alone may take 40 s).
pub const REPEAT_WINDOW_SECS: i64 = 300;

/// The record file under `drbd_dir`.
pub fn path(drbd_dir: &Path) -> PathBuf {
    drbd_dir.join(FILE_NAME)
}

/// The last well-formed record of a record file's text.
pub fn last_of(text: &str) -> Option<SplitBrainRecord> {
    text.lines()
        .rev()
        .find_map(|l| serde_json::from_str::<SplitBrainRecord>(l.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(handler: &str, epoch: i64) -> SplitBrainRecord {
        SplitBrainRecord::from_env(
            handler,
            |k| match k {
                "DRBD_RESOURCE" => Some("pc0".into()),
                "DRBD_MINOR" => Some("0".into()),
                _ => None,
            },
            format!("t{epoch}"),
            Some(epoch),
            Some("be1".into()),
        )
    }

    #[test]
    fn the_second_handler_of_one_split_brain_repeats_the_first() {
        let first = rec("initial-split-brain", 100);
        assert!(rec("split-brain", 101).repeats(&first));
        assert!(rec("split-brain", 100 + REPEAT_WINDOW_SECS).repeats(&first));
        // too late, too early, another handler pair, another resource or node
        assert!(!rec("split-brain", 101 + REPEAT_WINDOW_SECS).repeats(&first));
        assert!(!rec("split-brain", 99).repeats(&first));
        assert!(!rec("initial-split-brain", 101).repeats(&first));
        assert!(!rec("split-brain", 101).repeats(&rec("split-brain", 100)));
        let mut other = rec("split-brain", 101);
        other.resource = Some("r1".into());
        assert!(!other.repeats(&first));
        let mut other = rec("split-brain", 101);
        other.node = Some("be2".into());
        assert!(!other.repeats(&first));
        let mut no_time = rec("split-brain", 101);
        no_time.epoch = None;
        assert!(!no_time.repeats(&first));
    }

    #[test]
    fn old_lines_parse_and_count() {
        let old = r#"{"time":"2026-11-26T09:13:49+00:00","epoch":1795684429,"node":"be2","handler":"split-brain","resource":"pc0","minor":0,"volume":0,"peer":null,"peer_address":null,"peer_af":null,"backing_disk":null,"state":null,"oos":184}"#;
        let r = last_of(old).unwrap();
        assert_eq!(r.repeat_of, None);
        assert!(r.counts());
        let mut second = rec("split-brain", 101);
        second.repeat_of = Some("t100".into());
        let line = serde_json::to_string(&second).unwrap();
        assert!(line.ends_with(r#","repeat_of":"t100"}"#), "{line}");
        assert!(!last_of(&line).unwrap().counts());
    }
}
