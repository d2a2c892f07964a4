//! The private-chef.rb subset parser, the Config accessors and the path overrides.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use private_chef_ctl::config::{
    parse, Config, ErrorKind, Role, ServiceManagerKind, TopologyKind, Value, Vip,
};
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config")
        .join(name)
}

fn load(name: &str) -> Config {
    Config::load(&fixture(name)).unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn from(text: &str) -> Config {
    Config::from_text(text, Path::new("/etc/opscode/private-chef.rb")).unwrap()
}

fn err(text: &str) -> (usize, usize, String) {
    let e = parse(text).unwrap_err();
    (e.line, e.col, e.message())
}

#[test]
fn lab_fixture_parses_to_the_lab_pair() {
    let c = load("lab-private-chef.rb");
    assert_eq!(c.kind(), TopologyKind::Ha);
    assert_eq!(c.topology.api_fqdn.as_deref(), Some("chef.lab.example"));
    let be: Vec<_> = c.backends().iter().map(|s| s.fqdn.as_str()).collect();
    assert_eq!(be, ["be1.lab.example", "be2.lab.example"]);
    let be1 = &c.topology.servers[0];
    assert_eq!(be1.ipaddress, ip("198.51.100.11"));
    assert_eq!(be1.cluster_ipaddress, Some(ip("192.0.2.11")));
    assert_eq!(be1.role, Role::Backend);
    assert!(be1.bootstrap);
    assert!(!c.topology.servers[1].bootstrap);
    assert!(c.keepalived_enabled());
    assert!(c.drbd_enabled());
    assert_eq!(c.drbd_primary_ip(), Some(ip("192.0.2.11")));
    assert_eq!(c.drbd_secondary_ip(), Some(ip("192.0.2.12")));
    assert_eq!(c.drbd_port(), 7788);
    assert_eq!(
        c.vip(),
        Some(Vip {
            address: ip("198.51.100.10"),
            prefix: Some(24),
            device: "eth0".into()
        })
    );
    assert_eq!(c.vrrp_interface().as_deref(), Some("eth0"));
    assert!(c.skipped.is_empty());
    assert_eq!(c.paths, private_chef_ctl::config::Paths::default());
}

#[test]
fn this_server_and_peer_match_fqdn_or_short_name() {
    let c = load("lab-private-chef.rb");
    assert_eq!(
        c.this_server("be1.lab.example").map(|s| s.fqdn.as_str()),
        Some("be1.lab.example")
    );
    assert_eq!(
        c.this_server("BE2").map(|s| s.fqdn.as_str()),
        Some("be2.lab.example")
    );
    assert!(c.this_server("be1.other.example").is_none());
    assert!(c.this_server("fe1").is_none());
    assert_eq!(
        c.peer_of("be1").map(|s| s.fqdn.as_str()),
        Some("be2.lab.example")
    );
    assert_eq!(
        c.peer_of("be2.lab.example").map(|s| s.fqdn.as_str()),
        Some("be1.lab.example")
    );
    assert!(c.peer_of("nobody").is_none());
}

#[test]
fn ec11_documented_fixture() {
    let c = load("ec11-ha-private-chef.rb");
    assert_eq!(c.topology.servers.len(), 4);
    assert_eq!(c.backends().len(), 2);
    assert_eq!(c.topology.servers[2].role, Role::Frontend);
    assert!(c.peer_of("fe1.example.com").is_none());
    let bv = c.topology.backend_vip.as_ref().unwrap();
    assert_eq!(bv.fqdn, "be.example.com");
    assert_eq!(bv.heartbeat_device.as_deref(), Some("eth1"));
    assert_eq!(bv.prefix, None);
    assert_eq!(c.drbd_primary_ip(), Some(ip("10.1.2.10")));
    assert_eq!(c.drbd_secondary_ip(), Some(ip("10.1.2.12")));
    // VRRP runs on the VIP's device, not the heartbeat device (OC-3642).
    assert_eq!(c.vrrp_interface().as_deref(), Some("eth0"));
    assert_eq!(c.vip().unwrap().address, ip("192.168.4.7"));
    let be1 = c.backends()[0];
    assert_eq!(c.drbd_role_of(be1), Some("primary"));
}

#[test]
fn skipped_fixture_records_skips_and_applies_overrides() {
    let c = load("skipped-private-chef.rb");
    let lines: Vec<usize> = c.skipped.iter().map(|s| s.line).collect();
    // line 13, nginx['ssl_port'], is used since issue 11 (frontend-status' HTTPS port)
    assert_eq!(lines, [12, 14, 15, 16, 17, 19, 20]);
    assert_eq!(c.skipped[0].text, "notification_email \"ops@lab.example\"");
    assert_eq!(
        c.skipped[4].text,
        "lb['upstream']['opscode-erchef'] = [ \"127.0.0.1\", \"127.0.0.2\", ]"
    );
    // Attributes stay readable, used or not.
    assert_eq!(c.attr("nginx", "ssl_port"), Some(&Value::Int(443)));
    assert_eq!(
        c.attr("opscode_erchef", "max_request_size"),
        Some(&Value::Int(2_000_000))
    );
    assert_eq!(
        c.attr_path("lb", &["upstream", "opscode-erchef"]),
        Some(&Value::Array(vec![
            Value::Str("127.0.0.1".into()),
            Value::Str("127.0.0.2".into())
        ]))
    );
    assert_eq!(
        c.topology.setting("notification_email"),
        Some(&Value::Str("ops@lab.example".into()))
    );
    // Single quotes, parentheses, labels and a trailing comma parse like the lab file.
    assert_eq!(c.backends()[1].cluster_ipaddress, Some(ip("192.0.2.12")));
    // Used attributes.
    assert_eq!(c.drbd_primary_ip(), Some(ip("192.0.2.21")));
    assert_eq!(c.drbd_secondary_ip(), Some(ip("192.0.2.12")));
    assert_eq!(c.vrrp_interface().as_deref(), Some("eth1"));
    let p = &c.paths;
    assert_eq!(p.drbd_disk, Path::new("/dev/vg0/drbd"));
    assert_eq!(p.drbd_data_dir, Path::new("/srv/drbd/data"));
    assert_eq!(p.keepalived_dir, Path::new("/srv/keepalived"));
    assert_eq!(
        p.requested_status,
        Path::new("/srv/keepalived/requested_cluster_status")
    );
    assert_eq!(
        p.current_status,
        Path::new("/srv/keepalived/current_cluster_status")
    );
    assert_eq!(
        p.transition_lock,
        Path::new("/srv/keepalived/cluster-transition.lock")
    );
    assert_eq!(p.service_manager, ServiceManagerKind::Systemd);
    assert_eq!(p.svwait_secs, 45);
    assert_eq!(p.proc_drbd, Path::new("/tmp/proc_drbd"));
    assert_eq!(p.drbd_device, Path::new("/dev/drbd0"));
}

#[test]
fn enable_flags_and_topology_kinds() {
    let c = from("topology \"ha\"\nkeepalived['enable'] = false\n");
    assert!(!c.keepalived_enabled());
    assert!(c.drbd_enabled());
    let c = from("topology \"tier\"\n");
    assert_eq!(c.kind(), TopologyKind::Tier);
    assert!(!c.keepalived_enabled() && !c.drbd_enabled());
    let c = from("# nothing\n\n");
    assert_eq!(c.kind(), TopologyKind::Standalone);
    assert!(c.topology.topology.is_none());
    assert!(c.vip().is_none() && c.vrrp_interface().is_none());
    assert!(c.drbd_primary_ip().is_none());
    let c = from("topology 'standalone'\ndrbd['enable'] = true\n");
    assert!(c.drbd_enabled());
}

#[test]
fn drbd_and_vip_overrides() {
    let c = from(
        "server 'a', :ipaddress => '10.0.0.1', :role => 'backend'\n\
         server 'b', :ipaddress => '10.0.0.2', :role => 'backend'\n\
         drbd['secondary']['ip'] = '10.9.9.2'\n\
         drbd['primary']['port'] = 7790\n\
         keepalived['vrrp_instance_ipaddress'] = 'fd00::10/64'\n\
         keepalived['vrrp_instance_ipaddress_dev'] = 'bond0'\n",
    );
    assert_eq!(c.drbd_primary_ip(), Some(ip("10.0.0.1")));
    assert_eq!(c.drbd_secondary_ip(), Some(ip("10.9.9.2")));
    assert_eq!(c.drbd_port(), 7790);
    assert_eq!(
        c.vip(),
        Some(Vip {
            address: ip("fd00::10"),
            prefix: Some(64),
            device: "bond0".into()
        })
    );
    // No backend_vip: no VRRP interface unless configured.
    assert_eq!(c.vrrp_interface(), None);
}

#[test]
fn derived_paths_follow_their_base() {
    let c = from(
        "private_chef_ctl['data_dir'] = '/data'\n\
         private_chef_ctl['log_dir'] = '/logs'\n\
         private_chef_ctl['base_dir'] = '/nonexistent-base'\n\
         private_chef_ctl['etc_dir'] = '/cfg'\n\
         private_chef_ctl['current_status'] = '/elsewhere/current'\n",
    );
    let p = &c.paths;
    assert_eq!(p.keepalived_dir, Path::new("/data/keepalived"));
    assert_eq!(
        p.requested_status,
        Path::new("/data/keepalived/requested_cluster_status")
    );
    assert_eq!(p.current_status, Path::new("/elsewhere/current"));
    assert_eq!(p.drbd_dir, Path::new("/data/drbd"));
    assert_eq!(p.drbd_data_dir, Path::new("/data/drbd/data"));
    assert_eq!(p.cluster_log, Path::new("/logs/keepalived/cluster.log"));
    assert_eq!(p.audit_log, Path::new("/logs/private-chef-ctl/audit.log"));
    assert_eq!(p.sv_dir, Path::new("/nonexistent-base/sv"));
    assert_eq!(p.service_dir, Path::new("/nonexistent-base/service"));
    assert_eq!(p.init_dir, Path::new("/nonexistent-base/init"));
    assert_eq!(p.sv_bin, Path::new("sv"));
    assert_eq!(p.running_config, Path::new("/cfg/chef-server-running.json"));

    let c = from(
        "drbd['dir'] = '/d'\nkeepalived['log_directory'] = '/kl'\ndrbd['resource'] = 'r0'\n\
         ha['path'] = '/hapath'\n",
    );
    assert_eq!(c.paths.drbd_dir, Path::new("/d"));
    assert_eq!(c.paths.drbd_data_dir, Path::new("/hapath"));
    assert_eq!(c.paths.cluster_log, Path::new("/kl/cluster.log"));
    assert_eq!(c.paths.drbd_resource, "r0");
    // drbd['data_dir'] wins over ha['path']; private_chef_ctl wins over both.
    let c = from("ha['path'] = '/h'\ndrbd['data_dir'] = '/dd'\n");
    assert_eq!(c.paths.drbd_data_dir, Path::new("/dd"));
    let c = from("drbd['data_dir'] = '/dd'\nprivate_chef_ctl['drbd_data_dir'] = '/ours'\n");
    assert_eq!(c.paths.drbd_data_dir, Path::new("/ours"));
    // sv_bin follows base_dir when the omnibus sv exists there.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("embedded/bin")).unwrap();
    std::fs::write(dir.path().join("embedded/bin/sv"), "").unwrap();
    let c = from(&format!(
        "private_chef_ctl['base_dir'] = {:?}\n",
        dir.path().display().to_string()
    ));
    assert_eq!(c.paths.sv_bin, dir.path().join("embedded/bin/sv"));
}

#[test]
fn strings_escapes_and_values() {
    let t = parse(
        "api_fqdn \"a\\tb\\\"c\\u00e9\\x41\"\n\
         nginx['x'] = 'it\\'s \\n raw'\n\
         nginx['y'] = [1, -2, 0.5, nil, true, :sym, [\"n\"]]\n\
         nginx[:z] = \"#not-interpolation\"; nginx['w'] = 1\n",
    )
    .unwrap();
    assert_eq!(t.api_fqdn.as_deref(), Some("a\tb\"céA"));
    assert_eq!(
        t.attr("nginx", "x"),
        Some(&Value::Str("it's \\n raw".into()))
    );
    assert_eq!(
        t.attr("nginx", "y"),
        Some(&Value::Array(vec![
            Value::Int(1),
            Value::Int(-2),
            Value::Float(0.5),
            Value::Nil,
            Value::Bool(true),
            Value::Symbol("sym".into()),
            Value::Array(vec![Value::Str("n".into())]),
        ]))
    );
    assert_eq!(
        t.attr("nginx", "z"),
        Some(&Value::Str("#not-interpolation".into()))
    );
    assert_eq!(t.attr("nginx", "w"), Some(&Value::Int(1)));
}

#[test]
fn unsupported_fixtures_report_line_column_and_message() {
    let expected_stmt = "unsupported Ruby: expected a setting (topology, server, backend_vip, \
                         api_fqdn, …) or an attribute assignment (drbd['…'] = …), found";
    let cases: &[(&str, usize, usize, String)] = &[
        ("if.rb", 2, 1, format!("{expected_stmt} `if`")),
        ("constant.rb", 2, 1, format!("{expected_stmt} `DOMAIN`")),
        ("do-block.rb", 1, 1, format!("{expected_stmt} `[`")),
        (
            "unknown-method.rb",
            2,
            1,
            format!("{expected_stmt} `my_setting`"),
        ),
        (
            "interpolation.rb",
            2,
            16,
            "unsupported Ruby: expected a string without interpolation, found `#{`".into(),
        ),
        (
            "concatenation.rb",
            2,
            18,
            "unsupported Ruby: expected `,` or end of line, found `+`".into(),
        ),
        (
            "unterminated.rb",
            2,
            10,
            "unsupported Ruby: expected a closing `\"`, found end of file".into(),
        ),
        (
            "unknown-key.rb",
            5,
            3,
            "unknown key :weight for server \"be1.lab.example\" (expected :ipaddress, :role, \
             :bootstrap, :cluster_ipaddress)"
                .into(),
        ),
        (
            "bad-ip.rb",
            2,
            41,
            "invalid IP address \"198.51.100.311\" for :ipaddress of server \"be1.lab.example\""
                .into(),
        ),
    ];
    for (name, line, col, msg) in cases {
        let path = fixture(&format!("unsupported/{name}"));
        let e = Config::load(&path).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}:{line}:{col}: {msg}", path.display()),
            "{name}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let pe = parse(&text).unwrap_err();
        assert_eq!((pe.line, pe.col, pe.message()), (*line, *col, msg.clone()));
    }
}

