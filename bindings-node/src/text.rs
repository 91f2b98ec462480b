//! Module-level functions: inspect, compose, range bounds, encodings, codes.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use snowid::{Encoding, ERROR_CODES};

use crate::error::{Class, OrThrow};
use crate::js::{self, Dates, Js};
use crate::layout::{capacity_to_js, compose_from_js, layout_arg, layout_or_default};

fn encoding_arg(env: &Env, e: Option<Unknown>) -> Result<Encoding> {
    match e
        .map(|e| js::value(env, e.raw(), Dates::Object))
        .transpose()?
        .flatten()
    {
        Some(v) => v
            .string("encoding", "an encoding name")
            .and_then(Encoding::from_name)
            .or_throw(env),
        None => Ok(Encoding::Decimal),
    }
}

/// Decodes an ID (bigint, decimal string, or a number up to 2^53; a
/// larger number throws, since it may already have lost precision) into
/// `{ timestamp: Date | null, timestampMs, tick, sequence, ...nodeFields }`.
/// `layout`: a `Layout` or preset name; default: the default generator's.
#[napi(
    catch_unwind,
    ts_args_type = "id: bigint | string | number, layout?: Layout | string",
    ts_return_type = "{ timestamp: Date | null, timestampMs: number | bigint, tick: number | bigint, sequence: number | bigint, [nodeField: string]: number | bigint | Date | null }"
)]
// This item declares `inspect` for index.d.ts; at run time index.js
// replaces the export with a JavaScript builder over `_decodeInto` (below),
// which is the one implementation.
pub fn inspect(env: Env, _id: Unknown, _layout: Option<Unknown>) -> Result<Js> {
    Err(crate::error::provided_by_index_js(&env, "inspect()"))
}

/// The work of `inspect` and `Layout#decode` without building the object:
/// writes `[timestampMs, tick, sequence, ...nodeValues]` into `out` (index.js's
/// `Float64Array`) and returns the node field names joined by `,`. index.js
/// builds the parts object from these: a JavaScript object literal costs a
/// fraction of setting the properties one by one through Node-API. When
/// `timestampMs`, `tick` or `sequence` is beyond 2^53 - 1 it returns
/// `[names, timestampMs, tick, sequence]` instead, the three as bigints.
/// `method`: called as `Layout#decode`, so `layout` is `this` and required.
/// Exported as the raw callback `_decodeInto` (see `default::fast_exports`).
pub fn decode_into(env: &Env, args: [sys::napi_value; 4]) -> Result<sys::napi_value> {
    let [id, layout, out, method] = args;
    let id = js::id(env, id)?;
    let l = if js::type_of(env, method)? == sys::ValueType::napi_boolean {
        layout_arg(env, layout, "this")?
    } else {
        layout_or_default(env, Some(layout))?
    };
    let p = l.decode(id).or_throw(env)?;
    // SAFETY: the slice is used only within this call.
    let out = unsafe { js::f64_array(env, out)? };
    for (slot, v) in out[3..].iter_mut().zip(p.nodes) {
        *slot = v.into();
    }
    // At most 4 names of at most 32 bytes and 3 commas: no allocation.
    let mut buf = [0u8; snowid::MAX_NODE_FIELDS * 33];
    let mut len = 0;
    for (i, f) in l.node_fields().enumerate() {
        if i > 0 {
            buf[len] = b',';
            len += 1;
        }
        buf[len..len + f.name().len()].copy_from_slice(f.name().as_bytes());
        len += f.name().len();
    }
    // The names are ASCII (checked by the core's layout validation).
    let names = js::str_value(env, std::str::from_utf8(&buf[..len]).unwrap_or(""))?;
    let exact = [p.timestamp_ms, p.tick, p.sequence];
    if exact.iter().all(|&v| v <= js::MAX_SAFE) {
        out[0] = p.timestamp_ms as f64;
        out[1] = p.tick as f64;
        out[2] = p.sequence as f64;
        return Ok(names);
    }
    let mut items = vec![names];
    for v in exact {
        items.push(js::big(env, v)?);
    }
    js::new_array(env, &items)
}

/// Builds an ID from `{ timestamp: Date | number, sequence?, ...nodeFields }`
/// (what `inspect` returns works too: `timestampMs` and `tick` must then
/// agree with `timestamp`).
#[napi(
    catch_unwind,
    ts_args_type = "parts: { timestamp?: Date | number | bigint, timestampMs?: number | bigint, tick?: number | bigint, sequence?: number | bigint, [nodeField: string]: unknown }, layout?: Layout | string"
)]
pub fn compose(env: Env, parts: Unknown, layout: Option<Unknown>) -> Result<u64> {
    let l = layout_or_default(&env, layout.map(|l| l.raw()))?;
    compose_from_js(&env, &l, parts.raw())
}

