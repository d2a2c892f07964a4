//! DRBD 8.4's data generation identifiers (`drbdadm get-gi <res>` / `show-gi <res>`) and
//! the **data relation** of two nodes computed from them, the way DRBD itself compares them
//! when the nodes connect (`drbd_uuid_compare()` in the 8.4 kernel's `drbd_receiver.c`).
//!
//! # The identifiers
//!
//! `get-gi` prints one line, `show-gi` the same line inside a diagram, then a `flags:` and a
//! `meta-data:` line (drbd-utils `dt_print_uuids` / `dt_pretty_print_uuids`):
//!
//! ```text
//! 674F9114D6D70DF3:EBD1BDAB0B631B80:0000000000000000:0000000000000000:1:1:1:0:0:0:0
//! flags: Primary, StandAlone, UpToDate
//! meta-data: need apply-al
//! ```
//!
//! * **current**: the generation of the data on this disk. A Primary that is not connected
//!   starts a new generation (a fresh random current; the old one moves to *bitmap*), so
//!   every write that the peer did not get happens under a generation the peer never had.
//! * **bitmap**: the generation the out-of-sync bitmap is based on (0 when nothing is
//!   tracked, i.e. in sync with the peer).
//! * **history**: two older generations.
//!
//! The lowest bit of each identifier is not part of the generation: it is set when the node
//! was Primary in it (`UUID_PRIMARY`). Comparisons mask it, as DRBD does.
//!
//! The flags (8.4: seven; 8.3: six, without *crashed primary*), in order: consistent,
//! was/is up to date, was/is Primary, was/is connected, full sync pending, peer outdated or
//! inconsistent, *crashed primary* ("this node was a crashed primary, and has not seen its
//! peer since"). They are the meta-data's view **now**: *connected* is cleared as soon as
//! the connection is lost, so a node that lost its peer while UpToDate and a node that booted
//! alone show the same `Secondary, StandAlone, UpToDate` (observed in the lab, see
//! `lab/GENERATION-IDS.md`): the identifiers alone cannot say whether a lone node's data is
//! still current. [`crate::drbd::witness`] keeps the runtime facts that can.
//!
//! # The relation
//!
//! [`relation`] follows DRBD's rules (numbers as in the kernel's `rule_nr`): same current
//! generation → same data (10, 40; a crashed primary then resyncs only its activity-log
//! extents, acknowledged writes are on both); the peer's bitmap or history holds our current
//! generation → the peer wrote since (50, 51, 60); the reverse → we wrote since (70, 71, 80);
//! both bitmaps based on the same generation, or a shared history → both wrote since they
//! parted: split brain (90, 100); nothing shared → unrelated data (-1000).

use serde::Serialize;

/// DRBD's `UUID_JUST_CREATED`: the current identifier of freshly created meta-data.
pub const UUID_JUST_CREATED: u64 = 4;
/// DRBD's `UUID_NEW_BM_OFFSET`: added to a bitmap identifier when a resync starts.
pub const UUID_NEW_BM_OFFSET: u64 = 0x0001_0000_0000_0000;
/// The "was Primary in this generation" bit.
pub const UUID_PRIMARY: u64 = 1;

/// The meta-data flags printed by `get-gi` (8.4 order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GiFlags {
    /// Data consistency flag.
    pub consistent: bool,
    /// Data was/is currently up to date.
    pub was_up_to_date: bool,
    /// Node was/is currently Primary.
    pub primary: bool,
    /// Node was/is currently connected.
    pub connected: bool,
    /// Node was setting all bits in the bitmap (a full sync is pending).
    pub full_sync: bool,
    /// The peer's disk was outdated or inconsistent.
    pub peer_outdated: bool,
    /// This node was a crashed Primary and has not seen its peer since (8.4 only).
    pub crashed_primary: bool,
}

impl GiFlags {
    /// The disk state the flags stand for, as `show-gi` words it.
    pub fn disk_word(&self) -> &'static str {
        match (self.consistent, self.was_up_to_date) {
            (true, true) => "UpToDate",
            (true, false) => "Outdated",
            _ => "Inconsistent",
        }
    }

    /// `show-gi`'s `flags:` line, without the prefix: `crashed Primary, StandAlone, UpToDate`.
    pub fn summary(&self) -> String {
        format!(
            "{}{}, {}, {}{}{}",
            if self.crashed_primary { "crashed " } else { "" },
            if self.primary { "Primary" } else { "Secondary" },
            if self.connected {
                "Connected"
            } else {
                "StandAlone"
            },
            self.disk_word(),
            if self.full_sync {
                ", need full sync"
            } else {
                ""
            },
            if self.peer_outdated {
                ", peer Outdated"
            } else {
                ""
            },
        )
    }
}

