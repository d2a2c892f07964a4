//! The Monitoring Plugins range syntax (`[@][start:][end]`) of the check's `-w`/`-c` style
//! thresholds, so that a threshold written for any other plugin means the same here.
//!
//! | range | alerts when the value is |
//! |---|---|
//! | `10` | < 0 or > 10 |
//! | `10:` | < 10 |
//! | `~:10` | > 10 |
//! | `10:20` | < 10 or > 20 |
//! | `@10:20` | ≥ 10 and ≤ 20 (inside) |
//!
//! `~` is −∞, an omitted end is +∞; bounds are inclusive. Anything else is an error that
//! quotes the range and says what was expected.

use std::fmt;

/// A parsed range.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The lower bound (−∞ for `~`).
    pub start: f64,
    /// The upper bound (+∞ when omitted).
    pub end: f64,
    /// `@`: alert inside the range instead of outside.
    pub inside: bool,
    /// The range as written (for the perfdata and messages).
    pub text: String,
}

const EXPECTED: &str =
    "expected a Monitoring Plugins range: N, N:, ~:N, N:M or @N:M (numbers, start <= end)";

fn number(s: &str, whole: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "range '{whole}': '{s}' is not a number; {EXPECTED}"
        )),
    }
}

impl Range {
    /// Parses `[@][start:][end]`.
    pub fn parse(text: &str) -> Result<Range, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(format!("range '{text}' is empty; {EXPECTED}"));
        }
        let (inside, body) = match t.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (start, end) = match body.split_once(':') {
            None => (0.0, number(body, text)?),
            Some((s, e)) => {
                if s.is_empty() && e.is_empty() {
                    return Err(format!("range '{text}' has no bounds; {EXPECTED}"));
                }
                if e.contains(':') {
                    return Err(format!("range '{text}' has more than one ':'; {EXPECTED}"));
                }
                let start = match s {
                    "~" => f64::NEG_INFINITY,
                    "" => 0.0,
                    s => number(s, text)?,
                };
                let end = if e.is_empty() {
                    f64::INFINITY
                } else {
                    number(e, text)?
                };
                (start, end)
            }
        };
        if start > end {
            return Err(format!(
                "range '{text}': start {start} is greater than end {end}; {EXPECTED}"
            ));
        }
        Ok(Range {
            start,
            end,
            inside,
            text: t.to_string(),
        })
    }

    /// Does `value` raise the alert?
    pub fn alerts(&self, value: f64) -> bool {
        let within = value >= self.start && value <= self.end;
        if self.inside {
            within
        } else {
            !within
        }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Range {
    type Err = String;
    fn from_str(s: &str) -> Result<Range, String> {
        Range::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Range {
        Range::parse(s).unwrap()
    }

    #[test]
    fn the_five_forms() {
        let plain = r("10");
        assert!(plain.alerts(-1.0) && plain.alerts(10.5));
        assert!(!plain.alerts(0.0) && !plain.alerts(10.0));
        let at_least = r("10:");
        assert!(at_least.alerts(9.9));
        assert!(!at_least.alerts(10.0) && !at_least.alerts(1e12));
        let at_most = r("~:10");
        assert!(at_most.alerts(10.1));
        assert!(!at_most.alerts(-1e12) && !at_most.alerts(10.0));
        let between = r("10:20");
        assert!(between.alerts(9.0) && between.alerts(21.0));
        assert!(!between.alerts(10.0) && !between.alerts(20.0));
        let inside = r("@10:20");
        assert!(inside.alerts(10.0) && inside.alerts(15.0) && inside.alerts(20.0));
        assert!(!inside.alerts(9.9) && !inside.alerts(20.1));
    }

    #[test]
    fn fractions_and_negatives() {
        assert!(r("0.5").alerts(0.6));
        assert!(!r("-5:-1").alerts(-3.0));
        assert_eq!(r(" 3 ").text, "3");
    }

    #[test]
    fn bad_ranges_name_the_input_and_the_form() {
        for bad in [
            "", "abc", "10:5", "1:2:3", "@", "~", "nan", "inf", "5:x", "@:",
        ] {
            let e = Range::parse(bad).unwrap_err();
            assert!(e.contains(&format!("'{bad}'")), "{bad}: {e}");
            assert!(e.contains("N:M"), "{bad}: {e}");
        }
    }
}
