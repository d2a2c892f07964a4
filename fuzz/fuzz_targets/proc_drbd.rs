//! `cargo fuzz run proc_drbd`: the /proc/drbd parser must never panic, and whatever it
//! accepts must give its JSON document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = private_chef_ctl::drbd::parse(data) {
        let _ = p.to_doc();
        let _ = p.is_drbd9_without_devices();
    }
});
