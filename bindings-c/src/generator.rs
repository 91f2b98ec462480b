//! Generator handles: the caller's own generators and the process default
//! generator (the core's `snowid::default`, with its fork and clean-exit
//! rules), IDs, counters and the manual clock.

use std::sync::Mutex;

use core_snowid::options::GeneratorOptions;
use core_snowid::{default, ClockChoice, Generator, ManualClock, Stats, MAX_NODE_FIELDS};

use crate::args::{answer, arg, batch, boxed, free, out, write_prefix};
use crate::config::{config_options, snowid_config_t};
use crate::error::{guard, invalid_setting, snowid_status, Failure};
use crate::layout::{snowid_layout_t, SNOWID_MAX_NODE_FIELDS};

/// Most IDs one `snowid_next_batch()` call issues (2^24), the same limit in
/// every language.
pub const SNOWID_MAX_BATCH: u64 = 16_777_216;
const _: () = assert!(SNOWID_MAX_BATCH == core_snowid::MAX_BATCH);

/// A lock-free ID generator (opaque): one you made (`snowid_generator_new()`
/// and friends, freed with `snowid_generator_free()`), or the borrowed
/// handle of the process default generator (`snowid_default_generator()`).
/// One generator may be shared by any number of threads: `snowid_next()`,
/// `snowid_next_batch()`, `snowid_generator_stats()` and the other functions
/// taking a `const snowid_generator_t *` may run concurrently. Only
/// `snowid_generator_free()` needs exclusive access.
#[allow(non_camel_case_types)]
pub struct snowid_generator_t {
    inner: Handle,
}

// Handles live in one Box each (and one static): never moved, so the size
// difference costs nothing, and the generator stays one dereference away.
#[allow(clippy::large_enum_variant)]
enum Handle {
    Owned(Owned),
    /// Every call goes to `snowid::default`, which creates the generator on
    /// first use and re-creates it in a forked child.
    ProcessDefault,
}

struct Owned {
    generator: Generator,
    layout: snowid_layout_t,
    manual: Option<ManualClock>,
}

/// The one handle of the process default generator (never freed).
static DEFAULT_HANDLE: snowid_generator_t = snowid_generator_t {
    inner: Handle::ProcessDefault,
};

impl snowid_generator_t {
    fn owned(generator: Generator, manual: Option<ManualClock>) -> *mut Self {
        let layout = snowid_layout_t::wrap(generator.layout().clone());
        boxed(snowid_generator_t {
            inner: Handle::Owned(Owned {
                generator,
                layout,
                manual,
            }),
        })
    }

    /// A generator from options: the core resolves and builds it.
    pub(crate) fn from_options(o: &GeneratorOptions) -> Result<*mut Self, Failure> {
        let settings = o.resolve()?;
        let manual = manual_clock(&settings.clock);
        Ok(Self::owned(settings.build()?, manual))
    }

    #[inline(always)]
    fn next_id(&self) -> Result<u64, Failure> {
        Ok(match &self.inner {
            Handle::Owned(o) => o.generator.next_id()?,
            Handle::ProcessDefault => default::next_id()?,
        })
    }

    fn next_batch(&self, buf: &mut [u64]) -> Result<usize, Failure> {
        Ok(match &self.inner {
            Handle::Owned(o) => o.generator.next_batch(buf)?,
            Handle::ProcessDefault => default::generator()?.next_batch(buf)?,
        })
    }

    fn ready(&self) -> Result<(), Failure> {
        match &self.inner {
            Handle::Owned(o) => o.generator.ready()?,
            Handle::ProcessDefault => default::ready()?,
        }
        Ok(())
    }

    fn stats(&self) -> Stats {
        match &self.inner {
            Handle::Owned(o) => o.generator.stats(),
            Handle::ProcessDefault => default::stats(),
        }
    }

    fn layout(&self) -> Result<&snowid_layout_t, Failure> {
        match &self.inner {
            Handle::Owned(o) => Ok(&o.layout),
            Handle::ProcessDefault => Ok(default_layout_handle(default::layout()?)),
        }
    }
}

