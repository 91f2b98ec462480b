//! Python binding of snowid: the native module `snowid._native`, wrapped by
//! the pure-Python package `snowid` (python/snowid/). Thin by design: it
//! converts arguments, calls the core, converts results and errors
//! (errors.rs). Host concerns live here: the default generator in a static
//! and the fork hooks (default.rs).

use pyo3::prelude::*;
use pyo3::types::PyString;
use snowid::Encoding;

mod args;
mod default;
mod errors;
mod generator;
mod layout;

use errors::IntoPyResult;

fn encoding_arg(obj: &Bound<'_, PyAny>) -> PyResult<Encoding> {
    let name = obj.cast::<PyString>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "encoding must be a str: \"decimal\", \"hex\", \"base32\" or \"base62\"",
        )
    })?;
    Encoding::from_name(&name.to_cow()?).py()
}

/// `id` as text: `"decimal"`, `"hex"` (16 digits), `"base32"` (13 Crockford
/// digits) or `"base62"` (11 digits). The fixed-width forms sort like the
/// numbers.
#[pyfunction]
fn encode(id: &Bound<'_, PyAny>, encoding: &Bound<'_, PyAny>) -> PyResult<String> {
    let id = args::u64_arg(id, "id")?;
    Ok(encoding_arg(encoding)?.encode(id))
}

/// Parses text made by `encode(id, encoding)` back into the ID.
#[pyfunction]
fn decode_str(text: &Bound<'_, PyAny>, encoding: &Bound<'_, PyAny>) -> PyResult<u64> {
    let text = text.cast::<PyString>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "text must be a str, not {}",
            text.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    encoding_arg(encoding)?.parse(&text.to_cow()?).py()
}

/// Tells the core this process is a fork child. Not needed after
/// `os.fork()` (the core's `pthread_atfork` handler does it); only after a
/// fork that bypasses the C library's fork handlers.
#[pyfunction]
fn after_fork_in_child() {
    snowid::after_fork_in_child();
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    default::add_next(m)?;
    m.add_function(wrap_pyfunction!(default::configure, m)?)?;
    m.add_function(wrap_pyfunction!(default::default_stats, m)?)?;
    m.add_function(wrap_pyfunction!(default::default_source, m)?)?;
    m.add_function(wrap_pyfunction!(default::_before_fork, m)?)?;
    m.add_function(wrap_pyfunction!(default::_after_fork_in_parent, m)?)?;
    m.add_function(wrap_pyfunction!(default::_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(layout::inspect, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_str, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_register_errors, m)?)?;
    m.add_class::<layout::PyLayout>()?;
    m.add_class::<layout::PyParts>()?;
    m.add_class::<layout::PyCapacity>()?;
    m.add_class::<generator::PyGenerator>()?;
    m.add_class::<generator::PyStats>()?;
    m.add_class::<generator::PyManualClock>()?;
    let names: Vec<&str> = snowid::ENCODINGS.iter().map(|e| e.name()).collect();
    m.add("ENCODINGS", pyo3::types::PyTuple::new(m.py(), names)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
