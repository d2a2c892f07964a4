//! Guided recovery: the Enterprise Chef HA guide's runbooks as values.
//!
//! A [`Runbook`] is built by a pure function from the [`Diagnosis`] (both nodes' views) and
//! [`Inputs`] (resource name, time stamp, the operator's choices), one file per runbook:
//!
//! | runbook | file |
//! |---|---|
//! | scenario 1: secondary lost, nothing to resync | [`scenario1_secondary_lost`] |
//! | scenario 2: secondary lost, primary ahead | [`scenario2_secondary_lost_primary_ahead`] |
//! | scenario 3: primary lost, secondary UpToDate | [`scenario3_primary_lost`] |
//! | scenario 4: primary lost, secondary Inconsistent | [`scenario4_primary_lost_inconsistent`] |
//! | scenario 5: both Secondary | [`scenario5_both_secondary`] |
//! | split brain | [`split_brain`] |
//!
//! Each [`RecoveryStep`] says what, on which node, the exact command ([`Action`]), why,
//! whether it can discard data (then the operator types the resource name to confirm it),
//! and whether it runs only when an earlier step was refused (scenario 5's metadata reset).
//! [`Runbook::to_plan`] gives the shared [`crate::act::plan::Plan`] for printing and the shared
//! executor; [`crate::act::runbook`] is the host glue (ssh for peer steps, the resync progress bar).

pub mod scenario1_secondary_lost;
pub mod scenario2_secondary_lost_primary_ahead;
pub mod scenario3_primary_lost;
pub mod scenario4_primary_lost_inconsistent;
pub mod scenario5_both_secondary;
pub mod split_brain;

use std::path::PathBuf;

use serde::Serialize;

use crate::decide::diagnose::{Diagnosis, Situation};
use crate::model::plan::{Plan, Step};
use crate::model::{ConnState, DeviceView, DiskState, NodeView, Role};

/// Which runbook the operator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Which {
    /// What `ha-diagnose` names.
    Auto,
    /// Scenario 1.
    Scenario1,
    /// Scenario 2.
    Scenario2,
    /// Scenario 3.
    Scenario3,
    /// Scenario 4.
    Scenario4,
    /// Scenario 5.
    Scenario5,
    /// Split brain.
    SplitBrain,
}

impl Which {
    /// The slug (`scenario-3`, `split-brain`, `auto`).
    pub fn slug(self) -> &'static str {
        match self {
            Which::Auto => "auto",
            Which::Scenario1 => "scenario-1",
            Which::Scenario2 => "scenario-2",
            Which::Scenario3 => "scenario-3",
            Which::Scenario4 => "scenario-4",
            Which::Scenario5 => "scenario-5",
            Which::SplitBrain => "split-brain",
        }
    }
}

/// A node a step runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    /// Its name.
    pub name: String,
    /// This node (true) or the peer, reached over ssh (false).
    pub local: bool,
}

/// A `drbdadm` answer that counts as success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tolerance {
    /// `disconnect` on an already StandAlone resource: rc 10, `unknown connection` (or
    /// `(162) Invalid configuration request`).
    UnknownConnection,
    /// `connect` on a resource that already has a net-config (WFConnection/Connected):
    /// rc 10, `(125) Device has a net-config`; drbd-utils 9's `drbdsetup-84` against DRBD
    /// 8.4.11 answers rc 10, `(102) Local address(port) already in use` instead (seen in
    /// the lab on a WFConnection node), which is only "already connected" when the
    /// resource is indeed not StandAlone: see [`Tolerance::matches_in_state`].
    AlreadyConnected,
}

impl Tolerance {
    /// Whether an exit code and stderr are this tolerated answer.
    pub fn matches(self, code: Option<i32>, stderr: &str) -> bool {
        if code != Some(10) {
            return false;
        }
        match self {
            Tolerance::UnknownConnection => {
                stderr.contains("unknown connection") || stderr.contains("(162)")
            }
            Tolerance::AlreadyConnected => {
                stderr.contains("(125)") || stderr.contains("net-config")
            }
        }
    }

    /// Whether the answer needs the resource's connection state to decide (the port
    /// answer of `connect`: our own listener, or someone else's?).
    pub fn needs_state(self, code: Option<i32>, stderr: &str) -> bool {
        self == Tolerance::AlreadyConnected && code == Some(10) && stderr.contains("(102)")
    }

