//! `Generator`, `ManualClock` and the option objects that configure them.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::options::GeneratorOptions;
use snowid::{Encoding, Value, MAX_ENCODED_LEN};

use crate::error::{core, OrThrow};
use crate::js::{self, Dates, Js};
use crate::layout::Layout;

/// A decimal ID returned as a JS string without a heap allocation.
pub struct DecimalId(pub u64);

impl TypeName for DecimalId {
    fn type_name() -> &'static str {
        "string"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for DecimalId {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let mut buf = [0u8; MAX_ENCODED_LEN];
        let s = Encoding::Decimal.encode_into(val.0, &mut buf);
        let mut v = std::ptr::null_mut();
        // SAFETY: `s` is ASCII and valid for its length; env is live.
        let st = unsafe {
            sys::napi_create_string_latin1(env, s.as_ptr().cast(), s.len() as isize, &mut v)
        };
        if st != sys::Status::napi_ok {
            return Err(Error::from_reason("could not create a string"));
        }
        Ok(v)
    }
}

/// An options object as the core's options: every own key as written
/// (`maxWaitMs`, `worker`...) with its value; `undefined` and `null` values
/// are options not given. `None` when no object was passed at all.
pub fn options_of(env: &Env, v: Option<sys::napi_value>) -> Result<Option<GeneratorOptions>> {
    let Some(v) = v else { return Ok(None) };
    if js::is_nullish(env, v)? {
        return Ok(None);
    }
    if !js::is_record(env, v)? {
        let got = js::arg(env, v, Dates::Object)?;
        return Err(core(env, got.wrong_type("options", "an object of options")));
    }
    let mut o = GeneratorOptions::new();
    for (key, val) in js::entries(env, v)? {
        // `epoch` is the one option that is an instant: a Date is its ms.
        let dates = if key == "epoch" {
            Dates::Instant
        } else {
            Dates::Object
        };
        if let Some(val) = js::value(env, val, dates)? {
            o.set(&key, val);
        }
    }
    Ok(Some(o))
}

/// A clock that moves only when told to, for deterministic tests: the same
/// options and clock moves give the same IDs in every language. A generator
/// on a manual clock never waits: a used-up tick throws
/// `SNOWID_SEQUENCE_EXHAUSTED`, a clock behind throws
/// `SNOWID_CLOCK_MOVED_BACKWARDS`.
#[napi]
pub struct ManualClock {
    pub(crate) inner: snowid::ManualClock,
}

/// A clock reading in ms: a Date, a number up to 2^53 or a bigint, >= 0.
fn clock_ms(env: &Env, v: Unknown, name: &str) -> Result<u64> {
    js::arg(env, v.raw(), Dates::Instant)?
        .clock_ms(name)
        .or_throw(env)
}

#[napi]
impl ManualClock {
    /// A clock reading `start` (a Date, or ms since the Unix epoch as a
    /// number or a bigint: use a bigint above 2^53).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "start: Date | number | bigint"
    )]
    pub fn new(env: Env, start: Unknown) -> Result<Self> {
        Ok(ManualClock {
            inner: snowid::ManualClock::new(clock_ms(&env, start, "start")?),
        })
    }

    /// Sets the time (it may go backwards).
    #[napi(catch_unwind, ts_args_type = "time: Date | number | bigint")]
    pub fn set(&self, env: Env, time: Unknown) -> Result<()> {
        self.inner.set(clock_ms(&env, time, "time")?);
        Ok(())
    }

    /// Moves the time by `ms` (backwards if negative; stops at 0).
    #[napi(catch_unwind, ts_args_type = "ms: number | bigint")]
    pub fn advance(&self, env: Env, ms: Unknown) -> Result<()> {
        let ms = js::arg(&env, ms.raw(), Dates::Object)?
            .clock_step_ms("ms")
            .or_throw(&env)?;
        self.inner.advance(ms);
        Ok(())
    }

    /// The current reading, in ms since the Unix epoch: a number, or a
    /// bigint above 2^53 - 1.
    #[napi(catch_unwind, ts_return_type = "number | bigint")]
    pub fn now(&self, env: Env) -> Result<Js> {
        Ok(Js(js::exact(&env, self.inner.get())?))
    }
}

/// An ID generator for one node (layout + node numbers). Lock-free; IDs
/// increase and never repeat for this layout and node.
///
/// A `Generator` object belongs to the thread (main or worker) that made
/// it. To share one across `worker_threads`, use the module-level
/// `next()` (one generator per process), or give each thread its own node
/// number.
#[napi]
pub struct Generator {
    inner: snowid::Generator,
}

// `next()` and `nextString()` are these raw callbacks at run time.
impl crate::raw::FastIssue for Generator {
    const EXPECTED: &'static str = "a Generator";
    type Core = snowid::Generator;
    #[inline(always)]
    fn issuer(&self) -> &snowid::Generator {
        &self.inner
    }
}

