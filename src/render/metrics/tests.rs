use std::collections::BTreeMap;

use super::*;

pub(crate) fn fixture(name: &str) -> Sample {
    let p = format!(
        "{}/fixtures/monitor/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&p).unwrap();
    serde_json::from_str(&text).unwrap()
}

const FIXTURES: &[&str] = &[
    "healthy-master",
    "resync-source",
    "split-brain",
    "came-back-alone",
    "unreadable",
];

/// `name{labels}` → value text.
fn samples(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn v(m: &BTreeMap<String, String>, key: &str) -> String {
    m.get(key)
        .unwrap_or_else(|| panic!("no series {key}"))
        .clone()
}

const DEV: &str = "device=\"drbd0\",resource=\"pc0\"";

#[test]
fn byte_counters_are_bytes() {
    let m = samples(&exposition(&fixture("healthy-master")));
    // ns and nr are both KiB in /proc/drbd: both times 1024 (node_exporter has nr × 1)
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_network_sent_bytes_total{{{DEV}}}")
        ),
        "17740228608"
    );
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_network_received_bytes_total{{{DEV}}}")
        ),
        "11224075264"
    );
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_activitylog_writes_total{{{DEV}}}")
        ),
        "1020"
    );
}

#[test]
fn healthy_master() {
    let m = samples(&exposition(&fixture("healthy-master")));
    let st = |s: &str| format!("chef_ha_drbd_connection_state{{{DEV},state=\"{s}\"}}");
    assert_eq!(v(&m, &st("Connected")), "1");
    assert_eq!(v(&m, &st("SyncSource")), "0");
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_data_relation{{{DEV},relation=\"same\"}}")
        ),
        "1"
    );
    assert_eq!(v(&m, &format!("chef_ha_drbd_split_brain{{{DEV}}}")), "0");
    assert_eq!(v(&m, "chef_ha_vrrp_state{state=\"MASTER\"}"), "1");
    assert_eq!(v(&m, "chef_ha_peer_up"), "1");
    assert_eq!(v(&m, "chef_ha_peer_cluster_status{state=\"backup\"}"), "1");
    assert_eq!(
        v(&m, "chef_ha_service_want_up{service=\"postgresql\"}"),
        "1"
    );
    assert_eq!(
        v(
            &m,
            "chef_ha_frontend_request_duration_seconds{frontend=\"fe2.lab.example\"}"
        ),
        "0.03"
    );
    assert_eq!(v(&m, "chef_ha_health{state=\"ok\"}"), "1");
}

#[test]
fn resync_progress() {
    let m = samples(&exposition(&fixture("resync-source")));
    let k = |n: &str| v(&m, &format!("{n}{{{DEV}}}"));
    assert_eq!(k("chef_ha_drbd_connected"), "0");
    assert_eq!(k("chef_ha_drbd_peer_link_up"), "1");
    assert_eq!(k("chef_ha_drbd_resync_remaining_bytes"), "5222400000");
    assert_eq!(k("chef_ha_drbd_resync_total_bytes"), "8908800000");
    assert_eq!(k("chef_ha_drbd_resync_eta_seconds"), "432");
    assert_eq!(k("chef_ha_drbd_resync_speed_bytes_per_second"), "12083200");
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_resync_active{{{DEV},kind=\"resync\"}}")
        ),
        "1"
    );
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_disk_state{{{DEV},node=\"remote\",state=\"Inconsistent\"}}")
        ),
        "1"
    );
    assert_eq!(v(&m, "chef_ha_health{state=\"warning\"}"), "1");
}

#[test]
fn split_brain_and_two_masters() {
    let m = samples(&exposition(&fixture("split-brain")));
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_data_relation{{{DEV},relation=\"diverged\"}}")
        ),
        "1"
    );
    assert_eq!(v(&m, &format!("chef_ha_drbd_split_brain{{{DEV}}}")), "1");
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_last_split_brain_timestamp_seconds{{{DEV}}}")
        ),
        "1796119200"
    );
    assert_eq!(v(&m, "chef_ha_peer_cluster_status{state=\"master\"}"), "1");
    assert_eq!(v(&m, "chef_ha_health{state=\"critical\"}"), "1");
}

#[test]
fn came_back_alone() {
    let m = samples(&exposition(&fixture("came-back-alone")));
    assert_eq!(v(&m, &format!("chef_ha_came_back_alone{{{DEV}}}")), "1");
    assert_eq!(v(&m, &format!("chef_ha_promotable_alone{{{DEV}}}")), "0");
    assert_eq!(v(&m, "chef_ha_transition_error"), "1");
    assert_eq!(v(&m, "chef_ha_peer_up"), "0");
    assert_eq!(
        v(
            &m,
            "chef_ha_replication_address_up{link=\"secondary\",address=\"192.168.100.12\"}"
        ),
        "0"
    );
    assert_eq!(
        v(&m, "chef_ha_frontend_up{frontend=\"fe1.lab.example\"}"),
        "0"
    );
    assert_eq!(
        v(
            &m,
            "chef_ha_frontend_upstream_up{frontend=\"fe1.lab.example\",upstream=\"chef_sql\"}"
        ),
        "0"
    );
}

