//! The remote generator: batches from the service, handed out lock-free.
//!
//! # The buffer, and why no ID is handed out twice
//!
//! Three buffers of `batch` slots take turns. `state` packs the current
//! batch's generation `g` (high bits) and the next position in it (low
//! [`POS_BITS`] bits); batch `g` lives in buffer `g % 3`. One ID is:
//!
//! 1. `v = state.fetch_add(1)`: position `i` of generation `g`, claimed by
//!    this caller alone (no other caller gets the same `(g, i)`).
//! 2. if `i < len[g % 3]`: read slot `i` of buffer `g % 3`;
//! 3. check that `state`'s generation is still `g` or `g + 1`.
//!
//! The fetch thread fills buffer `(g + 1) % 3` while `g` is current, so a
//! buffer is rewritten only for generation `g + 3`, after `g + 2` became
//! current. A caller that stalled between steps 1 and 3 across two switches
//! may have read a slot of the new batch: step 3 then sees `g + 2` or more
//! and the caller drops what it read and claims a new position. (Ordering:
//! the switch to `g + 2` happens before the refill through the mutex; the
//! refill's writes follow a release fence and step 3 follows an acquire
//! fence, so a caller that read a refilled slot sees the newer generation.)
//! A switch happens only when a whole batch is ready; a position past the
//! end of a batch is never handed out. Dropped positions are gaps, never
//! duplicates.
//!
//! Batches come only from answers read to their last byte
//! ([`super::http::Client::fetch`]); each request asks the service for new
//! IDs, none is ever replayed. A child after `fork()` sees the fork
//! generation move (one relaxed load per ID) and replaces the parent's
//! buffers and thread with its own, fetched afresh; the parent's copy is
//! never read again (and never freed: its mutex may have been held by a
//! thread the child does not have).

use std::sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering::*};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::http::{Client, Fail};
use super::RemoteSettings;
use crate::error::{Error, Result};
use crate::fork::FORK_GENERATION;

/// Bits of `state` that hold the position in the current batch.
pub const POS_BITS: u32 = 40;
const POS_MASK: u64 = (1 << POS_BITS) - 1;
/// First pause between two failed requests; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
/// Longest pause between two failed requests.
const MAX_BACKOFF: Duration = Duration::from_millis(1000);

/// What a [`RemoteGenerator`] has done so far (this process's copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RemoteStats {
    /// Batches fetched and read whole.
    pub batches_fetched: u64,
    /// Requests that gave no batch (refused, timed out, cut short, 4xx, 5xx).
    pub fetch_failures: u64,
    /// Calls that found the buffer empty and waited for a batch.
    pub waits: u64,
    /// Latency of the last successful request, in microseconds.
    pub last_fetch_us: u64,
    /// Largest latency of a successful request, in microseconds.
    pub max_fetch_us: u64,
    /// Sum of the latencies of successful requests, in microseconds.
    pub total_fetch_us: u64,
    /// Whether the next batch is already fetched.
    pub buffered: bool,
}

#[repr(align(128))]
struct Padded<T>(T);

struct Slow {
    /// The current generation (as `state` has it).
    gen: u64,
    /// Buffer `(gen + 1) % 3` holds a whole batch.
    ready: bool,
    /// A batch is wanted (the fetch thread works while nothing is ready).
    requested: bool,
    /// Requests finished (successful or not): waiters wait for it to move.
    completed: u64,
    /// The last request's failure, if the last request failed.
    error: Option<Failure>,
    stop: bool,
}

#[derive(Clone)]
enum Failure {
    Retry(String),
    Timeout(String),
    Fatal(Error),
}

struct Inner {
    /// Generation (high bits) and next position (low bits).
    state: Padded<AtomicU64>,
    bufs: [Box<[AtomicU64]>; 3],
    lens: [AtomicU64; 3],
    /// The position whose issue asks for the next batch, per buffer.
    triggers: [AtomicU64; 3],
    fork_generation: u64,
    settings: RemoteSettings,
    url: String,
    slow: Mutex<Slow>,
    cv: Condvar,
    worker: Mutex<Option<JoinHandle<()>>>,
    batches_fetched: AtomicU64,
    fetch_failures: AtomicU64,
    waits: AtomicU64,
    last_fetch_us: AtomicU64,
    max_fetch_us: AtomicU64,
    total_fetch_us: AtomicU64,
}

