//! Python values in, `snowid::Value` out, without judging them: an `int` of
//! any size, a `float` (`Value::Real`: never an integer), a `str` that may hold lone surrogates, a `bool`, a
//! `Layout`, a `ManualClock`, anything else by its type name. The core then
//! decides, with one coded error per problem (`snowid::value`). Datetimes
//! are converted only where an instant is due ([`instant`]).

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};
use snowid::Value;

use crate::generator::PyManualClock;
use crate::layout::PyLayout;

/// `obj` as a core value. Only an exception raised by `obj` itself (its
/// `__index__` or `__fspath__`) is passed on as is.
pub fn value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.is_truthy()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return int(obj);
    }
    if let Ok(x) = obj.cast::<PyFloat>() {
        // Python has integers: a float is never one, even 1.0.
        return Ok(Value::Real(x.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return string(s);
    }
    if let Ok(l) = obj.cast::<PyLayout>() {
        return Ok(Value::Layout((*l.get().inner).clone()));
    }
    if let Ok(c) = obj.cast::<PyManualClock>() {
        return Ok(Value::Clock(c.get().inner.clone()));
    }
    // SAFETY: obj is a live object; the interpreter is attached.
    if unsafe { ffi::PyIndex_Check(obj.as_ptr()) } != 0 {
        // An integer-like object (numpy.int64...).
        // SAFETY: as above; PyNumber_Index returns a new reference or NULL.
        let i =
            unsafe { Bound::from_owned_ptr_or_err(obj.py(), ffi::PyNumber_Index(obj.as_ptr()))? };
        return int(&i);
    }
    if obj.hasattr("__fspath__")? {
        let path = obj.py().import("os")?.call_method1("fspath", (obj,))?;
        if let Ok(b) = path.cast::<PyBytes>() {
            return Ok(match String::from_utf8(b.as_bytes().to_vec()) {
                Ok(s) => Value::Str(s),
                Err(e) => Value::NonUtf8(e.into_bytes()),
            });
        }
        return value(&path);
    }
    Ok(Value::Other(type_name(obj)))
}

/// A batch length (`next_batch(n)`): at most `snowid::MAX_BATCH`, checked
/// before anything is allocated.
pub fn batch_len(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    snowid::value::batch_len(&value(obj)?).map_err(crate::errors::to_py)
}

/// [`value`] where an instant is due: an aware `datetime` becomes its
/// milliseconds since the Unix epoch (rounded down); a naive one is a value
/// of the wrong type (it names no instant).
pub fn instant(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() {
        return value(obj);
    }
    let api = datetime_api(py)?;
    if !obj.is_instance(api.datetime.bind(py))? {
        return value(obj);
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Ok(Value::Other("naive datetime (give it a tzinfo)".into()));
    }
    let delta = obj.call_method1("__sub__", (api.utc_epoch.bind(py),))?;
    int(&delta.call_method1("__floordiv__", (api.one_ms.bind(py),))?)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// A Python `int` (not `bool`) of any size.
fn int(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    let mut overflow = 0;
    // SAFETY: obj is an int; attached. No exception on overflow.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
    if overflow == 0 {
        if v == -1 {
            if let Some(e) = PyErr::take(py) {
                return Err(e);
            }
        }
        return Ok(Value::Int(v.into()));
    }
    if overflow > 0 {
        // IDs of layouts without a sign bit reach 2^64 - 1.
        // SAFETY: as above; raises only beyond 2^64 - 1.
        let u = unsafe { ffi::PyLong_AsUnsignedLongLong(obj.as_ptr()) };
        if PyErr::take(py).is_none() {
            return Ok(Value::Int(u.into()));
        }
    }
    Ok(match obj.extract::<i128>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(obj.str()?.to_cow()?.into_owned()),
    })
}

/// A `str`; one with lone surrogates (from `surrogateescape` or
/// `surrogatepass`) is not UTF-8 and keeps its bytes.
fn string(s: &Bound<'_, PyString>) -> PyResult<Value> {
    if let Ok(text) = s.to_cow() {
        return Ok(Value::Str(text.into_owned()));
    }
    let bytes = s
        .call_method1("encode", ("utf-8", "surrogateescape"))
        .or_else(|_| s.call_method1("encode", ("utf-8", "surrogatepass")))?;
    Ok(Value::NonUtf8(bytes.cast::<PyBytes>()?.as_bytes().to_vec()))
}

/// A `str` key (of `**kwargs` or an options dict), lossily if it holds
/// lone surrogates (such a key is no option and no field name anyway).
pub fn key(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = match obj.cast::<PyString>() {
        Ok(s) => s.clone(),
        Err(_) => obj.str()?,
    };
    let text = match s.to_cow() {
        Ok(text) => text.into_owned(),
        Err(_) => s.to_string_lossy().into_owned(),
    };
    Ok(text)
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
