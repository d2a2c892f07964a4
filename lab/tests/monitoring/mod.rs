//! The monitoring part of the front-end lab test: fe1 scrapes the back ends' node_exporter
//! (`curl :9100/metrics`), or the test reads the product's textfile on the node; what a
//! scrape says of a node's part in the pair; `promtool check metrics` on the textfile.

use std::time::{Duration, Instant};

use lab::prom::{self, Sample};
use lab::{Lab, NodeId};

const FE1: NodeId = NodeId::Fe1;

pub const DEV: [(&str, &str); 2] = [("device", "drbd0"), ("resource", "pc0")];
/// The product's textfile, as its service on the back ends writes it.
pub const TEXTFILE: &str = "/var/lib/prometheus/node-exporter/private_chef_ha.prom";

/// node_exporter on back end `n` as fe1 scrapes it.
pub fn scrape(lab: &Lab, n: NodeId) -> anyhow::Result<Vec<Sample>> {
    let o = lab.exec(
        FE1,
        &format!(
            "curl -sS --max-time {} http://{}:9100/metrics",
            lab.scaled_secs(10),
            n.public_ip()
        ),
    )?;
    if !o.success() {
        anyhow::bail!("fe1: curl {n}:9100/metrics: {o:?}");
    }
    prom::parse(&o.stdout)
}

/// The product's textfile on `n` (its text and samples), read on the node itself.
pub fn textfile(lab: &Lab, n: NodeId) -> anyhow::Result<(String, Vec<Sample>)> {
    let o = lab.exec(n, &format!("cat {TEXTFILE}"))?;
    if !o.success() {
        anyhow::bail!("{n}: cat {TEXTFILE}: {o:?}");
    }
    let samples = prom::parse(&o.stdout)?;
    Ok((o.stdout, samples))
}

/// What the metrics say of a back end's part in the pair, compared across a failover.
#[derive(Debug, PartialEq)]
pub struct Part {
    pub role: Option<String>,
    pub vrrp: Option<String>,
    pub current: Option<String>,
    pub vip: Option<f64>,
    pub postgresql_up: Option<f64>,
    pub postgresql_want_up: Option<f64>,
    pub redis_up: Option<f64>,
    pub cstate: Option<String>,
}

impl Part {
    pub fn of(s: &[Sample]) -> Part {
        let svc = |name: &str, svc: &str| prom::value(s, name, &[("service", svc)]);
        let local = [DEV[0], DEV[1], ("node", "local")];
        Part {
            role: prom::state_of(s, "chef_ha_drbd_role", "state", &local),
            vrrp: prom::state_of(s, "chef_ha_vrrp_state", "state", &[]),
            current: prom::state_of(s, "chef_ha_cluster_status", "state", &[("kind", "current")]),
            vip: prom::value(s, "chef_ha_vip_present", &[]),
            postgresql_up: svc("chef_ha_service_up", "postgresql"),
            postgresql_want_up: svc("chef_ha_service_want_up", "postgresql"),
            redis_up: svc("chef_ha_service_up", "redis_lb"),
            cstate: prom::state_of(s, "chef_ha_drbd_connection_state", "state", &DEV),
        }
    }

    pub fn expected(master: bool, cstate: &str) -> Part {
        let (role, vrrp, current) = if master {
            ("Primary", "MASTER", "master")
        } else {
            ("Secondary", "BACKUP", "backup")
        };
        let b = if master { 1.0 } else { 0.0 };
        Part {
            role: Some(role.into()),
            vrrp: Some(vrrp.into()),
            current: Some(current.into()),
            vip: Some(b),
            postgresql_up: Some(b),
            postgresql_want_up: Some(b),
            redis_up: Some(b),
            cstate: Some(cstate.into()),
        }
    }
}

/// Waits (up to 60 s times the pace: the textfile is rewritten every 15 s) until `read`
/// gives samples that satisfy `ok`; returns them. The panic names `source` and says the
/// last reading.
fn await_samples(
    lab: &Lab,
    source: &str,
    what: &str,
    read: impl Fn() -> anyhow::Result<Vec<Sample>>,
    ok: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let deadline = lab.deadline(60);
    let mut last: String;
    loop {
        match read() {
            Ok(s) if ok(&s) => return s,
            Ok(s) => last = format!("{:?}", Part::of(&s)),
            Err(e) => last = format!("{e:#}"),
        }
        if Instant::now() >= deadline {
            panic!("{source}: no {what}; last: {last}\n{}", lab.summary());
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// fe1's scrape of `n` once it satisfies `ok` (see [`await_samples`]).
pub fn await_where(
    lab: &Lab,
    n: NodeId,
    what: &str,
    ok: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let source = format!("fe1's scrape of {n}");
    await_samples(lab, &source, what, || scrape(lab, n), ok)
}

/// [`await_where`] the scrape says `want`.
pub fn await_scrape(lab: &Lab, n: NodeId, want: &Part) -> Vec<Sample> {
    await_where(lab, n, &format!("{want:?}"), |s| Part::of(s) == *want)
}

/// The same on the textfile read on `n` itself (fe1 cannot reach it, or is down).
pub fn await_textfile(
    lab: &Lab,
    n: NodeId,
    what: &str,
    ok: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let source = format!("{n}'s textfile");
    await_samples(lab, &source, what, || textfile(lab, n).map(|(_, s)| s), ok)
}

/// When the metrics were read (chef_ha_last_run_timestamp_seconds).
pub fn stamp(s: &[Sample]) -> f64 {
    prom::value(s, "chef_ha_last_run_timestamp_seconds", &[]).unwrap_or(0.0)
}

/// The textfile on `n`, read on the node, passes `promtool check metrics` (the host's).
pub fn lint(lab: &Lab, n: NodeId, state: &str) {
    let (text, _) = textfile(lab, n).unwrap_or_else(|e| panic!("{state}: {e:#}"));
    prom::promtool_check(&text)
        .unwrap_or_else(|e| panic!("{n} ({state}): our metrics fail the lint: {e:#}\n{text}"));
    eprintln!("{n} ({state}): promtool check metrics: clean");
}
