//! Node identity and crash safety.
//!
//! Snowflake IDs are unique only if no two live generators share node numbers
//! and no generator reissues a tick a predecessor with the same numbers used.
//! This module provides both halves:
//!
//! - **Node sources** ([`NodeSource`]): explicit numbers, environment
//!   variables, a Kubernetes StatefulSet ordinal, or a **machine-local slot**:
//!   one `flock`ed file per node number in a state directory, claimed by the
//!   first free number. The OS releases a dead process's lock, so nothing
//!   leaks; a second process asking for numbers already locked on this machine
//!   is refused ([`Error::NodeInUse`]) instead of silently colliding. With the
//!   per-user default state directory, every slot is also locked in a
//!   machine-wide directory ([`host_lock_dir`]), so processes of different
//!   users never share numbers either.
//! - **High-water mark** ([`HighWaterFile`]): before issuing in a tick above
//!   what is on disk, the generator writes `tick + window` (temp file, fsync,
//!   rename, fsync of the directory) — once per window, never per ID. On start
//!   it reads the mark and issues nothing at or below it, waiting (bounded) if
//!   its clock is behind. A clean drop lowers the mark to the last tick issued.
//!
//! [`from_env`] puts it together the way the bindings' default generators do.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::generator::{ClockChoice, Config, Generator, Reserve};
use crate::layout::Layout;

/// Where a generator's node numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeSource {
    /// The given values, in layout order.
    Explicit(Vec<u64>),
    /// `SNOWID_<FIELD>_ID` for each node field (`SNOWID_WORKER_ID`,
    /// `SNOWID_DATACENTER_ID`, ...); unset fields are 0, at least one must be set.
    Env,
    /// The ordinal at the end of a StatefulSet pod's hostname (`web-3` -> 3),
    /// spread over the node fields as one number (last field least significant).
    Kubernetes {
        /// The hostname; `None` reads `$HOSTNAME`, then `/etc/hostname`.
        hostname: Option<String>,
    },
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
            NodeSource::Env => "env",
            NodeSource::Kubernetes { .. } => "k8s",
            NodeSource::Local => "local",
            #[cfg(feature = "etcd")]
            NodeSource::Etcd(_) => "etcd",
            #[cfg(feature = "redis")]
            NodeSource::Redis(_) => "redis",
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
    /// Lock the node numbers on this machine (always on for [`NodeSource::Local`]).
    pub lock: bool,
    /// Persist a high-water mark.
    pub persist: bool,
    /// How far ahead one mark write reserves, in ms.
    pub window_ms: u64,
}

impl NodeOptions {
    /// `source` with locking and persistence on, a 1 s window, and the
    /// default state directory.
    pub fn new(source: NodeSource) -> Self {
        NodeOptions {
            source,
            state_dir: default_state_dir(),
            lock: true,
            persist: true,
            window_ms: 1000,
        }
    }
}

/// `$SNOWID_STATE_DIR`, else `$XDG_STATE_HOME/snowid`, else
/// `$HOME/.local/state/snowid`, else `<temp>/snowid-<user>`. Marks must
/// survive a reboot, so the default is not a tmpfs like `$XDG_RUNTIME_DIR`.
pub fn default_state_dir() -> PathBuf {
    match std::env::var_os("SNOWID_STATE_DIR").filter(|v| !v.is_empty()) {
        Some(d) => d.into(),
        None => user_state_dir(),
    }
}

/// The per-user default state directory, ignoring `SNOWID_STATE_DIR`.
fn user_state_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("XDG_STATE_HOME") {
        return Path::new(&d).join("snowid");
    }
    if let Some(h) = var("HOME") {
        return Path::new(&h).join(".local/state/snowid");
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "default".into());
    std::env::temp_dir().join(format!("snowid-{user}"))
}

