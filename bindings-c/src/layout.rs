//! Layout handles: presets, custom layouts, decode, compose, bounds, capacity.

use std::ffi::{c_char, CString};

use core_snowid::{Error, FieldKind, Layout, LayoutBuilder, Parts, Value, MAX_NODE_FIELDS};

use crate::args::{
    answer, answer_text, answer_with, arg, boxed, free, out, text, text_value, write_text,
    NamedNodes,
};
use crate::error::{guard, invalid_setting, snowid_status, Failure};

/// Most node fields a layout can have (the size of the `nodes` arrays).
pub const SNOWID_MAX_NODE_FIELDS: usize = 4;
const _: () = assert!(SNOWID_MAX_NODE_FIELDS == MAX_NODE_FIELDS);

/// Field kind in `snowid_field_spec_t.kind`: follow the name (`"timestamp"`
/// is the time field, `"sequence"` the sequence, any other name a node
/// field). The rule every snowid binding uses for custom layouts.
pub const SNOWID_FIELD_INFERRED: u32 = 0;
/// Field kind: the time field (ticks since the epoch).
pub const SNOWID_FIELD_TIMESTAMP: u32 = 1;
/// Field kind: a node field (datacenter, worker, shard...).
pub const SNOWID_FIELD_NODE: u32 = 2;
/// Field kind: the per-tick sequence (Discord calls it `increment`).
pub const SNOWID_FIELD_SEQUENCE: u32 = 3;
/// Field kind: bits that are the same in every ID (a UUID's version and
/// variant; wide layouts `uuid7` only).
pub const SNOWID_FIELD_CONSTANT: u32 = 4;
/// Field kind: bits drawn at random for each ID (wide layouts `uuid7` and
/// `ulid` only).
pub const SNOWID_FIELD_RANDOM: u32 = 5;

/// A validated bit layout (opaque). Immutable once made: any number of
/// threads may use one layout at the same time. Free with
/// `snowid_layout_free()`.
#[allow(non_camel_case_types)]
pub struct snowid_layout_t {
    pub(crate) layout: Layout,
    name: CString,
    /// Every field's name, most significant first.
    field_names: Vec<CString>,
    /// Index into `field_names` of each node field.
    node_slots: [usize; MAX_NODE_FIELDS],
}

impl snowid_layout_t {
    pub(crate) fn wrap(layout: Layout) -> Self {
        // Core names are validated `[a-z0-9_]`: no NUL inside.
        let c = |s: &str| CString::new(s).unwrap_or_default();
        let mut node_slots = [0; MAX_NODE_FIELDS];
        let mut n = 0;
        for (i, f) in layout.fields().iter().enumerate() {
            if f.kind() == FieldKind::Node {
                node_slots[n] = i;
                n += 1;
            }
        }
        snowid_layout_t {
            name: c(layout.name()),
            field_names: layout.fields().iter().map(|f| c(f.name())).collect(),
            node_slots,
            layout,
        }
    }

    fn node_name(&self, i: usize) -> *const c_char {
        self.field_names[self.node_slots[i]].as_ptr()
    }

    fn boxed(layout: Layout) -> *mut snowid_layout_t {
        boxed(Self::wrap(layout))
    }
}

/// One field of a custom layout specification.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_field_spec_t {
    /// `[a-z_][a-z0-9_]*`, at most 32 characters (UTF-8). Must not be NULL.
    pub name: *const c_char,
    /// Width in bits (node fields 1..=32).
    pub bits: u32,
    /// `SNOWID_FIELD_INFERRED` (0), `_TIMESTAMP`, `_NODE` or `_SEQUENCE`.
    pub kind: u32,
}

/// A custom layout specification, read by `snowid_layout_new()` and not kept
/// (the layout copies what it needs).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_layout_spec_t {
    /// Name shown in messages; NULL means `"custom"`.
    pub name: *const c_char,
    /// `field_count` fields, most significant first. One timestamp, one
    /// sequence and 1..=4 node fields.
    pub fields: *const snowid_field_spec_t,
    /// Number of entries in `fields`: 3..=6 (checked before `fields` is read).
    pub field_count: u32,
    /// 1: the top bit is reserved and always 0, fields fill 63 bits (IDs fit a
    /// signed 64-bit column). 0: fields fill all 64 bits. Any other value is
    /// `SNOWID_ERR_INVALID_SETTING`.
    pub sign_bit: u8,
    /// The instant tick 0 stands for, in ms since the Unix epoch (not in the
    /// future).
    pub epoch_ms: u64,
    /// Length of one tick in ms, 1..=86400000.
    pub tick_ms: u64,
}

