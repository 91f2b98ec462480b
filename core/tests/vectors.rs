//! The conformance vectors (testdata/vectors.json), checked against the core.

use serde_json::Value;
use snowid::{
    ClockChoice, Config, Encoding, Error, FieldKind, FieldSpec, Generator, Layout, LayoutSpec,
    ManualClock, Parts, RegressionPolicy, ERROR_CODES, MAX_NODE_FIELDS,
};

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors.json")).expect("valid JSON")
}

fn u(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().expect("decimal string"),
        v => v.as_u64().expect("integer"),
    }
}

fn spec(v: &Value) -> LayoutSpec {
    LayoutSpec {
        name: v["name"].as_str().unwrap().to_owned(),
        fields: v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let kind = match f["kind"].as_str().unwrap() {
                    "timestamp" => FieldKind::Timestamp,
                    "sequence" => FieldKind::Sequence,
                    _ => FieldKind::Node,
                };
                FieldSpec::new(
                    f["name"].as_str().unwrap(),
                    f["bits"].as_u64().unwrap() as u32,
                    kind,
                )
            })
            .collect(),
        epoch_ms: u(&v["epoch_ms"]),
        tick_ms: u(&v["tick_ms"]),
        sign_bit: v["sign_bit"].as_bool().unwrap(),
    }
}

