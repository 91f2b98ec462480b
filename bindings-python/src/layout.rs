//! `snowid.Layout`, `snowid.Parts`, `snowid.Capacity` and `snowid.inspect`.

use std::sync::atomic::{AtomicPtr, Ordering::*};
use std::sync::Arc;

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyTuple};
use snowid::{Layout, LayoutBuilder, Parts, Value};

use crate::errors::IntoPyResult;
use crate::fields::{fields_repr, node_dict};
use crate::value::{instant, ms_to_datetime, value};

/// A layout argument: a `Layout`, or a preset name (`Layout::preset`).
pub fn layout_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<Layout>> {
    if let Ok(l) = obj.cast::<PyLayout>() {
        return Ok(l.get().inner.clone());
    }
    Ok(Arc::new(Layout::from_value(&value(obj)?, "layout").py()?))
}

/// The layout `inspect(id)` uses given none: the core's
/// `snowid::default::layout()`. Once the default generator exists that is
/// its layout, kept here by the generator's (never reused) address so a
/// call costs no copy and no lock: one entry, replaced (and the old one
/// leaked, as the core leaks replaced generators) when the default
/// generator changes.
fn default_layout() -> PyResult<Arc<Layout>> {
    static SEEN: AtomicPtr<(usize, Arc<Layout>)> = AtomicPtr::new(std::ptr::null_mut());
    let Some(g) = snowid::default::current() else {
        return Ok(Arc::new(snowid::default::layout().py()?));
    };
    let key = g as *const snowid::Generator as usize;
    let seen = SEEN.load(Acquire);
    // SAFETY: SEEN only ever holds leaked, never freed, entries.
    if let Some((k, l)) = unsafe { seen.as_ref() } {
        if *k == key {
            return Ok(l.clone());
        }
    }
    let l = Arc::new(g.layout().clone());
    let entry = Box::into_raw(Box::new((key, l.clone())));
    // A race with another thread's store leaks one more entry, nothing else.
    SEEN.store(entry, Release);
    Ok(l)
}

