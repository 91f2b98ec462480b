//! `Generator`, `ManualClock`, the process-wide default generator and the
//! option objects that configure them.

use std::sync::{Mutex, OnceLock};

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::{ClockChoice, Config, Encoding, RegressionPolicy, MAX_ENCODED_LEN};

use crate::error::{core, range_error, type_error, OrThrow};
use crate::js::{self, Js};
use crate::layout::{layout_arg, preset_static, Layout};

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

/// Which clock an options object asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClockKind {
    Cached,
    Monotonic,
    Manual,
}

/// Generator options read from JS, before the layout's node fields are
/// resolved (see [`build_config`]).
#[derive(Clone, Default)]
pub struct Options {
    layout: Option<snowid::Layout>,
    epoch_ms: Option<i64>,
    nodes: Vec<(String, u64)>,
    clock: Option<ClockChoice>,
    policy: Option<RegressionPolicy>,
    max_borrow_ticks: Option<u64>,
    node_source: Option<snowid::node::NodeSource>,
    state_dir: Option<String>,
}

const OPTION_KEYS: &[&str] = &[
    "layout",
    "epoch",
    "clock",
    "onRegression",
    "maxWaitMs",
    "maxBorrowTicks",
    "nodeSource",
    "stateDir",
];

/// Reads an options object (`undefined` -> defaults). Keys that are not
/// options must be node fields of the layout, else `TypeError`.
fn options_from_js(
    env: &Env,
    v: Option<sys::napi_value>,
    default_layout: impl FnOnce() -> snowid::Result<snowid::Layout>,
) -> Result<Options> {
    let Some(v) = v else {
        return Ok(Options::default());
    };
    if js::is_undefined(env, v)? {
        return Ok(Options::default());
    }
    js::object_arg(env, v, "options")?;
    let mut o = Options::default();
    if let Some(l) = js::get(env, v, "layout")? {
        o.layout = Some(layout_arg(env, l)?);
    }
    let layout = match &o.layout {
        Some(l) => l.clone(),
        None => default_layout().or_throw(env)?,
    };
    let mut policy_name = None;
    let mut max_wait = None;
    for key in js::own_keys(env, v)? {
        let Some(val) = js::get(env, v, &key)? else {
            continue;
        };
        match key.as_str() {
            "layout" => {}
            "epoch" => o.epoch_ms = Some(js::time_arg(env, val, "options.epoch")?),
            "clock" => o.clock = Some(clock_arg(env, val)?),
            "onRegression" => {
                let s = js::str_arg(env, val, "options.onRegression")?;
                if s != "wait" && s != "fail" {
                    return Err(range_error(
                        env,
                        format!("options.onRegression = {s:?}; expected 'wait' or 'fail'"),
                    ));
                }
                policy_name = Some(s);
            }
            "maxWaitMs" => max_wait = Some(js::uint_arg(env, val, "options.maxWaitMs")?),
            "maxBorrowTicks" => {
                o.max_borrow_ticks = Some(js::uint_arg(env, val, "options.maxBorrowTicks")?)
            }
            "nodeSource" => {
                use snowid::node::NodeSource;
                o.node_source = Some(
                    match js::str_arg(env, val, "options.nodeSource")?.as_str() {
                        "local" => NodeSource::Local,
                        "env" => NodeSource::Env,
                        "k8s" => NodeSource::Kubernetes { hostname: None },
                        other => {
                            return Err(range_error(
                                env,
                                format!(
                                "options.nodeSource = {other:?}; expected 'local', 'env' or 'k8s'"
                            ),
                            ))
                        }
                    },
                )
            }
            "stateDir" => o.state_dir = Some(js::str_arg(env, val, "options.stateDir")?),
            name => {
                if layout.node_index(name).is_err() {
                    return Err(type_error(
                        env,
                        format!(
                            "unknown option `{name}`; options are {} and the node fields of layout `{}`: {}",
                            OPTION_KEYS.join(", "),
                            layout.name(),
                            layout.node_names().join(", ")
                        ),
                    ));
                }
                let n = js::uint_arg(env, val, &format!("options.{name}"))?;
                o.nodes.push((name.to_owned(), n));
            }
        }
    }
    o.policy = match (policy_name.as_deref(), max_wait) {
        (Some("fail"), Some(_)) => {
            return Err(type_error(
                env,
                "options.maxWaitMs applies to onRegression: 'wait', not 'fail'",
            ))
        }
        (Some("fail"), None) => Some(RegressionPolicy::Fail),
        (_, Some(ms)) => Some(RegressionPolicy::Wait { max_ms: ms }),
        (Some(_), None) => Some(RegressionPolicy::default()),
        (None, None) => None,
    };
    Ok(o)
}

