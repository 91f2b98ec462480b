//! Node identity and crash safety.
//!
//! Snowflake IDs are unique only if no two live generators share node numbers
//! and no generator reissues a tick a predecessor with the same numbers used.
//! This module provides both halves:
//!
//! - **Node sources** ([`NodeSource`]): explicit numbers, environment
//!   variables, a Kubernetes StatefulSet ordinal, or a **machine-local slot**
//!   ([`slots`]): one `flock`ed file per node number in a state directory,
//!   claimed by the first free number. The OS releases a dead process's
//!   lock, so nothing leaks; a second process asking for numbers already
//!   locked on this machine is refused ([`Error::NodeInUse`]) instead of
//!   silently colliding. With the per-user default state directory, every
//!   slot is also locked in a machine-wide directory ([`HostLocks`]), so
//!   processes of different users never share numbers either.
//! - **High-water mark** ([`HighWaterFile`], [`mark`]): before issuing in a
//!   tick above what is on disk, the generator writes `tick + window` — once
//!   per window, never per ID. On start it reads the mark and issues nothing
//!   at or below it, waiting (bounded) if its clock is behind. A clean drop
//!   lowers the mark to the last tick issued.
//!
//! Which source and settings apply is decided by [`crate::options`];
//! [`from_env`] is the default generator's recipe.

pub mod k8s;
pub mod mark;
pub mod slots;

use std::fs;
use std::path::PathBuf;

use crate::env::Environment;
use crate::error::{Error, Result};
use crate::generator::{Config, Generator};
use crate::layout::Layout;

pub use crate::env::parse_setting;
pub use k8s::k8s_ordinal;
pub use mark::HighWaterFile;
pub use slots::{default_state_dir, default_state_dir_in, host_lock_dir_in, HostLocks, SlotLock};
use slots::{host_dir, io_err, layout_dir, lock_slot, SlotTry};

/// Where a generator's node numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeSource {
    /// Values given by the caller, in layout order.
    Explicit(Vec<u64>),
    /// Values read from `SNOWID_<FIELD>_ID` (layout order; unset fields 0).
    Env(Vec<u64>),
    /// A StatefulSet ordinal (`web-3` -> 3) spread over the node fields as
    /// one number (last field least significant), in layout order.
    Kubernetes(Vec<u64>),
    /// The first node number no other live process on this machine holds.
    Local,
    /// The first free node number in etcd, held by a lease (feature `etcd`).
    #[cfg(feature = "etcd")]
    Etcd(crate::lease::LeaseSpec),
    /// The first free node number in Redis, held by a key with a TTL
    /// (feature `redis`).
    #[cfg(feature = "redis")]
    Redis(crate::lease::LeaseSpec),
}

impl NodeSource {
    /// Its name in `SNOWID_NODE_SOURCE`.
    pub fn name(&self) -> &'static str {
        match self {
            NodeSource::Explicit(_) => "explicit",
            NodeSource::Env(_) => "env",
            NodeSource::Kubernetes(_) => "k8s",
            NodeSource::Local => "local",
            #[cfg(feature = "etcd")]
            NodeSource::Etcd(_) => "etcd",
            #[cfg(feature = "redis")]
            NodeSource::Redis(_) => "redis",
        }
    }

    /// The numbers, when they are known before the claim.
    pub fn fixed_nodes(&self) -> Option<&[u64]> {
        match self {
            NodeSource::Explicit(v) | NodeSource::Env(v) | NodeSource::Kubernetes(v) => Some(v),
            _ => None,
        }
    }
}

/// How a generator gets and guards its identity.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// Where the node numbers come from.
    pub source: NodeSource,
    /// Directory for slot locks and high-water marks (see [`default_state_dir`]).
    pub state_dir: PathBuf,
    /// Machine-wide slot locks (see [`host_lock_dir_in`]).
    pub host_locks: HostLocks,
    /// Lock the node numbers on this machine (always on for [`NodeSource::Local`]).
    pub lock: bool,
    /// Persist a high-water mark.
    pub persist: bool,
    /// How far ahead one mark write reserves, in ms.
    pub window_ms: u64,
}

impl NodeOptions {
    /// `source` with locking and persistence on, a 1 s window, and the
    /// state directory and machine-wide locks the process environment asks
    /// for.
    pub fn new(source: NodeSource) -> Self {
        let env = Environment::process();
        let state_dir = default_state_dir();
        NodeOptions {
            host_locks: host_lock_dir_in(&state_dir, &env).unwrap_or(HostLocks::Default),
            source,
            state_dir,
            lock: true,
            persist: true,
            window_ms: 1000,
        }
    }

    /// The same options with another state directory (and the machine-wide
    /// locks that directory implies).
    pub fn with_state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = dir.into();
        self.host_locks = host_lock_dir_in(&self.state_dir, &Environment::process())
            .unwrap_or(HostLocks::Default);
        self
    }
}

