//! Issue 11: what the front ends' `/_status` answers mean — `frontend-status`'s exit code,
//! `ha-status --frontends`' lines and `ha-diagnose`'s third witness. Pure.

use super::diagnose::{Diagnosis, Evidence, EXIT_ACTION};
use crate::model::frontend::{FrontendResult, FrontendsSeen, Outcome, Pong};
use crate::model::{code, Check, NodeView, Report, Role};

/// `frontend-status`: every front end pong.
pub const EXIT_PONG: i32 = 0;
/// `frontend-status`: a front end answered, but an upstream fails, a 500, another HTTP code
/// or a body that is not the documented JSON.
pub const EXIT_FAIL: i32 = 1;
/// `frontend-status`: a front end gave no HTTP answer (refused, timed out, name or TLS
/// failure). Wins over [`EXIT_FAIL`].
pub const EXIT_UNREACHABLE: i32 = 2;
/// `frontend-status`: bad configuration (no front ends in the topology, a name that is not
/// one, a topology that cannot be read).
pub const EXIT_CONFIG: i32 = 3;

/// `frontend-status`'s exit code for these results (never empty: no front ends is
/// [`EXIT_CONFIG`], decided before asking).
pub fn exit_code(results: &[FrontendResult]) -> i32 {
    if results.iter().any(|r| r.outcome == Outcome::Unreachable) {
        EXIT_UNREACHABLE
    } else if results.iter().any(|r| r.outcome == Outcome::Fail) {
        EXIT_FAIL
    } else {
        EXIT_PONG
    }
}

/// The upstreams as `chef_sql pong, redis_lb fail`.
pub fn upstreams_text(r: &FrontendResult) -> String {
    r.upstreams
        .iter()
        .map(|(n, p)| format!("{n} {}", p.word()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line about one front end (ha-status' message and ha-diagnose's evidence):
/// `fe1.example /_status pong (HTTP 200, 12 ms; chef_sql pong, redis_lb pong; served by be1.example)`.
pub fn line(r: &FrontendResult) -> String {
    match r.outcome {
        Outcome::Unreachable => format!(
            "front end {} /_status unreachable: {}",
            r.name,
            r.error.as_deref().unwrap_or("no answer")
        ),
        _ => {
            let mut detail = vec![format!(
                "HTTP {}, {} ms",
                r.http_status.map(|c| c.to_string()).unwrap_or("-".into()),
                r.latency_ms
            )];
            if !r.upstreams.is_empty() {
                detail.push(upstreams_text(r));
            }
            if let Some(b) = &r.served_by {
                detail.push(format!("served by {b}"));
            }
            let word = match r.outcome {
                Outcome::Pong => "pong".to_string(),
                _ => format!(
                    "{}: {}",
                    r.status.map(Pong::word).unwrap_or("fail"),
                    r.error.as_deref().unwrap_or("not pong")
                ),
            };
            format!(
                "front end {} /_status {word} ({})",
                r.name,
                detail.join("; ")
            )
        }
    }
}

/// `ha-status --frontends`' check group: one line per front end (code 9 when it is not
/// pong), or one error line when the topology lists none.
pub fn checks(results: &[FrontendResult]) -> Vec<Check> {
    if results.is_empty() {
        return vec![Check::error(
            "frontends",
            code::FRONTENDS,
            "no front ends in the topology (server \"FQDN\", :ipaddress => \"IP\", :role => \"frontend\")",
        )];
    }
    results
        .iter()
        .map(|r| {
            let id = format!("frontend:{}", r.name);
            match r.outcome {
                Outcome::Pong => Check::ok(&id, code::FRONTENDS, line(r)),
                _ => Check::error(&id, code::FRONTENDS, line(r)),
            }
        })
        .collect()
}

/// Adds `ha-status --frontends`' group to a report, after the other checks; the exit code
/// stays the first failing check's. Like every group, it is not run when a precondition
/// stopped the report.
pub fn extend_report(r: &mut Report, results: &[FrontendResult]) {
    if r.stopped_at_precondition() {
        return;
    }
    let mut all = std::mem::take(&mut r.checks);
    all.extend(checks(results));
    *r = Report::from_checks(all);
}

fn serving_candidates<'a>(views: &[&'a NodeView]) -> Vec<&'a str> {
    views
        .iter()
        .filter(|v| {
            v.device().is_some_and(|d| d.role == Some(Role::Primary))
                && v.cluster_status.current.as_deref() == Some("master")
        })
        .map(|v| v.node.as_str())
        .collect()
}

/// Reads the front ends' answers against both back ends' views.
pub fn seen(
    results: Vec<FrontendResult>,
    local: &NodeView,
    peer: Option<&NodeView>,
) -> FrontendsSeen {
    let all_pong = !results.is_empty() && results.iter().all(|r| r.outcome == Outcome::Pong);
    let mut reported: Vec<&str> = results
        .iter()
        .filter_map(|r| r.served_by.as_deref())
        .collect();
    reported.sort_unstable();
    reported.dedup();
    let mut views = vec![local];
    views.extend(peer);
    let (reached, how, disagree) = match reported.as_slice() {
        [one] => (Some(one.to_string()), Some("reported"), false),
        [] if results.iter().any(|r| r.outcome == Outcome::Pong) => {
            match serving_candidates(&views).as_slice() {
                [one] => (Some(one.to_string()), Some("inferred"), false),
                _ => (None, None, false),
            }
        }
        [] => (None, None, false),
        _ => (None, None, true),
    };
    FrontendsSeen {
        results,
        reached: reached.map(|r| canonical(&r, &views)),
        how: how.map(str::to_string),
        disagree,
        all_pong,
    }
}

