//! Wide layouts: any width up to 128 bits, validated in one place,
//! [`WideLayout::new`]; compose, decode, bounds and capacity are pure
//! functions of it, as for the 64-bit [`Layout`].

use std::fmt;

use crate::error::{Error, FieldKind, Result};
use crate::layout::{
    check_fields, check_name, check_tick_and_epoch, now_unix_ms, FieldSpec, Layout, LayoutSpec,
    Parts, Shape, MAX_NODE_BITS, MAX_NODE_FIELDS,
};
use crate::word::Word;

/// Widest ID, in bits.
pub const MAX_WIDE_BITS: u32 = 128;
/// Width of a JS-safe layout: every ID is at most 2^53 - 1, so a JavaScript
/// `number` and every JSON parser hold it exactly.
pub const JS_SAFE_BITS: u32 = 53;
/// Widest time field (ticks are `u64`).
pub const MAX_WIDE_TIMESTAMP_BITS: u32 = 64;
/// Widest sequence field: the generator keeps `(tick, sequence)` in one
/// 64-bit word, so the sequence leaves at least one bit of tick.
pub const MAX_WIDE_SEQUENCE_BITS: u32 = 62;
/// Most node bits in all: node numbers are claimed, locked and marked as one
/// 64-bit slot number, like the 64-bit layouts' node numbers.
pub const MAX_WIDE_NODE_BITS: u32 = 62;
/// Names of the wide presets, in the order [`WideLayout::preset`] accepts them.
pub const WIDE_PRESETS: &[&str] = &["wide128", "jssafe", "uuid7", "ulid"];

/// What a wide `layout` setting takes.
pub(crate) const WIDE_LAYOUT_EXPECTED: &str =
    "a wide preset (\"wide128\", \"jssafe\", \"uuid7\", \"ulid\") or fields like \"timestamp:64|worker:48|sequence:16\"";

/// The error for a `layout` setting that is neither a wide preset nor fields.
fn not_a_wide_layout(text: &str) -> Error {
    Error::InvalidSetting {
        setting: "layout".into(),
        value: format!("{text:?}"),
        expected: WIDE_LAYOUT_EXPECTED.into(),
    }
}

/// Everything needed to build a [`WideLayout`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WideSpec {
    /// Name shown in messages.
    pub name: String,
    /// Fields from the most significant bit down; they fill `width` bits.
    pub fields: Vec<FieldSpec>,
    /// The instant tick 0 stands for, in ms since the Unix epoch.
    pub epoch_ms: u64,
    /// Length of one tick in ms.
    pub tick_ms: u64,
    /// Width of the ID in bits, 1..=128 (53 for a JS-safe layout).
    pub width: u32,
}

/// One validated field of a wide layout, with its position.
pub type WideField = crate::layout::Field;

/// Capacity figures of a wide layout (times as `u128`: a 64-bit time field
/// of milliseconds outlasts `u64` milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WideCapacity {
    /// How long the time field lasts from the epoch, in ms.
    pub lifespan_ms: u128,
    /// First instant the time field cannot represent, in ms since the Unix epoch.
    pub end_ms: u128,
    /// First instant a generator cannot issue at (its state keeps the tick
    /// and the sequence in one 64-bit word): `end_ms` or earlier.
    pub issue_end_ms: u128,
    /// IDs one node can issue per tick.
    pub ids_per_tick: u64,
    /// IDs one node can issue per second.
    pub ids_per_second_per_node: u64,
    /// Distinct node identities.
    pub nodes: u64,
}

/// A validated layout of up to 128 bits. IDs are `u128`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WideLayout {
    shape: Shape,
    width: u32,
}

impl fmt::Debug for WideLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shape.debug(f, "WideLayout", ("width", &self.width))
    }
}

impl WideLayout {
    /// Validates a specification. Errors name the problem and the valid range.
    pub fn new(spec: WideSpec) -> Result<WideLayout> {
        Self::validate(spec, Some(now_unix_ms()))
    }

    /// Like [`Self::new`] without the "epoch not in the future" check.
    pub fn new_unchecked_epoch(spec: WideSpec) -> Result<WideLayout> {
        Self::validate(spec, None)
    }

