//! Reading a C caller's arguments and writing its out-parameters, written
//! once for every export: required pointers (NULL is a status naming the
//! argument), NUL-terminated strings, parallel arrays, batch buffers, text
//! into a caller's buffer, handles made and freed.

use std::ffi::{c_char, CStr};

use core_snowid::value::batch_len;
use core_snowid::{Error, Value};

use crate::error::{guard, guard_value, snowid_status, Failure};

/// A required input pointer.
#[inline(always)]
pub(crate) unsafe fn arg<'a, T>(p: *const T, name: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: the caller promises a non-NULL pointer is valid (header contract).
    unsafe { p.as_ref() }.ok_or(Failure::Null(name))
}

/// A required output pointer.
#[inline(always)]
pub(crate) unsafe fn out<'a, T>(p: *mut T, name: &'static str) -> Result<&'a mut T, Failure> {
    // SAFETY: as for `arg`.
    unsafe { p.as_mut() }.ok_or(Failure::Null(name))
}

/// The shape of most exports: the required input `input` (named
/// `input_name`), then the out-parameter `dst`, which receives what `body`
/// makes of the input; on an error `*dst` is left unchanged.
#[inline(always)]
pub(crate) unsafe fn answer<I, T>(
    input: *const I,
    input_name: &'static str,
    dst: *mut T,
    dst_name: &'static str,
    body: impl FnOnce(&I) -> Result<T, Failure>,
) -> snowid_status {
    unsafe { answer_with(|| arg(input, input_name), dst, dst_name, body) }
}

/// `answer` for an input that is a required NUL-terminated UTF-8 string.
pub(crate) unsafe fn answer_text<T>(
    input: *const c_char,
    input_name: &'static str,
    dst: *mut T,
    dst_name: &'static str,
    body: impl FnOnce(&str) -> Result<T, Failure>,
) -> snowid_status {
    unsafe { answer_with(|| text(input, input_name), dst, dst_name, body) }
}

/// `answer` for any inputs: `input` reads them all (in the order their
/// NULL checks go), then the out-parameter is checked.
#[inline(always)]
pub(crate) unsafe fn answer_with<I, T>(
    input: impl FnOnce() -> Result<I, Failure>,
    dst: *mut T,
    dst_name: &'static str,
    body: impl FnOnce(I) -> Result<T, Failure>,
) -> snowid_status {
    guard(|| {
        let i = input()?;
        let o = unsafe { out(dst, dst_name) }?;
        *o = body(i)?;
        Ok(())
    })
}

/// A new handle for the caller, to be freed with `free`.
pub(crate) fn boxed<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// The body of every `_free` export: `NULL` is ignored, a panic in a
/// destructor stays on this side.
pub(crate) unsafe fn free<T>(handle: *mut T) {
    guard_value((), || {
        if !handle.is_null() {
            // SAFETY: made by `boxed` in this library, freed once (header contract).
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// The bytes of a required NUL-terminated string.
unsafe fn bytes<'a>(p: *const c_char, name: &'static str) -> Result<&'a [u8], Failure> {
    if p.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL strings are NUL-terminated (header contract).
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A required NUL-terminated UTF-8 string.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    let bytes = unsafe { bytes(p, name) }?;
    std::str::from_utf8(bytes).map_err(|e| Failure::InvalidUtf8 {
        what: name,
        valid_up_to: e.valid_up_to(),
    })
}

/// A required NUL-terminated string as raw bytes (no encoding assumed).
pub(crate) unsafe fn raw_text<'a>(
    p: *const c_char,
    name: &'static str,
) -> Result<&'a [u8], Failure> {
    unsafe { bytes(p, name) }
}

/// A NUL-terminated string handed to the core as a host value: UTF-8 text
/// or, unjudged, the bytes that are not (the core reports those).
pub(crate) unsafe fn text_value(p: *const c_char, name: &'static str) -> Result<Value, Failure> {
    let bytes = unsafe { bytes(p, name) }?;
    Ok(match std::str::from_utf8(bytes) {
        Ok(s) => Value::Str(s.to_owned()),
        Err(_) => Value::NonUtf8(bytes.to_vec()),
    })
}

