//! Wide IDs (up to 128 bits) and the JS-safe preset: `snowid_u128_t`
//! (`{hi, lo}`), wide layouts, wide generators and their text forms
//! (`snowid::wide`). Options go through `snowid_options_t`, like
//! `snowid_generator_new_with_options()`.

use std::ffi::c_char;

use core_snowid::wide::{self, WideGenerator, WideLayout};
use core_snowid::{ManualClock, Value};

use crate::args::{answer, arg, batch, boxed, free, NamedNodes};
use crate::encoding::{encode_into, parse_into};
use crate::error::{guard, invalid_setting, snowid_status};
use crate::generator::manual_clock;
use crate::layout::SNOWID_MAX_NODE_FIELDS;
use crate::options::snowid_options_t;

/// A 128-bit unsigned integer as two 64-bit halves: the value is
/// `hi * 2^64 + lo`. With a compiler that has `unsigned __int128`,
/// `snowid_u128_to_native()` / `snowid_u128_from_native()` convert.
/// Ordering: compare `hi`, then `lo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct snowid_u128_t {
    /// The high 64 bits.
    pub hi: u64,
    /// The low 64 bits.
    pub lo: u64,
}

impl From<u128> for snowid_u128_t {
    fn from(v: u128) -> Self {
        snowid_u128_t {
            hi: (v >> 64) as u64,
            lo: v as u64,
        }
    }
}

impl From<snowid_u128_t> for u128 {
    fn from(v: snowid_u128_t) -> u128 {
        (u128::from(v.hi) << 64) | u128::from(v.lo)
    }
}

/// Longest encoded wide ID in characters (a 39-digit decimal), without the NUL.
pub const SNOWID_WIDE_MAX_ENCODED_LEN: u32 = 39;
/// A buffer of this many bytes holds any encoded wide ID and its NUL.
pub const SNOWID_WIDE_ENCODE_BUFFER_SIZE: u32 = 40;
const _: () = assert!(SNOWID_WIDE_MAX_ENCODED_LEN as usize == wide::MAX_WIDE_ENCODED_LEN);

/// A layout of up to 128 bits (opaque, immutable): made by
/// `snowid_wide_layout_new()`, freed by `snowid_wide_layout_free()`.
#[allow(non_camel_case_types)]
pub struct snowid_wide_layout_t {
    layout: WideLayout,
}

/// A lock-free generator of wide IDs (opaque): made by
/// `snowid_wide_generator_new()`, freed by `snowid_wide_generator_free()`.
/// Any number of threads may call `snowid_wide_next()` on one generator.
#[allow(non_camel_case_types)]
pub struct snowid_wide_generator_t {
    pub(crate) generator: WideGenerator,
    layout: snowid_wide_layout_t,
    manual: Option<ManualClock>,
}

/// Facts about a wide layout (`snowid_wide_layout_info()`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct snowid_wide_layout_info_t {
    /// Width of every ID in bits (1..=128).
    pub width: u32,
    /// Whether every ID is at most 2^53 - 1 (a JavaScript number holds it).
    pub js_safe: bool,
    /// Number of fields.
    pub field_count: u32,
    /// Number of node fields.
    pub node_count: u32,
    /// Epoch, ms since the Unix epoch.
    pub epoch_ms: u64,
    /// Tick length in ms.
    pub tick_ms: u64,
    /// Largest ID, `2^width - 1`.
    pub max_id: snowid_u128_t,
    /// IDs one node issues per tick.
    pub ids_per_tick: u64,
    /// IDs one node issues per second.
    pub ids_per_second_per_node: u64,
    /// Distinct node identities.
    pub nodes: u64,
    /// How long the time field lasts, in ms.
    pub lifespan_ms: snowid_u128_t,
    /// First instant the time field cannot hold, ms since the Unix epoch.
    pub end_ms: snowid_u128_t,
    /// First instant a generator cannot issue at (its state is one 64-bit
    /// word), ms since the Unix epoch.
    pub issue_end_ms: snowid_u128_t,
}

/// The fields of a wide ID (`snowid_wide_layout_decode()`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct snowid_wide_parts_t {
    /// Start of the ID's tick, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// The raw time field.
    pub tick: u64,
    /// The sequence field.
    pub sequence: u64,
    /// Node field values in layout order; entries past `node_count` are 0.
    pub nodes: [u32; SNOWID_MAX_NODE_FIELDS],
    /// How many entries of `nodes` the layout uses.
    pub node_count: u32,
}

