//! The front ends' `/_status`: the documented body, one front end's answer as
//! `frontend-status` saw it, and the command's JSON document.
//!
//! erchef's `/_status` (chef-ha-ctl.md §8) answers `200` with
//! `{"status":"pong","upstreams":{"chef_sql":"pong",…}}` when every upstream answers, and
//! `500` with the same shape, `"fail"` for each upstream that did not. Other top-level keys
//! (`keygen`, `indexing`, `analytics_queue`, `server_version`) are ignored. One extension is
//! read when present: `"served_by"`, the name of the back end that answered (the lab's
//! front end reports it; erchef does not).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The largest `/_status` body read (erchef's is well under 1 KiB).
pub const MAX_BODY_BYTES: u64 = 1 << 20;

/// `pong` or `fail`, as erchef writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pong {
    Pong,
    Fail,
}

impl Pong {
    fn parse(s: &str) -> Option<Pong> {
        match s {
            "pong" => Some(Pong::Pong),
            "fail" => Some(Pong::Fail),
            _ => None,
        }
    }

    /// `pong` / `fail`.
    pub fn word(self) -> &'static str {
        match self {
            Pong::Pong => "pong",
            Pong::Fail => "fail",
        }
    }
}

/// A `/_status` body in the documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusBody {
    /// The overall `status`.
    pub status: Pong,
    /// Each upstream's answer.
    pub upstreams: BTreeMap<String, Pong>,
    /// The back end that answered, when the front end says (not part of erchef's body).
    pub served_by: Option<String>,
}

/// Parses a `/_status` body. Pure, never panics: anything that is not the documented JSON
/// is an error saying what was expected and what was found.
pub fn parse_status_body(body: &[u8]) -> Result<StatusBody, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "not JSON ({e}); expected {{\"status\":\"pong|fail\",\"upstreams\":{{…}}}}, found {}",
            excerpt(body)
        )
    })?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("expected a JSON object, found {}", kind(&v)))?;
    let status = match obj.get("status") {
        Some(serde_json::Value::String(s)) => Pong::parse(s)
            .ok_or_else(|| format!("\"status\" must be \"pong\" or \"fail\", not {s:?}"))?,
        Some(other) => {
            return Err(format!(
                "\"status\" must be \"pong\" or \"fail\", not {}",
                kind(other)
            ))
        }
        None => return Err("no \"status\" key".to_string()),
    };
    let mut upstreams = BTreeMap::new();
    match obj.get("upstreams") {
        Some(serde_json::Value::Object(m)) => {
            for (name, val) in m {
                let p = val.as_str().and_then(Pong::parse).ok_or_else(|| {
                    format!(
                        "upstream {:?} must be \"pong\" or \"fail\", not {}",
                        clip(name),
                        match val.as_str() {
                            Some(s) => format!("{:?}", clip(s)),
                            None => kind(val).to_string(),
                        }
                    )
                })?;
                upstreams.insert(clip(name), p);
            }
        }
        Some(other) => {
            return Err(format!(
                "\"upstreams\" must be an object, not {}",
                kind(other)
            ))
        }
        None => return Err("no \"upstreams\" key".to_string()),
    }
    let served_by = match obj.get("served_by") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(clip(s)),
        Some(other) => {
            return Err(format!(
                "\"served_by\" must be a host name, not {}",
                kind(other)
            ))
        }
    };
    Ok(StatusBody {
        status,
        upstreams,
        served_by,
    })
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// At most 64 characters of a name from the network, control characters replaced.
fn clip(s: &str) -> String {
    s.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The first bytes of a body, printable.
fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "an empty body".to_string();
    }
    let s = String::from_utf8_lossy(&body[..body.len().min(60)]);
    let more = if body.len() > 60 { "…" } else { "" };
    format!("{:?}{more}", clip(&s))
}