/// Two parallel arrays of `count` entries (names and values, keys and
/// settings): empty when `count` is 0, whatever the pointers; otherwise
/// neither pointer may be NULL (`a` is checked first).
pub(crate) unsafe fn parallel<'a, A, B>(
    a: *const A,
    a_name: &'static str,
    b: *const B,
    b_name: &'static str,
    count: u32,
) -> Result<(&'a [A], &'a [B]), Failure> {
    if count == 0 {
        return Ok((&[], &[]));
    }
    if a.is_null() {
        return Err(Failure::Null(a_name));
    }
    if b.is_null() {
        return Err(Failure::Null(b_name));
    }
    // SAFETY: both arrays hold `count` entries (header contract).
    Ok(unsafe {
        (
            std::slice::from_raw_parts(a, count as usize),
            std::slice::from_raw_parts(b, count as usize),
        )
    })
}

/// Node values by name from the `names` / `values` / `count` arguments of
/// the compose exports, in the order given. A C array may name a field
/// twice (no keyword or object key can): that is this binding's check
/// (`SNOWID_ERR_DUPLICATE_FIELD`); every other check is the core's compose.
pub(crate) struct NamedNodes<'a> {
    nodes: Vec<(&'a str, Value)>,
}

impl<'a> NamedNodes<'a> {
    pub(crate) unsafe fn read(
        names: *const *const c_char,
        values: *const u64,
        count: u32,
    ) -> Result<Self, Failure> {
        let (names, values) = unsafe { parallel(names, "names", values, "values", count) }?;
        let mut nodes: Vec<(&str, Value)> = Vec::with_capacity(names.len());
        for (&n, &v) in names.iter().zip(values) {
            let name = unsafe { text(n, "names[i]") }?;
            if nodes.iter().any(|(m, _)| *m == name) {
                return Err(Error::DuplicateField { name: name.into() }.into());
            }
            nodes.push((name, v.into()));
        }
        Ok(NamedNodes { nodes })
    }

    /// The pairs as the core's compose takes them.
    pub(crate) fn pairs(&self) -> Vec<(&str, &Value)> {
        self.nodes.iter().map(|(n, v)| (*n, v)).collect()
    }
}

/// The caller's array `out_ids` of `count` entries for a batch: `None` for
/// a count of 0 (the pointer may then be NULL); a count above the core's
/// batch limit is the core's `INVALID_SETTING`, checked before the pointer.
pub(crate) unsafe fn batch<'a, T>(
    out_ids: *mut T,
    count: u64,
) -> Result<Option<&'a mut [T]>, Failure> {
    let n = batch_len(&Value::from(count))?;
    if n == 0 {
        return Ok(None);
    }
    if out_ids.is_null() {
        return Err(Failure::Null("out_ids"));
    }
    // SAFETY: out_ids holds `count` entries (header contract).
    Ok(Some(unsafe { std::slice::from_raw_parts_mut(out_ids, n) }))
}

/// Copies `s` and a NUL into a caller's buffer of `buf_len` bytes; writes the
/// length without the NUL to `out_len` (if given) in every case.
pub(crate) unsafe fn write_text(
    s: &str,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
    what: &'static str,
) -> Result<(), Failure> {
    let need = s.len() + 1;
    // SAFETY: out_len is NULL or valid (header contract).
    if let Some(l) = unsafe { out_len.as_mut() } {
        *l = u32::try_from(s.len()).unwrap_or(u32::MAX);
    }
    // A NULL buffer is a size query only with length 0.
    if buf.is_null() && buf_len != 0 {
        return Err(Failure::Null(what));
    }
    if (buf_len as usize) < need {
        return Err(Failure::BufferTooSmall {
            what,
            need: need as u64,
            got: buf_len.into(),
        });
    }
    // SAFETY: buf holds buf_len >= need bytes (header contract).
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
    Ok(())
}

