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
//! **The one remaining risk: answer 5.** A peer unreachable over ssh since the handler
//! started, for `ha['fence_peer_unreachable_after']` seconds (default 10), is assumed dead.
//! This is the classic answer of drbd-utils' outdate-peer.sh and heartbeat's dopd, kept
//! knowingly: a dead backup must not freeze the master forever (scenario 1). But a full
//! partition, with the peer alive and cut off on both links, looks the same: then both
//! sides may serve; the after-split-brain policies the lab renders then keep both copies
//! (disconnect, recorded), but the service was split until an operator acts.
//! Only a third vote (a witness, a quorum) can tell the two apart; it will replace this
//! answer. Until then, keep the replication and public links independent.

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
            PeerProbe::Unreachable(r) => {
                if f.unreachable_throughout && f.elapsed >= f.settings.unreachable_after {
                    answer(
                        Answer::PeerUnreachable,
                        format!(
                            "the peer has been unreachable on the public link since the handler started, for over {} s (ha['fence_peer_unreachable_after']): assumed dead ({r})",
                            f.settings.unreachable_after.as_secs()
                        ),
                    )
                } else {
                    retry(format!("the peer is unreachable: {r}"))
                }
            }
            PeerProbe::Unknown(r) => retry(format!("the peer's state is unknown: {r}")),
        },
    }
}

