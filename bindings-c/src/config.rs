//! `snowid_config_t`, the fixed struct of generator settings, and its one
//! conversion into the core's `GeneratorOptions`: a field still holding the
//! value `snowid_config_init()` wrote is "not given", every other field is
//! handed to the core under its option name, and the core decides the rest
//! (defaults, ranges, combinations, node sources).

use std::ffi::c_char;
use std::mem::size_of;
use std::ptr::{addr_of, addr_of_mut};

use core_snowid::options::{GeneratorOptions, DEFAULT_WAIT_MS, NODE_SOURCES};
use core_snowid::{Layout, ManualClock, Value};

use crate::args::{arg, text, text_value, write_prefix};
use crate::error::{guard, invalid_setting, snowid_status, Failure};
use crate::layout::{index_error, snowid_layout_t, SNOWID_MAX_NODE_FIELDS};

/// `snowid_config_t.clock`: the cached clock (the default). One atomic load
/// per ID, kept current by one shared background thread per process that
/// parks itself when unused; every decision that matters for uniqueness
/// re-reads the exact clock.
pub const SNOWID_CLOCK_CACHED: u32 = 0;
/// `snowid_config_t.clock`: the exact monotonic clock (one `clock_gettime`
/// per ID, ~30 ns). Anchored to the wall clock once per process.
pub const SNOWID_CLOCK_MONOTONIC: u32 = 1;
/// `snowid_config_t.clock`: a manual clock for your tests, starting at
/// `manual_start_ms` and moved only by `snowid_generator_set_time()` /
/// `snowid_generator_advance_time()`. The generator never waits on it: an
/// exhausted tick gives `SNOWID_ERR_SEQUENCE_EXHAUSTED`, a clock behind gives
/// `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`. Its numbers are never protected.
pub const SNOWID_CLOCK_MANUAL: u32 = 2;

/// `snowid_config_t.on_regression` (the default): when the clock reads
/// earlier than the last issued tick, wait up to `regression_max_wait_ms` for
/// it to catch up, then fail with `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`.
pub const SNOWID_REGRESSION_WAIT: u32 = 0;
/// `snowid_config_t.on_regression`: fail at once with
/// `SNOWID_ERR_CLOCK_MOVED_BACKWARDS` (leave `regression_max_wait_ms` at its
/// default: a wait together with "fail" is `SNOWID_ERR_INVALID_SETTING`).
pub const SNOWID_REGRESSION_FAIL: u32 = 1;

/// Size of `snowid_config_t` version 1 (up to `nodes`).
pub const SNOWID_CONFIG_SIZE_V1: u32 = 56;
/// Size of `snowid_config_t` version 2 (adds `node_source`, `persist`,
/// `state_dir`).
pub const SNOWID_CONFIG_SIZE_V2: u32 = 72;
/// Size of `snowid_config_t` version 3 (adds `protect`, `window_ms`).
pub const SNOWID_CONFIG_SIZE_V3: u32 = 80;
/// Size of `snowid_config_t` version 4 (adds `random_sequence_start`,
/// `lanes`).
pub const SNOWID_CONFIG_SIZE_V4: u32 = 88;

/// `snowid_config_t.node_source` (the default): the node values in `nodes`,
/// locked on this machine while the generator lives (unless `protect` is 0).
pub const SNOWID_NODE_SOURCE_EXPLICIT: u32 = 0;
/// `snowid_config_t.node_source`: the first node number no other live process
/// on this machine holds (a `flock`ed file per number under `state_dir`),
/// released when the generator is freed or the process dies.
pub const SNOWID_NODE_SOURCE_LOCAL: u32 = 1;
/// `snowid_config_t.node_source`: `SNOWID_<FIELD>_ID` environment variables
/// (`SNOWID_WORKER_ID`, ...; unset fields 0, at least one set), locked on this
/// machine (`SNOWID_ERR_NODE_IN_USE` if another live process holds them).
pub const SNOWID_NODE_SOURCE_ENV: u32 = 2;
/// `snowid_config_t.node_source`: the StatefulSet ordinal at the end of the
/// pod's hostname (`web-3` -> 3), locked on this machine.
pub const SNOWID_NODE_SOURCE_K8S: u32 = 3;
/// `snowid_config_t.node_source`: a lease from etcd (`SNOWID_ETCD_*`), in a
/// library built with etcd support (else `SNOWID_ERR_INVALID_SETTING`).
pub const SNOWID_NODE_SOURCE_ETCD: u32 = 4;
/// `snowid_config_t.node_source`: a lease from Redis (`SNOWID_REDIS_URL`...).
pub const SNOWID_NODE_SOURCE_REDIS: u32 = 5;