/// The clock a generator's settings chose, when it is a manual one (kept
/// in the handle so the C caller can move it).
pub(crate) fn manual_clock(clock: &ClockChoice) -> Option<ManualClock> {
    match clock {
        ClockChoice::Manual(m) => Some(m.clone()),
        _ => None,
    }
}

/// A layout handle for the default generator's layout that lives as long
/// as the process (one per distinct layout; a process has a handful).
fn default_layout_handle(layout: core_snowid::Layout) -> &'static snowid_layout_t {
    static SEEN: Mutex<Vec<&'static snowid_layout_t>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(l) = seen.iter().find(|l| l.layout == layout) {
        return l;
    }
    let l: &'static snowid_layout_t = Box::leak(Box::new(snowid_layout_t::wrap(layout)));
    seen.push(l);
    l
}

/// Makes a generator for `layout` with `config` (see `snowid_config_t`
/// for how its fields become the core's options). With explicit node
/// numbers the generator locks them on this machine and keeps a high-water
/// mark under `state_dir` unless `config->protect` is 0 or the clock is
/// manual.
///
/// Ownership: `layout` and `config` are only read (the generator keeps its
/// own copy of the layout; free yours whenever you like). On success
/// `*out_generator` is a new generator to free with `snowid_generator_free()`
/// (which releases its numbers).
/// NULL: `layout`, `config` or `out_generator` NULL ->
/// `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (a `struct_size` that is not a
/// published size, an enum value outside its constants, `nodes_set` bits
/// past the layout's node fields, an out-of-range or conflicting setting, a
/// `state_dir` that is empty or not UTF-8), `_MISSING_FIELD` (a node field
/// not set), `_FIELD_OUT_OF_RANGE`, `_NODE_IN_USE` (another live generator
/// holds the numbers), `_NO_FREE_SLOT`, `_STATE_IO`, `_STATE_CORRUPT`,
/// `_BEHIND_HIGH_WATER`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_new(
    layout: *const snowid_layout_t,
    config: *const snowid_config_t,
    out_generator: *mut *mut snowid_generator_t,
) -> snowid_status {
    guard(|| {
        let l = unsafe { arg(layout, "layout") }?;
        if config.is_null() {
            return Err(Failure::Null("config"));
        }
        let o = unsafe { out(out_generator, "out_generator") }?;
        let options = unsafe { config_options(&l.layout, config) }?;
        *o = snowid_generator_t::from_options(&options)?;
        Ok(())
    })
}

/// Makes a generator of your own configured from the environment alone
/// (not from `snowid_configure()`), by the same rules as the default
/// generator: `SNOWID_LAYOUT`, `SNOWID_NODE_SOURCE`, `SNOWID_<FIELD>_ID`,
/// `SNOWID_STATE_DIR`, `SNOWID_PERSIST`, `SNOWID_WINDOW_MS`, `SNOWID_CLOCK`
/// (see the README); with none of them, the first machine-local slot no
/// other live process holds. The node numbers stay locked while the
/// generator lives.
///
/// Ownership: `*out_generator` is a new generator to free with
/// `snowid_generator_free()` (which releases the node numbers).
/// NULL: `out_generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` (naming the variable and its value),
/// `_NODE_SOURCE_REQUIRED` (nothing set in a replicated environment),
/// `_NODE_IN_USE`, `_NO_FREE_SLOT`, `_STATE_IO`, `_STATE_CORRUPT`,
/// `_BEHIND_HIGH_WATER`.
/// Thread safety: safe from any thread (reads the environment).
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_new_default(
    out_generator: *mut *mut snowid_generator_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_generator, "out_generator") }?;
        *o = snowid_generator_t::owned(core_snowid::node::from_env()?, None);
        Ok(())
    })
}

