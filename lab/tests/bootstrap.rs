//! The pair as `Lab::up` leaves it: DRBD, VIP, services, mounts, the product's `ha-status`
//! and `drbd-status --json` against the real nodes, and the replication link.
//!
//! Needs `scripts/install-deps.sh` and `cargo build --release -p private-chef-ctl`; run with
//! `cargo test -p lab --release -- --test-threads=1`.

use std::time::Instant;

use lab::{wait_until, Lab, LabOptions, NodeId, Output};

const PCC: &str = "/opt/opscode/bin/private-chef-ctl";

fn run(lab: &Lab, n: NodeId, cmd: &str) -> Output {
    match lab.exec(n, cmd) {
        Ok(o) => o,
        Err(e) => panic!("{n}: exec `{cmd}`: {e:#}"),
    }
}

fn ok(lab: &Lab, n: NodeId, cmd: &str) -> String {
    let o = run(lab, n, cmd);
    assert_eq!(o.code, 0, "{n}: `{cmd}` failed: {o:?}");
    o.stdout.trim().to_string()
}

fn ha_status_lines(master: bool) -> Vec<&'static str> {
    if master {
        vec![
            "[OK] keepalived HA services enabled.",
            "[OK] DRBD disk replication enabled.",
            "[OK] DRBD partition /dev/opscode/drbd found.",
            "[OK] DRBD device /dev/drbd0 found.",
            "[WARN] no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one",
            "[OK] cluster status = master",
            "[OK] found VIP IP address and I am master",
            "[OK] found VRRP communications interface eth0",
            "[OK] my DRBD status is Connected/Primary/UpToDate and I am master",
            "[OK] I/O on DRBD resource pc0 is running",
            "[OK] DRBD resource pc0 cannot lose acknowledged writes (protocol C, fencing resource-and-stonith, fence-peer handler set)",
            "[OK] my DRBD partition is mounted and I am master",
            "[OK] DRBD primary IP address pings",
            "[OK] DRBD secondary IP address pings",
            "[OK] drbd-witness is running.",
            "[OK] keepalived is running.",
            "[OK] postgresql is running correctly, and I am master.",
            "[OK] redis_lb is running correctly, and I am master.",
            "[OK] all checks passed.",
        ]
    } else {
        vec![
            "[OK] keepalived HA services enabled.",
            "[OK] DRBD disk replication enabled.",
            "[OK] DRBD partition /dev/opscode/drbd found.",
            "[OK] DRBD device /dev/drbd0 found.",
            "[WARN] no quorum arbiter configured (ha['quorum_arbiter']): a node cut off from the pair cannot be told from a dead one",
            "[OK] cluster status = backup",
            "[OK] did not find VIP IP address and I am not master",
            "[OK] found VRRP communications interface eth0",
            "[OK] my DRBD status is Connected/Secondary/UpToDate and I am not master",
            "[OK] I/O on DRBD resource pc0 is running",
            "[OK] DRBD resource pc0 cannot lose acknowledged writes (protocol C, fencing resource-and-stonith, fence-peer handler set)",
            "[OK] my DRBD partition is not mounted and I am not master",
            "[OK] DRBD primary IP address pings",
            "[OK] DRBD secondary IP address pings",
            "[OK] drbd-witness is running.",
            "[OK] keepalived is running.",
            "[OK] postgresql is not running, and I am not master.",
            "[OK] redis_lb is not running, and I am not master.",
            "[OK] all checks passed.",
        ]
    }
}

