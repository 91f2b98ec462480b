//! `resolve`: the options and the environment made into [`Settings`], one
//! small rule per decision. [`resolve`] calls the rules in a fixed order,
//! which is the order in which errors are reported (`testdata/OPTIONS.md`;
//! the `options` vectors pin it in every language): first each option's
//! own value, in [`super::OPTION_NAMES`] order, then the node fields, then
//! the rules that combine options, then the source.

use std::path::PathBuf;

use super::settings::{json_string, Entry, GeneratorOptions, Given, Settings};
use super::sources::{env_source, named_source};
use super::{
    invalid, DEFAULT_WAIT_MS, DEFAULT_WINDOW_MS, MAX_BORROW_TICKS, MAX_WAIT_MS, MAX_WINDOW_MS,
    NODE_SOURCES, OPTION_NAMES,
};
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::generator::{ClockChoice, Generator, RegressionPolicy};
use crate::lanes::MAX_LANES;
use crate::layout::{now_unix_ms, Layout, LayoutSpec};
use crate::node::{self, NodeOptions, NodeSource};
use crate::option_table::{CLOCKS, REGRESSION_POLICIES};
use crate::value::Value;

impl GeneratorOptions {
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

/// The generator the bindings' module-level `next()` would make with no
/// `configure()`: the environment's settings (see [`resolve_default`]);
/// with nothing set, a machine-local slot with a persisted high-water mark.
pub fn from_env() -> Result<Generator> {
    resolve_default(None, &Environment::process())?.build()
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
        let now_ms = now_unix_ms();
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
    let r = Request {
        o: configured.unwrap_or(&empty),
        env,
        target,
    };
    // Each option's own value, in the order of OPTION_NAMES.
    check_duplicates(r.o)?;
    let layout = base_layout(r.o, env, target)?;
    let clock = r.clock()?;
    let manual = matches!(clock, ClockChoice::Manual(_));
    let policy = r.on_regression()?;
    let max_wait = r.int("max_wait_ms", 0, MAX_WAIT_MS)?;
    let max_borrow_ticks = r.int("max_borrow_ticks", 0, MAX_BORROW_TICKS)?.unwrap_or(0);
    let source_name = r.node_source()?;
    let state_dir = r.state_dir()?;
    let protect = r.flag("protect")?;
    let persist = r.flag("persist")?;
    let window_ms = r.window_ms()?;
    let random_sequence_start = r.flag("random_sequence_start")?.unwrap_or(false);
    let lanes = r.lanes(&layout)?;
    // The node fields: unknown names, then values, in the order given.
    let fields = r.node_fields(&layout)?;
    let explicit_nodes = r.explicit_nodes(&layout, &fields, source_name)?;
    // Options that exclude or need one another.
    let on_regression = r.regression_policy(policy, max_wait)?;
    r.no_fields_with_a_source(source_name, &fields)?;
    let source = r.source(explicit_nodes, source_name, &layout)?;
    manual_clock_takes_explicit_numbers(manual, &source)?;
    let protect = r.protect(protect, manual, &source)?;
    let persist = r.persist(persist, protect)?;
    r.lanes_fit(lanes, &layout, &source)?;
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

/// One resolution: the options given, the environment and what is being
/// resolved. Each method is one rule.
struct Request<'a> {
    o: &'a GeneratorOptions,
    env: &'a Environment,
    target: Target,
}

/// The node fields given (every entry that names no option) and their
/// values in layout order.
struct Fields<'a> {
    given: Vec<&'a Entry>,
    values: Vec<Option<u64>>,
}

impl<'a> Request<'a> {
    /// Whether an option not given falls back to the environment.
    fn reads_env(&self) -> bool {
        self.target.reads_env()
    }

    /// An integer option in `min..=max`, if given.
    fn int(&self, key: &str, min: i128, max: u64) -> Result<Option<u64>> {
        self.o
            .get(key)
            .map(|g| g.value.int_in(g.name, min, max.into()).map(|v| v as u64))
            .transpose()
    }

    /// A boolean option, if given.
    fn flag(&self, key: &str) -> Result<Option<bool>> {
        self.o.get(key).map(|g| g.value.boolean(g.name)).transpose()
    }

