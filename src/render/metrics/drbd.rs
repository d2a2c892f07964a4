//! The DRBD families: node_exporter's `node_drbd_*` under our prefix (with the received
//! bytes in bytes: node_exporter multiplies `nr` by 1 instead of 1024), then what it does
//! not export: the states as state-sets, the link, the flags, the resync, the data
//! relation from the generation identifiers, split brain and the came-back-alone guard.

use super::{flag, maybe, Exposition, Kind};
use crate::decide::data_relation;
use crate::drbd::gi::Relation;
use crate::drbd::{ConnState, DeviceDoc, DiskState, ProgressKind, Role};
use crate::model::monitor::Sample;

const KIB: f64 = 1024.0;

/// Reads one meta-data flag.
type FlagOf = fn(&crate::drbd::gi::GiFlags) -> bool;

fn names<T>(known: &[T], f: impl Fn(&T) -> &str) -> Vec<&str> {
    known.iter().map(f).collect()
}

/// The relations, as label values.
pub const RELATIONS: &[&str] = &[
    "same",
    "local_newer",
    "peer_newer",
    "diverged",
    "unrelated",
    "unknown",
];

/// The relation's label value.
pub fn relation_label(r: Relation) -> &'static str {
    match r {
        Relation::Same => "same",
        Relation::LocalNewer => "local_newer",
        Relation::PeerNewer => "peer_newer",
        Relation::Diverged => "diverged",
        Relation::Unrelated => "unrelated",
        Relation::Unknown => "unknown",
    }
}

struct Counter {
    name: &'static str,
    kind: Kind,
    help: &'static str,
    scale: f64,
    value: fn(&DeviceDoc) -> Option<f64>,
}

fn u(v: Option<u64>) -> Option<f64> {
    v.map(|x| x as f64)
}

fn i(v: Option<i64>) -> Option<f64> {
    v.map(|x| x as f64)
}

const COUNTERS: &[Counter] = &[
    Counter {
        name: "chef_ha_drbd_network_sent_bytes_total",
        kind: Kind::Counter,
        help: "Bytes sent to the peer over the network (ns).",
        scale: KIB,
        value: |d| u(d.counters.ns),
    },
    Counter {
        name: "chef_ha_drbd_network_received_bytes_total",
        kind: Kind::Counter,
        help: "Bytes received from the peer over the network (nr, in KiB like ns: node_exporter reports it 1024 times too small).",
        scale: KIB,
        value: |d| u(d.counters.nr),
    },
    Counter {
        name: "chef_ha_drbd_disk_written_bytes_total",
        kind: Kind::Counter,
        help: "Bytes written to the local disk (dw).",
        scale: KIB,
        value: |d| u(d.counters.dw),
    },
    Counter {
        name: "chef_ha_drbd_disk_read_bytes_total",
        kind: Kind::Counter,
        help: "Bytes read from the local disk (dr).",
        scale: KIB,
        value: |d| u(d.counters.dr),
    },
    Counter {
        name: "chef_ha_drbd_activitylog_writes_total",
        kind: Kind::Counter,
        help: "Updates of the activity log area of the meta data (al).",
        scale: 1.0,
        value: |d| u(d.counters.al),
    },
    Counter {
        name: "chef_ha_drbd_bitmap_writes_total",
        kind: Kind::Counter,
        help: "Updates of the bitmap area of the meta data (bm).",
        scale: 1.0,
        value: |d| u(d.counters.bm),
    },
    Counter {
        name: "chef_ha_drbd_local_pending",
        kind: Kind::Gauge,
        help: "Open requests to the local I/O subsystem (lo).",
        scale: 1.0,
        value: |d| i(d.counters.lo),
    },
    Counter {
        name: "chef_ha_drbd_remote_pending",
        kind: Kind::Gauge,
        help: "Requests sent to the peer and not yet answered (pe).",
        scale: 1.0,
        value: |d| i(d.counters.pe),
    },
    Counter {
        name: "chef_ha_drbd_remote_unacknowledged",
        kind: Kind::Gauge,
        help: "Requests received from the peer and not yet answered (ua).",
        scale: 1.0,
        value: |d| i(d.counters.ua),
    },
    Counter {
        name: "chef_ha_drbd_application_pending",
        kind: Kind::Gauge,
        help: "Block I/O requests forwarded to DRBD and not yet answered (ap).",
        scale: 1.0,
        value: |d| i(d.counters.ap),
    },
    Counter {
        name: "chef_ha_drbd_epochs",
        kind: Kind::Gauge,
        help: "Epochs currently on the fly (ep).",
        scale: 1.0,
        value: |d| i(d.counters.ep),
    },
    Counter {
        name: "chef_ha_drbd_out_of_sync_bytes",
        kind: Kind::Gauge,
        help: "Data known to be out of sync with the peer, in bytes (oos).",
        scale: KIB,
        value: |d| u(d.counters.oos),
    },
];

