//! The monitoring folder against Prometheus' own tool: the alert rules' unit tests
//! (`promtool test rules monitoring/tests/*.yml`), the rules' syntax, and the `metrics`
//! exposition of every fixture state through `promtool check metrics`. Also: every
//! `chef_ha_*` name the rules and the dashboard use is one `metrics` writes.
//!
//! promtool comes with Debian's `prometheus` package; scripts/install-deps.sh installs it.
//! Without it these tests fail (they do not skip): a rule nobody tested is not shipped.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use private_chef_ctl::model::monitor::Sample;
use private_chef_ctl::render::metrics::exposition;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn promtool(args: &[&str], cwd: &Path, stdin: Option<&str>) -> Output {
    let mut child = match Command::new("promtool")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot run promtool ({e}): install it with scripts/install-deps.sh \
             (Debian package prometheus)"
        ),
    };
    if let Some(mut input) = child.stdin.take() {
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    v.sort();
    v
}

#[test]
fn alert_rules_pass_their_unit_tests() {
    let dir = root().join("monitoring");
    let tests = files(&dir.join("tests"), ".yml");
    assert!(tests.len() >= 2, "{tests:?}");
    let mut args = vec!["test".to_string(), "rules".to_string()];
    args.extend(tests.iter().map(|t| format!("tests/{t}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = promtool(&args, &dir, None);
    assert!(o.status.success(), "{}", said(&o));
}

#[test]
fn alert_rules_are_valid_and_each_has_a_test() {
    let dir = root().join("monitoring");
    let o = promtool(&["check", "rules", "rules/chef-ha.rules.yml"], &dir, None);
    assert!(o.status.success(), "{}", said(&o));
    let rules = std::fs::read_to_string(dir.join("rules/chef-ha.rules.yml")).unwrap();
    let fire = std::fs::read_to_string(dir.join("tests/alerts-fire.test.yml")).unwrap();
    let healthy = std::fs::read_to_string(dir.join("tests/healthy-pair.test.yml")).unwrap();
    let alerts: Vec<&str> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
        .collect();
    assert!(alerts.len() >= 9, "{alerts:?}");
    for a in alerts {
        // fires where it should, and not on the healthy pair
        assert!(
            fire.contains(&format!(
                "alertname: {a}\n        exp_alerts:\n          - "
            )),
            "{a} has no test where it fires"
        );
        assert!(
            healthy.contains(&format!("alertname: {a}, exp_alerts: []")),
            "{a} is not tested on the healthy pair"
        );
    }
}

fn fixtures() -> Vec<(String, Sample)> {
    let dir = root().join("fixtures/monitor");
    files(&dir, ".json")
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).unwrap();
            let s: Sample = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, s)
        })
        .collect()
}

#[test]
fn the_exposition_passes_promtool_on_every_fixture_state() {
    let all = fixtures();
    assert!(all.len() >= 5);
    for (name, s) in all {
        let text = exposition(&s);
        let o = promtool(&["check", "metrics"], &root(), Some(&text));
        assert!(o.status.success(), "{name}: {}", said(&o));
        // lint findings are printed even when the exit status is 0 on some versions
        assert!(said(&o).trim().is_empty(), "{name}: {}", said(&o));
    }
}

/// The `chef_ha_*` names in a text.
fn names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("chef_ha_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        // `chef_ha_*` in prose names the prefix, not a metric
        if end > "chef_ha_".len() {
            out.insert(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    out
}

#[test]
fn rules_and_dashboard_use_only_exported_metrics() {
    let exported: BTreeSet<String> = fixtures()
        .iter()
        .flat_map(|(_, s)| {
            exposition(s)
                .lines()
                .filter_map(|l| l.strip_prefix("# TYPE "))
                .filter_map(|l| l.split(' ').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let dir = root().join("monitoring");
    for f in [
        "rules/chef-ha.rules.yml",
        "grafana/chef-ha-pair.json",
        "tests/alerts-fire.test.yml",
        "tests/healthy-pair.test.yml",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        if f.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(v["panels"].as_array().is_some_and(|p| p.len() > 10), "{f}");
        }
        for n in names(&text) {
            assert!(
                exported.contains(&n),
                "{f} uses {n}, which metrics does not write"
            );
        }
    }
}
