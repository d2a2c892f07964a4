//! The meaning of private-chef.rb: `topology`, `server`, `backend_vip`, `api_fqdn` and the
//! attribute assignments (`drbd['…'] = …`), parsed by [`parse`] into a [`Topology`].
//!
//! The accepted syntax is described in [`super`] (module docs). This module decides which
//! settings exist, checks the types of the attributes the HA commands use, and records the
//! statements that are accepted but have no effect here as [`Skipped`].

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::Serialize;

use super::ruby::{self, Arg, ConfigError, Grammar, Pos, Statement};

mod bounds;
pub use super::ruby::{ErrorKind, Value};

/// The `topology` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TopologyKind {
    /// One server (the original's default).
    Standalone,
    /// Front ends plus one back end.
    Tier,
    /// Front ends plus a DRBD + keepalived back-end pair.
    Ha,
}

impl fmt::Display for TopologyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TopologyKind::Standalone => "standalone",
            TopologyKind::Tier => "tier",
            TopologyKind::Ha => "ha",
        })
    }
}

/// A server's `:role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `"backend"`
    Backend,
    /// `"frontend"`
    Frontend,
    /// Any other role, kept as written.
    Other(String),
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Backend => f.write_str("backend"),
            Role::Frontend => f.write_str("frontend"),
            Role::Other(s) => f.write_str(s),
        }
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A `server "FQDN", :ipaddress => …, :role => …` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Server {
    /// The server's FQDN (the first argument).
    pub fqdn: String,
    /// `:ipaddress`
    pub ipaddress: IpAddr,
    /// `:role`
    pub role: Role,
    /// `:bootstrap` (false when absent)
    pub bootstrap: bool,
    /// `:cluster_ipaddress` (the DRBD replication address), when given
    pub cluster_ipaddress: Option<IpAddr>,
    /// Line of the statement.
    #[serde(skip)]
    pub line: usize,
}

impl Server {
    /// The address DRBD replicates over: `cluster_ipaddress || ipaddress`.
    pub fn replication_ip(&self) -> IpAddr {
        self.cluster_ipaddress.unwrap_or(self.ipaddress)
    }

    /// The first label of the FQDN.
    pub fn short_name(&self) -> &str {
        short(&self.fqdn)
    }
}

/// First label of a host name.
pub(crate) fn short(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// A `backend_vip "FQDN", :ipaddress => "IP[/prefix]", :device => "eth0"` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackendVip {
    /// The VIP's FQDN.
    pub fqdn: String,
    /// `:ipaddress` without the prefix.
    pub address: IpAddr,
    /// The `/prefix` of `:ipaddress`, when given.
    pub prefix: Option<u8>,
    /// `:device` (the original's default attribute is `eth0`).
    pub device: Option<String>,
    /// `:heartbeat_device` (vestigial since OC-3642; recorded only).
    pub heartbeat_device: Option<String>,
    /// Line of the statement.
    #[serde(skip)]
    pub line: usize,
}

/// One attribute assignment, `ns['key']['sub'] = value`, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// `drbd`, `keepalived`, `ha`, `private_chef_ctl`, `nginx`, …
    pub ns: String,
    /// The keys, outermost first (`["primary", "ip"]`).
    pub keys: Vec<String>,
    /// The assigned value.
    pub value: Value,
    /// Line of the value.
    pub line: usize,
    /// Column of the value.
    pub col: usize,
    /// Whether the HA commands use it (otherwise it is also listed in `skipped`).
    pub used: bool,
}

/// A statement accepted but without effect on the HA commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// 1-based line where the statement starts.
    pub line: usize,
    /// The statement's text (continuation lines joined with a space).
    pub text: String,
}

