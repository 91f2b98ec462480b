//! Segment mode: dense, strictly increasing IDs per business key (order
//! numbers, invoice numbers) from ranges of a counter kept in a store.
//!
//! A [`Segment`] takes ranges `[start, end)` of its key's counter from a
//! [`SegmentStore`] (`file://`, `postgres://`, `redis://`, chosen by URL) and
//! hands out IDs from the current range with one atomic increment: no lock,
//! no I/O per ID. When `prefetch_at` percent of the current range is used, a
//! background thread takes the next range, so a steady caller never waits
//! for the store (double buffering). The step adapts to the rate: it doubles
//! when a range lasted less than half of `range_ms`, and halves when it
//! lasted more than twice `range_ms`, within `min_step..=max_step`.
//!
//! Guarantees: IDs of one key are unique across every process sharing the
//! store (a store moves the counter up atomically and never down), strictly
//! increasing within one `Segment` (ranges come in counter order; take one
//! `Segment` per key per process), never reissued after a crash (the rest of
//! a taken range is skipped, not reused), and at most [`MAX_SEGMENT_ID`]
//! (2^63 - 1), so they fit a signed 64-bit column. A store that loses data
//! (Redis without persistence restarted, a counter restored from a backup)
//! is raised again above what was handed out: by the running process that
//! gets a range below its last one (it then refuses for good), and by any
//! process of a machine that took IDs before, whose machine mark
//! ([`mark`]) is above the store's counter.
//!
//! ```
//! use snowid::segment::SegmentOptions;
//! let dir = std::env::temp_dir().join(format!("snowid-doc-{}", std::process::id()));
//! let orders = SegmentOptions::new()
//!     .with("store", format!("file://{}", dir.display()))
//!     .build("orders")?;
//! let a = orders.next_id()?;
//! let b = orders.next_id()?;
//! assert!(b > a);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), snowid::Error>(())
//! ```

pub mod file;
pub mod mark;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
pub mod store;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::*};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use store::{Range, SegmentStore, StoreUrl, MAX_SEGMENT_ID, STORE_SCHEMES};

use crate::env::Environment;
use crate::error::{Error, Result};
use crate::fork::FORK_GENERATION;
use crate::options::canonical_key;
use crate::value::Value;

/// Longest segment key, in bytes.
pub const MAX_KEY_LEN: usize = 128;
/// Default first step, as in Meituan Leaf.
pub const DEFAULT_STEP: u64 = 1000;
/// Default largest step the adaptation may reach.
pub const DEFAULT_MAX_STEP: u64 = 1_000_000;
/// Default share of a range used before the next one is fetched (percent).
pub const DEFAULT_PREFETCH_AT: u64 = 10;
/// Default target lifetime of one range.
pub const DEFAULT_RANGE_MS: u64 = 60_000;
// Declared in the options table (`crate::option_table`).
pub use crate::option_table::{MAX_RANGE_MS, MAX_STEP, SEGMENT_OPTION_NAMES};

/// Checks a segment key: 1..=128 bytes of `A-Z a-z 0-9 _ - .`, not starting
/// with `.` (a key names a file in the file store and a row or a Redis key
/// elsewhere, the same in every store).
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |reason: String| {
        Err(Error::SegmentKey {
            key: key.to_owned(),
            reason,
        })
    };
    if key.is_empty() {
        return bad("empty; a key is 1..=128 characters of A-Z a-z 0-9 _ - .".into());
    }
    if key.len() > MAX_KEY_LEN {
        return bad(format!(
            "{} bytes long; a key is 1..={MAX_KEY_LEN} characters",
            key.len()
        ));
    }
    if let Some((i, c)) = key
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return bad(format!(
            "character {c:?} at position {i}; allowed are A-Z a-z 0-9 _ - ."
        ));
    }
    if key.starts_with('.') {
        return bad("starts with '.'; allowed first characters are A-Z a-z 0-9 _ -".into());
    }
    Ok(())
}

/// A key as the host gave it: a string, checked by [`validate_key`].
pub fn key_from_value(key: &Value) -> Result<String> {
    let s = match key {
        Value::NonUtf8(b) => {
            return Err(Error::SegmentKey {
                key: String::from_utf8_lossy(b).into_owned(),
                reason: "not valid UTF-8".into(),
            })
        }
        other => other.string("key", "a string")?,
    };
    validate_key(s)?;
    Ok(s.to_owned())
}

