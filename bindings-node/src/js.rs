//! Conversions between JS values and Rust values.
//!
//! Arguments and option values become a [`snowid::Value`] without being
//! judged ([`value`]); the core decides whether they are valid and throws the
//! same coded error as in every other language. The rest are raw Node-API
//! helpers to read objects and build results.

use std::ptr;

use napi::bindgen_prelude::{ClassInstance, FromNapiValue, ToNapiValue, TypeName};
use napi::{sys, Env, Status, ValueType};
use snowid::value::MAX_EXACT_FLOAT_INT;
use snowid::{Encoding, Value};

use crate::error::OrThrow;

/// Largest integer a JS number holds exactly (2^53 - 1).
pub const MAX_SAFE: u64 = (1 << 53) - 1;

/// A JS value built by hand, handed back to napi-rs as is.
pub struct Js(pub sys::napi_value);

impl TypeName for Js {
    fn type_name() -> &'static str {
        "unknown"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Js {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(val.0)
    }
}

#[inline]
pub fn ok(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            Status::from(status),
            "a Node-API call failed",
        ))
    }
}

/// `typeof`, as napi's value type number.
pub fn type_of(env: &Env, v: sys::napi_value) -> napi::Result<i32> {
    let mut t = 0;
    // SAFETY: live env and value of the current call.
    ok(unsafe { sys::napi_typeof(env.raw(), v, &mut t) })?;
    Ok(t)
}

fn is_date(env: &Env, v: sys::napi_value) -> bool {
    let mut d = false;
    // SAFETY: live env and value.
    unsafe { sys::napi_is_date(env.raw(), v, &mut d) };
    d
}

fn is_array(env: &Env, v: sys::napi_value) -> bool {
    let mut a = false;
    // SAFETY: live env and value.
    unsafe { sys::napi_is_array(env.raw(), v, &mut a) };
    a
}

fn number(env: &Env, v: sys::napi_value) -> napi::Result<f64> {
    let mut f = 0.0;
    // SAFETY: live env and value; caller checked the type.
    ok(unsafe { sys::napi_get_value_double(env.raw(), v, &mut f) })?;
    Ok(f)
}

/// A JS number: an integer when it is one exactly, else a float (the core
/// refuses fractions, NaN and numbers beyond 2^53 where it wants integers).
fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() <= MAX_EXACT_FLOAT_INT {
        Value::Int(f as i128)
    } else {
        Value::Float(f)
    }
}

/// A bigint of any size: `Int` within i128, else `BigInt` text.
fn bigint_value(env: &Env, v: sys::napi_value) -> napi::Result<Value> {
    let mut sign = 0;
    let mut count = 0usize;
    // SAFETY: null sign and word pointers ask for the word count only.
    ok(unsafe {
        sys::napi_get_value_bigint_words(env.raw(), v, ptr::null_mut(), &mut count, ptr::null_mut())
    })?;
    // Up to 4096 bits in decimal; beyond that only the size (a value that
    // large is out of every range anyway, and its decimal text is huge).
    if count > 64 {
        let mut one = 0u64;
        let mut n = 1usize;
        // SAFETY: `one` holds `n` = 1 word; only the sign is wanted.
        ok(unsafe { sys::napi_get_value_bigint_words(env.raw(), v, &mut sign, &mut n, &mut one) })?;
        let sign = if sign != 0 { "-" } else { "" };
        return Ok(Value::BigInt(format!("{sign}<{} bits>", count * 64)));
    }
    let mut words = vec![0u64; count.max(1)];
    let mut n = words.len();
    // SAFETY: `words` holds `n` words.
    ok(unsafe {
        sys::napi_get_value_bigint_words(env.raw(), v, &mut sign, &mut n, words.as_mut_ptr())
    })?;
    let neg = sign != 0;
    if count <= 2 {
        let mag = u128::from(words[0]) | (u128::from(*words.get(1).unwrap_or(&0)) << 64);
        match (neg, i128::try_from(mag)) {
            (false, Ok(i)) => return Ok(Value::Int(i)),
            (true, Ok(i)) => return Ok(Value::Int(-i)),
            (true, Err(_)) if mag == 1 << 127 => return Ok(Value::Int(i128::MIN)),
            _ => {}
        }
    }
    Ok(Value::BigInt(decimal(neg, words)))
}

