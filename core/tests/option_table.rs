//! The options table agrees with the modules that judge the options: the
//! limits they check, and the names a node field may not take.

use snowid::option_table::{self, Kind, OPTIONS, OPTION_NAMES, WIDE_OPTION_NAMES};

#[test]
fn every_option_name_is_reserved_for_node_fields() {
    // RESERVED_NODE_NAMES once lacked `protect` and `window_ms`: a node
    // field could take an option's name. It is derived from the table now.
    for name in OPTION_NAMES.iter().chain(WIDE_OPTION_NAMES) {
        assert!(snowid::RESERVED_NODE_NAMES.contains(name), "{name}");
    }
    for name in ["protect", "window_ms", "random_sequence_start", "lanes"] {
        assert!(snowid::RESERVED_NODE_NAMES.contains(&name), "{name}");
    }
}

#[test]
fn limits_are_the_ones_the_core_checks() {
    assert_eq!(option_table::MAX_LANES, snowid::lanes::MAX_LANES);
    assert_eq!(
        option_table::MAX_WIDE_BITS,
        u64::from(snowid::wide::MAX_WIDE_BITS)
    );
    assert_eq!(option_table::MAX_WIDE_TICK_MS, snowid::layout::MAX_TICK_MS);
}

#[test]
fn each_integer_option_rejects_one_past_its_range_and_takes_its_ends() {
    use snowid::env::Environment;
    use snowid::{GeneratorOptions, SegmentOptions};
    let env = Environment::from_pairs([("SNOWID_STATE_DIR", "/tmp/snowid-option-table")]);
    for o in OPTIONS {
        let Kind::Int { min, max } = o.kind else {
            continue;
        };
        // Read by a lease source from the environment: checked where one is
        // compiled in (every binding has Redis).
        if o.applies_to(option_table::LEASE_ENV) && !cfg!(feature = "redis") {
            continue;
        }
        let check = |v: u64| -> Result<(), snowid::Error> {
            if o.applies_to(option_table::LEASE_ENV) {
                let v = v.to_string();
                let env = Environment::from_pairs([
                    ("SNOWID_REDIS_URL", "redis://127.0.0.1:1/"),
                    (o.env.expect("an environment variable"), v.as_str()),
                ]);
                GeneratorOptions::new()
                    .with("node_source", "redis")
                    .with("state_dir", "/tmp/snowid-option-table")
                    .resolve_in(&env)
                    .map(|_| ())
            } else if o.applies_to(option_table::REMOTE) && !o.applies_to(option_table::SEGMENT) {
                snowid::RemoteOptions::new()
                    .with("url", "http://127.0.0.1:1")
                    .with(o.name, v)
                    .resolve()
                    .map(|_| ())
            } else if o.applies_to(option_table::SEGMENT) {
                let mut s = SegmentOptions::new().with(o.name, v);
                if o.name == "min_step" {
                    s = s.with("max_step", option_table::MAX_STEP);
                }
                if o.name == "max_step" {
                    s = s.with("step", 1).with("min_step", 1);
                }
                s.resolve_in(&env).map(|_| ())
            } else if o.applies_to(option_table::GENERATOR) {
                let mut g = GeneratorOptions::new()
                    .with("protect", false)
                    .with(o.name, v);
                if o.name == "lanes" {
                    // A layout with enough node numbers for every lane.
                    g = g.with("layout", "sonyflake").with("machine", 0);
                } else {
                    g = g.with("datacenter", 0).with("worker", 0);
                }
                g.resolve_in(&env).map(|_| ())
            } else {
                snowid::wide::wide_layout_of(
                    &GeneratorOptions::new()
                        .with("layout", "timestamp:36|region:16|host:32|sequence:44")
                        .with(o.name, v),
                )
                .map(|_| ())
            }
        };
        let below = min.checked_sub(1);
        let e = check(max + 1).unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING", "{} = {}: {e}", o.name, max + 1);
        if let Some(b) = below {
            let e = check(b).unwrap_err();
            assert_eq!(e.code(), "INVALID_SETTING", "{} = {b}: {e}", o.name);
        }
        if o.name != "width" {
            check(min).unwrap_or_else(|e| panic!("{} = {min}: {e}", o.name));
        }
        if !matches!(o.name, "width" | "lanes") {
            check(max).unwrap_or_else(|e| panic!("{} = {max}: {e}", o.name));
        }
    }
}

#[test]
fn the_settings_summary_shows_every_generator_option() {
    // A new option that the resolved settings (and so the options vectors)
    // do not show would go unchecked in every language.
    fn shown_as(name: &str) -> Option<&str> {
        match name {
            "epoch" => Some("epoch_ms"),
            "node_source" => Some("source"),
            // A path differs per machine; `difference()` compares it.
            "state_dir" => None,
            other => Some(other),
        }
    }
    let summary = snowid::GeneratorOptions::new()
        .with("worker", 1)
        .with("datacenter", 1)
        .with("protect", false)
        .resolve()
        .unwrap()
        .summary_json();
    let json: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&summary).unwrap();
    for o in OPTIONS
        .iter()
        .filter(|o| o.applies_to(option_table::GENERATOR))
    {
        if let Some(key) = shown_as(o.name) {
            assert!(json.contains_key(key), "{} is not in {summary}", o.name);
        }
    }
}
