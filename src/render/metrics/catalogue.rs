//! The list of every metric (name, type, labels, meaning), read off the renderer itself so
//! that it cannot drift from what `metrics` writes: the man page's metric list
//! (`metrics --help`) and the check of docs/metrics.md use it.

use std::collections::BTreeMap;

use super::exposition;
use crate::model::frontend::FrontendResult;
use crate::model::monitor::{LinkSample, Sample, ServiceSample};
use crate::model::{Report, StatusDoc};

/// One metric family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub name: String,
    /// `gauge` or `counter`.
    pub kind: String,
    /// Its label names, in order.
    pub labels: Vec<String>,
    /// Its `# HELP` text.
    pub help: String,
}

/// A sample in which every family has at least one series (one service, one replication
/// link, one front end with one upstream), for reading the label names off.
fn full_sample() -> Sample {
    let report = Report::from_checks(Vec::new());
    let status = StatusDoc {
        ok: true,
        exit_code: 0,
        cluster_status: Default::default(),
        checks: report.checks,
        drbd: None,
        drbd_config: None,
        generation: None,
        quorum: None,
        peer: None,
        frontends: Some(vec![FrontendResult::answered(
            "FRONTEND",
            "",
            "",
            200,
            br#"{"status":"pong","upstreams":{"UPSTREAM":"pong"}}"#,
            0,
        )]),
    };
    Sample {
        node: "NODE".into(),
        resource: "RESOURCE".into(),
        minor: 0,
        time: 0.0,
        status,
        transition_error: None,
        vip: None,
        vip_interface: None,
        vip_present: None,
        vrrp_interface_present: None,
        data_dir_mounted: None,
        services: Some(vec![ServiceSample {
            name: "SERVICE".into(),
            ha: false,
            up: None,
        }]),
        links: vec![LinkSample {
            link: "LINK".into(),
            address: None,
            up: None,
        }],
        split_brain: None,
        probes: Vec::new(),
    }
}

/// Every family `metrics` writes, in the order it writes them.
pub fn families() -> Vec<Family> {
    let text = exposition(&full_sample());
    let mut out: Vec<Family> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            index.insert(name.to_string(), out.len());
            out.push(Family {
                name: name.to_string(),
                kind: String::new(),
                labels: Vec::new(),
                help: help.to_string(),
            });
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            if let (Some((_, kind)), Some(f)) = (rest.split_once(' '), out.last_mut()) {
                f.kind = kind.to_string();
            }
        } else {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            let Some(f) = index.get(name).and_then(|i| out.get_mut(*i)) else {
                continue;
            };
            let labels = line
                .split_once('{')
                .and_then(|(_, r)| r.split_once("} "))
                .map(|(l, _)| l)
                .unwrap_or_default();
            // label values here are the placeholders above: no `,` or `=` inside them
            for pair in labels.split(',').filter(|p| !p.is_empty()) {
                let key = pair.split('=').next().unwrap_or_default().to_string();
                if !f.labels.contains(&key) {
                    f.labels.push(key);
                }
            }
        }
    }
    out
}

/// The list for `metrics --help` and the man page: one line per metric.
pub fn text() -> String {
    let mut s = String::from("Metrics (docs/metrics.md has the same list):\n");
    for f in families() {
        let labels = if f.labels.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", f.labels.join(","))
        };
        s.push_str(&format!("  {}{labels} ({}): {}\n", f.name, f.kind, f.help));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_with_its_labels() {
        let f = families();
        assert_eq!(f.len(), 64);
        let by = |n: &str| f.iter().find(|x| x.name == n).unwrap().clone();
        assert_eq!(
            by("chef_ha_frontend_upstream_up").labels,
            ["frontend", "upstream"]
        );
        assert_eq!(
            by("chef_ha_drbd_role").labels,
            ["device", "resource", "node", "state"]
        );
        assert_eq!(by("chef_ha_drbd_network_sent_bytes_total").kind, "counter");
        assert!(f.iter().all(|x| !x.kind.is_empty() && !x.help.is_empty()));
        assert!(text().contains("  chef_ha_peer_up (gauge): "));
    }
}
