//! `snowid.Generator`, `snowid.Stats` and `snowid.testing.ManualClock`.

use std::sync::Arc;

use pyo3::exceptions::{PyMemoryError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use snowid::{
    ClockChoice, Config, Error, ErrorKind, Generator, Layout, LayoutSpec, ManualClock,
    RegressionPolicy,
};

use crate::args::{i64_arg, instant_ms, u64_arg};
use crate::errors::{raise, IntoPyResult};
use crate::layout::{layout_arg, node_values, twitter, PyLayout};

/// Batches at least this long release the GIL while they are filled.
const DETACH_BATCH: usize = 8192;

fn setting_error(setting: &str, value: String, expected: &str) -> PyErr {
    crate::errors::to_py(Error::InvalidSetting {
        setting: setting.to_owned(),
        value,
        expected: expected.to_owned(),
    })
}

/// Generator options shared by `Generator(...)` and `snowid.configure(...)`.
pub struct Options {
    pub layout: Arc<Layout>,
    pub clock: ClockChoice,
    pub clock_name: String,
    pub policy: RegressionPolicy,
    pub max_borrow_ticks: u64,
}

impl Options {
    /// Parses the keyword options (`None`: the default).
    pub fn parse(
        layout: Option<&Bound<'_, PyAny>>,
        epoch: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
        on_regression: Option<&Bound<'_, PyAny>>,
        max_wait_ms: Option<&Bound<'_, PyAny>>,
        max_borrow_ticks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut layout = match layout {
            Some(l) => layout_arg(l)?,
            None => twitter().clone(),
        };
        if let Some(e) = epoch.filter(|e| !e.is_none()) {
            let ms = instant_ms(e, "epoch")?;
            let ms = u64::try_from(ms).map_err(|_| {
                setting_error("epoch", ms.to_string(), "an instant after 1970-01-01")
            })?;
            layout = Arc::new(
                Layout::new(LayoutSpec {
                    epoch_ms: ms,
                    ..layout.spec()
                })
                .py()?,
            );
        }
        let (clock, clock_name) = match clock {
            None => (ClockChoice::Cached, "cached".to_owned()),
            Some(c) => {
                if let Ok(m) = c.cast::<PyManualClock>() {
                    (
                        ClockChoice::Manual(m.get().inner.clone()),
                        "manual".to_owned(),
                    )
                } else if let Ok(s) = c.cast::<PyString>() {
                    match s.to_cow()?.as_ref() {
                        "cached" => (ClockChoice::Cached, "cached".to_owned()),
                        "monotonic" => (ClockChoice::Monotonic, "monotonic".to_owned()),
                        other => {
                            return Err(setting_error(
                                "clock",
                                other.to_owned(),
                                "\"cached\", \"monotonic\" or a snowid.testing.ManualClock",
                            ))
                        }
                    }
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "clock must be \"cached\", \"monotonic\" or a snowid.testing.ManualClock, not {}",
                        c.get_type().name()?
                    )));
                }
            }
        };
        let max_wait = match max_wait_ms {
            Some(m) => u64_arg(m, "max_wait_ms")?,
            None => 1000,
        };
        let policy = match on_regression {
            None => RegressionPolicy::Wait { max_ms: max_wait },
            Some(p) => match p
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err("on_regression must be \"wait\" or \"fail\""))?
                .to_cow()?
                .as_ref()
            {
                "wait" => RegressionPolicy::Wait { max_ms: max_wait },
                "fail" => RegressionPolicy::Fail,
                other => {
                    return Err(setting_error(
                        "on_regression",
                        other.to_owned(),
                        "\"wait\" or \"fail\"",
                    ))
                }
            },
        };
        let max_borrow_ticks = match max_borrow_ticks {
            Some(b) => u64_arg(b, "max_borrow_ticks")?,
            None => 0,
        };
        Ok(Options {
            layout,
            clock,
            clock_name,
            policy,
            max_borrow_ticks,
        })
    }

    /// The core configuration with node values in layout order.
    pub fn config(&self, nodes: &[u64]) -> PyResult<Config> {
        self.config_without_nodes().nodes(nodes).py()
    }

    /// The configuration whose node numbers a node source will fill in.
    pub fn config_without_nodes(&self) -> Config {
        Config::new((*self.layout).clone())
            .on_regression(self.policy)
            .max_borrow_ticks(self.max_borrow_ticks)
            .clock(self.clock.clone())
    }
}

