//! `snowid.uuid7()`, `snowid.ulid()` and the UUID and ULID text forms
//! (`snowid::default::uuid7`, `snowid::wide::{encode_uuid, parse_uuid,
//! encode_ulid, parse_ulid}`); `WideGenerator.next_uuid()` and
//! `next_ulid()` for explicit generators of those presets. A UUID is the
//! standard library's `uuid.UUID`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyString, PyType};
use snowid::wide::{self, WideGenerator};

use crate::errors::IntoPyResult;
use crate::value::value;

/// `uuid.UUID`, `object.__setattr__` and `uuid.SafeUUID.unknown`, looked up once.
static UUID_PARTS: PyOnceLock<(Py<PyType>, Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// `id` as a `uuid.UUID`, made as `uuid.UUID(int=id)` makes it (the slots
/// `int` and `is_safe`) without re-checking the range: it is a `u128`.
pub(crate) fn to_uuid(py: Python<'_>, id: u128) -> PyResult<Bound<'_, PyAny>> {
    let (cls, setattr, unknown) = UUID_PARTS.get_or_try_init(py, || -> PyResult<_> {
        let m = PyModule::import(py, "uuid")?;
        let cls = m.getattr("UUID")?.cast_into::<PyType>()?.unbind();
        let setattr = py
            .import("builtins")?
            .getattr("object")?
            .getattr("__setattr__")?
            .unbind();
        let unknown = m.getattr("SafeUUID")?.getattr("unknown")?.unbind();
        Ok((cls, setattr, unknown))
    })?;
    let cls = cls.bind(py);
    let u = cls.call_method1(pyo3::intern!(py, "__new__"), (cls,))?;
    setattr.call1(py, (&u, pyo3::intern!(py, "int"), id))?;
    setattr.call1(py, (&u, pyo3::intern!(py, "is_safe"), unknown))?;
    Ok(u)
}

fn ulid_str(py: Python<'_>, id: u128) -> Bound<'_, PyString> {
    let mut buf = [0u8; wide::MAX_WIDE_ENCODED_LEN];
    PyString::new(py, wide::encode_ulid_into(id, &mut buf))
}

/// A UUID version 7 (RFC 9562) from the module's default `uuid7`
/// generator (created on first use from the `SNOWID_*` environment or a
/// machine-local slot): unique by construction (node numbers in `rand_b`),
/// greater than every UUID this process made before.
#[pyfunction]
pub fn uuid7(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_uuid(py, snowid::default::uuid7().py()?)
}

/// A ULID (26 characters of Crockford base32) from the module's default
/// `ulid` generator: unique by construction, sorted like issue order.
#[pyfunction]
pub fn ulid(py: Python<'_>) -> PyResult<Bound<'_, PyString>> {
    Ok(ulid_str(py, snowid::default::ulid().py()?))
}

/// The canonical text of a 128-bit ID, `8-4-4-4-12` lower-case hex.
#[pyfunction]
pub fn encode_uuid(id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(wide::encode_uuid(wide::id_value(&value(id)?).py()?))
}

/// A UUID's canonical text (either case) as an `int`; braces, `urn:uuid:`
/// and the 32 digits without hyphens raise `ParseError`s.
#[pyfunction]
pub fn parse_uuid(text: &Bound<'_, PyAny>) -> PyResult<u128> {
    let v = value(text)?;
    wide::parse_uuid(v.string("text", "a str").py()?).py()
}

/// A 128-bit ID as a ULID: 26 characters of Crockford base32.
#[pyfunction]
pub fn encode_ulid<'py>(id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    Ok(ulid_str(id.py(), wide::id_value(&value(id)?).py()?))
}

/// A ULID's text as an `int`: case-insensitive, `I`/`L` read as 1 and `O`
/// as 0; a first character above `7` raises `InvalidSettingError`.
#[pyfunction]
pub fn parse_ulid(text: &Bound<'_, PyAny>) -> PyResult<u128> {
    let v = value(text)?;
    wide::parse_ulid(v.string("text", "a str").py()?).py()
}

/// `WideGenerator.next_uuid()`: the generator must have layout `uuid7`.
pub(crate) fn next_uuid<'py>(py: Python<'py>, g: &WideGenerator) -> PyResult<Bound<'py, PyAny>> {
    g.layout().require_preset("uuid7").py()?;
    to_uuid(py, g.next_id().py()?)
}

/// `WideGenerator.next_ulid()`: the generator must have layout `ulid`.
pub(crate) fn next_ulid<'py>(py: Python<'py>, g: &WideGenerator) -> PyResult<Bound<'py, PyString>> {
    g.layout().require_preset("ulid").py()?;
    Ok(ulid_str(py, g.next_id().py()?))
}

/// Registers the module functions.
pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(uuid7, m)?)?;
    m.add_function(wrap_pyfunction!(ulid, m)?)?;
    m.add_function(wrap_pyfunction!(encode_uuid, m)?)?;
    m.add_function(wrap_pyfunction!(parse_uuid, m)?)?;
    m.add_function(wrap_pyfunction!(encode_ulid, m)?)?;
    m.add_function(wrap_pyfunction!(parse_ulid, m)?)?;
    Ok(())
}
