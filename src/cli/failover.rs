//! `stop keepalived` / `start keepalived`: the graceful failover, made something an
//! operator can follow.
//!
//! `stop keepalived` on the master stops keepalived through the service manager; keepalived
//! removes the VIP and runs its notify_stop hook (`cluster-transition stop`: services
//! stopped, file system unmounted, DRBD demoted); the peer stops hearing adverts, takes the
//! VIP and promotes. The command shows the current step (a spinner, or one line per step
//! when stdout is not a terminal) and returns when this node is demoted and the peer serves:
//! DRBD peer role Primary and the VIP answering from the peer — or fails saying what is
//! stuck. Before it starts it refuses to stop keepalived on a master whose peer could not
//! take over with current data (`--force` overrides).
//!
//! `start keepalived` starts it and returns when this node has settled as master or backup.
//!
//! Exit codes: 0 done (or dry run); 1 stuck or failed (the message says at which step);
//! 3 refused (a precondition, or no confirmation), as master-recover. Every action is
//! recorded in the audit log.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::audit::{Audit, AuditResult};
use crate::plan::{self, ExecOptions, Gate, Plan, Step, TermUi};

use super::Ctx;
use crate::config::Config;
use crate::drbd::ProcDrbd;
use crate::probe::host;
use crate::service::{self, Control, State, KEEPALIVED};

/// Options of `start`/`stop` that only matter for `keepalived` (the failover).
#[derive(Debug, Clone, clap::Args)]
pub struct FailoverOpts {
    /// keepalived only: do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// keepalived only: print what would be done, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// keepalived only: stop it even when the peer cannot take over with current data.
    #[arg(long)]
    pub force: bool,
    /// keepalived only: seconds to wait for the failover to complete.
    #[arg(long, default_value_t = 180, value_name = "SECS")]
    pub wait: u64,
}

/// What this node shows about the pair at one instant (read without forking).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub keepalived: State,
    pub requested: Option<String>,
    pub current: Option<String>,
    pub vip_here: Option<bool>,
    /// Whether the VIP answered a ping (from whoever holds it).
    pub vip_answers: Option<bool>,
    pub cs: Option<String>,
    pub role: Option<String>,
    pub peer_role: Option<String>,
    pub disk: Option<String>,
    pub peer_disk: Option<String>,
    pub mounted: Option<bool>,
    /// The last line of cluster.log: what the transition is doing.
    pub last_log: Option<String>,
}

impl Observation {
    fn is_master(&self) -> bool {
        self.current.as_deref() == Some("master")
    }
}

/// Why `stop keepalived` should not go ahead on this node, if it should not.
pub fn stop_refusal(o: &Observation) -> Option<String> {
    if !o.is_master() {
        return None;
    }
    let cs = o.cs.as_deref().unwrap_or("unknown");
    let pd = o.peer_disk.as_deref().unwrap_or("unknown");
    if cs != "Connected" || pd != "UpToDate" {
        return Some(format!(
            "this node is master and its DRBD peer is not ready to take over (cs:{cs}, peer disk {pd}): \
             stopping keepalived here would leave the pair without a master, or promote stale data. \
             Fix the replication first (see ha-status), or pass --force."
        ));
    }
    None
}

/// Where a graceful failover started from this node stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopProgress {
    Waiting(String),
    Done,
}

/// The pure decision: what the failover is waiting for, given one observation.
/// `was_master` tells whether this node was master when keepalived was stopped.
pub fn stop_progress(o: &Observation, was_master: bool) -> StopProgress {
    use StopProgress::Waiting;
    if o.keepalived.is_up() {
        return Waiting("waiting for keepalived to stop".into());
    }
    if !was_master {
        return StopProgress::Done;
    }
    let demoted = matches!(o.current.as_deref(), Some("backup" | "stop" | "fault"))
        && o.requested == o.current;
    if !demoted
        || o.vip_here != Some(false)
        || o.mounted != Some(false)
        || o.role.as_deref() != Some("Secondary")
    {
        let step = o
            .last_log
            .clone()
            .unwrap_or_else(|| "no transition logged yet".into());
        return Waiting(format!("demoting this node: {step}"));
    }
    if o.peer_role.as_deref() != Some("Primary") {
        return Waiting(format!(
            "waiting for the peer to promote (DRBD cs:{} peer role {})",
            o.cs.as_deref().unwrap_or("?"),
            o.peer_role.as_deref().unwrap_or("?")
        ));
    }
    if o.vip_answers != Some(true) {
        return Waiting("waiting for the VIP to answer from the peer".into());
    }
    StopProgress::Done
}