/// Segment options as the host gave them, in order; resolved by
/// [`Self::resolve`]. The rules are `testdata/OPTIONS.md`, "Segment options".
#[derive(Debug, Clone, Default)]
pub struct SegmentOptions {
    entries: Vec<(String, String, Value)>,
}

/// Resolved segment settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSettings {
    /// Where the counters live.
    pub store: StoreUrl,
    /// The first step.
    pub step: u64,
    /// The smallest step the adaptation may choose.
    pub min_step: u64,
    /// The largest step the adaptation may choose.
    pub max_step: u64,
    /// Percent of a range used before the next is fetched (0..=99).
    pub prefetch_at: u64,
    /// Target lifetime of one range, in ms.
    pub range_ms: u64,
    /// Accept a store that can lose acknowledged writes (a Redis with
    /// neither AOF nor RDB saves); refused by default.
    pub allow_volatile_store: bool,
    /// Where the machine marks live ([`mark`]): `<state dir>/segment-marks`;
    /// `None` keeps none (only for stores no other process shares).
    pub mark_dir: Option<PathBuf>,
}

impl SegmentOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an option as the user named it (`snake_case` or lowerCamelCase).
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.entries
            .push((key.to_owned(), canonical_key(key), value.into()));
        self
    }

    /// [`Self::set`], by value.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Resolves against the process environment (`SNOWID_SEGMENT_STORE`,
    /// `SNOWID_STATE_DIR`).
    pub fn resolve(&self) -> Result<SegmentSettings> {
        self.resolve_in(&Environment::process())
    }

    /// Resolves against a given environment.
    pub fn resolve_in(&self, env: &Environment) -> Result<SegmentSettings> {
        // Key spelling: unknown names, then the same option twice.
        for (given, key, _) in &self.entries {
            if !SEGMENT_OPTION_NAMES.contains(&key.as_str()) {
                return Err(Error::InvalidSetting {
                    setting: given.clone(),
                    value: "(an option name)".into(),
                    expected: format!("one of {}", SEGMENT_OPTION_NAMES.join(", ")),
                });
            }
        }
        for (i, (given, key, _)) in self.entries.iter().enumerate() {
            if let Some((first, _, _)) = self.entries[..i].iter().find(|e| &e.1 == key) {
                return Err(Error::InvalidSetting {
                    setting: given.clone(),
                    value: "(given twice)".into(),
                    expected: format!("{key} once (already given as {first})"),
                });
            }
        }
        let get = |k: &str| self.entries.iter().find(|e| e.1 == k).map(|e| (&e.0, &e.2));
        let store = match get("store") {
            Some((name, v)) => StoreUrl::parse(v.string(name, "a store URL")?)?,
            None => default_store(env)?,
        };
        // The range of each integer option is the options table's.
        let int = |k: &str| -> Result<Option<u64>> {
            let (min, max) = crate::option_table::int_range(k);
            get(k)
                .map(|(name, v)| v.int_in(name, min.into(), max.into()).map(|i| i as u64))
                .transpose()
        };
        let step = int("step")?;
        let min_step = int("min_step")?;
        let max_step = int("max_step")?;
        let prefetch_at = int("prefetch_at")?.unwrap_or(DEFAULT_PREFETCH_AT);
        let range_ms = int("range_ms")?.unwrap_or(DEFAULT_RANGE_MS);
        let allow_volatile_store = get("allow_volatile_store")
            .map(|(name, v)| v.boolean(name))
            .transpose()?
            .unwrap_or(false);
        let step = step.unwrap_or_else(|| {
            DEFAULT_STEP
                .max(min_step.unwrap_or(1))
                .min(max_step.unwrap_or(MAX_STEP))
        });
        let min_step = min_step.unwrap_or(step.min(DEFAULT_STEP));
        let max_step = max_step.unwrap_or(step.max(DEFAULT_MAX_STEP));
        if min_step > step {
            return Err(Error::InvalidSetting {
                setting: "min_step".into(),
                value: min_step.to_string(),
                expected: format!("at most step ({step})"),
            });
        }
        if max_step < step {
            return Err(Error::InvalidSetting {
                setting: "max_step".into(),
                value: max_step.to_string(),
                expected: format!("at least step ({step})"),
            });
        }
        Ok(SegmentSettings {
            store,
            step,
            min_step,
            max_step,
            prefetch_at,
            range_ms,
            allow_volatile_store,
            mark_dir: Some(crate::node::default_state_dir_in(env)?.join(mark::MARK_DIR)),
        })
    }

    /// Resolves, checks `key`, opens the store and makes the [`Segment`].
    pub fn build(&self, key: &str) -> Result<Segment> {
        validate_key(key)?;
        Segment::new(key, self.resolve()?)
    }
}