fn clock_arg(env: &Env, v: sys::napi_value) -> Result<ClockChoice> {
    if js::type_of(env, v)? == sys::ValueType::napi_string {
        return match js::string(env, v)?.as_str() {
            "cached" => Ok(ClockChoice::Cached),
            "monotonic" => Ok(ClockChoice::Monotonic),
            other => Err(range_error(
                env,
                format!(
                    "options.clock = {other:?}; expected 'cached', 'monotonic' or a ManualClock"
                ),
            )),
        };
    }
    // SAFETY: `v` is a live value of the current call.
    let u = unsafe { Unknown::from_raw_unchecked(env.raw(), v) };
    if ManualClock::instance_of(env, &u)? {
        // SAFETY: checked to be a ManualClock.
        let c = unsafe { ClassInstance::<ManualClock>::from_napi_value(env.raw(), v)? };
        return Ok(ClockChoice::Manual(c.inner.clone()));
    }
    Err(type_error(
        env,
        format!(
            "options.clock must be 'cached', 'monotonic' or a ManualClock; got {}",
            js::describe(env, v)
        ),
    ))
}

/// The environment variable for a node field: `SNOWID_<FIELD>_ID`.
fn env_var_for(field: &str) -> String {
    format!("SNOWID_{}_ID", field.to_ascii_uppercase())
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

/// Resolves options into a core `Config`. `from_env`: node fields not in
/// the options come from `SNOWID_<FIELD>_ID` (else 0).
fn build_config(o: Options, layout: snowid::Layout, from_env: bool) -> snowid::Result<Config> {
    let mut config = base_config(&o, layout)?;
    let layout = config.layout.clone();
    fill_nodes(&mut config, &o, &layout, from_env)?;
    Ok(config)
}

/// Layout (with the epoch option), policy, borrowing and clock: everything
/// but the node numbers.
fn base_config(o: &Options, layout: snowid::Layout) -> snowid::Result<Config> {
    let layout = match o.epoch_ms {
        None => layout,
        Some(ms) => {
            let mut spec = layout.spec();
            spec.epoch_ms = u64::try_from(ms).map_err(|_| snowid::Error::InvalidSetting {
                setting: "epoch".into(),
                value: ms.to_string(),
                expected: "an instant at or after the Unix epoch".into(),
            })?;
            snowid::Layout::new(spec)?
        }
    };
    Ok(Config::new(layout)
        .on_regression(o.policy.unwrap_or_default())
        .max_borrow_ticks(o.max_borrow_ticks.unwrap_or(0))
        .clock(o.clock.clone().unwrap_or(ClockChoice::Cached)))
}

fn fill_nodes(
    config: &mut Config,
    o: &Options,
    layout: &snowid::Layout,
    from_env: bool,
) -> snowid::Result<()> {
    for f in layout.node_fields() {
        let given = o.nodes.iter().find(|(n, _)| n == f.name()).map(|(_, v)| *v);
        let value = match given {
            Some(v) => v,
            None if from_env => {
                let var = env_var_for(f.name());
                match env_value(&var) {
                    None => 0,
                    Some(s) => match s.trim().parse::<u64>() {
                        Ok(v) if v <= f.max() => v,
                        _ => {
                            return Err(snowid::Error::InvalidSetting {
                                setting: var,
                                value: s,
                                expected: format!(
                                    "an integer 0..={} (node field `{}` of layout `{}`)",
                                    f.max(),
                                    f.name(),
                                    layout.name()
                                ),
                            })
                        }
                    },
                }
            }
            None => 0,
        };
        config.set_node(f.name(), value)?;
    }
    Ok(())
}

/// The layout of the default generator when none is configured:
/// `SNOWID_LAYOUT` (a preset name) or Twitter.
/// Read once per process, so `inspect()` and the default generator agree.
fn env_layout_ref() -> snowid::Result<&'static snowid::Layout> {
    static ENV_LAYOUT: OnceLock<snowid::Result<&'static snowid::Layout>> = OnceLock::new();
    ENV_LAYOUT
        .get_or_init(|| match env_value("SNOWID_LAYOUT") {
            None => preset_static("twitter"),
            Some(name) => preset_static(&name).map_err(|_| snowid::Error::InvalidSetting {
                setting: "SNOWID_LAYOUT".into(),
                value: name,
                expected: "a preset name: twitter, discord, instagram, sonyflake".into(),
            }),
        })
        .clone()
}

