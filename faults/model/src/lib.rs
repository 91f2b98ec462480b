//! A model of snowid's node-lease + high-water-mark + lanes protocol,
//! checked exhaustively (breadth first) with [`stateright`].
//!
//! This doc is the protocol's specification: every action below is a step
//! the code really takes, at the granularity where interleavings matter,
//! and names where it is (`file:function`). Time is counted in ticks (the
//! layout's tick is the model's unit; a TTL of 3 is three ticks).
//!
//! # Actors and clocks
//!
//! - **Real time** `now`, which the **store** (etcd / Redis) follows for its
//!   key TTLs, plus `store_ahead`: a step forward of the store's own clock
//!   (Redis expires keys by its wall clock), which expires keys early.
//! - Two **machines**, each with a wall-clock offset (stepped by
//!   `WallStep`), a `CLOCK_MONOTONIC` reading `mono` that advances with real
//!   time *except while the machine is suspended* (Linux `CLOCK_MONOTONIC`,
//!   what Rust's `Instant` reads, stops during a VM pause or laptop sleep),
//!   and at most one **process** (a holder) at a time.
//! - A process's generator clock is `base + mono`: the wall clock read once
//!   at start, advanced by the monotonic clock (`core/src/clock.rs:anchor`,
//!   `anchored_now_ms`). A wall-clock step therefore changes only the next
//!   process's clock. The lease fence runs on the same clock
//!   (`core/src/lease.rs:LeaseReserve::reserve`, `keep`: `MonotonicClock`).
//! - Each process holds `lanes` node numbers, one lane per number
//!   (`core/src/lanes.rs`: `etcd`/`redis` lanes each claim the next free
//!   number with their own lease, fence and mark), one issuing thread per lane.
//!
//! # Actions (and where they are in the code)
//!
//! | action | code |
//! |---|---|
//! | `Tick`: real time +1; `mono` +1 on machines not suspended; the store drops keys whose TTL ran out (lease expiry) | etcd lease expiry / Redis `PX` |
//! | `StoreStep`: the store's clock jumps forward 1 (keys expire early) | Redis expiry by wall clock |
//! | `Start(m)`: claim `lanes` free numbers (put-if-absent with TTL), fence `trusted = sent + ttl - margin`, then read each number's mark; floor = mark | `lease/etcd.rs:claim`, `lease/redis.rs:claim`, `lease.rs:build` (`fence.renewed(claimed.sent_ms, ..)`, `floor_tick`, `written = claimed.mark`), `generator.rs:with_clock` (`initial`), `with_reserve(floor)` |
//! | `Read(m, l)`: the issuing thread reads the clock `t` and passes the fast path's checks (`t >=` state's tick, `t <= limit`); it may be paused before the next step | `generator.rs:take` |
//! | `Issue(m, l)`: the compare-and-swap takes position `max(state, t << seq_bits)`; the ID `(number, t, seq)` is out | `generator.rs:take`, `step` |
//! | `Reserve(m, l)`: the slow path found `t > limit`: `extend_limit(t)`: gone? error; `left = trusted - mono`, none? `LeaseLost`; `cap = t + left - 1`; if `written < t` write the mark `t + window` (only while the key is ours, only upwards); `limit = min(written, cap)` | `generator.rs:take_slow`, `extend_limit`; `lease.rs:LeaseReserve::reserve`; `etcd.rs:write_mark` (txn on create revision + mark mod revision), `redis.rs` `MARK` script (token) |
//! | `ReserveLost(m, l)`: the same mark write applied by the store, its answer lost (error; `written` unchanged) | `LeaseReserve::reserve` `Err(reason)` arm |
//! | `RenewSend(m, l)`: the keeper records `sent = mono` and sends a renewal; the store applies it (key ours? its TTL restarts from the store's now; else "gone"). A store applying it later would only restart the TTL later, which the send-time fence allows for; a request lost before the store is the same as none sent | `lease.rs:keep`, etcd keep-alive, Redis `RENEW` script |
//! | `RenewAnswer(m, l)`: the answer arrives: `trusted = max(trusted, sent + ttl - margin)`, or gone: `trusted = 0`, `LeaseTaken` for good | `lease.rs:Fence::renewed`, `Fence::lose` |
//! | `RenewLost(m, l)`: the request or its answer is lost (retried later) | `keep`, `Err(_)` arm |
//! | `Shutdown(m)`: `Generator::shutdown`: per lane, the state is swapped for `RETIRED` (a thread between `Read` and `Issue` fails its CAS and starts over), the mark lowered to the last tick issued (fenced), `limit` lowered to it; the generator stays usable | `generator.rs:shutdown`, `resume`; `LeaseReserve::release` |
//! | `Exit(m)`: clean drop: marks lowered as above, the keys deleted if still ours | `generator.rs:Drop`, `lease.rs:LeaseGuard::drop`, `Backend::release` |
//! | `Crash(m)`: the process is gone (memory lost); the store keeps keys until their TTL runs out, and the marks | SIGKILL |
//! | `Stop(m)` / `Cont(m)`: SIGSTOP / SIGCONT: the process takes no step, its machine's clocks run | |
//! | `Suspend(m)` / `Wake(m)`: the machine sleeps: no step, and its `mono` stands still while real time and the store's TTLs run | VM pause, laptop sleep |
//! | `WallStep(m, d)`: the machine's wall clock steps by `d` (seen by the next process started there) | NTP, an operator |
//! | `StoreLoss`: the store forgets every key and mark (Redis restarted without persistence). Off by default: see [`Faults::store_loss`] | |
//!
//! # The property
//!
//! *No two issues ever produce the same (node number, tick, sequence)*, over
//! every holder and incarnation ([`State::duplicate`]). A `sometimes`
//! property shows the check is not vacuous: a second holder does issue
//! under a number an earlier holder issued under ([`State::handover`]).
//!
//! # Why it holds (what the checker confirms)
//!
//! A holder issues only ticks `<= limit <= written`, and `written` only grows
//! by a mark write the store accepted while the holder's key was its own; a
//! new holder claims only after that key is gone and issues only above the
//! mark it reads after its claim. The time fence (`sent + ttl - margin`) is
//! a second line (shown needed by the test breaking both it and the mark
//! write's fencing); it does not count a suspend, since `CLOCK_MONOTONIC`
//! stops then, which the fenced mark writes cover.

