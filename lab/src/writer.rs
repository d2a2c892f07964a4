//! The load writer (`guest/writer.py`, installed as `/opt/lab/writer.py` on every node):
//! acknowledged PostgreSQL rows and Redis keys through the VIP, recorded on the guest's
//! tmpfs. Run it on a node that stays up (the front end fe1 survives the crash of either back
//! end): its record dies with its guest.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{shell_quote, wait_until, Lab, NodeId, Output};

/// Where the script lives in the guests.
pub const WRITER_PATH: &str = "/opt/lab/writer.py";

/// What the writer has had acknowledged so far (`DIR/progress`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Acknowledged (committed) PostgreSQL rows.
    pub pg: u64,
    /// Acknowledged Redis SET+INCR pairs.
    pub redis: u64,
    /// Connection failures seen (each one reconnects).
    pub errors: u64,
    /// Guest time (unix seconds) of the last acknowledgement.
    pub last_ack: f64,
}

impl Progress {
    fn parse(s: &str) -> Option<Progress> {
        let w: Vec<&str> = s.split_whitespace().collect();
        match w.as_slice() {
            ["pg", pg, "redis", r, "errors", e, "t", t] => Some(Progress {
                pg: pg.parse().ok()?,
                redis: r.parse().ok()?,
                errors: e.parse().ok()?,
                last_ack: t.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// A writer running in a guest.
pub struct Writer<'a> {
    lab: &'a Lab,
    node: NodeId,
    dir: String,
}

impl<'a> Writer<'a> {
    /// The lab it writes into (for its pace-scaled deadlines).
    pub fn lab(&self) -> &'a Lab {
        self.lab
    }

    /// Starts `writer.py run DIR --first FIRST` in the background on `node` (DIR under
    /// `/run/lab-writer/`, a tmpfs), writing through the VIP.
    pub fn start(lab: &'a Lab, node: NodeId, name: &str, first: u64) -> Result<Writer<'a>> {
        let dir = format!("/run/lab-writer/{name}");
        let q = shell_quote(&dir);
        let o = lab.exec(
            node,
            &format!(
                "rm -rf {q} && mkdir -p {q} && setsid -f python3 {WRITER_PATH} run {q} --first {first} </dev/null >{q}/out 2>&1"
            ),
        )?;
        if !o.success() {
            bail!("{node}: starting the writer: {o:?}");
        }
        Ok(Writer { lab, node, dir })
    }

    /// The node it runs on.
    pub fn node(&self) -> NodeId {
        self.node
    }

    /// Its record directory in the guest.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// The current progress (zeros until the first loop ends).
    pub fn progress(&self) -> Result<Progress> {
        let o = self.lab.exec(
            self.node,
            &format!(
                "cat {}/progress 2>/dev/null || true",
                shell_quote(&self.dir)
            ),
        )?;
        Ok(Progress::parse(o.stdout.trim()).unwrap_or_default())
    }

    /// Waits until at least `pg` rows and `redis` keys are acknowledged.
    pub fn wait_for(&self, pg: u64, redis: u64, deadline: Instant) -> Result<Progress> {
        wait_until(
            deadline,
            &format!("{}: writer to reach {pg} rows and {redis} keys", self.node),
            || {
                let p = self.progress()?;
                Ok((p.pg >= pg && p.redis >= redis).then_some(p))
            },
        )
    }

    /// Asks it to stop and waits until it has; returns the final progress.
    pub fn stop(&self, deadline: Instant) -> Result<Progress> {
        let q = shell_quote(&self.dir);
        self.lab.exec(self.node, &format!("touch {q}/stop"))?;
        wait_until(deadline, &format!("{}: writer to stop", self.node), || {
            let o = self.lab.exec(
                self.node,
                &format!("test -e {q}/running && echo yes || echo no"),
            )?;
            Ok((o.stdout.trim() == "no").then_some(()))
        })?;
        self.progress()
    }

    /// `writer.py verify DIR --host HOST`: every acknowledged row and key present on HOST?
    /// The output has `pg acked=N present=N missing=M` and `redis acked=… missing=…` lines;
    /// exit 0 when nothing is missing.
    pub fn verify(&self, host: &str) -> Result<Output> {
        self.lab
            .exec_timeout(
                self.node,
                &format!(
                    "python3 {WRITER_PATH} verify {} --host {}",
                    shell_quote(&self.dir),
                    shell_quote(host)
                ),
                Duration::from_secs(120),
            )
            .with_context(|| format!("{}: writer verify against {host}", self.node))
    }

    /// The writer's own log (connects and errors with guest timestamps).
    pub fn log(&self) -> Result<String> {
        let o = self.lab.exec(
            self.node,
            &format!(
                "cat {}/writer.log 2>/dev/null; cat {}/out 2>/dev/null",
                shell_quote(&self.dir),
                shell_quote(&self.dir)
            ),
        )?;
        Ok(o.stdout)
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn parses_progress() {
        let p = Progress::parse("pg 1050 redis 1000 errors 2 t 1700000000.125\n").unwrap();
        assert_eq!((p.pg, p.redis, p.errors), (1050, 1000, 2));
        assert!((p.last_ack - 1_700_000_000.125).abs() < 1e-6);
        assert_eq!(Progress::parse(""), None);
    }
}
