//! Render: text, tables and progress of model and decide values (no host access).
//!
//! * [`progress`]: the one resync progress renderer (bar message, bar);
//! * [`tables`]: `drbd-status`'s table and `ha-status --peer`'s side-by-side table;
//! * [`config`]: `show-config`'s text and JSON;
//! * [`terminal`]: the alternate screen of `ha-status --watch`;
//! * [`text`]: the classic text forms (ha-status lines, plans, a diagnosis);
//! * [`metrics`]: the Prometheus text exposition of a monitoring sample;
//! * [`check`]: the monitoring check's output (Monitoring Plugins conventions).
//!
//! JSON documents are their model types serialized (`serde`).

pub mod check;
pub mod config;
pub mod frontends; // issue 11
pub mod metrics;
pub mod progress;
pub mod tables;
pub mod terminal;
pub mod text;