    /// [`Tolerance::matches`], plus the answers that depend on the state: `connect`'s
    /// `(102) Local address(port) already in use` is tolerated when the resource has a
    /// connection configured (`cs` neither StandAlone nor Unconfigured, i.e. the port is its
    /// own), and not when it is StandAlone (then the port is really taken by something else).
    pub fn matches_in_state(self, code: Option<i32>, stderr: &str, cs: Option<&ConnState>) -> bool {
        if self.matches(code, stderr) {
            return true;
        }
        self.needs_state(code, stderr)
            && matches!(cs, Some(c) if *c != ConnState::StandAlone && *c != ConnState::Unconfigured)
    }
}

/// Room `preserve-copy` keeps free beyond the image (64 MiB).
pub const PRESERVE_MARGIN: u64 = 64 << 20;

/// Issue 10: `preserve-copy`'s decision before copying a `size`-byte device to `dest` on a
/// file system with `free` bytes free: `Err` says why there is not enough room (nothing is
/// then written).
pub fn preserve_space(size: u64, free: u64, dest: &std::path::Path) -> Result<(), String> {
    let need = size.saturating_add(PRESERVE_MARGIN);
    if free < need {
        return Err(format!(
            "not enough free space for {}: the device has {size} bytes, the file system has {free} bytes free (needs {need} with a 64 MiB margin); nothing was copied",
            dest.display()
        ));
    }
    Ok(())
}

/// How the victim's divergent data is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Preserve {
    /// Copy the backing device to a file.
    Dd {
        /// The backing device.
        device: PathBuf,
        /// The image file.
        dest: PathBuf,
    },
    /// Snapshot the backing logical volume.
    LvmSnapshot {
        /// `vg/lv` of the backing device.
        origin: String,
        /// The snapshot's name.
        name: String,
    },
}

impl Preserve {
    /// The command line.
    pub fn argv(&self) -> Vec<String> {
        match self {
            // issue 10: free space checked first, 0600, no partial image left behind
            Preserve::Dd { device, dest } => vec![
                "private-chef-ctl".into(),
                "preserve-copy".into(),
                device.display().to_string(),
                dest.display().to_string(),
            ],
            Preserve::LvmSnapshot { origin, name } => vec![
                "lvcreate".into(),
                "--snapshot".into(),
                "--name".into(),
                name.clone(),
                "--extents".into(),
                "100%ORIGIN".into(),
                origin.clone(),
            ],
        }
    }

    /// Where the copy is, for the operator.
    pub fn location(&self) -> String {
        match self {
            Preserve::Dd { dest, .. } => dest.display().to_string(),
            Preserve::LvmSnapshot { origin, name } => {
                let vg = origin.split('/').next().unwrap_or(origin);
                format!("LVM snapshot /dev/{vg}/{name}")
            }
        }
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// `drbdadm <args>`.
    Drbdadm {
        /// The arguments (`["primary", "--force", "pc0"]`).
        args: Vec<String>,
        /// Answers that count as success.
        tolerate: Vec<Tolerance>,
        /// A refusal (`State change failed`, rc 11/17) is recorded and the plan goes on
        /// with the steps conditional on it (scenario 5's promotion).
        refusal_continues: bool,
    },
    /// `private-chef-ctl <args>` (master-recover, backup-recover).
    Ctl {
        /// The arguments.
        args: Vec<String>,
    },
    /// Keep the victim's data.
    Preserve(Preserve),
    /// Poll until Connected UpToDate/UpToDate, with a progress bar; fail after the timeout.
    WaitSync {
        /// Seconds.
        timeout_secs: u64,
    },
}

impl Action {
    /// The command line as typed on the node (`None` for waits).
    pub fn command(&self) -> Option<String> {
        let words: Vec<String> = match self {
            Action::Drbdadm { args, .. } => std::iter::once("drbdadm".to_string())
                .chain(args.iter().cloned())
                .collect(),
            Action::Ctl { args } => std::iter::once("private-chef-ctl".to_string())
                .chain(args.iter().cloned())
                .collect(),
            Action::Preserve(p) => p.argv(),
            Action::WaitSync { .. } => return None,
        };
        Some(
            words
                .iter()
                .map(|w| crate::model::plan::shell_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// One step of a runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecoveryStep {
    /// What it does.
    pub what: String,
    /// Where it runs.
    pub node: NodeRef,
    /// The command.
    pub action: Action,
    /// Why.
    pub why: String,
    /// It can discard data: a typed confirmation of the resource name comes first.
    pub discards_data: bool,
    /// It interrupts service (stops services, takes the resource down).
    pub interrupts: bool,
    /// Runs only when step N (0-based) was refused; skipped otherwise.
    pub only_if_refused: Option<usize>,
}

/// A runbook: steps plus what to tell the operator afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runbook {
    /// The runbook's slug (`scenario-4`).
    pub scenario: String,
    /// What it achieves.
    pub title: String,
    /// The DRBD resource.
    pub resource: String,
    /// The steps.
    pub steps: Vec<RecoveryStep>,
    /// What to tell the operator when done (what may need re-uploading, where data was kept).
    pub notes: Vec<String>,
}

impl Runbook {
    /// Whether a step that always runs can discard data: then `--yes` needs
    /// `--confirm-resource` before **anything** runs (steps that run only when an earlier
    /// one is refused, scenario 5's reset, are asked for when they come). Without this
    /// up-front check the lab's split brain ran the victim's backup-recover, demotion and
    /// data copy and only then refused.
    pub fn needs_confirmation_upfront(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.discards_data && s.only_if_refused.is_none())
    }

    /// The shared plan value (for printing and the executor). Conditional steps say so in
    /// `what`; `destructive` = discards data or interrupts service.
    pub fn to_plan(&self) -> Plan {
        Plan {
            title: self.title.clone(),
            steps: self
                .steps
                .iter()
                .map(|s| Step {
                    what: match s.only_if_refused {
                        Some(i) => format!("{} (only if step {} is refused)", s.what, i + 1),
                        None => s.what.clone(),
                    },
                    node: s.node.name.clone(),
                    command: s.action.command(),
                    why: s.why.clone(),
                    destructive: s.discards_data || s.interrupts,
                })
                .collect(),
        }
    }

    /// The runbook as JSON: `{"scenario","title","resource","steps":[{"what","node":{"name",
    /// "local"},"action":{"kind",…},"command","why","discards_data","interrupts",
    /// "only_if_refused"}],"notes"}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(steps) = v.get_mut("steps").and_then(|s| s.as_array_mut()) {
            for (st, s) in steps.iter_mut().zip(&self.steps) {
                st["command"] = s.action.command().into();
            }
        }
        v
    }
}