/// Generator settings. Fill it with `snowid_config_init(&cfg, sizeof cfg)`,
/// then change what you need. Plain data owned by the caller; the library
/// only reads it during calls.
///
/// One rule for every field: a field that still holds the value
/// `snowid_config_init()` wrote counts as not given, so the core's default
/// applies (the same default as in every other language); any other value is
/// handed to the core, which checks it and its combination with the others
/// (e.g. `SNOWID_REGRESSION_FAIL` with a changed `regression_max_wait_ms` is
/// `SNOWID_ERR_INVALID_SETTING`). Messages name the core's option (in
/// brackets below). For options this struct lacks, use `snowid_options_t`.
///
/// Versioning rule: fields are only ever appended, never reordered, resized
/// or removed. `struct_size` tells the library which version the caller was
/// compiled with and must be exactly one of `SNOWID_CONFIG_SIZE_V1`, `_V2`,
/// `_V3`, `_V4`; a newer library gives fields past `struct_size` their defaults, so
/// a program built against this header keeps working with later libraries
/// of the same ABI (see README).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_config_t {
    /// `sizeof(snowid_config_t)` as the caller compiled it; set by
    /// `snowid_config_init()`.
    pub struct_size: u32,
    /// `SNOWID_CLOCK_CACHED` (default), `_MONOTONIC` or `_MANUAL` [`clock`].
    pub clock: u32,
    /// Start of the manual clock, ms since the Unix epoch (only read with
    /// `SNOWID_CLOCK_MANUAL`; default 0).
    pub manual_start_ms: u64,
    /// `SNOWID_REGRESSION_WAIT` (default) or `SNOWID_REGRESSION_FAIL`
    /// [`on_regression`].
    pub on_regression: u32,
    /// Bit `i` set: `nodes[i]` is given. With explicit numbers every node
    /// field of the layout must be given; `snowid_config_set_node()` sets
    /// the bit for you.
    pub nodes_set: u32,
    /// Longest wait for a clock that went backwards, 0..=3600000 ms
    /// (default 1000) [`max_wait_ms`].
    pub regression_max_wait_ms: u64,
    /// How many ticks ahead of the clock the generator may issue when a
    /// tick's sequence is used up, instead of waiting, 0..=1000000 (default
    /// 0) [`max_borrow_ticks`].
    pub max_borrow_ticks: u64,
    /// Node values in layout order (`snowid_layout_node_field()`), each
    /// handed to the core under its field's name.
    pub nodes: [u32; SNOWID_MAX_NODE_FIELDS],
    // ---- version 2 ----
    /// Where the node numbers come from: `SNOWID_NODE_SOURCE_EXPLICIT`
    /// (default: `nodes`), `_LOCAL`, `_ENV`, `_K8S`, `_ETCD` or `_REDIS`
    /// [`node_source`]. With a source other than explicit, `nodes_set` must
    /// be 0 and the generator holds its numbers' lock until
    /// `snowid_generator_free()`.
    pub node_source: u32,
    /// 1 (default): keep a persisted high-water mark under `state_dir` for
    /// protected numbers, so a restart never reissues an ID even if the clock
    /// went back; 0: lock only [`persist`].
    pub persist: u32,
    /// Directory for slot locks and high-water marks (NUL-terminated,
    /// only read during `snowid_generator_new()`); NULL (default):
    /// `SNOWID_STATE_DIR`, else `$XDG_STATE_HOME/snowid`, else
    /// `~/.local/state/snowid` [`state_dir`].
    pub state_dir: *const c_char,
    // ---- version 3 ----
    /// 1 (default): protect the node numbers, explicit ones too: lock them on
    /// this machine (a second live generator with the same numbers, in this
    /// process or another, gets `SNOWID_ERR_NODE_IN_USE`) and keep the
    /// high-water mark; never with `SNOWID_CLOCK_MANUAL`. 0: no lock and no
    /// mark, for explicit numbers you keep unique yourself [`protect`].
    pub protect: u32,
    /// High-water window in ms, 1..=3600000: how far ahead of the clock a
    /// mark is written (one write per window). 0 (default): 1000 ms, or
    /// `SNOWID_WINDOW_MS` for the default generator [`window_ms`].
    pub window_ms: u32,
    // ---- version 4 ----
    /// 1: each tick entered from the clock starts its sequence at a
    /// pseudo-random offset (0..255 on Twitter), so `id % shards` spreads at
    /// low rates; a tick after a pause holds that many fewer IDs. 0
    /// (default): sequences start at 0 [`random_sequence_start`].
    pub random_sequence_start: u32,
    /// Node numbers the generator holds, one lane per thread (capacity x
    /// lanes; IDs increase per lane, time-sortable across lanes;
    /// `snowid_next_batch()` fills one run per lane). Explicit numbers: the
    /// given one and the next `lanes - 1` (slot order); a source claims each.
    /// 0 (default): 1 lane [`lanes`].
    pub lanes: u32,
}

