//! Text forms of an ID. Hex, base32 and base62 are fixed-width, so string
//! order equals numeric order (sort the strings, you sort the IDs).
//!
//! | encoding | width | alphabet |
//! |---|---|---|
//! | `decimal` | 1..=20 | `0-9` (not fixed width: for display and JSON) |
//! | `hex` | 16 | `0-9a-f` (parsing accepts `A-F` too) |
//! | `base32` | 13 | Crockford `0-9A-HJKMNP-TV-Z`; parsing is case-insensitive and reads `I`/`L` as 1, `O` as 0 |
//! | `base62` | 11 | `0-9A-Za-z`, in ASCII order; case-sensitive |

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::word::Word;

/// A text form of an ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Plain decimal, no padding.
    Decimal,
    /// 16 lowercase hex digits.
    Hex,
    /// 13 Crockford base32 digits, upper case.
    Base32,
    /// 11 base62 digits.
    Base62,
}

/// All encodings, in the order of their numbers in the C ABI.
pub const ENCODINGS: [Encoding; 4] = [
    Encoding::Decimal,
    Encoding::Hex,
    Encoding::Base32,
    Encoding::Base62,
];

/// Longest encoded ID in bytes (a 20-digit decimal).
pub const MAX_ENCODED_LEN: usize = 20;

