//! ha-status checks over a snapshot (goal: < 1 ms), and the JSON rendering.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use private_chef_ctl::decide::checks::run_checks;
use private_chef_ctl::drbd::proc::parse;
use private_chef_ctl::drbd::running_config::{parse_dump_handlers, parse_show, RunningConfig};
use private_chef_ctl::model::{Known, NodeState, Reachability, ServiceFact, StatusDoc, VipSpec};

/// The planned fenced configuration (`fixtures/drbd-config/`).
fn fenced() -> RunningConfig {
    let read = |n: &str| {
        std::fs::read_to_string(format!(
            "{}/fixtures/drbd-config/{n}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    };
    RunningConfig::new(
        parse_show(&read("show-fenced.txt"), "pc0").expect("valid sample"),
        parse_dump_handlers(&read("dump-fenced.txt"), "pc0").map_err(|e| e.to_string()),
    )
}

fn snapshot() -> NodeState {
    let proc_drbd = b"version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 2A1C8A8D5B9F4E7E2E5C6F1 \n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:1024 nr:0 dw:1024 dr:2048 al:1 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";
    // An EC11 back end has about 15 HA services plus keepalived.
    let names = [
        "bookshelf",
        "couchdb",
        "keepalived",
        "nginx",
        "oc_bifrost",
        "oc_id",
        "opscode-account",
        "opscode-certificate",
        "opscode-erchef",
        "opscode-expander",
        "opscode-org-creator",
        "opscode-solr",
        "opscode-webui",
        "postgresql",
        "rabbitmq",
        "redis_lb",
    ];
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
            address: "198.51.100.10".parse().expect("literal"),
            prefix: Some(24),
            device: "eth0".into(),
        }),
        vip_present: Known::Known(true),
        vrrp_interface: Some("eth0".into()),
        vrrp_interface_exists: Known::Known(true),
        drbd_minor: 0,
        quorum: private_chef_ctl::model::QuorumView::Off,
        proc_drbd_path: PathBuf::from("/proc/drbd"),
        drbd: Known::Known(parse(proc_drbd).expect("valid sample")),
        drbd_resource: "pc0".into(),
        drbd_config: Known::Known(fenced()),
        data_dir: PathBuf::from("/var/opt/opscode/drbd/data"),
        data_dir_mounted: Known::Known(true),
        primary: Reachability {
            address: Some("192.0.2.11".parse().expect("literal")),
            reachable: Known::Known(true),
        },
        secondary: Reachability {
            address: Some("192.0.2.12".parse().expect("literal")),
            reachable: Known::Known(true),
        },
        services: Known::Known(
            names
                .iter()
                .rev()
                .map(|n| ServiceFact {
                    name: n.to_string(),
                    ha: *n != "keepalived",
                    up: Known::Known(true),
                })
                .collect(),
        ),
    }
}

fn bench(c: &mut Criterion) {
    let s = snapshot();
    c.bench_function("ha_status checks (16 services)", |b| {
        b.iter(|| run_checks(std::hint::black_box(&s)))
    });
    c.bench_function("ha_status checks + text", |b| {
        b.iter(|| private_chef_ctl::render::text::report(&run_checks(std::hint::black_box(&s))))
    });
    let r = run_checks(&s);
    c.bench_function("ha_status json", |b| {
        b.iter(|| {
            serde_json::to_value(StatusDoc::new(std::hint::black_box(&s), &r))
                .unwrap()
                .to_string()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