/// Everything read from private-chef.rb, before defaults are applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Topology {
    /// `topology "…"`, when given (the original defaults to standalone; see [`Topology::kind`]).
    pub topology: Option<TopologyKind>,
    /// The `server` statements, in file order.
    pub servers: Vec<Server>,
    /// The `backend_vip` statement.
    pub backend_vip: Option<BackendVip>,
    /// `api_fqdn "…"`.
    pub api_fqdn: Option<String>,
    /// Every attribute assignment, in file order (used or not).
    pub assignments: Vec<Assignment>,
    /// Other top-level settings (`notification_email "…"`), name and value, in file order.
    pub settings: Vec<(String, Value)>,
    /// Statements without effect here, in file order.
    pub skipped: Vec<Skipped>,
}

impl Topology {
    /// The topology, `standalone` when the file does not say.
    pub fn kind(&self) -> TopologyKind {
        self.topology.unwrap_or(TopologyKind::Standalone)
    }

    /// The servers with role frontend, in file order.
    pub fn frontends(&self) -> Vec<&Server> {
        self.servers
            .iter()
            .filter(|s| s.role == Role::Frontend)
            .collect()
    }

    /// The servers with role backend, in file order.
    pub fn backends(&self) -> Vec<&Server> {
        self.servers
            .iter()
            .filter(|s| s.role == Role::Backend)
            .collect()
    }

    /// The last assignment to `ns[keys[0]][keys[1]]…`.
    pub fn assignment(&self, ns: &str, keys: &[&str]) -> Option<&Assignment> {
        self.assignments.iter().rev().find(|a| {
            a.ns == ns && a.keys.len() == keys.len() && a.keys.iter().zip(keys).all(|(a, b)| a == b)
        })
    }

    /// The value last assigned to `ns['key']` (one level; see [`Topology::attr_path`]).
    pub fn attr(&self, ns: &str, key: &str) -> Option<&Value> {
        self.attr_path(ns, &[key])
    }

    /// The value last assigned to `ns[keys[0]][keys[1]]…`, e.g. `("drbd", &["primary", "ip"])`.
    pub fn attr_path(&self, ns: &str, keys: &[&str]) -> Option<&Value> {
        self.assignment(ns, keys).map(|a| &a.value)
    }

