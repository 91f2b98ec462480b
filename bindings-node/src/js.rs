//! Raw conversions between JS values and Rust values. Every check here turns
//! a bad value into a thrown `TypeError`/`RangeError` naming the argument.

use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, Status, ValueType};
use snowid::Encoding;

use crate::error::{range_error, type_error, OrThrow};

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
fn ok(status: sys::napi_status) -> napi::Result<()> {
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

/// Whether the value is `undefined`.
pub fn is_undefined(env: &Env, v: sys::napi_value) -> napi::Result<bool> {
    Ok(type_of(env, v)? == sys::ValueType::napi_undefined)
}

/// "a string", "a number"... for messages.
pub fn describe(env: &Env, v: sys::napi_value) -> &'static str {
    use sys::ValueType as T;
    match type_of(env, v) {
        Ok(T::napi_undefined) => "undefined",
        Ok(T::napi_null) => "null",
        Ok(T::napi_boolean) => "a boolean",
        Ok(T::napi_number) => "a number",
        Ok(T::napi_string) => "a string",
        Ok(T::napi_symbol) => "a symbol",
        Ok(T::napi_object) => {
            if is_date(env, v) {
                "a Date"
            } else {
                "an object"
            }
        }
        Ok(T::napi_function) => "a function",
        Ok(T::napi_bigint) => "a bigint",
        _ => "a value of unknown type",
    }
}

pub fn is_date(env: &Env, v: sys::napi_value) -> bool {
    let mut d = false;
    // SAFETY: live env and value.
    unsafe { sys::napi_is_date(env.raw(), v, &mut d) };
    d
}

fn number(env: &Env, v: sys::napi_value) -> napi::Result<f64> {
    let mut f = 0.0;
    // SAFETY: live env and value; caller checked the type.
    ok(unsafe { sys::napi_get_value_double(env.raw(), v, &mut f) })?;
    Ok(f)
}

/// A bigint as (negative, magnitude) if it fits 64 bits, else `None`.
fn bigint(env: &Env, v: sys::napi_value) -> napi::Result<Option<(bool, u64)>> {
    let mut sign = 0;
    let mut count = 2usize;
    let mut words = [0u64; 2];
    // SAFETY: `words` has room for `count` words; napi writes at most that.
    let st = unsafe {
        sys::napi_get_value_bigint_words(env.raw(), v, &mut sign, &mut count, words.as_mut_ptr())
    };
    ok(st)?;
    if count > 1 && words[1] != 0 {
        return Ok(None);
    }
    if count > 2 {
        return Ok(None);
    }
    Ok(Some((sign != 0, words[0])))
}

/// A JS string as a Rust `String`.
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

/// A string argument.
pub fn str_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<String> {
    if type_of(env, v)? != sys::ValueType::napi_string {
        return Err(type_error(
            env,
            format!("{what} must be a string; got {}", describe(env, v)),
        ));
    }
    string(env, v)
}

/// A boolean argument.
pub fn bool_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<bool> {
    if type_of(env, v)? != sys::ValueType::napi_boolean {
        return Err(type_error(
            env,
            format!("{what} must be a boolean; got {}", describe(env, v)),
        ));
    }
    let mut b = false;
    // SAFETY: checked to be a boolean.
    ok(unsafe { sys::napi_get_value_bool(env.raw(), v, &mut b) })?;
    Ok(b)
}

fn unsafe_number(env: &Env, what: &str, f: f64) -> napi::Error {
    range_error(
        env,
        format!(
            "{what} = {f} is a number above Number.MAX_SAFE_INTEGER (2^53 - 1 = {MAX_SAFE}), \
             so it may already have lost precision; pass it as a bigint (e.g. 123n) or a decimal string"
        ),
    )
}

