//! `corosync-quorumtool -s` (corosync 3.1, votequorum): this node's view of quorum.
//!
//! ```text
//! Quorum information
//! ------------------
//! Date:             Fri Dec  4 20:03:19 2026
//! Quorum provider:  corosync_votequorum
//! Nodes:            1
//! Node ID:          2
//! Ring ID:          2.d
//! Quorate:          No
//!
//! Votequorum information
//! ----------------------
//! Expected votes:   3
//! Highest expected: 3
//! Total votes:      1
//! Quorum:           2 Activity blocked
//! Flags:            Qdevice
//!
//! Membership information
//! ----------------------
//!     Nodeid      Votes    Qdevice Name
//!          2          1   A,NV,NMW be2 (local)
//!          0          0            Qdevice (votes 1)
//! ```
//!
//! The tool exits 0 when quorate, 2 when not, 1 when it cannot reach corosync; the text
//! is what counts here (`Quorate:`), the exit code is checked by the caller. The membership
//! rows are the nodes in this node's partition; the `Qdevice` row (node id 0) is the
//! quorum device's vote as this node counts it (0 when the arbiter gave it elsewhere).
//! The per-node Qdevice column: `A`/`NA` the node's qdevice is alive, `V`/`NV` it casts
//! its vote, `MW`/`NMW` master wins.

use std::fmt;

use nom::bytes::complete::{tag, take_till1, take_while1};
use nom::character::complete::{digit1, space0, space1};
use nom::combinator::{all_consuming, map_res, rest};
use nom::sequence::{preceded, tuple};
use nom::IResult;

/// A node in this node's partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub node_id: u32,
    pub votes: u32,
    /// corosync's node name (the nodelist's `name`).
    pub name: String,
    /// This node.
    pub local: bool,
    /// The node's quorum device flags (`A`, `NV`, `NMW`…), empty without a device.
    pub qdevice_flags: Vec<String>,
}

/// This node's view of quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumStatus {
    pub node_id: u32,
    pub ring_id: String,
    pub quorate: bool,
    pub expected_votes: u32,
    pub total_votes: u32,
    /// Votes needed for quorum.
    pub quorum: u32,
    /// votequorum's flags (`Quorate`, `Qdevice`, `WaitForAll`…).
    pub flags: Vec<String>,
    /// The nodes in this node's partition (the quorum device's row is not one of them).
    pub members: Vec<Member>,
    /// The quorum device's vote as counted here: `Some(votes)` when a device is
    /// configured (0 when the arbiter gave its vote to another partition or is gone).
    pub qdevice_votes: Option<u32>,
}

impl QuorumStatus {
    /// A node of this name (or id) is in this node's partition.
    pub fn has_member(&self, name: &str) -> bool {
        self.members.iter().any(|m| m.name == name)
    }

    /// The quorum device casts its vote for this partition.
    pub fn arbiter_votes_here(&self) -> bool {
        self.qdevice_votes.is_some_and(|v| v > 0)
    }
}

/// Why a `corosync-quorumtool -s` text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

fn num(i: &str) -> IResult<&str, u32> {
    map_res(digit1, str::parse::<u32>)(i)
}

/// A node id: decimal, or hexadecimal with `-H`.
fn node_id(i: &str) -> IResult<&str, u32> {
    if let Some(hex) = i.strip_prefix("0x") {
        let (r, d) = take_while1(|c: char| c.is_ascii_hexdigit())(hex)?;
        match u32::from_str_radix(d, 16) {
            Ok(v) => Ok((r, v)),
            Err(_) => Err(nom::Err::Error(nom::error::Error::new(
                i,
                nom::error::ErrorKind::HexDigit,
            ))),
        }
    } else {
        num(i)
    }
}

/// `    Nodeid      Votes    Qdevice Name` rows: `ID VOTES [FLAGS] NAME [(local)]`, or the
/// device's `0 VOTES Qdevice [(votes N)]`.
enum Row {
    Node(Member),
    Device(u32),
}

