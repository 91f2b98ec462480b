//! uuid7 and ulid: the presets' IDs are what the `uuid` crate reads as
//! UUIDv7 (version, variant, timestamp), strictly increasing per
//! generator, and disjoint between generators of different node numbers
//! whatever their random bits.

use snowid::generator::ClockChoice;
use snowid::options::GeneratorOptions;
use snowid::wide::{
    encode_ulid, encode_uuid, parse_ulid, parse_uuid, WideConfig, WideGenerator, WideLayout,
};
use snowid::ManualClock;

const AT: u64 = 1_800_000_000_123;

fn manual(layout: WideLayout, nodes: &[u64], clock: &ManualClock, borrow: u64) -> WideGenerator {
    let mut c = WideConfig::new(layout, nodes).clock(ClockChoice::Manual(clock.clone()));
    c.max_borrow_ticks = borrow;
    WideGenerator::new(c).unwrap()
}

#[test]
fn uuid7_is_what_the_uuid_crate_reads_as_version_7() {
    let clock = ManualClock::new(AT);
    let g = manual(WideLayout::uuid7(), &[3, 700], &clock, 0);
    let id = g.next_id().unwrap();
    let u = uuid::Uuid::from_u128(id);
    assert_eq!(u.get_version_num(), 7);
    assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
    let (secs, nanos) = u.get_timestamp().unwrap().to_unix();
    assert_eq!(secs * 1000 + u64::from(nanos) / 1_000_000, AT);
    // The text is the crate's hyphenated form, and parses back.
    assert_eq!(encode_uuid(id), u.hyphenated().to_string());
    assert_eq!(parse_uuid(&u.hyphenated().to_string()).unwrap(), id);
    let p = WideLayout::uuid7().decode(id).unwrap();
    assert_eq!((p.timestamp_ms, p.sequence), (AT, 0));
    assert_eq!(&p.nodes[..2], &[3, 700]);
    // A version-4 UUID is not an ID of the uuid7 layout.
    let v4 = uuid::Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef).as_u128();
    let e = WideLayout::uuid7().decode(v4).unwrap_err();
    assert_eq!(e.code(), "INVALID_SETTING");
    assert!(e.to_string().contains("`version` field is 7, not 4"), "{e}");
}

#[test]
fn the_counter_carries_into_the_next_tick_and_ids_only_increase() {
    // 4,096 IDs fill rand_a in one ms; the next one borrows the next ms,
    // as the Snowflake generator does, and the order still holds.
    let clock = ManualClock::new(AT);
    let g = manual(WideLayout::uuid7(), &[0, 1], &clock, 1);
    let mut prev = 0u128;
    for i in 0..4097u64 {
        let id = g.next_id().unwrap();
        assert!(id > prev, "id {i} not above the one before");
        prev = id;
    }
    let p = WideLayout::uuid7().decode(prev).unwrap();
    assert_eq!((p.timestamp_ms, p.sequence), (AT + 1, 0));
    let mut batch = [0u128; 100];
    let n = g.next_batch(&mut batch).unwrap();
    assert!(batch[..n].iter().all(|&id| id > prev));
    assert!(batch[..n].windows(2).all(|w| w[0] < w[1]));
    assert!(batch[..n]
        .iter()
        .all(|&id| uuid::Uuid::from_u128(id).get_version_num() == 7));
}

#[test]
fn different_nodes_never_share_an_id_whatever_the_random_bits() {
    // Same clock, same ms, same sequence: the node bits alone differ.
    for layout in [WideLayout::uuid7(), WideLayout::ulid()] {
        let clock = ManualClock::new(AT);
        let a = manual(layout.clone(), &[1, 2], &clock, 0);
        let b = manual(layout.clone(), &[1, 3], &clock, 0);
        let random = layout.random_mask();
        assert_ne!(random, 0);
        for _ in 0..1000 {
            let (x, y) = (a.next_id().unwrap(), b.next_id().unwrap());
            assert_ne!(x & !random, y & !random, "{}", layout.name());
        }
    }
}

#[test]
fn ulid_text_sorts_like_issue_order_and_decodes_the_time() {
    let clock = ManualClock::new(AT);
    let g = manual(WideLayout::ulid(), &[0, 9], &clock, 0);
    let mut texts = Vec::new();
    for i in 0..2000 {
        if i % 500 == 0 {
            clock.advance(1);
        }
        let id = g.next_id().unwrap();
        let t = encode_ulid(id);
        assert_eq!(parse_ulid(&t).unwrap(), id);
        texts.push(t);
    }
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(sorted, texts);
    let p = WideLayout::ulid()
        .decode(parse_ulid(&texts[0]).unwrap())
        .unwrap();
    assert_eq!(p.timestamp_ms, AT + 1);
    assert_eq!(p.nodes[1], 9);
}

