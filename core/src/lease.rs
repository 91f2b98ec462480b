//! Node numbers leased from a coordination service, with fencing.
//!
//! A generator built here claims the first free *worker number* `n` (the
//! slot index over the layout's node fields, see [`crate::Layout::slot_nodes`])
//! as the key `/<prefix>/<layout>/workers/<n>`, held by a lease with a time
//! to live, and keeps it alive from a background thread:
//!
//! - **etcd** (feature `etcd`): a put-if-absent transaction bound to an etcd
//!   lease; renewals on the lease's keep-alive stream; the key's create
//!   revision is the holder's fencing token. Revoked on a clean shutdown.
//! - **Redis** (feature `redis`): `SET key token NX PX ttl`; renewals and every
//!   other write are Lua scripts that act only while the key still holds our
//!   random token. Only as safe as a single Redis primary: a failover with
//!   asynchronous replication, or a restart without persistence, can lose the
//!   key and the mark (no Redlock claims are made). Against a restart that
//!   forgot (no AOF, `appendfsync everysec`, a restore from a backup), claims
//!   and renewals are tied to the server's `run_id`, and a claim waits until
//!   the server has been up for a TTL plus the margin (see `lease/redis.rs`),
//!   so two holders never issue on one number at the same time.
//!
//! **Fencing.** Every renewal records when it was *sent*, on the boot clock
//! ([`boot`]: Linux `CLOCK_BOOTTIME`, which keeps counting while the machine
//! is suspended, like the service's TTL does; in the generator clock's
//! milliseconds); the lease is trusted until `sent + ttl - margin` (margin: a
//! third of the TTL unless set). A holder resumed after a suspend longer than
//! that therefore stops at its next reservation instead of trusting a lease
//! the service has already expired. The generator's [`Reserve`] never hands out a limit beyond that
//! deadline, so its hot-path limit check stops issuing there at no per-ID
//! cost; after the deadline [`Error::LeaseLost`] until a renewal succeeds
//! again. If the server says the lease or key is gone (expired, claimed by
//! another holder), the generator fails with [`Error::LeaseTaken`] for good
//! and never issues on that number again.
//!
//! **High-water mark.** A second, non-leased key
//! `/<prefix>/<layout>/marks/<n>` holds the highest tick the holders of `n`
//! may have issued. It is raised to `tick + window` in the generator's
//! reserve call, once per window (one round trip on the cold path, like the
//! file mark's fsync), only while our worker key is still ours (a transaction
//! comparing its create revision / a script comparing the token), and only
//! upwards; the one exception is a clean shutdown, which lowers it to the
//! last tick really issued (still fenced), so the next holder need not wait.
//! A new holder reads the mark after its claim and issues nothing at or
//! below it ([`crate::Config::floor_tick`]), even with a slower clock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::layout::Layout;
pub use crate::node::build_leased as build;
use crate::reserve::Reserve;

mod boot;
#[cfg(feature = "etcd")]
mod etcd;
#[cfg(feature = "redis")]
mod redis;

/// Default lease time to live.
pub const DEFAULT_TTL_MS: u64 = 10_000;
/// Default key prefix.
pub const DEFAULT_PREFIX: &str = "snowid";

/// Where and how to lease node numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseSpec {
    /// etcd: `host:port` endpoints (`http://` optional); Redis: one URL
    /// (`redis://host:port/db`).
    pub endpoints: Vec<String>,
    /// First component of every key (`/<prefix>/<layout>/workers/<n>`).
    pub prefix: String,
    /// Lease time to live, in ms (etcd rounds it up to whole seconds).
    pub ttl_ms: u64,
    /// How long before the lease's expiry (counted from when the last
    /// successful renewal was sent) the generator stops trusting it; `None`:
    /// a third of the TTL. It must cover the longest pause a thread can
    /// suffer between reading the clock and issuing an ID.
    pub margin_ms: Option<u64>,
    /// Timeout of one request to the service, in ms; `None`: a fifth of the
    /// TTL, at most 2000.
    pub request_timeout_ms: Option<u64>,
    /// Redis only: accept a server that can forget acknowledged writes (no
    /// AOF: `appendonly no`, with or without RDB snapshots). Such a Redis,
    /// restarted, forgets the lease and the high-water mark together, and
    /// the next holder of a number may reissue the IDs the last one issued
    /// after the last write it kept; `false` (the default) refuses it at
    /// claim. `SNOWID_REDIS_ALLOW_VOLATILE=1`.
    pub allow_volatile: bool,
}