pub(crate) const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub(crate) const BASE62: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl Encoding {
    /// The encoding's name: `decimal`, `hex`, `base32`, `base62`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Decimal => "decimal",
            Encoding::Hex => "hex",
            Encoding::Base32 => "base32",
            Encoding::Base62 => "base62",
        }
    }

    /// Looks an encoding up by name.
    pub fn from_name(name: &str) -> Result<Self> {
        ENCODINGS
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| Error::UnknownEncoding {
                name: name.to_owned(),
            })
    }

    /// Exact width of every encoded ID (`None` for decimal, which is 1..=20).
    pub fn width(self) -> Option<usize> {
        match self {
            Encoding::Decimal => None,
            Encoding::Hex => Some(16),
            Encoding::Base32 => Some(13),
            Encoding::Base62 => Some(11),
        }
    }

    pub(crate) fn radix(self) -> u64 {
        match self {
            Encoding::Decimal => 10,
            Encoding::Hex => 16,
            Encoding::Base32 => 32,
            Encoding::Base62 => 62,
        }
    }

    /// Each byte's digit value in this encoding, or [`INVALID`].
    #[inline(always)]
    pub(crate) fn values(self) -> &'static [u8; 256] {
        match self {
            Encoding::Decimal => &DECIMAL_VALUES,
            Encoding::Hex => &HEX_VALUES,
            Encoding::Base32 => &CROCKFORD_VALUES,
            Encoding::Base62 => &BASE62_VALUES,
        }
    }

    /// Checks that `s` is not empty and has this encoding's length in
    /// characters: `width`, or 1..=`max_len` when there is none (decimal).
    pub(crate) fn check_length(self, s: &str, width: Option<usize>, max_len: usize) -> Result<()> {
        let enc = self.name();
        if s.is_empty() {
            return Err(Error::ParseEmpty { encoding: enc });
        }
        let (min, max) = match width {
            Some(w) => (w, w),
            None => (1, max_len),
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
        Ok(())
    }

    /// The digits of `s` as a number held in `W`, character by character:
    /// the first bad character and its position is the error; `Ok(None)`
    /// when every character is a digit but the number does not fit `W`.
    pub(crate) fn parse_digits<W: Word>(self, s: &str) -> Result<Option<W>> {
        let values = self.values();
        let mut value = Some(W::ZERO);
        for (position, ch) in s.chars().enumerate() {
            let d = match u8::try_from(ch) {
                Ok(b) if values[b as usize] != INVALID => values[b as usize],
                _ => {
                    return Err(Error::ParseCharacter {
                        encoding: self.name(),
                        character: ch,
                        position: position as u64,
                    })
                }
            };
            value = value.and_then(|v| v.mul_add(self.radix(), d.into()));
        }
        Ok(value)
    }

    /// Writes `id` into `buf` and returns the written prefix. `buf` must hold
    /// [`MAX_ENCODED_LEN`] bytes; the result is always ASCII.
    ///
    /// Straight-line code per encoding, no division by a runtime radix:
    /// decimal is `itoa`; hex and base32 read fixed bit groups through a
    /// table; base62 splits the number into three parts that fit 32 bits.
    #[inline]
    pub fn encode_into(self, id: u64, buf: &mut [u8; MAX_ENCODED_LEN]) -> &str {
        let start = match self {
            Encoding::Decimal => encode_decimal(id, buf),
            Encoding::Hex => {
                buf[4..].copy_from_slice(&hex16(id));
                4
            }
            Encoding::Base32 => {
                encode_bits::<u64, 13, 5>(id, CROCKFORD, (&mut buf[7..]).try_into().unwrap());
                7
            }
            Encoding::Base62 => {
                // id = top * 62^10 + high * 62^6 + low: one digit, then two
                // independent chains of digit pairs (4 and 6 digits), so
                // only three divisions are in sequence.
                const P2: u64 = 62 * 62;
                const P6: u64 = P2 * P2 * P2;
                const P10: u64 = P6 * P2 * P2;
                let top = id / P10;
                let rest = id % P10;
                let (high, low) = (rest / P6, rest % P6);
                buf[9] = BASE62[top as usize];
                let pair = |v: u64| &BASE62_PAIRS[2 * v as usize..2 * v as usize + 2];
                buf[10..12].copy_from_slice(pair(high / P2));
                buf[12..14].copy_from_slice(pair(high % P2));
                let (low_hi, low_lo) = (low / P2, low % P2);
                buf[14..16].copy_from_slice(pair(low_hi / P2));
                buf[16..18].copy_from_slice(pair(low_hi % P2));
                buf[18..20].copy_from_slice(pair(low_lo));
                9
            }
        };
        ascii(&buf[start..])
    }

    /// `id` as a `String`.
    pub fn encode(self, id: u64) -> String {
        let mut buf = [0; MAX_ENCODED_LEN];
        self.encode_into(id, &mut buf).to_owned()
    }

    /// Parses a string of this encoding.
    ///
    /// The common case (ASCII of the exact width, every character valid, no
    /// overflow) takes a table-driven loop without branches per character;
    /// anything else goes to [`Self::parse_slow`], which names the error.
    #[inline]
    pub fn parse(self, s: &str) -> Result<u64> {
        let b = s.as_bytes();
        let fast = match self {
            Encoding::Decimal => parse_decimal(b),
            Encoding::Hex => parse_hex16(b),
            Encoding::Base32 => {
                // The first of 13 digits carries 4 bits: 13 * 5 = 65.
                parse_table::<u64, 13, 5>(b, &CROCKFORD_VALUES)
                    .filter(|_| CROCKFORD_VALUES[b[0] as usize] < 16)
            }
            Encoding::Base62 => parse_base62(b),
        };
        match fast {
            Some(v) => Ok(v),
            None => self.parse_slow(s),
        }
    }

    /// The reference parser: character by character, with the exact error
    /// (empty, length in characters, first bad character and its position,
    /// overflow).
    #[cold]
    fn parse_slow(self, s: &str) -> Result<u64> {
        self.check_length(s, self.width(), MAX_ENCODED_LEN)?;
        self.parse_digits(s)?.ok_or_else(|| Error::ParseOverflow {
            encoding: self.name(),
            input: s.to_owned(),
            max: u64::MAX,
        })
    }
}

/// Encoded digits as a `str` without a second pass over them: the
/// encoders write only bytes of their ASCII alphabets (checked in debug
/// builds).
#[inline(always)]
pub(crate) fn ascii(digits: &[u8]) -> &str {
    debug_assert!(digits.is_ascii());
    // SAFETY: every caller passes bytes it just wrote from one of the ASCII
    // alphabets (checked in debug builds), and ASCII is UTF-8.
    unsafe { std::str::from_utf8_unchecked(digits) }
}

/// `BASE62_PAIRS[2 * n..2 * n + 2]`: the two base62 digits of `n < 62^2`.
static BASE62_PAIRS: [u8; 2 * 62 * 62] = {
    let mut t = [0u8; 2 * 62 * 62];
    let mut i = 0;
    while i < 62 * 62 {
        t[2 * i] = BASE62[i / 62];
        t[2 * i + 1] = BASE62[i % 62];
        i += 1;
    }
    t
};

