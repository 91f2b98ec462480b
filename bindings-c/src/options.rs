//! Generator options by name (`snowid_options_t`): the C form of Python's
//! keyword arguments and Node's option object. Each setter only converts
//! one C value into the core's host `Value`; the core judges every option
//! when a generator is made or the default generator is configured, with
//! the same rules, order and error codes as in every other language.

use std::ffi::{c_char, OsString};
use std::os::unix::ffi::OsStringExt;

use core_snowid::env::Environment;
use core_snowid::options::{resolve_json, GeneratorOptions};
use core_snowid::segment::SegmentOptions;
use core_snowid::{default, ManualClock, Value};

use crate::args::{
    answer, arg, boxed, free, out, parallel, raw_text, text, text_value, write_text,
};
use crate::error::{guard, guard_value, invalid_setting, snowid_status, Failure};
use crate::generator::snowid_generator_t;
use crate::layout::snowid_layout_t;

/// Options by name (opaque): the keywords of every snowid language, in
/// `snake_case` (or lowerCamelCase), with the rules of
/// `testdata/OPTIONS.md`. One object holds the options of any constructor,
/// once; the call that consumes it judges the names it knows.
///
/// `snowid_generator_new_with_options()`, `snowid_configure()` and
/// `snowid_wide_generator_new()` (there `lanes` only 1): the layout's node
/// fields (`worker`, ...) and
// BEGIN GENERATED options:c-generator (make options)
/// - `layout` (`_set_str()` or `_set_layout()`): preset name (exact: `twitter`,
///   `discord`, `instagram`, `sonyflake`) or a `Layout`; default `twitter`
///   (environment: `SNOWID_LAYOUT`)
/// - `epoch` (`_set_int()`): integer ms since the Unix epoch, >= 0, not in the
///   future; default the layout's
/// - `clock` (`_set_str()` or `_set_manual_clock()`): `"cached"`,
///   `"monotonic"`, a `ManualClock`; default `"cached"` (environment:
///   `SNOWID_CLOCK`)
/// - `on_regression` (`_set_str()`): `"wait"`, `"fail"`; default `"wait"`
/// - `max_wait_ms` (`_set_int()`): integer 0..=3600000; default 1000 (only with
///   `wait`)
/// - `max_borrow_ticks` (`_set_int()`): integer 0..=1000000; default 0
/// - `node_source` (`_set_str()`): `"explicit"`, `"local"`, `"env"`, `"k8s"`,
///   `"etcd"`, `"redis"`; default `explicit` when node fields are given
///   (environment: `SNOWID_NODE_SOURCE`)
/// - `state_dir` (`_set_str()`): non-empty path; default `SNOWID_STATE_DIR`,
///   else the per-user directory (environment: `SNOWID_STATE_DIR`)
/// - `protect` (`_set_bool()`): bool: lock the node numbers on this machine and
///   keep a high-water mark; default `true`; `false` with a `ManualClock`
/// - `persist` (`_set_bool()`): bool: keep the high-water mark (needs
///   `protect`); default `true` when protected (environment: `SNOWID_PERSIST`)
/// - `window_ms` (`_set_int()`): integer 1..=3600000; default 1000
///   (environment: `SNOWID_WINDOW_MS`)
/// - `random_sequence_start` (`_set_bool()`): bool: each tick entered from the
///   clock starts its sequence at a pseudo-random offset in `0..2^min(sequence
///   bits - 1, 8)` (a hash of the tick and the node), so `id % shards` spreads
///   at low rates; a tick entered by carry starts at 0; default `false`
/// - `lanes` (`_set_int()`): integer 1..=min(nodes of the layout, 1024): node
///   numbers the generator holds, one per lane (`snowid::lanes`); a fixed
///   number n (node fields, `env`, `k8s`) is a block index: lane i holds n x
///   lanes + i (see "Lanes and fixed numbers"); default 1
// END GENERATED options:c-generator
///
/// `snowid_wide_layout_new()` and `snowid_wide_generator_new()` also read
// BEGIN GENERATED options:c-wide (make options)
/// - `width` (`_set_int()`): integer 1..=128: the ID's width; the fields fill
///   it exactly (53 for a custom JS-safe layout); default 128
/// - `tick_ms` (`_set_int()`): integer 1..=86400000; default 1
// END GENERATED options:c-wide
///
/// `snowid_segment_new_with_options()`:
// BEGIN GENERATED options:c-segment (make options)
/// - `store` (`_set_str()`): a store URL; default: see `testdata/OPTIONS.md`
///   (environment: `SNOWID_SEGMENT_STORE`)
/// - `step` (`_set_int()`): integer 1..=1000000000: IDs per range at first;
///   default: see `testdata/OPTIONS.md`
/// - `min_step` (`_set_int()`): integer 1..=1000000000; default `min(step,
///   1000)`
/// - `max_step` (`_set_int()`): integer 1..=1000000000; default `max(step,
///   1000000)`
/// - `prefetch_at` (`_set_int()`): integer 0..=99: percent of a range (a batch)
///   used before the next is fetched in the background; default 10 (as Meituan
///   Leaf)
/// - `range_ms` (`_set_int()`): integer 1..=86400000: the lifetime a range
///   should have; default 60000
/// - `allow_volatile_store` (`_set_bool()`): boolean (or 1/0): accept a Redis
///   that keeps nothing on disk (tests, caches of IDs you can afford to
///   repeat); default false
// END GENERATED options:c-segment
///
/// `snowid_remote_new_with_options()`:
// BEGIN GENERATED options:c-remote (make options)
/// - `prefetch_at` (`_set_int()`): integer 0..=99: percent of a range (a batch)
///   used before the next is fetched in the background; default 10 (as Meituan
///   Leaf)
/// - `url` (`_set_str()`): `http://host[:port][/prefix]` or `https://...` of a
///   `snowid serve`; default required
/// - `token` (`_set_str()`): the service's bearer token (its `--token-file` or
///   `SNOWID_TOKEN`); default none (no `Authorization` header)
/// - `key` (`_set_str()`): a segment key: the key's dense IDs
///   (`/v1/segments/{key}/next_ids`); default none (Snowflake IDs of the
///   service's generator)
/// - `batch` (`_set_int()`): integer 1..=65536: IDs per request (at most the
///   service's `--max-batch`); default 4096
/// - `timeout_ms` (`_set_int()`): integer 1..=600000: longest wait for an ID
///   when the buffer is empty (retries with backoff inside it), and for one
///   request; default 5000
// END GENERATED options:c-remote
///
/// Made by `snowid_options_new()`, freed by `snowid_options_free()`.
///
/// The setters never judge a value: every check happens in
/// `snowid_generator_new_with_options()` / `snowid_configure()` /
/// `snowid_segment_new_with_options()` / `snowid_remote_new_with_options()`, which
/// report the first problem in the core's fixed order (so the same options
/// give the same error code in C, Python, Node and Rust).
///
/// Thread safety: setting options needs exclusive access; any number of
/// threads may make generators from one options object at the same time.
#[allow(non_camel_case_types)]
pub struct snowid_options_t {
    /// The options in the order they were set, as given: one copy, replayed
    /// into the core's generator or segment options by the call that
    /// consumes them (each judges its own names).
    entries: Vec<(String, Value)>,
}

