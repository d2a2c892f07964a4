//! `check`'s output, as the Monitoring Plugins guidelines want it: stdout only, a first
//! line `CHEF-HA <STATE>: <summary> | <perfdata>` within 1 KiB (what NRPE v2 carries),
//! then with `-v` one line per finding, worst first. Pure.

use crate::decide::health::{measured, State, Thresholds, Verdict};
use crate::model::monitor::Sample;
use crate::model::threshold::Range;

/// The service name on the first line.
pub const SERVICE: &str = "CHEF-HA";

/// The most the first line may take, newline excluded (NRPE v2's packet is 1024 bytes).
pub const FIRST_LINE_MAX: usize = 1023;

/// A number for perfdata: no exponent, no fraction for whole numbers.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e18 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One perfdata item: `'label'=value[UOM];[warn];[crit];[min];[max]`, `U` when unknown.
fn perf(
    label: &str,
    value: Option<f64>,
    uom: &str,
    range: (&Option<Range>, &Option<Range>),
    min: Option<f64>,
    max: Option<f64>,
) -> String {
    let v = match value {
        Some(v) if v.is_finite() => format!("{}{uom}", num(v)),
        _ => "U".to_string(),
    };
    let r = |x: &Option<Range>| x.as_ref().map(|r| r.text.clone()).unwrap_or_default();
    let o = |x: Option<f64>| x.map(num).unwrap_or_default();
    let s = format!(
        "'{label}'={v};{};{};{};{}",
        r(range.0),
        r(range.1),
        o(min),
        o(max)
    );
    s.trim_end_matches(';').to_string()
}

fn bit(b: Option<bool>) -> Option<f64> {
    b.map(|x| if x { 1.0 } else { 0.0 })
}

/// The perfdata of a sample.
pub fn perfdata(s: &Sample, t: &Thresholds) -> String {
    let d = s.device();
    let (oos, eta, latency) = measured(s);
    let none = (&None, &None);
    let left = d.map(|d| match &d.sync {
        Some(x) => x.total_kib.saturating_sub(x.done_kib) as f64 * 1024.0,
        None => 0.0,
    });
    let services = s.services.as_ref();
    let svc_up = services.map(|v| v.iter().filter(|x| x.up == Some(true)).count() as f64);
    let svc_all = services.map(|v| v.len() as f64);
    let fronts = s.status.frontends.as_deref().unwrap_or_default();
    let mut items = vec![
        perf("oos", oos, "B", (&t.oos.0, &t.oos.1), Some(0.0), None),
        perf("resync_left", left, "B", none, Some(0.0), None),
        perf(
            "resync_eta",
            eta,
            "s",
            (&t.eta.0, &t.eta.1),
            Some(0.0),
            None,
        ),
        perf(
            "connected",
            bit(d.map(|d| d.cs == crate::drbd::ConnState::Connected)),
            "",
            none,
            Some(0.0),
            Some(1.0),
        ),
        perf(
            "link_up",
            bit(d.map(|d| d.cs.is_connected())),
            "",
            none,
            Some(0.0),
            Some(1.0),
        ),
        perf(
            "primary",
            bit(d.map(|d| d.role == Some(crate::drbd::Role::Primary))),
            "",
            none,
            Some(0.0),
            Some(1.0),
        ),
        perf(
            "master",
            bit(s
                .status
                .cluster_status
                .current
                .as_ref()
                .map(|c| c == "master")),
            "",
            none,
            Some(0.0),
            Some(1.0),
        ),
        perf("vip", bit(s.vip_present), "", none, Some(0.0), Some(1.0)),
        perf("services_up", svc_up, "", none, Some(0.0), svc_all),
    ];
    if !fronts.is_empty() {
        let ok = fronts
            .iter()
            .filter(|f| f.outcome == crate::model::frontend::Outcome::Pong)
            .count() as f64;
        items.push(perf(
            "fe_ok",
            Some(ok),
            "",
            none,
            Some(0.0),
            Some(fronts.len() as f64),
        ));
        items.push(perf(
            "fe_latency_max",
            latency,
            "s",
            (&t.latency.0, &t.latency.1),
            Some(0.0),
            None,
        ));
    }
    items.join(" ")
}

/// A line from text that may hold anything: one line, no `|` (it starts the perfdata).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '|' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// At most `max` bytes of `s`, on a character boundary, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// `be1 master, pc0 SyncSource Primary/Secondary UpToDate/Inconsistent 41.2%`.
fn situation(s: &Sample) -> String {
    let current = s.status.cluster_status.current.as_deref().unwrap_or("?");
    let drbd = match s.device() {
        Some(d) => {
            let o = |x: Option<String>| x.unwrap_or_else(|| "?".to_string());
            let mut t = format!(
                "{} {} {}/{} {}/{}",
                s.resource,
                d.cs,
                o(d.role.as_ref().map(|r| r.to_string())),
                o(d.peer_role.as_ref().map(|r| r.to_string())),
                o(d.disk.as_ref().map(|r| r.to_string())),
                o(d.peer_disk.as_ref().map(|r| r.to_string())),
            );
            if let Some(p) = d.sync.as_ref().and_then(|x| x.percent) {
                t.push_str(&format!(" {p:.1}%"));
            }
            if let Some(f) = d.sync.as_ref().and_then(|x| x.finish_secs) {
                t.push_str(&format!(" eta {}", crate::sys::time::hms(f)));
            }
            t
        }
        None => format!("{} not read", s.resource),
    };
    format!("{} {current}, {drbd}", s.node)
}

