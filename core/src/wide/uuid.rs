//! The text forms of UUIDs and ULIDs.
//!
//! - UUID: the canonical `8-4-4-4-12` form of RFC 9562, lower case
//!   (`018f3c1e-7d2a-7000-8000-000000000000`); parsing also takes upper
//!   case. Only the canonical 36 characters: braces (`{...}`), the
//!   `urn:uuid:` prefix and the 32 digits without hyphens are refused with
//!   a coded error (`PARSE_LENGTH`, `PARSE_CHARACTER`), so one UUID has one
//!   text everywhere; a host's own UUID type reads the other forms.
//! - ULID: 26 characters of Crockford base32, upper case (the wide
//!   `base32` encoding). Parsing is case-insensitive, reads `I` and `L` as
//!   1 and `O` as 0 (Crockford's decoding, which the ULID spec adopts),
//!   refuses `U` and anything else outside the alphabet, and refuses a
//!   first character above `7` (the text would exceed 128 bits).
//!
//! Both parse any 128-bit value: whether it is a uuid7 of this library is
//! the layout's question ([`WideLayout::decode`](super::WideLayout::decode)
//! checks the version and variant).

use crate::encoding::{hex16, parse_hex16, Encoding};
use crate::error::{Error, Result};

use super::text::{encode_wide_into, parse_wide, MAX_WIDE_ENCODED_LEN};
use super::WideLayout;

impl WideLayout {
    /// `Ok` when this is the preset `preset` (`uuid7`, `ulid`), else the
    /// error a binding raises when asked for a UUID or a ULID from a
    /// generator of another layout (its IDs would not be one: a `wide128`
    /// ID has no version 7, its time is not 48 bits of ms).
    pub fn require_preset(&self, preset: &str) -> Result<()> {
        // Bindings ask once per ID: the presets are built once.
        static PRESETS: std::sync::OnceLock<[WideLayout; 2]> = std::sync::OnceLock::new();
        let [uuid7, ulid] = PRESETS.get_or_init(|| [WideLayout::uuid7(), WideLayout::ulid()]);
        let wanted = match preset {
            "uuid7" => Some(uuid7),
            "ulid" => Some(ulid),
            _ => None,
        };
        if wanted.is_some_and(|w| std::ptr::eq(w, self) || w == self) {
            return Ok(());
        }
        Err(Error::InvalidSetting {
            setting: "layout".into(),
            value: format!("{:?}", self.name()),
            expected: format!("the \"{preset}\" preset (a generator made with layout=\"{preset}\") for a {preset} ID"),
        })
    }
}

/// Length of a UUID's canonical text.
pub const UUID_TEXT_LEN: usize = 36;
/// Length of a ULID's text.
pub const ULID_TEXT_LEN: usize = 26;

/// Where the hyphens of a canonical UUID are.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Writes `id` as a canonical UUID (lower case) into `buf`.
#[inline]
pub fn encode_uuid_into(id: u128, buf: &mut [u8; UUID_TEXT_LEN]) -> &str {
    let mut digits = [0u8; 32];
    digits[..16].copy_from_slice(&hex16((id >> 64) as u64));
    digits[16..].copy_from_slice(&hex16(id as u64));
    let mut from = 0;
    let mut to = 0;
    for end in HYPHENS.into_iter().chain([UUID_TEXT_LEN]) {
        let n = end - to;
        buf[to..end].copy_from_slice(&digits[from..from + n]);
        from += n;
        if end < UUID_TEXT_LEN {
            buf[end] = b'-';
        }
        to = end + 1;
    }
    crate::encoding::ascii(&buf[..])
}

/// `id` as a canonical UUID, lower case.
pub fn encode_uuid(id: u128) -> String {
    let mut buf = [0; UUID_TEXT_LEN];
    encode_uuid_into(id, &mut buf).to_owned()
}

/// A UUID's canonical text (either case) as its 128-bit value. Errors:
/// `PARSE_EMPTY`, `PARSE_LENGTH` (not 36 characters), `PARSE_CHARACTER`
/// (a non-hex digit, or anything but `-` at positions 8, 13, 18, 23).
pub fn parse_uuid(s: &str) -> Result<u128> {
    const ENC: &str = "uuid";
    if s.is_empty() {
        return Err(Error::ParseEmpty { encoding: ENC });
    }
    let len = s.chars().count();
    if len != UUID_TEXT_LEN {
        return Err(Error::ParseLength {
            encoding: ENC,
            got: len as u64,
            min: UUID_TEXT_LEN as u64,
            max: UUID_TEXT_LEN as u64,
        });
    }
    let b = s.as_bytes();
    let mut digits = [0u8; 32];
    let mut n = 0;
    for (position, ch) in s.chars().enumerate() {
        let ok = if HYPHENS.contains(&position) {
            ch == '-'
        } else {
            ch.is_ascii_hexdigit()
        };
        if !ok {
            return Err(Error::ParseCharacter {
                encoding: ENC,
                character: ch,
                position: position as u64,
            });
        }
        if ch != '-' {
            digits[n] = b[position];
            n += 1;
        }
    }
    let hi = parse_hex16(&digits[..16]).expect("16 hex digits");
    let lo = parse_hex16(&digits[16..]).expect("16 hex digits");
    Ok((u128::from(hi) << 64) | u128::from(lo))
}