/// Where `start keepalived` stands: done when keepalived runs and this node settled.
pub fn start_progress(o: &Observation) -> StopProgress {
    if !o.keepalived.is_up() {
        return StopProgress::Waiting("waiting for keepalived to start".into());
    }
    match (&o.requested, &o.current) {
        (Some(r), Some(c)) if r == c && (c == "master" || c == "backup") => StopProgress::Done,
        _ => StopProgress::Waiting(format!(
            "waiting for this node to settle (requested {}, current {}): {}",
            o.requested.as_deref().unwrap_or("?"),
            o.current.as_deref().unwrap_or("?"),
            o.last_log.as_deref().unwrap_or("")
        )),
    }
}

fn last_line(path: &std::path::Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let start = len.saturating_sub(4096);
    f.seek(SeekFrom::Start(start)).ok()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.to_string())
}

/// Reads the observation (files, getifaddrs, one bounded ping of the VIP).
pub fn observe(cfg: &Config, ping_vip: bool) -> Observation {
    let p = &cfg.paths;
    let m = service::manager_for(p);
    let drbd: Option<ProcDrbd> = crate::drbd::read(&p.proc_drbd).ok();
    let minor = host::drbd_minor(&p.drbd_device).unwrap_or(0);
    let dev = drbd
        .as_ref()
        .and_then(|d| d.devices.iter().find(|x| x.minor == minor).cloned());
    let vip = cfg.vip();
    let vip_here = match (&vip, host::interfaces()) {
        (Some(v), Ok(ifs)) => Some(host::has_address(&ifs, &v.device, v.address, v.prefix)),
        _ => None,
    };
    let vip_answers = match (&vip, ping_vip) {
        (Some(v), true) => host::ping(v.address, Duration::from_millis(500)).ok(),
        _ => None,
    };
    Observation {
        keepalived: m.status(KEEPALIVED).state,
        requested: host::read_state_file(&p.requested_status).ok(),
        current: host::read_state_file(&p.current_status).ok(),
        vip_here,
        vip_answers,
        cs: dev.as_ref().map(|d| d.cs.as_str().to_string()),
        role: dev
            .as_ref()
            .and_then(|d| d.role.as_ref().map(|r| r.as_str().to_string())),
        peer_role: dev
            .as_ref()
            .and_then(|d| d.peer_role.as_ref().map(|r| r.as_str().to_string())),
        disk: dev
            .as_ref()
            .and_then(|d| d.disk.as_ref().map(|r| r.as_str().to_string())),
        peer_disk: dev
            .as_ref()
            .and_then(|d| d.peer_disk.as_ref().map(|r| r.as_str().to_string())),
        mounted: std::fs::read_to_string(&p.proc_mounts)
            .ok()
            .map(|m| host::is_mounted(&m, &p.drbd_data_dir)),
        last_log: last_line(&p.cluster_log),
    }
}

