//! `metrics` and `check` from the command line, on a throw-away node layout: the three
//! ways out of `metrics` and their bad inputs (a linked or untrusted --textfile directory,
//! a --listen port in use), and the check's plugin contract (exit 0–3 only, the first
//! line's form, its own timeout, thresholds that do not parse).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A layout whose topology names this host and a peer reached through `ssh` (a script).
fn layout(ssh_body: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, config) = common::node_with("both-secondary-connected.txt");
    let d = dir.path();
    let ssh = d.join("ssh");
    common::write_executable(&ssh, &format!("#!/bin/sh\n{ssh_body}\n"));
    let me = private_chef_ctl::sys::hostname_or("localhost");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        r#"private_chef_ctl['drbd_dir'] = "{d}/drbd"
server "{me}",
  :ipaddress => "127.0.0.1",
  :role => "backend",
  :bootstrap => true,
  :cluster_ipaddress => "127.0.0.1"
server "peer.invalid",
  :ipaddress => "127.0.0.2",
  :role => "backend",
  :cluster_ipaddress => "127.0.0.2"
ha['ssh_command'] = "{ssh}"
ha['ssh_timeout'] = 30
"#,
        d = d.display(),
        ssh = ssh.display()
    ));
    std::fs::write(&config, text).unwrap();
    (dir, config)
}

