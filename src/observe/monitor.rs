//! One reading of this node for `metrics` and `check`: every source read once and timed —
//! the topology, the probe's sources ([`super::probe::snapshot_timed`]), `drbdadm get-gi`
//! and the witness record (with the `/proc/drbd` the probe read), the split-brain record,
//! and, when asked, the peer over ssh and the front ends, both in parallel with the local
//! sources. The checks and the assessment are the caller's (they are decisions).

use std::path::Path;
use std::time::{Duration, Instant};

use super::generation::{self, Local};
use super::{peer, probe, split_brain_log};
use crate::config::{Config, Paths};
use crate::model::frontend::{FrontendResult, Outcome};
use crate::model::monitor::{ProbeSample, PROBES};
use crate::model::{DataFacts, Known, NodeState, PeerView, SplitBrainRecord};

/// What a reading asks beyond this node.
#[derive(Debug, Clone, Copy)]
pub struct SampleScope {
    /// Ask the peer (over ssh) for its ha-status: the data relation and the two-masters
    /// view need it.
    pub peer: bool,
    /// Ask every front end for `/_status`.
    pub frontends: bool,
}

/// Everything read, with the time each read took.
#[derive(Debug)]
pub struct Reading {
    /// When the reading started, seconds since the epoch.
    pub time: f64,
    /// The DRBD resource's name.
    pub resource: String,
    /// Why the topology could not be read.
    pub config_error: Option<String>,
    pub config_time: Duration,
    /// The probe's snapshot.
    pub snap: NodeState,
    /// Its sources' times.
    pub timings: probe::Timings,
    /// The generation facts (without the assessment), `None` without a topology.
    pub facts: Option<DataFacts>,
    /// What the assessment reads.
    pub local: Option<Local>,
    pub facts_time: Duration,
    /// The last split-brain record (`Ok(None)`: none recorded).
    pub split_brain: Result<Option<SplitBrainRecord>, String>,
    pub split_brain_time: Duration,
    /// The peer's view, when asked.
    pub peer: Option<(PeerView, Duration)>,
    /// The front ends' answers, when asked.
    pub frontends: Option<(Vec<FrontendResult>, Duration)>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

/// The split-brain record: `Ok(None)` when there is no record file (never recorded).
fn split_brain_record(drbd_dir: &Path) -> Result<Option<SplitBrainRecord>, String> {
    let p = split_brain_log::path(drbd_dir);
    match std::fs::read_to_string(&p) {
        Ok(t) => Ok(split_brain_log::last_of(&t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {}", p.display(), crate::sys::io_reason(&e))),
    }
}

/// Reads this node (topology at `config`, this host named `host`).
pub fn read(config: &Path, host: &str, scope: SampleScope) -> Reading {
    read_with(config, host, scope, None)
}

/// [`read`] for a long-running reader: `drbdadm get-gi` through `gi` (asked again only when
/// DRBD's state moved, see [`generation::GiCache`]).
pub fn read_with(
    config: &Path,
    host: &str,
    scope: SampleScope,
    gi: Option<&mut generation::GiCache>,
) -> Reading {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let (cfg, config_time) = timed(|| Config::load(config));
    let c = match cfg {
        Ok(c) => c,
        Err(e) => {
            let why = format!("{e:#}");
            return Reading {
                time,
                resource: Paths::default().drbd_resource,
                config_error: Some(why.clone()),
                config_time,
                snap: probe::config_failed(why),
                timings: Vec::new(),
                facts: None,
                local: None,
                facts_time: Duration::ZERO,
                split_brain: Err("not read: no topology".to_string()),
                split_brain_time: Duration::ZERO,
                peer: None,
                frontends: None,
            };
        }
    };
    let c = &c;
    let minor = super::host::drbd_minor(&c.paths.drbd_device).unwrap_or(0);
    std::thread::scope(|s| {
        let the_peer = scope
            .peer
            .then(|| s.spawn(|| timed(|| peer::fetch_peer(c, host, minor))));
        let fronts = scope.frontends.then(|| {
            s.spawn(|| {
                timed(|| super::frontend::probe_all(&c.frontend_targets(), &c.frontend_settings()))
            })
        });
        let (snap, timings) = probe::snapshot_timed(c);
        let ((facts, local), facts_time) = timed(|| match gi {
            Some(cache) => {
                let device = snap.drbd.known().and_then(|p| p.device(minor));
                let ids = cache.read(&c.paths.drbd_resource, device);
                generation::collect_with_gi(Some(c), &c.paths, snap.drbd.known(), ids)
            }
            None => generation::collect_given(Some(c), &c.paths, snap.drbd.known()),
        });
        let (split_brain, split_brain_time) = timed(|| split_brain_record(&c.paths.drbd_dir));
        let peer = the_peer.map(|h| {
            h.join().unwrap_or_else(|_| {
                let reason = "the peer query failed".to_string();
                (PeerView::Unknown { node: None, reason }, Duration::ZERO)
            })
        });
        let frontends = fronts.map(|h| h.join().unwrap_or_default());
        Reading {
            time,
            resource: c.paths.drbd_resource.clone(),
            config_error: None,
            config_time,
            snap,
            timings,
            facts: Some(facts),
            local: Some(local),
            facts_time,
            split_brain,
            split_brain_time,
            peer,
            frontends,
        }
    })
}

fn sample(name: &str, d: Duration, error: Option<String>) -> ProbeSample {
    ProbeSample {
        probe: name.to_string(),
        success: error.is_none(),
        duration_seconds: d.as_secs_f64(),
        error,
    }
}

fn unknown_reason<T>(k: &Known<T>) -> Option<String> {
    match k {
        Known::Known(_) => None,
        Known::Unknown(w) => Some(w.clone()),
    }
}

impl Reading {
    fn timing(&self, name: &str) -> Duration {
        self.timings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .unwrap_or_default()
    }

    /// How each source's read went, in the order of [`PROBES`].
    pub fn probes(&self) -> Vec<ProbeSample> {
        if let Some(why) = &self.config_error {
            return PROBES
                .iter()
                .map(|p| match *p {
                    "config" => sample(p, self.config_time, Some(why.clone())),
                    _ => sample(p, Duration::ZERO, Some("not read: no topology".into())),
                })
                .collect();
        }
        let s = &self.snap;
        let not_asked = |flag: &str| Some(format!("not asked ({flag})"));
        let link_error = [&s.primary, &s.secondary]
            .iter()
            .find_map(|r| match &r.reachable {
                Known::Unknown(why) if r.address.is_some() => Some(why.clone()),
                _ => None,
            });
        let peer = match &self.peer {
            None => sample("peer", Duration::ZERO, not_asked("--no-peer")),
            Some((p, d)) => sample("peer", *d, p.reason().map(str::to_string)),
        };
        let frontends = match &self.frontends {
            None => sample("frontends", Duration::ZERO, not_asked("--no-frontends")),
            Some((r, d)) => {
                let silent: Vec<&str> = r
                    .iter()
                    .filter(|f| f.outcome == Outcome::Unreachable)
                    .map(|f| f.name.as_str())
                    .collect();
                let err = (!silent.is_empty())
                    .then(|| format!("no HTTP answer from {}", silent.join(", ")));
                sample("frontends", *d, err)
            }
        };
        let cluster = match (&s.requested_status, &s.current_status) {
            (Known::Unknown(w), _) | (_, Known::Unknown(w)) => Some(w.clone()),
            _ => None,
        };
        // a VRRP interface that is not configured is the topology's matter, not a read
        let interfaces =
            unknown_reason(&s.vrrp_interface_exists).filter(|w| w.starts_with("getifaddrs"));
        vec![
            sample("config", self.config_time, None),
            sample("drbd", self.timing("drbd"), unknown_reason(&s.drbd)),
            sample(
                "drbd_config",
                self.timing("drbd_config"),
                match &s.drbd_config {
                    Known::Known(c) => c.handlers_error.clone(),
                    Known::Unknown(why) => Some(why.clone()),
                },
            ),
            sample(
                "generation",
                self.facts_time,
                self.facts.as_ref().and_then(|f| f.error.clone()),
            ),
            sample("cluster_status", self.timing("cluster_status"), cluster),
            sample("interfaces", self.timing("interfaces"), interfaces),
            sample(
                "mounts",
                self.timing("mounts"),
                unknown_reason(&s.data_dir_mounted),
            ),
            sample(
                "services",
                self.timing("services"),
                unknown_reason(&s.services),
            ),
            sample(
                "replication_ping",
                self.timing("replication_ping"),
                link_error,
            ),
            sample(
                "quorum",
                self.timing("quorum"),
                match &s.quorum {
                    crate::model::QuorumView::On {
                        status: Known::Unknown(why),
                        ..
                    } => Some(why.clone()),
                    _ => None,
                },
            ),
            sample(
                "split_brain_log",
                self.split_brain_time,
                self.split_brain.as_ref().err().cloned(),
            ),
            peer,
            frontends,
        ]
    }
}