/// An ID argument: an integer `0..=2^64 - 1`.
pub fn id_arg(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    // The usual case, an `int` in range, without a `Value`; anything else
    // (out of range, a subclass, `bool`, numpy...) takes the general path
    // and its coded error.
    if obj.is_exact_instance_of::<PyInt>() {
        let mut overflow = 0;
        // SAFETY: `obj` is an int; attached. No exception on overflow, and
        // none otherwise for an exact int. (Faster than
        // `PyLong_AsUnsignedLongLong`, which goes through a byte array.)
        let v = unsafe { pyo3::ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
        if overflow == 0 && v >= 0 {
            return Ok(v as u64);
        }
    }
    value(obj)?.id().py()
}

/// One `(name, bits)` or `(name, bits, kind)` item of `Layout(name, fields)`.
fn add_field(b: &mut LayoutBuilder, i: usize, item: &Bound<'_, PyAny>) -> PyResult<()> {
    let items: Option<(&str, Vec<Bound<'_, PyAny>>)> = match item.cast::<PyTuple>() {
        Ok(t) => Some(("tuple", t.iter().collect())),
        Err(_) => item
            .cast::<PyList>()
            .ok()
            .map(|l| ("list", l.iter().collect())),
    };
    let (name, bits, kind) = match items.as_ref().map(|(_, v)| v.as_slice()) {
        Some([n, b]) => (value(n)?, value(b)?, None),
        Some([n, b, k]) => (value(n)?, value(b)?, Some(value(k)?)),
        _ => {
            let got = match &items {
                Some((t, v)) => Value::Other(format!("{t} of length {}", v.len())),
                None => value(item)?,
            };
            let expected = "a tuple (name, bits) or (name, bits, kind)";
            return Err(got.wrong_type(&format!("fields[{i}]"), expected)).py();
        }
    };
    b.field(&name, &bits, kind.as_ref()).py()?;
    Ok(())
}

/// A bit layout: which fields an ID has, their widths and order, the epoch
/// and the tick. Presets: `Layout.twitter()` (the default), `.discord()`,
/// `.instagram()`, `.sonyflake()`, or `Layout.preset(name)`; custom:
/// `Layout("name", [("timestamp", 41), ("worker", 10), ("sequence", 12)],
/// epoch=..., tick_ms=1, sign_bit=True)`.
#[pyclass(frozen, module = "snowid", name = "Layout")]
pub struct PyLayout {
    pub inner: Arc<Layout>,
}

#[pymethods]
impl PyLayout {
    /// A custom layout. `fields` lists `(name, bits)` or `(name, bits, kind)`
    /// from the most significant bit down; without a kind, `"timestamp"` is
    /// the time field, `"sequence"` the sequence and any other name a node
    /// field. `epoch` is an `int` of ms since the Unix epoch or an aware
    /// `datetime`. `sign_bit=True` keeps the top bit 0 (63 bits of fields).
    #[new]
    #[pyo3(signature = (name, fields, *, epoch, tick_ms = None, sign_bit = None), text_signature = "(name, fields, *, epoch, tick_ms=1, sign_bit=True)")]
    fn new(
        name: &Bound<'_, PyAny>,
        fields: &Bound<'_, PyAny>,
        epoch: &Bound<'_, PyAny>,
        tick_ms: Option<&Bound<'_, PyAny>>,
        sign_bit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b = LayoutBuilder::new(&value(name)?).py()?;
        if let Ok(n) = fields.len() {
            b.expect_fields(n as u64).py()?;
        }
        let Ok(items) = fields.try_iter() else {
            return Err(value(fields)?.wrong_type(
                "fields",
                "an iterable of (name, bits) or (name, bits, kind) tuples",
            ))
            .py();
        };
        // Field by field: the builder stops at the first error (or at one
        // field too many), so an endless iterable is never collected.
        for (i, item) in items.enumerate() {
            add_field(&mut b, i, &item?)?;
        }
        b.epoch(&instant(epoch)?).py()?;
        if let Some(t) = tick_ms.filter(|t| !t.is_none()) {
            b.tick(&value(t)?).py()?;
        }
        if let Some(s) = sign_bit.filter(|s| !s.is_none()) {
            b.sign_bit(&value(s)?).py()?;
        }
        Ok(PyLayout {
            inner: Arc::new(b.build().py()?),
        })
    }

    /// A preset by name: `"twitter"`, `"discord"`, `"instagram"`,
    /// `"sonyflake"` (exact: `"Twitter"` is `UnknownLayoutError`).
    #[staticmethod]
    fn preset(name: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = value(name)?;
        let name = name.string("name", "a preset name").py()?;
        Ok(PyLayout {
            inner: Arc::new(Layout::preset(name).py()?),
        })
    }

    /// Twitter (the default): sign bit, 41 bits of ms, 5 datacenter,
    /// 5 worker, 12 sequence; epoch 2010-11-04T01:42:54.657Z.
    #[staticmethod]
    fn twitter() -> Self {
        PyLayout {
            inner: Arc::new(Layout::twitter()),
        }
    }

    /// Discord: 42 bits of ms, 5 worker, 5 process, 12 increment;
    /// epoch 2015-01-01T00:00:00Z.
    #[staticmethod]
    fn discord() -> Self {
        PyLayout {
            inner: Arc::new(Layout::discord()),
        }
    }

    /// Instagram: 41 bits of ms, 13 shard, 10 sequence;
    /// epoch 2011-08-24T21:07:01.721Z.
    #[staticmethod]
    fn instagram() -> Self {
        PyLayout {
            inner: Arc::new(Layout::instagram()),
        }
    }

    /// Sonyflake: sign bit, 39 bits of 10 ms ticks, 8 sequence, 16 machine;
    /// epoch 2014-09-01T00:00:00Z.
    #[staticmethod]
    fn sonyflake() -> Self {
        PyLayout {
            inner: Arc::new(Layout::sonyflake()),
        }
    }

    /// The layout's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// Fields as `(name, bits, kind)`, most significant first.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<(String, u32, &str)> = self
            .inner
            .fields()
            .iter()
            .map(|f| (f.name().to_owned(), f.bits(), f.kind().as_str()))
            .collect();
        PyTuple::new(py, items)
    }

    /// Names of the node fields, in layout order.
    #[getter]
    fn node_names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.node_names())
    }

    /// Name of the sequence field (`"sequence"`; Discord: `"increment"`).
    #[getter]
    fn sequence_name(&self) -> &str {
        self.inner.sequence_field().name()
    }

    /// Epoch in ms since the Unix epoch.
    #[getter]
    fn epoch_ms(&self) -> u64 {
        self.inner.epoch_ms()
    }

    /// Epoch as an aware `datetime` (UTC).
    #[getter]
    fn epoch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ms_to_datetime(py, self.inner.epoch_ms())
    }

    /// Tick length in ms.
    #[getter]
    fn tick_ms(&self) -> u64 {
        self.inner.tick_ms()
    }

    /// Whether the top bit is reserved (always 0).
    #[getter]
    fn sign_bit(&self) -> bool {
        self.inner.sign_bit()
    }

    /// Largest ID the layout can hold.
    #[getter]
    fn max_id(&self) -> u64 {
        self.inner.max_id()
    }

    /// Lifespan, end, IDs per tick and per second per node, number of nodes.
    #[getter]
    fn capacity(&self) -> PyCapacity {
        let c = self.inner.capacity();
        PyCapacity {
            lifespan_ms: c.lifespan_ms,
            end_ms: c.end_ms,
            ids_per_tick: c.ids_per_tick,
            ids_per_second_per_node: c.ids_per_second_per_node,
            nodes: c.nodes,
        }
    }

    /// Splits an ID into its parts.
    fn decode(&self, id: &Bound<'_, PyAny>) -> PyResult<PyParts> {
        decode(&self.inner, id_arg(id)?)
    }

    /// Builds an ID: `timestamp` (int ms or aware datetime; rounded down to
    /// its tick), `sequence` (default 0), and every node field by name.
    #[pyo3(signature = (*, timestamp, sequence = None, **nodes))]
    fn compose(
        &self,
        timestamp: &Bound<'_, PyAny>,
        sequence: Option<&Bound<'_, PyAny>>,
        nodes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<u64> {
        let timestamp = instant(timestamp)?;
        let sequence = sequence.filter(|s| !s.is_none()).map(value).transpose()?;
        let mut given = Vec::with_capacity(nodes.map_or(0, |d| d.len()));
        for (k, v) in nodes.into_iter().flatten() {
            if !v.is_none() {
                given.push((crate::value::key(&k)?, value(&v)?));
            }
        }
        let given: Vec<(&str, &Value)> = given.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.inner
            .compose_values(&timestamp, sequence.as_ref(), &given)
            .py()
    }

    /// Smallest ID any node can issue in the tick holding `when` (int ms or
    /// aware datetime): `WHERE id >= layout.min_id_at(start)`.
    fn min_id_at(&self, when: &Bound<'_, PyAny>) -> PyResult<u64> {
        let ms = instant(when)?.instant_ms("when", &self.inner).py()?;
        self.inner.min_id_at(ms).py()
    }

    /// Largest ID any node can issue in the tick holding `when`:
    /// `WHERE id <= layout.max_id_at(end)`.
    fn max_id_at(&self, when: &Bound<'_, PyAny>) -> PyResult<u64> {
        let ms = instant(when)?.instant_ms("when", &self.inner).py()?;
        self.inner.max_id_at(ms).py()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("<snowid.Layout {}>", self.inner)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyLayout>() {
            Ok(o) => *o.get().inner == *self.inner,
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.spec().hash(&mut h);
        h.finish()
    }
}

/// What a layout can hold.
#[pyclass(frozen, get_all, module = "snowid", name = "Capacity")]
pub struct PyCapacity {
    /// How long the time field lasts, in ms.
    lifespan_ms: u64,
    /// First instant (ms since the Unix epoch) the layout cannot represent.
    end_ms: u64,
    /// IDs one node can issue per tick.
    ids_per_tick: u64,
    /// IDs one node can issue per second.
    ids_per_second_per_node: u64,
    /// Number of distinct node-number combinations.
    nodes: u64,
}

#[pymethods]
impl PyCapacity {
    /// `end_ms` as an aware `datetime` (UTC), or `None` past year 9999.
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(ms_to_datetime(py, self.end_ms).ok())
    }

    fn __repr__(&self) -> String {
        fields_repr!("Capacity", self; lifespan_ms, end_ms, ids_per_tick, ids_per_second_per_node, nodes)
    }
}

