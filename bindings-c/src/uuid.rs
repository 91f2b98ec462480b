//! UUIDv7 and ULID: `snowid_uuid7()` (16 bytes), `snowid_uuid7_text()`,
//! `snowid_ulid()`, the text forms of both, and the same from explicit wide
//! generators made with layout `"uuid7"` / `"ulid"`. Binary UUIDs and ULIDs
//! are 16 bytes, most significant first (RFC 9562's byte order, the ULID
//! spec's binary form; the layout of `uuid_t` in libuuid).

use std::ffi::c_char;

use core_snowid::wide;

use crate::args::{arg, text as read_text, write_text};
use crate::error::{guard, snowid_status, Failure};
use crate::wide::snowid_wide_generator_t;

/// Bytes a UUID's canonical text needs with its NUL (36 + 1).
pub const SNOWID_UUID_TEXT_BUFFER_SIZE: u32 = 37;
/// Bytes a ULID's text needs with its NUL (26 + 1).
pub const SNOWID_ULID_TEXT_BUFFER_SIZE: u32 = 27;
const _: () = assert!(SNOWID_UUID_TEXT_BUFFER_SIZE as usize == wide::UUID_TEXT_LEN + 1);
const _: () = assert!(SNOWID_ULID_TEXT_BUFFER_SIZE as usize == wide::ULID_TEXT_LEN + 1);

/// Writes `id` as 16 big-endian bytes to `out`.
unsafe fn write_bytes(id: u128, out: *mut u8) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::Null("out"));
    }
    // SAFETY: out holds 16 writable bytes (header contract).
    unsafe { std::ptr::copy_nonoverlapping(id.to_be_bytes().as_ptr(), out, 16) };
    Ok(())
}

/// Reads 16 big-endian bytes at `bytes`.
unsafe fn read_bytes(bytes: *const u8) -> Result<u128, Failure> {
    if bytes.is_null() {
        return Err(Failure::Null("bytes"));
    }
    let mut b = [0u8; 16];
    // SAFETY: bytes holds 16 readable bytes (header contract).
    unsafe { std::ptr::copy_nonoverlapping(bytes, b.as_mut_ptr(), 16) };
    Ok(u128::from_be_bytes(b))
}

/// Parses NUL-terminated `text` with `parse` into 16 bytes at `out`
/// (unchanged on an error); `text` is checked for NULL first.
unsafe fn parse_to_bytes(
    text: *const c_char,
    out: *mut u8,
    parse: fn(&str) -> core_snowid::Result<u128>,
) -> snowid_status {
    guard(|| {
        let s = unsafe { read_text(text, "text") }?;
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        unsafe { write_bytes(parse(s)?, out) }
    })
}

unsafe fn write_uuid_text(
    id: u128,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> Result<(), Failure> {
    let mut tmp = [0u8; wide::UUID_TEXT_LEN];
    unsafe {
        write_text(
            wide::encode_uuid_into(id, &mut tmp),
            buf,
            buf_len,
            out_len,
            "buf",
        )
    }
}

unsafe fn write_ulid_text(
    id: u128,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> Result<(), Failure> {
    let mut tmp = [0u8; wide::MAX_WIDE_ENCODED_LEN];
    unsafe {
        write_text(
            wide::encode_ulid_into(id, &mut tmp),
            buf,
            buf_len,
            out_len,
            "buf",
        )
    }
}

/// Writes a UUID version 7 (RFC 9562) to `out` (`uint8_t out[16]`: 16
/// bytes, big-endian, the layout of libuuid's `uuid_t`) from
/// the process's default `uuid7` generator, created on first use from the
/// `SNOWID_*` environment or a machine-local slot: unique by construction
/// (node numbers in `rand_b`), greater than every UUID this process made
/// before. Call `snowid_shutdown()` at exit, as for `snowid_next()`.
///
/// NULL: `out` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as the default generator's (`SNOWID_ERR_NO_FREE_SLOT`,
/// `_NODE_IN_USE`, `_FORKED`, `_CLOCK_MOVED_BACKWARDS`, ...).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_uuid7(out: *mut u8) -> snowid_status {
    guard(|| {
        // NULL is refused before an ID is issued.
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        unsafe { write_bytes(core_snowid::default::uuid7()?, out) }
    })
}

/// `snowid_uuid7()` as canonical text (`8-4-4-4-12`, lower case),
/// NUL-terminated, into `buf` of `buf_len` bytes
/// (`SNOWID_UUID_TEXT_BUFFER_SIZE` suffices); `*out_len` (optional)
/// receives the length without the NUL.
///
/// NULL: `buf` NULL with a non-zero `buf_len` -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_uuid7()`, `SNOWID_ERR_BUFFER_TOO_SMALL` (checked
/// first: no UUID is issued into a short buffer).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_uuid7_text(
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        if buf_len < SNOWID_UUID_TEXT_BUFFER_SIZE || buf.is_null() {
            return unsafe { write_uuid_text(0, buf, buf_len, out_len) };
        }
        unsafe { write_uuid_text(core_snowid::default::uuid7()?, buf, buf_len, out_len) }
    })
}

