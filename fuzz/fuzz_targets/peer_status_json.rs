//! The peer's `ha-status --json`, read into the document type this node writes: never a
//! panic, and what is accepted survives a round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use private_chef_ctl::model::StatusDoc;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = serde_json::from_slice::<StatusDoc>(data) {
        let text = serde_json::to_string(&doc).expect("a document serializes");
        let again: StatusDoc = serde_json::from_str(&text).expect("what we write, we read");
        assert_eq!(again, doc);
    }
});