/// Follows progress until done or the deadline; shows each step as it changes.
fn follow(
    cfg: &Config,
    wait: Duration,
    mut decide: impl FnMut(&Observation) -> StopProgress,
) -> (bool, Observation) {
    let tty = std::io::stderr().is_terminal();
    let spinner = indicatif::ProgressBar::new_spinner();
    if tty {
        spinner.enable_steady_tick(Duration::from_millis(120));
    }
    let deadline = Instant::now() + wait;
    let mut shown = String::new();
    loop {
        let o = observe(cfg, true);
        match decide(&o) {
            StopProgress::Done => {
                spinner.finish_and_clear();
                return (true, o);
            }
            StopProgress::Waiting(step) => {
                if step != shown {
                    if tty {
                        spinner.set_message(step.clone());
                    } else {
                        println!("... {step}");
                    }
                    shown = step;
                }
            }
        }
        if Instant::now() >= deadline {
            spinner.finish_and_clear();
            return (false, o);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn summary(o: &Observation) -> String {
    format!(
        "this node: cluster status {} (requested {}), DRBD {} {}/{} {}/{}, VIP {}, data {}",
        o.current.as_deref().unwrap_or("unknown"),
        o.requested.as_deref().unwrap_or("unknown"),
        o.cs.as_deref().unwrap_or("?"),
        o.role.as_deref().unwrap_or("?"),
        o.peer_role.as_deref().unwrap_or("?"),
        o.disk.as_deref().unwrap_or("?"),
        o.peer_disk.as_deref().unwrap_or("?"),
        match o.vip_here {
            Some(true) => "here",
            Some(false) => "not here",
            None => "unknown",
        },
        match o.mounted {
            Some(true) => "mounted",
            Some(false) => "not mounted",
            None => "mount state unknown",
        }
    )
}

/// Exit code of a refusal (a precondition, or no confirmation), as master-recover's.
pub const EXIT_REFUSED: i32 = crate::cli::recover::EXIT_REFUSED;
const ACTION_STOP: &str = "stop keepalived";
const ACTION_START: &str = "start keepalived";

fn step(what: String, command: Option<String>, why: &str, destructive: bool) -> Step {
    Step {
        what,
        node: crate::audit::hostname(),
        command,
        why: why.to_string(),
        destructive,
    }
}

/// The graceful failover as a plan (what `stop keepalived` does and waits for).
pub fn stop_plan(cfg: &Config, was_master: bool, wait: u64) -> Plan {
    let p = &cfg.paths;
    let mut steps = vec![step(
        "Stop keepalived on this node".into(),
        Some(format!(
            "SVWAIT={} {} stop keepalived",
            p.svwait_secs,
            p.sv_bin.display()
        )),
        "keepalived going away is what moves the VIP to the peer",
        was_master,
    )];
    if was_master {
        steps.push(step(
            format!(
                "keepalived removes the VIP; notify_stop demotes this node (services stopped, {} unmounted, DRBD {} secondary)",
                p.drbd_data_dir.display(),
                p.drbd_resource
            ),
            None,
            "the data must be released here before the peer can promote",
            false,
        ));
        steps.push(step(
            format!(
                "Wait up to {wait} s until the peer is DRBD Primary and the VIP answers from it"
            ),
            None,
            "the peer takes the VIP, promotes, mounts and starts the services",
            false,
        ));
    }
    Plan {
        title: if was_master {
            "graceful failover to the peer".into()
        } else {
            "stop keepalived (this node is not master: the VIP stays where it is)".into()
        },
        steps,
    }
}

/// What `start keepalived` does and waits for.
pub fn start_plan(cfg: &Config, wait: u64) -> Plan {
    let p = &cfg.paths;
    Plan {
        title: "start keepalived on this node".into(),
        steps: vec![
            step(
                "Start keepalived".into(),
                Some(format!("{} start keepalived", p.sv_bin.display())),
                "it starts as BACKUP (nopreempt) and becomes master only if no peer is master",
                false,
            ),
            step(
                format!("Wait up to {wait} s until this node settles as master or backup"),
                None,
                "keepalived's notify hook runs the transition",
                false,
            ),
        ],
    }
}

/// Shows the plan and asks; `Some(code)` when the command must stop here.
fn gate(plan: &Plan, opts: &FailoverOpts, audit: &Audit, action: &str) -> Option<i32> {
    let exec = ExecOptions {
        yes: opts.yes,
        dry_run: opts.dry_run,
    };
    match plan::confirm(plan, exec, &mut TermUi, audit, action) {
        Gate::Proceed => None,
        Gate::DryRun => Some(0),
        Gate::Refused(why) => {
            eprintln!("private-chef-ctl: {why}");
            Some(EXIT_REFUSED)
        }
    }
}

/// Runs keepalived's start or stop through the service manager, audited.
fn control_keepalived(
    cfg: &Config,
    audit: &Audit,
    action: &str,
    what: &str,
    c: Control,
) -> Result<bool> {
    audit.record(action, what, AuditResult::Started, "");
    let m = service::manager_for(&cfg.paths);
    let out = m
        .control(KEEPALIVED, c)
        .with_context(|| format!("{} keepalived", c.sv_word()))?;
    print!("{}", out.stdout);
    eprint!("{}", out.stderr);
    let text = plan::excerpt(&format!("{}{}", out.stdout, out.stderr));
    if out.code != 0 {
        eprintln!(
            "private-chef-ctl: {} keepalived failed (exit {})",
            c.sv_word(),
            out.code
        );
        audit.record(action, what, AuditResult::Failed, &text);
        return Ok(false);
    }
    audit.record(action, what, AuditResult::Ok, &text);
    Ok(true)
}

/// `private-chef-ctl stop keepalived`.
pub fn stop_keepalived(opts: &FailoverOpts, ctx: &Ctx) -> Result<i32> {
    let cfg = Config::load(&ctx.global.config)?;
    let audit = Audit::new(&cfg.paths.audit_log);
    let before = observe(&cfg, false);
    let was_master = before.is_master();
    if !before.keepalived.is_up() && !before.keepalived.is_unknown() {
        println!("keepalived is not running on this node: nothing to fail over.");
        return Ok(0);
    }
    if let Some(why) = stop_refusal(&before) {
        if opts.force {
            eprintln!("WARNING: --force: {why}");
        } else {
            eprintln!("private-chef-ctl: refusing to stop keepalived: {why}");
            audit.record(ACTION_STOP, "", AuditResult::Refused, &why);
            return Ok(EXIT_REFUSED);
        }
    }
    println!("{}", summary(&before));
    let plan = stop_plan(&cfg, was_master, opts.wait);
    if let Some(code) = gate(&plan, opts, &audit, ACTION_STOP) {
        return Ok(code);
    }
    if !control_keepalived(
        &cfg,
        &audit,
        ACTION_STOP,
        "Stop keepalived on this node",
        Control::Stop,
    )? {
        return Ok(1);
    }
    let (done, o) = follow(&cfg, Duration::from_secs(opts.wait), |o| {
        stop_progress(o, was_master)
    });
    println!("{}", summary(&o));
    match stop_progress(&o, was_master) {
        StopProgress::Done if done => {
            if was_master {
                println!("Failover complete: the peer is Primary and holds the VIP.");
            }
            audit.record(
                ACTION_STOP,
                "follow the failover",
                AuditResult::Ok,
                &summary(&o),
            );
            Ok(0)
        }
        StopProgress::Done => Ok(0),
        StopProgress::Waiting(step) => {
            eprintln!(
                "private-chef-ctl: failover did not complete within {} s; stuck at: {step}",
                opts.wait
            );
            eprintln!(
                "  see {} and `private-chef-ctl ha-status` on both nodes",
                cfg.paths.cluster_log.display()
            );
            audit.record(
                ACTION_STOP,
                "follow the failover",
                AuditResult::Failed,
                &format!("stuck at: {step}"),
            );
            Ok(1)
        }
    }
}

/// `private-chef-ctl start keepalived`.
pub fn start_keepalived(opts: &FailoverOpts, ctx: &Ctx) -> Result<i32> {
    let cfg = Config::load(&ctx.global.config)?;
    let audit = Audit::new(&cfg.paths.audit_log);
    let before = observe(&cfg, false);
    println!("{}", summary(&before));
    let plan = start_plan(&cfg, opts.wait);
    if let Some(code) = gate(&plan, opts, &audit, ACTION_START) {
        return Ok(code);
    }
    if !control_keepalived(
        &cfg,
        &audit,
        ACTION_START,
        "Start keepalived",
        Control::Start,
    )? {
        return Ok(1);
    }
    let (_, o) = follow(&cfg, Duration::from_secs(opts.wait), start_progress);
    println!("{}", summary(&o));
    match start_progress(&o) {
        StopProgress::Done => {
            println!(
                "keepalived is running; this node is {}.",
                o.current.as_deref().unwrap_or("?")
            );
            audit.record(
                ACTION_START,
                "wait until settled",
                AuditResult::Ok,
                &summary(&o),
            );
            Ok(0)
        }
        StopProgress::Waiting(step) => {
            eprintln!(
                "private-chef-ctl: this node did not settle within {} s; stuck at: {step}",
                opts.wait
            );
            audit.record(
                ACTION_START,
                "wait until settled",
                AuditResult::Failed,
                &format!("stuck at: {step}"),
            );
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> Observation {
        Observation {
            keepalived: State::Up { pid: 10, secs: 100 },
            requested: Some("master".into()),
            current: Some("master".into()),
            vip_here: Some(true),
            vip_answers: Some(true),
            cs: Some("Connected".into()),
            role: Some("Primary".into()),
            peer_role: Some("Secondary".into()),
            disk: Some("UpToDate".into()),
            peer_disk: Some("UpToDate".into()),
            mounted: Some(true),
            last_log: None,
        }
    }

    #[test]
    fn refuses_when_peer_cannot_take_over() {
        assert_eq!(stop_refusal(&master()), None);
        let mut o = master();
        o.cs = Some("WFConnection".into());
        o.peer_disk = Some("DUnknown".into());
        let why = stop_refusal(&o).unwrap();
        assert!(why.contains("cs:WFConnection, peer disk DUnknown"), "{why}");
        let mut o = master();
        o.peer_disk = Some("Inconsistent".into());
        assert!(stop_refusal(&o).is_some());
        // a backup may always stop its keepalived
        let mut o = master();
        o.current = Some("backup".into());
        o.cs = Some("StandAlone".into());
        assert_eq!(stop_refusal(&o), None);
    }

    #[test]
    fn stop_progress_walks_through_the_steps() {
        let mut o = master();
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("waiting for keepalived to stop".into())
        );
        o.keepalived = State::Down { secs: 1 };
        o.requested = Some("stop".into());
        o.vip_here = Some(false);
        o.last_log = Some("Stopping service redis_lb".into());
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("demoting this node: Stopping service redis_lb".into())
        );
        o.current = Some("stop".into());
        o.mounted = Some(false);
        o.role = Some("Secondary".into());
        o.peer_role = Some("Secondary".into());
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting(
                "waiting for the peer to promote (DRBD cs:Connected peer role Secondary)".into()
            )
        );
        o.peer_role = Some("Primary".into());
        o.vip_answers = Some(false);
        assert_eq!(
            stop_progress(&o, true),
            StopProgress::Waiting("waiting for the VIP to answer from the peer".into())
        );
        o.vip_answers = Some(true);
        assert_eq!(stop_progress(&o, true), StopProgress::Done);
    }

    #[test]
    fn stop_on_a_backup_is_done_when_keepalived_is_down() {
        let mut o = master();
        o.current = Some("backup".into());
        o.keepalived = State::Down { secs: 0 };
        assert_eq!(stop_progress(&o, false), StopProgress::Done);
    }

    #[test]
    fn start_settles_on_master_or_backup() {
        let mut o = master();
        o.keepalived = State::Down { secs: 3 };
        assert!(matches!(start_progress(&o), StopProgress::Waiting(_)));
        o.keepalived = State::Up { pid: 1, secs: 1 };
        o.requested = Some("backup".into());
        assert!(matches!(start_progress(&o), StopProgress::Waiting(_)));
        o.current = Some("backup".into());
        assert_eq!(start_progress(&o), StopProgress::Done);
    }
}

/// Arguments of `start` and `stop`: a service, plus the failover options for keepalived.
#[derive(Debug, clap::Args)]
pub struct StartStopArgs {
    #[command(flatten)]
    pub svc: super::service::ServiceArgs,
    #[command(flatten)]
    pub failover: FailoverOpts,
}

impl StartStopArgs {
    fn failover_opts_given(&self) -> bool {
        let f = &self.failover;
        f.yes || f.dry_run || f.force || f.wait != 180
    }
}

/// `start [svc]` / `stop [svc]`: keepalived named → the failover; else the service verb.
pub fn run(stop: bool, args: &StartStopArgs, ctx: &Ctx) -> Result<i32> {
    use super::service::Verb;
    if args.svc.service.as_deref() == Some(KEEPALIVED) {
        return if stop {
            stop_keepalived(&args.failover, ctx)
        } else {
            start_keepalived(&args.failover, ctx)
        };
    }
    if args.failover_opts_given() {
        anyhow::bail!("--yes, --dry-run, --force and --wait apply only to `start keepalived` / `stop keepalived`");
    }
    super::service::run(if stop { Verb::Stop } else { Verb::Start }, &args.svc, ctx)
}
