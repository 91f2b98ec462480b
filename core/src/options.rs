//! Generator options from any host: one builder that makes every decision.
//!
//! A binding hands over (name, [`Value`]) pairs exactly as the user wrote
//! them (`worker=7`, `{ maxWaitMs: 10 }`, a C struct's fields) and the core
//! resolves them into [`Settings`]: defaults, parsing of names, node fields,
//! conflicting options, the environment, and errors with codes. The rules,
//! and the order in which errors are reported, are `testdata/OPTIONS.md`;
//! the `options` section of `testdata/vectors.json` checks them in every
//! language.
//!
//! ```
//! use snowid::options::GeneratorOptions;
//! let settings = GeneratorOptions::new()
//!     .with("layout", "discord")
//!     .with("worker", 3)
//!     .with("process", 1)
//!     .with("protect", false)
//!     .resolve()?;
//! assert_eq!(settings.summary_json(), r#"{"clock":"cached","epoch_ms":1420070400000,"lane_nodes":[{"worker":3,"process":1}],"lanes":1,"layout":"discord","max_borrow_ticks":0,"max_wait_ms":1000,"nodes":{"worker":3,"process":1},"on_regression":"wait","persist":false,"protect":false,"random_sequence_start":false,"source":"explicit","window_ms":1000}"#);
//! let gen = settings.build()?;
//! # Ok::<(), snowid::Error>(())
//! ```

use std::path::PathBuf;

use crate::env::{id_var, id_vars, Environment};
use crate::error::{Error, Result};
use crate::generator::{ClockChoice, Config, Generator, RegressionPolicy};
use crate::layout::{Layout, LayoutSpec};
use crate::node::{self, NodeOptions, NodeSource};
use crate::value::Value;

// Declared in the options table (`crate::option_table`), re-exported here
// where they have always been.
use crate::option_table::{CLOCKS, REGRESSION_POLICIES};
pub use crate::option_table::{
    DEFAULT_WAIT_MS, DEFAULT_WINDOW_MS, MAX_BORROW_TICKS, MAX_WAIT_MS, MAX_WINDOW_MS, NODE_SOURCES,
    OPTION_NAMES,
};

/// `snake_case` for a lowerCamelCase key (`maxWaitMs` -> `max_wait_ms`);
/// other keys unchanged.
pub fn canonical_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Options as the host gave them, in order; resolved by [`Self::resolve`].
#[derive(Debug, Clone, Default)]
pub struct GeneratorOptions {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    given: String,
    key: String,
    value: Value,
}

/// What the resolver read for one option.
struct Given<'a> {
    name: &'a str,
    value: &'a Value,
}

impl GeneratorOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an option or node field as the user named it. Nothing is judged
    /// here; [`Self::resolve`] reports every problem in a fixed order.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.entries.push(Entry {
            given: key.to_owned(),
            key: canonical_key(key),
            value: value.into(),
        });
        self
    }

    /// [`Self::set`], by value.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// The value given for `key` (its canonical name) and the name it was
    /// given as (for the wide generator's own options).
    pub(crate) fn given(&self, key: &str) -> Option<(&str, &Value)> {
        self.get(key).map(|g| (g.name, g.value))
    }

    /// These options without the ones named `keys` (canonical names).
    pub(crate) fn without(&self, keys: &[&str]) -> GeneratorOptions {
        GeneratorOptions {
            entries: self
                .entries
                .iter()
                .filter(|e| !keys.contains(&e.key.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// Whether no option was given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, key: &str) -> Option<Given<'_>> {
        self.entries.iter().find(|e| e.key == key).map(|e| Given {
            name: &e.given,
            value: &e.value,
        })
    }

    /// `Generator(...)`: the settings these options ask for, reading only
    /// the variables a source needs (`SNOWID_STATE_DIR`, `SNOWID_<FIELD>_ID`
    /// for `node_source="env"`...).
    pub fn resolve(&self) -> Result<Settings> {
        self.resolve_in(&Environment::process())
    }

    /// [`Self::resolve`] against a given environment.
    pub fn resolve_in(&self, env: &Environment) -> Result<Settings> {
        resolve(Some(self), env, Target::Generator)
    }

    /// Resolves and builds the generator (claiming node numbers, reading the
    /// high-water mark).
    pub fn build(&self) -> Result<Generator> {
        self.resolve()?.build()
    }
}

/// Which request is being resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `Generator(options)`.
    Generator,
    /// The process default generator: `configure(options)` over the
    /// environment.
    Default,
    /// The ID service's generator (`snowid serve`): as [`Target::Default`],
    /// but the clock defaults to `monotonic`.
    Service,
}

impl Target {
    /// Reads the environment (`configure()` over `SNOWID_*`).
    fn reads_env(self) -> bool {
        matches!(self, Target::Default | Target::Service)
    }
}

/// Fully resolved generator settings: what [`Settings::build`] makes.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The layout, with any epoch override.
    pub layout: Layout,
    /// The clock.
    pub clock: ClockChoice,
    /// The regression policy.
    pub on_regression: RegressionPolicy,
    /// Ticks the generator may borrow.
    pub max_borrow_ticks: u64,
    /// Where the node numbers come from, and how they are guarded.
    pub node: NodeOptions,
    /// Whether the numbers are locked and marked (`node.lock`); false only
    /// for explicit numbers with `protect=false` or a manual clock.
    pub protect: bool,
    /// Each tick entered from the clock starts its sequence at a
    /// pseudo-random offset (see [`Config::random_sequence_start`]).
    pub random_sequence_start: bool,
    /// How many node numbers (lanes) the generator holds, 1 or more (see
    /// [`crate::lanes`]).
    pub lanes: u32,
}

