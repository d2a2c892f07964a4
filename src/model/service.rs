//! A supervised service's run state, as the service managers read it.

/// The run state of one supervised process.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum State {
    /// Running with this pid for `secs` seconds.
    Up { pid: u32, secs: u64 },
    /// Not running, for `secs` seconds.
    Down { secs: u64 },
    /// The main process exited and `./finish` runs (pid of the finish script, 0 if unknown).
    Finishing { pid: u32, secs: u64 },
    /// The state could not be read; the reason names the file or the failing command.
    Unknown { reason: String },
}

impl State {
    /// True for [`State::Up`] only.
    pub fn is_up(&self) -> bool {
        matches!(self, State::Up { .. })
    }

    /// True for [`State::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, State::Unknown { .. })
    }
}
