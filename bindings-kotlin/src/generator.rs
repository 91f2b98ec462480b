//! Generator objects. The per-ID path of `dev.snowid.Generator` is JNI
//! ([`crate::fast`]) on a raw reference from [`NativeGenerator::lean_handle`];
//! this object is the rest (built from options, stats, layout, source).

use std::sync::Arc;

use snowid::env::Environment;
use snowid::options::{self, Settings};
use snowid::value::batch_len;
use snowid::Value;

use crate::layout::{Layout, NodeValue};
use crate::values::{self, OptionEntry};
use crate::Result;

/// Counters of a generator.
#[derive(uniffi::Record)]
pub struct Stats {
    /// IDs issued.
    pub issued: i64,
    /// Times a tick's sequence was used up and the generator waited.
    pub overflow_waits: i64,
    /// Calls that found the clock behind the last issued tick.
    pub clock_regressions: i64,
    /// Largest such regression, in ms.
    pub largest_regression_ms: i64,
    /// Ticks issued ahead of the clock (borrowing).
    pub borrowed_ticks: i64,
    /// The clock's skew when `stats()` was called: wall clock minus the time
    /// the generator follows, in ms (positive: the wall clock is ahead; 0 on
    /// a ManualClock). Alert when `abs(skewMs) > 100`: NTP moved the wall
    /// clock away from the generator's timeline; IDs stay unique and
    /// ordered, but their timestamps drift from wall time.
    pub skew_ms: i64,
    /// Seconds from the generator's clock to the layout's last timestamp
    /// (0 once there: every call then fails). Alert a year ahead.
    pub runway_s: i64,
    /// Node identities in the layout's ID space.
    pub nodes_total: i64,
    /// Node numbers this generator holds (one per lane).
    pub nodes_in_use: i64,
    /// `nodesTotal - nodesInUse`; across a fleet, alert on
    /// `nodesTotal - sum(nodesInUse)`.
    pub nodes_free: i64,
    /// Milliseconds before the node-number lease's deadline (the lowest of
    /// the lanes); null when the node numbers are not leased.
    pub lease_ttl_left_ms: Option<i64>,
}

impl From<snowid::Stats> for Stats {
    fn from(s: snowid::Stats) -> Self {
        let l = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Stats {
            issued: l(s.issued),
            overflow_waits: l(s.overflow_waits),
            clock_regressions: l(s.clock_regressions),
            largest_regression_ms: l(s.largest_regression_ms),
            borrowed_ticks: l(s.borrowed_ticks),
            skew_ms: s.skew_ms,
            runway_s: l(s.runway_s),
            nodes_total: l(s.nodes_total),
            nodes_in_use: l(s.nodes_in_use),
            nodes_free: l(s.nodes_free),
            lease_ttl_left_ms: s.lease_ttl_left_ms.map(l),
        }
    }
}

/// The native half of `dev.snowid.Generator` (use that class: its `next()`
/// takes the JNI fast path). One node's lock-free generator.
#[derive(uniffi::Object)]
pub struct NativeGenerator {
    inner: Arc<snowid::Generator>,
    settings: String,
}

impl NativeGenerator {
    fn build(settings: Settings) -> Result<Arc<Self>> {
        Ok(Arc::new(NativeGenerator {
            inner: Arc::new(settings.build()?),
            settings: settings.summary_json(),
        }))
    }

    fn layout_of(&self) -> Layout {
        Layout {
            inner: self.inner.layout().clone(),
        }
    }
}

/// `n` IDs of `g` as `Long`s (checked before anything is allocated).
pub(crate) fn batch(g: &snowid::Generator, n: i64) -> Result<Vec<i64>> {
    let n = batch_len(&Value::from(n))?;
    let mut ids = vec![0u64; n];
    let filled = if n == 0 { 0 } else { g.next_batch(&mut ids)? };
    Ok(ids[..filled].iter().map(|&id| id as i64).collect())
}

#[uniffi::export]
impl NativeGenerator {
    /// A generator from options (`worker`, `layout`, `clock`, `maxWaitMs`...,
    /// snake_case or lowerCamelCase), resolved by the core's one builder.
    #[uniffi::constructor]
    pub fn new(options: Vec<OptionEntry>) -> Result<Arc<Self>> {
        Self::build(values::options(options).resolve()?)
    }

    /// A generator configured like the default one: `SNOWID_*`, else a
    /// machine-local slot.
    #[uniffi::constructor]
    pub fn from_env() -> Result<Arc<Self>> {
        Self::build(options::resolve_default(None, &Environment::process())?)
    }

    /// The next ID (the generated, slow path; `Generator.next()` is fast).
    pub fn next(&self) -> Result<i64> {
        Ok(self.inner.next_id()? as i64)
    }

    /// `n` consecutive IDs (shorter only if an error stopped it after some
    /// were issued; the next call reports it).
    pub fn next_batch(&self, n: i64) -> Result<Vec<i64>> {
        batch(&self.inner, n)
    }

    /// Whether the generator can issue now, without issuing: fails with the
    /// error the next ID would fail with (`BehindHighWater`, `LeaseLost`,
    /// `ClockMovedBackwards`...). Takes no ID and moves no counter; like the
    /// next ID, it may first extend the reservation (one mark write or lease
    /// check per window).
    pub fn ready(&self) -> Result<()> {
        Ok(self.inner.ready()?)
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.inner.stats().into()
    }

    /// The layout.
    pub fn layout(&self) -> Arc<Layout> {
        Layout::wrap(self.inner.layout().clone())
    }

    /// Node values in layout order (lane 0's; see `lane_nodes`).
    pub fn nodes(&self) -> Vec<NodeValue> {
        self.layout_of().node_values(self.inner.nodes())
    }

    /// Every lane's node values in layout order, lane 0 first (one entry
    /// without `lanes`).
    pub fn lane_nodes(&self) -> Vec<Vec<NodeValue>> {
        let layout = self.layout_of();
        self.inner
            .lane_nodes()
            .iter()
            .map(|nodes| layout.node_values(nodes))
            .collect()
    }

    /// Where the node numbers came from (`explicit`, `local slot 3 in ...`).
    pub fn source(&self) -> String {
        self.inner.source().to_owned()
    }

    /// The resolved settings as canonical JSON.
    pub fn settings_json(&self) -> String {
        self.settings.clone()
    }

    /// Lowers the high-water mark to the last tick issued (as closing does);
    /// the generator stays usable.
    pub fn shutdown(&self) {
        self.inner.shutdown();
    }

    /// A strong reference to the core generator for the JNI fast path; the
    /// caller gives it back with `NativeFast.release` exactly once.
    pub fn lean_handle(&self) -> i64 {
        Arc::into_raw(self.inner.clone()) as i64
    }
}