    /// The value of a top-level setting such as `notification_email`.
    pub fn setting(&self, name: &str) -> Option<&Value> {
        self.settings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// Settings whose statements the HA commands read.
const USED_CALLS: &[&str] = &["topology", "server", "backend_vip", "api_fqdn"];

/// Top-level settings of the original's `PrivateChef` module that take one value and are
/// accepted but skipped.
const OTHER_SETTINGS: &[&str] = &[
    "notification_email",
    "from_email",
    "role",
    "database_type",
    "ip_version",
    "default_orgname",
    "addons",
    "use_chef_backend",
    "chef_backend_members",
    "insecure_addon_compat",
    "fips",
    "lb_internal_vip",
];

/// Attribute namespaces the HA commands read.
const USED_NAMESPACES: &[&str] = &["drbd", "keepalived", "ha", "private_chef_ctl"];

/// Attribute namespaces of the original (EC11 / CS12) accepted but skipped.
const OTHER_NAMESPACES: &[&str] = &[
    "bookshelf",
    "bootstrap",
    "couchdb",
    "dark_launch",
    "data_collector",
    "estatsd",
    "folsom_graphite",
    "lb",
    "lb_internal",
    "ldap",
    "log_retention",
    "log_rotation",
    "nagios",
    "nagios_dashboard",
    "nagios_plugins",
    "nginx",
    "nrpe",
    "oc_bifrost",
    "oc_chef_authz",
    "oc_chef_pedant",
    "oc_id",
    "opscode_account",
    "opscode_certificate",
    "opscode_chef",
    "opscode_chef_mover",
    "opscode_erchef",
    "opscode_expander",
    "opscode_org_creator",
    "opscode_solr",
    "opscode_solr4",
    "opscode_webui",
    "postgresql",
    "rabbitmq",
    "redis",
    "redis_lb",
    "snmp",
    "upgrades",
    "user",
    "backup",
    "elasticsearch",
    "license",
    "profiles",
];

/// The `private_chef_ctl['…']` keys: every field of [`super::Paths`] (plus `svwait`).
pub const PRIVATE_CHEF_CTL_KEYS: &[&str] = &[
    "base_dir",
    "data_dir",
    "log_dir",
    "etc_dir",
    "sv_dir",
    "service_dir",
    "init_dir",
    "sv_bin",
    "svwait",
    "svwait_secs",
    "running_config",
    "keepalived_dir",
    "requested_status",
    "current_status",
    "transition_lock",
    "cluster_log",
    "drbd_dir",
    "drbd_data_dir",
    "drbd_device",
    "drbd_disk",
    "drbd_resource",
    "proc_drbd",
    "proc_mounts",
    "audit_log",
    "service_manager",
];

struct PrivateChefRb;

impl Grammar for PrivateChefRb {
    fn is_namespace(&self, name: &str) -> bool {
        USED_NAMESPACES.contains(&name) || OTHER_NAMESPACES.contains(&name)
    }

    fn is_call(&self, name: &str) -> bool {
        USED_CALLS.contains(&name) || OTHER_SETTINGS.contains(&name)
    }

    fn statement_expected(&self) -> String {
        "a setting (topology, server, backend_vip, api_fqdn, …) or an attribute assignment \
         (drbd['…'] = …)"
            .to_string()
    }
}

/// What a used attribute must hold.
#[derive(Debug, Clone, Copy)]
enum AttrType {
    Bool,
    Path,
    Name,
    Ip,
    IpPrefix,
    Port,
    /// Whole seconds within the range.
    Secs(u64, u64),
    /// Seconds, fractions allowed, within the range.
    FracSecs(u64, u64),
    /// A count within the range.
    Count(u64, u64),
    ServiceManager,
    /// One of the words.
    Choice(&'static [&'static str]),
}

/// The type of a used attribute, or `None` when the HA commands ignore it.
fn used_attr(ns: &str, keys: &[String]) -> Option<AttrType> {
    let k: Vec<&str> = keys.iter().map(String::as_str).collect();
    use AttrType::*;
    match (ns, k.as_slice()) {
        ("drbd" | "keepalived", ["enable"]) => Some(Bool),
        ("drbd", ["disk" | "device" | "data_dir" | "dir"]) => Some(Path),
        ("drbd", ["resource"]) => Some(Name),
        ("drbd", ["primary" | "secondary", "ip"]) => Some(Ip),
        ("drbd", ["primary" | "secondary", "port"]) => Some(Port),
        ("keepalived", ["dir" | "log_directory"]) => Some(Path),
        ("keepalived", ["vrrp_instance_ipaddress"]) => Some(IpPrefix),
        ("keepalived", ["vrrp_instance_ipaddress_dev" | "vrrp_instance_interface"]) => Some(Name),
        ("ha", ["path"]) => Some(Path),
        // every duration has a bounded range: an absurd value is an error at load, never
        // an overflow in the middle of a transition
        ("private_chef_ctl", ["svwait" | "svwait_secs"]) => Some(Secs(0, 3600)),
        ("keepalived", ["transition_attempts"]) => Some(Count(1, 100_000)),
        ("keepalived", ["transition_retry_secs"]) => Some(FracSecs(0, 3600)),
        ("keepalived", ["transition_command_timeout"]) => Some(Secs(1, 86_400)),
        ("ha", ["ssh_timeout" | "ssh_connect_timeout"]) => Some(Secs(1, 3600)),
        ("ha", ["ssh_control_persist"]) => Some(Secs(0, 3600)),
        ("ha", ["ssh_control_dir"]) => Some(Path),
        ("ha", ["ssh_share"]) => Some(Bool),
        ("private_chef_ctl", ["service_manager"]) => Some(ServiceManager),
        // issue 11: how frontend-status reaches the front ends' /_status
        ("ha", ["frontend_scheme"]) => Some(Choice(&["auto", "https", "http"])),
        ("ha", ["frontend_timeout"]) => Some(Secs(1, 300)),
        ("ha", ["fence_peer_timeout" | "fence_peer_unreachable_after"]) => {
            Some(Secs(super::fence::RANGE_SECS.0, super::fence::RANGE_SECS.1))
        }
        ("ha", ["quorum_arbiter"]) => Some(Name),
        ("ha", ["quorum_peer_stop_after" | "quorum_self_fence_after"]) => Some(Secs(
            super::quorum::RANGE_SECS.0,
            super::quorum::RANGE_SECS.1,
        )),
        ("nginx", ["ssl_port" | "non_ssl_port"]) => Some(Port),
        ("private_chef_ctl", ["drbd_resource"]) => Some(Name),
        ("private_chef_ctl", [key]) if PRIVATE_CHEF_CTL_KEYS.contains(key) => Some(Path),
        _ => None,
    }
}

/// A DRBD resource, interface or service name as DRBD, iproute2 and runit accept it, and
/// safe in an argument vector: letters, digits and `_ . : @ + -`, at most 64 characters,
/// never starting with `-` (it would read as an option: `drbdadm primary --force`).
pub fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:@+-".contains(c))
}