use stateright::{Model, Property};

/// Machines (each runs at most one holder process at a time).
pub const MACHINES: usize = 2;
/// Most lanes per process.
pub const MAX_LANES: usize = 2;
/// Most node numbers.
pub const MAX_NUMBERS: usize = 3;
/// Ticks representable in [`State::issued`] (per number).
const TICK_SPAN: usize = 20;
/// Most sequences per tick.
const MAX_SEQ: usize = 2;

/// Deliberately broken rules, to show the checker bites (all `false`: the code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Breaks {
    /// A new holder ignores the mark it reads (no floor, nothing written).
    pub ignore_mark: bool,
    /// The fence counts from when a renewal's answer is *received*, not sent.
    pub receive_time_fence: bool,
    /// Mark writes do not check that the worker key is still ours.
    pub unfenced_mark_write: bool,
    /// `LeaseReserve::release` leaves its cached `written` as it was after
    /// lowering the mark (the code before this model: a shutdown followed by
    /// more IDs issued above the lowered mark without raising it).
    pub keep_written_after_release: bool,
}

/// Which faults the checker may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults {
    /// Machine suspend (monotonic clock stands still).
    pub suspend: bool,
    /// SIGSTOP / SIGCONT.
    pub sigstop: bool,
    /// SIGKILL (restart is `Start`).
    pub crash: bool,
    /// Wall-clock steps of `±1..=max_wall_step` per machine.
    pub wall_step: bool,
    /// The store's clock stepping forward.
    pub store_step: bool,
    /// Lost renewals and lost mark-write answers.
    pub message_loss: bool,
    /// `Generator::shutdown` while the process goes on.
    pub shutdown: bool,
    /// The store forgets keys and marks. The lease's Redis backend does
    /// not refuse a store without persistence (only segment mode's Redis
    /// store does, `core/src/segment/redis.rs`); `lease.rs` documents the
    /// limit. Off by default: a store that forgets what it acknowledged is
    /// outside what any lease can fence (the test `store_loss_*` shows it).
    pub store_loss: bool,
}