/// Node numbers resolved from a source, with the lock that reserves them.
#[derive(Debug)]
pub struct NodeClaim {
    /// Node values in layout order.
    pub nodes: Vec<u64>,
    /// The slot lock, if the numbers were locked.
    pub lock: Option<SlotLock>,
    /// Human-readable origin, e.g. `local slot 3 in /var/lib/app/snowid/...`.
    pub description: String,
}

/// Resolves `options.source` for `layout`, locking the numbers if asked.
pub fn claim(layout: &Layout, options: &NodeOptions) -> Result<NodeClaim> {
    let slots = layout.capacity().nodes;
    let dir = layout_dir(&options.state_dir, layout);
    let ensure_dirs = || -> Result<Option<PathBuf>> {
        fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        host_dir(&options.host_locks, layout)
    };
    let fixed = match &options.source {
        NodeSource::Explicit(v) | NodeSource::Env(v) | NodeSource::Kubernetes(v) => v.clone(),
        NodeSource::Local => {
            let host = ensure_dirs()?;
            for k in 0..slots {
                if let SlotTry::Locked(lock) = lock_slot(&dir, host.as_deref(), k, true)? {
                    let description = format!("local slot {k} in {}", dir.display());
                    return Ok(NodeClaim {
                        nodes: layout.slot_nodes(k),
                        lock: Some(lock),
                        description,
                    });
                }
            }
            return Err(Error::NoFreeSlot {
                slots,
                dir: dir.display().to_string(),
                wanted: 1,
                free: 0,
            });
        }
        #[cfg(any(feature = "etcd", feature = "redis"))]
        #[allow(unreachable_patterns)]
        other => {
            return Err(Error::InvalidSetting {
                setting: "node source".into(),
                value: other.name().into(),
                expected: "a machine-local source (explicit, env, k8s, local); leased numbers are claimed by node::build or lease::build".into(),
            })
        }
    };
    // Validate against the layout before touching the file system.
    Config::new(layout.clone()).nodes(&fixed)?;
    let k = layout.slot_of(&fixed);
    let lock = if options.lock {
        let host = ensure_dirs()?;
        match lock_slot(&dir, host.as_deref(), k, false)? {
            SlotTry::Locked(lock) => Some(lock),
            SlotTry::Busy(path) => {
                return Err(Error::NodeInUse {
                    nodes: format_nodes(layout, &fixed),
                    this_process: slots::held_here(&path),
                    path: path.display().to_string(),
                })
            }
        }
    } else {
        None
    };
    Ok(NodeClaim {
        description: format!(
            "{} ({})",
            options.source.name(),
            format_nodes(layout, &fixed)
        ),
        nodes: fixed,
        lock,
    })
}