/// The values of an ID's fields (`snowid_layout_decode()`), or the input of
/// `snowid_layout_compose()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_parts_t {
    /// Start of the ID's tick in ms since the Unix epoch. Compose rounds it
    /// down to its tick.
    pub timestamp_ms: u64,
    /// The raw time field (ticks since the layout's epoch). Ignored by compose.
    pub tick: u64,
    /// The sequence field.
    pub sequence: u64,
    /// Node field values in layout order; entries past `node_count` are 0.
    pub nodes: [u32; SNOWID_MAX_NODE_FIELDS],
    /// How many entries of `nodes` the layout uses. Ignored by compose.
    pub node_count: u32,
    /// Decode sets these to the node fields' names (borrowed from the layout:
    /// valid until it is freed; NULL past `node_count`). Ignored by compose.
    pub node_names: [*const c_char; SNOWID_MAX_NODE_FIELDS],
}

/// Capacity figures of a layout (`snowid_layout_capacity()`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct snowid_capacity_t {
    /// How long the time field lasts from the epoch, in ms.
    pub lifespan_ms: u64,
    /// First instant the layout cannot represent, ms since the Unix epoch.
    pub end_ms: u64,
    /// IDs one node can issue per tick.
    pub ids_per_tick: u64,
    /// IDs one node can issue per second (the saturation cap).
    pub ids_per_second_per_node: u64,
    /// Distinct node identities (product of the node fields' ranges;
    /// saturates at 2^64 - 1).
    pub nodes: u64,
}

/// What a layout is (`snowid_layout_info()`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_layout_info_t {
    /// The layout's name (`"twitter"`...); borrowed from the layout, valid
    /// until it is freed.
    pub name: *const c_char,
    /// Epoch in ms since the Unix epoch.
    pub epoch_ms: u64,
    /// Tick length in ms.
    pub tick_ms: u64,
    /// Largest ID the layout can hold.
    pub max_id: u64,
    /// Number of fields (`snowid_layout_field()` indexes).
    pub field_count: u32,
    /// Number of node fields (`snowid_layout_node_field()` indexes).
    pub node_count: u32,
    /// 1 if the top bit is reserved (always 0).
    pub sign_bit: u8,
}

/// One field of a layout (`snowid_layout_field()`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_field_t {
    /// Field name, borrowed from the layout (valid until it is freed).
    pub name: *const c_char,
    /// `SNOWID_FIELD_TIMESTAMP`, `_NODE` or `_SEQUENCE`.
    pub kind: u32,
    /// Width in bits.
    pub bits: u32,
    /// Position of the field's least significant bit in the ID.
    pub shift: u32,
    /// Largest value the field holds.
    pub max: u64,
}

fn kind_number(k: FieldKind) -> u32 {
    match k {
        FieldKind::Timestamp => SNOWID_FIELD_TIMESTAMP,
        FieldKind::Node => SNOWID_FIELD_NODE,
        FieldKind::Sequence => SNOWID_FIELD_SEQUENCE,
        FieldKind::Constant => SNOWID_FIELD_CONSTANT,
        FieldKind::Random => SNOWID_FIELD_RANDOM,
    }
}

pub(crate) fn index_error(what: &str, index: u32, count: usize) -> Failure {
    Failure::Core(Error::FieldOutOfRange {
        field: what.to_owned(),
        got: index.to_string(),
        max: (count as u64).saturating_sub(1),
    })
}

/// The kind names of `SNOWID_FIELD_*` (`None`: inferred from the name).
const FIELD_KINDS: [Option<FieldKind>; 4] = [
    None,
    Some(FieldKind::Timestamp),
    Some(FieldKind::Node),
    Some(FieldKind::Sequence),
];

