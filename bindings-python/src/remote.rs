//! `snowid.RemoteGenerator`: IDs fetched in batches from `snowid serve`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use snowid::remote::RemoteOptions;
use snowid::RemoteGenerator;

use crate::errors::IntoPyResult;
use crate::fields::fields_dict;
use crate::value::{batch_len, key as option_name, value};

/// IDs from a `snowid serve` at `url` (`http://` or `https://`), fetched in
/// batches in the background and handed out from a local buffer: the answer
/// to `NODE_SOURCE_REQUIRED` for processes with no node identity (Lambda,
/// Cloud Run, a Deployment). With `key`, the dense IDs of that segment key.
/// When the buffer is empty a call waits at most `timeout_ms`, then raises
/// `RemoteTimeoutError`, `RemoteUnavailableError` or `UnauthorizedError`.
/// Thread-safe; a child after `os.fork()` fetches its own batches.
#[pyclass(frozen, module = "snowid", name = "RemoteGenerator")]
pub struct PyRemoteGenerator {
    // Boxed: the core's types are cache-line aligned (see PySegment).
    inner: Box<RemoteGenerator>,
}

#[pymethods]
impl PyRemoteGenerator {
    #[new]
    // BEGIN GENERATED options:py-remote (make options)
    #[pyo3(signature = (url, **options), text_signature = "(url, *, prefetch_at=None, token=None, key=None, batch=None, timeout_ms=None)")]
    // END GENERATED options:py-remote
    fn new(url: &Bound<'_, PyAny>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut o = RemoteOptions::new();
        o.set("url", value(url)?);
        for (name, v) in options.into_iter().flatten() {
            if !v.is_none() {
                o.set(&option_name(&name)?, value(&v)?);
            }
        }
        Ok(PyRemoteGenerator {
            inner: Box::new(o.build().py()?),
        })
    }

    /// The service's URL, normalised (the token is never shown).
    #[getter]
    fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The next ID: from the buffer (no lock, no I/O); when it is spent,
    /// waits (without the GIL) at most `timeout_ms` for the next batch.
    fn next(&self, py: Python<'_>) -> PyResult<u64> {
        match self.inner.try_next_id() {
            Some(id) => Ok(id),
            None => py.detach(|| self.inner.next_id()).py(),
        }
    }

    /// `n` IDs (`n` up to 2**24), increasing as the service issued them.
    fn next_batch<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let n = batch_len(n)?;
        let ids = py.detach(|| self.inner.next_ids(n)).py()?;
        PyList::new(py, ids)
    }

    /// Waits (without the GIL, at most `timeout_ms`) until the buffer holds
    /// IDs; spends none.
    fn ready(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.ready()).py()
    }

    /// Counters: `batches_fetched`, `fetch_failures`, `waits`,
    /// `last_fetch_us`, `max_fetch_us`, `total_fetch_us`, `buffered`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.stats();
        fields_dict!(py, s; batches_fetched, fetch_failures, waits, last_fetch_us, max_fetch_us, total_fetch_us, buffered)
    }

    fn __repr__(&self) -> String {
        format!("RemoteGenerator({:?})", self.inner.url())
    }
}
