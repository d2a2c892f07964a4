//! The DRBD witness record: what this node has seen of its peer **since it booted**.
//!
//! DRBD's meta-data flags say how the node is now, not how it got there: a node that lost
//! its peer while Connected and UpToDate (the survivor of a crash of the master: it must be
//! promoted) and a node that booted alone (the peer may have written since: it must not)
//! both show `Secondary, StandAlone, UpToDate`. `private-chef-ctl drbd-witness`, a small
//! always-up service, reads `/proc/drbd` every second and keeps this record in
//! `<keepalived dir>/drbd-witness.json`, keyed by the kernel's boot id
//! (`/proc/sys/kernel/random/boot_id`) so a record of an earlier boot never counts.
//!
//! Pure here: [`observe`] folds one `/proc/drbd` sample into the record and says whether it
//! changed (the service writes it, atomically, only then); [`parse`] reads it back.
//!
//! ```text
//! {"boot_id":"1b20d5b2-…","minor":0,"started":"Tue, 01 Dec 2026 09:33:40 +0000",
//!  "now":{"cs":"WFConnection","role":"Secondary","peer_role":"Unknown","disk":"UpToDate","peer_disk":"DUnknown"},
//!  "now_since":"…","connections":1,
//!  "last_connected":{"cs":"Connected","role":"Secondary","peer_role":"Primary","disk":"UpToDate","peer_disk":"UpToDate"},
//!  "last_connected_since":"…","lost_at":"…"}
//! ```

use serde::{Deserialize, Serialize};

use super::Device;

/// The record's file name in the keepalived state directory.
pub const FILE_NAME: &str = "drbd-witness.json";

/// The record's path in `keepalived_dir` (`private_chef_ctl['keepalived_dir']`).
pub fn path_in(keepalived_dir: &std::path::Path) -> std::path::PathBuf {
    keepalived_dir.join(FILE_NAME)
}

/// One observed state of the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// Connection state (`Unconfigured` when the minor is not up, `absent` when not listed).
    pub cs: String,
    /// Local role.
    pub role: String,
    /// Peer role.
    pub peer_role: String,
    /// Local disk.
    pub disk: String,
    /// Peer disk.
    pub peer_disk: String,
}

impl Observation {
    /// From a /proc/drbd device (`None`: the minor is not listed).
    pub fn of(dev: Option<&Device>) -> Observation {
        let s = |v: Option<String>| v.unwrap_or_else(|| "?".to_string());
        match dev {
            None => Observation {
                cs: "absent".into(),
                role: "?".into(),
                peer_role: "?".into(),
                disk: "?".into(),
                peer_disk: "?".into(),
            },
            Some(d) => Observation {
                cs: d.cs.to_string(),
                role: s(d.role.as_ref().map(|r| r.to_string())),
                peer_role: s(d.peer_role.as_ref().map(|r| r.to_string())),
                disk: s(d.disk.as_ref().map(|r| r.to_string())),
                peer_disk: s(d.peer_disk.as_ref().map(|r| r.to_string())),
            },
        }
    }

    /// True when a replication link exists (Connected or any sync/verify state).
    pub fn linked(&self) -> bool {
        super::ConnState::from_name(&self.cs).is_connected()
    }

    /// True when this node's data was current in this state: linked, UpToDate, and not
    /// receiving a resync.
    pub fn current_here(&self) -> bool {
        self.linked()
            && self.disk == "UpToDate"
            && !matches!(
                self.cs.as_str(),
                "SyncTarget" | "PausedSyncT" | "WFBitMapT" | "WFSyncUUID" | "StartingSyncT"
            )
    }

    /// `cs:… ro:…/… ds:…/…`.
    pub fn summary(&self) -> String {
        format!(
            "cs:{} ro:{}/{} ds:{}/{}",
            self.cs, self.role, self.peer_role, self.disk, self.peer_disk
        )
    }
}