fn env_layout() -> snowid::Result<snowid::Layout> {
    env_layout_ref().cloned()
}

/// The configuration `configure()` gives the default generator: its options
/// first, then `SNOWID_LAYOUT` and `SNOWID_<FIELD>_ID` (e.g.
/// `SNOWID_WORKER_ID`), then node number 0. Without `configure()`, the
/// default generator comes from the core's `node::from_env()` instead.
pub fn default_config(o: Options) -> snowid::Result<Config> {
    let layout = match &o.layout {
        Some(l) => l.clone(),
        None => env_layout()?,
    };
    build_config(o, layout, true)
}

/// What identifies a configuration, to tell a repeated `configure()` apart
/// from a conflicting one.
#[derive(Debug, PartialEq)]
struct Key {
    layout: snowid::Layout,
    nodes: Vec<u32>,
    policy: RegressionPolicy,
    borrow: u64,
    clock: ClockKind,
}

fn key_of(c: &Config) -> snowid::Result<Key> {
    Ok(Key {
        layout: c.layout.clone(),
        nodes: c.node_values()?,
        policy: c.on_regression,
        borrow: c.max_borrow_ticks,
        clock: match c.clock {
            ClockChoice::Cached => ClockKind::Cached,
            ClockChoice::Monotonic => ClockKind::Monotonic,
            ClockChoice::Manual(_) => ClockKind::Manual,
        },
    })
}

struct DefaultGenerator {
    gen: snowid::Generator,
    key: Key,
}

/// One generator per process, shared by every worker thread.
static DEFAULT: OnceLock<DefaultGenerator> = OnceLock::new();
static DEFAULT_INIT: Mutex<()> = Mutex::new(());

/// How the default generator gets its node numbers.
enum Source {
    /// `configure()` settings (node fields not given come from
    /// `SNOWID_<FIELD>_ID`, else 0): locked on this machine and persisted,
    /// like every other source, so a local-slot process never gets them.
    Configured(Box<Config>),
    /// The core's `node::from_env()`: `SNOWID_<FIELD>_ID` numbers (locked on
    /// this machine: a second process with the same numbers fails with
    /// `SNOWID_NODE_IN_USE`) or, with none set, the first free machine-local
    /// slot (`cluster` workers each get their own); both with a persisted
    /// high-water mark.
    Environment,
}

fn install_default(source: Source) -> snowid::Result<&'static DefaultGenerator> {
    let _guard = DEFAULT_INIT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(d) = DEFAULT.get() {
        return Ok(d);
    }
    let (gen, key) = match source {
        Source::Configured(config) => {
            let config = *config;
            let key = key_of(&config)?;
            let nodes = key.nodes.iter().map(|&v| u64::from(v)).collect();
            let options = snowid::node::NodeOptions::new(snowid::node::NodeSource::Explicit(nodes));
            (snowid::node::build(config, &options)?, key)
        }
        Source::Environment => {
            let s = snowid::node::settings_from_env()?;
            let config = Config::new(s.layout.clone()).clock(s.clock.clone());
            let (policy, borrow) = (config.on_regression, config.max_borrow_ticks);
            let gen = snowid::node::build(config, &s.options)?;
            let key = Key {
                layout: s.layout,
                nodes: gen.nodes().to_vec(),
                policy,
                borrow,
                clock: match s.clock {
                    ClockChoice::Monotonic => ClockKind::Monotonic,
                    _ => ClockKind::Cached,
                },
            };
            (gen, key)
        }
    };
    Ok(DEFAULT.get_or_init(|| DefaultGenerator { gen, key }))
}

/// The default generator, created on first use from the environment.
#[inline]
pub fn default_generator(env: &Env) -> Result<&'static snowid::Generator> {
    match DEFAULT.get() {
        Some(d) => Ok(&d.gen),
        None => init_default(env),
    }
}

#[cold]
fn init_default(env: &Env) -> Result<&'static snowid::Generator> {
    Ok(&install_default(Source::Environment).or_throw(env)?.gen)
}