/// The first `size` bytes of `value` into the caller's struct at `dst`
/// (a versioned struct: the caller's version may be shorter than ours).
///
/// # Safety
/// `dst` is non-NULL and holds `size` writable bytes; `size` is at most
/// `size_of::<T>()`.
pub(crate) unsafe fn write_prefix<T>(value: &T, dst: *mut T, size: usize) {
    debug_assert!(size <= size_of::<T>());
    // SAFETY: as the caller promises.
    unsafe {
        std::ptr::copy_nonoverlapping(
            std::ptr::from_ref(value).cast::<u8>(),
            dst.cast::<u8>(),
            size,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{SNOWID_ERR_NULL_ARGUMENT, SNOWID_OK};

    fn message() -> String {
        let p = crate::error::snowid_last_error_message();
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn parallel_arrays_name_the_first_null_and_allow_none_when_empty() {
        let (a, b) = (c"a".as_ptr(), 1u64);
        let none: (&[*const c_char], &[u64]) =
            unsafe { parallel(std::ptr::null(), "names", std::ptr::null(), "values", 0) }.unwrap();
        assert!(none.0.is_empty() && none.1.is_empty());
        let r = unsafe { parallel(std::ptr::null::<*const c_char>(), "names", &b, "values", 1) };
        assert!(matches!(r, Err(Failure::Null("names"))));
        let r = unsafe { parallel(&a, "names", std::ptr::null::<u64>(), "values", 1) };
        assert!(matches!(r, Err(Failure::Null("values"))));
        let (n, v) = unsafe { parallel(&a, "names", &b, "values", 1) }.unwrap();
        assert_eq!(
            (n.len(), v, unsafe { CStr::from_ptr(n[0]) }),
            (1, &[1][..], c"a")
        );
    }

    #[test]
    fn named_nodes_refuse_a_name_given_twice_and_keep_the_order() {
        let names = [c"worker".as_ptr(), c"datacenter".as_ptr()];
        let values = [3u64, 4];
        let nodes = unsafe { NamedNodes::read(names.as_ptr(), values.as_ptr(), 2) }.unwrap();
        let pairs: Vec<String> = nodes
            .pairs()
            .iter()
            .map(|(n, v)| format!("{n}={v:?}"))
            .collect();
        let want =
            [("worker", 3u64), ("datacenter", 4)].map(|(n, v)| format!("{n}={:?}", Value::from(v)));
        assert_eq!(pairs, want);
        let twice = [c"worker".as_ptr(), c"worker".as_ptr()];
        let r = unsafe { NamedNodes::read(twice.as_ptr(), values.as_ptr(), 2) };
        assert!(matches!(
            r,
            Err(Failure::Core(Error::DuplicateField { .. }))
        ));
        let bad = [c"worker".as_ptr(), std::ptr::null()];
        let r = unsafe { NamedNodes::read(bad.as_ptr(), values.as_ptr(), 2) };
        assert!(matches!(r, Err(Failure::Null("names[i]"))));
    }

    #[test]
    fn batch_checks_the_limit_before_the_buffer() {
        let r = unsafe { batch(std::ptr::null_mut::<u64>(), 0) };
        assert!(matches!(r, Ok(None)));
        let r = unsafe { batch(std::ptr::null_mut::<u64>(), 1) };
        assert!(matches!(r, Err(Failure::Null("out_ids"))));
        let r = unsafe { batch(std::ptr::null_mut::<u64>(), core_snowid::MAX_BATCH + 1) };
        assert!(matches!(
            r,
            Err(Failure::Core(Error::InvalidSetting { .. }))
        ));
        let mut buf = [0u64; 3];
        let s = unsafe { batch(buf.as_mut_ptr(), 3) }.unwrap().unwrap();
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn answer_writes_only_on_success_and_names_the_null_argument() {
        let input = 20u32;
        let mut dst = 7u32;
        let s = unsafe { answer(&input, "input", &mut dst, "dst", |i| Ok(*i + 1)) };
        assert_eq!((s, dst), (SNOWID_OK, 21));
        let s = unsafe {
            answer(
                &input,
                "input",
                &mut dst,
                "dst",
                |_| -> Result<u32, Failure> { Err(Failure::Null("inner")) },
            )
        };
        assert_eq!((s, dst), (SNOWID_ERR_NULL_ARGUMENT, 21));
        let s = unsafe {
            answer(std::ptr::null::<u32>(), "input", &mut dst, "dst", |i| {
                Ok(*i)
            })
        };
        assert_eq!(s, SNOWID_ERR_NULL_ARGUMENT);
        assert!(message().contains("`input`"), "{}", message());
        let s = unsafe {
            answer(&input, "input", std::ptr::null_mut::<u32>(), "dst", |i| {
                Ok(*i)
            })
        };
        assert_eq!(s, SNOWID_ERR_NULL_ARGUMENT);
        assert!(message().contains("`dst`"), "{}", message());
    }

    #[test]
    fn free_ignores_null_and_drops_a_boxed_handle() {
        let counter = std::sync::Arc::new(());
        let p = boxed(std::sync::Arc::clone(&counter));
        assert_eq!(std::sync::Arc::strong_count(&counter), 2);
        unsafe { free(p) };
        assert_eq!(std::sync::Arc::strong_count(&counter), 1);
        unsafe { free(std::ptr::null_mut::<u8>()) };
    }
}
