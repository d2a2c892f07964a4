//! Host glue for runbooks: runs a [`RecoveryStep`] on this node or on the peer (the same
//! ssh channel as the peer view), re-reads the node's DRBD state for the preconditions,
//! asks for the typed confirmation of the resource name, follows a resync with a progress
//! bar (or JSON progress events), and emits the `--json` event stream.
//!
//! # Event stream (`ha-recover --json`, one JSON object per line on stdout)
//!
//! ```text
//! {"event":"diagnosis","situation":"scenario-3","title":"…"}
//! {"event":"plan","runbook":{Runbook JSON, see Runbook::to_json}}
//! {"event":"step","index":1,"of":2,"node":"be2","what":"…","command":"drbdadm primary pc0","status":"started"}
//! {"event":"step","index":1,"of":2,…,"status":"ok","output":"…"}        // or "failed" + "error",
//!                                                                       // "skipped"/"refused" + "reason", "dry-run"
//! {"event":"progress","index":3,"percent":36.3,"done_kib":…,"total_kib":…,"speed_kib_s":…,"eta_secs":…,"state":"cs:SyncSource …"}
//! {"event":"message","text":"…"}
//! {"event":"done","result":"ok"|"failed"|"refused"|"dry-run"|"nothing-to-do"|"not-applicable",
//!  "exit_code":0,"notes":["…"]}
//! ```
//! `index` is 1-based.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::decide::runbook::{Action, NodeRef, RecoveryStep};
use crate::model::{ConnState, DeviceView, PeerView};
use crate::observe::peer::{self, PeerOptions, RemoteResult};
use crate::render::progress::{self, ResyncBar, Style};

/// Timeout of a drbdadm call (drbdadm's own medium timeout is unreliable, §5.4).
pub const DRBDADM_TIMEOUT: Duration = Duration::from_secs(150);
/// Timeout of master-recover/backup-recover (a 300×1 s DRBD loop plus the services).
pub const CTL_TIMEOUT: Duration = Duration::from_secs(900);
/// Timeout of the data copy.
pub const PRESERVE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
/// How often a resync is polled.
pub const POLL: Duration = Duration::from_secs(2);

/// Prints the `--json` event stream (or nothing in text mode).
#[derive(Debug, Clone, Copy)]
pub struct Events {
    /// Emit JSON lines.
    pub json: bool,
}

impl Events {
    /// Emits one event (JSON mode only).
    pub fn emit(&self, v: Value) {
        if self.json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{v}");
            let _ = out.flush();
        }
    }
}

/// The shared executor's [`crate::act::plan::Ui`] for ha-recover: text to stdout, or `message`
/// events in JSON mode; questions on stderr/stdin.
#[derive(Debug)]
pub struct RecoverUi {
    /// The event stream.
    pub events: Events,
}

impl crate::act::plan::Ui for RecoverUi {
    fn say(&mut self, text: &str) {
        if self.events.json {
            self.events
                .emit(json!({"event": "message", "text": text.trim_end()}));
        } else {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", text.trim_end());
            let _ = out.flush();
        }
    }