/// Parses `IP` or `IP/prefix`.
pub fn parse_ip_prefix(s: &str) -> Result<(IpAddr, Option<u8>), String> {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let ip = IpAddr::from_str(ip).map_err(|_| format!("invalid IP address {s:?}"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => None,
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max => Some(n),
            _ => return Err(format!("invalid prefix length in {s:?} (0 to {max})")),
        },
    };
    Ok((ip, prefix))
}

fn check_attr(
    ns: &str,
    keys: &[String],
    ty: AttrType,
    v: &Value,
    pos: Pos,
) -> Result<(), ConfigError> {
    let name = format!(
        "{ns}{}",
        keys.iter().map(|k| format!("['{k}']")).collect::<String>()
    );
    let bad = |want: &str| {
        ConfigError::invalid(pos.line, pos.col, format!("{name} must be {want}, not {v}"))
    };
    match ty {
        AttrType::Bool => v.as_bool().map(|_| ()).ok_or_else(|| bad("true or false")),
        AttrType::Path => match v.as_str() {
            Some(s) if !s.is_empty() && !s.contains('\0') => Ok(()),
            _ => Err(bad("a non-empty path string")),
        },
        AttrType::Name => match v.as_str() {
            Some(s) if is_plain_name(s) => Ok(()),
            _ => Err(bad(
                "a name of letters, digits and `_ . : @ + -`, not starting with `-`",
            )),
        },
        AttrType::Ip => match v.as_str().map(IpAddr::from_str) {
            Some(Ok(_)) => Ok(()),
            _ => Err(bad("an IP address string")),
        },
        AttrType::IpPrefix => match v.as_str().map(parse_ip_prefix) {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(ConfigError::invalid(
                pos.line,
                pos.col,
                format!("{name}: {e}"),
            )),
            None => Err(bad("an \"IP[/prefix]\" string")),
        },
        AttrType::Port => match v.as_int() {
            Some(p) if (1..=65535).contains(&p) => Ok(()),
            _ => Err(bad("a port number (1 to 65535)")),
        },
        AttrType::Secs(lo, hi) => match v.as_int() {
            Some(p) if u64::try_from(p).is_ok_and(|p| (lo..=hi).contains(&p)) => Ok(()),
            _ => Err(bad(&format!("a whole number of seconds from {lo} to {hi}"))),
        },
        AttrType::FracSecs(lo, hi) => {
            let f = match v {
                Value::Int(i) => Some(*i as f64),
                Value::Float(f) => Some(*f),
                _ => None,
            };
            match f {
                Some(f) if f.is_finite() && f >= lo as f64 && f <= hi as f64 => Ok(()),
                _ => Err(bad(&format!("a number of seconds from {lo} to {hi}"))),
            }
        }
        AttrType::Count(lo, hi) => match v.as_int() {
            Some(p) if u64::try_from(p).is_ok_and(|p| (lo..=hi).contains(&p)) => Ok(()),
            _ => Err(bad(&format!("a whole number from {lo} to {hi}"))),
        },
        AttrType::ServiceManager => match v.as_str() {
            Some("runit" | "systemd") => Ok(()),
            _ => Err(bad("\"runit\" or \"systemd\"")),
        },
        AttrType::Choice(words) => match v.as_str() {
            Some(s) if words.contains(&s) => Ok(()),
            _ => Err(bad(&words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" or "))),
        },
    }
}

