//! `RemoteGenerator`: IDs fetched in batches from `snowid serve`.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use snowid::remote::RemoteOptions;
use snowid::Value;

use crate::error::{core, OrThrow};
use crate::generator::{self, DecimalId, Issue};
use crate::js::{self, Dates, Js};

/// IDs from a `snowid serve` (`url`: `http://` or `https://`), fetched in
/// batches by a background thread and handed out from a local buffer (no
/// lock, no I/O per ID): the answer to `NODE_SOURCE_REQUIRED` for processes
/// with no node identity (Lambda, Cloud Run, a Deployment). With `key`, the
/// dense IDs of that segment key.
///
/// `next()` is synchronous: it returns from the buffer, and only when the
/// buffer is empty (the first call, or a caller faster than the prefetch)
/// blocks the thread at most `timeoutMs`, then throws `SNOWID_REMOTE_TIMEOUT`,
/// `SNOWID_REMOTE_UNAVAILABLE` or `SNOWID_UNAUTHORIZED`. `await gen.ready()`
/// waits for the buffer off the event loop, so the next `next()` never blocks
/// it.
#[napi]
pub struct RemoteGenerator {
    inner: Arc<snowid::RemoteGenerator>,
}

impl Issue for snowid::RemoteGenerator {
    #[inline(always)]
    fn one(&self) -> snowid::Result<u64> {
        self.next_id()
    }
    fn fill_prefix(&self, buf: &mut [u64]) -> snowid::Result<usize> {
        self.fill(buf).map(|()| buf.len())
    }
}

// `next()` and `nextString()` on the prototype are raw callbacks at run time.
impl crate::raw::FastIssue for RemoteGenerator {
    const EXPECTED: &'static str = "a RemoteGenerator";
    type Core = snowid::RemoteGenerator;
    #[inline(always)]
    fn issuer(&self) -> &snowid::RemoteGenerator {
        &self.inner
    }
}

/// `ready()`'s work on the libuv pool. It resolves with `null`, or with the
/// coded error object (index.js's `ready()` throws it): a task that rejects
/// from `resolve` would leave the error pending instead of rejecting.
pub struct Ready(Arc<snowid::RemoteGenerator>);

impl Task for Ready {
    type Output = std::result::Result<(), snowid::Error>;
    type JsValue = Js;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.0.ready())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Js> {
        let Err(e) = output else {
            return Ok(Js(js::null(&env)?));
        };
        // The one error module makes the error (and throws it): take it back.
        let _ = core(&env, e);
        let mut err = std::ptr::null_mut();
        // SAFETY: live env of this callback; `err` is a local out-pointer.
        js::ok(unsafe { napi::sys::napi_get_and_clear_last_exception(env.raw(), &mut err) })?;
        Ok(Js(err))
    }
}

#[napi]
impl RemoteGenerator {
    /// `new RemoteGenerator({ url, token, ... })`, the options typed below;
    /// they go to the core's remote options as written (rules in
    /// `testdata/OPTIONS.md`). The first batch is requested at once.
    #[napi(constructor, catch_unwind, ts_args_type = "options: RemoteOptions")]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let v = options.raw();
        if !js::is_record(&env, v)? {
            let got: Value = js::arg(&env, v, Dates::Object)?;
            return Err(core(
                &env,
                got.wrong_type("options", "an object of options with a url"),
            ));
        }
        let mut o = RemoteOptions::new();
        for (k, val) in js::entries(&env, v)? {
            if let Some(val) = js::value(&env, val, Dates::Object)? {
                o.set(&k, val);
            }
        }
        Ok(RemoteGenerator {
            inner: Arc::new(o.build().or_throw(&env)?),
        })
    }

    /// The service's URL, normalised (never the token).
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The next ID, as a bigint (blocks at most `timeoutMs` when the buffer
    /// is empty).
    #[napi(catch_unwind)]
    pub fn next(&self, env: Env) -> Result<u64> {
        generator::next(&env, &*self.inner)
    }

    /// The next ID, as a decimal string.
    #[napi(catch_unwind, ts_return_type = "string")]
    pub fn next_string(&self, env: Env) -> Result<DecimalId> {
        generator::next_string(&env, &*self.inner)
    }

    /// `n` IDs (at most 2^24), increasing as the service issued them.
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "BigUint64Array"
    )]
    pub fn next_batch(&self, env: Env, n: Unknown) -> Result<Js> {
        generator::batch(&env, &*self.inner, n)
    }

    /// Resolves when the buffer holds IDs (waiting at most `timeoutMs` on
    /// the libuv pool, not the event loop); rejects with the coded error
    /// (index.js wraps the native task, which resolves with it).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn ready(&self) -> AsyncTask<Ready> {
        AsyncTask::new(Ready(self.inner.clone()))
    }

    /// Counters: batches fetched, failed requests, waits for a batch, fetch
    /// latency (µs), whether the next batch is buffered.
    #[napi(
        catch_unwind,
        ts_return_type = "{ batchesFetched: number, fetchFailures: number, waits: number, lastFetchUs: number, maxFetchUs: number, totalFetchUs: number, buffered: boolean }"
    )]
    pub fn stats(&self, env: Env) -> Result<Js> {
        let s = self.inner.stats();
        let o = js::new_object(&env)?;
        let fields = [
            ("batchesFetched", s.batches_fetched),
            ("fetchFailures", s.fetch_failures),
            ("waits", s.waits),
            ("lastFetchUs", s.last_fetch_us),
            ("maxFetchUs", s.max_fetch_us),
            ("totalFetchUs", s.total_fetch_us),
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