    fn validate(spec: WideSpec, now_ms: Option<u64>) -> Result<WideLayout> {
        let WideSpec {
            name,
            fields: specs,
            epoch_ms,
            tick_ms,
            width,
        } = spec;
        check_name(&name)?;
        if !(1..=MAX_WIDE_BITS).contains(&width) {
            return Err(Error::InvalidSetting {
                setting: "width".into(),
                value: width.to_string(),
                expected: format!("an ID width of 1..={MAX_WIDE_BITS} bits"),
            });
        }
        check_fields(&specs, |kind| match kind {
            FieldKind::Node => MAX_NODE_BITS,
            FieldKind::Timestamp => MAX_WIDE_TIMESTAMP_BITS,
            FieldKind::Sequence => MAX_WIDE_SEQUENCE_BITS,
            FieldKind::Constant | FieldKind::Random => 64,
        })?;
        let sum: u32 = specs.iter().map(|f| f.bits).sum();
        if sum != width {
            return Err(Error::LayoutBitsSum {
                got: sum,
                expected: width,
                reason: match width {
                    JS_SAFE_BITS => "a JS-safe layout has 53 bits, so every ID is at most 2^53 - 1",
                    MAX_WIDE_BITS => "a 128-bit layout fills all 128 bits",
                    _ => "the fields fill the layout's width",
                },
            });
        }
        let node_bits: u32 = specs
            .iter()
            .filter(|f| f.kind == FieldKind::Node)
            .map(|f| f.bits)
            .sum();
        if node_bits > MAX_WIDE_NODE_BITS {
            return Err(Error::InvalidSetting {
                setting: "node fields".into(),
                value: format!("{node_bits} bits in all"),
                expected: format!(
                    "at most {MAX_WIDE_NODE_BITS} node bits in all (node numbers are claimed and marked as one 64-bit slot number)"
                ),
            });
        }
        check_tick_and_epoch(tick_ms, epoch_ms, now_ms)?;
        // The last instant of the time field must fit u64 milliseconds.
        let t = specs
            .iter()
            .find(|f| f.kind == FieldKind::Timestamp)
            .expect("counted");
        let last = u128::from(epoch_ms) + (1u128 << t.bits) * u128::from(tick_ms) - 1;
        if last > u128::from(u64::MAX) {
            let room = (u128::from(u64::MAX - epoch_ms) + 1) / u128::from(tick_ms);
            return Err(Error::FieldWidth {
                field: t.name.clone(),
                kind: FieldKind::Timestamp,
                bits: t.bits,
                min: 1,
                max: 127 - room.leading_zeros(),
            });
        }
        Ok(WideLayout {
            shape: Shape::place(name, specs, width, epoch_ms, tick_ms),
            width,
        })
    }

    /// A wide preset by name, exactly: `wide128`, `jssafe`, `uuid7` or `ulid`.
    pub fn preset(name: &str) -> Result<WideLayout> {
        match name {
            "wide128" => Ok(Self::wide128()),
            "jssafe" => Ok(Self::jssafe()),
            "uuid7" => Ok(Self::uuid7()),
            "ulid" => Ok(Self::ulid()),
            _ => Err(not_a_wide_layout(name)),
        }
    }

    /// `wide128`: 64 bits of Unix milliseconds (epoch 0, so the top 64 bits
    /// of an ID are its Unix time in ms), 16-bit `datacenter`, 32-bit
    /// `worker`, 16-bit `sequence` (65,536 IDs per ms = 65.5M IDs/s per
    /// node). The design's 64 | 48 | 16 split, with a millisecond tick
    /// rather than nanoseconds: the clocks read milliseconds, and a
    /// millisecond tick keeps tick and sequence in one 64-bit word, so the
    /// generator stays one compare-and-swap per ID. A generator issues
    /// until 2^47 ms (year 6429); the field itself lasts 584 million years.
    pub fn wide128() -> WideLayout {
        Self::new_unchecked_epoch(WideSpec {
            name: "wide128".into(),
            fields: vec![
                FieldSpec::timestamp(64),
                FieldSpec::node("datacenter", 16),
                FieldSpec::node("worker", 32),
                FieldSpec::sequence(16),
            ],
            epoch_ms: 0,
            tick_ms: 1,
            width: 128,
        })
        .expect("presets are valid")
    }

