//! The layering of `src/` (see docs/layout.md and `src/lib.rs`): each module
//! imports only from its own layer or lower ones, only `cli` knows the command line, the
//! cli files share code through `cli/common.rs` only, there is no import cycle between
//! modules, and the decide layer is pure (no file system, processes, libc, clock or
//! terminal). Read from the sources, comments and test modules left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import from its layer and the ones before it.
const LAYERS: &[(&str, &[&str])] = &[
    ("primitives", &["sys"]),
    ("model", &["drbd", "corosync", "config", "model"]),
    ("observe", &["observe", "service"]),
    ("decide", &["decide"]),
    ("render", &["render"]),
    ("act", &["act"]),
    ("cli", &["cli"]),
];

/// What the decide layer may not use.
const IMPURE: &[&str] = &[
    "std::fs",
    "std::process",
    "std::os",
    "std::env",
    "std::thread",
    "std::net::UdpSocket",
    "std::net::TcpStream",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "libc::",
    "duct::",
    "SystemTime",
    "Instant::now",
    "println!",
    "print!(",
    "eprintln!",
    "eprint!(",
    "indicatif",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().and_then(|x| x.to_str()) == Some("rs") {
            out.push(p);
        }
    }
}

/// `src/decide/runbook/mod.rs` → `decide::runbook`.
fn module_of(p: &Path) -> Vec<String> {
    let rel = p.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its `#[cfg(test)]` modules.
fn code(p: &Path) -> String {
    let text = std::fs::read_to_string(p).unwrap();
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let l = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        let opens = l.matches('{').count() as i32;
        let closes = l.matches('}').count() as i32;
        if skip_depth.is_none() {
            if l.trim() == "#[cfg(test)]" {
                pending_cfg_test = true;
                continue;
            }
            if pending_cfg_test {
                pending_cfg_test = false;
                if l.trim_start().starts_with("mod ") && l.contains('{') {
                    skip_depth = Some(depth);
                    depth += opens - closes;
                    continue;
                }
            }
            out.push_str(l);
            out.push('\n');
            depth += opens - closes;
        } else {
            depth += opens - closes;
            if Some(depth) <= skip_depth {
                skip_depth = None;
            }
        }
    }
    out
}

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&top))
}

/// The `crate::a::b` paths a file names (first two segments).
fn crate_refs(code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let path: Vec<String> = after
            .split("::")
            .take(2)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .collect();
        if !path.is_empty() {
            out.insert(path);
        }
        rest = &after[1.min(after.len())..];
    }
    out
}

struct Source {
    path: PathBuf,
    module: Vec<String>,
    code: String,
}

fn sources() -> Vec<Source> {
    let mut v = Vec::new();
    files(&src(), &mut v);
    v.sort();
    v.into_iter()
        .map(|path| Source {
            module: module_of(&path),
            code: code(&path),
            path,
        })
        .collect()
}

#[test]
fn no_import_from_a_higher_layer() {
    let mut bad = Vec::new();
    for s in sources() {
        let Some(top) = s.module.first() else {
            continue; // lib.rs / main.rs sit above every layer
        };
        let Some(mine) = layer_of(top) else {
            panic!(
                "{}: module {top} is in no layer of LAYERS",
                s.path.display()
            );
        };
        for r in crate_refs(&s.code) {
            if let Some(theirs) = layer_of(&r[0]) {
                if theirs > mine {
                    bad.push(format!(
                        "{} ({}) uses crate::{} ({})",
                        s.path.display(),
                        LAYERS[mine].0,
                        r.join("::"),
                        LAYERS[theirs].0
                    ));
                }
            }
        }
        assert!(
            !s.code.contains("crate::{"),
            "{}: name modules one by one (crate::{{…}} hides the imports)",
            s.path.display()
        );
    }
    assert!(
        bad.is_empty(),
        "imports from a higher layer:\n{}",
        bad.join("\n")
    );
}

#[test]
fn only_cli_knows_the_command_line() {
    for s in sources() {
        let in_cli = s.module.first().map(String::as_str) == Some("cli") || s.module.is_empty();
        if !in_cli {
            assert!(
                !s.code.contains("crate::cli") && !s.code.contains("Ctx"),
                "{} uses the command line (crate::cli / Ctx)",
                s.path.display()
            );
        }
    }
}

#[test]
fn cli_files_share_only_common() {
    let cli = src().join("cli");
    let mut commands = BTreeSet::new();
    for e in std::fs::read_dir(&cli).unwrap() {
        let p = e.unwrap().path();
        if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
            if stem != "mod" && stem != "common" {
                commands.insert(stem.to_string());
            }
        }
    }
    for s in sources() {
        if s.module.first().map(String::as_str) != Some("cli") || s.module.len() != 2 {
            continue;
        }
        for c in &commands {
            for pat in [format!("super::{c}"), format!("crate::cli::{c}")] {
                assert!(
                    !s.code.contains(&pat),
                    "{} imports {pat}: share through cli/common.rs",
                    s.path.display()
                );
            }
        }
        let lines = std::fs::read_to_string(&s.path).unwrap().lines().count();
        assert!(
            lines <= 250,
            "{} has {lines} lines: keep a command thin",
            s.path.display()
        );
    }
}

#[test]
fn decide_is_pure() {
    let mut n = 0;
    for s in sources() {
        if s.module.first().map(String::as_str) != Some("decide") {
            continue;
        }
        n += 1;
        for w in IMPURE {
            assert!(
                !s.code.contains(w),
                "{} uses {w}: the decide layer is pure (move it to observe or act)",
                s.path.display()
            );
        }
        for r in crate_refs(&s.code) {
            assert!(
                matches!(
                    r[0].as_str(),
                    "decide" | "model" | "drbd" | "corosync" | "config"
                ),
                "{} uses crate::{}: decide reads model values only",
                s.path.display(),
                r.join("::")
            );
        }
    }
    assert!(n >= 8, "{n} decide files");
}

#[test]
fn no_import_cycle_between_modules() {
    // Nodes: modules two levels deep (`decide::runbook`, `act::transition`, `drbd`…).
    let node = |m: &[String]| m.iter().take(2).cloned().collect::<Vec<_>>().join("::");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let all: BTreeSet<String> = sources().iter().map(|s| node(&s.module)).collect();
    for s in sources() {
        let me = node(&s.module);
        let mut targets: BTreeSet<String> =
            crate_refs(&s.code).iter().map(|r| r.join("::")).collect();
        // `super::x` names a sibling of this file's module
        if s.module.len() >= 2 && s.code.contains("super::") {
            let parent = &s.module[..s.module.len() - 1];
            for (i, _) in s.code.match_indices("super::") {
                let name: String = s.code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let mut m = parent.to_vec();
                m.push(name);
                targets.insert(node(&m));
            }
        }
        let e = graph.entry(me.clone()).or_default();
        for t in targets {
            // a path to an item (`crate::drbd::ProcDrbd`) counts as its module
            let t = if all.contains(&t) {
                t
            } else {
                t.split("::").next().unwrap_or_default().to_string()
            };
            if t != me && all.contains(&t) {
                e.insert(t);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = path.iter().position(|p| p == m).unwrap_or(0);
                    let mut c = path[i..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, &graph, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", c.join(" -> "));
            }
        }
    }
}

#[test]
fn integration_tests_do_not_reach_into_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut v = Vec::new();
    files(&dir, &mut v);
    for p in v {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            !text.contains(concat!("private_chef_ctl", "::cli")),
            "{}: drive the binary, or a library layer, not cli internals",
            p.display()
        );
    }
}