#[test]
fn an_unreadable_source_is_a_value_not_a_missing_series() {
    let healthy = samples(&exposition(&fixture("healthy-master")));
    let m = samples(&exposition(&fixture("unreadable")));
    // every DRBD, keepalived and self series of a healthy node is there (the per-service,
    // per-front-end and peer-answer series need their source to name them)
    for key in healthy.keys() {
        // (and the info labels, which name what was read)
        let named_by_source = [
            "chef_ha_service_",
            "chef_ha_frontend_",
            "chef_ha_drbd_info{",
        ]
        .iter()
        .any(|p| key.starts_with(p));
        if !named_by_source {
            assert!(
                m.contains_key(key),
                "{key} missing when sources are unreadable"
            );
        }
    }
    assert_eq!(
        v(&m, &format!("chef_ha_drbd_out_of_sync_bytes{{{DEV}}}")),
        "NaN"
    );
    assert_eq!(v(&m, &format!("chef_ha_drbd_connected{{{DEV}}}")), "NaN");
    let connection_states: Vec<_> = m
        .iter()
        .filter(|(k, _)| k.starts_with("chef_ha_drbd_connection_state{"))
        .collect();
    assert_eq!(connection_states.len(), 25);
    assert!(connection_states.iter().all(|(_, v)| *v == "0"));
    assert_eq!(
        v(
            &m,
            &format!("chef_ha_drbd_data_relation{{{DEV},relation=\"unknown\"}}")
        ),
        "1"
    );
    assert_eq!(v(&m, "chef_ha_probe_success{probe=\"drbd\"}"), "0");
    assert_eq!(v(&m, "chef_ha_probe_success{probe=\"config\"}"), "1");
    assert_eq!(v(&m, "chef_ha_peer_up"), "NaN");
    assert_eq!(v(&m, "chef_ha_health{state=\"unknown\"}"), "1");
}

#[test]
fn well_formed_on_every_fixture() {
    for name in FIXTURES {
        let text = exposition(&fixture(name));
        assert!(text.ends_with('\n'), "{name}");
        let mut seen_families = std::collections::BTreeSet::new();
        let mut current = String::new();
        let mut series = std::collections::BTreeSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let fam = rest.split(' ').next().unwrap_or_default().to_string();
                assert!(seen_families.insert(fam.clone()), "{name}: {fam} twice");
                assert!(fam.starts_with("chef_ha_"), "{name}: {fam}");
                current = fam;
            } else if !line.starts_with('#') {
                let key = line.rsplit_once(' ').map(|(k, _)| k).unwrap_or(line);
                assert!(
                    key.starts_with(&current),
                    "{name}: {line} outside its family"
                );
                assert!(series.insert(key.to_string()), "{name}: {key} twice");
            }
        }
    }
}

#[test]
fn labels_and_values_are_escaped() {
    let mut s = fixture("healthy-master");
    if let Some(v) = s.services.as_mut() {
        v[0].name = "we\"ird\\na\nme".to_string();
    }
    let text = exposition(&s);
    assert!(text.contains("service=\"we\\\"ird\\\\na\\nme\""), "{text}");
    assert_eq!(value_text(f64::INFINITY), "+Inf");
    assert_eq!(value_text(f64::NEG_INFINITY), "-Inf");
    assert_eq!(value_text(1e21), "1000000000000000000000");
}

#[test]
fn fencing_and_frozen_writes() {
    use crate::drbd::running_config::{parse_dump_handlers, parse_show, RunningConfig};
    let config = |show: &str, dump: &str| {
        let read = |n: &str| {
            std::fs::read_to_string(format!(
                "{}/fixtures/drbd-config/{n}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        RunningConfig::new(
            parse_show(&read(show), "pc0").unwrap(),
            parse_dump_handlers(&read(dump), "pc0").map_err(|e| e.to_string()),
        )
    };
    let key = format!("chef_ha_drbd_fencing_ok{{{DEV}}}");
    let mut s = fixture("healthy-master");
    // not read (an older document, or drbdsetup unavailable): NaN, never a pass
    assert_eq!(v(&samples(&exposition(&s)), &key), "NaN");
    s.status.drbd_config = Some(config("show-fenced.txt", "dump-fenced.txt"));
    assert_eq!(v(&samples(&exposition(&s)), &key), "1");
    s.status.drbd_config = Some(config("show-unfenced.txt", "dump-unfenced.txt"));
    assert_eq!(v(&samples(&exposition(&s)), &key), "0");
    // handlers not read, nothing else wrong: unknown
    let mut c = config("show-fenced.txt", "dump-fenced.txt");
    c.handlers = None;
    s.status.drbd_config = Some(c);
    assert_eq!(v(&samples(&exposition(&s)), &key), "NaN");

    let frozen = format!("chef_ha_drbd_io_suspended{{{DEV}}}");
    assert_eq!(v(&samples(&exposition(&s)), &frozen), "0");
    let d = &mut s.status.drbd.as_mut().unwrap().devices[0];
    d.io_flags = Some("s-----".into());
    d.io_suspended = true;
    assert_eq!(v(&samples(&exposition(&s)), &frozen), "1");
}