/// Smallest ID any node can issue at `time` (for `WHERE id >= ...`).
#[napi(
    catch_unwind,
    ts_args_type = "time: Date | number | bigint, layout?: Layout | string"
)]
pub fn min_id_at(env: Env, time: Unknown, layout: Option<Unknown>) -> Result<u64> {
    let l = layout_or_default(&env, layout.map(|l| l.raw()))?;
    let ms = js::instant(&env, time.raw(), "time", &l)?;
    l.min_id_at(ms).or_throw(&env)
}

/// Largest ID any node can issue at `time` (for `WHERE id <= ...`).
#[napi(
    catch_unwind,
    ts_args_type = "time: Date | number | bigint, layout?: Layout | string"
)]
pub fn max_id_at(env: Env, time: Unknown, layout: Option<Unknown>) -> Result<u64> {
    let l = layout_or_default(&env, layout.map(|l| l.raw()))?;
    let ms = js::instant(&env, time.raw(), "time", &l)?;
    l.max_id_at(ms).or_throw(&env)
}

/// Capacity of a layout (default: the default generator's). `end` is
/// `null` when the layout ends after the last instant a `Date` holds.
#[napi(
    catch_unwind,
    ts_args_type = "layout?: Layout | string",
    ts_return_type = "{ lifespanMs: bigint, endMs: bigint, end: Date | null, idsPerTick: bigint, idsPerSecondPerNode: bigint, nodes: bigint }"
)]
pub fn capacity(env: Env, layout: Option<Unknown>) -> Result<Js> {
    let l = layout_or_default(&env, layout.map(|l| l.raw()))?;
    Ok(Js(capacity_to_js(&env, &l)?))
}

/// An ID as text: `'decimal'` (default), `'hex'` (16 digits), `'base32'`
/// (13 Crockford digits) or `'base62'` (11 digits). The fixed-width forms
/// sort like the numbers.
#[napi(
    catch_unwind,
    ts_args_type = "id: bigint | string | number, encoding?: 'decimal' | 'hex' | 'base32' | 'base62'"
)]
pub fn encode(env: Env, id: Unknown, encoding: Option<Unknown>) -> Result<String> {
    let id = js::id(&env, id.raw())?;
    Ok(encoding_arg(&env, encoding)?.encode(id))
}

/// Parses text made by `encode` back into a bigint (hex accepts upper
/// case; base32 is case-insensitive and reads I/L as 1, O as 0). Bad input
/// throws `RangeError` with `SNOWID_PARSE_*`.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, encoding?: 'decimal' | 'hex' | 'base32' | 'base62'"
)]
pub fn parse(env: Env, text: Unknown, encoding: Option<Unknown>) -> Result<u64> {
    let text = js::arg(&env, text.raw(), Dates::Object)?;
    let encoding = encoding_arg(&env, encoding)?;
    text.string("text", "an encoded ID")
        .and_then(|t| encoding.parse(t))
        .or_throw(&env)
}

/// Every error code: `{ code: 'SNOWID_…', number, kind, jsClass }`, where
/// `jsClass` is the constructor thrown (`TypeError` for a JS value of the
/// wrong type or an option the call does not take: `snowid::TYPE_ERROR_CODES`;
/// `RangeError` for other invalid input, `Error` when IDs are unavailable now).
#[napi(
    catch_unwind,
    ts_return_type = "Array<{ code: string, number: number, kind: 'invalid_input' | 'unavailable', jsClass: 'Error' | 'RangeError' | 'TypeError' }>"
)]
pub fn error_codes(env: Env) -> Result<Js> {
    let items = ERROR_CODES
        .iter()
        .map(|(code, number, kind)| {
            let o = js::new_object(&env)?;
            js::set(
                &env,
                o,
                "code",
                js::str_value(&env, &format!("SNOWID_{code}"))?,
            )?;
            js::set(&env, o, "number", js::num(&env, (*number).into())?)?;
            js::set(&env, o, "kind", js::str_value(&env, kind.as_str())?)?;
            let class = Class::of(code, *kind).name();
            js::set(&env, o, "jsClass", js::str_value(&env, class)?)?;
            Ok(o)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Js(js::new_array(&env, &items)?))
}

/// The error a class called without `new` throws (index.js wraps the
/// classes): the core's `WRONG_TYPE`.
#[napi(catch_unwind, js_name = "_notConstructed", skip_typescript)]
pub fn not_constructed(env: Env, class: String) -> Result<()> {
    Err(crate::error::core(
        &env,
        snowid::Error::WrongType {
            name: class,
            expected: "called with `new`".into(),
            got: "a plain function call".into(),
        },
    ))
}
