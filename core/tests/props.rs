//! Property tests: compose/decode and encode/parse round trips, order.

use proptest::prelude::*;
use snowid::{Encoding, Layout, Parts, ENCODINGS};

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
}