#[test]
fn more_errors_with_positions() {
    assert_eq!(
        err("drbd['enable'] = \"yes\"\n"),
        (
            1,
            18,
            "drbd['enable'] must be true or false, not \"yes\"".into()
        )
    );
    assert_eq!(
        err("topology \"cluster\"\n"),
        (
            1,
            10,
            "topology must be \"ha\", \"standalone\" or \"tier\", not \"cluster\"".into()
        )
    );
    assert_eq!(
        err("server \"a\", :role => \"backend\"\n"),
        (1, 1, "server \"a\" has no :ipaddress".into())
    );
    assert_eq!(
        err("server \"a\", \"ipaddress\" => \"10.0.0.1\"\n"),
        (
            1,
            13,
            "unsupported Ruby: expected a symbol key like `:ipaddress`, found \"ipaddress\"".into()
        )
    );
    assert_eq!(
        err("backend_vip \"v\", :ipaddress => \"10.0.0.1/33\"\n"),
        (
            1,
            32,
            "invalid prefix length in \"10.0.0.1/33\" (0 to 32) for :ipaddress of backend_vip \"v\""
                .into()
        )
    );
    assert_eq!(
        err("private_chef_ctl['nope'] = '/x'\n").2,
        format!(
            "unknown key private_chef_ctl['nope'] (expected one of: {})",
            private_chef_ctl::config::topology::PRIVATE_CHEF_CTL_KEYS.join(", ")
        )
    );
    assert_eq!(
        err("drbd['primary']['ip'] = '1.2.3'\n"),
        (
            1,
            25,
            "drbd['primary']['ip'] must be an IP address string, not \"1.2.3\"".into()
        )
    );
    assert_eq!(
        err("private_chef_ctl['service_manager'] = 'upstart'\n").0,
        1
    );
    assert_eq!(
        err("nginx['a'] ||= 1\n"),
        (
            1,
            12,
            "unsupported Ruby: expected `=` or `[`, found `|`".into()
        )
    );
    assert_eq!(
        err("frobnicate['a'] = 1\n"),
        (
            1,
            1,
            "unsupported Ruby: expected a setting (topology, server, backend_vip, api_fqdn, …) \
             or an attribute assignment (drbd['…'] = …), found `frobnicate`"
                .into()
        )
    );
    assert_eq!(
        err("server 'a', :ipaddress => '10.0.0.1', :role => 'backend'\nserver 'A', :ipaddress => '10.0.0.2', :role => 'backend'\n"),
        (2, 1, "server \"A\" is already defined on line 1".into())
    );
    // Columns count characters, not bytes.
    assert_eq!(
        err("api_fqdn \"é\" x\n"),
        (
            1,
            14,
            "unsupported Ruby: expected `,` or end of line, found `x`".into()
        )
    );
    let e = parse("api_fqdn 'a' 'b'").unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Unsupported { .. }));
    assert_eq!(
        e.to_string(),
        "1:14: unsupported Ruby: expected `,` or end of line, found \"b\""
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!(
        "nginx['a'] = {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let e = parse(&text).unwrap_err();
    // 16 levels are accepted; the 17th `[` (column 14 + 16) is refused.
    assert_eq!((e.line, e.col), (1, 30));
}

#[test]
fn missing_file_names_the_path() {
    let e = Config::load(Path::new("/nonexistent/private-chef.rb")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read /nonexistent/private-chef.rb: No such file or directory"
    );
}

fn fixture_texts() -> Vec<String> {
    [
        "lab-private-chef.rb",
        "ec11-ha-private-chef.rb",
        "skipped-private-chef.rb",
    ]
    .iter()
    .map(|n| std::fs::read_to_string(fixture(n)).unwrap())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>(), 0u8..3), 1..8),
    ) {
        let mut chars: Vec<char> = fixture_texts()[which].chars().collect();
        for (at, c, op) in edits {
            if chars.is_empty() {
                chars.push(c);
                continue;
            }
            let i = at.index(chars.len());
            match op {
                0 => chars[i] = c,
                1 => chars.insert(i, c),
                _ => {
                    chars.remove(i);
                }
            }
        }
        let text: String = chars.into_iter().collect();
        if let Err(e) = parse(&text) {
            prop_assert!(e.line >= 1 && e.col >= 1);
            prop_assert!(e.line <= text.lines().count() + 1);
        }
    }

    #[test]
    fn truncated_fixtures_never_panic(which in 0usize..3, cut in any::<prop::sample::Index>()) {
        let chars: Vec<char> = fixture_texts()[which].chars().collect();
        let text: String = chars[..cut.index(chars.len() + 1)].iter().collect();
        let _ = parse(&text);
    }
}

