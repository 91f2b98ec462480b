//! The lock-free generator.
//!
//! State is one `AtomicU64` holding the next free *position*
//! `(tick << sequence_bits) | sequence`. Issuing takes the larger of that and
//! the clock's tick start and advances it by compare-and-swap; so positions
//! are handed out exactly once and in increasing order, whichever thread wins.
//! Running past the last sequence of a tick carries into the next tick, which
//! is then either borrowed (if allowed) or waited for.
//!
//! The path of one ID is: one clock reading, one load, one CAS. No lock, no
//! allocation, no I/O. Everything unusual (a clock behind the state, an
//! exhausted sequence, a tick beyond the persisted reservation) goes to a cold
//! path that re-reads the clock precisely.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::*};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::clock::{AnyClock, CachedClock, Clock, ManualClock, MonotonicClock};
use crate::error::{Error, Result};
pub use crate::fork::{after_fork_in_child, fork_generation};
use crate::fork::{watch_forks, FORK_GENERATION};
use crate::layout::{mask, Layout, MAX_NODE_FIELDS};
pub use crate::reserve::Reserve;

mod lane;

/// What a generator does when the clock reads earlier than the last tick it
/// issued (beyond any borrowed lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegressionPolicy {
    /// Return [`Error::ClockMovedBackwards`] at once.
    Fail,
    /// Wait for the clock to catch up if it is at most `max_ms` behind,
    /// otherwise (or on a clock that does not advance) return the error.
    Wait {
        /// Longest wait, in ms.
        max_ms: u64,
    },
}

impl Default for RegressionPolicy {
    fn default() -> Self {
        RegressionPolicy::Wait { max_ms: 1000 }
    }
}

/// Which built-in clock a [`Config`] asks for.
#[derive(Debug, Clone, Default)]
pub enum ClockChoice {
    /// [`MonotonicClock`]: exact, one `clock_gettime` per ID.
    #[default]
    Monotonic,
    /// [`CachedClock`]: one atomic load per ID, a shared ticker thread.
    Cached,
    /// A [`ManualClock`] the caller moves.
    Manual(ManualClock),
}

/// Configuration of a [`Generator`], validated by [`Generator::new`].
#[derive(Clone)]
pub struct Config {
    /// The bit layout.
    pub layout: Layout,
    /// Node values in layout order; every one must be set.
    pub nodes: [Option<u32>; MAX_NODE_FIELDS],
    /// What to do when the clock is behind.
    pub on_regression: RegressionPolicy,
    /// How many ticks ahead of the clock the generator may issue when a
    /// tick's sequence is used up (0: wait for the clock instead).
    pub max_borrow_ticks: u64,
    /// Which clock to read.
    pub clock: ClockChoice,
    /// Never issue an ID in this tick or earlier (the high-water mark read at
    /// start-up). `None`: no floor.
    pub floor_tick: Option<u64>,
    /// How long the first ID may wait for the clock to pass `floor_tick`
    /// (after a crash, up to one reserved window) before
    /// [`Error::BehindHighWater`].
    pub max_floor_wait_ms: u64,
    /// Start the sequence of each tick entered from the clock at a
    /// pseudo-random offset, so that `id % shards` spreads at low rates
    /// (see [`sequence_offset`] for the offset and its capacity cost).
    pub random_sequence_start: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("layout", &self.layout.to_string())
            .field("nodes", &self.nodes)
            .field("on_regression", &self.on_regression)
            .field("max_borrow_ticks", &self.max_borrow_ticks)
            .field("clock", &self.clock)
            .field("floor_tick", &self.floor_tick)
            .field("max_floor_wait_ms", &self.max_floor_wait_ms)
            .field("random_sequence_start", &self.random_sequence_start)
            .finish()
    }
}

impl Config {
    /// A configuration for `layout` with no node values set yet.
    pub fn new(layout: Layout) -> Self {
        Config {
            layout,
            nodes: [None; MAX_NODE_FIELDS],
            on_regression: RegressionPolicy::default(),
            max_borrow_ticks: 0,
            clock: ClockChoice::default(),
            floor_tick: None,
            max_floor_wait_ms: 5000,
            random_sequence_start: false,
        }
    }
    /// Sets node field `name`; errors if the layout has no such field or the
    /// value does not fit.
    pub fn node(mut self, name: &str, value: u64) -> Result<Self> {
        self.set_node(name, value)?;
        Ok(self)
    }
    /// Sets node field `name` in place.
    pub fn set_node(&mut self, name: &str, value: u64) -> Result<()> {
        let i = self.layout.node_index(name)?;
        let f = self.layout.node_field(i).expect("index is valid");
        if value > f.max() {
            return Err(Error::FieldOutOfRange {
                field: name.to_owned(),
                got: value.to_string(),
                max: f.max(),
            });
        }
        self.nodes[i] = Some(value as u32);
        Ok(())
    }
    /// Sets every node field from values in layout order.
    pub fn nodes(mut self, values: &[u64]) -> Result<Self> {
        let names: Vec<String> = self
            .layout
            .node_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        if values.len() != names.len() {
            let i = values.len().min(names.len());
            let f = self
                .layout
                .node_field(i)
                .unwrap_or(self.layout.time_field());
            return Err(Error::MissingField {
                field: f.name().to_owned(),
                layout: self.layout.name().to_owned(),
                max: f.max(),
            });
        }
        for (name, &v) in names.iter().zip(values) {
            self.set_node(name, v)?;
        }
        Ok(self)
    }
    /// Sets the regression policy.
    pub fn on_regression(mut self, p: RegressionPolicy) -> Self {
        self.on_regression = p;
        self
    }
    /// Allows issuing up to `ticks` ahead of the clock.
    pub fn max_borrow_ticks(mut self, ticks: u64) -> Self {
        self.max_borrow_ticks = ticks;
        self
    }
    /// Starts each tick entered from the clock at a pseudo-random sequence.
    pub fn random_sequence_start(mut self, on: bool) -> Self {
        self.random_sequence_start = on;
        self
    }
    /// Chooses the clock.
    pub fn clock(mut self, c: ClockChoice) -> Self {
        self.clock = c;
        self
    }
    /// The node values, or the first missing one as an error.
    pub fn node_values(&self) -> Result<Vec<u32>> {
        (0..self.layout.node_count())
            .map(|i| {
                self.nodes[i].ok_or_else(|| {
                    let f = self.layout.node_field(i).expect("index is valid");
                    Error::MissingField {
                        field: f.name().to_owned(),
                        layout: self.layout.name().to_owned(),
                        max: f.max(),
                    }
                })
            })
            .collect()
    }
}