    fn interactive(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    fn ask(&mut self, question: &str) -> bool {
        crate::act::plan::is_yes(&prompt(&format!("{question} [y/N] ")))
    }
}

/// Asks on stderr, reads a line from stdin ("" on error).
pub fn prompt(q: &str) -> String {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{q}");
    let _ = err.flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    line.trim().to_string()
}

/// The typed confirmation before a step that can discard data (pure decision): `--yes`
/// requires `--confirm-resource RESOURCE`; otherwise the operator's `typed` answer must be
/// the resource name.
pub fn typed_confirmation(
    resource: &str,
    yes: bool,
    confirm_resource: Option<&str>,
    typed: impl FnOnce() -> Option<String>,
) -> Result<(), String> {
    if yes {
        return match confirm_resource {
            Some(r) if r == resource => Ok(()),
            Some(r) => Err(format!(
                "--confirm-resource {r} does not name the resource ({resource})"
            )),
            None => Err(format!(
                "this step can discard data: with --yes, also pass --confirm-resource {resource}"
            )),
        };
    }
    match typed() {
        Some(t) if t.trim() == resource => Ok(()),
        Some(t) => Err(format!(
            "typed {:?}, not the resource name {resource}: step not confirmed",
            t.trim()
        )),
        None => Err("no terminal to type the resource name on: step not confirmed".to_string()),
    }
}

/// Where and how a runbook's steps run: this node, or the peer over ssh.
#[derive(Debug, Clone)]
pub struct Pair {
    /// How to reach the peer.
    pub peer_opts: PeerOptions,
    /// The peer's address, when known.
    pub peer_address: Option<String>,
    /// This program (for private-chef-ctl steps on this node).
    pub local_ctl: PathBuf,
    /// /proc/drbd here.
    pub proc_drbd: PathBuf,
    /// The resource's minor.
    pub minor: u32,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// Done; the output.
    Ok(String),
    /// drbdadm refused a state change (`State change failed`), and the runbook goes on.
    Refused(String),
    /// Failed.
    Failed(String),
}

impl Pair {
    fn command(
        &self,
        node: &NodeRef,
        argv: &[String],
        timeout: Duration,
    ) -> Result<crate::sys::exec::Command, String> {
        if node.local {
            let (prog, rest) = argv
                .split_first()
                .ok_or_else(|| "empty command".to_string())?;
            Ok(crate::sys::exec::Command::new(prog)
                .args(rest)
                .timeout(timeout))
        } else {
            let addr = self
                .peer_address
                .as_ref()
                .ok_or_else(|| format!("no address for {}", node.name))?;
            Ok(peer::ssh_command(&self.peer_opts, addr, argv, timeout))
        }
    }

    fn argv(&self, node: &NodeRef, action: &Action) -> Vec<String> {
        match action {
            Action::Drbdadm { args, .. } => std::iter::once("drbdadm".to_string())
                .chain(args.iter().cloned())
                .collect(),
            Action::Ctl { args } => {
                let prog = if node.local {
                    self.local_ctl.display().to_string()
                } else {
                    self.peer_opts.remote_ctl.clone()
                };
                std::iter::once(prog).chain(args.iter().cloned()).collect()
            }
            Action::Preserve(p) => {
                let mut a = p.argv();
                if a.first().map(String::as_str) == Some("private-chef-ctl") {
                    a[0] = if node.local {
                        self.local_ctl.display().to_string()
                    } else {
                        self.peer_opts.remote_ctl.clone()
                    };
                }
                a
            }
            Action::WaitSync { .. } => Vec::new(),
        }
    }

    /// The node's device now (this node: /proc/drbd; the peer: ha-status --json over ssh).
    pub fn observe(&self, node: &NodeRef) -> Result<Option<DeviceView>, String> {
        if node.local {
            let p = crate::drbd::read(&self.proc_drbd).map_err(|e| format!("{e:#}"))?;
            Ok(p.device(self.minor).map(DeviceView::from))
        } else {
            let addr = self
                .peer_address
                .as_ref()
                .ok_or_else(|| format!("no address for {}", node.name))?;
            match peer::fetch(&self.peer_opts, &node.name, addr, self.minor) {
                PeerView::Reachable { view } => Ok(view.device().cloned()),
                other => Err(format!(
                    "{} is {}: {}",
                    node.name,
                    other.state(),
                    other.reason().unwrap_or("")
                )),
            }
        }
    }

    /// Runs one step (not a wait).
    pub fn run_step(&self, s: &RecoveryStep) -> StepResult {
        let timeout = match &s.action {
            Action::Drbdadm { .. } => DRBDADM_TIMEOUT,
            Action::Ctl { .. } => CTL_TIMEOUT,
            Action::Preserve(_) => PRESERVE_TIMEOUT,
            Action::WaitSync { .. } => return StepResult::Failed("a wait is not a command".into()),
        };
        let argv = self.argv(&s.node, &s.action);
        let cmd = match self.command(&s.node, &argv, timeout) {
            Ok(c) => c,
            Err(e) => return StepResult::Failed(e),
        };
        let shown = cmd.display();
        let out = match cmd.run() {
            Ok(o) => o,
            Err(e) => return StepResult::Failed(format!("{e:#}")),
        };
        if !s.node.local {
            let program = argv.first().map(String::as_str).unwrap_or("");
            match peer::classify_output(&cmd, out.clone(), program) {
                RemoteResult::Ran(_) => {}
                RemoteResult::Unreachable(r) | RemoteResult::Unknown(r) => {
                    return StepResult::Failed(format!("{}: {r}", s.node.name))
                }
            }
        }
        let text = format!("{}{}", out.stdout, out.stderr);
        if out.success() {
            return StepResult::Ok(text);
        }
        if let Action::Drbdadm {
            tolerate,
            refusal_continues,
            ..
        } = &s.action
        {
            let cs = if tolerate
                .iter()
                .any(|t| t.needs_state(out.code, &out.stderr))
            {
                self.observe(&s.node).ok().flatten().map(|d| d.cs)
            } else {
                None
            };
            if let Some(t) = tolerate
                .iter()
                .find(|t| t.matches_in_state(out.code, &out.stderr, cs.as_ref()))
            {
                return StepResult::Ok(format!("tolerated ({t:?}): {}", text.trim()));
            }
            if *refusal_continues && out.stderr.contains("State change failed") {
                return StepResult::Refused(text.trim().to_string());
            }
        }
        StepResult::Failed(format!(
            "'{shown}' exited {}: {}",
            out.code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "by signal".into()),
            text.trim()
        ))
    }

