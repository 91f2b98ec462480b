//! The process default generator: what `snowid.next()` (Python),
//! `snowid.next()` (Node) and `snowid_default_generator()` (C) use.
//!
//! One recipe for every language:
//!
//! - **Settings**: [`configure`] (the generator options) over the
//!   environment, resolved by [`crate::options::resolve_default`]; with
//!   neither, `SNOWID_*` or a machine-local slot (or an error in a
//!   replicated environment: see `testdata/OPTIONS.md`).
//! - **Created on first use** and then shared: [`next_id`] is one atomic
//!   load plus the generator's lock-free path.
//! - **Re-configure rule**: [`configure`] with the running generator's
//!   settings is a no-op; with other settings it replaces the generator if
//!   that has issued nothing yet, else fails with `INVALID_SETTING` naming
//!   the first setting that differs.
//! - **Fork rule**: in a forked child the parent's generator refuses
//!   (`FORKED`); the child's first call re-creates the default from the same
//!   settings: a source that picks numbers (`local`, `etcd`, `redis`) picks
//!   the child's own; fixed numbers stay locked by their holder, so the
//!   child gets `NODE_IN_USE` unless it configures its own. Fixed numbers
//!   configured with `protect=false` before the fork are refused in the
//!   child (`FORKED`): nothing would stop the parent and every child from
//!   sharing them.
//! - **Clean exit**: [`shutdown`] lowers the high-water mark to the last
//!   tick issued (the bindings call it from `atexit`, Node's `exit` event;
//!   C programs call `snowid_shutdown()`), so the next process with these
//!   numbers does not wait out the reserved window.
//! - [`ready`]: the readiness probe of the generator [`next_id`] uses.
//! - [`layout`]: what `inspect(id)` decodes with when given no layout.
//! - [`uuid7`] and [`ulid`]: one more default generator per preset
//!   (`snowid.uuid7()`), made by the same recipe from the environment
//!   alone (`configure()` sets the Snowflake generator; its layout and
//!   epoch cannot apply to a UUID): created on first use under the same
//!   lock, re-created in a forked child, lowered by [`shutdown`].
//!
//! Replaced generators are leaked on purpose: another thread may still hold
//! the old pointer, and there are at most a handful per process.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering::*};

use crate::env::Environment;
use crate::error::{Error, Result};
use crate::generator::{fork_generation, Generator, Stats};
use crate::layout::Layout;
use crate::options::{self, GeneratorOptions, Settings};
use crate::wide::{resolve_wide_default, WideGenerator};

static CURRENT: AtomicPtr<Generator> = AtomicPtr::new(std::ptr::null_mut());
static LOCKED: AtomicBool = AtomicBool::new(false);
static STATE: StateCell = StateCell(UnsafeCell::new(State {
    configured: None,
    current: None,
}));

struct StateCell(UnsafeCell<State>);
// SAFETY: only accessed through a `Guard`, which holds the LOCKED flag.
unsafe impl Sync for StateCell {}

struct State {
    /// `configure()` options and the fork generation they were given in.
    configured: Option<(GeneratorOptions, u64)>,
    /// The generator in use and its settings.
    current: Option<(&'static Generator, Settings)>,
}

/// The state lock: a flag rather than a `Mutex` so that the fork handlers
/// can take it before `fork()` and release it in both processes (a child
/// must never inherit it held by a thread that does not exist there).
struct Guard;

fn lock() -> Guard {
    watch_forks();
    lock_raw()
}

impl Guard {
    fn state(&mut self) -> &mut State {
        // SAFETY: the flag gives this guard exclusive access to STATE.
        unsafe { &mut *STATE.0.get() }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        LOCKED.store(false, Release);
    }
}

fn watch_forks() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            extern "C" fn prepare() {
                std::mem::forget(lock_raw());
            }
            extern "C" fn unlock() {
                LOCKED.store(false, Release);
            }
            crate::fork::at_fork(Some(prepare), Some(unlock), Some(unlock));
        });
    }
}

/// Takes the flag without registering fork handlers (used by them).
fn lock_raw() -> Guard {
    while LOCKED
        .compare_exchange_weak(false, true, Acquire, Relaxed)
        .is_err()
    {
        std::thread::yield_now();
    }
    Guard
}

/// An ID from the default generator, creating it on first use.
#[inline(always)]
pub fn next_id() -> Result<u64> {
    let p = CURRENT.load(Acquire);
    if !p.is_null() {
        // SAFETY: CURRENT only ever holds leaked, never freed, generators.
        // Only the `Ok` leaves here: the large error value is built on the
        // cold path, which asks again (a forked copy is re-created there).
        if let Ok(id) = unsafe { &*p }.next_id() {
            return Ok(id);
        }
    }
    next_id_cold()
}

