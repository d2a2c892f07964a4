//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use private_chef_ctl::drbd::proc::parse;
use private_chef_ctl::drbd::running_config::{parse_dump_handlers, parse_show, RunningConfig};
use private_chef_ctl::model::{
    Known, NodeState, NodeView, PeerView, Reachability, ServiceFact, VipSpec,
};

/// Writes an executable script at `path` without this process ever holding a writable
/// descriptor to it: the test process writes a non-executable draft and a child (`install`)
/// creates the script. Otherwise a fork in another test thread can inherit the write
/// descriptor and a concurrent exec of the script fails with ETXTBSY ("Text file busy").
pub fn write_executable(path: &Path, text: &str) {
    let draft = path.with_extension("draft");
    std::fs::write(&draft, text).unwrap();
    let st = Command::new("install")
        .arg("-m")
        .arg("755")
        .arg(&draft)
        .arg(path)
        .status()
        .unwrap();
    assert!(
        st.success(),
        "install -m 755 {} {}",
        draft.display(),
        path.display()
    );
    std::fs::remove_file(&draft).unwrap();
}

/// A throw-away node layout under `d` (runit dirs, keepalived state, logs, an empty
/// /proc/mounts, the audit log) and a private-chef.rb pointing at it, with `proc_drbd`
/// as /proc/drbd. Returns the config path.
pub fn node_layout(d: &Path, proc_drbd: &Path) -> PathBuf {
    std::fs::create_dir_all(d.join("sv")).unwrap();
    std::fs::create_dir_all(d.join("service")).unwrap();
    std::fs::create_dir_all(d.join("empty-path")).unwrap();
    std::fs::write(d.join("mounts"), "").unwrap();
    let config = d.join("private-chef.rb");
    std::fs::write(
        &config,
        format!(
            r#"topology "ha"
private_chef_ctl['sv_dir'] = "{d}/sv"
private_chef_ctl['service_dir'] = "{d}/service"
private_chef_ctl['keepalived_dir'] = "{d}/ka"
private_chef_ctl['log_dir'] = "{d}/log"
private_chef_ctl['proc_mounts'] = "{d}/mounts"
private_chef_ctl['proc_drbd'] = "{fx}"
private_chef_ctl['audit_log'] = "{d}/audit/audit.log"
"#,
            d = d.display(),
            fx = proc_drbd.display()
        ),
    )
    .unwrap();
    config
}

/// A throw-away node layout ([`node_layout`]) with `fixtures/transition/<proc_fixture>` as
/// /proc/drbd. Returns the directory (removed when dropped) and the config path.
pub fn node_with(proc_fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let fx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transition")
        .join(proc_fixture);
    let config = node_layout(dir.path(), &fx);
    (dir, config)
}

/// Runs the binary with `--config config` on the layout in `dir`: stdin /dev/null (not a
/// terminal), PATH empty.
pub fn ctl(dir: &tempfile::TempDir, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("PATH", dir.path().join("empty-path"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A healthy master's /proc/drbd.
pub const MASTER_DRBD: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 2A1C8A8D5B9F4E7E2E5C6F1 \n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:1024 nr:0 dw:1024 dr:2048 al:1 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";

pub fn svc(name: &str, ha: bool, up: bool) -> ServiceFact {
    ServiceFact {
        name: name.into(),
        ha,
        up: Known::Known(up),
    }
}

/// `fixtures/drbd-config/<name>`.
pub fn drbd_config_fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/drbd-config")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The planned fenced configuration of pc0 (`show-fenced.txt`, `dump-fenced.txt`).
pub fn fenced_config() -> RunningConfig {
    running_config("show-fenced.txt", "dump-fenced.txt")
}

/// The running configuration of pc0 from two fixtures of `fixtures/drbd-config/`.
pub fn running_config(show: &str, dump: &str) -> RunningConfig {
    RunningConfig::new(
        parse_show(&drbd_config_fixture(show), "pc0").unwrap(),
        parse_dump_handlers(&drbd_config_fixture(dump), "pc0").map_err(|e| e.to_string()),
    )
}

pub fn master_state() -> NodeState {
    NodeState {
        config_error: None,
        keepalived_enabled: true,
        drbd_enabled: true,
        drbd_disk: PathBuf::from("/dev/opscode/drbd"),
        drbd_disk_exists: Known::Known(true),
        drbd_device: PathBuf::from("/dev/drbd0"),
        drbd_device_exists: Known::Known(true),
        requested_status: Known::Known("master".into()),
        current_status: Known::Known("master".into()),
        transition_failure: None,
        vip: Some(VipSpec {
            address: "198.51.100.10".parse().unwrap(),
            prefix: Some(24),
            device: "eth0".into(),
        }),
        vip_present: Known::Known(true),
        vrrp_interface: Some("eth0".into()),
        vrrp_interface_exists: Known::Known(true),
        drbd_minor: 0,
        quorum: private_chef_ctl::model::QuorumView::Off,
        proc_drbd_path: PathBuf::from("/proc/drbd"),
        drbd: Known::Known(parse(MASTER_DRBD.as_bytes()).unwrap()),
        drbd_resource: "pc0".into(),
        drbd_config: Known::Known(fenced_config()),
        data_dir: PathBuf::from("/var/opt/opscode/drbd/data"),
        data_dir_mounted: Known::Known(true),
        primary: Reachability {
            address: Some("192.0.2.11".parse().unwrap()),
            reachable: Known::Known(true),
        },
        secondary: Reachability {
            address: Some("192.0.2.12".parse().unwrap()),
            reachable: Known::Known(true),
        },
        // deliberately unsorted: the checks sort by name
        services: Known::Known(vec![
            svc("redis_lb", true, true),
            svc("keepalived", false, true),
            svc("postgresql", true, true),
        ]),
    }
}

/// Both views of a diagnosis fixture, `fixtures/diagnose/<name>.json` (`name` may be
/// `lab/<stem>`): `{"local": NodeView, "peer": PeerView}`.
pub fn diagnose_views(name: &str) -> (NodeView, PeerView) {
    let p = format!(
        "{}/fixtures/diagnose/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    (
        serde_json::from_value(v["local"].clone()).unwrap(),
        serde_json::from_value(v["peer"].clone()).unwrap(),
    )
}