#[test]
fn bootstrap() {
    let t0 = Instant::now();
    let lab = Lab::up(LabOptions::pair_only()).unwrap_or_else(|e| panic!("lab up: {e:#}"));
    eprintln!("lab up took {:.1}s", t0.elapsed().as_secs_f64());

    for n in NodeId::BACKENDS {
        let master = n == NodeId::Be1;

        // (a) DRBD as drbdadm reports it
        let (role, dstate) = if master {
            ("Primary/Secondary", "UpToDate/UpToDate")
        } else {
            ("Secondary/Primary", "UpToDate/UpToDate")
        };
        assert_eq!(ok(&lab, n, "drbdadm role pc0"), role, "{n} role");
        assert_eq!(ok(&lab, n, "drbdadm cstate pc0"), "Connected", "{n} cstate");
        assert_eq!(ok(&lab, n, "drbdadm dstate pc0"), dstate, "{n} dstate");

        // (a) the VIP on the master only
        let addrs = ok(&lab, n, "ip -o addr show dev eth0");
        assert_eq!(
            addrs.contains(" inet 198.51.100.10/24 "),
            master,
            "{n}: VIP placement: {addrs}"
        );
        assert!(
            addrs.contains(&format!(" inet {}/24 ", n.public_ip())),
            "{n}: {addrs}"
        );

        // (a) HA services up on the master, down on the backup; keepalived up on both
        for svc in ["postgresql", "redis_lb"] {
            let st = ok(&lab, n, &format!("sv status /opt/opscode/service/{svc}"));
            let want = if master { "run: " } else { "down: " };
            assert!(st.starts_with(want), "{n}: {svc}: {st}");
            // the down file: "normally down" while up, no "normally up" while down
            if master {
                assert!(st.contains("normally down"), "{n}: {svc}: {st}");
            } else {
                assert!(!st.contains("normally up"), "{n}: {svc}: {st}");
            }
            let stat = ok(
                &lab,
                n,
                &format!("cat /opt/opscode/service/{svc}/supervise/stat"),
            );
            assert_eq!(stat, if master { "run" } else { "down" }, "{n}: {svc} stat");
        }
        let ka = ok(&lab, n, "sv status /opt/opscode/service/keepalived");
        assert!(ka.starts_with("run: "), "{n}: keepalived: {ka}");

        // (a) the data dir mounted on the master only
        let mounts = ok(&lab, n, "cat /proc/mounts");
        let mounted = mounts
            .lines()
            .any(|l| l.split_whitespace().nth(1) == Some("/var/opt/opscode/drbd/data"));
        assert_eq!(mounted, master, "{n}: mount state: {mounts}");
        if master {
            assert!(
                mounts
                    .lines()
                    .any(|l| l.starts_with("/dev/drbd0 /var/opt/opscode/drbd/data ext4 ")),
                "{n}: {mounts}"
            );
        }

        // (a) cluster state files
        let want = if master { "master" } else { "backup" };
        assert_eq!(
            ok(
                &lab,
                n,
                "cat /var/opt/opscode/keepalived/requested_cluster_status"
            ),
            want
        );
        assert_eq!(
            ok(
                &lab,
                n,
                "cat /var/opt/opscode/keepalived/current_cluster_status"
            ),
            want
        );

        // (c) the peer's cluster address answers over eth1
        let peer = n.peer();
        ok(
            &lab,
            n,
            &format!("ping -c 1 -W 2 -I eth1 {}", peer.cluster_ip()),
        );
        // and ssh to the peer works (BatchMode, known_hosts prepared)
        assert_eq!(
            ok(&lab, n, &format!("ssh {} uname -n", peer.fqdn())),
            peer.fqdn()
        );

        // (a)+(c) the product's ha-status passes with the original's lines
        let o = run(&lab, n, &format!("{PCC} ha-status"));
        assert_eq!(o.code, 0, "{n}: ha-status: {o:?}");
        let lines: Vec<&str> = o.stdout.lines().map(str::trim_end).collect();
        for want in ha_status_lines(master) {
            assert!(
                lines.contains(&want),
                "{n}: ha-status lacks {want:?}:\n{}",
                o.stdout
            );
        }

        // (b) drbd-status --json agrees with drbdadm
        let o = run(&lab, n, &format!("{PCC} drbd-status --json"));
        assert_eq!(o.code, 0, "{n}: drbd-status: {o:?}");
        let v: serde_json::Value = serde_json::from_str(&o.stdout)
            .unwrap_or_else(|e| panic!("{n}: drbd-status JSON: {e}: {}", o.stdout));
        assert_eq!(v["version"], "8.4.11", "{n}: {v}");
        let dev = &v["devices"][0];
        assert_eq!(dev["minor"], 0);
        let role_pair = format!(
            "{}/{}",
            dev["role"].as_str().unwrap_or("?"),
            dev["peer_role"].as_str().unwrap_or("?")
        );
        let disk_pair = format!(
            "{}/{}",
            dev["disk"].as_str().unwrap_or("?"),
            dev["peer_disk"].as_str().unwrap_or("?")
        );
        assert_eq!(role_pair, ok(&lab, n, "drbdadm role pc0"), "{n}: {dev}");
        assert_eq!(
            dev["cs"],
            ok(&lab, n, "drbdadm cstate pc0").as_str(),
            "{n}: {dev}"
        );
        assert_eq!(disk_pair, ok(&lab, n, "drbdadm dstate pc0"), "{n}: {dev}");
    }

    // the services really serve through the VIP (from the backup, over the public link)
    let deadline = lab.deadline(60);
    wait_until(deadline, "PostgreSQL through the VIP", || {
        let o = lab.exec(
            NodeId::Be2,
            "psql -h 198.51.100.10 -U postgres -Atc 'select 41 + 1'",
        )?;
        Ok((o.code == 0 && o.stdout.trim() == "42").then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        ok(&lab, NodeId::Be2, "redis-cli -h 198.51.100.10 ping"),
        "PONG"
    );
    eprintln!("bootstrap test took {:.1}s", t0.elapsed().as_secs_f64());
}
