//! The one place where core errors become Python exceptions.
//!
//! The exception classes live in `snowid/exceptions.py` (they need multiple
//! inheritance: `SnowidError` plus `ValueError` / `RuntimeError` /
//! `TypeError`), each bound there to its row of `snowid::ERROR_CODES`
//! (exported here as `error_codes()`); the package registers them with
//! `_register_errors` at import. A code without a class (one added to the
//! core after this package was built) gets the class of its kind, with its
//! code and number set on the instance.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use snowid::{Error, ErrorKind};

struct Registry {
    by_code: Py<PyDict>,
    invalid_input: Py<PyAny>,
    unavailable: Py<PyAny>,
}

static REGISTRY: PyOnceLock<Registry> = PyOnceLock::new();

/// Registers the exception classes (`{code: class}`, plus the classes for
/// each kind). Called once by `snowid/__init__.py`; later calls are ignored.
#[pyfunction]
pub fn _register_errors(
    py: Python<'_>,
    by_code: Bound<'_, PyDict>,
    invalid_input: Bound<'_, PyAny>,
    unavailable: Bound<'_, PyAny>,
) {
    let _ = REGISTRY.get_or_init(py, || Registry {
        by_code: by_code.unbind(),
        invalid_input: invalid_input.unbind(),
        unavailable: unavailable.unbind(),
    });
}

/// Every core error code as `(code, number, kind)`, in number order.
#[pyfunction]
pub fn error_codes(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyTuple>>> {
    snowid::ERROR_CODES
        .iter()
        .map(|(code, number, kind)| {
            PyTuple::new(
                py,
                [
                    code.into_pyobject(py)?.into_any(),
                    number.into_pyobject(py)?.into_any(),
                    kind.as_str().into_pyobject(py)?.into_any(),
                ],
            )
        })
        .collect()
}

/// A core error as a Python exception.
pub fn to_py(e: Error) -> PyErr {
    Python::attach(|py| build(py, &e).unwrap_or_else(|err| err))
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let message = e.to_string();
    let Some(reg) = REGISTRY.get(py) else {
        // The native module used without the package: builtin classes.
        let msg = format!("[{}] {message}", e.code());
        return Ok(match e.kind() {
            ErrorKind::InvalidInput => PyValueError::new_err(msg),
            _ => PyRuntimeError::new_err(msg),
        });
    };
    if let Some(cls) = reg.by_code.bind(py).get_item(e.code())? {
        return Ok(PyErr::from_value(cls.call1((message,))?));
    }
    let cls = match e.kind() {
        ErrorKind::InvalidInput => reg.invalid_input.bind(py),
        _ => reg.unavailable.bind(py),
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", e.code())?;
    kwargs.set_item("number", e.number())?;
    Ok(PyErr::from_value(cls.call((message,), Some(&kwargs))?))
}

/// Extension for `Result<T, snowid::Error>`: `.py()?` in a pyfunction.
pub trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    #[inline]
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