/// A non-negative integer given as a safe-integer number or a bigint.
pub fn uint_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<u64> {
    match type_of(env, v)? {
        sys::ValueType::napi_number => {
            let f = number(env, v)?;
            if f.is_nan() || f.fract() != 0.0 || f < 0.0 {
                return Err(range_error(
                    env,
                    format!("{what} must be a non-negative integer; got {f}"),
                ));
            }
            if f > MAX_SAFE as f64 {
                return Err(unsafe_number(env, what, f));
            }
            Ok(f as u64)
        }
        sys::ValueType::napi_bigint => match bigint(env, v)? {
            Some((false, n)) => Ok(n),
            Some((true, 0)) => Ok(0),
            _ => Err(range_error(
                env,
                format!("{what} must be in 0..=18446744073709551615 (2^64 - 1)"),
            )),
        },
        _ => Err(type_error(
            env,
            format!(
                "{what} must be a non-negative integer (number or bigint); got {}",
                describe(env, v)
            ),
        )),
    }
}

/// A signed integer given as a safe-integer number or a bigint.
pub fn int_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<i64> {
    match type_of(env, v)? {
        sys::ValueType::napi_number => {
            let f = number(env, v)?;
            if f.is_nan() || f.fract() != 0.0 || f.is_infinite() {
                return Err(range_error(
                    env,
                    format!("{what} must be an integer; got {f}"),
                ));
            }
            if f.abs() > MAX_SAFE as f64 {
                return Err(unsafe_number(env, what, f));
            }
            Ok(f as i64)
        }
        sys::ValueType::napi_bigint => match bigint(env, v)? {
            Some((neg, n)) if n <= i64::MAX as u64 => Ok(if neg { -(n as i64) } else { n as i64 }),
            _ => Err(range_error(
                env,
                format!("{what} must fit a signed 64-bit integer"),
            )),
        },
        _ => Err(type_error(
            env,
            format!("{what} must be an integer; got {}", describe(env, v)),
        )),
    }
}

/// An instant: a `Date`, or ms since the Unix epoch as a number or bigint.
pub fn time_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<i64> {
    if is_date(env, v) {
        let mut f = 0.0;
        // SAFETY: checked to be a Date.
        ok(unsafe { sys::napi_get_date_value(env.raw(), v, &mut f) })?;
        if f.is_nan() {
            return Err(range_error(env, format!("{what} is an invalid Date")));
        }
        return Ok(f as i64);
    }
    match type_of(env, v)? {
        sys::ValueType::napi_number | sys::ValueType::napi_bigint => int_arg(env, v, what),
        _ => Err(type_error(
            env,
            format!(
                "{what} must be a Date or milliseconds since the Unix epoch; got {}",
                describe(env, v)
            ),
        )),
    }
}

/// An ID: a bigint, a decimal string, or a number up to 2^53 - 1.
pub fn id_arg(env: &Env, v: sys::napi_value) -> napi::Result<u64> {
    match type_of(env, v)? {
        sys::ValueType::napi_bigint => match bigint(env, v)? {
            Some((false, n)) => Ok(n),
            Some((true, 0)) => Ok(0),
            _ => Err(range_error(
                env,
                "id must be in 0..=18446744073709551615 (2^64 - 1)",
            )),
        },
        sys::ValueType::napi_string => {
            let s = string(env, v)?;
            Encoding::Decimal.parse(&s).or_throw(env)
        }
        sys::ValueType::napi_number => {
            let f = number(env, v)?;
            if f > MAX_SAFE as f64 {
                return Err(unsafe_number(env, "id", f));
            }
            if f.is_nan() || f.fract() != 0.0 || f < 0.0 {
                return Err(range_error(
                    env,
                    format!("id must be a non-negative integer; got {f}"),
                ));
            }
            Ok(f as u64)
        }
        _ => Err(type_error(
            env,
            format!(
                "id must be a bigint or a decimal string; got {}",
                describe(env, v)
            ),
        )),
    }
}

/// The own enumerable string keys of an object.
pub fn own_keys(env: &Env, obj: sys::napi_value) -> napi::Result<Vec<String>> {
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
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let mut k = ptr::null_mut();
        // SAFETY: index within the array's length.
        ok(unsafe { sys::napi_get_element(env.raw(), arr, i, &mut k) })?;
        out.push(string(env, k)?);
    }
    Ok(out)
}

