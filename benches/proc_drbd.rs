//! Parse a generated 256-minor /proc/drbd (mixed states, holes, resync progress).

use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn generate() -> String {
    let mut s = String::from(
        "version: 8.4.11 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by builder@node1, 2018-04-26 12:10:42\n",
    );
    let mut prev: i64 = -1;
    let mut minor: i64 = 0;
    let mut n = 0;
    while n < 256 {
        if minor % 11 == 5 {
            minor += 1; // a hole
        }
        if minor != prev + 1 {
            s.push('\n');
        }
        let m = minor;
        match n % 8 {
            0 => s.push_str(&format!("{m:2}: cs:Unconfigured\n")),
            1 => {
                s.push_str(&format!(
                    "{m:2}: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n"
                ));
                s.push_str("    ns:716992 nr:0 dw:0 dr:719432 al:0 bm:43 lo:0 pe:33 ua:18 ap:0 ep:1 wo:f oos:335744\n");
                s.push_str("\t[============>.......] sync'ed: 68.5% (335744/1048576)K\n");
                s.push_str("\tfinish: 0:00:05 speed: 64,800 (64,800) K/sec\n");
            }
            2 => {
                s.push_str(&format!(
                    "{m:2}: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n"
                ));
                s.push_str("    ns:0 nr:460288 dw:460160 dr:0 al:0 bm:28 lo:2 pe:4 ua:1 ap:0 ep:1 wo:f oos:588416\n");
                s.push_str("\t[=======>............] sync'ed: 44.4% (588416/1048576)M\n");
                s.push_str("\tfinish: 0:00:08 speed: 65,736 (65,736) want: 61,440 K/sec\n");
            }
            3 => {
                s.push_str(&format!(
                    "{m:2}: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n"
                ));
                s.push_str("    ns:0 nr:0 dw:98114 dr:537665 al:266 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:33818816\n");
            }
            4 => {
                s.push_str(&format!(
                    "{m:2}: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----\n"
                ));
                s.push_str("    ns:0 nr:0 dw:0 dr:200 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1048320\n");
                s.push_str("\tresync: used:0/61 hits:0 misses:0 starving:0 locked:0 changed:0\n");
                s.push_str(
                    "\tact_log: used:0/1237 hits:0 misses:0 starving:0 locked:0 changed:0\n",
                );
            }
            _ => {
                s.push_str(&format!(
                    "{m:2}: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
                ));
                s.push_str("    ns:17324442 nr:10961011 dw:28263521 dr:118696670 al:1100 bm:221 lo:0 pe:0 ua:0 ap:0 ep:1 wo:d oos:0\n");
            }
        }
        prev = minor;
        minor += 1;
        n += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = generate();
    let parsed = private_chef_ctl::drbd::parse(text.as_bytes()).expect("generated input parses");
    assert_eq!(parsed.devices.len(), 256);
    c.bench_function("parse 256 minors", |b| {
        b.iter(|| private_chef_ctl::drbd::parse(black_box(text.as_bytes())))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