/// Counters of a generator. Exact when no thread is issuing; while threads
/// issue, each is a recent value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// IDs issued.
    pub issued: u64,
    /// Times a call found its tick's sequence used up and waited for the clock.
    pub overflow_waits: u64,
    /// Calls that found the clock behind the last issued tick.
    pub clock_regressions: u64,
    /// Largest such regression, in ms.
    pub largest_regression_ms: u64,
    /// Ticks issued ahead of the clock (borrowing).
    pub borrowed_ticks: u64,
    /// The clock's skew when `stats()` was called: wall clock minus the time
    /// the generator follows, in ms (positive: the wall clock is ahead). The
    /// real clocks follow the monotonic clock from a wall-clock reading taken
    /// once per process, so this grows when NTP steps or slews the wall clock;
    /// a [`ManualClock`] reports 0. Alert when `|skew_ms| > 100`: IDs stay
    /// unique and ordered, but their timestamps drift from wall time.
    pub skew_ms: i64,
    /// The layout's runway: whole seconds from the generator's clock to the
    /// first instant its time field cannot hold ([`crate::Capacity::end_ms`]);
    /// 0 once there. Alert well ahead (a year): past it every call fails
    /// with `EXHAUSTED`.
    pub runway_s: u64,
    /// Node identities in the layout's ID space ([`crate::Capacity::nodes`]).
    pub nodes_total: u64,
    /// Node numbers this generator holds (one per lane).
    pub nodes_in_use: u64,
    /// `nodes_total - nodes_in_use`: the numbers left for other processes of
    /// the same ID space, as this process sees it. Across a fleet, alert on
    /// `nodes_total - sum(nodes_in_use)` (exhaustion: the next process
    /// finds no free node number).
    pub nodes_free: u64,
    /// Milliseconds left before the node-number lease's deadline (the
    /// lowest of the lanes), after which the generator stops issuing until
    /// a renewal succeeds; `None` when the node numbers are not leased.
    /// Alert when it falls well below the TTL (renewals are failing).
    pub lease_ttl_left_ms: Option<u64>,
}

#[repr(align(128))]
struct Padded<T>(T);

/// The state while the generator is shut down (see [`Generator::shutdown`]):
/// above every real position (positions have at most 63 bits), so the fast
/// path's clock check sends every caller to the slow path.
const RETIRED: u64 = u64::MAX;

/// The slow path's cases.
#[derive(Clone, Copy)]
enum Situation {
    /// The clock's tick is at or past the state (or within the borrowing
    /// allowance): issue.
    Issue,
    /// Nothing issued yet and the clock is behind the persisted high-water
    /// mark.
    BehindFloor { mark_ms: u64, wait_ms: u64 },
    /// The current (or last borrowable) tick's sequence is used up.
    SequenceSpent { last_ms: u64, wait_ms: u64 },
    /// The clock reads earlier than the last tick issued.
    ClockBehind { last_ms: u64, wait_ms: u64 },
}

/// A lock-free, `Send + Sync` ID generator for one node. Share it by
/// reference or `Arc` between threads.
pub struct Generator<C: Clock = AnyClock> {
    state: Padded<AtomicU64>,
    /// The first tick not yet reserved (with a [`Reserve`]: nothing at or
    /// above it is issued before a reservation covers it; 0: nothing
    /// reserved, not even the epoch's first tick).
    limit: AtomicU64,
    clock: C,
    seq_bits: u32,
    seq_mask: u64,
    spread_mask: u64,
    seq_shift: u32,
    time_shift: u32,
    node_bits: u64,
    epoch_ms: u64,
    tick_ms: u64,
    max_tick: u64,
    max_borrow: u64,
    policy: RegressionPolicy,
    floor_wait_ms: u64,
    initial: u64,
    fork_generation: u64,
    layout: Layout,
    nodes: [u32; MAX_NODE_FIELDS],
    reserver: Option<Box<dyn Reserve>>,
    reserve_lock: Mutex<()>,
    retired_at: AtomicU64,
    guard: Option<Box<dyn std::any::Any + Send + Sync>>,
    pub(crate) source: String,
    counters: Padded<Counters>,
    /// Lanes 1.. (see [`crate::lanes`]); empty for one lane.
    pub(crate) others: Box<[Generator<C>]>,
    /// `lane::lane_magic(lane count)`.
    pub(crate) lane_magic: u64,
}

#[derive(Default)]
struct Counters {
    skipped: AtomicU64,
    overflow_waits: AtomicU64,
    regressions: AtomicU64,
    largest_regression_ms: AtomicU64,
    borrowed: AtomicU64,
}

impl Generator<AnyClock> {
    /// A generator with the clock `config.clock` names.
    pub fn new(config: Config) -> Result<Self> {
        let clock = match &config.clock {
            ClockChoice::Monotonic => AnyClock::Monotonic(MonotonicClock::new()),
            ClockChoice::Cached => AnyClock::Cached(CachedClock::new()),
            ClockChoice::Manual(m) => AnyClock::Manual(m.clone()),
        };
        Generator::with_clock(config, clock)
    }
}