    /// `jssafe`: 53 bits, so every ID is at most 2^53 - 1 and a JavaScript
    /// `number` or any JSON parser holds it exactly. 38 bits of 10 ms ticks
    /// from 2025-01-01T00:00:00Z (87 years, to 2112), a 7-bit `worker`
    /// (128 nodes), an 8-bit `sequence` (256 per 10 ms = 25,600 IDs/s per
    /// node, 3.3M IDs/s for 128 nodes).
    pub fn jssafe() -> WideLayout {
        Self::new_unchecked_epoch(WideSpec {
            name: "jssafe".into(),
            fields: vec![
                FieldSpec::timestamp(38),
                FieldSpec::node("worker", 7),
                FieldSpec::sequence(8),
            ],
            epoch_ms: 1_735_689_600_000,
            tick_ms: 10,
            width: JS_SAFE_BITS,
        })
        .expect("presets are valid")
    }

    /// `uuid7`: a UUID version 7 (RFC 9562) that is unique by construction:
    /// 48 bits of Unix ms | `version:4` = 7 | a 12-bit `sequence` in
    /// `rand_a` (§6.2, method 1: 4,096 IDs per ms per node; when a
    /// millisecond's are used up the generator waits for the next one, as
    /// the 64-bit generator does) | `variant:2` = 0b10 | the node numbers at
    /// the top of `rand_b`, `datacenter:8` and `worker:16` | `random:38`,
    /// drawn for each ID.
    pub fn uuid7() -> WideLayout {
        Self::new_unchecked_epoch(WideSpec {
            name: "uuid7".into(),
            fields: vec![
                FieldSpec::timestamp(48),
                FieldSpec::constant("version", 4, 7),
                FieldSpec::sequence(12),
                FieldSpec::constant("variant", 2, 0b10),
                FieldSpec::node("datacenter", 8),
                FieldSpec::node("worker", 16),
                FieldSpec::random("random", 38),
            ],
            epoch_ms: 0,
            tick_ms: 1,
            width: 128,
        })
        .expect("presets are valid")
    }

    /// `ulid`: a ULID that is unique by construction: 48 bits of Unix ms,
    /// then 80 bits made of a 16-bit `sequence` (65,536 IDs per ms per
    /// node, so IDs are monotonic within a generator), the node numbers
    /// `datacenter:8` and `worker:16`, and `random:40`, drawn for each ID.
    pub fn ulid() -> WideLayout {
        Self::new_unchecked_epoch(WideSpec {
            name: "ulid".into(),
            fields: vec![
                FieldSpec::timestamp(48),
                FieldSpec::sequence(16),
                FieldSpec::node("datacenter", 8),
                FieldSpec::node("worker", 16),
                FieldSpec::random("random", 40),
            ],
            epoch_ms: 0,
            tick_ms: 1,
            width: 128,
        })
        .expect("presets are valid")
    }

    /// The constant fields' values in place (a UUID's version and variant;
    /// 0 for layouts without constant fields).
    pub fn constant_bits(&self) -> u128 {
        self.shape.constant_bits()
    }

    /// The bits of the random fields (0 for layouts without any).
    pub fn random_mask(&self) -> u128 {
        self.shape.kind_mask(FieldKind::Random)
    }

    /// Fields in the text form `name:bits|name:bits|...`, most significant
    /// first; a field's kind follows from its name ([`FieldSpec::inferred`]).
    pub fn parse_fields(text: &str) -> Result<Vec<FieldSpec>> {
        let bad = || not_a_wide_layout(text);
        let mut out = Vec::new();
        for part in text.split('|') {
            let (name, bits) = part.split_once(':').ok_or_else(bad)?;
            if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || bits.len() > 3 {
                return Err(bad());
            }
            let bits: u32 = bits.parse().map_err(|_| bad())?;
            if out.len() == MAX_NODE_FIELDS + 2 {
                return Err(Error::FieldCount {
                    kind: FieldKind::Node,
                    got: (out.len() - 1) as u32,
                    min: 1,
                    max: MAX_NODE_FIELDS as u32,
                });
            }
            out.push(FieldSpec::inferred(name, bits));
        }
        Ok(out)
    }

