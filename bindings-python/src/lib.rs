//! Python binding of snowid: the native module `snowid._native`, wrapped by
//! the pure-Python package `snowid` (python/snowid/). Thin by design: it
//! converts Python values to `snowid::Value` (value.rs), calls the core and
//! converts results and errors (errors.rs). Every decision (options, the
//! environment, the default generator, fork and exit rules) is the core's.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};
use snowid::env::Environment;
use snowid::Encoding;

mod default;
mod errors;
mod fields;
mod generator;
mod layout;
mod public;
mod raw;
mod remote;
mod segment;
mod uuid;
mod value;
mod wide;

use errors::IntoPyResult;
use value::value;

/// The encodings' names as interned `str`s: a name written in Python code is
/// the same object, so the usual argument is found by identity.
static ENCODING_NAMES: PyOnceLock<Vec<(Py<PyString>, Encoding)>> = PyOnceLock::new();

fn encoding_arg(obj: &Bound<'_, PyAny>) -> PyResult<Encoding> {
    let py = obj.py();
    let names = ENCODING_NAMES.get_or_init(py, || {
        snowid::ENCODINGS
            .iter()
            .map(|e| (PyString::intern(py, e.name()).unbind(), *e))
            .collect()
    });
    if let Some((_, e)) = names.iter().find(|(n, _)| obj.is(n)) {
        return Ok(*e);
    }
    // Any other str holding a name, without a Value.
    if let Ok(Ok(name)) = obj.cast::<PyString>().map(|s| s.to_cow()) {
        return Encoding::from_name(&name).py();
    }
    let v = value(obj)?;
    Encoding::from_name(v.string("encoding", "an encoding name").py()?).py()
}

/// `id` as text: `"decimal"`, `"hex"` (16 digits), `"base32"` (13 Crockford
/// digits) or `"base62"` (11 digits). The fixed-width forms sort like the
/// numbers.
#[pyfunction]
fn encode<'py>(
    id: &Bound<'py, PyAny>,
    encoding: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    let py = id.py();
    let id = layout::id_arg(id)?;
    let mut buf = [0u8; snowid::MAX_ENCODED_LEN];
    // Formatted on the stack: the str is the only allocation.
    Ok(PyString::new(
        py,
        encoding_arg(encoding)?.encode_into(id, &mut buf),
    ))
}

/// Parses text made by `encode(id, encoding)` back into the ID.
#[pyfunction]
fn decode_str(text: &Bound<'_, PyAny>, encoding: &Bound<'_, PyAny>) -> PyResult<u64> {
    let text = value(text)?;
    let text = text.string("text", "a str").py()?;
    encoding_arg(encoding)?.parse(text).py()
}

/// Tells the core this process is a fork child. Not needed after
/// `os.fork()` (the core's `pthread_atfork` handler does it); only after a
/// fork that bypasses the C library's fork handlers.
#[pyfunction]
fn after_fork_in_child() {
    snowid::after_fork_in_child();
}

/// Test hook for the `options` vectors: converts `options` exactly as
/// `Generator(**options)` / `configure(**options)` do and resolves them
/// for `target` (`"generator"`, `"default"`, `"inspect"`) against `env`
/// (`{name: str | bytes}`, nothing else). Returns the resolved settings as
/// canonical JSON (for `"inspect"`: `{"layout": name}`).
#[pyfunction]
#[pyo3(signature = (target, options, env))]
fn _resolve(
    target: &str,
    options: Option<&Bound<'_, PyDict>>,
    env: &Bound<'_, PyDict>,
) -> PyResult<String> {
    let mut pairs = Vec::new();
    for (k, v) in env.iter() {
        let bytes: Vec<u8> = match v.extract::<String>() {
            Ok(s) => s.into_bytes(),
            Err(_) => v.extract()?,
        };
        pairs.push((k.extract::<String>()?, bytes_to_os(bytes)));
    }
    let env = Environment::from_pairs(pairs);
    let opts = options.map(|o| generator::options(Some(o))).transpose()?;
    let json = snowid::options::resolve_json(target, opts.as_ref(), &env).py()?;
    Ok(json)
}

fn bytes_to_os(b: Vec<u8>) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(b)
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    raw::add_next(m)?;
    m.add_function(wrap_pyfunction!(default::configure, m)?)?;
    m.add_function(wrap_pyfunction!(default::ready, m)?)?;
    m.add_function(wrap_pyfunction!(default::default_stats, m)?)?;
    m.add_function(wrap_pyfunction!(default::default_source, m)?)?;
    m.add_function(wrap_pyfunction!(default::_shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(_resolve, m)?)?;
    m.add_function(wrap_pyfunction!(after_fork_in_child, m)?)?;
    raw::add_inspect(m)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_str, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_register_errors, m)?)?;
    m.add_class::<layout::PyLayout>()?;
    m.add_class::<layout::PyParts>()?;
    m.add_class::<layout::PyCapacity>()?;
    m.add_class::<generator::PyGenerator>()?;
    raw::replace_generator_next(m)?;
    m.add_class::<generator::PyStats>()?;
    m.add_class::<generator::PyManualClock>()?;
    m.add_class::<segment::PySegment>()?;
    public::register(m)?;
    m.add_class::<remote::PyRemoteGenerator>()?;
    m.add_class::<wide::PyWideLayout>()?;
    m.add_class::<wide::PyWideParts>()?;
    m.add_class::<wide::PyWideGenerator>()?;
    m.add_function(wrap_pyfunction!(wide::encode_wide, m)?)?;
    m.add_function(wrap_pyfunction!(wide::decode_str_wide, m)?)?;
    uuid::add(m)?;
    let names: Vec<&str> = snowid::ENCODINGS.iter().map(|e| e.name()).collect();
    m.add("ENCODINGS", pyo3::types::PyTuple::new(m.py(), names)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