/// `lane` repeated every `bits` bits across 128 bits (the masks of the
/// one-register hex encoder and parser).
const fn rep(lane: u128, bits: u32) -> u128 {
    let mut x = 0u128;
    let mut i = 0;
    while i < 128 {
        x |= lane << i;
        i += bits;
    }
    x
}

/// Exactly 16 hex digits (either case), in one 128-bit register: checks
/// every byte's range at once, turns each into its nibble, then packs the
/// nibbles. `None` when the length is not 16 bytes or a byte is not a digit.
#[inline(always)]
pub(crate) fn parse_hex16(b: &[u8]) -> Option<u64> {
    const ONES: u128 = u128::MAX / 255;
    const HIGH: u128 = ONES * 0x80;
    let digits: &[u8; 16] = b.try_into().ok()?;
    let x = u128::from_be_bytes(*digits);
    if x & HIGH != 0 {
        return None; // not ASCII
    }
    // For bytes below 0x80: bit 7 of `x + (0x80 - lo)` is set iff the byte
    // is >= lo, and bit 7 of `x + (0x7F - hi)` iff it is > hi. No sum
    // carries into the next byte.
    let in_range =
        |v: u128, lo: u128, hi: u128| (v + ONES * (0x80 - lo)) & !(v + ONES * (0x7F - hi)) & HIGH;
    let is_digit = in_range(x, 0x30, 0x39);
    let is_letter = in_range(x | (ONES * 0x20), 0x61, 0x66);
    if is_digit | is_letter != HIGH {
        return None;
    }
    // '0'..'9' -> 0..9; 'a'..'f' / 'A'..'F' -> 1..6, plus 9.
    let mut v = (x & (ONES * 0x0F)) + (is_letter >> 7) * 9;
    // Pack: byte k (from the most significant) holds nibble k.
    v = ((v >> 4) | v) & rep(0x00FF, 16);
    v = ((v >> 8) | v) & rep(0xFFFF, 32);
    v = ((v >> 16) | v) & rep(0xFFFF_FFFF, 64);
    v = ((v >> 32) | v) & rep(u64::MAX as u128, 128);
    Some(v as u64)
}

/// `DEC_PAIRS[2 * n..2 * n + 2]`: the two decimal digits of `n < 100`.
static DEC_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Decimal digits of `id` at the end of `buf` (the algorithm of `itoa`:
/// four digits per division by 10000, two per table lookup); returns where
/// they start.
#[inline(always)]
fn encode_decimal(mut n: u64, buf: &mut [u8; MAX_ENCODED_LEN]) -> usize {
    let mut i = MAX_ENCODED_LEN;
    while n >= 10_000 {
        let rem = (n % 10_000) as usize;
        n /= 10_000;
        let (hi, lo) = (rem / 100 * 2, rem % 100 * 2);
        buf[i - 4..i - 2].copy_from_slice(&DEC_PAIRS[hi..hi + 2]);
        buf[i - 2..i].copy_from_slice(&DEC_PAIRS[lo..lo + 2]);
        i -= 4;
    }
    let mut n = n as usize;
    if n >= 100 {
        let lo = n % 100 * 2;
        n /= 100;
        buf[i - 2..i].copy_from_slice(&DEC_PAIRS[lo..lo + 2]);
        i -= 2;
    }
    if n >= 10 {
        buf[i - 2..i].copy_from_slice(&DEC_PAIRS[2 * n..2 * n + 2]);
        i -= 2;
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    i
}

/// The 16 lowercase hex digits of `id`, computed in one 128-bit register:
/// each nibble is spread into its own byte, then turned into ASCII without
/// a branch or a table (`'0' + d`, plus 39 more when `d > 9`).
#[inline(always)]
pub(crate) fn hex16(id: u64) -> [u8; 16] {
    let mut x = u128::from(id);
    x = (x & rep(0xFFFF_FFFF, 128)) | ((x & rep(0xFFFF_FFFF << 32, 128)) << 32);
    x = (x & rep(0xFFFF, 64)) | ((x & rep(0xFFFF << 16, 64)) << 16);
    x = (x & rep(0xFF, 32)) | ((x & rep(0xFF << 8, 32)) << 8);
    x = (x & rep(0x0F, 16)) | ((x & rep(0xF0, 16)) << 4);
    // Now byte k (from the most significant) holds nibble k: 0..=15.
    let ones = rep(0x01, 8);
    let above_nine = ((x + 6 * ones) >> 4) & ones;
    (x + 0x30 * ones + 39 * above_nine).to_be_bytes()
}

/// Not a digit, in the value tables below.
pub(crate) const INVALID: u8 = 0xFF;

/// A byte's value in `enc`'s alphabet, or [`INVALID`]: digits `0-9`; hex
/// `a-f` either case; Crockford base32 case-insensitive with `I`/`L` read as
/// 1 and `O` as 0; base62 `A-Z` then `a-z`.
const fn value_table(enc: Encoding) -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match (enc, b) {
            (_, b'0'..=b'9') => b - b'0',
            (Encoding::Hex, b'a'..=b'f') => b - b'a' + 10,
            (Encoding::Hex, b'A'..=b'F') => b - b'A' + 10,
            (Encoding::Base62, b'A'..=b'Z') => b - b'A' + 10,
            (Encoding::Base62, b'a'..=b'z') => b - b'a' + 36,
            (Encoding::Base32, _) => {
                let up = match b.to_ascii_uppercase() {
                    b'O' => b'0',
                    b'I' | b'L' => b'1',
                    u => u,
                };
                let mut v = INVALID;
                let mut i = 0;
                while i < 32 {
                    if CROCKFORD[i] == up {
                        v = i as u8;
                    }
                    i += 1;
                }
                v
            }
            _ => INVALID,
        };
        c += 1;
    }
    t
}

