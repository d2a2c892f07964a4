//! Can the running DRBD resource lose a write it acknowledged? A pure judgement of its
//! [`RunningConfig`] (`drbdsetup show` + the handlers of `drbdadm dump all`), for the
//! `drbd_fencing` check of `ha-status` and `chef_ha_drbd_fencing_ok`.
//!
//! | setting | safe | why anything else can lose acknowledged writes |
//! |---|---|---|
//! | `protocol` | C | A and B complete a write before it is on the peer's disk |
//! | `fencing` | `resource-and-stonith` | `dont-care`: a disconnected Secondary stays UpToDate and can be promoted, the Primary's later writes are discarded; `resource-only`: the Primary keeps acknowledging writes while its fence-peer handler runs |
//! | `fence-peer` handler | set | without it nobody outdates the peer: the Primary stays frozen, a Secondary is never promoted |
//! | `after-sb-0pri` | `disconnect`, `discard-zero-changes` | the others discard a side that has changes |
//! | `after-sb-1pri` | `disconnect`, `consensus`, `call-pri-lost-after-sb` | `discard-secondary` discards the Secondary even when it wrote as Primary alone; `violently-as0p` may discard the Primary's |
//! | `after-sb-2pri` | `disconnect`, `call-pri-lost-after-sb` | `violently-as0p` discards a Primary's changes |
//!
//! A setting that could not be read is unknown, never a pass: no `net` section (no network
//! configuration), no disk attached, the handlers not read.

use crate::drbd::running_config::{AfterSb, Fencing, Protocol, RunningConfig};

/// The verdict on one running configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// `Some(true)`: cannot lose acknowledged writes; `Some(false)`: can (see `problems`);
    /// `None`: a setting could not be read and nothing else is wrong.
    pub safe: Option<bool>,
    /// What makes it safe, for the passing line: `protocol C, fencing
    /// resource-and-stonith, fence-peer handler set`.
    pub summary: String,
    /// Each setting that can lose acknowledged writes, with why.
    pub problems: Vec<String>,
    /// Each setting that could not be read.
    pub unknown: Vec<String>,
}

fn after_sb_problem(slot: &str, p: &AfterSb, allowed: &[AfterSb]) -> Option<String> {
    if allowed.contains(p) {
        return None;
    }
    let why = match p {
        AfterSb::DiscardYoungerPrimary => {
            "discards the changes of the node that became Primary last"
        }
        AfterSb::DiscardOlderPrimary => "discards the changes of the node that was Primary first",
        AfterSb::DiscardLeastChanges => "discards the changes of the node that wrote less",
        AfterSb::DiscardLocal | AfterSb::DiscardRemote => "always discards one node's changes",
        AfterSb::DiscardSecondary => {
            "discards the Secondary's changes, even those it made as Primary alone"
        }
        AfterSb::ViolentlyAs0p => {
            "applies the 0pri policy even when it discards the Primary's changes"
        }
        AfterSb::DiscardZeroChanges | AfterSb::Consensus | AfterSb::CallPriLostAfterSb => {
            "is not valid here: DRBD treats it as a configuration error"
        }
        AfterSb::Disconnect => "is not expected here",
        AfterSb::Other(_) => "is a policy this program does not know: it may discard changes",
    };
    let use_ = allowed
        .iter()
        .map(AfterSb::as_str)
        .collect::<Vec<_>>()
        .join(" or ");
    Some(format!("{slot} {p} {why} (use {use_})"))
}

