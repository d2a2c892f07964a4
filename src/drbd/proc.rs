//! The `/proc/drbd` parser (DRBD 8.0–8.4, DRBD 9 header-only and DRBD 9 compat-8.4).
//!
//! The file is read as bytes (8.3.1 prints NUL flag bytes, DRBD 9 compat prints `∞`) and
//! parsed line by line with nom: header lines are everything before the first minor line
//! (` N: cs:…`); each minor is a state line, a counters line and optional progress, LRU and
//! detail lines. Unknown state names become `Other`, never errors; anything else that does
//! not fit the grammar is a [`ParseError`] with line, column, what was expected and what
//! was found. The parser never panics.

use std::fmt;
use std::path::Path;

use nom::branch::alt;
use nom::bytes::complete::{tag, take, take_till, take_while, take_while1};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::{eof, opt};
use nom::error::ErrorKind;
use nom::{IResult, Offset};

use super::model::{
    ConnState, Counters, Device, DiskState, ProcDrbd, Progress, ProgressKind, Role, RoleKey,
    SectorPos, Version,
};

/// Why a `/proc/drbd` text could not be parsed. Displays as
/// `line L, column C: expected <what>, found <excerpt>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based byte column.
    pub column: usize,
    /// What the grammar wanted there.
    pub expected: String,
    /// A short escaped excerpt of what was there (`"…"`, `end of line`, `end of input`).
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: expected {}, found {}",
            self.line, self.column, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}

/// Reads and parses a `/proc/drbd`-format file. Every error names the file:
/// `/proc/drbd: line 3, column 5: expected …`, or
/// `cannot read /proc/drbd: No such file or directory (is the drbd kernel module loaded?)`.
pub fn read(path: &Path) -> anyhow::Result<ProcDrbd> {
    let bytes = match std::fs::File::open(path)
        .and_then(|f| read_limited(f, &path.display().to_string()))
    {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hint = if path.starts_with("/proc") {
                " (is the drbd kernel module loaded?)"
            } else {
                ""
            };
            anyhow::bail!(
                "cannot read {}: No such file or directory{hint}",
                path.display()
            );
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    parse_named(&path.display().to_string(), &bytes)
}

/// The most `/proc/drbd` text read (a real one is about 300 bytes a minor; 256 minors
/// are under 100 KiB): `--file /dev/zero` must end with an error, not all memory.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The most devices read: memory stays bounded (a table of 100 000 rows took 400 MB).
pub const MAX_DEVICES: usize = 4096;

/// Reads at most [`MAX_INPUT_BYTES`] from `r`; more is an `InvalidData` error naming `source`.
pub fn read_limited(r: impl std::io::Read, source: &str) -> std::io::Result<Vec<u8>> {
    crate::sys::read_limited(
        r,
        MAX_INPUT_BYTES,
        &format!("{source} (not a /proc/drbd text)"),
    )
}

/// Parses `input`, naming `source` (a path, `<stdin>`) in the error message.
pub fn parse_named(source: &str, input: &[u8]) -> anyhow::Result<ProcDrbd> {
    parse(input).map_err(|e| anyhow::anyhow!("{source}: {e}"))
}

// ---------------------------------------------------------------------------------------
// nom plumbing

type In<'a> = &'a [u8];

/// Error carried through the nom parsers: where, and what was expected there.
#[derive(Debug)]
struct E<'a> {
    at: In<'a>,
    expected: &'static str,
}