/// IDs fetched in batches from `snowid serve`, handed out locally.
/// `Send + Sync`: share one per process. Dropping it stops its fetch
/// thread; the rest of its batches is never used (gaps, not duplicates).
pub struct RemoteGenerator {
    /// An `Arc<Inner>` (as a raw pointer): replaced in a forked child. A
    /// replaced one is leaked, so a reference stays valid while `self` is.
    current: AtomicPtr<Inner>,
}

impl std::fmt::Debug for RemoteGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteGenerator")
            .field("settings", &self.inner().settings)
            .finish()
    }
}

impl RemoteGenerator {
    /// A generator over the service of `settings`. The first batch is
    /// requested at once, in the background; no error of the service shows
    /// before the first ID.
    pub fn new(settings: RemoteSettings) -> Result<RemoteGenerator> {
        crate::fork::watch_forks();
        let inner = Inner::start(settings)?;
        Ok(RemoteGenerator {
            current: AtomicPtr::new(Arc::into_raw(inner) as *mut Inner),
        })
    }

    #[inline]
    fn inner(&self) -> &Inner {
        // SAFETY: the pointer comes from `Arc::into_raw` and its reference
        // is released only in `drop` (`&mut self`); replaced ones are leaked.
        unsafe { &*self.current.load(Acquire) }
    }

    /// The settings.
    pub fn settings(&self) -> &RemoteSettings {
        &self.inner().settings
    }

    /// The service's URL (normalised, no token).
    pub fn url(&self) -> &str {
        &self.inner().url
    }

    /// The next ID from the buffer if it has one, else `None` (then call
    /// [`Self::next_id`], which may wait for the service). Never blocks:
    /// for bindings that release a host lock before waiting.
    #[inline]
    pub fn try_next_id(&self) -> Option<u64> {
        let inner = self.inner();
        if FORK_GENERATION.load(Relaxed) != inner.fork_generation {
            return None;
        }
        loop {
            match inner.take() {
                Take::Id(id) => return Some(id),
                Take::Stale => continue,
                Take::Spent(_) => return None,
            }
        }
    }

    /// The next ID: from the buffer; when it is spent, waits for the next
    /// batch at most `timeout_ms`, then `REMOTE_TIMEOUT`,
    /// `REMOTE_UNAVAILABLE` or `UNAUTHORIZED`.
    #[inline]
    pub fn next_id(&self) -> Result<u64> {
        loop {
            let inner = self.inner();
            if FORK_GENERATION.load(Relaxed) != inner.fork_generation {
                self.after_fork()?;
                continue;
            }
            match inner.take() {
                Take::Id(id) => return Ok(id),
                Take::Stale => continue,
                Take::Spent(g) => inner.switch(g)?,
            }
        }
    }

    /// `n` IDs (`n` up to [`crate::MAX_BATCH`]), increasing as the service
    /// issued them.
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

    /// Fills `out`. On error, the IDs already written are issued but the
    /// call reports the failure.
    pub fn fill(&self, out: &mut [u64]) -> Result<()> {
        for slot in out {
            *slot = self.next_id()?;
        }
        Ok(())
    }

    /// Waits (at most `timeout_ms`) until the buffer holds IDs, so that the
    /// next [`Self::next_id`] does not wait; spends none.
    pub fn ready(&self) -> Result<()> {
        loop {
            let inner = self.inner();
            if FORK_GENERATION.load(Relaxed) != inner.fork_generation {
                self.after_fork()?;
                continue;
            }
            let v = inner.state.0.load(Acquire);
            let (g, i) = (v >> POS_BITS, v & POS_MASK);
            if i < inner.lens[(g % 3) as usize].load(Relaxed) {
                return Ok(());
            }
            inner.switch(g)?;
        }
    }

    /// Counters of this process's copy.
    pub fn stats(&self) -> RemoteStats {
        let inner = self.inner();
        let buffered = if FORK_GENERATION.load(Relaxed) == inner.fork_generation {
            inner.lock().ready
        } else {
            false
        };
        RemoteStats {
            batches_fetched: inner.batches_fetched.load(Relaxed),
            fetch_failures: inner.fetch_failures.load(Relaxed),
            waits: inner.waits.load(Relaxed),
            last_fetch_us: inner.last_fetch_us.load(Relaxed),
            max_fetch_us: inner.max_fetch_us.load(Relaxed),
            total_fetch_us: inner.total_fetch_us.load(Relaxed),
            buffered,
        }
    }