impl LeaseSpec {
    /// `endpoints` with the default prefix, TTL and margin.
    pub fn new(endpoints: Vec<String>) -> Self {
        LeaseSpec {
            endpoints,
            prefix: DEFAULT_PREFIX.to_owned(),
            ttl_ms: DEFAULT_TTL_MS,
            margin_ms: None,
            request_timeout_ms: None,
            allow_volatile: false,
        }
    }

    /// The margin in force.
    pub fn margin(&self) -> u64 {
        self.margin_ms.unwrap_or(self.ttl_ms / 3)
    }

    /// How often the keeper renews: a quarter of the trusted part of the
    /// TTL, so three renewals in a row can fail before the generator stops.
    pub fn renew_interval_ms(&self) -> u64 {
        (self.ttl_ms.saturating_sub(self.margin()) / 4).max(10)
    }

    fn request_timeout(&self) -> Duration {
        Duration::from_millis(
            self.request_timeout_ms
                .unwrap_or((self.ttl_ms / 5).min(2000))
                .max(50),
        )
    }

    /// Checks the values; `setting` names the variable the endpoints came from.
    pub fn validate(&self, setting: &str) -> Result<()> {
        let bad = |setting: &str, value: String, expected: &str| Error::InvalidSetting {
            setting: setting.into(),
            value,
            expected: expected.into(),
        };
        if self.endpoints.is_empty() {
            return Err(bad(setting, String::new(), "at least one endpoint"));
        }
        if self.prefix.trim_matches('/').is_empty() || self.prefix.contains(char::is_whitespace) {
            return Err(bad(
                "lease prefix",
                self.prefix.clone(),
                "a non-empty key prefix without spaces",
            ));
        }
        if self.ttl_ms < 1000 {
            return Err(bad(
                "SNOWID_LEASE_TTL_MS",
                self.ttl_ms.to_string(),
                "at least 1000",
            ));
        }
        if self.margin() >= self.ttl_ms.saturating_sub(4 * 10) {
            return Err(bad(
                "lease margin_ms",
                self.margin().to_string(),
                "less than the TTL",
            ));
        }
        Ok(())
    }
}

/// Which coordination service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// etcd v3 (feature `etcd`).
    #[cfg(feature = "etcd")]
    Etcd,
    /// Redis (feature `redis`).
    #[cfg(feature = "redis")]
    Redis,
}

impl Service {
    /// `"etcd"` or `"redis"`.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "etcd")]
            Service::Etcd => "etcd",
            #[cfg(feature = "redis")]
            Service::Redis => "redis",
        }
    }
}

/// Result of one renewal.
pub(crate) enum Renewal {
    /// Renewed; the server's TTL for it, in ms.
    Renewed(u64),
    /// The lease or key is gone for good (why).
    Gone(String),
}

/// Result of one mark write.
pub(crate) enum MarkWrite {
    /// The mark now holds (at least) this tick.
    Written(u64),
    /// Our worker key is gone or someone else's (why).
    Gone(String),
}

/// One holder's connection to the service (implemented per service).
pub(crate) trait Backend: Send + Sync + 'static {
    /// Sends one renewal and waits (bounded) for the answer; `Err` for a
    /// transient failure (retried).
    fn renew(&self) -> std::result::Result<Renewal, String>;
    /// Sets the mark to `tick` if that raises it (`lower`: also if it lowers
    /// it), only while our worker key is ours.
    fn write_mark(&self, tick: u64, lower: bool) -> std::result::Result<MarkWrite, String>;
    /// Gives the worker number back (etcd: revoke; Redis: delete if ours).
    fn release(&self);
}

/// What a claim returns.
pub(crate) struct Claimed {
    pub backend: Arc<dyn Backend>,
    /// The worker number (slot index).
    pub worker: u64,
    /// The worker key.
    pub key: String,
    /// The fencing token, for messages (etcd create revision / Redis token).
    pub token: String,
    /// The mark found after claiming.
    pub mark: Option<u64>,
    /// Server TTL granted, in ms.
    pub granted_ttl_ms: u64,
    /// When the claim (the first renewal) was sent, on the boot clock.
    pub sent_ms: u64,
}

