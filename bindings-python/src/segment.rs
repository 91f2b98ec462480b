//! `snowid.Segment`: dense, strictly increasing IDs per key (segment mode).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use snowid::segment::{key_from_value, SegmentOptions};
use snowid::Segment;

use crate::errors::IntoPyResult;
use crate::fields::fields_dict;
use crate::value::{batch_len, key as option_name, value};

/// Dense, strictly increasing IDs for one key (order numbers, invoice
/// numbers) from ranges of a counter kept in a store: `file:///dir`
/// (default: `SNOWID_SEGMENT_STORE`, else the machine's
/// `/var/lib/snowid/segments`; none in Kubernetes, Lambda, Cloud Run),
/// `postgres://...` or `redis://...`. One atomic increment per ID; the next
/// range is fetched in the background. Thread-safe: one per key per process.
#[pyclass(frozen, module = "snowid", name = "Segment")]
pub struct PySegment {
    // Boxed: the core's types are cache-line aligned (128 bytes), which
    // Python's allocator, which places this object, does not honour.
    inner: Box<Segment>,
}

#[pymethods]
impl PySegment {
    #[new]
    // BEGIN GENERATED options:py-segment (make options)
    #[pyo3(signature = (key, **options), text_signature = "(key, *, store=None, step=None, min_step=None, max_step=None, prefetch_at=None, range_ms=None, allow_volatile_store=None)")]
    // END GENERATED options:py-segment
    fn new(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let k = key_from_value(&value(key)?).py()?;
        let mut o = SegmentOptions::new();
        for (name, v) in options.into_iter().flatten() {
            if !v.is_none() {
                o.set(&option_name(&name)?, value(&v)?);
            }
        }
        let settings = o.resolve().py()?;
        // Opening a store connects (PostgreSQL, Redis): without the GIL.
        let inner = py.detach(|| Segment::new(&k, settings)).py()?;
        Ok(PySegment {
            inner: Box::new(inner),
        })
    }

    /// The key.
    #[getter]
    fn key(&self) -> String {
        self.inner.key().to_owned()
    }

    /// The store URL (password hidden).
    #[getter]
    fn store(&self) -> String {
        self.inner.store().to_owned()
    }

    /// The next ID of the key: greater than every ID this segment issued.
    fn next(&self, py: Python<'_>) -> PyResult<u64> {
        match self.inner.try_next_id() {
            Some(id) => Ok(id),
            // The current range is spent: switching may wait for the store,
            // so without the GIL.
            None => py.detach(|| self.inner.next_id()).py(),
        }
    }

    /// `n` strictly increasing IDs (`n` up to 2**24).
    fn next_batch<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let n = batch_len(n)?;
        let ids = py.detach(|| self.inner.next_ids(n)).py()?;
        PyList::new(py, ids)
    }

    /// Counters: `ranges_fetched`, `fetch_failures`, `last_fetch_us`,
    /// `max_fetch_us`, `total_fetch_us`, `waits`, `step`, `current_start`,
    /// `current_end`, `buffered`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.stats();
        fields_dict!(py, s; ranges_fetched, fetch_failures, last_fetch_us, max_fetch_us, total_fetch_us, waits, step, current_start, current_end, buffered)
    }

    fn __repr__(&self) -> String {
        format!(
            "Segment({:?}, store={:?})",
            self.inner.key(),
            self.inner.store()
        )
    }
}
