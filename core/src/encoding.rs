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

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

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

    fn radix(self) -> u64 {
        match self {
            Encoding::Decimal => 10,
            Encoding::Hex => 16,
            Encoding::Base32 => 32,
            Encoding::Base62 => 62,
        }
    }

    fn digit_char(self, d: u64) -> u8 {
        match self {
            Encoding::Decimal => b'0' + d as u8,
            Encoding::Hex => b"0123456789abcdef"[d as usize],
            Encoding::Base32 => CROCKFORD[d as usize],
            Encoding::Base62 => BASE62[d as usize],
        }
    }

    fn digit_value(self, c: u8) -> Option<u64> {
        let v = match (self, c) {
            (_, b'0'..=b'9') => c - b'0',
            (Encoding::Hex, b'a'..=b'f') => c - b'a' + 10,
            (Encoding::Hex, b'A'..=b'F') => c - b'A' + 10,
            (Encoding::Base32, _) => {
                let up = match c.to_ascii_uppercase() {
                    b'O' => b'0',
                    b'I' | b'L' => b'1',
                    u => u,
                };
                return CROCKFORD.iter().position(|&a| a == up).map(|p| p as u64);
            }
            (Encoding::Base62, b'A'..=b'Z') => c - b'A' + 10,
            (Encoding::Base62, b'a'..=b'z') => c - b'a' + 36,
            _ => return None,
        };
        Some(v.into())
    }

    /// Writes `id` into `buf` and returns the written prefix. `buf` must hold
    /// [`MAX_ENCODED_LEN`] bytes; the result is always ASCII.
    pub fn encode_into(self, id: u64, buf: &mut [u8; MAX_ENCODED_LEN]) -> &str {
        let radix = self.radix();
        let mut n = id;
        let mut i = MAX_ENCODED_LEN;
        let width = self.width().unwrap_or(1);
        while n > 0 || MAX_ENCODED_LEN - i < width {
            i -= 1;
            buf[i] = self.digit_char(n % radix);
            n /= radix;
        }
        std::str::from_utf8(&buf[i..]).expect("alphabets are ASCII")
    }

    /// `id` as a `String`.
    pub fn encode(self, id: u64) -> String {
        let mut buf = [0; MAX_ENCODED_LEN];
        self.encode_into(id, &mut buf).to_owned()
    }

    /// Parses a string of this encoding.
    pub fn parse(self, s: &str) -> Result<u64> {
        let enc = self.name();
        if s.is_empty() {
            return Err(Error::ParseEmpty { encoding: enc });
        }
        let (min, max) = match self.width() {
            Some(w) => (w, w),
            None => (1, MAX_ENCODED_LEN),
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
        let mut value: u64 = 0;
        let mut overflow = false;
        for (position, ch) in s.chars().enumerate() {
            let d = u8::try_from(ch)
                .ok()
                .and_then(|b| self.digit_value(b))
                .ok_or(Error::ParseCharacter {
                    encoding: enc,
                    character: ch,
                    position: position as u64,
                })?;
            match value
                .checked_mul(self.radix())
                .and_then(|v| v.checked_add(d))
            {
                Some(v) => value = v,
                None => overflow = true,
            }
        }
        if overflow {
            return Err(Error::ParseOverflow {
                encoding: enc,
                input: s.to_owned(),
                max: u64::MAX,
            });
        }
        Ok(value)
    }
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
}
