//! `NativeSegment` (segment mode): dense, strictly increasing IDs per key
//! from ranges of a counter in a store. The Kotlin facade `dev.snowid.Segment`
//! wraps it (`Segment("orders", mapOf("store" to url, "step" to 100))`).

use snowid::segment::{key_from_value, SegmentOptions};
use snowid::value::batch_len;
use snowid::Value;

use crate::values::{OptionEntry, OptionValue};
use crate::Result;

/// Counters of a segment (the core's `SegmentStats`); counts saturate at
/// `Long.MAX_VALUE`.
#[derive(uniffi::Record)]
pub struct SegmentStats {
    /// Ranges taken from the store.
    pub ranges_fetched: i64,
    /// Takes that failed (store unreachable, ...).
    pub fetch_failures: i64,
    /// Latency of the last successful take, in microseconds.
    pub last_fetch_us: i64,
    /// Largest latency of a take, in microseconds.
    pub max_fetch_us: i64,
    /// Sum of take latencies, in microseconds (divide by `rangesFetched`).
    pub total_fetch_us: i64,
    /// Calls that found both buffers spent and waited for the store.
    pub waits: i64,
    /// The step of the next take.
    pub step: i64,
    /// The range IDs come from now (`[start, end)`; 0..0 before the first ID).
    pub current_start: i64,
    /// End of the current range (exclusive).
    pub current_end: i64,
    /// Whether the next range is already buffered.
    pub buffered: bool,
}

impl From<snowid::segment::SegmentStats> for SegmentStats {
    fn from(s: snowid::segment::SegmentStats) -> Self {
        let l = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        SegmentStats {
            ranges_fetched: l(s.ranges_fetched),
            fetch_failures: l(s.fetch_failures),
            last_fetch_us: l(s.last_fetch_us),
            max_fetch_us: l(s.max_fetch_us),
            total_fetch_us: l(s.total_fetch_us),
            waits: l(s.waits),
            step: l(s.step),
            current_start: l(s.current_start),
            current_end: l(s.current_end),
            buffered: s.buffered,
        }
    }
}

/// Dense, strictly increasing IDs for one key (order numbers, invoice
/// numbers) from ranges of a counter in a store. Use `dev.snowid.Segment`.
#[derive(uniffi::Object)]
pub struct NativeSegment {
    inner: snowid::Segment,
}

#[uniffi::export]
impl NativeSegment {
    /// `key` (the core checks it: 1..128 characters of `A-Z a-z 0-9 _ - .`)
    /// and the segment options by name (`store`, `step`, `min_step`,
    /// `max_step`, `prefetch_at`, `range_ms`; the core validates them).
    #[uniffi::constructor]
    pub fn new(key: OptionValue, options: Vec<OptionEntry>) -> Result<Self> {
        let key = key_from_value(&Value::from(key))?;
        let mut o = SegmentOptions::new();
        for e in options {
            o.set(&e.key, Value::from(e.value));
        }
        Ok(NativeSegment {
            inner: snowid::Segment::new(&key, o.resolve()?)?,
        })
    }

    /// The key.
    pub fn key(&self) -> String {
        self.inner.key().to_owned()
    }

    /// The next ID of the key.
    pub fn next(&self) -> Result<i64> {
        Ok(self.inner.next_id()? as i64)
    }

    /// `n` strictly increasing IDs (at most 2^24).
    pub fn next_batch(&self, n: i64) -> Result<Vec<i64>> {
        let n = batch_len(&Value::from(n))?;
        Ok(self
            .inner
            .next_ids(n)?
            .into_iter()
            .map(|id| id as i64)
            .collect())
    }

    /// The segment's counters.
    pub fn stats(&self) -> SegmentStats {
        self.inner.stats().into()
    }
}