impl<C: Clock> Generator<C> {
    /// A generator reading `clock` (`config.clock` is ignored).
    pub fn with_clock(config: Config, clock: C) -> Result<Self> {
        watch_forks();
        let nodes = config.node_values()?;
        let layout = config.layout;
        let nodes = layout.check_nodes(&nodes)?;
        let node_bits = layout.node_bits(&nodes[..layout.node_count()])?;
        let seq = layout.sequence_field();
        let time = layout.time_field();
        let seq_bits = seq.bits();
        let initial = match config.floor_tick {
            Some(t) => t.saturating_add(1).min(time.max() + 1) << seq_bits,
            None => 0,
        };
        Ok(Generator {
            state: Padded(AtomicU64::new(initial)),
            limit: AtomicU64::new(time.max().saturating_add(1)),
            clock,
            seq_bits,
            seq_mask: mask(seq_bits),
            spread_mask: if config.random_sequence_start {
                spread_mask(seq_bits)
            } else {
                0
            },
            seq_shift: seq.shift(),
            time_shift: time.shift(),
            node_bits,
            epoch_ms: layout.epoch_ms(),
            tick_ms: layout.tick_ms(),
            max_tick: time.max(),
            max_borrow: config.max_borrow_ticks,
            policy: config.on_regression,
            floor_wait_ms: config.max_floor_wait_ms,
            initial,
            fork_generation: FORK_GENERATION.load(SeqCst),
            nodes,
            layout,
            reserver: None,
            reserve_lock: Mutex::new(()),
            retired_at: AtomicU64::new(0),
            guard: None,
            source: "explicit".to_owned(),
            counters: Padded(Counters::default()),
            others: Box::new([]),
            lane_magic: lane::lane_magic(1),
        })
    }

    /// Makes the generator persist a high-water mark through `reserver`
    /// before issuing in any tick above `reserved_tick` (what is already
    /// durably reserved; `None`: nothing, so even the epoch's first tick,
    /// 0, is reserved before it is issued).
    pub fn with_reserve(mut self, reserver: Box<dyn Reserve>, reserved_tick: Option<u64>) -> Self {
        self.reserver = Some(reserver);
        self.limit =
            AtomicU64::new(reserved_tick.map_or(0, |t| t.min(self.max_tick).saturating_add(1)));
        self
    }

    /// Keeps `guard` alive as long as the generator (a node-slot lock, a
    /// lease) and records where the node numbers came from.
    pub fn with_guard(
        mut self,
        guard: Box<dyn std::any::Any + Send + Sync>,
        source: String,
    ) -> Self {
        self.guard = Some(guard);
        self.source = source;
        self
    }

    /// Where the node numbers came from (`"explicit"`, `"env"`,
    /// `"local slot 3 in /path"`, ...).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    /// Node values in layout order (lane 0's; see [`Self::lane_nodes`]).
    pub fn nodes(&self) -> &[u32] {
        &self.nodes[..self.layout.node_count()]
    }
    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Issues one ID: unique for this layout and node, greater than every ID
    /// this generator issued before.
    ///
    /// With several lanes: unique, and greater than every ID the calling
    /// thread's lane issued before (see [`crate::lanes`]).
    #[inline(always)]
    pub fn next_id(&self) -> Result<u64> {
        let g = self.lane();
        let (pos, _) = g.take(1)?;
        Ok(g.compose(pos))
    }

    /// [`Self::next_id`] when it can issue at once on the lock-free path
    /// (no wait, no reservation, no error); `None` when it would take the
    /// slow path, which may wait for the clock (a regression, a spent
    /// sequence, a floor) or write a reservation. For hosts that must not
    /// hold a lock while waiting (Python's GIL): try this, and on `None`
    /// call [`Self::next_id`] with the lock released.
    #[inline(always)]
    pub fn try_next_id(&self) -> Option<u64> {
        let g = self.lane();
        let (pos, _) = g.take_fast(1)?;
        Some(g.compose(pos))
    }

