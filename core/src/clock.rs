//! Clocks. A generator reads time through the [`Clock`] trait, so tests (and
//! users' tests) can drive it with a [`ManualClock`].
//!
//! Both real clocks share one process-wide anchor: the wall clock is read once,
//! then time advances by the monotonic clock. A wall-clock step (NTP, a VM
//! resume, an operator) therefore never moves issued timestamps backwards inside
//! one process; [`MonotonicClock::skew_ms`] reports how far the two have drifted.
//! Across restarts, the persisted high-water mark (see [`crate::node`]) guards
//! against a wall clock that was set back.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::*};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// The current time. May be cached (a few hundred µs stale) if
    /// [`Clock::now_ms_precise`] is exact.
    fn now_ms(&self) -> u64;
    /// An exact reading; generators use it on their slow path (new tick after
    /// an exhausted sequence, apparent regressions).
    fn now_ms_precise(&self) -> u64 {
        self.now_ms()
    }
    /// Whether time passes by itself. A generator waits (for the next tick,
    /// or for a clock that is behind) only on a clock that advances; on a
    /// [`ManualClock`] it returns the error at once, so tests stay deterministic.
    fn advances(&self) -> bool {
        true
    }
}

struct Anchor {
    wall_us: u64,
    mono: Instant,
}

fn anchor() -> &'static Anchor {
    static ANCHOR: OnceLock<Anchor> = OnceLock::new();
    ANCHOR.get_or_init(|| {
        let mono = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Anchor {
            wall_us: wall.as_secs() * 1_000_000 + u64::from(wall.subsec_micros()),
            mono,
        }
    })
}

#[inline]
fn anchored_now_ms() -> u64 {
    let a = anchor();
    let d = a.mono.elapsed();
    (a.wall_us + d.as_secs() * 1_000_000 + u64::from(d.subsec_micros())) / 1000
}

/// The real clock: the wall clock read once per process, advanced by the
/// monotonic clock. Each reading costs one `clock_gettime` (~30 ns here).
#[derive(Debug, Clone, Copy, Default)]
pub struct MonotonicClock;

impl MonotonicClock {
    /// The process-wide monotonic clock.
    pub fn new() -> Self {
        anchor();
        MonotonicClock
    }
    /// Wall clock minus this clock, in ms: how far the system clock has been
    /// stepped or has drifted since the process anchored (positive: the wall
    /// clock is ahead).
    pub fn skew_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        wall - anchored_now_ms() as i64
    }
}

impl Clock for MonotonicClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        anchored_now_ms()
    }
}

/// Period of the cached clock's ticker thread.
pub const TICKER_PERIOD: Duration = Duration::from_micros(250);
/// The ticker thread parks itself after this long without a reader.
pub const TICKER_IDLE: Duration = Duration::from_millis(200);

struct Ticker {
    /// Cached `anchored_now_ms()`; 0 while no ticker thread runs.
    now: AtomicU64,
    /// Set by readers, cleared by the ticker: tells it someone still reads.
    used: AtomicBool,
    /// Process that owns the running thread (threads do not survive fork).
    pid: AtomicU32,
    thread: Mutex<Option<Thread>>,
}

fn ticker() -> &'static Ticker {
    static TICKER: OnceLock<Ticker> = OnceLock::new();
    TICKER.get_or_init(|| Ticker {
        now: AtomicU64::new(0),
        used: AtomicBool::new(false),
        pid: AtomicU32::new(0),
        thread: Mutex::new(None),
    })
}

impl Ticker {
    /// Starts the thread if this process has none, or wakes it if it parked.
    #[cold]
    fn wake(&'static self) {
        let mut slot = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        let pid = std::process::id();
        if self.pid.load(Acquire) == pid {
            if let Some(t) = slot.as_ref() {
                self.used.store(true, Relaxed);
                t.unpark();
                return;
            }
        }
        self.now.store(anchored_now_ms(), Release);
        self.used.store(true, Relaxed);
        let spawned = thread::Builder::new()
            .name("snowid-ticker".into())
            .spawn(move || self.run());
        match spawned {
            Ok(handle) => {
                *slot = Some(handle.thread().clone());
                self.pid.store(pid, Release);
            }
            // No thread: readers fall back to the precise clock.
            Err(_) => self.now.store(0, Release),
        }
    }

    fn run(&self) {
        let mut idle = Duration::ZERO;
        loop {
            self.now.store(anchored_now_ms(), Release);
            thread::sleep(TICKER_PERIOD);
            if self.used.swap(false, Relaxed) {
                idle = Duration::ZERO;
            } else {
                idle += TICKER_PERIOD;
                if idle >= TICKER_IDLE {
                    self.now.store(0, Release);
                    // A reader that saw 0 calls wake(), which unparks us;
                    // spurious wake-ups just run another round.
                    thread::park();
                    idle = Duration::ZERO;
                }
            }
        }
    }
}