pub(crate) fn format_nodes(layout: &Layout, nodes: &[u64]) -> String {
    layout
        .node_names()
        .iter()
        .zip(nodes)
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds a generator whose node numbers come from `options` (ignoring any
/// set in `config`), holding the slot lock for its lifetime and persisting a
/// high-water mark if asked.
pub fn build(mut config: Config, options: &NodeOptions) -> Result<Generator> {
    match &options.source {
        #[cfg(feature = "etcd")]
        NodeSource::Etcd(spec) => {
            return build_leased(config, crate::lease::Service::Etcd, spec, options.window_ms)
                .map(|(g, _)| g)
        }
        #[cfg(feature = "redis")]
        NodeSource::Redis(spec) => {
            return build_leased(
                config,
                crate::lease::Service::Redis,
                spec,
                options.window_ms,
            )
            .map(|(g, _)| g)
        }
        _ => {}
    }
    let layout = config.layout.clone();
    let claim = claim(&layout, options)?;
    config = config.nodes(&claim.nodes)?;
    let mut reserve: Option<(HighWaterFile, u64)> = None;
    if options.persist {
        let (hw, mark) =
            HighWaterFile::open(&options.state_dir, &layout, &claim.nodes, options.window_ms)?;
        if let Some(m) = mark {
            config.floor_tick = Some(config.floor_tick.map_or(m, |f| f.max(m)));
        }
        reserve = Some((hw, mark.unwrap_or(0)));
    }
    let floor = config.floor_tick;
    let mut g = Generator::new(config)?;
    if let Some((hw, _)) = reserve {
        g = g.with_reserve(Box::new(hw), floor);
    }
    let description = claim.description.clone();
    Ok(g.with_guard(Box::new(claim), description))
}

/// Builds a generator whose node numbers are leased from `service` (the
/// node values in `config` are replaced), with its mark window
/// `window_ms`; also `lease::build`. Returns it with a
/// [`crate::lease::LeaseHandle`] for monitoring.
#[cfg(any(feature = "etcd", feature = "redis"))]
pub fn build_leased(
    mut config: Config,
    service: crate::lease::Service,
    spec: &crate::lease::LeaseSpec,
    window_ms: u64,
) -> Result<(Generator, crate::lease::LeaseHandle)> {
    let leased = crate::lease::acquire(service, spec, &config.layout, window_ms)?;
    // An error from here on drops `leased`, which releases the number.
    config = config.nodes(&leased.nodes)?;
    if let Some(m) = leased.mark {
        config.floor_tick = Some(config.floor_tick.map_or(m, |f| f.max(m)));
    }
    let floor = config.floor_tick;
    let g = Generator::new(config)?
        .with_reserve(leased.reserve, floor)
        .with_guard(leased.guard, leased.description);
    Ok((g, leased.handle))
}

/// Builds a one-lane generator from resolved parts: `config` without node
/// numbers, the numbers from `options.source`. Protected, they are claimed
/// (locked) and marked by [`build`]; unprotected (explicit numbers with
/// `protect=false`, a manual clock), they are taken as given.
pub(crate) fn build_lane(
    config: Config,
    options: &NodeOptions,
    protect: bool,
) -> Result<Generator> {
    let config = match options.source.fixed_nodes() {
        Some(nodes) => config.nodes(nodes)?,
        None => config,
    };
    if !protect {
        return Generator::new(config);
    }
    build(config, options)
}

#[allow(unused_variables)]
pub(crate) fn lease_source(name: &str, env: &Environment) -> Result<NodeSource> {
    #[cfg(any(feature = "etcd", feature = "redis"))]
    let spec = || -> Result<crate::lease::LeaseSpec> {
        let get = |k: &str| env.get(k);
        let (var, prefix_var) = match name {
            "etcd" => ("SNOWID_ETCD_ENDPOINTS", "SNOWID_ETCD_PREFIX"),
            _ => ("SNOWID_REDIS_URL", "SNOWID_REDIS_PREFIX"),
        };
        let value = get(var)?.ok_or_else(|| Error::InvalidSetting {
            setting: var.into(),
            value: String::new(),
            expected: format!("to be set with SNOWID_NODE_SOURCE={name}"),
        })?;
        let endpoints: Vec<String> = value
            .split(',')
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect();
        let mut spec = crate::lease::LeaseSpec::new(endpoints);
        if let Some(p) = get(prefix_var)? {
            spec.prefix = p.trim().to_owned();
        }
        if let Some(t) = get("SNOWID_LEASE_TTL_MS")? {
            let (min, max) = crate::option_table::int_range("lease_ttl_ms");
            spec.ttl_ms = parse_setting("SNOWID_LEASE_TTL_MS", &t, min, max)?;
        }
        if name == "redis" {
            spec.allow_volatile = env.flag("SNOWID_REDIS_ALLOW_VOLATILE")?.unwrap_or(false);
        }
        spec.validate(var)?;
        Ok(spec)
    };
    match name {
        #[cfg(feature = "etcd")]
        "etcd" => Ok(NodeSource::Etcd(spec()?)),
        #[cfg(feature = "redis")]
        "redis" => Ok(NodeSource::Redis(spec()?)),
        _ => Err(Error::InvalidSetting {
            setting: "SNOWID_NODE_SOURCE".into(),
            value: name.into(),
            expected: format!(
                "a node source compiled into this build: snowid was built without the `{name}` cargo feature (rebuild with --features {name})"
            ),
        }),
    }
}

pub use crate::options::from_env;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_map_to_nodes_and_back() {
        let l = Layout::twitter();
        assert_eq!(l.slot_nodes(0), vec![0, 0]);
        assert_eq!(l.slot_nodes(33), vec![1, 1]);
        assert_eq!(l.slot_nodes(1023), vec![31, 31]);
        assert_eq!(l.slot_of(&[1, 1]), 33);
    }

    #[test]
    fn lease_sources_missing_from_the_build_say_so() {
        for (name, on) in [
            ("etcd", cfg!(feature = "etcd")),
            ("redis", cfg!(feature = "redis")),
        ] {
            if on {
                continue;
            }
            let e = lease_source(name, &Environment::default()).unwrap_err();
            assert_eq!(e.code(), "INVALID_SETTING");
            let msg = e.to_string();
            assert!(
                msg.contains("SNOWID_NODE_SOURCE")
                    && msg.contains(name)
                    && msg.contains(&format!("without the `{name}` cargo feature")),
                "{msg}"
            );
        }
    }

    #[test]
    fn kubernetes_ordinals() {
        assert_eq!(k8s_ordinal("web-3", 1024).unwrap(), 3);
        assert_eq!(k8s_ordinal("my-app-db-1023", 1024).unwrap(), 1023);
        for bad in [
            "web-1024",
            "web",
            "web-",
            "web-3a",
            "",
            "web-03",
            "web-24567",
        ] {
            let e = k8s_ordinal(bad, 1024).unwrap_err();
            assert_eq!(e.code(), "INVALID_SETTING", "{bad}");
            assert!(e.to_string().contains("0..=1023"), "{e}");
        }
    }
}
