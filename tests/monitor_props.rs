//! Any input, no panic: the range parser on any text (an error naming it, or a range that
//! agrees with its own bounds), and the exposition on any service or front-end name (one
//! line per series, the name escaped).

use private_chef_ctl::model::monitor::{Sample, ServiceSample};
use private_chef_ctl::model::threshold::Range;
use private_chef_ctl::render::metrics::exposition;
use proptest::prelude::*;

fn healthy() -> Sample {
    let p = format!(
        "{}/fixtures/monitor/healthy-master.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

proptest! {
    #[test]
    fn ranges_parse_or_name_the_input(s in "[@~:0-9.eE+-]{0,12}|\\PC{0,20}", v in -1e9f64..1e9) {
        match Range::parse(&s) {
            Ok(r) => {
                prop_assert!(r.start <= r.end);
                let inside = v >= r.start && v <= r.end;
                prop_assert_eq!(r.alerts(v), inside == r.inside);
            }
            Err(e) => prop_assert!(e.contains(&format!("'{s}'")), "{}", e),
        }
    }

    #[test]
    fn any_service_name_stays_one_series_line(name in "\\PC{0,30}|[\"\\\\\n]{1,5}") {
        let mut s = healthy();
        s.services = Some(vec![ServiceSample { name: name.clone(), ha: true, up: Some(true) }]);
        let text = exposition(&s);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("chef_ha_service_up{"))
            .collect();
        prop_assert_eq!(lines.len(), 1);
        let ok = lines[0].ends_with("} 1");
        prop_assert!(ok, "{}", lines[0]);
    }
}