/// A custom layout from the caller's spec, through the core's
/// `LayoutBuilder` (every check is the core's; the count is checked before
/// any field is read).
unsafe fn build_spec(spec: &snowid_layout_spec_t) -> Result<Layout, Failure> {
    let name = if spec.name.is_null() {
        Value::Str("custom".into())
    } else {
        unsafe { text_value(spec.name, "spec->name") }?
    };
    let mut b = LayoutBuilder::new(&name)?;
    if spec.field_count > 0 && spec.fields.is_null() {
        return Err(Failure::Null("spec->fields"));
    }
    b.expect_fields(spec.field_count.into())?;
    let fields: &[snowid_field_spec_t] = if spec.field_count == 0 {
        &[]
    } else {
        // SAFETY: `fields` holds `field_count` entries (header contract); the
        // count is at most MAX_FIELDS here.
        unsafe { std::slice::from_raw_parts(spec.fields, spec.field_count as usize) }
    };
    for (i, f) in fields.iter().enumerate() {
        let fname = unsafe { text_value(f.name, "spec->fields[i].name") }?;
        let kind = match FIELD_KINDS.get(f.kind as usize) {
            Some(k) => k.map(|k| Value::Str(k.as_str().into())),
            None => {
                return Err(invalid_setting(
                    &format!("spec->fields[{i}].kind"),
                    f.kind,
                    "SNOWID_FIELD_INFERRED (0), _TIMESTAMP (1), _NODE (2) or _SEQUENCE (3)",
                ))
            }
        };
        b.field(&fname, &Value::from(f.bits), kind.as_ref())?;
    }
    b.epoch(&Value::from(spec.epoch_ms))?;
    b.tick(&Value::from(spec.tick_ms))?;
    b.sign_bit(&Value::from(u32::from(spec.sign_bit)))?;
    Ok(b.build()?)
}

/// Makes a preset layout: `"twitter"` (the default everywhere: sign bit, 41
/// bits of ms, 5 datacenter, 5 worker, 12 sequence), `"discord"`,
/// `"instagram"` or `"sonyflake"` (exact: `"Twitter"` is
/// `SNOWID_ERR_UNKNOWN_LAYOUT`).
///
/// Ownership: on success `*out_layout` is a new layout the caller frees with
/// `snowid_layout_free()`. On error `*out_layout` is left unchanged.
/// NULL: `name` or `out_layout` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_LAYOUT`, `SNOWID_ERR_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_preset(
    name: *const c_char,
    out_layout: *mut *mut snowid_layout_t,
) -> snowid_status {
    unsafe {
        answer_text(name, "name", out_layout, "out_layout", |name| {
            Ok(snowid_layout_t::boxed(Layout::preset(name)?))
        })
    }
}

/// Makes a custom layout from `spec` (validated: every problem is reported
/// with what would be right, e.g. "layout fields sum to 62 bits; they must
/// sum to 63").
///
/// Ownership: `spec` and its strings are only read during the call. On
/// success `*out_layout` is a new layout to free with `snowid_layout_free()`.
/// NULL: `spec`, `spec->fields` (when `field_count` > 0), a field `name` or
/// `out_layout` NULL -> `SNOWID_ERR_NULL_ARGUMENT`; `spec->name` NULL means
/// `"custom"`.
/// Errors (the core's `LayoutBuilder` checks, the same in every language):
/// `SNOWID_ERR_FIELD_COUNT` (`field_count` outside 3..=6, or not one
/// timestamp, one sequence and 1..=4 node fields), `_LAYOUT_BITS_SUM`,
/// `_FIELD_WIDTH`, `_FIELD_NAME`, `_DUPLICATE_FIELD`, `_TICK_OUT_OF_RANGE`,
/// `_EPOCH_IN_FUTURE`, `_INVALID_SETTING` (a `kind` that is no
/// `SNOWID_FIELD_*`, `sign_bit` not 0 or 1, a name that is not UTF-8).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_new(
    spec: *const snowid_layout_spec_t,
    out_layout: *mut *mut snowid_layout_t,
) -> snowid_status {
    unsafe {
        answer(spec, "spec", out_layout, "out_layout", |spec| {
            Ok(snowid_layout_t::boxed(build_spec(spec)?))
        })
    }
}

/// Frees a layout. `NULL` is ignored. Generators made from the layout keep
/// their own copy and stay valid.
///
/// Thread safety: no other thread may use `layout` during or after the call.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_free(layout: *mut snowid_layout_t) {
    unsafe { free(layout) }
}

/// Writes the layout's name, epoch, tick, largest ID and field counts to
/// `*out_info`. The `name` pointer is borrowed from the layout.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_info(
    layout: *const snowid_layout_t,
    out_info: *mut snowid_layout_info_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_info, "out_info", |l| {
            let ly = &l.layout;
            Ok(snowid_layout_info_t {
                name: l.name.as_ptr(),
                epoch_ms: ly.epoch_ms(),
                tick_ms: ly.tick_ms(),
                max_id: ly.max_id(),
                field_count: ly.fields().len() as u32,
                node_count: ly.node_count() as u32,
                sign_bit: u8::from(ly.sign_bit()),
            })
        })
    }
}

