//! The steps of a cluster transition (the repaired `cluster.sh`): what to run to move this
//! node to master, backup, fault or stop, given what it looks like now. Pure; the runner
//! is [`crate::act::transition`].

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::config::{Config, Paths, Value};

/// A state keepalived (or an operator) can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Hold the data and run the services.
    Master,
    /// Give them up.
    Backup,
    /// keepalived's FAULT: demoted like backup.
    Fault,
    /// keepalived stopping: demoted like backup.
    Stop,
}

impl Target {
    /// The word written to the state files.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Master => "master",
            Target::Backup => "backup",
            Target::Fault => "fault",
            Target::Stop => "stop",
        }
    }

    /// `master`, `backup`, `fault`, `stop`, any case.
    pub fn from_word(s: &str) -> Option<Target> {
        // exact words: keepalived never pads them, so " stop" is not a state
        match s.to_ascii_lowercase().as_str() {
            "master" => Some(Target::Master),
            "backup" => Some(Target::Backup),
            "fault" => Some(Target::Fault),
            "stop" => Some(Target::Stop),
            _ => None,
        }
    }

    /// True for master: the only state that holds the data.
    pub fn promotes(self) -> bool {
        self == Target::Master
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses cluster-transition's arguments: one state word (`master|backup|fault|stop`,
/// any case), or keepalived's generic notify arguments `INSTANCE|GROUP NAME STATE PRIORITY`
/// (STATE `MASTER|BACKUP|FAULT|STOP`, any case; NAME may be quoted as in the notify FIFO;
/// PRIORITY an integer 0–255). Anything else is an error saying what was expected.
/// The state words of a `cluster-transition` command line exactly as they came: `argv`
/// after the `cluster-transition` word, less the leading options this command takes
/// (`--attempts N`, `--retry-secs S`, `--command-timeout S`, `--config P`, `-v`, also as
/// `--opt=value`). From the first other word on nothing is an option, so an instance named
/// `-h` or `-r`, or a `--`, stays a word of keepalived's arguments.
pub fn notify_words(argv: &[String]) -> Vec<String> {
    const WITH_VALUE: &[&str] = &[
        "--attempts",
        "--retry-secs",
        "--command-timeout",
        "--config",
    ];
    let Some(at) = argv.iter().position(|a| a == "cluster-transition") else {
        return Vec::new();
    };
    let rest = argv.get(at + 1..).unwrap_or(&[]);
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        if WITH_VALUE.contains(&a.as_str()) {
            i += 2;
        } else if a == "-v"
            || a == "--verbose"
            || WITH_VALUE.iter().any(|o| a.starts_with(&format!("{o}=")))
        {
            i += 1;
        } else {
            break;
        }
    }
    rest.get(i..).unwrap_or(&[]).to_vec()
}

pub fn parse_notify_args<S: AsRef<str>>(args: &[S]) -> Result<Target, String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    const EXPECTED: &str =
        "expected one of master|backup|fault|stop, or keepalived's notify arguments INSTANCE|GROUP NAME STATE PRIORITY";
    match args.as_slice() {
        [] => Err(format!("no state given: {EXPECTED}")),
        [word] => {
            Target::from_word(word).ok_or_else(|| format!("unknown state '{word}': {EXPECTED}"))
        }
        [kind, name, state, prio] => {
            if !kind.eq_ignore_ascii_case("INSTANCE") && !kind.eq_ignore_ascii_case("GROUP") {
                return Err(format!(
                    "unknown notify type '{kind}' (expected INSTANCE or GROUP): {EXPECTED}"
                ));
            }
            let name = name.trim_matches('"');
            if name.is_empty() {
                return Err(format!("empty instance/group name: {EXPECTED}"));
            }
            if prio.parse::<u8>().is_err() {
                return Err(format!(
                    "priority '{prio}' is not a number 0-255: {EXPECTED}"
                ));
            }
            Target::from_word(state).ok_or_else(|| {
                format!("state '{state}' of {kind} {name} is not MASTER, BACKUP, FAULT or STOP")
            })
        }
        other => Err(format!(
            "{} arguments given ({}): {EXPECTED}",
            other.len(),
            other.join(" ")
        )),
    }
}