/// Everything a runbook needs besides the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The DRBD resource (`pc0`).
    pub resource: String,
    /// A time stamp for file names (`20240501T120000`).
    pub timestamp: String,
    /// The backing device (`/dev/opscode/drbd`).
    pub drbd_disk: PathBuf,
    /// Where the split-brain image goes (`/var/opt/opscode/drbd`).
    pub drbd_dir: PathBuf,
    /// `vg/lv` when the victim's backing device is a logical volume (snapshot instead of dd).
    pub victim_lv: Option<String>,
    /// The operator's victim (`--victim`).
    pub victim: Option<String>,
    /// The operator's node to promote (`--promote`).
    pub promote: Option<String>,
    /// How long to wait for a resync, seconds.
    pub sync_timeout_secs: u64,
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            resource: "pc0".into(),
            timestamp: "now".into(),
            drbd_disk: PathBuf::from("/dev/opscode/drbd"),
            drbd_dir: PathBuf::from("/var/opt/opscode/drbd"),
            victim_lv: None,
            victim: None,
            promote: None,
            sync_timeout_secs: 3600,
        }
    }
}

/// Why no runbook was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The pair is healthy: nothing to recover.
    NothingToDo(String),
    /// The situation is not known well enough (or is a transition): no runbook applies.
    NotApplicable(String),
    /// The requested runbook does not match the diagnosis.
    Mismatch(String),
    /// The operator must choose (scenario 5 tie: which node to promote; split brain: the
    /// victim). `candidates` are the node names.
    NeedChoice {
        /// `promote` or `victim`.
        what: String,
        /// The nodes to choose from.
        candidates: Vec<String>,
        /// Why a choice is needed.
        why: String,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::NothingToDo(s) | BuildError::NotApplicable(s) | BuildError::Mismatch(s) => {
                f.write_str(s)
            }
            BuildError::NeedChoice { what, why, .. } => {
                write!(f, "{why}: choose with --{what} NODE")
            }
        }
    }
}

/// The view of node `name` (this node's or the peer's).
pub(crate) fn view_of<'a>(d: &'a Diagnosis, name: &str) -> Option<&'a NodeView> {
    if d.local.node == name {
        Some(&d.local)
    } else {
        d.peer.view().filter(|v| v.node == name)
    }
}

/// The device of node `name`, when seen.
pub(crate) fn device_of<'a>(d: &'a Diagnosis, name: &str) -> Option<&'a DeviceView> {
    view_of(d, name).and_then(NodeView::device)
}