    /// In a forked child: new buffers and a new fetch thread; the parent's
    /// are left as they are (leaked).
    #[cold]
    fn after_fork(&self) -> Result<()> {
        let old = self.current.load(Acquire);
        // SAFETY: as in `inner`.
        let settings = unsafe { &*old }.settings.clone();
        let new = Arc::into_raw(Inner::start(settings)?) as *mut Inner;
        if self
            .current
            .compare_exchange(old, new, AcqRel, Acquire)
            .is_err()
        {
            // Another thread of the child replaced it first.
            // SAFETY: `new` came from `Arc::into_raw` above and was never shared.
            let new = unsafe { Arc::from_raw(new) };
            new.stop();
        }
        Ok(())
    }
}

impl Drop for RemoteGenerator {
    fn drop(&mut self) {
        let p = *self.current.get_mut();
        // SAFETY: as in `inner`.
        let inner = unsafe { &*p };
        if inner.fork_generation == FORK_GENERATION.load(SeqCst) {
            inner.stop();
            // SAFETY: the reference `new`/`after_fork` made with `into_raw`.
            drop(unsafe { Arc::from_raw(p) });
        }
        // Else a copy from before a fork: its thread is not in this process
        // and its mutex may be held for good; leave it.
    }
}

enum Take {
    Id(u64),
    /// The position was claimed but its buffer was refilled: claim another.
    Stale,
    /// Generation `g`'s batch is spent.
    Spent(u64),
}

impl Inner {
    fn start(settings: RemoteSettings) -> Result<Arc<Inner>> {
        let slots =
            || -> Box<[AtomicU64]> { (0..settings.batch).map(|_| AtomicU64::new(0)).collect() };
        let inner = Arc::new(Inner {
            state: Padded(AtomicU64::new(0)),
            bufs: [slots(), slots(), slots()],
            lens: Default::default(),
            triggers: Default::default(),
            fork_generation: FORK_GENERATION.load(SeqCst),
            url: settings.endpoint.url(),
            settings,
            slow: Mutex::new(Slow {
                gen: 0,
                ready: false,
                requested: true,
                completed: 0,
                error: None,
                stop: false,
            }),
            cv: Condvar::new(),
            worker: Mutex::new(None),
            batches_fetched: AtomicU64::new(0),
            fetch_failures: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            last_fetch_us: AtomicU64::new(0),
            max_fetch_us: AtomicU64::new(0),
            total_fetch_us: AtomicU64::new(0),
        });
        let w = Arc::clone(&inner);
        let handle = std::thread::Builder::new()
            .name("snowid-remote".into())
            .spawn(move || w.fetch_loop())
            .map_err(|e| Error::RemoteUnavailable {
                url: inner.url.clone(),
                reason: format!("cannot start the fetch thread: {e}"),
            })?;
        *inner.worker.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(inner)
    }