impl Faults {
    /// Every fault the lease protocol is meant to survive.
    pub const ALL: Faults = Faults {
        suspend: true,
        sigstop: true,
        crash: true,
        wall_step: true,
        store_step: true,
        message_loss: true,
        shutdown: true,
        store_loss: false,
    };
    /// None.
    pub const NONE: Faults = Faults {
        suspend: false,
        sigstop: false,
        crash: false,
        wall_step: false,
        store_step: false,
        message_loss: false,
        shutdown: false,
        store_loss: false,
    };
}

/// The bounds and rules of one check.
#[derive(Clone, Debug)]
pub struct Protocol {
    /// Numbers (lanes) each process holds.
    pub lanes: u8,
    /// Node numbers in the layout (`>= lanes`).
    pub numbers: u8,
    /// Lease TTL, ticks.
    pub ttl: u8,
    /// Fence margin, ticks (`< ttl`).
    pub margin: u8,
    /// Mark window, ticks.
    pub window: u8,
    /// Sequences per tick (1 or 2: a 0- or 1-bit sequence).
    pub seq_per_tick: u8,
    /// Real time runs to this tick.
    pub horizon: u8,
    /// Process starts per machine.
    pub max_starts: u8,
    /// Largest wall-clock offset from real time.
    pub max_wall_step: u8,
    /// Faults injected.
    pub faults: Faults,
    /// Rules broken on purpose.
    pub breaks: Breaks,
}

impl Protocol {
    /// The default small bound: 2 machines, 1 number, TTL 3, margin 1,
    /// window 2, a 1-bit sequence, every fault.
    pub fn small() -> Self {
        Protocol {
            lanes: 1,
            numbers: 1,
            ttl: 3,
            margin: 1,
            window: 2,
            seq_per_tick: 1,
            horizon: 5,
            max_starts: 1,
            max_wall_step: 1,
            faults: Faults::ALL,
            breaks: Breaks::default(),
        }
    }
}

/// A worker key in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// Fencing token (etcd create revision / Redis random value).
    pub token: u8,
    /// Store time at which it expires.
    pub expiry: u8,
}

/// A lane's keeper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Renewal {
    /// Waiting for the next interval.
    Idle,
    /// Applied by the store; the answer (`ok`) is on its way.
    Answered {
        /// `mono` when sent.
        sent: u8,
        /// The key was ours.
        ok: bool,
    },
}

/// One lane of a process: a generator with its own lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lane {
    /// The node number.
    pub number: u8,
    /// The key's token.
    pub token: u8,
    /// The generator's next free position `tick * seq_per_tick + seq`.
    pub pos: u8,
    /// The initial position (above the floor).
    pub initial: u8,
    /// The generator's `limit`.
    pub limit: u8,
    /// `LeaseReserve::written`.
    pub written: Option<u8>,
    /// `Fence::trusted_until`, on this machine's `mono`.
    pub trusted: u8,
    /// `Fence::gone`.
    pub gone: bool,
    /// The keeper.
    pub renewal: Renewal,
    /// A thread between `Read` (tick `t` checked) and `Issue`.
    pub pending: Option<u8>,
}

/// A holder process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Process {
    /// Generator clock = `base + mono`.
    pub base: u8,
    /// SIGSTOPped.
    pub stopped: bool,
    /// `shutdown()` calls so far (bounded to one).
    pub shutdowns: u8,
    /// Lanes.
    pub lanes: [Option<Lane>; MAX_LANES],
}

