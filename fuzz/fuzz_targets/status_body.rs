//! A front end's `/_status` body (issue 11): never a panic; what is accepted has a
//! `status` and upstreams of pong/fail only, names clipped, and classifies the same way
//! whatever the latency.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::model::frontend::{parse_status_body, FrontendResult, Outcome};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_status_body(data);
    if let Ok(b) = &parsed {
        assert!(b.upstreams.keys().all(|k| k.chars().count() <= 64));
        assert!(b.served_by.as_ref().is_none_or(|s| s.chars().count() <= 64));
    }
    for code in [200u16, 500, 404] {
        let r = FrontendResult::answered("fe", "a", "u", code, data, 1);
        assert_ne!(r.outcome, Outcome::Unreachable);
        assert_eq!(r.outcome == Outcome::Pong, r.error.is_none());
        if r.outcome == Outcome::Pong {
            assert_eq!(code, 200);
            assert!(parsed.is_ok());
        }
    }
});
