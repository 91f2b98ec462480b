//! The options as the host gave them ([`GeneratorOptions`]) and the
//! settings they resolve to ([`Settings`]): what a generator is built from,
//! and the canonical JSON the `options` vectors compare.

use super::canonical_key;
use crate::error::Result;
use crate::generator::{ClockChoice, Config, Generator, RegressionPolicy};
use crate::lanes;
use crate::layout::Layout;
use crate::node::{self, NodeOptions};
use crate::value::Value;

/// Options as the host gave them, in order; resolved by [`Self::resolve`].
#[derive(Debug, Clone, Default)]
pub struct GeneratorOptions {
    pub(super) entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) given: String,
    pub(super) key: String,
    pub(super) value: Value,
}

/// What the resolver read for one option.
pub(super) struct Given<'a> {
    pub(super) name: &'a str,
    pub(super) value: &'a Value,
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

    pub(super) fn get(&self, key: &str) -> Option<Given<'_>> {
        self.entries.iter().find(|e| e.key == key).map(|e| Given {
            name: &e.given,
            value: &e.value,
        })
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
    /// The core configuration without node numbers.
    fn base_config(&self) -> Config {
        Config::new(self.layout.clone())
            .clock(self.clock.clone())
            .on_regression(self.on_regression)
            .max_borrow_ticks(self.max_borrow_ticks)
            .random_sequence_start(self.random_sequence_start)
    }

    /// The core configuration (node numbers set when they are fixed).
    pub fn config(&self) -> Result<Config> {
        let c = self.base_config();
        match self.node.source.fixed_nodes() {
            Some(nodes) => c.nodes(nodes),
            None => Ok(c),
        }
    }

    /// Builds the generator: claims (and locks) the node numbers and reads
    /// the high-water mark if protected.
    pub fn build(&self) -> Result<Generator> {
        if self.lanes > 1 {
            return lanes::build(&self.base_config(), &self.node, self.protect, self.lanes);
        }
        node::build_lane(self.base_config(), &self.node, self.protect)
    }

    /// Each lane's node values (lane 0 first) when the numbers are fixed
    /// (node fields, `env`, `k8s`): the block the given number owns (see
    /// [`crate::lanes`]); `None` when the source picks them at claim time
    /// (or the block does not fit the layout).
    pub fn lane_nodes(&self) -> Option<Vec<Vec<u64>>> {
        let fixed = self.node.source.fixed_nodes()?;
        lanes::fixed_lane_nodes(&self.layout, &self.node.source, fixed, self.lanes).ok()
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
    fn fields(&self) -> [(&'static str, String); 15] {
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
            ("lease", self.lease_json()),
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

    /// A lease source's settings (`SNOWID_ETCD_*` / `SNOWID_REDIS_*`,
    /// `SNOWID_LEASE_TTL_MS`) as a JSON object: `allow_volatile` (`null` for
    /// etcd), `endpoints`, `prefix`, `ttl_ms`; `null` for other sources.
    fn lease_json(&self) -> String {
        #[cfg(any(feature = "etcd", feature = "redis"))]
        fn object(spec: &crate::lease::LeaseSpec, allow_volatile: Option<bool>) -> String {
            let endpoints: Vec<String> = spec.endpoints.iter().map(|e| json_string(e)).collect();
            format!(
                "{{\"allow_volatile\":{},\"endpoints\":[{}],\"prefix\":{},\"ttl_ms\":{}}}",
                allow_volatile.map_or_else(|| "null".to_owned(), |v| v.to_string()),
                endpoints.join(","),
                json_string(&spec.prefix),
                spec.ttl_ms
            )
        }
        #[allow(unreachable_patterns)]
        match &self.node.source {
            #[cfg(feature = "etcd")]
            node::NodeSource::Etcd(spec) => object(spec, None),
            #[cfg(feature = "redis")]
            node::NodeSource::Redis(spec) => object(spec, Some(spec.allow_volatile)),
            _ => "null".to_owned(),
        }
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

pub(super) fn json_string(s: &str) -> String {
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