/// Parses the text of a private-chef.rb. Pure: no I/O, never panics; errors carry the line
/// and column (and no path; [`super::Config::from_text`] adds it).
pub fn parse(text: &str) -> Result<Topology, ConfigError> {
    parse_unredacted(text).map_err(|e| redact_error(text, e))
}

/// An error on a line that mentions a secret says where and what was expected, never what
/// was found there.
fn redact_error(text: &str, mut e: ConfigError) -> ConfigError {
    let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
    if super::redact::mentions_secret(line) {
        match &mut e.kind {
            ruby::ErrorKind::Unsupported { found, .. } => *found = super::redact::REDACTED.into(),
            ruby::ErrorKind::Invalid(m) => {
                if let Some(i) = m.find(", not ") {
                    m.truncate(i);
                    m.push_str(", not ");
                    m.push_str(super::redact::REDACTED);
                }
            }
        }
    }
    e
}

fn parse_unredacted(text: &str) -> Result<Topology, ConfigError> {
    let mut topo = Topology::default();
    let mut vip_line = None;
    for st in ruby::statements(text, &PrivateChefRb)? {
        match st {
            Statement::Assign {
                ns,
                pos,
                keys,
                value,
                value_pos,
                text,
            } => {
                if ns == "private_chef_ctl"
                    && !(keys.len() == 1 && PRIVATE_CHEF_CTL_KEYS.contains(&keys[0].as_str()))
                {
                    return Err(ConfigError::invalid(
                        pos.line,
                        pos.col,
                        format!(
                            "unknown key private_chef_ctl{} (expected one of: {})",
                            keys.iter().map(|k| format!("['{k}']")).collect::<String>(),
                            PRIVATE_CHEF_CTL_KEYS.join(", ")
                        ),
                    ));
                }
                let used = match used_attr(&ns, &keys) {
                    Some(ty) => {
                        check_attr(&ns, &keys, ty, &value, value_pos)?;
                        true
                    }
                    None => {
                        topo.skipped.push(Skipped {
                            line: pos.line,
                            text: super::redact::statement(&text),
                        });
                        false
                    }
                };
                topo.assignments.push(Assignment {
                    ns,
                    keys,
                    value,
                    line: value_pos.line,
                    col: value_pos.col,
                    used,
                });
            }
            Statement::Call {
                name,
                pos,
                args,
                text,
            } => match name.as_str() {
                "topology" => {
                    let (v, vpos) = one_arg(&name, pos, &args)?;
                    topo.topology = Some(match v.as_str() {
                        Some("ha") => TopologyKind::Ha,
                        Some("standalone") => TopologyKind::Standalone,
                        Some("tier") => TopologyKind::Tier,
                        _ => {
                            return Err(ConfigError::invalid(
                                vpos.line,
                                vpos.col,
                                format!(
                                    "topology must be \"ha\", \"standalone\" or \"tier\", not {v}"
                                ),
                            ))
                        }
                    });
                }
                "api_fqdn" => {
                    let (v, vpos) = one_arg(&name, pos, &args)?;
                    match v.as_str() {
                        Some(s) if !s.is_empty() => topo.api_fqdn = Some(s.to_string()),
                        _ => {
                            return Err(ConfigError::invalid(
                                vpos.line,
                                vpos.col,
                                format!("api_fqdn must be a non-empty string, not {v}"),
                            ))
                        }
                    }
                }
                "server" => {
                    let server = server(pos, &args)?;
                    if let Some(prev) = topo
                        .servers
                        .iter()
                        .find(|s| s.fqdn.eq_ignore_ascii_case(&server.fqdn))
                    {
                        return Err(ConfigError::invalid(
                            pos.line,
                            pos.col,
                            format!(
                                "server {:?} is already defined on line {}",
                                server.fqdn, prev.line
                            ),
                        ));
                    }
                    topo.servers.push(server);
                }
                "backend_vip" => {
                    if let Some(prev) = vip_line {
                        return Err(ConfigError::invalid(
                            pos.line,
                            pos.col,
                            format!("backend_vip is already defined on line {prev}"),
                        ));
                    }
                    vip_line = Some(pos.line);
                    topo.backend_vip = Some(backend_vip(pos, &args)?);
                }
                _ => {
                    let (v, _) = one_arg(&name, pos, &args)?;
                    topo.settings.push((name, v.clone()));
                    topo.skipped.push(Skipped {
                        line: pos.line,
                        text: super::redact::statement(&text),
                    });
                }
            },
        }
    }
    bounds::check_fence_bounds(&topo)?;
    Ok(topo)
}