/// What the plan needs to know about this node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The DRBD resource (`pc0`).
    pub resource: String,
    /// The DRBD device (`/dev/drbd0`).
    pub device: PathBuf,
    /// The mount point (`/var/opt/opscode/drbd/data`).
    pub data_dir: PathBuf,
    /// The enabled `keepalive_me` services, sorted ascending.
    pub ha_services: Vec<String>,
    /// Whether `data_dir` is mounted now.
    pub mounted: bool,
}

/// One step of a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `drbdadm primary <resource>`, retried.
    DrbdPrimary { resource: String },
    /// `mount <device> <dir>`.
    Mount { device: PathBuf, dir: PathBuf },
    /// Start a service and wait until it is up.
    StartService { service: String },
    /// Graceful-kill a service.
    StopService { service: String },
    /// SIGKILL the users of the mount and unmount it, retried.
    Unmount { dir: PathBuf },
    /// `drbdadm secondary <resource>`, retried; each attempt first ends the users of
    /// `data_dir` and unmounts it if it is mounted (again).
    DrbdSecondary { resource: String, data_dir: PathBuf },
}

/// The steps that move this node to `target`, given what it looks like now.
///
/// * master: primary, mount (unless mounted), start each service ascending;
/// * backup/fault/stop: stop each service descending, unmount (if mounted), secondary.
///
/// `drbdadm primary/secondary` are always planned: they succeed at once when the role is
/// already right, and /proc/drbd may be stale.
pub fn plan(target: Target, snap: &Snapshot) -> Vec<Step> {
    let mut steps = Vec::new();
    if target.promotes() {
        steps.push(Step::DrbdPrimary {
            resource: snap.resource.clone(),
        });
        if !snap.mounted {
            steps.push(Step::Mount {
                device: snap.device.clone(),
                dir: snap.data_dir.clone(),
            });
        }
        let mut svcs = snap.ha_services.clone();
        svcs.sort();
        steps.extend(
            svcs.into_iter()
                .map(|service| Step::StartService { service }),
        );
    } else {
        let mut svcs = snap.ha_services.clone();
        svcs.sort();
        steps.extend(
            svcs.into_iter()
                .rev()
                .map(|service| Step::StopService { service }),
        );
        if snap.mounted {
            steps.push(Step::Unmount {
                dir: snap.data_dir.clone(),
            });
        }
        steps.push(Step::DrbdSecondary {
            resource: snap.resource.clone(),
            data_dir: snap.data_dir.clone(),
        });
    }
    steps
}

impl Step {
    /// The step as a [`crate::model::plan::Step`] on `node`, for printing and the audit log.
    pub fn describe(&self, node: &str, settings: &Settings) -> crate::model::plan::Step {
        let retry = format!(
            "up to {} attempts, {} s apart",
            settings.attempts,
            settings.retry.as_secs_f64()
        );
        let (what, command, why, destructive) = match self {
            Step::DrbdPrimary { resource } => (
                format!("Promote DRBD resource {resource} to Primary ({retry})"),
                Some(format!("drbdadm primary {resource}")),
                "the data must be writable here before the services start".to_string(),
                false,
            ),
            Step::Mount { device, dir } => (
                format!("Mount {} at {}", device.display(), dir.display()),
                Some(format!("mount {} {}", device.display(), dir.display())),
                "the services keep their data on the replicated file system".to_string(),
                false,
            ),
            Step::StartService { service } => (
                format!("Start service {service} and wait until it is up"),
                Some(format!("private-chef-ctl start {service}")),
                "an HA service runs only on the master".to_string(),
                false,
            ),
            Step::StopService { service } => (
                format!("Stop service {service} (graceful-kill)"),
                Some(format!("private-chef-ctl graceful-kill {service}")),
                "an HA service runs only on the master; this interrupts it here".to_string(),
                true,
            ),
            Step::Unmount { dir } => (
                format!(
                    "SIGKILL remaining processes using {} and unmount it ({retry})",
                    dir.display()
                ),
                Some(format!("umount {}", dir.display())),
                "DRBD cannot become Secondary while the device is open".to_string(),
                true,
            ),
            Step::DrbdSecondary { resource, .. } => (
                format!("Demote DRBD resource {resource} to Secondary ({retry})"),
                Some(format!("drbdadm secondary {resource}")),
                "the peer can only become Primary when this node is Secondary".to_string(),
                false,
            ),
        };
        crate::model::plan::Step {
            what,
            node: node.to_string(),
            command,
            why,
            destructive,
        }
    }
}

