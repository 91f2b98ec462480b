//! Wide IDs (up to 128 bits) and the JS-safe preset: `snowid_u128_t`
//! (`{hi, lo}`), wide layouts, wide generators and their text forms
//! (`snowid::wide`). Options go through `snowid_options_t`, like
//! `snowid_generator_new_with_options()`.

use std::ffi::c_char;

use core_snowid::wide::{self, WideGenerator, WideLayout};
use core_snowid::{ClockChoice, Encoding, Error, ManualClock, Value, ENCODINGS};

use crate::error::{arg, guard, out, snowid_status, text, write_text, Failure};
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
    generator: WideGenerator,
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
    guard(|| {
        let o = unsafe { arg(options, "options") }?;
        let l = unsafe { out(out_layout, "out_layout") }?;
        let layout = wide::wide_layout_of(&o.options)?;
        *l = Box::into_raw(Box::new(snowid_wide_layout_t { layout }));
        Ok(())
    })
}

/// Frees a wide layout. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_layout_free(layout: *mut snowid_wide_layout_t) {
    crate::error::guard_value((), || {
        if !layout.is_null() {
            // SAFETY: made by snowid_wide_layout_new (header contract).
            drop(unsafe { Box::from_raw(layout) });
        }
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let o = unsafe { out(out_info, "out_info") }?;
        let c = l.capacity();
        *o = snowid_wide_layout_info_t {
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
        };
        Ok(())
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let o = unsafe { out(out_parts, "out_parts") }?;
        let p = l.decode(id.into())?;
        *o = snowid_wide_parts_t {
            timestamp_ms: p.timestamp_ms,
            tick: p.tick,
            sequence: p.sequence,
            nodes: p.nodes,
            node_count: l.node_count() as u32,
        };
        Ok(())
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let o = unsafe { out(out_id, "out_id") }?;
        let (names, values): (&[*const c_char], &[u64]) = if count == 0 {
            (&[], &[])
        } else {
            if names.is_null() {
                return Err(Failure::Null("names"));
            }
            if values.is_null() {
                return Err(Failure::Null("values"));
            }
            // SAFETY: both arrays hold `count` entries (header contract).
            unsafe {
                (
                    std::slice::from_raw_parts(names, count as usize),
                    std::slice::from_raw_parts(values, count as usize),
                )
            }
        };
        let mut nodes: Vec<(&str, Value)> = Vec::with_capacity(names.len());
        for (&n, &v) in names.iter().zip(values) {
            let name = unsafe { text(n, "names[i]") }?;
            if nodes.iter().any(|(m, _)| *m == name) {
                return Err(Error::DuplicateField { name: name.into() }.into());
            }
            nodes.push((name, v.into()));
        }
        let pairs: Vec<(&str, &Value)> = nodes.iter().map(|(n, v)| (*n, v)).collect();
        let seq = Value::from(sequence);
        *o = l
            .compose_values(&Value::from(timestamp_ms), Some(&seq), &pairs)?
            .into();
        Ok(())
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = l.min_id_at(timestamp_ms)?.into();
        Ok(())
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = l.max_id_at(timestamp_ms)?.into();
        Ok(())
    })
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
    guard(|| {
        let o = unsafe { arg(options, "options") }?;
        let g = unsafe { out(out_generator, "out_generator") }?;
        let settings = wide::resolve_wide(&o.options, &core_snowid::env::Environment::process())?;
        let manual = match &settings.base.clock {
            ClockChoice::Manual(m) => Some(m.clone()),
            _ => None,
        };
        let generator = settings.build()?;
        *g = Box::into_raw(Box::new(snowid_wide_generator_t {
            layout: snowid_wide_layout_t {
                layout: generator.layout().clone(),
            },
            generator,
            manual,
        }));
        Ok(())
    })
}

/// Frees a wide generator (releasing its node numbers). `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_free(generator: *mut snowid_wide_generator_t) {
    crate::error::guard_value((), || {
        if !generator.is_null() {
            // SAFETY: made by snowid_wide_generator_new (header contract).
            drop(unsafe { Box::from_raw(generator) });
        }
    })
}

/// The generator's layout, borrowed: valid until the generator is freed.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn snowid_wide_generator_layout(
    generator: *const snowid_wide_generator_t,
    out_layout: *mut *const snowid_wide_layout_t,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        *unsafe { out(out_layout, "out_layout") }? = &g.layout;
        Ok(())
    })
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
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = g.generator.next_id()?.into();
        Ok(())
    })
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
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let w = unsafe { out(out_written, "out_written") }?;
        let n = core_snowid::value::batch_len(&Value::from(count))?;
        if n == 0 {
            *w = 0;
            return Ok(());
        }
        if out_ids.is_null() {
            return Err(Failure::Null("out_ids"));
        }
        let mut buf = vec![0u128; n];
        let got = g.generator.next_batch(&mut buf)?;
        // SAFETY: out_ids holds `count` entries (header contract).
        let dst = unsafe { std::slice::from_raw_parts_mut(out_ids, n) };
        for (d, &s) in dst.iter_mut().zip(&buf[..got]) {
            *d = s.into();
        }
        *w = got as u64;
        Ok(())
    })
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
            None => Err(crate::error::invalid_setting(
                "generator",
                "a generator on a real clock",
                "a generator made with a manual clock",
            )),
        }
    })
}

fn encoding(number: u32) -> Result<Encoding, Failure> {
    ENCODINGS.get(number as usize).copied().ok_or_else(|| {
        Error::UnknownEncoding {
            name: format!("#{number}"),
        }
        .into()
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
    guard(|| {
        let e = self::encoding(encoding)?;
        let mut tmp = [0u8; wide::MAX_WIDE_ENCODED_LEN];
        let s = wide::encode_wide_into(e, id.into(), &mut tmp);
        unsafe { write_text(s, buf, buf_len, out_len, "buf") }
    })
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
    guard(|| {
        let e = self::encoding(encoding)?;
        let s = unsafe { crate::error::text(text, "text") }?;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = wide::parse_wide(e, s)?.into();
        Ok(())
    })
}
