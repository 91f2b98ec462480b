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

/// Generator options by name (opaque): `layout`, `epoch`, `clock`,
/// `on_regression`, `max_wait_ms`, `max_borrow_ticks`, `node_source`,
/// `state_dir`, `protect`, `persist`, `window_ms`, and the layout's node
/// fields (`worker`, ...) — the keywords of every snowid language, in
/// `snake_case` (or lowerCamelCase), with the rules of the README's
/// options table. The same object carries a segment's options (`store`,
/// `step`, `min_step`, `max_step`, `prefetch_at`, `range_ms`) to
/// `snowid_segment_new_with_options()`. Made by `snowid_options_new()`,
/// freed by `snowid_options_free()`.
///
/// The setters never judge a value: every check happens in
/// `snowid_generator_new_with_options()` / `snowid_configure()` /
/// `snowid_segment_new_with_options()`, which
/// report the first problem in the core's fixed order (so the same options
/// give the same error code in C, Python, Node and Rust).
///
/// Thread safety: setting options needs exclusive access; any number of
/// threads may make generators from one options object at the same time.
#[allow(non_camel_case_types)]
pub struct snowid_options_t {
    pub(crate) options: GeneratorOptions,
    /// The same options for `snowid_segment_new_with_options()` (the core
    /// keeps generator and segment options apart; each judges its own).
    pub(crate) segment: SegmentOptions,
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
            options: GeneratorOptions::new(),
            segment: SegmentOptions::new(),
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
        o.segment.set(key, v.clone());
        o.options.set(key, v);
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
            snowid_generator_t::from_options(&o.options)
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
        default::configure(o.options.clone())?;
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
        let opts = (!options.is_null()).then(|| unsafe { &(*options).options });
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
        let json = resolve_json(name, opts, &env)?;
        unsafe { write_text(&json, buf, buf_len, out_len, "buf") }
    })
}
