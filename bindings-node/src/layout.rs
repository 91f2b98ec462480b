//! `Layout`: presets, custom layouts, decode, compose, range bounds, capacity.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::{FieldKind, FieldSpec, LayoutSpec, Parts, MAX_NODE_FIELDS};

use crate::error::{core, type_error, OrThrow};
use crate::js::{self, Js};

/// A bit layout: which fields an ID has, how wide each is, the epoch and
/// the tick. Presets: `Layout.twitter()` (the default), `Layout.discord()`,
/// `Layout.instagram()`, `Layout.sonyflake()`, or `Layout.preset(name)`.
#[napi]
#[derive(Clone)]
pub struct Layout {
    pub(crate) inner: snowid::Layout,
}

fn kind_name(k: FieldKind) -> &'static str {
    k.as_str()
}

/// Reads a custom layout specification object.
fn spec_from_js(env: &Env, v: sys::napi_value) -> Result<LayoutSpec> {
    js::object_arg(env, v, "layout spec")?;
    const KEYS: &[&str] = &["name", "fields", "epoch", "tickMs", "signBit"];
    for k in js::own_keys(env, v)? {
        if !KEYS.contains(&k.as_str()) {
            return Err(type_error(
                env,
                format!(
                    "unknown layout spec key `{k}`; keys are {}",
                    KEYS.join(", ")
                ),
            ));
        }
    }
    let name = match js::get(env, v, "name")? {
        Some(n) => js::str_arg(env, n, "spec.name")?,
        None => "custom".to_owned(),
    };
    let Some(fields) = js::get(env, v, "fields")? else {
        return Err(type_error(
            env,
            "layout spec needs `fields`: an array of { name, bits, kind? }",
        ));
    };
    let mut specs = Vec::new();
    for (i, f) in js::array_items(env, fields, "spec.fields")?
        .into_iter()
        .enumerate()
    {
        let what = format!("spec.fields[{i}]");
        js::object_arg(env, f, &what)?;
        for k in js::own_keys(env, f)? {
            if !["name", "bits", "kind"].contains(&k.as_str()) {
                return Err(type_error(
                    env,
                    format!("unknown key `{k}` in {what}; keys are name, bits, kind"),
                ));
            }
        }
        let Some(n) = js::get(env, f, "name")? else {
            return Err(type_error(env, format!("{what} needs a `name`")));
        };
        let fname = js::str_arg(env, n, &format!("{what}.name"))?;
        let Some(b) = js::get(env, f, "bits")? else {
            return Err(type_error(env, format!("{what} needs `bits`")));
        };
        let bits = js::uint_arg(env, b, &format!("{what}.bits"))?.min(u32::MAX.into()) as u32;
        let spec = match js::get(env, f, "kind")? {
            None => FieldSpec::inferred(&fname, bits),
            Some(k) => {
                let kind = match js::str_arg(env, k, &format!("{what}.kind"))?.as_str() {
                    "timestamp" => FieldKind::Timestamp,
                    "sequence" => FieldKind::Sequence,
                    "node" => FieldKind::Node,
                    other => {
                        return Err(crate::error::range_error(
                            env,
                            format!("{what}.kind = {other:?}; kinds are timestamp, node, sequence"),
                        ))
                    }
                };
                FieldSpec::new(&fname, bits, kind)
            }
        };
        specs.push(spec);
    }
    let Some(epoch) = js::get(env, v, "epoch")? else {
        return Err(type_error(
            env,
            "layout spec needs `epoch`: a Date or ms since the Unix epoch",
        ));
    };
    let epoch_ms = js::time_arg(env, epoch, "spec.epoch")?;
    if epoch_ms < 0 {
        return Err(crate::error::range_error(
            env,
            format!("spec.epoch = {epoch_ms} ms is before the Unix epoch"),
        ));
    }
    let tick_ms = match js::get(env, v, "tickMs")? {
        Some(t) => js::uint_arg(env, t, "spec.tickMs")?,
        None => 1,
    };
    let sign_bit = match js::get(env, v, "signBit")? {
        Some(s) => js::bool_arg(env, s, "spec.signBit")?,
        None => true,
    };
    Ok(LayoutSpec {
        name,
        fields: specs,
        epoch_ms: epoch_ms as u64,
        tick_ms,
        sign_bit,
    })
}

/// A borrowed or owned core layout.
pub enum LayoutRef<'a> {
    Instance(ClassInstance<'a, Layout>),
    Static(&'static snowid::Layout),
}

impl std::ops::Deref for LayoutRef<'_> {
    type Target = snowid::Layout;
    fn deref(&self) -> &snowid::Layout {
        match self {
            LayoutRef::Instance(l) => &l.inner,
            LayoutRef::Static(l) => l,
        }
    }
}