const _: () = assert!(size_of::<snowid_config_t>() == SNOWID_CONFIG_SIZE_V4 as usize);
const SIZES: [u32; 4] = [
    SNOWID_CONFIG_SIZE_V1,
    SNOWID_CONFIG_SIZE_V2,
    SNOWID_CONFIG_SIZE_V3,
    SNOWID_CONFIG_SIZE_V4,
];

impl Default for snowid_config_t {
    /// What `snowid_config_init()` writes: every field "not given".
    fn default() -> Self {
        snowid_config_t {
            struct_size: size_of::<Self>() as u32,
            clock: SNOWID_CLOCK_CACHED,
            manual_start_ms: 0,
            on_regression: SNOWID_REGRESSION_WAIT,
            nodes_set: 0,
            regression_max_wait_ms: DEFAULT_WAIT_MS,
            max_borrow_ticks: 0,
            nodes: [0; SNOWID_MAX_NODE_FIELDS],
            node_source: SNOWID_NODE_SOURCE_EXPLICIT,
            persist: 1,
            state_dir: std::ptr::null(),
            protect: 1,
            window_ms: 0,
            random_sequence_start: 0,
            lanes: 0,
        }
    }
}

fn check_size(size: u32) -> Result<usize, Failure> {
    if SIZES.contains(&size) {
        return Ok(size as usize);
    }
    Err(invalid_setting(
        "config.struct_size",
        size,
        &format!(
            "{SNOWID_CONFIG_SIZE_V1} (version 1), {SNOWID_CONFIG_SIZE_V2} (version 2), \
             {SNOWID_CONFIG_SIZE_V3} (version 3) or {SNOWID_CONFIG_SIZE_V4} (version 4): call snowid_config_init(&cfg, sizeof cfg) first \
             (a larger size means the header is newer than the library)"
        ),
    ))
}

/// The caller's `struct_size`, checked, read without assuming the rest of
/// the struct exists.
unsafe fn size_of_config(p: *const snowid_config_t) -> Result<usize, Failure> {
    if p.is_null() {
        return Err(Failure::Null("config"));
    }
    // SAFETY: every version starts with struct_size.
    check_size(unsafe { addr_of!((*p).struct_size).read_unaligned() })
}

/// Reads the caller's version of the config: the first `struct_size` bytes,
/// defaults for the rest.
unsafe fn read_config(p: *const snowid_config_t) -> Result<snowid_config_t, Failure> {
    let size = unsafe { size_of_config(p) }?;
    let mut c = snowid_config_t::default();
    // SAFETY: the caller's struct holds `size` bytes, ours at least as many.
    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), addr_of_mut!(c).cast::<u8>(), size) };
    Ok(c)
}

/// A C enum value outside its constants.
fn bad_enum(field: &str, v: u32, expected: &str) -> Failure {
    invalid_setting(&format!("config.{field}"), v, expected)
}

