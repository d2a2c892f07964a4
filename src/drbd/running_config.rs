//! The replication settings DRBD 8.4 runs a resource with: what decides whether an
//! acknowledged write can be lost (the protocol, the fencing policy, the split-brain
//! policies, the handlers). Read from two outputs, parsed with one nom grammar:
//!
//! * `drbdsetup show <res>`: the kernel's settings. DRBD 8.4 prints only the options that
//!   differ from their defaults, so a missing `protocol` is C, a missing `fencing` is
//!   `dont-care` and a missing `after-sb-*pri` is `disconnect`. The `net` section is absent
//!   when the resource has no network configuration (StandAlone after `drbdadm disconnect`),
//!   a volume's `disk` section when no disk is attached; those settings are then unknown.
//!   `fencing` is a disk option in 8.4 (`_this_host { volume N { disk { fencing …; } } }`).
//! * `drbdadm dump all`: the handlers. The kernel knows none: it runs `drbdadm <handler>`,
//!   which reads the configuration file at that moment, so the file is what runs. `dump` of
//!   one resource leaves out the `common` section (where handlers usually are), `dump all`
//!   prints it.
//!
//! ```text
//! resource pc0 {                          # drbdsetup show pc0 (8.4)
//!     options {
//!     }
//!     net {
//!         cram-hmac-alg       "sha1";
//!         after-sb-0pri       discard-zero-changes;
//!         after-sb-1pri       consensus;
//!     }
//!     _remote_host {
//!         address             ipv4 192.0.2.12:7788;
//!     }
//!     _this_host {
//!         address             ipv4 192.0.2.11:7788;
//!         volume 0 {
//!             device          minor 0;
//!             disk            "/dev/opscode/drbd";
//!             meta-disk       internal;
//!             disk {
//!                 fencing     resource-and-stonith;
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! The grammar of both: statements of words (bare, or double-quoted with `\` escapes) ending
//! in `;` or in a `{ … }` block of statements; `#` starts a comment to the end of the line.

use std::fmt;

use nom::branch::alt;
use nom::bytes::complete::{escaped, is_not, take_till};
use nom::character::complete::{anychar, char, multispace1, none_of};
use nom::combinator::{map, opt, value};
use nom::multi::many0_count;
use nom::sequence::{delimited, preceded};
use nom::IResult;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::state_enum;
use super::proc::ParseError;

state_enum! {
    /// The replication protocol (`protocol`): when a write counts as completed.
    Protocol {
        /// Completed once in the local TCP send buffer.
        A => "A",
        /// Completed once in the peer's memory.
        B => "B",
        /// Completed once on both disks.
        C => "C",
    }
}

state_enum! {
    /// The fencing policy (`fencing`, a disk option in 8.4).
    Fencing {
        DontCare => "dont-care",
        ResourceOnly => "resource-only",
        ResourceAndStonith => "resource-and-stonith",
    }
}

state_enum! {
    /// An automatic split-brain recovery policy (`after-sb-0pri`, `-1pri`, `-2pri`).
    AfterSb {
        Disconnect => "disconnect",
        DiscardYoungerPrimary => "discard-younger-primary",
        DiscardOlderPrimary => "discard-older-primary",
        DiscardZeroChanges => "discard-zero-changes",
        DiscardLeastChanges => "discard-least-changes",
        DiscardLocal => "discard-local",
        DiscardRemote => "discard-remote",
        Consensus => "consensus",
        ViolentlyAs0p => "violently-as0p",
        DiscardSecondary => "discard-secondary",
        CallPriLostAfterSb => "call-pri-lost-after-sb",
    }
}

/// The `net` section's settings that decide what a write risks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetSettings {
    /// `protocol` (C when not printed).
    pub protocol: Protocol,
    /// `after-sb-0pri` (disconnect when not printed).
    pub after_sb_0pri: AfterSb,
    /// `after-sb-1pri` (disconnect when not printed).
    pub after_sb_1pri: AfterSb,
    /// `after-sb-2pri` (disconnect when not printed).
    pub after_sb_2pri: AfterSb,
}

