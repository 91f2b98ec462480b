//! Layouts from host values: a layout argument (a `Layout` or a preset
//! name), a custom layout fed field by field ([`LayoutBuilder`]) and an ID
//! composed from host values. Here the layout meets [`Value`]; the layout
//! itself knows nothing of hosts.

use super::shape::Shape;
use super::{
    FieldSpec, Layout, LayoutSpec, MAX_FIELDS, MAX_NODE_BITS, MAX_NODE_FIELDS, MAX_TICK_MS,
};
use crate::error::{Error, FieldKind, Result};
use crate::value::Value;
use crate::word::Word;

impl Layout {
    /// A layout argument from a host: a `Layout`, or a preset name (exact).
    pub fn from_value(v: &Value, name: &str) -> Result<Layout> {
        match v {
            Value::Layout(l) => Ok(l.clone()),
            v => Layout::preset(v.string(name, "a preset name or a Layout")?),
        }
    }
}

/// A custom layout from host values, checked as they arrive: a binding
/// feeds the user's fields one by one (stopping at the first error, so an
/// endless iterable is never collected) and the core makes every decision:
/// widths outside `u32` or negative, kind names, too many fields, the
/// epoch, the tick and the sign bit.
#[derive(Debug, Clone)]
pub struct LayoutBuilder {
    spec: LayoutSpec,
}

impl LayoutBuilder {
    /// A layout named `name` (a string).
    pub fn new(name: &Value) -> Result<Self> {
        let name = name.string("name", "a layout name")?.to_owned();
        Ok(LayoutBuilder {
            spec: LayoutSpec {
                name,
                fields: Vec::new(),
                epoch_ms: 0,
                tick_ms: 1,
                sign_bit: true,
            },
        })
    }

    /// Checks a field count known up front (a list's length), before any
    /// field is read.
    pub fn expect_fields(&self, count: u64) -> Result<()> {
        if count > MAX_FIELDS as u64 {
            return Err(Error::FieldCount {
                kind: FieldKind::Node,
                got: u32::try_from(count.saturating_sub(2)).unwrap_or(u32::MAX),
                min: 1,
                max: MAX_NODE_FIELDS as u32,
            });
        }
        Ok(())
    }

    /// Adds the next field (most significant first): a name, a width and an
    /// optional kind name (`timestamp`, `node`, `sequence`; default: from the
    /// name, see [`FieldSpec::inferred`]).
    pub fn field(&mut self, name: &Value, bits: &Value, kind: Option<&Value>) -> Result<&mut Self> {
        let n = self.spec.fields.len() + 1;
        if n > MAX_FIELDS {
            return Err(Error::FieldCount {
                kind: FieldKind::Node,
                got: (n - 2) as u32,
                min: 1,
                max: MAX_NODE_FIELDS as u32,
            });
        }
        let name = name.string("field name", "a field name")?.to_owned();
        let kind = match kind {
            None => FieldSpec::inferred(&name, 0).kind,
            Some(k) => FieldKind::from_name(
                k.string("field kind", "\"timestamp\", \"node\" or \"sequence\"")?,
            )?,
        };
        let width = match bits.integer(&format!("{name}.bits"))? {
            Some(b) if (0..=64).contains(&b) => b as u32,
            _ => {
                let (min, max) = match kind {
                    FieldKind::Node => (1, MAX_NODE_BITS),
                    _ => (1, 63),
                };
                return Err(Error::InvalidSetting {
                    setting: format!("bits of field `{name}`"),
                    value: bits.describe(),
                    expected: format!("an integer {min}..={max}"),
                });
            }
        };
        self.spec.fields.push(FieldSpec::new(&name, width, kind));
        Ok(self)
    }