/// Checks that `v` is a plain object (not null, not an array, not a Date).
pub fn object_arg(env: &Env, v: sys::napi_value, what: &str) -> napi::Result<()> {
    let mut is_array = false;
    // SAFETY: live env and value.
    ok(unsafe { sys::napi_is_array(env.raw(), v, &mut is_array) })?;
    if type_of(env, v)? != sys::ValueType::napi_object || is_array || is_date(env, v) {
        return Err(type_error(
            env,
            format!("{what} must be an object; got {}", describe(env, v)),
        ));
    }
    Ok(())
}

/// `obj[key]`, or `None` when it is `undefined`.
pub fn get(env: &Env, obj: sys::napi_value, key: &str) -> napi::Result<Option<sys::napi_value>> {
    let mut k = ptr::null_mut();
    let mut v = ptr::null_mut();
    // SAFETY: live env; key string made here.
    ok(unsafe {
        sys::napi_create_string_utf8(env.raw(), key.as_ptr().cast(), key.len() as isize, &mut k)
    })?;
    // SAFETY: `obj` is an object (checked by callers).
    ok(unsafe { sys::napi_get_property(env.raw(), obj, k, &mut v) })?;
    Ok(if is_undefined(env, v)? { None } else { Some(v) })
}

/// Array elements.
pub fn array_items(
    env: &Env,
    v: sys::napi_value,
    what: &str,
) -> napi::Result<Vec<sys::napi_value>> {
    let mut is_array = false;
    // SAFETY: live env and value.
    ok(unsafe { sys::napi_is_array(env.raw(), v, &mut is_array) })?;
    if !is_array {
        return Err(type_error(
            env,
            format!("{what} must be an array; got {}", describe(env, v)),
        ));
    }
    let mut len = 0u32;
    // SAFETY: checked to be an array.
    ok(unsafe { sys::napi_get_array_length(env.raw(), v, &mut len) })?;
    (0..len)
        .map(|i| {
            let mut e = ptr::null_mut();
            // SAFETY: index within the array's length.
            ok(unsafe { sys::napi_get_element(env.raw(), v, i, &mut e) })?;
            Ok(e)
        })
        .collect()
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

/// `n`, or a `RangeError` if it would lose precision as a JS number.
pub fn checked_safe(env: &Env, n: u64, what: &str) -> napi::Result<u64> {
    if n > MAX_SAFE {
        return Err(range_error(
            env,
            format!("{what} = {n} is above 2^53 - 1 and cannot be returned exactly as a number"),
        ));
    }
    Ok(n)
}

pub fn big(env: &Env, n: u64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env.
    ok(unsafe { sys::napi_create_bigint_uint64(env.raw(), n, &mut v) })?;
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

pub fn date(env: &Env, ms: u64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: live env. Times beyond the Date range give an Invalid Date.
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

/// The elements of a `Float64Array` argument, to write results into.
///
/// # Safety
/// The caller must not keep the slice beyond the current call, and no other
/// code may touch the array's memory while the slice lives (true during one
/// synchronous call: JavaScript cannot run until it returns).
pub unsafe fn f64_array_arg<'a>(
    env: &Env,
    v: sys::napi_value,
    what: &str,
) -> napi::Result<&'a mut [f64]> {
    let mut is = false;
    // SAFETY: live env and value.
    ok(unsafe { sys::napi_is_typedarray(env.raw(), v, &mut is) })?;
    let mut kind = 0;
    let mut len = 0usize;
    let mut data = ptr::null_mut();
    if is {
        // SAFETY: `v` is a typed array.
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
    }
    if !is || kind != sys::TypedarrayType::float64_array {
        return Err(type_error(
            env,
            format!("{what} must be a Float64Array; got {}", describe(env, v)),
        ));
    }
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: a Float64Array's data is `len` aligned f64 values; see above for
    // the lifetime.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<f64>(), len) })
}