static DECIMAL_VALUES: [u8; 256] = value_table(Encoding::Decimal);
static HEX_VALUES: [u8; 256] = value_table(Encoding::Hex);
pub(crate) static CROCKFORD_VALUES: [u8; 256] = value_table(Encoding::Base32);
static BASE62_VALUES: [u8; 256] = value_table(Encoding::Base62);

/// Exactly `N` digits of `BITS` bits each, into a `W`; `None` when the
/// length is not `N` bytes or a byte is not a digit. The caller checks the
/// top digit for overflow when `N * BITS > W::BITS`.
#[inline(always)]
pub(crate) fn parse_table<W: Word, const N: usize, const BITS: u32>(
    b: &[u8],
    table: &[u8; 256],
) -> Option<W> {
    let digits: &[u8; N] = b.try_into().ok()?;
    let mut value = W::ZERO;
    let mut bad = 0u8;
    for &c in digits {
        let d = table[c as usize];
        bad |= d;
        value = (value << BITS) | W::from_u64(u64::from(d));
    }
    // Every digit is below 128; INVALID has the top bit set.
    (bad & 0x80 == 0).then_some(value)
}

/// The `N` digits of `BITS` bits each of `id` (the low `N * BITS` bits),
/// most significant first, through `alphabet`.
#[inline(always)]
pub(crate) fn encode_bits<W: Word, const N: usize, const BITS: u32>(
    id: W,
    alphabet: &[u8],
    out: &mut [u8; N],
) {
    for (i, slot) in out.iter_mut().enumerate() {
        let shift = BITS * (N - 1 - i) as u32;
        *slot = alphabet[((id >> shift).low_u64() & ((1 << BITS) - 1)) as usize];
    }
}

