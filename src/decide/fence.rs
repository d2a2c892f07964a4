//! What `drbd-handler fence-peer` answers DRBD (pure: it decides over what the handler saw
//! of the peer; the handler in [`crate::act::fence`] looks, outdates and loops).
//!
//! DRBD (`fencing resource-and-stonith`) runs the handler with I/O frozen on a Primary that
//! lost its peer, and inside `drbdadm primary` on a disconnected Secondary being promoted.
//! Its exit code is the answer: 3 and 4 resume I/O or allow the promotion, 5 does too when
//! the local disk is UpToDate, 6 makes this node outdate itself, anything else (1) keeps
//! I/O frozen and refuses the promotion (partition-safety.md §1). The handler reaches the
//! peer over ssh on the public link, reads its `/proc/drbd` and, when that is safe, runs
//! `drbdadm outdate` there; every step is one [`Step`], decided here:
//!
//! | the last step | the peer | elapsed | decision |
//! |---|---|---|---|
//! | a look | Primary (any link, any disk) | — | answer 6: the peer is Primary |
//! | a look | disk Diskless, Failed or Inconsistent | — | answer 3: it cannot be promoted |
//! | a look | disk Outdated, link below Connected | — | answer 4: outdated, verified |
//! | a look | link Connected or above (resync, verify, Ahead/Behind included) | — | retry: the peer has not noticed the loss; an outdate now would be undone (DRBD turns Outdated back into UpToDate while connected) |
//! | a look | Secondary, link below Connected, disk UpToDate or Consistent | — | outdate it |
//! | a look | anything else (Attaching, Negotiating, no role, a state name this program does not know) | — | retry: transient or unknown |
//! | a look | DRBD down there (no /proc/drbd, minor absent or Unconfigured), right after an outdate that exited 0 | — | answer 4: drbdmeta marked its meta-data Outdated, and no connection can undo that |
//! | a look | DRBD down there, right after an outdate that exited 5 | — | answer 3: its meta-data is not even consistent |
//! | a look | DRBD down there, otherwise | — | outdate it (`drbdadm outdate` falls back to drbdmeta) |
//! | a look | unreachable, and at every look since the start | ≥ `unreachable_after` | answer 5: assumed dead (see below) |
//! | a look | unreachable otherwise | — | retry |
//! | a look | reached, but its answer is unusable | — | retry |
//! | a look right after an outdate that exited 0 or 5 | still Secondary, disconnected, UpToDate or Consistent | — | retry (then outdate again): the outdate does not show |
//! | an outdate | exit 0 or 5 | — | verify: look again at once; only a look answers 3 or 4 |
//! | an outdate | exit 17 (it is Primary) | — | answer 6 |
//! | an outdate | any other exit, unreachable, unusable | — | retry |
//! | any, when the rows above say retry, verify or outdate | | ≥ `timeout` | answer 1: not proven |
//!
//! "retry" means: look again after [`RETRY_PAUSE`]; "verify": look again at once. When no
//! time is left for another look, [`out_of_time`] answers 1 with the last reason.
//!
//! **The bound** (`ha['fence_peer_timeout']`, default 40 s): I/O stays frozen while the
//! handler runs, and on a Secondary being promoted the handler runs inside `drbdadm
//! primary`, which the master transition bounds by `keepalived['transition_command_timeout']`
//! (default 60 s); so the handler answers 1 at its bound, and each ssh it runs is bounded
//! by the time left. Answer 1 is safe: a Primary stays frozen (unavailable, not diverging)
//! until the link returns or an operator acts, a Secondary is not promoted.
//!
//! **Answer 5, "the peer is gone", and the third vote.** A peer that cannot be reached
//! over ssh is either dead or cut off; only a third vote tells the two apart. With quorum
//! on (`ha['quorum_arbiter']`, corosync with the arbiter's vote), the handler answers 5 only
//! while this node holds quorum and the peer has been outside its partition, without a
//! break, for `ha['quorum_peer_stop_after']` (default 15 s): long enough for the peer to have
//! lost quorum and stopped serving (docs/quorum.md has the timing argument). A peer still in
//! the partition is alive (its corosync answers) and is never assumed dead; a node without
//! quorum neither outdates its peer (the peer may be taking over with the arbiter's vote)
//! nor assumes it dead. So with quorum:
//!
//! | the last look | quorum | decision |
//! |---|---|---|
//! | unreachable | quorate, the peer outside for ≥ `quorum_peer_stop_after` | answer 5: the peer is gone |
//! | unreachable | quorate, the peer outside for less | retry |
//! | unreachable | quorate, the peer inside the partition | retry: alive, not assumed dead |
//! | unreachable | not quorate, or corosync cannot say | retry |
//! | a look that would outdate the peer | not quorate, or corosync cannot say | retry: not outdating a peer that may be taking over |
//!
//! With quorum off (the original topology) the classic answer of drbd-utils'
//! outdate-peer.sh and heartbeat's dopd is kept, knowingly: a peer unreachable since the
//! handler started, for `ha['fence_peer_unreachable_after']` seconds (default 10), is assumed
//! dead, so that a dead backup does not freeze the master forever. A full partition looks
//! the same, and then both sides may serve: `ha-status` warns that quorum is off.

