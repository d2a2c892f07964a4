//! The fence-peer handler's facts and its record.
//!
//! * [`PeerProbe`]: what one look at the peer's `/proc/drbd` over ssh showed;
//! * [`OutdateOutcome`]: how `drbdadm outdate` on the peer ended;
//! * [`FenceRecord`]: one JSON line of `<paths.drbd_dir>/fence.log` (default
//!   `/var/opt/opscode/drbd/fence.log`), appended by `drbd-handler fence-peer` with its
//!   answer and by `drbd-handler after-resync-target` when the resync that follows a fence is
//!   over:
//!
//! ```text
//! {"at":"2026-12-04T10:00:02+00:00","epoch":1796378402,"node":"be1.lab.example","handler":"fence-peer",
//!  "resource":"pc0","minor":0,"peer":"be2.lab.example","peer_address":"192.0.2.12",
//!  "answer":4,"meaning":"peer-outdated","why":"the peer shows its disk Outdated …","elapsed_ms":1830,"cleared":false}
//! {"at":"2026-12-04T10:07:40+00:00","epoch":1796378860,"node":"be2.lab.example","handler":"after-resync-target",
//!  "resource":"pc0","minor":0,"peer":null,"peer_address":null,"answer":null,"meaning":null,
//!  "why":"resync finished: this node's copy is UpToDate again","elapsed_ms":null,"cleared":true}
//! ```
//!
//! A reader takes the last line of each node's file: a `fence-peer` line is the last fence
//! and its answer; a `cleared` line says the resync after it is over (it is written on the
//! node that was resynced, usually the one that was fenced).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::drbd::{ConnState, DiskState, Role};

/// The file name of the record under `paths.drbd_dir`.
pub const FILE_NAME: &str = "fence.log";

/// The peer's device, as its `/proc/drbd` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerDevice {
    /// The peer's own role.
    pub role: Option<Role>,
    /// The peer's connection state.
    pub cs: ConnState,
    /// The peer's own disk.
    pub disk: Option<DiskState>,
    /// The state line as printed, trimmed (for the log).
    pub state_line: String,
}

/// What one look at the peer showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerProbe {
    /// ssh could not reach the peer (exit 255, timeout, refused).
    Unreachable(String),
    /// The peer was reached but its answer says nothing usable (the remote program failed,
    /// /proc/drbd did not parse, a DRBD 9 file without devices).
    Unknown(String),
    /// DRBD does not run this minor on the peer: no /proc/drbd (module not loaded), the
    /// minor not listed, or listed Unconfigured.
    Down(String),
    /// The peer's device.
    Device(PeerDevice),
}

impl PeerProbe {
    /// The probe of the peer's `cat /proc/drbd` that ran to its end (`code` its exit, the
    /// text its output), for `minor`. Pure, never panics.
    pub fn from_cat(code: Option<i32>, stdout: &str, stderr: &str, minor: u32) -> PeerProbe {
        if code != Some(0) {
            let err = stderr.trim();
            // the module is not loaded: cat's ENOENT (the remote locale may vary; ssh does not
            // pass LC_ALL)
            if err.contains("No such file or directory") {
                return PeerProbe::Down(format!("the peer has no /proc/drbd ({err})"));
            }
            return PeerProbe::Unknown(format!(
                "cat /proc/drbd on the peer exited {}: {}",
                code.map_or_else(|| "by a signal".to_string(), |c| c.to_string()),
                err.lines().next().unwrap_or("")
            ));
        }
        let p = match crate::drbd::parse(stdout.as_bytes()) {
            Ok(p) => p,
            Err(e) => {
                return PeerProbe::Unknown(format!("the peer's /proc/drbd does not parse: {e}"))
            }
        };
        if p.is_drbd9_without_devices() {
            return PeerProbe::Unknown(
                "the peer runs DRBD 9, whose /proc/drbd lists no devices".to_string(),
            );
        }
        match p.device(minor) {
            None => PeerProbe::Down(format!(
                "minor {minor} is not listed in the peer's /proc/drbd"
            )),
            Some(d) if d.is_unconfigured() => {
                PeerProbe::Down(format!("minor {minor} is Unconfigured on the peer"))
            }
            Some(d) => PeerProbe::Device(PeerDevice {
                role: d.role.clone(),
                cs: d.cs.clone(),
                disk: d.disk.clone(),
                state_line: d.state_line.trim().to_string(),
            }),
        }
    }
}