/// A machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Machine {
    /// Wall clock = real time + `wall - max_wall_step`.
    pub wall: u8,
    /// `CLOCK_MONOTONIC`.
    pub mono: u8,
    /// Suspended.
    pub suspended: bool,
    /// Processes started here.
    pub starts: u8,
    /// The running process.
    pub process: Option<Process>,
}

/// The whole system.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// Real time.
    pub now: u8,
    /// Store clock minus real time.
    pub store_ahead: u8,
    /// Worker keys.
    pub keys: [Option<Key>; MAX_NUMBERS],
    /// High-water marks.
    pub marks: [Option<u8>; MAX_NUMBERS],
    /// Machines.
    pub machines: [Machine; MACHINES],
    /// Tokens handed out.
    pub tokens: u8,
    /// Every `(number, tick, seq)` issued, one bit each.
    pub issued: u128,
    /// Who issued last under each number.
    pub last_issuer: [Option<u8>; MAX_NUMBERS],
    /// A second token issued under a number another token issued under.
    pub handover: bool,
    /// The first `(number, tick, seq)` issued twice.
    pub duplicate: Option<(u8, u8, u8)>,
    /// The store lost its data (at most once).
    pub store_lost: bool,
}

/// A step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Tick,
    StoreStep,
    StoreLoss,
    Start(usize),
    Read(usize, usize),
    Issue(usize, usize),
    Reserve(usize, usize),
    ReserveLost(usize, usize),
    RenewSend(usize, usize),
    RenewAnswer(usize, usize),
    RenewLost(usize, usize),
    Shutdown(usize),
    Exit(usize),
    Crash(usize),
    Stop(usize),
    Cont(usize),
    Suspend(usize),
    Wake(usize),
    WallStep(usize, bool),
}

/// Name of the safety property.
pub const NO_DUPLICATE: &str = "no two holders issue the same (number, tick, sequence)";
/// Name of the non-vacuity property.
pub const HANDOVER: &str = "a second holder issues under a number already used";

impl Protocol {
    fn store_now(&self, s: &State) -> u8 {
        s.now + s.store_ahead
    }

    fn runnable(&self, s: &State, m: usize) -> Option<Process> {
        let mc = &s.machines[m];
        mc.process.filter(|p| !p.stopped && !mc.suspended)
    }

    /// The generator's clock reading on machine `m`.
    fn gen_now(&self, s: &State, m: usize, p: &Process) -> u8 {
        p.base + s.machines[m].mono
    }

    fn expire(&self, s: &mut State) {
        let t = self.store_now(s);
        for k in s.keys.iter_mut() {
            if k.is_some_and(|k| k.expiry <= t) {
                *k = None;
            }
        }
    }

    fn key_ours(&self, s: &State, l: &Lane) -> bool {
        s.keys[l.number as usize].is_some_and(|k| k.token == l.token)
    }

    /// The mark write of `LeaseReserve::reserve` / `release` at the store:
    /// `Some(new mark)` if accepted, `None` if the key is not ours.
    fn write_mark(&self, s: &mut State, l: &Lane, target: u8, lower: bool) -> Option<u8> {
        if !self.key_ours(s, l) && !self.breaks.unfenced_mark_write {
            return None;
        }
        let n = l.number as usize;
        let cur = s.marks[n];
        let new = match cur {
            Some(c) if !lower && c >= target => c,
            _ => target,
        };
        s.marks[n] = Some(new);
        Some(new)
    }

    /// `LeaseReserve::release(last)` for one lane, as shutdown and drop call it.
    fn release(&self, s: &mut State, l: &mut Lane) {
        if l.gone {
            return;
        }
        let spt = self.seq_per_tick;
        let last = (l.pos > l.initial).then(|| (l.pos - 1) / spt);
        if let (Some(last), Some(w)) = (last, l.written) {
            if last < w {
                if !self.breaks.keep_written_after_release {
                    l.written = Some(last);
                }
                let _ = self.write_mark(s, l, last, true);
            }
        }
    }