/// A reference to node `name`.
pub(crate) fn node(d: &Diagnosis, name: &str) -> NodeRef {
    NodeRef {
        name: name.to_string(),
        local: d.local.node == name,
    }
}

/// `drbdadm <args…> <resource>`.
pub(crate) fn drbdadm(words: &[&str], resource: &str) -> Action {
    Action::Drbdadm {
        args: words
            .iter()
            .map(|s| s.to_string())
            .chain(std::iter::once(resource.to_string()))
            .collect(),
        tolerate: Vec::new(),
        refusal_continues: false,
    }
}

/// A plain step.
pub(crate) fn step(
    what: impl Into<String>,
    node: NodeRef,
    action: Action,
    why: impl Into<String>,
) -> RecoveryStep {
    RecoveryStep {
        what: what.into(),
        node,
        action,
        why: why.into(),
        discards_data: false,
        interrupts: false,
        only_if_refused: None,
    }
}

/// Builds the runbook `which` asks for (auto: the diagnosed one).
pub fn build(which: Which, d: &Diagnosis, inputs: &Inputs) -> Result<Runbook, BuildError> {
    let diagnosed = d.situation.slug();
    let want = match which {
        Which::Auto => match &d.situation {
            Situation::Healthy => {
                return Err(BuildError::NothingToDo(
                    "the pair is healthy: nothing to recover".into(),
                ))
            }
            Situation::Resyncing { .. } => Which::Scenario2,
            Situation::Scenario1SecondaryLost { .. } => Which::Scenario1,
            Situation::Scenario2SecondaryLostPrimaryAhead { .. } => Which::Scenario2,
            Situation::Scenario3PrimaryLostSecondaryUpToDate { .. } => Which::Scenario3,
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. } => Which::Scenario4,
            Situation::Scenario5BothSecondary { .. } => Which::Scenario5,
            Situation::SplitBrain { .. } => Which::SplitBrain,
            Situation::TransitionInProgress { .. }
            | Situation::FailoverNotReady { .. }
            | Situation::Unknown { .. }
            | Situation::CameBackAlone { .. }
            | Situation::Isolated { .. }
            | Situation::OutdatedCopy { .. } => {
                return Err(BuildError::NotApplicable(format!(
                    "{}; no runbook applies",
                    d.title
                )))
            }
        },
        w => w,
    };
    let ok = matches!(
        (want, &d.situation),
        (
            Which::Scenario1 | Which::Scenario2,
            Situation::Scenario1SecondaryLost { .. }
                | Situation::Scenario2SecondaryLostPrimaryAhead { .. }
                | Situation::Resyncing { .. }
        ) | (
            Which::Scenario3,
            Situation::Scenario3PrimaryLostSecondaryUpToDate { .. }
        ) | (
            Which::Scenario4,
            Situation::Scenario4PrimaryLostSecondaryInconsistent { .. }
        ) | (Which::Scenario5, Situation::Scenario5BothSecondary { .. })
            | (Which::SplitBrain, Situation::SplitBrain { .. })
    );
    if !ok {
        return Err(BuildError::Mismatch(format!(
            "ha-diagnose says {diagnosed} ({}), not {}: run 'private-chef-ctl ha-recover auto' \
             or the matching runbook",
            d.title,
            want.slug()
        )));
    }
    match want {
        Which::Scenario1 | Which::Scenario2 => {
            if matches!(
                d.situation,
                Situation::Scenario2SecondaryLostPrimaryAhead { .. }
            ) {
                Ok(scenario2_secondary_lost_primary_ahead::build(d, inputs))
            } else {
                Ok(scenario1_secondary_lost::build(d, inputs))
            }
        }
        Which::Scenario3 => Ok(scenario3_primary_lost::build(d, inputs)),
        Which::Scenario4 => Ok(scenario4_primary_lost_inconsistent::build(d, inputs)),
        Which::Scenario5 => scenario5_both_secondary::build(d, inputs),
        Which::SplitBrain => split_brain::build(d, inputs),
        Which::Auto => Err(BuildError::NotApplicable("no runbook".into())),
    }
}

