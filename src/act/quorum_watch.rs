//! `quorum-watch`: keeps keepalived's quorum track file current, from corosync's own
//! notifications (`corosync-quorumtool -m`, one status block per change), with no process
//! started per check.
//!
//! keepalived tracks the file (`track_file` with weight 0): `0` lets the instance run, any
//! other value puts it in FAULT (VIP dropped, fault transition). The file says `1` from the
//! moment this service starts until corosync has said this node is quorate, and again
//! whenever it says otherwise, when the monitor cannot start or when it ends (corosync
//! stopped): no quorum known, no service. A check run by keepalived every second costs a
//! process start each time (0.4–0.8 s under TCG, timing out on a loaded machine, where a
//! time-out is a FAULT); a notification costs nothing until something changes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

use crate::act::transition::ClusterLog;
use crate::corosync::{parse_status, QuorumStatus};

/// The monitor: `corosync-quorumtool -m`, its stdout line-buffered (it writes through stdio).
pub const MONITOR: [&str; 3] = ["stdbuf", "-oL", "corosync-quorumtool"];

/// The pause before the monitor is started again after it ended.
const RESTART_PAUSE: Duration = Duration::from_secs(1);

/// Splits the monitor's output into status blocks: a block ends with the blank line after
/// its membership table.
#[derive(Debug, Default)]
pub struct Blocks {
    buf: String,
    in_members: bool,
}

impl Blocks {
    /// Feeds one line; returns a complete block when this line ends one.
    pub fn feed(&mut self, line: &str) -> Option<String> {
        if line.trim_start().starts_with("Nodeid") {
            self.in_members = true;
        }
        if self.in_members && line.trim().is_empty() {
            self.in_members = false;
            return Some(std::mem::take(&mut self.buf));
        }
        self.buf.push_str(line);
        self.buf.push('\n');
        None
    }
}

/// The track file's value for a block: `0` quorate, `1` not (or unreadable).
pub fn value(block: &str) -> (u8, String) {
    match parse_status(block) {
        Ok(QuorumStatus {
            quorate: true,
            total_votes,
            expected_votes,
            ..
        }) => (
            0,
            format!("quorate ({total_votes} of {expected_votes} votes)"),
        ),
        Ok(s) => (
            1,
            format!(
                "no quorum ({} of {} votes, {} needed)",
                s.total_votes, s.expected_votes, s.quorum
            ),
        ),
        Err(e) => (
            1,
            format!("unreadable status from corosync-quorumtool -m: {e}"),
        ),
    }
}

/// What `quorum-watch` records beside the track file (`quorum.state`, JSON): since when this
/// membership (ring) has existed, as corosync announced it. The fence-peer handler counts a
/// peer's time outside the partition from `since` when the ring id it reads now is the same.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RingRecord {
    pub ring_id: String,
    /// Unix time (seconds) of the first announcement of this ring seen by this process.
    pub since: f64,
    pub quorate: bool,
    pub members: Vec<String>,
}

/// The state file beside a track file.
pub fn state_path(track: &Path) -> std::path::PathBuf {
    track.with_file_name("quorum.state")
}

/// Reads a state file: `None` when missing or unreadable (then nothing is known).
pub fn read_state(path: &Path) -> Option<RingRecord> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

fn epoch_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

struct Track<'a> {
    path: &'a Path,
    last: Option<u8>,
    log: ClusterLog,
    ring: Option<RingRecord>,
}

impl Track<'_> {
    /// Writes `v` when it differs from what this process last wrote (always the first
    /// time: a file left by an earlier run says nothing about now).
    fn set(&mut self, v: u8, why: &str) {
        if self.last == Some(v) {
            return;
        }
        let r = crate::sys::safe_fs::SafeDir::of(self.path)
            .and_then(|(dir, name)| dir.replace(&name, format!("{v}\n").as_bytes(), 0o644));
        match r {
            Ok(()) => {
                self.last = Some(v);
                self.log.log(&format!(
                    "quorum-watch: {why}: {} = {v} ({})",
                    self.path.display(),
                    if v == 0 {
                        "may serve"
                    } else {
                        "keepalived FAULT"
                    }
                ));
            }
            Err(e) => {
                self.last = None;
                self.log.log(&format!(
                    "quorum-watch: cannot write {}: {e}",
                    self.path.display()
                ));
            }
        }
    }
}

