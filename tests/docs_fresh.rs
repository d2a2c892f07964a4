//! The checked-in man pages, completion scripts and `docs/cli.md` must be what the current
//! clap definitions generate. When this fails, run `scripts/gen-docs.sh` and commit. And the
//! README's hand-written command table must name every command clap knows.

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

fn gen_docs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("gen-docs")
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    tmp
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let tmp = gen_docs();
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
fn cli_reference_is_fresh() {
    let tmp = gen_docs();
    let want = std::fs::read_to_string(tmp.path().join("docs/cli.md")).unwrap();
    let have = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md"))
        .unwrap_or_default();
    assert!(
        have == want,
        "docs/cli.md is stale: run scripts/gen-docs.sh and commit"
    );
    for command in visible_commands() {
        assert!(
            want.contains(&format!("\n## private-chef-ctl {command}\n")),
            "docs/cli.md has no section for {command}"
        );
    }
    // Fixed width and no environment value: the same page on every machine.
    let again = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("gen-docs")
        .arg(tmp.path())
        .env("COLUMNS", "37")
        .env("PRIVATE_CHEF_CTL_CONFIG", "/somewhere/else.rb")
        .status()
        .unwrap();
    assert!(again.success());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("docs/cli.md")).unwrap(),
        want,
        "docs/cli.md depends on the terminal or the environment"
    );
}

/// The commands `private-chef-ctl --help` lists (hidden ones and clap's `help` are not).
fn visible_commands() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
        .arg("--help")
        .env("COLUMNS", "1000")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let mut names = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_commands = true;
            continue;
        }
        if !in_commands {
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        // "  name  about"; a wrapped about is indented further.
        let Some(rest) = line.strip_prefix("  ") else {
            break;
        };
        if rest.starts_with(' ') {
            continue;
        }
        let name = rest.split_whitespace().next().unwrap().to_string();
        if name != "help" {
            names.push(name);
        }
    }
    assert!(
        names.iter().any(|n| n == "ha-status") && names.len() > 10,
        "could not read the commands from --help: {names:?}"
    );
    names
}

/// The cells of the README's Markdown tables (`\|` is a pipe inside a cell).
fn readme_table_cells() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut cells = Vec::new();
    for line in readme.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let line = line.replace("\\|", "\u{0}");
        for cell in line.split('|') {
            cells.push(cell.trim().replace('\u{0}', "|"));
        }
    }
    cells
}

#[test]
fn readme_command_table_names_every_command() {
    let cells = readme_table_cells();
    let missing: Vec<String> = visible_commands()
        .into_iter()
        .filter(|name| {
            let start = format!("`{name}");
            !cells.iter().any(|c| {
                c.strip_prefix(&start)
                    .is_some_and(|rest| rest.starts_with(['`', ' ']))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's command table has no row for {missing:?}: add one line each (`name …` | what it does)"
    );
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
