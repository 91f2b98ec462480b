//! `Segment`: dense, strictly increasing IDs per key (segment mode).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use snowid::segment::{key_from_value, SegmentOptions};

use crate::error::OrThrow;
use crate::generator::{self, DecimalId};
use crate::js::{self, Dates, Js};

/// Dense, strictly increasing IDs for one key (order numbers, invoice
/// numbers) from ranges of a counter kept in a store: `file:///dir`
/// (default: `SNOWID_SEGMENT_STORE`, else the machine's
/// `/var/lib/snowid/segments`; none in Kubernetes, Lambda, Cloud Run),
/// `postgres://...` or `redis://...`. One atomic increment per ID; the next
/// range is fetched in the background. Use one per key per process.
#[napi]
pub struct Segment {
    inner: snowid::Segment,
}

// `next()` and `nextString()` are these raw callbacks at run time.
impl crate::raw::FastIssue for Segment {
    const EXPECTED: &'static str = "a Segment";
    type Core = snowid::Segment;
    #[inline(always)]
    fn issuer(&self) -> &snowid::Segment {
        &self.inner
    }
}

#[napi]
impl Segment {
    /// `new Segment(key, options)`, the options typed below: `key` is
    /// 1..128 characters of `A-Z a-z 0-9 _ - .`; the options go to the
    /// core's segment options as written (rules in `testdata/OPTIONS.md`).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "key: string, options?: SegmentOptions"
    )]
    pub fn new(env: Env, key: Unknown, options: Option<Unknown>) -> Result<Self> {
        let key = key_from_value(&js::arg(&env, key.raw(), Dates::Object)?).or_throw(&env)?;
        let mut o = SegmentOptions::new();
        for (k, val) in js::option_pairs(&env, options.map(|o| o.raw()))? {
            o.set(&k, val);
        }
        let settings = o.resolve().or_throw(&env)?;
        Ok(Segment {
            inner: snowid::Segment::new(&key, settings).or_throw(&env)?,
        })
    }

    /// The key.
    #[napi(getter)]
    pub fn key(&self) -> String {
        self.inner.key().to_owned()
    }

    /// The store URL (password hidden).
    #[napi(getter)]
    pub fn store(&self) -> String {
        self.inner.store().to_owned()
    }

    /// The next ID of the key, as a bigint.
    #[napi(catch_unwind)]
    pub fn next(&self, env: Env) -> Result<u64> {
        generator::next(&env, &self.inner)
    }

    /// The next ID, as a decimal string (for JSON and SQL drivers).
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn next_string(&self, env: Env) -> Result<DecimalId> {
        generator::next_string(&env, &self.inner)
    }

    /// `n` strictly increasing IDs (at most 2^24).
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "BigUint64Array"
    )]
    pub fn next_batch(&self, env: Env, n: Unknown) -> Result<Js> {
        generator::batch(&env, &self.inner, n)
    }

    /// Counters: ranges fetched, failed fetches, fetch latency (µs), waits
    /// for a range, the current step and range.
    #[napi(
        catch_unwind,
        ts_return_type = "{ rangesFetched: number, fetchFailures: number, lastFetchUs: number, maxFetchUs: number, totalFetchUs: number, waits: number, step: number, currentStart: number, currentEnd: number, buffered: boolean }"
    )]
    pub fn stats(&self, env: Env) -> Result<Js> {
        let s = self.inner.stats();
        let o = js::new_object(&env)?;
        let fields = [
            ("rangesFetched", s.ranges_fetched),
            ("fetchFailures", s.fetch_failures),
            ("lastFetchUs", s.last_fetch_us),
            ("maxFetchUs", s.max_fetch_us),
            ("totalFetchUs", s.total_fetch_us),
            ("waits", s.waits),
            ("step", s.step),
            ("currentStart", s.current_start),
            ("currentEnd", s.current_end),
        ];
        for (k, v) in fields {
            js::set(&env, o, k, js::num(&env, v as f64)?)?;
        }
        let mut b = std::ptr::null_mut();
        // SAFETY: live env of this call; `b` is a local out-pointer.
        js::ok(unsafe { napi::sys::napi_get_boolean(env.raw(), s.buffered, &mut b) })?;
        js::set(&env, o, "buffered", b)?;
        Ok(Js(o))
    }
}
