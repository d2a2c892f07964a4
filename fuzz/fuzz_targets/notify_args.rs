//! keepalived's notify arguments (one word a line): never a panic; what is accepted is one
//! state word or INSTANCE|GROUP NAME STATE PRIORITY, taken as they come.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::decide::transition::{notify_words, parse_notify_args};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let words: Vec<String> = text.split('\n').map(str::to_string).collect();
    if parse_notify_args(&words).is_ok() {
        assert!(words.len() == 1 || words.len() == 4, "{words:?}");
        if words.len() == 4 {
            let k = words[0].to_ascii_uppercase();
            assert!(k == "INSTANCE" || k == "GROUP", "{words:?}");
        }
    }
    // the raw words after the options are what follows them, unchanged
    let mut argv = vec!["private-chef-ctl".to_string(), "cluster-transition".to_string()];
    argv.extend(words.iter().cloned());
    let w = notify_words(&argv);
    assert!(words.ends_with(&w), "{words:?} -> {w:?}");
});