/// The plan of a transition as a printable [`crate::model::plan::Plan`].
pub fn to_plan(
    target: Target,
    steps: &[Step],
    node: &str,
    settings: &Settings,
) -> crate::model::plan::Plan {
    crate::model::plan::Plan {
        title: format!("transition {node} to {target}"),
        steps: steps.iter().map(|s| s.describe(node, settings)).collect(),
    }
}

/// Retry counts and time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Attempts of `drbdadm primary/secondary` and of unmount (original: 300).
    pub attempts: u32,
    /// Pause between attempts (original: 1 s).
    pub retry: Duration,
    /// Time limit of each external command (drbdadm, mount, umount, sv).
    pub command_timeout: Duration,
    /// How long a started service may take to be up (default SVWAIT, 30 s).
    pub start_wait: Duration,
}

/// Default attempts, as the original.
pub const DEFAULT_ATTEMPTS: u32 = 300;
/// Default pause between attempts, as the original.
pub const DEFAULT_RETRY_SECS: f64 = 1.0;
/// Default time limit of one external command.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 60;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            attempts: DEFAULT_ATTEMPTS,
            retry: Duration::from_secs_f64(DEFAULT_RETRY_SECS),
            command_timeout: Duration::from_secs(DEFAULT_COMMAND_TIMEOUT_SECS),
            start_wait: Duration::from_secs(30),
        }
    }
}

fn positive_secs(v: &Value) -> Option<Duration> {
    let f = match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return None,
    };
    (f.is_finite() && f >= 0.0).then(|| Duration::from_secs_f64(f))
}

impl Settings {
    /// The settings of an install: `keepalived['transition_attempts']`,
    /// `['transition_retry_secs']`, `['transition_command_timeout']` when set, start wait =
    /// SVWAIT; then the command-line overrides (`Some` wins).
    pub fn resolve(
        cfg: Option<&Config>,
        paths: &Paths,
        attempts: Option<u32>,
        retry_secs: Option<f64>,
        command_timeout_secs: Option<u64>,
    ) -> Settings {
        let mut s = Settings {
            start_wait: Duration::from_secs(paths.svwait_secs),
            ..Settings::default()
        };
        if let Some(cfg) = cfg {
            if let Some(n) = cfg
                .attr("keepalived", "transition_attempts")
                .and_then(Value::as_int)
                .and_then(|n| u32::try_from(n).ok())
            {
                s.attempts = n.max(1);
            }
            if let Some(d) = cfg
                .attr("keepalived", "transition_retry_secs")
                .and_then(positive_secs)
            {
                s.retry = d;
            }
            if let Some(d) = cfg
                .attr("keepalived", "transition_command_timeout")
                .and_then(positive_secs)
            {
                s.command_timeout = d;
            }
        }
        if let Some(n) = attempts {
            s.attempts = n.max(1);
        }
        if let Some(r) = retry_secs.filter(|r| r.is_finite() && *r >= 0.0) {
            s.retry = Duration::from_secs_f64(r);
        }
        if let Some(t) = command_timeout_secs {
            s.command_timeout = Duration::from_secs(t.max(1));
        }
        s
    }
}