/// What the kernel runs the resource with (`drbdsetup show`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelSettings {
    /// The resource's name as printed.
    pub resource: String,
    /// `None`: no `net` section (no network configuration).
    pub net: Option<NetSettings>,
    /// The weakest fencing policy of the volumes with a disk attached (`None`: none has).
    pub fencing: Option<Fencing>,
}

/// A resource's running configuration: the kernel's settings and the handlers that are set.
/// This is the `"drbd_config"` of `ha-status --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningConfig {
    /// The resource.
    pub resource: String,
    /// The `net` settings, `null` when the kernel has no network configuration for it.
    pub net: Option<NetSettings>,
    /// The fencing policy, `null` when no disk is attached.
    pub fencing: Option<Fencing>,
    /// The names of the handlers set (`fence-peer`, `split-brain`, …), sorted; `null` when
    /// they could not be read (see `handlers_error`).
    pub handlers: Option<Vec<String>>,
    /// Why the handlers could not be read.
    #[serde(default)]
    pub handlers_error: Option<String>,
}

impl RunningConfig {
    /// The kernel's settings with the handlers (or why they could not be read).
    pub fn new(kernel: KernelSettings, handlers: Result<Vec<String>, String>) -> RunningConfig {
        let (handlers, handlers_error) = match handlers {
            Ok(h) => (Some(h), None),
            Err(e) => (None, Some(e)),
        };
        RunningConfig {
            resource: kernel.resource,
            net: kernel.net,
            fencing: kernel.fencing,
            handlers,
            handlers_error,
        }
    }

    /// Whether the handler `name` is set (`None`: the handlers were not read).
    pub fn has_handler(&self, name: &str) -> Option<bool> {
        self.handlers.as_ref().map(|h| h.iter().any(|x| x == name))
    }
}

/// One statement: its words, and its block when it opens one (`net { … }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The words, the first one the statement's name; quoted words unquoted.
    pub words: Vec<String>,
    /// The statements inside `{ … }`; `None` for a statement ending in `;`.
    pub block: Option<Vec<Statement>>,
}

impl Statement {
    /// The statement's name (its first word).
    pub fn name(&self) -> &str {
        self.words.first().map(String::as_str).unwrap_or("")
    }

    /// The word after the name.
    pub fn arg(&self) -> Option<&str> {
        self.words.get(1).map(String::as_str)
    }

    /// The statements of its block (none for a `;` statement).
    pub fn inner(&self) -> &[Statement] {
        self.block.as_deref().unwrap_or(&[])
    }
}

/// The statements named `name` among `v`.
fn named<'a>(v: &'a [Statement], name: &'a str) -> impl Iterator<Item = &'a Statement> + 'a {
    v.iter().filter(move |s| s.name() == name)
}

/// The one block named `name` among `v`.
fn block<'a>(v: &'a [Statement], name: &'a str) -> Option<&'a Statement> {
    named(v, name).find(|s| s.block.is_some())
}

/// The value of the option `name` among `v` (`name value;`).
fn option<'a>(v: &'a [Statement], name: &'a str) -> Option<&'a str> {
    named(v, name)
        .find(|s| s.block.is_none())
        .and_then(Statement::arg)
}

/// How deep blocks may nest (DRBD prints four levels): deeper input is refused, so a
/// hostile text cannot exhaust the stack.
const MAX_DEPTH: usize = 16;

type R<'a, T> = IResult<&'a str, T>;

fn comment(i: &str) -> R<'_, ()> {
    value((), preceded(char('#'), take_till(|c| c == '\n')))(i)
}

/// Whitespace and comments.
fn ws(i: &str) -> R<'_, ()> {
    value((), many0_count(alt((value((), multispace1), comment))))(i)
}