    fn lock(&self) -> MutexGuard<'_, Slow> {
        self.slow.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.cv.notify_all();
        let w = self.worker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = w {
            let _ = w.join();
        }
    }

    /// Steps 1-3 of the module's proof.
    #[inline]
    fn take(&self) -> Take {
        let v = self.state.0.fetch_add(1, Acquire);
        let (g, i) = (v >> POS_BITS, v & POS_MASK);
        let b = (g % 3) as usize;
        if i >= self.lens[b].load(Relaxed) {
            return Take::Spent(g);
        }
        let Some(slot) = self.bufs[b].get(i as usize) else {
            return Take::Stale; // a length of a later refill: see step 3
        };
        let id = slot.load(Relaxed);
        fence(Acquire);
        if (self.state.0.load(Relaxed) >> POS_BITS).wrapping_sub(g) > 1 {
            return Take::Stale;
        }
        if i == self.triggers[b].load(Relaxed) {
            self.request();
        }
        Take::Id(id)
    }

    #[cold]
    fn request(&self) {
        let mut s = self.lock();
        if !s.ready && !s.requested {
            s.requested = true;
            drop(s);
            self.cv.notify_all();
        }
    }

    /// Generation `g` is spent: make the fetched batch current, or wait for
    /// it at most `timeout_ms`.
    #[cold]
    fn switch(&self, g: u64) -> Result<()> {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(self.settings.timeout_ms);
        let mut s = self.lock();
        let mut waited = false;
        loop {
            if self.state.0.load(Acquire) >> POS_BITS != g {
                return Ok(()); // another caller switched
            }
            if s.ready {
                let next = s.gen + 1;
                s.gen = next;
                s.ready = false;
                // Release: a caller that sees the new generation sees its
                // batch and length.
                self.state.0.store(next << POS_BITS, Release);
                return Ok(());
            }
            if let Some(Failure::Fatal(e)) = &s.error {
                if waited {
                    return Err(e.clone());
                }
                s.error = None; // an earlier caller's: try again
            }
            let now = Instant::now();
            if now >= deadline {
                let waited_ms = (now - start).as_millis() as u64;
                return Err(match s.error.clone() {
                    Some(Failure::Retry(reason)) => Error::RemoteUnavailable {
                        url: self.url.clone(),
                        reason: format!("no batch within {waited_ms} ms; last try: {reason}"),
                    },
                    Some(Failure::Timeout(reason)) => Error::RemoteTimeout {
                        url: self.url.clone(),
                        waited_ms,
                        reason,
                    },
                    Some(Failure::Fatal(e)) => e,
                    None => Error::RemoteTimeout {
                        url: self.url.clone(),
                        waited_ms,
                        reason: "the request is still unanswered".into(),
                    },
                });
            }
            if !waited {
                self.waits.fetch_add(1, Relaxed);
            }
            waited = true;
            if !s.requested {
                s.requested = true;
                self.cv.notify_all();
            }
            let seen = s.completed;
            while s.completed == seen && !s.stop && !s.ready {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                s = self
                    .cv
                    .wait_timeout(s, deadline - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if s.stop {
                return Err(Error::RemoteUnavailable {
                    url: self.url.clone(),
                    reason: "the generator is being dropped".into(),
                });
            }
        }
    }

    fn fetch_loop(&self) {
        let mut client = Client::new(&self.settings);
        let mut batch: Vec<u64> = Vec::with_capacity(self.settings.batch as usize);
        let mut s = self.lock();
        loop {
            while !(s.stop || s.requested && !s.ready) {
                s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            let target = ((s.gen + 1) % 3) as usize;
            drop(s);
            let mut backoff = FIRST_BACKOFF;
            loop {
                let t0 = Instant::now();
                let r = client.fetch(&mut batch);
                let us = t0.elapsed().as_micros() as u64;
                s = self.lock();
                s.completed += 1;
                let failure = match r {
                    Ok(()) => {
                        // Buffer `target` was last read as generation
                        // `gen - 2`; every caller still on it checks the
                        // generation after reading (step 3).
                        fence(Release);
                        for (slot, id) in self.bufs[target].iter().zip(&batch) {
                            slot.store(*id, Relaxed);
                        }
                        let len = batch.len() as u64;
                        self.lens[target].store(len, Relaxed);
                        self.triggers[target].store(len * self.settings.prefetch_at / 100, Relaxed);
                        s.ready = true;
                        s.requested = false;
                        s.error = None;
                        self.batches_fetched.fetch_add(1, Relaxed);
                        self.last_fetch_us.store(us, Relaxed);
                        self.max_fetch_us.fetch_max(us, Relaxed);
                        self.total_fetch_us.fetch_add(us, Relaxed);
                        None
                    }
                    Err(Fail::Fatal(e)) => Some(Failure::Fatal(e)),
                    Err(Fail::Retry(r)) => Some(Failure::Retry(r)),
                    Err(Fail::Timeout(r)) => Some(Failure::Timeout(r)),
                };
                self.cv.notify_all();
                let Some(f) = failure else { break };
                self.fetch_failures.fetch_add(1, Relaxed);
                let fatal = matches!(f, Failure::Fatal(_));
                s.error = Some(f);
                if fatal {
                    // No retry changes it: wait for the next caller.
                    s.requested = false;
                    break;
                }
                // Back off (a drop ends the pause), then try again.
                let until = Instant::now() + backoff;
                while !s.stop {
                    let now = Instant::now();
                    if now >= until {
                        break;
                    }
                    s = self
                        .cv
                        .wait_timeout(s, until - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
                if s.stop {
                    return;
                }
                drop(s);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