/// Opening a store is the segment module's: the stores below know the
/// trait they implement, not each other.
impl StoreUrl {
    /// Opens the store (connects for PostgreSQL and Redis, creating the
    /// table or the directory if missing). A Redis that can lose
    /// acknowledged writes is refused ([`Self::open_checked`]).
    pub fn open(&self) -> Result<Box<dyn SegmentStore>> {
        self.open_checked(false)
    }

    /// [`Self::open`]; `allow_volatile` (the segment option
    /// `allow_volatile_store`) accepts a Redis without persistence.
    pub fn open_checked(&self, allow_volatile: bool) -> Result<Box<dyn SegmentStore>> {
        let _ = allow_volatile; // only Redis asks
        match self {
            StoreUrl::File(dir) => Ok(Box::new(self::file::FileStore::open(dir)?)),
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => Ok(Box::new(self::postgres::PostgresStore::open(url)?)),
            #[cfg(feature = "redis")]
            StoreUrl::Redis(url) => Ok(Box::new(self::redis::RedisStore::open_checked(
                url,
                allow_volatile,
            )?)),
            #[allow(unreachable_patterns)]
            _ => unreachable!("parse refuses schemes this build lacks"),
        }
    }
}

/// The store when none is given: `SNOWID_SEGMENT_STORE`; else, in a
/// replicated environment (Kubernetes, AWS Lambda, Cloud Run), an error:
/// each replica has its own filesystem, so a file store there would hand
/// out the same IDs on every replica; else `file://$SNOWID_STATE_DIR/segments`
/// when `SNOWID_STATE_DIR` is set (the processes that share that directory
/// share the counters), else [`file::MACHINE_STORE_DIR`], one directory for
/// every user of the machine.
pub fn default_store(env: &Environment) -> Result<StoreUrl> {
    if let Some(url) = env.get("SNOWID_SEGMENT_STORE")? {
        return StoreUrl::parse(&url).map_err(|e| match e {
            Error::SegmentStoreUrl { url, reason } => Error::SegmentStoreUrl {
                url,
                reason: format!("{reason} (from SNOWID_SEGMENT_STORE)"),
            },
            e => e,
        });
    }
    if let Some(environment) = crate::env::replicated_environment(env)? {
        return Err(Error::SegmentStoreUrl {
            url: "(none configured)".into(),
            reason: format!(
                "no segment store is configured and this process runs in {environment}, where every replica has its own filesystem, \
                 so the default file store would hand out the same IDs of a key on every replica; \
                 choose a store every replica shares: store=\"postgres://...\" or store=\"redis://...\" (or SNOWID_SEGMENT_STORE); \
                 a file:// store given explicitly is used as given"
            ),
        });
    }
    let dir: PathBuf = match env.path("SNOWID_STATE_DIR")? {
        Some(state) => state.join("segments"),
        None if cfg!(unix) => PathBuf::from(file::MACHINE_STORE_DIR),
        None => crate::node::default_state_dir_in(env)?.join("segments"),
    };
    Ok(StoreUrl::File(dir))
}

impl SegmentSettings {
    /// The settings as one line of JSON (stable key order), for `inspect`
    /// output and the vectors.
    pub fn summary_json(&self) -> String {
        let store = match &self.store {
            StoreUrl::File(p) => format!("file://{}", p.display()),
            StoreUrl::Postgres(u) | StoreUrl::Redis(u) => store::redact(u),
        };
        format!(
            r#"{{"allow_volatile_store":{},"max_step":{},"min_step":{},"prefetch_at":{},"range_ms":{},"step":{},"store":{:?}}}"#,
            self.allow_volatile_store,
            self.max_step,
            self.min_step,
            self.prefetch_at,
            self.range_ms,
            self.step,
            store
        )
    }
}

