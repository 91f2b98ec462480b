//! The module-level default generator: `snowid.next()`, `configure()`,
//! `ready()`, `default_source()`, `default_stats()` and the `atexit` hook. All of it
//! is the core's `snowid::default` (settings, first use, re-configure and
//! fork rules, clean exit); its fast `next()` is in `raw.rs`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::IntoPyResult;
use crate::generator::{options, stats_of, PyStats};

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