fn layout(doc: &Value, name: &str) -> Layout {
    let v = doc["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap();
    if v["preset"].as_bool().unwrap() {
        let l = Layout::preset(name).unwrap();
        assert_eq!(
            l,
            Layout::new(spec(v)).unwrap(),
            "preset {name} matches its vector"
        );
        l
    } else {
        Layout::new(spec(v)).unwrap()
    }
}

fn nodes(l: &Layout, v: &Value) -> Vec<u64> {
    l.node_names().iter().map(|n| u(&v[*n])).collect()
}

fn assert_code<T: std::fmt::Debug>(r: Result<T, Error>, code: &str, what: &str) {
    match r {
        Err(e) => assert_eq!(e.code(), code, "{what}: {e}"),
        Ok(v) => panic!("{what}: expected {code}, got {v:?}"),
    }
}

#[test]
fn error_table_matches() {
    let doc = vectors();
    let listed: Vec<(String, u64, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().into(),
                u(&e["number"]),
                e["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    let core: Vec<(String, u64, String)> = ERROR_CODES
        .iter()
        .map(|(c, n, k)| (c.to_string(), u64::from(*n), k.as_str().to_string()))
        .collect();
    assert_eq!(listed, core);
    for e in doc["errors"].as_array().unwrap() {
        let code = e["code"].as_str().unwrap();
        assert_eq!(
            e["type_error"].as_bool().unwrap(),
            snowid::TYPE_ERROR_CODES.contains(&code),
            "{code}"
        );
    }
}

#[test]
fn layouts_and_capacity() {
    let doc = vectors();
    for v in doc["layouts"].as_array().unwrap() {
        let l = layout(&doc, v["name"].as_str().unwrap());
        let c = l.capacity();
        let cap = &v["capacity"];
        assert_eq!(c.lifespan_ms, u(&cap["lifespan_ms"]));
        assert_eq!(c.end_ms, u(&cap["end_ms"]));
        assert_eq!(c.ids_per_tick, u(&cap["ids_per_tick"]));
        assert_eq!(
            c.ids_per_second_per_node,
            u(&cap["ids_per_second_per_node"])
        );
        assert_eq!(c.nodes, u(&cap["nodes"]));
        assert_eq!(l.max_id(), u(&v["max_id"]));
    }
}

#[test]
fn ids_decode_and_compose() {
    let doc = vectors();
    for v in doc["ids"].as_array().unwrap() {
        let l = layout(&doc, v["layout"].as_str().unwrap());
        let id = u(&v["id"]);
        let p = l.decode(id).unwrap();
        assert_eq!(p.timestamp_ms, u(&v["timestamp_ms"]), "{v}");
        assert_eq!(p.tick, u(&v["tick"]));
        assert_eq!(p.sequence, u(&v["sequence"]));
        let want = nodes(&l, &v["nodes"]);
        assert_eq!(
            p.nodes[..l.node_count()]
                .iter()
                .map(|&n| u64::from(n))
                .collect::<Vec<_>>(),
            want
        );
        assert_eq!(l.compose(&p).unwrap(), id);
    }
}

#[test]
fn bounds() {
    let doc = vectors();
    for v in doc["bounds"].as_array().unwrap() {
        let l = layout(&doc, v["layout"].as_str().unwrap());
        let ms = u(&v["timestamp_ms"]) as i64;
        assert_eq!(l.min_id_at(ms).unwrap(), u(&v["min_id"]), "{v}");
        assert_eq!(l.max_id_at(ms).unwrap(), u(&v["max_id"]), "{v}");
    }
}

#[test]
fn encodings_and_parse_errors() {
    let doc = vectors();
    for v in doc["encodings"].as_array().unwrap() {
        let id = u(&v["id"]);
        for e in snowid::ENCODINGS {
            let s = v[e.name()].as_str().unwrap();
            assert_eq!(e.encode(id), s);
            assert_eq!(e.parse(s).unwrap(), id);
        }
    }
    for v in doc["parse_aliases"].as_array().unwrap() {
        let e = Encoding::from_name(v["encoding"].as_str().unwrap()).unwrap();
        assert_eq!(e.parse(v["input"].as_str().unwrap()).unwrap(), u(&v["id"]));
    }
    for v in doc["invalid_strings"].as_array().unwrap() {
        let r = Encoding::from_name(v["encoding"].as_str().unwrap())
            .and_then(|e| e.parse(v["input"].as_str().unwrap()));
        assert_code(r, v["error"].as_str().unwrap(), &v.to_string());
    }
}

#[test]
fn invalid_inputs() {
    let doc = vectors();
    for v in doc["invalid_layouts"].as_array().unwrap() {
        assert_code(
            Layout::new(spec(&v["spec"])),
            v["error"].as_str().unwrap(),
            &v.to_string(),
        );
    }
    for v in doc["invalid_presets"].as_array().unwrap() {
        assert_code(
            Layout::preset(v["name"].as_str().unwrap()),
            v["error"].as_str().unwrap(),
            "preset",
        );
    }
    for v in doc["invalid_ids"].as_array().unwrap() {
        let l = layout(&doc, v["layout"].as_str().unwrap());
        assert_code(
            l.decode(u(&v["id"])),
            v["error"].as_str().unwrap(),
            &v.to_string(),
        );
    }
    for v in doc["invalid_compose"].as_array().unwrap() {
        let l = layout(&doc, v["layout"].as_str().unwrap());
        // The same path a binding takes: named node values, then compose.
        let r = (|| {
            let given = v["nodes"].as_object().unwrap();
            let mut values = [None; MAX_NODE_FIELDS];
            for (name, val) in given {
                let i = l.node_index(name)?;
                values[i] = Some(u(val));
            }
            let mut parts = Parts {
                timestamp_ms: u(&v["timestamp_ms"]),
                sequence: u(&v["sequence"]),
                ..Parts::default()
            };
            for (i, f) in l.node_fields().enumerate() {
                let val = values[i].ok_or_else(|| Error::MissingField {
                    field: f.name().into(),
                    layout: l.name().into(),
                    max: f.max(),
                })?;
                if val > f.max() {
                    return Err(Error::FieldOutOfRange {
                        field: f.name().into(),
                        got: val.to_string(),
                        max: f.max(),
                    });
                }
                parts.nodes[i] = val as u32;
            }
            l.compose(&parts)
        })();
        assert_code(r, v["error"].as_str().unwrap(), &v.to_string());
    }
}

#[test]
fn deterministic_runs() {
    let doc = vectors();
    for run in doc["runs"].as_array().unwrap() {
        let l = layout(&doc, run["layout"].as_str().unwrap());
        let clock = ManualClock::new(u(&run["start_ms"]));
        let config = Config::new(l.clone())
            .nodes(&nodes(&l, &run["nodes"]))
            .unwrap()
            .max_borrow_ticks(u(&run["max_borrow_ticks"]))
            .on_regression(RegressionPolicy::Fail)
            .clock(ClockChoice::Manual(clock.clone()));
        let g = Generator::new(config).unwrap();
        for (i, step) in run["steps"].as_array().unwrap().iter().enumerate() {
            let what = format!("{} step {i}: {step}", run["layout"]);
            match step["op"].as_str().unwrap() {
                "set" => clock.set(u(&step["ms"])),
                "advance" => clock.advance(step["ms"].as_i64().unwrap()),
                "next" => match step.get("error") {
                    Some(code) => assert_code(g.next_id(), code.as_str().unwrap(), &what),
                    None => assert_eq!(g.next_id().unwrap(), u(&step["expect"]), "{what}"),
                },
                "batch" => {
                    let mut buf = vec![0; u(&step["n"]) as usize];
                    match step.get("error") {
                        Some(code) => {
                            assert_code(g.next_batch(&mut buf), code.as_str().unwrap(), &what)
                        }
                        None => {
                            let n = g.next_batch(&mut buf).unwrap();
                            let want: Vec<u64> =
                                step["expect"].as_array().unwrap().iter().map(u).collect();
                            assert_eq!(&buf[..n], &want[..], "{what}");
                        }
                    }
                }
                op => panic!("unknown op {op}"),
            }
        }
    }
}

/// A vector's option value as the Rust host would hand it over.
fn option_value(doc: &Value, v: &Value) -> Option<snowid::Value> {
    use snowid::Value as V;
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => V::Int(i.into()),
            None => match n.as_u64() {
                Some(u) => V::Int(u.into()),
                None => V::Float(n.as_f64().unwrap()),
            },
        },
        Value::String(s) => V::Str(s.clone()),
        Value::Object(o) => {
            let (k, x) = o.iter().next().expect("one key");
            match k.as_str() {
                "int" => {
                    let s = x.as_str().unwrap();
                    match s.parse::<i128>() {
                        Ok(i) => V::Int(i),
                        Err(_) => V::BigInt(s.to_owned()),
                    }
                }
                "float" => V::Float(x.as_f64().unwrap()),
                "real" => V::Real(x.as_f64().unwrap()),
                "bytes" => V::NonUtf8(hex(x.as_str().unwrap())),
                "other" => V::Other(x.as_str().unwrap().to_owned()),
                "manual_clock" => V::Clock(ManualClock::new(u(x))),
                "layout_of" => V::Layout(layout(doc, x.as_str().unwrap())),
                other => panic!("unknown value form {other}"),
            }
        }
        Value::Array(_) => V::Other("list".into()),
    })
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn options_resolve_like_the_reference() {
    use snowid::env::Environment;
    use snowid::options::{default_layout, resolve_default, GeneratorOptions};
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let doc = vectors();
    let cases = doc["options"].as_array().expect("options section");
    assert!(cases.len() >= 50, "options cases: {}", cases.len());
    for case in cases {
        let env = Environment::from_pairs(case["env"].as_object().unwrap().iter().map(|(k, v)| {
            let os = match v {
                Value::String(s) => OsString::from(s),
                v => OsString::from_vec(hex(v["bytes"].as_str().unwrap())),
            };
            (k.clone(), os)
        }));
        let opts = case["options"].as_object().map(|o| {
            let mut g = GeneratorOptions::new();
            for (k, v) in o {
                if let Some(v) = option_value(&doc, v) {
                    g.set(k, v);
                }
            }
            g
        });
        let got: Result<Value, Error> = match case["target"].as_str().unwrap() {
            "generator" => opts
                .unwrap_or_default()
                .resolve_in(&env)
                .map(|s| serde_json::from_str(&s.summary_json()).unwrap()),
            "default" => resolve_default(opts.as_ref(), &env)
                .map(|s| serde_json::from_str(&s.summary_json()).unwrap()),
            "service" => snowid::options::resolve_service(opts.as_ref(), &env)
                .map(|s| serde_json::from_str(&s.summary_json()).unwrap()),
            "inspect" => default_layout(opts.as_ref(), &env)
                .map(|l| serde_json::json!({ "layout": l.name() })),
            t => panic!("unknown target {t}"),
        };
        // A lease source needs its cargo feature; without it the source is
        // refused (INVALID_SETTING), whatever its settings.
        let leased = case["expect"]["source"].as_str();
        let missing = match leased {
            Some("redis") => !cfg!(feature = "redis"),
            Some("etcd") => !cfg!(feature = "etcd"),
            _ => false,
        };
        if missing {
            assert_eq!(
                got.err().map(|e| e.code()),
                Some("INVALID_SETTING"),
                "{case}"
            );
            continue;
        }
        match (&got, case.get("error")) {
            (Ok(v), None) => assert_eq!(v, &case["expect"], "{case}"),
            (Err(e), Some(code)) => assert_eq!(e.code(), code, "{case}: {e}"),
            (Ok(v), Some(code)) => panic!("{case}: expected {code}, got {v}"),
            (Err(e), None) => panic!("{case}: expected success, got {} {e}", e.code()),
        }
    }
}

#[test]
fn segment_keys_and_store_urls() {
    let doc = vectors();
    let seg = &doc["segments"];
    for case in seg["keys"].as_array().unwrap() {
        let key = case["key"].as_str().unwrap();
        let got = snowid::segment::validate_key(key).err().map(|e| e.code());
        assert_eq!(got, case["error"].as_str(), "key {key:?}");
    }
    let all = cfg!(feature = "postgres") && cfg!(feature = "redis");
    let none = !cfg!(feature = "postgres") && !cfg!(feature = "redis");
    for case in seg["store_urls"].as_array().unwrap() {
        let url = case["url"].as_str().unwrap();
        let got = snowid::segment::StoreUrl::parse(url)
            .err()
            .map(|e| e.code());
        if all {
            assert_eq!(got, case["error_all_features"].as_str(), "url {url:?}");
        } else if none {
            assert_eq!(got, case["error_default"].as_str(), "url {url:?}");
        }
    }
    for case in seg["options"].as_array().unwrap() {
        let mut o = snowid::SegmentOptions::new().with("store", "file:///var/lib/snowid/segments");
        for pair in case["options"].as_array().unwrap() {
            let name = pair[0].as_str().unwrap();
            match &pair[1] {
                serde_json::Value::Bool(b) => o.set(name, *b),
                serde_json::Value::Number(n) => o.set(name, n.as_i64().unwrap()),
                v => o.set(name, v.as_str().unwrap()),
            };
        }
        let got = o
            .resolve_in(&snowid::env::Environment::default())
            .map(|s| s.allow_volatile_store);
        match case["error"].as_str() {
            Some(code) => assert_eq!(got.unwrap_err().code(), code, "{case}"),
            None => assert_eq!(
                got.unwrap(),
                case["allow_volatile_store"].as_bool().unwrap(),
                "{case}"
            ),
        }
    }
    #[cfg(unix)]
    for case in seg["default_stores"].as_array().unwrap() {
        let env = snowid::env::Environment::from_pairs(
            case["env"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())),
        );
        let mut o = snowid::SegmentOptions::new();
        if let Some(store) = case["store"].as_str() {
            o.set("store", store);
        }
        let got = match o.resolve_in(&env) {
            Ok(s) => serde_json::from_str::<serde_json::Value>(&s.summary_json()).unwrap()["store"]
                .as_str()
                .unwrap()
                .to_owned(),
            Err(e) => e.code().to_owned(),
        };
        assert_eq!(got, case["expect"].as_str().unwrap(), "{case}");
    }
}