/// Decimal text of a little-endian magnitude.
fn decimal(neg: bool, mut words: Vec<u64>) -> String {
    const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
    let mut chunks = Vec::new();
    while words.iter().any(|&w| w != 0) {
        let mut rem = 0u128;
        for w in words.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*w);
            *w = (cur / u128::from(CHUNK)) as u64;
            rem = cur % u128::from(CHUNK);
        }
        chunks.push(rem as u64);
    }
    let mut s = String::from(if neg { "-" } else { "" });
    match chunks.split_last() {
        None => s.push('0'),
        Some((top, rest)) => {
            s.push_str(&top.to_string());
            for c in rest.iter().rev() {
                s.push_str(&format!("{c:019}"));
            }
        }
    }
    s
}

/// A JS string as a Rust `String` (lone surrogates become U+FFFD).
pub fn string(env: &Env, v: sys::napi_value) -> napi::Result<String> {
    let mut len = 0usize;
    // SAFETY: a null buffer asks for the length only.
    ok(unsafe { sys::napi_get_value_string_utf8(env.raw(), v, ptr::null_mut(), 0, &mut len) })?;
    let mut buf = vec![0u8; len + 1];
    let mut written = 0usize;
    // SAFETY: `buf` holds `len + 1` bytes, room for the string and its NUL.
    ok(unsafe {
        sys::napi_get_value_string_utf8(
            env.raw(),
            v,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut written,
        )
    })?;
    buf.truncate(written);
    String::from_utf8(buf).map_err(|_| napi::Error::from_reason("string is not UTF-8"))
}

/// A JS string as `Str`, or `NonUtf8` when it holds a lone surrogate (no
/// UTF-8 form; its bytes are the surrogate's generalised UTF-8).
fn string_value(env: &Env, v: sys::napi_value) -> napi::Result<Value> {
    let mut len = 0usize;
    // SAFETY: a null buffer asks for the length only.
    ok(unsafe { sys::napi_get_value_string_utf16(env.raw(), v, ptr::null_mut(), 0, &mut len) })?;
    let mut units = vec![0u16; len + 1];
    let mut written = 0usize;
    // SAFETY: `units` holds `len + 1` code units.
    ok(unsafe {
        sys::napi_get_value_string_utf16(
            env.raw(),
            v,
            units.as_mut_ptr(),
            units.len(),
            &mut written,
        )
    })?;
    units.truncate(written);
    if let Ok(s) = String::from_utf16(&units) {
        return Ok(Value::Str(s));
    }
    let mut bytes = Vec::with_capacity(units.len() * 3);
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Err(e) => {
                let u = e.unpaired_surrogate();
                bytes.extend_from_slice(&[
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
            }
        }
    }
    Ok(Value::NonUtf8(bytes))
}

/// Whether a Date is accepted as an instant (ms since the Unix epoch) here.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// A `Date` is the instant it holds (`epoch`, a time argument).
    Instant,
    /// A `Date` is just another object.
    Object,
}

/// A JS value as the core's host value; `None` for `undefined` and `null`
/// (an option not given).
pub fn value(env: &Env, v: sys::napi_value, dates: Dates) -> napi::Result<Option<Value>> {
    use sys::ValueType as T;
    Ok(Some(match type_of(env, v)? {
        T::napi_undefined | T::napi_null => return Ok(None),
        T::napi_boolean => {
            let mut b = false;
            // SAFETY: checked to be a boolean.
            ok(unsafe { sys::napi_get_value_bool(env.raw(), v, &mut b) })?;
            Value::Bool(b)
        }
        T::napi_number => number_value(number(env, v)?),
        T::napi_bigint => bigint_value(env, v)?,
        T::napi_string => string_value(env, v)?,
        T::napi_symbol => Value::Other("symbol".into()),
        T::napi_function => Value::Other("function".into()),
        T::napi_object => object_value(env, v, dates)?,
        _ => Value::Other("host object".into()),
    }))
}

