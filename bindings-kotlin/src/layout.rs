//! Layouts, parts, capacity and the manual clock. IDs cross as `Long`
//! holding the ID's 64 bits (`id as u64`): Twitter, Instagram and Sonyflake
//! IDs are never negative; a Discord ID above 2^63 - 1 is a negative `Long`.

use std::sync::Arc;

use snowid::{LayoutBuilder, Value};

use crate::Result;

/// A bit layout: which fields an ID has, how wide each is, the epoch and the
/// tick. Presets: `twitter()` (the default), `discord()`, `instagram()`,
/// `sonyflake()`, or `preset(name)`; `custom(spec)` for your own.
#[derive(Debug, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct Layout {
    pub(crate) inner: snowid::Layout,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

/// One field of a custom layout, most significant first.
#[derive(uniffi::Record)]
pub struct FieldSpec {
    /// `a-z`, `0-9`, `_`; `timestamp` and `sequence` name those fields.
    pub name: String,
    /// Width in bits.
    pub bits: i64,
    /// `"timestamp"`, `"node"` or `"sequence"`; `null`: from the name.
    #[uniffi(default = None)]
    pub kind: Option<String>,
}

/// A custom layout.
#[derive(uniffi::Record)]
pub struct LayoutSpec {
    /// The layout's name (shown in messages).
    pub name: String,
    /// Fields from the most significant bit down.
    pub fields: Vec<FieldSpec>,
    /// The instant tick 0 stands for, in ms since the Unix epoch.
    pub epoch_ms: i64,
    /// Length of one tick in ms.
    #[uniffi(default = 1)]
    pub tick_ms: i64,
    /// `true`: the top bit stays 0 (63 bits of fields; IDs fit a signed
    /// BIGINT). `false`: all 64 bits.
    #[uniffi(default = true)]
    pub sign_bit: bool,
}

/// One field of a layout.
#[derive(uniffi::Record)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Width in bits.
    pub bits: i32,
    /// `"timestamp"`, `"node"` or `"sequence"`.
    pub kind: String,
    /// Position of its least significant bit.
    pub shift: i32,
    /// Largest value it holds.
    pub max: i64,
}

/// A node field's value.
#[derive(Clone, uniffi::Record)]
pub struct NodeValue {
    /// The field's name (`datacenter`, `worker`, `shard`...).
    pub name: String,
    /// Its value.
    pub value: i64,
}

/// An ID split into its fields.
#[derive(uniffi::Record)]
pub struct Parts {
    /// The ID (its 64 bits).
    pub id: i64,
    /// Start of the ID's tick, in ms since the Unix epoch.
    pub timestamp_ms: i64,
    /// The raw time field: ticks since the layout's epoch.
    pub tick: i64,
    /// The sequence field.
    pub sequence: i64,
    /// Node fields in layout order.
    pub nodes: Vec<NodeValue>,
}

/// Capacity figures of a layout (values beyond `Long.MAX_VALUE` are
/// `Long.MAX_VALUE`).
#[derive(uniffi::Record)]
pub struct Capacity {
    /// How long the time field lasts from the epoch, in ms.
    pub lifespan_ms: i64,
    /// First instant the time field cannot represent, ms since the Unix epoch.
    pub end_ms: i64,
    /// IDs one node can issue per tick.
    pub ids_per_tick: i64,
    /// IDs one node can issue per second.
    pub ids_per_second_per_node: i64,
    /// Distinct node identities.
    pub nodes: i64,
}

