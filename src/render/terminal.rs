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

/// Prints one line on stdout and ignores a closed stdout (`| head`): a mutating command
/// must finish its work, not panic on its own output (`println!` would).
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(line).and_then(|()| out.write_all(b"\n"));
    let _ = out.flush();
}

/// [`say`] without the newline.
pub fn say_raw(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
