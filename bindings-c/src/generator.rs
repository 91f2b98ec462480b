//! Generator handles, their configuration, the default generator and the
//! manual clock. Fork safety is the core's: its `pthread_atfork` handler
//! makes every generator created before a `fork()` return
//! `SNOWID_ERR_FORKED` in the child.

use std::ffi::c_char;
use std::mem::size_of;
use std::sync::OnceLock;

use core_snowid::{
    ClockChoice, Config, Error, Generator, Layout, ManualClock, RegressionPolicy, MAX_NODE_FIELDS,
};

use crate::error::{arg, guard, guard_value, invalid_setting, out, snowid_status, text, Failure};
use crate::layout::{snowid_layout_t, SNOWID_MAX_NODE_FIELDS};

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
/// `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`.
pub const SNOWID_CLOCK_MANUAL: u32 = 2;

/// `snowid_config_t.on_regression` (the default): when the clock reads
/// earlier than the last issued tick, wait up to `regression_max_wait_ms` for
/// it to catch up, then fail with `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`.
pub const SNOWID_REGRESSION_WAIT: u32 = 0;
/// `snowid_config_t.on_regression`: fail at once with
/// `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`.
pub const SNOWID_REGRESSION_FAIL: u32 = 1;

/// Size of the first published `snowid_config_t` (version 1). The library
/// accepts any `struct_size` from this up to its own `sizeof`.
pub const SNOWID_CONFIG_SIZE_V1: u32 = 56;
/// Size of `snowid_config_t` version 2 (adds `node_source`, `persist`,
/// `state_dir`).
pub const SNOWID_CONFIG_SIZE_V2: u32 = 72;

/// `snowid_config_t.node_source` (the default): the node values in `nodes`,
/// in memory only (no lock, no high-water mark).
pub const SNOWID_NODE_SOURCE_EXPLICIT: u32 = 0;
/// `snowid_config_t.node_source`: the first node number no other live process
/// on this machine holds (a `flock`ed file per number under `state_dir`),
/// released by the OS when the process dies.
pub const SNOWID_NODE_SOURCE_LOCAL: u32 = 1;
/// `snowid_config_t.node_source`: `SNOWID_<FIELD>_ID` environment variables
/// (`SNOWID_WORKER_ID`, ...; unset fields 0, at least one set), locked on this
/// machine (`SNOWID_ERR_NODE_IN_USE` if another live process holds them).
pub const SNOWID_NODE_SOURCE_ENV: u32 = 2;
/// `snowid_config_t.node_source`: the StatefulSet ordinal at the end of the
/// pod's hostname (`web-3` -> 3), locked on this machine.
pub const SNOWID_NODE_SOURCE_K8S: u32 = 3;

/// Generator settings. Fill it with `snowid_config_init(&cfg, sizeof cfg)`,
/// then change what you need. Plain data owned by the caller; the library
/// only reads it during calls.
///
/// Versioning rule: fields are only ever appended, never reordered, resized
/// or removed. `struct_size` tells the library which version the caller was
/// compiled with: an older library rejects a larger size than it knows
/// (`SNOWID_ERR_INVALID_SETTING`), a newer library gives fields past
/// `struct_size` their defaults. So a program built against this header keeps
/// working, unchanged, with later libraries of the same ABI (see README).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct snowid_config_t {
    /// `sizeof(snowid_config_t)` as the caller compiled it; set by
    /// `snowid_config_init()`.
    pub struct_size: u32,
    /// `SNOWID_CLOCK_CACHED` (default), `_MONOTONIC` or `_MANUAL`.
    pub clock: u32,
    /// Start of the manual clock, ms since the Unix epoch (only with
    /// `SNOWID_CLOCK_MANUAL`; default 0).
    pub manual_start_ms: u64,
    /// `SNOWID_REGRESSION_WAIT` (default) or `SNOWID_REGRESSION_FAIL`.
    pub on_regression: u32,
    /// Bit `i` set: `nodes[i]` is given. Every node field of the layout must
    /// be given; `snowid_config_set_node()` sets the bit for you.
    pub nodes_set: u32,
    /// Longest wait for a clock that went backwards (default 1000 ms).
    pub regression_max_wait_ms: u64,
    /// How many ticks ahead of the clock the generator may issue when a
    /// tick's sequence is used up, instead of waiting (default 0).
    pub max_borrow_ticks: u64,
    /// Node values in layout order (`snowid_layout_node_field()`).
    pub nodes: [u32; SNOWID_MAX_NODE_FIELDS],
    // ---- version 2 ----
    /// Where the node numbers come from: `SNOWID_NODE_SOURCE_EXPLICIT`
    /// (default: `nodes`), `_LOCAL`, `_ENV` or `_K8S`. With a source other
    /// than explicit, `nodes_set` must be 0 and the generator holds its
    /// numbers' lock until `snowid_generator_free()`.
    pub node_source: u32,
    /// With a node source other than explicit: 1 (default) keeps a persisted
    /// high-water mark under `state_dir`, so a restart never reissues an ID
    /// even if the clock went back; 0 does not.
    pub persist: u32,
    /// Directory for slot locks and high-water marks (NUL-terminated UTF-8,
    /// only read during `snowid_generator_new()`); NULL (default):
    /// `SNOWID_STATE_DIR`, else `$XDG_STATE_HOME/snowid`, else
    /// `~/.local/state/snowid`.
    pub state_dir: *const c_char,
}