#[napi]
impl Generator {
    /// `new Generator(options)`, the options typed below and node fields by
    /// the layout's names: every key goes to the core's options builder as
    /// written (camelCase or snake_case); the rules are the core's
    /// (`testdata/OPTIONS.md`).
    ///
    /// - `layout`: a `Layout` or a preset name (default `'twitter'`).
    /// - `epoch`: a `Date` or ms; replaces the layout's epoch.
    /// - node fields by the layout's names (`datacenter`, `worker`,
    ///   `shard`...): all of them, or a `nodeSource` instead.
    /// - `clock`: `'cached'` (default, ~1 ns per read), `'monotonic'`
    ///   (exact), or a `ManualClock` for tests.
    /// - `onRegression`: `'wait'` (default, up to `maxWaitMs`, 1000) or
    ///   `'fail'` (throw `SNOWID_CLOCK_MOVED_BACKWARDS` at once).
    /// - `maxBorrowTicks`: ticks the generator may run ahead of the clock
    ///   when a tick's sequence is used up (default 0: wait).
    /// - `protect` (default `true`; `false` with a `ManualClock`): lock the
    ///   node numbers on this machine and keep a high-water mark, so a
    ///   second live generator with them throws `SNOWID_NODE_IN_USE`.
    #[napi(constructor, catch_unwind, ts_args_type = "options?: GeneratorOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        let o = options_of(&env, options.map(|o| o.raw()))?.unwrap_or_default();
        Ok(Generator {
            inner: o.build().or_throw(&env)?,
        })
    }

    /// A generator configured like the default one, from `SNOWID_LAYOUT`,
    /// `SNOWID_NODE_SOURCE`, `SNOWID_<FIELD>_ID`, `SNOWID_STATE_DIR`...;
    /// with nothing set, a machine-local slot. Its node numbers are locked
    /// on this machine and a high-water mark is persisted.
    #[napi(factory, catch_unwind)]
    pub fn from_env(env: Env) -> Result<Self> {
        let settings = snowid::options::resolve_default(None, &snowid::env::Environment::process());
        Ok(Generator {
            inner: settings.and_then(|s| s.build()).or_throw(&env)?,
        })
    }

    /// Where the node numbers came from: `'explicit'`, `'local slot 3 in
    /// ...'`, `'env (datacenter=1, worker=7)'`...
    #[napi(getter)]
    pub fn source(&self) -> String {
        self.inner.source().to_owned()
    }

    /// The next ID, as a bigint.
    // At run time this is a raw callback (see `raw`, `default::fast_exports`),
    // which calls the same core function.
    #[napi(catch_unwind)]
    pub fn next(&self, env: Env) -> Result<u64> {
        next(&env, &self.inner)
    }

    /// The next ID, as a decimal string (for JSON).
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn next_string(&self, env: Env) -> Result<DecimalId> {
        next_string(&env, &self.inner)
    }

    /// `n` consecutive IDs in one call (at most 2^24, the batch limit of
    /// every snowid language). Shorter than `n` only if an error stopped it
    /// after some IDs were issued (the next call throws it).
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "BigUint64Array"
    )]
    pub fn next_batch(&self, env: Env, n: Unknown) -> Result<Js> {
        batch(&env, &self.inner, n)
    }

    /// Whether the generator can issue now, without issuing (for your own
    /// readiness probe): returns when the next ID of every lane would be
    /// issued, else throws the error that ID would throw (`code`
    /// `SNOWID_BEHIND_HIGH_WATER`, `SNOWID_LEASE_LOST`,
    /// `SNOWID_CLOCK_MOVED_BACKWARDS`...). Takes no ID and moves no counter;
    /// like the next ID, it may first extend the reservation (one mark write
    /// or lease check per window).
    #[napi(catch_unwind)]
    pub fn ready(&self, env: Env) -> Result<()> {
        self.inner.ready().or_throw(&env)
    }

    /// Counters: IDs issued, overflow waits, clock regressions seen, largest
    /// regression (ms), ticks borrowed; and `skewMs`, the wall clock minus
    /// the generator's clock in ms now (0 on a ManualClock; alert when
    /// `Math.abs(skewMs) > 100`). What an operator alarms on: `runwayS`
    /// (seconds to the layout's last timestamp), `nodesTotal`, `nodesInUse`
    /// (this generator's lanes), `nodesFree` and `leaseTtlLeftMs` (ms before
    /// the node-number lease's deadline; `null` without a lease).
    #[napi(
        catch_unwind,
        ts_return_type = "{ issued: number, overflowWaits: number, clockRegressions: number, largestRegressionMs: number, borrowedTicks: number, skewMs: number, runwayS: number, nodesTotal: number, nodesInUse: number, nodesFree: number, leaseTtlLeftMs: number | null }"
    )]
    pub fn stats(&self, env: Env) -> Result<Js> {
        stats_to_js(&env, &self.inner.stats())
    }

    /// The layout.
    #[napi(getter)]
    pub fn layout(&self) -> Layout {
        Layout {
            inner: self.inner.layout().clone(),
        }
    }

    /// Node values by field name (lane 0's with `lanes > 1`; see
    /// `laneNodes`).
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, number>")]
    pub fn nodes(&self, env: Env) -> Result<Js> {
        nodes_to_js(&env, &self.inner)
    }

    /// Every lane's node values by field name, lane 0 first (one entry
    /// without `lanes`).
    #[napi(getter, catch_unwind, ts_return_type = "Array<Record<string, number>>")]
    pub fn lane_nodes(&self, env: Env) -> Result<Js> {
        let layout = self.inner.layout();
        let lanes = self
            .inner
            .lane_nodes()
            .into_iter()
            .map(|nodes| node_object(&env, layout, nodes))
            .collect::<Result<Vec<_>>>()?;
        Ok(Js(js::new_array(&env, &lanes)?))
    }
}