/// How `drbdadm outdate -- RESOURCE` on the peer ended (drbdsetup's exit codes, see
/// partition-safety.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutdateOutcome {
    /// Exit 0: the peer's disk was marked Outdated (in the kernel, or by drbdmeta in the
    /// meta-data of a resource that is down).
    Done,
    /// Exit 5: the peer's disk is already lower than Outdated (Inconsistent or worse).
    LowerThanOutdated,
    /// Exit 17: the peer is Primary (it has no UpToDate disk to give up).
    PeerPrimary,
    /// Any other exit.
    Failed {
        /// The exit code (`None`: killed by a signal).
        code: Option<i32>,
        /// drbdadm's last words.
        message: String,
    },
    /// ssh could not reach the peer.
    Unreachable(String),
    /// Something else went wrong (ssh or drbdadm missing).
    Unknown(String),
}

impl OutdateOutcome {
    /// The outcome of a `drbdadm outdate` that ran to its end.
    pub fn from_exit(code: Option<i32>, stderr: &str) -> OutdateOutcome {
        match code {
            Some(0) => OutdateOutcome::Done,
            Some(5) => OutdateOutcome::LowerThanOutdated,
            Some(17) => OutdateOutcome::PeerPrimary,
            code => OutdateOutcome::Failed {
                code,
                message: stderr
                    .lines()
                    .map(str::trim)
                    .rfind(|l| !l.is_empty())
                    .unwrap_or("")
                    .to_string(),
            },
        }
    }
}

/// One line of `fence.log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FenceRecord {
    /// RFC 3339 local time.
    pub at: String,
    /// Seconds since the epoch.
    #[serde(default)]
    pub epoch: Option<i64>,
    /// The node that wrote it.
    #[serde(default)]
    pub node: Option<String>,
    /// `fence-peer` or `after-resync-target`.
    pub handler: String,
    /// `DRBD_RESOURCE`.
    #[serde(default)]
    pub resource: Option<String>,
    /// The minor.
    #[serde(default)]
    pub minor: Option<u32>,
    /// The peer's name in the topology.
    #[serde(default)]
    pub peer: Option<String>,
    /// The address ssh used (the peer's public address).
    #[serde(default)]
    pub peer_address: Option<String>,
    /// fence-peer's exit code (3, 4, 5, 6, or 1: not proven); null for a cleared line.
    #[serde(default)]
    pub answer: Option<i32>,
    /// The answer in words (`peer-inconsistent`, `peer-outdated`, `peer-unreachable`,
    /// `peer-primary`, `not-proven`).
    #[serde(default)]
    pub meaning: Option<String>,
    /// Why, in one sentence.
    pub why: String,
    /// How long the handler ran, milliseconds.
    #[serde(default)]
    pub elapsed_ms: Option<u64>,
    /// This line says the last fence is over (the resync after it finished).
    #[serde(default)]
    pub cleared: bool,
}

/// The record file under `drbd_dir`.
pub fn path(drbd_dir: &Path) -> PathBuf {
    drbd_dir.join(FILE_NAME)
}

/// The last well-formed record of a record file's text.
pub fn last_of(text: &str) -> Option<FenceRecord> {
    text.lines()
        .rev()
        .find_map(|l| serde_json::from_str::<FenceRecord>(l.trim()).ok())
}

