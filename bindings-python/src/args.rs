//! Argument conversion: Python values in, core values out, with Python's own
//! exception classes for wrong types (`TypeError`) and ints out of range
//! (`OverflowError`).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyInt};

/// An unsigned 64-bit int. `bool` is rejected (it is an `int` subclass, but
/// `True` as an ID or a node number is a bug); negative or too large ints
/// raise `OverflowError`; any other type raises `TypeError`.
pub fn u64_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not bool"
        )));
    }
    if !obj.is_instance_of::<PyInt>() && !obj.hasattr("__index__")? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            obj.get_type().name()?
        )));
    }
    obj.extract::<u64>()
}

/// A signed 64-bit int (`bool` rejected).
pub fn i64_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            obj.get_type().name()?
        )));
    }
    obj.extract::<i64>()
}

struct DateTimeApi {
    datetime: Py<PyAny>,
    utc_epoch: Py<PyAny>,
    one_ms: Py<PyAny>,
}

static DATETIME: PyOnceLock<DateTimeApi> = PyOnceLock::new();

fn datetime_api(py: Python<'_>) -> PyResult<&DateTimeApi> {
    DATETIME.get_or_try_init(py, || {
        let m = py.import("datetime")?;
        let datetime = m.getattr("datetime")?;
        let utc = m.getattr("timezone")?.getattr("utc")?;
        let utc_epoch = datetime.call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
        let one_ms = m.getattr("timedelta")?.call1((0, 0, 0, 1))?;
        Ok(DateTimeApi {
            datetime: datetime.unbind(),
            utc_epoch: utc_epoch.unbind(),
            one_ms: one_ms.unbind(),
        })
    })
}

/// Milliseconds since the Unix epoch as an aware `datetime` in UTC (exact).
pub fn ms_to_datetime(py: Python<'_>, ms: u64) -> PyResult<Bound<'_, PyAny>> {
    let api = datetime_api(py)?;
    let delta = api.one_ms.bind(py).call_method1("__mul__", (ms,))?;
    api.utc_epoch.bind(py).call_method1("__add__", (delta,))
}

/// An instant: an `int` of milliseconds since the Unix epoch, or an aware
/// `datetime` (a naive one is ambiguous and raises `ValueError`). Rounds
/// down to the millisecond.
pub fn instant_ms(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj.extract::<i64>();
    }
    let api = datetime_api(py)?;
    if !obj.is_instance(api.datetime.bind(py))? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int (ms since the Unix epoch) or a datetime, not {}",
            obj.get_type().name()?
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what} is a naive datetime; give it a tzinfo (e.g. datetime.timezone.utc)"
        )));
    }
    let delta = obj.call_method1("__sub__", (api.utc_epoch.bind(py),))?;
    delta
        .call_method1("__floordiv__", (api.one_ms.bind(py),))?
        .extract::<i64>()
}