/// Where the default generator's node numbers came from (`"local slot 3
/// in ..."`, `"env (datacenter=1, worker=7)"`, `"explicit (...)"`), or
/// `null` before its first use.
#[napi(catch_unwind)]
pub fn default_source() -> Option<String> {
    DEFAULT.get().map(|d| d.gen.source().to_owned())
}

/// The layout `inspect()` and friends use when given none: the default
/// generator's (without creating it).
pub fn default_layout(env: &Env) -> Result<&'static snowid::Layout> {
    match DEFAULT.get() {
        Some(d) => Ok(d.gen.layout()),
        None => env_layout_ref().or_throw(env),
    }
}

fn stats_to_js(env: &Env, g: &snowid::Generator) -> Result<Js> {
    let s = g.stats();
    let o = js::new_object(env)?;
    js::set(env, o, "issued", js::num(env, s.issued as f64)?)?;
    js::set(
        env,
        o,
        "overflowWaits",
        js::num(env, s.overflow_waits as f64)?,
    )?;
    js::set(
        env,
        o,
        "clockRegressions",
        js::num(env, s.clock_regressions as f64)?,
    )?;
    js::set(
        env,
        o,
        "largestRegressionMs",
        js::num(env, s.largest_regression_ms as f64)?,
    )?;
    js::set(
        env,
        o,
        "borrowedTicks",
        js::num(env, s.borrowed_ticks as f64)?,
    )?;
    Ok(Js(o))
}

fn batch(env: &Env, g: &snowid::Generator, n: Unknown) -> Result<Js> {
    let n = js::uint_arg(env, n.raw(), "n")?;
    // 2^27 IDs = 1 GiB: a bound that keeps a typo from exhausting memory.
    const MAX_BATCH: u64 = 1 << 27;
    if n > MAX_BATCH {
        return Err(range_error(
            env,
            format!("n = {n} is above the batch limit {MAX_BATCH}"),
        ));
    }
    let arr = js::biguint64_array(env, n as usize, |buf| g.next_batch(buf).or_throw(env))?;
    Ok(Js(arr))
}

/// A clock that moves only when told to, for deterministic tests: the same
/// options and clock moves give the same IDs in every language. A generator
/// on a manual clock never waits: a used-up tick throws
/// `SNOWID_SEQUENCE_EXHAUSTED`, a clock behind throws
/// `SNOWID_CLOCK_MOVED_BACKWARDS`.
#[napi]
pub struct ManualClock {
    inner: snowid::ManualClock,
}

#[napi]
impl ManualClock {
    /// A clock reading `start` (a Date or ms since the Unix epoch).
    #[napi(constructor, catch_unwind, ts_args_type = "start: Date | number")]
    pub fn new(env: Env, start: Unknown) -> Result<Self> {
        let ms = js::time_arg(&env, start.raw(), "start")?;
        let ms = u64::try_from(ms)
            .map_err(|_| range_error(&env, format!("start = {ms} ms is before the Unix epoch")))?;
        Ok(ManualClock {
            inner: snowid::ManualClock::new(ms),
        })
    }

    /// Sets the time (it may go backwards).
    #[napi(catch_unwind, ts_args_type = "time: Date | number")]
    pub fn set(&self, env: Env, time: Unknown) -> Result<()> {
        let ms = js::time_arg(&env, time.raw(), "time")?;
        let ms = u64::try_from(ms)
            .map_err(|_| range_error(&env, format!("time = {ms} ms is before the Unix epoch")))?;
        self.inner.set(ms);
        Ok(())
    }

    /// Moves the time by `ms` (backwards if negative; stops at 0).
    #[napi(catch_unwind, ts_args_type = "ms: number")]
    pub fn advance(&self, env: Env, ms: Unknown) -> Result<()> {
        let ms = js::int_arg(&env, ms.raw(), "ms")?;
        self.inner.advance(ms);
        Ok(())
    }

