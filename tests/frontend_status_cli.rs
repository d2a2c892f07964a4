//! `frontend-status` against real HTTP listeners on loopback addresses (127.0.0.x), one per
//! front end: each answers every request with a canned response and records what it got.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PONG: &str = r#"{"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"},"served_by":"be1.example"}"#;
const FAIL: &str = r#"{"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"pong"}}"#;

/// A front end: answers `code` with `body` (or never answers when `code` is 0).
struct Fe {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve(ip: &str, port: u16, code: u16, body: &'static str) -> Fe {
    let l = TcpListener::bind((ip, port)).unwrap();
    let addr = l.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let req = read_head(&mut s);
                seen.lock().unwrap().push(req);
                if code == 0 {
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                }
                let reason = if code == 200 {
                    "OK"
                } else {
                    "Internal Server Error"
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    Fe { addr, requests }
}

fn read_head(s: &mut TcpStream) -> String {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 8192 {
        match s.read(&mut b) {
            Ok(1) => buf.push(b[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A port with nothing listening on `ip`.
fn closed_port(ip: &str) -> u16 {
    TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(dir: &Path, fes: &[(&str, &str)], extra: &str) -> std::path::PathBuf {
    let mut text = String::from(
        "topology \"ha\"\nserver \"be1.example\", :ipaddress => \"127.0.0.1\", :role => \"backend\", :bootstrap => true\napi_fqdn \"chef.example\"\n",
    );
    for (name, ip) in fes {
        text.push_str(&format!(
            "server \"{name}\", :ipaddress => \"{ip}\", :role => \"frontend\"\n"
        ));
    }
    text.push_str(extra);
    let p = dir.join("private-chef.rb");
    std::fs::write(&p, text).unwrap();
    p
}

fn run(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("--config")
        .arg(config)
        .arg("frontend-status")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&o.stdout));
    })
}

/// Ports for HTTP servers on both 127.0.0.2 and 127.0.0.3 (the settings' port is shared).
fn shared_port() -> u16 {
    loop {
        let p = closed_port("127.0.0.2");
        if TcpListener::bind(("127.0.0.3", p)).is_ok() {
            return p;
        }
    }
}

/// fe1 (127.0.0.2) and fe2 (127.0.0.3) on one port, asked over HTTP only.
fn two_front_ends(
    fe2_code: u16,
    fe2_body: &'static str,
) -> (tempfile::TempDir, u16, Fe, Fe, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = shared_port();
    let a = serve("127.0.0.2", p, 200, PONG);
    let b = serve("127.0.0.3", p, fe2_code, fe2_body);
    let cfg = config(
        d.path(),
        &[("fe1.example", "127.0.0.2"), ("fe2.example", "127.0.0.3")],
        &format!("ha['frontend_scheme'] = \"http\"\nnginx['non_ssl_port'] = {p}\n"),
    );
    (d, p, a, b, cfg)
}

/// fe1 (127.0.0.2) alone, asked over HTTP only.
fn one_front_end(code: u16, body: &'static str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let fe = serve("127.0.0.2", 0, code, body);
    let cfg = config(
        d.path(),
        &[("fe1.example", "127.0.0.2")],
        &format!(
            "ha['frontend_scheme'] = \"http\"\nnginx['non_ssl_port'] = {}\n",
            fe.addr.port()
        ),
    );
    (d, cfg)
}

#[test]
fn all_pong_is_exit_0_and_the_request_is_the_documented_one() {
    let (_d, p, a, b, cfg) = two_front_ends(200, PONG);
    let o = run(&cfg, &["--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["ok"], true);
    assert_eq!(v["exit_code"], 0);
    let fes = v["frontends"].as_array().unwrap();
    assert_eq!(fes.len(), 2);
    assert_eq!(fes[0]["name"], "fe1.example");
    assert_eq!(fes[1]["name"], "fe2.example");
    assert_eq!(fes[0]["address"], a.addr.to_string());
    for f in fes {
        assert_eq!(f["http_status"], 200);
        assert_eq!(f["status"], "pong");
        assert_eq!(f["upstreams"]["chef_sql"], "pong");
        assert_eq!(f["upstreams"]["redis_lb"], "pong");
        assert_eq!(f["served_by"], "be1.example");
        assert_eq!(f["error"], serde_json::Value::Null);
        assert!(f["latency_ms"].is_u64());
    }
    for fe in [&a, &b] {
        let reqs = fe.requests.lock().unwrap();
        let head = &reqs[0];
        assert!(head.starts_with("GET /_status HTTP/1.1\r\n"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("\r\nhost: chef.example:{p}\r\n")),
            "{head}"
        );
    }
    // the table: one row per front end, a column per upstream
    let o = run(&cfg, &[]);
    assert_eq!(o.status.code(), Some(0));
    let t = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        t.lines().filter(|l| l.contains("fe1.example")).count(),
        1,
        "{t}"
    );
    assert!(
        t.contains("chef_sql") && t.contains("redis_lb") && t.contains("be1.example"),
        "{t}"
    );
}

#[test]
fn an_upstream_that_fails_is_exit_1_and_an_unreachable_front_end_exit_2() {
    let (d, _p, _a, _b, cfg) = two_front_ends(500, FAIL);
    let o = run(&cfg, &["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["ok"], false);
    let fe2 = &v["frontends"][1];
    assert_eq!(fe2["http_status"], 500);
    assert_eq!(fe2["status"], "fail");
    assert_eq!(fe2["upstreams"]["chef_sql"], "fail");
    assert_eq!(fe2["error"], "upstream fails: chef_sql");
    // only fe1 asked: exit 0
    let o = run(&cfg, &["fe1"]);
    assert_eq!(o.status.code(), Some(0));

    // a front end where nothing listens (HTTPS and HTTP refused): exit 2, named
    let q = closed_port("127.0.0.4");
    let cfg = config(
        d.path(),
        &[("fe1.example", "127.0.0.2"), ("fe3.example", "127.0.0.4")],
        &format!("nginx['ssl_port'] = {q}\nnginx['non_ssl_port'] = {q}\n"),
    );
    let o = run(&cfg, &["--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    let fe3 = &v["frontends"][1];
    assert_eq!(fe3["name"], "fe3.example");
    assert_eq!(fe3["http_status"], serde_json::Value::Null);
    assert_eq!(fe3["status"], serde_json::Value::Null);
    let err = fe3["error"].as_str().unwrap();
    assert!(err.contains("connection refused"), "{err}");
    let o = run(&cfg, &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("front end fe3.example /_status unreachable"),
        "{stderr}"
    );
}

#[test]
fn auto_falls_back_to_http_only_when_https_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let fe = serve("127.0.0.2", 0, 200, PONG);
    let closed = closed_port("127.0.0.2");
    let cfg = config(
        d.path(),
        &[("fe1.example", "127.0.0.2")],
        &format!(
            "nginx['ssl_port'] = {closed}\nnginx['non_ssl_port'] = {}\n",
            fe.addr.port()
        ),
    );
    let o = run(&cfg, &["--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let v = json(&o);
    let url = v["frontends"][0]["url"].as_str().unwrap();
    assert!(url.starts_with("http://chef.example:"), "{url}");

    // HTTPS to a port that answers plain HTTP: a TLS failure, never a silent fallback
    let cfg = config(
        d.path(),
        &[("fe1.example", "127.0.0.2")],
        &format!(
            "nginx['ssl_port'] = {}\nnginx['non_ssl_port'] = {}\n",
            fe.addr.port(),
            fe.addr.port()
        ),
    );
    let o = run(&cfg, &["--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert!(v["frontends"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
}

#[test]
fn a_front_end_that_never_answers_is_unreachable_after_the_timeout() {
    let (_d, cfg) = one_front_end(0, "");
    let o = run(&cfg, &["--json", "--timeout", "0.5"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    let err = v["frontends"][0]["error"].as_str().unwrap();
    assert!(err.contains("timed out after 0.5 s"), "{err}");
}

#[test]
fn a_body_that_is_not_the_documented_json_is_reported_not_a_crash() {
    let (_d, cfg) = one_front_end(200, "<html><body>502 Bad Gateway</body></html>");
    let o = run(&cfg, &["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let f = &v["frontends"][0];
    assert_eq!(f["http_status"], 200);
    assert_eq!(f["status"], serde_json::Value::Null);
    let err = f["error"].as_str().unwrap();
    assert!(err.contains("not the documented /_status JSON"), "{err}");
}

#[test]
fn bad_configuration_is_exit_3_naming_the_problem() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path(), &[], "");
    let o = run(&cfg, &[]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no front ends in the topology"));
    let cfg = config(d.path(), &[("fe1.example", "127.0.0.2")], "");
    let o = run(&cfg, &["fe9"]);
    assert_eq!(o.status.code(), Some(3));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("\"fe9\" is not a front end") && e.contains("fe1.example"),
        "{e}"
    );
    let o = run(&d.path().join("missing.rb"), &[]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.rb"));
    // bad arguments are 3 here (2 means unreachable), with clap's message naming the range
    let o = run(&cfg, &["--timeout", "0"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--timeout"));
    let o = run(&cfg, &["--no-such-option"]);
    assert_eq!(o.status.code(), Some(3));
    // other commands keep 2
    let o = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(["ha-status", "--interval", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
