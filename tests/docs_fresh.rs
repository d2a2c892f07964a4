//! The checked-in man pages and completion scripts must be what the current clap
//! definitions generate. When this fails, run `scripts/gen-docs.sh` and commit.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            m.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    m
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("gen-docs")
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["man", "completions"] {
        let want = files(&tmp.path().join(sub));
        let have = files(&root.join(sub));
        assert!(!want.is_empty(), "gen-docs wrote nothing into {sub}/");
        let want_names: Vec<_> = want.keys().collect();
        let have_names: Vec<_> = have.keys().collect();
        assert_eq!(
            have_names, want_names,
            "{sub}/ has other files than gen-docs writes: run scripts/gen-docs.sh"
        );
        for (name, content) in &want {
            assert!(
                have[name] == *content,
                "{sub}/{name} is stale: run scripts/gen-docs.sh and commit"
            );
        }
    }
    assert!(tmp.path().join("man/private-chef-ctl-ha-status.1").exists());
    assert!(tmp.path().join("man/private-chef-ctl.1").exists());
}

#[test]
fn completions_command_prints_a_script() {
    let out = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("ha-status"), "bash completion lacks ha-status");
    let bad = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("tcsh"));
}
