//! The preconditions of master-recover and backup-recover: pure decisions over the
//! local device's line of /proc/drbd.

use serde::Serialize;

use crate::config::Vip;
use crate::drbd::{Device, DiskState, Role};

/// What the checks decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Whether the recover may run (after `--force`, when given).
    pub allowed: bool,
    /// What was seen, e.g. `minor 0: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown`.
    pub saw: String,
    /// Why it is refused (without `--force`) or dangerous (with it).
    pub problems: Vec<String>,
    /// What an operator should know even when it is allowed (with `--force`: what may be lost).
    pub warnings: Vec<String>,
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    crate::model::shown(v, "?")
}

/// `minor N: cs:… ro:L/P ds:L/P`.
pub fn describe(minor: u32, dev: Option<&Device>) -> String {
    match dev {
        None => format!("minor {minor}: not in /proc/drbd"),
        Some(d) if d.is_unconfigured() => format!("minor {minor}: cs:Unconfigured"),
        Some(d) => format!(
            "minor {minor}: cs:{} ro:{}/{} ds:{}/{}",
            d.cs,
            opt(&d.role),
            opt(&d.peer_role),
            opt(&d.disk),
            opt(&d.peer_disk)
        ),
    }
}

/// master-recover's preconditions: the local disk is UpToDate and the peer is not Primary
/// (when not connected the peer's role is Unknown, which is accepted with a warning to
/// make sure the peer is really down). `force` turns refusals into warnings that name
/// what may be lost.
pub fn check_master(minor: u32, dev: Option<&Device>, force: bool) -> Verdict {
    let saw = describe(minor, dev);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    match dev {
        None => problems.push(format!(
            "DRBD minor {minor} is not in /proc/drbd: the resource is not up on this node, there is no data to serve"
        )),
        Some(d) if d.is_unconfigured() => problems.push(format!(
            "DRBD minor {minor} is Unconfigured: the resource is not up on this node, there is no data to serve"
        )),
        Some(d) => {
            match &d.disk {
                Some(DiskState::UpToDate) => {}
                other => {
                    let disk = opt(other);
                    problems.push(format!(
                        "the local disk is {disk}, not UpToDate: this node's copy may be incomplete or stale, so services would serve (and then replicate) wrong data"
                    ));
                    if force {
                        let how = if crate::decide::promote::needs_force(d) {
                            "master-recover promotes it with 'drbdadm primary --force' once you type the resource name"
                        } else {
                            "drbdadm itself still refuses to promote it: ha-recover scenario-4 forces an Inconsistent disk"
                        };
                        warnings.push(format!(
                            "--force: data on this node is {disk}; everything written on the peer that this node has not received will be lost when this copy becomes the master copy ({how})"
                        ));
                    }
                }
            }
            match &d.peer_role {
                Some(Role::Primary) => {
                    problems.push(format!(
                        "the peer is Primary (connection {}): promoting this node as well would mean two masters, a split brain",
                        d.cs
                    ));
                    if force {
                        warnings.push(
                            "--force: the peer is Primary; if both nodes write, one side's writes since they diverged (possibly the peer's writes since its promotion) will be discarded in the split-brain recovery".to_string(),
                        );
                    }
                }
                Some(Role::Secondary) => {}
                _ => warnings.push(format!(
                    "the peer's role is {} (not connected, cs:{}): make sure the peer is really down or Secondary; if it is Primary, this makes a split brain",
                    opt(&d.peer_role),
                    d.cs
                )),
            }
        }
    }
    if force && !problems.is_empty() && warnings.is_empty() {
        warnings.push(format!("--force: overriding: {}", problems.join("; ")));
    }
    Verdict {
        allowed: problems.is_empty() || force,
        saw,
        problems,
        warnings,
    }
}

/// backup-recover's checks: always allowed, with a warning when the peer is not Primary
/// (then both nodes are Secondary and nobody serves the data).
pub fn check_backup(minor: u32, dev: Option<&Device>) -> Verdict {
    let saw = describe(minor, dev);
    let mut warnings = Vec::new();
    let peer = dev.and_then(|d| d.peer_role.clone());
    if peer != Some(Role::Primary) {
        warnings.push(format!(
            "the peer is not Primary (peer role {}): after this, no node holds the data as Primary and nobody serves it; run master-recover on the peer",
            opt(&peer)
        ));
    }
    Verdict {
        allowed: true,
        saw,
        problems: Vec::new(),
        warnings,
    }
}
/// Issue 10: the transition's promotion policy ([`super::promote`]) as a precondition of
/// master-recover. A decision to wait (the data may be stale) is added to the verdict's
/// problems; without `force` the recover is then refused. With `force` it is allowed with
/// a warning, and `Some(what may be lost)` says the override must be confirmed by typing
/// the resource name. `None`: nothing to confirm.
pub fn apply_promotion_policy(
    verdict: &mut Verdict,
    decision: &super::promote::Decision,
    force: bool,
) -> Option<String> {
    let super::promote::Decision::Wait { reason, fix } = decision else {
        return None;
    };
    verdict
        .problems
        .push(format!("this node's data may be stale: {reason}. {fix}"));
    if !force {
        verdict.allowed = false;
        return None;
    }
    let lost = format!(
        "--force on data that may be stale ({reason}): writes the peer made that this node does not have will be lost (DRBD discards them when the peer returns)"
    );
    verdict.warnings.push(lost.clone());
    verdict.allowed = true;
    Some(lost)
}

/// Which state to recover to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoverTo {
    /// `master-recover`.
    Master,
    /// `backup-recover`.
    Backup,
}

/// What to tell the operator about the VIP after a manual recover: keepalived owns it.
/// `held`: whether this node holds `vip` (or why that is unknown).
pub fn vip_report(vip: Option<&Vip>, held: Result<bool, String>, target: RecoverTo) -> String {
    let Some(vip) = vip else {
        return "VIP: none configured; keepalived manages no address here.".to_string();
    };
    let addr = match vip.prefix {
        Some(p) => format!("{}/{p}", vip.address),
        None => vip.address.to_string(),
    };
    match (held, target) {
        (Err(e), _) => format!(
            "VIP {addr} on {}: cannot tell whether this node holds it (getifaddrs: {e}). keepalived owns the VIP and may undo a manual recover.",
            vip.device
        ),
        (Ok(true), RecoverTo::Master) => format!(
            "VIP {addr} is on {} of this node: clients reach this master. keepalived owns the VIP; if it elects the peer, it runs cluster-transition backup here and undoes this recover.",
            vip.device
        ),
        (Ok(false), RecoverTo::Master) => format!(
            "VIP {addr} is NOT on this node: keepalived owns the VIP, so clients do not reach this master until keepalived elects it (ha-status reports the missing VIP); keepalived may also run cluster-transition backup here and undo this recover."
        ),
        (Ok(true), RecoverTo::Backup) => format!(
            "VIP {addr} is still on {} of this node, which no longer serves: keepalived owns the VIP; stop keepalived here (private-chef-ctl stop keepalived) to move it to the peer. keepalived may also run cluster-transition master here and undo this recover.",
            vip.device
        ),
        (Ok(false), RecoverTo::Backup) => format!(
            "VIP {addr} is not on this node. keepalived owns the VIP; if it elects this node it runs cluster-transition master here and undoes this recover."
        ),
    }
}
