//! Tables: `drbd-status`'s device table and `ha-status --peer`'s side-by-side view.

use comfy_table::{presets::UTF8_FULL, Table};

use crate::drbd::{Device, ProcDrbd, ProgressKind};
use crate::model::{Check, NodeView, PeerView};
use crate::sys::time::hms;

/// One cell of the side-by-side table for a check.
fn check_cell(c: Option<&Check>) -> String {
    match c {
        Some(c) => c.line(),
        None => "-".to_string(),
    }
}

/// `ha-status --peer` as a table: one row per check id (this node's order, then the
/// peer's extra ids), plus the cluster status and DRBD rows; columns this node / peer.
pub fn side_by_side(local: &NodeView, peer: &PeerView) -> String {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
    let pname = peer.node().unwrap_or("peer").to_string();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "check".to_string(),
            format!("{} (this node)", local.node),
            format!("{pname} (peer)"),
        ]);
    let pv = peer.view();
    let missing = format!("{}: {}", peer.state(), peer.reason().unwrap_or("no view"));
    let cs = |v: &NodeView| {
        format!(
            "requested {}, current {}",
            v.cluster_status.requested.as_deref().unwrap_or("?"),
            v.cluster_status.current.as_deref().unwrap_or("?")
        )
    };
    let drbd = |v: &NodeView| match v.device() {
        Some(d) => d.summary(),
        None => v.device_missing_reason(),
    };
    t.add_row(vec![
        "cluster status".to_string(),
        cs(local),
        pv.map(cs).unwrap_or_else(|| missing.clone()),
    ]);
    t.add_row(vec![
        "DRBD".to_string(),
        drbd(local),
        pv.map(drbd).unwrap_or_else(|| "-".to_string()),
    ]);
    // issue 10: the generation identifiers, their relation and each node's own assessment
    let gen = |v: &NodeView| {
        let a = v
            .data
            .assessment
            .as_ref()
            .map(|a| a.text.as_str())
            .unwrap_or("");
        format!("{}\n{a}", v.data.ids_text()).trim_end().to_string()
    };
    t.add_row(vec![
        format!(
            "data generation ({})",
            crate::decide::data_relation::relation(local, peer).relation
        ),
        gen(local),
        pv.map(gen).unwrap_or_else(|| "-".to_string()),
    ]);
    let mut ids: Vec<&str> = local.checks.iter().map(|c| c.id.as_str()).collect();
    if let Some(v) = pv {
        for c in &v.checks {
            if !ids.contains(&c.id.as_str()) {
                ids.push(&c.id);
            }
        }
    }
    for id in ids {
        t.add_row(vec![
            id.to_string(),
            check_cell(local.check(id)),
            pv.map(|v| check_cell(v.check(id)))
                .unwrap_or_else(|| "-".to_string()),
        ]);
    }
    let code = |v: &NodeView| {
        v.exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".to_string())
    };
    t.add_row(vec![
        "exit code".to_string(),
        code(local),
        pv.map(code).unwrap_or_else(|| "-".to_string()),
    ]);
    format!("{t}\n")
}

/// The table: minor, cs, ro, ds, proto, flags, oos, sync, ETA.
pub fn drbd_table(proc: &ProcDrbd) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL);
    t.set_header([
        "minor", "cs", "ro", "ds", "proto", "flags", "oos", "sync", "ETA",
    ]);
    for d in &proc.devices {
        t.add_row(row(d));
    }
    t
}

fn pair<T: std::fmt::Display>(a: &Option<T>, b: &Option<T>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{a}/{b}"),
        _ => String::new(),
    }
}

fn row(d: &Device) -> Vec<String> {
    let (sync, eta) = match &d.sync {
        Some(s) => {
            let pct = s.percent.map(|p| format!("{p:.1}% ")).unwrap_or_default();
            let kind = match s.kind {
                ProgressKind::Sync => "",
                ProgressKind::Verify => "verify ",
            };
            let sync = format!("{kind}{pct}{}/{} KiB", s.done_kib, s.total_kib);
            let eta = match s.finish_secs {
                Some(secs) => hms(secs),
                None if s.finish_infinite => "∞".to_string(),
                None if s.stalled => "stalled".to_string(),
                None => String::new(),
            };
            (sync, eta)
        }
        None => (String::new(), String::new()),
    };
    vec![
        d.minor.to_string(),
        d.cs.to_string(),
        pair(&d.role, &d.peer_role),
        pair(&d.disk, &d.peer_disk),
        d.protocol.map(String::from).unwrap_or_default(),
        d.io_flags.clone().unwrap_or_default(),
        d.counters.oos.map(|o| o.to_string()).unwrap_or_default(),
        sync,
        eta,
    ]
}