/// A cheap clock: one atomic load per reading (~1 ns), kept current by one
/// shared background thread per process that wakes every 250 µs while anyone
/// reads it and parks itself after 200 ms without readers.
///
/// Readings lag the precise clock by up to one period (plus scheduling delay
/// on a loaded machine); IDs stay unique and ordered regardless, because a
/// generator takes every decision that matters (new tick after an exhausted
/// sequence, a clock that looks behind) from [`Clock::now_ms_precise`]. After
/// `fork()`, the child has no ticker thread; the first slow-path reading that
/// finds the cache stale restarts it (bindings also call
/// [`CachedClock::after_fork`] from their fork hooks).
#[derive(Debug, Clone, Copy, Default)]
pub struct CachedClock;

impl CachedClock {
    /// The process-wide cached clock; starts its thread on first reading.
    pub fn new() -> Self {
        anchor();
        CachedClock
    }
    /// Restart the ticker thread in a forked child. Harmless anywhere else.
    pub fn after_fork() {
        let t = ticker();
        if t.pid.load(Acquire) != std::process::id() {
            t.now.store(0, Release);
        }
    }
}

impl Clock for CachedClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        let t = ticker();
        let now = t.now.load(Relaxed);
        if !t.used.load(Relaxed) {
            t.used.store(true, Relaxed);
        }
        if now == 0 {
            t.wake();
            return anchored_now_ms();
        }
        now
    }

    fn now_ms_precise(&self) -> u64 {
        let precise = anchored_now_ms();
        let t = ticker();
        let cached = t.now.load(Relaxed);
        // Stale by far more than a period: the thread is gone (fork) or parked.
        if cached != 0 && precise > cached + 20 && t.pid.load(Acquire) != std::process::id() {
            t.now.store(0, Release);
        }
        precise
    }
}

/// A clock that moves only when told to. Clones share the same time, so a
/// test keeps one handle and gives another to the generator.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock reading `ms` (ms since the Unix epoch).
    pub fn new(ms: u64) -> Self {
        ManualClock {
            ms: Arc::new(AtomicU64::new(ms)),
        }
    }
    /// Sets the time; it may go backwards (that is what tests are for).
    pub fn set(&self, ms: u64) {
        self.ms.store(ms, SeqCst);
    }
    /// Moves the time forward by `ms` (backward if negative), saturating at 0.
    pub fn advance(&self, ms: i64) {
        let _ = self
            .ms
            .fetch_update(SeqCst, SeqCst, |v| Some(v.saturating_add_signed(ms)));
    }
    /// The current reading.
    pub fn get(&self) -> u64 {
        self.ms.load(SeqCst)
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.get()
    }
    fn advances(&self) -> bool {
        false
    }
}

/// One of the built-in clocks, chosen at run time (what the bindings use).
#[derive(Debug, Clone)]
pub enum AnyClock {
    /// [`MonotonicClock`].
    Monotonic(MonotonicClock),
    /// [`CachedClock`].
    Cached(CachedClock),
    /// [`ManualClock`].
    Manual(ManualClock),
}

impl Default for AnyClock {
    fn default() -> Self {
        AnyClock::Monotonic(MonotonicClock::new())
    }
}

impl Clock for AnyClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        match self {
            AnyClock::Cached(c) => c.now_ms(),
            AnyClock::Monotonic(c) => c.now_ms(),
            AnyClock::Manual(c) => c.now_ms(),
        }
    }
    fn now_ms_precise(&self) -> u64 {
        match self {
            AnyClock::Cached(c) => c.now_ms_precise(),
            AnyClock::Monotonic(c) => c.now_ms_precise(),
            AnyClock::Manual(c) => c.now_ms_precise(),
        }
    }
    fn advances(&self) -> bool {
        !matches!(self, AnyClock::Manual(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_clock_is_near_the_wall_clock_and_never_goes_back() {
        let c = MonotonicClock::new();
        assert!(c.skew_ms().abs() < 1000);
        let mut last = c.now_ms();
        for _ in 0..10_000 {
            let n = c.now_ms();
            assert!(n >= last);
            last = n;
        }
    }

    #[test]
    fn cached_clock_tracks_the_precise_clock() {
        let c = CachedClock::new();
        let first = c.now_ms();
        thread::sleep(Duration::from_millis(30));
        let (cached, precise) = (c.now_ms(), c.now_ms_precise());
        assert!(cached > first, "ticker advanced: {first} -> {cached}");
        assert!(
            cached <= precise + 1 && precise - cached < 25,
            "{cached} vs {precise}"
        );
    }

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::new(100);
        let b = a.clone();
        a.advance(5);
        assert_eq!(b.now_ms(), 105);
        b.advance(-200);
        assert_eq!(a.now_ms(), 0);
        assert!(!a.advances());
    }
}
