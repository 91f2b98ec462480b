//! `WideLayout`, `WideGenerator`, `encodeWide` and `parseWide`: layouts up
//! to 128 bits (IDs are `bigint`s) and the JS-safe preset, whose IDs may
//! also be plain `number`s (`nextNumber()`). Every decision is the core's
//! (`snowid::wide`).

use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::options::GeneratorOptions;
use snowid::wide::{self, WideLayout as CoreLayout};
use snowid::{Encoding, Value};

use crate::error::{core, OrThrow};
use crate::generator::{options_of, stats_to_js};
use crate::js::{self, Dates, Js};

/// A `u128` as a bigint.
pub(crate) fn big128(env: &Env, n: u128) -> Result<sys::napi_value> {
    let words = [n as u64, (n >> 64) as u64];
    let count = if words[1] == 0 { 1 } else { 2 };
    let mut v = ptr::null_mut();
    // SAFETY: `words` holds `count` words; live env.
    js::ok(unsafe { sys::napi_create_bigint_words(env.raw(), 0, count, words.as_ptr(), &mut v) })?;
    Ok(v)
}

/// A wide ID argument: a bigint, a number up to 2^53 or a decimal string.
pub(crate) fn id_arg(env: &Env, v: Unknown) -> Result<u128> {
    let val = js::arg(env, v.raw(), Dates::Object)?;
    if let Value::Str(s) = &val {
        return wide::parse_wide(Encoding::Decimal, s).or_throw(env);
    }
    wide::id_value(&val).or_throw(env)
}

fn encoding_arg(env: &Env, e: Option<Unknown>) -> Result<Encoding> {
    let Some(e) = e else {
        return Ok(Encoding::Decimal);
    };
    match js::value(env, e.raw(), Dates::Object)? {
        None => Ok(Encoding::Decimal),
        Some(v) => v
            .string("encoding", "an encoding name")
            .and_then(Encoding::from_name)
            .or_throw(env),
    }
}

/// Options for a wide layout: a preset name, or an object `{ layout,
/// width?, tickMs?, epoch? }`.
fn layout_options(env: &Env, arg: Option<Unknown>) -> Result<GeneratorOptions> {
    let Some(a) = arg else {
        return Ok(GeneratorOptions::new());
    };
    if js::is_record(env, a.raw())? {
        return Ok(options_of(env, Some(a.raw()))?.unwrap_or_default());
    }
    let mut o = GeneratorOptions::new();
    if let Some(v) = js::value(env, a.raw(), Dates::Object)? {
        o.set("layout", v);
    }
    Ok(o)
}

/// A layout of up to 128 bits: `new WideLayout('wide128')` (64-bit Unix
/// ms | 16 datacenter | 32 worker | 16 sequence), `new
/// WideLayout('jssafe')` (53 bits: every ID <= Number.MAX_SAFE_INTEGER), or
/// `new WideLayout({ layout: 'timestamp:48|region:8|host:24|sequence:16',
/// width: 96, tickMs?, epoch? })`.
#[napi]
pub struct WideLayout {
    pub(crate) inner: CoreLayout,
}