    /// The current reading, in ms since the Unix epoch.
    #[napi]
    pub fn now(&self) -> f64 {
        self.inner.get() as f64
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

#[napi]
impl Generator {
    /// `new Generator({ layout?, epoch?, <nodeField>?, clock?, onRegression?,
    /// maxWaitMs?, maxBorrowTicks? })`.
    ///
    /// - `layout`: a `Layout` or a preset name (default `'twitter'`).
    /// - `epoch`: a `Date` or ms; replaces the layout's epoch.
    /// - node fields by the layout's names (`datacenter`, `worker`,
    ///   `shard`...): default 0.
    /// - `clock`: `'cached'` (default, ~1 ns per read), `'monotonic'`
    ///   (exact), or a `ManualClock` for tests.
    /// - `onRegression`: `'wait'` (default, up to `maxWaitMs`, 1000) or
    ///   `'fail'` (throw `SNOWID_CLOCK_MOVED_BACKWARDS` at once).
    /// - `maxBorrowTicks`: ticks the generator may run ahead of the clock
    ///   when a tick's sequence is used up (default 0: wait).
    ///
    /// Unknown or wrongly typed options throw `TypeError`.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options?: { layout?: Layout | string, epoch?: Date | number, clock?: 'cached' | 'monotonic' | ManualClock, onRegression?: 'wait' | 'fail', maxWaitMs?: number, maxBorrowTicks?: number, nodeSource?: 'local' | 'env' | 'k8s', stateDir?: string, [nodeField: string]: unknown }"
    )]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        let given = options.map(|o| o.raw());
        let o = options_from_js(&env, given, || Ok(snowid::Layout::twitter()))?;
        let layout = o.layout.clone().unwrap_or_default();
        let inner = match o.node_source.clone() {
            Some(source) => {
                if !o.nodes.is_empty() {
                    return Err(type_error(
                        &env,
                        "give either options.nodeSource or node fields (datacenter, worker, ...), not both",
                    ));
                }
                let mut options = snowid::node::NodeOptions::new(source);
                if let Some(dir) = &o.state_dir {
                    options.state_dir = dir.into();
                }
                let config = base_config(&o, layout).or_throw(&env)?;
                snowid::node::build(config, &options).or_throw(&env)?
            }
            None => {
                if o.state_dir.is_some() {
                    return Err(type_error(
                        &env,
                        "options.stateDir goes with options.nodeSource",
                    ));
                }
                let config = build_config(o, layout, false).or_throw(&env)?;
                snowid::Generator::new(config).or_throw(&env)?
            }
        };
        Ok(Generator { inner })
    }

    /// A generator configured like the default one, from `SNOWID_LAYOUT`,
    /// `SNOWID_NODE_SOURCE`, `SNOWID_<FIELD>_ID`, `SNOWID_STATE_DIR`...;
    /// with nothing set, a machine-local slot. Its node numbers are locked
    /// on this machine and a high-water mark is persisted.
    #[napi(factory, catch_unwind)]
    pub fn from_env(env: Env) -> Result<Self> {
        let s = snowid::node::settings_from_env().or_throw(&env)?;
        let config = Config::new(s.layout).clock(s.clock);
        Ok(Generator {
            inner: snowid::node::build(config, &s.options).or_throw(&env)?,
        })
    }

    /// Where the node numbers came from: `'explicit'`, `'local slot 3 in
    /// ...'`, `'env (datacenter=1, worker=7)'`...
    #[napi(getter)]
    pub fn source(&self) -> String {
        self.inner.source().to_owned()
    }

    /// The next ID, as a bigint.
    #[napi(catch_unwind)]
    pub fn next(&self, env: Env) -> Result<u64> {
        self.inner.next_id().or_throw(&env)
    }

    /// The next ID, as a decimal string (for JSON).
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn next_string(&self, env: Env) -> Result<DecimalId> {
        Ok(DecimalId(self.inner.next_id().or_throw(&env)?))
    }

    /// `n` consecutive IDs in one call. Shorter than `n` only if an error
    /// stopped it after some IDs were issued (the next call throws it).
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "BigUint64Array"
    )]
    pub fn next_batch(&self, env: Env, n: Unknown) -> Result<Js> {
        batch(&env, &self.inner, n)
    }

    /// Counters: IDs issued, overflow waits, clock regressions seen, largest
    /// regression (ms), ticks borrowed.
    #[napi(
        catch_unwind,
        ts_return_type = "{ issued: number, overflowWaits: number, clockRegressions: number, largestRegressionMs: number, borrowedTicks: number }"
    )]
    pub fn stats(&self, env: Env) -> Result<Js> {
        stats_to_js(&env, &self.inner)
    }

    /// The layout.
    #[napi(getter)]
    pub fn layout(&self) -> Layout {
        Layout {
            inner: self.inner.layout().clone(),
        }
    }

    /// Node values by field name.
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, number>")]
    pub fn nodes(&self, env: Env) -> Result<Js> {
        let o = js::new_object(&env)?;
        for (f, v) in self.inner.layout().node_fields().zip(self.inner.nodes()) {
            js::set(&env, o, f.name(), js::num(&env, (*v).into())?)?;
        }
        Ok(Js(o))
    }
}

