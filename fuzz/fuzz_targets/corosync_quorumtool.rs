//! `corosync-quorumtool -s` output (also as `-m` blocks): the parser never panics, on any
//! text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::corosync::parse_status;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_status(text);
});
