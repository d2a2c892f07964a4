//! docs/metrics.md lists every metric `metrics` writes (name, type, labels), and no other;
//! docs/check.md has every row of the check's state table.

use private_chef_ctl::decide::health::STATES;
use private_chef_ctl::render::metrics::catalogue;

fn doc(name: &str) -> String {
    std::fs::read_to_string(format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn metrics_md_lists_every_metric_once_with_its_type_and_labels() {
    let text = doc("metrics.md");
    let families = catalogue::families();
    for f in &families {
        let labels = if f.labels.is_empty() {
            "–".to_string()
        } else {
            f.labels
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let row = format!("| `{}` | {} | {} | ", f.name, f.kind, labels);
        assert_eq!(
            text.matches(&row).count(),
            1,
            "docs/metrics.md needs exactly one row starting {row}"
        );
    }
    let rows = text
        .lines()
        .filter(|l| l.starts_with("| `chef_ha_"))
        .count();
    assert_eq!(rows, families.len(), "docs/metrics.md lists other metrics");
}

#[test]
fn check_md_has_the_state_table() {
    let text = doc("check.md");
    let rows: Vec<&str> = STATES
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with("OK:"))
        .collect();
    assert!(rows.len() > 20);
    for r in rows {
        let (state, finding) = r.split_once(": ").unwrap();
        let row = format!("| {finding} | {state} |");
        assert!(text.contains(&row), "docs/check.md lacks {row}");
    }
}