/// The I/O flag at `pos` of the device line (`r-----`), when printed.
fn io_flag(d: &DeviceDoc, pos: usize) -> Option<char> {
    d.io_flags.as_ref().and_then(|f| f.chars().nth(pos))
}

/// Every DRBD family, for the resource's device (NaN and all-0 state-sets when it cannot
/// be read or is not in /proc/drbd).
pub fn families(e: &mut Exposition, s: &Sample) {
    let device = format!("drbd{}", s.minor);
    let base: [(&str, &str); 2] = [("device", &device), ("resource", &s.resource)];
    let dev = s.device().filter(|d| d.cs != ConnState::Unconfigured);
    let nan = f64::NAN;

    for c in COUNTERS {
        let v = dev.and_then(|d| (c.value)(d)).map(|v| v * c.scale);
        e.single(c.name, c.kind, c.help, &base, v.unwrap_or(nan));
    }

    // node_exporter-compatible booleans
    let roles = |d: &DeviceDoc| [("local", d.role.clone()), ("remote", d.peer_role.clone())];
    e.family(
        "chef_ha_drbd_node_role_is_primary",
        Kind::Gauge,
        "Whether the node (local, or remote as seen from here) is Primary.",
    );
    for node in ["local", "remote"] {
        let role = dev.and_then(|d| {
            roles(d)
                .into_iter()
                .find(|(n, _)| *n == node)
                .and_then(|(_, r)| r)
        });
        let l = [base[0], base[1], ("node", node)];
        e.sample(&l, maybe(role.map(|r| r == Role::Primary)));
    }
    e.family(
        "chef_ha_drbd_disk_state_is_up_to_date",
        Kind::Gauge,
        "Whether the disk of the node (local, or remote as seen from here) is UpToDate.",
    );
    for (node, disk) in [
        ("local", dev.and_then(|d| d.disk.clone())),
        ("remote", dev.and_then(|d| d.peer_disk.clone())),
    ] {
        let l = [base[0], base[1], ("node", node)];
        e.sample(&l, maybe(disk.map(|x| x == DiskState::UpToDate)));
    }
    e.single(
        "chef_ha_drbd_connected",
        Kind::Gauge,
        "Whether the connection state is exactly Connected (0 during a resync: see chef_ha_drbd_peer_link_up).",
        &base,
        maybe(dev.map(|d| d.cs == ConnState::Connected)),
    );

    // the states
    let cs_names = names(ConnState::KNOWN, |c| c.as_str());
    let cs = s.device().map(|d| d.cs.as_str().to_string());
    e.state_set(
        "chef_ha_drbd_connection_state",
        "The DRBD connection state (cs), one series per state.",
        &base,
        "state",
        &cs_names,
        cs.as_deref(),
    );
    e.single(
        "chef_ha_drbd_peer_link_up",
        Kind::Gauge,
        "Whether a replication link to the peer exists (Connected, resync, verify, Ahead/Behind).",
        &base,
        maybe(dev.map(|d| d.cs.is_connected())),
    );
    let role_names = names(Role::KNOWN, |r| r.as_str());
    per_node_states(
        e,
        &base,
        "chef_ha_drbd_role",
        "The DRBD role of the node (local, or remote as seen from here), one series per role.",
        &role_names,
        [
            dev.and_then(|d| d.role.as_ref()).map(|r| r.as_str()),
            dev.and_then(|d| d.peer_role.as_ref()).map(|r| r.as_str()),
        ],
    );
    let disk_names = names(DiskState::KNOWN, |d| d.as_str());
    per_node_states(
        e,
        &base,
        "chef_ha_drbd_disk_state",
        "The DRBD disk state of the node (local, or remote as seen from here), one series per state.",
        &disk_names,
        [
            dev.and_then(|d| d.disk.as_ref()).map(|d| d.as_str()),
            dev.and_then(|d| d.peer_disk.as_ref()).map(|d| d.as_str()),
        ],
    );

    // the I/O flags
    e.single(
        "chef_ha_drbd_io_suspended",
        Kind::Gauge,
        "Whether I/O on the device is suspended (first I/O flag s): on a Primary with resource-level fencing, writes are frozen until the peer is proven outdated.",
        &base,
        maybe(dev.map(|d| io_flag(d, 0) == Some('s'))),
    );
    e.single(
        "chef_ha_drbd_al_suspended",
        Kind::Gauge,
        "Whether activity-log updates are suspended (sixth I/O flag s).",
        &base,
        maybe(dev.map(|d| io_flag(d, 5) == Some('s'))),
    );
    e.family(
        "chef_ha_drbd_sync_paused",
        Kind::Gauge,
        "Whether the resync is paused, by reason (after: a resync-after dependency, peer, user).",
    );
    for (reason, pos, letter) in [("after", 1, 'a'), ("peer", 2, 'p'), ("user", 3, 'u')] {
        let l = [base[0], base[1], ("reason", reason)];
        e.sample(&l, maybe(dev.map(|d| io_flag(d, pos) == Some(letter))));
    }
    let wo = dev.and_then(|d| d.counters.wo).map(|c| match c {
        'b' => "barrier".to_string(),
        'f' => "flush".to_string(),
        'd' => "drain".to_string(),
        'n' => "none".to_string(),
        other => other.to_string(),
    });
    e.state_set(
        "chef_ha_drbd_write_ordering",
        "The write ordering method (wo), one series per method.",
        &base,
        "method",
        &["barrier", "flush", "drain", "none"],
        wo.as_deref(),
    );
    let version = s.status.drbd.as_ref().and_then(|d| d.version.clone());
    let api = s
        .status
        .drbd
        .as_ref()
        .and_then(|d| d.api.as_ref())
        .map(|a| match a {
            crate::drbd::json::Api::Number(n) => n.to_string(),
            crate::drbd::json::Api::Text(t) => t.clone(),
        });
    let protocol = dev.and_then(|d| d.protocol).map(String::from);
    let (v, a, p) = (
        version.unwrap_or_default(),
        api.unwrap_or_default(),
        protocol.unwrap_or_default(),
    );
    e.single(
        "chef_ha_drbd_info",
        Kind::Gauge,
        "The DRBD release, API and replication protocol (empty when not read); always 1.",
        &[
            base[0],
            base[1],
            ("version", &v),
            ("api", &a),
            ("protocol", &p),
        ],
        1.0,
    );

    let fencing = s
        .status
        .drbd_config
        .as_ref()
        .and_then(|c| crate::decide::fencing::assess(c).safe);
    e.single(
        "chef_ha_drbd_fencing_ok",
        Kind::Gauge,
        "Whether the running resource cannot lose acknowledged writes: protocol C, fencing resource-and-stonith, a fence-peer handler, no after-sb policy that discards changes (NaN: its configuration could not be read).",
        &base,
        maybe(fencing),
    );

    resync(e, s, &base, dev);
    data(e, s, &base, dev);
}

