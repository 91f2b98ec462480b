//! Layout specifications: `Layout::new` (and the hosts' builder of values,
//! and presets by name) on arbitrary fields, widths, names, epochs and
//! ticks. An invalid spec is an error with a code and a message, never a
//! panic; a valid layout is consistent with itself: its spec rebuilds it,
//! its largest ID decodes, its capacity and bounds compute.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use core_snowid::{Layout, Parts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inp = common::Input::new(data);
    let layout = match common::layout(&mut inp) {
        Ok(l) => l,
        Err(e) => {
            assert!(!e.code().is_empty() && !e.to_string().is_empty());
            let _ = Layout::preset(&String::from_utf8_lossy(inp.rest()));
            return;
        }
    };
    assert_eq!(Layout::new_unchecked_epoch(layout.spec()).unwrap(), layout);
    let bits: u32 = layout.fields().iter().map(|f| f.bits()).sum();
    assert_eq!(bits, if layout.sign_bit() { 63 } else { 64 });
    let _ = layout.capacity();
    let _ = layout.id_space();
    let _ = layout.to_string();
    let max: Parts = layout
        .decode(layout.max_id())
        .expect("the largest ID decodes");
    assert_eq!(layout.compose(&max).unwrap(), layout.max_id(), "{layout}");
    assert_eq!(layout.decode(0).unwrap().tick, 0);
    let ms = inp.i64();
    if let (Ok(lo), Ok(hi)) = (layout.min_id_at(ms), layout.max_id_at(ms)) {
        assert!(lo <= hi);
        assert_eq!(
            layout.decode(lo).unwrap().tick,
            layout.decode(hi).unwrap().tick
        );
    }
    for (i, f) in layout.node_fields().enumerate() {
        assert_eq!(layout.node_index(f.name()).unwrap(), i);
    }
});
