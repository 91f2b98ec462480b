//! Every text parser (decimal, hex, base32, base62) and encoding names:
//! input = an encoding selector byte, then the text. Whatever parses must
//! encode back to text that parses to the same ID; any ID encodes to text
//! of the encoding's width that parses back.
#![no_main]

use core_snowid::{Encoding, ENCODINGS, MAX_ENCODED_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let _ = Encoding::from_name(text);
    let _ = text.parse::<Encoding>();
    let encoding = ENCODINGS[sel as usize % ENCODINGS.len()];
    match encoding.parse(text) {
        Ok(id) => {
            let canonical = encoding.encode(id);
            assert_eq!(
                encoding.parse(&canonical).unwrap(),
                id,
                "{encoding:?} {text:?}"
            );
            if let Some(w) = encoding.width() {
                assert_eq!(canonical.len(), w);
            }
            let mut buf = [0u8; MAX_ENCODED_LEN];
            assert_eq!(encoding.encode_into(id, &mut buf), canonical);
        }
        Err(e) => {
            // an error names a stable code and says something
            assert!(!e.code().is_empty() && !e.to_string().is_empty());
        }
    }
    // the text's first 8 bytes as an ID: every encoding round-trips it
    let mut b = [0u8; 8];
    let n = text.len().min(8);
    b[..n].copy_from_slice(&text.as_bytes()[..n]);
    let id = u64::from_le_bytes(b);
    for e in ENCODINGS {
        assert_eq!(e.parse(&e.encode(id)).unwrap(), id, "{e:?} {id}");
    }
});