/// What a [`Segment`] has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentStats {
    /// Ranges taken from the store.
    pub ranges_fetched: u64,
    /// Takes that failed (store unreachable, ...).
    pub fetch_failures: u64,
    /// Latency of the last successful take, in microseconds.
    pub last_fetch_us: u64,
    /// Largest latency of a take, in microseconds.
    pub max_fetch_us: u64,
    /// Sum of take latencies, in microseconds (divide by `ranges_fetched`).
    pub total_fetch_us: u64,
    /// Calls that found both buffers spent and waited for the store.
    pub waits: u64,
    /// The step of the next take.
    pub step: u64,
    /// The range IDs come from now (`[start, end)`; 0..0 before the first ID).
    pub current_start: u64,
    /// End of the current range (exclusive).
    pub current_end: u64,
    /// Whether the next range is already buffered.
    pub buffered: bool,
}

#[repr(align(128))]
struct Padded<T>(T);

struct Slow {
    buffered: Option<Range>,
    current: Option<Range>,
    /// A take is wanted (the worker takes one while nothing is buffered).
    requested: bool,
    /// Takes finished (successful or not): waiters wait for it to move.
    completed: u64,
    error: Option<Error>,
    /// Set for good once the store handed out a range below one it handed
    /// out before (it lost its data): later ranges could repeat IDs other
    /// processes issued, so this segment never takes another.
    lost: Option<Error>,
    /// The end of the last range taken: a range from the store must start
    /// at or above it, or the store lost its counter.
    floor: u64,
    last_take: Option<Instant>,
    step: u64,
    stop: bool,
}

struct Inner {
    /// The next ID to hand out; written by every caller (its own line).
    next: Padded<AtomicU64>,
    /// One past the last ID of the current range, and the ID whose issue
    /// asks for the next range (read-mostly, together on another line).
    end: Padded<(AtomicU64, AtomicU64)>,
    key: String,
    store: Box<dyn SegmentStore>,
    mark: Option<mark::MachineMark>,
    settings: SegmentSettings,
    fork_generation: u64,
    slow: Mutex<Slow>,
    cv: Condvar,
    ranges_fetched: AtomicU64,
    fetch_failures: AtomicU64,
    last_fetch_us: AtomicU64,
    max_fetch_us: AtomicU64,
    total_fetch_us: AtomicU64,
    waits: AtomicU64,
}

/// A generator of dense, strictly increasing IDs for one key. `Send + Sync`;
/// share it among threads. Dropping it stops its prefetch thread; the rest of
/// its ranges is skipped for good.
pub struct Segment {
    inner: Arc<Inner>,
    worker: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("key", &self.inner.key)
            .field("store", &self.inner.store.describe())
            .finish()
    }
}

impl Segment {
    /// Opens the store of `settings` and makes a segment for `key`. No range
    /// is taken until the first ID.
    pub fn new(key: &str, settings: SegmentSettings) -> Result<Segment> {
        validate_key(key)?;
        let store = settings.store.open_checked(settings.allow_volatile_store)?;
        Self::with_store(key, settings, store)
    }

    /// A segment over a store you opened (or wrote) yourself.
    pub fn with_store(
        key: &str,
        settings: SegmentSettings,
        store: Box<dyn SegmentStore>,
    ) -> Result<Segment> {
        validate_key(key)?;
        crate::fork::watch_forks();
        let mark = match &settings.mark_dir {
            Some(dir) => Some(mark::MachineMark::open(dir, store.describe(), key)?),
            None => None,
        };
        let inner = Arc::new(Inner {
            next: Padded(AtomicU64::new(0)),
            end: Padded((AtomicU64::new(0), AtomicU64::new(u64::MAX))),
            key: key.to_owned(),
            store,
            mark,
            fork_generation: FORK_GENERATION.load(SeqCst),
            slow: Mutex::new(Slow {
                buffered: None,
                current: None,
                requested: false,
                completed: 0,
                error: None,
                lost: None,
                floor: 0,
                last_take: None,
                step: settings.step,
                stop: false,
            }),
            settings,
            cv: Condvar::new(),
            ranges_fetched: AtomicU64::new(0),
            fetch_failures: AtomicU64::new(0),
            last_fetch_us: AtomicU64::new(0),
            max_fetch_us: AtomicU64::new(0),
            total_fetch_us: AtomicU64::new(0),
            waits: AtomicU64::new(0),
        });
        let w = Arc::clone(&inner);
        let worker = std::thread::Builder::new()
            .name(format!("snowid-segment-{key}"))
            .spawn(move || w.prefetch_loop())
            .map_err(|e| store::unavailable(key, inner.store.describe(), e.to_string()))?;
        Ok(Segment {
            inner,
            worker: Some(worker),
        })
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.inner.key
    }