/// One node's data generation identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerationIds {
    /// The current data generation (with the Primary bit).
    pub current: u64,
    /// The bitmap's base generation (0: nothing tracked).
    pub bitmap: u64,
    /// The younger and the older history generation.
    pub history: [u64; 2],
    /// The meta-data flags.
    pub flags: GiFlags,
    /// `meta-data: clean` (Some(true)) or `need apply-al` (Some(false)); `None` from get-gi.
    pub al_clean: Option<bool>,
}

/// Masks the Primary bit: the generation itself.
pub fn generation(uuid: u64) -> u64 {
    uuid & !UUID_PRIMARY
}

fn hex(u: u64) -> String {
    format!("{u:016X}")
}

impl GenerationIds {
    /// The `get-gi` line, as DRBD prints it.
    pub fn line(&self) -> String {
        let f = &self.flags;
        let b = |x: bool| if x { '1' } else { '0' };
        format!(
            "{}:{}:{}:{}:{}:{}:{}:{}:{}:{}:{}",
            hex(self.current),
            hex(self.bitmap),
            hex(self.history[0]),
            hex(self.history[1]),
            b(f.consistent),
            b(f.was_up_to_date),
            b(f.primary),
            b(f.connected),
            b(f.full_sync),
            b(f.peer_outdated),
            b(f.crashed_primary)
        )
    }

    /// True when the current generation was created by this node as Primary.
    pub fn current_was_primary(&self) -> bool {
        self.current & UUID_PRIMARY != 0
    }

    /// True when the bitmap tracks changes against an older generation (this node or the
    /// peer changed data that the other does not have).
    pub fn tracks_changes(&self) -> bool {
        generation(self.bitmap) != 0
    }
}

impl Serialize for GenerationIds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("GenerationIds", 7)?;
        st.serialize_field("current", &hex(self.current))?;
        st.serialize_field("bitmap", &hex(self.bitmap))?;
        st.serialize_field("history", &[hex(self.history[0]), hex(self.history[1])])?;
        st.serialize_field("flags", &self.flags)?;
        st.serialize_field("summary", &self.flags.summary())?;
        st.serialize_field("al_clean", &self.al_clean)?;
        st.serialize_field("line", &self.line())?;
        st.end()
    }
}

impl<'de> serde::Deserialize<'de> for GenerationIds {
    /// From the serialized form: its `line` (and `al_clean`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Wire {
            line: String,
            #[serde(default)]
            al_clean: Option<bool>,
        }
        let w = Wire::deserialize(d)?;
        let mut g = parse_line(&w.line).map_err(serde::de::Error::custom)?;
        g.al_clean = w.al_clean;
        Ok(g)
    }
}

/// At most 80 characters of `s` for a message, `…` appended when cut.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// Why `get-gi`/`show-gi` output could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiError(pub String);

impl std::fmt::Display for GiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GiError {}