/// The machine-wide directory whose locks keep processes of *different users*
/// (each with their own per-user state directory) off each other's node
/// numbers: `$SNOWID_HOST_LOCK_DIR` if set (`off` disables it), else, when
/// `state_dir` is the per-user default, `/run/lock/snowid` (or
/// `<temp>/snowid-locks` where `/run/lock` does not exist). A state directory
/// chosen with `SNOWID_STATE_DIR` defines its own sharing domain: processes
/// that share it never share node numbers, and no machine-wide lock is taken
/// unless `SNOWID_HOST_LOCK_DIR` asks for one.
pub fn host_lock_dir(state_dir: &Path) -> Option<PathBuf> {
    match std::env::var_os("SNOWID_HOST_LOCK_DIR").filter(|v| !v.is_empty()) {
        Some(v) if v == "off" => None,
        Some(v) => Some(v.into()),
        None if state_dir == user_state_dir() => {
            let run_lock = Path::new("/run/lock");
            Some(if run_lock.is_dir() {
                run_lock.join("snowid")
            } else {
                std::env::temp_dir().join("snowid-locks")
            })
        }
        None => None,
    }
}

/// Node values (layout order) for slot `k`: the last node field is the
/// least significant digit.
pub fn slot_nodes(layout: &Layout, mut k: u64) -> Vec<u64> {
    let mut out: Vec<u64> = layout
        .node_fields()
        .rev()
        .map(|f| {
            let v = k & f.max();
            k >>= f.bits();
            v
        })
        .collect();
    out.reverse();
    out
}

fn slot_of(layout: &Layout, nodes: &[u64]) -> u64 {
    layout
        .node_fields()
        .zip(nodes)
        .fold(0, |acc, (f, &v)| (acc << f.bits()) | v)
}

fn io_err(path: &Path, e: io::Error) -> Error {
    Error::StateIo {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Directory of one layout's slots and marks: layouts with other epochs or
/// widths never share node numbers' history.
fn layout_dir(state_dir: &Path, layout: &Layout) -> PathBuf {
    state_dir.join(layout_dir_name(layout))
}

/// The name that keeps one ID space's node numbers apart from every other's
/// (`t41.n5.n5.s12-1288834974657x1` for Twitter): each field's kind and
/// width in order, the epoch and the tick. Not the layout's name: two layouts
/// with the same bits issue from one ID space, so whatever they are called
/// they must share slots, marks and lease keys. Slot directories and lease
/// keys use it.
pub fn layout_dir_name(layout: &Layout) -> String {
    let fields: Vec<String> = layout
        .fields()
        .iter()
        .map(|f| {
            let k = match f.kind() {
                crate::FieldKind::Timestamp => 't',
                crate::FieldKind::Node => 'n',
                crate::FieldKind::Sequence => 's',
            };
            format!("{k}{}", f.bits())
        })
        .collect();
    format!(
        "{}-{}x{}",
        fields.join("."),
        layout.epoch_ms(),
        layout.tick_ms()
    )
}

/// A held slot lock: the node numbers are this process's while it lives.
#[derive(Debug)]
pub struct SlotLock {
    _file: File,
    _host: Option<File>,
    path: PathBuf,
}

impl SlotLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn try_lock(dir: &Path, slot: u64) -> Result<Option<SlotLock>> {
    let path = dir.join(format!("slot-{slot}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(SlotLock {
            _file: file,
            _host: None,
            path,
        })),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path, e)),
    }
}

/// Creates `dir` (and its parents) as a world-writable sticky directory
/// (mode 1777, like `/tmp`), so every user's processes can add lock files
/// but none can remove another's.
fn ensure_shared_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() && !parent.is_dir() {
            ensure_shared_dir(parent)?;
        }
    }
    match fs::create_dir(dir) {
        Ok(()) => {
            // Ours: open it to everyone (the umask narrowed the mode).
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(dir, fs::Permissions::from_mode(0o1777))
                    .map_err(|e| io_err(dir, e))?;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err(dir, e)),
    }
}

/// Opens (creating if needed) a machine-wide lock file that other users'
/// processes must be able to lock too.
fn open_host_lock(path: &Path) -> io::Result<File> {
    // In a world-writable directory, never follow a planted symlink.
    if let Ok(m) = fs::symlink_metadata(path) {
        if !m.file_type().is_file() {
            return Err(io::Error::other(
                "not a regular file (a symlink?); refusing to use it",
            ));
        }
    }
    let mut create = OpenOptions::new();
    create.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        create.mode(0o644);
    }
    match create.open(path) {
        Ok(f) => {
            // Readable by all whatever the umask: flock needs only a
            // read-only descriptor, so other users can lock our file.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = f.set_permissions(fs::Permissions::from_mode(0o644));
            }
            Ok(f)
        }
        // Another user's file: a read-only descriptor locks it as well.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            OpenOptions::new().read(true).open(path)
        }
        Err(e) => Err(e),
    }
}