impl Track<'_> {
    /// Records a new ring (a membership change) with the time it was first seen.
    fn ring(&mut self, block: &str) {
        let Ok(s) = parse_status(block) else { return };
        if self
            .ring
            .as_ref()
            .is_some_and(|r| r.ring_id == s.ring_id && r.quorate == s.quorate)
        {
            return;
        }
        let since = match &self.ring {
            Some(r) if r.ring_id == s.ring_id => r.since,
            _ => epoch_now(),
        };
        let rec = RingRecord {
            ring_id: s.ring_id.clone(),
            since,
            quorate: s.quorate,
            members: s.members.iter().map(|m| m.name.clone()).collect(),
        };
        let path = state_path(self.path);
        let r = serde_json::to_vec(&rec)
            .map_err(std::io::Error::other)
            .and_then(|data| {
                crate::sys::safe_fs::SafeDir::of(&path)
                    .and_then(|(dir, name)| dir.replace(&name, &data, 0o644))
                    .map_err(std::io::Error::other)
            });
        if let Err(e) = r {
            self.log.log(&format!(
                "quorum-watch: cannot write {}: {e}",
                path.display()
            ));
        }
        self.ring = Some(rec);
    }
}

/// Runs forever (a service): the monitor, its blocks, the file.
pub fn run(track: &Path, cluster_log: &Path) -> ! {
    let mut t = Track {
        path: track,
        last: None,
        log: ClusterLog::new(cluster_log, true),
        ring: None,
    };
    // an old record says nothing about now
    let _ = std::fs::remove_file(state_path(track));
    t.set(1, "starting: no quorum known yet");
    loop {
        let mut argv: Vec<&str> = MONITOR[1..].to_vec();
        argv.push("-m");
        match duct::cmd(MONITOR[0], &argv)
            .env("LC_ALL", "C")
            .stderr_null()
            .unchecked()
            .reader()
        {
            Err(e) => t.set(1, &format!("cannot start corosync-quorumtool -m: {e}")),
            Ok(reader) => {
                let mut blocks = Blocks::default();
                for line in BufReader::new(&reader).lines() {
                    let Ok(line) = line else { break };
                    if let Some(b) = blocks.feed(&line) {
                        t.ring(&b);
                        let (v, why) = value(&b);
                        t.set(v, &why);
                    }
                }
                let _ = reader.kill();
                t.set(1, "corosync-quorumtool -m ended (is corosync running?)");
            }
        }
        std::thread::sleep(RESTART_PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corosync::fixture;

    #[test]
    fn blocks_end_after_the_membership_table() {
        let text = format!(
            "{}\n{}\n",
            fixture("quorumtool-s-healthy.txt"),
            fixture("quorumtool-s-isolated.txt")
        );
        let mut b = Blocks::default();
        let got: Vec<(u8, String)> = text
            .lines()
            .filter_map(|l| b.feed(l))
            .map(|blk| value(&blk))
            .collect();
        assert_eq!(
            got,
            [
                (0, "quorate (3 of 3 votes)".to_string()),
                (1, "no quorum (1 of 3 votes, 2 needed)".to_string())
            ]
        );
    }

    #[test]
    fn garbage_is_no_quorum() {
        let mut b = Blocks::default();
        for l in ["Nodeid x", "garbage"] {
            assert!(b.feed(l).is_none());
        }
        let blk = b.feed("").unwrap_or_default();
        assert_eq!(value(&blk).0, 1);
    }
}
