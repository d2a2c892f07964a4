//! The private-chef.rb subset parser never panics on any text, and a topology it accepts
//! yields paths.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(topo) = private_chef_ctl::config::parse(text) {
            let _ = private_chef_ctl::config::effective_paths(&topo);
        }
    }
});