#[napi]
impl WideLayout {
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "layout?: string | WideLayoutOptions"
    )]
    pub fn new(env: Env, layout: Option<Unknown>) -> Result<Self> {
        let o = layout_options(&env, layout)?;
        Ok(WideLayout {
            inner: wide::wide_layout_of(&o).or_throw(&env)?,
        })
    }
    /// The layout's name (`'custom'` for fields).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }
    /// Width of every ID in bits.
    #[napi(getter)]
    pub fn width(&self) -> u32 {
        self.inner.width()
    }
    /// Whether every ID is at most `Number.MAX_SAFE_INTEGER`.
    #[napi(getter)]
    pub fn js_safe(&self) -> bool {
        self.inner.is_js_safe()
    }
    /// Epoch in ms since the Unix epoch.
    #[napi(getter)]
    pub fn epoch_ms(&self) -> f64 {
        self.inner.epoch_ms() as f64
    }
    /// Tick length in ms.
    #[napi(getter)]
    pub fn tick_ms(&self) -> f64 {
        self.inner.tick_ms() as f64
    }
    /// Largest ID, `2n ** BigInt(width) - 1n`.
    #[napi(getter, catch_unwind, ts_return_type = "bigint")]
    pub fn max_id(&self, env: Env) -> Result<Js> {
        Ok(Js(big128(&env, self.inner.max_id())?))
    }
    /// Fields, most significant first.
    #[napi(
        getter,
        catch_unwind,
        ts_return_type = "Array<{ name: string, bits: number, kind: 'timestamp' | 'node' | 'sequence' }>"
    )]
    pub fn fields(&self, env: Env) -> Result<Js> {
        crate::layout::fields_to_js(&env, self.inner.fields(), crate::layout::Shift::Hidden)
    }
    /// The node fields' names.
    #[napi(getter)]
    pub fn node_names(&self) -> Vec<String> {
        self.inner
            .node_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }
    /// Splits an ID into its fields.
    #[napi(
        catch_unwind,
        ts_args_type = "id: bigint | string | number",
        ts_return_type = "{ id: bigint, timestampMs: number, tick: number | bigint, sequence: number, nodes: Record<string, number> }"
    )]
    pub fn decode(&self, env: Env, id: Unknown) -> Result<Js> {
        let id = id_arg(&env, id)?;
        let p = self.inner.decode(id).or_throw(&env)?;
        let o = js::new_object(&env)?;
        js::set(&env, o, "id", big128(&env, id)?)?;
        js::set(&env, o, "timestampMs", js::exact(&env, p.timestamp_ms)?)?;
        js::set(&env, o, "tick", js::exact(&env, p.tick)?)?;
        js::set(&env, o, "sequence", js::exact(&env, p.sequence)?)?;
        let nodes = js::new_object(&env)?;
        for (f, v) in self.inner.node_fields().zip(p.nodes) {
            js::set(&env, nodes, f.name(), js::num(&env, v.into())?)?;
        }
        js::set(&env, o, "nodes", nodes)?;
        Ok(Js(o))
    }
    /// Builds an ID from `{ timestamp, sequence?, <nodeField>... }`
    /// (`timestamp`: a Date or ms).
    #[napi(
        catch_unwind,
        ts_args_type = "parts: { timestamp: Date | number | bigint, sequence?: number, [nodeField: string]: unknown }",
        ts_return_type = "bigint"
    )]
    pub fn compose(&self, env: Env, parts: Unknown) -> Result<Js> {
        if !js::is_record(&env, parts.raw())? {
            let got = js::arg(&env, parts.raw(), Dates::Object)?;
            return Err(core(&env, got.wrong_type("parts", "an object of fields")));
        }
        let mut ts = None;
        let mut seq = None;
        let mut nodes: Vec<(String, Value)> = Vec::new();
        for (k, v) in js::entries(&env, parts.raw())? {
            match k.as_str() {
                "timestamp" => ts = Some(js::arg(&env, v, Dates::Instant)?),
                "sequence" => seq = js::value(&env, v, Dates::Object)?,
                _ => {
                    if let Some(val) = js::value(&env, v, Dates::Object)? {
                        nodes.push((k, val));
                    }
                }
            }
        }
        let ts = ts.unwrap_or_else(|| Value::Other("missing value (undefined)".into()));
        let refs: Vec<(&str, &Value)> = nodes.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let id = self
            .inner
            .compose_values(&ts, seq.as_ref(), &refs)
            .or_throw(&env)?;
        Ok(Js(big128(&env, id)?))
    }
    /// Smallest ID of the tick holding `time` (a Date or ms).
    #[napi(
        catch_unwind,
        ts_args_type = "time: Date | number | bigint",
        ts_return_type = "bigint"
    )]
    pub fn min_id_at(&self, env: Env, time: Unknown) -> Result<Js> {
        let ms = ms_arg(&env, time)?;
        Ok(Js(big128(&env, self.inner.min_id_at(ms).or_throw(&env)?)?))
    }
    /// Largest ID of the tick holding `time` (a Date or ms).
    #[napi(
        catch_unwind,
        ts_args_type = "time: Date | number | bigint",
        ts_return_type = "bigint"
    )]
    pub fn max_id_at(&self, env: Env, time: Unknown) -> Result<Js> {
        let ms = ms_arg(&env, time)?;
        Ok(Js(big128(&env, self.inner.max_id_at(ms).or_throw(&env)?)?))
    }
    /// Capacity: lifespan, end, `issueEndMs` (when a generator's one-word
    /// state runs out), IDs per tick and per second per node, nodes.
    #[napi(
        catch_unwind,
        ts_return_type = "{ lifespanMs: bigint, endMs: bigint, issueEndMs: bigint, idsPerTick: bigint, idsPerSecondPerNode: bigint, nodes: bigint }"
    )]
    pub fn capacity(&self, env: Env) -> Result<Js> {
        let c = self.inner.capacity();
        let o = js::new_object(&env)?;
        for (k, v) in [
            ("lifespanMs", c.lifespan_ms),
            ("endMs", c.end_ms),
            ("issueEndMs", c.issue_end_ms),
            ("idsPerTick", c.ids_per_tick.into()),
            ("idsPerSecondPerNode", c.ids_per_second_per_node.into()),
            ("nodes", c.nodes.into()),
        ] {
            js::set(&env, o, k, big128(&env, v)?)?;
        }
        Ok(Js(o))
    }
    /// Whether two layouts are the same.
    #[napi]
    pub fn equals(&self, other: &WideLayout) -> bool {
        self.inner == other.inner
    }
    /// `wide128(timestamp:64|datacenter:16|worker:32|sequence:16, width=128, ...)`.
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        self.inner.to_string()
    }
}