    /// The store, as messages show it.
    pub fn store(&self) -> &str {
        self.inner.store.describe()
    }

    /// The settings.
    pub fn settings(&self) -> &SegmentSettings {
        &self.inner.settings
    }

    /// The next ID: one atomic increment while the current range lasts.
    #[inline]
    pub fn next_id(&self) -> Result<u64> {
        let mut id = 0;
        self.fill(std::slice::from_mut(&mut id))?;
        Ok(id)
    }

    /// The next ID if the current range has one, else `None` (then call
    /// [`Self::next_id`], which switches ranges and may wait for the store).
    /// Never blocks: for bindings that release a host lock before waiting.
    #[inline]
    pub fn try_next_id(&self) -> Option<u64> {
        let inner = &*self.inner;
        if FORK_GENERATION.load(Relaxed) != inner.fork_generation {
            return None;
        }
        let end = inner.end.0 .0.load(Acquire);
        let id = inner.next.0.fetch_add(1, Relaxed);
        if id < end {
            if id == inner.end.0 .1.load(Relaxed) {
                inner.request_prefetch();
            }
            Some(id)
        } else {
            None
        }
    }

    /// `n` IDs, strictly increasing (`n` up to [`crate::MAX_BATCH`]).
    pub fn next_ids(&self, n: usize) -> Result<Vec<u64>> {
        if n as u64 > crate::MAX_BATCH {
            return Err(Error::InvalidSetting {
                setting: "n".into(),
                value: n.to_string(),
                expected: format!("an integer 0..={}", crate::MAX_BATCH),
            });
        }
        let mut out = vec![0; n];
        self.fill(&mut out)?;
        Ok(out)
    }

    /// Fills `out` with strictly increasing IDs. On error, the IDs already
    /// written are issued but the call reports the failure.
    #[inline]
    pub fn fill(&self, out: &mut [u64]) -> Result<()> {
        let inner = &*self.inner;
        if FORK_GENERATION.load(Relaxed) != inner.fork_generation {
            return Err(Error::Forked {
                created: inner.fork_generation,
                now: FORK_GENERATION.load(SeqCst),
            });
        }
        let mut done = 0;
        while done < out.len() {
            let want = (out.len() - done) as u64;
            // Acquire: seeing a range's end means seeing its start in `next`.
            let end = inner.end.0 .0.load(Acquire);
            let first = inner.next.0.fetch_add(want, Relaxed);
            if first < end {
                let got = want.min(end - first);
                for (i, slot) in out[done..done + got as usize].iter_mut().enumerate() {
                    *slot = first + i as u64;
                }
                done += got as usize;
                let trigger = inner.end.0 .1.load(Relaxed);
                if first <= trigger && trigger < first + got {
                    inner.request_prefetch();
                }
                if got == want {
                    return Ok(());
                }
            }
            // The current range is spent (the numbers taken past its end
            // are never issued): switch to the buffered one or wait.
            inner.switch_range()?;
        }
        Ok(())
    }