/// The presets, built once.
pub fn preset_static(name: &str) -> snowid::Result<&'static snowid::Layout> {
    static PRESETS: std::sync::OnceLock<Vec<snowid::Layout>> = std::sync::OnceLock::new();
    let all = PRESETS.get_or_init(|| {
        snowid::PRESETS
            .iter()
            .filter_map(|n| snowid::Layout::preset(n).ok())
            .collect()
    });
    match all.iter().find(|l| l.name().eq_ignore_ascii_case(name)) {
        Some(l) => Ok(l),
        None => snowid::Layout::preset(name).map(|_| &all[0]),
    }
}

/// A layout from a JS value: a `Layout` instance or a preset name.
pub fn layout_ref<'a>(env: &Env, v: sys::napi_value) -> Result<LayoutRef<'a>> {
    if js::type_of(env, v)? == sys::ValueType::napi_string {
        let name = js::string(env, v)?;
        return Ok(LayoutRef::Static(preset_static(&name).or_throw(env)?));
    }
    if js::type_of(env, v)? == sys::ValueType::napi_object {
        // SAFETY: `v` is a live value of the current call. With the napi8
        // feature napi-rs checks the object's type tag before the cast, so
        // anything but a `Layout` (another class, a plain object, a spoofed
        // prototype) is an `Err` here, without a pending exception. This is
        // about 10x cheaper than `Layout::instance_of` (a JS `instanceof`).
        if let Ok(l) = unsafe { ClassInstance::<Layout>::from_napi_value(env.raw(), v) } {
            return Ok(LayoutRef::Instance(l));
        }
    }
    Err(type_error(
        env,
        format!(
            "layout must be a Layout or a preset name (twitter, discord, instagram, sonyflake); got {}",
            js::describe(env, v)
        ),
    ))
}

/// Like [`layout_ref`], owned.
pub fn layout_arg(env: &Env, v: sys::napi_value) -> Result<snowid::Layout> {
    Ok(layout_ref(env, v)?.clone())
}

/// Reads `{ timestamp | timestampMs, sequence?, ...nodeFields }` and composes.
pub fn compose_from_js(env: &Env, l: &snowid::Layout, v: sys::napi_value) -> Result<u64> {
    js::object_arg(env, v, "parts")?;
    let mut ts: Option<i64> = None;
    let mut seq = 0u64;
    let mut values = [None; MAX_NODE_FIELDS];
    for k in js::own_keys(env, v)? {
        let Some(val) = js::get(env, v, &k)? else {
            continue;
        };
        match k.as_str() {
            "timestampMs" => ts = Some(js::time_arg(env, val, "parts.timestampMs")?),
            "timestamp" => {
                if ts.is_none() {
                    ts = Some(js::time_arg(env, val, "parts.timestamp")?)
                }
            }
            "tick" => {
                js::uint_arg(env, val, "parts.tick")?;
            }
            "sequence" => seq = js::uint_arg(env, val, "parts.sequence")?,
            name => {
                let i = l.node_index(name).or_throw(env)?;
                values[i] = Some(js::uint_arg(env, val, &format!("parts.{name}"))?);
            }
        }
    }
    let Some(ts) = ts else {
        return Err(type_error(
            env,
            "parts needs `timestamp` (a Date or ms) or `timestampMs`",
        ));
    };
    let mut parts = Parts {
        sequence: seq,
        ..Parts::default()
    };
    for (i, f) in l.node_fields().enumerate() {
        let val = values[i].ok_or_else(|| {
            core(
                env,
                snowid::Error::MissingField {
                    field: f.name().into(),
                    layout: l.name().into(),
                    max: f.max(),
                },
            )
        })?;
        if val > f.max() {
            return Err(core(
                env,
                snowid::Error::FieldOutOfRange {
                    field: f.name().into(),
                    got: val,
                    max: f.max(),
                },
            ));
        }
        parts.nodes[i] = val as u32;
    }
    // Validate the time the core's way (negative and out-of-range instants).
    let tick = l.tick_of(ts).or_throw(env)?;
    l.compose_tick(tick, parts.sequence, &parts.nodes[..l.node_count()])
        .or_throw(env)
}

