//! The DRBD resource's running configuration ([`RunningConfig`]): `drbdsetup show <res>`
//! for the kernel's settings and `drbdadm dump all` for the handlers, each bounded by
//! [`TIMEOUT`]. A command that is missing, fails or hangs makes the configuration (or its
//! handlers) unknown, with the reason; it never reads as a default.

use std::time::Duration;

use crate::drbd::running_config::{parse_dump_handlers, parse_show, RunningConfig};
use crate::model::Known;
use crate::sys::exec::Command;

/// How long each command may take. `drbdsetup show` waits for DRBD's configuration lock,
/// which a promotion holds while its fence-peer handler runs.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `cmd` (LC_ALL=C, bounded): its stdout, or why not.
fn output(cmd: Command) -> Result<String, String> {
    let cmd = cmd.env("LC_ALL", "C").timeout(TIMEOUT);
    let r = cmd.run();
    crate::sys::exec::stdout_of(&cmd, r)
}

/// Reads the running configuration of `resource`.
pub fn read(resource: &str) -> Known<RunningConfig> {
    let show = Command::new("drbdsetup").args(["show", resource]);
    let shown = show.display();
    let kernel = match output(show) {
        Ok(text) => match parse_show(&text, resource) {
            Ok(k) => k,
            Err(e) => return Known::Unknown(format!("'{shown}': {e}")),
        },
        Err(e) => return Known::Unknown(e),
    };
    let dump = Command::new("drbdadm").args(["dump", "all"]);
    let dumped = dump.display();
    let handlers = output(dump).and_then(|text| {
        parse_dump_handlers(&text, resource).map_err(|e| format!("'{dumped}': {e}"))
    });
    Known::Known(RunningConfig::new(kernel, handlers))
}
