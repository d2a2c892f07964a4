//! `drbdsetup show` and `drbdadm dump all` output: the parsers never panic, on any text and
//! any resource name (text and name split at the first NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::drbd::running_config::{parse_dump_handlers, parse_show};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (text, resource) = text.split_once('\0').unwrap_or((text, "pc0"));
    let _ = parse_show(text, resource);
    let _ = parse_dump_handlers(text, resource);
});
