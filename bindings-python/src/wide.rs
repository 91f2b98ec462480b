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
use crate::fields::{fields_dict, id_list, node_dict, node_text};
use crate::generator::{options, stats_of, PyStats};
use crate::value::{batch_len, instant, key, value};

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
    // BEGIN GENERATED options:py-wide-layout (make options)
    #[pyo3(signature = (layout=None, **options), text_signature = "(layout=None, *, width=None, tick_ms=None, epoch=None)")]
    // END GENERATED options:py-wide-layout
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
        let parts = self.inner.decode(id).py()?;
        Ok(PyWideParts {
            layout: self.inner.clone(),
            id,
            timestamp_ms: parts.timestamp_ms,
            tick: parts.tick,
            sequence: parts.sequence,
            nodes: parts.nodes,
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
        fields_dict!(py, c; lifespan_ms, end_ms, issue_end_ms, ids_per_tick, ids_per_second_per_node, nodes)
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
    /// The ID.
    #[pyo3(get)]
    id: u128,
    /// Start of the ID's tick, ms since the Unix epoch.
    #[pyo3(get)]
    timestamp_ms: u64,
    /// The raw time field (ticks since the epoch).
    #[pyo3(get)]
    tick: u64,
    /// The sequence field.
    #[pyo3(get)]
    sequence: u64,
    nodes: [u32; snowid::MAX_NODE_FIELDS],
}

impl PyWideParts {
    fn named(&self) -> impl Iterator<Item = (&str, u32)> {
        self.layout.node_fields().map(|f| f.name()).zip(self.nodes)
    }
}

#[pymethods]
impl PyWideParts {
    /// Node fields by name.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        node_dict(py, self.named())
    }
    fn __repr__(&self) -> String {
        format!(
            "WideParts(id={}, timestamp_ms={}, sequence={}, {})",
            self.id,
            self.timestamp_ms,
            self.sequence,
            node_text(self.named(), ", ")
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
    // Boxed: the core's types are cache-line aligned (128 bytes), which
    // Python's allocator, which places this object, does not honour.
    inner: Box<WideGenerator>,
    layout: Arc<WideLayout>,
}

#[pymethods]
impl PyWideGenerator {
    #[new]
    // BEGIN GENERATED options:py-wide (make options)
    #[pyo3(signature = (**options), text_signature = "(*, layout=None, width=None, tick_ms=None, epoch=None, clock=None, on_regression=None, max_wait_ms=None, max_borrow_ticks=None, node_source=None, state_dir=None, protect=None, persist=None, window_ms=None, random_sequence_start=None, **node_fields)")]
    // END GENERATED options:py-wide
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let settings =
            wide::resolve_wide(&self::options(options)?, &Environment::process()).py()?;
        let inner = py.detach(|| settings.build()).py()?;
        Ok(PyWideGenerator {
            layout: Arc::new(inner.layout().clone()),
            inner: Box::new(inner),
        })
    }
    /// Issues one ID, greater than every ID this generator issued before.
    fn next(&self) -> PyResult<u128> {
        self.inner.next_id().py()
    }
    /// A `uuid.UUID` (version 7) from a generator of layout `"uuid7"`.
    fn next_uuid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::uuid::next_uuid(py, &self.inner)
    }
    /// A ULID `str` from a generator of layout `"ulid"`.
    fn next_ulid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyString>> {
        crate::uuid::next_ulid(py, &self.inner)
    }
    /// `n` consecutive IDs (fewer only if an error stopped the batch after
    /// some were issued; raises if none were).
    fn next_batch<'py>(&self, n: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let per_tick = self.layout.capacity().ids_per_tick as usize;
        id_list(n.py(), batch_len(n)?, per_tick, |out| {
            self.inner.next_batch(out)
        })
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
        let names = self.layout.node_names().into_iter();
        node_dict(py, names.zip(self.inner.nodes().iter().copied()))
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
