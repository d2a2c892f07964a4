//! runit's 20-byte supervise/status record: never a panic; only records runsv could have
//! written are accepted (length 20, flags 0/1, want u/d, state 0-2).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = private_chef_ctl::service::parse_supervise_status(data);
    let valid = data.len() == 20
        && data[16] <= 1
        && data[18] <= 1
        && matches!(data[17], b'u' | b'd')
        && data[19] <= 2;
    assert_eq!(r.is_ok(), valid, "{data:?} -> {r:?}");
});
