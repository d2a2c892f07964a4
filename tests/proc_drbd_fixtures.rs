//! Every fixture in fixtures/proc-drbd/ parses, with asserted values; bad input is refused.

use std::path::{Path, PathBuf};

use private_chef_ctl::drbd::{
    parse, read, ConnState as C, Device, DiskState as D, ProcDrbd, ProgressKind, Role as R, RoleKey,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proc-drbd")
}

/// The fixture's bytes without its `# source:` first line.
fn body(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(dir().join(name)).expect("fixture");
    assert!(bytes.starts_with(b"# source: "), "{name}: no source header");
    let nl = bytes.iter().position(|c| *c == b'\n').expect("newline");
    bytes[nl + 1..].to_vec()
}

fn load(prefix: &str) -> ProcDrbd {
    let name = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no fixture {prefix}"));
    parse(&body(&name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn minors(p: &ProcDrbd) -> Vec<u32> {
    p.devices.iter().map(|d| d.minor).collect()
}

fn dev(p: &ProcDrbd, minor: u32) -> &Device {
    p.device(minor)
        .unwrap_or_else(|| panic!("no minor {minor}"))
}

/// cs, role/peer, disk/peer, protocol, flags.
fn state(d: &Device, cs: C, ro: (R, R), ds: (D, D), proto: Option<char>, flags: &str) {
    assert_eq!(d.cs, cs, "minor {}", d.minor);
    assert_eq!(d.role.as_ref(), Some(&ro.0), "minor {}", d.minor);
    assert_eq!(d.peer_role.as_ref(), Some(&ro.1), "minor {}", d.minor);
    assert_eq!(d.disk.as_ref(), Some(&ds.0), "minor {}", d.minor);
    assert_eq!(d.peer_disk.as_ref(), Some(&ds.1), "minor {}", d.minor);
    assert_eq!(d.protocol, proto, "minor {}", d.minor);
    assert_eq!(d.io_flags.as_deref(), Some(flags), "minor {}", d.minor);
}

fn unconfigured(d: &Device) {
    assert_eq!(d.cs, C::Unconfigured);
    assert!(d.role.is_none() && d.disk.is_none() && d.protocol.is_none());
    assert!(d.io_flags.is_none() && d.sync.is_none());
    assert_eq!(d.counters, Default::default());
}

fn version(p: &ProcDrbd, raw: &str, api: &str, proto: &str) {
    let v = p.version.as_ref().expect("version");
    assert_eq!(v.raw, raw);
    assert_eq!(v.api.as_deref(), Some(api));
    assert_eq!(v.proto.as_deref(), Some(proto));
}

#[test]
fn every_fixture_parses_or_is_the_known_negative() {
    let mut n = 0;
    for e in std::fs::read_dir(dir()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        n += 1;
        let r = parse(&body(&name));
        if name.starts_with("21-") {
            assert!(r.is_err(), "{name}");
        } else {
            let p = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            let _ = serde_json::to_value(&p).unwrap();
        }
    }
    assert!(n >= 36, "only {n} fixtures");
}

#[test]
fn f01_drbd80_st_lru() {
    let p = load("01-");
    version(&p, "8.0.12", "86", "86");
    assert_eq!(
        p.build.as_deref(),
        Some("GIT-hash: 5c9f89594553e32adb87d9638dce591782f947e3 build by XXX")
    );
    assert_eq!(minors(&p), [0, 1, 2, 4, 5, 6, 7, 8]);
    let d0 = dev(&p, 0);
    state(
        d0,
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r---",
    );
    assert_eq!(d0.role_key, Some(RoleKey::St));
    assert_eq!(d0.counters.ns, Some(4375577));
    assert_eq!(d0.counters.ap, Some(0));
    assert_eq!(d0.counters.ep, None);
    assert_eq!(d0.counters.oos, None);
    assert_eq!(d0.lru.len(), 2);
    assert_eq!(
        d0.lru[1],
        "act_log: used:0/257 hits:793749 misses:1067 starving:0 dirty:0 changed:1067"
    );
    unconfigured(dev(&p, 2));
    state(
        dev(&p, 4),
        C::WFConnection,
        (R::Primary, R::Unknown),
        (D::UpToDate, D::DUnknown),
        Some('C'),
        "r---",
    );
    state(
        dev(&p, 5),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::Diskless),
        Some('C'),
        "r---",
    );
    assert!(dev(&p, 6).lru.is_empty());
    assert_eq!(dev(&p, 6).counters.nr, Some(4375581));
    state(
        dev(&p, 8),
        C::StandAlone,
        (R::Secondary, R::Unknown),
        (D::UpToDate, D::DUnknown),
        None,
        "r---",
    );
    assert_eq!(dev(&p, 8).lru.len(), 2);
    assert!(!p.is_drbd9_without_devices());
}

#[test]
fn f02_unconfigured_gap() {
    let p = load("02-");
    assert_eq!(minors(&p), [0, 1, 2, 5, 6]);
    assert_eq!(dev(&p, 0).counters.ns, Some(78728316));
    for m in [1, 2, 5, 6] {
        unconfigured(dev(&p, m));
        assert_eq!(dev(&p, m).state_line, format!(" {m}: cs:Unconfigured"));
    }
}

#[test]
fn f03_nul_flags() {
    let p = load("03-");
    version(&p, "8.3.1", "88", "86-89");
    assert_eq!(minors(&p), [0, 1, 2, 4, 5, 6, 7, 8]);
    assert_eq!(dev(&p, 0).role_key, Some(RoleKey::Ro));
    state(
        dev(&p, 0),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r----",
    );
    for m in [1, 6, 7, 8] {
        assert_eq!(dev(&p, m).io_flags.as_deref(), Some("r---?"), "minor {m}");
        assert_eq!(dev(&p, m).io_flags_raw, b"r---\0");
    }
    state(
        dev(&p, 6),
        C::Connected,
        (R::Secondary, R::Primary),
        (D::Diskless, D::UpToDate),
        Some('C'),
        "r---?",
    );
    state(
        dev(&p, 8),
        C::StandAlone,
        (R::Secondary, R::Unknown),
        (D::UpToDate, D::DUnknown),
        None,
        "r---?",
    );
    assert_eq!(dev(&p, 0).counters.wo, Some('b'));
    assert_eq!(dev(&p, 1).counters.wo, Some('f'));
    assert_eq!(
        serde_json::to_value(&p).unwrap()["devices"][1]["io_flags"],
        "r---?"
    );
}

#[test]
fn f04_synctarget_m_units() {
    let p = load("04-");
    let d = dev(&p, 3);
    state(
        d,
        C::SyncTarget,
        (R::Primary, R::Secondary),
        (D::Inconsistent, D::UpToDate),
        Some('C'),
        "r----",
    );
    assert_eq!(d.counters.oos, Some(346112));
    let s = d.sync.as_ref().unwrap();
    assert_eq!(s.kind, ProgressKind::Sync);
    assert_eq!(s.percent, Some(34.9));
    assert_eq!(s.total_kib, 524288 * 1024);
    assert_eq!(s.done_kib, (524288 - 346112) * 1024);
    assert_eq!(s.finish_secs, Some(5));
    assert_eq!(s.speed_kib_s, Some(59392));
    assert_eq!(s.want_kib_s, None);
    assert!(!s.stalled);
}

#[test]
fn f05_mfinish_glued() {
    let p = load("05-");
    let d = dev(&p, 3);
    state(
        d,
        C::SyncSource,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::Inconsistent),
        Some('A'),
        "r-----",
    );
    let s = d.sync.as_ref().unwrap();
    assert_eq!(s.percent, Some(2.4));
    assert_eq!(s.total_kib, 15360 * 1024);
    assert_eq!(s.done_kib, (15360 - 14996) * 1024);
    assert_eq!(s.finish_secs, Some(4 * 60 + 8));
    assert_eq!(s.speed_kib_s, Some(61736));
    assert_eq!(dev(&p, 1).io_flags.as_deref(), Some("r---?"));
}

#[test]
fn f06_srcversion_want() {
    let p = load("06-");
    version(&p, "8.3.11", "88", "86-96");
    assert_eq!(
        p.build.as_deref(),
        Some("srcversion: 2D876214BAAD53B31ADC1D6")
    );
    assert_eq!(minors(&p), [0, 1, 2, 3]);
    let d = dev(&p, 0);
    state(
        d,
        C::SyncTarget,
        (R::Secondary, R::Primary),
        (D::Inconsistent, D::UpToDate),
        Some('C'),
        "r-----",
    );
    assert_eq!(d.counters.oos, Some(588416));
    let s = d.sync.as_ref().unwrap();
    assert_eq!((s.done_kib, s.total_kib), (1048576 - 588416, 1048576));
    assert_eq!(s.finish_secs, Some(8));
    assert_eq!(s.speed_kib_s, Some(65736));
    assert_eq!(s.want_kib_s, Some(61440));
    unconfigured(dev(&p, 3));
}

#[test]
fn f07_f08_holes() {
    for (prefix, first) in [
        ("07-", vec![0, 1, 2, 4, 6, 8]),
        ("08-", vec![1, 2, 4, 6, 8]),
    ] {
        let p = load(prefix);
        version(&p, "8.4.2", "1", "86-101");
        assert_eq!(minors(&p), first);
        unconfigured(dev(&p, 2));
        state(
            dev(&p, 4),
            C::WFConnection,
            (R::Primary, R::Unknown),
            (D::UpToDate, D::DUnknown),
            Some('C'),
            "r-----",
        );
        assert_eq!(dev(&p, 4).counters.oos, Some(1048320));
        state(
            dev(&p, 6),
            C::Connected,
            (R::Secondary, R::Primary),
            (D::Diskless, D::UpToDate),
            Some('C'),
            "r-----",
        );
        assert_eq!(dev(&p, 6).counters.wo, Some('b'));
        state(
            dev(&p, 8),
            C::StandAlone,
            (R::Secondary, R::Unknown),
            (D::UpToDate, D::DUnknown),
            None,
            "r-----",
        );
    }
}

#[test]
fn f09_syncsource_k_congested() {
    let p = load("09-");
    assert_eq!(minors(&p), [0, 3, 5]);
    state(
        dev(&p, 0),
        C::StandAlone,
        (R::Primary, R::Unknown),
        (D::UpToDate, D::DUnknown),
        None,
        "r-----",
    );
    assert_eq!(dev(&p, 0).counters.wo, Some('d'));
    let d = dev(&p, 5);
    state(
        d,
        C::SyncSource,
        (R::Secondary, R::Secondary),
        (D::UpToDate, D::Inconsistent),
        Some('C'),
        "r---n-",
    );
    assert_eq!(d.congestion(), Some('n'));
    assert_eq!((d.counters.pe, d.counters.ua), (Some(33), Some(18)));
    let s = d.sync.as_ref().unwrap();
    assert_eq!(s.percent, Some(68.5));
    assert_eq!((s.done_kib, s.total_kib), (1048576 - 335744, 1048576));
    assert_eq!((s.finish_secs, s.speed_kib_s), (Some(5), Some(64800)));
}

#[test]
fn f10_primary_primary() {
    let p = load("10-");
    version(&p, "8.4.3", "1", "86-101");
    assert_eq!(
        p.build.as_deref(),
        Some("srcversion: 1A9F77B1CA5FF92235C2213")
    );
    assert_eq!(minors(&p), [1]);
    let d = dev(&p, 1);
    state(
        d,
        C::Connected,
        (R::Primary, R::Primary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r-----",
    );
    let c = &d.counters;
    assert_eq!(
        (c.ns, c.nr, c.dw, c.dr),
        (
            Some(17324442),
            Some(10961011),
            Some(28263521),
            Some(118696670)
        )
    );
    assert_eq!(
        (c.lo, c.pe, c.ua, c.ap, c.ep),
        (Some(12345), Some(12346), Some(12347), Some(12348), Some(1))
    );
    assert_eq!((c.wo, c.oos), (Some('d'), Some(12349)));
}

#[test]
fn f11_delay_probe() {
    let p = load("11-");
    version(&p, "8.3.8", "88", "86-94");
    let d = dev(&p, 0);
    state(
        d,
        C::SyncSource,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::Inconsistent),
        Some('C'),
        "r----",
    );
    let s = d.sync.as_ref().unwrap();
    assert_eq!(s.percent, Some(42.4));
    assert_eq!(s.total_kib, 510908 * 1024);
    assert_eq!(s.done_kib, (510908 - 294656) * 1024);
    assert_eq!(s.finish_secs, Some(3600 + 23 * 60 + 28));
    assert_eq!((s.speed_kib_s, s.avg_kib_s), (Some(60172), Some(51448)));
}

#[test]
fn f12_stalled_line() {
    let p = load("12-");
    let s = dev(&p, 0).sync.clone().unwrap();
    assert!(s.stalled);
    assert_eq!(s.percent, Some(0.1));
    assert_eq!((s.done_kib, s.total_kib), (0, 510908 * 1024));
    assert_eq!((s.finish_secs, s.speed_kib_s), (None, None));
}

#[test]
fn f13_to_f18_simple() {
    let p = load("13-");
    version(&p, "8.4.0", "1", "86-100");
    assert_eq!(minors(&p), [0, 1, 2]);
    state(
        dev(&p, 1),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r---",
    );
    assert_eq!(dev(&p, 0).counters.dr, Some(656));

    let p = load("14-");
    state(
        dev(&p, 0),
        C::Connected,
        (R::Secondary, R::Secondary),
        (D::Inconsistent, D::Inconsistent),
        Some('C'),
        "r-----",
    );
    assert_eq!(dev(&p, 0).counters.oos, Some(524236));

    let p = load("15-");
    version(&p, "8.4.9-1", "1", "86-101");
    assert_eq!(p.version.as_ref().unwrap().major(), Some(8));
    assert_eq!(dev(&p, 0).counters.nr, Some(211852));

    let p = load("16-");
    version(&p, "9.0.22-2", "2", "86-116");
    assert!(p.devices.is_empty());
    assert!(!p.compat84);
    assert_eq!(
        p.transports.as_deref(),
        Some("Transports (api:16): tcp (9.0.22-2)")
    );
    assert!(p.is_drbd9_without_devices());

    let p = load("17-");
    assert_eq!(
        p.build.as_deref(),
        Some("GIT-hash: 833d830e0152d1e457fa7856e71e11248ccf3f70 build by phil@Build64R7, 2015-04-10 05:13:52")
    );
    assert_eq!(dev(&p, 0).counters.nr, Some(397028104));

    let p = load("18-");
    version(&p, "8.4.10", "1", "86-101");
    assert_eq!(minors(&p), [1]);
    state(
        dev(&p, 1),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r-----",
    );
}

#[test]
fn f19_mfinish_initial_sync() {
    let p = load("19-");
    let s = dev(&p, 0).sync.clone().unwrap();
    assert_eq!(s.percent, Some(0.4));
    assert_eq!(
        (s.done_kib, s.total_kib),
        ((190200 - 189468) * 1024, 190200 * 1024)
    );
    assert_eq!(s.finish_secs, Some(5 * 3600 + 14 * 60 + 6));
    assert_eq!((s.speed_kib_s, s.avg_kib_s), (Some(10284), Some(10252)));
}

#[test]
fn f20_protocol_b() {
    let p = load("20-");
    state(
        dev(&p, 0),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('B'),
        "r-----",
    );
    assert_eq!(dev(&p, 0).counters.al, Some(34987022));
}

#[test]
fn f21_debugfs_is_refused() {
    let e = parse(&body("21-drbd9-debugfs-proc_drbd-NOT-proc.txt")).unwrap_err();
    assert_eq!((e.line, e.column), (4, 1));
    assert!(e.expected.contains("DRBD 9"), "{e}");
    // Even without its DRBD 9 header, the debugfs body is not taken for a device.
    let b = body("21-drbd9-debugfs-proc_drbd-NOT-proc.txt");
    let text = String::from_utf8(b).unwrap();
    let no_header: String = text.lines().skip(3).map(|l| format!("{l}\n")).collect();
    let e = parse(no_header.as_bytes()).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(
        e.to_string()
            .contains("expected an integer counter value, found \"[3;1]"),
        "{e}"
    );
}

#[test]
fn f22_f23_split_brain() {
    for (prefix, oos) in [("22-", 71590684), ("23-", 33818816)] {
        let p = load(prefix);
        version(&p, "8.4.11", "1", "86-101");
        let d = dev(&p, 0);
        state(
            d,
            C::StandAlone,
            (R::Primary, R::Unknown),
            (D::UpToDate, D::DUnknown),
            None,
            "r-----",
        );
        assert_eq!(d.counters.oos, Some(oos));
        assert!(!d.cs.is_connected());
        assert_eq!(
            d.state_line,
            " 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----"
        );
    }
}

#[test]
fn f24_f25_old() {
    let p = load("24-");
    version(&p, "8.2.4", "88", "86-88");
    let d = dev(&p, 0);
    state(
        d,
        C::Connected,
        (R::Secondary, R::Secondary),
        (D::UpToDate, D::UpToDate),
        Some('C'),
        "r---",
    );
    assert_eq!(d.role_key, Some(RoleKey::St));
    assert_eq!((d.counters.bm, d.counters.oos), (Some(64), None));
    assert_eq!(d.lru.len(), 2);

    let p = load("25-");
    version(&p, "8.0.4", "86", "86");
    assert_eq!(
        p.build.as_deref(),
        Some("SVN Revision: 2947 build by root@drbd-one, 2007-07-30 16:43:05")
    );
    assert_eq!(dev(&p, 0).counters.ns, Some(2175704));
}

#[test]
fn f26_synctarget_want() {
    let p = load("26-");
    let d = dev(&p, 0);
    assert_eq!(d.counters.pe, Some(6241));
    let s = d.sync.as_ref().unwrap();
    assert_eq!(s.percent, Some(49.0));
    assert_eq!((s.done_kib, s.total_kib), (2031448 - 1039000, 2031448));
    assert_eq!(s.finish_secs, Some(3 * 60 + 39));
    assert_eq!(
        (s.speed_kib_s, s.avg_kib_s, s.want_kib_s),
        (Some(4728), Some(6616), Some(51200))
    );
}

// ---- constructed fixtures

#[test]
fn c01_verify() {
    let p = load("c01-");
    let s = dev(&p, 0).sync.clone().unwrap();
    assert_eq!(dev(&p, 0).cs, C::VerifyS);
    assert!(dev(&p, 0).cs.is_verifying() && dev(&p, 0).cs.is_connected());
    assert_eq!(s.kind, ProgressKind::Verify);
    assert_eq!((s.done_kib, s.total_kib), (1048576 - 645120, 1048576));
    assert_eq!((s.speed_kib_s, s.want_kib_s), (Some(30720), Some(40960)));
    let t = dev(&p, 1).sync.clone().unwrap();
    assert_eq!(dev(&p, 1).cs, C::VerifyT);
    assert_eq!(
        (t.kind, t.want_kib_s, t.finish_secs),
        (ProgressKind::Verify, None, Some(21))
    );
}

#[test]
fn c02_ahead_behind() {
    let p = load("c02-");
    state(
        dev(&p, 0),
        C::Ahead,
        (R::Primary, R::Secondary),
        (D::UpToDate, D::Consistent),
        Some('A'),
        "r---n-",
    );
    state(
        dev(&p, 1),
        C::Behind,
        (R::Secondary, R::Primary),
        (D::Outdated, D::UpToDate),
        Some('A'),
        "r-----",
    );
    for d in &p.devices {
        assert!(d.cs.is_connected() && !d.cs.is_syncing() && d.sync.is_none());
    }
}

#[test]
fn c03_paused() {
    let p = load("c03-");
    let d = dev(&p, 0);
    state(
        d,
        C::PausedSyncT,
        (R::Secondary, R::Primary),
        (D::Inconsistent, D::UpToDate),
        Some('C'),
        "r--u--",
    );
    assert!(d.resync_paused() && d.cs.is_syncing() && d.sync.is_none());
    let d = dev(&p, 1);
    assert_eq!(
        (d.cs.clone(), d.io_flags.as_deref()),
        (C::PausedSyncS, Some("ra----"))
    );
    assert!(d.resync_paused() && d.sync.is_none());
}

#[test]
fn c04_proc_details_2() {
    let p = load("c04-");
    let d = dev(&p, 0);
    let s = d.sync.as_ref().unwrap();
    assert!(s.stalled);
    assert_eq!(
        (s.speed_kib_s, s.avg_kib_s, s.want_kib_s),
        (Some(0), Some(1611), Some(10240))
    );
    assert_eq!(s.finish_secs, Some(12 * 60 + 3));
    let sp = s.sector_pos.unwrap();
    assert_eq!(
        (sp.percent, sp.pos, sp.total, sp.stop),
        (0, 12480, 2086912, None)
    );
    assert_eq!(d.lru.len(), 2);
    assert!(d.lru[0].contains("locked:0"));
    assert_eq!(d.extra, ["blocked on activity log: 0"]);
    let v = dev(&p, 1).sync.clone().unwrap();
    assert_eq!(v.kind, ProgressKind::Verify);
    assert_eq!((v.speed_kib_s, v.avg_kib_s), (Some(30720), Some(28416)));
    assert_eq!(v.sector_pos.unwrap().stop, Some(1048576));
}

#[test]
fn c05_lru_dump() {
    let p = load("c05-");
    let d = dev(&p, 0);
    assert_eq!(d.lru.len(), 2);
    assert_eq!(d.extra.len(), 3);
    assert_eq!(d.extra[0], "nn: lc_number refcnt rs_left");
    assert_eq!(d.extra[2], "1: FREE");
}

#[test]
fn c06_wide_minors() {
    let p = load("c06-");
    assert_eq!(minors(&p), [7, 10, 100]);
    let s = dev(&p, 10).sync.clone().unwrap();
    assert_eq!(s.speed_kib_s, Some(1_234_567));
    assert_eq!(s.avg_kib_s, Some(1_198_020));
    assert_eq!(
        (s.done_kib, s.total_kib),
        ((85852 - 40960) * 1024, 85852 * 1024)
    );
    state(
        dev(&p, 100),
        C::WFConnection,
        (R::Secondary, R::Unknown),
        (D::UpToDate, D::DUnknown),
        Some('C'),
        "r-----",
    );
}

#[test]
fn c07_suspended_diskless() {
    let p = load("c07-");
    let d0 = dev(&p, 0);
    assert_eq!(d0.io_flags.as_deref(), Some("s---d-"));
    assert!(d0.io_suspended() && d0.congestion() == Some('d'));
    state(
        dev(&p, 1),
        C::Connected,
        (R::Primary, R::Secondary),
        (D::Diskless, D::UpToDate),
        Some('C'),
        "r-----",
    );
    assert!(dev(&p, 2).al_suspended());
    state(
        dev(&p, 3),
        C::StandAlone,
        (R::Primary, R::Unknown),
        (D::Diskless, D::DUnknown),
        None,
        "r-----",
    );
}

#[test]
fn c08_drbd9_compat() {
    let p = load("c08-");
    version(&p, "9.3.3", "2", "118-124");
    assert!(p.compat84 && p.transports.is_none() && !p.is_drbd9_without_devices());
    let s = dev(&p, 0).sync.clone().unwrap();
    assert_eq!((s.finish_secs, s.finish_infinite), (None, true));
    assert_eq!((s.speed_kib_s, s.avg_kib_s), (Some(-512), Some(1024)));
    assert_eq!((s.done_kib, s.total_kib), (1048576 - 860160, 1048576));
}

#[test]
fn c09_c10_old_variants() {
    let p = load("c09-");
    let s = dev(&p, 0).sync.clone().unwrap();
    assert_eq!((s.kind, s.percent), (ProgressKind::Verify, Some(38.0)));
    assert_eq!((s.done_kib, s.total_kib), (100864 * 4, 262144 * 4));
    let p = load("c10-");
    let s = dev(&p, 0).sync.clone().unwrap();
    assert_eq!((s.done_kib, s.total_kib), (524288 - 445440, 524288));
    assert_eq!((s.speed_kib_s, s.want_kib_s), (Some(49152), Some(51200)));
}

// ---- bad input

const HDR: &str = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 96ED19D4C144624490A9AB1\n";

#[test]
fn empty_and_garbage() {
    let e = parse(b"").unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 1, column 1: expected a `version:` line, found end of input"
    );
    let e = parse(b"\x7fELF\x02\x01\x01\0\0\0garbage\n\xff\xfe\n").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.found.starts_with("\"\\x7fELF"), "{e}");
    assert!(parse(b"\n\n\n").is_err());
}