    /// Fills `out` with consecutive IDs, reserving a whole tick's worth per
    /// compare-and-swap. Returns how many were written: `out.len()`, or fewer
    /// if an error stopped it after some were issued (call again to see the
    /// error). An error is returned only when nothing was written.
    ///
    /// With several lanes the buffer is filled in consecutive runs, one per
    /// lane starting with the caller's; each run increases, the whole buffer
    /// is not sorted (see [`crate::lanes`]).
    pub fn next_batch(&self, out: &mut [u64]) -> Result<usize> {
        if self.others.is_empty() {
            return self.fill(out);
        }
        // An even share of what is left for each lane still to come; a
        // lane that gives less (an error after some IDs) leaves more to the
        // next, so the filled part is always a prefix.
        let lanes = self.lane_count();
        let mut filled = 0;
        let mut first_error = None;
        for (k, lane) in self.lanes_from_mine().enumerate() {
            let share = (out.len() - filled).div_ceil(lanes - k);
            match lane.fill(&mut out[filled..filled + share]) {
                Ok(n) => filled += n,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if filled == 0 => Err(e),
            _ => Ok(filled),
        }
    }

    /// Whether the generator can issue now, without issuing: `Ok` when the
    /// next ID on every lane would be issued (at once, or after a wait within
    /// the configured bounds: the rest of a spent tick, a regression the
    /// policy waits out, the floor wait), else the error that ID would fail
    /// with (`LEASE_LOST`, `COORDINATION_UNAVAILABLE`, `BEHIND_HIGH_WATER`,
    /// `CLOCK_MOVED_BACKWARDS`, `FORKED`, ...). For readiness probes: no position
    /// is taken and no counter moves. Like the next ID, it may first extend
    /// a lane's reservation (one mark write or lease check, at most once per
    /// window), since "can issue now" means "the reservation covers now".
    pub fn ready(&self) -> Result<()> {
        self.all_lanes().try_for_each(|g| g.lane_ready())
    }

    /// [`Self::ready`] on this lane only: the slow path's checks, without
    /// its compare-and-swap.
    fn lane_ready(&self) -> Result<()> {
        let (now, t) = self.now_and_tick()?;
        let cand = self.position();
        if let Some(e) = self.refusal(self.situation(cand, t, now), now, 0) {
            return Err(e);
        }
        // The tick the next ID would be issued in (after any wait).
        let tick = t.max(cand >> self.seq_bits);
        if tick > self.max_tick {
            return Err(self.exhausted(self.tick_start_ms(tick)));
        }
        if tick >= self.limit.load(SeqCst) {
            self.extend_limit(tick)?;
        }
        Ok(())
    }

    /// [`Self::next_batch`] on this lane only.
    fn fill(&self, out: &mut [u64]) -> Result<usize> {
        let mut filled = 0;
        while filled < out.len() {
            match self.take((out.len() - filled) as u64) {
                Ok((pos, n)) => {
                    for (slot, p) in out[filled..filled + n as usize].iter_mut().zip(pos..) {
                        *slot = self.compose(p);
                    }
                    filled += n as usize;
                }
                Err(e) if filled == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(filled)
    }

    /// Reserves up to `want` consecutive positions `(tick << sequence_bits)
    /// | sequence` in one tick, returning the first and how many: the wide
    /// generator spreads positions into its own layout.
    #[inline(always)]
    pub(crate) fn take_positions(&self, want: u64) -> Result<(u64, u64)> {
        self.take(want)
    }

    /// The counters (summed over the lanes; the largest regression of any).
    pub fn stats(&self) -> Stats {
        let mut s = self.lane_stats();
        for g in self.others.iter() {
            let o = g.lane_stats();
            s.issued += o.issued;
            s.overflow_waits += o.overflow_waits;
            s.clock_regressions += o.clock_regressions;
            s.largest_regression_ms = s.largest_regression_ms.max(o.largest_regression_ms);
            s.borrowed_ticks += o.borrowed_ticks;
        }
        let cap = self.layout.capacity();
        s.runway_s = cap.end_ms.saturating_sub(self.clock.now_ms()) / 1000;
        s.nodes_total = cap.nodes;
        s.nodes_in_use = 1 + self.others.len() as u64;
        s.nodes_free = cap.nodes.saturating_sub(s.nodes_in_use);
        s.lease_ttl_left_ms = self
            .all_lanes()
            .filter_map(|g| g.reserver.as_ref()?.ttl_left_ms())
            .min();
        s
    }

    fn lane_stats(&self) -> Stats {
        let c = &self.counters.0;
        let consumed = self.position() - self.initial;
        Stats {
            issued: consumed.saturating_sub(c.skipped.load(Acquire)),
            overflow_waits: c.overflow_waits.load(Relaxed),
            clock_regressions: c.regressions.load(Relaxed),
            largest_regression_ms: c.largest_regression_ms.load(Relaxed),
            borrowed_ticks: c.borrowed.load(Relaxed),
            skew_ms: self.clock.skew_ms(),
            ..Stats::default()
        }
    }

    /// The last tick in which this generator (any lane) issued an ID (or
    /// its floor).
    pub fn last_tick(&self) -> Option<u64> {
        self.all_lanes().filter_map(|g| g.lane_last_tick()).max()
    }

    fn lane_last_tick(&self) -> Option<u64> {
        let s = self.position();
        (s > 0).then(|| (s - 1) >> self.seq_bits)
    }

    #[inline]
    fn compose(&self, pos: u64) -> u64 {
        ((pos >> self.seq_bits) << self.time_shift)
            | ((pos & self.seq_mask) << self.seq_shift)
            | self.node_bits
    }

    #[inline]
    fn tick_at(&self, now_ms: u64) -> u64 {
        // Before the epoch wraps to a huge tick, which fails the limit check.
        let d = now_ms.wrapping_sub(self.epoch_ms);
        if self.tick_ms == 1 {
            d
        } else {
            d / self.tick_ms
        }
    }

    /// Reserves up to `want` consecutive positions in one tick.
    #[inline(always)]
    fn take(&self, want: u64) -> Result<(u64, u64)> {
        match self.take_fast(want) {
            Some(taken) => Ok(taken),
            None => self.take_slow(want),
        }
    }

    /// The lock-free path alone: `None` when the slow path must decide (a
    /// new reservation, a clock behind, a spent sequence, a fork), which may
    /// wait or do I/O.
    #[inline(always)]
    fn take_fast(&self, want: u64) -> Option<(u64, u64)> {
        let t = self.tick_at(self.clock.now_ms());
        let mut cand = self.state.0.load(Relaxed);
        loop {
            if t < cand >> self.seq_bits || t >= self.limit.load(Relaxed) || self.is_forked() {
                return None;
            }
            let (pos, n) = step(cand, t, self.seq_bits, self.seq_mask, want, self.spread());
            match self
                .state
                .0
                .compare_exchange_weak(cand, pos + n, Relaxed, Relaxed)
            {
                Ok(_) => {
                    if pos != cand {
                        self.counters.0.skipped.fetch_add(pos - cand, Relaxed);
                    }
                    return Some((pos, n));
                }
                Err(actual) => cand = actual,
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn take_slow(&self, want: u64) -> Result<(u64, u64)> {
        let c = &self.counters.0;
        let mut counted = false;
        let started = Instant::now();
        let waited_ms = || started.elapsed().as_millis() as u64;
        loop {
            let (now, t) = self.now_and_tick()?;
            let cand = self.state.0.load(SeqCst);
            if cand == RETIRED {
                self.resume();
                continue;
            }
            let case = self.situation(cand, t, now);
            match case {
                Situation::Issue => {}
                Situation::BehindFloor { wait_ms, .. } => {
                    if let Some(e) = self.refusal(case, now, waited_ms()) {
                        return Err(e);
                    }
                    pause(wait_ms);
                    continue;
                }
                Situation::SequenceSpent { wait_ms, .. } => {
                    if let Some(e) = self.refusal(case, now, waited_ms()) {
                        return Err(e);
                    }
                    if !counted {
                        c.overflow_waits.fetch_add(1, Relaxed);
                        counted = true;
                    }
                    pause(wait_ms);
                    continue;
                }
                Situation::ClockBehind { last_ms, wait_ms } => {
                    if !counted {
                        c.regressions.fetch_add(1, Relaxed);
                        c.largest_regression_ms
                            .fetch_max(last_ms.saturating_sub(now), Relaxed);
                        counted = true;
                    }
                    if let Some(e) = self.refusal(case, now, waited_ms()) {
                        return Err(e);
                    }
                    pause(wait_ms);
                    continue;
                }
            }
            // The same arithmetic as the fast path (and the loom model):
            // at the clock's tick, or at `cand` when borrowing ahead.
            let (pos, n) = step(cand, t, self.seq_bits, self.seq_mask, want, self.spread());
            let tick = pos >> self.seq_bits;
            if tick > self.max_tick {
                return Err(self.exhausted(self.tick_start_ms(tick)));
            }
            if tick >= self.limit.load(SeqCst) {
                self.extend_limit(tick)?;
                continue;
            }
            if self
                .state
                .0
                .compare_exchange(cand, pos + n, SeqCst, SeqCst)
                .is_ok()
            {
                if pos != cand {
                    c.skipped.fetch_add(pos - cand, Relaxed);
                }
                if tick > t && pos & self.seq_mask == 0 {
                    c.borrowed.fetch_add(1, Relaxed);
                }
                return Ok((pos, n));
            }
        }
    }

    /// The slow path's precise clock reading and its tick, or why no ID can
    /// be issued whatever the state: a `fork()` since creation, a clock
    /// before the epoch, a tick past the layout's last.
    fn now_and_tick(&self) -> Result<(u64, u64)> {
        if self.is_forked() {
            return Err(Error::Forked {
                created: self.fork_generation,
                now: fork_generation(),
            });
        }
        let now = self.clock.now_ms_precise();
        if now < self.epoch_ms {
            return Err(Error::ClockBeforeEpoch {
                now_ms: now,
                epoch_ms: self.epoch_ms,
            });
        }
        let t = self.tick_at(now);
        if t > self.max_tick {
            return Err(self.exhausted(now));
        }
        Ok((now, t))
    }

    /// The error a slow-path case ends in, or `None` while waiting for the
    /// clock is allowed (`waited_ms`: how long the call has waited so far).
    fn refusal(&self, case: Situation, now: u64, waited_ms: u64) -> Option<Error> {
        match case {
            Situation::Issue => None,
            Situation::BehindFloor { mark_ms, wait_ms } => {
                let max_wait_ms = self.floor_wait_ms;
                let late =
                    !self.clock.advances() || wait_ms > max_wait_ms || waited_ms > max_wait_ms;
                late.then_some(Error::BehindHighWater {
                    mark_ms,
                    now_ms: now,
                    max_wait_ms,
                })
            }
            Situation::SequenceSpent { last_ms, .. } => {
                (!self.clock.advances()).then(|| Error::SequenceExhausted {
                    tick_ms: last_ms,
                    per_tick: 1 << self.seq_bits,
                })
            }
            Situation::ClockBehind { last_ms, .. } => {
                let fail = match self.policy {
                    RegressionPolicy::Fail => true,
                    RegressionPolicy::Wait { max_ms } => {
                        !self.clock.advances()
                            || last_ms.saturating_sub(now) > max_ms
                            || waited_ms > max_ms
                    }
                };
                fail.then_some(Error::ClockMovedBackwards {
                    last_ms,
                    now_ms: now,
                })
            }
        }
    }

    /// Names the slow path's case for the next free position `cand` and the
    /// clock's tick `t` (read at `now`).
    fn situation(&self, cand: u64, t: u64, now: u64) -> Situation {
        let ct = cand >> self.seq_bits;
        if t >= ct || ct - t <= self.max_borrow {
            return Situation::Issue;
        }
        // cand > 0 here, since ct > t >= 0.
        let last_ms = self.tick_start_ms((cand - 1) >> self.seq_bits);
        let wait_ms = self.tick_start_ms(ct - self.max_borrow).saturating_sub(now);
        let last = (cand - 1) >> self.seq_bits;
        if cand == self.initial {
            // Nothing issued yet: the floor is a persisted high-water mark.
            Situation::BehindFloor {
                mark_ms: last_ms,
                wait_ms,
            }
        } else if last <= t + self.max_borrow {
            // The sequence of the current (or last borrowable) tick is spent.
            Situation::SequenceSpent { last_ms, wait_ms }
        } else {
            Situation::ClockBehind { last_ms, wait_ms }
        }
    }

    /// The random-start parameters for [`step`]: the offset mask (0: off)
    /// and this node's salt.
    #[inline(always)]
    fn spread(&self) -> (u64, u64) {
        (self.spread_mask, self.node_bits)
    }

    /// When tick `tick` starts, in ms since the Unix epoch.
    #[inline]
    fn tick_start_ms(&self, tick: u64) -> u64 {
        tick * self.tick_ms + self.epoch_ms
    }

    /// Whether this generator was created before a `fork()` of this process.
    #[inline]
    pub fn is_forked(&self) -> bool {
        FORK_GENERATION.load(Relaxed) != self.fork_generation
    }

    /// A clean shutdown without dropping: lowers the persisted high-water
    /// mark to the last tick issued, as dropping the generator does, so the
    /// next holder of these numbers need not wait out the reserved window.
    /// The generator stays usable: the next ID first re-reserves (one mark
    /// write), so no ID is ever issued above the mark on disk.
    ///
    /// Exact under concurrency: the state is swapped for a marker in one
    /// atomic step, so every ID issued before is below the recorded
    /// position and every later attempt goes through [`Self::resume`].
    pub fn shutdown(&self) {
        for g in self.others.iter() {
            g.shutdown();
        }
        if self.is_forked() {
            return;
        }
        let Some(r) = &self.reserver else {
            return;
        };
        let _guard = self.reserve_lock.lock().unwrap_or_else(|p| p.into_inner());
        let s = self.state.0.swap(RETIRED, SeqCst);
        if s == RETIRED {
            return;
        }
        self.retired_at.store(s, SeqCst);
        let last = (s > self.initial).then(|| (s - 1) >> self.seq_bits);
        r.release(last);
        // Every tick above the last one used must be reserved again.
        let unreserved = if s == 0 {
            0
        } else {
            ((s - 1) >> self.seq_bits) + 1
        };
        self.limit.store(unreserved, SeqCst);
    }

    /// After [`Self::shutdown`]: puts the saved position back; the limit
    /// stays lowered, so the next tick is reserved before it is issued.
    #[cold]
    fn resume(&self) {
        let _guard = self.reserve_lock.lock().unwrap_or_else(|p| p.into_inner());
        let _ =
            self.state
                .0
                .compare_exchange(RETIRED, self.retired_at.load(SeqCst), SeqCst, SeqCst);
    }

    /// The next free position, whether or not the generator is shut down.
    fn position(&self) -> u64 {
        match self.state.0.load(Acquire) {
            RETIRED => self.retired_at.load(Acquire),
            s => s,
        }
    }

    fn exhausted(&self, needed_ms: u64) -> Error {
        Error::TimeExhausted {
            end_ms: self.layout.capacity().end_ms,
            needed_ms,
        }
    }

    #[cold]
    fn extend_limit(&self, tick: u64) -> Result<()> {
        let Some(r) = &self.reserver else {
            return Err(self.exhausted(tick * self.tick_ms + self.epoch_ms));
        };
        let _guard = self.reserve_lock.lock().unwrap_or_else(|p| p.into_inner());
        if tick < self.limit.load(Acquire) {
            return Ok(());
        }
        let covered = r.reserve(tick)?;
        self.limit.store(
            covered.max(tick).min(self.max_tick).saturating_add(1),
            Release,
        );
        Ok(())
    }
}

/// The largest offset mask of a random sequence start for a sequence of
/// `seq_bits` bits: offsets are `0..2^min(seq_bits - 1, 8)` (0..256 on the
/// Twitter layout's 4096, 0..128 on Sonyflake's 256).
pub fn spread_mask(seq_bits: u32) -> u64 {
    mask(seq_bits.saturating_sub(1).min(8))
}

/// The pseudo-random first sequence of tick `tick` for a node whose
/// composed node bits are `salt`, under `spread_mask` (from
/// [`spread_mask`]): the splitmix64 finalizer of `tick + salt * golden`,
/// masked. A pure function, so no state, lock or syscall per ID, and the
/// same in every language (`testdata/gen_vectors.py`).
///
/// Only a tick *entered from the clock* (the state was behind the clock's
/// tick) starts at the offset; a tick entered by carrying over from a full
/// one starts at 0. So a saturated generator loses nothing, and each tick
/// entered after a pause holds `2^seq_bits - offset` IDs: on average
/// `spread_mask / 2` fewer (128 of 4096 = 3.1% on Twitter, 64 of 256 = 25%
/// on Sonyflake), at most `spread_mask`. IDs stay unique and increasing:
/// the offset only skips positions forward, inside the tick.
///
/// It spreads `id % shards` when the sequence is the layout's lowest field
/// (Twitter, Discord, Instagram); Sonyflake's lowest field is the machine
/// number, which a random start does not change.
#[inline]
pub fn sequence_offset(tick: u64, salt: u64, spread_mask: u64) -> u64 {
    let mut z = tick.wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & spread_mask
}

/// The fast path's arithmetic: from the next free position `cand` and the
/// clock's tick `t` (with `t >= cand >> seq_bits`), the first position to
/// issue and how many (up to `want`) fit before the tick's carry. The caller
/// publishes `pos + n` by compare-and-swap from `cand`. `(spread_mask,
/// salt)`: a tick entered from the clock starts at [`sequence_offset`]
/// (mask 0: at 0).
#[inline(always)]
fn step(
    cand: u64,
    t: u64,
    seq_bits: u32,
    seq_mask: u64,
    want: u64,
    (spread_mask, salt): (u64, u64),
) -> (u64, u64) {
    let start = t << seq_bits;
    let pos = if cand >= start {
        cand
    } else if spread_mask == 0 {
        start
    } else {
        // The offset is at most half the tick: room for one ID is left.
        start | sequence_offset(t, salt, spread_mask)
    };
    // A position below the carry always leaves room for one ID.
    let n = if want == 1 {
        1
    } else {
        want.min(seq_mask + 1 - (pos & seq_mask))
    };
    (pos, n)
}

/// Waits before the slow path re-reads the clock. Long waits sleep; the
/// common one (the rest of the current tick, under 2 ms) spins, because a
/// `yield` on a loaded machine can lose whole scheduler slices and with them
/// most of the next tick's capacity. The loop re-reads the exact clock after
/// each short spin.
fn pause(wait_ms: u64) {
    if wait_ms >= 2 {
        std::thread::sleep(Duration::from_millis(wait_ms - 1));
    } else {
        for _ in 0..64 {
            std::hint::spin_loop();
        }
    }
}

impl<C: Clock> Drop for Generator<C> {
    fn drop(&mut self) {
        // A copy inherited across fork() must not touch the parent's mark:
        // the parent is still issuing under its reservation.
        if FORK_GENERATION.load(SeqCst) != self.fork_generation {
            return;
        }
        if let Some(r) = &self.reserver {
            // Only ticks below the state's position were issued.
            let s = self.position();
            let last = (s > self.initial).then(|| (s - 1) >> self.seq_bits);
            r.release(last);
        }
    }
}

impl<C: Clock> fmt::Debug for Generator<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("layout", &self.layout.to_string())
            .field("nodes", &self.nodes())
            .field("source", &self.source)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Model check of the compare-and-swap protocol with loom:
/// `RUSTFLAGS="--cfg loom" cargo test -p snowid --release --lib loom`.
/// Threads run the generator's own `step` against a loom atomic while the
/// clock tick moves; loom explores every interleaving and checks that no
/// position is issued twice and each thread's positions increase.
#[cfg(all(test, loom))]
mod loom_model {
    use super::{step, RETIRED};
    use loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
    use loom::sync::Arc;

    const SEQ_BITS: u32 = 1;
    const SEQ_MASK: u64 = 1;

    fn issue(state: &AtomicU64, clock: &AtomicU64, want: u64) -> Option<(u64, u64)> {
        let t = clock.load(Relaxed);
        let mut cand = state.load(Relaxed);
        loop {
            if t < cand >> SEQ_BITS {
                // The generator's slow path: waits, borrows, or (RETIRED)
                // resumes after a shutdown.
                return None;
            }
            let (pos, n) = step(cand, t, SEQ_BITS, SEQ_MASK, want, (0, 0));
            match state.compare_exchange_weak(cand, pos + n, Relaxed, Relaxed) {
                Ok(_) => return Some((pos, n)),
                Err(actual) => cand = actual,
            }
        }
    }

    #[test]
    fn loom_positions_are_unique_and_increasing() {
        loom::model(|| {
            let state = Arc::new(AtomicU64::new(0));
            let clock = Arc::new(AtomicU64::new(0));
            let workers: Vec<_> = (0..2u64)
                .map(|i| {
                    let (state, clock) = (state.clone(), clock.clone());
                    loom::thread::spawn(move || {
                        let mut got = Vec::new();
                        for want in [1, 2 - i] {
                            if let Some((pos, n)) = issue(&state, &clock, want) {
                                got.extend(pos..pos + n);
                            }
                        }
                        got
                    })
                })
                .collect();
            clock.store(1, Relaxed);
            let mut all = Vec::new();
            for w in workers {
                let got = w.join().unwrap();
                assert!(
                    got.windows(2).all(|p| p[0] < p[1]),
                    "increasing per thread: {got:?}"
                );
                all.extend(got);
            }
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n, "no position issued twice");
        });
    }

    /// `Generator::shutdown` swaps the state for `RETIRED` in one atomic
    /// step while threads issue: the position it records is above every
    /// position issued before the swap, none is issued while retired, and
    /// issuing resumes from it without a duplicate.
    #[test]
    fn loom_shutdown_records_every_issued_position() {
        loom::model(|| {
            let state = Arc::new(AtomicU64::new(0));
            let clock = Arc::new(AtomicU64::new(0));
            let worker = {
                let (state, clock) = (state.clone(), clock.clone());
                loom::thread::spawn(move || {
                    let mut got = Vec::new();
                    for want in [1, 2] {
                        if let Some((pos, n)) = issue(&state, &clock, want) {
                            got.extend(pos..pos + n);
                        }
                    }
                    got
                })
            };
            let recorded = state.swap(RETIRED, loom::sync::atomic::Ordering::SeqCst);
            let during = issue(&state, &clock, 1);
            assert!(during.is_none(), "nothing issued while retired");
            state.store(recorded, loom::sync::atomic::Ordering::SeqCst);
            let got = worker.join().unwrap();
            clock.store(8, Relaxed);
            let after = issue(&state, &clock, 1).expect("resumes");
            let mut all = got.clone();
            all.push(after.0);
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n, "no position issued twice");
            assert!(after.0 >= recorded, "resumes at or above the record");
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual(layout: Layout, at: u64) -> (Generator, ManualClock) {
        let clock = ManualClock::new(at);
        let n = layout.node_count();
        let g = Generator::new(
            Config::new(layout)
                .nodes(&vec![1; n])
                .unwrap()
                .clock(ClockChoice::Manual(clock.clone())),
        )
        .unwrap();
        (g, clock)
    }

    #[test]
    fn ids_increase_and_decode_to_the_clock() {
        let l = Layout::twitter();
        let at = l.epoch_ms() + 1_000_000;
        let (g, clock) = manual(l.clone(), at);
        let a = g.next_id().unwrap();
        let b = g.next_id().unwrap();
        clock.advance(1);
        let c = g.next_id().unwrap();
        assert!(a < b && b < c);
        let p = l.decode(c).unwrap();
        assert_eq!(
            (p.timestamp_ms, p.sequence, &p.nodes[..2]),
            (at + 1, 0, &[1, 1][..])
        );
        assert_eq!(l.decode(b).unwrap().sequence, 1);
        assert_eq!(g.stats().issued, 3);
    }

    #[test]
    fn manual_clock_overflow_is_an_error_not_a_wait() {
        let (g, clock) = manual(Layout::twitter(), Layout::twitter().epoch_ms() + 5);
        let mut buf = vec![0; 4096];
        assert_eq!(g.next_batch(&mut buf).unwrap(), 4096);
        assert_eq!(g.next_id().unwrap_err().code(), "SEQUENCE_EXHAUSTED");
        clock.advance(1);
        assert!(g.next_id().unwrap() > buf[4095]);
        assert_eq!(g.stats().issued, 4097);
    }

    #[test]
    fn regression_fails_then_recovers() {
        let l = Layout::twitter();
        let (g, clock) = manual(l.clone(), l.epoch_ms() + 100);
        let first = g.next_id().unwrap();
        clock.advance(-40);
        let e = g.next_id().unwrap_err();
        assert_eq!(
            e,
            Error::ClockMovedBackwards {
                last_ms: l.epoch_ms() + 100,
                now_ms: l.epoch_ms() + 60
            }
        );
        clock.advance(40);
        assert!(g.next_id().unwrap() > first);
        let s = g.stats();
        assert_eq!(
            (s.clock_regressions, s.largest_regression_ms, s.issued),
            (1, 40, 2)
        );
    }

    #[test]
    fn stats_report_the_clock_skew() {
        let (g, clock) = manual(Layout::twitter(), Layout::twitter().epoch_ms() + 5);
        clock.advance(1_000_000);
        assert_eq!(g.stats().skew_ms, 0);
        for choice in [ClockChoice::Monotonic, ClockChoice::Cached] {
            let config = Config::new(Layout::twitter()).nodes(&[0, 1]).unwrap();
            let g = Generator::new(config.clock(choice)).unwrap();
            g.next_id().unwrap();
            let skew = g.stats().skew_ms;
            assert!(skew.abs() < 1000, "skew {skew}");
        }
    }

    #[test]
    fn stats_report_the_runway_and_the_node_numbers() {
        let l = Layout::twitter();
        let end = l.capacity().end_ms;
        let (g, clock) = manual(l.clone(), end - 86_400_000 - 999);
        let s = g.stats();
        assert_eq!(s.runway_s, 86_400, "whole seconds to the layout's end");
        assert_eq!(
            (s.nodes_total, s.nodes_in_use, s.nodes_free),
            (1024, 1, 1023)
        );
        assert_eq!(s.lease_ttl_left_ms, None, "no lease");
        clock.advance(86_400_999);
        assert_eq!(g.stats().runway_s, 0);
        clock.advance(5_000);
        assert_eq!(g.stats().runway_s, 0, "past the end: 0, not a wrap");
    }

    #[test]
    fn ready_takes_no_id_and_moves_no_counter() {
        let l = Layout::twitter();
        let (g, clock) = manual(l.clone(), l.epoch_ms() + 100);
        for _ in 0..5 {
            g.ready().unwrap();
        }
        let s = g.stats();
        assert_eq!(
            (s.issued, s.overflow_waits, s.clock_regressions),
            (0, 0, 0),
            "{s:?}"
        );
        assert_eq!(
            (s.largest_regression_ms, s.borrowed_ticks, s.skew_ms),
            (0, 0, 0),
            "{s:?}"
        );
        let first = g.next_id().unwrap();
        assert_eq!(l.decode(first).unwrap().sequence, 0, "no position taken");
        // Behind the last tick issued: the error the next ID gives (a manual
        // clock never advances, so the policy cannot wait), uncounted.
        clock.advance(-10);
        let e = g.ready().unwrap_err();
        assert_eq!(
            e,
            Error::ClockMovedBackwards {
                last_ms: l.epoch_ms() + 100,
                now_ms: l.epoch_ms() + 90
            }
        );
        assert_eq!(g.stats().clock_regressions, 0);
        assert_eq!(g.next_id().unwrap_err(), e);
        assert_eq!(g.stats().clock_regressions, 1);
        clock.advance(10);
        let mut buf = vec![0; 4095];
        assert_eq!(g.next_batch(&mut buf).unwrap(), 4095);
        assert_eq!(g.ready().unwrap_err().code(), "SEQUENCE_EXHAUSTED");
        clock.advance(1);
        g.ready().unwrap();
        assert_eq!(g.stats().issued, 4096);
    }

    /// A reservation that can be refused, like a lease whose renewals stop.
    struct Fence {
        lost: std::sync::Arc<std::sync::atomic::AtomicBool>,
        calls: std::sync::Arc<AtomicU64>,
    }

    impl Reserve for Fence {
        fn reserve(&self, tick: u64) -> Result<u64> {
            self.calls.fetch_add(1, SeqCst);
            if self.lost.load(SeqCst) {
                return Err(Error::LeaseLost {
                    worker: 3,
                    deadline_ms: 1,
                    now_ms: 2,
                });
            }
            Ok(tick + 10)
        }
    }

    #[test]
    fn ready_fails_when_the_reservation_cannot_be_extended() {
        let l = Layout::twitter();
        let (g, clock) = manual(l.clone(), l.epoch_ms() + 100);
        let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let calls = std::sync::Arc::new(AtomicU64::new(0));
        let fence = Fence {
            lost: lost.clone(),
            calls: calls.clone(),
        };
        let g = g.with_reserve(Box::new(fence), Some(0));
        g.ready().unwrap();
        assert_eq!(
            calls.load(SeqCst),
            1,
            "the reservation now covers the clock"
        );
        g.ready().unwrap();
        assert_eq!(calls.load(SeqCst), 1, "once per window, not per probe");
        lost.store(true, SeqCst);
        g.ready().unwrap();
        clock.advance(20);
        assert_eq!(g.ready().unwrap_err().code(), "LEASE_LOST");
        assert_eq!(g.next_id().unwrap_err().code(), "LEASE_LOST");
        lost.store(false, SeqCst);
        g.ready().unwrap();
        assert_eq!(g.stats().issued, 0);
        let id = g.next_id().unwrap();
        assert_eq!(l.decode(id).unwrap().timestamp_ms, l.epoch_ms() + 120);
    }

    #[test]
    fn try_next_id_issues_only_on_the_lock_free_path() {
        let l = Layout::twitter();
        let (g, clock) = manual(l.clone(), l.epoch_ms() + 100);
        // The first ID of a tick is the lock-free path too.
        let a = g.try_next_id().unwrap();
        assert!(g.next_id().unwrap() > a);
        clock.advance(-10);
        assert_eq!(g.try_next_id(), None, "a clock behind is the slow path's");
        assert_eq!(g.stats().clock_regressions, 0, "and nothing was counted");
        clock.advance(20);
        let b = g.try_next_id().unwrap();
        assert!(b > a);
        // A reservation is the slow path's.
        let calls = std::sync::Arc::new(AtomicU64::new(0));
        let fence = Fence {
            lost: std::sync::Arc::default(),
            calls: calls.clone(),
        };
        let g = g.with_reserve(Box::new(fence), None);
        assert_eq!(g.try_next_id(), None);
        assert_eq!(calls.load(SeqCst), 0);
        assert!(g.next_id().unwrap() > b);
        assert!(g.try_next_id().is_some());
        assert_eq!(g.stats().issued, 5);
    }

    #[test]
    fn the_epochs_first_tick_is_reserved_like_any_other() {
        let l = Layout::twitter();
        for (lost, want) in [(false, "ok"), (true, "LEASE_LOST")] {
            let (g, _clock) = manual(l.clone(), l.epoch_ms());
            let calls = std::sync::Arc::new(AtomicU64::new(0));
            let fence = Fence {
                lost: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(lost)),
                calls: calls.clone(),
            };
            let g = g.with_reserve(Box::new(fence), None);
            let r = g.next_id();
            assert_eq!(
                r.as_ref().map_or_else(|e| e.code(), |_| "ok"),
                want,
                "{r:?}"
            );
            if let Ok(id) = r {
                assert_eq!(l.decode(id).unwrap().tick, 0);
            }
            assert_eq!(calls.load(SeqCst), 1, "tick 0 issued unreserved");
        }
    }

    #[test]
    fn ready_checks_every_lane() {
        let l = Layout::twitter();
        let clock = ManualClock::new(l.epoch_ms() + 100);
        let lane = |worker: u64| {
            Generator::new(
                Config::new(l.clone())
                    .nodes(&[1, worker])
                    .unwrap()
                    .clock(ClockChoice::Manual(clock.clone())),
            )
            .unwrap()
        };
        let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let fence = Fence {
            lost: lost.clone(),
            calls: std::sync::Arc::default(),
        };
        let g = lane(1).with_lanes(vec![lane(2).with_reserve(Box::new(fence), Some(0))]);
        assert_eq!(g.ready().unwrap_err().code(), "LEASE_LOST", "lane 1's");
        lost.store(false, SeqCst);
        g.ready().unwrap();
        assert_eq!(g.stats().issued, 0);
    }

    #[test]
    fn real_clock_overflow_waits_for_the_next_tick() {
        let g = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 0]).unwrap()).unwrap();
        let mut buf = vec![0; 10_000];
        assert_eq!(g.next_batch(&mut buf).unwrap(), 10_000);
        assert!(buf.windows(2).all(|w| w[0] < w[1]));
        // However fast or slow the machine: never more than 4096 per tick.
        let l = Layout::twitter();
        let mut per_tick = std::collections::HashMap::new();
        for id in &buf {
            *per_tick.entry(l.decode(*id).unwrap().tick).or_insert(0) += 1;
        }
        assert!(per_tick.len() >= 3 && per_tick.values().all(|&n| n <= 4096));
        assert_eq!(g.stats().issued, 10_000);
    }
}