use std::time::Duration;

use serde::Serialize;

use crate::config::FenceSettings;
use crate::drbd::{ConnState, DiskState, Role};
use crate::model::fence::{OutdateOutcome, PeerDevice, PeerProbe};

/// The pause between two looks at the peer when the answer is not there yet.
pub const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// The handler's exit codes (DRBD's fence-peer interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// 3: the peer's disk is Inconsistent or worse.
    PeerInconsistent,
    /// 4: the peer's disk is Outdated (seen so).
    PeerOutdated,
    /// 5: the peer is unreachable, assumed dead.
    PeerUnreachable,
    /// 6: the peer is Primary: this node outdates itself.
    PeerPrimary,
    /// 1: nothing proven; DRBD keeps I/O frozen and refuses the promotion.
    NotProven,
}

impl Answer {
    /// The exit code.
    pub fn code(self) -> i32 {
        match self {
            Answer::PeerInconsistent => 3,
            Answer::PeerOutdated => 4,
            Answer::PeerUnreachable => 5,
            Answer::PeerPrimary => 6,
            Answer::NotProven => 1,
        }
    }

    /// The answer in words (`fence.log`'s `meaning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::PeerInconsistent => "peer-inconsistent",
            Answer::PeerOutdated => "peer-outdated",
            Answer::PeerUnreachable => "peer-unreachable",
            Answer::PeerPrimary => "peer-primary",
            Answer::NotProven => "not-proven",
        }
    }

    /// Whether DRBD may go on (resume I/O, promote): every answer but 1.
    pub fn proven(self) -> bool {
        self != Answer::NotProven
    }
}

/// The step just taken.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A look at the peer's `/proc/drbd`; `after` is the outdate run just before it, if any.
    Look {
        /// What it showed.
        probe: &'a PeerProbe,
        /// The outdate this look follows.
        after: Option<&'a OutdateOutcome>,
    },
    /// `drbdadm outdate` on the peer.
    Outdate(&'a OutdateOutcome),
}

/// What this node's quorum says of the peer, over the handler's looks so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumFact {
    /// Quorum is off (no arbiter configured): the original topology.
    Off,
    /// Quorum is on and this node does not hold it, or corosync cannot say (why).
    Lost(String),
    /// This node holds quorum and the peer is in its partition (alive).
    PeerInside,
    /// This node holds quorum and the peer has been outside its partition, without a
    /// break, for this long (as far as the handler has seen).
    PeerOutside(Duration),
}

/// One reading of this node's quorum, as the handler takes it at each look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumSample {
    /// Quorum is off.
    Off,
    /// Not quorate, or corosync cannot say (why).
    Lost(String),
    /// Quorate, the peer in the partition.
    PeerInside,
    /// Quorate, the peer outside the partition; how long this membership (without the
    /// peer) is known to have existed before the sample (zero when not known): what
    /// `quorum-watch` recorded when corosync announced it, for the same ring id.
    PeerOutside(Duration),
}

/// Folds one sample (taken at `now`, the handler's elapsed time) into what quorum says of
/// the peer: the peer's time outside counts from the first of an unbroken run of samples
/// with this node quorate and the peer outside (`since` keeps that start between samples),
/// or from the start of the membership without the peer when that is known and earlier.
pub fn track(since: &mut Option<Duration>, sample: &QuorumSample, now: Duration) -> QuorumFact {
    match sample {
        QuorumSample::PeerOutside(known) => {
            let start = *since.get_or_insert(now);
            QuorumFact::PeerOutside(now.saturating_sub(start).max(*known))
        }
        other => {
            *since = None;
            match other {
                QuorumSample::Off => QuorumFact::Off,
                QuorumSample::Lost(r) => QuorumFact::Lost(r.clone()),
                _ => QuorumFact::PeerInside,
            }
        }
    }
}

