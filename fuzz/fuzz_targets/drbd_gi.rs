//! `drbdadm get-gi` / `show-gi` output: the parser never panics, an accepted text compares
//! with itself as the same generation, and any two accepted texts compare without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::drbd::gi::{parse, relation, Relation};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, text));
    let (ga, gb) = (parse(a).ok(), parse(b).ok());
    if let Some(g) = &ga {
        let same = relation(Some(g), Some(g)).relation;
        assert!(
            matches!(same, Relation::Same | Relation::Unrelated),
            "{g:?} compared with itself: {same:?}"
        );
    }
    let _ = relation(ga.as_ref(), gb.as_ref());
    let _ = relation(None, gb.as_ref());
});
