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
    /// Wall clock minus this clock's time, in ms (positive: the wall clock is
    /// ahead). Read on demand (by [`crate::Generator::stats`]), never on the
    /// per-ID path. 0 for clocks that follow no wall clock, such as
    /// [`ManualClock`].
    fn skew_ms(&self) -> i64 {
        0
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

/// Wall clock minus the anchored (monotonic) time, in ms.
fn anchored_skew_ms() -> i64 {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    wall - anchored_now_ms() as i64
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
        anchored_skew_ms()
    }
}

impl Clock for MonotonicClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        anchored_now_ms()
    }
    fn skew_ms(&self) -> i64 {
        anchored_skew_ms()
    }
}

/// Period of the cached clock's ticker thread.
pub const TICKER_PERIOD: Duration = Duration::from_micros(250);
/// The ticker thread parks itself after a probe of this length finds no reader.
pub const TICKER_IDLE: Duration = Duration::from_millis(200);
const PROBE_LEN: Duration = Duration::from_millis(10);
/// Set on the cached value while the ticker asks whether anyone still reads.
const PROBE: u64 = 1 << 63;

#[repr(align(128))]
struct Ticker {
    /// Cached `anchored_now_ms()`, with [`PROBE`] set during a probe; 0 while
    /// no ticker thread runs. Readers never write it in steady state.
    now: AtomicU64,
    /// Set by a reader that saw a probe.
    used: AtomicBool,
    /// Process that owns the running thread (threads do not survive fork).
    pid: AtomicU32,
    thread: Mutex<Option<Thread>>,
}

static TICKER: Ticker = Ticker {
    now: AtomicU64::new(0),
    used: AtomicBool::new(false),
    pid: AtomicU32::new(0),
    thread: Mutex::new(None),
};

impl Ticker {
    /// Starts the thread if this process has none, or wakes it if it parked.
    #[cold]
    fn wake(&'static self) {
        let mut slot = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        let pid = std::process::id();
        if self.pid.load(Acquire) == pid {
            if let Some(t) = slot.as_ref() {
                t.unpark();
                return;
            }
        }
        self.now.store(anchored_now_ms(), Release);
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

    /// Every period: publish the time. Every [`TICKER_IDLE`]: publish it with
    /// [`PROBE`] set for [`PROBE_LEN`]; a reader that sees the probe sets
    /// `used`. No reader during the probe: park until a reader wakes us.
    fn run(&self) {
        let mut since_probe = Duration::ZERO;
        loop {
            let probing = since_probe >= TICKER_IDLE;
            let now = anchored_now_ms();
            self.now
                .store(if probing { now | PROBE } else { now }, Release);
            thread::sleep(TICKER_PERIOD);
            since_probe += TICKER_PERIOD;
            if probing && since_probe >= TICKER_IDLE + PROBE_LEN {
                since_probe = Duration::ZERO;
                if !self.used.swap(false, AcqRel) {
                    self.now.store(0, Release);
                    // A reader that sees 0 calls wake(), which unparks us;
                    // a spurious wake-up just runs another round.
                    thread::park();
                }
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn read_slow(&'static self, v: u64) -> u64 {
        if v == 0 {
            self.wake();
            return anchored_now_ms();
        }
        self.used.store(true, Release);
        v & !PROBE
    }
}

/// A cheap clock: one atomic load per reading (~1 ns), kept current by one
/// shared background thread per process that wakes every 250 µs while anyone
/// reads it and parks itself when a reader-free probe shows it is unused
/// (checked every 200 ms; readers pay nothing for this in steady state).
///
/// Readings lag the precise clock by up to one period (plus scheduling delay
/// on a loaded machine); IDs stay unique and ordered regardless, because a
/// generator takes every decision that matters (new tick after an exhausted
/// sequence, a clock that looks behind) from [`Clock::now_ms_precise`]. After
/// `fork()`, the child has no ticker thread; the first slow-path reading that
/// finds the cache stale restarts it (bindings also call
/// [`crate::after_fork_in_child`] from their fork hooks, which does it at once).
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
        if TICKER.pid.load(Acquire) != std::process::id() {
            TICKER.now.store(0, Release);
        }
    }
}

impl Clock for CachedClock {
    #[inline(always)]
    fn now_ms(&self) -> u64 {
        let v = TICKER.now.load(Relaxed);
        // One compare for both rare cases: 0 (no thread) and PROBE set.
        if v.wrapping_sub(1) >= PROBE - 1 {
            return TICKER.read_slow(v);
        }
        v
    }

    fn now_ms_precise(&self) -> u64 {
        let precise = anchored_now_ms();
        let cached = TICKER.now.load(Relaxed) & !PROBE;
        // Stale by far more than a period: the thread is gone (fork) or parked.
        if cached != 0 && precise > cached + 20 && TICKER.pid.load(Acquire) != std::process::id() {
            TICKER.now.store(0, Release);
        }
        precise
    }
    /// The skew of the monotonic base this clock caches (the cache's lag of
    /// up to one period is not skew).
    fn skew_ms(&self) -> i64 {
        anchored_skew_ms()
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
    #[inline(always)]
    fn now_ms(&self) -> u64 {
        #[inline(never)]
        fn other(c: &AnyClock) -> u64 {
            match c {
                AnyClock::Monotonic(c) => c.now_ms(),
                AnyClock::Manual(c) => c.now_ms(),
                AnyClock::Cached(c) => c.now_ms(),
            }
        }
        match self {
            AnyClock::Cached(c) => c.now_ms(),
            _ => other(self),
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
    fn skew_ms(&self) -> i64 {
        match self {
            AnyClock::Cached(c) => Clock::skew_ms(c),
            AnyClock::Monotonic(c) => Clock::skew_ms(c),
            AnyClock::Manual(c) => Clock::skew_ms(c),
        }
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
        // The ticker publishes every 250 µs, but on a loaded machine (or under
        // ThreadSanitizer, with other tests on both cores) it can lose the CPU
        // for tens of ms, and a reading taken through the slow path (which
        // returns the precise time) can be ahead of what the cache still holds.
        // So the test waits, up to a generous deadline, for what the ticker
        // promises: the cache moves past an earlier precise reading and then
        // stays within a few ms of the precise clock, never ahead of it.
        let c = CachedClock::new();
        let first = c.now_ms_precise();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            thread::sleep(Duration::from_millis(5));
            let cached = c.now_ms();
            let precise = c.now_ms_precise();
            assert!(cached <= precise, "cache ahead: {cached} > {precise}");
            if cached > first && precise - cached < 5 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "ticker stuck: started at {first}, cache {cached}, precise {precise}"
            );
        }
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