/// The single positional argument of a one-value setting.
fn one_arg<'a>(name: &str, pos: Pos, args: &'a [Arg]) -> Result<(&'a Value, Pos), ConfigError> {
    match args {
        [Arg::Value { value, pos }] => Ok((value, *pos)),
        [] => Err(ConfigError::invalid(
            pos.line,
            pos.col,
            format!("{name} needs a value"),
        )),
        [Arg::Pair { key_pos, key, .. }, ..] => Err(ConfigError::invalid(
            key_pos.line,
            key_pos.col,
            format!("{name} takes one value, not :{key} => …"),
        )),
        [_, second, ..] => {
            let p = arg_pos(second);
            Err(ConfigError::invalid(
                p.line,
                p.col,
                format!("{name} takes one value"),
            ))
        }
    }
}

fn arg_pos(a: &Arg) -> Pos {
    match a {
        Arg::Value { pos, .. } => *pos,
        Arg::Pair { key_pos, .. } => *key_pos,
    }
}

/// A `:key => value` pair: key, value, where the value starts.
type KeyValue<'a> = (&'a str, &'a Value, Pos);

/// The `"FQDN", :key => value, …` shape shared by `server` and `backend_vip`: the FQDN and
/// the pairs (duplicate keys and keys outside `allowed` are errors).
fn fqdn_and_pairs<'a>(
    what: &str,
    pos: Pos,
    args: &'a [Arg],
    allowed: &[&str],
) -> Result<(String, Vec<KeyValue<'a>>), ConfigError> {
    let fqdn = match args.first() {
        Some(Arg::Value {
            value: Value::Str(s),
            ..
        }) if !s.is_empty() => s.clone(),
        Some(a) => {
            let p = arg_pos(a);
            return Err(ConfigError::invalid(
                p.line,
                p.col,
                format!("{what} needs the FQDN as a non-empty string first"),
            ));
        }
        None => {
            return Err(ConfigError::invalid(
                pos.line,
                pos.col,
                format!("{what} needs an FQDN"),
            ));
        }
    };
    let keys_list = allowed
        .iter()
        .map(|k| format!(":{k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut pairs: Vec<KeyValue<'a>> = Vec::new();
    for a in &args[1..] {
        match a {
            Arg::Value { value, pos } => {
                return Err(ConfigError::unsupported(
                    pos.line,
                    pos.col,
                    "a `:key => value` pair",
                    &format!("`{value}`"),
                ))
            }
            Arg::Pair {
                key,
                key_pos,
                value,
                pos,
            } => {
                if !allowed.contains(&key.as_str()) {
                    return Err(ConfigError::invalid(
                        key_pos.line,
                        key_pos.col,
                        format!("unknown key :{key} for {what} {fqdn:?} (expected {keys_list})"),
                    ));
                }
                if pairs.iter().any(|(k, _, _)| k == key) {
                    return Err(ConfigError::invalid(
                        key_pos.line,
                        key_pos.col,
                        format!("duplicate key :{key} for {what} {fqdn:?}"),
                    ));
                }
                pairs.push((key.as_str(), value, *pos));
            }
        }
    }
    Ok((fqdn, pairs))
}

fn ip_value(what: &str, key: &str, v: &Value, pos: Pos) -> Result<IpAddr, ConfigError> {
    v.as_str()
        .and_then(|s| IpAddr::from_str(s).ok())
        .ok_or_else(|| {
            ConfigError::invalid(
                pos.line,
                pos.col,
                format!("invalid IP address {v} for :{key} of {what}"),
            )
        })
}

fn string_value(what: &str, key: &str, v: &Value, pos: Pos) -> Result<String, ConfigError> {
    match v {
        Value::Str(s) if !s.is_empty() => Ok(s.clone()),
        Value::Symbol(s) => Ok(s.clone()),
        _ => Err(ConfigError::invalid(
            pos.line,
            pos.col,
            format!(":{key} of {what} must be a non-empty string, not {v}"),
        )),
    }
}

fn server(pos: Pos, args: &[Arg]) -> Result<Server, ConfigError> {
    let (fqdn, pairs) = fqdn_and_pairs(
        "server",
        pos,
        args,
        &["ipaddress", "role", "bootstrap", "cluster_ipaddress"],
    )?;
    let what = format!("server {fqdn:?}");
    let (mut ipaddress, mut role, mut bootstrap, mut cluster) = (None, None, false, None);
    for (key, v, vpos) in pairs {
        match key {
            "ipaddress" => ipaddress = Some(ip_value(&what, key, v, vpos)?),
            "cluster_ipaddress" => {
                cluster = match v {
                    Value::Nil => None,
                    _ => Some(ip_value(&what, key, v, vpos)?),
                }
            }
            "role" => {
                role = Some(match string_value(&what, key, v, vpos)?.as_str() {
                    "backend" => Role::Backend,
                    "frontend" => Role::Frontend,
                    other => Role::Other(other.to_string()),
                })
            }
            _ => {
                bootstrap = v.as_bool().ok_or_else(|| {
                    ConfigError::invalid(
                        vpos.line,
                        vpos.col,
                        format!(":bootstrap of {what} must be true or false, not {v}"),
                    )
                })?
            }
        }
    }
    let missing = |k: &str| ConfigError::invalid(pos.line, pos.col, format!("{what} has no :{k}"));
    Ok(Server {
        ipaddress: ipaddress.ok_or_else(|| missing("ipaddress"))?,
        role: role.ok_or_else(|| missing("role"))?,
        bootstrap,
        cluster_ipaddress: cluster,
        line: pos.line,
        fqdn,
    })
}

fn backend_vip(pos: Pos, args: &[Arg]) -> Result<BackendVip, ConfigError> {
    let (fqdn, pairs) = fqdn_and_pairs(
        "backend_vip",
        pos,
        args,
        &["ipaddress", "device", "heartbeat_device"],
    )?;
    let what = format!("backend_vip {fqdn:?}");
    let (mut addr, mut device, mut heartbeat) = (None, None, None);
    for (key, v, vpos) in pairs {
        match key {
            "ipaddress" => {
                let s = v.as_str().ok_or_else(|| {
                    ConfigError::invalid(
                        vpos.line,
                        vpos.col,
                        format!("invalid IP address {v} for :ipaddress of {what}"),
                    )
                })?;
                addr = Some(parse_ip_prefix(s).map_err(|e| {
                    ConfigError::invalid(
                        vpos.line,
                        vpos.col,
                        format!("{e} for :ipaddress of {what}"),
                    )
                })?);
            }
            "device" => device = Some(string_value(&what, key, v, vpos)?),
            _ => heartbeat = Some(string_value(&what, key, v, vpos)?),
        }
    }
    let (address, prefix) = addr.ok_or_else(|| {
        ConfigError::invalid(pos.line, pos.col, format!("{what} has no :ipaddress"))
    })?;
    Ok(BackendVip {
        fqdn,
        address,
        prefix,
        device,
        heartbeat_device: heartbeat,
        line: pos.line,
    })
}