/// The one conversion of a config into the core's options for `layout`.
pub(crate) unsafe fn config_options(
    layout: &Layout,
    p: *const snowid_config_t,
) -> Result<GeneratorOptions, Failure> {
    let c = unsafe { read_config(p) }?;
    let d = snowid_config_t::default();
    let mut o = GeneratorOptions::new();
    o.set("layout", layout.clone());
    if c.clock != d.clock {
        o.set(
            "clock",
            match c.clock {
                SNOWID_CLOCK_MONOTONIC => Value::from("monotonic"),
                SNOWID_CLOCK_MANUAL => ManualClock::new(c.manual_start_ms).into(),
                v => {
                    return Err(bad_enum(
                        "clock",
                        v,
                        "SNOWID_CLOCK_CACHED (0), _MONOTONIC (1) or _MANUAL (2)",
                    ))
                }
            },
        );
    }
    if c.on_regression != d.on_regression {
        o.set(
            "on_regression",
            match c.on_regression {
                SNOWID_REGRESSION_FAIL => "fail",
                v => {
                    return Err(bad_enum(
                        "on_regression",
                        v,
                        "SNOWID_REGRESSION_WAIT (0) or _FAIL (1)",
                    ))
                }
            },
        );
    }
    if c.regression_max_wait_ms != d.regression_max_wait_ms {
        o.set("max_wait_ms", c.regression_max_wait_ms);
    }
    if c.max_borrow_ticks != d.max_borrow_ticks {
        o.set("max_borrow_ticks", c.max_borrow_ticks);
    }
    let n = layout.node_count();
    if c.nodes_set >> n != 0 {
        return Err(invalid_setting(
            "config.nodes_set",
            format!("{:#x}", c.nodes_set),
            &format!("bits 0..{n} only (the layout has {n} node field(s))"),
        ));
    }
    for (i, f) in layout.node_fields().enumerate() {
        if c.nodes_set & (1 << i) != 0 {
            o.set(f.name(), c.nodes[i]);
        }
    }
    if c.node_source != d.node_source {
        // The constants are the indexes of the core's names (tested below).
        let name = NODE_SOURCES.get(c.node_source as usize).ok_or_else(|| {
            bad_enum(
                "node_source",
                c.node_source,
                "SNOWID_NODE_SOURCE_EXPLICIT (0), _LOCAL (1), _ENV (2), _K8S (3), _ETCD (4) or _REDIS (5)",
            )
        })?;
        o.set("node_source", *name);
    }
    if c.persist != d.persist {
        o.set("persist", c.persist);
    }
    if !c.state_dir.is_null() {
        o.set("state_dir", unsafe {
            text_value(c.state_dir, "config.state_dir")
        }?);
    }
    if c.protect != d.protect {
        o.set("protect", c.protect);
    }
    if c.window_ms != d.window_ms {
        o.set("window_ms", c.window_ms);
    }
    if c.random_sequence_start != d.random_sequence_start {
        o.set("random_sequence_start", c.random_sequence_start);
    }
    if c.lanes != d.lanes {
        o.set("lanes", c.lanes);
    }
    Ok(o)
}

/// Fills `*config` with the defaults (every field "not given": cached
/// clock, wait up to 1000 ms for a clock that went backwards, no borrowing,
/// no node values, explicit numbers, protected, persisted). Pass
/// `sizeof *config` as `struct_size` (the size your header declares), e.g.
/// `snowid_config_t cfg; snowid_config_init(&cfg, sizeof cfg);`.
///
/// Ownership: writes exactly `struct_size` bytes of the caller's struct.
/// NULL: `config` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if `struct_size` is not exactly
/// `SNOWID_CONFIG_SIZE_V1`, `_V2`, `_V3` or `_V4` (nothing is written).
/// Thread safety: safe from any thread (on different structs).
#[no_mangle]
pub unsafe extern "C" fn snowid_config_init(
    config: *mut snowid_config_t,
    struct_size: u32,
) -> snowid_status {
    guard(|| {
        if config.is_null() {
            return Err(Failure::Null("config"));
        }
        let size = check_size(struct_size)?;
        let c = snowid_config_t {
            struct_size,
            ..Default::default()
        };
        // SAFETY: the caller's struct holds `struct_size` bytes.
        unsafe { write_prefix(&c, config, size) };
        Ok(())
    })
}