const _: () = assert!(size_of::<snowid_config_t>() == SNOWID_CONFIG_SIZE_V2 as usize);

impl Default for snowid_config_t {
    fn default() -> Self {
        snowid_config_t {
            struct_size: size_of::<Self>() as u32,
            clock: SNOWID_CLOCK_CACHED,
            manual_start_ms: 0,
            on_regression: SNOWID_REGRESSION_WAIT,
            nodes_set: 0,
            regression_max_wait_ms: 1000,
            max_borrow_ticks: 0,
            nodes: [0; SNOWID_MAX_NODE_FIELDS],
            node_source: SNOWID_NODE_SOURCE_EXPLICIT,
            persist: 1,
            state_dir: std::ptr::null(),
        }
    }
}

fn check_size(size: u32) -> Result<usize, Failure> {
    let ours = size_of::<snowid_config_t>() as u32;
    if size < SNOWID_CONFIG_SIZE_V1 || size > ours {
        return Err(invalid_setting(
            "config.struct_size",
            size,
            &format!(
                "{SNOWID_CONFIG_SIZE_V1}..={ours} (call snowid_config_init(&cfg, sizeof cfg) first; \
                 a larger size means the header is newer than the library)"
            ),
        ));
    }
    Ok(size as usize)
}

/// Reads the caller's version of the config: the first `struct_size` bytes,
/// defaults for the rest.
unsafe fn read_config(p: *const snowid_config_t) -> Result<snowid_config_t, Failure> {
    if p.is_null() {
        return Err(Failure::Null("config"));
    }
    // SAFETY: every version starts with struct_size.
    let size = check_size(unsafe { std::ptr::addr_of!((*p).struct_size).read_unaligned() })?;
    let mut c = snowid_config_t::default();
    // SAFETY: the caller's struct holds `size` bytes, ours at least as many.
    unsafe {
        std::ptr::copy_nonoverlapping(p.cast::<u8>(), std::ptr::addr_of_mut!(c).cast::<u8>(), size)
    };
    Ok(c)
}

/// Fills `*config` with the defaults: cached clock, wait up to 1000 ms for a
/// clock that went backwards, no borrowing, no node values. Pass
/// `sizeof *config` as `struct_size` (the size your header declares), e.g.
/// `snowid_config_t cfg; snowid_config_init(&cfg, sizeof cfg);`.
///
/// Ownership: writes exactly `struct_size` bytes of the caller's struct.
/// NULL: `config` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if `struct_size` is below
/// `SNOWID_CONFIG_SIZE_V1` or above what this library knows.
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
        unsafe {
            std::ptr::copy_nonoverlapping(
                std::ptr::addr_of!(c).cast::<u8>(),
                config.cast::<u8>(),
                size,
            )
        };
        Ok(())
    })
}