fn object_value(env: &Env, v: sys::napi_value, dates: Dates) -> napi::Result<Value> {
    if is_date(env, v) {
        if dates == Dates::Object {
            return Ok(Value::Other("Date".into()));
        }
        let mut f = 0.0;
        // SAFETY: checked to be a Date.
        ok(unsafe { sys::napi_get_date_value(env.raw(), v, &mut f) })?;
        return Ok(number_value(f));
    }
    if is_array(env, v) {
        return Ok(Value::Other("JavaScript array".into()));
    }
    // SAFETY: live value; with napi8 napi-rs checks the object's type tag
    // before the cast, so another object is an `Err` (nothing pending).
    if let Ok(l) = unsafe { ClassInstance::<crate::layout::Layout>::from_napi_value(env.raw(), v) }
    {
        return Ok(Value::Layout(l.inner.clone()));
    }
    // SAFETY: as above.
    if let Ok(c) =
        unsafe { ClassInstance::<crate::generator::ManualClock>::from_napi_value(env.raw(), v) }
    {
        return Ok(Value::Clock(c.inner.clone()));
    }
    Ok(Value::Other("plain object".into()))
}

/// A required argument: `undefined` and `null` are values of the wrong type.
pub fn arg(env: &Env, v: sys::napi_value, dates: Dates) -> napi::Result<Value> {
    Ok(value(env, v, dates)?.unwrap_or_else(|| absent(env, v)))
}

/// `undefined` or `null` as a value of the wrong type.
pub fn absent(env: &Env, v: sys::napi_value) -> Value {
    let null = type_of(env, v).ok() == Some(sys::ValueType::napi_null);
    Value::Other(
        if null {
            "null value"
        } else {
            "missing value (undefined)"
        }
        .into(),
    )
}

/// Whether `v` is `undefined` or `null`.
pub fn is_nullish(env: &Env, v: sys::napi_value) -> napi::Result<bool> {
    let t = type_of(env, v)?;
    Ok(t == sys::ValueType::napi_undefined || t == sys::ValueType::napi_null)
}

/// Whether `v` is an object whose own keys are read as names (an options
/// object, a layout spec, parts): not an array, a Date or a class instance.
pub fn is_record(env: &Env, v: sys::napi_value) -> napi::Result<bool> {
    Ok(type_of(env, v)? == sys::ValueType::napi_object && !is_array(env, v) && !is_date(env, v))
}

/// An options object's own keys, as written, with their values (`undefined`
/// and `null` values are options not given); nothing for `undefined` or
/// `null`; `WRONG_TYPE` for anything but an object of options.
pub fn option_pairs(env: &Env, v: Option<sys::napi_value>) -> napi::Result<Vec<(String, Value)>> {
    let mut pairs = Vec::new();
    let Some(v) = v else { return Ok(pairs) };
    if is_nullish(env, v)? {
        return Ok(pairs);
    }
    if !is_record(env, v)? {
        let got = arg(env, v, Dates::Object)?;
        return Err(crate::error::core(
            env,
            got.wrong_type("options", "an object of options"),
        ));
    }
    for (k, val) in entries(env, v)? {
        if let Some(val) = value(env, val, Dates::Object)? {
            pairs.push((k, val));
        }
    }
    Ok(pairs)
}

/// An instant argument (a Date, or ms since the Unix epoch as a number or
/// bigint), judged by the core against `layout`.
pub fn instant(
    env: &Env,
    v: sys::napi_value,
    name: &str,
    layout: &snowid::Layout,
) -> napi::Result<i64> {
    arg(env, v, Dates::Instant)?
        .instant_ms(name, layout)
        .or_throw(env)
}

/// An ID: a bigint or a decimal string (fast paths), else whatever the core
/// makes of the value (a number up to 2^53; anything else is an error).
#[inline]
pub fn id(env: &Env, v: sys::napi_value) -> napi::Result<u64> {
    match type_of(env, v)? {
        sys::ValueType::napi_bigint => {
            let mut sign = 0;
            let mut count = 1usize;
            let mut word = 0u64;
            // SAFETY: `word` holds `count` = 1 word.
            ok(unsafe {
                sys::napi_get_value_bigint_words(env.raw(), v, &mut sign, &mut count, &mut word)
            })?;
            if sign == 0 && count <= 1 {
                return Ok(word);
            }
        }
        sys::ValueType::napi_string => {
            return Encoding::Decimal.parse(&string(env, v)?).or_throw(env);
        }
        _ => {}
    }
    let n = arg(env, v, Dates::Object)?.id().or_throw(env)?;
    Ok(n)
}

