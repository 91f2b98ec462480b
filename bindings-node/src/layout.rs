//! `Layout`: presets, custom layouts, decode, compose, range bounds, capacity.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::{LayoutBuilder, Value};

use crate::error::{core, OrThrow};
use crate::js::{self, Dates, Js};

/// A bit layout: which fields an ID has, how wide each is, the epoch and
/// the tick. Presets: `Layout.twitter()` (the default), `Layout.discord()`,
/// `Layout.instagram()`, `Layout.sonyflake()`, or `Layout.preset(name)`.
#[napi]
#[derive(Clone)]
pub struct Layout {
    pub(crate) inner: snowid::Layout,
}

/// A key of a spec object that is not one of `known`.
fn unknown_key(what: &str, key: &str, value: &Value, known: &str) -> snowid::Error {
    snowid::Error::InvalidSetting {
        setting: format!("{what}.{key}"),
        value: value.describe(),
        expected: format!("only the keys {known}"),
    }
}

/// The values of a spec object's keys, in `known` order (`None`: not given);
/// any other own key is an error.
fn keyed<const N: usize>(
    env: &Env,
    obj: sys::napi_value,
    what: &str,
    known: [&str; N],
) -> Result<[Option<sys::napi_value>; N]> {
    let mut out = [None; N];
    for (k, v) in js::entries(env, obj)? {
        match known.iter().position(|n| *n == k) {
            Some(i) => out[i] = (!js::is_nullish(env, v)?).then_some(v),
            None => {
                let v = js::arg(env, v, Dates::Object)?;
                return Err(core(env, unknown_key(what, &k, &v, &known.join(", "))));
            }
        }
    }
    Ok(out)
}

/// A value the spec must have: `undefined` when missing (a wrong type).
fn given(env: &Env, v: Option<sys::napi_value>, dates: Dates) -> Result<Value> {
    match v {
        Some(v) => js::arg(env, v, dates),
        None => Ok(Value::Other("missing value (undefined)".into())),
    }
}

/// Reads a custom layout specification object with the core's builder.
fn layout_from_spec(env: &Env, spec: sys::napi_value) -> Result<snowid::Layout> {
    const SPEC: &str = "{ name, fields, epoch?, tickMs?, signBit? }";
    if !js::is_record(env, spec)? {
        let v = js::arg(env, spec, Dates::Object)?;
        return Err(core(env, v.wrong_type("spec", SPEC)));
    }
    let [name, fields, epoch, tick, sign] = keyed(
        env,
        spec,
        "spec",
        ["name", "fields", "epoch", "tickMs", "signBit"],
    )?;
    let mut b = LayoutBuilder::new(&given(env, name, Dates::Object)?).or_throw(env)?;
    let fields = match fields {
        Some(f) => f,
        None => {
            let v = given(env, None, Dates::Object)?;
            return Err(core(env, v.wrong_type("spec.fields", "an array of fields")));
        }
    };
    let Some(len) = js::array_len(env, fields)? else {
        let v = js::arg(env, fields, Dates::Object)?;
        return Err(core(env, v.wrong_type("spec.fields", "an array of fields")));
    };
    // The count first: a huge (even a fake, sparse) array is refused
    // before a single element is read.
    b.expect_fields(len.into()).or_throw(env)?;
    for i in 0..len {
        let f = js::element(env, fields, i)?;
        let what = format!("spec.fields[{i}]");
        if !js::is_record(env, f)? {
            let v = js::arg(env, f, Dates::Object)?;
            return Err(core(env, v.wrong_type(&what, "{ name, bits, kind? }")));
        }
        let [name, bits, kind] = keyed(env, f, &what, ["name", "bits", "kind"])?;
        let kind = kind.map(|k| js::arg(env, k, Dates::Object)).transpose()?;
        b.field(
            &given(env, name, Dates::Object)?,
            &given(env, bits, Dates::Object)?,
            kind.as_ref(),
        )
        .or_throw(env)?;
    }
    if let Some(e) = epoch {
        b.epoch(&js::arg(env, e, Dates::Instant)?).or_throw(env)?;
    }
    if let Some(t) = tick {
        b.tick(&js::arg(env, t, Dates::Object)?).or_throw(env)?;
    }
    if let Some(s) = sign {
        b.sign_bit(&js::arg(env, s, Dates::Object)?).or_throw(env)?;
    }
    b.build().or_throw(env)
}

