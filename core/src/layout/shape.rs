//! What every layout has whatever its width: named fields placed from the
//! top bit down, an epoch and a tick. [`Layout`](super::Layout) (64 bits)
//! and [`WideLayout`](crate::wide::WideLayout) (up to 128) each hold one
//! [`Shape`] and add their own width rules; the checks, the placement,
//! compose and decode are written here once, over [`Word`].

use std::fmt;

use super::{check_name, check_node_name, Field, FieldSpec, Parts, MAX_NODE_FIELDS, MAX_TICK_MS};
use crate::error::{Error, FieldKind, Result};
use crate::word::Word;

/// Checks the fields of a specification, in this order: one time field,
/// one sequence, 1..=[`MAX_NODE_FIELDS`] node fields; then each field's
/// name, that no name repeats, and its width, 1..=`max_bits(kind)`.
pub(crate) fn check_fields(specs: &[FieldSpec], max_bits: impl Fn(FieldKind) -> u32) -> Result<()> {
    let count = |k: FieldKind| specs.iter().filter(|f| f.kind == k).count() as u32;
    for (kind, min, max) in [
        (FieldKind::Timestamp, 1, 1),
        (FieldKind::Sequence, 1, 1),
        (FieldKind::Node, 1, MAX_NODE_FIELDS as u32),
    ] {
        let got = count(kind);
        if got < min || got > max {
            return Err(Error::FieldCount {
                kind,
                got,
                min,
                max,
            });
        }
    }
    for (i, f) in specs.iter().enumerate() {
        check_name(&f.name)?;
        if f.kind == FieldKind::Node {
            check_node_name(&f.name)?;
        }
        if specs[..i].iter().any(|g| g.name == f.name) {
            return Err(Error::DuplicateField {
                name: f.name.clone(),
            });
        }
        let max = max_bits(f.kind);
        if f.bits < 1 || f.bits > max {
            return Err(Error::FieldWidth {
                field: f.name.clone(),
                kind: f.kind,
                bits: f.bits,
                min: 1,
                max,
            });
        }
        if f.kind == FieldKind::Constant && f.value > super::mask(f.bits) {
            return Err(Error::FieldOutOfRange {
                field: f.name.clone(),
                got: f.value.to_string(),
                max: super::mask(f.bits),
            });
        }
    }
    Ok(())
}

/// Checks the tick (1..=[`MAX_TICK_MS`]) and, given the time now, that the
/// epoch is not in the future.
pub(crate) fn check_tick_and_epoch(tick_ms: u64, epoch_ms: u64, now_ms: Option<u64>) -> Result<()> {
    if !(1..=MAX_TICK_MS).contains(&tick_ms) {
        return Err(Error::TickOutOfRange {
            tick_ms,
            min: 1,
            max: MAX_TICK_MS,
        });
    }
    if let Some(now_ms) = now_ms {
        if epoch_ms > now_ms {
            return Err(Error::EpochInFuture { epoch_ms, now_ms });
        }
    }
    Ok(())
}

/// Validated fields with their positions, the layout's name, epoch and tick.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Shape {
    pub(crate) name: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) epoch_ms: u64,
    pub(crate) tick_ms: u64,
    time: usize,
    seq: usize,
    nodes: [usize; MAX_NODE_FIELDS],
    node_count: usize,
}

impl Shape {
    /// Places checked fields from bit `top` down (their widths sum to `top`).
    pub(crate) fn place(
        name: String,
        specs: Vec<FieldSpec>,
        top: u32,
        epoch_ms: u64,
        tick_ms: u64,
    ) -> Shape {
        let mut shift = top;
        let mut fields = Vec::with_capacity(specs.len());
        let (mut time, mut seq, mut nodes, mut node_count) = (0, 0, [0; MAX_NODE_FIELDS], 0);
        for (i, f) in specs.into_iter().enumerate() {
            shift -= f.bits;
            match f.kind {
                FieldKind::Timestamp => time = i,
                FieldKind::Sequence => seq = i,
                FieldKind::Node => {
                    nodes[node_count] = i;
                    node_count += 1;
                }
                FieldKind::Constant | FieldKind::Random => {}
            }
            fields.push(Field::at(f.name, f.kind, f.bits, shift).with_value(f.value));
        }
        Shape {
            name,
            fields,
            epoch_ms,
            tick_ms,
            time,
            seq,
            nodes,
            node_count,
        }
    }