/// The outcome of trying one slot.
enum SlotTry {
    Locked(SlotLock),
    /// Another live process holds this lock file.
    Busy(PathBuf),
}

/// Locks slot `slot` in the state directory and, if `host` is given, in the
/// machine-wide directory too (see [`host_lock_dir`]). An existing
/// machine-wide lock file that cannot be used (another user's file we may
/// not open, a symlink) is `Busy` if `unusable_is_busy` (the slot may be
/// another user's: skip it), else an error.
fn lock_slot(
    dir: &Path,
    host: Option<&Path>,
    slot: u64,
    unusable_is_busy: bool,
) -> Result<SlotTry> {
    let Some(mut lock) = try_lock(dir, slot)? else {
        return Ok(SlotTry::Busy(dir.join(format!("slot-{slot}.lock"))));
    };
    if let Some(host) = host {
        let path = host.join(format!("slot-{slot}.lock"));
        let file = match open_host_lock(&path) {
            Ok(f) => f,
            // Someone else's file we cannot use: skip the slot. A file we
            // cannot even create (an unwritable directory) is an error that
            // names the path, not a silent scan of every slot.
            Err(_) if unusable_is_busy && fs::symlink_metadata(&path).is_ok() => {
                return Ok(SlotTry::Busy(path))
            }
            Err(e) => return Err(io_err(&path, e)),
        };
        match file.try_lock() {
            Ok(()) => lock._host = Some(file),
            Err(fs::TryLockError::WouldBlock) => return Ok(SlotTry::Busy(path)),
            Err(fs::TryLockError::Error(_)) if unusable_is_busy => return Ok(SlotTry::Busy(path)),
            Err(fs::TryLockError::Error(e)) => return Err(io_err(&path, e)),
        }
    }
    Ok(SlotTry::Locked(lock))
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
    let host = host_lock_dir(&options.state_dir).map(|h| layout_dir(&h, layout));
    let ensure_dir = || {
        fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        match &host {
            Some(h) => ensure_shared_dir(h),
            None => Ok(()),
        }
    };
    let fixed = match &options.source {
        NodeSource::Explicit(v) => v.clone(),
        NodeSource::Env => env_nodes(layout)?,
        NodeSource::Kubernetes { hostname } => {
            let host = match hostname {
                Some(h) => h.clone(),
                None => read_hostname(),
            };
            slot_nodes(layout, k8s_ordinal(&host, slots)?)
        }
        NodeSource::Local => {
            ensure_dir()?;
            for k in 0..slots {
                if let SlotTry::Locked(lock) = lock_slot(&dir, host.as_deref(), k, true)? {
                    let description = format!("local slot {k} in {}", dir.display());
                    return Ok(NodeClaim {
                        nodes: slot_nodes(layout, k),
                        lock: Some(lock),
                        description,
                    });
                }
            }
            return Err(Error::NoFreeSlot {
                slots,
                dir: dir.display().to_string(),
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
    let k = slot_of(layout, &fixed);
    let lock = if options.lock {
        ensure_dir()?;
        match lock_slot(&dir, host.as_deref(), k, false)? {
            SlotTry::Locked(lock) => Some(lock),
            SlotTry::Busy(path) => {
                return Err(Error::NodeInUse {
                    nodes: format_nodes(layout, &fixed),
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

fn format_nodes(layout: &Layout, nodes: &[u64]) -> String {
    layout
        .node_names()
        .iter()
        .zip(nodes)
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn env_nodes(layout: &Layout) -> Result<Vec<u64>> {
    let mut any = false;
    let mut out = Vec::new();
    for f in layout.node_fields() {
        let var = format!("SNOWID_{}_ID", f.name().to_ascii_uppercase());
        let v = match std::env::var(&var) {
            Ok(s) if !s.trim().is_empty() => {
                any = true;
                parse_setting(&var, &s, 0, f.max())?
            }
            _ => 0,
        };
        out.push(v);
    }
    if !any {
        let names: Vec<String> = layout
            .node_names()
            .iter()
            .map(|n| format!("SNOWID_{}_ID", n.to_ascii_uppercase()))
            .collect();
        return Err(Error::InvalidSetting {
            setting: "SNOWID_NODE_SOURCE".into(),
            value: "env".into(),
            expected: format!("at least one of {} to be set", names.join(", ")),
        });
    }
    Ok(out)
}

/// Parses an integer setting in `min..=max`, or an error naming it.
pub fn parse_setting(setting: &str, value: &str, min: u64, max: u64) -> Result<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| Error::InvalidSetting {
            setting: setting.to_owned(),
            value: value.to_owned(),
            expected: format!("an integer {min}..={max}"),
        })
}

fn read_hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| fs::read_to_string("/etc/hostname").ok())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The StatefulSet ordinal of `hostname` (`web-3` -> 3), if below `slots`.
pub fn k8s_ordinal(hostname: &str, slots: u64) -> Result<u64> {
    let bad = || Error::InvalidSetting {
        setting: "hostname".into(),
        value: hostname.to_owned(),
        expected: format!(
            "a StatefulSet pod name ending in -<ordinal>, ordinal 0..={}",
            slots - 1
        ),
    };
    let (_, digits) = hostname.rsplit_once('-').ok_or_else(bad)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|&o| o < slots)
        .ok_or_else(bad)
}

const MARK_MAGIC: &str = "snowid-high-water 1";

fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A high-water mark in a file: the highest tick that IDs with these node
/// numbers may have used. Implements [`Reserve`].
#[derive(Debug)]
pub struct HighWaterFile {
    path: PathBuf,
    key: String,
    window_ticks: u64,
    tick_ms: u64,
    epoch_ms: u64,
    written: Mutex<Option<u64>>,
}

impl HighWaterFile {
    /// Opens the mark for `nodes` of `layout` under `state_dir`, returning it
    /// and the mark on disk (`None` if there is none yet). A file that exists
    /// but does not hold a valid mark is an error, never a silent restart.
    pub fn open(
        state_dir: &Path,
        layout: &Layout,
        nodes: &[u64],
        window_ms: u64,
    ) -> Result<(Self, Option<u64>)> {
        let dir = layout_dir(state_dir, layout);
        fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        let k = slot_of(layout, nodes);
        let path = dir.join(format!("slot-{k}.mark"));
        let key = format!("{} {}", layout, format_nodes(layout, nodes));
        let hw = HighWaterFile {
            path,
            key,
            window_ticks: window_ms.div_ceil(layout.tick_ms()).max(1),
            tick_ms: layout.tick_ms(),
            epoch_ms: layout.epoch_ms(),
            written: Mutex::new(None),
        };
        let mark = hw.read()?;
        *hw.written.lock().unwrap_or_else(|p| p.into_inner()) = mark;
        Ok((hw, mark))
    }

    /// The mark file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn corrupt(&self, reason: &str) -> Error {
        Error::StateCorrupt {
            path: self.path.display().to_string(),
            reason: reason.to_owned(),
            hint: "the last write of this file".into(),
        }
    }

    /// Reads the mark on disk.
    pub fn read(&self) -> Result<Option<u64>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(self.corrupt("not UTF-8"))
            }
            Err(e) => return Err(io_err(&self.path, e)),
        };
        let mut lines = text.lines();
        let (Some(magic), Some(key), Some(tick), Some(check), None) = (
            lines.next(),
            lines.next(),
            lines.next(),
            lines.next(),
            lines.next(),
        ) else {
            return Err(self.corrupt("expected 4 lines (truncated or extended)"));
        };
        if magic != MARK_MAGIC {
            return Err(self.corrupt("unknown header"));
        }
        let body = format!("{magic}\n{key}\n{tick}\n");
        if check.strip_prefix("check ") != Some(&format!("{:016x}", fnv64(&body))) {
            return Err(self.corrupt("checksum mismatch"));
        }
        if key != format!("layout {}", self.key) {
            return Err(self.corrupt("written for another layout or node"));
        }
        let tick = tick
            .strip_prefix("tick ")
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| self.corrupt("bad tick line"))?;
        Ok(Some(tick))
    }

    fn write(&self, tick: u64) -> Result<()> {
        let body = format!("{MARK_MAGIC}\nlayout {}\ntick {tick}\n", self.key);
        let text = format!("{body}check {:016x}\n", fnv64(&body));
        let tmp = self
            .path
            .with_extension(format!("mark.tmp{}", std::process::id()));
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| io_err(&self.path, e))
    }

    /// The mark as a time (ms since the Unix epoch), for messages.
    pub fn tick_ms(&self, tick: u64) -> u64 {
        self.epoch_ms + tick * self.tick_ms
    }
}

impl Reserve for HighWaterFile {
    fn reserve(&self, tick: u64) -> Result<u64> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let target = tick.saturating_add(self.window_ticks);
        self.write(target)?;
        *written = Some(target);
        Ok(target)
    }

    fn release(&self, last_tick: Option<u64>) {
        let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        // Lower the reservation to what was really used; never below the
        // floor this generator started from (that is `last_tick` or more).
        if let (Some(last), Some(w)) = (last_tick, *written) {
            if last < w {
                let _ = self.write(last);
            }
        }
    }
}