/// [`next_id`] when the default generator exists and can issue at once on
/// its lock-free path; `None` when the call would create it or take its
/// slow path (see [`Generator::try_next_id`]).
#[inline(always)]
pub fn try_next_id() -> Option<u64> {
    let p = CURRENT.load(Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: as in next_id.
    unsafe { &*p }.try_next_id()
}

#[cold]
#[inline(never)]
fn next_id_cold() -> Result<u64> {
    generator()?.next_id()
}

/// The default generator, created on first use (or re-created in a forked
/// child).
pub fn generator() -> Result<&'static Generator> {
    let p = CURRENT.load(Acquire);
    if !p.is_null() {
        // SAFETY: as in next_id.
        let g = unsafe { &*p };
        if !g.is_forked() {
            return Ok(g);
        }
    }
    let mut guard = lock();
    let st = guard.state();
    if let Some((g, _)) = &st.current {
        if !g.is_forked() {
            return Ok(g);
        }
    }
    let settings = options::resolve_default(
        st.configured.as_ref().map(|(o, _)| o),
        &Environment::process(),
    )?;
    if let Some((_, at)) = &st.configured {
        let now = fork_generation();
        if *at != now && settings.node.source.fixed_nodes().is_some() && !settings.protect {
            return Err(Error::Forked { created: *at, now });
        }
    }
    let g: &'static Generator = Box::leak(Box::new(settings.build()?));
    st.current = Some((g, settings));
    CURRENT.store(g as *const Generator as *mut Generator, Release);
    Ok(g)
}

/// Whether the default generator can issue now, without issuing
/// ([`Generator::ready`]): reached as [`next_id`] reaches it, so it is
/// created on first use (claiming its numbers) and re-created in a forked
/// child, and the error is the one the next ID would fail with.
pub fn ready() -> Result<()> {
    generator()?.ready()
}

/// Sets the default generator's options (the generator options of
/// [`GeneratorOptions`]; what is not given comes from the environment).
/// Validated at once. See the module docs for the re-configure rule.
pub fn configure(opts: GeneratorOptions) -> Result<()> {
    let settings = options::resolve_default(Some(&opts), &Environment::process())?;
    let mut guard = lock();
    let st = guard.state();
    if let Some((g, running)) = &st.current {
        if !g.is_forked() {
            if running.same_as(&settings) {
                st.configured = Some((opts, fork_generation()));
                return Ok(());
            }
            let issued = g.stats().issued;
            if issued > 0 {
                let what = running
                    .difference(&settings)
                    .unwrap_or_else(|| "settings".into());
                return Err(Error::InvalidSetting {
                    setting: "configure()".into(),
                    value: what,
                    expected: format!(
                        "the running default generator's settings: it has issued {issued} IDs; call configure() before the first ID (or in a forked child)"
                    ),
                });
            }
        }
        // Replaced: leaked (another thread may hold the pointer); dropping
        // it would release its numbers while that thread could still issue.
        g.shutdown();
        st.current = None;
        CURRENT.store(std::ptr::null_mut(), Release);
    }
    st.configured = Some((opts, fork_generation()));
    Ok(())
}

/// The layout `inspect(id)` / `decode(id)` use when given none: the default
/// generator's (without creating it): configured, else `SNOWID_LAYOUT`,
/// else Twitter.
pub fn layout() -> Result<Layout> {
    let mut guard = lock();
    let st = guard.state();
    if let Some((g, _)) = &st.current {
        return Ok(g.layout().clone());
    }
    // Only SNOWID_LAYOUT matters here: read that variable, not the whole
    // environment (`inspect(id)` asks for every ID until the default
    // generator exists).
    let var = "SNOWID_LAYOUT";
    let env = Environment::from_pairs(std::env::var_os(var).map(|v| (var, v)));
    options::default_layout(st.configured.as_ref().map(|(o, _)| o), &env)
}

/// The default generator if this process has created it (possibly before a
/// `fork()`), without creating it and without the lock: bindings key what
/// they cache from it (its layout, for [`layout`]) by its address, which is
/// never reused (replaced generators are leaked).
pub fn current() -> Option<&'static Generator> {
    let p = CURRENT.load(Acquire);
    // SAFETY: CURRENT only ever holds leaked, never freed, generators.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// `f` of the running default generator and its settings, if it exists in