/// A state-set family with a `node` label: this node's state (`local`) and its peer's as
/// DRBD reports it here (`remote`); an unknown state sets every series to 0.
fn per_node_states(
    e: &mut Exposition,
    base: &[(&str, &str); 2],
    family: &str,
    help: &str,
    names: &[&str],
    states: [Option<&str>; 2],
) {
    e.family(family, Kind::Gauge, help);
    for (node, state) in ["local", "remote"].into_iter().zip(states) {
        let l = [base[0], base[1], ("node", node)];
        e.state_samples(&l, "state", names, state);
    }
}

fn resync(e: &mut Exposition, _s: &Sample, base: &[(&str, &str); 2], dev: Option<&DeviceDoc>) {
    let sync = dev.and_then(|d| d.sync.as_ref());
    e.family(
        "chef_ha_drbd_resync_active",
        Kind::Gauge,
        "Whether a resync (kind=resync) or an online verify (kind=verify) is running.",
    );
    for (kind, k) in [
        ("resync", ProgressKind::Sync),
        ("verify", ProgressKind::Verify),
    ] {
        let l = [base[0], base[1], ("kind", kind)];
        let v = dev.map(|d| {
            let running = match k {
                ProgressKind::Sync => d.cs.is_syncing(),
                ProgressKind::Verify => d.cs.is_verifying(),
            };
            running || sync.is_some_and(|x| x.kind == k)
        });
        e.sample(&l, maybe(v));
    }
    let idle = |v: Option<f64>| match (dev, sync) {
        (None, _) => f64::NAN,
        (Some(_), None) => 0.0,
        (Some(_), Some(_)) => v.unwrap_or(f64::NAN),
    };
    e.single(
        "chef_ha_drbd_resync_remaining_bytes",
        Kind::Gauge,
        "Bytes the running resync or verify still has to go (0 when none runs).",
        base,
        idle(sync.map(|x| x.total_kib.saturating_sub(x.done_kib) as f64 * KIB)),
    );
    e.single(
        "chef_ha_drbd_resync_total_bytes",
        Kind::Gauge,
        "Bytes the running resync or verify covers in all (0 when none runs).",
        base,
        idle(sync.map(|x| x.total_kib as f64 * KIB)),
    );
    e.single(
        "chef_ha_drbd_resync_eta_seconds",
        Kind::Gauge,
        "Seconds DRBD estimates the running resync or verify needs to finish (0 when none runs, NaN when DRBD gives no estimate).",
        base,
        idle(sync.and_then(|x| x.finish_secs).map(|x| x as f64)),
    );
    e.single(
        "chef_ha_drbd_resync_speed_bytes_per_second",
        Kind::Gauge,
        "The current resync or verify speed, bytes per second (0 when none runs).",
        base,
        idle(sync.and_then(|x| x.speed_kib_s).map(|x| x as f64 * KIB)),
    );
    e.single(
        "chef_ha_drbd_resync_stalled",
        Kind::Gauge,
        "Whether DRBD says the running resync is stalled.",
        base,
        match dev {
            None => f64::NAN,
            Some(_) => flag(sync.is_some_and(|x| x.stalled)),
        },
    );
}

