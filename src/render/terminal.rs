//! The terminal of `ha-status --watch`: the alternate screen, the cursor hidden, restored
//! however the loop ends.

use std::io::Write;

/// Restores the terminal (cursor, main screen) however the loop ends.
pub struct TerminalGuard {
    tty: bool,
}

impl TerminalGuard {
    /// Enters the alternate screen when `tty`.
    pub fn new(tty: bool) -> Self {
        if tty {
            print!("\x1b[?1049h\x1b[?25l");
            let _ = std::io::stdout().flush();
        }
        TerminalGuard { tty }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.tty {
            print!("\x1b[?25h\x1b[?1049l");
            let _ = std::io::stdout().flush();
        }
    }
}