/// The verdict (see the module docs). Problems come in the order that matters most:
/// fencing, the fence-peer handler, the protocol, the split-brain policies.
pub fn assess(c: &RunningConfig) -> Assessment {
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    let (mut protocol, mut fencing, mut handler) = (None, None, None);
    match &c.fencing {
        Some(Fencing::ResourceAndStonith) => fencing = Some("fencing resource-and-stonith"),
        Some(Fencing::DontCare) => problems.push(
            "fencing dont-care (the default): a disconnected Secondary stays UpToDate and can be promoted, and the writes the Primary acknowledged meanwhile are discarded (use fencing resource-and-stonith)".to_string(),
        ),
        Some(Fencing::ResourceOnly) => problems.push(
            "fencing resource-only: the Primary keeps acknowledging writes while its fence-peer handler runs, lost if the peer is promoted (use fencing resource-and-stonith)".to_string(),
        ),
        Some(Fencing::Other(f)) => problems.push(format!(
            "fencing {f} is a policy this program does not know (use fencing resource-and-stonith)"
        )),
        None => unknown.push("no disk is attached: the fencing policy not read".to_string()),
    }
    match c.has_handler("fence-peer") {
        Some(true) => handler = Some("fence-peer handler set"),
        Some(false) => problems.push(
            "no fence-peer handler: nothing outdates the peer, so a Primary that loses it stays frozen and a Secondary is never promoted".to_string(),
        ),
        None => unknown.push(format!(
            "handlers not read: {}",
            c.handlers_error.as_deref().unwrap_or("no reason given")
        )),
    }
    match &c.net {
        Some(n) => {
            match &n.protocol {
                Protocol::C => protocol = Some("protocol C"),
                Protocol::A => problems.push(
                    "protocol A completes a write once it is in the local send buffer: a Primary that dies loses it (use protocol C)".to_string(),
                ),
                Protocol::B => problems.push(
                    "protocol B completes a write once it is in the peer's memory, not on its disk (use protocol C)".to_string(),
                ),
                Protocol::Other(p) => problems.push(format!(
                    "protocol {p} is not known to complete writes on both disks (use protocol C)"
                )),
            }
            let slots = [
                (
                    "after-sb-0pri",
                    &n.after_sb_0pri,
                    &[AfterSb::Disconnect, AfterSb::DiscardZeroChanges][..],
                ),
                (
                    "after-sb-1pri",
                    &n.after_sb_1pri,
                    &[
                        AfterSb::Disconnect,
                        AfterSb::Consensus,
                        AfterSb::CallPriLostAfterSb,
                    ][..],
                ),
                (
                    "after-sb-2pri",
                    &n.after_sb_2pri,
                    &[AfterSb::Disconnect, AfterSb::CallPriLostAfterSb][..],
                ),
            ];
            for (slot, p, allowed) in slots {
                problems.extend(after_sb_problem(slot, p, allowed));
            }
        }
        None => unknown.push(
            "the kernel has no network configuration for it (StandAlone after a disconnect?): protocol and after-sb policies not read".to_string(),
        ),
    }
    let safe = if !problems.is_empty() {
        Some(false)
    } else if !unknown.is_empty() {
        None
    } else {
        Some(true)
    };
    Assessment {
        safe,
        summary: [protocol, fencing, handler]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        problems,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbd::running_config::{parse_dump_handlers, parse_show, NetSettings};

    fn fixture(name: &str) -> String {
        let p = format!("{}/fixtures/drbd-config/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(p).unwrap()
    }

    fn config(show: &str, dump: &str) -> RunningConfig {
        RunningConfig::new(
            parse_show(&fixture(show), "pc0").unwrap(),
            parse_dump_handlers(&fixture(dump), "pc0").map_err(|e| e.to_string()),
        )
    }

    #[test]
    fn the_fenced_configuration_is_safe() {
        let a = assess(&config("show-fenced.txt", "dump-fenced.txt"));
        assert_eq!(a.safe, Some(true), "{a:?}");
        assert_eq!(
            a.summary,
            "protocol C, fencing resource-and-stonith, fence-peer handler set"
        );
    }

    #[test]
    fn the_original_configuration_is_not() {
        let a = assess(&config("show-unfenced.txt", "dump-unfenced.txt"));
        assert_eq!(a.safe, Some(false));
        let all = a.problems.join("; ");
        assert!(all.contains("fencing dont-care"), "{all}");
        assert!(all.contains("no fence-peer handler"), "{all}");
        assert!(
            all.contains("after-sb-0pri discard-younger-primary discards"),
            "{all}"
        );
        assert!(
            all.contains("after-sb-1pri discard-secondary discards"),
            "{all}"
        );
        // call-pri-lost-after-sb is allowed for 2pri
        assert!(!all.contains("after-sb-2pri"), "{all}");
        assert_eq!(a.problems.len(), 4, "{all}");
    }

    #[test]
    fn each_unsafe_setting_is_named() {
        let mut c = config("show-fenced.txt", "dump-fenced.txt");
        let net = |p, a0, a1, a2| NetSettings {
            protocol: p,
            after_sb_0pri: a0,
            after_sb_1pri: a1,
            after_sb_2pri: a2,
        };
        c.net = Some(net(
            Protocol::A,
            AfterSb::DiscardLeastChanges,
            AfterSb::ViolentlyAs0p,
            AfterSb::ViolentlyAs0p,
        ));
        c.fencing = Some(Fencing::ResourceOnly);
        let a = assess(&c);
        let all = a.problems.join("; ");
        for needle in [
            "protocol A",
            "after-sb-0pri discard-least-changes",
            "after-sb-1pri violently-as0p",
            "after-sb-2pri violently-as0p",
            "fencing resource-only",
            "(use disconnect or call-pri-lost-after-sb)",
        ] {
            assert!(all.contains(needle), "{needle}: {all}");
        }
        c.net = Some(net(
            Protocol::C,
            AfterSb::DiscardOlderPrimary,
            AfterSb::Consensus,
            AfterSb::Disconnect,
        ));
        c.fencing = Some(Fencing::ResourceAndStonith);
        let a = assess(&c);
        assert_eq!(a.problems.len(), 1);
        assert!(a.problems[0].starts_with("after-sb-0pri discard-older-primary"));
    }

    #[test]
    fn what_was_not_read_is_unknown_never_a_pass() {
        let mut c = config("show-fenced.txt", "dump-fenced.txt");
        c.handlers = None;
        c.handlers_error = Some("'drbdadm dump all' did not finish within 5 s".into());
        let a = assess(&c);
        assert_eq!(a.safe, None);
        assert!(a.unknown[0].contains("did not finish"), "{a:?}");
        c.net = None;
        c.fencing = None;
        let a = assess(&c);
        assert_eq!(a.safe, None);
        assert_eq!(a.unknown.len(), 3);
        assert!(a.unknown[0].starts_with("no disk is attached"), "{a:?}");
        // a known problem outweighs what was not read
        c.fencing = Some(Fencing::DontCare);
        assert_eq!(assess(&c).safe, Some(false));
    }
}