/// How one front end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// 200 and every upstream pong.
    Pong,
    /// It answered, but not all is well: an upstream fails, a 500, another HTTP code, or a
    /// body that is not the documented JSON.
    Fail,
    /// No HTTP answer: refused, timed out, name or TLS failure.
    Unreachable,
}

/// One front end's `/_status`, as seen from here (`frontend-status --json`'s entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendResult {
    /// The front end's name (its `server` FQDN).
    pub name: String,
    /// The address connected to.
    pub address: String,
    /// The URL asked (`https://API_FQDN/_status`, or `http://…` after the fallback).
    pub url: String,
    /// The HTTP status code, `null` without an answer.
    pub http_status: Option<u16>,
    /// Milliseconds from the request to the end of the answer (or to the failure).
    pub latency_ms: u64,
    /// The body's `status`, `null` when there was no documented body.
    pub status: Option<Pong>,
    /// Each upstream's answer (empty without a documented body).
    pub upstreams: BTreeMap<String, Pong>,
    /// The back end that answered, when the front end says.
    pub served_by: Option<String>,
    /// What went wrong, `null` when all pong.
    pub error: Option<String>,
    /// The classification.
    pub outcome: Outcome,
}

impl FrontendResult {
    /// The result of an HTTP answer (`code`, `body`) after `latency_ms`.
    pub fn answered(
        name: &str,
        address: &str,
        url: &str,
        code: u16,
        body: &[u8],
        latency_ms: u64,
    ) -> FrontendResult {
        let mut r = FrontendResult {
            name: name.to_string(),
            address: address.to_string(),
            url: url.to_string(),
            http_status: Some(code),
            latency_ms,
            status: None,
            upstreams: BTreeMap::new(),
            served_by: None,
            error: None,
            outcome: Outcome::Fail,
        };
        match parse_status_body(body) {
            Ok(b) => {
                let failed: Vec<&str> = b
                    .upstreams
                    .iter()
                    .filter(|(_, p)| **p == Pong::Fail)
                    .map(|(n, _)| n.as_str())
                    .collect();
                r.error = if code != 200 && code != 500 {
                    Some(format!("HTTP {code} (expected 200 or 500)"))
                } else if !failed.is_empty() {
                    Some(format!("upstream fails: {}", failed.join(", ")))
                } else if b.status == Pong::Fail || code == 500 {
                    Some(format!("status {} with HTTP {code}", b.status.word()))
                } else if b.upstreams.is_empty() {
                    Some("no upstreams in the answer".to_string())
                } else {
                    None
                };
                if r.error.is_none() {
                    r.outcome = Outcome::Pong;
                }
                r.status = Some(b.status);
                r.upstreams = b.upstreams;
                r.served_by = b.served_by;
            }
            Err(e) => {
                r.error = Some(format!(
                    "HTTP {code}, body is not the documented /_status JSON: {e}"
                ));
            }
        }
        r
    }

    /// The result of a request that got no HTTP answer.
    pub fn unreachable(
        name: &str,
        address: &str,
        url: &str,
        why: String,
        latency_ms: u64,
    ) -> FrontendResult {
        FrontendResult {
            name: name.to_string(),
            address: address.to_string(),
            url: url.to_string(),
            http_status: None,
            latency_ms,
            status: None,
            upstreams: BTreeMap::new(),
            served_by: None,
            error: Some(why),
            outcome: Outcome::Unreachable,
        }
    }
}

/// `frontend-status --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendsDoc {
    /// Every front end pong.
    pub ok: bool,
    /// The command's exit code.
    pub exit_code: i32,
    /// One entry per front end, in the order asked.
    pub frontends: Vec<FrontendResult>,
}

