//! `PublicIds`: keyed public IDs (the core's `public_id`). The key is a
//! `Uint8Array` (a `Buffer` too) or a string of hex digits.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use snowid::public_id::{context_option, PUBLIC_ID_LEN};
use snowid::Value;

use crate::error::OrThrow;
use crate::js::{self, Dates};

/// A keyed, reversible permutation of 64-bit IDs for showing to the
/// public: `encode(id)` gives 16 Crockford base32 characters that hide the
/// ID's time, node and volume; only the same key (and context) decodes
/// them. FF1 (NIST SP 800-38G) over AES; a mistyped text or another key
/// fails a 16-bit check (`SNOWID_PUBLIC_ID_CHECK`) instead of giving
/// another ID. Immutable.
#[napi]
pub struct PublicIds {
    inner: snowid::PublicIds,
}

#[napi]
impl PublicIds {
    /// `key`: 16, 24 or 32 bytes (AES-128/192/256), or as many bytes in hex
    /// digits (`SNOWID_PUBLIC_ID_KEY` otherwise); `context`: at most 64
    /// bytes of UTF-8; two contexts under one key give unrelated IDs.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "key: Uint8Array | string, options?: { context?: string }"
    )]
    pub fn new(env: Env, key: Unknown, options: Option<Unknown>) -> Result<Self> {
        let pairs = js::option_pairs(&env, options.map(|o| o.raw()))?;
        let context = context_option(pairs).or_throw(&env)?;
        let inner = match js::bytes(&env, key.raw())? {
            Some(bytes) => snowid::PublicIds::with_context(&bytes, &context),
            None => match js::arg(&env, key.raw(), Dates::Object)? {
                Value::Str(hex) => snowid::PublicIds::from_hex(&hex, &context),
                other => Err(other.wrong_type(
                    "key",
                    "a Uint8Array of 16, 24 or 32 bytes, or a string of hex digits",
                )),
            },
        };
        Ok(PublicIds {
            inner: inner.or_throw(&env)?,
        })
    }

    /// The public ID of `id` (a bigint `0n..2n**64n-1n`, a decimal string,
    /// or a safe integer): 16 characters.
    #[napi(catch_unwind, ts_args_type = "id: bigint | string | number")]
    pub fn encode(&self, env: Env, id: Unknown) -> Result<String> {
        let mut buf = [0; PUBLIC_ID_LEN];
        Ok(self
            .inner
            .encode_into(js::id(&env, id.raw())?, &mut buf)
            .to_owned())
    }

    /// The ID behind a public ID, as a bigint (any case; `I`/`L` read as 1,
    /// `O` as 0): `SNOWID_PARSE_LENGTH`, `SNOWID_PARSE_CHARACTER`, or
    /// `SNOWID_PUBLIC_ID_CHECK` when it is mistyped or made with another key
    /// or context.
    #[napi(catch_unwind, ts_args_type = "text: string")]
    pub fn decode(&self, env: Env, text: Unknown) -> Result<u64> {
        let text = js::arg(&env, text.raw(), Dates::Object)?;
        text.string("text", "a public ID string")
            .and_then(|t| self.inner.decode(t))
            .or_throw(&env)
    }

    /// The context the IDs are made in (`''` by default).
    #[napi(getter)]
    pub fn context(&self) -> String {
        self.inner.context().to_owned()
    }
}
