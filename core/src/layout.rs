//! Bit layouts: which fields an ID has, how wide each is, in what order, the
//! epoch and the tick. A [`Layout`] is a runtime value validated in one place,
//! [`Layout::new`]; every other function here is a pure function of it.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, FieldKind, Result};
use crate::word::Word;

mod host;
mod shape;
pub use host::LayoutBuilder;
pub(crate) use shape::{check_fields, check_tick_and_epoch, Shape};

/// Most node fields a layout may have.
pub const MAX_NODE_FIELDS: usize = 4;
/// Widest node field, in bits (node values are `u32`).
pub const MAX_NODE_BITS: u32 = 32;
/// Longest tick: one day.
pub const MAX_TICK_MS: u64 = 86_400_000;
const MAX_NAME_LEN: usize = 32;

/// One field of a layout specification, most significant first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// Field name: `[a-z_][a-z0-9_]*`, at most 32 characters.
    pub name: String,
    /// Width in bits.
    pub bits: u32,
    /// What the field holds.
    pub kind: FieldKind,
    /// The value of a [`FieldKind::Constant`] field (0 for other kinds).
    pub value: u64,
}

impl FieldSpec {
    /// The time field, named `timestamp`.
    pub fn timestamp(bits: u32) -> Self {
        Self::new("timestamp", bits, FieldKind::Timestamp)
    }
    /// The sequence field, named `sequence`.
    pub fn sequence(bits: u32) -> Self {
        Self::new("sequence", bits, FieldKind::Sequence)
    }
    /// A node field with its own name.
    pub fn node(name: &str, bits: u32) -> Self {
        Self::new(name, bits, FieldKind::Node)
    }
    /// A field whose kind follows from its name: `timestamp` is the time field,
    /// `sequence` the sequence, any other name a node field. This is the rule
    /// the bindings use for custom layouts given as `(name, bits)` pairs.
    pub fn inferred(name: &str, bits: u32) -> Self {
        let kind = match name {
            "timestamp" => FieldKind::Timestamp,
            "sequence" => FieldKind::Sequence,
            _ => FieldKind::Node,
        };
        Self::new(name, bits, kind)
    }
    /// A field of any kind.
    pub fn new(name: &str, bits: u32, kind: FieldKind) -> Self {
        FieldSpec {
            name: name.to_owned(),
            bits,
            kind,
            value: 0,
        }
    }
    /// A field holding `value` in every ID (wide layouts only).
    pub fn constant(name: &str, bits: u32, value: u64) -> Self {
        FieldSpec {
            value,
            ..Self::new(name, bits, FieldKind::Constant)
        }
    }
    /// A field of random bits (wide layouts only).
    pub fn random(name: &str, bits: u32) -> Self {
        Self::new(name, bits, FieldKind::Random)
    }
}

/// Everything needed to build a [`Layout`]; validated by [`Layout::new`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayoutSpec {
    /// Name shown in messages and `Display` (`"custom"` if you have none).
    pub name: String,
    /// Fields from the most significant bit down.
    pub fields: Vec<FieldSpec>,
    /// The instant tick 0 stands for, in ms since the Unix epoch.
    pub epoch_ms: u64,
    /// Length of one tick in ms (1 for most layouts, 10 for Sonyflake).
    pub tick_ms: u64,
    /// `true`: the top bit is reserved and always 0, the fields fill 63 bits
    /// (Twitter; IDs fit a signed 64-bit column). `false`: fields fill 64 bits.
    pub sign_bit: bool,
}

/// One validated field, with its position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    name: String,
    kind: FieldKind,
    bits: u32,
    shift: u32,
    value: u64,
}