/// `node_source=` of `Generator`: `"local"`, `"env"` or `"k8s"`, with an
/// optional `state_dir=` for slot locks and high-water marks.
fn node_options(
    source: &Bound<'_, PyAny>,
    state_dir: Option<&Bound<'_, PyAny>>,
) -> PyResult<snowid::node::NodeOptions> {
    use snowid::node::{NodeOptions, NodeSource};
    let name: String = source.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "node_source must be a str (\"local\", \"env\" or \"k8s\"), not {}",
            source
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let source = match name.as_str() {
        "local" => NodeSource::Local,
        "env" => NodeSource::Env,
        "k8s" => NodeSource::Kubernetes { hostname: None },
        _ => {
            return Err(snowid::Error::InvalidSetting {
                setting: "node_source".into(),
                value: name,
                expected: "one of \"local\", \"env\", \"k8s\"".into(),
            })
            .py()
        }
    };
    let mut options = NodeOptions::new(source);
    if let Some(dir) = state_dir {
        let path: std::path::PathBuf = dir.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err("state_dir must be a str or os.PathLike")
        })?;
        options.state_dir = path;
    }
    Ok(options)
}

/// A lock-free ID generator for one node. Thread-safe: share one per process
/// (per node numbers) between threads.
///
/// `Generator(*, layout="twitter", epoch=None, clock="cached",
/// on_regression="wait", max_wait_ms=1000, max_borrow_ticks=0, **node_fields)`:
/// node fields by the layout's names (`datacenter=1, worker=7`; `shard=` for
/// Instagram...), every one required.
#[pyclass(frozen, module = "snowid", name = "Generator")]
pub struct PyGenerator {
    inner: Generator,
    layout: Arc<Layout>,
    clock_name: String,
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (*, layout = None, epoch = None, clock = None, on_regression = None, max_wait_ms = None, max_borrow_ticks = None, node_source = None, state_dir = None, **node_fields))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        layout: Option<&Bound<'_, PyAny>>,
        epoch: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
        on_regression: Option<&Bound<'_, PyAny>>,
        max_wait_ms: Option<&Bound<'_, PyAny>>,
        max_borrow_ticks: Option<&Bound<'_, PyAny>>,
        node_source: Option<&Bound<'_, PyAny>>,
        state_dir: Option<&Bound<'_, PyAny>>,
        node_fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let opts = Options::parse(
            layout,
            epoch,
            clock,
            on_regression,
            max_wait_ms,
            max_borrow_ticks,
        )?;
        let inner = match node_source {
            Some(source) => {
                if node_fields.is_some_and(|kw| !kw.is_empty()) {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "give either node_source= or node fields (datacenter=, worker=, ...), not both",
                    ));
                }
                let options = node_options(source, state_dir)?;
                snowid::node::build(opts.config_without_nodes(), &options).py()?
            }
            None => {
                if state_dir.is_some() {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "state_dir= goes with node_source=",
                    ));
                }
                let nodes = node_values(&opts.layout, node_fields, None)?;
                Generator::new(opts.config(&nodes)?).py()?
            }
        };
        Ok(PyGenerator {
            inner,
            layout: opts.layout,
            clock_name: opts.clock_name,
        })
    }

    /// A generator configured like the default one: `SNOWID_LAYOUT`,
    /// `SNOWID_NODE_SOURCE`, `SNOWID_<FIELD>_ID`, `SNOWID_STATE_DIR`... (see
    /// the README); with nothing set, a machine-local slot. Its node numbers
    /// are locked on this machine and a high-water mark is persisted.
    #[staticmethod]
    fn from_env() -> PyResult<Self> {
        let s = snowid::node::settings_from_env().py()?;
        let clock_name = match s.clock {
            ClockChoice::Monotonic => "monotonic",
            _ => "cached",
        };
        let inner =
            snowid::node::build(Config::new(s.layout.clone()).clock(s.clock), &s.options).py()?;
        Ok(PyGenerator {
            inner,
            layout: Arc::new(s.layout),
            clock_name: clock_name.to_owned(),
        })
    }

    /// Where the node numbers came from: `"explicit"`, `"local slot 3 in
    /// ..."`, `"env (datacenter=1, worker=7)"`...
    #[getter]
    fn source(&self) -> String {
        self.inner.source().to_owned()
    }

    /// Issues one ID: unique for this layout and node numbers, greater than
    /// every ID this generator issued before.
    fn next(&self) -> PyResult<u64> {
        self.inner.next_id().py()
    }

    /// `n` consecutive IDs. Fewer only if an error stopped the batch after
    /// some were issued (the next call raises it); raises if none were.
    fn next_batch<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let n = u64_arg(n, "n")?;
        let n = isize::try_from(n)
            .ok()
            .filter(|&n| n <= isize::MAX / 8)
            .ok_or_else(|| PyMemoryError::new_err(format!("cannot allocate a batch of {n} IDs")))?
            as usize;
        // Filled one tick's worth at a time, so turning the IDs of one chunk
        // into Python ints overlaps with waiting for the next tick.
        let chunk = (self.layout.capacity().ids_per_tick as usize)
            .max(1024)
            .min(n);
        let mut buf: Vec<u64> = Vec::new();
        buf.try_reserve_exact(chunk)
            .map_err(|_| PyMemoryError::new_err(format!("cannot allocate a batch of {n} IDs")))?;
        buf.resize(chunk, 0);
        // SAFETY: PyList_New returns a new reference (or NULL with an
        // exception set); the Bound owns it. Its slots start NULL, which the
        // list's destructor tolerates if we stop early.
        let list = unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyList_New(n as isize))? };
        let mut filled = 0usize;
        let mut failure = None;
        while filled < n {
            let want = chunk.min(n - filled);
            let g = &self.inner;
            let out = &mut buf[..want];
            let r = if n >= DETACH_BATCH {
                py.detach(|| g.next_batch(out))
            } else {
                g.next_batch(out)
            };
            let got = match r {
                Ok(got) => got,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            for (k, id) in buf[..got].iter().enumerate() {
                // SAFETY: attached; PyList_SetItem steals the new reference
                // and the index is within the list's length.
                unsafe {
                    let item = pyo3::ffi::PyLong_FromUnsignedLongLong(*id);
                    if item.is_null() {
                        return Err(PyErr::fetch(py));
                    }
                    pyo3::ffi::PyList_SetItem(list.as_ptr(), (filled + k) as isize, item);
                }
            }
            filled += got;
            if got < want {
                break; // the core stopped short: it reports why on the next call
            }
        }
        let list = list.cast_into::<PyList>()?;
        match failure {
            Some(e) if filled == 0 => Err(crate::errors::to_py(e)),
            _ if filled < n => list
                .get_slice(0, filled)
                .cast_into::<PyList>()
                .map_err(Into::into),
            _ => Ok(list),
        }
    }

    /// The layout.
    #[getter]
    fn layout(&self) -> PyLayout {
        PyLayout {
            inner: self.layout.clone(),
        }
    }

    /// Node values by field name.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (f, v) in self.layout.node_fields().zip(self.inner.nodes()) {
            d.set_item(f.name(), *v)?;
        }
        Ok(d)
    }

    /// The counters: IDs issued, overflow waits, clock regressions seen and
    /// the largest, ticks borrowed.
    fn stats(&self) -> PyStats {
        stats_of(self.inner.stats())
    }

    fn __repr__(&self) -> String {
        let nodes: Vec<String> = self
            .layout
            .node_fields()
            .zip(self.inner.nodes())
            .map(|(f, v)| format!("{}={v}", f.name()))
            .collect();
        format!(
            "<snowid.Generator layout={} {} clock={}>",
            self.layout.name(),
            nodes.join(" "),
            self.clock_name
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
}

#[pymethods]
impl PyStats {
    /// The counters as a `dict`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("issued", self.issued)?;
        d.set_item("overflow_waits", self.overflow_waits)?;
        d.set_item("clock_regressions", self.clock_regressions)?;
        d.set_item("largest_regression_ms", self.largest_regression_ms)?;
        d.set_item("borrowed_ticks", self.borrowed_ticks)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Stats(issued={}, overflow_waits={}, clock_regressions={}, largest_regression_ms={}, borrowed_ticks={})",
            self.issued, self.overflow_waits, self.clock_regressions, self.largest_regression_ms, self.borrowed_ticks
        )
    }
}

