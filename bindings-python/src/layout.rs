//! `snowid.Layout`, `snowid.Parts`, `snowid.Capacity` and `snowid.inspect`.

use std::sync::{Arc, OnceLock};

use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use snowid::{Error, ErrorKind, FieldKind, FieldSpec, Layout, LayoutSpec, Parts};

use crate::args::{instant_ms, ms_to_datetime, u64_arg};
use crate::errors::{raise, IntoPyResult};

/// The four presets, built once.
fn presets() -> &'static [Arc<Layout>; 4] {
    static PRESETS: OnceLock<[Arc<Layout>; 4]> = OnceLock::new();
    PRESETS.get_or_init(|| {
        [
            Arc::new(Layout::twitter()),
            Arc::new(Layout::discord()),
            Arc::new(Layout::instagram()),
            Arc::new(Layout::sonyflake()),
        ]
    })
}

/// A preset by name (case-insensitive), without allocating.
pub fn preset(name: &str) -> Result<Arc<Layout>, Error> {
    let p = presets();
    let i = ["twitter", "discord", "instagram", "sonyflake"]
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name));
    match i {
        Some(i) => Ok(p[i].clone()),
        None => Layout::preset(name).map(Arc::new),
    }
}

/// The twitter preset (the default layout).
pub fn twitter() -> &'static Arc<Layout> {
    &presets()[0]
}

/// A layout argument: a preset name or a `Layout`.
pub fn layout_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<Layout>> {
    if let Ok(l) = obj.cast::<PyLayout>() {
        return Ok(l.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return preset(&s.to_cow()?).py();
    }
    Err(PyTypeError::new_err(format!(
        "layout must be a preset name (str) or a snowid.Layout, not {}",
        obj.get_type().name()?
    )))
}

/// Node values from keyword arguments, in layout order. An unknown name or
/// a missing field raises (both are `TypeError` as well as `ValueError`);
/// `missing` is the value of an absent field, if absent fields are allowed.
pub fn node_values(
    layout: &Layout,
    kwargs: Option<&Bound<'_, PyDict>>,
    missing: Option<u64>,
) -> PyResult<Vec<u64>> {
    let mut values: Vec<Option<u64>> = vec![None; layout.node_count()];
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let name = k.cast::<PyString>()?.to_cow()?.into_owned();
            let i = layout.node_index(&name).py()?;
            values[i] = Some(u64_arg(&v, &name)?);
        }
    }
    layout
        .node_fields()
        .zip(values)
        .map(|(f, v)| {
            let v = match (v, missing) {
                (Some(v), _) => v,
                (None, Some(m)) => m,
                (None, None) => {
                    return Err(Error::MissingField {
                        field: f.name().to_owned(),
                        layout: layout.name().to_owned(),
                        max: f.max(),
                    })
                    .py()
                }
            };
            if v > f.max() {
                return Err(Error::FieldOutOfRange {
                    field: f.name().to_owned(),
                    got: v,
                    max: f.max(),
                })
                .py();
            }
            Ok(v)
        })
        .collect()
}