/// Builds a generator whose node numbers come from `options` (ignoring any
/// set in `config`), holding the slot lock for its lifetime and persisting a
/// high-water mark if asked.
pub fn build(mut config: Config, options: &NodeOptions) -> Result<Generator> {
    match &options.source {
        #[cfg(feature = "etcd")]
        NodeSource::Etcd(spec) => {
            return crate::lease::build(
                config,
                crate::lease::Service::Etcd,
                spec,
                options.window_ms,
            )
            .map(|(g, _)| g)
        }
        #[cfg(feature = "redis")]
        NodeSource::Redis(spec) => {
            return crate::lease::build(
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
        g = g.with_reserve(Box::new(hw), floor.unwrap_or(0));
    }
    let description = claim.description.clone();
    Ok(g.with_guard(Box::new(claim), description))
}

/// Everything [`from_env`] reads, resolved.
#[derive(Debug, Clone)]
pub struct EnvSettings {
    /// `SNOWID_LAYOUT` (a preset name; default `twitter`).
    pub layout: Layout,
    /// `SNOWID_NODE_SOURCE`.
    pub options: NodeOptions,
    /// `SNOWID_CLOCK` (`cached`, default, or `monotonic`).
    pub clock: ClockChoice,
}

/// Reads the environment:
///
/// | variable | values | default |
/// |---|---|---|
/// | `SNOWID_LAYOUT` | `twitter`, `discord`, `instagram`, `sonyflake` | `twitter` |
/// | `SNOWID_NODE_SOURCE` | `env`, `k8s`, `local` | `env` if any `SNOWID_<FIELD>_ID` is set, else `local` |
/// | `SNOWID_<FIELD>_ID` | node values, e.g. `SNOWID_WORKER_ID`, `SNOWID_DATACENTER_ID` | 0 |
/// | `SNOWID_STATE_DIR` | directory for slot locks and marks | see [`default_state_dir`] |
/// | `SNOWID_PERSIST` | `1`/`0`: keep a high-water mark | `1` |
/// | `SNOWID_WINDOW_MS` | ms reserved per mark write, 1..=3600000 | `1000` |
/// | `SNOWID_CLOCK` | `cached`, `monotonic` | `cached` |
/// | `SNOWID_ETCD_ENDPOINTS` | with `SNOWID_NODE_SOURCE=etcd`: comma-separated `host:port` list | required |
/// | `SNOWID_ETCD_PREFIX` | key prefix of the etcd leases | `snowid` |
/// | `SNOWID_REDIS_URL` | with `SNOWID_NODE_SOURCE=redis`: `redis://host:port/db` | required |
/// | `SNOWID_REDIS_PREFIX` | key prefix of the Redis leases | `snowid` |
/// | `SNOWID_LEASE_TTL_MS` | lease time to live, 1000..=3600000 | `10000` |
///
/// `etcd` and `redis` need the cargo features of the same names; in a build
/// without them, naming them is an [`Error::InvalidSetting`] that says so.
///
/// Every bad value is an [`Error::InvalidSetting`] naming the variable.
pub fn settings_from_env() -> Result<EnvSettings> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let bad = |setting: &str, value: &str, expected: &str| Error::InvalidSetting {
        setting: setting.into(),
        value: value.into(),
        expected: expected.into(),
    };
    let layout = match get("SNOWID_LAYOUT") {
        Some(name) => Layout::preset(name.trim()).map_err(|_| {
            bad(
                "SNOWID_LAYOUT",
                &name,
                "one of twitter, discord, instagram, sonyflake",
            )
        })?,
        None => Layout::twitter(),
    };
    let any_id = layout
        .node_names()
        .iter()
        .any(|n| get(&format!("SNOWID_{}_ID", n.to_ascii_uppercase())).is_some());
    let source = match get("SNOWID_NODE_SOURCE").as_deref().map(str::trim) {
        None if any_id => NodeSource::Env,
        None => NodeSource::Local,
        Some("env") => NodeSource::Env,
        Some("local") => NodeSource::Local,
        Some("k8s") | Some("kubernetes") => NodeSource::Kubernetes { hostname: None },
        Some(name @ ("etcd" | "redis")) => lease_source_from_env(name)?,
        Some(other) => {
            return Err(bad(
                "SNOWID_NODE_SOURCE",
                other,
                "one of env, k8s, local, etcd, redis",
            ))
        }
    };
    let mut options = NodeOptions::new(source);
    if let Some(p) = get("SNOWID_PERSIST") {
        options.persist = match p.trim() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            _ => return Err(bad("SNOWID_PERSIST", &p, "1 or 0")),
        };
    }
    if let Some(w) = get("SNOWID_WINDOW_MS") {
        options.window_ms = parse_setting("SNOWID_WINDOW_MS", &w, 1, 3_600_000)?;
    }
    let clock = match get("SNOWID_CLOCK").as_deref().map(str::trim) {
        None | Some("cached") => ClockChoice::Cached,
        Some("monotonic") => ClockChoice::Monotonic,
        Some(other) => return Err(bad("SNOWID_CLOCK", other, "cached or monotonic")),
    };
    Ok(EnvSettings {
        layout,
        options,
        clock,
    })
}

