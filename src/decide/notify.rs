//! The split-brain notification: its subject and body, and the command that sends it.

use std::path::Path;

use crate::model::SplitBrainRecord;

/// The subject and body of the notification.
pub fn message(rec: &SplitBrainRecord) -> (String, String) {
    let res = rec.resource.as_deref().unwrap_or("?");
    let node = rec.node.as_deref().unwrap_or("?");
    let initial = rec.handler.as_deref() == Some("initial-split-brain");
    let subject = if initial {
        format!("DRBD split brain detected on resource {res} ({node})")
    } else {
        format!("DRBD split brain on resource {res} ({node})")
    };
    let mut body = format!(
        "DRBD detected a split brain on resource {res} at {} on {node}",
        rec.time
    );
    if let Some(p) = &rec.peer {
        body.push_str(&format!(" (peer {p}"));
        if let Some(a) = &rec.peer_address {
            body.push_str(&format!(" at {a}"));
        }
        body.push(')');
    }
    body.push_str(".\n");
    if initial {
        body.push_str(
            "DRBD now applies its after-split-brain policies; if they cannot resolve it, a \
             second notification follows and DRBD stays disconnected.\n",
        );
    } else if rec.repeat_of.is_some() {
        body.push_str("DRBD's after-split-brain policies could not resolve it.\n");
    }
    if let Some(s) = &rec.state {
        body.push_str(&format!("State: {s}\n"));
    }
    body.push_str(
        "Diagnose with 'private-chef-ctl ha-diagnose'; recover with 'private-chef-ctl ha-recover split-brain' \
         (it keeps the victim's data before discarding it).\n",
    );
    (subject, body)
}

/// The notification command: `notify_command SUBJECT BODY` when configured, else
/// `mail -s SUBJECT RECIPIENT` (body on stdin) when `mail` exists; `None` when neither.
/// Returns the argv and the stdin text.
pub fn notify_argv(
    notify_command: Option<&str>,
    mail: Option<&Path>,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Option<(Vec<String>, Option<String>)> {
    if let Some(c) = notify_command.filter(|c| !c.trim().is_empty()) {
        return Some((
            vec![c.to_string(), subject.to_string(), body.to_string()],
            None,
        ));
    }
    let mail = mail?;
    Some((
        vec![
            mail.display().to_string(),
            "-s".to_string(),
            subject.to_string(),
            // the recipient comes from private-chef.rb: after `--` it is never an option
            "--".to_string(),
            recipient.to_string(),
        ],
        Some(body.to_string()),
    ))
}