/// Makes a wide layout from `options`: `layout` (a preset, `"wide128"` or
/// `"jssafe"`, or fields like `"timestamp:48|region:8|host:24|sequence:16"`),
/// `width` (default 128; 53 for a JS-safe layout), `tick_ms` (default 1)
/// and `epoch`; other options are ignored.
///
/// Ownership: `options` is only read; `*out_layout` is new, free it with
/// `snowid_wide_layout_free()`.
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_LAYOUT_BITS_SUM` (the fields do not fill `width`;
/// a JS-safe layout that does not fit 53 bits), `_FIELD_WIDTH`,
/// `_FIELD_COUNT`, `_FIELD_NAME`, `_DUPLICATE_FIELD`, `_EPOCH_IN_FUTURE`,
/// `_INVALID_SETTING` (width over 128, an unknown preset, a malformed
/// field list), `_WRONG_TYPE`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_new(
    options: *const snowid_options_t,
    out_layout: *mut *mut snowid_wide_layout_t,
) -> snowid_status {
    unsafe {
        answer(options, "options", out_layout, "out_layout", |o| {
            let layout = wide::wide_layout_of(&o.generator())?;
            Ok(boxed(snowid_wide_layout_t { layout }))
        })
    }
}

/// Frees a wide layout. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_free(layout: *mut snowid_wide_layout_t) {
    unsafe { free(layout) }
}

/// Writes facts about `layout` (width, epoch, tick, capacity) to `*out_info`.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_info(
    layout: *const snowid_wide_layout_t,
    out_info: *mut snowid_wide_layout_info_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_info, "out_info", |l| {
            let (l, c) = (&l.layout, l.layout.capacity());
            Ok(snowid_wide_layout_info_t {
                width: l.width(),
                js_safe: l.is_js_safe(),
                field_count: l.fields().len() as u32,
                node_count: l.node_count() as u32,
                epoch_ms: l.epoch_ms(),
                tick_ms: l.tick_ms(),
                max_id: l.max_id().into(),
                ids_per_tick: c.ids_per_tick,
                ids_per_second_per_node: c.ids_per_second_per_node,
                nodes: c.nodes,
                lifespan_ms: c.lifespan_ms.into(),
                end_ms: c.end_ms.into(),
                issue_end_ms: c.issue_end_ms.into(),
            })
        })
    }
}

/// Splits `id` into its fields.
///
/// NULL: `layout`/`out_parts` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_ID_OUT_OF_RANGE` (an ID above the layout's largest,
/// when both fit 64 bits), `_INVALID_SETTING` (the same for wider IDs).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_decode(
    layout: *const snowid_wide_layout_t,
    id: snowid_u128_t,
    out_parts: *mut snowid_wide_parts_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_parts, "out_parts", |l| {
            let p = l.layout.decode(id.into())?;
            Ok(snowid_wide_parts_t {
                timestamp_ms: p.timestamp_ms,
                tick: p.tick,
                sequence: p.sequence,
                nodes: p.nodes,
                node_count: l.layout.node_count() as u32,
            })
        })
    }
}

/// Builds an ID from a time (ms since the Unix epoch, rounded down to its
/// tick), a sequence and node values by name (`names[i]` gets `values[i]`).
///
/// NULL: `layout`, `out_id`, or `names`/`values`/any `names[i]` when
/// `count` > 0 -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_DUPLICATE_FIELD`, `_INVALID_UTF8`, then the core's:
/// `_TIMESTAMP_OUT_OF_RANGE`, `_FIELD_OUT_OF_RANGE`, `_UNKNOWN_FIELD`,
/// `_MISSING_FIELD`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_compose_named(
    layout: *const snowid_wide_layout_t,
    timestamp_ms: u64,
    sequence: u64,
    names: *const *const c_char,
    values: *const u64,
    count: u32,
    out_id: *mut snowid_u128_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            let nodes = NamedNodes::read(names, values, count)?;
            let (ts, seq) = (Value::from(timestamp_ms), Value::from(sequence));
            Ok(l.layout
                .compose_values(&ts, Some(&seq), &nodes.pairs())?
                .into())
        })
    }
}

/// Smallest ID any node can issue in the tick holding `timestamp_ms`.
///
/// NULL: `layout`/`out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_min_id_at(
    layout: *const snowid_wide_layout_t,
    timestamp_ms: i64,
    out_id: *mut snowid_u128_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            Ok(l.layout.min_id_at(timestamp_ms)?.into())
        })
    }
}

/// Largest ID any node can issue in the tick holding `timestamp_ms`.
///
/// NULL and errors: as `snowid_wide_layout_min_id_at()`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_max_id_at(
    layout: *const snowid_wide_layout_t,
    timestamp_ms: i64,
    out_id: *mut snowid_u128_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            Ok(l.layout.max_id_at(timestamp_ms)?.into())
        })
    }
}