/// Whether step `s` may run given the node's current device (`None`: not seen), checked
/// again right before the step runs (pure). `Err` says why not.
pub fn precondition(s: &RecoveryStep, dev: Option<&DeviceView>) -> Result<(), String> {
    let name = &s.node.name;
    let Action::Drbdadm { args, .. } = &s.action else {
        return Ok(());
    };
    let verb = args.first().map(String::as_str).unwrap_or("");
    let has = |w: &str| args.iter().any(|a| a == w);
    let unread = || format!("{name}: the DRBD state cannot be read right now");
    match verb {
        "primary" => {
            let d = dev.ok_or_else(unread)?;
            if d.peer_is(Role::Primary) {
                return Err(format!(
                    "{name}: the peer is Primary now ({}); not promoting",
                    d.summary()
                ));
            }
            if has("--force") {
                match &d.disk {
                    Some(
                        DiskState::Inconsistent
                        | DiskState::Outdated
                        | DiskState::Consistent
                        | DiskState::UpToDate,
                    ) => Ok(()),
                    other => Err(format!(
                        "{name}: disk {} has no data to force to UpToDate",
                        other
                            .as_ref()
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "?".into())
                    )),
                }
            } else {
                Ok(())
            }
        }
        "connect" if has("--discard-my-data") => {
            let d = dev.ok_or_else(unread)?;
            if d.is_primary() {
                Err(format!(
                    "{name} is still Primary ({}): --discard-my-data is refused on a Primary",
                    d.summary()
                ))
            } else {
                Ok(())
            }
        }
        "wipe-md" | "create-md" => match dev {
            Some(d) if !d.unconfigured() => Err(format!(
                "{name}: the resource is still up ({}); take it down first",
                d.summary()
            )),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnState, Tolerance};

    /// What drbd-utils 9's drbdsetup-84 answered on the lab's WFConnection survivor.
    const PORT_IN_USE: &str = "pc0: Failure: (102) Local address(port) already in use.\nCommand 'drbdsetup-84 connect pc0 ipv4:192.0.2.12:7788 ipv4:192.0.2.11:7788 --protocol=C' terminated with exit code 10\n";

    #[test]
    fn connect_port_in_use_is_tolerated_only_with_a_net_config() {
        let t = Tolerance::AlreadyConnected;
        assert!(!t.matches(Some(10), PORT_IN_USE));
        assert!(t.needs_state(Some(10), PORT_IN_USE));
        for cs in ["WFConnection", "Connected", "SyncSource", "WFReportParams"] {
            let cs = ConnState::from_name(cs);
            assert!(t.matches_in_state(Some(10), PORT_IN_USE, Some(&cs)), "{cs}");
        }
        // StandAlone: the port is someone else's; unknown state: not tolerated
        for cs in [
            Some(ConnState::StandAlone),
            Some(ConnState::Unconfigured),
            None,
        ] {
            assert!(
                !t.matches_in_state(Some(10), PORT_IN_USE, cs.as_ref()),
                "{cs:?}"
            );
        }
        assert!(!t.matches_in_state(Some(1), PORT_IN_USE, Some(&ConnState::WFConnection)));
        // the other tolerance never looks at the state
        assert!(!Tolerance::UnknownConnection.needs_state(Some(10), PORT_IN_USE));
        assert!(!Tolerance::UnknownConnection.matches_in_state(
            Some(10),
            PORT_IN_USE,
            Some(&ConnState::WFConnection)
        ));
    }

    fn rb(steps: Vec<super::RecoveryStep>) -> super::Runbook {
        super::Runbook {
            scenario: "x".into(),
            title: "x".into(),
            resource: "pc0".into(),
            steps,
            notes: vec![],
        }
    }

    fn st(discards: bool, only_if_refused: Option<usize>) -> super::RecoveryStep {
        let mut s = super::step(
            "s",
            super::NodeRef {
                name: "be1".into(),
                local: true,
            },
            super::drbdadm(&["connect"], "pc0"),
            "why",
        );
        s.discards_data = discards;
        s.only_if_refused = only_if_refused;
        s
    }

    #[test]
    fn confirmation_upfront_only_for_unconditional_destructive_steps() {
        // split brain / scenario 4: an unconditional discard
        assert!(rb(vec![st(false, None), st(true, None)]).needs_confirmation_upfront());
        // scenario 5: the reset runs only if the promotion is refused
        assert!(!rb(vec![st(false, None), st(true, Some(0))]).needs_confirmation_upfront());
        assert!(!rb(vec![st(false, None)]).needs_confirmation_upfront());
    }

    #[test]
    fn the_documented_answers_still_match_without_state() {
        let t = Tolerance::AlreadyConnected;
        let s = "pc0: Failure: (125) Device has a net-config (use disconnect first)";
        assert!(t.matches_in_state(Some(10), s, None));
        assert!(!t.needs_state(Some(10), s));
    }
}