impl Settings {
    /// The core configuration (node numbers set when they are fixed).
    pub fn config(&self) -> Result<Config> {
        let mut c = Config::new(self.layout.clone())
            .clock(self.clock.clone())
            .on_regression(self.on_regression)
            .max_borrow_ticks(self.max_borrow_ticks)
            .random_sequence_start(self.random_sequence_start);
        if let Some(nodes) = self.node.source.fixed_nodes() {
            c = c.nodes(nodes)?;
        }
        Ok(c)
    }

    /// Builds the generator: claims (and locks) the node numbers and reads
    /// the high-water mark if protected.
    pub fn build(&self) -> Result<Generator> {
        if self.lanes > 1 {
            return crate::lanes::build(self);
        }
        let config = self.config()?;
        if !self.protect {
            return Generator::new(config);
        }
        node::build(config, &self.node)
    }

    /// Each lane's node values (lane 0 first) when the numbers are fixed
    /// (node fields, `env`, `k8s`): the block the given number owns (see
    /// [`crate::lanes`]); `None` when the source picks them at claim time
    /// (or the block does not fit the layout).
    pub fn lane_nodes(&self) -> Option<Vec<Vec<u64>>> {
        let fixed = self.node.source.fixed_nodes()?;
        crate::lanes::fixed_lane_nodes(&self.layout, &self.node.source, fixed, self.lanes).ok()
    }