/// The body of the `snowid_config_set_node*` exports: node field number
/// `index(layout)` of `layout` := `value` in the caller's config, checked by
/// the core (`FIELD_OUT_OF_RANGE`). Touches only `nodes` and `nodes_set`,
/// which every version has.
unsafe fn set_node_at(
    config: *mut snowid_config_t,
    layout: *const snowid_layout_t,
    value: u64,
    index: impl FnOnce(&Layout) -> Result<usize, Failure>,
) -> snowid_status {
    guard(|| {
        if config.is_null() {
            return Err(Failure::Null("config"));
        }
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let i = index(l)?;
        unsafe { size_of_config(config) }?;
        let f = l.node_field(i).expect("index checked by `index`");
        let v = Value::from(value).field_value(f.name(), f.max())? as u32;
        // SAFETY: version 1 already holds nodes and nodes_set; i < 4.
        unsafe {
            addr_of_mut!((*config).nodes).cast::<u32>().add(i).write(v);
            let set = addr_of_mut!((*config).nodes_set);
            set.write(set.read() | 1 << i);
        }
        Ok(())
    })
}

/// Sets the node field called `name` of `layout` (e.g. `"worker"`) to
/// `value` in `*config`, checking the name and the range.
///
/// NULL: any pointer NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_UNKNOWN_FIELD` (message lists the node fields),
/// `_FIELD_OUT_OF_RANGE` (message gives the valid range), `_INVALID_UTF8`,
/// `_INVALID_SETTING` (config not initialised). `*config` is unchanged on
/// error.
/// Thread safety: safe from any thread (on different structs).
#[no_mangle]
pub unsafe extern "C" fn snowid_config_set_node(
    config: *mut snowid_config_t,
    layout: *const snowid_layout_t,
    name: *const c_char,
    value: u64,
) -> snowid_status {
    unsafe {
        set_node_at(config, layout, value, |l| {
            Ok(l.node_index(text(name, "name")?)?)
        })
    }
}

/// Sets node field number `index` (layout order) of `layout` to `value` in
/// `*config`.
///
/// NULL: any pointer NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_FIELD_OUT_OF_RANGE` (index >= node count, or value too
/// large), `_INVALID_SETTING` (config not initialised).
/// Thread safety: safe from any thread (on different structs).
#[no_mangle]
pub unsafe extern "C" fn snowid_config_set_node_index(
    config: *mut snowid_config_t,
    layout: *const snowid_layout_t,
    index: u32,
    value: u64,
) -> snowid_status {
    unsafe {
        set_node_at(config, layout, value, |l| match index as usize {
            i if i < l.node_count() => Ok(i),
            _ => Err(index_error("node index", index, l.node_count())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_source_constants_index_the_core_names() {
        for (constant, name) in [
            (SNOWID_NODE_SOURCE_EXPLICIT, "explicit"),
            (SNOWID_NODE_SOURCE_LOCAL, "local"),
            (SNOWID_NODE_SOURCE_ENV, "env"),
            (SNOWID_NODE_SOURCE_K8S, "k8s"),
            (SNOWID_NODE_SOURCE_ETCD, "etcd"),
            (SNOWID_NODE_SOURCE_REDIS, "redis"),
        ] {
            assert_eq!(NODE_SOURCES[constant as usize], name);
        }
        assert_eq!(NODE_SOURCES.len(), 6, "a new core source needs a constant");
    }

    #[test]
    fn init_values_are_not_given() {
        use core_snowid::env::Environment;
        let env = Environment::from_pairs([("SNOWID_STATE_DIR", "/tmp/snowid-c-unit")]);
        let c = snowid_config_t {
            nodes_set: 3,
            nodes: [1, 2, 0, 0],
            ..Default::default()
        };
        let from_struct = unsafe { config_options(&Layout::twitter(), &c) }.unwrap();
        let by_name = GeneratorOptions::new()
            .with("layout", Layout::twitter())
            .with("datacenter", 1)
            .with("worker", 2);
        assert_eq!(
            from_struct.resolve_in(&env).unwrap().summary_json(),
            by_name.resolve_in(&env).unwrap().summary_json()
        );
    }
}