/// Trust state shared between the keeper thread, the reserve and handles.
struct Fence {
    service: &'static str,
    endpoint: String,
    worker: u64,
    key: String,
    token: String,
    ttl_ms: u64,
    margin_ms: u64,
    interval_ms: u64,
    trusted_until: AtomicU64,
    last_sent: AtomicU64,
    renewals: AtomicU64,
    failed_renewals: AtomicU64,
    paused: AtomicBool,
    kick: AtomicBool,
    /// The clock of every deadline above.
    boot: boot::BootClock,
    gone: Mutex<Option<String>>,
    stop: Mutex<bool>,
    wake: Condvar,
}

impl Fence {
    fn renewed(&self, sent_ms: u64, server_ttl_ms: u64) {
        let ttl = server_ttl_ms.min(self.ttl_ms);
        self.trusted_until
            .fetch_max((sent_ms + ttl).saturating_sub(self.margin_ms), AcqRel);
        self.last_sent.fetch_max(sent_ms, AcqRel);
    }

    fn lose(&self, reason: String) {
        let mut g = self.gone.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(reason);
        }
        self.trusted_until.store(0, Release);
    }

    fn taken(&self) -> Option<Error> {
        let g = self.gone.lock().unwrap_or_else(|p| p.into_inner());
        g.as_ref().map(|reason| Error::LeaseTaken {
            worker: self.worker,
            key: self.key.clone(),
            reason: reason.clone(),
        })
    }
}

/// A view of a generator's lease, for monitoring and tests. Cheap to clone;
/// stays valid after the generator is dropped.
#[derive(Clone)]
pub struct LeaseHandle {
    fence: Arc<Fence>,
}

impl std::fmt::Debug for LeaseHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseHandle")
            .field("worker", &self.worker())
            .field("key", &self.key())
            .field("token", &self.token())
            .field("trusted_until_ms", &self.trusted_until_ms())
            .field("renewals", &self.renewals())
            .finish()
    }
}

impl LeaseHandle {
    /// The worker number (slot index over the node fields).
    pub fn worker(&self) -> u64 {
        self.fence.worker
    }
    /// The worker key.
    pub fn key(&self) -> &str {
        &self.fence.key
    }
    /// The fencing token (etcd: the key's create revision; Redis: the
    /// random value of the key).
    pub fn token(&self) -> &str {
        &self.fence.token
    }
    /// The TTL in force, in ms.
    pub fn ttl_ms(&self) -> u64 {
        self.fence.ttl_ms
    }
    /// The safety margin, in ms.
    pub fn margin_ms(&self) -> u64 {
        self.fence.margin_ms
    }
    /// How often renewals are sent, in ms.
    pub fn renew_interval_ms(&self) -> u64 {
        self.fence.interval_ms
    }
    /// Until when the lease is trusted, on the boot clock (the generator
    /// clock's ms, plus any time the machine was suspended since the process
    /// started); 0 once it is gone for good.
    pub fn trusted_until_ms(&self) -> u64 {
        self.fence.trusted_until.load(Acquire)
    }
    /// When the last successful renewal (or the claim) was sent, on the boot
    /// clock (see [`LeaseHandle::trusted_until_ms`]).
    pub fn last_renewal_sent_ms(&self) -> u64 {
        self.fence.last_sent.load(Acquire)
    }
    /// Successful renewals so far.
    pub fn renewals(&self) -> u64 {
        self.fence.renewals.load(Relaxed)
    }
    /// Renewals that failed (and were retried).
    pub fn failed_renewals(&self) -> u64 {
        self.fence.failed_renewals.load(Relaxed)
    }
    /// Why the lease is gone for good, if it is.
    pub fn gone_reason(&self) -> Option<String> {
        self.fence
            .gone
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
    /// Stops sending renewals, as if this holder were cut off from the
    /// service, so tests and failure drills can watch it stop issuing before
    /// its lease expires. Not for production use: the generator will fail
    /// with `LEASE_LOST` and, once the lease expires, `LEASE_TAKEN`.
    pub fn pause_renewals(&self) {
        self.fence.paused.store(true, SeqCst);
    }
    /// Pretends this holder was suspended for `ms` (a laptop asleep, a paused
    /// VM): the lease's boot clock jumps by `ms` while the generator's
    /// monotonic clock does not, so a drill can watch a resumed holder stop
    /// issuing once its lease would have expired on the service. Combine with
    /// [`LeaseHandle::pause_renewals`] (a suspended process sends nothing).
    /// Not for production use.
    pub fn simulate_suspend(&self, ms: u64) {
        self.fence.boot.sleep(ms);
    }
    /// Undoes [`LeaseHandle::pause_renewals`] (a renewal is sent at once).
    pub fn resume_renewals(&self) {
        self.fence.paused.store(false, SeqCst);
        self.fence.kick.store(true, SeqCst);
        let _stop = self.fence.stop.lock().unwrap_or_else(|p| p.into_inner());
        self.fence.wake.notify_all();
    }
}

/// The generator's [`Reserve`]: fences limits by the lease deadline and
/// raises the mark in the service.
struct LeaseReserve {
    fence: Arc<Fence>,
    backend: Arc<dyn Backend>,
    window_ticks: u64,
    tick_ms: u64,
    written: Mutex<Option<u64>>,
}

impl LeaseReserve {
    fn lost(&self, deadline_ms: u64, now_ms: u64) -> Error {
        self.fence.taken().unwrap_or(Error::LeaseLost {
            worker: self.fence.worker,
            deadline_ms,
            now_ms,
        })
    }
}

impl Reserve for LeaseReserve {
    fn reserve(&self, tick: u64) -> Result<u64> {
        if let Some(e) = self.fence.taken() {
            return Err(e);
        }
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let now = self.fence.boot.now_ms();
        let deadline = self.fence.trusted_until.load(Acquire);
        // Whole ticks left before the deadline (boot clock), counted from
        // `tick` (the generator's own clock, so a manual clock is fenced the
        // same way).
        let left = deadline.saturating_sub(now) / self.tick_ms;
        if left == 0 {
            return Err(self.lost(deadline, now));
        }
        let cap = tick + left - 1;
        if written.is_none_or(|w| w < tick) {
            let target = tick.saturating_add(self.window_ticks);
            match self.backend.write_mark(target, false) {
                Ok(MarkWrite::Written(m)) => *written = Some(m.max(target)),
                Ok(MarkWrite::Gone(reason)) => {
                    self.fence.lose(reason);
                    return Err(self.lost(deadline, now));
                }
                Err(reason) => {
                    return Err(Error::CoordinationUnavailable {
                        service: self.fence.service.into(),
                        endpoint: self.fence.endpoint.clone(),
                        reason: format!("raising the high-water mark failed: {reason}"),
                    })
                }
            }
        }
        let w = written.expect("written above");
        Ok(w.min(cap).max(tick))
    }