    /// The layout's name.
    pub fn name(&self) -> &str {
        &self.shape.name
    }
    /// Width of every ID in bits.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Whether every ID fits a JavaScript `number` exactly (width <= 53).
    pub fn is_js_safe(&self) -> bool {
        self.width <= JS_SAFE_BITS
    }
    /// `Ok` for a JS-safe layout; otherwise the error a binding raises when
    /// asked for IDs as JavaScript numbers (or any double).
    pub fn require_js_safe(&self) -> Result<()> {
        if self.is_js_safe() {
            return Ok(());
        }
        Err(Error::InvalidSetting {
            setting: "layout".into(),
            value: format!("{} ({} bits)", self.shape.name, self.width),
            expected: format!(
                "a JS-safe layout (at most {JS_SAFE_BITS} bits, e.g. \"jssafe\") for IDs as numbers; use bigints for wider IDs"
            ),
        })
    }
    /// All fields, most significant first.
    pub fn fields(&self) -> &[WideField] {
        &self.shape.fields
    }
    /// The time field.
    pub fn time_field(&self) -> &WideField {
        self.shape.time_field()
    }
    /// The sequence field.
    pub fn sequence_field(&self) -> &WideField {
        self.shape.sequence_field()
    }
    /// The node fields, most significant first.
    pub fn node_fields(&self) -> impl DoubleEndedIterator<Item = &WideField> + '_ {
        self.shape.node_fields()
    }
    /// Number of node fields.
    pub fn node_count(&self) -> usize {
        self.shape.node_count()
    }
    /// The node fields' names.
    pub fn node_names(&self) -> Vec<&str> {
        self.shape.node_names()
    }
    /// Index of the node field called `name`.
    pub fn node_index(&self, name: &str) -> Result<usize> {
        self.shape.node_index(name)
    }
    /// Epoch in ms since the Unix epoch.
    pub fn epoch_ms(&self) -> u64 {
        self.shape.epoch_ms
    }
    /// Tick length in ms.
    pub fn tick_ms(&self) -> u64 {
        self.shape.tick_ms
    }
    /// Largest ID: `2^width - 1`.
    pub fn max_id(&self) -> u128 {
        u128::mask(self.width)
    }
    /// The specification this layout was built from.
    pub fn spec(&self) -> WideSpec {
        WideSpec {
            name: self.shape.name.clone(),
            fields: self.shape.field_specs(),
            epoch_ms: self.shape.epoch_ms,
            tick_ms: self.shape.tick_ms,
            width: self.width,
        }
    }

    /// The same layout with another epoch (validated again).
    pub fn with_epoch(&self, epoch_ms: u64) -> Result<WideLayout> {
        WideLayout::new(WideSpec {
            epoch_ms,
            ..self.spec()
        })
    }

    /// The 64-bit layout that stands for this one's node numbers when they
    /// are claimed (slot locks) and marked (the high-water mark): the same
    /// name, node fields, epoch and tick, between a 1-bit time field and a
    /// sequence that fill 64 bits. Its ticks are this layout's ticks.
    pub fn node_view(&self) -> Layout {
        let node_bits = self.shape.node_bits_total();
        let mut fields = vec![FieldSpec::timestamp(1)];
        fields.extend(
            self.node_fields()
                .map(|f| FieldSpec::new(f.name(), f.bits(), FieldKind::Node)),
        );
        fields.push(FieldSpec::sequence(63 - node_bits));
        Layout::new_unchecked_epoch(LayoutSpec {
            name: self.shape.name.clone(),
            fields,
            epoch_ms: self.shape.epoch_ms,
            tick_ms: self.shape.tick_ms,
            sign_bit: false,
        })
        .expect("node bits <= 62 and the epoch were checked")
    }

    /// Ticks a generator's one-word state can reach: `2^bits` of them.
    pub(crate) fn issue_tick_bits(&self) -> u32 {
        let t = self.time_field().bits();
        t.min(63 - self.sequence_field().bits()).min(62)
    }

    /// Tick of an instant (ms since the Unix epoch), or an error if the
    /// layout cannot represent it.
    pub fn tick_of(&self, ms: i64) -> Result<u64> {
        self.tick_of_wide(ms.into())
    }

    /// [`Self::tick_of`] for any instant up to `u64::MAX` ms (the end of
    /// a 64-bit time field of milliseconds).
    pub fn tick_of_wide(&self, ms: i128) -> Result<u64> {
        u128::try_from(ms)
            .ok()
            .and_then(|t| self.shape.tick_in(t, self.capacity().end_ms))
            .ok_or_else(|| self.out_of_range(ms))
    }

    pub(crate) fn out_of_range(&self, ms: i128) -> Error {
        self.shape.out_of_range(ms, self.capacity().end_ms)
    }

    /// Checks node values against the node fields' widths.
    pub fn check_nodes(&self, nodes: &[u64]) -> Result<[u32; MAX_NODE_FIELDS]> {
        self.shape.check_nodes(nodes)
    }

    /// The node fields' bits of an ID, shifted into place.
    pub fn node_bits(&self, nodes: &[u64]) -> Result<u128> {
        self.shape.node_bits(nodes)
    }

    /// Builds an ID from a raw tick, a sequence and node values.
    pub fn compose_tick(&self, tick: u64, sequence: u64, nodes: &[u64]) -> Result<u128> {
        self.shape.compose_tick(tick, sequence, nodes)
    }

    /// Builds an ID from parts (`timestamp_ms` rounded down to its tick).
    pub fn compose(&self, parts: &Parts) -> Result<u128> {
        let ts = i128::from(parts.timestamp_ms);
        let nodes: Vec<u64> = parts.nodes[..self.node_count()]
            .iter()
            .map(|&v| u64::from(v))
            .collect();
        self.compose_tick(self.tick_of_wide(ts)?, parts.sequence, &nodes)
    }

    /// Builds an ID from host values, like [`Layout::compose_values`]:
    /// `timestamp` in ms since the Unix epoch, `sequence` (absent: 0) and
    /// every node field by name.
    pub fn compose_values(
        &self,
        timestamp: &crate::Value,
        sequence: Option<&crate::Value>,
        nodes: &[(&str, &crate::Value)],
    ) -> Result<u128> {
        let ms = match timestamp.integer("timestamp")? {
            Some(i) => i,
            None => {
                return Err(self.out_of_range(if timestamp.describe().starts_with('-') {
                    i128::MIN
                } else {
                    i128::MAX
                }))
            }
        };
        let tick = self.tick_of_wide(ms)?;
        self.shape
            .compose_host(tick, sequence, self.sequence_field().name(), nodes)
    }

    /// Splits an ID into its parts; an ID wider than the layout is an error.
    pub fn decode(&self, id: u128) -> Result<Parts> {
        if id > self.max_id() {
            return Err(self.id_out_of_range(id));
        }
        self.check_constants(id)?;
        Ok(self.shape.parts(id))
    }

    /// `Ok` when the constant fields of `id` hold their values (a uuid7's
    /// version 7 and variant 0b10), else the error naming the first field
    /// that differs.
    pub fn check_constants(&self, id: u128) -> Result<()> {
        for f in self
            .fields()
            .iter()
            .filter(|f| f.kind() == FieldKind::Constant)
        {
            if f.get(id) != f.value() {
                return Err(Error::InvalidSetting {
                    setting: "id".into(),
                    value: format!("{id:#034x}"),
                    expected: format!(
                        "an id of layout `{}`: its `{}` field is {}, not {}",
                        self.shape.name,
                        f.name(),
                        f.value(),
                        f.get(id)
                    ),
                });
            }
        }
        Ok(())
    }

    /// [`Error::IdOutOfRange`] when both numbers fit 64 bits, else
    /// [`Error::InvalidSetting`] with the same content.
    pub(crate) fn id_out_of_range(&self, id: u128) -> Error {
        match (u64::try_from(id), u64::try_from(self.max_id())) {
            (Ok(id), Ok(max)) => Error::IdOutOfRange {
                id,
                layout: self.shape.name.clone(),
                max,
            },
            _ => Error::InvalidSetting {
                setting: "id".into(),
                value: id.to_string(),
                expected: format!(
                    "an id of layout `{}`: 0..={} ({} bits)",
                    self.shape.name,
                    self.max_id(),
                    self.width
                ),
            },
        }
    }

    /// Smallest ID any node can issue in the tick holding instant `ms`.
    pub fn min_id_at(&self, ms: i64) -> Result<u128> {
        Ok(self.shape.min_id_of_tick::<u128>(self.tick_of(ms)?) | self.constant_bits())
    }

    /// Largest ID any node can issue in the tick holding instant `ms`.
    pub fn max_id_at(&self, ms: i64) -> Result<u128> {
        let constants = self.shape.kind_mask::<u128>(FieldKind::Constant);
        let max = self.shape.max_id_of_tick(self.tick_of(ms)?, self.max_id());
        Ok((max & !constants) | self.constant_bits())
    }

    /// Lifespan, end, IDs per second per node, number of nodes.
    pub fn capacity(&self) -> WideCapacity {
        let tick = u128::from(self.shape.tick_ms);
        let lifespan_ms = (1u128 << self.time_field().bits()) * tick;
        let issue_ms = (1u128 << self.issue_tick_bits()) * tick;
        let epoch_ms = u128::from(self.shape.epoch_ms);
        let (ids_per_tick, ids_per_second_per_node) = self.shape.rates();
        WideCapacity {
            lifespan_ms,
            end_ms: epoch_ms + lifespan_ms,
            issue_end_ms: epoch_ms + issue_ms.min(lifespan_ms),
            ids_per_tick,
            ids_per_second_per_node,
            nodes: 1u64 << self.shape.node_bits_total(),
        }
    }
}

