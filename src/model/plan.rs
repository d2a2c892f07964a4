//! A plan as a value: a titled list of [`Step`]s that can be printed (text or JSON) and
//! tested without a host; [`crate::act::plan`] confirms, runs and audits it.

use serde::Serialize;

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What the step does, for an operator (`Mount /dev/drbd0 at /var/opt/opscode/drbd/data`).
    pub what: String,
    /// The node it runs on (hostname).
    pub node: String,
    /// The command it runs, as an operator would type it, when there is one.
    pub command: Option<String>,
    /// Why this step is needed.
    pub why: String,
    /// Whether it can lose data or interrupt service.
    pub destructive: bool,
}

/// A titled list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// What the plan achieves.
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The plan as a JSON value: `{"title": …, "steps": [{"what","node","command","why","destructive"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Quotes one word for the remote POSIX shell (ssh joins its arguments with spaces and
/// hands them to the login shell).
pub fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A two-step plan (the second destructive, without a command), for tests.
    pub(crate) fn plan() -> Plan {
        Plan {
            title: "demo".into(),
            steps: vec![
                Step {
                    what: "first".into(),
                    node: "n1".into(),
                    command: Some("true".into()),
                    why: "because".into(),
                    destructive: false,
                },
                Step {
                    what: "second".into(),
                    node: "n1".into(),
                    command: None,
                    why: String::new(),
                    destructive: true,
                },
            ],
        }
    }

    #[test]
    fn json_shape() {
        let j = plan().to_json();
        assert_eq!(j["title"], "demo");
        assert_eq!(j["steps"][0]["command"], "true");
        assert_eq!(j["steps"][1]["command"], serde_json::Value::Null);
        assert_eq!(j["steps"][1]["destructive"], true);
    }
}
