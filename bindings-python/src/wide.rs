//! `snowid.WideLayout`, `snowid.WideGenerator`, `snowid.WideParts`,
//! `encode_wide` and `decode_str_wide`: layouts up to 128 bits and the
//! JS-safe preset (`snowid::wide`). IDs are Python `int`s.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use snowid::env::Environment;
use snowid::wide::{self, WideGenerator, WideLayout};
use snowid::Value;

use crate::errors::IntoPyResult;
use crate::generator::{options, stats_of, PyStats};
use crate::value::{instant, key, value};

fn id_arg(obj: &Bound<'_, PyAny>) -> PyResult<u128> {
    wide::id_value(&value(obj)?).py()
}

fn ms_arg(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    Ok(instant(obj)?
        .int_in("ms", i64::MIN.into(), i64::MAX.into())
        .py()? as i64)
}

/// A layout of up to 128 bits (IDs are `int`s below `2 ** width`).
///
/// `WideLayout(layout="wide128", *, width=None, tick_ms=None, epoch=None)`:
/// a preset (`"wide128"`: 64-bit Unix ms | 16 datacenter | 32 worker | 16
/// sequence; `"jssafe"`: 53 bits, 38 x 10 ms | 7 worker | 8 sequence, every
/// ID <= 2**53 - 1) or fields `"timestamp:48|region:8|host:24|sequence:16"`
/// with `width` (default 128; 53 for a JS-safe layout) and `tick_ms`.
#[pyclass(frozen, module = "snowid", name = "WideLayout")]
pub struct PyWideLayout {
    inner: Arc<WideLayout>,
}

#[pymethods]
impl PyWideLayout {
    #[new]
    #[pyo3(signature = (layout=None, **options), text_signature = "(layout=None, *, width=None, tick_ms=None, epoch=None)")]
    fn new(
        layout: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let mut o = self::options(options)?;
        if let Some(l) = layout {
            o.set("layout", value(l)?);
        }
        Ok(PyWideLayout {
            inner: Arc::new(wide::wide_layout_of(&o).py()?),
        })
    }
    /// The layout's name (`"custom"` for fields).
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }
    /// Width of every ID in bits.
    #[getter]
    fn width(&self) -> u32 {
        self.inner.width()
    }
    /// Whether every ID is at most 2**53 - 1 (exact in JavaScript and JSON).
    #[getter]
    fn js_safe(&self) -> bool {
        self.inner.is_js_safe()
    }
    /// Epoch in ms since the Unix epoch.
    #[getter]
    fn epoch_ms(&self) -> u64 {
        self.inner.epoch_ms()
    }
    /// Tick length in ms.
    #[getter]
    fn tick_ms(&self) -> u64 {
        self.inner.tick_ms()
    }
    /// Largest ID: `2 ** width - 1`.
    #[getter]
    fn max_id(&self) -> u128 {
        self.inner.max_id()
    }
    /// `(name, bits, kind)` of every field, most significant first.
    #[getter]
    fn fields(&self) -> Vec<(String, u32, &'static str)> {
        self.inner
            .fields()
            .iter()
            .map(|f| (f.name().to_owned(), f.bits(), f.kind().as_str()))
            .collect()
    }
    /// The node fields' names.
    #[getter]
    fn node_names(&self) -> Vec<String> {
        self.inner
            .node_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }
    /// Splits an ID into its fields.
    fn decode(&self, id: &Bound<'_, PyAny>) -> PyResult<PyWideParts> {
        let id = id_arg(id)?;
        Ok(PyWideParts {
            parts: self.inner.decode(id).py()?,
            layout: self.inner.clone(),
            id,
        })
    }
    /// Builds an ID: `timestamp` (ms since the Unix epoch or an aware
    /// datetime), `sequence` (default 0), every node field by name.
    #[pyo3(signature = (timestamp, sequence=None, **nodes))]
    fn compose(
        &self,
        timestamp: &Bound<'_, PyAny>,
        sequence: Option<&Bound<'_, PyAny>>,
        nodes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<u128> {
        let ts = instant(timestamp)?;
        let seq = sequence.map(value).transpose()?;
        let mut pairs: Vec<(String, Value)> = Vec::new();
        for (k, v) in nodes.into_iter().flatten() {
            pairs.push((key(&k)?, value(&v)?));
        }
        let refs: Vec<(&str, &Value)> = pairs.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.inner.compose_values(&ts, seq.as_ref(), &refs).py()
    }
    /// Smallest ID of the tick holding `ms` (int ms or an aware datetime).
    fn min_id_at(&self, ms: &Bound<'_, PyAny>) -> PyResult<u128> {
        self.inner.min_id_at(ms_arg(ms)?).py()
    }
    /// Largest ID of the tick holding `ms`.
    fn max_id_at(&self, ms: &Bound<'_, PyAny>) -> PyResult<u128> {
        self.inner.max_id_at(ms_arg(ms)?).py()
    }
    /// `lifespan_ms`, `end_ms`, `issue_end_ms` (when a generator's one-word
    /// state runs out), `ids_per_tick`, `ids_per_second_per_node`, `nodes`.
    fn capacity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.inner.capacity();
        let d = PyDict::new(py);
        d.set_item("lifespan_ms", c.lifespan_ms)?;
        d.set_item("end_ms", c.end_ms)?;
        d.set_item("issue_end_ms", c.issue_end_ms)?;
        d.set_item("ids_per_tick", c.ids_per_tick)?;
        d.set_item("ids_per_second_per_node", c.ids_per_second_per_node)?;
        d.set_item("nodes", c.nodes)?;
        Ok(d)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyWideLayout>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.hash(&mut h);
        h.finish()
    }
    fn __repr__(&self) -> String {
        format!("WideLayout({})", self.inner)
    }
}

