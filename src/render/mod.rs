//! Render: text, tables and progress of model and decide values (no host access).
//!
//! * [`progress`]: the one resync progress renderer (bar message, bar);
//! * [`tables`]: `drbd-status`'s table and `ha-status --peer`'s side-by-side table.
//!
//! Classic text forms live beside their values (`Report::text`, `Plan::render_text`,
//! `Diagnosis::render_text`).

pub mod progress;
pub mod tables;