    pub(crate) fn time_field(&self) -> &Field {
        &self.fields[self.time]
    }
    pub(crate) fn sequence_field(&self) -> &Field {
        &self.fields[self.seq]
    }
    pub(crate) fn node_fields(
        &self,
    ) -> impl DoubleEndedIterator<Item = &Field> + ExactSizeIterator + '_ {
        self.nodes[..self.node_count]
            .iter()
            .map(|&i| &self.fields[i])
    }
    pub(crate) fn node_count(&self) -> usize {
        self.node_count
    }
    pub(crate) fn node_field(&self, i: usize) -> Option<&Field> {
        self.nodes[..self.node_count]
            .get(i)
            .map(|&j| &self.fields[j])
    }
    pub(crate) fn node_names(&self) -> Vec<&str> {
        self.node_fields().map(|f| f.name()).collect()
    }
    pub(crate) fn node_index(&self, name: &str) -> Result<usize> {
        self.node_fields()
            .position(|f| f.name() == name)
            .ok_or_else(|| Error::UnknownField {
                field: name.to_owned(),
                layout: self.name.clone(),
                expected: self.node_names().join(", "),
            })
    }
    /// The constant fields' values, shifted into place (0 without any).
    pub(crate) fn constant_bits<W: Word>(&self) -> W {
        self.fields
            .iter()
            .filter(|f| f.kind() == FieldKind::Constant)
            .fold(W::ZERO, |acc, f| {
                acc | (W::from_u64(f.value()) << f.shift())
            })
    }
    /// The bits of the fields of `kind`.
    pub(crate) fn kind_mask<W: Word>(&self, kind: FieldKind) -> W {
        self.fields
            .iter()
            .filter(|f| f.kind() == kind)
            .fold(W::ZERO, |acc, f| acc | (W::mask(f.bits()) << f.shift()))
    }
    /// Node bits in all.
    pub(crate) fn node_bits_total(&self) -> u32 {
        self.node_fields().map(|f| f.bits()).sum()
    }
    /// The fields as specified.
    pub(crate) fn field_specs(&self) -> Vec<FieldSpec> {
        self.fields
            .iter()
            .map(|f| FieldSpec {
                value: f.value(),
                ..FieldSpec::new(f.name(), f.bits(), f.kind())
            })
            .collect()
    }

    /// Tick of instant `ms` when it lies in `epoch..end_ms`.
    pub(crate) fn tick_in(&self, ms: u128, end_ms: u128) -> Option<u64> {
        if ms < u128::from(self.epoch_ms) || ms >= end_ms {
            return None;
        }
        Some(((ms - u128::from(self.epoch_ms)) / u128::from(self.tick_ms)) as u64)
    }

    /// [`Error::TimestampOutOfRange`] for instant `ms`, the time field
    /// ending at `end_ms`.
    pub(crate) fn out_of_range(&self, ms: i128, end_ms: u128) -> Error {
        Error::TimestampOutOfRange {
            ms,
            layout: self.name.clone(),
            min_ms: self.epoch_ms,
            max_ms: u64::try_from(end_ms - 1).unwrap_or(u64::MAX),
        }
    }

    /// Checks node values against the node fields' widths.
    pub(crate) fn check_nodes<V: Copy + Into<u64>>(
        &self,
        nodes: &[V],
    ) -> Result<[u32; MAX_NODE_FIELDS]> {
        if nodes.len() != self.node_count {
            let f = self
                .node_field(nodes.len().min(self.node_count))
                .unwrap_or(self.time_field());
            return Err(Error::MissingField {
                field: f.name().to_owned(),
                layout: self.name.clone(),
                max: f.max(),
            });
        }
        let mut out = [0; MAX_NODE_FIELDS];
        for (i, (&v, f)) in nodes.iter().zip(self.node_fields()).enumerate() {
            let v: u64 = v.into();
            if v > f.max() {
                return Err(Error::FieldOutOfRange {
                    field: f.name().to_owned(),
                    got: v.to_string(),
                    max: f.max(),
                });
            }
            out[i] = v as u32;
        }
        Ok(out)
    }

    /// The node fields' bits of an ID, shifted into place.
    pub(crate) fn node_bits<W: Word, V: Copy + Into<u64>>(&self, nodes: &[V]) -> Result<W> {
        let nodes = self.check_nodes(nodes)?;
        Ok(self.node_fields().zip(nodes).fold(W::ZERO, |acc, (f, v)| {
            acc | (W::from_u64(v.into()) << f.shift())
        }))
    }

    /// An ID from a raw tick, a sequence and node values.
    pub(crate) fn compose_tick<W: Word, V: Copy + Into<u64>>(
        &self,
        tick: u64,
        sequence: u64,
        nodes: &[V],
    ) -> Result<W> {
        let (t, s) = (self.time_field(), self.sequence_field());
        for (f, v) in [(t, tick), (s, sequence)] {
            if v > f.max() {
                return Err(Error::FieldOutOfRange {
                    field: f.name().to_owned(),
                    got: v.to_string(),
                    max: f.max(),
                });
            }
        }
        Ok((W::from_u64(tick) << t.shift())
            | (W::from_u64(sequence) << s.shift())
            | self.node_bits::<W, V>(nodes)?
            | self.constant_bits::<W>())
    }

    /// The parts of an ID already known to fit.
    pub(crate) fn parts<W: Word>(&self, id: W) -> Parts {
        let tick = self.time_field().get(id);
        let mut nodes = [0; MAX_NODE_FIELDS];
        for (slot, f) in nodes.iter_mut().zip(self.node_fields()) {
            *slot = f.get(id) as u32;
        }
        Parts {
            timestamp_ms: self.epoch_ms + tick * self.tick_ms,
            tick,
            sequence: self.sequence_field().get(id),
            nodes,
        }
    }

    /// Smallest ID of a tick.
    pub(crate) fn min_id_of_tick<W: Word>(&self, tick: u64) -> W {
        W::from_u64(tick) << self.time_field().shift()
    }

    /// Largest ID of a tick, `max_id` the layout's largest.
    pub(crate) fn max_id_of_tick<W: Word>(&self, tick: u64, max_id: W) -> W {
        let t = self.time_field();
        let below = W::mask(t.shift());
        let above = max_id & !W::mask(t.shift() + t.bits());
        (W::from_u64(tick) << t.shift()) | below | above
    }

    /// IDs one node can issue per tick and per second.
    pub(crate) fn rates(&self) -> (u64, u64) {
        let per_tick = 1u64 << self.sequence_field().bits();
        (per_tick, per_tick.saturating_mul(1000) / self.tick_ms)
    }

    /// The `Debug` form of a layout holding this shape: its name, fields,
    /// epoch and tick, then `extra` (the layout's own rule: sign bit or
    /// width), then the field indices, as the layouts showed before they
    /// shared their shape.
    pub(crate) fn debug(
        &self,
        f: &mut fmt::Formatter<'_>,
        layout: &str,
        extra: (&str, &dyn fmt::Debug),
    ) -> fmt::Result {
        f.debug_struct(layout)
            .field("name", &self.name)
            .field("fields", &self.fields)
            .field("epoch_ms", &self.epoch_ms)
            .field("tick_ms", &self.tick_ms)
            .field(extra.0, extra.1)
            .field("time", &self.time)
            .field("seq", &self.seq)
            .field("nodes", &self.nodes)
            .field("node_count", &self.node_count)
            .finish()
    }

    /// `name(` then `prefix` and the fields, `name:bits|...`.
    pub(crate) fn write_fields(&self, f: &mut fmt::Formatter<'_>, prefix: &str) -> fmt::Result {
        write!(f, "{}({prefix}", self.name)?;
        for (i, fl) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{}:{}", fl.name(), fl.bits())?;
        }
        Ok(())
    }
}