impl Field {
    /// A field at `shift` (the layouts validate before they make one).
    pub(crate) fn at(name: String, kind: FieldKind, bits: u32, shift: u32) -> Field {
        Field {
            name,
            kind,
            bits,
            shift,
            value: 0,
        }
    }
    /// The same field holding `value` (a constant field's).
    pub(crate) fn with_value(mut self, value: u64) -> Field {
        self.value = value;
        self
    }
    /// The value of a constant field (0 for other kinds).
    pub fn value(&self) -> u64 {
        self.value
    }
    /// The field's value in an ID of any width.
    #[inline]
    pub(crate) fn get<W: Word>(&self, id: W) -> u64 {
        (id >> self.shift).low_u64() & mask(self.bits)
    }
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What the field holds.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }
    /// Width in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }
    /// Position of the field's least significant bit.
    pub fn shift(&self) -> u32 {
        self.shift
    }
    /// Largest value the field holds.
    pub fn max(&self) -> u64 {
        mask(self.bits)
    }
}

#[inline]
pub(crate) const fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The values of an ID's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Parts {
    /// Start of the ID's tick, in ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// The raw time field: ticks since the layout's epoch.
    pub tick: u64,
    /// The sequence field.
    pub sequence: u64,
    /// Node field values in the order of [`Layout::node_fields`]; unused
    /// entries are 0.
    pub nodes: [u32; MAX_NODE_FIELDS],
}

impl Parts {
    /// The value of node field `i` (in layout order).
    pub fn node(&self, i: usize) -> u32 {
        self.nodes[i]
    }
}

/// Capacity figures of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// How long the time field lasts from the epoch, in ms.
    pub lifespan_ms: u64,
    /// First instant the time field cannot represent, in ms since the Unix epoch.
    pub end_ms: u64,
    /// IDs one node can issue per tick.
    pub ids_per_tick: u64,
    /// IDs one node can issue per second.
    pub ids_per_second_per_node: u64,
    /// Distinct node identities (product of the node fields' ranges).
    pub nodes: u64,
}

/// A validated bit layout. Cheap to clone; compare with `==`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Layout {
    shape: Shape,
    sign_bit: bool,
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shape.debug(f, "Layout", ("sign_bit", &self.sign_bit))
    }
}

/// Names of the presets, in the order [`Layout::preset`] accepts them.
pub const PRESETS: &[&str] = &["twitter", "discord", "instagram", "sonyflake"];

impl Layout {
    /// Validates a specification. Errors name the problem and the valid range.
    pub fn new(spec: LayoutSpec) -> Result<Layout> {
        Self::validate(spec, Some(now_unix_ms()))
    }

    /// Like [`Layout::new`] but without the "epoch not in the future" check;
    /// for decoding IDs of a layout whose epoch you cannot change.
    pub fn new_unchecked_epoch(spec: LayoutSpec) -> Result<Layout> {
        Self::validate(spec, None)
    }