/// ha-diagnose's third witness: what the front ends see of the pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendsSeen {
    /// Every front end's answer (as `frontend-status --json`'s entries).
    pub results: Vec<FrontendResult>,
    /// The back end the front ends reach, when that is known.
    pub reached: Option<String>,
    /// How `reached` is known: `reported` (the front ends' `served_by`) or `inferred` (the
    /// only back end that is Primary with cluster status master, while the front ends pong).
    pub how: Option<String>,
    /// Front ends report different back ends: both are serving.
    pub disagree: bool,
    /// Every front end pong.
    pub all_pong: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_bodies() {
        let b = parse_status_body(
            br#"{"status":"pong","upstreams":{"chef_solr":"pong","chef_sql":"pong","chef_otto":"pong","oc_chef_authz":"pong"},"keygen":{"keys":10}}"#,
        )
        .unwrap();
        assert_eq!(b.status, Pong::Pong);
        assert_eq!(b.upstreams.len(), 4);
        assert_eq!(b.served_by, None);
        let b = parse_status_body(
            br#"{"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"pong"},"served_by":"be1.lab.example"}"#,
        )
        .unwrap();
        assert_eq!(b.status, Pong::Fail);
        assert_eq!(b.upstreams["chef_sql"], Pong::Fail);
        assert_eq!(b.served_by.as_deref(), Some("be1.lab.example"));
    }

    #[test]
    fn bodies_that_are_not_the_documented_json_say_what_was_found() {
        for (body, want) in [
            (&b""[..], "not JSON"),
            (
                b"<html>502 Bad Gateway</html>",
                "\"<html>502 Bad Gateway</html>\"",
            ),
            (b"[1]", "expected a JSON object, found an array"),
            (b"{}", "no \"status\" key"),
            (br#"{"status":"ok","upstreams":{}}"#, "not \"ok\""),
            (br#"{"status":1,"upstreams":{}}"#, "not a number"),
            (br#"{"status":"pong"}"#, "no \"upstreams\" key"),
            (
                br#"{"status":"pong","upstreams":[]}"#,
                "must be an object, not an array",
            ),
            (
                br#"{"status":"pong","upstreams":{"a":"timeout"}}"#,
                "upstream \"a\"",
            ),
            (
                br#"{"status":"pong","upstreams":{"a":true}}"#,
                "not a boolean",
            ),
            (
                br#"{"status":"pong","upstreams":{},"served_by":7}"#,
                "served_by",
            ),
        ] {
            let e = parse_status_body(body).unwrap_err();
            assert!(e.contains(want), "{body:?}: {e}");
        }
    }

    #[test]
    fn classification() {
        let pong = br#"{"status":"pong","upstreams":{"chef_sql":"pong"}}"#;
        let fail = br#"{"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"pong"}}"#;
        let r = FrontendResult::answered("fe1", "a", "u", 200, pong, 3);
        assert_eq!((r.outcome, r.error.as_deref()), (Outcome::Pong, None));
        let r = FrontendResult::answered("fe1", "a", "u", 500, fail, 3);
        assert_eq!(r.outcome, Outcome::Fail);
        assert_eq!(r.error.as_deref(), Some("upstream fails: chef_sql"));
        // a pong body with 500, a fail body with 200, another code, garbage: all fail
        for (code, body) in [
            (500, &pong[..]),
            (200, br#"{"status":"fail","upstreams":{"x":"pong"}}"#),
            (404, pong),
            (200, b"pong"),
            (200, br#"{"status":"pong","upstreams":{}}"#),
        ] {
            let r = FrontendResult::answered("fe1", "a", "u", code, body, 3);
            assert_eq!(r.outcome, Outcome::Fail, "{code} {body:?}");
            assert!(r.error.is_some());
        }
    }

    #[test]
    fn names_from_the_network_are_clipped_and_printable() {
        let long = "x".repeat(500);
        let body =
            format!(r#"{{"status":"pong","upstreams":{{"{long}":"pong","a\u001b[2J":"pong"}}}}"#);
        let b = parse_status_body(body.as_bytes()).unwrap();
        assert!(b.upstreams.keys().all(|k| k.chars().count() <= 64));
        assert!(b.upstreams.contains_key("a?[2J"));
    }
}