/// A name from private-chef.rb goes into argument vectors (`drbdadm primary NAME`, `ip addr
/// show dev NAME`): one that reads as an option, or holds characters DRBD and iproute2 do
/// not accept, is refused at load with the attribute named.
#[test]
fn names_that_read_as_options_are_refused() {
    for (line, attr) in [
        ("drbd['resource'] = \"--force\"", "drbd['resource']"),
        (
            "private_chef_ctl['drbd_resource'] = \"-x\"",
            "private_chef_ctl['drbd_resource']",
        ),
        (
            "keepalived['vrrp_instance_interface'] = \"-h\"",
            "keepalived['vrrp_instance_interface']",
        ),
        (
            "keepalived['vrrp_instance_ipaddress_dev'] = \"eth0;reboot\"",
            "keepalived['vrrp_instance_ipaddress_dev']",
        ),
        ("drbd['resource'] = \"pc0 --force\"", "drbd['resource']"),
    ] {
        let e = private_chef_ctl::config::parse(&format!("topology \"ha\"\n{line}\n")).unwrap_err();
        let m = e.to_string();
        assert!(
            m.starts_with("2:") && m.contains(attr) && m.contains("not starting with `-`"),
            "{line}: {m}"
        );
    }
    for ok in ["pc0", "r0", "eth0:1", "bond0.100", "drbd_data-1"] {
        assert!(
            private_chef_ctl::config::topology::is_plain_name(ok),
            "{ok}"
        );
    }
}