/// A layout argument: a `Layout` (borrowed), the running default
/// generator's, or one made from a preset name.
pub enum LayoutArg<'a> {
    Instance(ClassInstance<'a, Layout>),
    Static(&'static snowid::Layout),
    Owned(snowid::Layout),
}

impl std::ops::Deref for LayoutArg<'_> {
    type Target = snowid::Layout;
    fn deref(&self) -> &snowid::Layout {
        match self {
            LayoutArg::Instance(l) => &l.inner,
            LayoutArg::Static(l) => l,
            LayoutArg::Owned(l) => l,
        }
    }
}

/// A layout from a JS value: a `Layout` instance or a preset name.
pub fn layout_arg<'a>(env: &Env, v: sys::napi_value, name: &str) -> Result<LayoutArg<'a>> {
    // SAFETY: `v` is a live value of the current call. With the napi8
    // feature napi-rs checks the object's type tag before the cast, so
    // anything but a `Layout` (another class, a plain object, a spoofed
    // prototype) is an `Err` here, without a pending exception. This is
    // about 10x cheaper than `Layout::instance_of` (a JS `instanceof`).
    if let Ok(l) = unsafe { ClassInstance::<Layout>::from_napi_value(env.raw(), v) } {
        return Ok(LayoutArg::Instance(l));
    }
    let v = js::arg(env, v, Dates::Object)?;
    Ok(LayoutArg::Owned(
        snowid::Layout::from_value(&v, name).or_throw(env)?,
    ))
}

/// [`layout_arg`], or the default generator's layout when not given
/// (`undefined` or `null`): the core's `default::layout()`, borrowed from
/// the running generator once it exists (no lock, no copy per call).
pub fn layout_or_default<'a>(env: &Env, v: Option<sys::napi_value>) -> Result<LayoutArg<'a>> {
    match v {
        Some(v) if !js::is_nullish(env, v)? => layout_arg(env, v, "layout"),
        _ => Ok(match snowid::default::current() {
            Some(g) => LayoutArg::Static(g.layout()),
            None => LayoutArg::Owned(snowid::default::layout().or_throw(env)?),
        }),
    }
}

/// Builds an ID from a parts object `{ timestamp | timestampMs, sequence?,
/// ...nodeFields }` (and `tick`, as `decode` returns it).
///
/// The instant is `timestamp` (a Date or ms) or `timestampMs`; a decoded
/// object has both and `tick`, so `compose(decode(id))` round-trips. When
/// more than one is given they must agree (the same instant; the tick of
/// that instant): a disagreement is `SNOWID_INVALID_SETTING` naming the key,
/// never a silent choice.
pub fn compose_from_js(env: &Env, l: &snowid::Layout, parts: sys::napi_value) -> Result<u64> {
    if !js::is_record(env, parts)? {
        let v = js::arg(env, parts, Dates::Object)?;
        return Err(core(
            env,
            v.wrong_type("parts", "an object { timestamp, sequence?, ...nodeFields }"),
        ));
    }
    let (mut ts, mut ts_ms, mut tick, mut seq) = (None, None, None, None);
    let mut nodes: Vec<(String, Value)> = Vec::new();
    for (k, v) in js::entries(env, parts)? {
        let dates = if k == "timestamp" {
            Dates::Instant
        } else {
            Dates::Object
        };
        let Some(v) = js::value(env, v, dates)? else {
            continue;
        };
        match k.as_str() {
            "timestamp" => ts = Some(v),
            "timestampMs" => ts_ms = Some(v),
            "tick" => tick = Some(v),
            "sequence" => seq = Some(v),
            _ => nodes.push((k, v)),
        }
    }
    let instant = match (&ts, &ts_ms) {
        (Some(t), Some(m)) => {
            let a = t.instant_ms("timestamp", l).or_throw(env)?;
            if m.instant_ms("timestampMs", l).or_throw(env)? != a {
                return Err(core(
                    env,
                    disagree("timestampMs", m, format!("{a}, the instant of `timestamp`")),
                ));
            }
            t
        }
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => &Value::Other("missing value (undefined)".into()),
    };
    if let Some(t) = &tick {
        let want = l
            .tick_of(instant.instant_ms("timestamp", l).or_throw(env)?)
            .or_throw(env)?;
        if t.integer("tick").or_throw(env)? != Some(want.into()) {
            return Err(core(
                env,
                disagree("tick", t, format!("{want}, the tick of the timestamp")),
            ));
        }
    }
    let nodes: Vec<(&str, &Value)> = nodes.iter().map(|(k, v)| (k.as_str(), v)).collect();
    l.compose_values(instant, seq.as_ref(), &nodes)
        .or_throw(env)
}

fn disagree(key: &str, v: &Value, expected: String) -> snowid::Error {
    snowid::Error::InvalidSetting {
        setting: key.into(),
        value: v.describe(),
        expected,
    }
}