/// A ULID (26 characters of Crockford base32, upper case), NUL-terminated,
/// into `buf` of `buf_len` bytes (`SNOWID_ULID_TEXT_BUFFER_SIZE`
/// suffices), from the process's default `ulid` generator: unique by
/// construction, sorted like issue order. `*out_len` (optional) receives
/// the length without the NUL.
///
/// NULL: `buf` NULL with a non-zero `buf_len` -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_uuid7()`, `SNOWID_ERR_BUFFER_TOO_SMALL` (checked
/// first).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_ulid(
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        if buf_len < SNOWID_ULID_TEXT_BUFFER_SIZE || buf.is_null() {
            return unsafe { write_ulid_text(0, buf, buf_len, out_len) };
        }
        unsafe { write_ulid_text(core_snowid::default::ulid()?, buf, buf_len, out_len) }
    })
}

/// Writes the 16 bytes at `bytes` as a UUID's canonical text (lower case),
/// NUL-terminated, into `buf` (`SNOWID_UUID_TEXT_BUFFER_SIZE` suffices).
///
/// NULL: `bytes` NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_BUFFER_TOO_SMALL`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_uuid_encode(
    bytes: *const u8,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| unsafe { write_uuid_text(read_bytes(bytes)?, buf, buf_len, out_len) })
}

/// Parses a UUID's canonical text (either case; not braces, `urn:uuid:` or
/// 32 digits without hyphens) into 16 bytes at `out`.
///
/// NULL: `text`/`out` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`out` unchanged): `SNOWID_ERR_PARSE_EMPTY`, `_PARSE_LENGTH`,
/// `_PARSE_CHARACTER` (the message names the character and position),
/// `_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_uuid_parse(text: *const c_char, out: *mut u8) -> snowid_status {
    unsafe { parse_to_bytes(text, out, wide::parse_uuid) }
}

/// Writes the 16 bytes at `bytes` as a ULID (26 Crockford base32
/// characters), NUL-terminated, into `buf`
/// (`SNOWID_ULID_TEXT_BUFFER_SIZE` suffices).
///
/// NULL: `bytes` NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_BUFFER_TOO_SMALL`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_ulid_encode(
    bytes: *const u8,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| unsafe { write_ulid_text(read_bytes(bytes)?, buf, buf_len, out_len) })
}

/// Parses a ULID (case-insensitive; `I`/`L` read as 1, `O` as 0) into 16
/// bytes at `out`.
///
/// NULL: `text`/`out` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`out` unchanged): `SNOWID_ERR_PARSE_EMPTY`, `_PARSE_LENGTH`,
/// `_PARSE_CHARACTER`, `_INVALID_SETTING` (first character above `7`:
/// more than 128 bits), `_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_ulid_parse(text: *const c_char, out: *mut u8) -> snowid_status {
    unsafe { parse_to_bytes(text, out, wide::parse_ulid) }
}

/// Issues the next ID of `generator`, which must have layout `"uuid7"`,
/// as 16 bytes at `out`.
///
/// NULL: `generator`/`out` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (another layout), then as
/// `snowid_wide_next()`.
/// Thread safety: as `snowid_wide_next()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_next_uuid(
    generator: *const snowid_wide_generator_t,
    out: *mut u8,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        g.generator.layout().require_preset("uuid7")?;
        unsafe { write_bytes(g.generator.next_id()?, out) }
    })
}

/// Issues the next ID of `generator`, which must have layout `"ulid"`, as
/// a ULID's text into `buf` (`SNOWID_ULID_TEXT_BUFFER_SIZE` suffices).
///
/// NULL: `generator` NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (another layout),
/// `_BUFFER_TOO_SMALL` (checked before issuing), then as
/// `snowid_wide_next()`.
/// Thread safety: as `snowid_wide_next()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_next_ulid(
    generator: *const snowid_wide_generator_t,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        g.generator.layout().require_preset("ulid")?;
        if buf_len < SNOWID_ULID_TEXT_BUFFER_SIZE || buf.is_null() {
            return unsafe { write_ulid_text(0, buf, buf_len, out_len) };
        }
        unsafe { write_ulid_text(g.generator.next_id()?, buf, buf_len, out_len) }
    })
}
