//! Issue 10 in `master-recover`: the transition's promotion policy
//! ([`crate::promote`]) is a precondition; `--force` overrides it only after the operator
//! typed the resource name (scripted: `--yes --confirm-resource NAME`), and the audit log
//! names what may be lost.

use crate::audit::{Audit, AuditResult};
use crate::config::{Config, Paths};
use crate::promote::{host::Gate, Decision};
use crate::transition::recover::Verdict;

/// Applies the policy to `verdict`: `Some(what may be lost)` when the data may be stale
/// and `--force` was given (the override must then be confirmed), `None` otherwise (a
/// refusal without `--force` is added to the verdict's problems).
pub fn check(cfg: &Config, paths: &Paths, force: bool, verdict: &mut Verdict) -> Option<String> {
    let gate = Gate {
        promote_without_peer: crate::promote::promote_without_peer(Some(cfg)),
        ..Gate::default()
    };
    match gate.decide_here(paths) {
        Decision::Promote { .. } => None,
        Decision::Wait { reason, fix } => {
            verdict
                .problems
                .push(format!("this node's data may be stale: {reason}. {fix}"));
            if force {
                let lost = format!(
                    "--force on data that may be stale ({reason}): writes the peer made that this node does not have will be lost (DRBD discards them when the peer returns)"
                );
                verdict.warnings.push(lost.clone());
                verdict.allowed = true;
                Some(lost)
            } else {
                verdict.allowed = false;
                None
            }
        }
    }
}

/// The typed confirmation of `--force` on data that may be stale; audited either way.
pub fn confirm(
    resource: &str,
    args: &super::recover::Args,
    lost: &str,
    audit: &Audit,
) -> Result<(), String> {
    if args.dry_run || args.json {
        return Ok(());
    }
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let prompt = format!(
        "This node's data may be stale; promoting it loses the peer's newer writes. Type the resource name ({resource}) to confirm: "
    );
    let r = crate::recovery::run::typed_confirmation(
        resource,
        args.yes,
        args.confirm_resource.as_deref(),
        || interactive.then(|| crate::recovery::run::prompt(&prompt)),
    );
    match &r {
        Ok(()) => audit.record(
            "master-recover",
            "promote data that may be stale",
            AuditResult::Started,
            &crate::plan::excerpt(lost),
        ),
        Err(m) => audit.record(
            "master-recover",
            "promote data that may be stale",
            AuditResult::Refused,
            m,
        ),
    }
    r
}