pub fn capacity_to_js(env: &Env, l: &snowid::Layout) -> Result<sys::napi_value> {
    let c = l.capacity();
    let o = js::new_object(env)?;
    js::set(env, o, "lifespanMs", js::big(env, c.lifespan_ms)?)?;
    js::set(env, o, "endMs", js::big(env, c.end_ms)?)?;
    js::set(env, o, "end", js::date_or_null(env, c.end_ms)?)?;
    js::set(env, o, "idsPerTick", js::big(env, c.ids_per_tick)?)?;
    js::set(
        env,
        o,
        "idsPerSecondPerNode",
        js::big(env, c.ids_per_second_per_node)?,
    )?;
    js::set(env, o, "nodes", js::big(env, c.nodes)?)?;
    Ok(o)
}

#[napi]
impl Layout {
    /// A custom layout: `new Layout({ name, fields: [{ name, bits, kind? }],
    /// epoch?, tickMs?, signBit? })`. Fields go from the most significant bit
    /// down; `kind` is `'timestamp' | 'node' | 'sequence'` and defaults from
    /// the name (`timestamp`, `sequence`, anything else is a node field).
    /// `epoch` is a Date or ms (default 0, the Unix epoch); `tickMs` defaults
    /// to 1; `signBit: true` (default) keeps the top bit 0 (63 bits of
    /// fields). Built by the core's `LayoutBuilder`: errors carry its codes
    /// (e.g. `SNOWID_LAYOUT_BITS_SUM`, `SNOWID_FIELD_COUNT`).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "spec: { name: string, fields: Array<{ name: string, bits: number, kind?: 'timestamp' | 'node' | 'sequence' }>, epoch?: Date | number | bigint, tickMs?: number, signBit?: boolean }"
    )]
    pub fn new(env: Env, spec: Unknown) -> Result<Self> {
        Ok(Layout {
            inner: layout_from_spec(&env, spec.raw())?,
        })
    }

    /// A preset by name: `twitter`, `discord`, `instagram` or `sonyflake`
    /// (exact: `Twitter` is unknown). Unknown names throw `SNOWID_UNKNOWN_LAYOUT`.
    #[napi(factory, catch_unwind, ts_args_type = "name: string")]
    pub fn preset(env: Env, name: Unknown) -> Result<Self> {
        let v = js::arg(&env, name.raw(), Dates::Object)?;
        let l = v
            .string("name", "a preset name")
            .and_then(snowid::Layout::preset);
        Ok(Layout {
            inner: l.or_throw(&env)?,
        })
    }

    /// Twitter (the default): sign bit, 41 bits of ms, 5 datacenter,
    /// 5 worker, 12 sequence; epoch 2010-11-04T01:42:54.657Z.
    #[napi(factory, catch_unwind)]
    pub fn twitter() -> Self {
        Layout {
            inner: snowid::Layout::twitter(),
        }
    }

    /// Discord: 42 bits of ms, 5 worker, 5 process, 12 increment; epoch 2015.
    #[napi(factory, catch_unwind)]
    pub fn discord() -> Self {
        Layout {
            inner: snowid::Layout::discord(),
        }
    }

    /// Instagram: 41 bits of ms, 13 shard, 10 sequence; epoch 2011-08-24.
    #[napi(factory, catch_unwind)]
    pub fn instagram() -> Self {
        Layout {
            inner: snowid::Layout::instagram(),
        }
    }

    /// Sonyflake: sign bit, 39 bits of 10 ms ticks, 8 sequence, 16 machine.
    #[napi(factory, catch_unwind)]
    pub fn sonyflake() -> Self {
        Layout {
            inner: snowid::Layout::sonyflake(),
        }
    }

    /// The layout's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
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

    /// Whether the top bit is reserved (always 0).
    #[napi(getter)]
    pub fn sign_bit(&self) -> bool {
        self.inner.sign_bit()
    }

    /// Largest ID the layout can hold.
    #[napi(getter)]
    pub fn max_id(&self) -> u64 {
        self.inner.max_id()
    }

    /// Node field names, most significant first.
    #[napi(getter)]
    pub fn node_names(&self) -> Vec<String> {
        self.inner
            .node_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// All fields, most significant first.
    #[napi(
        getter,
        catch_unwind,
        ts_return_type = "Array<{ name: string, bits: number, kind: 'timestamp' | 'node' | 'sequence', shift: number }>"
    )]
    pub fn fields(&self, env: Env) -> Result<Js> {
        fields_to_js(&env, self.inner.fields(), Shift::Shown)
    }

    /// Splits an ID (bigint, decimal string, or a number up to 2^53) into
    /// `{ timestamp: Date | null, timestampMs, tick, sequence, ...nodeFields }`.
    /// `timestamp` is `null` past the last instant a `Date` holds;
    /// `timestampMs`, `tick` and `sequence` are bigints where a number could
    /// not hold them exactly (custom layouts only).
    #[napi(
        catch_unwind,
        ts_args_type = "id: bigint | string | number",
        ts_return_type = "{ timestamp: Date | null, timestampMs: number | bigint, tick: number | bigint, sequence: number | bigint, [nodeField: string]: number | bigint | Date | null }"
    )]
    // Declares `decode` for index.d.ts; index.js replaces it on the
    // prototype with the builder it shares with `inspect`.
    pub fn decode(&self, env: Env, _id: Unknown) -> Result<Js> {
        Err(crate::error::provided_by_index_js(&env, "Layout#decode()"))
    }

    /// Builds an ID from `{ timestamp: Date | number, sequence?, ...nodeFields }`
    /// (the time is rounded down to its tick). Also takes what `decode`
    /// returns: `timestampMs` and `tick` must then agree with `timestamp`.
    #[napi(
        catch_unwind,
        ts_args_type = "parts: { timestamp?: Date | number | bigint, timestampMs?: number | bigint, tick?: number | bigint, sequence?: number | bigint, [nodeField: string]: unknown }"
    )]
    pub fn compose(&self, env: Env, parts: Unknown) -> Result<u64> {
        compose_from_js(&env, &self.inner, parts.raw())
    }

    /// Smallest ID any node can issue in the tick holding `time`
    /// (`WHERE id >= layout.minIdAt(from)`).
    #[napi(catch_unwind, ts_args_type = "time: Date | number | bigint")]
    pub fn min_id_at(&self, env: Env, time: Unknown) -> Result<u64> {
        let ms = js::instant(&env, time.raw(), "time", &self.inner)?;
        self.inner.min_id_at(ms).or_throw(&env)
    }

    /// Largest ID any node can issue in the tick holding `time`
    /// (`WHERE id <= layout.maxIdAt(to)`).
    #[napi(catch_unwind, ts_args_type = "time: Date | number | bigint")]
    pub fn max_id_at(&self, env: Env, time: Unknown) -> Result<u64> {
        let ms = js::instant(&env, time.raw(), "time", &self.inner)?;
        self.inner.max_id_at(ms).or_throw(&env)
    }

    /// Lifespan, end, IDs per tick and per second per node, number of node
    /// identities (counts as bigint). `end` is `null` when the layout ends
    /// after the last instant a `Date` holds (`endMs` is always exact).
    #[napi(
        catch_unwind,
        ts_return_type = "{ lifespanMs: bigint, endMs: bigint, end: Date | null, idsPerTick: bigint, idsPerSecondPerNode: bigint, nodes: bigint }"
    )]
    pub fn capacity(&self, env: Env) -> Result<Js> {
        Ok(Js(capacity_to_js(&env, &self.inner)?))
    }

    /// Whether two layouts are the same (fields, epoch, tick, sign bit, name).
    /// Anything but a `Layout` throws `SNOWID_WRONG_TYPE`.
    #[napi(catch_unwind, ts_args_type = "other: Layout")]
    pub fn equals(&self, env: Env, other: Unknown) -> Result<bool> {
        // SAFETY: live value; a non-Layout is an `Err` (see `layout_arg`).
        match unsafe { ClassInstance::<Layout>::from_napi_value(env.raw(), other.raw()) } {
            Ok(o) => Ok(self.inner == o.inner),
            Err(_) => {
                let v = js::arg(&env, other.raw(), Dates::Object)?;
                Err(core(&env, v.wrong_type("other", "a Layout")))
            }
        }
    }

    /// `twitter(0|timestamp:41|datacenter:5|worker:5|sequence:12, epoch=1288834974657ms, tick=1ms)`
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// Whether [`fields_to_js`] gives each field's `shift`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    Shown,
    Hidden,
}

/// Fields as `[{ name, bits, kind, shift? }]`, most significant first
/// (`Layout#fields`, `WideLayout#fields`).
pub fn fields_to_js(env: &Env, fields: &[snowid::Field], shift: Shift) -> Result<Js> {
    let items = fields
        .iter()
        .map(|f| {
            let o = js::new_object(env)?;
            js::set(env, o, "name", js::str_value(env, f.name())?)?;
            js::set(env, o, "bits", js::num(env, f.bits().into())?)?;
            js::set(env, o, "kind", js::str_value(env, f.kind().as_str())?)?;
            if shift == Shift::Shown {
                js::set(env, o, "shift", js::num(env, f.shift().into())?)?;
            }
            Ok(o)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Js(js::new_array(env, &items)?))
}