/// Configures the default generator behind `next()` / `nextString()`:
/// same options as `new Generator()` except a manual clock. Node fields not
/// given come from `SNOWID_<FIELD>_ID` (e.g. `SNOWID_WORKER_ID`), then 0;
/// the layout from `SNOWID_LAYOUT`, then Twitter.
///
/// Call it before the first `next()` of the process. Calling it again with
/// the same settings (e.g. from every worker thread) does nothing; different
/// settings after the default generator exists throw
/// `SNOWID_INVALID_SETTING`, because a second generator with the same node
/// numbers could repeat IDs.
#[napi(
    catch_unwind,
    ts_args_type = "options?: { layout?: Layout | string, epoch?: Date | number, clock?: 'cached' | 'monotonic' | ManualClock, onRegression?: 'wait' | 'fail', maxWaitMs?: number, maxBorrowTicks?: number, [nodeField: string]: unknown }"
)]
pub fn configure(env: Env, options: Option<Unknown>) -> Result<()> {
    let given = options.map(|o| o.raw());
    let o = options_from_js(&env, given, env_layout)?;
    if matches!(o.clock, Some(ClockChoice::Manual(_))) {
        return Err(type_error(
            &env,
            "configure() does not take a ManualClock; use new Generator({ clock }) for tests",
        ));
    }
    if o.node_source.is_some() || o.state_dir.is_some() {
        return Err(type_error(
            &env,
            "configure() does not take nodeSource/stateDir: without node fields the default generator already uses SNOWID_NODE_SOURCE (default: a machine-local slot) and SNOWID_STATE_DIR",
        ));
    }
    let config = default_config(o).or_throw(&env)?;
    let key = key_of(&config).or_throw(&env)?;
    let d = install_default(Source::Configured(Box::new(config))).or_throw(&env)?;
    if d.key != key {
        return Err(core(
            &env,
            snowid::Error::InvalidSetting {
                setting: "configure()".into(),
                value: format!("{:?}", key),
                expected: format!(
                    "the settings of the default generator already in use ({:?}); configure before the first next()",
                    d.key
                ),
            },
        ));
    }
    Ok(())
}

// This item declares `next` for index.d.ts; at run time the module's `next`
// is `next_raw`, which does the same without napi-rs's call machinery. Both
// go through `default_generator`.
/// The next ID of the process-wide default generator, as a bigint.
#[napi(catch_unwind)]
pub fn next(env: Env) -> Result<u64> {
    default_generator(&env)?.next_id().or_throw(&env)
}

/// `next()` as a plain N-API callback: it takes no arguments, so it skips
/// `napi_get_cb_info` and napi-rs's argument and result conversions; its
/// whole path is one atomic load, the core's lock-free `next_id` and
/// `napi_create_bigint_uint64`. Everything else (first use, errors) goes to
/// [`next_cold`], which is the `#[napi]` function above under `catch_unwind`.
unsafe extern "C" fn next_raw(
    env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    if let Some(d) = DEFAULT.get() {
        // The hot path cannot panic: integer arithmetic on checked values,
        // no allocation.
        if let Ok(id) = d.gen.next_id() {
            let mut out = std::ptr::null_mut();
            // SAFETY: `env` is the live environment of this call.
            if unsafe { sys::napi_create_bigint_uint64(env, id, &mut out) } == sys::Status::napi_ok
            {
                return out;
            }
        }
    }
    // SAFETY: as above.
    unsafe { next_cold(env) }
}

#[cold]
#[inline(never)]
unsafe fn next_cold(env: sys::napi_env) -> sys::napi_value {
    let wrapped = Env::from_raw(env);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        js::big(&wrapped, next(wrapped)?)
    }));
    settle_raw(&wrapped, "next()", r)
}