fn data(e: &mut Exposition, s: &Sample, base: &[(&str, &str); 2], dev: Option<&DeviceDoc>) {
    let (local, peer) = s.views();
    let rel = data_relation::relation(&local, &peer);
    e.state_set(
        "chef_ha_drbd_data_relation",
        "How this node's data relates to the peer's, from both nodes' generation identifiers (unknown: a side's identifiers were not read).",
        base,
        "relation",
        RELATIONS,
        Some(relation_label(rel.relation)),
    );
    let standalone_after_record =
        dev.is_some_and(|d| d.cs == ConnState::StandAlone) && s.split_brain.is_some();
    e.single(
        "chef_ha_drbd_split_brain",
        Kind::Gauge,
        "Whether the pair is in split brain: the data relation is diverged, or DRBD is StandAlone with a split-brain record.",
        base,
        flag(rel.relation == Relation::Diverged || standalone_after_record),
    );
    e.single(
        "chef_ha_drbd_last_split_brain_timestamp_seconds",
        Kind::Gauge,
        "When the split-brain handler last recorded an event on this node, seconds since the epoch (0: never).",
        base,
        s.split_brain
            .as_ref()
            .and_then(|r| r.epoch)
            .map(|t| t as f64)
            .unwrap_or(0.0),
    );
    let ids = s.status.generation.as_ref().and_then(|g| g.ids.as_ref());
    e.family(
        "chef_ha_drbd_generation_flag",
        Kind::Gauge,
        "The meta-data flags of drbdadm get-gi, by flag (NaN when not read).",
    );
    let flags = ids.map(|g| g.flags);
    let table: [(&str, FlagOf); 7] = [
        ("consistent", |f| f.consistent),
        ("was_up_to_date", |f| f.was_up_to_date),
        ("primary", |f| f.primary),
        ("connected", |f| f.connected),
        ("full_sync", |f| f.full_sync),
        ("peer_outdated", |f| f.peer_outdated),
        ("crashed_primary", |f| f.crashed_primary),
    ];
    for (name, get) in table {
        let l = [base[0], base[1], ("flag", name)];
        e.sample(&l, maybe(flags.as_ref().map(get)));
    }
    let alone = dev.map(|_| data_relation::came_back_alone(&local, &peer, &rel).is_some());
    e.single(
        "chef_ha_came_back_alone",
        Kind::Gauge,
        "Whether this node is alone with an UpToDate disk whose data may be stale (it came back without its peer): the transition refuses to promote it. With fencing, a node that comes back alone is Consistent instead, which DRBD itself does not promote (ha-diagnose: outdated-copy): chef_ha_transition_error fires instead while keepalived wants it master.",
        base,
        maybe(alone),
    );
    let promotable = s
        .status
        .generation
        .as_ref()
        .and_then(|g| g.assessment.as_ref())
        .map(|a| a.promotable);
    e.single(
        "chef_ha_promotable_alone",
        Kind::Gauge,
        "Whether the promotion policy would promote this node now without its peer.",
        base,
        maybe(promotable),
    );
}