fn parse_uuid(s: &str) -> Option<u64> {
    (s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
}

/// Parses one identifier line `CUR:BM:H1:H2:f:f:f…` (6 or 7 flags; more are ignored).
pub fn parse_line(line: &str) -> Result<GenerationIds, GiError> {
    let fields: Vec<&str> = line.trim().split(':').collect();
    if fields.len() < 4 {
        return Err(GiError(format!(
            "expected CURRENT:BITMAP:HISTORY:HISTORY:flags…, found {:?}",
            excerpt(line.trim())
        )));
    }
    let mut u = [0u64; 4];
    for (i, slot) in u.iter_mut().enumerate() {
        *slot = parse_uuid(fields[i]).ok_or_else(|| {
            GiError(format!(
                "field {} is not a 16-digit hex identifier: {:?}",
                i + 1,
                excerpt(fields[i])
            ))
        })?;
    }
    let mut flags = Vec::new();
    for (i, f) in fields[4..].iter().enumerate() {
        match *f {
            "0" => flags.push(false),
            "1" => flags.push(true),
            "" if i + 5 == fields.len() => {} // a trailing ':'
            other => {
                return Err(GiError(format!(
                    "flag {} is not 0 or 1: {:?}",
                    i + 1,
                    excerpt(other)
                )))
            }
        }
    }
    if flags.len() < 6 {
        return Err(GiError(format!(
            "expected at least 6 flags after the identifiers, found {}",
            flags.len()
        )));
    }
    let fl = |i: usize| flags.get(i).copied().unwrap_or(false);
    Ok(GenerationIds {
        current: u[0],
        bitmap: u[1],
        history: [u[2], u[3]],
        flags: GiFlags {
            consistent: fl(0),
            was_up_to_date: fl(1),
            primary: fl(2),
            connected: fl(3),
            full_sync: fl(4),
            peer_outdated: fl(5),
            crashed_primary: fl(6),
        },
        al_clean: None,
    })
}

fn looks_like_gi_line(l: &str) -> bool {
    let l = l.trim();
    l.len() > 17 && l.as_bytes()[16] == b':' && parse_uuid(&l[..16]).is_some()
}

/// Parses the output of `drbdadm get-gi`, `drbdadm show-gi` or `drbdsetup-84 show-gi`
/// (the first identifier line; the diagram and other lines are skipped; `meta-data:`
/// is read when present). Lines starting with `#` are comments (fixtures).
pub fn parse(text: &str) -> Result<GenerationIds, GiError> {
    let mut found = None;
    let mut al_clean = None;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if found.is_none() && looks_like_gi_line(line) {
            found = Some(parse_line(line)?);
        } else if let Some(rest) = line.trim().strip_prefix("meta-data:") {
            al_clean = match rest.trim() {
                "clean" => Some(true),
                "need apply-al" => Some(false),
                _ => None,
            };
        }
    }
    match found {
        Some(mut g) => {
            g.al_clean = al_clean;
            Ok(g)
        }
        None => {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("");
            Err(GiError(if first.is_empty() {
                "no output (expected a CURRENT:BITMAP:HISTORY:HISTORY:flags line)".to_string()
            } else {
                format!(
                    "no identifier line (CURRENT:BITMAP:HISTORY:HISTORY:flags); first line: {:?}",
                    excerpt(first)
                )
            }))
        }
    }
}

/// How two nodes' data relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The same generation: nothing to resync but (after a crash) activity-log extents.
    Same,
    /// This node wrote since the peer last had its data: the peer would be SyncTarget.
    LocalNewer,
    /// The peer wrote since: this node would be SyncTarget.
    PeerNewer,
    /// Both wrote since they parted: split brain.
    Diverged,
    /// Nothing in common (other data, or meta-data recreated on both).
    Unrelated,
    /// A side's identifiers are not known (peer unreachable, not readable).
    Unknown,
}

impl Relation {
    /// The slug (`same`, `local-newer`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Same => "same",
            Relation::LocalNewer => "local-newer",
            Relation::PeerNewer => "peer-newer",
            Relation::Diverged => "diverged",
            Relation::Unrelated => "unrelated",
            Relation::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The relation with the DRBD rule that decided it and whether the resync would be full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The relation.
    pub relation: Relation,
    /// DRBD's `rule_nr` (0 when a side is unknown).
    pub rule: i32,
    /// A resync would copy the whole device (history match, or just-created meta-data).
    pub full_sync: bool,
    /// One line for humans.
    pub why: String,
}

fn cmp(relation: Relation, rule: i32, full_sync: bool, why: &str) -> Comparison {
    Comparison {
        relation,
        rule,
        full_sync,
        why: why.to_string(),
    }
}