/// Writes field `index` (0 = most significant, up to
/// `snowid_layout_info_t.field_count - 1`) to `*out_field`.
///
/// NULL: `layout`/`out_field` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_FIELD_OUT_OF_RANGE` for an index past the last field.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_field(
    layout: *const snowid_layout_t,
    index: u32,
    out_field: *mut snowid_field_t,
) -> snowid_status {
    guard(|| {
        let l = unsafe { arg(layout, "layout") }?;
        let count = l.layout.fields().len();
        if index as usize >= count {
            return Err(index_error("field index", index, count));
        }
        unsafe { write_field(l, index as usize, out_field) }
    })
}

/// Writes node field `index` (in layout order, the order of
/// `snowid_parts_t.nodes`) to `*out_field`.
///
/// NULL: `layout`/`out_field` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_FIELD_OUT_OF_RANGE` for an index >= node_count.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_node_field(
    layout: *const snowid_layout_t,
    index: u32,
    out_field: *mut snowid_field_t,
) -> snowid_status {
    guard(|| {
        let l = unsafe { arg(layout, "layout") }?;
        let count = l.layout.node_count();
        if index as usize >= count {
            return Err(index_error("node index", index, count));
        }
        unsafe { write_field(l, l.node_slots[index as usize], out_field) }
    })
}

unsafe fn write_field(
    l: &snowid_layout_t,
    i: usize,
    out_field: *mut snowid_field_t,
) -> Result<(), Failure> {
    let o = unsafe { out(out_field, "out_field") }?;
    let f = &l.layout.fields()[i];
    *o = snowid_field_t {
        name: l.field_names[i].as_ptr(),
        kind: kind_number(f.kind()),
        bits: f.bits(),
        shift: f.shift(),
        max: f.max(),
    };
    Ok(())
}

/// Looks up the node field called `name` and writes its index (into
/// `snowid_parts_t.nodes`) to `*out_index`.
///
/// NULL: any argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_FIELD` (the message lists the node fields),
/// `SNOWID_ERR_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_node_index(
    layout: *const snowid_layout_t,
    name: *const c_char,
    out_index: *mut u32,
) -> snowid_status {
    unsafe {
        answer_with(
            || Ok((arg(layout, "layout")?, text(name, "name")?)),
            out_index,
            "out_index",
            |(l, name)| Ok(l.layout.node_index(name)? as u32),
        )
    }
}

/// Writes the layout in its display form, e.g.
/// `twitter(0|timestamp:41|datacenter:5|worker:5|sequence:12, epoch=1288834974657ms, tick=1ms)`,
/// NUL-terminated, into `buf` (`buf_len` bytes).
///
/// Ownership: `buf` is the caller's. `*out_len` (optional, may be NULL)
/// receives the text's length without the NUL, also when the buffer is too
/// small, so a call with `buf` NULL and `buf_len` 0 asks for the size.
/// NULL: `layout` NULL, or `buf` NULL with a non-zero `buf_len` ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_BUFFER_TOO_SMALL` when `buf_len` < length + 1.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_describe(
    layout: *const snowid_layout_t,
    buf: *mut c_char,
    buf_len: u32,
    out_len: *mut u32,
) -> snowid_status {
    guard(|| {
        let l = unsafe { arg(layout, "layout") }?;
        unsafe { write_text(&l.layout.to_string(), buf, buf_len, out_len, "buf") }
    })
}

/// Splits `id` into its parts: time, sequence, node values by index
/// (`nodes[i]`) and by name (`node_names[i]`, or `snowid_parts_node()`).
///
/// NULL: any argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_ID_OUT_OF_RANGE` when the ID has the layout's reserved
/// sign bit set. `*out_parts` is unchanged on error.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_decode(
    layout: *const snowid_layout_t,
    id: u64,
    out_parts: *mut snowid_parts_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_parts, "out_parts", |l| {
            let p = l.layout.decode(id)?;
            let count = l.layout.node_count();
            let mut names = [std::ptr::null(); SNOWID_MAX_NODE_FIELDS];
            for (i, n) in names.iter_mut().enumerate().take(count) {
                *n = l.node_name(i);
            }
            Ok(snowid_parts_t {
                timestamp_ms: p.timestamp_ms,
                tick: p.tick,
                sequence: p.sequence,
                nodes: p.nodes,
                node_count: count as u32,
                node_names: names,
            })
        })
    }
}

