//! `snowid.Generator`, `snowid.Stats` and `snowid.testing.ManualClock`.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use snowid::env::Environment;
use snowid::options::{resolve_default, GeneratorOptions, Settings};
use snowid::{Generator, Layout, ManualClock};

use crate::errors::IntoPyResult;
use crate::fields::{fields_dict, fields_repr, id_list, node_dict, node_text};
use crate::layout::PyLayout;
use crate::value::{batch_len, instant, key, value};

/// THE conversion of generator keywords (`Generator(...)`, `configure(...)`,
/// the vectors' options): every keyword as given, `None` meaning not given,
/// `epoch` read as an instant. The core decides everything else.
pub fn options(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<GeneratorOptions> {
    let mut o = GeneratorOptions::new();
    for (k, v) in kwargs.into_iter().flatten() {
        if v.is_none() {
            continue;
        }
        let k = key(&k)?;
        let v = if k == "epoch" {
            instant(&v)?
        } else {
            value(&v)?
        };
        o.set(&k, v);
    }
    Ok(o)
}

/// A lock-free ID generator for one node. Thread-safe: share one per process
/// (per node numbers) between threads.
///
/// `Generator(*, layout="twitter", epoch=None, clock="cached",
/// on_regression="wait", max_wait_ms=1000, max_borrow_ticks=0,
/// node_source=None, state_dir=None, protect=True, persist=True,
/// window_ms=1000, random_sequence_start=False, lanes=1, **node_fields)`: node fields by the layout's names
/// (`datacenter=1, worker=7`; `shard=` for Instagram...), every one, or a
/// `node_source`. The rules are the core's (`testdata/OPTIONS.md`).
#[pyclass(frozen, module = "snowid", name = "Generator")]
pub struct PyGenerator {
    // Boxed: the core's types are cache-line aligned (128 bytes), which
    // Python's allocator, which places this object, does not honour.
    inner: Box<Generator>,
    layout: Arc<Layout>,
    clock: &'static str,
}

impl PyGenerator {
    /// `nodes` (one lane's values) by field name.
    fn named<'a>(&'a self, nodes: &'a [u32]) -> impl Iterator<Item = (&'a str, u32)> + 'a {
        self.layout
            .node_fields()
            .map(|f| f.name())
            .zip(nodes.iter().copied())
    }

    /// One ID: what `next()` returns.
    #[inline(always)]
    pub(crate) fn issue(&self) -> snowid::Result<u64> {
        self.inner.next_id()
    }

    /// [`Self::issue`] on the lock-free path only (`None`: it would wait or
    /// reserve).
    #[inline(always)]
    pub(crate) fn try_issue(&self) -> Option<u64> {
        self.inner.try_next_id()
    }

    fn build(py: Python<'_>, settings: Settings) -> PyResult<Self> {
        // Claiming node numbers takes locks and reads the mark (or leases).
        let inner = py.detach(|| settings.build()).py()?;
        Ok(PyGenerator {
            layout: Arc::new(inner.layout().clone()),
            clock: settings.clock_name(),
            inner: Box::new(inner),
        })
    }
}

#[pymethods]
impl PyGenerator {
    #[new]
    // BEGIN GENERATED options:py-generator (make options)
    #[pyo3(signature = (**options), text_signature = "(*, layout=None, epoch=None, clock=None, on_regression=None, max_wait_ms=None, max_borrow_ticks=None, node_source=None, state_dir=None, protect=None, persist=None, window_ms=None, random_sequence_start=None, lanes=None, **node_fields)")]
    // END GENERATED options:py-generator
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let settings = self::options(options)?.resolve().py()?;
        Self::build(py, settings)
    }

    /// A generator configured like the default one with nothing
    /// `configure()`d: `SNOWID_LAYOUT`, `SNOWID_NODE_SOURCE`,
    /// `SNOWID_<FIELD>_ID`, `SNOWID_STATE_DIR`... (see the README); with
    /// nothing set, a machine-local slot.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Self> {
        let settings = resolve_default(None, &Environment::process()).py()?;
        Self::build(py, settings)
    }

    /// Where the node numbers came from: `"explicit"`, `"local slot 3 in
    /// ..."`, `"env (datacenter=1, worker=7)"`...
    #[getter]
    fn source(&self) -> String {
        self.inner.source().to_owned()
    }

    /// Issues one ID: unique for this layout and node numbers, greater than
    /// every ID this generator issued before.
    // At run time `Generator.next` is `raw::generator_next_raw`, which calls
    // the same `issue`; this item keeps the method's signature for pyo3.
    fn next(&self) -> PyResult<u64> {
        self.issue().py()
    }

    /// `n` consecutive IDs. Fewer only if an error stopped the batch after
    /// some were issued (the next call raises it); raises if none were.
    fn next_batch<'py>(&self, n: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let per_tick = self.layout.capacity().ids_per_tick as usize;
        id_list(n.py(), batch_len(n)?, per_tick, |out| {
            self.inner.next_batch(out)
        })
    }

    /// The layout.
    #[getter]
    fn layout(&self) -> PyLayout {
        PyLayout {
            inner: self.layout.clone(),
        }
    }

    /// Node values by field name (lane 0's; see `lane_nodes`).
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        node_dict(py, self.named(self.inner.nodes()))
    }

    /// Every lane's node values by field name, lane 0 first (one `dict`
    /// per lane: `lanes=4` holds 4 node numbers).
    #[getter]
    fn lane_nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let lanes = self.inner.lane_nodes();
        let dicts = lanes
            .iter()
            .map(|nodes| node_dict(py, self.named(nodes)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, dicts)
    }

    /// Whether the generator can issue now, without issuing (for your own
    /// readiness probe): returns `None` when the next ID of every lane would
    /// be issued, else raises the error that ID would raise
    /// (`BehindHighWaterError`, `LeaseLostError`,
    /// `ClockMovedBackwardsError`...). Takes no ID and moves no counter; like
    /// the next ID, it may first extend the reservation (one mark write or
    /// lease check per window), without holding the GIL.
    fn ready(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.ready()).py()
    }

    /// The counters: IDs issued, overflow waits, clock regressions seen and
    /// the largest, ticks borrowed; and the clock's current skew.
    fn stats(&self) -> PyStats {
        stats_of(self.inner.stats())
    }

    fn __repr__(&self) -> String {
        let lanes = self.inner.lane_nodes();
        let nodes = match lanes.as_slice() {
            [one] => node_text(self.named(one), " "),
            all => {
                let each: Vec<String> = all.iter().map(|n| node_text(self.named(n), " ")).collect();
                format!("lanes=[{}]", each.join(", "))
            }
        };
        format!(
            "<snowid.Generator layout={} {nodes} clock={}>",
            self.layout.name(),
            self.clock
        )
    }
}