    fn ttl_left_ms(&self) -> Option<u64> {
        let deadline = self.fence.trusted_until.load(Acquire);
        Some(deadline.saturating_sub(self.fence.boot.now_ms()))
    }

    fn release(&self, last_tick: Option<u64>) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if self.fence.taken().is_some() {
            return;
        }
        if let (Some(last), Some(w)) = (last_tick, *written) {
            if last < w {
                // Whatever the answer, the store's mark may now be `last`:
                // after `shutdown()` the generator stays usable, and its next
                // tick must raise the mark again before it is issued (found
                // by the protocol model, `faults/model`).
                *written = Some(last);
                let _ = self.backend.write_mark(last, true);
            }
        }
    }
}

/// Kept alive by the generator: stops the keeper and gives the number back
/// when dropped.
struct LeaseGuard {
    fence: Arc<Fence>,
    backend: Arc<dyn Backend>,
    keeper: Option<JoinHandle<()>>,
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        {
            let mut stop = self.fence.stop.lock().unwrap_or_else(|p| p.into_inner());
            *stop = true;
            self.fence.wake.notify_all();
        }
        if let Some(k) = self.keeper.take() {
            let _ = k.join();
        }
        if self.fence.taken().is_none() {
            self.backend.release();
        }
    }
}

fn keep(fence: Arc<Fence>, backend: Arc<dyn Backend>) {
    // Scheduled on the boot clock: a holder resumed from a suspend is
    // overdue and renews as soon as its wait (monotonic) ends.
    let interval = fence.interval_ms;
    let mut next = fence.boot.now_ms() + interval;
    loop {
        {
            let mut stop = fence.stop.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if *stop {
                    return;
                }
                let now = fence.boot.now_ms();
                if now >= next || fence.kick.swap(false, SeqCst) {
                    break;
                }
                stop = fence
                    .wake
                    .wait_timeout(stop, Duration::from_millis(next - now))
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
        next = fence.boot.now_ms() + interval;
        if fence.paused.load(SeqCst) {
            continue;
        }
        let sent = fence.boot.now_ms();
        match backend.renew() {
            Ok(Renewal::Renewed(ttl)) => {
                fence.renewed(sent, ttl);
                fence.renewals.fetch_add(1, Relaxed);
            }
            Ok(Renewal::Gone(reason)) => {
                fence.lose(reason);
                return;
            }
            Err(_) => {
                fence.failed_renewals.fetch_add(1, Relaxed);
                // Retry sooner than the regular interval.
                next = fence.boot.now_ms() + interval / 2;
            }
        }
    }
}

/// A node number leased for `layout`: what a generator is built with
/// ([`crate::node::build_leased`]).
pub(crate) struct Acquired {
    /// The node values of the leased number.
    pub nodes: Vec<u64>,
    /// The mark found next to the lease: nothing at or below it is issued.
    pub mark: Option<u64>,
    /// The fenced mark, the generator's [`Reserve`].
    pub reserve: Box<dyn Reserve>,
    /// Renews the lease while held; dropped, it releases the number.
    pub guard: Box<dyn std::any::Any + Send + Sync>,
    /// The generator's `source()`.
    pub description: String,
    /// For monitoring.
    pub handle: LeaseHandle,
}

/// Leases a node number for `layout` from `service` and starts renewing
/// it; the mark window is `window_ms`.
pub(crate) fn acquire(
    service: Service,
    spec: &LeaseSpec,
    layout: &Layout,
    window_ms: u64,
) -> Result<Acquired> {
    spec.validate(match service {
        #[cfg(feature = "etcd")]
        Service::Etcd => "SNOWID_ETCD_ENDPOINTS",
        #[cfg(feature = "redis")]
        Service::Redis => "SNOWID_REDIS_URL",
    })?;
    let base = format!("/{}/{}", spec.prefix.trim_matches('/'), layout.id_space());
    let slots = layout.capacity().nodes;
    let claimed: Claimed = match service {
        #[cfg(feature = "etcd")]
        Service::Etcd => etcd::claim(spec, &base, slots)?,
        #[cfg(feature = "redis")]
        Service::Redis => redis::claim(spec, &base, slots)?,
    };
    let margin = spec.margin();
    let fence = Arc::new(Fence {
        service: service.name(),
        endpoint: spec.endpoints.join(","),
        worker: claimed.worker,
        key: claimed.key.clone(),
        token: claimed.token.clone(),
        ttl_ms: spec.ttl_ms,
        margin_ms: margin,
        interval_ms: spec.renew_interval_ms(),
        trusted_until: AtomicU64::new(0),
        last_sent: AtomicU64::new(0),
        renewals: AtomicU64::new(0),
        failed_renewals: AtomicU64::new(0),
        paused: AtomicBool::new(false),
        kick: AtomicBool::new(false),
        boot: boot::BootClock::default(),
        gone: Mutex::new(None),
        stop: Mutex::new(false),
        wake: Condvar::new(),
    });
    fence.renewed(claimed.sent_ms, claimed.granted_ttl_ms);
    let keeper = {
        let (f, b) = (fence.clone(), claimed.backend.clone());
        std::thread::Builder::new()
            .name(format!("snowid-lease-{}", claimed.worker))
            .spawn(move || keep(f, b))
    };
    let guard = LeaseGuard {
        fence: fence.clone(),
        backend: claimed.backend.clone(),
        keeper: None,
    };
    let mut guard = guard;
    guard.keeper = Some(keeper.map_err(|e| Error::CoordinationUnavailable {
        service: service.name().into(),
        endpoint: spec.endpoints.join(","),
        reason: format!("cannot start the renewal thread: {e}"),
    })?);
    // From here on, an error drops the guard, which releases the number.
    let reserve = LeaseReserve {
        fence: fence.clone(),
        backend: claimed.backend.clone(),
        window_ticks: window_ms.div_ceil(layout.tick_ms()).max(1),
        tick_ms: layout.tick_ms(),
        written: Mutex::new(claimed.mark),
    };
    let description = format!(
        "{} worker {} ({}, token {})",
        service.name(),
        claimed.worker,
        claimed.key,
        claimed.token
    );
    Ok(Acquired {
        nodes: layout.slot_nodes(claimed.worker),
        mark: claimed.mark,
        reserve: Box::new(reserve),
        guard: Box::new(guard),
        description,
        handle: LeaseHandle { fence },
    })
}

/// Now on the boot clock of lease deadlines ([`boot`]).
pub(crate) fn now_ms() -> u64 {
    boot::now_ms()
}

/// `host pid` of this process, for the value of a worker key.
pub(crate) fn holder_description() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .unwrap_or_default();
    format!("host={} pid={}", host.trim(), std::process::id())
}
