//! The third vote's files: corosync and its quorum device client on the back ends, the
//! quorum device server (corosync-qnetd, the arbiter) on fe1. Rendered only in a lab with
//! fe1: the pair alone runs the original topology, quorum off.

use std::path::Path;

use anyhow::Result;

use crate::cache::write_file;

pub const COROSYNC_CONF: &str = include_str!("../guest/corosync.conf");
const SV_COROSYNC_RUN: &str = include_str!("../guest/sv-corosync-run");
const SV_QDEVICE_RUN: &str = include_str!("../guest/sv-corosync-qdevice-run");
const SV_QNETD_RUN: &str = include_str!("../guest/sv-corosync-qnetd-run");
const SV_QUORUM_WATCH_RUN: &str = include_str!("../guest/sv-quorum-watch-run");

/// corosync's token timeout (ms, its default); stage 2 scales it by the pace factor.
pub const TOKEN_MS: u64 = 3000;
/// The quorum device's vote expiry (ms, corosync-qdevice's default).
pub const QDEVICE_TIMEOUT_MS: u64 = 10_000;
/// The quorum device's timeout while the membership changes (ms, its default).
pub const QDEVICE_SYNC_TIMEOUT_MS: u64 = 30_000;

/// The private-chef.rb lines that turn quorum on, naming the arbiter.
pub const PRIVATE_CHEF_RB_QUORUM: &str = "ha['quorum_arbiter'] = \"fe1.lab.example\"\n";

/// The runit services a back end runs for quorum (always up, not `keepalive_me`).
pub const BACKEND_SERVICES: &[&str] = &["corosync", "corosync-qdevice", "quorum-watch"];
/// The arbiter's service on fe1.
pub const ARBITER_SERVICE: &str = "corosync-qnetd";

/// corosync.conf with the lab's timeouts.
pub fn corosync_conf() -> String {
    COROSYNC_CONF
        .replace("{{TOKEN}}", &TOKEN_MS.to_string())
        .replace("{{QDEVICE_TIMEOUT}}", &QDEVICE_TIMEOUT_MS.to_string())
        .replace(
            "{{QDEVICE_SYNC_TIMEOUT}}",
            &QDEVICE_SYNC_TIMEOUT_MS.to_string(),
        )
}

/// A back end's corosync.conf and runit services (under the node's root `r`).
pub fn render_backend(r: &Path) -> Result<()> {
    let f = |p: &str, mode: u32, data: &[u8]| write_file(&r.join(p), mode, data);
    f(
        "etc/corosync/corosync.conf",
        0o644,
        corosync_conf().as_bytes(),
    )?;
    f(
        "opt/opscode/sv/corosync/run",
        0o755,
        SV_COROSYNC_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/corosync-qdevice/run",
        0o755,
        SV_QDEVICE_RUN.as_bytes(),
    )?;
    f(
        "opt/opscode/sv/quorum-watch/run",
        0o755,
        SV_QUORUM_WATCH_RUN.as_bytes(),
    )?;
    Ok(())
}

/// fe1's arbiter service (under the node's root `r`).
pub fn render_arbiter(r: &Path) -> Result<()> {
    write_file(
        &r.join("opt/opscode/sv/corosync-qnetd/run"),
        0o755,
        SV_QNETD_RUN.as_bytes(),
    )
}

/// keepalived's tracking of quorum (before the vrrp_instance): `quorum-watch` keeps the file
/// at 0 while corosync says this node is quorate, 1 otherwise; any value but 0 is FAULT.
/// A file (re-read by keepalived when it changes) rather than a script keepalived runs
/// every second: `corosync-quorumtool -s` took 0.4-0.8 s a run in a TCG guest and timed
/// out (3 s) when two labs shared the host, and a time-out is a FAULT: the pair flapped.
pub const KEEPALIVED_SCRIPT: &str = r#"# no quorum, no service: a back end that loses quorum enters FAULT (drops the VIP, demotes)
track_file quorum {
  file "/var/opt/opscode/keepalived/quorum.track"
  weight 0
  init_file 1
}

"#;
/// The instance's tracking of [`KEEPALIVED_SCRIPT`].
pub const KEEPALIVED_TRACK: &str = "  track_file {\n    quorum\n  }\n";