#[test]
fn truncated() {
    // State line without its counters line.
    let e = parse(
        format!("{HDR} 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n")
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.to_string().contains("found end of input"), "{e}");
    // A half state line.
    let e = parse(format!("{HDR} 0: cs:Connected ro:Primary/Secondary ds:UpTo").as_bytes())
        .unwrap_err();
    assert_eq!((e.line, e.column), (3, 46));
    assert_eq!(e.found, "end of input");
    // A half counters line.
    let e = parse(format!("{HDR} 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:").as_bytes())
        .unwrap_err();
    assert_eq!((e.line, e.column), (4, 18));
    // A half progress line.
    let text = format!(
        "{HDR} 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n    ns:0 nr:0 oos:5\n\t[>....................] sync'ed:  0.4% (18"
    );
    let e = parse(text.as_bytes()).unwrap_err();
    assert_eq!(e.line, 5);
    // A truncated version line.
    assert!(parse(b"version: 8.4.11 (api:1/pro").is_err());
}

#[test]
fn drbd9_header_only() {
    let p = parse(b"version: 9.2.8 (api:2/proto:86-122)\nGIT-hash: abc build by x@y, 2024-01-01 00:00:00\nTransports (api:21): tcp (9.2.8)\n").unwrap();
    assert!(p.devices.is_empty() && p.is_drbd9_without_devices());
    assert_eq!(p.version.as_ref().unwrap().major(), Some(9));
    // 8.4 with the module loaded but no minors is not that case.
    let p = parse(HDR.as_bytes()).unwrap();
    assert!(p.devices.is_empty() && !p.is_drbd9_without_devices());
}