/// The facts of one decision.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The step just taken.
    pub step: Step<'a>,
    /// Time since the handler started.
    pub elapsed: Duration,
    /// Every look since the start found the peer unreachable (this one included).
    pub unreachable_throughout: bool,
    /// The bounds.
    pub settings: FenceSettings,
    /// What quorum says of the peer.
    pub quorum: &'a QuorumFact,
    /// How long the peer must have been outside this node's quorate partition to count
    /// as stopped (`ha['quorum_peer_stop_after']`).
    pub peer_stop_after: Duration,
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Exit with this answer.
    Answer {
        /// The answer.
        answer: Answer,
        /// Why, in one sentence.
        why: String,
    },
    /// Look again after [`RETRY_PAUSE`].
    Retry {
        /// Why there is no answer yet (stable text: the handler logs it when it changes).
        why: String,
    },
    /// Look again at once (after an outdate).
    Verify {
        /// What is to be verified.
        why: String,
    },
    /// Run `drbdadm outdate` on the peer, then decide on its outcome.
    Outdate {
        /// Why it is safe now.
        why: String,
    },
}

fn answer(answer: Answer, why: impl Into<String>) -> Decision {
    Decision::Answer {
        answer,
        why: why.into(),
    }
}

fn retry(why: impl Into<String>) -> Decision {
    Decision::Retry { why: why.into() }
}

/// The link is known to be below Connected (an unknown state name is not).
fn disconnected(cs: &ConnState) -> bool {
    match (cs.ordinal(), ConnState::Connected.ordinal()) {
        (Some(o), Some(c)) => o < c && *cs != ConnState::Unconfigured,
        _ => false,
    }
}

fn shown<T: std::fmt::Display>(v: &Option<T>) -> String {
    crate::model::shown(v, "?")
}

/// The decision on a look at the peer's device.
fn on_device(d: &PeerDevice) -> Decision {
    let state = format!("ro:{} cs:{} ds:{}", shown(&d.role), d.cs, shown(&d.disk));
    if d.role == Some(Role::Primary) {
        return answer(
            Answer::PeerPrimary,
            format!("the peer is Primary ({state}): this node must not serve"),
        );
    }
    match &d.disk {
        Some(DiskState::Diskless | DiskState::Failed | DiskState::Inconsistent) => {
            return answer(
                Answer::PeerInconsistent,
                format!(
                    "the peer's disk is Inconsistent or worse ({state}): it cannot be promoted"
                ),
            )
        }
        Some(DiskState::Outdated) if disconnected(&d.cs) => {
            return answer(
                Answer::PeerOutdated,
                format!("the peer shows its disk Outdated and disconnected ({state}): verified"),
            )
        }
        _ => {}
    }
    if d.cs.is_connected() {
        return retry(format!(
            "the peer still believes it is connected (cs:{}): an outdate now would be undone, waiting for it to notice the loss",
            d.cs
        ));
    }
    let settled_disk = matches!(d.disk, Some(DiskState::UpToDate | DiskState::Consistent));
    if d.role == Some(Role::Secondary) && disconnected(&d.cs) && settled_disk {
        return Decision::Outdate {
            why: format!("the peer is Secondary and disconnected ({state})"),
        };
    }
    retry(format!(
        "the peer is in a transient or unknown state ({state})"
    ))
}

