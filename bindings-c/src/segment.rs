//! Segment mode (`snowid_segment_t`): dense, strictly increasing IDs per key
//! from ranges of a counter in a store.

use std::ffi::c_char;

use core_snowid::segment::{key_from_value, SegmentOptions};
use core_snowid::Segment;

use crate::args::{answer, arg, batch, boxed, free, out, text_value};
use crate::error::{guard, snowid_status};

/// A segment generator for one key (opaque): dense, strictly increasing
/// IDs (order numbers, invoice numbers) taken from ranges of the key's
/// counter in a store (`file:///dir`, `postgres://...`, `redis://...`).
/// Made by `snowid_segment_new()`, freed by `snowid_segment_free()`.
///
/// IDs are >= 1 and <= INT64_MAX, so they are `int64_t` and fit a signed
/// BIGINT column. They never repeat among the processes sharing the store
/// and increase within one handle; after a crash the rest of a taken range
/// is skipped, never reused.
///
/// Thread safety: any number of threads may call `snowid_segment_next()` /
/// `_next_batch()` on one handle; use one handle per key per process. The
/// handle owns a background thread that fetches the next range; after
/// `fork()` a handle made before it returns `SNOWID_ERR_FORKED` in the child.
#[allow(non_camel_case_types)]
pub struct snowid_segment_t {
    inner: Segment,
}

/// Makes a segment generator for `key` on `store`.
///
/// `key`: 1..128 characters of `A-Z a-z 0-9 _ - .`, not starting with `.`
/// (else `SNOWID_ERR_SEGMENT_KEY`). `store`: a store URL, or NULL for the
/// default (`SNOWID_SEGMENT_STORE`, else `file://<state dir>/segments`); a
/// bad URL is `SNOWID_ERR_SEGMENT_STORE_URL`. `step`: IDs per range at
/// first, 0 for the default (1000); the step then adapts (up to 1000000 by
/// default) so a range lasts about a minute.
///
/// Ownership: `*out_segment` is new; free it with `snowid_segment_free()`.
/// Errors: `SNOWID_ERR_SEGMENT_KEY`, `_SEGMENT_STORE_URL`,
/// `_INVALID_SETTING` (`step` above 1000000000),
/// `_SEGMENT_STORE_UNAVAILABLE` (the store cannot be reached),
/// `_STATE_IO` (the file store's directory cannot be made),
/// `_INVALID_UTF8`.
/// NULL: `key` or `out_segment` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread. It may block while it connects.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_new(
    key: *const c_char,
    store: *const c_char,
    step: u64,
    out_segment: *mut *mut snowid_segment_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_segment, "out_segment") }?;
        let key = key_from_value(&unsafe { text_value(key, "key") }?)?;
        let mut opts = SegmentOptions::new();
        if !store.is_null() {
            opts.set("store", unsafe { text_value(store, "store") }?);
        }
        if step != 0 {
            opts.set("step", step);
        }
        let inner = Segment::new(&key, opts.resolve()?)?;
        *o = boxed(snowid_segment_t { inner });
        Ok(())
    })
}

/// Frees a segment generator and stops its background thread. The rest of
/// its ranges is skipped for good. `NULL` is ignored.
///
/// Thread safety: no other thread may use `segment` during or after the call.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_free(segment: *mut snowid_segment_t) {
    unsafe { free(segment) }
}

/// Writes the next ID of the key to `*out_id`: one atomic increment while
/// the current range lasts; waits for the store only when both buffered
/// ranges are spent.
///
/// Errors (`*out_id` unchanged): `SNOWID_ERR_SEGMENT_STORE_UNAVAILABLE`
/// (both ranges spent and the store gave no new one, or lost its data),
/// `_SEGMENT_EXHAUSTED` (the counter would pass INT64_MAX), `_FORKED`.
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: any number of threads may call it on one handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_next(
    segment: *const snowid_segment_t,
    out_id: *mut i64,
) -> snowid_status {
    unsafe {
        answer(segment, "segment", out_id, "out_id", |s| {
            Ok(s.inner.next_id()? as i64)
        })
    }
}

/// Fills `out_ids[0 .. count]` with strictly increasing IDs. On an error
/// nothing is promised about `out_ids` (IDs already taken are skipped).
///
/// Ownership: `out_ids` is the caller's array of at least `count` entries.
/// Errors: `SNOWID_ERR_INVALID_SETTING` for `count` above
/// `SNOWID_MAX_BATCH`; else as `snowid_segment_next()`.
/// NULL: `segment` NULL, or `out_ids` NULL with `count` > 0 ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: any number of threads may call it on one handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_next_batch(
    segment: *const snowid_segment_t,
    out_ids: *mut i64,
    count: u64,
) -> snowid_status {
    guard(|| {
        let s = unsafe { arg(segment, "segment") }?;
        // i64 and u64 have the same size and alignment, and every ID is
        // <= INT64_MAX, so the bits read the same as int64_t.
        if let Some(buf) = unsafe { batch(out_ids.cast::<u64>(), count) }? {
            s.inner.fill(buf)?;
        }
        Ok(())
    })
}
