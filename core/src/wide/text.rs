//! Text forms of a wide (`u128`) ID, with the same alphabets as the 64-bit
//! [`Encoding`]s; the fixed-width ones sort like the numbers.
//!
//! | encoding | width | alphabet |
//! |---|---|---|
//! | `decimal` | 1..=39 | `0-9` |
//! | `hex` | 32 | `0-9a-f` (parsing accepts `A-F`) |
//! | `base32` | 26 | Crockford, upper case; parsing is case-insensitive, `I`/`L` = 1, `O` = 0; the first digit is 0-7 |
//! | `base62` | 22 | `0-9A-Za-z`, ASCII order |

use crate::encoding::Encoding;
use crate::error::{Error, Result};

/// Longest encoded wide ID in bytes (a 39-digit decimal).
pub const MAX_WIDE_ENCODED_LEN: usize = 39;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Digit values by byte for hex and base32 (255: not a digit).
const fn table(e: u8) -> [u8; 256] {
    let mut t = [255u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match (e, b) {
            (_, b'0'..=b'9') => b - b'0',
            (16, b'a'..=b'f') => b - b'a' + 10,
            (16, b'A'..=b'F') => b - b'A' + 10,
            (32, _) => {
                let up = b.to_ascii_uppercase();
                let up = match up {
                    b'O' => b'0',
                    b'I' | b'L' => b'1',
                    u => u,
                };
                let mut v = 255;
                let mut i = 0;
                while i < 32 {
                    if CROCKFORD[i] == up {
                        v = i as u8;
                    }
                    i += 1;
                }
                v
            }
            _ => 255,
        };
        c += 1;
    }
    t
}
static HEX_DIGITS: [u8; 256] = table(16);
static BASE32_DIGITS: [u8; 256] = table(32);

/// Exact width of every encoded wide ID (`None` for decimal, 1..=39).
pub fn wide_width(e: Encoding) -> Option<usize> {
    match e {
        Encoding::Hex => Some(32),
        Encoding::Base32 => Some(26),
        Encoding::Base62 => Some(22),
        _ => None,
    }
}

fn radix(e: Encoding) -> u128 {
    match e {
        Encoding::Hex => 16,
        Encoding::Base32 => 32,
        Encoding::Base62 => 62,
        _ => 10,
    }
}

fn digit_value(e: Encoding, c: u8) -> Option<u128> {
    let v = match (e, c) {
        (_, b'0'..=b'9') => c - b'0',
        (Encoding::Hex, b'a'..=b'f') => c - b'a' + 10,
        (Encoding::Hex, b'A'..=b'F') => c - b'A' + 10,
        (Encoding::Base32, _) => {
            let up = match c.to_ascii_uppercase() {
                b'O' => b'0',
                b'I' | b'L' => b'1',
                u => u,
            };
            return CROCKFORD.iter().position(|&a| a == up).map(|p| p as u128);
        }
        (Encoding::Base62, b'A'..=b'Z') => c - b'A' + 10,
        (Encoding::Base62, b'a'..=b'z') => c - b'a' + 36,
        _ => return None,
    };
    Some(v.into())
}