/// The decision on a step, before the time bound is applied.
fn on_step(f: &Facts<'_>) -> Decision {
    match f.step {
        Step::Outdate(o) => match o {
            OutdateOutcome::Done => Decision::Verify {
                why: "drbdadm outdate exited 0 on the peer: verifying".to_string(),
            },
            OutdateOutcome::LowerThanOutdated => Decision::Verify {
                why: "drbdadm outdate exited 5 on the peer (its disk is below Outdated): verifying"
                    .to_string(),
            },
            OutdateOutcome::PeerPrimary => answer(
                Answer::PeerPrimary,
                "drbdadm outdate exited 17 on the peer: it is Primary, this node must not serve",
            ),
            OutdateOutcome::Failed { code, message } => retry(format!(
                "drbdadm outdate failed on the peer (exit {}): {message}",
                code.map_or_else(|| "by a signal".to_string(), |c| c.to_string())
            )),
            OutdateOutcome::Unreachable(r) => {
                retry(format!("the peer became unreachable during the outdate: {r}"))
            }
            OutdateOutcome::Unknown(r) => retry(format!("the outdate could not run: {r}")),
        },
        Step::Look { probe, after } => match probe {
            PeerProbe::Device(d) => match (on_device(d), after) {
                // the outdate exited 0 or 5 yet the peer shows no trace of it: pause before
                // the next one rather than hammer the peer
                (
                    Decision::Outdate { why },
                    Some(OutdateOutcome::Done | OutdateOutcome::LowerThanOutdated),
                ) => retry(format!("the outdate does not show on the peer yet: {why}")),
                (d, _) => d,
            },
            PeerProbe::Down(r) => match after {
                Some(OutdateOutcome::Done) => answer(
                    Answer::PeerOutdated,
                    format!("DRBD is down on the peer ({r}) and drbdadm outdate marked its meta-data Outdated"),
                ),
                Some(OutdateOutcome::LowerThanOutdated) => answer(
                    Answer::PeerInconsistent,
                    format!("DRBD is down on the peer ({r}) and its meta-data is not consistent (drbdadm outdate exited 5)"),
                ),
                _ => Decision::Outdate {
                    why: format!("DRBD is down on the peer ({r})"),
                },
            },
            PeerProbe::Unreachable(r) => on_unreachable(f, r),
            PeerProbe::Unknown(r) => retry(format!("the peer's state is unknown: {r}")),
        },
    }
}

/// The decision on a peer unreachable over ssh (see the module docs).
fn on_unreachable(f: &Facts<'_>, r: &str) -> Decision {
    let w = f.peer_stop_after.as_secs();
    match f.quorum {
        QuorumFact::Off => {
            if f.unreachable_throughout && f.elapsed >= f.settings.unreachable_after {
                answer(
                    Answer::PeerUnreachable,
                    format!(
                        "the peer has been unreachable on the public link since the handler started, for over {} s (ha['fence_peer_unreachable_after']): assumed dead, quorum is off ({r})",
                        f.settings.unreachable_after.as_secs()
                    ),
                )
            } else {
                retry(format!("the peer is unreachable: {r}"))
            }
        }
        QuorumFact::PeerOutside(d) if *d >= f.peer_stop_after => answer(
            Answer::PeerUnreachable,
            format!(
                "this node holds quorum and the peer has been outside its partition for {} s (ha['quorum_peer_stop_after'] {w} s): the peer has lost quorum and stopped serving; it is unreachable ({r})",
                d.as_secs()
            ),
        ),
        QuorumFact::PeerOutside(_) => retry(format!(
            "the peer is unreachable and outside this node's quorate partition: waiting until it has been outside for {w} s (ha['quorum_peer_stop_after']), the time it needs to stop serving"
        )),
        QuorumFact::PeerInside => retry(format!(
            "the peer is unreachable over ssh ({r}) but in this node's quorum partition: it is alive and may serve, so it is not assumed dead"
        )),
        QuorumFact::Lost(q) => retry(format!(
            "the peer is unreachable and this node has no quorum ({q}): the peer may be serving with the arbiter's vote"
        )),
    }
}

/// The policy (see the module docs).
pub fn decide(f: &Facts<'_>) -> Decision {
    let d = match (on_step(f), f.quorum) {
        (Decision::Outdate { why }, QuorumFact::Lost(q)) => retry(format!(
            "this node has no quorum ({q}): the peer may be taking over with the arbiter's vote, so it is not outdated ({why})"
        )),
        (d, _) => d,
    };
    match d {
        Decision::Answer { .. } => d,
        Decision::Retry { why } | Decision::Verify { why } | Decision::Outdate { why }
            if f.elapsed >= f.settings.timeout =>
        {
            out_of_time(&why, &f.settings)
        }
        d => d,
    }
}

/// Answer 1 at the bound: nothing proven; `last` is the last reason.
pub fn out_of_time(last: &str, s: &FenceSettings) -> Decision {
    answer(
        Answer::NotProven,
        format!(
            "nothing proven within {} s (ha['fence_peer_timeout']); last: {last}. DRBD keeps I/O frozen and refuses a promotion until the link returns or an operator acts",
            s.timeout.as_secs()
        ),
    )
}

/// The time one ssh may take: the time left, at most `ssh_timeout`.
pub fn attempt_timeout(
    settings: &FenceSettings,
    elapsed: Duration,
    ssh_timeout: Duration,
) -> Duration {
    settings.timeout.saturating_sub(elapsed).min(ssh_timeout)
}

#[cfg(test)]
mod tests;