/// The output: the first line, and with `verbose` one line per finding, worst first.
pub fn output(s: &Sample, v: &Verdict, t: &Thresholds, verbose: bool) -> String {
    let bad: Vec<_> = v.findings.iter().filter(|f| f.state != State::Ok).collect();
    let mut summary = situation(s);
    if let Some(first) = bad.first() {
        summary.push_str("; ");
        summary.push_str(&first.text);
        if bad.len() > 1 {
            summary.push_str(&format!(" (+{} more)", bad.len() - 1));
        }
    }
    let perf = perfdata(s, t);
    let head = format!("{SERVICE} {}: ", v.state.word());
    let room = FIRST_LINE_MAX.saturating_sub(head.len() + 3 + perf.len());
    let mut out = format!("{head}{} | {perf}\n", clip(&clean(&summary), room));
    if verbose {
        for f in &v.findings {
            out.push_str(&format!("[{}] {}\n", f.state.word(), clean(&f.text)));
        }
    }
    out
}

/// The one line of a check that could not run (bad input, timeout): UNKNOWN.
pub fn unknown(why: &str) -> String {
    format!(
        "{SERVICE} UNKNOWN: {}\n",
        clip(&clean(why), FIRST_LINE_MAX - SERVICE.len() - 10)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_no_exponent() {
        assert_eq!(num(17_740_228_608.0), "17740228608");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1.0 / 3.0), "0.333");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn perf_items() {
        let w = Range::parse("10").ok();
        assert_eq!(
            perf("oos", Some(5.0), "B", (&w, &None), Some(0.0), None),
            "'oos'=5B;10;;0"
        );
        assert_eq!(
            perf("vip", None, "", (&None, &None), Some(0.0), Some(1.0)),
            "'vip'=U;;;0;1"
        );
    }

    fn fixture(name: &str) -> Sample {
        let p = format!(
            "{}/fixtures/monitor/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn run(s: &Sample, t: &Thresholds, verbose: bool) -> String {
        output(s, &crate::decide::health::evaluate(s, t), t, verbose)
    }

    #[test]
    fn first_line_and_perfdata() {
        let s = fixture("resync-source");
        let t = Thresholds {
            eta: (Range::parse("1800").ok(), Range::parse("3600").ok()),
            ..Thresholds::default()
        };
        let out = run(&s, &t, false);
        assert_eq!(out.lines().count(), 1);
        assert!(
            out.starts_with(
                "CHEF-HA WARNING: be1.lab.example master, pc0 SyncSource Primary/Secondary \
                 UpToDate/Inconsistent 41.2% eta 0:07:12; my DRBD status is: "
            ),
            "{out}"
        );
        let perf = out
            .split_once(" | ")
            .map(|(_, p)| p.trim_end())
            .unwrap_or_default();
        assert_eq!(
            perf,
            "'oos'=5222400000B;;;0 'resync_left'=5222400000B;;;0 'resync_eta'=432s;1800;3600;0 \
             'connected'=0;;;0;1 'link_up'=1;;;0;1 'primary'=1;;;0;1 'master'=1;;;0;1 \
             'vip'=1;;;0;1 'services_up'=2;;;0;2 'fe_ok'=2;;;0;2 'fe_latency_max'=0.03s;;;0"
        );
    }

    #[test]
    fn long_output_is_worst_first() {
        let out = run(&fixture("split-brain"), &Thresholds::default(), true);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("CHEF-HA CRITICAL: "), "{out}");
        assert!(lines[0].contains("(+"), "{out}");
        let order = ["[CRITICAL]", "[UNKNOWN]", "[WARNING]", "[OK]"];
        let ranks: Vec<usize> = lines[1..]
            .iter()
            .map(|l| order.iter().position(|o| l.starts_with(o)).unwrap())
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{out}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("[CRITICAL] split brain")),
            "{out}"
        );
    }

    #[test]
    fn the_first_line_stays_within_one_kib() {
        let mut s = fixture("came-back-alone");
        s.status.checks[0].message = "x|y ".repeat(5000);
        s.status.checks[0].status = crate::model::Status::Error;
        let out = run(&s, &Thresholds::default(), false);
        let first = out.lines().next().unwrap_or_default();
        assert!(first.len() <= FIRST_LINE_MAX, "{}", first.len());
        assert_eq!(
            first.matches(" | ").count(),
            1,
            "a | in a message split the perfdata"
        );
        assert!(first.contains(" | 'oos'="));
    }

    #[test]
    fn text_cannot_break_the_line() {
        assert_eq!(clean("a|b\nc"), "a/b c");
        let long = "é".repeat(2000);
        let c = clip(&long, 101);
        assert!(c.len() <= 101 && c.ends_with('…'));
        assert!(unknown(&long).len() <= FIRST_LINE_MAX + 1);
    }
}