/// The fields of a wide ID.
#[pyclass(frozen, module = "snowid", name = "WideParts")]
pub struct PyWideParts {
    layout: Arc<WideLayout>,
    id: u128,
    parts: snowid::Parts,
}

#[pymethods]
impl PyWideParts {
    /// The ID.
    #[getter]
    fn id(&self) -> u128 {
        self.id
    }
    /// Start of the ID's tick, ms since the Unix epoch.
    #[getter]
    fn timestamp_ms(&self) -> u64 {
        self.parts.timestamp_ms
    }
    /// The raw time field (ticks since the epoch).
    #[getter]
    fn tick(&self) -> u64 {
        self.parts.tick
    }
    /// The sequence field.
    #[getter]
    fn sequence(&self) -> u64 {
        self.parts.sequence
    }
    /// Node fields by name.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (f, v) in self.layout.node_fields().zip(self.parts.nodes) {
            d.set_item(f.name(), v)?;
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let nodes: Vec<String> = self
            .layout
            .node_fields()
            .zip(self.parts.nodes)
            .map(|(f, v)| format!("{}={v}", f.name()))
            .collect();
        format!(
            "WideParts(id={}, timestamp_ms={}, sequence={}, {})",
            self.id,
            self.parts.timestamp_ms,
            self.parts.sequence,
            nodes.join(", ")
        )
    }
}

/// A lock-free generator of wide IDs (`int`s) for one node; share it
/// between threads.
///
/// `WideGenerator(*, layout="wide128", width=None, tick_ms=None, epoch=None,
/// clock=None, on_regression=None, max_wait_ms=None, max_borrow_ticks=None,
/// node_source=None, state_dir=None, protect=None, persist=None,
/// window_ms=None, **node_fields)`: the options of `Generator` (node
/// sources, slot locks, high-water mark, fork rule), with a wide layout.
#[pyclass(frozen, module = "snowid", name = "WideGenerator")]
pub struct PyWideGenerator {
    inner: WideGenerator,
    layout: Arc<WideLayout>,
}

#[pymethods]
impl PyWideGenerator {
    #[new]
    #[pyo3(signature = (**options), text_signature = "(*, layout=None, width=None, tick_ms=None, epoch=None, clock=None, on_regression=None, max_wait_ms=None, max_borrow_ticks=None, node_source=None, state_dir=None, protect=None, persist=None, window_ms=None, **node_fields)")]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let settings =
            wide::resolve_wide(&self::options(options)?, &Environment::process()).py()?;
        let inner = py.detach(|| settings.build()).py()?;
        Ok(PyWideGenerator {
            layout: Arc::new(inner.layout().clone()),
            inner,
        })
    }
    /// Issues one ID, greater than every ID this generator issued before.
    fn next(&self) -> PyResult<u128> {
        self.inner.next_id().py()
    }
    /// `n` consecutive IDs (fewer only if an error stopped the batch after
    /// some were issued; raises if none were).
    fn next_batch<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let n = snowid::value::batch_len(&value(n)?).py()?;
        let mut buf = vec![0u128; n];
        let got = py.detach(|| self.inner.next_batch(&mut buf)).py()?;
        PyList::new(py, &buf[..got])
    }
    /// The layout.
    #[getter]
    fn layout(&self) -> PyWideLayout {
        PyWideLayout {
            inner: self.layout.clone(),
        }
    }
    /// Where the node numbers came from.
    #[getter]
    fn source(&self) -> String {
        self.inner.source().to_owned()
    }
    /// Node values by name.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, v) in self.layout.node_names().into_iter().zip(self.inner.nodes()) {
            d.set_item(name, v)?;
        }
        Ok(d)
    }
    /// The counters.
    fn stats(&self) -> PyStats {
        stats_of(self.inner.stats())
    }
    fn __repr__(&self) -> String {
        format!(
            "WideGenerator({}, source={:?})",
            self.layout,
            self.inner.source()
        )
    }
}

fn encoding(obj: &Bound<'_, PyAny>) -> PyResult<snowid::Encoding> {
    let v = value(obj)?;
    snowid::Encoding::from_name(v.string("encoding", "an encoding name").py()?).py()
}

/// A wide ID as text: `"decimal"`, `"hex"` (32 digits), `"base32"` (26
/// Crockford digits) or `"base62"` (22 digits); fixed widths sort like the
/// numbers.
#[pyfunction]
pub fn encode_wide(id: &Bound<'_, PyAny>, encoding: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(wide::encode_wide(self::encoding(encoding)?, id_arg(id)?))
}

/// Parses text made by `encode_wide(id, encoding)` back into the ID.
#[pyfunction]
pub fn decode_str_wide(text: &Bound<'_, PyAny>, encoding: &Bound<'_, PyAny>) -> PyResult<u128> {
    let t = value(text)?;
    wide::parse_wide(self::encoding(encoding)?, t.string("text", "a str").py()?).py()
}