#[test]
fn unknown_states_are_other() {
    let text = format!("{HDR} 0: cs:TOO_LARGE ro:Leader/Follower ds:Shiny/Dull C r-----\n    ns:0 zz:1 qq:[1;2] oos:0\n");
    let p = parse(text.as_bytes()).unwrap();
    let d = dev(&p, 0);
    assert_eq!(d.cs, C::Other("TOO_LARGE".into()));
    assert!(!d.cs.is_connected());
    assert_eq!(d.role, Some(R::Other("Leader".into())));
    assert_eq!(d.peer_disk, Some(D::Other("Dull".into())));
    assert_eq!(
        d.counters.other,
        [
            ("zz".to_string(), "1".to_string()),
            ("qq".into(), "[1;2]".into())
        ]
    );
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["devices"][0]["cs"], "TOO_LARGE");
    assert_eq!(j["devices"][0]["counters"]["zz"], 1);
    assert_eq!(j["devices"][0]["counters"]["qq"], "[1;2]");
    assert!(j["devices"][0]["counters"].get("nr").is_none());
}

#[test]
fn json_schema() {
    let p = load("06-");
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["version"], "8.3.11");
    assert_eq!(j["api"], 88);
    assert_eq!(j["proto"], "86-96");
    assert_eq!(j.as_object().unwrap().len(), 5);
    let d = &j["devices"][0];
    assert_eq!(d["sync"]["kind"], "sync");
    assert_eq!(d["sync"]["want_kib_s"], 61440);
    assert_eq!(d["counters"]["wo"], "f");
    let u = &j["devices"][3];
    assert_eq!(u["cs"], "Unconfigured");
    assert!(u["role"].is_null() && u["protocol"].is_null() && u["sync"].is_null());
    assert_eq!(u["counters"], serde_json::json!({}));
    let p = load("22-");
    assert!(serde_json::to_value(&p).unwrap()["devices"][0]["protocol"].is_null());
}

#[test]
fn read_names_the_file() {
    let e = read(Path::new("/proc/drbd-does-not-exist")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read /proc/drbd-does-not-exist: No such file or directory (is the drbd kernel module loaded?)"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("drbd");
    std::fs::write(&f, format!("{HDR} 0: cs:Connected ro:Primary\n")).unwrap();
    let e = read(&f).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: line 3, column 28: expected `/`, found end of line",
            f.display()
        )
    );
}