fn quoted(i: &str) -> R<'_, String> {
    map(
        delimited(
            char('"'),
            opt(escaped(none_of("\\\""), '\\', anychar)),
            char('"'),
        ),
        |raw: Option<&str>| unescape(raw.unwrap_or("")),
    )(i)
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn bare(i: &str) -> R<'_, String> {
    map(is_not(" \t\r\n;{}#\""), str::to_string)(i)
}

fn word(i: &str) -> R<'_, String> {
    alt((quoted, bare))(i)
}

/// `word+ (';' | '{' statement* '}')`, blocks at most [`MAX_DEPTH`] deep.
fn statement(i: &str, depth: usize) -> R<'_, Statement> {
    let mut words = Vec::new();
    let mut rest = i;
    loop {
        let (r, w) = word(rest)?;
        words.push(w);
        let (r, ()) = ws(r)?;
        rest = r;
        if rest.is_empty() || rest.starts_with([';', '{', '}']) {
            break;
        }
    }
    if let Ok((r, _)) = char::<_, nom::error::Error<&str>>(';')(rest) {
        return Ok((r, Statement { words, block: None }));
    }
    let (mut r, _) = char('{')(rest)?;
    if depth >= MAX_DEPTH {
        return Err(nom::Err::Failure(nom::error::Error::new(
            rest,
            nom::error::ErrorKind::TooLarge,
        )));
    }
    let mut inner = Vec::new();
    loop {
        let (r2, ()) = ws(r)?;
        if let Ok((r3, _)) = char::<_, nom::error::Error<&str>>('}')(r2) {
            return Ok((
                r3,
                Statement {
                    words,
                    block: Some(inner),
                },
            ));
        }
        let (r3, s) = statement(r2, depth + 1)?;
        inner.push(s);
        r = r3;
    }
}

/// Parses the statements of a `drbdsetup show` or `drbdadm dump` output. An error says
/// where (line, column) and what was found.
pub fn parse_statements(text: &str) -> Result<Vec<Statement>, ParseError> {
    let mut out = Vec::new();
    let (mut rest, ()) = ws(text).map_err(|_| error_at(text, text, "a statement"))?;
    while !rest.is_empty() {
        match statement(rest, 0) {
            Ok((r, s)) => {
                out.push(s);
                let (r, ()) = ws(r).map_err(|_| error_at(text, r, "a statement"))?;
                rest = r;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let what = if e.code == nom::error::ErrorKind::TooLarge {
                    "blocks nested at most 16 deep"
                } else {
                    "a statement: words ending in ';' or a '{ … }' block"
                };
                return Err(error_at(text, e.input, what));
            }
            Err(nom::Err::Incomplete(_)) => return Err(error_at(text, "", "more input")),
        }
    }
    Ok(out)
}

fn error_at(text: &str, at: &str, expected: &str) -> ParseError {
    let offset = text.len() - at.len().min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map(|p| p + 1).unwrap_or(0) + 1;
    let rest = at.lines().next().unwrap_or("");
    let found = if at.is_empty() {
        "end of input".to_string()
    } else if rest.is_empty() {
        "end of line".to_string()
    } else {
        let excerpt: String = rest.chars().take(24).collect();
        format!("{excerpt:?}")
    };
    ParseError {
        line,
        column,
        expected: expected.to_string(),
        found,
    }
}