/// Writes `id` as a ULID (26 characters of Crockford base32) into `buf`.
#[inline]
pub fn encode_ulid_into(id: u128, buf: &mut [u8; MAX_WIDE_ENCODED_LEN]) -> &str {
    encode_wide_into(Encoding::Base32, id, buf)
}

/// `id` as a ULID: 26 characters of Crockford base32, upper case.
pub fn encode_ulid(id: u128) -> String {
    let mut buf = [0; MAX_WIDE_ENCODED_LEN];
    encode_ulid_into(id, &mut buf).to_owned()
}

/// A ULID's text as its 128-bit value: case-insensitive, `I`/`L` read as
/// 1 and `O` as 0. Errors: `PARSE_EMPTY`, `PARSE_LENGTH` (not 26
/// characters), `PARSE_CHARACTER` (outside the alphabet, `U` included),
/// `INVALID_SETTING` naming the text when its first character is above `7`
/// (more than 128 bits).
pub fn parse_ulid(s: &str) -> Result<u128> {
    const ENC: &str = "ulid";
    parse_wide(Encoding::Base32, s).map_err(|e| match e {
        Error::ParseEmpty { .. } => Error::ParseEmpty { encoding: ENC },
        Error::ParseLength { got, min, max, .. } => Error::ParseLength {
            encoding: ENC,
            got,
            min,
            max,
        },
        Error::ParseCharacter {
            character,
            position,
            ..
        } => Error::ParseCharacter {
            encoding: ENC,
            character,
            position,
        },
        _ => Error::InvalidSetting {
            setting: "ulid".into(),
            value: format!("{s:?}"),
            expected: "a ULID of at most 128 bits: its first character 0-7 (at most 7ZZZZZZZZZZZZZZZZZZZZZZZZZ)".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_preset_makes_its_ids() {
        assert!(WideLayout::uuid7().require_preset("uuid7").is_ok());
        let e = WideLayout::wide128().require_preset("uuid7").unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING");
        assert!(e.to_string().contains("wide128"), "{e}");
        assert!(WideLayout::ulid().require_preset("uuid7").is_err());
    }

    #[test]
    fn uuid_text_round_trips_in_either_case() {
        let id = 0x018f_3c1e_7d2a_7abc_8def_0123_4567_89abu128;
        let s = encode_uuid(id);
        assert_eq!(s, "018f3c1e-7d2a-7abc-8def-0123456789ab");
        assert_eq!(parse_uuid(&s).unwrap(), id);
        assert_eq!(parse_uuid(&s.to_uppercase()).unwrap(), id);
        assert_eq!(
            encode_uuid(u128::MAX),
            "ffffffff-ffff-ffff-ffff-ffffffffffff"
        );
        assert_eq!(parse_uuid(&encode_uuid(0)).unwrap(), 0);
    }

    #[test]
    fn uuid_other_forms_are_refused_with_codes() {
        let s = "018f3c1e-7d2a-7abc-8def-0123456789ab";
        for (bad, code) in [
            ("", "PARSE_EMPTY"),
            ("{018f3c1e-7d2a-7abc-8def-0123456789ab}", "PARSE_LENGTH"),
            (
                "urn:uuid:018f3c1e-7d2a-7abc-8def-0123456789ab",
                "PARSE_LENGTH",
            ),
            ("018f3c1e7d2a7abc8def0123456789ab", "PARSE_LENGTH"),
            ("018f3c1e-7d2a-7abc-8def-0123456789ag", "PARSE_CHARACTER"),
            ("018f3c1e07d2a-7abc-8def-0123456789ab", "PARSE_CHARACTER"),
            ("018f3c1e-7d2a-7abc-8def-0123456789aé", "PARSE_CHARACTER"),
        ] {
            let e = parse_uuid(bad).unwrap_err();
            assert_eq!(e.code(), code, "{bad}: {e}");
        }
        let e = parse_uuid(&s.replace('7', "x")).unwrap_err();
        assert!(e.to_string().contains("'x' at position 9"), "{e}");
    }

    #[test]
    fn ulid_text_follows_the_spec() {
        let id = 0x0191_2345_6789_abcd_ef01_2345_6789_abcdu128;
        let s = encode_ulid(id);
        assert_eq!(s.len(), ULID_TEXT_LEN);
        assert_eq!(parse_ulid(&s).unwrap(), id);
        assert_eq!(parse_ulid(&s.to_lowercase()).unwrap(), id);
        // Crockford: I and L read as 1, O as 0.
        let ones = "01ARZ3NDEKTSV4RRFFQ69G5FAV".replace('1', "I");
        assert_eq!(
            parse_ulid(&ones).unwrap(),
            parse_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap()
        );
        assert_eq!(
            parse_ulid("OLARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
            parse_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap()
        );
        assert_eq!(parse_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ").unwrap(), u128::MAX);
        let e = parse_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING");
        assert!(e.to_string().contains("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"), "{e}");
        let e = parse_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAU").unwrap_err();
        assert_eq!(e.code(), "PARSE_CHARACTER");
        assert!(e.to_string().contains("ulid"), "{e}");
        assert_eq!(parse_ulid("01ARZ").unwrap_err().code(), "PARSE_LENGTH");
        assert_eq!(parse_ulid("").unwrap_err().code(), "PARSE_EMPTY");
    }
}
