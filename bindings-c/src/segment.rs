//! Segment mode (`snowid_segment_t`): dense, strictly increasing IDs per key
//! from ranges of a counter in a store.

use std::ffi::c_char;

use core_snowid::segment::{key_from_value, SegmentOptions};
use core_snowid::Segment;

use crate::args::{answer, arg, batch, boxed, free, out, text_value, write_prefix};
use crate::error::{guard, invalid_setting, snowid_status, Failure};
use crate::options::snowid_options_t;

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
/// default (`SNOWID_SEGMENT_STORE`, else the machine's
/// `file:///var/lib/snowid/segments`, or `$SNOWID_STATE_DIR/segments` when
/// that is set; in Kubernetes, Lambda and Cloud Run there is no default:
/// `SNOWID_ERR_SEGMENT_STORE_URL`); a bad URL is `SNOWID_ERR_SEGMENT_STORE_URL`. `step`: IDs per range at
/// first, 0 for the default (1000); the step then adapts (up to 1000000 by
/// default) so a range lasts about a minute. For the other options use
/// `snowid_segment_new_with_options()`.
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

/// Makes a segment generator for `key` from `options` (what Python's
/// `Segment(key, **options)` and Node's `new Segment(key, options)` make):
/// `store` (a URL, `snowid_options_set_str()`), `step`, `min_step`,
/// `max_step`, `prefetch_at`, `range_ms` (integers,
/// `snowid_options_set_int()`), `allow_volatile_store` (accept a Redis that
/// keeps nothing on disk, `snowid_options_set_bool()`; default false:
/// refused with `SNOWID_ERR_SEGMENT_STORE_URL`), in `snake_case` or lowerCamelCase. Every
/// option is judged here by the core, with the rules of
/// `testdata/OPTIONS.md` ("Segment options"): an unknown name, an option
/// given twice, a value of the wrong type or out of range is
/// `SNOWID_ERR_INVALID_SETTING` / `_WRONG_TYPE`, and
/// `snowid_last_error_message()` names the option and the valid range.
/// Options left out take their defaults (step 1000, min_step `min(step,
/// 1000)`, max_step `max(step, 1000000)`, prefetch_at 10, range_ms 60000;
/// store `SNOWID_SEGMENT_STORE`, else the machine's file store), the rules of
/// `testdata/OPTIONS.md` ("Segment options").
///
/// Ownership: `options` is only read (NULL: all defaults); free it whenever
/// you like. `*out_segment` is new; free it with `snowid_segment_free()`.
/// Errors: `SNOWID_ERR_SEGMENT_KEY`, then the options' errors in the core's
/// order (`_INVALID_SETTING`, `_WRONG_TYPE`, `_SEGMENT_STORE_URL`), then
/// `_SEGMENT_STORE_UNAVAILABLE` (the store cannot be reached) or
/// `_STATE_IO` (the file store's directory cannot be made). Nothing is
/// written to `*out_segment` on an error.
/// NULL: `key` or `out_segment` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread, also with one `options` object
/// shared by several threads (while nobody sets options on it). It may
/// block while it connects.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_new_with_options(
    key: *const c_char,
    options: *const snowid_options_t,
    out_segment: *mut *mut snowid_segment_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_segment, "out_segment") }?;
        let key = key_from_value(&unsafe { text_value(key, "key") }?)?;
        let settings = if options.is_null() {
            SegmentOptions::new().resolve()?
        } else {
            unsafe { &*options }.segment().resolve()?
        };
        let inner = Segment::new(&key, settings)?;
        *o = boxed(snowid_segment_t { inner });
        Ok(())
    })
}

/// Size of `snowid_segment_stats_t` version 1: what
/// `snowid_segment_stats()` accepts as `struct_size`.
pub const SNOWID_SEGMENT_STATS_SIZE_V1: u32 = 80;

/// What a segment generator has done so far (`snowid_segment_stats()`), as
/// Python's `Segment.stats()` and Node's `segment.stats()`. Each field is a
/// recent value while other threads take IDs.
///
/// Versioning rule: fields are only ever appended. Read it with
/// `snowid_segment_stats(seg, &st, sizeof st)`, which writes exactly the
/// version the caller was compiled with.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct snowid_segment_stats_t {
    /// Ranges taken from the store.
    pub ranges_fetched: u64,
    /// Takes that failed (store unreachable, ...).
    pub fetch_failures: u64,
    /// Latency of the last successful take, in microseconds.
    pub last_fetch_us: u64,
    /// Largest latency of a take, in microseconds.
    pub max_fetch_us: u64,
    /// Sum of take latencies, in microseconds (divide by `ranges_fetched`).
    pub total_fetch_us: u64,
    /// Calls that found both ranges spent and waited for the store.
    pub waits: u64,
    /// The step of the next take.
    pub step: u64,
    /// Start of the range IDs come from now (`[current_start, current_end)`;
    /// 0 and 0 before the first ID).
    pub current_start: u64,
    /// End of the current range (exclusive).
    pub current_end: u64,
    /// 1 when the next range is already buffered, else 0.
    pub buffered: u64,
}

const _: () = assert!(size_of::<snowid_segment_stats_t>() == SNOWID_SEGMENT_STATS_SIZE_V1 as usize);

/// Writes the segment's counters, the version the caller compiled, to
/// `*out_stats`: `snowid_segment_stats_t st; snowid_segment_stats(seg, &st,
/// sizeof st);`. Takes the segment's internal lock briefly (not the per-ID
/// path).
///
/// Ownership: writes exactly `struct_size` bytes of the caller's struct.
/// NULL: `segment` or `out_stats` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if `struct_size` is not
/// `SNOWID_SEGMENT_STATS_SIZE_V1` (nothing is written).
/// Thread safety: safe while other threads take IDs from the same handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_segment_stats(
    segment: *const snowid_segment_t,
    out_stats: *mut snowid_segment_stats_t,
    struct_size: u32,
) -> snowid_status {
    guard(|| {
        let s = unsafe { arg(segment, "segment") }?;
        if out_stats.is_null() {
            return Err(Failure::Null("out_stats"));
        }
        if struct_size != SNOWID_SEGMENT_STATS_SIZE_V1 {
            return Err(invalid_setting(
                "segment stats struct_size",
                struct_size,
                &format!(
                    "{SNOWID_SEGMENT_STATS_SIZE_V1} (version 1): pass \
                     sizeof(snowid_segment_stats_t) (a larger size means the header is newer \
                     than the library)"
                ),
            ));
        }
        let c = s.inner.stats();
        let st = snowid_segment_stats_t {
            ranges_fetched: c.ranges_fetched,
            fetch_failures: c.fetch_failures,
            last_fetch_us: c.last_fetch_us,
            max_fetch_us: c.max_fetch_us,
            total_fetch_us: c.total_fetch_us,
            waits: c.waits,
            step: c.step,
            current_start: c.current_start,
            current_end: c.current_end,
            buffered: u64::from(c.buffered),
        };
        // SAFETY: the caller's struct holds `struct_size` bytes (header
        // contract), checked above to be the whole struct.
        unsafe { write_prefix(&st, out_stats, struct_size as usize) };
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