impl snowid_options_t {
    /// The entries as generator options (`snowid_generator_new_with_options()`,
    /// `snowid_configure()`, the wide generator and layout).
    pub(crate) fn generator(&self) -> GeneratorOptions {
        let mut o = GeneratorOptions::new();
        for (k, v) in &self.entries {
            o.set(k, v.clone());
        }
        o
    }

    /// The entries as remote generator options
    /// (`snowid_remote_new_with_options()`).
    pub(crate) fn remote(&self) -> core_snowid::RemoteOptions {
        let mut o = core_snowid::RemoteOptions::new();
        for (k, v) in &self.entries {
            o.set(k, v.clone());
        }
        o
    }

    /// The entries as segment options (`snowid_segment_new_with_options()`).
    pub(crate) fn segment(&self) -> SegmentOptions {
        let mut o = SegmentOptions::new();
        for (k, v) in &self.entries {
            o.set(k, v.clone());
        }
        o
    }
}

/// Makes an empty options object.
///
/// Ownership: `*out_options` is new; free it with `snowid_options_free()`.
/// NULL: `out_options` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_new(
    out_options: *mut *mut snowid_options_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_options, "out_options") }?;
        *o = boxed(snowid_options_t {
            entries: Vec::new(),
        });
        Ok(())
    })
}

/// Frees an options object. `NULL` is ignored. Generators made from it do
/// not need it any more.
///
/// Thread safety: no other thread may use `options` during or after the call.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_free(options: *mut snowid_options_t) {
    unsafe { free(options) }
}

/// Adds `key` = the value made by `value` (the one shape of every setter).
unsafe fn set(
    options: *mut snowid_options_t,
    key: *const c_char,
    value: impl FnOnce() -> Result<Value, Failure>,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(options, "options") }?;
        let key = unsafe { text(key, "key") }?;
        let v = value()?;
        o.entries.push((key.to_owned(), v));
        Ok(())
    })
}

/// Sets option `key` to a signed integer (`epoch`, `max_wait_ms`, a node
/// field such as `worker`...). Negative values are handed on too: the core
/// reports them (`SNOWID_ERR_FIELD_OUT_OF_RANGE` for a node field).
///
/// NULL: `options` or `key` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_UTF8` (`key`). The value is judged later.
/// Thread safety: see `snowid_options_t`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_int(
    options: *mut snowid_options_t,
    key: *const c_char,
    value: i64,
) -> snowid_status {
    unsafe { set(options, key, || Ok(value.into())) }
}

