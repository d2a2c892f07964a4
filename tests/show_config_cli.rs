//! `private-chef-ctl show-config` end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(args)
        .env_remove("PRIVATE_CHEF_CTL_CONFIG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn json_of_the_lab_pair() {
    let path = fixture("lab-private-chef.rb");
    let p = path.to_str().unwrap();
    let o = run(&["--config", p, "show-config", "--json"]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let expected = json!({
        "source": p,
        "topology": "ha",
        "servers": [
            {"fqdn": "be1.lab.example", "ipaddress": "198.51.100.11", "role": "backend",
             "bootstrap": true, "cluster_ipaddress": "192.0.2.11"},
            {"fqdn": "be2.lab.example", "ipaddress": "198.51.100.12", "role": "backend",
             "bootstrap": false, "cluster_ipaddress": "192.0.2.12"},
        ],
        "backend_vip": {"fqdn": "backend.lab.example", "address": "198.51.100.10", "prefix": 24,
                        "device": "eth0", "heartbeat_device": null},
        "vrrp_interface": "eth0",
        "api_fqdn": "chef.lab.example",
        "keepalived_enabled": true,
        "drbd_enabled": true,
        "drbd": {"primary_ip": "192.0.2.11", "secondary_ip": "192.0.2.12", "port": 7788,
                 "resource": "pc0"},
        "quorum": {"arbiter": null, "peer_stop_after_secs": 15, "self_fence_after_secs": 20},
        "paths": serde_json::to_value(private_chef_ctl::config::Paths::default()).unwrap(),
        "skipped": [],
    });
    assert_eq!(v, expected);
    let paths = v["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 24);
    assert_eq!(paths["drbd_data_dir"], "/var/opt/opscode/drbd/data");
    assert_eq!(paths["svwait_secs"], 30);
    assert_eq!(paths["service_manager"], "runit");
}

#[test]
fn json_lists_skipped_lines_and_overrides() {
    let path = fixture("skipped-private-chef.rb");
    let o = run(&["show-config", "--json", "--config", path.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["skipped"][0],
        json!({"line": 12, "text": "notification_email \"ops@lab.example\""})
    );
    // nginx['ssl_port'] (line 13) is used since issue 11
    assert_eq!(v["skipped"].as_array().unwrap().len(), 7);
    assert_eq!(v["paths"]["keepalived_dir"], "/srv/keepalived");
    assert_eq!(
        v["paths"]["transition_lock"],
        "/srv/keepalived/cluster-transition.lock"
    );
    assert_eq!(v["paths"]["service_manager"], "systemd");
    assert_eq!(v["drbd"]["primary_ip"], "192.0.2.21");
    assert_eq!(v["vrrp_interface"], "eth1");
}

#[test]
fn text_output_and_verbose_skipped_lines() {
    let path = fixture("skipped-private-chef.rb");
    let p = path.to_str().unwrap();
    let o = run(&["--config", p, "show-config"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("Topology:            ha"), "{out}");
    assert!(
        out.contains("backend.lab.example 198.51.100.10/24 dev eth0"),
        "{out}"
    );
    assert!(out.contains("be1.lab.example"), "{out}");
    assert!(
        out.contains("/srv/keepalived/requested_cluster_status"),
        "{out}"
    );
    assert!(out.contains("7 line(s) skipped"), "{out}");
    assert!(!out.contains("line 14:"), "{out}");

    let o = run(&["--config", p, "-v", "show-config"]);
    let out = stdout(&o);
    assert!(
        out.contains("  line 14: opscode_erchef['max_request_size'] = 2_000_000\n")
            && !out.contains("line 13:"),
        "{out}"
    );
    assert!(
        out.contains("  line 20: keepalived['vrrp_instance_password'] = <redacted>\n")
            && !out.contains("sneakybeaky"),
        "{out}"
    );
}

#[test]
fn config_from_the_environment() {
    let path = fixture("ec11-ha-private-chef.rb");
    let o = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(["show-config", "--json"])
        .env("PRIVATE_CHEF_CTL_CONFIG", &path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["backend_vip"]["heartbeat_device"], "eth1");
    assert_eq!(v["backend_vip"]["prefix"], serde_json::Value::Null);
    assert_eq!(v["servers"].as_array().unwrap().len(), 4);
    assert_eq!(
        v["servers"][3]["cluster_ipaddress"],
        serde_json::Value::Null
    );
    assert_eq!(v["servers"][3]["role"], "frontend");
}

#[test]
fn missing_file_exits_1_naming_the_path() {
    let o = run(&["--config", "/nonexistent/private-chef.rb", "show-config"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("cannot read /nonexistent/private-chef.rb: No such file or directory"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn unsupported_ruby_exits_1_with_position() {
    let path = fixture("unsupported/interpolation.rb");
    let o = run(&["--config", path.to_str().unwrap(), "show-config", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "{}:2:16: unsupported Ruby: expected a string without interpolation, found `#{{`",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn help_documents_the_overrides() {
    let o = run(&["show-config", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("--json"), "{out}");
    assert!(out.contains("keepalived['dir']"), "{out}");
    assert!(out.contains("private_chef_ctl['<field>']"), "{out}");
    assert!(out.contains("ha['path']"), "{out}");
}

/// Planted secrets appear nowhere: not in show-config's text or JSON, not in `-v`'s skipped
/// lines, not in a parse error, not in ha-status's JSON `config` check.
#[test]
fn secrets_are_never_printed() {
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("private-chef.rb");
    std::fs::write(
        &good,
        "topology \"ha\"\n\
         postgresql['db_superuser_password'] = \"TopSecret9\"\n\
         keepalived['vrrp_instance_password'] = \"TopSecret9\"\n\
         opscode_erchef['sql_token'] = 'TopSecret9'\n\
         ha['notify_command'] = \"/usr/local/bin/page --token TopSecret9\"\n",
    )
    .unwrap();
    let bad = d.path().join("broken.rb");
    std::fs::write(
        &bad,
        "topology \"ha\"\npostgresql['db_superuser_password'] = TopSecret9\n",
    )
    .unwrap();
    let mut seen = Vec::new();
    for (cfg, args) in [
        (&good, &["show-config", "--json"][..]),
        (&good, &["-v", "show-config"][..]),
        (&good, &["show-config"][..]),
        (&bad, &["show-config"][..]),
        (&bad, &["show-config", "--json"][..]),
        (&bad, &["ha-status", "--json"][..]),
    ] {
        let mut a = vec!["--config", cfg.to_str().unwrap()];
        a.extend_from_slice(args);
        let o = run(&a);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !all.contains("TopSecret9"),
            "{args:?} printed a secret:\n{all}"
        );
        seen.push(all);
    }
    // what is shown instead
    assert!(
        seen[1].contains("postgresql['db_superuser_password'] = <redacted>"),
        "{}",
        seen[1]
    );
    assert!(
        seen[1].contains("\"/usr/local/bin/page <redacted>\""),
        "{}",
        seen[1]
    );
    assert!(
        seen[3].contains("line") || seen[3].contains(":2:"),
        "{}",
        seen[3]
    );
    assert!(seen[3].contains("<redacted>"), "{}", seen[3]);
}