    fn validate(spec: LayoutSpec, now_ms: Option<u64>) -> Result<Layout> {
        let LayoutSpec {
            name,
            fields: specs,
            epoch_ms,
            tick_ms,
            sign_bit,
        } = spec;
        check_name(&name)?;
        let total_bits = if sign_bit { 63 } else { 64 };
        if let Some(f) = specs
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Constant | FieldKind::Random))
        {
            return Err(Error::InvalidSetting {
                setting: format!("field `{}`", f.name),
                value: f.kind.to_string(),
                expected: "a timestamp, node or sequence field (constant and random fields are for wide layouts such as uuid7 and ulid)".into(),
            });
        }
        check_fields(&specs, |kind| match kind {
            FieldKind::Node => MAX_NODE_BITS,
            _ => total_bits - 2,
        })?;
        let sum: u32 = specs.iter().map(|f| f.bits).sum();
        if sum != total_bits {
            return Err(Error::LayoutBitsSum {
                got: sum,
                expected: total_bits,
                reason: if sign_bit {
                    "the sign bit is reserved, so 63 bits are used"
                } else {
                    "the sign bit is used, so all 64 bits are used"
                },
            });
        }
        check_tick_and_epoch(tick_ms, epoch_ms, now_ms)?;
        let layout = Layout {
            shape: Shape::place(name, specs, total_bits, epoch_ms, tick_ms),
            sign_bit,
        };
        // The epoch plus the lifespan must fit in u64 milliseconds.
        if epoch_ms
            .checked_add(layout.time_field().max().saturating_mul(tick_ms))
            .and_then(|e| e.checked_add(tick_ms))
            .is_none()
        {
            return Err(Error::FieldWidth {
                field: layout.time_field().name.clone(),
                kind: FieldKind::Timestamp,
                bits: layout.time_field().bits,
                min: 1,
                // 0 (no width fits) when the epoch leaves less than two
                // ticks before the end of u64 milliseconds
                max: 63u32.saturating_sub(((u64::MAX - epoch_ms) / tick_ms).leading_zeros()),
            });
        }
        Ok(layout)
    }

    /// A preset by name, exactly: `twitter`, `discord`, `instagram` or
    /// `sonyflake` (the one rule for every language's `layout=` argument;
    /// only `SNOWID_LAYOUT` is case-insensitive, like every variable).
    pub fn preset(name: &str) -> Result<Layout> {
        match name {
            "twitter" => Ok(Self::twitter()),
            "discord" => Ok(Self::discord()),
            "instagram" => Ok(Self::instagram()),
            "sonyflake" => Ok(Self::sonyflake()),
            _ => Err(Error::UnknownLayout {
                name: name.to_owned(),
            }),
        }
    }

    fn preset_spec(
        name: &str,
        fields: Vec<FieldSpec>,
        epoch_ms: u64,
        tick_ms: u64,
        sign_bit: bool,
    ) -> Layout {
        Self::new_unchecked_epoch(LayoutSpec {
            name: name.to_owned(),
            fields,
            epoch_ms,
            tick_ms,
            sign_bit,
        })
        .expect("presets are valid")
    }

    /// Twitter (the default): sign bit 0, 41 bits of ms, 5 datacenter,
    /// 5 worker, 12 sequence; epoch 1288834974657 (2010-11-04T01:42:54.657Z).
    pub fn twitter() -> Layout {
        Self::preset_spec(
            "twitter",
            vec![
                FieldSpec::timestamp(41),
                FieldSpec::node("datacenter", 5),
                FieldSpec::node("worker", 5),
                FieldSpec::sequence(12),
            ],
            1_288_834_974_657,
            1,
            true,
        )
    }

    /// Discord: 42 bits of ms, 5 worker, 5 process, 12 increment, all 64 bits;
    /// epoch 1420070400000 (2015-01-01T00:00:00Z).
    pub fn discord() -> Layout {
        Self::preset_spec(
            "discord",
            vec![
                FieldSpec::timestamp(42),
                FieldSpec::node("worker", 5),
                FieldSpec::node("process", 5),
                FieldSpec::new("increment", 12, FieldKind::Sequence),
            ],
            1_420_070_400_000,
            1,
            false,
        )
    }

    /// Instagram: 41 bits of ms, 13 shard, 10 sequence, all 64 bits;
    /// epoch 1314220021721 (2011-08-24T21:07:01.721Z).
    pub fn instagram() -> Layout {
        Self::preset_spec(
            "instagram",
            vec![
                FieldSpec::timestamp(41),
                FieldSpec::node("shard", 13),
                FieldSpec::sequence(10),
            ],
            1_314_220_021_721,
            1,
            false,
        )
    }

    /// Sonyflake: sign bit 0, 39 bits of 10 ms ticks, 8 sequence, 16 machine
    /// (time | sequence | machine); epoch 1409529600000 (2014-09-01T00:00:00Z).
    pub fn sonyflake() -> Layout {
        Self::preset_spec(
            "sonyflake",
            vec![
                FieldSpec::timestamp(39),
                FieldSpec::sequence(8),
                FieldSpec::node("machine", 16),
            ],
            1_409_529_600_000,
            10,
            true,
        )
    }

    /// The layout's name (`"twitter"`, or the custom spec's name).
    pub fn name(&self) -> &str {
        &self.shape.name
    }
    /// All fields, most significant first.
    pub fn fields(&self) -> &[Field] {
        &self.shape.fields
    }
    /// The time field.
    pub fn time_field(&self) -> &Field {
        self.shape.time_field()
    }
    /// The sequence field.
    pub fn sequence_field(&self) -> &Field {
        self.shape.sequence_field()
    }
    /// The node fields, most significant first.
    pub fn node_fields(&self) -> impl DoubleEndedIterator<Item = &Field> + ExactSizeIterator + '_ {
        self.shape.node_fields()
    }
    /// Number of node fields.
    pub fn node_count(&self) -> usize {
        self.shape.node_count()
    }
    /// Node field `i` (in layout order).
    pub fn node_field(&self, i: usize) -> Option<&Field> {
        self.shape.node_field(i)
    }
    /// Index of the node field called `name`.
    pub fn node_index(&self, name: &str) -> Result<usize> {
        self.shape.node_index(name)
    }
    /// The node fields' names.
    pub fn node_names(&self) -> Vec<&str> {
        self.shape.node_names()
    }
    /// Epoch in ms since the Unix epoch.
    pub fn epoch_ms(&self) -> u64 {
        self.shape.epoch_ms
    }
    /// Tick length in ms.
    pub fn tick_ms(&self) -> u64 {
        self.shape.tick_ms
    }
    /// Whether the top bit is reserved (always 0).
    pub fn sign_bit(&self) -> bool {
        self.sign_bit
    }
    /// Largest ID the layout can hold.
    pub fn max_id(&self) -> u64 {
        if self.sign_bit {
            i64::MAX as u64
        } else {
            u64::MAX
        }
    }
    /// Largest tick (time field value).
    pub fn max_tick(&self) -> u64 {
        self.time_field().max()
    }
    /// The specification this layout was built from.
    pub fn spec(&self) -> LayoutSpec {
        LayoutSpec {
            name: self.shape.name.clone(),
            fields: self.shape.field_specs(),
            epoch_ms: self.shape.epoch_ms,
            tick_ms: self.shape.tick_ms,
            sign_bit: self.sign_bit,
        }
    }

    /// Checks node values against the node fields' widths.
    pub fn check_nodes(&self, nodes: &[u32]) -> Result<[u32; MAX_NODE_FIELDS]> {
        self.shape.check_nodes(nodes)
    }

    /// The node fields' bits of an ID, already shifted into place.
    pub fn node_bits(&self, nodes: &[u32]) -> Result<u64> {
        self.shape.node_bits(nodes)
    }

    /// Node values (layout order) for slot `k`: the slots number every
    /// combination of node values, the last node field the least
    /// significant digit (Twitter: slot 33 is datacenter 1, worker 1).
    pub fn slot_nodes(&self, mut k: u64) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .node_fields()
            .rev()
            .map(|f| {
                let v = k & f.max();
                k >>= f.bits();
                v
            })
            .collect();
        out.reverse();
        out
    }

    /// The slot of node values in layout order (inverse of [`Self::slot_nodes`]).
    pub fn slot_of(&self, nodes: &[u64]) -> u64 {
        self.node_fields()
            .zip(nodes)
            .fold(0, |acc, (f, &v)| (acc << f.bits()) | v)
    }

    /// The name that keeps one ID space's node numbers apart from every
    /// other's (`t41.n5.n5.s12-1288834974657x1` for Twitter): each field's
    /// kind and width in order, the epoch and the tick. Not the layout's
    /// name: two layouts with the same bits issue from one ID space, so
    /// whatever they are called they must share slots, marks and lease keys.
    pub fn id_space(&self) -> String {
        let fields: Vec<String> = self
            .fields()
            .iter()
            .map(|f| {
                let k = match f.kind {
                    FieldKind::Timestamp => 't',
                    FieldKind::Node => 'n',
                    FieldKind::Sequence => 's',
                    FieldKind::Constant => 'c',
                    FieldKind::Random => 'r',
                };
                format!("{k}{}", f.bits)
            })
            .collect();
        format!(
            "{}-{}x{}",
            fields.join("."),
            self.shape.epoch_ms,
            self.shape.tick_ms
        )
    }

    /// Tick of an instant (ms since the Unix epoch), or an error if the layout
    /// cannot represent it.
    pub fn tick_of(&self, ms: i64) -> Result<u64> {
        match u64::try_from(ms) {
            Ok(ms) => self.tick_of_ms(ms),
            Err(_) => Err(self.out_of_range(ms.into())),
        }
    }

    /// [`Self::tick_of`] over the whole `u64` range: a layout whose ticks
    /// reach past `i64::MAX` ms (a long tick, no sign bit) decodes IDs whose
    /// `timestamp_ms` is above it, and they must compose back.
    fn tick_of_ms(&self, ms: u64) -> Result<u64> {
        self.shape
            .tick_in(ms.into(), self.capacity().end_ms.into())
            .ok_or_else(|| self.out_of_range(ms.into()))
    }

    /// [`Error::TimestampOutOfRange`] for the instant `ms`.
    pub(crate) fn out_of_range(&self, ms: i128) -> Error {
        self.shape.out_of_range(ms, self.capacity().end_ms.into())
    }

    /// Builds an ID from parts. `timestamp_ms` is rounded down to its tick;
    /// `parts.tick` is ignored.
    pub fn compose(&self, parts: &Parts) -> Result<u64> {
        let tick = self.tick_of_ms(parts.timestamp_ms)?;
        self.compose_tick(tick, parts.sequence, &parts.nodes[..self.node_count()])
    }

    /// Builds an ID from a raw tick, a sequence and node values.
    pub fn compose_tick(&self, tick: u64, sequence: u64, nodes: &[u32]) -> Result<u64> {
        self.shape.compose_tick(tick, sequence, nodes)
    }

    /// Splits an ID into its parts; rejects IDs with the reserved bit set.
    pub fn decode(&self, id: u64) -> Result<Parts> {
        if id > self.max_id() {
            return Err(Error::IdOutOfRange {
                id,
                layout: self.shape.name.clone(),
                max: self.max_id(),
            });
        }
        Ok(self.shape.parts(id))
    }

    /// Smallest ID any node can issue in the tick holding instant `ms`
    /// (`WHERE id >= min_id_at(from)`).
    pub fn min_id_at(&self, ms: i64) -> Result<u64> {
        Ok(self.shape.min_id_of_tick(self.tick_of(ms)?))
    }

    /// Largest ID any node can issue in the tick holding instant `ms`
    /// (`WHERE id <= max_id_at(to)`).
    pub fn max_id_at(&self, ms: i64) -> Result<u64> {
        Ok(self.shape.max_id_of_tick(self.tick_of(ms)?, self.max_id()))
    }

    /// Lifespan, end date, IDs per second per node, number of nodes.
    pub fn capacity(&self) -> Capacity {
        let ticks = 1u64 << self.time_field().bits; // < 2^63: checked in validate
        let lifespan_ms = ticks.saturating_mul(self.shape.tick_ms);
        let (ids_per_tick, ids_per_second_per_node) = self.shape.rates();
        Capacity {
            lifespan_ms,
            end_ms: self.shape.epoch_ms.saturating_add(lifespan_ms),
            ids_per_tick,
            ids_per_second_per_node,
            nodes: 1u64
                .checked_shl(self.shape.node_bits_total())
                .unwrap_or(u64::MAX),
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        Layout::twitter()
    }
}