/// The own enumerable string keys of an object, with their values.
pub fn entries(env: &Env, obj: sys::napi_value) -> napi::Result<Vec<(String, sys::napi_value)>> {
    let mut arr = ptr::null_mut();
    // SAFETY: live env; `obj` is an object (checked by callers).
    ok(unsafe {
        sys::napi_get_all_property_names(
            env.raw(),
            obj,
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut arr,
        )
    })?;
    let mut len = 0u32;
    // SAFETY: `arr` is the array just made.
    ok(unsafe { sys::napi_get_array_length(env.raw(), arr, &mut len) })?;
    let mut out = Vec::with_capacity(len.min(64) as usize);
    for i in 0..len {
        let mut k = ptr::null_mut();
        let mut v = ptr::null_mut();
        // SAFETY: index within the array's length; `k` is a key of `obj`.
        ok(unsafe { sys::napi_get_element(env.raw(), arr, i, &mut k) })?;
        ok(unsafe { sys::napi_get_property(env.raw(), obj, k, &mut v) })?;
        out.push((string(env, k)?, v));
    }
    Ok(out)
}

/// The length of an array, or `None` for any other value.
pub fn array_len(env: &Env, v: sys::napi_value) -> napi::Result<Option<u32>> {
    if !is_array(env, v) {
        return Ok(None);
    }
    let mut len = 0u32;
    // SAFETY: checked to be an array.
    ok(unsafe { sys::napi_get_array_length(env.raw(), v, &mut len) })?;
    Ok(Some(len))
}

/// `arr[i]`.
pub fn element(env: &Env, arr: sys::napi_value, i: u32) -> napi::Result<sys::napi_value> {
    let mut e = ptr::null_mut();
    // SAFETY: live env; `arr` is an array.
    ok(unsafe { sys::napi_get_element(env.raw(), arr, i, &mut e) })?;
    Ok(e)
}

// ---- building values ----

pub fn new_object(env: &Env) -> napi::Result<sys::napi_value> {
    let mut o = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_create_object(env.raw(), &mut o) })?;
    Ok(o)
}

pub fn new_array(env: &Env, items: &[sys::napi_value]) -> napi::Result<sys::napi_value> {
    let mut a = ptr::null_mut();
    // SAFETY: live env; indices within `items`.
    ok(unsafe { sys::napi_create_array_with_length(env.raw(), items.len(), &mut a) })?;
    for (i, &v) in items.iter().enumerate() {
        ok(unsafe { sys::napi_set_element(env.raw(), a, i as u32, v) })?;
    }
    Ok(a)
}

pub fn set(env: &Env, obj: sys::napi_value, key: &str, v: sys::napi_value) -> napi::Result<()> {
    let mut k = ptr::null_mut();
    // SAFETY: live env; key string made here.
    ok(unsafe {
        sys::napi_create_string_utf8(env.raw(), key.as_ptr().cast(), key.len() as isize, &mut k)
    })?;
    ok(unsafe { sys::napi_set_property(env.raw(), obj, k, v) })
}

pub fn num(env: &Env, f: f64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_create_double(env.raw(), f, &mut v) })?;
    Ok(v)
}

pub fn big(env: &Env, n: u64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_create_bigint_uint64(env.raw(), n, &mut v) })?;
    Ok(v)
}

/// `n` as a number when it is exact (up to 2^53 - 1), else as a bigint.
pub fn exact(env: &Env, n: u64) -> napi::Result<sys::napi_value> {
    if n <= MAX_SAFE {
        num(env, n as f64)
    } else {
        big(env, n)
    }
}

pub fn null(env: &Env) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_get_null(env.raw(), &mut v) })?;
    Ok(v)
}