/// The service's `count` query text (`snowid::value::query_count`).
#[test]
fn service_counts() {
    let doc = vectors();
    for case in doc["service_counts"].as_array().unwrap() {
        let raw = case["raw"].as_str().unwrap();
        let got = snowid::value::query_count(raw, u(&case["max"]));
        match case["count"].as_u64() {
            Some(n) => assert_eq!(got.ok(), Some(n as usize), "count={raw:?}"),
            None => assert_code(got, case["error"].as_str().unwrap(), raw),
        }
    }
}

/// Keyed public IDs (`snowid::PublicIds`): texts, aliases, bad texts, keys
/// and contexts, from the independent FF1 model.
#[test]
fn public_ids() {
    use snowid::PublicIds;
    let doc = vectors();
    let p = &doc["public_ids"];
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let make = |case: &Value| {
        PublicIds::with_context(&hex(&s(&case["key_hex"])), &s(&case["context"])).unwrap()
    };
    for case in p["cases"].as_array().unwrap() {
        let ids = make(case);
        assert_eq!(ids.encode(u(&case["id"])), s(&case["text"]), "{case}");
        assert_eq!(ids.decode(&s(&case["text"])), Ok(u(&case["id"])), "{case}");
        let from_hex =
            PublicIds::from_hex(&s(&case["key_hex"]).to_uppercase(), &s(&case["context"]));
        assert_eq!(from_hex.unwrap().encode(u(&case["id"])), s(&case["text"]));
    }
    for case in p["aliases"].as_array().unwrap() {
        assert_eq!(
            make(case).decode(&s(&case["text"])),
            Ok(u(&case["id"])),
            "{case}"
        );
    }
    for case in p["invalid_texts"].as_array().unwrap() {
        assert_code(
            make(case).decode(&s(&case["text"])),
            &s(&case["code"]),
            &case.to_string(),
        );
    }
    for case in p["invalid_keys"].as_array().unwrap() {
        assert_code(
            PublicIds::new(&hex(&s(&case["key_hex"]))),
            &s(&case["code"]),
            &case.to_string(),
        );
    }
    for case in p["invalid_key_texts"].as_array().unwrap() {
        assert_code(
            PublicIds::from_hex(&s(&case["text"]), ""),
            &s(&case["code"]),
            &case.to_string(),
        );
    }
    for case in p["invalid_contexts"].as_array().unwrap() {
        let r = PublicIds::with_context(&[0; 16], &s(&case["context"]));
        assert_code(r, &s(&case["code"]), &case.to_string());
    }
}

#[test]
fn remote_options_resolve_like_the_reference() {
    let doc = vectors();
    for case in doc["remote"]["cases"].as_array().unwrap() {
        let mut o = snowid::RemoteOptions::new();
        for pair in case["options"].as_array().unwrap() {
            let name = pair[0].as_str().unwrap();
            match &pair[1] {
                Value::Bool(b) => o.set(name, *b),
                Value::Number(n) => o.set(name, n.as_i64().unwrap()),
                v => o.set(name, v.as_str().unwrap()),
            };
        }
        match case["error"].as_str() {
            Some(code) => assert_code(o.resolve(), code, &case.to_string()),
            None => {
                let got: Value =
                    serde_json::from_str(&o.resolve().unwrap().summary_json()).unwrap();
                assert_eq!(got, case["settings"], "{case}");
            }
        }
    }
}
