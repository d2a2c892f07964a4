//! The split-brain record file: appended by `drbd-handler split-brain`, read by the
//! probe (see [`crate::model::split_brain`] for the record).

use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::model::split_brain::{last_of, path, SplitBrainRecord, FILE_NAME};

/// Appends `rec` as one JSON line (parent directory created, mode 0640).
pub fn append(drbd_dir: &Path, rec: &SplitBrainRecord) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let p = path(drbd_dir);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    let line = serde_json::to_string(rec).map_err(std::io::Error::other)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(&p)?;
    f.write_all(format!("{line}\n").as_bytes())?;
    Ok(p)
}

/// The last record under `drbd_dir`, if any (unreadable file = none).
pub fn last(drbd_dir: &Path) -> Option<SplitBrainRecord> {
    last_of(&std::fs::read_to_string(path(drbd_dir)).ok()?)
}
