//! `NativeRemoteGenerator`: IDs fetched in batches from a `snowid serve`.
//! The Kotlin facade `dev.snowid.RemoteGenerator` wraps it
//! (`RemoteGenerator(url, mapOf("token" to t))`).

use snowid::remote::RemoteOptions;
use snowid::value::batch_len;
use snowid::Value;

use crate::values::{OptionEntry, OptionValue};
use crate::Result;

/// Counters of a remote generator (the core's `RemoteStats`); counts
/// saturate at `Long.MAX_VALUE`.
#[derive(uniffi::Record)]
pub struct RemoteStats {
    /// Batches fetched and read whole.
    pub batches_fetched: i64,
    /// Requests that gave no batch.
    pub fetch_failures: i64,
    /// Calls that found the buffer empty and waited.
    pub waits: i64,
    /// Latency of the last successful request, in microseconds.
    pub last_fetch_us: i64,
    /// Largest latency of a successful request, in microseconds.
    pub max_fetch_us: i64,
    /// Sum of the latencies of successful requests, in microseconds.
    pub total_fetch_us: i64,
    /// Whether the next batch is already fetched.
    pub buffered: bool,
}

impl From<snowid::RemoteStats> for RemoteStats {
    fn from(s: snowid::RemoteStats) -> Self {
        let l = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        RemoteStats {
            batches_fetched: l(s.batches_fetched),
            fetch_failures: l(s.fetch_failures),
            waits: l(s.waits),
            last_fetch_us: l(s.last_fetch_us),
            max_fetch_us: l(s.max_fetch_us),
            total_fetch_us: l(s.total_fetch_us),
            buffered: s.buffered,
        }
    }
}

/// IDs from a `snowid serve`, fetched in batches in the background and
/// handed out from a local buffer. Use `dev.snowid.RemoteGenerator`.
#[derive(uniffi::Object)]
pub struct NativeRemoteGenerator {
    inner: snowid::RemoteGenerator,
}

#[uniffi::export]
impl NativeRemoteGenerator {
    /// `url` and the remote options by name (`token`, `key`, `batch`,
    /// `prefetch_at`, `timeout_ms`; the core validates them).
    #[uniffi::constructor]
    pub fn new(url: OptionValue, options: Vec<OptionEntry>) -> Result<Self> {
        let mut o = RemoteOptions::new();
        o.set("url", Value::from(url));
        for e in options {
            o.set(&e.key, Value::from(e.value));
        }
        Ok(NativeRemoteGenerator { inner: o.build()? })
    }

    /// The service's URL, normalised (never the token).
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The next ID (waits at most `timeout_ms` when the buffer is empty).
    /// Snowflake IDs of the default layouts fit a `Long`; the bits of a
    /// 64-bit layout read as a signed `Long`.
    pub fn next(&self) -> Result<i64> {
        Ok(self.inner.next_id()? as i64)
    }

    /// `n` IDs (at most 2^24), increasing as the service issued them.
    pub fn next_batch(&self, n: i64) -> Result<Vec<i64>> {
        let n = batch_len(&Value::from(n))?;
        Ok(self
            .inner
            .next_ids(n)?
            .into_iter()
            .map(|id| id as i64)
            .collect())
    }

    /// Waits at most `timeout_ms` until the buffer holds IDs; takes none.
    pub fn ready(&self) -> Result<()> {
        Ok(self.inner.ready()?)
    }

    /// The counters of this process's copy.
    pub fn stats(&self) -> RemoteStats {
        self.inner.stats().into()
    }
}