/// The process default generator, the same one as Python's and Node's
/// `snowid.next()`: settings from `snowid_configure()` over the environment
/// (see `snowid_generator_new_default()`), created on the first call and
/// then shared: `snowid_next(gen, &id)` from anywhere.
///
/// Ownership: borrowed; never free it. It lives until the process exits.
/// Before a normal exit call `snowid_shutdown()` (e.g. `atexit(snowid_shutdown)`),
/// so the next process with its numbers starts without waiting.
/// NULL: `out_generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: as `snowid_generator_new_default()` (nothing is kept on error,
/// so fixing the variable and calling again works).
/// Fork: the handle stays valid in a child process. The child's first call
/// re-creates the generator from the same settings: a source that picks
/// numbers (a machine-local slot, etcd, Redis) picks the child's own, so a
/// prefork server gets IDs in every worker; fixed numbers stay locked by the
/// parent (`SNOWID_ERR_NODE_IN_USE` in the child unless it calls
/// `snowid_configure()` with its own).
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_default_generator(
    out_generator: *mut *const snowid_generator_t,
) -> snowid_status {
    guard(|| {
        let o = unsafe { out(out_generator, "out_generator") }?;
        default::generator()?;
        *o = &DEFAULT_HANDLE;
        Ok(())
    })
}

/// Frees a generator you made, releasing its node numbers and lowering its
/// high-water mark to the last tick it issued (a clean exit). `NULL` and the
/// default generator's handle are ignored.
///
/// Thread safety: no other thread may use `generator` during or after the
/// call. Layout pointers obtained from `snowid_generator_layout()` die with it.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_free(generator: *mut snowid_generator_t) {
    // The default generator's handle is static: never freed.
    if !std::ptr::eq(generator, &DEFAULT_HANDLE) {
        unsafe { free(generator) }
    }
}

/// Writes the generator's layout to `*out_layout` (to decode its IDs).
///
/// Ownership: borrowed from the generator: valid until it is freed (for
/// the default generator: until the process exits); never free it yourself.
/// Errors: for the default generator, `SNOWID_ERR_INVALID_SETTING` if
/// `SNOWID_LAYOUT` became invalid before its first use.
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe from any thread.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_layout(
    generator: *const snowid_generator_t,
    out_layout: *mut *const snowid_layout_t,
) -> snowid_status {
    unsafe {
        answer(generator, "generator", out_layout, "out_layout", |g| {
            g.layout().map(std::ptr::from_ref)
        })
    }
}

/// Issues one ID into `*out_id`: unique for this layout and node values,
/// greater than every ID this generator issued before. Lock-free: one clock
/// read, one load, one compare-and-swap. When the current tick's sequence is
/// used up it waits for the next tick (or borrows, if configured).
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (`*out_id` unchanged): `SNOWID_ERR_CLOCK_MOVED_BACKWARDS`,
/// `_CLOCK_BEFORE_EPOCH`, `_TIME_EXHAUSTED`, `_SEQUENCE_EXHAUSTED` (manual
/// clock), `_FORKED` (a generator you made before `fork()`, used in the
/// child); for the default generator also the errors of its creation.
/// Thread safety: any number of threads may call it on one generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_next(
    generator: *const snowid_generator_t,
    out_id: *mut u64,
) -> snowid_status {
    unsafe { answer(generator, "generator", out_id, "out_id", |g| g.next_id()) }
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
/// Errors: `SNOWID_ERR_INVALID_SETTING` for `count` above
/// `SNOWID_MAX_BATCH`; else as `snowid_next()`.
/// Thread safety: any number of threads may call it on one generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_next_batch(
    generator: *const snowid_generator_t,
    out_ids: *mut u64,
    count: u64,
    out_written: *mut u64,
) -> snowid_status {
    unsafe {
        answer(generator, "generator", out_written, "out_written", |g| {
            Ok(match batch(out_ids, count)? {
                Some(buf) => g.next_batch(buf)? as u64,
                None => 0,
            })
        })
    }
}