    /// The epoch, ms since the Unix epoch (>= 0).
    pub fn epoch(&mut self, ms: &Value) -> Result<&mut Self> {
        self.spec.epoch_ms = ms
            .int_in("epoch", 0, i128::from(u64::MAX))
            .map_err(|e| match e {
                Error::InvalidSetting { setting, value, .. } => Error::InvalidSetting {
                    setting,
                    value,
                    expected: "an instant at or after 1970-01-01 (ms since the Unix epoch, >= 0)"
                        .into(),
                },
                e => e,
            })? as u64;
        Ok(self)
    }

    /// The tick length in ms. Any unsigned 64-bit value is taken here;
    /// [`Self::build`] reports one out of range as `TICK_OUT_OF_RANGE`, as
    /// [`Layout::new`] does.
    pub fn tick(&mut self, ms: &Value) -> Result<&mut Self> {
        let t = match ms.integer("tick_ms")? {
            Some(t) if (0..=i128::from(u64::MAX)).contains(&t) => t as u64,
            _ => {
                return Err(Error::InvalidSetting {
                    setting: "tick_ms".into(),
                    value: ms.describe(),
                    expected: format!("an integer 1..={MAX_TICK_MS}"),
                })
            }
        };
        self.spec.tick_ms = t;
        Ok(self)
    }

    /// Whether the top bit is reserved (a boolean, or 0/1).
    pub fn sign_bit(&mut self, v: &Value) -> Result<&mut Self> {
        self.spec.sign_bit = v.boolean("sign_bit")?;
        Ok(self)
    }

    /// Validates and builds the layout ([`Layout::new`]).
    pub fn build(&self) -> Result<Layout> {
        Layout::new(self.spec.clone())
    }

    /// The specification so far.
    pub fn spec(&self) -> &LayoutSpec {
        &self.spec
    }
}

impl Layout {
    /// Builds an ID from host values, for `compose(...)` in every binding:
    /// `timestamp` in ms since the Unix epoch (rounded down to its tick),
    /// `sequence` (absent: 0) and every node field by name. Errors, in this
    /// order: the time ([`Error::TimestampOutOfRange`], [`Error::WrongType`]),
    /// the sequence, unknown node names ([`Error::UnknownField`]) and then
    /// node values ([`Error::FieldOutOfRange`]) in the order given, missing
    /// node fields in layout order ([`Error::MissingField`]).
    pub fn compose_values<'a>(
        &self,
        timestamp: &Value,
        sequence: Option<&Value>,
        nodes: &[(&'a str, &'a Value)],
    ) -> Result<u64> {
        let tick = self.tick_of(timestamp.instant_ms("timestamp", self)?)?;
        self.shape.compose_host(tick, sequence, "sequence", nodes)
    }
}

impl Shape {
    /// An ID from host values once the tick is known: the sequence (absent:
    /// 0; named `seq_name` in its error), unknown node names, node values in
    /// the order given, missing node fields in layout order.
    pub(crate) fn compose_host<W: Word>(
        &self,
        tick: u64,
        sequence: Option<&Value>,
        seq_name: &str,
        nodes: &[(&str, &Value)],
    ) -> Result<W> {
        let seq = match sequence {
            Some(v) => v.field_value(seq_name, self.sequence_field().max())?,
            None => 0,
        };
        let mut index = Vec::with_capacity(nodes.len());
        for (name, _) in nodes {
            index.push(self.node_index(name)?);
        }
        let mut values: [Option<u64>; MAX_NODE_FIELDS] = [None; MAX_NODE_FIELDS];
        for (&i, (name, v)) in index.iter().zip(nodes) {
            let max = self.node_field(i).expect("index is valid").max();
            values[i] = Some(v.field_value(name, max)?);
        }
        let mut out = [0u64; MAX_NODE_FIELDS];
        for ((slot, v), f) in out.iter_mut().zip(values).zip(self.node_fields()) {
            *slot = v.ok_or_else(|| Error::MissingField {
                field: f.name().to_owned(),
                layout: self.name.clone(),
                max: f.max(),
            })?;
        }
        self.compose_tick(tick, seq, &out[..self.node_count()])
    }
}
