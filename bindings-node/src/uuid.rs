//! `uuid7()`, `uuid7Bytes()`, `ulid()` and the UUID and ULID text forms
//! (`snowid::default::{uuid7, ulid}`, `snowid::wide::{encode_uuid,
//! parse_uuid, encode_ulid, parse_ulid}`), and the same on explicit
//! `WideGenerator`s of the presets: `nextUuid()`, `nextUuidBytes()`,
//! `nextUlid()`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use snowid::wide;

use crate::error::OrThrow;
use crate::js::{self, Dates, Js};
use crate::wide::{big128, id_arg, WideGenerator};

fn text_arg(env: &Env, text: Unknown, what: &str) -> Result<Js> {
    let t = js::arg(env, text.raw(), Dates::Object)?;
    let s = t.string("text", what).or_throw(env)?;
    let id = if what.starts_with("a UUID") {
        wide::parse_uuid(s)
    } else {
        wide::parse_ulid(s)
    }
    .or_throw(env)?;
    Ok(Js(big128(env, id)?))
}

/// A UUID version 7 (RFC 9562), canonical lower-case text, from the
/// process's default `uuid7` generator (created on first use from the
/// `SNOWID_*` environment or a machine-local slot): unique by construction
/// (node numbers in `rand_b`), greater than every UUID this process made.
#[napi(catch_unwind)]
pub fn uuid7(env: Env) -> Result<String> {
    Ok(wide::encode_uuid(snowid::default::uuid7().or_throw(&env)?))
}

/// `uuid7()` as its 16 bytes, big-endian (the RFC's byte order).
#[napi(catch_unwind)]
pub fn uuid7_bytes(env: Env) -> Result<Uint8Array> {
    let id = snowid::default::uuid7().or_throw(&env)?;
    Ok(Uint8Array::new(id.to_be_bytes().to_vec()))
}

/// A ULID (26 characters of Crockford base32) from the process's default
/// `ulid` generator: unique by construction, sorted like issue order.
#[napi(catch_unwind)]
pub fn ulid(env: Env) -> Result<String> {
    Ok(wide::encode_ulid(snowid::default::ulid().or_throw(&env)?))
}

/// The canonical text of a 128-bit ID, `8-4-4-4-12` lower-case hex.
#[napi(catch_unwind, ts_args_type = "id: bigint | string | number")]
pub fn encode_uuid(env: Env, id: Unknown) -> Result<String> {
    Ok(wide::encode_uuid(id_arg(&env, id)?))
}

/// A UUID's canonical text (either case) as a bigint; braces, `urn:uuid:`
/// and the 32 digits without hyphens throw `SNOWID_PARSE_*`.
#[napi(catch_unwind, ts_args_type = "text: string", ts_return_type = "bigint")]
pub fn parse_uuid(env: Env, text: Unknown) -> Result<Js> {
    text_arg(&env, text, "a UUID's text")
}

/// A 128-bit ID as a ULID: 26 characters of Crockford base32.
#[napi(catch_unwind, ts_args_type = "id: bigint | string | number")]
pub fn encode_ulid(env: Env, id: Unknown) -> Result<String> {
    Ok(wide::encode_ulid(id_arg(&env, id)?))
}

/// A ULID's text as a bigint: case-insensitive, `I`/`L` read as 1 and `O`
/// as 0; a first character above `7` throws `SNOWID_INVALID_SETTING`.
#[napi(catch_unwind, ts_args_type = "text: string", ts_return_type = "bigint")]
pub fn parse_ulid(env: Env, text: Unknown) -> Result<Js> {
    text_arg(&env, text, "a ULID's text")
}

#[napi]
impl WideGenerator {
    /// The next ID as a UUID's canonical text (layout `'uuid7'` only).
    #[napi(catch_unwind)]
    pub fn next_uuid(&self, env: Env) -> Result<String> {
        Ok(wide::encode_uuid(self.preset_id(&env, "uuid7")?))
    }
    /// The next ID as a UUID's 16 bytes (layout `'uuid7'` only).
    #[napi(catch_unwind)]
    pub fn next_uuid_bytes(&self, env: Env) -> Result<Uint8Array> {
        let id = self.preset_id(&env, "uuid7")?;
        Ok(Uint8Array::new(id.to_be_bytes().to_vec()))
    }
    /// The next ID as a ULID (layout `'ulid'` only).
    #[napi(catch_unwind)]
    pub fn next_ulid(&self, env: Env) -> Result<String> {
        Ok(wide::encode_ulid(self.preset_id(&env, "ulid")?))
    }
}

impl WideGenerator {
    /// The next ID of a generator that must have layout `preset`.
    fn preset_id(&self, env: &Env, preset: &str) -> Result<u128> {
        self.inner.layout().require_preset(preset).or_throw(env)?;
        self.inner.next_id().or_throw(env)
    }
}
