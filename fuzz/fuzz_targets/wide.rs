//! Wide (up to 128-bit) IDs: their text forms and their layouts. Input = a
//! selector byte, then text. Even selectors: `parse_wide` with one of the
//! encodings; what parses encodes back to text that parses to the same ID,
//! and the text's first 16 bytes as an ID round-trip through every encoding.
//! Odd selectors: the text is a field list (`timestamp:64|worker:48|...`,
//! `WideLayout::parse_fields`) or a preset name; a valid layout's IDs decode
//! and compose back, and IDs above its largest fail to decode.
#![no_main]

use core_snowid::wide::{encode_wide, parse_wide, WideLayout, WideSpec};
use core_snowid::ENCODINGS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let mut b = [0u8; 16];
    let n = text.len().min(16);
    b[..n].copy_from_slice(&text.as_bytes()[..n]);
    let raw = u128::from_le_bytes(b);
    if sel % 2 == 0 {
        let e = ENCODINGS[(sel as usize / 2) % ENCODINGS.len()];
        if let Ok(id) = parse_wide(e, text) {
            assert_eq!(
                parse_wide(e, &encode_wide(e, id)).unwrap(),
                id,
                "{e:?} {text:?}"
            );
        }
        for e in ENCODINGS {
            assert_eq!(
                parse_wide(e, &encode_wide(e, raw)).unwrap(),
                raw,
                "{e:?} {raw}"
            );
        }
        return;
    }
    let layout = match WideLayout::preset(text) {
        Ok(l) => l,
        Err(_) => {
            let Ok(fields) = WideLayout::parse_fields(text) else {
                return;
            };
            let width = fields.iter().map(|f| f.bits).sum::<u32>();
            let spec = WideSpec {
                name: "fuzz".into(),
                fields,
                epoch_ms: 1_600_000_000_000,
                tick_ms: u64::from(sel / 2).max(1),
                width,
            };
            match WideLayout::new(spec) {
                Ok(l) => l,
                Err(e) => {
                    assert!(!e.code().is_empty() && !e.to_string().is_empty());
                    return;
                }
            }
        }
    };
    for id in [0, raw, raw >> 1, raw & layout.max_id(), layout.max_id()] {
        match layout.decode(id) {
            Ok(parts) => {
                assert!(id <= layout.max_id());
                // Random bits (uuid7, ulid) are not parts: composing the
                // parts gives them as 0, the constant bits as they were.
                assert_eq!(
                    layout.compose(&parts).unwrap(),
                    id & !layout.random_mask(),
                    "{} {id}",
                    layout.name()
                );
            }
            Err(_) => assert!(id > layout.max_id() || layout.check_constants(id).is_err()),
        }
    }
});