    fn record(&self, s: &mut State, l: &Lane, tick: u8, seq: u8) {
        let (n, t, q) = (l.number as usize, tick as usize, seq as usize);
        assert!(
            t < TICK_SPAN && q < MAX_SEQ,
            "bounds too large for the bitset"
        );
        let bit = 1u128 << (n * TICK_SPAN * MAX_SEQ + t * MAX_SEQ + q);
        if s.issued & bit != 0 && s.duplicate.is_none() {
            s.duplicate = Some((l.number, tick, seq));
        }
        s.issued |= bit;
        if s.last_issuer[n].is_some_and(|k| k != l.token) {
            s.handover = true;
        }
        s.last_issuer[n] = Some(l.token);
    }

    fn lane(&self, s: &State, m: usize, i: usize) -> Option<(Process, Lane)> {
        let p = s.machines[m].process?;
        Some((p, p.lanes[i]?))
    }

    fn set_lane(s: &mut State, m: usize, i: usize, l: Lane) {
        if let Some(p) = s.machines[m].process.as_mut() {
            p.lanes[i] = Some(l);
        }
    }
}

impl Model for Protocol {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        let mc = Machine {
            wall: self.max_wall_step,
            mono: 0,
            suspended: false,
            starts: 0,
            process: None,
        };
        let offsets: Vec<u8> = if self.faults.wall_step {
            (0..=2 * self.max_wall_step).collect()
        } else {
            vec![self.max_wall_step]
        };
        offsets
            .into_iter()
            .map(|w| {
                let mut machines = [mc; MACHINES];
                machines[1].wall = w;
                State {
                    // Tick 0 (the epoch's first) is left out: with no mark the
                    // generator's limit starts at 0 (`with_reserve(floor.unwrap_or(0))`),
                    // so tick 0 would be issued unreserved; see the report.
                    now: 1,
                    store_ahead: 0,
                    keys: [None; MAX_NUMBERS],
                    marks: [None; MAX_NUMBERS],
                    machines,
                    tokens: 0,
                    issued: 0,
                    last_issuer: [None; MAX_NUMBERS],
                    handover: false,
                    duplicate: None,
                    store_lost: false,
                }
            })
            .collect()
    }

    fn actions(&self, s: &State, out: &mut Vec<Action>) {
        if s.duplicate.is_some() {
            return;
        }
        let f = &self.faults;
        if s.now < self.horizon {
            out.push(Action::Tick);
        }
        if f.store_step && s.store_ahead == 0 && s.keys.iter().any(Option::is_some) {
            out.push(Action::StoreStep);
        }
        if f.store_loss && !s.store_lost {
            out.push(Action::StoreLoss);
        }
        for m in 0..MACHINES {
            let mc = &s.machines[m];
            if f.suspend && (mc.suspended || mc.process.is_some()) {
                out.push(if mc.suspended {
                    Action::Wake(m)
                } else {
                    Action::Suspend(m)
                });
            }
            if f.wall_step && mc.process.is_none() && mc.starts > 0 && mc.starts < self.max_starts {
                if mc.wall > 0 {
                    out.push(Action::WallStep(m, false));
                }
                if mc.wall < 2 * self.max_wall_step {
                    out.push(Action::WallStep(m, true));
                }
            }
            let Some(p) = mc.process else {
                if mc.starts < self.max_starts && !mc.suspended {
                    out.push(Action::Start(m));
                }
                continue;
            };
            if f.crash {
                out.push(Action::Crash(m));
            }
            if f.sigstop {
                out.push(if p.stopped {
                    Action::Cont(m)
                } else {
                    Action::Stop(m)
                });
            }
            if self.runnable(s, m).is_none() {
                // Requests already sent still reach the store.
                for (i, l) in p.lanes.iter().enumerate() {
                    if let Some(l) = l {
                        if f.message_loss && matches!(l.renewal, Renewal::Answered { .. }) {
                            out.push(Action::RenewLost(m, i));
                        }
                    }
                }
                continue;
            }
            out.push(Action::Exit(m));
            if f.shutdown && p.shutdowns == 0 {
                out.push(Action::Shutdown(m));
            }
            let now = self.gen_now(s, m, &p);
            for (i, l) in p.lanes.iter().enumerate() {
                let Some(l) = l else { continue };
                match l.pending {
                    Some(_) => out.push(Action::Issue(m, i)),
                    None => {
                        let pt = l.pos / self.seq_per_tick;
                        if now >= pt && now <= l.limit {
                            out.push(Action::Read(m, i));
                        } else if now >= pt && now > l.limit {
                            out.push(Action::Reserve(m, i));
                            let left = l.trusted.saturating_sub(s.machines[m].mono);
                            if f.message_loss
                                && !l.gone
                                && left > 0
                                && l.written.is_none_or(|w| w < now)
                            {
                                out.push(Action::ReserveLost(m, i));
                            }
                        }
                    }
                }
                match l.renewal {
                    Renewal::Idle if !l.gone => out.push(Action::RenewSend(m, i)),
                    Renewal::Idle => {}
                    Renewal::Answered { .. } => out.push(Action::RenewAnswer(m, i)),
                }
                if f.message_loss && matches!(l.renewal, Renewal::Answered { .. }) {
                    out.push(Action::RenewLost(m, i));
                }
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut s = last.clone();
        let spt = self.seq_per_tick;
        match action {
            Action::Tick => {
                s.now += 1;
                for mc in s.machines.iter_mut() {
                    if !mc.suspended {
                        mc.mono += 1;
                    }
                }
                self.expire(&mut s);
            }
            Action::StoreStep => {
                s.store_ahead += 1;
                self.expire(&mut s);
            }
            Action::StoreLoss => {
                s.store_lost = true;
                s.keys = [None; MAX_NUMBERS];
                s.marks = [None; MAX_NUMBERS];
            }
            Action::Suspend(m) => s.machines[m].suspended = true,
            Action::Wake(m) => s.machines[m].suspended = false,
            Action::Stop(m) => s.machines[m].process.as_mut()?.stopped = true,
            Action::Cont(m) => s.machines[m].process.as_mut()?.stopped = false,
            Action::WallStep(m, up) => {
                let w = &mut s.machines[m].wall;
                *w = if up { *w + 1 } else { *w - 1 };
            }
            Action::Crash(m) => s.machines[m].process = None,
            Action::Start(m) => {
                // lease.rs:build -> etcd.rs/redis.rs:claim, one claim per lane.
                let mono = s.machines[m].mono;
                let base = (s.now + s.machines[m].wall).checked_sub(mono)?;
                let mut lanes = [None; MAX_LANES];
                let mut n = 0usize;
                for lane in lanes.iter_mut().take(self.lanes as usize) {
                    while n < self.numbers as usize && s.keys[n].is_some() {
                        n += 1;
                    }
                    if n >= self.numbers as usize {
                        return None; // NoFreeSlot: nothing changes
                    }
                    s.tokens += 1;
                    let token = s.tokens;
                    s.keys[n] = Some(Key {
                        token,
                        expiry: self.store_now(&s) + self.ttl,
                    });
                    let mark = if self.breaks.ignore_mark {
                        None
                    } else {
                        s.marks[n]
                    };
                    let initial = mark.map_or(0, |f| (f + 1) * spt);
                    *lane = Some(Lane {
                        number: n as u8,
                        token,
                        pos: initial,
                        initial,
                        limit: mark.unwrap_or(0),
                        written: mark,
                        trusted: mono + self.ttl - self.margin,
                        gone: false,
                        renewal: Renewal::Idle,
                        pending: None,
                    });
                    n += 1;
                }
                let mc = &mut s.machines[m];
                mc.starts += 1;
                mc.process = Some(Process {
                    base,
                    stopped: false,
                    shutdowns: 0,
                    lanes,
                });
            }
            Action::Read(m, i) => {
                let (p, mut l) = self.lane(&s, m, i)?;
                l.pending = Some(self.gen_now(&s, m, &p));
                Self::set_lane(&mut s, m, i, l);
            }
            Action::Issue(m, i) => {
                let (_, mut l) = self.lane(&s, m, i)?;
                let t = l.pending.take()?;
                let pos = l.pos.max(t * spt);
                debug_assert_eq!(pos / spt, t);
                self.record(&mut s, &l, t, pos % spt);
                l.pos = pos + 1;
                Self::set_lane(&mut s, m, i, l);
            }
            Action::Reserve(m, i) | Action::ReserveLost(m, i) => {
                let (p, mut l) = self.lane(&s, m, i)?;
                let t = self.gen_now(&s, m, &p);
                if l.gone {
                    return Some(s); // LeaseTaken, nothing changes
                }
                let left = l.trusted.saturating_sub(s.machines[m].mono);
                if left == 0 {
                    return Some(s); // LeaseLost
                }
                let cap = t + left - 1;
                if l.written.is_none_or(|w| w < t) {
                    match self.write_mark(&mut s, &l, t + self.window, false) {
                        Some(_) if action == Action::ReserveLost(m, i) => {
                            return Some(s); // applied, answer lost: an error
                        }
                        Some(w) => l.written = Some(w.max(t + self.window)),
                        None => {
                            if action == Action::ReserveLost(m, i) {
                                return Some(s);
                            }
                            l.gone = true;
                            l.trusted = 0;
                            Self::set_lane(&mut s, m, i, l);
                            return Some(s);
                        }
                    }
                } else if action == Action::ReserveLost(m, i) {
                    return None;
                }
                let w = l.written.expect("written above");
                l.limit = w.min(cap).max(t);
                Self::set_lane(&mut s, m, i, l);
            }
            Action::RenewSend(m, i) => {
                // Sent at `mono` and applied by the store at once: a later
                // apply only restarts the TTL later, which the send-time
                // fence already allows for.
                let (_, mut l) = self.lane(&s, m, i)?;
                let sent = s.machines[m].mono;
                let ok = self.key_ours(&s, &l);
                if ok {
                    let expiry = self.store_now(&s) + self.ttl;
                    s.keys[l.number as usize] = Some(Key {
                        token: l.token,
                        expiry,
                    });
                }
                l.renewal = Renewal::Answered { sent, ok };
                Self::set_lane(&mut s, m, i, l);
            }
            Action::RenewAnswer(m, i) => {
                let (_, mut l) = self.lane(&s, m, i)?;
                let Renewal::Answered { sent, ok } = l.renewal else {
                    return None;
                };
                if ok {
                    let from = if self.breaks.receive_time_fence {
                        s.machines[m].mono
                    } else {
                        sent
                    };
                    l.trusted = l.trusted.max(from + self.ttl - self.margin);
                } else {
                    l.gone = true;
                    l.trusted = 0;
                }
                l.renewal = Renewal::Idle;
                Self::set_lane(&mut s, m, i, l);
            }
            Action::RenewLost(m, i) => {
                let (_, mut l) = self.lane(&s, m, i)?;
                l.renewal = Renewal::Idle;
                Self::set_lane(&mut s, m, i, l);
            }
            Action::Shutdown(m) | Action::Exit(m) => {
                let mut p = s.machines[m].process?;
                p.shutdowns += 1;
                for i in 0..MAX_LANES {
                    let Some(mut l) = p.lanes[i] else { continue };
                    // generator.rs:shutdown: RETIRED fails a pending CAS.
                    l.pending = None;
                    self.release(&mut s, &mut l);
                    l.limit = l.pos.saturating_sub(1) / spt;
                    if action == Action::Exit(m) && !l.gone && self.key_ours(&s, &l) {
                        s.keys[l.number as usize] = None; // Backend::release
                    }
                    p.lanes[i] = Some(l);
                }
                s.machines[m].process = (action == Action::Shutdown(m)).then_some(p);
            }
        }
        Some(s)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(NO_DUPLICATE, |_, s: &State| s.duplicate.is_none()),
            Property::sometimes(HANDOVER, |_, s: &State| s.handover),
        ]
    }
}

#[cfg(test)]
mod tests;