/// Makes a wide generator from `options`: the wide layout options of
/// `snowid_wide_layout_new()` plus every option of
/// `snowid_generator_new_with_options()` (node fields or `node_source`,
/// `state_dir`, `protect`, `clock`, ...), with the same node protection
/// (slot locks, high-water mark).
///
/// Ownership: `options` is only read; `*out_generator` is new, free it with
/// `snowid_wide_generator_free()`.
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: those of `snowid_wide_layout_new()` and
/// `snowid_generator_new_with_options()`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_new(
    options: *const snowid_options_t,
    out_generator: *mut *mut snowid_wide_generator_t,
) -> snowid_status {
    unsafe {
        answer(options, "options", out_generator, "out_generator", |o| {
            let env = core_snowid::env::Environment::process();
            let settings = wide::resolve_wide(&o.generator(), &env)?;
            let manual = manual_clock(&settings.base.clock);
            let generator = settings.build()?;
            Ok(boxed(snowid_wide_generator_t {
                layout: snowid_wide_layout_t {
                    layout: generator.layout().clone(),
                },
                generator,
                manual,
            }))
        })
    }
}

/// Frees a wide generator (releasing its node numbers). `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_free(generator: *mut snowid_wide_generator_t) {
    unsafe { free(generator) }
}

/// The generator's layout, borrowed: valid until the generator is freed.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_layout(
    generator: *const snowid_wide_generator_t,
    out_layout: *mut *const snowid_wide_layout_t,
) -> snowid_status {
    unsafe {
        answer(generator, "generator", out_layout, "out_layout", |g| {
            Ok(&g.layout)
        })
    }
}

/// Issues one ID into `*out_id`: unique for the layout and node numbers,
/// greater than every ID this generator issued before.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_next()`.
/// Thread safety: any number of threads may call it on one generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_next(
    generator: *const snowid_wide_generator_t,
    out_id: *mut snowid_u128_t,
) -> snowid_status {
    unsafe {
        answer(generator, "generator", out_id, "out_id", |g| {
            Ok(g.generator.next_id()?.into())
        })
    }
}

/// Writes `count` consecutive IDs to `out_ids` (at most `SNOWID_MAX_BATCH`)
/// and how many to `*out_written` (fewer only if an error stopped the batch
/// after some were issued; the next call reports it).
///
/// NULL: `generator`/`out_written`, or `out_ids` with `count` > 0 ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (count over the limit), then as
/// `snowid_wide_next()`.
/// Thread safety: as `snowid_wide_next()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_next_batch(
    generator: *const snowid_wide_generator_t,
    out_ids: *mut snowid_u128_t,
    count: u64,
    out_written: *mut u64,
) -> snowid_status {
    unsafe {
        answer(generator, "generator", out_written, "out_written", |g| {
            let Some(dst) = batch(out_ids, count)? else {
                return Ok(0);
            };
            let mut buf = vec![0u128; dst.len()];
            let got = g.generator.next_batch(&mut buf)?;
            for (d, &s) in dst.iter_mut().zip(&buf[..got]) {
                *d = s.into();
            }
            Ok(got as u64)
        })
    }
}

/// Moves the manual clock of `generator` (made with a `clock` option from
/// `snowid_options_set_manual_clock()`) by `delta_ms`.
///
/// NULL: `generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` when it has no manual clock.
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_advance_time(
    generator: *const snowid_wide_generator_t,
    delta_ms: i64,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        match &g.manual {
            Some(m) => {
                m.advance(delta_ms);
                Ok(())
            }
            None => Err(invalid_setting(
                "generator",
                "a generator on a real clock",
                "a generator made with a manual clock",
            )),
        }
    })
}

/// Writes wide `id` in `encoding` (a `SNOWID_ENCODING_*` value: decimal,
/// 32 hex digits, 26 Crockford base32 digits or 22 base62 digits),
/// NUL-terminated, into `buf` of `buf_len` bytes
/// (`SNOWID_WIDE_ENCODE_BUFFER_SIZE` always suffices). The fixed-width
/// forms sort like the IDs.
///
/// `*out_len` (optional) receives the length without the NUL.
/// NULL: `buf` NULL with a non-zero `buf_len` -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_ENCODING`, `_BUFFER_TOO_SMALL`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_encode(
    id: snowid_u128_t,
    encoding: u32,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    unsafe {
        encode_into(encoding, buf, buf_len, out_len, |e, tmp| {
            wide::encode_wide_into(e, id.into(), tmp)
        })
    }
}

/// Parses NUL-terminated `text` in `encoding` into `*out_id`.
///
/// NULL: `text`/`out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`*out_id` unchanged): `SNOWID_ERR_PARSE_EMPTY`, `_PARSE_LENGTH`,
/// `_PARSE_CHARACTER`, `_INVALID_SETTING` (above 2^128 - 1),
/// `_UNKNOWN_ENCODING`, `_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_parse(
    encoding: u32,
    text: *const c_char,
    out_id: *mut snowid_u128_t,
) -> snowid_status {
    unsafe {
        parse_into(encoding, text, out_id, |e, s| {
            Ok(wide::parse_wide(e, s)?.into())
        })
    }
}
