//! IDs wider than 64 bits, and narrower ones that stay exact in JavaScript.
//!
//! - [`WideLayout`]: a layout of any width up to 128 bits (IDs are `u128`),
//!   with the 64-bit rules for fields, names, epoch and tick, plus: the
//!   sequence is at most 62 bits and the node fields at most 62 bits in all.
//!   Presets: [`WideLayout::wide128`] (64-bit Unix ms | 16 datacenter |
//!   32 worker | 16 sequence), [`WideLayout::jssafe`] (53 bits: every ID
//!   is at most 2^53 - 1), [`WideLayout::uuid7`] (a UUID version 7 with the
//!   node numbers in `rand_b`) and [`WideLayout::ulid`]; the last two have
//!   constant fields (version, variant) and random ones.
//! - [`encode_uuid`] / [`parse_uuid`] and [`encode_ulid`] / [`parse_ulid`]:
//!   the canonical UUID text and the ULID's 26 characters.
//! - [`WideGenerator`]: lock-free, one 64-bit compare-and-swap per ID (the
//!   tick and sequence are one word; the node bits are constant), with the
//!   64-bit generator's safety: node sources, slot locks, the high-water
//!   mark, clock regressions, the fork rule.
//! - [`encode_wide`] / [`parse_wide`]: decimal, hex (32), Crockford base32
//!   (26) and base62 (22); the fixed-width forms sort like the numbers.
//!
//! ```
//! use snowid::wide::{WideConfig, WideGenerator, WideLayout, encode_wide};
//! use snowid::Encoding;
//! let g = WideGenerator::new(WideConfig::new(WideLayout::wide128(), &[1, 7]))?;
//! let id: u128 = g.next_id()?;
//! assert_eq!(&g.layout().decode(id)?.nodes[..2], &[1, 7]);
//! assert_eq!(encode_wide(Encoding::Hex, id).len(), 32);
//! # Ok::<(), snowid::Error>(())
//! ```

mod generator;
mod layout;
mod random;
mod text;
mod uuid;

pub use generator::{
    resolve_wide, resolve_wide_default, wide_layout_of, WideConfig, WideGenerator, WideSettings,
};
pub use layout::{
    WideCapacity, WideField, WideLayout, WideSpec, JS_SAFE_BITS, MAX_WIDE_BITS, MAX_WIDE_NODE_BITS,
    MAX_WIDE_SEQUENCE_BITS, MAX_WIDE_TIMESTAMP_BITS, WIDE_PRESETS,
};
pub use text::{
    encode_wide, encode_wide_into, id_value, parse_wide, wide_width, MAX_WIDE_ENCODED_LEN,
};

pub use uuid::{
    encode_ulid, encode_ulid_into, encode_uuid, encode_uuid_into, parse_ulid, parse_uuid,
    ULID_TEXT_LEN, UUID_TEXT_LEN,
};

// The options only a wide generator reads (beside the generator options),
// declared in the options table.
pub use crate::option_table::WIDE_OPTION_NAMES;