/// 1 to 20 ASCII decimal digits without overflow, else `None`.
#[inline(always)]
fn parse_decimal(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > MAX_ENCODED_LEN {
        return None;
    }
    // 19 digits never overflow a u64; a 20th is checked.
    let (head, last) = if b.len() == MAX_ENCODED_LEN {
        (&b[..19], Some(b[19]))
    } else {
        (b, None)
    };
    let mut value = 0u64;
    let mut bad = false;
    for &c in head {
        let d = c.wrapping_sub(b'0');
        bad |= d > 9;
        value = value.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    if bad {
        return None;
    }
    match last {
        None => Some(value),
        Some(c) => {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value.checked_mul(10)?.checked_add(u64::from(d))
        }
    }
}

/// Exactly 11 base62 digits without overflow, else `None`.
#[inline(always)]
fn parse_base62(b: &[u8]) -> Option<u64> {
    let digits: &[u8; 11] = b.try_into().ok()?;
    // 62^10 < 2^64: the first ten digits never overflow; the last is checked.
    let mut value = 0u64;
    let mut bad = 0u8;
    for &c in &digits[..10] {
        let d = BASE62_VALUES[c as usize];
        bad |= d;
        value = value.wrapping_mul(62).wrapping_add(u64::from(d));
    }
    let d = BASE62_VALUES[digits[10] as usize];
    if (bad | d) & 0x80 != 0 {
        return None;
    }
    value.checked_mul(62)?.checked_add(u64::from(d))
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Encoding::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes() {
        for e in ENCODINGS {
            assert_eq!(e.parse(&e.encode(0)).unwrap(), 0);
            assert_eq!(e.parse(&e.encode(u64::MAX)).unwrap(), u64::MAX);
        }
        assert_eq!(Encoding::Hex.encode(255), "00000000000000ff");
        assert_eq!(Encoding::Base32.encode(u64::MAX), "FZZZZZZZZZZZZ");
        assert_eq!(Encoding::Base62.encode(u64::MAX), "LygHa16AHYF");
        assert_eq!(Encoding::Decimal.encode(0), "0");
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Encoding::Base62.parse("LygHa16AHYG").unwrap_err();
        assert_eq!(e.code(), "PARSE_OVERFLOW");
        let e = Encoding::Base32.parse("0000000000U00").unwrap_err();
        assert_eq!(
            e,
            Error::ParseCharacter {
                encoding: "base32",
                character: 'U',
                position: 10
            }
        );
        assert_eq!(
            Encoding::Decimal.parse("-1").unwrap_err().code(),
            "PARSE_CHARACTER"
        );
        assert_eq!(
            Encoding::Hex.parse("ff").unwrap_err().code(),
            "PARSE_LENGTH"
        );
        assert_eq!(
            Encoding::Base32.parse("0000000000i0l").unwrap(),
            32 * 32 + 1
        );
    }

    proptest::proptest! {
        /// The fast parsers agree with the reference parser on any input:
        /// the same value, or the same error.
        #[test]
        fn fast_parse_equals_reference(s in "[0-9a-zA-Z_é -]{0,22}", id in proptest::prelude::any::<u64>()) {
            for e in ENCODINGS {
                proptest::prop_assert_eq!(e.parse(&s), e.parse_slow(&s), "{} {:?}", e, s);
                let text = e.encode(id);
                proptest::prop_assert_eq!(e.parse(&text), Ok(id));
                proptest::prop_assert_eq!(e.parse_slow(&text), Ok(id));
            }
        }

        /// Strings of exactly each width (where the fast path runs) with
        /// one character possibly out of the alphabet.
        #[test]
        fn fast_parse_equals_reference_at_width(digits in "[0-9A-Za-z]{20}", at in 0usize..20, c in "[^0-9]") {
            for e in ENCODINGS {
                let w = e.width().unwrap_or(20);
                let mut s: String = digits.chars().take(w).collect();
                if at < w && c.is_ascii() {
                    s.replace_range(at..at + 1, &c);
                }
                proptest::prop_assert_eq!(e.parse(&s), e.parse_slow(&s), "{} {:?}", e, s);
            }
        }
    }

    #[test]
    fn decimal_edges() {
        let d = Encoding::Decimal;
        assert_eq!(d.parse("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            d.parse("09999999999999999999"),
            Ok(9_999_999_999_999_999_999)
        );
        assert_eq!(
            d.parse("18446744073709551616").unwrap_err().code(),
            "PARSE_OVERFLOW"
        );
        assert_eq!(
            d.parse("99999999999999999999").unwrap_err().code(),
            "PARSE_OVERFLOW"
        );
        assert_eq!(
            d.parse("1844674407370955161a").unwrap_err().code(),
            "PARSE_CHARACTER"
        );
        assert_eq!(Encoding::Base32.parse("FZZZZZZZZZZZZ"), Ok(u64::MAX));
        assert_eq!(
            Encoding::Base32.parse("G000000000000").unwrap_err().code(),
            "PARSE_OVERFLOW"
        );
        assert_eq!(Encoding::Base62.parse("LygHa16AHYF"), Ok(u64::MAX));
        assert_eq!(
            Encoding::Base62.parse("zzzzzzzzzzz").unwrap_err().code(),
            "PARSE_OVERFLOW"
        );
    }
}
