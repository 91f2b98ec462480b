//! Python views of the core's plain values, written once: a struct's named
//! fields as a `dict` or a `repr`, node values by field name, and a batch
//! of IDs as a `list`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// `{"a": s.a, "b": s.b}`: the named fields of `s` as a `dict`, in order.
macro_rules! fields_dict {
    ($py:expr, $s:expr; $($f:ident),+ $(,)?) => {{
        let d = pyo3::types::PyDict::new($py);
        $(d.set_item(stringify!($f), $s.$f)?;)+
        Ok::<_, pyo3::PyErr>(d)
    }};
}

/// `"Name(a=1, b=2)"`: the named fields of `s` in a `repr`.
macro_rules! fields_repr {
    ($name:literal, $s:expr; $($f:ident),+ $(,)?) => {{
        let fields: &[String] = &[$(format!(concat!(stringify!($f), "={}"), $s.$f)),+];
        format!(concat!($name, "({})"), fields.join(", "))
    }};
}

pub(crate) use {fields_dict, fields_repr};

/// Node values by field name, in layout order.
pub fn node_dict<'py, 'a>(
    py: Python<'py>,
    nodes: impl IntoIterator<Item = (&'a str, u32)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in nodes {
        d.set_item(name, v)?;
    }
    Ok(d)
}

/// Node values as `name=value` items joined by `sep` (for a `repr`).
pub fn node_text<'a>(nodes: impl IntoIterator<Item = (&'a str, u32)>, sep: &str) -> String {
    let items: Vec<String> = nodes.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
    items.join(sep)
}

/// An ID as a new reference to a Python `int`, or the Python error (a
/// `MemoryError`) when one cannot be made: never a panic.
pub trait PyId: Copy + Default + Send {
    fn new_int(self, py: Python<'_>) -> PyResult<*mut pyo3::ffi::PyObject>;
}

impl PyId for u64 {
    fn new_int(self, py: Python<'_>) -> PyResult<*mut pyo3::ffi::PyObject> {
        // SAFETY: attached; returns a new reference or NULL with an exception set.
        let p = unsafe { pyo3::ffi::PyLong_FromUnsignedLongLong(self) };
        if p.is_null() {
            Err(PyErr::fetch(py))
        } else {
            Ok(p)
        }
    }
}

impl PyId for u128 {
    fn new_int(self, py: Python<'_>) -> PyResult<*mut pyo3::ffi::PyObject> {
        match u64::try_from(self) {
            Ok(small) => small.new_int(py),
            // pyo3's own conversion (the one the list constructor used).
            Err(_) => Ok(self.into_pyobject(py)?.into_ptr()),
        }
    }
}

/// Batches at least this long release the GIL while they are filled.
const DETACH_BATCH: usize = 8192;

/// `n` IDs from `fill` (a generator's `next_batch`: fills a prefix of its
/// buffer, errs only when it wrote nothing) as a `list`, `chunk` at a time,
/// so turning one chunk into Python ints overlaps with waiting for the next
/// tick. Fewer than `n` only if an error stopped the batch after some IDs
/// (the next call raises it); raises if there were none.
pub fn id_list<'py, T>(
    py: Python<'py>,
    n: usize,
    chunk: usize,
    fill: impl Fn(&mut [T]) -> snowid::Result<usize> + Sync,
) -> PyResult<Bound<'py, PyList>>
where
    T: PyId,
{
    let chunk = chunk.max(1024).min(n);
    let mut buf = vec![T::default(); chunk];
    // SAFETY: PyList_New returns a new reference (or NULL with an exception
    // set); the Bound owns it. Its slots start NULL, which the list's
    // destructor tolerates if we stop early.
    let list = unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyList_New(n as isize))? };
    let mut filled = 0usize;
    let mut failure = None;
    while filled < n {
        let want = chunk.min(n - filled);
        let out = &mut buf[..want];
        let r = if n >= DETACH_BATCH {
            py.detach(|| fill(out))
        } else {
            fill(out)
        };
        let got = match r {
            Ok(got) => got,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        for (k, id) in buf[..got].iter().enumerate() {
            let item = id.new_int(py)?;
            // SAFETY: attached; PyList_SetItem steals the new reference and
            // the index is within the list's length.
            unsafe { pyo3::ffi::PyList_SetItem(list.as_ptr(), (filled + k) as isize, item) };
        }
        filled += got;
        if got < want {
            break; // the core stopped short: it reports why on the next call
        }
    }
    let list = list.cast_into::<PyList>()?;
    match failure {
        Some(e) if filled == 0 => Err(crate::errors::to_py(e)),
        _ if filled < n => list
            .get_slice(0, filled)
            .cast_into::<PyList>()
            .map_err(Into::into),
        _ => Ok(list),
    }
}
