//! Reading the fence-peer record file (appended by [`crate::act::fence`]; see
//! [`crate::model::fence`] for the record).

use std::path::Path;

pub use crate::model::fence::{last_of, open_fence, path, FenceRecord, FILE_NAME};

/// The last record under `drbd_dir`, if any (unreadable file = none).
pub fn last(drbd_dir: &Path) -> Option<FenceRecord> {
    last_of(&std::fs::read_to_string(path(drbd_dir)).ok()?)
}