unsafe fn set_node_at(
    config: *mut snowid_config_t,
    l: &Layout,
    i: usize,
    value: u64,
) -> Result<(), Failure> {
    let c = unsafe { out(config, "config") }?;
    check_size(c.struct_size)?;
    let f = l.node_field(i).expect("index checked by the caller");
    if value > f.max() {
        return Err(Error::FieldOutOfRange {
            field: f.name().into(),
            got: value,
            max: f.max(),
        }
        .into());
    }
    c.nodes[i] = value as u32;
    c.nodes_set |= 1 << i;
    Ok(())
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        let name = unsafe { text(name, "name") }?;
        let i = l.node_index(name)?;
        unsafe { set_node_at(config, l, i, value) }
    })
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
    guard(|| {
        let l = &unsafe { arg(layout, "layout") }?.layout;
        if index as usize >= l.node_count() {
            return Err(Error::FieldOutOfRange {
                field: "node index".into(),
                got: index.into(),
                max: l.node_count() as u64 - 1,
            }
            .into());
        }
        unsafe { set_node_at(config, l, index as usize, value) }
    })
}

/// A lock-free ID generator for one node (opaque). One generator may be
/// shared by any number of threads: `snowid_next()`, `snowid_next_batch()`,
/// `snowid_generator_stats()` and the other functions taking a
/// `const snowid_generator_t *` may run concurrently. Only
/// `snowid_generator_free()` needs exclusive access.
#[allow(non_camel_case_types)]
pub struct snowid_generator_t {
    pub(crate) generator: Generator,
    layout: snowid_layout_t,
    manual: Option<ManualClock>,
}

impl snowid_generator_t {
    fn new(config: Config) -> Result<Self, Failure> {
        let manual = match &config.clock {
            ClockChoice::Manual(m) => Some(m.clone()),
            _ => None,
        };
        let layout = snowid_layout_t::wrap(config.layout.clone());
        Ok(snowid_generator_t {
            generator: Generator::new(config)?,
            layout,
            manual,
        })
    }

    fn with_source(
        config: Config,
        options: &core_snowid::node::NodeOptions,
    ) -> Result<Self, Failure> {
        let generator = core_snowid::node::build(config, options)?;
        Ok(snowid_generator_t {
            layout: snowid_layout_t::wrap(generator.layout().clone()),
            generator,
            manual: None,
        })
    }

    fn from_default() -> Result<Self, Failure> {
        let generator = default_generator()?;
        Ok(snowid_generator_t {
            layout: snowid_layout_t::wrap(generator.layout().clone()),
            generator,
            manual: None,
        })
    }
}

/// The node options of a version-2 config, or `None` for explicit nodes.
unsafe fn node_options(
    c: &snowid_config_t,
) -> Result<Option<core_snowid::node::NodeOptions>, Failure> {
    use core_snowid::node::{NodeOptions, NodeSource};
    let source = match c.node_source {
        SNOWID_NODE_SOURCE_EXPLICIT => return Ok(None),
        SNOWID_NODE_SOURCE_LOCAL => NodeSource::Local,
        SNOWID_NODE_SOURCE_ENV => NodeSource::Env,
        SNOWID_NODE_SOURCE_K8S => NodeSource::Kubernetes { hostname: None },
        v => {
            return Err(invalid_setting(
                "config.node_source",
                v,
                "SNOWID_NODE_SOURCE_EXPLICIT (0), _LOCAL (1), _ENV (2) or _K8S (3)",
            ))
        }
    };
    if c.nodes_set != 0 {
        return Err(invalid_setting(
            "config.nodes_set",
            format!("{:#x}", c.nodes_set),
            "0 when config.node_source is not SNOWID_NODE_SOURCE_EXPLICIT (the source chooses the node values)",
        ));
    }
    let mut options = NodeOptions::new(source);
    options.persist = match c.persist {
        0 => false,
        1 => true,
        v => return Err(invalid_setting("config.persist", v, "0 or 1")),
    };
    if !c.state_dir.is_null() {
        // SAFETY: non-NULL strings are NUL-terminated (header contract).
        options.state_dir = unsafe { text(c.state_dir, "config.state_dir") }?.into();
    }
    Ok(Some(options))
}