/// Reads the node field called `name` from decoded `parts` into
/// `*out_value`.
///
/// NULL: any argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_FIELD`, `SNOWID_ERR_INVALID_UTF8`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_parts_node(
    layout: *const snowid_layout_t,
    parts: *const snowid_parts_t,
    name: *const c_char,
    out_value: *mut u32,
) -> snowid_status {
    unsafe {
        answer_with(
            || {
                Ok((
                    arg(layout, "layout")?,
                    arg(parts, "parts")?,
                    text(name, "name")?,
                ))
            },
            out_value,
            "out_value",
            |(l, p, name)| Ok(p.nodes[l.layout.node_index(name)?]),
        )
    }
}

/// Builds an ID from `parts->timestamp_ms` (rounded down to its tick),
/// `parts->sequence` and `parts->nodes[0 .. node_count of the layout]`; the
/// other members are ignored. `compose(decode(id)) == id`.
///
/// NULL: any argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE` (outside the layout's
/// lifespan), `SNOWID_ERR_FIELD_OUT_OF_RANGE` (sequence or node too large).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_compose(
    layout: *const snowid_layout_t,
    parts: *const snowid_parts_t,
    out_id: *mut u64,
) -> snowid_status {
    unsafe {
        answer_with(
            || Ok((arg(layout, "layout")?, arg(parts, "parts")?)),
            out_id,
            "out_id",
            |(l, p)| {
                Ok(l.layout.compose(&Parts {
                    timestamp_ms: p.timestamp_ms,
                    tick: 0,
                    sequence: p.sequence,
                    nodes: p.nodes,
                })?)
            },
        )
    }
}

/// Builds an ID from a time, a sequence and node values given by name:
/// `names[i]` gets `values[i]` for `i < count`. Every node field of the layout
/// must be named exactly once.
///
/// NULL: `layout`, `out_id`, or `names`/`values`/any `names[i]` when
/// `count` > 0 -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_DUPLICATE_FIELD` (a name twice in `names`) and
/// `_INVALID_UTF8` first; then the core's compose, in the order of every
/// language: `_TIMESTAMP_OUT_OF_RANGE`, `_FIELD_OUT_OF_RANGE` (sequence),
/// `_UNKNOWN_FIELD`, `_FIELD_OUT_OF_RANGE` (node values, in the order
/// given), `_MISSING_FIELD`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_compose_named(
    layout: *const snowid_layout_t,
    timestamp_ms: u64,
    sequence: u64,
    names: *const *const c_char,
    values: *const u64,
    count: u32,
    out_id: *mut u64,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            let nodes = NamedNodes::read(names, values, count)?;
            let (ts, seq) = (Value::from(timestamp_ms), Value::from(sequence));
            Ok(l.layout.compose_values(&ts, Some(&seq), &nodes.pairs())?)
        })
    }
}

/// Smallest ID any node can issue in the tick holding `timestamp_ms` (ms
/// since the Unix epoch), for range queries: `WHERE id >= min_id_at(from)`.
///
/// NULL: `layout`/`out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_min_id_at(
    layout: *const snowid_layout_t,
    timestamp_ms: i64,
    out_id: *mut u64,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            Ok(l.layout.min_id_at(timestamp_ms)?)
        })
    }
}

/// Largest ID any node can issue in the tick holding `timestamp_ms`:
/// `WHERE id <= max_id_at(to)`.
///
/// NULL: `layout`/`out_id` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_max_id_at(
    layout: *const snowid_layout_t,
    timestamp_ms: i64,
    out_id: *mut u64,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_id, "out_id", |l| {
            Ok(l.layout.max_id_at(timestamp_ms)?)
        })
    }
}

/// Writes the layout's lifespan, end date, IDs per tick and per second per
/// node, and number of node identities to `*out_capacity`.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_layout_capacity(
    layout: *const snowid_layout_t,
    out_capacity: *mut snowid_capacity_t,
) -> snowid_status {
    unsafe {
        answer(layout, "layout", out_capacity, "out_capacity", |l| {
            let c = l.layout.capacity();
            Ok(snowid_capacity_t {
                lifespan_ms: c.lifespan_ms,
                end_ms: c.end_ms,
                ids_per_tick: c.ids_per_tick,
                ids_per_second_per_node: c.ids_per_second_per_node,
                nodes: c.nodes,
            })
        })
    }
}