#[test]
fn presets_resolve_from_options() {
    let g = WideGenerator::from_options(
        &GeneratorOptions::new()
            .with("layout", "uuid7")
            .with("datacenter", 1)
            .with("worker", 2)
            .with("protect", false),
    )
    .unwrap();
    let id = g.next_id().unwrap();
    assert_eq!(uuid::Uuid::from_u128(id).get_version_num(), 7);
    assert_eq!(g.layout(), &WideLayout::uuid7());
    // 64-bit layouts have no constant or random fields.
    let mut spec = snowid::Layout::twitter().spec();
    spec.fields[1] = snowid::FieldSpec::random("r", 5);
    let e = snowid::Layout::new(spec).unwrap_err();
    assert_eq!(e.code(), "INVALID_SETTING");
}

/// The `uuid` section of testdata/vectors.json (testdata/uuid_model.py).
#[test]
fn vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = &doc["uuid"];
    let big = |j: &serde_json::Value| j.as_str().unwrap().parse::<u128>().unwrap();
    for l in v["layouts"].as_array().unwrap() {
        let layout = WideLayout::preset(l["preset"].as_str().unwrap()).unwrap();
        let got: Vec<serde_json::Value> = layout
            .fields()
            .iter()
            .map(|f| {
                let mut o = serde_json::json!({"name": f.name(), "bits": f.bits(), "kind": f.kind().as_str()});
                if f.kind() == snowid::FieldKind::Constant {
                    o["value"] = f.value().into();
                }
                o
            })
            .collect();
        assert_eq!(serde_json::Value::from(got), l["fields"]);
        let c = layout.capacity();
        assert_eq!(c.ids_per_tick, l["ids_per_tick"].as_u64().unwrap());
        assert_eq!(c.nodes, l["nodes"].as_u64().unwrap());
    }
    for case in v["ids"].as_array().unwrap() {
        let layout = WideLayout::preset(case["preset"].as_str().unwrap()).unwrap();
        let id = big(&case["id"]);
        let ms = case["timestamp_ms"].as_u64().unwrap();
        let seq = case["sequence"].as_u64().unwrap();
        let nodes = [
            case["nodes"]["datacenter"].as_u64().unwrap(),
            case["nodes"]["worker"].as_u64().unwrap(),
        ];
        let composed = layout.compose_tick(ms, seq, &nodes).unwrap() | big(&case["random"]);
        assert_eq!(composed, id, "{case}");
        let p = layout.decode(id).unwrap();
        assert_eq!((p.timestamp_ms, p.sequence), (ms, seq));
        assert_eq!(&p.nodes[..2], &[nodes[0] as u32, nodes[1] as u32]);
        assert_eq!(id & layout.random_mask(), big(&case["random"]));
        let hex: String = id
            .to_be_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, case["bytes"].as_str().unwrap());
        assert_eq!(encode_uuid(id), case["uuid"].as_str().unwrap());
        assert_eq!(parse_uuid(case["uuid"].as_str().unwrap()).unwrap(), id);
        assert_eq!(encode_ulid(id), case["ulid"].as_str().unwrap());
        assert_eq!(parse_ulid(case["ulid"].as_str().unwrap()).unwrap(), id);
    }
    let parse = |format: &str, s: &str| match format {
        "uuid" => parse_uuid(s),
        _ => parse_ulid(s),
    };
    for a in v["parse_aliases"].as_array().unwrap() {
        let got = parse(a["format"].as_str().unwrap(), a["input"].as_str().unwrap()).unwrap();
        assert_eq!(got, big(&a["id"]), "{a}");
    }
    for b in v["invalid_strings"].as_array().unwrap() {
        let e = parse(b["format"].as_str().unwrap(), b["input"].as_str().unwrap()).unwrap_err();
        assert_eq!(e.code(), b["code"], "{b}: {e}");
        assert!(e.to_string().contains(b["format"].as_str().unwrap()), "{e}");
    }
    for b in v["invalid_ids"].as_array().unwrap() {
        let layout = WideLayout::preset(b["preset"].as_str().unwrap()).unwrap();
        let e = layout.decode(big(&b["id"])).unwrap_err();
        assert_eq!(e.code(), b["code"], "{b}: {e}");
    }
}
