//! `metrics`: one [`Sample`] in the Prometheus text exposition format 0.0.4. Pure: the
//! sample was read by the cli; this only writes text, and is tested on the fixtures under
//! `fixtures/monitor/` (and through `promtool check metrics` in `tests/monitoring_rules.rs`).
//!
//! The conventions (docs/metrics.md lists every metric):
//!
//! * one prefix, `chef_ha_`, so nothing collides with node_exporter's `node_drbd_*`,
//!   drbd-reactor's `drbd_*` or the keepalived exporters' `keepalived_*`;
//! * base units (bytes, seconds), `_total` counters, `_info` metadata with value 1;
//! * every enumeration is a state-set: one series per state, 1 for the current one, 0 for
//!   the others, so a state that appears never makes a series appear;
//! * a fact the tool could not read is never a missing series: a 0/1 or a number is `NaN`
//!   and a state-set is all 0, and `chef_ha_probe_success{probe}` of its source is 0.

use std::fmt::Write as _;

use crate::decide::health::State;
use crate::model::monitor::Sample;

pub mod catalogue;
mod drbd;
mod pair;
mod quorum;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The file name `--textfile DIR` writes (node_exporter's textfile collector reads `*.prom`).
pub const TEXTFILE_NAME: &str = "private_chef_ha.prom";

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

/// The text being written: families in order, each header before its samples.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
    current: String,
    families: usize,
}

/// A label value as the format wants it: `\`, `"` and newlines escaped.
fn escape_label(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// A sample value: Go's ParseFloat forms (`NaN`, `+Inf`, `-Inf`), never an exponent for
/// the integers the counters are.
pub fn value_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f64::INFINITY {
        "+Inf".to_string()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else {
        format!("{v}")
    }
}

/// 1 or 0.
pub fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// 1, 0, or `NaN` when not known.
pub fn maybe(b: Option<bool>) -> f64 {
    b.map(flag).unwrap_or(f64::NAN)
}

impl Exposition {
    /// Starts a family: its `# HELP` and `# TYPE` lines.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.word());
        self.current = name.to_string();
        self.families += 1;
    }

    /// One sample of the current family.
    pub fn sample(&mut self, labels: &[(&str, &str)], v: f64) {
        self.out.push_str(&self.current);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, val)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(val));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", value_text(v));
    }

    /// A family with one sample.
    pub fn single(&mut self, name: &str, kind: Kind, help: &str, labels: &[(&str, &str)], v: f64) {
        self.family(name, kind, help);
        self.sample(labels, v);
    }

    /// A state-set family: one sample per state with the label `key`, 1 for `current` (a
    /// state not in `states` is added), 0 for the others; all 0 when `current` is unknown.
    pub fn state_set(
        &mut self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        key: &str,
        states: &[&str],
        current: Option<&str>,
    ) {
        self.family(name, Kind::Gauge, help);
        self.state_samples(labels, key, states, current);
    }

    /// The samples of a state-set, under the current family (for families with several
    /// label sets, such as `node="local"` and `node="remote"`).
    pub fn state_samples(
        &mut self,
        labels: &[(&str, &str)],
        key: &str,
        states: &[&str],
        current: Option<&str>,
    ) {
        let mut all: Vec<&str> = states.to_vec();
        if let Some(c) = current {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        for s in all {
            let mut l = labels.to_vec();
            l.push((key, s));
            self.sample(&l, flag(current == Some(s)));
        }
    }

    /// The text, and how many families it holds.
    pub fn finish(self) -> (String, usize) {
        (self.out, self.families)
    }
}

/// The whole exposition of a sample.
pub fn exposition(s: &Sample) -> String {
    let mut e = Exposition::default();
    drbd::families(&mut e, s);
    pair::families(&mut e, s);
    quorum::families(&mut e, s);
    self_families(&mut e, s);
    e.finish().0
}

/// The families about the tool itself.
fn self_families(e: &mut Exposition, s: &Sample) {
    e.single(
        "chef_ha_build_info",
        Kind::Gauge,
        "The private-chef-ctl that wrote these metrics; always 1.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    e.family(
        "chef_ha_probe_success",
        Kind::Gauge,
        "Whether the source could be read (1) or not (0); the metrics it feeds are NaN or all 0 then.",
    );
    for p in crate::model::monitor::PROBES {
        let ok = s.probe(p).map(|x| x.success).unwrap_or(false);
        e.sample(&[("probe", p)], flag(ok));
    }
    e.family(
        "chef_ha_probe_duration_seconds",
        Kind::Gauge,
        "How long reading the source took, in seconds.",
    );
    for p in crate::model::monitor::PROBES {
        let d = s.probe(p).map(|x| x.duration_seconds).unwrap_or(0.0);
        e.sample(&[("probe", p)], d);
    }
    e.single(
        "chef_ha_last_run_timestamp_seconds",
        Kind::Gauge,
        "When these metrics were read, seconds since the epoch (alert when it gets old).",
        &[],
        s.time,
    );
    e.single(
        "chef_ha_status_code",
        Kind::Gauge,
        "The exit code ha-status would give (0 all checks pass, 1-9 the first failing check).",
        &[],
        f64::from(s.status.exit_code),
    );
    // the check's verdict without thresholds: what `private-chef-ctl check` would say
    let verdict = crate::decide::health::evaluate(s, &Default::default());
    let states: Vec<&str> = State::ALL.iter().map(|x| label(*x)).collect();
    e.state_set(
        "chef_ha_health",
        "The verdict of private-chef-ctl check without thresholds, one series per state.",
        &[],
        "state",
        &states,
        Some(label(verdict.state)),
    );
}

fn label(s: State) -> &'static str {
    match s {
        State::Ok => "ok",
        State::Warning => "warning",
        State::Critical => "critical",
        State::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests;