fn long(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Layout {
    pub(crate) fn wrap(inner: snowid::Layout) -> Arc<Self> {
        Arc::new(Layout { inner })
    }

    pub(crate) fn parts(&self, id: i64) -> Result<Parts> {
        let p = self.inner.decode(id as u64)?;
        Ok(Parts {
            id,
            timestamp_ms: long(p.timestamp_ms),
            tick: long(p.tick),
            sequence: long(p.sequence),
            nodes: self.node_values(&p.nodes),
        })
    }

    pub(crate) fn node_values(&self, values: &[u32]) -> Vec<NodeValue> {
        self.inner
            .node_fields()
            .zip(values)
            .map(|(f, v)| NodeValue {
                name: f.name().to_owned(),
                value: (*v).into(),
            })
            .collect()
    }

    pub(crate) fn compose_parts(
        &self,
        timestamp_ms: i64,
        sequence: Option<i64>,
        nodes: &[NodeValue],
    ) -> Result<i64> {
        let values: Vec<Value> = nodes.iter().map(|n| Value::from(n.value)).collect();
        let named: Vec<(&str, &Value)> = nodes
            .iter()
            .map(|n| n.name.as_str())
            .zip(values.iter())
            .collect();
        let sequence = sequence.map(Value::from);
        Ok(self
            .inner
            .compose_values(&Value::from(timestamp_ms), sequence.as_ref(), &named)?
            as i64)
    }

    pub(crate) fn id_floor(&self, ms: i64) -> Result<i64> {
        Ok(self.inner.min_id_at(ms)? as i64)
    }

    pub(crate) fn id_ceiling(&self, ms: i64) -> Result<i64> {
        Ok(self.inner.max_id_at(ms)? as i64)
    }

    pub(crate) fn capacity_of(&self) -> Capacity {
        let c = self.inner.capacity();
        Capacity {
            lifespan_ms: long(c.lifespan_ms),
            end_ms: long(c.end_ms),
            ids_per_tick: long(c.ids_per_tick),
            ids_per_second_per_node: long(c.ids_per_second_per_node),
            nodes: long(c.nodes),
        }
    }
}

#[uniffi::export]
impl Layout {
    /// A preset by name: `twitter`, `discord`, `instagram` or `sonyflake`
    /// (exact: `Twitter` is `UNKNOWN_LAYOUT`).
    #[uniffi::constructor]
    pub fn preset(name: String) -> Result<Arc<Self>> {
        Ok(Self::wrap(snowid::Layout::preset(&name)?))
    }

    /// Twitter (the default): sign bit 0, 41 bits of ms, 5 datacenter,
    /// 5 worker, 12 sequence; epoch 2010-11-04T01:42:54.657Z.
    #[uniffi::constructor]
    pub fn twitter() -> Arc<Self> {
        Self::wrap(snowid::Layout::twitter())
    }

    /// Discord: 42 bits of ms, 5 worker, 5 process, 12 increment, all 64
    /// bits; epoch 2015-01-01.
    #[uniffi::constructor]
    pub fn discord() -> Arc<Self> {
        Self::wrap(snowid::Layout::discord())
    }

    /// Instagram: 41 bits of ms, 13 shard, 10 sequence; epoch 2011-08-24.
    #[uniffi::constructor]
    pub fn instagram() -> Arc<Self> {
        Self::wrap(snowid::Layout::instagram())
    }

    /// Sonyflake: sign bit 0, 39 bits of 10 ms ticks, 8 sequence, 16
    /// machine; epoch 2014-09-01.
    #[uniffi::constructor]
    pub fn sonyflake() -> Arc<Self> {
        Self::wrap(snowid::Layout::sonyflake())
    }

    /// A custom layout, validated by the core (errors name the problem and
    /// the valid range).
    #[uniffi::constructor]
    pub fn custom(spec: LayoutSpec) -> Result<Arc<Self>> {
        let mut b = LayoutBuilder::new(&Value::Str(spec.name))?;
        b.expect_fields(spec.fields.len() as u64)?;
        for f in spec.fields {
            let kind = f.kind.map(Value::Str);
            b.field(&Value::Str(f.name), &Value::from(f.bits), kind.as_ref())?;
        }
        b.epoch(&Value::from(spec.epoch_ms))?;
        b.tick(&Value::from(spec.tick_ms))?;
        b.sign_bit(&Value::Bool(spec.sign_bit))?;
        Ok(Self::wrap(b.build()?))
    }

    /// The layout's name.
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// Epoch in ms since the Unix epoch.
    pub fn epoch_ms(&self) -> i64 {
        long(self.inner.epoch_ms())
    }

    /// Tick length in ms.
    pub fn tick_ms(&self) -> i64 {
        long(self.inner.tick_ms())
    }

    /// Whether the top bit is reserved (always 0).
    pub fn sign_bit(&self) -> bool {
        self.inner.sign_bit()
    }

    /// Largest ID the layout can hold (`-1`, all 64 bits, for layouts
    /// without the sign bit).
    pub fn max_id(&self) -> i64 {
        self.inner.max_id() as i64
    }

    /// Node field names, most significant first.
    pub fn node_names(&self) -> Vec<String> {
        self.inner
            .node_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// All fields, most significant first.
    pub fn fields(&self) -> Vec<Field> {
        self.inner
            .fields()
            .iter()
            .map(|f| Field {
                name: f.name().to_owned(),
                bits: f.bits() as i32,
                kind: f.kind().as_str().to_owned(),
                shift: f.shift() as i32,
                max: long(f.max()),
            })
            .collect()
    }

    /// Splits an ID into its parts.
    pub fn decode(&self, id: i64) -> Result<Parts> {
        self.parts(id)
    }

    /// Builds an ID from a time in ms (rounded down to its tick), a sequence
    /// (`null`: 0) and every node field by name.
    pub fn compose(
        &self,
        timestamp_ms: i64,
        sequence: Option<i64>,
        nodes: Vec<NodeValue>,
    ) -> Result<i64> {
        self.compose_parts(timestamp_ms, sequence, &nodes)
    }

    /// Smallest ID any node can issue in the tick holding `ms`
    /// (`WHERE id >= minIdAt(from)`).
    pub fn min_id_at(&self, ms: i64) -> Result<i64> {
        self.id_floor(ms)
    }

    /// Largest ID any node can issue in the tick holding `ms`
    /// (`WHERE id <= maxIdAt(to)`).
    pub fn max_id_at(&self, ms: i64) -> Result<i64> {
        self.id_ceiling(ms)
    }

    /// Lifespan, end, IDs per tick and per second per node, node identities.
    pub fn capacity(&self) -> Capacity {
        self.capacity_of()
    }
}

/// A clock that moves only when told to, for deterministic tests: the same
/// options and moves give the same IDs in every language. A generator on it
/// never waits (`SequenceExhausted`, `ClockMovedBackwards` instead).
#[derive(uniffi::Object)]
pub struct ManualClock {
    pub(crate) inner: snowid::ManualClock,
}

#[uniffi::export]
impl ManualClock {
    /// A clock reading `start_ms` (ms since the Unix epoch, >= 0).
    #[uniffi::constructor]
    pub fn new(start_ms: i64) -> Result<Arc<Self>> {
        let ms = Value::from(start_ms).clock_ms("start")?;
        Ok(Arc::new(ManualClock {
            inner: snowid::ManualClock::new(ms),
        }))
    }

    /// Sets the time (it may go backwards).
    pub fn set(&self, ms: i64) -> Result<()> {
        self.inner.set(Value::from(ms).clock_ms("when")?);
        Ok(())
    }

    /// Moves the time by `ms` (backwards if negative; stops at 0).
    pub fn advance(&self, ms: i64) {
        self.inner.advance(ms);
    }

    /// The current reading, in ms since the Unix epoch.
    pub fn now(&self) -> i64 {
        long(self.inner.get())
    }
}
