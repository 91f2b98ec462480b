//! Text forms of IDs: encode into a caller's buffer, parse back.

use std::ffi::c_char;

use core_snowid::{Encoding, Error, ENCODINGS, MAX_ENCODED_LEN};

use crate::args::{answer_text, out, text, write_text};
use crate::error::{guard, snowid_status, Failure};

/// Plain decimal, 1..=20 digits (for display and JSON; not fixed width).
pub const SNOWID_ENCODING_DECIMAL: u32 = 0;
/// 16 lowercase hex digits (parsing accepts upper case too). Sorts like the IDs.
pub const SNOWID_ENCODING_HEX: u32 = 1;
/// 13 Crockford base32 digits, upper case (parsing is case-insensitive and
/// reads I/L as 1, O as 0). Sorts like the IDs.
pub const SNOWID_ENCODING_BASE32: u32 = 2;
/// 11 base62 digits `0-9A-Za-z` (case-sensitive). Sorts like the IDs (in
/// byte order, e.g. `strcmp`).
pub const SNOWID_ENCODING_BASE62: u32 = 3;
/// Longest encoded ID in characters (a 20-digit decimal), without the NUL.
pub const SNOWID_MAX_ENCODED_LEN: u32 = 20;
/// A buffer of this many bytes holds any encoded ID and its NUL.
pub const SNOWID_ENCODE_BUFFER_SIZE: u32 = 21;

const _: () = assert!(SNOWID_MAX_ENCODED_LEN as usize == MAX_ENCODED_LEN);

/// The encoding of a `SNOWID_ENCODING_*` number.
pub(crate) fn encoding(number: u32) -> Result<Encoding, Failure> {
    ENCODINGS.get(number as usize).copied().ok_or_else(|| {
        Error::UnknownEncoding {
            name: format!("#{number}"),
        }
        .into()
    })
}

/// Looks an encoding up by name (`"decimal"`, `"hex"`, `"base32"`,
/// `"base62"`) and writes its `SNOWID_ENCODING_*` number to `*out_encoding`.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_ENCODING`, `SNOWID_ERR_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_encoding_from_name(
    name: *const c_char,
    out_encoding: *mut u32,
) -> snowid_status {
    unsafe {
        answer_text(name, "name", out_encoding, "out_encoding", |name| {
            let e = Encoding::from_name(name)?;
            Ok(ENCODINGS.iter().position(|x| *x == e).unwrap_or(0) as u32)
        })
    }
}

/// Writes `id` in `encoding` (a `SNOWID_ENCODING_*` value), NUL-terminated,
/// into `buf` of `buf_len` bytes. `SNOWID_ENCODE_BUFFER_SIZE` bytes always
/// suffice.
///
/// Ownership: `buf` is the caller's. `*out_len` (optional, may be NULL)
/// receives the text's length without the NUL, also when the buffer is too
/// small (so `buf` NULL with `buf_len` 0 asks for the size).
/// NULL: `buf` NULL with a non-zero `buf_len` -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_ENCODING`, `SNOWID_ERR_BUFFER_TOO_SMALL`
/// (`buf_len` < length + 1; nothing written to `buf`).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_encode(
    id: u64,
    encoding: u32,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    unsafe {
        encode_into(encoding, buf, buf_len, out_len, |e, tmp| {
            e.encode_into(id, tmp)
        })
    }
}

/// The body of the encode exports (64-bit and wide): `encode` writes the
/// text into a scratch array of `N` bytes; it goes to the caller's buffer
/// as `write_text` says.
pub(crate) unsafe fn encode_into<const N: usize>(
    encoding: u32,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
    encode: impl for<'a> FnOnce(Encoding, &'a mut [u8; N]) -> &'a str,
) -> snowid_status {
    guard(|| {
        let e = self::encoding(encoding)?;
        let mut tmp = [0u8; N];
        unsafe { write_text(encode(e, &mut tmp), buf, buf_len, out_len, "buf") }
    })
}

/// Parses NUL-terminated `text` in `encoding` into `*out_id`.
///
/// NULL: `text`/`out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`*out_id` unchanged): `SNOWID_ERR_PARSE_EMPTY`, `_PARSE_LENGTH`,
/// `_PARSE_CHARACTER` (message gives the character and position),
/// `_PARSE_OVERFLOW`, `_UNKNOWN_ENCODING`, `_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_parse(
    encoding: u32,
    text: *const c_char,
    out_id: *mut u64,
) -> snowid_status {
    unsafe { parse_into(encoding, text, out_id, |e, s| Ok(e.parse(s)?)) }
}

/// The body of the parse exports (64-bit and wide): the encoding, then the
/// text, then the out-parameter, which receives what `parse` makes of them.
pub(crate) unsafe fn parse_into<T>(
    encoding: u32,
    text: *const c_char,
    out_id: *mut T,
    parse: impl FnOnce(Encoding, &str) -> Result<T, Failure>,
) -> snowid_status {
    guard(|| {
        let e = self::encoding(encoding)?;
        let s = unsafe { self::text(text, "text") }?;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = parse(e, s)?;
        Ok(())
    })
}