/// A clock that moves only when told to, for deterministic generators in
/// tests: `Generator(clock=ManualClock(start), ...)`. On it a generator never
/// waits: a spent sequence raises `SequenceExhaustedError`, a clock behind
/// raises `ClockMovedBackwardsError`.
#[pyclass(frozen, module = "snowid.testing", name = "ManualClock")]
pub struct PyManualClock {
    inner: ManualClock,
}

#[pymethods]
impl PyManualClock {
    /// A clock reading `start`: an int of ms since the Unix epoch or an
    /// aware datetime.
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyManualClock {
            inner: ManualClock::new(non_negative(instant_ms(start, "start")?)?),
        })
    }

    /// The current reading in ms since the Unix epoch.
    #[getter]
    fn now_ms(&self) -> u64 {
        self.inner.get()
    }

    /// Sets the time (int ms or aware datetime); it may go backwards.
    fn set(&self, when: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(non_negative(instant_ms(when, "when")?)?);
        Ok(())
    }

    /// Moves the time by `ms` (backwards if negative; stops at 0).
    fn advance(&self, ms: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.advance(i64_arg(ms, "ms")?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<snowid.testing.ManualClock now_ms={}>", self.inner.get())
    }
}

fn non_negative(ms: i64) -> PyResult<u64> {
    u64::try_from(ms).map_err(|_| {
        raise(
            "INVALID_SETTING",
            15,
            ErrorKind::InvalidInput,
            format!("time {ms} ms is before the Unix epoch"),
        )
    })
}
