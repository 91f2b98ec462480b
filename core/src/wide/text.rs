//! Text forms of a wide (`u128`) ID, with the same alphabets as the 64-bit
//! [`Encoding`]s; the fixed-width ones sort like the numbers.
//!
//! | encoding | width | alphabet |
//! |---|---|---|
//! | `decimal` | 1..=39 | `0-9` |
//! | `hex` | 32 | `0-9a-f` (parsing accepts `A-F`) |
//! | `base32` | 26 | Crockford, upper case; parsing is case-insensitive, `I`/`L` = 1, `O` = 0; the first digit is 0-7 |
//! | `base62` | 22 | `0-9A-Za-z`, ASCII order |

use crate::encoding::{
    ascii, encode_bits, hex16, parse_hex16, parse_table, Encoding, BASE62, CROCKFORD,
    CROCKFORD_VALUES, INVALID,
};
use crate::error::{Error, Result};
use crate::value::Value;

/// Longest encoded wide ID in bytes (a 39-digit decimal).
pub const MAX_WIDE_ENCODED_LEN: usize = 39;

/// Exact width of every encoded wide ID (`None` for decimal, 1..=39).
pub fn wide_width(e: Encoding) -> Option<usize> {
    match e {
        Encoding::Hex => Some(32),
        Encoding::Base32 => Some(26),
        Encoding::Base62 => Some(22),
        _ => None,
    }
}

/// Decimal and base62 go through 64-bit chunks: the radix and how many
/// digits a chunk holds (19 decimal or 10 base62 digits fit 64 bits).
fn chunk_digits(e: Encoding) -> (u64, usize) {
    if e == Encoding::Base62 {
        (62, 10)
    } else {
        (10, 19)
    }
}

/// Writes `id` into `buf` and returns the written prefix (always ASCII).
#[inline]
pub fn encode_wide_into(e: Encoding, id: u128, buf: &mut [u8; MAX_WIDE_ENCODED_LEN]) -> &str {
    let start = match e {
        // Power-of-two radixes: the 64-bit encoders' bit groups, no
        // 128-bit division.
        Encoding::Hex => {
            let start = MAX_WIDE_ENCODED_LEN - 32;
            buf[start..start + 16].copy_from_slice(&hex16((id >> 64) as u64));
            buf[start + 16..].copy_from_slice(&hex16(id as u64));
            start
        }
        Encoding::Base32 => {
            let start = MAX_WIDE_ENCODED_LEN - 26;
            let out: &mut [u8; 26] = (&mut buf[start..]).try_into().expect("26 bytes");
            encode_bits::<u128, 26, 5>(id, CROCKFORD, out);
            start
        }
        _ => {
            // Split off 64-bit chunks of `per` digits with one 128-bit
            // division each, then use 64-bit division for the digits.
            let (r, per) = chunk_digits(e);
            let chunk = u128::from(r.pow(per as u32));
            let digit = |d: u64| {
                if e == Encoding::Base62 {
                    BASE62[d as usize]
                } else {
                    b'0' + d as u8
                }
            };
            let width = wide_width(e).unwrap_or(1);
            let mut n = id;
            let mut i = MAX_WIDE_ENCODED_LEN;
            loop {
                let (mut part, rest) = if n >= chunk {
                    ((n % chunk) as u64, n / chunk)
                } else {
                    (n as u64, 0)
                };
                let full = rest > 0;
                let mut k = 0;
                while part > 0 || (full && k < per) {
                    i -= 1;
                    buf[i] = digit(part % r);
                    part /= r;
                    k += 1;
                }
                n = rest;
                if n == 0 {
                    break;
                }
            }
            while MAX_WIDE_ENCODED_LEN - i < width {
                i -= 1;
                buf[i] = b'0';
            }
            i
        }
    };
    ascii(&buf[start..])
}

/// `id` as a `String` in encoding `e`.
pub fn encode_wide(e: Encoding, id: u128) -> String {
    let mut buf = [0; MAX_WIDE_ENCODED_LEN];
    encode_wide_into(e, id, &mut buf).to_owned()
}

/// Parses a wide ID; errors name the problem (empty, length, character) and
/// a value above 2^128 - 1 is [`Error::InvalidSetting`].
pub fn parse_wide(e: Encoding, s: &str) -> Result<u128> {
    e.check_length(s, wide_width(e), MAX_WIDE_ENCODED_LEN)?;
    // The common case (every character a digit, no overflow) takes a fast
    // path; anything unusual goes to the reference parser for its error.
    if let Some(v) = parse_wide_fast(e, s.as_bytes()) {
        return Ok(v);
    }
    e.parse_digits::<u128>(s)?
        .ok_or_else(|| Error::InvalidSetting {
            setting: format!("{} id", e.name()),
            value: format!("{s:?}"),
            expected: format!("a 128-bit id: at most {}", u128::MAX),
        })
}