pub fn stats_of(s: snowid::Stats) -> PyStats {
    PyStats {
        issued: s.issued,
        overflow_waits: s.overflow_waits,
        clock_regressions: s.clock_regressions,
        largest_regression_ms: s.largest_regression_ms,
        borrowed_ticks: s.borrowed_ticks,
        skew_ms: s.skew_ms,
        runway_s: s.runway_s,
        nodes_total: s.nodes_total,
        nodes_in_use: s.nodes_in_use,
        nodes_free: s.nodes_free,
        lease_ttl_left_ms: s.lease_ttl_left_ms,
    }
}

/// A generator's counters (a snapshot).
#[pyclass(frozen, get_all, module = "snowid", name = "Stats")]
pub struct PyStats {
    /// IDs issued.
    issued: u64,
    /// Times a call found its tick's sequence used up and waited.
    overflow_waits: u64,
    /// Calls that found the clock behind the last issued tick.
    clock_regressions: u64,
    /// Largest such regression, in ms.
    largest_regression_ms: u64,
    /// Ticks issued ahead of the clock (borrowing).
    borrowed_ticks: u64,
    /// Wall clock minus the generator's clock, in ms, when `stats()` was
    /// called (0 on a ManualClock). Alert when `abs(skew_ms) > 100`.
    skew_ms: i64,
    /// Seconds from the generator's clock to the layout's last timestamp
    /// (0 once there: every call then fails). Alert a year ahead.
    runway_s: u64,
    /// Node identities in the layout's ID space.
    nodes_total: u64,
    /// Node numbers this generator holds (one per lane).
    nodes_in_use: u64,
    /// `nodes_total - nodes_in_use`; across a fleet alert on
    /// `nodes_total - sum(nodes_in_use)`.
    nodes_free: u64,
    /// Milliseconds before the node-number lease's deadline (the lowest of
    /// the lanes); `None` when the node numbers are not leased.
    lease_ttl_left_ms: Option<u64>,
}

#[pymethods]
impl PyStats {
    /// The counters as a `dict`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        fields_dict!(py, self; issued, overflow_waits, clock_regressions, largest_regression_ms, borrowed_ticks, skew_ms, runway_s, nodes_total, nodes_in_use, nodes_free, lease_ttl_left_ms)
    }

    fn __repr__(&self) -> String {
        let head = fields_repr!("Stats", self; issued, overflow_waits, clock_regressions, largest_regression_ms, borrowed_ticks, skew_ms, runway_s, nodes_total, nodes_in_use, nodes_free);
        let lease = self
            .lease_ttl_left_ms
            .map_or("None".into(), |ms| ms.to_string());
        format!("{}, lease_ttl_left_ms={lease})", head.trim_end_matches(')'))
    }
}

/// A clock that moves only when told to, for deterministic generators in
/// tests: `Generator(clock=ManualClock(start), ...)`. On it a generator never
/// waits: a spent sequence raises `SequenceExhaustedError`, a clock behind
/// raises `ClockMovedBackwardsError`.
#[pyclass(frozen, module = "snowid.testing", name = "ManualClock")]
pub struct PyManualClock {
    pub inner: ManualClock,
}

#[pymethods]
impl PyManualClock {
    /// A clock reading `start`: an int of ms since the Unix epoch or an
    /// aware datetime.
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyManualClock {
            inner: ManualClock::new(instant(start)?.clock_ms("start").py()?),
        })
    }

    /// The current reading in ms since the Unix epoch.
    #[getter]
    fn now_ms(&self) -> u64 {
        self.inner.get()
    }

    /// Sets the time (int ms or aware datetime); it may go backwards.
    fn set(&self, when: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(instant(when)?.clock_ms("when").py()?);
        Ok(())
    }

    /// Moves the time by `ms` (backwards if negative; stops at 0).
    fn advance(&self, ms: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.advance(value(ms)?.clock_step_ms("ms").py()?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<snowid.testing.ManualClock now_ms={}>", self.inner.get())
    }
}

// Python's allocator places pyclass objects at 16-byte alignment; a field
// aligned more strictly (the core's cache-line padded atomics) would be
// misaligned (undefined behaviour; a debug build aborts). Box such fields.
const _: () = {
    const PY_ALIGN: usize = 16;
    assert!(std::mem::align_of::<PyGenerator>() <= PY_ALIGN);
    assert!(std::mem::align_of::<crate::segment::PySegment>() <= PY_ALIGN);
    assert!(std::mem::align_of::<crate::wide::PyWideGenerator>() <= PY_ALIGN);
    assert!(std::mem::align_of::<PyManualClock>() <= PY_ALIGN);
};
