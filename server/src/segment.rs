//! Segment mode in the service: the segments behind
//! `GET /v1/segments/{key}/next_id` and `/v1/segments/{key}/next_ids?count=N`
//! (routes in `routes.rs`). One core `Segment` per key, made on first use
//! from the store of `--segment-store` (else the core's default:
//! `SNOWID_SEGMENT_STORE`, else the state directory), at most
//! `--segment-max-keys` of them, and their metrics.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use snowid::segment::{validate_key, SegmentOptions, SegmentSettings};
use snowid::{Error, Segment, SegmentStats};

use crate::metrics::{esc, family};

/// The segments of the service, by key.
pub struct Segments {
    settings: SegmentSettings,
    max_keys: usize,
    open: Mutex<HashMap<String, Arc<Served>>>,
}

/// One key's segment and the IDs the service handed out from it.
struct Served {
    segment: Segment,
    issued: AtomicU64,
}

impl Segments {
    /// Resolves the store once at start-up (a bad URL stops the service).
    pub fn new(store: Option<&str>, max_keys: usize) -> Result<Segments, Error> {
        let mut o = SegmentOptions::new();
        if let Some(s) = store {
            o.set("store", s);
        }
        Ok(Segments {
            settings: o.resolve()?,
            max_keys,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn get(&self, key: &str) -> Result<Arc<Served>, Error> {
        validate_key(key)?;
        if let Some(s) = self.open.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            return Ok(s.clone());
        }
        // Opening connects to the store: outside the map's lock.
        let seg = Arc::new(Served {
            segment: Segment::new(key, self.settings.clone())?,
            issued: AtomicU64::new(0),
        });
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = open.get(key) {
            return Ok(s.clone()); // another request opened it meanwhile
        }
        if open.len() >= self.max_keys {
            return Err(Error::InvalidSetting {
                setting: "segment key".into(),
                value: key.to_owned(),
                expected: format!(
                    "one of the {} keys this service already serves (--segment-max-keys)",
                    self.max_keys
                ),
            });
        }
        open.insert(key.to_owned(), seg.clone());
        Ok(seg)
    }

    fn ids_of(&self, key: &str, n: usize) -> Result<Vec<u64>, Error> {
        let served = self.get(key)?;
        let ids = served.segment.next_ids(n)?;
        served.issued.fetch_add(ids.len() as u64, Relaxed);
        Ok(ids)
    }

    /// The per-key counters of [`Segment::stats`] in the Prometheus text
    /// format (at most `--segment-max-keys` keys, in key order).
    pub fn write_metrics(&self, o: &mut String) {
        let mut keys: Vec<(String, Arc<Served>)> = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        family(o, SEGMENT_KEYS, [("", keys.len())]);
        family(o, SEGMENT_MAX_KEYS, [("", self.max_keys)]);
        let rows: Vec<(String, [String; 11])> = keys
            .iter()
            .map(|(k, s)| {
                let key = format!("key=\"{}\"", esc(k));
                (
                    key,
                    segment_values(s.issued.load(Relaxed), &s.segment.stats()),
                )
            })
            .collect();
        for (i, def) in SEGMENT_METRICS.iter().enumerate() {
            family(o, def, rows.iter().map(|(key, v)| (key, &v[i])));
        }
    }
}

const SEGMENT_KEYS: &str =
    "snowid_segment_keys gauge Segment keys open (at most snowid_segment_max_keys).";
const SEGMENT_MAX_KEYS: &str = "snowid_segment_max_keys gauge The --segment-max-keys bound.";

/// The per-key metrics as `"<name> <type> <help>"`, in the order of
/// [`segment_values`].
const SEGMENT_METRICS: [&str; 11] = [
    "snowid_segment_ids_issued_total counter Segment IDs the service handed out, by key.",
    "snowid_segment_ranges_fetched_total counter Ranges taken from the segment store, by key.",
    "snowid_segment_fetch_failures_total counter Takes from the segment store that failed (store unreachable, ...), by key.",
    "snowid_segment_waits_total counter Calls that found both buffers spent and waited for the store, by key.",
    "snowid_segment_fetch_seconds_total counter Time spent taking ranges from the store (divide by ranges fetched), by key.",
    "snowid_segment_fetch_last_seconds gauge Latency of the last successful take from the store, by key.",
    "snowid_segment_fetch_max_seconds gauge Largest latency of a take from the store, by key.",
    "snowid_segment_step gauge The size of the next range taken from the store, by key.",
    "snowid_segment_range_start gauge First ID of the range IDs come from now (0 before the first ID), by key.",
    "snowid_segment_range_end gauge One past the last ID of the current range, by key.",
    "snowid_segment_buffered gauge 1 while the next range is already taken (prefetched), else 0, by key.",
];

/// One key's values for [`SEGMENT_METRICS`], in its order.
fn segment_values(issued: u64, s: &SegmentStats) -> [String; 11] {
    [
        issued.to_string(),
        s.ranges_fetched.to_string(),
        s.fetch_failures.to_string(),
        s.waits.to_string(),
        seconds(s.total_fetch_us),
        seconds(s.last_fetch_us),
        seconds(s.max_fetch_us),
        s.step.to_string(),
        s.current_start.to_string(),
        s.current_end.to_string(),
        u8::from(s.buffered).to_string(),
    ]
}

/// Microseconds as Prometheus seconds.
fn seconds(us: u64) -> String {
    (us as f64 / 1e6).to_string()
}

/// `n` IDs of `key`'s segment (the key opened on first use).
pub async fn take(segments: Arc<Segments>, key: String, n: usize) -> Result<Vec<u64>, Error> {
    // The fast path needs no thread; opening a key or waiting for a range
    // may block on the store, so those run on the blocking pool.
    if n == 1 {
        let seg = segments.open.lock().ok().and_then(|m| m.get(&key).cloned());
        if let Some((s, id)) = seg.and_then(|s| s.segment.try_next_id().map(|id| (s, id))) {
            s.issued.fetch_add(1, Relaxed);
            return Ok(vec![id]);
        }
    }
    match tokio::task::spawn_blocking(move || segments.ids_of(&key, n)).await {
        Ok(r) => r,
        Err(_) => Err(Error::SegmentStoreUnavailable {
            key: String::new(),
            store: String::new(),
            reason: "the request's task failed".into(),
        }),
    }
}
