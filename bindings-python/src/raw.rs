//! Plain `METH_NOARGS` C functions for the per-ID calls: the module's
//! `snowid.next()` and the method `Generator.next()`. pyo3's trampoline
//! (GIL-count bookkeeping, the receiver's type check and borrow) would cost
//! a third of the call; these call the same core functions and convert the
//! result with `PyLong_FromUnsignedLongLong`. The method is a real method
//! descriptor, so CPython checks its receiver's type before calling it.
//!
//! `snowid.inspect` likewise: a plain `METH_VARARGS | METH_KEYWORDS`
//! function that takes the positional forms `inspect(id)` and
//! `inspect(id, layout)` itself and hands every other form (keywords, a
//! wrong count) to the `#[pyfunction]`, whose errors it keeps.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple};

use crate::errors::to_py;
use crate::generator::PyGenerator;

struct MethodDef(ffi::PyMethodDef);
// SAFETY: the definition is immutable and its pointers are 'static.
unsafe impl Sync for MethodDef {}

const fn noargs(
    name: &'static std::ffi::CStr,
    f: unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject) -> *mut ffi::PyObject,
    doc: &'static std::ffi::CStr,
) -> MethodDef {
    MethodDef(ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: f },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: doc.as_ptr(),
    })
}

static NEXT_DEF: MethodDef = noargs(
    c"next",
    next_raw,
    c"next()\n--\n\n\
An ID from the module's default generator (created on first use from\n\
snowid.configure(...), or SNOWID_* variables, or a machine-local slot).",
);

static GENERATOR_NEXT_DEF: MethodDef = noargs(
    c"next",
    generator_next_raw,
    c"next($self, /)\n--\n\n\
Issues one ID: unique for this layout and node numbers, greater than\n\
every ID this generator issued before.",
);

/// One ID from `one` as a Python int, or NULL with the core's error set.
#[inline(always)]
unsafe fn issue(one: impl FnOnce() -> snowid::Result<u64>) -> *mut ffi::PyObject {
    // catch_unwind costs nothing unless a panic (a bug) unwinds.
    match catch_unwind(AssertUnwindSafe(one)) {
        // SAFETY: called by CPython with the interpreter attached.
        Ok(Ok(id)) => unsafe { ffi::PyLong_FromUnsignedLongLong(id) },
        // SAFETY: as above.
        r => unsafe { failed(r.map(|r| r.map(drop))) },
    }
}

#[cold]
#[inline(never)]
unsafe fn failed(r: std::thread::Result<snowid::Result<()>>) -> *mut ffi::PyObject {
    // SAFETY: CPython calls the callers with the interpreter attached.
    let py = unsafe { Python::assume_attached() };
    let err = match r {
        Ok(Err(e)) => to_py(e),
        _ => pyo3::panic::PanicException::new_err("snowid next() panicked (a bug in snowid)"),
    };
    err.restore(py);
    std::ptr::null_mut()
}

/// `snowid.next()`: the core's `default::try_next_id` (one atomic load and
/// the lock-free path) with the GIL held; else (first use, a wait for the
/// clock, a reservation) `default::next_id` with the GIL released, so other
/// Python threads run while it waits.
unsafe extern "C" fn next_raw(
    _module: *mut ffi::PyObject,
    _args: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    if let Some(id) = snowid::default::try_next_id() {
        // SAFETY: called by CPython with the interpreter attached.
        return unsafe { ffi::PyLong_FromUnsignedLongLong(id) };
    }
    // SAFETY: as above.
    unsafe { issue(|| Python::assume_attached().detach(snowid::default::next_id)) }
}

/// `Generator.next()`: `slf` is a `Generator` (the method descriptor checked
/// it), frozen, so borrowed without a borrow flag.
unsafe extern "C" fn generator_next_raw(
    slf: *mut ffi::PyObject,
    _args: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the interpreter attached, through a
    // method descriptor of the `Generator` type, which is final (not
    // subclassable): `slf` is a live `Generator`.
    unsafe {
        let py = Python::assume_attached();
        let g = Bound::ref_from_ptr(py, &slf)
            .cast_unchecked::<PyGenerator>()
            .get();
        if let Some(id) = g.try_issue() {
            return ffi::PyLong_FromUnsignedLongLong(id);
        }
        // The slow path may wait (a clock behind, up to max_wait_ms; a
        // spent sequence; the floor) or write a reservation: without the
        // GIL, so other Python threads run meanwhile.
        issue(|| py.detach(|| g.issue()))
    }
}

