//! The `wide` section of testdata/vectors.json (layouts up to 128 bits and
//! the JS-safe preset), and the wide generator's node protection.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use snowid::options::GeneratorOptions;
use snowid::wide::{
    encode_wide, id_value, parse_wide, resolve_wide, wide_layout_of, WideGenerator, WideLayout,
};
use snowid::{Encoding, ManualClock, Value};

fn wide() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors.json");
    let v: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["wide"].clone()
}

fn big(v: &Json) -> u128 {
    v.as_str().expect("decimal string").parse().unwrap()
}

fn value(v: &Json) -> Value {
    match v {
        Json::String(s) => Value::Str(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Int(n.as_i64().unwrap().into()),
        other => panic!("no host value for {other}"),
    }
}

fn options(o: &Json) -> GeneratorOptions {
    let mut out = GeneratorOptions::new();
    for (k, v) in o.as_object().unwrap() {
        out.set(k, value(v));
    }
    out
}

fn layouts(w: &Json) -> BTreeMap<String, WideLayout> {
    w["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let layout = wide_layout_of(&options(&l["options"])).unwrap();
            (l["key"].as_str().unwrap().to_owned(), layout)
        })
        .collect()
}

#[test]
fn layouts_and_capacity() {
    let w = wide();
    let by_key = layouts(&w);
    for l in w["layouts"].as_array().unwrap() {
        let layout = &by_key[l["key"].as_str().unwrap()];
        assert_eq!(layout.name(), l["name"]);
        assert_eq!(u64::from(layout.width()), l["width"].as_u64().unwrap());
        assert_eq!(layout.epoch_ms(), l["epoch_ms"].as_u64().unwrap());
        assert_eq!(layout.tick_ms(), l["tick_ms"].as_u64().unwrap());
        assert_eq!(layout.max_id(), big(&l["max_id"]));
        assert_eq!(layout.is_js_safe(), l["js_safe"].as_bool().unwrap());
        let fields: Vec<(String, u64, String)> = layout
            .fields()
            .iter()
            .map(|f| {
                (
                    f.name().to_owned(),
                    u64::from(f.bits()),
                    f.kind().as_str().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, u64, String)> = l["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_owned(),
                    f["bits"].as_u64().unwrap(),
                    f["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(fields, expected);
        let c = layout.capacity();
        let cap = &l["capacity"];
        assert_eq!(c.lifespan_ms, big(&cap["lifespan_ms"]));
        assert_eq!(c.end_ms, big(&cap["end_ms"]));
        assert_eq!(c.issue_end_ms, big(&cap["issue_end_ms"]));
        assert_eq!(u128::from(c.ids_per_tick), big(&cap["ids_per_tick"]));
        assert_eq!(
            u128::from(c.ids_per_second_per_node),
            big(&cap["ids_per_second_per_node"])
        );
        assert_eq!(u128::from(c.nodes), big(&cap["nodes"]));
    }
}

#[test]
fn ids_compose_decode_and_encode() {
    let w = wide();
    let by_key = layouts(&w);
    for case in w["ids"].as_array().unwrap() {
        let l = &by_key[case["layout"].as_str().unwrap()];
        let id = big(&case["id"]);
        let p = l.decode(id).unwrap();
        assert_eq!(u128::from(p.tick), big(&case["tick"]), "{case}");
        assert_eq!(u128::from(p.timestamp_ms), big(&case["timestamp_ms"]));
        assert_eq!(p.sequence, case["sequence"].as_u64().unwrap());
        let names = l.node_names();
        let nodes: Vec<u64> = names
            .iter()
            .map(|n| case["nodes"][*n].as_u64().unwrap())
            .collect();
        for (i, v) in nodes.iter().enumerate() {
            assert_eq!(u64::from(p.nodes[i]), *v);
        }
        assert_eq!(l.compose_tick(p.tick, p.sequence, &nodes).unwrap(), id);
        // compose from host values, as the bindings call it
        let seq = Value::Int(p.sequence.into());
        let vals: Vec<Value> = nodes.iter().map(|&v| Value::Int(v.into())).collect();
        let pairs: Vec<(&str, &Value)> = names.iter().copied().zip(vals.iter()).collect();
        assert_eq!(
            l.compose_values(&Value::Int(p.timestamp_ms.into()), Some(&seq), &pairs)
                .unwrap(),
            id
        );
        for (enc, text) in case["encodings"].as_object().unwrap() {
            let e = Encoding::from_name(enc).unwrap();
            assert_eq!(encode_wide(e, id), text.as_str().unwrap());
            assert_eq!(parse_wide(e, text.as_str().unwrap()).unwrap(), id);
        }
    }
    for case in w["encodings"].as_array().unwrap() {
        let id = big(&case["id"]);
        for (enc, text) in case["encodings"].as_object().unwrap() {
            let e = Encoding::from_name(enc).unwrap();
            assert_eq!(encode_wide(e, id), text.as_str().unwrap());
            assert_eq!(parse_wide(e, text.as_str().unwrap()).unwrap(), id);
        }
    }
    for case in w["parse_aliases"].as_array().unwrap() {
        let e = Encoding::from_name(case["encoding"].as_str().unwrap()).unwrap();
        assert_eq!(
            parse_wide(e, case["input"].as_str().unwrap()).unwrap(),
            big(&case["id"])
        );
    }
}

#[test]
fn bounds() {
    let w = wide();
    let by_key = layouts(&w);
    for case in w["bounds"].as_array().unwrap() {
        let l = &by_key[case["layout"].as_str().unwrap()];
        let ms = case["ms"].as_i64().unwrap();
        assert_eq!(l.min_id_at(ms).unwrap(), big(&case["min"]), "{case}");
        assert_eq!(l.max_id_at(ms).unwrap(), big(&case["max"]), "{case}");
    }
}

#[test]
fn invalid_inputs_give_their_codes() {
    let w = wide();
    let by_key = layouts(&w);
    for case in w["invalid_layouts"].as_array().unwrap() {
        let e = wide_layout_of(&options(&case["options"])).unwrap_err();
        assert_eq!(e.code(), case["code"], "{case}: {e}");
    }
    for case in w["invalid_ids"].as_array().unwrap() {
        let l = &by_key[case["layout"].as_str().unwrap()];
        let text = case["id"].as_str().unwrap();
        let v = match text.parse::<i128>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(text.to_owned()),
        };
        let e = id_value(&v).and_then(|id| l.decode(id)).unwrap_err();
        assert_eq!(e.code(), case["code"], "{case}: {e}");
    }
    for case in w["invalid_strings"].as_array().unwrap() {
        let e = Encoding::from_name(case["encoding"].as_str().unwrap()).unwrap();
        let err = parse_wide(e, case["input"].as_str().unwrap()).unwrap_err();
        assert_eq!(err.code(), case["code"], "{case}: {err}");
    }
}

#[test]
fn runs_under_a_manual_clock() {
    let w = wide();
    for run in w["runs"].as_array().unwrap() {
        let clock = ManualClock::new(run["start_ms"].as_u64().unwrap());
        let mut o = options(&run["options"]);
        o.set("clock", Value::Clock(clock.clone()));
        for (k, v) in run["nodes"].as_object().unwrap() {
            o.set(k, value(v));
        }
        let g = resolve_wide(&o, &snowid::env::Environment::process())
            .unwrap()
            .build()
            .unwrap();
        for step in run["steps"].as_array().unwrap() {
            match step["op"].as_str().unwrap() {
                "advance" => clock.advance(step["ms"].as_i64().unwrap()),
                "next" => match step.get("error") {
                    Some(code) => assert_eq!(g.next_id().unwrap_err().code(), code, "{step}"),
                    None => assert_eq!(g.next_id().unwrap(), big(&step["expect"]), "{step}"),
                },
                "batch" => {
                    let mut out = vec![0u128; step["n"].as_u64().unwrap() as usize];
                    let n = g.next_batch(&mut out).unwrap();
                    let expect: Vec<u128> =
                        step["expect"].as_array().unwrap().iter().map(big).collect();
                    assert_eq!(&out[..n], &expect[..], "{step}");
                }
                op => panic!("unknown op {op}"),
            }
        }
    }
}

/// Node numbers through the local source: two generators in one state
/// directory take different numbers, and a restart issues above the
/// persisted high-water mark of its predecessor.
#[test]
fn local_slots_and_high_water_mark() {
    let dir = std::env::temp_dir().join(format!("snowid-wide-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = GeneratorOptions::new()
        .with("layout", "jssafe")
        .with("node_source", "local")
        .with("state_dir", dir.to_str().unwrap());
    let env = snowid::env::Environment::process();
    let a = resolve_wide(&o, &env).unwrap().build().unwrap();
    let b = resolve_wide(&o, &env).unwrap().build().unwrap();
    assert_ne!(a.nodes(), b.nodes());
    let last = a.next_id().unwrap();
    assert!(last < 1 << 53);
    drop(a);
    let c = resolve_wide(&o, &env).unwrap().build().unwrap();
    assert_eq!(c.nodes(), &[0]);
    assert!(c.source().contains("local slot 0"), "{}", c.source());
    let next = c.next_id().unwrap();
    let l = WideLayout::jssafe();
    assert!(l.decode(next).unwrap().tick > l.decode(last).unwrap().tick);
    // Explicit numbers held by a live generator are refused.
    let taken = GeneratorOptions::new()
        .with("layout", "jssafe")
        .with("worker", 1)
        .with("state_dir", dir.to_str().unwrap());
    assert_eq!(
        resolve_wide(&taken, &env)
            .unwrap()
            .build()
            .unwrap_err()
            .code(),
        "NODE_IN_USE"
    );
    drop((b, c));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn threads_never_share_an_id() {
    let g = WideGenerator::from_options(
        &GeneratorOptions::new()
            .with("layout", "wide128")
            .with("datacenter", 3)
            .with("worker", 9)
            .with("protect", false),
    )
    .unwrap();
    let all: Vec<u128> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut v = Vec::with_capacity(20_000);
                    for _ in 0..20_000 {
                        let id = g.next_id().unwrap();
                        assert!(v.last().is_none_or(|&l| l < id));
                        v.push(id);
                    }
                    v
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len());
}