impl fmt::Display for WideLayout {
    /// `wide128(timestamp:64|datacenter:16|worker:32|sequence:16, width=128, epoch=0ms, tick=1ms)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shape.write_fields(f, "")?;
        write!(
            f,
            ", width={}, epoch={}ms, tick={}ms)",
            self.width, self.shape.epoch_ms, self.shape.tick_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_round_trip() {
        for name in WIDE_PRESETS {
            let l = WideLayout::preset(name).unwrap();
            let ms = 1_800_000_000_123;
            let id = l
                .compose_tick(l.tick_of(ms).unwrap(), 5, &vec![3; l.node_count()])
                .unwrap();
            let p = l.decode(id).unwrap();
            assert_eq!((p.sequence, p.nodes[0]), (5, 3));
            assert!(l.min_id_at(ms).unwrap() <= id && id <= l.max_id_at(ms).unwrap());
            assert!(id <= l.max_id());
        }
        let js = WideLayout::jssafe();
        assert_eq!(js.max_id(), (1 << 53) - 1);
        let c = js.capacity();
        assert_eq!((c.ids_per_second_per_node, c.nodes), (25_600, 128));
        let w = WideLayout::wide128().capacity();
        assert_eq!(w.ids_per_second_per_node, 65_536_000);
        assert_eq!(w.issue_end_ms, 1 << 47);
    }

    #[test]
    fn bad_specs_name_the_problem() {
        let mut s = WideLayout::jssafe().spec();
        s.fields[1].bits = 8;
        let e = WideLayout::new(s).unwrap_err();
        assert_eq!(e.code(), "LAYOUT_BITS_SUM");
        assert!(e.to_string().contains("2^53 - 1"), "{e}");
        let mut s = WideLayout::wide128().spec();
        s.width = 130;
        assert_eq!(WideLayout::new(s).unwrap_err().code(), "INVALID_SETTING");
        let fields = WideLayout::parse_fields("timestamp:66|worker:46|sequence:16").unwrap();
        let e = WideLayout::new(WideSpec {
            name: "custom".into(),
            fields,
            epoch_ms: 0,
            tick_ms: 1,
            width: 128,
        })
        .unwrap_err();
        assert_eq!(e.code(), "FIELD_WIDTH");
    }
}