fn ctl(dir: &tempfile::TempDir, config: &Path, args: &[&str]) -> std::process::Output {
    common::ctl(dir, config, args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn metrics_to_stdout() {
    let (dir, config) = layout("exit 255");
    let out = ctl(&dir, &config, &["metrics", "--no-frontends"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let o = text(&out.stdout);
    assert!(o.contains("# TYPE chef_ha_drbd_connection_state gauge"));
    assert!(o.contains(
        "chef_ha_drbd_connection_state{device=\"drbd0\",resource=\"pc0\",state=\"Connected\"} 1"
    ));
    // the peer was asked (ssh exits 255: unreachable) and the front ends were not
    assert!(o.contains("chef_ha_peer_up 0"), "{o}");
    assert!(
        o.contains("chef_ha_probe_success{probe=\"frontends\"} 0"),
        "{o}"
    );
}

#[test]
fn textfile_is_replaced_whole() {
    let (dir, config) = layout("exit 255");
    let out_dir = dir.path().join("textfile");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::set_permissions(&out_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for _ in 0..2 {
        let t = out_dir.to_str().unwrap();
        let out = ctl(&dir, &config, &["metrics", "--no-peer", "--textfile", t]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // no temp file left beside it
    assert_eq!(names, vec!["private_chef_ha.prom".to_string()]);
    let f = out_dir.join("private_chef_ha.prom");
    let body = std::fs::read_to_string(&f).unwrap();
    assert!(
        body.ends_with("chef_ha_health{state=\"unknown\"} 0\n"),
        "{body}"
    );
    let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn textfile_directory_refused_when_linked_untrusted_or_missing() {
    let (dir, config) = layout("exit 255");
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let missing = dir.path().join("missing");
    for (d, why) in [
        (&link, "symbolic link"),
        (&open, "world-writable"),
        (&missing, "No such file"),
    ] {
        let out = ctl(
            &dir,
            &config,
            &["metrics", "--no-peer", "--textfile", d.to_str().unwrap()],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(&d.display().to_string()), "{err}");
        assert!(err.contains(why), "{err}");
        assert!(out.stdout.is_empty());
    }
    // nothing written through the link, nothing in the open directory
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0);
}

#[test]
fn listen_on_a_port_in_use_is_an_error_naming_it() {
    let (dir, config) = layout("exit 255");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = ctl(&dir, &config, &["metrics", "--no-peer", "--listen", &addr]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&addr) && err.contains("in use"), "{err}");
}

#[test]
fn bad_listen_address_and_lonely_interval_are_refused() {
    let (dir, config) = layout("exit 255");
    let out = ctl(&dir, &config, &["metrics", "--listen", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'localhost' is not an address and port"));
    let out = ctl(&dir, &config, &["metrics", "--interval", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--interval needs --textfile"));
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    buf
}

#[test]
fn listen_serves_metrics_over_http() {
    let (dir, config) = layout("exit 255");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("--config")
        .arg(&config)
        .args(["metrics", "--no-peer", "--no-frontends", "--interval", "1"])
        .args(["--listen", &addr])
        .env("PATH", dir.path().join("empty-path"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let metrics = get(&addr, "/metrics");
    let other = get(&addr, "/nope");
    let _ = child.kill();
    let _ = child.wait();
    assert!(metrics.starts_with("HTTP/1.0 200"), "{metrics}");
    assert!(metrics.contains("text/plain; version=0.0.4"), "{metrics}");
    assert!(metrics.contains("chef_ha_build_info{version="), "{metrics}");
    assert!(other.starts_with("HTTP/1.0 404"), "{other}");
}

fn first_line(o: &std::process::Output) -> String {
    text(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn check_answers_in_plugin_terms() {
    let (dir, config) = layout("exit 255");
    let out = ctl(&dir, &config, &["check", "--no-frontends"]);
    let line = first_line(&out);
    // both Secondary, no cluster status: not OK, and only a plugin code
    let code = out.status.code().unwrap();
    assert!((1..=3).contains(&code), "{code}: {line}");
    assert!(line.starts_with("CHEF-HA "), "{line}");
    let (head, perf) = line.split_once(" | ").unwrap();
    let state = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][code as usize];
    assert!(head.starts_with(&format!("CHEF-HA {state}: ")), "{line}");
    assert!(perf.contains("'oos'=0B;;;0"), "{perf}");
    assert!(line.len() <= 1023);
    assert_eq!(text(&out.stdout).lines().count(), 1);
    let verbose = ctl(&dir, &config, &["check", "--no-frontends", "-v"]);
    let lines: Vec<String> = text(&verbose.stdout).lines().map(String::from).collect();
    assert!(lines.len() > 5, "{lines:?}");
    assert!(lines[1..].iter().all(|l| l.starts_with('[')), "{lines:?}");
    // the unreachable peer is one of them
    assert!(
        lines.iter().any(|l| l.starts_with("[WARNING] peer")),
        "{lines:?}"
    );
}

#[test]
fn check_times_out_with_unknown() {
    let (dir, config) = layout("exec /bin/sleep 5");
    let started = Instant::now();
    let out = ctl(&dir, &config, &["check", "--no-frontends", "-t", "1"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        first_line(&out),
        "CHEF-HA UNKNOWN: timed out after 1s reading this node's state (-t to allow more)"
    );
}

#[test]
fn check_refuses_bad_thresholds_with_unknown() {
    let (dir, config) = layout("exit 255");
    for (flag, value) in [
        ("--warning-oos", "10:5"),
        ("--critical-eta", "soon"),
        ("--warning-latency", "@"),
    ] {
        let out = ctl(&dir, &config, &["check", flag, value]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(flag) && err.contains(value), "{err}");
        assert!(err.contains("N:M"), "{err}");
    }
    let out = ctl(&dir, &config, &["check", "-t", "0"]);
    assert_eq!(out.status.code(), Some(3));
    let out = ctl(&dir, &config, &["check", "--help"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn metrics_without_a_topology_are_unknowns_and_say_why() {
    let (dir, _config) = layout("exit 255");
    let missing = dir.path().join("missing.rb");
    let out = ctl(&dir, &missing, &["metrics"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let o = text(&out.stdout);
    assert!(
        o.contains("chef_ha_probe_success{probe=\"config\"} 0"),
        "{o}"
    );
    assert!(o.contains("chef_ha_drbd_out_of_sync_bytes{device=\"drbd0\",resource=\"pc0\"} NaN"));
    assert!(o.contains("chef_ha_health{state=\"unknown\"} 1"));
}
