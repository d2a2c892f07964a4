//! Property tests: the parser never panics on mutated, truncated or spliced fixtures.

use std::path::Path;

use private_chef_ctl::drbd::parse;
use proptest::prelude::*;

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proc-drbd");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let b = std::fs::read(p).unwrap();
            let nl = b.iter().position(|c| *c == b'\n').map_or(0, |n| n + 1);
            b[nl..].to_vec()
        })
        .collect()
}

/// Parses and, if that worked, renders JSON; neither may panic.
fn exercise(input: &[u8]) {
    if let Ok(p) = parse(input) {
        let _ = p.to_doc();
        let _ = serde_json::to_string_pretty(&p).unwrap();
    }
}

#[test]
fn every_fixture_to_json() {
    for f in fixtures() {
        exercise(&f);
    }
}

/// Bytes that matter to the grammar, to make mutations likely to hit interesting paths.
const INTERESTING: &[u8] = b"\n\t :/,%()[]>=.-0123456789KMcsrodA\0\xe2\x88\x9e\xff";

#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![any::<u8>(), prop::sample::select(INTERESTING)];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutations_never_panic(which in any::<usize>(), edits in prop::collection::vec(edit(), 1..8)) {
        let all = fixtures();
        let mut b = all[which % all.len()].clone();
        for e in edits {
            let n = b.len().max(1);
            match e {
                Edit::Set(i, c) => { if !b.is_empty() { let i = i % n; b[i] = c; } }
                Edit::Insert(i, c) => b.insert(i % (b.len() + 1), c),
                Edit::Delete(i) => { if !b.is_empty() { b.remove(i % n); } }
            }
        }
        exercise(&b);
    }

    #[test]
    fn truncations_and_splices_never_panic(a in any::<usize>(), b in any::<usize>(), cut in any::<usize>(), cut2 in any::<usize>()) {
        let all = fixtures();
        let x = &all[a % all.len()];
        let y = &all[b % all.len()];
        let i = cut % (x.len() + 1);
        exercise(&x[..i]);
        let j = cut2 % (y.len() + 1);
        let mut s = x[..i].to_vec();
        s.extend_from_slice(&y[j..]);
        exercise(&s);
    }
}