/// What this node saw of the resource since boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessRecord {
    /// The kernel boot id the record belongs to.
    pub boot_id: String,
    /// The DRBD minor watched.
    pub minor: u32,
    /// When the witness first wrote this boot's record.
    pub started: String,
    /// The last observed state.
    pub now: Observation,
    /// Since when (approximately: the witness samples every second).
    pub now_since: String,
    /// How many times this boot the link came up.
    pub connections: u32,
    /// The last state observed while linked, this boot (`None`: never connected).
    pub last_connected: Option<Observation>,
    /// When that state was first observed.
    pub last_connected_since: Option<String>,
    /// When the link was last lost (`None` while linked, or never connected).
    pub lost_at: Option<String>,
}

impl WitnessRecord {
    /// True while the record says the link is up.
    pub fn linked(&self) -> bool {
        self.now.linked()
    }
}

/// Folds one sample into the record (a record of another boot or minor is started
/// afresh). Returns the new record and whether anything changed.
pub fn observe(
    prev: Option<&WitnessRecord>,
    boot_id: &str,
    minor: u32,
    dev: Option<&Device>,
    now: &str,
) -> (WitnessRecord, bool) {
    let obs = Observation::of(dev);
    let fresh = || WitnessRecord {
        boot_id: boot_id.to_string(),
        minor,
        started: now.to_string(),
        now: obs.clone(),
        now_since: now.to_string(),
        connections: u32::from(obs.linked()),
        last_connected: obs.linked().then(|| obs.clone()),
        last_connected_since: obs.linked().then(|| now.to_string()),
        lost_at: None,
    };
    let Some(p) = prev.filter(|p| p.boot_id == boot_id && p.minor == minor) else {
        return (fresh(), true);
    };
    if p.now == obs {
        return (p.clone(), false);
    }
    let mut r = p.clone();
    let was = p.now.linked();
    let is = obs.linked();
    if is {
        if !was {
            r.connections = r.connections.saturating_add(1);
            r.lost_at = None;
        }
        r.last_connected = Some(obs.clone());
        r.last_connected_since = Some(now.to_string());
    } else if was {
        r.lost_at = Some(now.to_string());
    }
    r.now = obs;
    r.now_since = now.to_string();
    (r, true)
}

/// Reads a record (`Err` says why it cannot be used).
pub fn parse(text: &str) -> Result<WitnessRecord, String> {
    serde_json::from_str(text).map_err(|e| format!("not a witness record: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbd::parse as parse_proc;

    fn dev(line: &str) -> crate::drbd::ProcDrbd {
        let text = format!(
            "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: F73C670A7EC572DB9CF3E5B \n{line}\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"
        );
        parse_proc(text.as_bytes()).unwrap()
    }

    #[test]
    fn records_the_state_at_the_loss() {
        let c = dev(" 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----");
        let w = dev(" 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----");
        let (r, ch) = observe(None, "b1", 0, c.device(0), "t1");
        assert!(ch && r.linked() && r.connections == 1);
        let (r2, ch) = observe(Some(&r), "b1", 0, c.device(0), "t2");
        assert!(!ch);
        assert_eq!(r2, r);
        let (r3, ch) = observe(Some(&r2), "b1", 0, w.device(0), "t3");
        assert!(ch && !r3.linked());
        assert_eq!(r3.lost_at.as_deref(), Some("t3"));
        assert!(r3.last_connected.as_ref().unwrap().current_here());
        // another boot: fresh, never connected
        let (r4, _) = observe(Some(&r3), "b2", 0, w.device(0), "t4");
        assert!(r4.last_connected.is_none() && r4.connections == 0);
        // round trip
        let text = serde_json::to_string(&r3).unwrap();
        assert_eq!(parse(&text).unwrap(), r3);
        assert!(parse("{").is_err() && parse("").is_err());
    }

    #[test]
    fn a_sync_target_was_not_current() {
        let o = Observation {
            cs: "SyncTarget".into(),
            role: "Secondary".into(),
            peer_role: "Primary".into(),
            disk: "Inconsistent".into(),
            peer_disk: "UpToDate".into(),
        };
        assert!(o.linked() && !o.current_here());
        assert!(!Observation::of(None).linked());
    }
}