impl fmt::Display for Layout {
    /// `twitter(timestamp:41|datacenter:5|worker:5|sequence:12, epoch=1288834974657ms, tick=1ms)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shape
            .write_fields(f, if self.sign_bit { "0|" } else { "" })?;
        write!(
            f,
            ", epoch={}ms, tick={}ms)",
            self.shape.epoch_ms, self.shape.tick_ms
        )
    }
}

/// Names of the parts shown beside node fields (`parts.tick`,
/// `parts.to_dict()`): reserved, with every option name.
const PART_NAMES: &[&str] = &[
    "id",
    "timestamp",
    "timestamp_ms",
    "tick",
    "sequence",
    "nodes",
    "to_dict",
];

const RESERVED_COUNT: usize =
    PART_NAMES.len() + crate::options::OPTION_NAMES.len() + crate::wide::WIDE_OPTION_NAMES.len();

/// `lists` one after the other (a `const` concatenation).
const fn concat<const N: usize>(lists: [&[&'static str]; 3]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            out[n] = lists[l][i];
            n += 1;
            i += 1;
        }
        l += 1;
    }
    assert!(n == N, "RESERVED_COUNT counts every list");
    out
}

/// Names a node field may not take: every binding shows node fields next to
/// these, as attributes of a parts object (`parts.worker` beside
/// `parts.tick`) or as keyword options (`Generator(layout=..., worker=7)`),
/// so a node field with one of these names would be hidden or ambiguous.
/// The parts' names, then every option name
/// ([`crate::options::OPTION_NAMES`], [`crate::wide::WIDE_OPTION_NAMES`]):
/// derived from the option tables, so a new option is reserved at once.
/// Names starting with `_` are reserved too (`__proto__`, Python's dunders).
pub const RESERVED_NODE_NAMES: &[&str] = &concat::<RESERVED_COUNT>([
    PART_NAMES,
    crate::options::OPTION_NAMES,
    crate::wide::WIDE_OPTION_NAMES,
]);

