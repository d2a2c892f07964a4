//! `drbdadm get-gi` / `show-gi` output: the parser never panics, an accepted text compares
//! with itself as the same generation (unless it holds no data), and any two accepted texts compare without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::drbd::gi::{parse, relation, Relation};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, text));
    let (ga, gb) = (parse(a).ok(), parse(b).ok());
    // a current identifier of 0 is no data at all: DRBD's rule 20 makes the peer the source
    // even against itself, so only real generations must compare as the same
    if let Some(g) = ga.as_ref().filter(|g| g.current & !1 != 0) {
        let same = relation(Some(g), Some(g)).relation;
        assert!(
            matches!(same, Relation::Same | Relation::Unrelated),
            "{g:?} compared with itself: {same:?}"
        );
    }
    let _ = relation(ga.as_ref(), gb.as_ref());
    let _ = relation(None, gb.as_ref());
});