    /// The clock's name: `cached`, `monotonic` or `manual`.
    pub fn clock_name(&self) -> &'static str {
        match self.clock {
            ClockChoice::Cached => "cached",
            ClockChoice::Monotonic => "monotonic",
            ClockChoice::Manual(_) => "manual",
        }
    }

    /// The resolved settings as (name, JSON value) pairs, in sorted order:
    /// `nodes` is `null` when the source picks the numbers at claim time.
    fn fields(&self) -> [(&'static str, String); 14] {
        let object = |v: &[u64]| {
            let pairs: Vec<String> = self
                .layout
                .node_names()
                .iter()
                .zip(v)
                .map(|(n, v)| format!("\"{n}\":{v}"))
                .collect();
            format!("{{{}}}", pairs.join(","))
        };
        let nodes = self
            .node
            .source
            .fixed_nodes()
            .map_or_else(|| "null".to_owned(), object);
        let lane_nodes = self.lane_nodes().map_or_else(
            || "null".to_owned(),
            |lanes| {
                let all: Vec<String> = lanes.iter().map(|v| object(v)).collect();
                format!("[{}]", all.join(","))
            },
        );
        let (policy, wait) = match self.on_regression {
            RegressionPolicy::Fail => ("fail", "null".to_owned()),
            RegressionPolicy::Wait { max_ms } => ("wait", max_ms.to_string()),
        };
        [
            ("clock", json_string(self.clock_name())),
            ("epoch_ms", self.layout.epoch_ms().to_string()),
            ("lane_nodes", lane_nodes),
            ("lanes", self.lanes.to_string()),
            ("layout", json_string(self.layout.name())),
            ("max_borrow_ticks", self.max_borrow_ticks.to_string()),
            ("max_wait_ms", wait),
            ("nodes", nodes),
            ("on_regression", json_string(policy)),
            ("persist", (self.protect && self.node.persist).to_string()),
            ("protect", self.protect.to_string()),
            (
                "random_sequence_start",
                self.random_sequence_start.to_string(),
            ),
            ("source", json_string(self.node.source.name())),
            ("window_ms", self.node.window_ms.to_string()),
        ]
    }

    /// The settings as canonical JSON (sorted keys, no spaces), as the
    /// `options` vectors give them: `nodes` (the numbers given) and
    /// `lane_nodes` (each lane's numbers) are `null` when the source picks
    /// the numbers at claim time.
    pub fn summary_json(&self) -> String {
        let body: Vec<String> = self
            .fields()
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    }

    /// Whether two settings make the same generator (for the default
    /// generator's re-configure rule). Manual clocks are never the same.
    pub fn same_as(&self, other: &Settings) -> bool {
        self.difference(other).is_none()
    }

    /// The first setting that differs from `other`, as `name: this vs that`.
    pub fn difference(&self, other: &Settings) -> Option<String> {
        for ((k, x), (_, y)) in self.fields().iter().zip(other.fields().iter()) {
            if x != y {
                return Some(format!("{k}: {x} (running) vs {y} (requested)"));
            }
        }
        if self.layout != other.layout {
            return Some(format!(
                "layout: {} (running) vs {} (requested)",
                self.layout, other.layout
            ));
        }
        if self.node.state_dir != other.node.state_dir {
            return Some(format!(
                "state_dir: {} (running) vs {} (requested)",
                self.node.state_dir.display(),
                other.node.state_dir.display()
            ));
        }
        if matches!(self.clock, ClockChoice::Manual(_)) {
            return Some("clock: a ManualClock is never the same as another".into());
        }
        None
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn invalid(setting: &str, value: impl Into<String>, expected: impl Into<String>) -> Error {
    Error::InvalidSetting {
        setting: setting.to_owned(),
        value: value.into(),
        expected: expected.into(),
    }
}

/// `name` as one of `choices` (exact).
fn choice<'a>(g: &Given<'_>, choices: &[&'a str]) -> Result<&'a str> {
    let list = choices
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let s = g.value.string(g.name, &format!("one of {list}"))?;
    choices
        .iter()
        .find(|c| **c == s)
        .copied()
        .ok_or_else(|| invalid(g.name, g.value.describe(), format!("one of {list}")))
}

/// The default generator's settings: `configure(options)` (if called) over
/// the environment.
pub fn resolve_default(
    configured: Option<&GeneratorOptions>,
    env: &Environment,
) -> Result<Settings> {
    resolve(configured, env, Target::Default)
}

/// The ID service's settings (`snowid serve`): the default generator's rule
/// (options over the environment), except that the clock defaults to
/// `monotonic` rather than `cached`. A request costs microseconds, so a
/// ~20 ns clock read is invisible, and no ticker thread competes with the
/// request workers for the cores. `SNOWID_CLOCK` or a `clock` option still
/// choose.
pub fn resolve_service(
    configured: Option<&GeneratorOptions>,
    env: &Environment,
) -> Result<Settings> {
    resolve(configured, env, Target::Service)
}

/// What the `options` vectors compare, for a binding's private test hook:
/// `target` is `generator` (`Generator(options)`), `default`
/// (`configure(options)` over `env`; `None`: never configured) or `inspect`
/// (the layout `inspect(id)` decodes with); the result is the resolved
/// settings' canonical JSON (`{"layout": name}` for `inspect`) or the error.
pub fn resolve_json(
    target: &str,
    options: Option<&GeneratorOptions>,
    env: &Environment,
) -> Result<String> {
    match target {
        "generator" => options
            .cloned()
            .unwrap_or_default()
            .resolve_in(env)
            .map(|s| s.summary_json()),
        "default" => resolve_default(options, env).map(|s| s.summary_json()),
        "service" => resolve_service(options, env).map(|s| s.summary_json()),
        "inspect" => default_layout(options, env)
            .map(|l| format!("{{\"layout\":{}}}", json_string(l.name()))),
        other => Err(invalid(
            "target",
            format!("{other:?}"),
            "\"generator\", \"default\", \"service\" or \"inspect\"",
        )),
    }
}

/// The layout `inspect(id)` / `decode(id)` use when given none: the
/// configured one, else `SNOWID_LAYOUT`, else Twitter.
pub fn default_layout(configured: Option<&GeneratorOptions>, env: &Environment) -> Result<Layout> {
    let o = configured.cloned().unwrap_or_default();
    check_duplicates(&o)?;
    base_layout(&o, env, Target::Default)
}

pub(crate) fn check_duplicates(o: &GeneratorOptions) -> Result<()> {
    for (i, e) in o.entries.iter().enumerate() {
        if let Some(first) = o.entries[..i].iter().find(|f| f.key == e.key) {
            return Err(invalid(
                &e.given,
                e.value.describe(),
                format!(
                    "`{}` given once (it was also given as `{}`)",
                    e.key, first.given
                ),
            ));
        }
    }
    Ok(())
}

/// The layout and the epoch option.
fn base_layout(o: &GeneratorOptions, env: &Environment, target: Target) -> Result<Layout> {
    let mut layout = match o.get("layout") {
        Some(g) => Layout::from_value(g.value, g.name)?,
        None if target.reads_env() => env.layout()?.unwrap_or_else(Layout::twitter),
        None => Layout::twitter(),
    };
    if let Some(g) = o.get("epoch") {
        let negative = || {
            invalid(
                g.name,
                g.value.describe(),
                "an instant at or after 1970-01-01 (ms since the Unix epoch, >= 0)",
            )
        };
        // Integers beyond u64 are simply far in the future.
        let ms = match g.value.integer(g.name)? {
            Some(i) if i < 0 => return Err(negative()),
            Some(i) => u64::try_from(i).unwrap_or(u64::MAX),
            None if g.value.describe().starts_with('-') => return Err(negative()),
            None => u64::MAX,
        };
        let now_ms = crate::layout::now_unix_ms();
        if ms > now_ms {
            return Err(Error::EpochInFuture {
                epoch_ms: ms,
                now_ms,
            });
        }
        layout = Layout::new(LayoutSpec {
            epoch_ms: ms,
            ..layout.spec()
        })?;
    }
    Ok(layout)
}

fn resolve(
    configured: Option<&GeneratorOptions>,
    env: &Environment,
    target: Target,
) -> Result<Settings> {
    let empty = GeneratorOptions::new();
    let o = configured.unwrap_or(&empty);
    check_duplicates(o)?;
    let layout = base_layout(o, env, target)?;
    let default = target.reads_env();

    let clock = match o.get("clock") {
        Some(g) => match g.value {
            Value::Clock(m) => ClockChoice::Manual(m.clone()),
            _ => match choice(&g, CLOCKS).map_err(|e| match e {
                Error::WrongType { name, got, .. } => Error::WrongType {
                    name,
                    got,
                    expected: "\"cached\", \"monotonic\" or a ManualClock".into(),
                },
                e => e,
            })? {
                "monotonic" => ClockChoice::Monotonic,
                _ => ClockChoice::Cached,
            },
        },
        None if default => match env.choice("SNOWID_CLOCK", CLOCKS)?.as_deref() {
            Some("monotonic") => ClockChoice::Monotonic,
            Some(_) => ClockChoice::Cached,
            None if target == Target::Service => ClockChoice::Monotonic,
            None => ClockChoice::Cached,
        },
        None => ClockChoice::Cached,
    };
    let manual = matches!(clock, ClockChoice::Manual(_));
    let policy = o
        .get("on_regression")
        .map(|g| choice(&g, REGRESSION_POLICIES))
        .transpose()?;
    let wait_given = o.get("max_wait_ms");
    let max_wait = wait_given
        .as_ref()
        .map(|g| g.value.int_in(g.name, 0, MAX_WAIT_MS.into()))
        .transpose()?
        .map_or(DEFAULT_WAIT_MS, |v| v as u64);
    let max_borrow_ticks = o
        .get("max_borrow_ticks")
        .map(|g| g.value.int_in(g.name, 0, MAX_BORROW_TICKS.into()))
        .transpose()?
        .map_or(0, |v| v as u64);
    let source_name = o
        .get("node_source")
        .map(|g| choice(&g, NODE_SOURCES))
        .transpose()?;
    let state_dir = match o.get("state_dir") {
        Some(g) => {
            let s = g.value.string(g.name, "a directory path")?;
            if s.is_empty() {
                return Err(invalid(g.name, "", "a directory path (not empty)"));
            }
            PathBuf::from(s)
        }
        None => node::default_state_dir_in(env)?,
    };
    let protect_opt = o
        .get("protect")
        .map(|g| g.value.boolean(g.name))
        .transpose()?;
    let persist_opt = o
        .get("persist")
        .map(|g| g.value.boolean(g.name))
        .transpose()?;
    let window_ms = match o.get("window_ms") {
        Some(g) => g.value.int_in(g.name, 1, MAX_WINDOW_MS.into())? as u64,
        None if default => env
            .int("SNOWID_WINDOW_MS", 1, MAX_WINDOW_MS)?
            .unwrap_or(DEFAULT_WINDOW_MS),
        None => DEFAULT_WINDOW_MS,
    };
    let random_sequence_start = o
        .get("random_sequence_start")
        .map(|g| g.value.boolean(g.name))
        .transpose()?
        .unwrap_or(false);
    let lanes_given = o.get("lanes");
    let max_lanes = layout.capacity().nodes.min(crate::lanes::MAX_LANES.into());
    let lanes = lanes_given
        .as_ref()
        .map(|g| {
            g.value.int_in(g.name, 1, max_lanes.into()).map_err(|e| match e {
                Error::InvalidSetting { setting, value, .. } => Error::InvalidSetting {
                    setting,
                    value,
                    expected: format!(
                        "1..={max_lanes} lanes (each lane holds one of the {} node numbers of layout {})",
                        layout.capacity().nodes,
                        layout.name()
                    ),
                },
                e => e,
            })
        })
        .transpose()?
        .map_or(1, |v| v as u32);

    // Node fields: unknown names, then values, in the order given.
    let fields: Vec<&Entry> = o
        .entries
        .iter()
        .filter(|e| !OPTION_NAMES.contains(&e.key.as_str()))
        .collect();
    for e in &fields {
        layout.node_index(&e.key).map_err(|_| Error::UnknownField {
            field: e.given.clone(),
            layout: layout.name().to_owned(),
            expected: layout.node_names().join(", "),
        })?;
    }
    let mut nodes: Vec<Option<u64>> = vec![None; layout.node_count()];
    for e in &fields {
        let i = layout.node_index(&e.key)?;
        let f = layout.node_field(i).expect("index is valid");
        nodes[i] = Some(e.value.field_value(&e.given, f.max())?);
    }
    let missing = |nodes: &[Option<u64>]| -> Result<Vec<u64>> {
        nodes
            .iter()
            .zip(layout.node_fields())
            .map(|(v, f)| {
                v.ok_or_else(|| Error::MissingField {
                    field: f.name().to_owned(),
                    layout: layout.name().to_owned(),
                    max: f.max(),
                })
            })
            .collect()
    };

    // The source: node fields (all of them), a named source, or (default
    // generator) the environment's rule. Missing fields come before the
    // combination rules.
    let explicit = !fields.is_empty() || source_name == Some("explicit");
    let explicit_nodes = if explicit && matches!(source_name, None | Some("explicit")) {
        Some(missing(&nodes)?)
    } else if fields.is_empty() && source_name.is_none() && !default {
        // Generator(...) with neither numbers nor a source.
        missing(&nodes)?;
        unreachable!("a layout has at least one node field")
    } else {
        None
    };

    // Combinations.
    if let (Some("fail"), Some(g)) = (policy, &wait_given) {
        return Err(invalid(
            g.name,
            g.value.describe(),
            "no wait with on_regression \"fail\" (max_wait_ms applies to \"wait\")",
        ));
    }
    let on_regression = match policy {
        Some("fail") => RegressionPolicy::Fail,
        _ => RegressionPolicy::Wait { max_ms: max_wait },
    };
    if let (Some(s), false) = (source_name, fields.is_empty()) {
        if s != "explicit" {
            return Err(invalid(
                o.get("node_source").expect("given").name,
                format!("\"{s}\""),
                format!(
                    "no node source together with node fields ({} given): the source chooses the numbers",
                    fields.iter().map(|e| e.given.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let source = if let Some(nodes) = explicit_nodes {
        NodeSource::Explicit(nodes)
    } else if let Some(s) = source_name {
        named_source(s, &layout, env)?
    } else {
        env_source(&layout, env)?
    };
    let is_explicit = matches!(source, NodeSource::Explicit(_));
    if manual && !is_explicit {
        return Err(invalid(
            "clock",
            "a ManualClock",
            format!(
                "explicit node numbers with a ManualClock (node source {} claims real numbers)",
                source.name()
            ),
        ));
    }
    let protect = match protect_opt {
        Some(true) if manual => {
            let g = o.get("protect").expect("given");
            return Err(invalid(
                g.name,
                "true",
                "false with a ManualClock (its time is not real, so no lock or high-water mark is kept)",
            ));
        }
        Some(false) if !is_explicit => {
            let g = o.get("protect").expect("given");
            return Err(invalid(
                g.name,
                "false",
                format!(
                    "true with node source {} (a source always locks its numbers)",
                    source.name()
                ),
            ));
        }
        Some(p) => p,
        None => !manual,
    };
    let persist = match persist_opt {
        Some(true) if !protect => {
            let g = o.get("persist").expect("given");
            return Err(invalid(
                g.name,
                "true",
                "false when the numbers are not protected (protect=false or a ManualClock)",
            ));
        }
        Some(p) => p,
        None if default => match env.persist()? {
            Some(true) if !protect => {
                return Err(invalid(
                    "SNOWID_PERSIST",
                    env.get("SNOWID_PERSIST")?.unwrap_or_default(),
                    "0 when the numbers are not protected (protect=false or a ManualClock)",
                ))
            }
            Some(p) => p,
            None => protect,
        },
        None => protect,
    };
    if let (Some(g), Some(fixed)) = (&lanes_given, source.fixed_nodes()) {
        crate::lanes::check_fixed(&layout, &source, fixed, lanes)
            .map_err(|expected| invalid(g.name, lanes.to_string(), expected))?;
    }
    Ok(Settings {
        node: NodeOptions {
            source,
            host_locks: node::host_lock_dir_in(&state_dir, env)?,
            state_dir,
            lock: protect,
            persist,
            window_ms,
        },
        layout,
        clock,
        on_regression,
        max_borrow_ticks,
        protect,
        random_sequence_start,
        lanes,
    })
}

/// A source named by `node_source=` or `SNOWID_NODE_SOURCE`.
fn named_source(name: &str, layout: &Layout, env: &Environment) -> Result<NodeSource> {
    match name {
        "local" => Ok(NodeSource::Local),
        "env" => {
            let ids = env.node_ids(layout)?;
            if ids.iter().all(Option::is_none) {
                return Err(invalid(
                    "SNOWID_NODE_SOURCE",
                    "env",
                    format!("at least one of {} to be set", id_vars(layout).join(", ")),
                ));
            }
            Ok(NodeSource::Env(
                ids.into_iter().map(|v| v.unwrap_or(0)).collect(),
            ))
        }
        "k8s" | "kubernetes" => {
            let slots = layout.capacity().nodes;
            let ordinal = match env.pod_index(slots)? {
                Some(index) => index,
                None => node::k8s_ordinal(&env.hostname()?, slots)?,
            };
            Ok(NodeSource::Kubernetes(layout.slot_nodes(ordinal)))
        }
        other => crate::node::lease_source(other, env),
    }
}

/// The default generator's source when `configure()` names none: the
/// environment's rule (`testdata/OPTIONS.md`, "The environment").
fn env_source(layout: &Layout, env: &Environment) -> Result<NodeSource> {
    let ids = env.node_ids(layout)?;
    let any_id = layout
        .node_fields()
        .zip(&ids)
        .find(|(_, v)| v.is_some())
        .map(|(f, _)| id_var(f.name()));
    let named = env.choice(
        "SNOWID_NODE_SOURCE",
        &["env", "local", "k8s", "kubernetes", "etcd", "redis"],
    )?;
    // SNOWID_POD_INDEX is the k8s source's: with another source named (or
    // implied by ID variables) it is refused; alone it selects k8s.
    if let (Some(pod), Some(other)) = (
        env.get(POD_INDEX_VAR)?,
        named.as_deref().or(any_id.as_ref().map(|_| "env")),
    ) {
        if other != "k8s" && other != "kubernetes" {
            let why = match (&named, &any_id) {
                (None, Some(var)) => format!("{var} set (the env source)"),
                _ => format!("SNOWID_NODE_SOURCE={other}"),
            };
            return Err(invalid(
                POD_INDEX_VAR,
                pod,
                format!("unset with {why} ({POD_INDEX_VAR} is read only by the k8s source)"),
            ));
        }
    }
    if named.is_none() && any_id.is_none() && env.get(POD_INDEX_VAR)?.is_some() {
        return named_source("k8s", layout, env);
    }
    match (named.as_deref(), any_id) {
        (Some("env"), _) | (None, Some(_)) => named_source("env", layout, env),
        (Some(other), Some(var)) => Err(invalid(
            &var,
            env.get(&var)?.unwrap_or_default(),
            format!("unset with SNOWID_NODE_SOURCE={other} (ID variables are read only by SNOWID_NODE_SOURCE=env)"),
        )),
        (Some(other), None) => named_source(other, layout, env),
        (None, None) => replicated_default(layout, env),
    }
}

/// With no configuration at all: machine-local slots, unless the
/// environment says this process is one of several replicas.
fn replicated_default(layout: &Layout, env: &Environment) -> Result<NodeSource> {
    let safe = |extra: &str| {
        format!(
            "{} per replica{extra}, SNOWID_NODE_SOURCE=etcd or SNOWID_NODE_SOURCE=redis",
            id_vars(layout).join(" / ")
        )
    };
    if env.get("KUBERNETES_SERVICE_HOST")?.is_some() {
        let host = env.hostname()?;
        if statefulset_ordinal(&host).is_some() {
            return named_source("k8s", layout, env);
        }
        return Err(Error::NodeSourceRequired {
            environment: format!(
                "Kubernetes (KUBERNETES_SERVICE_HOST is set; hostname {host:?} {})",
                not_an_ordinal(&host)
            ),
            safe: safe(&format!(
                ", {POD_INDEX_VAR} from the label {POD_INDEX_LABEL} in a StatefulSet"
            )),
        });
    }
    // Kubernetes was judged above; Lambda and Cloud Run are named as the
    // segment store's refusal names them.
    if let Some(environment) = replicated_environment(env)? {
        return Err(Error::NodeSourceRequired {
            environment,
            safe: safe(""),
        });
    }
    Ok(NodeSource::Local)
}

/// The replicated environment this process runs in, as messages name it,
/// when the environment says it is one of several replicas that each have
/// their own filesystem: Kubernetes (any pod, a StatefulSet's too), AWS
/// Lambda, Cloud Run or Knative. `None` elsewhere.
pub(crate) fn replicated_environment(env: &Environment) -> Result<Option<String>> {
    if env.get("KUBERNETES_SERVICE_HOST")?.is_some() {
        return Ok(Some("Kubernetes (KUBERNETES_SERVICE_HOST is set)".into()));
    }
    if let Some(f) = env.get("AWS_LAMBDA_FUNCTION_NAME")? {
        return Ok(Some(format!("AWS Lambda (AWS_LAMBDA_FUNCTION_NAME={f})")));
    }
    if let Some(s) = env.get("K_SERVICE")? {
        return Ok(Some(format!("Cloud Run or Knative (K_SERVICE={s})")));
    }
    Ok(None)
}

/// The variable that passes a StatefulSet pod's ordinal explicitly (the
/// label [`POD_INDEX_LABEL`] through the downward API); it wins over the
/// hostname.
pub const POD_INDEX_VAR: &str = "SNOWID_POD_INDEX";

/// The label the StatefulSet controller puts on each pod with its ordinal
/// (Kubernetes 1.28 and later).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// The longest hostname whose `-<ordinal>` ending is trusted: a StatefulSet
/// name has at most 52 characters (its pods carry the label
/// `controller-revision-hash: <name>-<10-character hash>`, at most 63), so
/// its pod `<name>-<ordinal>` with an ordinal of at most 4 digits has at
/// most 57 and is never cut. The kubelet cuts a longer pod name at 63 and
/// trims a trailing `-` or `.`, which can leave `-<digits>` from the
/// middle of a Deployment pod's name on every replica; such a cut is 62 or
/// 63 characters long (57 or less only if six `-` in a row were trimmed).
pub const MAX_STATEFULSET_HOSTNAME: usize = 57;

/// A StatefulSet pod's ordinal: the hostname has at most
/// [`MAX_STATEFULSET_HOSTNAME`] characters (a longer one may have been cut)
/// and ends in `-<digits>`, 1 to 4 digits without a leading zero (a
/// Deployment pod's 5-character random suffix never matches).
pub fn statefulset_ordinal(hostname: &str) -> Option<u64> {
    if hostname.len() > MAX_STATEFULSET_HOSTNAME {
        return None;
    }
    let (_, digits) = hostname.rsplit_once('-')?;
    let ok = (1..=4).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    ok.then(|| digits.parse().ok()).flatten()
}

/// Why `hostname` gives no ordinal, for error messages.
pub(crate) fn not_an_ordinal(hostname: &str) -> String {
    if hostname.len() > MAX_STATEFULSET_HOSTNAME {
        format!(
            "has {} characters: a hostname longer than {MAX_STATEFULSET_HOSTNAME} may have been cut at 63 by the kubelet, so its ending is no StatefulSet ordinal; pass the ordinal as {POD_INDEX_VAR} (the label {POD_INDEX_LABEL} through the downward API)",
            hostname.len()
        )
    } else {
        format!("is not a StatefulSet pod name ending in -<ordinal> (or set {POD_INDEX_VAR})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn camel_case_keys() {
        assert_eq!(canonical_key("maxWaitMs"), "max_wait_ms");
        assert_eq!(canonical_key("worker"), "worker");
        let e = GeneratorOptions::new()
            .with("maxWaitMs", 5)
            .with("max_wait_ms", 5)
            .resolve_in(&env(&[]))
            .unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING");
    }

    #[test]
    fn partial_node_fields_are_missing() {
        let e = GeneratorOptions::new()
            .with("worker", 3)
            .resolve_in(&env(&[]))
            .unwrap_err();
        assert_eq!(e.code(), "MISSING_FIELD");
        assert!(e.to_string().contains("datacenter"), "{e}");
        let e = GeneratorOptions::new()
            .with("worker", -1)
            .resolve_in(&env(&[]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker = -1 is out of range; valid range is 0..=31"
        );
    }

    #[test]
    fn replicated_environments_need_a_source() {
        let e = resolve_default(
            None,
            &env(&[
                ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
                ("HOSTNAME", "web-7f9c-abcde"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.code(), "NODE_SOURCE_REQUIRED");
        let s = resolve_default(
            None,
            &env(&[
                ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
                ("HOSTNAME", "web-33"),
            ]),
        )
        .unwrap();
        assert_eq!(s.node.source.fixed_nodes(), Some(&[1u64, 1][..]));
        let s = resolve_default(
            None,
            &env(&[
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("SNOWID_NODE_SOURCE", "local"),
            ]),
        )
        .unwrap();
        assert_eq!(s.node.source.name(), "local");
        assert_eq!(statefulset_ordinal("web-24567"), None);
        assert_eq!(
            statefulset_ordinal(&format!("{}-1023", "s".repeat(52))),
            Some(1023)
        );
        assert_eq!(statefulset_ordinal(&format!("{}-6", "s".repeat(56))), None);
        assert_eq!(statefulset_ordinal("web-03"), None);
        assert_eq!(statefulset_ordinal("web-0"), Some(0));
    }

    /// Issue 19 item 2: every replica of a Deployment whose pod names the
    /// kubelet cut at 63 characters has the same hostname ending in `-6`;
    /// it was taken for StatefulSet ordinal 6 on every replica. Now such a
    /// hostname is no ordinal (NODE_SOURCE_REQUIRED, or INVALID_SETTING for
    /// a named k8s source), and SNOWID_POD_INDEX gives the ordinal.
    #[test]
    fn a_hostname_the_kubelet_may_have_cut_is_no_ordinal() {
        let cut = "payments-reconciliation-worker-europe-west-primary-cluster-ab-6";
        assert_eq!(cut.len(), 63);
        let k8s = [("KUBERNETES_SERVICE_HOST", "10.0.0.1"), ("HOSTNAME", cut)];
        let e = resolve_default(None, &env(&k8s)).unwrap_err();
        assert_eq!(e.code(), "NODE_SOURCE_REQUIRED");
        let msg = e.to_string();
        assert!(
            msg.contains("has 63 characters")
                && msg.contains("cut at 63 by the kubelet")
                && msg.contains("SNOWID_POD_INDEX")
                && msg.contains("apps.kubernetes.io/pod-index"),
            "{msg}"
        );
        let named = [k8s[0], k8s[1], ("SNOWID_NODE_SOURCE", "k8s")];
        let e = resolve_default(None, &env(&named)).unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING");
        assert!(
            e.to_string().contains("at most 57 characters")
                && e.to_string().contains("SNOWID_POD_INDEX"),
            "{e}"
        );
        let with_index = [k8s[0], k8s[1], ("SNOWID_POD_INDEX", "6")];
        let a = resolve_default(None, &env(&with_index)).unwrap();
        assert_eq!(a.node.source, NodeSource::Kubernetes(vec![0, 6]));
        let with_index = [k8s[0], k8s[1], ("SNOWID_POD_INDEX", "7")];
        let b = resolve_default(None, &env(&with_index)).unwrap();
        assert_eq!(b.node.source, NodeSource::Kubernetes(vec![0, 7]));
        let bad = [k8s[0], ("SNOWID_POD_INDEX", "1024")];
        let e = resolve_default(None, &env(&bad)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "setting SNOWID_POD_INDEX = \"1024\" is invalid; expected an integer 0..=1023"
        );
        let local = [("SNOWID_NODE_SOURCE", "local"), ("SNOWID_POD_INDEX", "3")];
        let e = resolve_default(None, &env(&local)).unwrap_err();
        assert!(
            e.to_string().contains("SNOWID_POD_INDEX")
                && e.to_string().contains("read only by the k8s source"),
            "{e}"
        );
    }
}