/// The policy (see the module docs).
pub fn decide(f: &Facts<'_>) -> Decision {
    let d = on_step(f);
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
mod tests {
    use super::*;

    fn settings() -> FenceSettings {
        FenceSettings::default()
    }

    fn dev(role: Role, cs: ConnState, disk: DiskState) -> PeerProbe {
        PeerProbe::Device(PeerDevice {
            role: Some(role),
            cs,
            disk: Some(disk),
            state_line: String::new(),
        })
    }

    fn look(p: &PeerProbe, after: Option<&OutdateOutcome>, secs: u64) -> Decision {
        decide(&Facts {
            step: Step::Look { probe: p, after },
            elapsed: Duration::from_secs(secs),
            unreachable_throughout: matches!(p, PeerProbe::Unreachable(_)),
            settings: settings(),
        })
    }

    fn outdated(o: &OutdateOutcome, secs: u64) -> Decision {
        decide(&Facts {
            step: Step::Outdate(o),
            elapsed: Duration::from_secs(secs),
            unreachable_throughout: false,
            settings: settings(),
        })
    }

    fn answered(d: &Decision) -> Option<i32> {
        match d {
            Decision::Answer { answer, .. } => Some(answer.code()),
            _ => None,
        }
    }

    fn is_retry(d: &Decision) -> bool {
        matches!(d, Decision::Retry { .. })
    }

    use ConnState as C;
    use DiskState as D;

    #[test]
    fn row_primary_peer_answers_6_whatever_its_link_and_disk() {
        for (cs, disk) in [
            (C::WFConnection, D::UpToDate),
            (C::Connected, D::UpToDate),
            (C::StandAlone, D::Inconsistent),
            (C::SyncSource, D::UpToDate),
        ] {
            let d = look(&dev(Role::Primary, cs, disk), None, 0);
            assert_eq!(answered(&d), Some(6), "{d:?}");
        }
        // even at the bound
        assert_eq!(
            answered(&look(
                &dev(Role::Primary, C::StandAlone, D::UpToDate),
                None,
                99
            )),
            Some(6)
        );
    }

    #[test]
    fn row_inconsistent_or_worse_answers_3() {
        for disk in [D::Diskless, D::Failed, D::Inconsistent] {
            for cs in [C::WFConnection, C::StandAlone, C::SyncTarget] {
                let d = look(&dev(Role::Secondary, cs, disk.clone()), None, 0);
                assert_eq!(answered(&d), Some(3), "{d:?}");
            }
        }
    }

    #[test]
    fn row_outdated_and_disconnected_answers_4() {
        for cs in [
            C::WFConnection,
            C::StandAlone,
            C::NetworkFailure,
            C::Unconnected,
        ] {
            let d = look(&dev(Role::Secondary, cs, D::Outdated), None, 0);
            assert_eq!(answered(&d), Some(4), "{d:?}");
        }
    }

    #[test]
    fn row_a_peer_that_believes_it_is_connected_is_waited_for() {
        for cs in [
            C::Connected,
            C::SyncSource,
            C::SyncTarget,
            C::VerifyS,
            C::Ahead,
            C::Behind,
        ] {
            for disk in [D::UpToDate, D::Outdated, D::Consistent] {
                let d = look(&dev(Role::Secondary, cs.clone(), disk), None, 0);
                assert!(is_retry(&d), "{d:?}");
            }
        }
        let Decision::Retry { why } =
            look(&dev(Role::Secondary, C::Connected, D::UpToDate), None, 0)
        else {
            unreachable!()
        };
        assert!(why.contains("would be undone"), "{why}");
    }

    #[test]
    fn row_a_disconnected_secondary_is_outdated() {
        for cs in [
            C::WFConnection,
            C::StandAlone,
            C::BrokenPipe,
            C::Timeout,
            C::WFReportParams,
        ] {
            for disk in [D::UpToDate, D::Consistent] {
                let d = look(&dev(Role::Secondary, cs.clone(), disk), None, 0);
                assert!(matches!(d, Decision::Outdate { .. }), "{d:?}");
            }
        }
    }

    #[test]
    fn row_transient_or_unknown_states_are_retried() {
        for p in [
            dev(Role::Secondary, C::WFConnection, D::Attaching),
            dev(Role::Secondary, C::WFConnection, D::Negotiating),
            dev(Role::Secondary, C::WFConnection, D::Other("Shiny".into())),
            dev(Role::Secondary, C::Other("Established".into()), D::UpToDate),
            dev(Role::Other("Leader".into()), C::WFConnection, D::UpToDate),
            dev(Role::Unknown, C::WFConnection, D::UpToDate),
            PeerProbe::Device(PeerDevice {
                role: None,
                cs: C::WFConnection,
                disk: None,
                state_line: String::new(),
            }),
        ] {
            assert!(is_retry(&look(&p, None, 0)), "{p:?}");
        }
    }

    #[test]
    fn rows_drbd_down_on_the_peer() {
        let down = PeerProbe::Down("minor 0 is Unconfigured on the peer".into());
        assert!(matches!(look(&down, None, 0), Decision::Outdate { .. }));
        assert_eq!(
            answered(&look(&down, Some(&OutdateOutcome::Done), 0)),
            Some(4)
        );
        assert_eq!(
            answered(&look(&down, Some(&OutdateOutcome::LowerThanOutdated), 0)),
            Some(3)
        );
        let failed = OutdateOutcome::Failed {
            code: Some(20),
            message: "x".into(),
        };
        assert!(matches!(
            look(&down, Some(&failed), 0),
            Decision::Outdate { .. }
        ));
        // a device seen after an outdate is judged on what it shows, not on the exit code
        let connected = dev(Role::Secondary, C::Connected, D::UpToDate);
        assert!(is_retry(&look(&connected, Some(&OutdateOutcome::Done), 0)));
        let outdated = dev(Role::Secondary, C::WFConnection, D::Outdated);
        assert_eq!(
            answered(&look(&outdated, Some(&OutdateOutcome::Done), 0)),
            Some(4)
        );
    }

    #[test]
    fn row_an_outdate_that_does_not_show_is_retried_after_a_pause() {
        let p = dev(Role::Secondary, C::WFConnection, D::UpToDate);
        for o in [OutdateOutcome::Done, OutdateOutcome::LowerThanOutdated] {
            let d = look(&p, Some(&o), 0);
            assert!(is_retry(&d), "{d:?}");
        }
        // after a failed one (already a pause): outdate again
        let failed = OutdateOutcome::Failed {
            code: Some(11),
            message: String::new(),
        };
        assert!(matches!(
            look(&p, Some(&failed), 0),
            Decision::Outdate { .. }
        ));
    }

    #[test]
    fn row_unreachable_since_the_start_answers_5_after_the_setting() {
        let p = PeerProbe::Unreachable("ssh failed (exit 255): Connection refused".into());
        assert!(is_retry(&look(&p, None, 0)));
        assert!(is_retry(&look(&p, None, 9)));
        let d = look(&p, None, 10);
        assert_eq!(answered(&d), Some(5), "{d:?}");
        let Decision::Answer { why, .. } = d else {
            unreachable!()
        };
        assert!(
            why.contains("assumed dead") && why.contains("Connection refused"),
            "{why}"
        );
        // beyond the bound too: the unreachable rule answers first
        assert_eq!(answered(&look(&p, None, 45)), Some(5));
    }

    #[test]
    fn row_unreachable_after_being_reached_is_never_5() {
        let p = PeerProbe::Unreachable("timeout".into());
        let d = decide(&Facts {
            step: Step::Look {
                probe: &p,
                after: None,
            },
            elapsed: Duration::from_secs(20),
            unreachable_throughout: false,
            settings: settings(),
        });
        assert!(is_retry(&d), "{d:?}");
        // at the bound: not proven
        let d = decide(&Facts {
            step: Step::Look {
                probe: &p,
                after: None,
            },
            elapsed: Duration::from_secs(40),
            unreachable_throughout: false,
            settings: settings(),
        });
        assert_eq!(answered(&d), Some(1), "{d:?}");
    }

    #[test]
    fn row_an_unusable_answer_is_retried() {
        let p = PeerProbe::Unknown("cat /proc/drbd on the peer exited 1".into());
        assert!(is_retry(&look(&p, None, 0)));
        assert_eq!(answered(&look(&p, None, 40)), Some(1));
    }

    #[test]
    fn rows_the_outdate_outcome() {
        assert!(matches!(
            outdated(&OutdateOutcome::Done, 0),
            Decision::Verify { .. }
        ));
        assert!(matches!(
            outdated(&OutdateOutcome::LowerThanOutdated, 0),
            Decision::Verify { .. }
        ));
        assert_eq!(
            answered(&outdated(&OutdateOutcome::PeerPrimary, 0)),
            Some(6)
        );
        for o in [
            OutdateOutcome::Failed {
                code: Some(11),
                message: "State change failed".into(),
            },
            OutdateOutcome::Failed {
                code: None,
                message: String::new(),
            },
            OutdateOutcome::Unreachable("timeout".into()),
            OutdateOutcome::Unknown("drbdadm: not found".into()),
        ] {
            assert!(is_retry(&outdated(&o, 0)), "{o:?}");
        }
    }

    #[test]
    fn row_the_bound_answers_1_instead_of_retrying_verifying_or_outdating() {
        let outdate = dev(Role::Secondary, C::WFConnection, D::UpToDate);
        let connected = dev(Role::Secondary, C::Connected, D::UpToDate);
        for d in [
            look(&outdate, None, 40),
            look(&connected, None, 41),
            outdated(&OutdateOutcome::Done, 40),
        ] {
            assert_eq!(answered(&d), Some(1), "{d:?}");
            let Decision::Answer { why, .. } = d else {
                unreachable!()
            };
            assert!(
                why.contains("within 40 s") && why.contains("last: "),
                "{why}"
            );
        }
        // a proof still wins at the bound
        assert_eq!(
            answered(&look(
                &dev(Role::Secondary, C::StandAlone, D::Outdated),
                None,
                40
            )),
            Some(4)
        );
    }

    #[test]
    fn out_of_time_keeps_the_last_reason() {
        let d = out_of_time("the peer is unreachable: x", &settings());
        let Decision::Answer { answer, why } = d else {
            unreachable!()
        };
        assert_eq!(answer, Answer::NotProven);
        assert!(why.contains("last: the peer is unreachable: x"), "{why}");
    }

    #[test]
    fn answers_and_codes() {
        let all = [
            (Answer::PeerInconsistent, 3, "peer-inconsistent"),
            (Answer::PeerOutdated, 4, "peer-outdated"),
            (Answer::PeerUnreachable, 5, "peer-unreachable"),
            (Answer::PeerPrimary, 6, "peer-primary"),
            (Answer::NotProven, 1, "not-proven"),
        ];
        for (a, code, name) in all {
            assert_eq!((a.code(), a.as_str()), (code, name));
            assert_eq!(serde_json::to_value(a).unwrap(), name);
            assert_eq!(a.proven(), code != 1);
        }
    }

    #[test]
    fn attempts_are_bounded_by_the_time_left() {
        let s = settings();
        let ssh = Duration::from_secs(30);
        assert_eq!(attempt_timeout(&s, Duration::ZERO, ssh), ssh);
        assert_eq!(
            attempt_timeout(&s, Duration::from_secs(35), ssh),
            Duration::from_secs(5)
        );
        assert_eq!(
            attempt_timeout(&s, Duration::from_secs(50), ssh),
            Duration::ZERO
        );
    }
}
