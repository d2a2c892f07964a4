//! The classic text forms: the ha-status report's lines, a plan's numbered steps, a
//! diagnosis with its evidence and next step.

use crate::decide::diagnose::Diagnosis;
use crate::model::plan::Plan;
use crate::model::Report;

/// The classic text: one line per check, then the summary wrapped in blank lines
/// (only when the run got past the preconditions, as in the original).
pub fn report(v: &Report) -> String {
    let mut s = String::new();
    for c in &v.checks {
        s.push_str(&c.line());
        s.push('\n');
    }
    if !v.stopped_at_precondition() {
        if v.ok() {
            s.push_str("\n[OK] all checks passed.\n\n");
        } else {
            s.push_str("\n[ERROR] ERRORS WERE DETECTED.\n\n");
        }
    }
    s
}

/// The plan as numbered text:
///
/// ```text
/// Plan: become HA master on be1
///   1. Promote DRBD resource pc0 to Primary [be1]
///      $ drbdadm primary pc0
///      why: the data must be writable here before services start
/// ```
///
/// Destructive steps carry `(destructive)` after the node.
pub fn plan(v: &Plan) -> String {
    let mut s = format!("Plan: {}\n", v.title);
    if v.steps.is_empty() {
        s.push_str("  (nothing to do)\n");
    }
    let width = v.steps.len().to_string().len();
    for (i, st) in v.steps.iter().enumerate() {
        let pad = " ".repeat(width + 2);
        s.push_str(&format!(
            "  {:>width$}. {} [{}]{}\n",
            i + 1,
            st.what,
            st.node,
            if st.destructive { " (destructive)" } else { "" },
        ));
        if let Some(c) = &st.command {
            s.push_str(&format!("  {pad}$ {c}\n"));
        }
        if !st.why.is_empty() {
            s.push_str(&format!("  {pad}why: {}\n", st.why));
        }
    }
    s
}

/// The text form: title, evidence, next step.
pub fn diagnosis(v: &Diagnosis) -> String {
    let mut s = format!("{}\n\nEvidence:\n", v.title);
    for e in &v.evidence {
        s.push_str(&format!("  - [{}, {}] {}\n", e.node, e.source, e.text));
    }
    s.push_str("\nNext step:\n");
    match (&v.next_step.node, &v.next_step.command) {
        (Some(n), Some(c)) => s.push_str(&format!("  on {n}: {c}\n")),
        (None, Some(c)) => s.push_str(&format!("  {c}\n")),
        (Some(n), None) => s.push_str(&format!("  on {n}:\n")),
        (None, None) => {}
    }
    s.push_str(&format!("  {}\n", v.next_step.why));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::tests::plan as fixture;

    #[test]
    fn text_is_numbered() {
        let t = plan(&fixture());
        assert_eq!(
            t,
            "Plan: demo\n  1. first [n1]\n     $ true\n     why: because\n  2. second [n1] (destructive)\n"
        );
    }
}