/// `_decodeInto(id, layout, out)` as a plain N-API callback around
/// [`crate::text::decode_into`]: napi-rs's argument machinery cost more than
/// the decoding itself.
unsafe extern "C" fn decode_into_raw(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let wrapped = Env::from_raw(env);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut argc = 3usize;
        let mut argv = [std::ptr::null_mut(); 3];
        // SAFETY: `env`/`info` are this call's; `argv` holds `argc` slots.
        let st = unsafe {
            sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if st != sys::Status::napi_ok {
            return Err(Error::from_reason("could not read the arguments"));
        }
        // Missing arguments arrive as null pointers: read them as undefined.
        for a in argv.iter_mut().skip(argc) {
            // SAFETY: live env.
            unsafe { sys::napi_get_undefined(env, a) };
        }
        crate::text::decode_into(&wrapped, argv)
    }));
    settle_raw(&wrapped, "inspect()", r)
}

/// The end of a raw callback: its value, or null with a JS error pending —
/// the one already thrown (see `error::throw`), `SNOWID_INTERNAL` for a
/// napi-rs error without one, `SNOWID_PANIC` for a caught panic.
fn settle_raw(
    env: &Env,
    what: &str,
    r: std::thread::Result<Result<sys::napi_value>>,
) -> sys::napi_value {
    let (code, msg) = match r {
        Ok(Ok(v)) => return v,
        Ok(Err(e)) if e.status == napi::Status::PendingException => return std::ptr::null_mut(),
        Ok(Err(e)) => ("SNOWID_INTERNAL", e.reason.clone()),
        Err(_) => (
            "SNOWID_PANIC",
            format!("snowid {what} panicked (a bug in snowid)"),
        ),
    };
    crate::error::throw(env, crate::error::Class::Error, code, None, &msg);
    std::ptr::null_mut()
}

/// Replaces the `next` export with [`next_raw`] once napi-rs has registered
/// the `#[napi]` items, and adds `_decodeInto` for index.js.
#[napi(module_exports)]
pub fn fast_exports(exports: Object, env: Env) -> Result<()> {
    type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;
    let raw: [(&std::ffi::CStr, Callback); 2] =
        [(c"next", next_raw), (c"_decodeInto", decode_into_raw)];
    for (name, cb) in raw {
        let mut f = std::ptr::null_mut();
        // SAFETY: `env` and `exports` are the live module-initialisation
        // values; the name is a static C string.
        unsafe {
            let st = sys::napi_create_function(
                env.raw(),
                name.as_ptr(),
                name.to_bytes().len() as isize,
                Some(cb),
                std::ptr::null_mut(),
                &mut f,
            );
            if st != sys::Status::napi_ok {
                return Err(Error::from_reason(format!("could not create {name:?}")));
            }
            let st = sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), f);
            if st != sys::Status::napi_ok {
                return Err(Error::from_reason(format!("could not export {name:?}")));
            }
        }
    }
    Ok(())
}

/// The next ID of the default generator, as a decimal string (for JSON and
/// code that cannot take a bigint).
#[napi(catch_unwind, ts_return_type = "string")]
pub fn next_string(env: Env) -> Result<DecimalId> {
    Ok(DecimalId(
        default_generator(&env)?.next_id().or_throw(&env)?,
    ))
}

/// `n` consecutive IDs of the default generator in one call.
#[napi(
    catch_unwind,
    ts_args_type = "n: number",
    ts_return_type = "BigUint64Array"
)]
pub fn next_batch(env: Env, n: Unknown) -> Result<Js> {
    batch(&env, default_generator(&env)?, n)
}

/// Counters of the default generator (creates it if needed).
#[napi(
    catch_unwind,
    ts_return_type = "{ issued: number, overflowWaits: number, clockRegressions: number, largestRegressionMs: number, borrowedTicks: number }"
)]
pub fn stats(env: Env) -> Result<Js> {
    stats_to_js(&env, default_generator(&env)?)
}

/// The default generator's layout (without creating the generator).
#[napi(catch_unwind, js_name = "defaultLayout")]
pub fn default_layout_js(env: Env) -> Result<Layout> {
    Ok(Layout {
        inner: default_layout(&env)?.clone(),
    })
}

/// The default generator's node values by field name (creates it if needed).
#[napi(catch_unwind, ts_return_type = "Record<string, number>")]
pub fn default_nodes(env: Env) -> Result<Js> {
    let g = default_generator(&env)?;
    let o = js::new_object(&env)?;
    for (f, v) in g.layout().node_fields().zip(g.nodes()) {
        js::set(&env, o, f.name(), js::num(&env, (*v).into())?)?;
    }
    Ok(Js(o))
}