fn ms_arg(env: &Env, v: Unknown) -> Result<i64> {
    Ok(js::arg(env, v.raw(), Dates::Instant)?
        .int_in("time", i64::MIN.into(), i64::MAX.into())
        .or_throw(env)? as i64)
}

/// A lock-free generator of wide IDs for one node: `new WideGenerator({
/// layout: 'wide128', datacenter: 1, worker: 7 })`. Takes every option of
/// `Generator` (`nodeSource`, `stateDir`, `protect`, `clock`...) plus
/// `width` and `tickMs` for custom fields.
#[napi]
pub struct WideGenerator {
    pub(crate) inner: wide::WideGenerator,
}

#[napi]
impl WideGenerator {
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options?: WideGeneratorOptions"
    )]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        let o = options_of(&env, options.map(|o| o.raw()))?.unwrap_or_default();
        let g = wide::resolve_wide(&o, &snowid::env::Environment::process())
            .and_then(|s| s.build())
            .or_throw(&env)?;
        Ok(WideGenerator { inner: g })
    }
    /// The next ID, as a bigint.
    #[napi(catch_unwind, ts_return_type = "bigint")]
    pub fn next(&self, env: Env) -> Result<Js> {
        Ok(Js(big128(&env, self.inner.next_id().or_throw(&env)?)?))
    }
    /// The next ID as a `number`: only for a JS-safe layout (`'jssafe'`, or
    /// a custom one of at most 53 bits), whose IDs are all at most
    /// `Number.MAX_SAFE_INTEGER`; any other throws `SNOWID_INVALID_SETTING`.
    #[napi(catch_unwind)]
    pub fn next_number(&self, env: Env) -> Result<f64> {
        self.inner.layout().require_js_safe().or_throw(&env)?;
        Ok(self.inner.next_id().or_throw(&env)? as f64)
    }
    /// The next ID as a decimal string (for JSON).
    #[napi(catch_unwind)]
    pub fn next_string(&self, env: Env) -> Result<String> {
        Ok(self.inner.next_id().or_throw(&env)?.to_string())
    }
    /// `n` consecutive IDs as bigints (at most 2^24).
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "Array<bigint>"
    )]
    pub fn next_batch(&self, env: Env, n: Unknown) -> Result<Js> {
        let ids = self.batch(&env, n)?;
        let items: Vec<sys::napi_value> = ids
            .iter()
            .map(|&i| big128(&env, i))
            .collect::<Result<_>>()?;
        Ok(Js(js::new_array(&env, &items)?))
    }
    /// `n` consecutive IDs as numbers (JS-safe layouts only, as
    /// `nextNumber()`), in a `Float64Array`.
    #[napi(
        catch_unwind,
        ts_args_type = "n: number",
        ts_return_type = "Float64Array"
    )]
    pub fn next_batch_numbers(&self, env: Env, n: Unknown) -> Result<Float64Array> {
        self.inner.layout().require_js_safe().or_throw(&env)?;
        let ids = self.batch(&env, n)?;
        Ok(Float64Array::new(ids.iter().map(|&i| i as f64).collect()))
    }
    fn batch(&self, env: &Env, n: Unknown) -> Result<Vec<u128>> {
        let n = js::arg(env, n.raw(), Dates::Object)?;
        let n = snowid::value::batch_len(&n).or_throw(env)?;
        let mut buf = vec![0u128; n];
        let got = self.inner.next_batch(&mut buf).or_throw(env)?;
        buf.truncate(got);
        Ok(buf)
    }
    /// The layout.
    #[napi(getter)]
    pub fn layout(&self) -> WideLayout {
        WideLayout {
            inner: self.inner.layout().clone(),
        }
    }
    /// Where the node numbers came from.
    #[napi(getter)]
    pub fn source(&self) -> String {
        self.inner.source().to_owned()
    }
    /// Node values by field name.
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, number>")]
    pub fn nodes(&self, env: Env) -> Result<Js> {
        let o = js::new_object(&env)?;
        for (name, v) in self
            .inner
            .layout()
            .node_names()
            .iter()
            .zip(self.inner.nodes())
        {
            js::set(&env, o, name, js::num(&env, (*v).into())?)?;
        }
        Ok(Js(o))
    }
    /// Counters, as `Generator#stats()`.
    #[napi(
        catch_unwind,
        ts_return_type = "{ issued: number, overflowWaits: number, clockRegressions: number, largestRegressionMs: number, borrowedTicks: number, skewMs: number, runwayS: number, nodesTotal: number, nodesInUse: number, nodesFree: number, leaseTtlLeftMs: number | null }"
    )]
    pub fn stats(&self, env: Env) -> Result<Js> {
        stats_to_js(&env, &self.inner.stats())
    }
}

/// A wide ID as text: `'decimal'` (default), `'hex'` (32 digits),
/// `'base32'` (26 Crockford digits) or `'base62'` (22 digits); the fixed
/// widths sort like the numbers.
#[napi(
    catch_unwind,
    ts_args_type = "id: bigint | string | number, encoding?: 'decimal' | 'hex' | 'base32' | 'base62'"
)]
pub fn encode_wide(env: Env, id: Unknown, encoding: Option<Unknown>) -> Result<String> {
    let id = id_arg(&env, id)?;
    Ok(wide::encode_wide(encoding_arg(&env, encoding)?, id))
}

/// Parses text made by `encodeWide` back into a bigint.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, encoding?: 'decimal' | 'hex' | 'base32' | 'base62'",
    ts_return_type = "bigint"
)]
pub fn parse_wide(env: Env, text: Unknown, encoding: Option<Unknown>) -> Result<Js> {
    let t = js::arg(&env, text.raw(), Dates::Object)?;
    let e = encoding_arg(&env, encoding)?;
    let id = t
        .string("text", "an encoded ID")
        .and_then(|t| wide::parse_wide(e, t))
        .or_throw(&env)?;
    Ok(Js(big128(&env, id)?))
}
