//! The module-level default generator: `snowid.next()`, `snowid.configure()`
//! and the fork hooks.
//!
//! The generator lives in a static pointer, so `next()` is one atomic load
//! and the core's lock-free path. Generators it replaces (after
//! `configure()` or a fork) are leaked on purpose: another thread may still
//! hold the old pointer, and there are at most a handful per process.
//!
//! The slow-path state sits behind a `parking_lot` mutex that is only ever
//! held by pure Rust code (never while calling into Python, so no GIL
//! deadlock) and is taken by the before-fork hook, so a child never inherits
//! it locked.

use std::sync::atomic::{AtomicPtr, Ordering::*};

use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use snowid::{Config, Error, ErrorKind, Generator, Layout, RegressionPolicy};

use crate::errors::{raise, to_py};
use crate::generator::{stats_of, Options, PyStats};
use crate::layout::{node_values, preset, twitter};

static DEFAULT: AtomicPtr<Generator> = AtomicPtr::new(std::ptr::null_mut());
static STATE: Mutex<State> = Mutex::new(State {
    explicit: None,
    current: None,
    parents: Vec::new(),
});

/// Settings given to `snowid.configure()`.
struct Explicit {
    opts: Options,
    /// Node values given by name (others come from the environment).
    nodes: Vec<(String, u64)>,
}

/// Layout and node values: what must differ between two processes.
#[derive(Clone, PartialEq, Eq)]
struct NodeKey {
    layout: String,
    nodes: Vec<u64>,
}

/// Everything that makes two default configurations the same.
#[derive(Clone, PartialEq, Eq)]
struct FullKey {
    node: NodeKey,
    clock: String,
    policy: RegressionPolicy,
    max_borrow_ticks: u64,
}