fn core_config(layout: &Layout, c: &snowid_config_t) -> Result<Config, Failure> {
    let n = layout.node_count();
    if c.nodes_set >> n != 0 {
        return Err(invalid_setting(
            "config.nodes_set",
            format!("{:#x}", c.nodes_set),
            &format!("bits 0..{n} only (the layout has {n} node field(s))"),
        ));
    }
    let mut config = Config::new(layout.clone());
    for i in 0..n {
        if c.nodes_set & (1 << i) != 0 {
            let f = layout.node_field(i).expect("i < node_count");
            config.set_node(f.name(), c.nodes[i].into())?;
        }
    }
    config.clock =
        match c.clock {
            SNOWID_CLOCK_CACHED => ClockChoice::Cached,
            SNOWID_CLOCK_MONOTONIC => ClockChoice::Monotonic,
            SNOWID_CLOCK_MANUAL => ClockChoice::Manual(ManualClock::new(c.manual_start_ms)),
            v => return Err(invalid_setting(
                "config.clock",
                v,
                "SNOWID_CLOCK_CACHED (0), SNOWID_CLOCK_MONOTONIC (1) or SNOWID_CLOCK_MANUAL (2)",
            )),
        };
    config.on_regression = match c.on_regression {
        SNOWID_REGRESSION_WAIT => RegressionPolicy::Wait {
            max_ms: c.regression_max_wait_ms,
        },
        SNOWID_REGRESSION_FAIL => RegressionPolicy::Fail,
        v => {
            return Err(invalid_setting(
                "config.on_regression",
                v,
                "SNOWID_REGRESSION_WAIT (0) or SNOWID_REGRESSION_FAIL (1)",
            ))
        }
    };
    config.max_borrow_ticks = c.max_borrow_ticks;
    Ok(config)
}

/// The one function that builds the default generator: the core's node
/// identity from the environment (`snowid::node::from_env`), the same one the
/// Python and Node bindings use, so processes of every language on a machine
/// share one pool of machine-local slots.
pub(crate) fn default_generator() -> Result<Generator, Error> {
    core_snowid::node::from_env()
}

/// Makes a generator for `layout` with `config`.
///
/// Ownership: `layout` and `config` are only read (the generator keeps its
/// own copy of the layout; free yours whenever you like). On success
/// `*out_generator` is a new generator to free with `snowid_generator_free()`.
/// NULL: any argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_MISSING_FIELD` (a node field not set),
/// `_FIELD_OUT_OF_RANGE`, `_INVALID_SETTING` (bad `struct_size`, `clock`,
/// `on_regression`, `nodes_set`, `node_source`, `persist`), and with a node
/// source: `_NODE_IN_USE`, `_NO_FREE_SLOT`, `_STATE_IO`, `_STATE_CORRUPT`,
/// `_BEHIND_HIGH_WATER`, `_INVALID_UTF8` (`state_dir`).
/// Thread safety: safe from any thread. The first call also registers a
/// `pthread_atfork` child handler (see `SNOWID_ERR_FORKED`).
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_new(
    layout: *const snowid_layout_t,
    config: *const snowid_config_t,
    out_generator: *mut *mut snowid_generator_t,
) -> snowid_status {
    guard(|| {
        let l = unsafe { arg(layout, "layout") }?;
        let c = unsafe { read_config(config) }?;
        let o = unsafe { out(out_generator, "out_generator") }?;
        let config = core_config(&l.layout, &c)?;
        let g = match unsafe { node_options(&c) }? {
            None => snowid_generator_t::new(config)?,
            Some(options) => snowid_generator_t::with_source(config, &options)?,
        };
        *o = Box::into_raw(Box::new(g));
        Ok(())
    })
}