pub(crate) fn check_node_name(name: &str) -> Result<()> {
    let reason = if name.starts_with('_') {
        "node field names starting with _ are reserved"
    } else if RESERVED_NODE_NAMES.contains(&name) {
        static REASON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        REASON.get_or_init(|| {
            format!(
                "it is reserved for the parts and options shown beside node fields ({})",
                RESERVED_NODE_NAMES.join(", ")
            )
        })
    } else {
        return Ok(());
    };
    Err(Error::FieldName {
        name: name.to_owned(),
        reason,
    })
}

pub(crate) fn check_name(name: &str) -> Result<()> {
    let bad = |reason| {
        Err(Error::FieldName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("it is longer than 32 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return bad("only a-z, 0-9 and _ are allowed");
    }
    if name.as_bytes()[0].is_ascii_digit() {
        return bad("it starts with a digit");
    }
    Ok(())
}

pub(crate) fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Most fields a layout may have: the time field, the sequence and
/// [`MAX_NODE_FIELDS`] node fields.
pub const MAX_FIELDS: usize = MAX_NODE_FIELDS + 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_at_the_end_of_u64_ms_is_an_error_not_an_overflow() {
        // Found by the fuzz target `roundtrip`: the widest timestamp the
        // epoch leaves room for was computed as 63 - 64 when no tick fits.
        for (epoch_ms, tick_ms) in [(u64::MAX, 1), (u64::MAX - 1, 2), (u64::MAX - 5, 10)] {
            let e = Layout::new_unchecked_epoch(LayoutSpec {
                name: "late".into(),
                fields: vec![
                    FieldSpec::timestamp(41),
                    FieldSpec::node("worker", 10),
                    FieldSpec::sequence(12),
                ],
                epoch_ms,
                tick_ms,
                sign_bit: true,
            })
            .unwrap_err();
            assert_eq!(e.code(), "FIELD_WIDTH", "{e}");
        }
    }

    #[test]
    fn compose_inverts_decode_past_i64_max_ms() {
        // Found by the fuzz target `roundtrip`: compose clamped timestamp_ms
        // to i64::MAX, so an ID of a tick after it composed to another ID.
        let l = Layout::new(LayoutSpec {
            name: "long".into(),
            fields: vec![
                FieldSpec::timestamp(62),
                FieldSpec::node("n", 1),
                FieldSpec::sequence(1),
            ],
            epoch_ms: 0,
            tick_ms: 3,
            sign_bit: false,
        })
        .unwrap();
        for id in [u64::MAX, u64::MAX - 5, 1 << 63, (1 << 63) - 1] {
            let parts = l.decode(id).unwrap();
            assert_eq!(l.compose(&parts).unwrap(), id, "{id}");
        }
        assert!(l.decode(u64::MAX).unwrap().timestamp_ms > i64::MAX as u64);
        // past the end: an error naming the real instant, not a clamped one
        let mut p = l.decode(u64::MAX).unwrap();
        p.timestamp_ms = u64::MAX;
        let e = l.compose(&p).unwrap_err();
        assert_eq!(e.code(), "TIMESTAMP_OUT_OF_RANGE");
        assert!(e.to_string().contains(&u64::MAX.to_string()), "{e}");
    }

    #[test]
    fn discord_published_example() {
        // https://discord.com/developers/docs/reference#snowflakes
        let p = Layout::discord().decode(175_928_847_299_117_063).unwrap();
        assert_eq!(p.timestamp_ms, 1_462_015_105_796);
        assert_eq!(&p.nodes[..2], &[1, 0]);
        assert_eq!(p.sequence, 7);
    }

    #[test]
    fn bounds_cover_every_id_of_the_tick() {
        let l = Layout::sonyflake();
        let ms = 1_700_000_000_123;
        let lo = l.min_id_at(ms).unwrap();
        let hi = l.max_id_at(ms).unwrap();
        let id = l
            .compose_tick(l.tick_of(ms).unwrap(), 255, &[65535])
            .unwrap();
        assert!(lo <= id && id <= hi);
        assert_eq!(l.decode(hi).unwrap().tick, l.decode(lo).unwrap().tick);
        assert!(l.max_id_at(ms + 10).unwrap() > hi);
        assert_eq!(l.min_id_at(ms + 10).unwrap(), hi + 1);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut spec = Layout::twitter().spec();
        spec.fields[0].bits = 40;
        let e = Layout::new(spec).unwrap_err();
        assert_eq!(e.code(), "LAYOUT_BITS_SUM");
        assert!(e.to_string().contains("62 bits"), "{e}");
    }

    #[test]
    fn every_option_name_is_reserved() {
        for name in crate::options::OPTION_NAMES
            .iter()
            .chain(crate::wide::WIDE_OPTION_NAMES)
            .chain(PART_NAMES)
        {
            assert!(RESERVED_NODE_NAMES.contains(name), "{name}");
            let mut spec = Layout::twitter().spec();
            spec.fields[2].name = (*name).into();
            let e = Layout::new(spec).unwrap_err();
            assert_eq!(e.code(), "FIELD_NAME", "{name}");
            assert!(e.to_string().contains("reserved"), "{e}");
        }
        assert_eq!(
            RESERVED_NODE_NAMES.len(),
            PART_NAMES.len()
                + crate::options::OPTION_NAMES.len()
                + crate::wide::WIDE_OPTION_NAMES.len()
        );
    }

    #[test]
    fn node_names_beside_parts_and_options_are_reserved() {
        for bad in ["tick", "layout", "to_dict", "__proto__", "_x"] {
            let mut spec = Layout::twitter().spec();
            spec.fields[2].name = bad.into();
            let e = Layout::new(spec).unwrap_err();
            assert_eq!(e.code(), "FIELD_NAME", "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        // Only node fields: the sequence field may take any valid name
        // (Discord's is "increment"), and so may a layout.
        let mut spec = Layout::twitter().spec();
        spec.fields[3].name = "tick".into();
        spec.name = "_mine".into();
        Layout::new(spec).unwrap();
    }

    #[test]
    fn capacity_of_twitter() {
        let c = Layout::twitter().capacity();
        assert_eq!(c.ids_per_second_per_node, 4_096_000);
        assert_eq!(c.nodes, 1024);
        assert_eq!(c.lifespan_ms, 1 << 41);
    }
}