/// Compares this node's identifiers with the peer's, following DRBD 8.4's
/// `drbd_uuid_compare()` (pure; see the module docs). `None` on either side → unknown.
pub fn relation(local: Option<&GenerationIds>, peer: Option<&GenerationIds>) -> Comparison {
    let (Some(l), Some(p)) = (local, peer) else {
        return cmp(
            Relation::Unknown,
            0,
            false,
            if local.is_none() {
                "this node's identifiers are not known"
            } else {
                "the peer's identifiers are not known"
            },
        );
    };
    let g = generation;
    let (sc, pc) = (g(l.current), g(p.current));
    if sc == UUID_JUST_CREATED && pc == UUID_JUST_CREATED {
        return cmp(Relation::Same, 10, false, "both meta-data just created");
    }
    if (sc == UUID_JUST_CREATED || sc == 0) && pc != UUID_JUST_CREATED {
        return cmp(
            Relation::PeerNewer,
            20,
            true,
            "this node's meta-data is just created: it would get a full sync",
        );
    }
    if sc != UUID_JUST_CREATED && (pc == UUID_JUST_CREATED || pc == 0) {
        return cmp(
            Relation::LocalNewer,
            30,
            true,
            "the peer's meta-data is just created: it would get a full sync",
        );
    }
    if sc == pc {
        let why = if l.flags.crashed_primary || p.flags.crashed_primary {
            "the same current generation (a crashed Primary resyncs its activity-log extents)"
        } else {
            "the same current generation"
        };
        return cmp(Relation::Same, 40, false, why);
    }
    if sc == g(p.bitmap) {
        return cmp(
            Relation::PeerNewer,
            50,
            false,
            "the peer's bitmap is based on this node's current generation: the peer wrote since",
        );
    }
    if sc == g(p.history[0]) && g(p.history[0]).wrapping_add(UUID_NEW_BM_OFFSET) == g(p.bitmap) {
        return cmp(
            Relation::PeerNewer,
            51,
            false,
            "the peer started a resync from this node's generation (lost sync identifier)",
        );
    }
    if p.history.iter().any(|&h| g(h) == sc) {
        return cmp(
            Relation::PeerNewer,
            60,
            true,
            "this node's current generation is in the peer's history: the peer is newer (full sync)",
        );
    }
    if g(l.bitmap) == pc {
        return cmp(
            Relation::LocalNewer,
            70,
            false,
            "this node's bitmap is based on the peer's current generation: this node wrote since",
        );
    }
    if g(l.history[0]) == pc && g(l.history[0]).wrapping_add(UUID_NEW_BM_OFFSET) == g(l.bitmap) {
        return cmp(
            Relation::LocalNewer,
            71,
            false,
            "this node started a resync from the peer's generation (lost sync identifier)",
        );
    }
    if l.history.iter().any(|&h| g(h) == pc) {
        return cmp(
            Relation::LocalNewer,
            80,
            true,
            "the peer's current generation is in this node's history: this node is newer (full sync)",
        );
    }
    if g(l.bitmap) == g(p.bitmap) && g(l.bitmap) != 0 {
        return cmp(
            Relation::Diverged,
            90,
            false,
            "both bitmaps are based on the same generation: both wrote since they parted (split brain)",
        );
    }
    for &h in &l.history {
        for &k in &p.history {
            if g(h) == g(k) && g(h) != 0 {
                return cmp(
                    Relation::Diverged,
                    100,
                    false,
                    "only an older history generation is shared: both wrote since (split brain)",
                );
            }
        }
    }
    cmp(
        Relation::Unrelated,
        -1000,
        false,
        "no generation in common: unrelated data",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!("{}/fixtures/gi/{name}.txt", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn gi(name: &str) -> GenerationIds {
        parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn parses_show_gi_of_the_lab() {
        let g = gi("healthy-be1");
        assert_eq!(g.current, 0xEBD1BDAB0B631B81);
        assert_eq!(g.bitmap, 0);
        assert_eq!(g.history, [0, 0]);
        assert!(g.flags.consistent && g.flags.was_up_to_date && g.flags.primary);
        assert!(g.flags.connected && !g.flags.crashed_primary);
        assert_eq!(g.flags.summary(), "Primary, Connected, UpToDate");
        assert_eq!(g.al_clean, Some(false));
        assert_eq!(
            g.line(),
            "EBD1BDAB0B631B81:0000000000000000:0000000000000000:0000000000000000:1:1:1:1:0:0:0"
        );
    }

    #[test]
    fn parses_get_gi_line_and_old_six_flags() {
        let g = parse(
            "674F9114D6D70DF3:EBD1BDAB0B631B80:0000000000000000:0000000000000000:1:1:1:0:0:0:0\n",
        )
        .unwrap();
        assert_eq!(g.flags.summary(), "Primary, StandAlone, UpToDate");
        assert_eq!(g.al_clean, None);
        let g = parse(
            "0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:1:0:",
        )
        .unwrap();
        assert!(g.flags.full_sync && !g.flags.crashed_primary);
    }

    #[test]
    fn errors_never_panic() {
        for bad in [
            "",
            "pc0: No such resource\n",
            "XYZ",
            "674F9114D6D70DF3:EBD1",
            "674F9114D6D70DF3:EBD1BDAB0B631B80:0000000000000000:0000000000000000:1:1",
            "674F9114D6D70DF3:EBD1BDAB0B631B80:0000000000000000:0000000000000000:1:2:1:0:0:0:0",
            "674F9114D6D70DF3:EBD1BDAB0B631B8G:0000000000000000:0000000000000000:1:1:1:0:0:0:0",
            "\u{0}\u{ff}:::::::::::::::::::",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
            let _ = parse_line(&text);
        }

        #[test]
        fn a_printed_line_parses_back(cur: u64, bm: u64, h0: u64, h1: u64, f in 0u8..128) {
            let b = |i: u8| f & (1 << i) != 0;
            let g = GenerationIds {
                current: cur,
                bitmap: bm,
                history: [h0, h1],
                flags: GiFlags {
                    consistent: b(0),
                    was_up_to_date: b(1),
                    primary: b(2),
                    connected: b(3),
                    full_sync: b(4),
                    peer_outdated: b(5),
                    crashed_primary: b(6),
                },
                al_clean: None,
            };
            proptest::prop_assert_eq!(parse(&g.line()).unwrap(), g);
            let json = serde_json::to_string(&g).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<GenerationIds>(&json).unwrap(), g);
            // the relation of any two is decided without panicking
            let other = GenerationIds { current: h0, bitmap: cur, ..g };
            let _ = relation(Some(&g), Some(&other));
        }
    }

    fn g(cur: u64, bm: u64, h0: u64, h1: u64) -> GenerationIds {
        GenerationIds {
            current: cur,
            bitmap: bm,
            history: [h0, h1],
            flags: GiFlags::default(),
            al_clean: None,
        }
    }

    #[test]
    fn relation_follows_drbds_rules() {
        let a = 0xA0;
        let b = 0xB0;
        let c = 0xC0;
        let r = |l: &GenerationIds, p: &GenerationIds| relation(Some(l), Some(p));
        assert_eq!(
            r(&g(a | 1, 0, 0, 0), &g(a, 0, 0, 0)).relation,
            Relation::Same
        );
        assert_eq!(r(&g(a, 0, 0, 0), &g(b | 1, a, 0, 0)).rule, 50);
        assert_eq!(
            r(&g(b, a, 0, 0), &g(a, 0, 0, 0)).relation,
            Relation::LocalNewer
        );
        assert_eq!(r(&g(a, 0, 0, 0), &g(c, 0, b, a)).rule, 60);
        assert_eq!(r(&g(c, 0, b, a), &g(a, 0, 0, 0)).rule, 80);
        assert_eq!(
            r(&g(b, a, 0, 0), &g(c, a, 0, 0)).relation,
            Relation::Diverged
        );
        assert_eq!(r(&g(b, 0, a, 0), &g(c, 0, 0, a)).rule, 100);
        assert_eq!(
            r(&g(b, 0, 0, 0), &g(c, 0, 0, 0)).relation,
            Relation::Unrelated
        );
        assert_eq!(
            r(&g(4, 0, 0, 0), &g(a, 0, 0, 0)).relation,
            Relation::PeerNewer
        );
        assert_eq!(
            r(&g(a, 0, 0, 0), &g(4, 0, 0, 0)).relation,
            Relation::LocalNewer
        );
        assert_eq!(
            relation(None, Some(&g(a, 0, 0, 0))).relation,
            Relation::Unknown
        );
    }

    #[test]
    fn relation_on_lab_captures() {
        // healthy pair: same generation
        let c = relation(Some(&gi("healthy-be1")), Some(&gi("healthy-be2")));
        assert_eq!(c.relation, Relation::Same);
        // be1 crashed as Primary, be2 promoted alone: be2 is newer (its bitmap is be1's current)
        let c = relation(
            Some(&gi("healthy-be1")),
            Some(&gi("after-crash-of-primary-be2")),
        );
        assert_eq!((c.relation, c.rule), (Relation::PeerNewer, 50));
        // the double fault: be1 (crashed Primary, booted alone) against be2, which took
        // over and wrote; the kernel said "uuid_compare()=-1 by rule 50" when they met
        let be1 = gi("boot-alone-refused-be1");
        assert!(be1.flags.crashed_primary && !be1.flags.primary && !be1.flags.connected);
        let c = relation(Some(&be1), Some(&gi("survivor-promoted-be2")));
        assert_eq!((c.relation, c.rule), (Relation::PeerNewer, 50));
        let c = relation(Some(&gi("survivor-promoted-be2")), Some(&be1));
        assert_eq!((c.relation, c.rule), (Relation::LocalNewer, 70));
        // after the resync: the same generation
        let c = relation(
            Some(&gi("boot-alone-then-peer-returned-be1")),
            Some(&gi("boot-alone-then-peer-returned-be2")),
        );
        assert_eq!(c.relation, Relation::Same);
        // the old tool promoted be1 alone: both wrote since they parted; the kernel said
        // "uuid_compare()=100 by rule 90"
        let c = relation(
            Some(&gi("boot-alone-old-master-be1")),
            Some(&gi("after-crash-of-primary-be2")),
        );
        assert_eq!((c.relation, c.rule), (Relation::Diverged, 90));
    }
}