/// Sets option `key` to an unsigned integer (for values above `INT64_MAX`).
///
/// NULL, errors, thread safety: as `snowid_options_set_int()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_uint(
    options: *mut snowid_options_t,
    key: *const c_char,
    value: u64,
) -> snowid_status {
    unsafe { set(options, key, || Ok(value.into())) }
}

/// Sets option `key` to a boolean (`protect`, `persist`).
///
/// NULL, errors, thread safety: as `snowid_options_set_int()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_bool(
    options: *mut snowid_options_t,
    key: *const c_char,
    value: bool,
) -> snowid_status {
    unsafe { set(options, key, || Ok(value.into())) }
}

/// Sets option `key` to a string (`layout` preset name, `clock`,
/// `on_regression`, `node_source`, `state_dir`). The string is copied. A
/// string that is not UTF-8 is handed on as such; the core reports it
/// (`SNOWID_ERR_INVALID_SETTING`).
///
/// NULL: `options`, `key` or `value` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors, thread safety: as `snowid_options_set_int()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_str(
    options: *mut snowid_options_t,
    key: *const c_char,
    value: *const c_char,
) -> snowid_status {
    unsafe { set(options, key, || text_value(value, "value")) }
}

/// Sets option `key` (normally `layout`) to a layout. The layout is copied:
/// free yours whenever you like.
///
/// NULL: `options`, `key` or `layout` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors, thread safety: as `snowid_options_set_int()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_layout(
    options: *mut snowid_options_t,
    key: *const c_char,
    layout: *const snowid_layout_t,
) -> snowid_status {
    unsafe {
        set(options, key, || {
            Ok(arg(layout, "layout")?.layout.clone().into())
        })
    }
}

/// Sets option `key` (normally `clock`) to a new manual clock reading
/// `start_ms` (ms since the Unix epoch), for tests: a generator made from
/// these options issues IDs only as `snowid_generator_set_time()` /
/// `_advance_time()` move it, and its numbers are not protected. Generators
/// made from the same options object share the clock.
///
/// NULL, errors, thread safety: as `snowid_options_set_int()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_options_set_manual_clock(
    options: *mut snowid_options_t,
    key: *const c_char,
    start_ms: u64,
) -> snowid_status {
    unsafe { set(options, key, || Ok(ManualClock::new(start_ms).into())) }
}

/// Makes a generator from `options` (what Python's `Generator(**options)`
/// and Node's `new Generator(options)` make). With neither node fields nor
/// a `node_source` it is `SNOWID_ERR_MISSING_FIELD`: pass the numbers, or a
/// source, or use the default generator.
///
/// Ownership: `options` is only read. `*out_generator` is a new generator to
/// free with `snowid_generator_free()`.
/// NULL: `options` or `out_generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: the core's, in its fixed order: `SNOWID_ERR_INVALID_SETTING`,
/// `_WRONG_TYPE`, `_UNKNOWN_LAYOUT`, `_UNKNOWN_FIELD`,
/// `_FIELD_OUT_OF_RANGE`, `_MISSING_FIELD`, `_EPOCH_IN_FUTURE`, then
/// claiming the numbers: `_NODE_IN_USE`, `_NO_FREE_SLOT`, `_STATE_IO`,
/// `_STATE_CORRUPT`, `_BEHIND_HIGH_WATER`, `_COORDINATION_UNAVAILABLE`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_new_with_options(
    options: *const snowid_options_t,
    out_generator: *mut *mut snowid_generator_t,
) -> snowid_status {
    unsafe {
        answer(options, "options", out_generator, "out_generator", |o| {
            snowid_generator_t::from_options(&o.generator())
        })
    }
}

/// Sets the default generator's options (Python's `snowid.configure()`):
/// each option given wins over the environment; the rest comes from the
/// `SNOWID_*` variables. Checked at once. Calling it again with the same
/// settings does nothing; with other settings it replaces the default
/// generator if that has issued no ID yet, else it is
/// `SNOWID_ERR_INVALID_SETTING` naming the first setting that differs (in a
/// forked child you may configure afresh).
///
/// Ownership: `options` is copied; free it whenever you like.
/// NULL: `options` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_generator_new_with_options()`, before any number is
/// claimed.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_configure(options: *const snowid_options_t) -> snowid_status {
    guard(|| {
        let o = unsafe { arg(options, "options") }?;
        default::configure(o.generator())?;
        Ok(())
    })
}

