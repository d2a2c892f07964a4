//! Reading the split-brain record file (appended by [`crate::act::notify`]; see
//! [`crate::model::split_brain`] for the record).

use std::path::Path;

pub use crate::model::split_brain::{last_of, path, SplitBrainRecord, FILE_NAME};

/// The last record under `drbd_dir`, if any (unreadable file = none).
pub fn last(drbd_dir: &Path) -> Option<SplitBrainRecord> {
    last_of(&std::fs::read_to_string(path(drbd_dir)).ok()?)
}
