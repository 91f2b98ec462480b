//! Property tests: compose/decode and encode/parse round trips, order.

use proptest::prelude::*;
use snowid::wide::{encode_wide, parse_wide, WideLayout, WideSpec};
use snowid::{Encoding, Layout, Parts, ENCODINGS};

/// The wide layout with `l`'s fields, epoch and tick (63 or 64 bits wide).
fn as_wide(l: &Layout) -> WideLayout {
    let spec = l.spec();
    WideLayout::new_unchecked_epoch(WideSpec {
        name: spec.name,
        fields: spec.fields,
        epoch_ms: spec.epoch_ms,
        tick_ms: spec.tick_ms,
        width: if spec.sign_bit { 63 } else { 64 },
    })
    .unwrap()
}

fn layouts() -> impl Strategy<Value = Layout> {
    prop::sample::select(vec![
        Layout::twitter(),
        Layout::discord(),
        Layout::instagram(),
        Layout::sonyflake(),
    ])
}

proptest! {
    #[test]
    fn compose_then_decode_is_identity(l in layouts(), tick in any::<u64>(), seq in any::<u64>(), nodes in any::<[u32; 4]>()) {
        let tick = tick & l.max_tick();
        let seq = seq & l.sequence_field().max();
        let nodes: Vec<u32> = l.node_fields().zip(nodes).map(|(f, v)| (u64::from(v) & f.max()) as u32).collect();
        let id = l.compose_tick(tick, seq, &nodes).unwrap();
        let p = l.decode(id).unwrap();
        prop_assert_eq!(p.tick, tick);
        prop_assert_eq!(p.sequence, seq);
        prop_assert_eq!(&p.nodes[..nodes.len()], &nodes[..]);
        prop_assert_eq!(l.compose(&p).unwrap(), id);
        prop_assert!(id <= l.max_id());
    }

    #[test]
    fn decode_then_compose_is_identity(l in layouts(), id in any::<u64>()) {
        let id = id & l.max_id();
        let p: Parts = l.decode(id).unwrap();
        prop_assert_eq!(l.compose(&p).unwrap(), id);
    }

    #[test]
    fn later_tick_means_larger_id(l in layouts(), a in any::<u64>(), b in any::<u64>()) {
        let (a, b) = (a & l.max_id(), b & l.max_id());
        let (pa, pb) = (l.decode(a).unwrap(), l.decode(b).unwrap());
        if pa.tick < pb.tick { prop_assert!(a < b); }
        let ms = pa.timestamp_ms as i64;
        prop_assert!(l.min_id_at(ms).unwrap() <= a && a <= l.max_id_at(ms).unwrap());
    }

    #[test]
    fn encodings_round_trip(id in any::<u64>()) {
        for e in ENCODINGS {
            let s = e.encode(id);
            prop_assert_eq!(e.parse(&s).unwrap(), id);
            if let Some(w) = e.width() { prop_assert_eq!(s.len(), w); }
        }
        prop_assert_eq!(Encoding::Decimal.encode(id), id.to_string());
        prop_assert_eq!(Encoding::Hex.encode(id), format!("{id:016x}"));
    }

    #[test]
    fn fixed_width_encodings_sort_like_numbers(a in any::<u64>(), b in any::<u64>()) {
        for e in [Encoding::Hex, Encoding::Base32, Encoding::Base62] {
            prop_assert_eq!(e.encode(a).cmp(&e.encode(b)), a.cmp(&b), "{}", e);
        }
    }

    #[test]
    fn parse_never_panics(s in ".{0,24}") {
        for e in ENCODINGS {
            let _ = e.parse(&s);
        }
    }

    /// A 64-bit layout and the wide layout with the same fields share one
    /// implementation of placement, compose, decode, bounds, capacity and
    /// the text forms: they agree on every ID, and on the errors.
    #[test]
    fn wide_layout_of_the_same_fields_agrees(l in layouts(), id in any::<u64>(), over in 1u64..4) {
        let w = as_wide(&l);
        let id = id & l.max_id();
        let p = l.decode(id).unwrap();
        prop_assert_eq!(w.decode(u128::from(id)).unwrap(), p);
        let nodes: Vec<u32> = p.nodes[..l.node_count()].to_vec();
        let wide_nodes: Vec<u64> = nodes.iter().map(|&v| u64::from(v)).collect();
        prop_assert_eq!(
            w.compose_tick(p.tick, p.sequence, &wide_nodes).unwrap(),
            u128::from(l.compose_tick(p.tick, p.sequence, &nodes).unwrap())
        );
        prop_assert_eq!(w.compose(&p).unwrap(), u128::from(id));
        if let Ok(ms) = i64::try_from(p.timestamp_ms) {
            prop_assert_eq!(w.min_id_at(ms).unwrap(), u128::from(l.min_id_at(ms).unwrap()));
            prop_assert_eq!(w.max_id_at(ms).unwrap(), u128::from(l.max_id_at(ms).unwrap()));
        }
        let (c, wc) = (l.capacity(), w.capacity());
        prop_assert_eq!(
            (u128::from(c.lifespan_ms), u128::from(c.end_ms), c.ids_per_tick, c.ids_per_second_per_node, c.nodes),
            (wc.lifespan_ms, wc.end_ms, wc.ids_per_tick, wc.ids_per_second_per_node, wc.nodes)
        );
        // Out of range: the same errors, to the letter.
        let seq = l.sequence_field().max() + over;
        prop_assert_eq!(
            w.compose_tick(p.tick, seq, &wide_nodes).unwrap_err().to_string(),
            l.compose_tick(p.tick, seq, &nodes).unwrap_err().to_string()
        );
        let mut big_nodes = wide_nodes.clone();
        big_nodes[0] = l.node_fields().next().unwrap().max() + over;
        let mut narrow_big = nodes.clone();
        narrow_big[0] = big_nodes[0] as u32;
        prop_assert_eq!(
            w.check_nodes(&big_nodes).unwrap_err().to_string(),
            l.check_nodes(&narrow_big).unwrap_err().to_string()
        );
        if l.sign_bit() {
            let past = l.max_id() + over;
            prop_assert_eq!(
                w.decode(u128::from(past)).unwrap_err().to_string(),
                l.decode(past).unwrap_err().to_string()
            );
        }
        // Text: the 64-bit form is the wide form without its leading zeros.
        for e in ENCODINGS {
            let (narrow, wide) = (e.encode(id), encode_wide(e, u128::from(id)));
            let pad = wide.len() - narrow.len();
            prop_assert!(wide[pad..] == narrow && wide[..pad].bytes().all(|b| b == b'0'), "{} {} {}", e, narrow, wide);
        }
    }

    /// Decimal text up to 20 characters: the 64-bit and the wide parser
    /// give the same value or the same error, except that the wide one
    /// holds what overflows 64 bits.
    #[test]
    fn wide_and_64_bit_decimal_parsers_agree(s in "[0-9]{0,20}|[0-9a-z]{1,20}") {
        let e = Encoding::Decimal;
        match (e.parse(&s), parse_wide(e, &s)) {
            (Ok(a), b) => prop_assert_eq!(b, Ok(u128::from(a))),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (Err(a), Ok(b)) => {
                prop_assert_eq!(a.code(), "PARSE_OVERFLOW");
                prop_assert!(b > u128::from(u64::MAX));
            }
        }
    }
}