fn kind_of(name: &str) -> PyResult<FieldKind> {
    match name {
        "timestamp" => Ok(FieldKind::Timestamp),
        "sequence" => Ok(FieldKind::Sequence),
        "node" => Ok(FieldKind::Node),
        other => Err(raise(
            "INVALID_SETTING",
            15,
            ErrorKind::InvalidInput,
            format!(
                "field kind {other:?} is invalid; expected \"timestamp\", \"node\" or \"sequence\""
            ),
        )),
    }
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
    #[pyo3(signature = (name, fields, *, epoch, tick_ms = None, sign_bit = true), text_signature = "(name, fields, *, epoch, tick_ms=1, sign_bit=True)")]
    fn new(
        name: &str,
        fields: &Bound<'_, PyAny>,
        epoch: &Bound<'_, PyAny>,
        tick_ms: Option<&Bound<'_, PyAny>>,
        sign_bit: bool,
    ) -> PyResult<Self> {
        let mut specs = Vec::new();
        for item in fields.try_iter()? {
            let item = item?;
            let bad = || {
                PyTypeError::new_err(
                    "each field must be a tuple (name, bits) or (name, bits, kind)",
                )
            };
            let t = item.cast::<PyTuple>().map_err(|_| bad())?;
            let fname: String = match t.len() {
                2 | 3 => t.get_item(0)?.extract()?,
                _ => return Err(bad()),
            };
            let bits = u64_arg(&t.get_item(1)?, "bits")?;
            let bits = u32::try_from(bits).unwrap_or(u32::MAX);
            specs.push(if t.len() == 2 {
                FieldSpec::inferred(&fname, bits)
            } else {
                FieldSpec::new(&fname, bits, kind_of(&t.get_item(2)?.extract::<String>()?)?)
            });
        }
        let epoch_ms = instant_ms(epoch, "epoch")?;
        let epoch_ms = u64::try_from(epoch_ms).map_err(|_| {
            raise(
                "INVALID_SETTING",
                15,
                ErrorKind::InvalidInput,
                format!("epoch {epoch_ms} ms is before the Unix epoch"),
            )
        })?;
        let tick_ms = tick_ms
            .map(|t| u64_arg(t, "tick_ms"))
            .transpose()?
            .unwrap_or(1);
        let layout = Layout::new(LayoutSpec {
            name: name.to_owned(),
            fields: specs,
            epoch_ms,
            tick_ms,
            sign_bit,
        })
        .py()?;
        Ok(PyLayout {
            inner: Arc::new(layout),
        })
    }

    /// A preset by name: `"twitter"`, `"discord"`, `"instagram"`,
    /// `"sonyflake"` (case-insensitive).
    #[staticmethod]
    fn preset(name: &str) -> PyResult<Self> {
        Ok(PyLayout {
            inner: preset(name).py()?,
        })
    }

    /// Twitter (the default): sign bit, 41 bits of ms, 5 datacenter,
    /// 5 worker, 12 sequence; epoch 2010-11-04T01:42:54.657Z.
    #[staticmethod]
    fn twitter() -> Self {
        PyLayout {
            inner: presets()[0].clone(),
        }
    }

    /// Discord: 42 bits of ms, 5 worker, 5 process, 12 increment;
    /// epoch 2015-01-01T00:00:00Z.
    #[staticmethod]
    fn discord() -> Self {
        PyLayout {
            inner: presets()[1].clone(),
        }
    }

    /// Instagram: 41 bits of ms, 13 shard, 10 sequence;
    /// epoch 2011-08-24T21:07:01.721Z.
    #[staticmethod]
    fn instagram() -> Self {
        PyLayout {
            inner: presets()[2].clone(),
        }
    }

    /// Sonyflake: sign bit, 39 bits of 10 ms ticks, 8 sequence, 16 machine;
    /// epoch 2014-09-01T00:00:00Z.
    #[staticmethod]
    fn sonyflake() -> Self {
        PyLayout {
            inner: presets()[3].clone(),
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
        decode(&self.inner, u64_arg(id, "id")?)
    }

    /// Builds an ID: `timestamp` (int ms or aware datetime; rounded down to
    /// its tick), `sequence`, and every node field by name.
    #[pyo3(signature = (*, timestamp, sequence = None, **nodes))]
    fn compose(
        &self,
        timestamp: &Bound<'_, PyAny>,
        sequence: Option<&Bound<'_, PyAny>>,
        nodes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<u64> {
        let l = &self.inner;
        let ms = instant_ms(timestamp, "timestamp")?;
        let sequence = match sequence {
            Some(s) => u64_arg(s, "sequence")?,
            None => 0,
        };
        let values = node_values(l, nodes, None)?;
        let mut parts = Parts {
            timestamp_ms: 0,
            tick: l.tick_of(ms).py()?,
            sequence,
            nodes: [0; snowid::MAX_NODE_FIELDS],
        };
        for (slot, v) in parts.nodes.iter_mut().zip(&values) {
            *slot = *v as u32; // checked against the field width above
        }
        l.compose_tick(parts.tick, parts.sequence, &parts.nodes[..l.node_count()])
            .py()
    }

    /// Smallest ID any node can issue in the tick holding `when` (int ms or
    /// aware datetime): `WHERE id >= layout.min_id_at(start)`.
    fn min_id_at(&self, when: &Bound<'_, PyAny>) -> PyResult<u64> {
        self.inner.min_id_at(instant_ms(when, "when")?).py()
    }

    /// Largest ID any node can issue in the tick holding `when`:
    /// `WHERE id <= layout.max_id_at(end)`.
    fn max_id_at(&self, when: &Bound<'_, PyAny>) -> PyResult<u64> {
        self.inner.max_id_at(instant_ms(when, "when")?).py()
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
        format!(
            "Capacity(lifespan_ms={}, end_ms={}, ids_per_tick={}, ids_per_second_per_node={}, nodes={})",
            self.lifespan_ms, self.end_ms, self.ids_per_tick, self.ids_per_second_per_node, self.nodes
        )
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
        let d = PyDict::new(py);
        for (k, v) in self.node_pairs() {
            d.set_item(k, v)?;
        }
        Ok(d)
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

/// Decodes `id` with `layout` (a preset name or a `Layout`; default
/// `"twitter"`) and returns its parts.
#[pyfunction]
#[pyo3(signature = (id, layout = None), text_signature = "(id, layout='twitter')")]
pub fn inspect(id: &Bound<'_, PyAny>, layout: Option<&Bound<'_, PyAny>>) -> PyResult<PyParts> {
    let id = u64_arg(id, "id")?;
    match layout {
        None => decode(twitter(), id),
        Some(l) => decode(&layout_arg(l)?, id),
    }
}
