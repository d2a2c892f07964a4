//! The one resync progress renderer: the bar (indicatif) and its message, for
//! `ha-status --watch` (from /proc/drbd's progress lines) and `ha-recover` (following a
//! device until UpToDate/UpToDate).

use crate::drbd::{ConnState, Progress};
use crate::model::DeviceView;
use crate::sys::time::hms;

/// A percentage as the bar's position (0–1000).
pub fn permille(percent: f64) -> u64 {
    (percent * 10.0).round().clamp(0.0, 1000.0) as u64
}

/// `ha-status --watch`'s message: `SyncSource 12.5% 100/800 KiB, 1736 KiB/s, ETA 0:00:32`.
pub fn watch_message(cs: &ConnState, sync: &Progress) -> String {
    let pct = sync.percent.unwrap_or(0.0);
    let mut msg = format!("{} {:.1}%", cs.as_str(), pct);
    msg.push_str(&format!(" {}/{} KiB", sync.done_kib, sync.total_kib));
    if let Some(sp) = sync.speed_kib_s {
        msg.push_str(&format!(", {sp} KiB/s"));
    }
    if let Some(f) = sync.finish_secs {
        msg.push_str(&format!(", ETA {}", hms(f)));
    }
    if sync.stalled {
        msg.push_str(" (stalled)");
    }
    msg
}

/// `ha-recover`'s message while it follows a device: `SyncTarget 1736 KiB/s ETA 0:00:32`.
pub fn follow_message(d: &DeviceView) -> String {
    let mut msg = d.cs.to_string();
    match &d.sync {
        Some(s) => {
            if let Some(sp) = s.speed_kib_s {
                msg.push_str(&format!(" {sp} KiB/s"));
            }
            if let Some(f) = s.finish_secs {
                msg.push_str(&format!(" ETA {}", hms(f)));
            }
        }
        None => msg.push_str(&format!(" {}", d.summary())),
    }
    msg
}

/// Which bar: `ha-status --watch`'s (the message carries the percentage) or
/// `ha-recover`'s (the bar shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `resync [=====>    ] {msg}`.
    Watch,
    /// `resync [=====>    ]  36% {msg}`.
    Follow,
}

/// A resync bar, drawn on first use and cleared when dropped or [`ResyncBar::clear`]ed.
#[derive(Debug)]
pub struct ResyncBar {
    style: Style,
    bar: Option<indicatif::ProgressBar>,
}

impl ResyncBar {
    /// A bar not drawn yet.
    pub fn new(style: Style) -> ResyncBar {
        ResyncBar { style, bar: None }
    }

    /// Whether it is drawn.
    pub fn shown(&self) -> bool {
        self.bar.is_some()
    }

    /// Draws (or updates) the bar at `permille` with `msg`.
    pub fn show(&mut self, permille: u64, msg: String) {
        let style = self.style;
        let b = self.bar.get_or_insert_with(|| {
            let template = match style {
                Style::Watch => "resync [{bar:40}] {msg}",
                Style::Follow => "resync [{bar:40}] {percent:>3}% {msg}",
            };
            let b = indicatif::ProgressBar::new(1000);
            b.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        b.set_position(permille);
        b.set_message(msg);
    }

    /// Runs `f` with the bar hidden (to print other output), or just runs it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar.
    pub fn clear(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Drop for ResyncBar {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SyncView;

    #[test]
    fn messages() {
        let p = Progress {
            percent: Some(12.5),
            done_kib: 100,
            total_kib: 800,
            speed_kib_s: Some(1736),
            finish_secs: Some(32),
            ..Progress::default()
        };
        assert_eq!(
            watch_message(&ConnState::SyncSource, &p),
            "SyncSource 12.5% 100/800 KiB, 1736 KiB/s, ETA 0:00:32"
        );
        let mut d = DeviceView {
            minor: 0,
            cs: ConnState::SyncTarget,
            role: None,
            peer_role: None,
            disk: None,
            peer_disk: None,
            oos: None,
            io_suspended: false,
            sync: Some(SyncView {
                percent: Some(36.3),
                done_kib: 1,
                total_kib: 2,
                speed_kib_s: Some(900),
                finish_secs: Some(3725),
            }),
        };
        assert_eq!(follow_message(&d), "SyncTarget 900 KiB/s ETA 1:02:05");
        d.sync = None;
        assert_eq!(follow_message(&d), "SyncTarget cs:SyncTarget ro:?/? ds:?/?");
        assert_eq!(permille(36.34), 363);
        assert_eq!(permille(120.0), 1000);
    }
}