/// A reported short name (`be1`) as the back end's full name when one view matches.
fn canonical(name: &str, views: &[&NodeView]) -> String {
    views
        .iter()
        .find(|v| {
            v.node == name
                || crate::config::topology::short(&v.node) == name
                || crate::config::topology::short(name) == v.node
        })
        .map(|v| v.node.clone())
        .unwrap_or_else(|| name.to_string())
}

/// Adds the front ends' view to a diagnosis: one evidence line per front end and one
/// saying which back end they reach. A healthy pair whose front ends are not all pong is
/// not healthy from where the users are: the exit code becomes 1 and the title says why.
pub fn add_to_diagnosis(d: &mut Diagnosis, f: FrontendsSeen) {
    for r in &f.results {
        d.evidence.push(Evidence {
            node: r.name.clone(),
            source: "/_status".to_string(),
            text: line(r),
        });
    }
    let n = f.results.len();
    let pong = f
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Pong)
        .count();
    let text = if f.disagree {
        let who: Vec<String> = f
            .results
            .iter()
            .filter_map(|r| {
                r.served_by
                    .as_ref()
                    .map(|b| format!("{} reaches {b}", r.name))
            })
            .collect();
        format!(
            "the front ends reach different back ends ({}): both are serving writes",
            who.join(", ")
        )
    } else {
        match (&f.reached, f.how.as_deref()) {
            (Some(b), Some("reported")) => {
                format!("{pong} of {n} front ends pong; they reach {b} (as they report)")
            }
            (Some(b), _) => format!(
                "{pong} of {n} front ends pong; they reach {b} (the only back end that is Primary and master)"
            ),
            (None, _) if pong == 0 => {
                format!("0 of {n} front ends pong: the users cannot reach a working back end")
            }
            (None, _) => format!("{pong} of {n} front ends pong; which back end they reach is not known"),
        }
    };
    d.evidence.push(Evidence {
        node: "front ends".to_string(),
        source: "/_status".to_string(),
        text,
    });
    if f.disagree {
        d.title
            .push_str(" — the front ends reach different back ends");
        d.exit_code = d.exit_code.max(EXIT_ACTION);
    } else if !f.all_pong && n > 0 {
        d.title
            .push_str(&format!(" — front ends: {} of {n} not pong", n - pong));
        d.exit_code = d.exit_code.max(EXIT_ACTION);
    }
    d.frontends = Some(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pong(name: &str, served_by: Option<&str>) -> FrontendResult {
        let body = match served_by {
            Some(b) => format!(
                r#"{{"status":"pong","upstreams":{{"chef_sql":"pong","redis_lb":"pong"}},"served_by":"{b}"}}"#
            ),
            None => r#"{"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"}}"#.into(),
        };
        FrontendResult::answered(
            name,
            "10.0.0.21:443",
            "https://chef/_status",
            200,
            body.as_bytes(),
            12,
        )
    }

    fn fail(name: &str) -> FrontendResult {
        FrontendResult::answered(
            name,
            "10.0.0.21:443",
            "https://chef/_status",
            500,
            br#"{"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"pong"}}"#,
            7,
        )
    }

    fn down(name: &str) -> FrontendResult {
        FrontendResult::unreachable(
            name,
            "10.0.0.22:443",
            "https://chef/_status",
            "10.0.0.22:443: connection refused".into(),
            1,
        )
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(&[pong("a", None), pong("b", None)]), 0);
        assert_eq!(exit_code(&[pong("a", None), fail("b")]), 1);
        assert_eq!(exit_code(&[fail("a"), down("b")]), 2);
    }

    #[test]
    fn lines() {
        assert_eq!(
            line(&pong("fe1.example", Some("be1.example"))),
            "front end fe1.example /_status pong (HTTP 200, 12 ms; chef_sql pong, redis_lb pong; served by be1.example)"
        );
        assert_eq!(
            line(&fail("fe1.example")),
            "front end fe1.example /_status fail: upstream fails: chef_sql (HTTP 500, 7 ms; chef_sql fail, redis_lb pong)"
        );
        assert_eq!(
            line(&down("fe2.example")),
            "front end fe2.example /_status unreachable: 10.0.0.22:443: connection refused"
        );
        let c = checks(&[pong("fe1", None), down("fe2")]);
        assert_eq!(c[0].line(), format!("[OK] {}", line(&pong("fe1", None))));
        assert_eq!((c[1].code, c[1].id.as_str()), (9, "frontend:fe2"));
        let none = checks(&[]);
        assert_eq!(none[0].code, 9);
        assert!(none[0]
            .line()
            .starts_with("[ERROR] no front ends in the topology"));
    }

    #[test]
    fn who_the_front_ends_reach() {
        let v = NodeView::unread("be1.example", "x");
        let s = seen(vec![pong("fe1", Some("be1"))], &v, None);
        assert_eq!(
            (s.reached.as_deref(), s.how.as_deref()),
            (Some("be1.example"), Some("reported"))
        );
        let s = seen(
            vec![pong("fe1", Some("be1")), pong("fe2", Some("be2"))],
            &v,
            None,
        );
        assert!(s.disagree);
        assert_eq!(s.reached, None);
        // no report, and no back end known to be Primary + master: not known
        let s = seen(vec![pong("fe1", None)], &v, None);
        assert_eq!(s.reached, None);
        let s = seen(vec![down("fe1")], &v, None);
        assert!(!s.all_pong);
    }
}