/// The parts of one ID (immutable): `timestamp` (aware datetime, UTC),
/// `timestamp_ms`, `tick`, `sequence`, and each node field by name
/// (`parts.worker`, `parts.shard`...).
#[pyclass(frozen, module = "snowid", name = "Parts")]
pub struct PyParts {
    layout: Arc<Layout>,
    id: u64,
    parts: Parts,
}

pub fn decode(layout: &Arc<Layout>, id: u64) -> PyResult<PyParts> {
    Ok(PyParts {
        parts: layout.decode(id).py()?,
        layout: layout.clone(),
        id,
    })
}

impl PyParts {
    fn node_pairs(&self) -> impl Iterator<Item = (&str, u32)> {
        self.layout
            .node_fields()
            .map(|f| f.name())
            .zip(self.parts.nodes)
    }
}

#[pymethods]
impl PyParts {
    /// The ID.
    #[getter]
    fn id(&self) -> u64 {
        self.id
    }

    /// The layout the ID was decoded with.
    #[getter]
    fn layout(&self) -> PyLayout {
        PyLayout {
            inner: self.layout.clone(),
        }
    }

    /// Start of the ID's tick, in ms since the Unix epoch.
    #[getter]
    fn timestamp_ms(&self) -> u64 {
        self.parts.timestamp_ms
    }

