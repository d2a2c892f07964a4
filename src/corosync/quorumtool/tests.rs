use super::*;
use crate::corosync::fixture;

#[test]
fn healthy_pair_with_the_arbiter() {
    let s = parse_status(&fixture("quorumtool-s-healthy.txt")).unwrap();
    assert!(s.quorate);
    assert_eq!(
        (s.node_id, s.expected_votes, s.total_votes, s.quorum),
        (1, 3, 3, 2)
    );
    assert_eq!(s.ring_id, "1.9");
    assert_eq!(s.flags, ["Quorate", "Qdevice"]);
    assert_eq!(s.members.len(), 2);
    assert!(s.has_member("be1") && s.has_member("be2"));
    assert!(s.members[0].local && !s.members[1].local);
    assert_eq!(s.members[1].qdevice_flags, ["A", "V", "NMW"]);
    assert_eq!(s.qdevice_votes, Some(1));
    assert!(s.arbiter_votes_here());
}

#[test]
fn the_side_with_the_arbiter_keeps_quorum() {
    let s = parse_status(&fixture("quorumtool-s-alone-with-arbiter.txt")).unwrap();
    assert!(s.quorate);
    assert_eq!((s.total_votes, s.quorum), (2, 2));
    assert!(s.has_member("be1") && !s.has_member("be2"));
    assert!(s.arbiter_votes_here());
}

#[test]
fn the_isolated_side_has_none() {
    let s = parse_status(&fixture("quorumtool-s-isolated.txt")).unwrap();
    assert!(!s.quorate);
    assert_eq!((s.node_id, s.total_votes, s.quorum), (2, 1, 2));
    assert_eq!(s.members.len(), 1);
    assert_eq!(s.members[0].name, "be2");
    assert_eq!(s.members[0].qdevice_flags, ["A", "NV", "NMW"]);
    assert_eq!(s.qdevice_votes, Some(0));
    assert!(!s.arbiter_votes_here());
}

#[test]
fn hexadecimal_ids_and_no_device() {
    let text = "Node ID:          0x00000001\nRing ID:          1.12\nQuorate:          Yes\n\
                Expected votes:   2\nTotal votes:      2\nQuorum:           2\nFlags:            2Node Quorate\n\n\
                    Nodeid      Votes Name\n0x00000001          1 be1 (local)\n0x00000002          1 be2\n";
    let s = parse_status(text).unwrap();
    assert_eq!(s.node_id, 1);
    assert_eq!(s.members[1].node_id, 2);
    assert!(s.members[1].qdevice_flags.is_empty());
    assert_eq!(s.qdevice_votes, None);
}

#[test]
fn refuses_what_is_not_its_output() {
    for bad in [
        "",
        "Cannot initialize CMAP service\n",
        "Quorate: Maybe\nNode ID: 1\n",
        "Node ID: x\nQuorate: Yes\n",
        "Node ID: 1\nQuorate: Yes\nExpected votes: 3\nTotal votes: 3\nQuorum: 2\n    Nodeid Votes Name\n  one 1 be1\n",
    ] {
        assert!(parse_status(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn never_panics_on_truncations() {
    let text = fixture("quorumtool-s-healthy.txt");
    for n in 0..text.len() {
        if text.is_char_boundary(n) {
            let _ = parse_status(&text[..n]);
        }
    }
}
