//! Reading a Prometheus text exposition (what node_exporter serves, what `private-chef-ctl
//! metrics` writes) for the lab tests' assertions, and `promtool check metrics` on the host.
//!
//! node_exporter re-serialises the textfile collector's series with their labels sorted by
//! name, so a series is matched by its name and a subset of its labels, never by its text.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::{Lab, NodeId};

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample of a text exposition (comments and blank lines skipped); an error names
/// the first line that is not `name[{labels}] value [timestamp]`.
pub fn parse(text: &str) -> Result<Vec<Sample>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| parse_line(l).with_context(|| format!("line {}: {l:?}", i + 1)))
        .collect()
}

fn parse_line(line: &str) -> Result<Sample> {
    let name_end = line
        .find(['{', ' '])
        .context("no value after the metric name")?;
    let name = line[..name_end].to_string();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(body) = rest.strip_prefix('{') {
        let mut chars = body.char_indices();
        let mut key = String::new();
        let end = loop {
            let Some((i, c)) = chars.next() else {
                bail!("unterminated label set");
            };
            match c {
                '}' => break i,
                ',' | ' ' => {}
                '=' => {
                    if chars.next().map(|(_, q)| q) != Some('"') {
                        bail!("label {key} has no quoted value");
                    }
                    let mut value = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '"')) => break,
                            Some((_, '\\')) => match chars.next() {
                                Some((_, 'n')) => value.push('\n'),
                                Some((_, c)) => value.push(c),
                                None => bail!("unterminated label value"),
                            },
                            Some((_, c)) => value.push(c),
                            None => bail!("unterminated label value"),
                        }
                    }
                    labels.insert(std::mem::take(&mut key), value);
                }
                c => key.push(c),
            }
        };
        rest = &body[end + 1..];
    }
    let value = rest.split_whitespace().next().context("no value")?;
    let value: f64 = value
        .parse()
        .with_context(|| format!("value {value:?} is not a number"))?;
    Ok(Sample {
        name,
        labels,
        value,
    })
}

/// The value of the first sample named `name` whose labels include every `(key, value)` of
/// `with`.
pub fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

/// The `label` of the first sample named `name`, carrying every `(key, value)` of `with`,
/// whose value is 1: the state a state-set (`{state="…"} 1`, the others 0) says.
pub fn state_of(
    samples: &[Sample],
    name: &str,
    label: &str,
    with: &[(&str, &str)],
) -> Option<String> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && s.value == 1.0
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .and_then(|s| s.labels.get(label).cloned())
}

/// `promtool check metrics` (the host's: Debian's prometheus package) on `text`: Ok when it
/// finds nothing to say, else its findings.
pub fn promtool_check(text: &str) -> Result<()> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running promtool (scripts/install-deps.sh installs Debian's prometheus)")?;
    // the child's stdin is piped two lines up: it is there until taken
    let mut stdin = child.stdin.take().context("promtool's stdin")?;
    stdin.write_all(text.as_bytes())?;
    drop(stdin);
    let out = child.wait_with_output()?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() || !said.trim().is_empty() {
        bail!("promtool check metrics ({}): {}", out.status, said.trim());
    }
    Ok(())
}

/// `private-chef-ctl metrics <args>` run on `n` now, checked by the host's `promtool check
/// metrics`, then parsed: what the node hands its exporter in the state the lab is in.
pub fn linted_metrics(lab: &Lab, n: NodeId, args: &[&str]) -> Result<Vec<Sample>> {
    let cmd = format!(
        "/opt/opscode/bin/private-chef-ctl metrics {}",
        args.join(" ")
    );
    let o = lab.exec(n, &cmd)?;
    // exit 0 in every cluster state: a probe that fails is a sample, not an exit code
    if o.code != 0 {
        bail!("{n}: `{cmd}` exited {}: {}", o.code, o.stderr.trim());
    }
    promtool_check(&o.stdout).with_context(|| format!("{n}: `{cmd}` wrote:\n{}", o.stdout))?;
    parse(&o.stdout).with_context(|| format!("{n}: `{cmd}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_labels_and_special_values() {
        let t = "# HELP x y\n# TYPE x gauge\n\
                 chef_ha_drbd_role{device=\"drbd0\",node=\"local\",resource=\"pc0\",state=\"Primary\"} 1\n\
                 chef_ha_peer_up NaN\n\
                 odd{a=\"q\\\"uote, and } brace\"} -2.5e3 1700000000000\n";
        let s = parse(t).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            value(
                &s,
                "chef_ha_drbd_role",
                &[("state", "Primary"), ("node", "local")]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(&s, "chef_ha_drbd_role", &[("state", "Secondary")]),
            None
        );
        assert!(value(&s, "chef_ha_peer_up", &[]).unwrap().is_nan());
        assert_eq!(s[2].labels["a"], "q\"uote, and } brace");
        assert_eq!(s[2].value, -2500.0);
    }

    #[test]
    fn bad_lines_are_errors() {
        for bad in ["x", "x{a=\"1\" 1", "x{a=1} 1", "x{a=\"1\"} one"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