fn row(i: &str) -> IResult<&str, Row> {
    let (i, (_, id, _, votes, _)) = tuple((space0, node_id, space1, num, space1))(i)?;
    let (i, words) = rest(i)?;
    let words: Vec<&str> = words.split_whitespace().collect();
    if id == 0 && words.first() == Some(&"Qdevice") {
        return Ok(("", Row::Device(votes)));
    }
    let (local, words) = match words.split_last() {
        Some((&"(local)", w)) => (true, w),
        _ => (false, &words[..]),
    };
    let (flags, name) = match words {
        [name] => (Vec::new(), *name),
        [flags, name] => (
            flags.split(',').map(str::to_string).collect::<Vec<_>>(),
            *name,
        ),
        _ => {
            return Err(nom::Err::Error(nom::error::Error::new(
                i,
                nom::error::ErrorKind::Verify,
            )))
        }
    };
    Ok((
        "",
        Row::Node(Member {
            node_id: id,
            votes,
            name: name.to_string(),
            local,
            qdevice_flags: flags,
        }),
    ))
}

/// `Key: value` with the key's words.
fn field(i: &str) -> IResult<&str, (&str, &str)> {
    tuple((
        take_till1(|c| c == ':'),
        preceded(tag(":"), preceded(space0, rest)),
    ))(i)
}

/// Parses the text of `corosync-quorumtool -s` (or `-s -H`).
pub fn parse_status(text: &str) -> Result<QuorumStatus, ParseError> {
    let err = |line: usize, message: String| ParseError { line, message };
    let mut node_id_v = None;
    let mut ring_id = None;
    let mut quorate = None;
    let mut expected = None;
    let mut total = None;
    let mut quorum = None;
    let mut flags = Vec::new();
    let mut members = Vec::new();
    let mut qdevice_votes = None;
    let mut in_members = false;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let t = line.trim_end();
        if t.trim().is_empty() || t.starts_with("---") {
            continue;
        }
        if t.trim_start().starts_with("Nodeid") {
            in_members = true;
            continue;
        }
        if in_members {
            match all_consuming(row)(t) {
                Ok((_, Row::Node(m))) => members.push(m),
                Ok((_, Row::Device(v))) => qdevice_votes = Some(v),
                Err(_) => return Err(err(n, format!("unexpected membership row {t:?}"))),
            }
            continue;
        }
        let Ok((_, (key, value))) = field(t) else {
            // section titles ("Quorum information", "Votequorum information"…)
            continue;
        };
        let value = value.trim();
        let number = |what: &str| -> Result<u32, ParseError> {
            let w = value.split_whitespace().next().unwrap_or("");
            match node_id(w) {
                Ok(("", v)) => Ok(v),
                _ => Err(err(
                    n,
                    format!("{what}: expected a number, found {value:?}"),
                )),
            }
        };
        match key.trim() {
            "Node ID" => node_id_v = Some(number("Node ID")?),
            "Ring ID" => ring_id = Some(value.to_string()),
            "Quorate" => {
                quorate = Some(match value {
                    "Yes" => true,
                    "No" => false,
                    _ => {
                        return Err(err(
                            n,
                            format!("Quorate: expected Yes or No, found {value:?}"),
                        ))
                    }
                })
            }
            "Expected votes" => expected = Some(number("Expected votes")?),
            "Total votes" => total = Some(number("Total votes")?),
            "Quorum" => quorum = Some(number("Quorum")?),
            "Flags" => flags = value.split_whitespace().map(str::to_string).collect(),
            _ => {}
        }
    }
    let missing = |what: &str| {
        err(
            0,
            format!("no {what:?} line: not the output of corosync-quorumtool -s"),
        )
    };
    let quorate = quorate.ok_or_else(|| missing("Quorate"))?;
    Ok(QuorumStatus {
        node_id: node_id_v.ok_or_else(|| missing("Node ID"))?,
        ring_id: ring_id.unwrap_or_default(),
        quorate,
        expected_votes: expected.ok_or_else(|| missing("Expected votes"))?,
        total_votes: total.ok_or_else(|| missing("Total votes"))?,
        quorum: quorum.ok_or_else(|| missing("Quorum"))?,
        flags,
        members,
        qdevice_votes,
    })
}

#[cfg(test)]
mod tests;