pub fn capacity_to_js(env: &Env, l: &snowid::Layout) -> Result<sys::napi_value> {
    let c = l.capacity();
    let o = js::new_object(env)?;
    js::set(env, o, "lifespanMs", js::big(env, c.lifespan_ms)?)?;
    js::set(env, o, "endMs", js::big(env, c.end_ms)?)?;
    js::set(env, o, "end", js::date(env, c.end_ms)?)?;
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
    /// A custom layout: `new Layout({ name?, fields: [{ name, bits, kind? }],
    /// epoch, tickMs?, signBit? })`. Fields go from the most significant bit
    /// down; `kind` is `'timestamp' | 'node' | 'sequence'` and defaults from
    /// the name (`timestamp`, `sequence`, anything else is a node field).
    /// `signBit: true` (default) keeps the top bit 0 (63 bits of fields).
    /// Throws `RangeError` with the core's code (e.g. `SNOWID_LAYOUT_BITS_SUM`).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "spec: { name?: string, fields: Array<{ name: string, bits: number, kind?: 'timestamp' | 'node' | 'sequence' }>, epoch: Date | number, tickMs?: number, signBit?: boolean }"
    )]
    pub fn new(env: Env, spec: Unknown) -> Result<Self> {
        let spec = spec_from_js(&env, spec.raw())?;
        Ok(Layout {
            inner: snowid::Layout::new(spec).or_throw(&env)?,
        })
    }

    /// A preset by name: `twitter`, `discord`, `instagram` or `sonyflake`
    /// (case-insensitive). Unknown names throw `SNOWID_UNKNOWN_LAYOUT`.
    #[napi(factory, catch_unwind, ts_args_type = "name: string")]
    pub fn preset(env: Env, name: Unknown) -> Result<Self> {
        let name = js::str_arg(&env, name.raw(), "name")?;
        Ok(Layout {
            inner: snowid::Layout::preset(&name).or_throw(&env)?,
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
        let items = self
            .inner
            .fields()
            .iter()
            .map(|f| {
                let o = js::new_object(&env)?;
                js::set(&env, o, "name", js::str_value(&env, f.name())?)?;
                js::set(&env, o, "bits", js::num(&env, f.bits().into())?)?;
                js::set(&env, o, "kind", js::str_value(&env, kind_name(f.kind()))?)?;
                js::set(&env, o, "shift", js::num(&env, f.shift().into())?)?;
                Ok(o)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Js(js::new_array(&env, &items)?))
    }

    /// Splits an ID (bigint, decimal string, or a number up to 2^53 - 1)
    /// into `{ timestamp: Date, timestampMs, tick, sequence, ...nodeFields }`.
    #[napi(
        catch_unwind,
        ts_args_type = "id: bigint | string | number",
        ts_return_type = "{ timestamp: Date, timestampMs: number, tick: number, sequence: number, [nodeField: string]: number | Date }"
    )]
    // Declares `decode` for index.d.ts; index.js replaces it on the
    // prototype with the builder it shares with `inspect`.
    pub fn decode(&self, env: Env, _id: Unknown) -> Result<Js> {
        Err(crate::error::provided_by_index_js(&env, "Layout#decode()"))
    }

    /// Builds an ID from `{ timestamp: Date | number, sequence?, ...nodeFields }`
    /// (`timestampMs` also accepted; the time is rounded down to its tick).
    #[napi(
        catch_unwind,
        ts_args_type = "parts: { timestamp?: Date | number, timestampMs?: number, sequence?: number | bigint, [field: string]: unknown }"
    )]
    pub fn compose(&self, env: Env, parts: Unknown) -> Result<u64> {
        compose_from_js(&env, &self.inner, parts.raw())
    }

    /// Smallest ID any node can issue in the tick holding `time`
    /// (`WHERE id >= layout.minIdAt(from)`).
    #[napi(catch_unwind, ts_args_type = "time: Date | number")]
    pub fn min_id_at(&self, env: Env, time: Unknown) -> Result<u64> {
        let ms = js::time_arg(&env, time.raw(), "time")?;
        self.inner.min_id_at(ms).or_throw(&env)
    }

    /// Largest ID any node can issue in the tick holding `time`
    /// (`WHERE id <= layout.maxIdAt(to)`).
    #[napi(catch_unwind, ts_args_type = "time: Date | number")]
    pub fn max_id_at(&self, env: Env, time: Unknown) -> Result<u64> {
        let ms = js::time_arg(&env, time.raw(), "time")?;
        self.inner.max_id_at(ms).or_throw(&env)
    }

    /// Lifespan, end date, IDs per tick and per second per node, number of
    /// node identities (counts as bigint).
    #[napi(
        catch_unwind,
        ts_return_type = "{ lifespanMs: bigint, endMs: bigint, end: Date, idsPerTick: bigint, idsPerSecondPerNode: bigint, nodes: bigint }"
    )]
    pub fn capacity(&self, env: Env) -> Result<Js> {
        Ok(Js(capacity_to_js(&env, &self.inner)?))
    }

    /// Whether two layouts are the same (fields, epoch, tick, sign bit, name).
    #[napi(catch_unwind)]
    pub fn equals(&self, other: &Layout) -> bool {
        self.inner == other.inner
    }

    /// `twitter(0|timestamp:41|datacenter:5|worker:5|sequence:12, epoch=1288834974657ms, tick=1ms)`
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}
