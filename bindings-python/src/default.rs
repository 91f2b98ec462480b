//! The module-level default generator: `snowid.next()`, `configure()`,
//! `ready()`, `default_source()`, `default_stats()` and the `atexit` hook. All of it
//! is the core's `snowid::default` (settings, first use, re-configure and
//! fork rules, clean exit); this file only adds the fast entry point.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{to_py, IntoPyResult};
use crate::generator::{options, stats_of, PyStats};

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
/// Its whole path is the core's `default::next_id` (one atomic load and the
/// lock-free path) and `PyLong_FromUnsignedLongLong`; pyo3's trampoline
/// (GIL-count bookkeeping) would cost a third of that.
unsafe extern "C" fn next_raw(
    _module: *mut pyo3::ffi::PyObject,
    _args: *mut pyo3::ffi::PyObject,
) -> *mut pyo3::ffi::PyObject {
    // catch_unwind costs nothing unless a panic (a bug) unwinds.
    match std::panic::catch_unwind(snowid::default::next_id) {
        // SAFETY: called by CPython with the interpreter attached.
        Ok(Ok(id)) => unsafe { pyo3::ffi::PyLong_FromUnsignedLongLong(id) },
        // SAFETY: as above.
        r => unsafe { next_failed(r.map(|r| r.map(drop))) },
    }
}

#[cold]
#[inline(never)]
unsafe fn next_failed(r: std::thread::Result<snowid::Result<()>>) -> *mut pyo3::ffi::PyObject {
    // SAFETY: CPython calls next_raw with the interpreter attached.
    let py = unsafe { Python::assume_attached() };
    let err = match r {
        Ok(Err(e)) => to_py(e),
        _ => pyo3::panic::PanicException::new_err("snowid.next() panicked (a bug in snowid)"),
    };
    err.restore(py);
    std::ptr::null_mut()
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

/// Sets the default generator's options: the keywords of `Generator`, over
/// the `SNOWID_*` environment. Validated at once. With the running default
/// generator's settings it does nothing; with others it replaces it if it
/// has issued nothing yet, and raises `InvalidSettingError` naming the
/// first setting that differs otherwise.
#[pyfunction]
// BEGIN GENERATED options:py-default (make options)
#[pyo3(signature = (**options), text_signature = "(*, layout=None, epoch=None, clock=None, on_regression=None, max_wait_ms=None, max_borrow_ticks=None, node_source=None, state_dir=None, protect=None, persist=None, window_ms=None, random_sequence_start=None, lanes=None, **node_fields)")]
// END GENERATED options:py-default
pub fn configure(options: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    snowid::default::configure(self::options(options)?).py()
}

/// Where the default generator's node numbers came from (`"local slot 3 in
/// ..."`, `"env (datacenter=1, worker=7)"`, `"explicit"`), or `None` before
/// its first use.
#[pyfunction]
pub fn default_source() -> Option<String> {
    snowid::default::source()
}

/// `Generator.ready()` of the default generator behind `snowid.next()`:
/// reached as `next()` reaches it, so it is created on first use (claiming
/// its node numbers) and re-created in a forked child; raises the error the
/// next `snowid.next()` would raise.
#[pyfunction]
pub fn ready(py: Python<'_>) -> PyResult<()> {
    py.detach(snowid::default::ready).py()
}

/// Counters of the default generator (all zero before its first use).
#[pyfunction]
pub fn default_stats() -> PyStats {
    stats_of(snowid::default::stats())
}

/// A clean exit (registered with `atexit`): lowers the default generator's
/// high-water mark to its last issued tick, so the next process with its
/// numbers starts without waiting. IDs may still be asked for afterwards.
#[pyfunction]
pub fn _shutdown() {
    snowid::default::shutdown();
}
