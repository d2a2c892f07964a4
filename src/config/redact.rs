//! Secrets never leave private-chef.rb: a statement whose key looks like a secret
//! (password, secret, pass, token, auth, credential, key) is shown with its value replaced
//! by `<redacted>`, in text, JSON and error messages alike; `notify_command` keeps only its
//! program (its arguments may carry a token).

/// What stands where a secret was.
pub const REDACTED: &str = "<redacted>";

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "auth",
    "credential",
    "key",
];

/// Does this attribute or setting name look like it holds a secret?
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// Does a line of private-chef.rb mention a secret name anywhere?
pub fn mentions_secret(line: &str) -> bool {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(is_secret_name)
}

/// A statement's text as it may be shown: `name['key'] = <redacted>` for a secret,
/// `ha['notify_command'] = "/path/to/program <redacted>"` for a command with arguments,
/// the text itself otherwise.
pub fn statement(text: &str) -> String {
    let (head, value) = match text.split_once('=') {
        Some((h, v)) if !h.contains(['"', '\'']) || h.contains('[') => (h, Some(v)),
        _ => (text, None),
    };
    if head.contains("notify_command") {
        if let Some(v) = value {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            return match v.split_once(char::is_whitespace) {
                Some((prog, _)) => format!("{}= \"{prog} {REDACTED}\"", head),
                None => text.to_string(),
            };
        }
    }
    if !mentions_secret(head) {
        return text.to_string();
    }
    match value {
        Some(_) => format!("{}= {REDACTED}", head),
        // a setting call: `name "value"` → `name <redacted>`
        None => match text.split_once(char::is_whitespace) {
            Some((name, _)) => format!("{name} {REDACTED}"),
            None => text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_replaced_and_the_rest_kept() {
        assert_eq!(
            statement("postgresql['db_superuser_password'] = \"TopSecret9\""),
            "postgresql['db_superuser_password'] = <redacted>"
        );
        assert_eq!(
            statement("keepalived['vrrp_instance_password'] = 'x'"),
            "keepalived['vrrp_instance_password'] = <redacted>"
        );
        assert_eq!(
            statement("notification_token \"abc\""),
            "notification_token <redacted>"
        );
        assert_eq!(
            statement("ha['notify_command'] = \"/usr/bin/page --token abc\""),
            "ha['notify_command'] = \"/usr/bin/page <redacted>\""
        );
        assert_eq!(
            statement("ha['notify_command'] = \"/usr/bin/page\""),
            "ha['notify_command'] = \"/usr/bin/page\""
        );
        assert_eq!(
            statement("nginx['ssl_port'] = 443"),
            "nginx['ssl_port'] = 443"
        );
        assert_eq!(
            statement("keepalived['vrrp_instance_interface'] = \"eth0\""),
            "keepalived['vrrp_instance_interface'] = \"eth0\""
        );
    }

    #[test]
    fn lines_mentioning_secrets() {
        assert!(mentions_secret(
            "opscode_erchef['sql_password'] = TopSecret9"
        ));
        assert!(!mentions_secret("keepalived['enable'] = true"));
        assert!(!mentions_secret("drbd['disk'] = \"/dev/opscode/drbd\""));
    }
}