/// Whether `generator` can issue now, without issuing: `SNOWID_OK` when
/// the next ID of every lane would be issued (at once, or after a wait
/// `snowid_next()` would make), else the status that ID would fail with.
/// For your own readiness probe: no ID is taken and no counter moves. Like
/// the next ID, it may first extend the reservation (one mark write, or a
/// lease check, at most once per window), so it may block as long as that.
/// For the default generator it is reached as `snowid_next()` reaches it:
/// created on first use (claiming its node numbers), re-created in a forked
/// child.
///
/// NULL: `generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors (message in `snowid_last_error_message()`): as `snowid_next()`,
/// e.g. `SNOWID_ERR_BEHIND_HIGH_WATER` (a high-water mark ahead of the clock
/// by more than the floor wait), `_LEASE_LOST`, `_COORDINATION_UNAVAILABLE`,
/// `_CLOCK_MOVED_BACKWARDS`, `_SEQUENCE_EXHAUSTED` (manual clock), `_FORKED`;
/// for the default generator also the errors of its creation
/// (`_NODE_IN_USE`...).
/// Thread safety: any number of threads may call it, also while others
/// issue IDs from the same generator.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_ready(
    generator: *const snowid_generator_t,
) -> snowid_status {
    guard(|| unsafe { arg(generator, "generator") }?.ready())
}

/// Size of `snowid_stats_t` version 1 (up to `borrowed_ticks`): what
/// `snowid_generator_stats()` writes.
pub const SNOWID_STATS_SIZE_V1: u32 = 40;
/// Size of `snowid_stats_t` version 2 (adds `skew_ms`).
pub const SNOWID_STATS_SIZE_V2: u32 = 48;
/// Size of `snowid_stats_t` version 3 (adds `runway_s`, `nodes_total`,
/// `nodes_in_use`, `nodes_free`, `lease_ttl_left_ms`).
pub const SNOWID_STATS_SIZE_V3: u32 = 88;

/// Counters of a generator (`snowid_generator_stats_sized()`). Exact when no
/// thread is issuing; otherwise each is a recent value.
///
/// Versioning rule: fields are only ever appended. Read it with
/// `snowid_generator_stats_sized(gen, &st, sizeof st)`, which writes exactly
/// the version the caller was compiled with; `snowid_generator_stats()`
/// writes version 1 only (the first `SNOWID_STATS_SIZE_V1` bytes), so a
/// program built against an older header stays safe with a newer library.
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
    /// (Version 2.) The clock's skew at the call: wall clock minus the time
    /// the generator follows, in ms (positive: the wall clock is ahead; 0 on
    /// a manual clock). Alert when it passes 100 ms either way: NTP moved the
    /// wall clock away from the generator's monotonic timeline; IDs stay
    /// unique and ordered, but their timestamps drift from wall time.
    pub skew_ms: i64,
    /// (Version 3.) Seconds from the generator's clock to the layout's last
    /// timestamp (0 once there: every call then fails). Alert a year ahead.
    pub runway_s: u64,
    /// (Version 3.) Node identities in the layout's ID space.
    pub nodes_total: u64,
    /// (Version 3.) Node numbers this generator holds (one per lane).
    pub nodes_in_use: u64,
    /// (Version 3.) `nodes_total - nodes_in_use`; across a fleet, alert on
    /// `nodes_total - sum(nodes_in_use)`.
    pub nodes_free: u64,
    /// (Version 3.) Milliseconds before the node-number lease's deadline
    /// (the lowest of the lanes); -1 when the node numbers are not leased.
    pub lease_ttl_left_ms: i64,
}

const _: () = assert!(size_of::<snowid_stats_t>() == SNOWID_STATS_SIZE_V3 as usize);
const _: () =
    assert!(std::mem::offset_of!(snowid_stats_t, runway_s) == SNOWID_STATS_SIZE_V2 as usize);
const _: () =
    assert!(std::mem::offset_of!(snowid_stats_t, skew_ms) == SNOWID_STATS_SIZE_V1 as usize);

