//! compose/decode round trips over arbitrary valid layouts: input = a
//! layout (common::layout), then IDs and parts. decode(id) composes back to
//! id for every ID the layout can hold (and fails for the others); parts
//! within the fields' ranges compose to an ID that decodes to them.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use core_snowid::MAX_NODE_FIELDS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inp = common::Input::new(data);
    let Ok(layout) = common::layout(&mut inp) else {
        return;
    };
    let mut rounds = 0;
    while !inp.is_empty() && rounds < 64 {
        rounds += 1;
        let id = inp.u64();
        match layout.decode(id) {
            Ok(parts) => {
                assert!(id <= layout.max_id());
                assert_eq!(layout.compose(&parts).unwrap(), id, "{layout} {id}");
                assert_eq!(
                    layout
                        .compose_tick(
                            parts.tick,
                            parts.sequence,
                            &parts.nodes[..layout.node_count()]
                        )
                        .unwrap(),
                    id
                );
            }
            Err(_) => assert!(
                id > layout.max_id(),
                "{layout}: {id} fits but does not decode"
            ),
        }
        // parts in range, from the input
        let tick = inp.u64() & layout.max_tick();
        let seq = inp.u64() & layout.sequence_field().max();
        let mut nodes = [0u32; MAX_NODE_FIELDS];
        for (i, f) in layout.node_fields().enumerate() {
            nodes[i] = (inp.u64() & f.max()) as u32;
        }
        let nodes = &nodes[..layout.node_count()];
        let id = layout
            .compose_tick(tick, seq, nodes)
            .expect("parts in range compose");
        let parts = layout.decode(id).unwrap();
        assert_eq!((parts.tick, parts.sequence), (tick, seq));
        assert_eq!(&parts.nodes[..nodes.len()], nodes);
        // one past a field's maximum is an error, not a wrap
        if seq < u64::MAX && layout.sequence_field().max() < u64::MAX {
            assert!(layout
                .compose_tick(tick, layout.sequence_field().max() + 1, nodes)
                .is_err());
        }
    }
});