pub fn str_value(env: &Env, s: &str) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env; `s` is valid for its length.
    ok(unsafe {
        sys::napi_create_string_utf8(env.raw(), s.as_ptr().cast(), s.len() as isize, &mut v)
    })?;
    Ok(v)
}

/// The largest ms a JS `Date` holds (8.64e15, year 275760).
pub const MAX_DATE_MS: u64 = 8_640_000_000_000_000;

/// A `Date`, or `null` where a `Date` cannot hold the instant.
pub fn date_or_null(env: &Env, ms: u64) -> napi::Result<sys::napi_value> {
    if ms > MAX_DATE_MS {
        return null(env);
    }
    let mut v = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_create_date(env.raw(), ms as f64, &mut v) })?;
    Ok(v)
}

/// A `BigUint64Array` of `len` elements, filled by `fill` in place; the array
/// is cut to the length `fill` returns.
pub fn biguint64_array(
    env: &Env,
    len: usize,
    fill: impl FnOnce(&mut [u64]) -> napi::Result<usize>,
) -> napi::Result<sys::napi_value> {
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    // SAFETY: live env; napi allocates `len * 8` bytes (8-aligned) at `data`.
    ok(unsafe { sys::napi_create_arraybuffer(env.raw(), len * 8, &mut data, &mut buffer) })?;
    let slice: &mut [u64] = if len == 0 {
        &mut []
    } else {
        // SAFETY: `data` points to `len * 8` writable bytes that only this
        // function touches until the array is returned.
        unsafe { std::slice::from_raw_parts_mut(data.cast::<u64>(), len) }
    };
    let n = fill(slice)?;
    let mut arr = ptr::null_mut();
    // SAFETY: `buffer` holds at least `n` u64 values.
    ok(unsafe {
        sys::napi_create_typedarray(
            env.raw(),
            sys::TypedarrayType::biguint64_array,
            n,
            buffer,
            0,
            &mut arr,
        )
    })?;
    Ok(arr)
}

/// A typed array's element type, length (in elements) and data pointer;
/// an error (no dereference) when `v` is not a typed array.
fn typedarray_info(
    env: &Env,
    v: sys::napi_value,
) -> napi::Result<(sys::napi_typedarray_type, usize, *mut std::ffi::c_void)> {
    let (mut kind, mut len, mut data) = (0, 0usize, ptr::null_mut());
    // SAFETY: live env and local out-pointers; a value that is not a typed
    // array makes the call fail with a status.
    ok(unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            v,
            &mut kind,
            &mut len,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    })?;
    Ok((kind, len, data))
}

/// The bytes of a `Uint8Array` (or `Buffer`), if `v` is one.
pub fn bytes(env: &Env, v: sys::napi_value) -> napi::Result<Option<Vec<u8>>> {
    let mut is = false;
    // SAFETY: live env and value.
    ok(unsafe { sys::napi_is_typedarray(env.raw(), v, &mut is) })?;
    if !is {
        return Ok(None);
    }
    // `v` is a typed array.
    let (kind, len, data) = typedarray_info(env, v)?;
    if kind != sys::TypedarrayType::uint8_array {
        return Ok(None);
    }
    if len == 0 {
        return Ok(Some(Vec::new()));
    }
    // SAFETY: a Uint8Array's data is `len` bytes, copied at once.
    Ok(Some(
        unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec(),
    ))
}

/// The elements of the `Float64Array` index.js hands to `_decodeInto`.
///
/// # Safety
/// The caller must not keep the slice beyond the current call, and no other
/// code may touch the array's memory while the slice lives (true during one
/// synchronous call: JavaScript cannot run until it returns).
pub unsafe fn f64_array<'a>(env: &Env, v: sys::napi_value) -> napi::Result<&'a mut [f64]> {
    let (kind, len, data) = typedarray_info(env, v)?;
    if kind != sys::TypedarrayType::float64_array || len < 3 + snowid::MAX_NODE_FIELDS {
        return Err(napi::Error::from_reason(
            "_decodeInto needs index.js's Float64Array",
        ));
    }
    // SAFETY: a Float64Array's data is `len` aligned f64 values; see above for
    // the lifetime.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<f64>(), len) })
}