static INSPECT_DEF: MethodDef = MethodDef(ffi::PyMethodDef {
    ml_name: c"inspect".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer {
        PyCFunctionWithKeywords: inspect_raw,
    },
    ml_flags: ffi::METH_VARARGS | ffi::METH_KEYWORDS,
    ml_doc: c"inspect(id, layout=None)\n--\n\n\
Decodes `id` with `layout` (a preset name or a `Layout`; default: the\n\
default generator's layout, i.e. the configured one, else\n\
`SNOWID_LAYOUT`, else Twitter) and returns its parts."
        .as_ptr(),
});

/// The `#[pyfunction]` `inspect`, for the call forms `inspect_raw` passes on.
static INSPECT_GENERAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

unsafe extern "C" fn inspect_raw(
    _module: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the interpreter attached; `args` is a
    // tuple and `kwargs` a dict or NULL.
    let r = catch_unwind(AssertUnwindSafe(|| unsafe {
        let py = Python::assume_attached();
        let args = Bound::ref_from_ptr(py, &args).cast_unchecked::<PyTuple>();
        let no_keywords = kwargs.is_null() || ffi::PyDict_Size(kwargs) == 0;
        match (args.len(), no_keywords) {
            (1, true) => inspect(&args.get_item(0)?, None),
            (2, true) => inspect(&args.get_item(0)?, Some(&args.get_item(1)?)),
            _ => {
                let general = INSPECT_GENERAL
                    .get(py)
                    .expect("the module adds inspect with its general form");
                let kwargs = (!kwargs.is_null())
                    .then(|| Bound::ref_from_ptr(py, &kwargs).cast_unchecked::<PyDict>());
                general.bind(py).call(args, kwargs).map(Bound::into_ptr)
            }
        }
    }));
    // SAFETY: as above.
    let py = unsafe { Python::assume_attached() };
    match r {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(_) => {
            pyo3::panic::PanicException::new_err("snowid.inspect() panicked (a bug in snowid)")
                .restore(py);
            std::ptr::null_mut()
        }
    }
}

/// `inspect(id, layout)` as a new `Parts` object.
fn inspect(
    id: &Bound<'_, PyAny>,
    layout: Option<&Bound<'_, PyAny>>,
) -> PyResult<*mut ffi::PyObject> {
    let parts = crate::layout::inspect(id, layout)?;
    Ok(Bound::new(id.py(), parts)?.into_ptr())
}

/// Adds `inspect` to the module: [`inspect_raw`] over the `#[pyfunction]`.
pub fn add_inspect(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let general = wrap_pyfunction!(crate::layout::inspect, m)?;
    let _ = INSPECT_GENERAL.set(py, general.into_any().unbind());
    let name = m.name()?;
    // SAFETY: INSPECT_DEF is 'static; CPython only reads it. The new
    // reference is owned by the Bound.
    let f = unsafe {
        let ptr = ffi::PyCFunction_NewEx(
            &INSPECT_DEF.0 as *const ffi::PyMethodDef as *mut ffi::PyMethodDef,
            std::ptr::null_mut(),
            name.as_ptr(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    m.add("inspect", f)
}

/// Adds `next` to the module as a builtin function.
pub fn add_next(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let name = m.name()?;
    // SAFETY: NEXT_DEF is 'static; CPython only reads it. The new reference
    // is owned by the Bound.
    let f = unsafe {
        let ptr = ffi::PyCFunction_NewEx(
            &NEXT_DEF.0 as *const ffi::PyMethodDef as *mut ffi::PyMethodDef,
            std::ptr::null_mut(),
            name.as_ptr(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    m.add("next", f)
}

/// Replaces the `#[pymethods]` `Generator.next` (added with the class) with
/// a method descriptor of [`generator_next_raw`].
pub fn replace_generator_next(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let ty = py.get_type::<PyGenerator>();
    // SAFETY: the definition is 'static and only read; the type is live.
    // The new reference is owned by the Bound.
    let descr = unsafe {
        let ptr = ffi::PyDescr_NewMethod(
            ty.as_type_ptr(),
            &GENERATOR_NEXT_DEF.0 as *const ffi::PyMethodDef as *mut ffi::PyMethodDef,
        );
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    ty.setattr("next", descr)
}
