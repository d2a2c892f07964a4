//! Service managers: runit (supervise/status) and systemd.