/// Makes a generator configured from the environment, like every snowid
/// binding's default: `SNOWID_LAYOUT` (preset, default `twitter`),
/// `SNOWID_NODE_SOURCE` (`env`, `k8s`, `local`; default `env` if any
/// `SNOWID_<FIELD>_ID` such as `SNOWID_WORKER_ID` is set, else `local`: the
/// first node number no other live process on this machine holds),
/// `SNOWID_STATE_DIR`, `SNOWID_PERSIST` (high-water mark, default on),
/// `SNOWID_WINDOW_MS`, `SNOWID_CLOCK` (`cached` default, `monotonic`). The
/// node numbers stay locked while the generator lives.
///
/// Ownership: `*out_generator` is a new generator to free with
/// `snowid_generator_free()` (which releases the node numbers).
/// NULL: `out_generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (naming the variable and its value),
/// `_NODE_IN_USE` (numbers held by another process), `_NO_FREE_SLOT`,
/// `_STATE_IO`, `_STATE_CORRUPT`, `_BEHIND_HIGH_WATER`.
/// Thread safety: safe from any thread (reads the environment).
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_new_default(
    out_generator: *mut *mut snowid_generator_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_generator, "out_generator") }?;
        *o = Box::into_raw(Box::new(snowid_generator_t::from_default()?));
        Ok(())
    })
}

/// The process-wide default generator, configured like
/// `snowid_generator_new_default()` on the first successful call, then
/// shared: `snowid_next(gen, &id)` from anywhere.
///
/// Ownership: borrowed; never free it. It lives until the process exits.
/// NULL: `out_generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_generator_new_default()` (nothing is kept on error,
/// so fixing the variable and calling again works).
/// Fork: in a child process the default generator returns
/// `SNOWID_ERR_FORKED`; make a new generator with the child's own node values.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_default_generator(
    out_generator: *mut *const snowid_generator_t,
) -> snowid_status {
    static DEFAULT: OnceLock<snowid_generator_t> = OnceLock::new();
    guard(|| {
        let o = unsafe { out(out_generator, "out_generator") }?;
        let g = match DEFAULT.get() {
            Some(g) => g,
            None => {
                let made = snowid_generator_t::from_default()?;
                // A racing thread may have won; either value is fine.
                let _ = DEFAULT.set(made);
                DEFAULT.get().expect("just set")
            }
        };
        *o = g;
        Ok(())
    })
}

/// Frees a generator. `NULL` is ignored.
///
/// Thread safety: no other thread may use `generator` during or after the
/// call. Layout pointers obtained from `snowid_generator_layout()` die with it.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_free(generator: *mut snowid_generator_t) {
    guard_value((), || {
        if !generator.is_null() {
            // SAFETY: made by Box::into_raw in this library, freed once.
            drop(unsafe { Box::from_raw(generator) });
        }
    })
}

/// Writes the generator's layout to `*out_layout` (to decode its IDs).
///
/// Ownership: borrowed from the generator: valid until it is freed; never
/// free it yourself.
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_layout(
    generator: *const snowid_generator_t,
    out_layout: *mut *const snowid_layout_t,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        *unsafe { out(out_layout, "out_layout") }? = &g.layout;
        Ok(())
    })
}

/// Issues one ID into `*out_id`: unique for this layout and node values,
/// greater than every ID this generator issued before. Lock-free: one clock
/// read, one load, one compare-and-swap. When the current tick's sequence is
/// used up it waits for the next tick (or borrows, if configured).
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`*out_id` unchanged): `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`,
/// `_CLOCK_BEFORE_EPOCH`, `_TIME_EXHAUSTED`, `_SEQUENCE_EXHAUSTED` (manual
/// clock), `_FORKED` (generator made before `fork()`).
/// Thread safety: any number of threads may call it on one generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_next(
    generator: *const snowid_generator_t,
    out_id: *mut u64,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let o = unsafe { out(out_id, "out_id") }?;
        *o = g.generator.next_id()?;
        Ok(())
    })
}