/// Why an output does not give the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The text does not fit the grammar.
    Syntax(ParseError),
    /// The text parses but lacks what is needed (the resource, …).
    Missing(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax(e) => write!(f, "{e}"),
            ConfigError::Missing(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConfigError {}

/// How weak a fencing policy is (an unknown one counts as the weakest).
fn strength(f: &Fencing) -> u8 {
    match f {
        Fencing::ResourceAndStonith => 3,
        Fencing::ResourceOnly => 2,
        Fencing::DontCare => 1,
        Fencing::Other(_) => 0,
    }
}

/// The kernel's settings of `resource` from `drbdsetup show <resource>` (8.4).
pub fn parse_show(text: &str, resource: &str) -> Result<KernelSettings, ConfigError> {
    let top = parse_statements(text).map_err(ConfigError::Syntax)?;
    if top.is_empty() {
        return Err(ConfigError::Missing(format!(
            "drbdsetup show printed nothing: resource {resource} is not configured in the kernel"
        )));
    }
    let res = named(&top, "resource")
        .find(|s| s.block.is_some() && s.arg() == Some(resource))
        .ok_or_else(|| {
            ConfigError::Missing(format!(
                "no 'resource {resource} {{' in drbdsetup show's output"
            ))
        })?;
    let body = res.inner();
    let net = block(body, "net").map(|n| {
        let sb = |k: &str| option(n.inner(), k).map_or(AfterSb::Disconnect, AfterSb::from_name);
        NetSettings {
            protocol: option(n.inner(), "protocol").map_or(Protocol::C, |p| {
                Protocol::from_name(&p.to_ascii_uppercase())
            }),
            after_sb_0pri: sb("after-sb-0pri"),
            after_sb_1pri: sb("after-sb-1pri"),
            after_sb_2pri: sb("after-sb-2pri"),
        }
    });
    let attached = block(body, "_this_host")
        .into_iter()
        .flat_map(|h| named(h.inner(), "volume"))
        .filter_map(|v| block(v.inner(), "disk"))
        .map(|d| option(d.inner(), "fencing").map_or(Fencing::DontCare, Fencing::from_name));
    let fencing = attached.min_by_key(strength);
    Ok(KernelSettings {
        resource: resource.to_string(),
        net,
        fencing,
    })
}

/// The handlers set for `resource` in `drbdadm dump all`'s output: those of the `common`
/// section and of the resource's own, names sorted and without duplicates.
pub fn parse_dump_handlers(text: &str, resource: &str) -> Result<Vec<String>, ConfigError> {
    let top = parse_statements(text).map_err(ConfigError::Syntax)?;
    let res = named(&top, "resource")
        .find(|s| s.block.is_some() && s.arg() == Some(resource))
        .ok_or_else(|| {
            ConfigError::Missing(format!(
                "resource {resource} is not in drbdadm's configuration (drbdadm dump all)"
            ))
        })?;
    let mut names: Vec<String> = block(&top, "common")
        .into_iter()
        .chain(std::iter::once(res))
        .filter_map(|s| block(s.inner(), "handlers"))
        .flat_map(|h| h.inner().iter().map(|x| x.name().to_string()))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!("{}/fixtures/drbd-config/{name}", env!("CARGO_MANIFEST_DIR"));
        // the first line names the source: a comment in both outputs' grammar
        std::fs::read_to_string(&p).unwrap()
    }

    #[test]
    fn the_fenced_resource() {
        let k = parse_show(&fixture("show-fenced.txt"), "pc0").unwrap();
        let net = k.net.unwrap();
        assert_eq!(net.protocol, Protocol::C);
        assert_eq!(net.after_sb_0pri, AfterSb::DiscardZeroChanges);
        assert_eq!(net.after_sb_1pri, AfterSb::Consensus);
        // not printed: the default
        assert_eq!(net.after_sb_2pri, AfterSb::Disconnect);
        assert_eq!(k.fencing, Some(Fencing::ResourceAndStonith));
        let h = parse_dump_handlers(&fixture("dump-fenced.txt"), "pc0").unwrap();
        assert_eq!(
            h,
            [
                "after-resync-target",
                "fence-peer",
                "initial-split-brain",
                "split-brain"
            ]
        );
    }

    #[test]
    fn the_original_unfenced_resource() {
        let k = parse_show(&fixture("show-unfenced.txt"), "pc0").unwrap();
        let net = k.net.unwrap();
        assert_eq!(net.protocol, Protocol::C);
        assert_eq!(net.after_sb_0pri, AfterSb::DiscardYoungerPrimary);
        assert_eq!(net.after_sb_1pri, AfterSb::DiscardSecondary);
        assert_eq!(net.after_sb_2pri, AfterSb::CallPriLostAfterSb);
        // not printed: dont-care
        assert_eq!(k.fencing, Some(Fencing::DontCare));
        let h = parse_dump_handlers(&fixture("dump-unfenced.txt"), "pc0").unwrap();
        assert_eq!(h, ["split-brain"]);
    }

    #[test]
    fn defaults_when_nothing_is_printed() {
        let text = "resource pc0 {\n    options {\n    }\n    net {\n    }\n    _this_host {\n        volume 0 {\n            device\t\t\tminor 0;\n            disk {\n            }\n        }\n    }\n}\n";
        let k = parse_show(text, "pc0").unwrap();
        let net = k.net.unwrap();
        assert_eq!(net.protocol, Protocol::C);
        assert_eq!(net.after_sb_1pri, AfterSb::Disconnect);
        assert_eq!(k.fencing, Some(Fencing::DontCare));
    }

    #[test]
    fn standalone_and_diskless_leave_settings_unknown() {
        let text = "resource pc0 {\n    options {\n    }\n    _this_host {\n        volume 0 {\n            device\t\t\tminor 0;\n        }\n    }\n}\n";
        let k = parse_show(text, "pc0").unwrap();
        assert_eq!(k.net, None);
        assert_eq!(k.fencing, None);
    }

    #[test]
    fn the_weakest_volume_counts() {
        let text = "resource r { net { protocol B; } _this_host { volume 0 { disk { fencing resource-and-stonith; } } volume 1 { disk { fencing resource-only; } } } }";
        let k = parse_show(text, "r").unwrap();
        assert_eq!(k.fencing, Some(Fencing::ResourceOnly));
        assert_eq!(k.net.unwrap().protocol, Protocol::B);
    }

    #[test]
    fn nothing_or_another_resource_is_missing() {
        assert!(matches!(
            parse_show("", "pc0"),
            Err(ConfigError::Missing(_))
        ));
        assert!(matches!(
            parse_show("resource other {\n}\n", "pc0"),
            Err(ConfigError::Missing(_))
        ));
        assert!(matches!(
            parse_dump_handlers("common { handlers { split-brain \"x\"; } }", "pc0"),
            Err(ConfigError::Missing(_))
        ));
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse_show(
            "resource pc0 {\n    net {\n        protocol C\n    }\n",
            "pc0",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("line 4, column 5: expected"), "{e}");
        let e = parse_show("resource pc0 {\n  net {\n", "pc0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");
        let deep = format!("{}{}", "a {".repeat(40), "}".repeat(40));
        let e = parse_statements(&deep).unwrap_err().to_string();
        assert!(e.contains("nested at most 16"), "{e}");
    }

    #[test]
    fn quoted_words_and_comments() {
        let s = parse_statements(
            "# a comment\nh { fence-peer \"/bin/x \\\"y\\\"\"; x \"\"; } # after\n",
        )
        .unwrap();
        let h = &s[0].inner()[0];
        assert_eq!(h.words, ["fence-peer", "/bin/x \"y\""]);
        assert_eq!(s[0].inner()[1].words, ["x", ""]);
    }

    #[test]
    fn the_document_round_trips() {
        let k = parse_show(&fixture("show-fenced.txt"), "pc0").unwrap();
        let c = RunningConfig::new(k, Err("drbdadm: not found".into()));
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["net"]["protocol"], "C");
        assert_eq!(v["fencing"], "resource-and-stonith");
        assert_eq!(v["handlers"], serde_json::Value::Null);
        assert_eq!(c.has_handler("fence-peer"), None);
        let back: RunningConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, c);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,300}") {
            let _ = parse_statements(&text);
            let _ = parse_show(&text, "pc0");
            let _ = parse_dump_handlers(&text, "pc0");
        }
    }
}
