//! Remote generator (`snowid_remote_t`): IDs fetched in batches from a
//! `snowid serve`, handed out from a local buffer.

use std::ffi::c_char;

use core_snowid::{RemoteGenerator, RemoteOptions};

use crate::args::{answer, arg, batch, boxed, free, out, text_value};
use crate::error::{guard, snowid_status};
use crate::options::snowid_options_t;

/// A remote generator (opaque): IDs from a `snowid serve` (`http://` or
/// `https://`), fetched in batches by a background thread and handed out
/// from a local buffer with no lock and no I/O per ID. For processes that
/// have no node identity of their own (a Kubernetes Deployment, AWS Lambda,
/// Cloud Run: where a local generator answers
/// `SNOWID_ERR_NODE_SOURCE_REQUIRED`). Made by `snowid_remote_new()` or
/// `snowid_remote_new_with_options()`, freed by `snowid_remote_free()`.
///
/// The service keeps the IDs unique, across its own SIGKILL and restart;
/// the handle hands out only whole answers, each ID once. After `fork()` a
/// handle made before it drops the parent's buffer in the child and fetches
/// its own batches.
///
/// Thread safety: any number of threads may take IDs from one handle.
#[allow(non_camel_case_types)]
pub struct snowid_remote_t {
    inner: RemoteGenerator,
}

/// Makes a remote generator for the service at `url`, with the bearer
/// `token` (NULL: none) and the default options (batch 4096, prefetch at
/// 10%, timeout 5000 ms). The first batch is requested at once, in the
/// background: the service's errors show at the first ID.
///
/// Ownership: `url` and `token` are only read; `*out_remote` is new: free it
/// with `snowid_remote_free()`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (a bad URL or token; the message
/// never shows the token), `_INVALID_UTF8`.
/// NULL: `url` or `out_remote` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread; it does not block.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_new(
    url: *const c_char,
    token: *const c_char,
    out_remote: *mut *mut snowid_remote_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_remote, "out_remote") }?;
        let mut opts = RemoteOptions::new();
        opts.set("url", unsafe { text_value(url, "url") }?);
        if !token.is_null() {
            opts.set("token", unsafe { text_value(token, "token") }?);
        }
        *o = boxed(snowid_remote_t {
            inner: opts.build()?,
        });
        Ok(())
    })
}

/// Makes a remote generator from `options` (what Python's
/// `RemoteGenerator(url, **options)` and Node's `new RemoteGenerator(options)`
/// make); the options are listed at `snowid_options_t`. Every option is
/// judged by the core (`testdata/OPTIONS.md`, "Remote generator options"):
/// an unknown name, an option given twice, a missing `url`, a value of the
/// wrong type or out of range is `SNOWID_ERR_INVALID_SETTING` /
/// `_WRONG_TYPE` / `_SEGMENT_KEY`, and `snowid_last_error_message()` names
/// the option and the valid range.
///
/// Ownership: `options` is only read; `*out_remote` is new: free it with
/// `snowid_remote_free()`. Nothing is written to `*out_remote` on an error.
/// NULL: `options` or `out_remote` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread; it does not block.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_new_with_options(
    options: *const snowid_options_t,
    out_remote: *mut *mut snowid_remote_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_remote, "out_remote") }?;
        let opts = unsafe { arg(options, "options") }?;
        *o = boxed(snowid_remote_t {
            inner: opts.remote().build()?,
        });
        Ok(())
    })
}

/// Frees a remote generator and stops its background thread (waiting for a
/// request in flight at most `timeout_ms`). The rest of its buffer is never
/// used. `NULL` is ignored.
///
/// Thread safety: no other thread may use `remote` during or after the call.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_free(remote: *mut snowid_remote_t) {
    unsafe { free(remote) }
}

/// Writes the next ID to `*out_id`: from the buffer (one atomic increment);
/// when it is spent, waits at most `timeout_ms` for the next batch.
///
/// Errors (`*out_id` unchanged): `SNOWID_ERR_REMOTE_TIMEOUT` (no answer in
/// time), `_REMOTE_UNAVAILABLE` (refused, reset, 429/5xx, cut short until
/// the wait ran out; or an answer no retry changes), `_UNAUTHORIZED` (the
/// service refused the token).
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: any number of threads may call it on one handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_next(
    remote: *const snowid_remote_t,
    out_id: *mut u64,
) -> snowid_status {
    unsafe {
        answer(remote, "remote", out_id, "out_id", |r| {
            Ok(r.inner.next_id()?)
        })
    }
}

/// Fills `out_ids[0 .. count]` with IDs, increasing as the service issued
/// them. On an error nothing is promised about `out_ids` (IDs already taken
/// are skipped, never reissued).
///
/// Ownership: `out_ids` is the caller's array of at least `count` entries.
/// Errors: `SNOWID_ERR_INVALID_SETTING` for `count` above
/// `SNOWID_MAX_BATCH`; else as `snowid_remote_next()`.
/// NULL: `remote` NULL, or `out_ids` NULL with `count` > 0 ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: any number of threads may call it on one handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_next_batch(
    remote: *const snowid_remote_t,
    out_ids: *mut u64,
    count: u64,
) -> snowid_status {
    guard(|| {
        let r = unsafe { arg(remote, "remote") }?;
        if let Some(buf) = unsafe { batch(out_ids, count) }? {
            r.inner.fill(buf)?;
        }
        Ok(())
    })
}

/// Waits at most `timeout_ms` until the buffer holds IDs, so that the next
/// `snowid_remote_next()` does not wait; takes none.
///
/// Errors: as `snowid_remote_next()`.
/// NULL: `remote` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: any number of threads may call it on one handle.
#[no_mangle]
pub unsafe extern "C" fn snowid_remote_ready(remote: *const snowid_remote_t) -> snowid_status {
    guard(|| {
        unsafe { arg(remote, "remote") }?.inner.ready()?;
        Ok(())
    })
}