struct State {
    explicit: Option<Explicit>,
    current: Option<(&'static Generator, FullKey)>,
    /// Node keys of the processes this one was forked from: re-using them
    /// would collide.
    parents: Vec<NodeKey>,
}

/// Why the slow path failed; turned into an exception after the lock is
/// released.
enum Fail {
    Core(Error),
    Forked(String),
    Busy(String),
}

impl Fail {
    fn into_py(self) -> PyErr {
        match self {
            Fail::Core(e) => to_py(e),
            Fail::Forked(m) => raise("FORKED", 24, ErrorKind::Unavailable, m),
            Fail::Busy(m) => raise("INVALID_SETTING", 15, ErrorKind::InvalidInput, m),
        }
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// THE default configuration of the module-level generator, and the one
/// place node numbers are chosen when the user did not pass them to
/// `Generator(...)`:
///
/// 1. values given to `snowid.configure(...)`;
/// 2. the environment: `SNOWID_LAYOUT` (a preset name), `SNOWID_<FIELD>_ID`
///    for each node field (`SNOWID_WORKER_ID`, `SNOWID_DATACENTER_ID`,
///    `SNOWID_SHARD_ID`...);
/// 3. otherwise node number 0 for fields neither configured nor set.
///
/// Used for `snowid.configure(...)`; without it, `get_or_create` asks the
/// core's `node::from_env()` (environment numbers or a machine-local slot).
fn default_config(explicit: Option<&Explicit>) -> Result<(Config, FullKey), Error> {
    let layout: Layout = match (explicit, env_var("SNOWID_LAYOUT")) {
        (Some(e), _) => (*e.opts.layout).clone(),
        (None, Some(name)) => (*preset(name.trim()).map_err(|_| Error::InvalidSetting {
            setting: "SNOWID_LAYOUT".into(),
            value: name.clone(),
            expected: "a preset name: twitter, discord, instagram or sonyflake".into(),
        })?)
        .clone(),
        (None, None) => (**twitter()).clone(),
    };
    let mut nodes = Vec::with_capacity(layout.node_count());
    for f in layout.node_fields() {
        let given = explicit.and_then(|e| e.nodes.iter().find(|(n, _)| n == f.name()));
        let value = match given {
            Some((_, v)) => *v,
            None => {
                let var = format!("SNOWID_{}_ID", f.name().to_ascii_uppercase());
                match env_var(&var) {
                    Some(raw) => match raw.trim().parse::<u64>() {
                        Ok(v) if v <= f.max() => v,
                        _ => {
                            return Err(Error::InvalidSetting {
                                setting: var,
                                value: raw,
                                expected: format!(
                                    "an integer 0..={} (the {} field of layout {})",
                                    f.max(),
                                    f.name(),
                                    layout.name()
                                ),
                            })
                        }
                    },
                    None => 0,
                }
            }
        };
        nodes.push(value);
    }
    let (clock, clock_name, policy, borrow) = match explicit {
        Some(e) => (
            e.opts.clock.clone(),
            e.opts.clock_name.clone(),
            e.opts.policy,
            e.opts.max_borrow_ticks,
        ),
        None => (
            snowid::ClockChoice::Cached,
            "cached".to_owned(),
            RegressionPolicy::default(),
            0,
        ),
    };
    let key = FullKey {
        node: NodeKey {
            layout: layout.to_string(),
            nodes: nodes.clone(),
        },
        clock: clock_name,
        policy,
        max_borrow_ticks: borrow,
    };
    let config = Config::new(layout)
        .nodes(&nodes)?
        .on_regression(policy)
        .max_borrow_ticks(borrow)
        .clock(clock);
    Ok((config, key))
}

fn describe(key: &NodeKey) -> String {
    let layout = key.layout.split('(').next().unwrap_or("");
    format!("layout {layout}, node values {:?}", key.nodes)
}

fn forked_message(key: &NodeKey) -> String {
    format!(
        "this process was forked from one whose default generator uses the same node numbers ({}); \
         IDs issued here would collide with the parent's (and with its other children's). \
         Give this process its own node numbers: call snowid.configure(worker=...) after the fork \
         (e.g. in gunicorn's post_fork hook or a multiprocessing initializer), or set SNOWID_WORKER_ID per process",
        describe(key)
    )
}

/// Returns the default generator, creating it if needed.
///
/// After `snowid.configure(...)`: the configured numbers, in memory.
/// Otherwise the core's `node::from_env()`: `SNOWID_<FIELD>_ID` numbers
/// (locked on this machine, so two processes given the same numbers fail
/// with `NodeInUseError` instead of colliding) or, with none set, the first
/// free machine-local slot; both with a persisted high-water mark.
fn get_or_create() -> Result<&'static Generator, Fail> {
    let mut st = STATE.lock();
    if let Some((g, _)) = st.current {
        return Ok(g);
    }
    let (g, key) = match st.explicit.as_ref() {
        Some(explicit) => {
            let (config, key) = default_config(Some(explicit)).map_err(Fail::Core)?;
            if st.parents.contains(&key.node) {
                return Err(Fail::Forked(forked_message(&key.node)));
            }
            // Locked and persisted like any other numbers on this machine,
            // so a local-slot process can never be handed the same ones.
            let options = snowid::node::NodeOptions::new(snowid::node::NodeSource::Explicit(
                key.node.nodes.clone(),
            ));
            (
                snowid::node::build(config, &options).map_err(Fail::Core)?,
                key,
            )
        }
        None => {
            let s = snowid::node::settings_from_env().map_err(Fail::Core)?;
            let clock = match s.clock {
                snowid::ClockChoice::Monotonic => "monotonic",
                _ => "cached",
            };
            let config = Config::new(s.layout.clone()).clock(s.clock.clone());
            let g = snowid::node::build(config, &s.options).map_err(Fail::Core)?;
            let key = FullKey {
                node: NodeKey {
                    layout: s.layout.to_string(),
                    nodes: g.nodes().iter().map(|&v| u64::from(v)).collect(),
                },
                clock: clock.to_owned(),
                policy: RegressionPolicy::default(),
                max_borrow_ticks: 0,
            };
            if st.parents.contains(&key.node) {
                return Err(Fail::Forked(forked_message(&key.node)));
            }
            (g, key)
        }
    };
    let g: &'static Generator = Box::leak(Box::new(g));
    st.current = Some((g, key));
    DEFAULT.store(g as *const Generator as *mut Generator, Release);
    Ok(g)
}

/// Where the default generator's node numbers came from (`"local slot 3 in
/// ..."`, `"env (datacenter=1, worker=7)"`, `"explicit"`), or `None` before
/// its first use.
#[pyfunction]
pub fn default_source() -> Option<String> {
    STATE
        .lock()
        .current
        .as_ref()
        .map(|(g, _)| g.source().to_owned())
}

const NEXT_DOC: &std::ffi::CStr = c"next()\n--\n\n\
An ID from the module's default generator (created on first use from\n\
snowid.configure(...), or SNOWID_* variables, or a machine-local slot).";

struct MethodDef(pyo3::ffi::PyMethodDef);
// SAFETY: the definition is immutable and its pointers are 'static.
unsafe impl Sync for MethodDef {}

static NEXT_DEF: MethodDef = MethodDef(pyo3::ffi::PyMethodDef {
    ml_name: c"next".as_ptr(),
    ml_meth: pyo3::ffi::PyMethodDefPointer {
        PyCFunction: next_raw,
    },
    ml_flags: pyo3::ffi::METH_NOARGS,
    ml_doc: NEXT_DOC.as_ptr(),
});

/// `snowid.next()`: a plain `METH_NOARGS` C function, not a `#[pyfunction]`.
/// Its whole path is one atomic load, the core's lock-free `next_id` and
/// `PyLong_FromUnsignedLongLong`; pyo3's trampoline (GIL-count bookkeeping)
/// would cost a third of that. Everything unusual goes to `next_cold`.
unsafe extern "C" fn next_raw(
    _module: *mut pyo3::ffi::PyObject,
    _args: *mut pyo3::ffi::PyObject,
) -> *mut pyo3::ffi::PyObject {
    let p = DEFAULT.load(Acquire);
    if !p.is_null() {
        // SAFETY: DEFAULT only ever holds leaked (never freed) generators.
        // The hot path cannot panic (integer arithmetic on checked values,
        // no allocation); the cold path runs under catch_unwind.
        if let Ok(id) = unsafe { &*p }.next_id() {
            // SAFETY: called by CPython with the interpreter attached.
            return unsafe { pyo3::ffi::PyLong_FromUnsignedLongLong(id) };
        }
    }
    // SAFETY: as above.
    unsafe { next_cold() }
}

#[cold]
#[inline(never)]
unsafe fn next_cold() -> *mut pyo3::ffi::PyObject {
    // SAFETY: CPython calls next_raw with the interpreter attached.
    let py = unsafe { Python::assume_attached() };
    let r = std::panic::catch_unwind(|| next_slow().map_err(Fail::into_py));
    let err = match r {
        // SAFETY: attached, see above.
        Ok(Ok(id)) => return unsafe { pyo3::ffi::PyLong_FromUnsignedLongLong(id) },
        Ok(Err(e)) => e,
        Err(_) => pyo3::panic::PanicException::new_err("snowid.next() panicked (a bug in snowid)"),
    };
    err.restore(py);
    std::ptr::null_mut()
}

fn next_slow() -> Result<u64, Fail> {
    let p = DEFAULT.load(Acquire);
    if !p.is_null() {
        // SAFETY: DEFAULT only ever holds leaked generators.
        match unsafe { &*p }.next_id() {
            Err(Error::Forked { .. }) => {}
            r => return r.map_err(Fail::Core),
        }
    }
    get_or_create()?.next_id().map_err(Fail::Core)
}

/// Adds `next` to the module as a builtin function.
pub fn add_next(m: &Bound<'_, pyo3::types::PyModule>) -> PyResult<()> {
    let py = m.py();
    let name = m.name()?;
    // SAFETY: NEXT_DEF is 'static; CPython only reads it. The new reference
    // is owned by the Bound.
    let f = unsafe {
        let ptr = pyo3::ffi::PyCFunction_NewEx(
            &NEXT_DEF.0 as *const pyo3::ffi::PyMethodDef as *mut pyo3::ffi::PyMethodDef,
            std::ptr::null_mut(),
            name.as_ptr(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    m.add("next", f)
}

/// Sets the default generator's settings (same keywords as `Generator`;
/// node fields not given come from `SNOWID_<FIELD>_ID`, else 0). Call it
/// before the first `snowid.next()`, or after a fork in the child; raises if
/// the default generator has already issued IDs with other settings.
#[pyfunction]
#[pyo3(signature = (*, layout = None, epoch = None, clock = None, on_regression = None, max_wait_ms = None, max_borrow_ticks = None, **node_fields))]
#[allow(clippy::too_many_arguments)]
pub fn configure(
    layout: Option<&Bound<'_, PyAny>>,
    epoch: Option<&Bound<'_, PyAny>>,
    clock: Option<&Bound<'_, PyAny>>,
    on_regression: Option<&Bound<'_, PyAny>>,
    max_wait_ms: Option<&Bound<'_, PyAny>>,
    max_borrow_ticks: Option<&Bound<'_, PyAny>>,
    node_fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let opts = Options::parse(
        layout,
        epoch,
        clock,
        on_regression,
        max_wait_ms,
        max_borrow_ticks,
    )?;
    // Validates names and ranges; absent fields get a placeholder here and
    // are resolved from the environment by default_config.
    node_values(&opts.layout, node_fields, Some(0))?;
    let mut nodes = Vec::new();
    if let Some(kw) = node_fields {
        for (k, v) in kw.iter() {
            nodes.push((k.extract::<String>()?, crate::args::u64_arg(&v, "node")?));
        }
    }
    let explicit = Explicit { opts, nodes };
    apply_configure(explicit).map_err(Fail::into_py)
}

fn apply_configure(explicit: Explicit) -> Result<(), Fail> {
    let (_, key) = default_config(Some(&explicit)).map_err(Fail::Core)?;
    let mut st = STATE.lock();
    if st.parents.contains(&key.node) {
        return Err(Fail::Forked(forked_message(&key.node)));
    }
    if let Some((g, current)) = &st.current {
        if *current != key {
            let issued = g.stats().issued;
            if issued > 0 {
                return Err(Fail::Busy(format!(
                    "snowid.configure() called after the default generator issued {issued} IDs with other settings \
                     ({}); call configure() before the first snowid.next()",
                    describe(&current.node)
                )));
            }
            st.current = None;
            DEFAULT.store(std::ptr::null_mut(), Release);
        }
    }
    st.explicit = Some(explicit);
    Ok(())
}

/// Counters of the default generator (all zero before its first use).
#[pyfunction]
pub fn default_stats() -> PyStats {
    let st = STATE.lock();
    stats_of(
        st.current
            .as_ref()
            .map(|(g, _)| g.stats())
            .unwrap_or_default(),
    )
}

/// Before `fork()`: hold the state lock so the child never inherits it
/// taken by another thread.
#[pyfunction]
pub fn _before_fork() {
    std::mem::forget(STATE.lock());
}

/// After `fork()`, in the parent: release the lock taken before.
#[pyfunction]
pub fn _after_fork_in_parent() {
    // SAFETY: _before_fork took the lock in this thread and forgot the guard.
    unsafe { STATE.force_unlock() };
}

/// After `fork()`, in the child: the default generator is dropped and may
/// only be re-created with node numbers other than the parent's. (That every
/// generator created before the fork raises `ForkedError` is the core's own
/// `pthread_atfork` handler, which ran before this hook.)
#[pyfunction]
pub fn _after_fork_in_child() {
    // SAFETY: _before_fork took the lock in the thread that forked, which is
    // this (the only) thread of the child; it forgot the guard.
    unsafe { STATE.force_unlock() };
    let mut st = STATE.lock();
    // Unconfigured children claim their own slot (the parent's is locked);
    // explicitly configured numbers must not be reused by the child.
    let inherited = match (&st.current, st.explicit.as_ref()) {
        (Some((_, key)), _) => Some(key.node.clone()),
        (None, Some(e)) => default_config(Some(e)).ok().map(|(_, k)| k.node),
        (None, None) => None,
    };
    if let Some(k) = inherited {
        if !st.parents.contains(&k) {
            st.parents.push(k);
        }
    }
    st.current = None;
    DEFAULT.store(std::ptr::null_mut(), Release);
}