/// The last fence that is not over: the last record when it is a fence-peer answer (not
/// followed by a cleared line).
pub fn open_fence(text: &str) -> Option<FenceRecord> {
    last_of(text).filter(|r| !r.cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HDR: &str =
        "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: F73C670A7EC572DB9CF3E5B \n";

    fn cat(line: &str) -> PeerProbe {
        PeerProbe::from_cat(
            Some(0),
            &format!("{HDR}{line}\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"),
            "",
            0,
        )
    }

    #[test]
    fn the_peers_device_is_read() {
        match cat(" 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----") {
            PeerProbe::Device(d) => {
                assert_eq!(d.role, Some(Role::Secondary));
                assert_eq!(d.cs, ConnState::WFConnection);
                assert_eq!(d.disk, Some(DiskState::UpToDate));
                assert!(d.state_line.starts_with("0: cs:WFConnection"), "{d:?}");
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn a_peer_without_the_minor_is_down() {
        let p = PeerProbe::from_cat(Some(0), &format!("{HDR} 0: cs:Unconfigured\n"), "", 0);
        assert!(matches!(p, PeerProbe::Down(_)), "{p:?}");
        assert!(matches!(
            PeerProbe::from_cat(Some(0), HDR, "", 0),
            PeerProbe::Down(_)
        ));
        let p = PeerProbe::from_cat(
            Some(1),
            "",
            "cat: /proc/drbd: No such file or directory\n",
            0,
        );
        assert!(matches!(p, PeerProbe::Down(_)), "{p:?}");
    }

    #[test]
    fn anything_else_is_unknown() {
        for p in [
            PeerProbe::from_cat(Some(1), "", "cat: /proc/drbd: Permission denied", 0),
            PeerProbe::from_cat(None, "", "", 0),
            PeerProbe::from_cat(Some(0), "garbage\n", "", 0),
            PeerProbe::from_cat(
                Some(0),
                "version: 9.1.7 (api:2/proto:86-121)\nGIT-hash: x build by b, 2022\nTransports (api:18): tcp (9.1.7)\n",
                "",
                0,
            ),
        ] {
            assert!(matches!(p, PeerProbe::Unknown(_)), "{p:?}");
        }
    }

    #[test]
    fn outdate_exit_codes() {
        assert_eq!(OutdateOutcome::from_exit(Some(0), ""), OutdateOutcome::Done);
        assert_eq!(
            OutdateOutcome::from_exit(Some(5), ""),
            OutdateOutcome::LowerThanOutdated
        );
        assert_eq!(
            OutdateOutcome::from_exit(Some(17), ""),
            OutdateOutcome::PeerPrimary
        );
        assert_eq!(
            OutdateOutcome::from_exit(Some(11), "x\n0: State change failed\n\n"),
            OutdateOutcome::Failed {
                code: Some(11),
                message: "0: State change failed".into()
            }
        );
    }

    #[test]
    fn records_round_trip_and_the_open_fence_is_the_last_uncleared_one() {
        let fence = FenceRecord {
            at: "2026-12-04T10:00:02+00:00".into(),
            epoch: Some(1796378402),
            node: Some("be1".into()),
            handler: "fence-peer".into(),
            resource: Some("pc0".into()),
            minor: Some(0),
            peer: Some("be2".into()),
            peer_address: Some("192.0.2.12".into()),
            answer: Some(4),
            meaning: Some("peer-outdated".into()),
            why: "verified".into(),
            elapsed_ms: Some(1830),
            cleared: false,
        };
        let line = serde_json::to_string(&fence).unwrap();
        assert!(line.starts_with(r#"{"at":"2026-12-04T10:00:02+00:00","epoch":1796378402,"node":"be1","handler":"fence-peer","resource":"pc0","minor":0,"peer":"be2","peer_address":"192.0.2.12","answer":4,"meaning":"peer-outdated","why":"verified","elapsed_ms":1830,"cleared":false}"#), "{line}");
        assert_eq!(last_of(&format!("{line}\ntorn{{\n")), Some(fence.clone()));
        assert_eq!(open_fence(&line), Some(fence.clone()));
        let cleared = FenceRecord {
            handler: "after-resync-target".into(),
            answer: None,
            meaning: None,
            cleared: true,
            ..fence.clone()
        };
        let text = format!("{line}\n{}\n", serde_json::to_string(&cleared).unwrap());
        assert_eq!(open_fence(&text), None);
        assert_eq!(last_of(&text), Some(cleared));
        // only the required fields: still a record
        let r = last_of(r#"{"at":"t","handler":"fence-peer","why":"w"}"#).unwrap();
        assert_eq!((r.answer, r.cleared), (None, false));
        assert_eq!(last_of(""), None);
    }
}
