//! The /proc/drbd parser never panics; what it accepts has ascending, unique minors and
//! gives its JSON document; what it refuses names a line and column inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match private_chef_ctl::drbd::parse(data) {
        Ok(p) => {
            let minors: Vec<u32> = p.devices.iter().map(|d| d.minor).collect();
            assert!(
                minors.windows(2).all(|w| w[0] < w[1]),
                "accepted minors not strictly ascending: {minors:?}"
            );
            let _ = p.to_doc();
            let _ = p.is_drbd9_without_devices();
        }
        Err(e) => {
            let lines = data.split(|c| *c == b'\n').count().max(1);
            assert!(e.line >= 1 && e.line <= lines + 1, "error line {} of {lines}", e.line);
            assert!(e.column >= 1);
        }
    }
});
