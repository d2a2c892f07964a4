//! Issue 11: `frontend-status`'s table — one row per front end, one column per upstream.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use crate::model::frontend::{FrontendResult, Outcome};

/// The table: front end, address, HTTP code, latency, status, one column per upstream
/// (`pong`, `fail`, or `missing` when that front end's answer does not name it), the back
/// end that served, and the error.
pub fn table(results: &[FrontendResult]) -> String {
    let mut upstreams: Vec<&str> = results
        .iter()
        .flat_map(|r| r.upstreams.keys().map(String::as_str))
        .collect();
    upstreams.sort_unstable();
    upstreams.dedup();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let mut header: Vec<String> = ["front end", "address", "HTTP", "latency", "status"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(upstreams.iter().map(|u| u.to_string()));
    header.extend(["served by".to_string(), "error".to_string()]);
    t.set_header(header);
    for r in results {
        let mut row = vec![
            r.name.clone(),
            r.address.clone(),
            r.http_status.map(|c| c.to_string()).unwrap_or("-".into()),
            format!("{} ms", r.latency_ms),
            match (r.outcome, r.status) {
                (Outcome::Unreachable, _) => "unreachable".to_string(),
                (Outcome::Pong, _) => "pong".to_string(),
                (Outcome::Fail, Some(s)) => s.word().to_string(),
                (Outcome::Fail, None) => "garbled".to_string(),
            },
        ];
        for u in &upstreams {
            row.push(match r.upstreams.get(*u) {
                Some(p) => p.word().to_string(),
                None if r.outcome == Outcome::Unreachable => "-".to_string(),
                None => "missing".to_string(),
            });
        }
        row.push(r.served_by.clone().unwrap_or("-".into()));
        row.push(r.error.clone().unwrap_or_default());
        t.add_row(row);
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_front_end_and_a_column_per_upstream() {
        let a = FrontendResult::answered(
            "fe1.example",
            "10.0.0.21:443",
            "u",
            200,
            br#"{"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"},"served_by":"be1"}"#,
            12,
        );
        let b = FrontendResult::answered(
            "fe2.example",
            "10.0.0.22:443",
            "u",
            500,
            br#"{"status":"fail","upstreams":{"chef_sql":"fail"}}"#,
            9,
        );
        let c =
            FrontendResult::unreachable("fe3.example", "10.0.0.23:443", "u", "refused".into(), 1);
        let t = table(&[a, b, c]);
        let rows: Vec<&str> = t.lines().filter(|l| l.contains(".example")).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(t.contains("chef_sql") && t.contains("redis_lb"), "{t}");
        assert!(rows[0].contains("pong") && rows[0].contains("be1"), "{t}");
        assert!(
            rows[1].contains("fail") && rows[1].contains("missing"),
            "{t}"
        );
        assert!(
            rows[2].contains("unreachable") && rows[2].contains("refused"),
            "{t}"
        );
    }
}