impl<'a> nom::error::ParseError<In<'a>> for E<'a> {
    fn from_error_kind(input: In<'a>, _kind: ErrorKind) -> Self {
        E {
            at: input,
            expected: "valid input",
        }
    }
    fn append(_input: In<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'a, T> = IResult<In<'a>, T, E<'a>>;

/// Runs `p`; if it fails, reports `expected` at the place where `p` started.
fn exp<'a, T>(
    expected: &'static str,
    mut p: impl FnMut(In<'a>) -> R<'a, T>,
) -> impl FnMut(In<'a>) -> R<'a, T> {
    move |i| p(i).map_err(|e| e.map(|_| E { at: i, expected }))
}

fn fail<'a, T>(at: In<'a>, expected: &'static str) -> R<'a, T> {
    Err(nom::Err::Error(E { at, expected }))
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r'
}

fn trim_start(l: In<'_>) -> In<'_> {
    let n = l.iter().take_while(|c| is_blank(**c)).count();
    l.get(n..).unwrap_or(&[])
}

fn trim_end(l: In<'_>) -> In<'_> {
    let n = l.iter().rev().take_while(|c| is_blank(**c)).count();
    l.get(..l.len().saturating_sub(n)).unwrap_or(&[])
}

fn lossy(b: In<'_>) -> String {
    // Fast path: /proc/drbd is ASCII; only odd bytes (8.3.1's NUL flags are ASCII too,
    // DRBD 9's `∞` is valid UTF-8) take the replacing path.
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// Accumulates ASCII digits into a u64; `None` on overflow.
fn accumulate(d: In<'_>) -> Option<u64> {
    d.iter().try_fold(0u64, |n, c| {
        n.checked_mul(10)?
            .checked_add(u64::from(c.wrapping_sub(b'0')))
    })
}

fn name(i: In<'_>) -> R<'_, In<'_>> {
    take_while1(|c: u8| c.is_ascii_alphanumeric() || c == b'_')(i)
}

fn end_of_line(i: In<'_>) -> R<'_, ()> {
    let (i, _) = take_while(is_blank)(i)?;
    let (i, _) = eof(i)?;
    Ok((i, ()))
}

fn digits_u64(i: In<'_>) -> R<'_, u64> {
    let (rest, d) = digit1(i)?;
    match accumulate(d) {
        Some(n) => Ok((rest, n)),
        None => fail(i, "a number that fits 64 bits"),
    }
}

/// `-?[0-9][0-9,]*` → i64 (thousands separators dropped).
fn grouped_i64(i: In<'_>) -> R<'_, i64> {
    let (r, neg) = opt(char('-'))(i)?;
    let (_, _) = digit1(r)?;
    let (rest, g) = take_while1(|c: u8| c.is_ascii_digit() || c == b',')(r)?;
    let mut n: i64 = 0;
    for d in g.iter().filter(|c| c.is_ascii_digit()) {
        match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(d - b'0')))
        {
            Some(v) => n = v,
            None => return fail(i, "a number that fits 64 bits"),
        }
    }
    Ok((rest, if neg.is_some() { -n } else { n }))
}

/// `[0-9]+(.[0-9]+)?` → f64.
fn decimal(i: In<'_>) -> R<'_, f64> {
    let (r, _) = digit1(i)?;
    let (r, _) = opt(|x| {
        let (x, _) = char('.')(x)?;
        digit1(x)
    })(r)?;
    let text = i.get(..i.offset(r)).unwrap_or(&[]);
    match std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        Some(v) => Ok((r, v)),
        None => fail(i, "a decimal number"),
    }
}

/// `space0 digits ':' space1 "cs:"` → the minor number.
fn minor_prefix(i: In<'_>) -> R<'_, u32> {
    let (i, _) = space0(i)?;
    let (r, d) = exp("a minor number", digit1)(i)?;
    let minor = match accumulate(d).and_then(|n| u32::try_from(n).ok()) {
        Some(m) => m,
        None => return fail(i, "a minor number (0 to 4294967295)"),
    };
    let (r, _) = exp("`:` after the minor number", char(':'))(r)?;
    let (r, _) = exp("a space after `N:`", space1)(r)?;
    let (r, _) = exp("`cs:`", tag("cs:"))(r)?;
    Ok((r, minor))
}

/// A line that starts like a device line (`space0 digits ':'`): it must parse as one, so a
/// garbled device is an error, never a header or detail line.
fn is_minor_line(l: In<'_>) -> bool {
    // DRBD prints `%2d: cs:`: only spaces lead (LRU dump lines lead with a tab)
    let r: R<'_, ()> = (|i| {
        let (i, _) = take_while(|c| c == b' ')(i)?;
        let (i, _) = digit1(i)?;
        let (i, _) = char(':')(i)?;
        Ok((i, ()))
    })(l);
    r.is_ok()
}

/// The header lines DRBD 8.0–9 print before the devices (besides `version:`).
const BUILD_PREFIXES: &[&[u8]] = &[b"GIT-hash:", b"srcversion:", b"SVN Revision:", b"built-in"];

// ---------------------------------------------------------------------------------------
// lines

/// One input line (without its `\n`), its 1-based number, and whether a `\n` ended it.
#[derive(Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: In<'a>,
    terminated: bool,
}

fn split_lines(input: &[u8]) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = input;
    let mut no = 1;
    while !rest.is_empty() {
        match rest.iter().position(|c| *c == b'\n') {
            Some(p) => {
                out.push(Line {
                    no,
                    text: rest.get(..p).unwrap_or(&[]),
                    terminated: true,
                });
                rest = rest.get(p + 1..).unwrap_or(&[]);
            }
            None => {
                out.push(Line {
                    no,
                    text: rest,
                    terminated: false,
                });
                rest = &[];
            }
        }
        no += 1;
    }
    out
}

fn excerpt(at: In<'_>, line: &Line<'_>) -> String {
    if at.is_empty() {
        return if line.terminated {
            "end of line".to_string()
        } else {
            "end of input".to_string()
        };
    }
    const MAX: usize = 24;
    let shown = at.get(..MAX.min(at.len())).unwrap_or(at);
    let more = if at.len() > MAX { "…" } else { "" };
    format!("\"{}{more}\"", shown.escape_ascii())
}

fn error_at(line: &Line<'_>, at: In<'_>, expected: &str) -> ParseError {
    // `at` is a suffix of the line text (every parser only ever advances).
    let col = line.text.len().saturating_sub(at.len()) + 1;
    ParseError {
        line: line.no,
        column: col,
        expected: expected.to_string(),
        found: excerpt(at, line),
    }
}

fn nom_error(line: &Line<'_>, e: nom::Err<E<'_>>) -> ParseError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => error_at(line, e.at, e.expected),
        nom::Err::Incomplete(_) => error_at(line, &[], "more input"),
    }
}

/// The (virtual) line after the last one, for "found end of input" errors.
fn past_end(lines: &[Line<'_>]) -> Line<'static> {
    Line {
        no: lines.last().map_or(1, |l| l.no + 1),
        text: &[],
        terminated: false,
    }
}

// ---------------------------------------------------------------------------------------
// header

fn version_line(i: In<'_>) -> R<'_, (Version, bool)> {
    let (i, _) = exp("`version:`", tag("version:"))(i)?;
    let (i, _) = space0(i)?;
    let (i, raw) = exp(
        "a release number (e.g. 8.4.11)",
        take_while1(|c: u8| !is_blank(c) && c != b'('),
    )(i)?;
    if !raw.first().is_some_and(u8::is_ascii_digit) {
        return fail(raw, "a release number (e.g. 8.4.11)");
    }
    let (i, ap) = opt(|i| {
        let (i, _) = space1(i)?;
        let (i, _) = tag("(api:")(i)?;
        let (i, api) = exp("an api number", take_till(|c| c == b'/' || c == b')'))(i)?;
        let (i, _) = exp("`/proto:`", tag("/proto:"))(i)?;
        let (i, proto) = exp("a proto range", take_till(|c| c == b')'))(i)?;
        let (i, _) = exp("`)`", char(')'))(i)?;
        Ok((i, (api, proto)))
    })(i)?;
    let (i, compat) = opt(|i| {
        let (i, _) = space0(i)?;
        tag("(compat 8.4)")(i)
    })(i)?;
    let (i, _) = exp("end of line after the version", end_of_line)(i)?;
    let version = Version {
        raw: lossy(raw),
        api: ap.map(|(a, _)| lossy(a)),
        proto: ap.map(|(_, p)| lossy(p)),
    };
    Ok((i, (version, compat.is_some())))
}

// ---------------------------------------------------------------------------------------
// state line

fn role_name(i: In<'_>) -> R<'_, Role> {
    let (i, n) = exp("a role name", name)(i)?;
    Ok((i, Role::from_bytes(n)))
}

fn disk_name(i: In<'_>) -> R<'_, DiskState> {
    let (i, n) = exp("a disk state name", name)(i)?;
    Ok((i, DiskState::from_bytes(n)))
}

/// Parses a state line into a device (counters and the rest still empty).
fn state_line(l: In<'_>) -> R<'_, Device> {
    // minor_prefix names what it expected at the exact column
    let (i, minor) = minor_prefix(l)?;
    let (i, cs) = exp("a connection state name", name)(i)?;
    let cs = ConnState::from_bytes(cs);
    let mut dev = Device {
        minor,
        state_line: lossy(l),
        cs,
        ..Device::default()
    };
    if let Ok((rest, ())) = end_of_line(i) {
        if dev.cs == ConnState::Unconfigured {
            return Ok((rest, dev));
        }
        return fail(i, "` ro:` after the connection state");
    }
    let (i, _) = exp("a space", space1)(i)?;
    let (i, key) = exp("`ro:` or `st:`", alt((tag("ro:"), tag("st:"))))(i)?;
    let (i, role) = role_name(i)?;
    let (i, _) = exp("`/`", char('/'))(i)?;
    let (i, peer_role) = role_name(i)?;
    let (i, _) = exp("a space", space1)(i)?;
    let (i, _) = exp("`ds:`", tag("ds:"))(i)?;
    let (i, disk) = disk_name(i)?;
    let (i, _) = exp("`/`", char('/'))(i)?;
    let (i, peer_disk) = disk_name(i)?;
    let (i, _) = exp("a space", char(' '))(i)?;
    let (i, p) = exp("a protocol letter or a space", take(1usize))(i)?;
    let protocol = match p.first() {
        Some(b' ') => None,
        Some(c) if c.is_ascii_uppercase() => Some(*c as char),
        _ => return fail(p, "a protocol letter or a space"),
    };
    let (i, _) = exp("a space", char(' '))(i)?;
    let flags = trim_end(i);
    if !(4..=6).contains(&flags.len()) {
        return fail(i, "4 to 6 I/O flag characters");
    }
    dev.role_key = Some(if key == b"st:" {
        RoleKey::St
    } else {
        RoleKey::Ro
    });
    dev.role = Some(role);
    dev.peer_role = Some(peer_role);
    dev.disk = Some(disk);
    dev.peer_disk = Some(peer_disk);
    dev.protocol = protocol;
    dev.io_flags = Some(
        flags
            .iter()
            .map(|c| {
                if c.is_ascii_graphic() {
                    *c as char
                } else {
                    '?'
                }
            })
            .collect(),
    );
    dev.io_flags_raw = flags.to_vec();
    Ok((&[], dev))
}

// ---------------------------------------------------------------------------------------
// counters line

fn counter_pair(i: In<'_>) -> R<'_, (In<'_>, In<'_>)> {
    let (i, k) = exp("a counter name", name)(i)?;
    let (i, _) = exp("`:` after the counter name", char(':'))(i)?;
    let (i, v) = take_while(|c: u8| !is_blank(c))(i)?;
    Ok((i, (k, v)))
}

fn counters_line(l: In<'_>) -> R<'_, Counters> {
    let mut c = Counters::default();
    let (mut i, _) = space0(l)?;
    if i.is_empty() {
        return fail(i, "the counters line (`ns:… nr:…`)");
    }
    loop {
        let (r, (k, v)) = counter_pair(i)?;
        set_counter(&mut c, k, v)?;
        let (r, sp) = take_while(is_blank)(r)?;
        if r.is_empty() {
            return Ok((r, c));
        }
        if sp.is_empty() {
            return fail(r, "a space between counters");
        }
        i = r;
    }
}

fn num_u64(v: In<'_>) -> Result<u64, nom::Err<E<'_>>> {
    match digits_u64(v) {
        Ok((b"", n)) => Ok(n),
        _ => Err(nom::Err::Error(E {
            at: v,
            expected: "an unsigned integer counter value",
        })),
    }
}

fn num_i64(v: In<'_>) -> Result<i64, nom::Err<E<'_>>> {
    let ok = (|| {
        let (rest, neg) = opt(char::<_, E<'_>>('-'))(v).ok()?;
        let (rest, n) = digits_u64(rest).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let n = i64::try_from(n).ok()?;
        Some(if neg.is_some() { -n } else { n })
    })();
    ok.ok_or(nom::Err::Error(E {
        at: v,
        expected: "an integer counter value",
    }))
}

fn set_counter<'a>(c: &mut Counters, k: In<'a>, v: In<'a>) -> Result<(), nom::Err<E<'a>>> {
    match k {
        b"ns" => c.ns = Some(num_u64(v)?),
        b"nr" => c.nr = Some(num_u64(v)?),
        b"dw" => c.dw = Some(num_u64(v)?),
        b"dr" => c.dr = Some(num_u64(v)?),
        b"al" => c.al = Some(num_u64(v)?),
        b"bm" => c.bm = Some(num_u64(v)?),
        b"lo" => c.lo = Some(num_i64(v)?),
        b"pe" => c.pe = Some(num_i64(v)?),
        b"ua" => c.ua = Some(num_i64(v)?),
        b"ap" => c.ap = Some(num_i64(v)?),
        b"ep" => c.ep = Some(num_i64(v)?),
        b"oos" => c.oos = Some(num_u64(v)?),
        b"wo" => match v {
            [ch] if ch.is_ascii_graphic() => c.wo = Some(*ch as char),
            _ => {
                return Err(nom::Err::Error(E {
                    at: v,
                    expected: "one write-ordering character",
                }))
            }
        },
        _ => c.other.push((lossy(k), lossy(v))),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// progress and detail lines

fn progress_of(dev: &mut Device) -> &mut Progress {
    let kind = if dev.cs.is_verifying() {
        ProgressKind::Verify
    } else {
        ProgressKind::Sync
    };
    dev.sync.get_or_insert_with(|| Progress {
        kind,
        ..Progress::default()
    })
}

/// `[=====>....] sync'ed: 12.5% (left/total)K` + optional suffixes / glued `finish:`.
fn bar_line<'a>(i: In<'a>, dev: &mut Device) -> R<'a, ()> {
    let (i, _) = char('[')(i)?;
    let (i, _) = exp("the end of the progress bar `]`", |i| {
        let (i, _) = take_while(|c| c == b'=' || c == b'>' || c == b'.')(i)?;
        char(']')(i)
    })(i)?;
    let (i, _) = space0(i)?;
    let (i, label) = exp(
        "`sync'ed:` or `verified:`",
        alt((tag("sync'ed:"), tag("verified:"))),
    )(i)?;
    let (i, _) = space0(i)?;
    let (i, pct) = exp("a percentage", decimal)(i)?;
    let (i, _) = exp("`%`", char('%'))(i)?;
    let (i, _) = space0(i)?;
    let (i, _) = exp("`(`", char('('))(i)?;
    let (i, left) = exp("the amount left", digits_u64)(i)?;
    let (i, _) = exp("`/`", char('/'))(i)?;
    let (i, total) = exp("the total", digits_u64)(i)?;
    let (i, _) = exp("`)`", char(')'))(i)?;
    let (i, unit) = exp("a unit `K` or `M`", alt((char('K'), char('M'))))(i)?;
    let mult = if unit == 'M' { 1024 } else { 1 };
    let p = progress_of(dev);
    if label == b"verified:" {
        p.kind = ProgressKind::Verify;
    }
    p.percent = Some(pct);
    p.total_kib = total.saturating_mul(mult);
    p.done_kib = p.total_kib.saturating_sub(left.saturating_mul(mult));
    // Suffixes: ` delay_probe: N`, ` queue_delay: x.y ms` (8.3.8), glued `finish:` (mainline).
    let mut i = i;
    loop {
        let (r, _) = take_while(is_blank)(i)?;
        if r.is_empty() {
            return Ok((r, ()));
        }
        if let Ok((r, _)) = tag::<_, _, E<'a>>("finish:")(r) {
            return finish_body(r, dev);
        }
        if let Ok((r, _)) = tag::<_, _, E<'a>>("delay_probe:")(r) {
            let (r, _) = space0(r)?;
            let (r, _) = exp("a number", grouped_i64)(r)?;
            i = r;
            continue;
        }
        if let Ok((r, _)) = tag::<_, _, E<'a>>("queue_delay:")(r) {
            let (r, _) = space0(r)?;
            let (r, _) = exp("a decimal number", decimal)(r)?;
            let (r, _) = space0(r)?;
            let (r, _) = exp("`ms`", tag("ms"))(r)?;
            i = r;
            continue;
        }
        return fail(
            r,
            "`finish:`, `delay_probe:`, `queue_delay:` or end of line",
        );
    }
}

/// `h:mm:ss` → seconds.
fn eta(i: In<'_>) -> R<'_, u64> {
    let (i, h) = digits_u64(i)?;
    let (i, _) = char(':')(i)?;
    let (i, m) = digits_u64(i)?;
    let (i, _) = char(':')(i)?;
    let (i, s) = digits_u64(i)?;
    let secs = h
        .saturating_mul(3600)
        .saturating_add(m.saturating_mul(60))
        .saturating_add(s);
    Ok((i, secs))
}

/// After `finish:`: ` h:mm:ss speed: cur (avg|recent -- avg)[ want: w] K/sec[ (stalled)]`.
fn finish_body<'a>(i: In<'a>, dev: &mut Device) -> R<'a, ()> {
    let (i, _) = space0(i)?;
    let (i, secs) = exp(
        "a time `h:mm:ss` or `∞`",
        alt((
            |i| eta(i).map(|(r, s)| (r, Some(s))),
            |i| tag("\u{221e}")(i).map(|(r, _)| (r, None)),
        )),
    )(i)?;
    let (i, _) = space1(i)?;
    let (i, _) = exp("`speed:`", tag("speed:"))(i)?;
    let (i, _) = space0(i)?;
    let (i, cur) = exp("a speed", grouped_i64)(i)?;
    let (i, _) = space0(i)?;
    let (i, paren) = opt(|i| {
        let (i, _) = char('(')(i)?;
        let (i, _) = space0(i)?;
        let (i, first) = exp("a speed", grouped_i64)(i)?;
        let (i, _) = space0(i)?;
        let (i, second) = opt(|i| {
            let (i, _) = tag("--")(i)?;
            let (i, _) = space0(i)?;
            let (i, v) = exp("a speed", grouped_i64)(i)?;
            let (i, _) = space0(i)?;
            Ok((i, v))
        })(i)?;
        let (i, _) = exp("`)`", char(')'))(i)?;
        Ok((i, second.unwrap_or(first)))
    })(i)?;
    let (i, _) = space0(i)?;
    let (i, want) = opt(|i| {
        let (i, _) = tag("want:")(i)?;
        let (i, _) = space0(i)?;
        let (i, w) = exp("a speed", grouped_i64)(i)?;
        let (i, _) = space0(i)?;
        Ok((i, w))
    })(i)?;
    let (i, _) = exp("`K/sec`", tag("K/sec"))(i)?;
    let (i, stalled) = opt(|i| {
        let (i, _) = space0(i)?;
        tag("(stalled)")(i)
    })(i)?;
    let (i, _) = exp("end of line", end_of_line)(i)?;
    let p = progress_of(dev);
    p.finish_secs = secs;
    p.finish_infinite = secs.is_none();
    p.speed_kib_s = Some(cur);
    p.avg_kib_s = paren;
    p.want_kib_s = want;
    if stalled.is_some() {
        p.stalled = true;
    }
    Ok((i, ()))
}

/// `NN% sector pos: a/b[ stop sector: n]` or the old verify `NN%   done/total` (bits).
fn percent_line<'a>(i: In<'a>, dev: &mut Device) -> R<'a, ()> {
    let (i, pct) = digits_u64(i)?;
    let (i, _) = exp("`%`", char('%'))(i)?;
    let (i, _) = space1(i)?;
    if let Ok((i, _)) = tag::<_, _, E<'a>>("sector pos:")(i) {
        let (i, _) = space0(i)?;
        let (i, pos) = exp("a sector number", digits_u64)(i)?;
        let (i, _) = exp("`/`", char('/'))(i)?;
        let (i, total) = exp("a sector number", digits_u64)(i)?;
        let (i, stop) = opt(|i| {
            let (i, _) = space1(i)?;
            let (i, _) = tag("stop sector:")(i)?;
            let (i, _) = space0(i)?;
            exp("a sector number", digits_u64)(i)
        })(i)?;
        let (i, _) = exp("end of line", end_of_line)(i)?;
        let sp = SectorPos {
            percent: u32::try_from(pct).unwrap_or(u32::MAX),
            pos,
            total,
            stop,
        };
        progress_of(dev).sector_pos = Some(sp);
        return Ok((i, ()));
    }
    let (i, done) = exp("`sector pos:` or `done/total`", digits_u64)(i)?;
    let (i, _) = exp("`/`", char('/'))(i)?;
    let (i, total) = exp("a number", digits_u64)(i)?;
    let (i, _) = exp("end of line", end_of_line)(i)?;
    let p = progress_of(dev);
    p.kind = ProgressKind::Verify;
    p.percent = Some(pct as f64);
    // Values are bitmap bits of 4 KiB.
    p.done_kib = done.saturating_mul(4);
    p.total_kib = total.saturating_mul(4);
    Ok((i, ()))
}

/// proc_details=2 LRU dump lines: `nn: lc_number refcnt rs_left`, ` 3: FREE`, ` 3: 12 1 0 …`.
fn is_dump_line(t: In<'_>) -> bool {
    if t.starts_with(b"nn:") {
        return true;
    }
    let d = t.iter().take_while(|c| c.is_ascii_digit()).count();
    d > 0 && t.get(d) == Some(&b':')
}

fn detail_line<'a>(l: In<'a>, dev: &mut Device) -> R<'a, ()> {
    let t = trim_start(l);
    if t.starts_with(b"[") {
        return bar_line(t, dev);
    }
    if let Some(rest) = t.strip_prefix(b"finish:") {
        return finish_body(rest, dev);
    }
    if trim_end(t) == b"stalled" {
        progress_of(dev).stalled = true;
        return Ok((&[], ()));
    }
    if t.starts_with(b"resync:") || t.starts_with(b"act_log:") {
        dev.lru.push(lossy(trim_end(t)));
        return Ok((&[], ()));
    }
    if t.starts_with(b"blocked on activity log:") || is_dump_line(t) {
        dev.extra.push(lossy(trim_end(t)));
        return Ok((&[], ()));
    }
    if t.first().is_some_and(u8::is_ascii_digit) {
        return percent_line(t, dev);
    }
    fail(t, "a progress, LRU or detail line")
}

// ---------------------------------------------------------------------------------------
// the file

/// Parses the contents of `/proc/drbd` (without any `# source:` line).
pub fn parse(input: &[u8]) -> Result<ProcDrbd, ParseError> {
    let lines = split_lines(input);
    let first_minor = lines
        .iter()
        .position(|l| is_minor_line(l.text))
        .unwrap_or(lines.len());
    let mut out = ProcDrbd::default();
    // About one device per three lines; growing past that is cheap, over-reserving a
    // large block is not (it maps fresh pages on every parse).
    out.devices.reserve(lines.len() / 3);

    // Header: free-form lines before the first minor line.
    for line in lines.iter().take(first_minor) {
        let t = trim_end(line.text);
        if t.is_empty() {
            continue;
        }
        let lead = trim_start(t);
        if t.starts_with(b"version:") {
            if out.version.is_some() {
                return Err(error_at(line, line.text, "a single `version:` line"));
            }
            let (_, (v, compat)) = version_line(line.text).map_err(|e| nom_error(line, e))?;
            out.version = Some(v);
            out.compat84 = compat;
        } else if t.starts_with(b"Transports ") && out.transports.is_none() {
            out.transports = Some(lossy(t));
        } else if BUILD_PREFIXES.iter().any(|p| lead.starts_with(p)) {
            // some builds print the build line twice; the first one is kept
            if out.build.is_none() {
                out.build = Some(lossy(t));
            }
        } else {
            return Err(error_at(
                line,
                line.text,
                "a header line (`version:`, `GIT-hash:`, `srcversion:`, `SVN Revision:`, \
                 `built-in`, `Transports`) or a device line (` N: cs:…`)",
            ));
        }
    }
    let Some(start) = lines.get(first_minor) else {
        // No minor line at all: only a real header is acceptable.
        if out.version.is_none() {
            let line = lines.first().copied().unwrap_or(past_end(&lines));
            return Err(error_at(&line, line.text, "a `version:` line"));
        }
        return Ok(out);
    };
    let drbd9 = out
        .version
        .as_ref()
        .and_then(Version::major)
        .is_some_and(|m| m >= 9);
    if drbd9 && !out.compat84 {
        return Err(error_at(
            start,
            start.text,
            "no device lines after a DRBD 9 header without `(compat 8.4)` \
             (this looks like debugfs proc_drbd output, not /proc/drbd)",
        ));
    }

    let rest = lines.get(first_minor..).unwrap_or(&[]);
    let mut idx = 0;
    let mut previous: Option<(u32, usize)> = None;
    while let Some(line) = rest.get(idx) {
        idx += 1;
        if trim_end(line.text).is_empty() {
            continue;
        }
        let (_, mut dev) = state_line(line.text).map_err(|e| nom_error(line, e))?;
        if let Some((prev, prev_line)) = previous {
            if dev.minor == prev {
                let what = format!("each minor once (minor {prev} is also on line {prev_line})");
                return Err(error_at(line, trim_start(line.text), &what));
            }
            if dev.minor < prev {
                let what =
                    format!("minors in ascending order (minor {prev} is on line {prev_line})");
                return Err(error_at(line, trim_start(line.text), &what));
            }
        }
        previous = Some((dev.minor, line.no));
        if out.devices.len() >= MAX_DEVICES {
            let what = format!("at most {MAX_DEVICES} devices (a real pair has a handful)");
            return Err(error_at(line, trim_start(line.text), &what));
        }
        if dev.is_unconfigured() {
            out.devices.push(dev);
            continue;
        }
        let cline = rest.get(idx).copied().unwrap_or(past_end(&lines));
        idx += 1;
        let (_, counters) = counters_line(cline.text).map_err(|e| nom_error(&cline, e))?;
        dev.counters = counters;
        while let Some(d) = rest.get(idx) {
            if is_minor_line(d.text) {
                break;
            }
            idx += 1;
            if trim_end(d.text).is_empty() {
                continue;
            }
            detail_line(d.text, &mut dev).map_err(|e| nom_error(d, e))?;
        }
        out.devices.push(dev);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_positions() {
        let e = parse(
            b"version: 8.4.2 (api:1/proto:86-101)\nGIT-hash: x\n 0: cs:Connected ro:Primary\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, 28));
        assert_eq!(
            e.to_string(),
            "line 3, column 28: expected `/`, found end of line"
        );
    }

    #[test]
    fn grouped_numbers() {
        assert_eq!(grouped_i64(b"1,234,567 ").unwrap().1, 1_234_567);
        assert_eq!(grouped_i64(b"-512").unwrap().1, -512);
        assert!(grouped_i64(b",1").is_err());
    }
}