/// A wide ID of the right length, or `None` for anything unusual.
fn parse_wide_fast(e: Encoding, b: &[u8]) -> Option<u128> {
    match e {
        // Two 64-bit halves of 16 hex digits each.
        Encoding::Hex if b.len() == 32 => {
            let (hi, lo) = (parse_hex16(&b[..16])?, parse_hex16(&b[16..])?);
            Some((u128::from(hi) << 64) | u128::from(lo))
        }
        Encoding::Hex => None,
        // 26 * 5 = 130: the first digit carries 3 bits.
        Encoding::Base32 => parse_table::<u128, 26, 5>(b, &CROCKFORD_VALUES)
            .filter(|_| CROCKFORD_VALUES[b[0] as usize] < 8),
        // Digits in 64-bit chunks, one 128-bit multiply-add per chunk.
        Encoding::Decimal | Encoding::Base62 => {
            let (r, per) = chunk_digits(e);
            let values = e.values();
            let mut value: u128 = 0;
            for chunk in b.rchunks(per).rev() {
                let mut part: u64 = 0;
                for &c in chunk {
                    let d = values[c as usize];
                    if d == INVALID {
                        return None;
                    }
                    part = part * r + u64::from(d);
                }
                let scale = u128::from(r).pow(chunk.len() as u32);
                value = value.checked_mul(scale)?.checked_add(u128::from(part))?;
            }
            Some(value)
        }
    }
}

/// A wide ID argument from a host: `Int` 0..=2^127-1 or `BigInt` text up to
/// 2^128 - 1 (Python's big integers, a JavaScript `bigint`); whether it fits
/// a layout is the layout's question.
pub fn id_value(v: &Value) -> Result<u128> {
    let bad = || Error::InvalidSetting {
        setting: "id".into(),
        value: v.describe(),
        expected: format!("an integer 0..={}", u128::MAX),
    };
    match v {
        Value::BigInt(s) => s.parse::<u128>().map_err(|_| bad()),
        _ => match v.integer("id")? {
            Some(i) if i >= 0 => Ok(i as u128),
            _ => Err(bad()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ENCODINGS;

    proptest::proptest! {
        /// The fast paths agree with the reference parser on any input:
        /// the same value, or no value.
        #[test]
        fn fast_parse_equals_reference(s in "[0-9a-zA-Z_é -]{0,40}", hi in proptest::prelude::any::<u64>(), lo in proptest::prelude::any::<u64>()) {
            let id = (u128::from(hi) << 64) | u128::from(lo);
            for e in ENCODINGS {
                if let Some(v) = parse_wide_fast(e, s.as_bytes()) {
                    proptest::prop_assert_eq!(e.parse_digits::<u128>(&s), Ok(Some(v)), "{} {:?}", e, s);
                }
                let text = encode_wide(e, id);
                proptest::prop_assert_eq!(parse_wide_fast(e, text.as_bytes()), Some(id));
                proptest::prop_assert_eq!(e.parse_digits::<u128>(&text), Ok(Some(id)));
            }
        }
    }

    #[test]
    fn extremes_round_trip_and_sort() {
        for e in ENCODINGS {
            for id in [0, 1, u64::MAX as u128, u128::MAX, 1 << 100] {
                let s = encode_wide(e, id);
                assert_eq!(parse_wide(e, &s).unwrap(), id, "{e} {s}");
                if let Some(w) = wide_width(e) {
                    assert_eq!(s.len(), w);
                }
            }
        }
        // Many values: against the standard formatter, round trips, and
        // string order equals numeric order.
        let mut x: u128 = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321;
        let mut prev: Option<(u128, [String; 3])> = None;
        let fixed = [Encoding::Hex, Encoding::Base32, Encoding::Base62];
        for i in 0..5000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = x >> (i % 128);
            assert_eq!(encode_wide(Encoding::Hex, v), format!("{v:032x}"));
            assert_eq!(encode_wide(Encoding::Decimal, v), v.to_string());
            let texts = fixed.map(|e| encode_wide(e, v));
            for (e, t) in fixed.iter().zip(&texts) {
                assert_eq!(parse_wide(*e, t).unwrap(), v);
            }
            assert_eq!(parse_wide(Encoding::Decimal, &v.to_string()).unwrap(), v);
            if let Some((p, pt)) = &prev {
                for (a, b) in pt.iter().zip(&texts) {
                    assert_eq!(p.cmp(&v), a.cmp(b));
                }
            }
            prev = Some((v, texts));
        }
        assert_eq!(
            encode_wide(Encoding::Base32, u128::MAX),
            "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
        );
        assert_eq!(
            parse_wide(Encoding::Base32, "8ZZZZZZZZZZZZZZZZZZZZZZZZZ")
                .unwrap_err()
                .code(),
            "INVALID_SETTING"
        );
    }
}
