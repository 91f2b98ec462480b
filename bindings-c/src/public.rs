//! Keyed public IDs (`snowid_public_ids_t`): the core's `public_id`.

use std::ffi::c_char;

use core_snowid::public_id::PUBLIC_ID_LEN;
use core_snowid::PublicIds;

use crate::args::{arg, boxed, free, out, text, write_text};
use crate::error::{guard, snowid_status};

/// Bytes that always hold a public ID with its NUL: 16 characters + 1.
pub const SNOWID_PUBLIC_ID_BUFFER_SIZE: u32 = 17;

/// A keyed, reversible permutation of 64-bit IDs for showing to the public
/// (opaque): `snowid_public_ids_encode()` gives 16 Crockford base32
/// characters that hide the ID's time, node and volume; only the same key
/// (and context) decodes them. FF1 (NIST SP 800-38G) over AES; a mistyped
/// text or another key fails a 16-bit check (`SNOWID_ERR_PUBLIC_ID_CHECK`)
/// instead of giving another ID. Made by `snowid_public_ids_new()`, freed by
/// `snowid_public_ids_free()`. It holds the AES key schedule: treat it, and
/// free it, like the key.
///
/// Thread safety: immutable once made; any number of threads may encode
/// and decode with one handle at once.
#[allow(non_camel_case_types)]
pub struct snowid_public_ids_t {
    inner: PublicIds,
}

/// Makes a public ID permutation under `key` (`key_len` bytes: 16, 24 or
/// 32, an AES-128, AES-192 or AES-256 key) and `context` (NUL-terminated
/// UTF-8 of at most 64 bytes, or NULL for none: two contexts under one key
/// give unrelated public IDs).
///
/// Ownership: `key` and `context` are only read (copied; free them whenever
/// you like). `*out_ids` is new; free it with `snowid_public_ids_free()`.
/// Errors (nothing written to `*out_ids`): `SNOWID_ERR_PUBLIC_ID_KEY`
/// (`key_len` not 16, 24 or 32), `_INVALID_SETTING` (`context` longer than
/// 64 bytes), `_INVALID_UTF8` (`context`).
/// NULL: `key` or `out_ids` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_public_ids_new(
    key: *const u8,
    key_len: u32,
    context: *const c_char,
    out_ids: *mut *mut snowid_public_ids_t,
) -> snowid_status {
    guard(|| {
        let first = unsafe { arg(key, "key") }?;
        let context = if context.is_null() {
            ""
        } else {
            unsafe { text(context, "context") }?
        };
        let o = unsafe { out(out_ids, "out_ids") }?;
        // SAFETY: `key` holds `key_len` bytes (header contract); non-NULL.
        let key = unsafe { std::slice::from_raw_parts(first, key_len as usize) };
        *o = boxed(snowid_public_ids_t {
            inner: PublicIds::with_context(key, context)?,
        });
        Ok(())
    })
}

/// Frees a public ID permutation. `NULL` is ignored.
///
/// Thread safety: no other thread may use `ids` during or after the call.
#[no_mangle]
pub unsafe extern "C" fn snowid_public_ids_free(ids: *mut snowid_public_ids_t) {
    unsafe { free(ids) }
}

/// Writes the public ID of `id` (any `uint64_t`), NUL-terminated, into
/// `buf` of `buf_len` bytes: 16 characters, so
/// `SNOWID_PUBLIC_ID_BUFFER_SIZE` (17) bytes always suffice.
///
/// Ownership: `buf` is the caller's. `*out_len` (optional, may be NULL)
/// receives the text's length without the NUL (16), also when the buffer is
/// too small.
/// NULL: `ids` NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_BUFFER_TOO_SMALL` (`buf_len` < 17; nothing written).
/// Thread safety: safe from any thread, also on one shared handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_public_ids_encode(
    ids: *const snowid_public_ids_t,
    id: u64,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        let ids = unsafe { arg(ids, "ids") }?;
        let mut tmp = [0u8; PUBLIC_ID_LEN];
        let s = ids.inner.encode_into(id, &mut tmp);
        unsafe { write_text(s, buf, buf_len, out_len, "buf") }
    })
}

/// Writes the ID behind the public ID `text` (NUL-terminated; any case,
/// `I`/`L` read as 1, `O` as 0) to `*out_id`.
///
/// NULL: `ids`, `text` or `out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`*out_id` unchanged): `SNOWID_ERR_PARSE_EMPTY`, `_PARSE_LENGTH`
/// (not 16 characters), `_PARSE_CHARACTER` (not Crockford base32; the
/// message gives the character and position), `_PUBLIC_ID_CHECK` (mistyped,
/// or made with another key or context), `_INVALID_UTF8`.
/// Thread safety: safe from any thread, also on one shared handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_public_ids_decode(
    ids: *const snowid_public_ids_t,
    text: *const c_char,
    out_id: *mut u64,
) -> snowid_status {
    guard(|| {
        let ids = unsafe { arg(ids, "ids") }?;
        let s = unsafe { self::text(text, "text") }?;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = ids.inner.decode(s)?;
        Ok(())
    })
}