    /// Counters and the current step.
    pub fn stats(&self) -> SegmentStats {
        let inner = &*self.inner;
        let s = inner.lock();
        let cur = s.current.unwrap_or(Range { start: 0, end: 0 });
        SegmentStats {
            ranges_fetched: inner.ranges_fetched.load(Relaxed),
            fetch_failures: inner.fetch_failures.load(Relaxed),
            last_fetch_us: inner.last_fetch_us.load(Relaxed),
            max_fetch_us: inner.max_fetch_us.load(Relaxed),
            total_fetch_us: inner.total_fetch_us.load(Relaxed),
            waits: inner.waits.load(Relaxed),
            step: s.step,
            current_start: cur.start,
            current_end: cur.end,
            buffered: s.buffered.is_some(),
        }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        {
            let mut s = self.inner.lock();
            s.stop = true;
        }
        self.inner.cv.notify_all();
        if let Some(w) = self.worker.take() {
            if FORK_GENERATION.load(SeqCst) == self.inner.fork_generation {
                let _ = w.join();
            }
            // In a forked child the thread does not exist: nothing to join.
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Slow> {
        self.slow.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn request_prefetch(&self) {
        let mut s = self.lock();
        if s.buffered.is_none() && !s.requested {
            s.requested = true;
            drop(s);
            self.cv.notify_all();
        }
    }

    /// Makes `r` the current range. Callers that see the new end (Acquire)
    /// see the new start too; a caller still holding the old end gets a
    /// number at or above the new start, which is past the old end, and
    /// comes back here: no number below the new start is ever issued from
    /// the new range, none of the old range twice.
    fn install(&self, s: &mut Slow, r: Range) {
        s.current = Some(r);
        let used = r.len() * self.settings.prefetch_at / 100;
        self.next.0.store(r.start, Relaxed);
        self.end.0 .1.store(r.start + used, Relaxed);
        self.end.0 .0.store(r.end, Release);
        if self.settings.prefetch_at == 0 || used == 0 {
            s.requested = true;
            self.cv.notify_all();
        }
    }

    fn switch_range(&self) -> Result<()> {
        let mut s = self.lock();
        let mut waited = false;
        loop {
            if self.next.0.load(Relaxed) < self.end.0 .0.load(Acquire) {
                return Ok(()); // another caller switched already
            }
            if let Some(r) = s.buffered.take() {
                self.install(&mut s, r);
                return Ok(());
            }
            if let Some(e) = &s.lost {
                return Err(e.clone());
            }
            if !waited {
                self.waits.fetch_add(1, Relaxed);
                waited = true;
            }
            s.requested = true;
            self.cv.notify_all();
            let seen = s.completed;
            while s.completed == seen && !s.stop {
                s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.buffered.is_none() {
                if let Some(e) = &s.error {
                    return Err(e.clone());
                }
            }
        }
    }

    fn prefetch_loop(&self) {
        let mut s = self.lock();
        loop {
            while !(s.stop || s.requested && s.buffered.is_none()) {
                s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            if s.lost.is_some() {
                s.requested = false;
                s.completed += 1;
                self.cv.notify_all();
                continue;
            }
            let (step, floor) = (s.step, s.floor);
            drop(s);
            let t0 = Instant::now();
            let taken = mark::take_above(&*self.store, self.mark.as_ref(), &self.key, step, floor);
            let us = t0.elapsed().as_micros() as u64;
            s = self.lock();
            s.requested = false;
            s.completed += 1;
            match taken {
                Ok(mark::Taken::WentBackwards {
                    range: r,
                    floor,
                    repair,
                }) => {
                    self.fetch_failures.fetch_add(1, Relaxed);
                    let repair = match repair {
                        Ok(n) => format!("raised it to {n}"),
                        Err(e) => format!("could not raise it: {e}"),
                    };
                    s.lost = Some(store::unavailable(
                        &self.key,
                        self.store.describe(),
                        format!(
                            "the store's counter went backwards (range {}..{} after one ending at {floor}): it lost data; {repair}; refusing to issue IDs that may have been issued before",
                            r.start, r.end
                        ),
                    ));
                    s.error = s.lost.clone();
                }
                Ok(mark::Taken::Range { range: r, .. }) => {
                    self.ranges_fetched.fetch_add(1, Relaxed);
                    self.last_fetch_us.store(us, Relaxed);
                    self.max_fetch_us.fetch_max(us, Relaxed);
                    self.total_fetch_us.fetch_add(us, Relaxed);
                    s.floor = r.end;
                    s.buffered = Some(r);
                    s.error = None;
                    let now = Instant::now();
                    if let Some(prev) = s.last_take {
                        s.step = adapt_step(&self.settings, step, now - prev);
                    }
                    s.last_take = Some(now);
                }
                Err(e) => {
                    self.fetch_failures.fetch_add(1, Relaxed);
                    s.error = Some(e);
                }
            }
            self.cv.notify_all();
        }
    }
}

/// The next step after a range of `step` IDs lasted `lasted`: doubled when
/// it lasted less than half the target, halved when more than twice the
/// target, within the bounds.
pub fn adapt_step(settings: &SegmentSettings, step: u64, lasted: Duration) -> u64 {
    let target = Duration::from_millis(settings.range_ms);
    if lasted < target / 2 {
        step.saturating_mul(2).min(settings.max_step)
    } else if lasted > target * 2 {
        (step / 2).max(settings.min_step)
    } else {
        step
    }
    .clamp(settings.min_step, settings.max_step)
}

#[cfg(test)]
mod tests;