/// this process (not a copy inherited across `fork()`).
fn with_current<T>(f: impl FnOnce(&'static Generator, &Settings) -> T) -> Option<T> {
    let mut guard = lock();
    guard
        .state()
        .current
        .as_ref()
        .filter(|(g, _)| !g.is_forked())
        .map(|(g, s)| f(g, s))
}

/// Where the default generator's numbers came from (`local slot 3 in ...`,
/// `env (datacenter=1, worker=7)`), or `None` before its first use.
pub fn source() -> Option<String> {
    with_current(|g, _| g.source().to_owned())
}

/// The default generator's resolved settings as canonical JSON (see
/// [`Settings::summary_json`]), or `None` before its first use.
pub fn settings_json() -> Option<String> {
    with_current(|_, s| s.summary_json())
}

/// The default generator's counters (zero before its first use).
pub fn stats() -> Stats {
    with_current(|g, _| g.stats()).unwrap_or_default()
}

/// A clean exit: lowers the default generator's high-water mark to the last
/// tick it issued, so the next process with its numbers starts without
/// waiting. Harmless to call twice or before any ID; an ID requested
/// afterwards first re-reserves (one mark write), so nothing is ever
/// issued above the mark.
pub fn shutdown() {
    let mut guard = lock();
    if let Some((g, _)) = &guard.state().current {
        g.shutdown();
    }
    for p in &PRESETS {
        let p = p.load(Acquire);
        if !p.is_null() {
            // SAFETY: PRESETS only ever holds leaked, never freed, generators.
            let g = unsafe { &*p };
            if !g.is_forked() {
                g.shutdown();
            }
        }
    }
}

/// The presets that have a default generator ([`preset_generator`]).
pub const DEFAULT_PRESETS: [&str; 2] = ["uuid7", "ulid"];

/// The default generators of [`DEFAULT_PRESETS`], created on first use.
static PRESETS: [AtomicPtr<WideGenerator>; 2] = [
    AtomicPtr::new(std::ptr::null_mut()),
    AtomicPtr::new(std::ptr::null_mut()),
];

/// A UUID version 7 from the default `uuid7` generator (layout
/// [`WideLayout::uuid7`](crate::wide::WideLayout::uuid7)), creating it on
/// first use; [`crate::wide::encode_uuid`] writes its text.
#[inline(always)]
pub fn uuid7() -> Result<u128> {
    preset_next(0)
}

/// A ULID from the default `ulid` generator, creating it on first use;
/// [`crate::wide::encode_ulid`] writes its text.
#[inline(always)]
pub fn ulid() -> Result<u128> {
    preset_next(1)
}

#[inline(always)]
fn preset_next(i: usize) -> Result<u128> {
    let p = PRESETS[i].load(Acquire);
    if !p.is_null() {
        // SAFETY: PRESETS only ever holds leaked, never freed, generators.
        if let Ok(id) = unsafe { &*p }.next_id() {
            return Ok(id);
        }
    }
    preset_next_cold(i)
}

#[cold]
#[inline(never)]
fn preset_next_cold(i: usize) -> Result<u128> {
    preset_generator(DEFAULT_PRESETS[i])?.next_id()
}

/// The default generator of a preset (`uuid7`, `ulid`), created on first
/// use (or re-created in a forked child) from the environment's settings
/// ([`crate::wide::resolve_wide_default`]).
pub fn preset_generator(preset: &str) -> Result<&'static WideGenerator> {
    let i = DEFAULT_PRESETS
        .iter()
        .position(|&p| p == preset)
        .ok_or_else(|| Error::InvalidSetting {
            setting: "preset".into(),
            value: format!("{preset:?}"),
            expected: "a preset with a default generator: \"uuid7\" or \"ulid\"".into(),
        })?;
    let live = |p: *mut WideGenerator| {
        // SAFETY: PRESETS only ever holds leaked, never freed, generators.
        (!p.is_null())
            .then(|| unsafe { &*p })
            .filter(|g| !g.is_forked())
    };
    if let Some(g) = live(PRESETS[i].load(Acquire)) {
        return Ok(g);
    }
    let _guard = lock();
    if let Some(g) = live(PRESETS[i].load(Acquire)) {
        return Ok(g);
    }
    let settings = resolve_wide_default(preset, &Environment::process())?;
    // Leaked as the Snowflake default is: a forked copy's pointer may
    // still be read by another thread.
    let g: &'static WideGenerator = Box::leak(Box::new(settings.build()?));
    PRESETS[i].store(g as *const WideGenerator as *mut WideGenerator, Release);
    Ok(g)
}