    /// Polls `node` until Connected UpToDate/UpToDate, drawing a progress bar (text) or
    /// emitting `progress` events (JSON); fails after `timeout`.
    pub fn wait_sync(
        &self,
        node: &NodeRef,
        timeout: Duration,
        index: usize,
        events: Events,
    ) -> Result<String, String> {
        let start = Instant::now();
        let mut bar = ResyncBar::new(Style::Follow);
        // None: no progress event yet (Instant minus a duration can underflow after boot)
        let mut last_emit: Option<Instant> = None;
        let mut standalone_polls = 0;
        loop {
            let seen = self.observe(node);
            if let Ok(Some(d)) = &seen {
                if d.connected() && d.both_up_to_date() {
                    bar.clear();
                    return Ok(format!("{}: {}", node.name, d.summary()));
                }
                standalone_polls = if d.cs == ConnState::StandAlone {
                    standalone_polls + 1
                } else {
                    0
                };
                if standalone_polls >= 5 {
                    bar.clear();
                    return Err(format!(
                        "{} stays StandAlone ({}): the peers refuse to connect (split brain?); run ha-diagnose",
                        node.name,
                        d.summary()
                    ));
                }
                let pct = d.sync.as_ref().and_then(|s| s.percent).unwrap_or(0.0);
                if events.json {
                    if last_emit.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                        last_emit = Some(Instant::now());
                        let s = d.sync.clone().unwrap_or_default();
                        events.emit(json!({"event":"progress","index":index,"percent":s.percent,
                            "done_kib":s.done_kib,"total_kib":s.total_kib,
                            "speed_kib_s":s.speed_kib_s,"eta_secs":s.finish_secs,
                            "state":d.summary()}));
                    }
                } else {
                    bar.show(progress::permille(pct), progress::follow_message(d));
                }
            }
            if start.elapsed() >= timeout {
                bar.clear();
                let what = match seen {
                    Ok(Some(d)) => d.summary(),
                    Ok(None) => "resource not in /proc/drbd".to_string(),
                    Err(e) => e,
                };
                return Err(format!(
                    "not Connected UpToDate/UpToDate after {} s (last: {what})",
                    timeout.as_secs()
                ));
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Finds `vg/lv` for a backing device on `node` with `lvs` (`None`: not an LV, or no LVM).
pub fn backing_lv(host: &Pair, node: &NodeRef, device: &std::path::Path) -> Option<String> {
    let argv: Vec<String> = vec![
        "lvs".into(),
        "--noheadings".into(),
        "-o".into(),
        "vg_name,lv_name".into(),
        device.display().to_string(),
    ];
    let cmd = host.command(node, &argv, Duration::from_secs(20)).ok()?;
    let o = cmd.run().ok()?;
    if !o.success() {
        return None;
    }
    parse_lvs(&o.stdout)
}

/// `  opscode drbd\n` → `opscode/drbd`.
pub fn parse_lvs(out: &str) -> Option<String> {
    let line = out.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut w = line.split_whitespace();
    let (vg, lv) = (w.next()?, w.next()?);
    Some(format!("{vg}/{lv}"))
}

/// The step as an event body.
pub fn step_event(i: usize, n: usize, s: &RecoveryStep, status: &str) -> Value {
    json!({"event":"step","index":i + 1,"of":n,"node":s.node.name,"what":s.what,
           "command":s.action.command(),"discards_data":s.discards_data,"status":status})
}
