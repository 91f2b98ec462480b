//! `Segment` (segment mode): dense, strictly increasing IDs per key from
//! ranges of a counter in a store. Kotlin: `Segment("orders", store)`.

use snowid::segment::{key_from_value, SegmentOptions};
use snowid::value::batch_len;
use snowid::Value;

use crate::Result;

/// Dense, strictly increasing IDs for one key (order numbers, invoice
/// numbers) from ranges of a counter in a store: `file:///dir` (null: the
/// default, `SNOWID_SEGMENT_STORE` or the state directory), `postgres://...`
/// or `redis://...`. IDs are 1..=Long.MAX_VALUE. Thread-safe; use one per
/// key per process.
#[derive(uniffi::Object)]
pub struct Segment {
    inner: snowid::Segment,
}

#[uniffi::export]
impl Segment {
    /// `key`: 1..128 characters of `A-Z a-z 0-9 _ - .`; `store`: a store URL
    /// or null; `step`: IDs per range at first (null: 1000; it adapts).
    #[uniffi::constructor]
    pub fn new(key: String, store: Option<String>, step: Option<i64>) -> Result<Self> {
        let key = key_from_value(&Value::Str(key))?;
        let mut o = SegmentOptions::new();
        if let Some(s) = store {
            o.set("store", s);
        }
        if let Some(s) = step {
            o.set("step", s);
        }
        Ok(Segment {
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
}