/// `SNOWID_NODE_SOURCE=etcd|redis`: the lease settings, or an error naming
/// the variable (or the missing cargo feature).
#[allow(unused_variables)]
fn lease_source_from_env(name: &str) -> Result<NodeSource> {
    #[cfg(any(feature = "etcd", feature = "redis"))]
    let spec = || -> Result<crate::lease::LeaseSpec> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let (var, prefix_var) = match name {
            "etcd" => ("SNOWID_ETCD_ENDPOINTS", "SNOWID_ETCD_PREFIX"),
            _ => ("SNOWID_REDIS_URL", "SNOWID_REDIS_PREFIX"),
        };
        let value = get(var).ok_or_else(|| Error::InvalidSetting {
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
        if let Some(p) = get(prefix_var) {
            spec.prefix = p.trim().to_owned();
        }
        if let Some(t) = get("SNOWID_LEASE_TTL_MS") {
            spec.ttl_ms = parse_setting("SNOWID_LEASE_TTL_MS", &t, 1000, 3_600_000)?;
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

/// The generator the bindings' module-level `next()` uses: configured from
/// the environment (see [`settings_from_env`]); with nothing set, a
/// machine-local slot with a persisted high-water mark.
pub fn from_env() -> Result<Generator> {
    let s = settings_from_env()?;
    build(Config::new(s.layout).clock(s.clock), &s.options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_map_to_nodes_and_back() {
        let l = Layout::twitter();
        assert_eq!(slot_nodes(&l, 0), vec![0, 0]);
        assert_eq!(slot_nodes(&l, 33), vec![1, 1]);
        assert_eq!(slot_nodes(&l, 1023), vec![31, 31]);
        assert_eq!(slot_of(&l, &[1, 1]), 33);
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
            let e = lease_source_from_env(name).unwrap_err();
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
        for bad in ["web-1024", "web", "web-", "web-3a", ""] {
            let e = k8s_ordinal(bad, 1024).unwrap_err();
            assert_eq!(e.code(), "INVALID_SETTING", "{bad}");
            assert!(e.to_string().contains("0..=1023"), "{e}");
        }
    }
}