    /// Start of the ID's tick as an aware `datetime` in UTC.
    #[getter]
    fn timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ms_to_datetime(py, self.parts.timestamp_ms)
    }

    /// The raw time field (ticks since the layout's epoch).
    #[getter]
    fn tick(&self) -> u64 {
        self.parts.tick
    }

    /// The sequence field (Discord's `increment`).
    #[getter]
    fn sequence(&self) -> u64 {
        self.parts.sequence
    }

    /// Node fields as a `dict`, in layout order.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        node_dict(py, self.node_pairs())
    }

    fn __getattr__(&self, name: &str) -> PyResult<u64> {
        if let Some((_, v)) = self.node_pairs().find(|(n, _)| *n == name) {
            return Ok(v.into());
        }
        if name == self.layout.sequence_field().name() {
            return Ok(self.parts.sequence);
        }
        Err(PyAttributeError::new_err(format!(
            "'Parts' of layout {} has no attribute {name:?}; node fields: {}",
            self.layout.name(),
            self.layout.node_names().join(", ")
        )))
    }

    fn __dir__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let mut names: Vec<String> = [
            "id",
            "layout",
            "timestamp",
            "timestamp_ms",
            "tick",
            "sequence",
            "nodes",
            "to_dict",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.extend(slf.get().layout.node_names().iter().map(|s| s.to_string()));
        PyList::new(py, names)
    }

    /// `{"id", "layout", "timestamp", "timestamp_ms", "tick", <node
    /// fields>, "sequence"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", self.id)?;
        d.set_item("layout", self.layout.name())?;
        d.set_item("timestamp", self.timestamp(py)?)?;
        d.set_item("timestamp_ms", self.parts.timestamp_ms)?;
        d.set_item("tick", self.parts.tick)?;
        for (k, v) in self.node_pairs() {
            d.set_item(k, v)?;
        }
        d.set_item("sequence", self.parts.sequence)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let ts = self
            .timestamp(py)?
            .call_method1("isoformat", (" ", "milliseconds"))?;
        let ts: String = ts.extract()?;
        let mut s = format!(
            "Parts(id={}, layout='{}', timestamp='{}Z'",
            self.id,
            self.layout.name(),
            ts.trim_end_matches("+00:00")
        );
        for (k, v) in self.node_pairs() {
            s.push_str(&format!(", {k}={v}"));
        }
        s.push_str(&format!(", sequence={})", self.parts.sequence));
        Ok(s)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyParts>() {
            Ok(o) => o.get().id == self.id && *o.get().layout == *self.layout,
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        self.id
    }
}

/// Decodes `id` with `layout` (a preset name or a `Layout`; default: the
/// default generator's layout, i.e. the configured one, else
/// `SNOWID_LAYOUT`, else Twitter) and returns its parts.
#[pyfunction]
#[pyo3(signature = (id, layout = None))]
pub fn inspect(id: &Bound<'_, PyAny>, layout: Option<&Bound<'_, PyAny>>) -> PyResult<PyParts> {
    let id = id_arg(id)?;
    match layout.filter(|l| !l.is_none()) {
        None => decode(&default_layout()?, id),
        Some(l) => decode(&layout_arg(l)?, id),
    }
}