/// Fills `out_ids[0 .. count]` with consecutive IDs (a tick's worth per
/// compare-and-swap) and writes how many were written to `*out_written`:
/// `count`, or fewer if an error stopped it after some IDs were issued
/// (status `SNOWID_OK`; call again to see the error). A non-OK status means
/// nothing was written.
///
/// Ownership: `out_ids` is the caller's array of at least `count` entries.
/// NULL: `generator` or `out_written` NULL, or `out_ids` NULL with
/// `count` > 0 -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_next()`.
/// Thread safety: any number of threads may call it on one generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_next_batch(
    generator: *const snowid_generator_t,
    out_ids: *mut u64,
    count: u64,
    out_written: *mut u64,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let w = unsafe { out(out_written, "out_written") }?;
        if count == 0 {
            *w = 0;
            return Ok(());
        }
        if out_ids.is_null() {
            return Err(Failure::Null("out_ids"));
        }
        let len = usize::try_from(count)
            .ok()
            .filter(|n| *n <= isize::MAX as usize / size_of::<u64>())
            .ok_or_else(|| {
                invalid_setting("count", count, "an array length that fits in memory")
            })?;
        // SAFETY: out_ids holds `count` entries (header contract).
        let buf = unsafe { std::slice::from_raw_parts_mut(out_ids, len) };
        *w = g.generator.next_batch(buf)? as u64;
        Ok(())
    })
}

/// Counters of a generator (`snowid_generator_stats()`). Exact when no
/// thread is issuing; otherwise each is a recent value.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct snowid_stats_t {
    /// IDs issued.
    pub issued: u64,
    /// Times a call found its tick's sequence used up and waited.
    pub overflow_waits: u64,
    /// Calls that found the clock behind the last issued tick.
    pub clock_regressions: u64,
    /// Largest such regression, in ms.
    pub largest_regression_ms: u64,
    /// Ticks issued ahead of the clock (borrowing).
    pub borrowed_ticks: u64,
}

/// Writes the generator's counters to `*out_stats`.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_stats(
    generator: *const snowid_generator_t,
    out_stats: *mut snowid_stats_t,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let o = unsafe { out(out_stats, "out_stats") }?;
        let s = g.generator.stats();
        *o = snowid_stats_t {
            issued: s.issued,
            overflow_waits: s.overflow_waits,
            clock_regressions: s.clock_regressions,
            largest_regression_ms: s.largest_regression_ms,
            borrowed_ticks: s.borrowed_ticks,
        };
        Ok(())
    })
}

fn manual(g: &snowid_generator_t) -> Result<&ManualClock, Failure> {
    g.manual.as_ref().ok_or_else(|| {
        invalid_setting(
            "config.clock",
            "not manual",
            "a generator made with SNOWID_CLOCK_MANUAL to move its clock",
        )
    })
}

/// Sets the manual clock of `generator` to `ms` (ms since the Unix epoch);
/// it may go backwards, that is what tests are for.
///
/// NULL: `generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if the generator's clock is not
/// `SNOWID_CLOCK_MANUAL`.
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_set_time(
    generator: *const snowid_generator_t,
    ms: u64,
) -> snowid_status {
    guard(|| {
        manual(unsafe { arg(generator, "generator") }?)?.set(ms);
        Ok(())
    })
}

/// Moves the manual clock of `generator` by `delta_ms` (backwards if
/// negative, stopping at 0).
///
/// NULL and errors: as `snowid_generator_set_time()`.
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_advance_time(
    generator: *const snowid_generator_t,
    delta_ms: i64,
) -> snowid_status {
    guard(|| {
        manual(unsafe { arg(generator, "generator") }?)?.advance(delta_ms);
        Ok(())
    })
}

/// Benchmark helper, not for applications: issues `count` IDs inside the
/// library with the core's own call (no C call per ID) and writes the last
/// one to `*out_last`. `snowid_next()` costs this per ID plus the C call.
///
/// NULL: `generator`/`out_last` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_next()` (stops at the first error).
/// Thread safety: as `snowid_next()`.
#[no_mangle]
pub unsafe extern "C" fn snowid_bench_core_next(
    generator: *const snowid_generator_t,
    count: u64,
    out_last: *mut u64,
) -> snowid_status {
    guard(|| {
        let g = unsafe { arg(generator, "generator") }?;
        let o = unsafe { out(out_last, "out_last") }?;
        let mut last = 0;
        for _ in 0..count {
            last = std::hint::black_box(g.generator.next_id()?);
        }
        *o = last;
        Ok(())
    })
}

const _: () = assert!(MAX_NODE_FIELDS == SNOWID_MAX_NODE_FIELDS);