    /// `clock`: `"cached"`, `"monotonic"` or a ManualClock; not given,
    /// `SNOWID_CLOCK` when the environment is read, else cached (the
    /// service: monotonic).
    fn clock(&self) -> Result<ClockChoice> {
        let name = match self.o.get("clock") {
            Some(Given {
                value: Value::Clock(m),
                ..
            }) => return Ok(ClockChoice::Manual(m.clone())),
            Some(g) => Some(choice(&g, CLOCKS).map_err(|e| match e {
                Error::WrongType { name, got, .. } => Error::WrongType {
                    name,
                    got,
                    expected: "\"cached\", \"monotonic\" or a ManualClock".into(),
                },
                e => e,
            })?),
            None if self.reads_env() => match self.env.choice("SNOWID_CLOCK", CLOCKS)? {
                Some(v) if v == "monotonic" => Some("monotonic"),
                Some(_) => Some("cached"),
                None => None,
            },
            None => None,
        };
        Ok(match name {
            Some("monotonic") => ClockChoice::Monotonic,
            Some(_) => ClockChoice::Cached,
            None if self.target == Target::Service => ClockChoice::Monotonic,
            None => ClockChoice::Cached,
        })
    }

    /// `on_regression`: `"wait"` or `"fail"`.
    fn on_regression(&self) -> Result<Option<&'static str>> {
        self.o
            .get("on_regression")
            .map(|g| choice(&g, REGRESSION_POLICIES))
            .transpose()
    }

    /// `node_source`: one of [`NODE_SOURCES`].
    fn node_source(&self) -> Result<Option<&'static str>> {
        self.o
            .get("node_source")
            .map(|g| choice(&g, NODE_SOURCES))
            .transpose()
    }

    /// `state_dir`: a path, not empty; not given, the default state
    /// directory of the environment.
    fn state_dir(&self) -> Result<PathBuf> {
        let Some(g) = self.o.get("state_dir") else {
            return node::default_state_dir_in(self.env);
        };
        let s = g.value.string(g.name, "a directory path")?;
        if s.is_empty() {
            return Err(invalid(g.name, "", "a directory path (not empty)"));
        }
        Ok(PathBuf::from(s))
    }

    /// `window_ms`: `1..=MAX_WINDOW_MS`; not given, `SNOWID_WINDOW_MS` when
    /// the environment is read, else the default.
    fn window_ms(&self) -> Result<u64> {
        match self.int("window_ms", 1, MAX_WINDOW_MS)? {
            Some(w) => Ok(w),
            None if self.reads_env() => Ok(self
                .env
                .int("SNOWID_WINDOW_MS", 1, MAX_WINDOW_MS)?
                .unwrap_or(DEFAULT_WINDOW_MS)),
            None => Ok(DEFAULT_WINDOW_MS),
        }
    }

    /// `lanes`: 1 up to the layout's node numbers (at most [`MAX_LANES`]).
    fn lanes(&self, layout: &Layout) -> Result<u32> {
        let Some(g) = self.o.get("lanes") else {
            return Ok(1);
        };
        let nodes = layout.capacity().nodes;
        let max_lanes = nodes.min(MAX_LANES.into());
        let lanes = g.value.int_in(g.name, 1, max_lanes.into()).map_err(|e| match e {
            Error::InvalidSetting { setting, value, .. } => Error::InvalidSetting {
                setting,
                value,
                expected: format!(
                    "1..={max_lanes} lanes (each lane holds one of the {nodes} node numbers of layout {})",
                    layout.name()
                ),
            },
            e => e,
        })?;
        Ok(lanes as u32)
    }

    /// Every entry that names no option is a node field of the layout
    /// (unknown names first, in the order given), then each value in its
    /// field's range (in the order given).
    fn node_fields(&self, layout: &Layout) -> Result<Fields<'a>> {
        let given: Vec<&Entry> = self
            .o
            .entries
            .iter()
            .filter(|e| !OPTION_NAMES.contains(&e.key.as_str()))
            .collect();
        for e in &given {
            layout.node_index(&e.key).map_err(|_| Error::UnknownField {
                field: e.given.clone(),
                layout: layout.name().to_owned(),
                expected: layout.node_names().join(", "),
            })?;
        }
        let mut values: Vec<Option<u64>> = vec![None; layout.node_count()];
        for e in &given {
            let i = layout.node_index(&e.key)?;
            let f = layout.node_field(i).expect("index is valid");
            values[i] = Some(e.value.field_value(&e.given, f.max())?);
        }
        Ok(Fields { given, values })
    }

    /// Explicit numbers (node fields, or `node_source="explicit"`) need
    /// every field; `Generator(...)` with neither numbers nor a source is
    /// missing the first field. Missing fields come before the rules that
    /// combine options.
    fn explicit_nodes(
        &self,
        layout: &Layout,
        fields: &Fields<'_>,
        source_name: Option<&str>,
    ) -> Result<Option<Vec<u64>>> {
        let explicit = !fields.given.is_empty() || source_name == Some("explicit");
        if explicit && matches!(source_name, None | Some("explicit")) {
            return all_fields(layout, &fields.values).map(Some);
        }
        if fields.given.is_empty() && source_name.is_none() && !self.reads_env() {
            all_fields(layout, &fields.values)?;
            unreachable!("a layout has at least one node field")
        }
        Ok(None)
    }

    /// `on_regression="fail"` takes no `max_wait_ms`; the policy.
    fn regression_policy(
        &self,
        policy: Option<&str>,
        max_wait: Option<u64>,
    ) -> Result<RegressionPolicy> {
        if let (Some("fail"), Some(g)) = (policy, self.o.get("max_wait_ms")) {
            return Err(invalid(
                g.name,
                g.value.describe(),
                "no wait with on_regression \"fail\" (max_wait_ms applies to \"wait\")",
            ));
        }
        Ok(match policy {
            Some("fail") => RegressionPolicy::Fail,
            _ => RegressionPolicy::Wait {
                max_ms: max_wait.unwrap_or(DEFAULT_WAIT_MS),
            },
        })
    }

    /// A node source other than `"explicit"` chooses the numbers: no node
    /// field with it.
    fn no_fields_with_a_source(
        &self,
        source_name: Option<&str>,
        fields: &Fields<'_>,
    ) -> Result<()> {
        match source_name {
            Some(s) if s != "explicit" && !fields.given.is_empty() => Err(invalid(
                self.o.get("node_source").expect("given").name,
                format!("\"{s}\""),
                format!(
                    "no node source together with node fields ({} given): the source chooses the numbers",
                    fields
                        .given
                        .iter()
                        .map(|e| e.given.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The source: the explicit numbers, the source named, or (the default
    /// generator) the environment's rule.
    fn source(
        &self,
        explicit_nodes: Option<Vec<u64>>,
        source_name: Option<&str>,
        layout: &Layout,
    ) -> Result<NodeSource> {
        match (explicit_nodes, source_name) {
            (Some(nodes), _) => Ok(NodeSource::Explicit(nodes)),
            (None, Some(s)) => named_source(s, layout, self.env),
            (None, None) => env_source(layout, self.env),
        }
    }

    /// `protect`: false only for explicit numbers, never true with a
    /// ManualClock; not given, true unless the clock is manual.
    fn protect(&self, given: Option<bool>, manual: bool, source: &NodeSource) -> Result<bool> {
        let is_explicit = matches!(source, NodeSource::Explicit(_));
        match given {
            Some(true) if manual => Err(invalid(
                self.o.get("protect").expect("given").name,
                "true",
                "false with a ManualClock (its time is not real, so no lock or high-water mark is kept)",
            )),
            Some(false) if !is_explicit => Err(invalid(
                self.o.get("protect").expect("given").name,
                "false",
                format!(
                    "true with node source {} (a source always locks its numbers)",
                    source.name()
                ),
            )),
            Some(p) => Ok(p),
            None => Ok(!manual),
        }
    }

    /// `persist` (or `SNOWID_PERSIST` when the environment is read): never
    /// true when the numbers are not protected; not given, as `protect`.
    fn persist(&self, given: Option<bool>, protect: bool) -> Result<bool> {
        match given {
            Some(true) if !protect => Err(invalid(
                self.o.get("persist").expect("given").name,
                "true",
                "false when the numbers are not protected (protect=false or a ManualClock)",
            )),
            Some(p) => Ok(p),
            None if self.reads_env() => match self.env.persist()? {
                Some(true) if !protect => Err(invalid(
                    "SNOWID_PERSIST",
                    self.env.get("SNOWID_PERSIST")?.unwrap_or_default(),
                    "0 when the numbers are not protected (protect=false or a ManualClock)",
                )),
                Some(p) => Ok(p),
                None => Ok(protect),
            },
            None => Ok(protect),
        }
    }

    /// With `lanes` given and fixed numbers, the block of lanes the number
    /// owns fits the layout.
    fn lanes_fit(&self, lanes: u32, layout: &Layout, source: &NodeSource) -> Result<()> {
        if let (Some(g), Some(fixed)) = (self.o.get("lanes"), source.fixed_nodes()) {
            crate::lanes::check_fixed(layout, source, fixed, lanes)
                .map_err(|expected| invalid(g.name, lanes.to_string(), expected))?;
        }
        Ok(())
    }
}

/// Every node field's value, or `MISSING_FIELD` naming the first one
/// missing (layout order).
fn all_fields(layout: &Layout, values: &[Option<u64>]) -> Result<Vec<u64>> {
    values
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
}

/// A ManualClock's time is not real: only explicit numbers (a source
/// claims real numbers).
fn manual_clock_takes_explicit_numbers(manual: bool, source: &NodeSource) -> Result<()> {
    if manual && !matches!(source, NodeSource::Explicit(_)) {
        return Err(invalid(
            "clock",
            "a ManualClock",
            format!(
                "explicit node numbers with a ManualClock (node source {} claims real numbers)",
                source.name()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::k8s::statefulset_ordinal;
    use crate::options::canonical_key;

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