/// Writes `id` into `buf` and returns the written prefix (always ASCII).
pub fn encode_wide_into(e: Encoding, id: u128, buf: &mut [u8; MAX_WIDE_ENCODED_LEN]) -> &str {
    let start = match e {
        // Power-of-two radixes: shifts only, no 128-bit division.
        Encoding::Hex => {
            let start = MAX_WIDE_ENCODED_LEN - 32;
            // Two 64-bit halves: 64-bit shifts only.
            for (half, word) in [(id >> 64) as u64, id as u64].into_iter().enumerate() {
                let out = &mut buf[start + 16 * half..start + 16 * half + 16];
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = HEX[((word >> (4 * (15 - i))) & 0xf) as usize];
                }
            }
            start
        }
        Encoding::Base32 => {
            let start = MAX_WIDE_ENCODED_LEN - 26;
            for (i, slot) in buf[start..].iter_mut().enumerate() {
                *slot = CROCKFORD[((id >> (5 * (25 - i))) & 0x1f) as usize];
            }
            start
        }
        _ => {
            // Split off 64-bit chunks of `per` digits with one 128-bit
            // division each, then use 64-bit division for the digits.
            let (r, per): (u64, usize) = if e == Encoding::Base62 {
                (62, 10)
            } else {
                (10, 19)
            };
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
    std::str::from_utf8(&buf[start..]).expect("alphabets are ASCII")
}

/// `id` as a `String` in encoding `e`.
pub fn encode_wide(e: Encoding, id: u128) -> String {
    let mut buf = [0; MAX_WIDE_ENCODED_LEN];
    encode_wide_into(e, id, &mut buf).to_owned()
}

/// Parses a wide ID; errors name the problem (empty, length, character) and
/// a value above 2^128 - 1 is [`Error::InvalidSetting`].
pub fn parse_wide(e: Encoding, s: &str) -> Result<u128> {
    let enc = e.name();
    if s.is_empty() {
        return Err(Error::ParseEmpty { encoding: enc });
    }
    let (min, max) = match wide_width(e) {
        Some(w) => (w, w),
        None => (1, MAX_WIDE_ENCODED_LEN),
    };
    let len = s.chars().count();
    if len < min || len > max {
        return Err(Error::ParseLength {
            encoding: enc,
            got: len as u64,
            min: min as u64,
            max: max as u64,
        });
    }
    if let Some((digits, bits)) = match e {
        Encoding::Hex => Some((&HEX_DIGITS, 4)),
        Encoding::Base32 => Some((&BASE32_DIGITS, 5)),
        _ => None,
    } {
        // Fixed width, power-of-two radix: a table lookup and a shift per
        // digit; anything unusual goes to the exact path below for its error.
        let b = s.as_bytes();
        if b.len() == min && (bits == 4 || digits[b[0] as usize] < 8) {
            let (mut hi, mut lo, mut bad) = (0u64, 0u64, false);
            for &c in b {
                let d = digits[c as usize];
                bad |= d == 255;
                hi = (hi << bits) | (lo >> (64 - bits));
                lo = (lo << bits) | u64::from(d & 31);
            }
            if !bad {
                return Ok((u128::from(hi) << 64) | u128::from(lo));
            }
        }
    }
    if matches!(e, Encoding::Decimal | Encoding::Base62) {
        // Digits in 64-bit chunks (19 decimal or 10 base62 digits), one
        // 128-bit multiply-add per chunk; anything unusual (a bad character,
        // an overflow) goes to the exact path below for its error.
        let (r, per): (u64, usize) = if e == Encoding::Base62 {
            (62, 10)
        } else {
            (10, 19)
        };
        let b = s.as_bytes();
        let mut value: u128 = 0;
        let mut ok = true;
        for chunk in b.rchunks(per).rev() {
            let mut part: u64 = 0;
            for &c in chunk {
                match digit_value(e, c) {
                    Some(d) => part = part * r + d as u64,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            let scale = u128::from(r).pow(chunk.len() as u32);
            match value
                .checked_mul(scale)
                .and_then(|v| v.checked_add(u128::from(part)))
            {
                Some(v) if ok => value = v,
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok(value);
        }
    }
    let mut value: u128 = 0;
    let mut overflow = false;
    for (position, ch) in s.chars().enumerate() {
        let d = u8::try_from(ch)
            .ok()
            .and_then(|b| digit_value(e, b))
            .ok_or(Error::ParseCharacter {
                encoding: enc,
                character: ch,
                position: position as u64,
            })?;
        match value.checked_mul(radix(e)).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if overflow {
        return Err(Error::InvalidSetting {
            setting: format!("{enc} id"),
            value: format!("{s:?}"),
            expected: format!("a 128-bit id: at most {}", u128::MAX),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ENCODINGS;

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