/// Writes the first `size` bytes of the counters to `out_stats`.
///
/// # Safety
/// `out_stats` is NULL or holds `size` writable bytes.
unsafe fn write_stats(
    generator: *const snowid_generator_t,
    out_stats: *mut snowid_stats_t,
    size: usize,
) -> Result<(), Failure> {
    let g = unsafe { arg(generator, "generator") }?;
    if out_stats.is_null() {
        return Err(Failure::Null("out_stats"));
    }
    let s = g.stats();
    let st = snowid_stats_t {
        issued: s.issued,
        overflow_waits: s.overflow_waits,
        clock_regressions: s.clock_regressions,
        largest_regression_ms: s.largest_regression_ms,
        borrowed_ticks: s.borrowed_ticks,
        skew_ms: s.skew_ms,
        runway_s: s.runway_s,
        nodes_total: s.nodes_total,
        nodes_in_use: s.nodes_in_use,
        nodes_free: s.nodes_free,
        lease_ttl_left_ms: s
            .lease_ttl_left_ms
            .map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX)),
    };
    // SAFETY: the caller's struct holds `size` bytes (header contract).
    unsafe { write_prefix(&st, out_stats, size) };
    Ok(())
}

/// Writes version 1 of the generator's counters (the fields up to
/// `borrowed_ticks`, `SNOWID_STATS_SIZE_V1` bytes) to `*out_stats`; later
/// fields (`skew_ms`) are left untouched. Kept for programs built against
/// older headers: use `snowid_generator_stats_sized()`.
///
/// NULL: either argument NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_stats(
    generator: *const snowid_generator_t,
    out_stats: *mut snowid_stats_t,
) -> snowid_status {
    guard(|| unsafe { write_stats(generator, out_stats, SNOWID_STATS_SIZE_V1 as usize) })
}

/// Writes the generator's counters, the version the caller compiled, to
/// `*out_stats`: `snowid_stats_t st; snowid_generator_stats_sized(gen, &st,
/// sizeof st);`. Cheap: the clock skew is read at this call, never on the
/// per-ID path.
///
/// Ownership: writes exactly `struct_size` bytes of the caller's struct.
/// NULL: `generator` or `out_stats` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if `struct_size` is not exactly
/// `SNOWID_STATS_SIZE_V1`, `_V2` or `_V3` (nothing is written).
/// Thread safety: safe while other threads issue IDs.
#[no_mangle]
pub unsafe extern "C" fn snowid_generator_stats_sized(
    generator: *const snowid_generator_t,
    out_stats: *mut snowid_stats_t,
    struct_size: u32,
) -> snowid_status {
    guard(|| {
        let sizes = [
            SNOWID_STATS_SIZE_V1,
            SNOWID_STATS_SIZE_V2,
            SNOWID_STATS_SIZE_V3,
        ];
        if !sizes.contains(&struct_size) {
            return Err(invalid_setting(
                "stats struct_size",
                struct_size,
                &format!(
                    "{SNOWID_STATS_SIZE_V1} (version 1), {SNOWID_STATS_SIZE_V2} (version 2) or \
                     {SNOWID_STATS_SIZE_V3} (version 3): \
                     pass sizeof(snowid_stats_t) (a larger size means the header is newer than \
                     the library)"
                ),
            ));
        }
        unsafe { write_stats(generator, out_stats, struct_size as usize) }
    })
}

fn manual(g: &snowid_generator_t) -> Result<&ManualClock, Failure> {
    match &g.inner {
        Handle::Owned(Owned {
            manual: Some(m), ..
        }) => Ok(m),
        _ => Err(invalid_setting(
            "clock",
            "not manual",
            "a generator you made with SNOWID_CLOCK_MANUAL (or a manual clock option) to move its clock",
        )),
    }
}

/// Sets the manual clock of `generator` to `ms` (ms since the Unix epoch);
/// it may go backwards, that is what tests are for.
///
/// NULL: `generator` NULL -> `SNOWID_ERR_NULL_ARGUMENT`.
/// Errors: `SNOWID_ERR_INVALID_SETTING` if the generator's clock is not
/// manual (the default generator's clock cannot be moved from here).
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
    unsafe {
        answer(generator, "generator", out_last, "out_last", |g| {
            let mut last = 0;
            for _ in 0..count {
                last = std::hint::black_box(match &g.inner {
                    Handle::Owned(o) => o.generator.next_id()?,
                    Handle::ProcessDefault => default::next_id()?,
                });
            }
            Ok(last)
        })
    }
}

const _: () = assert!(MAX_NODE_FIELDS == SNOWID_MAX_NODE_FIELDS);