/// A clean exit for the default generator: lowers its persisted high-water
/// mark to the last tick it issued, so the next process with its numbers
/// (a restart, the next cron run) gets its first ID without waiting out the
/// reserved window. Call it once before a normal exit, e.g.
/// `atexit(snowid_shutdown);` in `main` (its signature fits `atexit`). After
/// a crash, waiting up to one window (1 s by default) stays the price.
///
/// Harmless to call twice, before any ID, or with no default generator; an
/// ID requested afterwards still works (it first reserves again). Your own
/// generators do the same when freed with `snowid_generator_free()`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn snowid_shutdown() {
    guard_value((), default::shutdown)
}

/// `snowid_test_resolve()` target: `snowid_generator_new_with_options()`.
pub const SNOWID_RESOLVE_GENERATOR: u32 = 0;
/// `snowid_test_resolve()` target: `snowid_configure()` + the environment.
pub const SNOWID_RESOLVE_DEFAULT: u32 = 1;
/// `snowid_test_resolve()` target: the layout `inspect` uses without one.
pub const SNOWID_RESOLVE_INSPECT: u32 = 2;
/// `snowid_test_resolve()` target: the ID service's settings (`snowid
/// serve`: the default generator's rule, monotonic clock by default).
pub const SNOWID_RESOLVE_SERVICE: u32 = 3;

/// Test hook, not for applications (the conformance vectors' entry point):
/// resolves `options` (NULL: none given) like `target` would, against an
/// environment of exactly `env_count` variables (`env_names[i]` =
/// `env_values[i]`, values as raw bytes), without claiming anything, and
/// writes the resolved settings as canonical JSON into `buf` (as
/// `snowid_layout_describe()` does; `{"layout":"<name>"}` for
/// `SNOWID_RESOLVE_INSPECT`).
///
/// NULL: `env_names`/`env_values` (when `env_count` > 0) or any of their
/// entries NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: the core's resolution errors; `SNOWID_ERR_INVALID_SETTING` for
/// an unknown `target`; `_BUFFER_TOO_SMALL`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_test_resolve(
    target: u32,
    options: *const snowid_options_t,
    env_names: *const *const c_char,
    env_values: *const *const c_char,
    env_count: u32,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        let opts = (!options.is_null()).then(|| unsafe { &*options }.generator());
        let (names, values) =
            unsafe { parallel(env_names, "env_names", env_values, "env_values", env_count) }?;
        let mut pairs = Vec::with_capacity(names.len());
        for (&n, &v) in names.iter().zip(values) {
            let n = unsafe { text(n, "env_names[i]") }?;
            let v = unsafe { raw_text(v, "env_values[i]") }?;
            pairs.push((n.to_owned(), OsString::from_vec(v.to_vec())));
        }
        let env = Environment::from_pairs(pairs);
        let name = match target {
            SNOWID_RESOLVE_GENERATOR => "generator",
            SNOWID_RESOLVE_DEFAULT => "default",
            SNOWID_RESOLVE_INSPECT => "inspect",
            SNOWID_RESOLVE_SERVICE => "service",
            t => {
                return Err(invalid_setting(
                    "target",
                    t,
                    "SNOWID_RESOLVE_GENERATOR (0), _DEFAULT (1), _INSPECT (2) or _SERVICE (3)",
                ))
            }
        };
        let json = resolve_json(name, opts.as_ref(), &env)?;
        unsafe { write_text(&json, buf, buf_len, out_len, "buf") }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    /// One copy: each key is kept once, in the order set, and replayed into
    /// whichever options the consuming call needs (the object kept a
    /// generator and a segment bag and wrote every key into both).
    #[test]
    fn options_are_kept_once_and_replayed_for_each_consumer() {
        let mut o: *mut snowid_options_t = std::ptr::null_mut();
        unsafe {
            assert_eq!(snowid_options_new(&mut o) as u32, 0);
            let step = CString::new("step").unwrap();
            let worker = CString::new("worker").unwrap();
            let dc = CString::new("datacenter").unwrap();
            snowid_options_set_int(o, dc.as_ptr(), 1);
            snowid_options_set_int(o, worker.as_ptr(), 7);
            snowid_options_set_int(o, step.as_ptr(), 10);
            let entries: Vec<&str> = (*o).entries.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(entries, ["datacenter", "worker", "step"]);
            // The generator judges `step` (not one of its options: a node
            // field the layout lacks); the segment judges `datacenter`.
            let e = (*o)
                .generator()
                .with("protect", false)
                .resolve()
                .unwrap_err();
            assert_eq!(e.code(), "UNKNOWN_FIELD", "{e}");
            let e = (*o).segment().resolve().unwrap_err();
            assert_eq!(e.code(), "INVALID_SETTING", "{e}");
            assert!(e.to_string().contains("datacenter"), "{e}");
            snowid_options_free(o);
        }
    }
}