/// A generator's node values (lane 0's) by field name.
pub fn nodes_to_js(env: &Env, g: &snowid::Generator) -> Result<Js> {
    Ok(Js(node_object(env, g.layout(), g.nodes())?))
}

fn node_object(env: &Env, layout: &snowid::Layout, nodes: &[u32]) -> Result<sys::napi_value> {
    let o = js::new_object(env)?;
    for (f, v) in layout.node_fields().zip(nodes) {
        js::set(env, o, f.name(), js::num(env, (*v).into())?)?;
    }
    Ok(o)
}

pub fn stats_to_js(env: &Env, s: &snowid::Stats) -> Result<Js> {
    let o = js::new_object(env)?;
    let fields = [
        ("issued", s.issued as f64),
        ("overflowWaits", s.overflow_waits as f64),
        ("clockRegressions", s.clock_regressions as f64),
        ("largestRegressionMs", s.largest_regression_ms as f64),
        ("borrowedTicks", s.borrowed_ticks as f64),
        ("skewMs", s.skew_ms as f64),
        ("runwayS", s.runway_s as f64),
        ("nodesTotal", s.nodes_total as f64),
        ("nodesInUse", s.nodes_in_use as f64),
        ("nodesFree", s.nodes_free as f64),
    ];
    for (k, v) in fields {
        js::set(env, o, k, js::num(env, v)?)?;
    }
    let lease = match s.lease_ttl_left_ms {
        Some(ms) => js::num(env, ms as f64)?,
        None => js::null(env)?,
    };
    js::set(env, o, "leaseTtlLeftMs", lease)?;
    Ok(Js(o))
}

/// What `next()`, `nextString()` and `nextBatch(n)` ask of a core type
/// (`Generator`, `Segment`).
pub trait Issue {
    /// One ID.
    fn one(&self) -> snowid::Result<u64>;
    /// Fills a prefix of `buf` and returns its length; an error only when
    /// nothing was written.
    fn fill_prefix(&self, buf: &mut [u64]) -> snowid::Result<usize>;
}

impl Issue for snowid::Generator {
    #[inline(always)]
    fn one(&self) -> snowid::Result<u64> {
        self.next_id()
    }
    fn fill_prefix(&self, buf: &mut [u64]) -> snowid::Result<usize> {
        self.next_batch(buf)
    }
}

impl Issue for snowid::Segment {
    #[inline(always)]
    fn one(&self) -> snowid::Result<u64> {
        self.next_id()
    }
    fn fill_prefix(&self, buf: &mut [u64]) -> snowid::Result<usize> {
        self.fill(buf).map(|()| buf.len())
    }
}

/// `next()`: one ID as a bigint.
pub fn next(env: &Env, g: &impl Issue) -> Result<u64> {
    g.one().or_throw(env)
}

/// `nextString()`: one ID as a decimal string.
pub fn next_string(env: &Env, g: &impl Issue) -> Result<DecimalId> {
    Ok(DecimalId(g.one().or_throw(env)?))
}

/// `nextBatch(n)`: `n` checked by the core (`snowid::MAX_BATCH`) before
/// anything is allocated.
pub fn batch(env: &Env, g: &impl Issue, n: Unknown) -> Result<Js> {
    let n: Value = js::arg(env, n.raw(), Dates::Object)?;
    let n = snowid::value::batch_len(&n).or_throw(env)?;
    let arr = js::biguint64_array(env, n, |buf| g.fill_prefix(buf).or_throw(env))?;
    Ok(Js(arr))
}
