//! UUIDv7 and ULID (`snowid::default::{uuid7, ulid}`, the text forms of
//! `snowid::wide`), and the same from explicit wide generators of those
//! presets. A UUID crosses as its two 64-bit halves, the two `Long`s of
//! `java.util.UUID(mostSigBits, leastSigBits)`; the facade builds the UUID.

use crate::wide::NativeWideGenerator;
use crate::Result;

/// A UUID's 128 bits as `java.util.UUID` holds them.
#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UuidBits {
    /// The most significant 64 bits.
    pub msb: i64,
    /// The least significant 64 bits.
    pub lsb: i64,
}

fn bits(id: u128) -> UuidBits {
    UuidBits {
        msb: (id >> 64) as u64 as i64,
        lsb: id as u64 as i64,
    }
}

/// A UUID version 7 from the process's default `uuid7` generator (created
/// on first use from the `SNOWID_*` environment or a machine-local slot).
#[uniffi::export]
pub fn uuid7_bits() -> Result<UuidBits> {
    Ok(bits(snowid::default::uuid7()?))
}

/// A ULID (26 characters of Crockford base32) from the process's default
/// `ulid` generator.
#[uniffi::export]
pub fn ulid() -> Result<String> {
    Ok(snowid::wide::encode_ulid(snowid::default::ulid()?))
}

/// A ULID's text as its 128 bits, decimal: case-insensitive, `I`/`L` read
/// as 1 and `O` as 0; a first character above `7` is `INVALID_SETTING`.
#[uniffi::export]
pub fn parse_ulid(text: String) -> Result<String> {
    Ok(snowid::wide::parse_ulid(&text)?.to_string())
}

/// A UUID's canonical text (either case) as its two halves (stricter than
/// `java.util.UUID.fromString`: exactly `8-4-4-4-12`).
#[uniffi::export]
pub fn parse_uuid(text: String) -> Result<UuidBits> {
    Ok(bits(snowid::wide::parse_uuid(&text)?))
}

#[uniffi::export]
impl NativeWideGenerator {
    /// The next ID of a generator of layout `uuid7`, as UUID halves.
    pub fn next_uuid_bits(&self) -> Result<UuidBits> {
        self.inner.layout().require_preset("uuid7")?;
        Ok(bits(self.inner.next_id()?))
    }
    /// The next ID of a generator of layout `ulid`, as a ULID.
    pub fn next_ulid(&self) -> Result<String> {
        self.inner.layout().require_preset("ulid")?;
        Ok(snowid::wide::encode_ulid(self.inner.next_id()?))
    }
}
