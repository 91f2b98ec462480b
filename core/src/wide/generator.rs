//! The wide generator: a 64-bit [`Generator`] over the layout's *position*
//! (tick and sequence) and a constant node part.
//!
//! A wide ID is `tick | nodes | sequence` in up to 128 bits, but only the
//! tick and the sequence change from one ID to the next, and they fit one
//! 64-bit word. So the state is the 64-bit generator's own `AtomicU64`,
//! advanced by the same compare-and-swap, with all of its safety (clock
//! regression policy, borrowing, the persisted high-water mark, the fork
//! rule, shutdown); a wide ID is that position spread into the layout's
//! fields with two shifts and an OR of the node bits computed once. The
//! per-ID cost is the 64-bit generator's plus a few register operations.
//!
//! The position layout is `timestamp:T' | pad | sequence:S` (64 bits) with
//! `T' = min(T, 63 - S)`: a generator issues ticks below `2^T'`
//! ([`WideCapacity::issue_end_ms`](super::WideCapacity)), then reports
//! `TIME_EXHAUSTED`.

use crate::env::Environment;
use crate::error::{Error, FieldKind, Result};
use crate::generator::{ClockChoice, Config, Generator, RegressionPolicy, Stats};
use crate::layout::{FieldSpec, Layout, LayoutSpec, MAX_NODE_FIELDS};
use crate::node::{self, HighWaterFile, NodeSource};
use crate::options::{check_duplicates, GeneratorOptions, Settings};
use crate::value::Value;

use super::WideLayout;

/// The 64-bit layout holding a wide layout's tick and sequence.
fn position_layout(layout: &WideLayout) -> Result<Layout> {
    let s = layout.sequence_field().bits();
    let mut t = layout.issue_tick_bits();
    loop {
        let pad = 64 - t - s;
        let mut fields = vec![FieldSpec::timestamp(t)];
        if pad > 32 {
            fields.push(FieldSpec::node("pad_hi", pad - 32));
            fields.push(FieldSpec::node("pad_lo", 32));
        } else {
            fields.push(FieldSpec::node("pad", pad));
        }
        fields.push(FieldSpec::sequence(s));
        match Layout::new_unchecked_epoch(LayoutSpec {
            name: layout.name().to_owned(),
            fields,
            epoch_ms: layout.epoch_ms(),
            tick_ms: layout.tick_ms(),
            sign_bit: false,
        }) {
            Ok(l) => return Ok(l),
            // The epoch plus 2^t ticks must fit u64 ms: fewer ticks.
            Err(Error::FieldWidth {
                kind: FieldKind::Timestamp,
                max,
                ..
            }) if max >= 1 && max < t => t = max,
            Err(e) => return Err(e),
        }
    }
}

/// How a position is spread into an ID, chosen once per generator.
#[derive(Debug, Clone, Copy)]
enum Spread {
    /// The ID fits 64 bits (a JS-safe layout): 64-bit arithmetic.
    Narrow,
    /// The time field lies in the high word and the sequence in the low
    /// word (`wide128`): two 64-bit shifts, no 128-bit ones.
    Split,
    /// Anything else: 128-bit shifts.
    General,
}

/// A lock-free, `Send + Sync` generator of wide (`u128`) IDs for one node.
pub struct WideGenerator {
    inner: Generator,
    layout: WideLayout,
    nodes: [u32; MAX_NODE_FIELDS],
    node_bits: u128,
    /// The random fields' bits (0: none), and whether they reach above
    /// bit 63 (two draws per ID).
    random_mask: u128,
    random_wide: bool,
    spread: Spread,
    seq_bits: u32,
    seq_mask: u64,
    time_shift: u32,
    seq_shift: u32,
}

/// How a wide generator is configured without node sources (explicit node
/// numbers, no lock, no high-water mark): tests, and callers that manage
/// uniqueness themselves.
#[derive(Debug, Clone)]
pub struct WideConfig {
    /// The layout.
    pub layout: WideLayout,
    /// Node values in layout order.
    pub nodes: Vec<u64>,
    /// The clock.
    pub clock: ClockChoice,
    /// What to do when the clock is behind.
    pub on_regression: RegressionPolicy,
    /// Ticks the generator may borrow ahead of the clock.
    pub max_borrow_ticks: u64,
}

impl WideConfig {
    /// `layout` with node values `nodes`, the cached clock, the default policy.
    pub fn new(layout: WideLayout, nodes: &[u64]) -> Self {
        WideConfig {
            layout,
            nodes: nodes.to_vec(),
            clock: ClockChoice::Cached,
            on_regression: RegressionPolicy::default(),
            max_borrow_ticks: 0,
        }
    }
    /// Chooses the clock.
    pub fn clock(mut self, c: ClockChoice) -> Self {
        self.clock = c;
        self
    }
}

impl WideGenerator {
    /// A generator with explicit node numbers and no protection.
    pub fn new(config: WideConfig) -> Result<Self> {
        let mut c = Config::new(position_layout(&config.layout)?)
            .clock(config.clock)
            .on_regression(config.on_regression)
            .max_borrow_ticks(config.max_borrow_ticks);
        set_pads(&mut c)?;
        Self::assemble(config.layout, &config.nodes, Generator::new(c)?)
    }

    fn assemble(layout: WideLayout, nodes: &[u64], inner: Generator) -> Result<Self> {
        let checked = layout.check_nodes(nodes)?;
        // The constant fields (a UUID's version and variant) are set once,
        // with the node bits.
        let node_bits = layout.node_bits(nodes)? | layout.constant_bits();
        let random_mask = layout.random_mask();
        let (t, s) = (layout.time_field(), layout.sequence_field());
        let spread = if layout.width() <= 64 {
            Spread::Narrow
        } else if t.shift() >= 64 && s.shift() + s.bits() <= 64 {
            Spread::Split
        } else {
            Spread::General
        };
        Ok(WideGenerator {
            time_shift: t.shift(),
            seq_shift: s.shift(),
            seq_bits: s.bits(),
            seq_mask: s.max(),
            spread,
            random_mask,
            random_wide: random_mask >> 64 != 0,
            inner,
            layout,
            nodes: checked,
            node_bits,
        })
    }

    /// Issues one ID: unique for this layout and node, greater than every
    /// ID this generator issued before.
    #[inline(always)]
    pub fn next_id(&self) -> Result<u128> {
        let (pos, _) = self.inner.take_positions(1)?;
        Ok(self.spread(pos) | self.random())
    }

    /// Fresh bits for the random fields (0 when the layout has none): from
    /// the per-thread generator, no lock and no system call.
    #[inline(always)]
    fn random(&self) -> u128 {
        if self.random_mask == 0 {
            return 0;
        }
        let lo = u128::from(super::random::next_u64());
        let bits = if self.random_wide {
            (u128::from(super::random::next_u64()) << 64) | lo
        } else {
            lo
        };
        bits & self.random_mask
    }

    /// The ID of position `(tick << sequence_bits) | sequence`.
    #[inline(always)]
    fn spread(&self, pos: u64) -> u128 {
        let tick = pos >> self.seq_bits;
        let seq = pos & self.seq_mask;
        match self.spread {
            Spread::Narrow => u128::from(
                (tick << self.time_shift) | (seq << self.seq_shift) | self.node_bits as u64,
            ),
            Spread::Split => {
                let hi = (tick << (self.time_shift - 64)) | (self.node_bits >> 64) as u64;
                let lo = (seq << self.seq_shift) | self.node_bits as u64;
                (u128::from(hi) << 64) | u128::from(lo)
            }
            Spread::General => {
                (u128::from(tick) << self.time_shift)
                    | (u128::from(seq) << self.seq_shift)
                    | self.node_bits
            }
        }
    }

    /// Fills `out` with consecutive IDs (as the 64-bit `next_batch`), one
    /// compare-and-swap per tick's worth: returns how many were written; an
    /// error only when none was.
    pub fn next_batch(&self, out: &mut [u128]) -> Result<usize> {
        let step = 1u128 << self.seq_shift;
        let mut filled = 0;
        while filled < out.len() {
            match self.inner.take_positions((out.len() - filled) as u64) {
                Ok((pos, n)) => {
                    // Positions of one take share their tick: the IDs step
                    // by one sequence unit.
                    let mut id = self.spread(pos);
                    for slot in &mut out[filled..filled + n as usize] {
                        *slot = id | self.random();
                        id = id.wrapping_add(step);
                    }
                    filled += n as usize;
                }
                Err(e) if filled == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(filled)
    }

    /// The layout.
    pub fn layout(&self) -> &WideLayout {
        &self.layout
    }
    /// Node values in layout order.
    pub fn nodes(&self) -> &[u32] {
        &self.nodes[..self.layout.node_count()]
    }
    /// The counters (those of the position generator); the node numbers
    /// are this layout's (the position generator's node fields are padding).
    pub fn stats(&self) -> Stats {
        let mut s = self.inner.stats();
        s.nodes_total = self.layout.capacity().nodes;
        s.nodes_free = s.nodes_total.saturating_sub(s.nodes_in_use);
        s
    }
    /// Where the node numbers came from.
    pub fn source(&self) -> &str {
        self.inner.source()
    }
    /// Lowers the high-water mark to the last tick issued (see
    /// [`Generator::shutdown`]).
    pub fn shutdown(&self) {
        self.inner.shutdown()
    }
    /// Whether this generator was created before a `fork()` (it then refuses
    /// to issue, as the 64-bit one does).
    pub fn is_forked(&self) -> bool {
        self.inner.is_forked()
    }
}

impl std::fmt::Debug for WideGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WideGenerator")
            .field("layout", &self.layout.to_string())
            .field("nodes", &self.nodes())
            .field("source", &self.source())
            .finish()
    }
}

fn set_pads(c: &mut Config) -> Result<()> {
    let names: Vec<String> = c
        .layout
        .node_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for n in names {
        c.set_node(&n, 0)?;
    }
    Ok(())
}

/// Resolved settings of a wide generator: the layout, and the 64-bit
/// settings of its node view (clock, policy, node source, protection).
#[derive(Debug, Clone)]
pub struct WideSettings {
    /// The wide layout, with any epoch override.
    pub layout: WideLayout,
    /// Everything else, resolved by the 64-bit rules against
    /// [`WideLayout::node_view`].
    pub base: Settings,
}

impl WideSettings {
    /// The settings as canonical JSON: the 64-bit summary plus `width`.
    pub fn summary_json(&self) -> String {
        let s = self.base.summary_json();
        format!("{},\"width\":{}}}", &s[..s.len() - 1], self.layout.width())
    }

    /// Builds the generator: claims (and locks) the node numbers and reads
    /// the high-water mark, as [`Settings::build`] does for 64-bit layouts.
    pub fn build(&self) -> Result<WideGenerator> {
        let b = &self.base;
        let mut config = Config::new(position_layout(&self.layout)?)
            .clock(b.clock.clone())
            .on_regression(b.on_regression)
            .max_borrow_ticks(b.max_borrow_ticks)
            .random_sequence_start(b.random_sequence_start);
        set_pads(&mut config)?;
        if !b.protect {
            let nodes = b.node.source.fixed_nodes().unwrap_or(&[]).to_vec();
            return WideGenerator::assemble(self.layout.clone(), &nodes, Generator::new(config)?);
        }
        let view = &b.layout;
        let claim = node::claim(view, &b.node)?;
        let mut reserve = None;
        if b.node.persist {
            let (hw, mark) =
                HighWaterFile::open(&b.node.state_dir, view, &claim.nodes, b.node.window_ms)?;
            config.floor_tick = mark;
            reserve = Some(hw);
        }
        let floor = config.floor_tick;
        let mut g = Generator::new(config)?;
        if let Some(hw) = reserve {
            g = g.with_reserve(Box::new(hw), floor);
        }
        let nodes = claim.nodes.clone();
        let description = claim.description.clone();
        let g = g.with_guard(Box::new(claim), description);
        WideGenerator::assemble(self.layout.clone(), &nodes, g)
    }
}

/// The wide layout a `layout` option names: a wide preset, or fields in the
/// text form `name:bits|...` (then `width`, default 128, and `tick_ms`,
/// default 1, apply; the epoch is 0 unless `epoch` is given).
fn wide_layout(o: &GeneratorOptions) -> Result<WideLayout> {
    let width = o.given("width");
    let tick = o.given("tick_ms");
    let text = match o.given("layout") {
        None => "wide128",
        Some((name, v)) => v.string(name, super::layout::WIDE_LAYOUT_EXPECTED)?,
    };
    if !text.contains(':') {
        if let Some((name, v)) = width.or(tick) {
            return Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: v.describe(),
                expected: "no value: `width` and `tick_ms` go with custom fields, not a preset"
                    .into(),
            });
        }
        return WideLayout::preset(text);
    }
    let fields = WideLayout::parse_fields(text)?;
    let width = match width {
        Some((name, v)) => v.int_in(name, 1, 128)? as u32,
        None => 128,
    };
    let tick_ms = match tick {
        Some((name, v)) => v.int_in(name, 1, crate::layout::MAX_TICK_MS.into())? as u64,
        None => 1,
    };
    WideLayout::new(super::WideSpec {
        name: "custom".into(),
        fields,
        epoch_ms: 0,
        tick_ms,
        width,
    })
}

/// The wide layout options ask for: `layout` (a wide preset, or fields in
/// the text form `name:bits|...`, then `width`, default 128, and `tick_ms`,
/// default 1), and `epoch` (ms since the Unix epoch; default the preset's,
/// 0 for custom fields). Other options are not looked at.
pub fn wide_layout_of(o: &GeneratorOptions) -> Result<WideLayout> {
    check_duplicates(o)?;
    let layout = wide_layout(o)?;
    let Some((name, v)) = o.given("epoch") else {
        return Ok(layout);
    };
    if matches!(layout.name(), "uuid7" | "ulid") {
        // Their time field is Unix ms by definition (RFC 9562, the ULID spec).
        return Err(Error::InvalidSetting {
            setting: name.to_owned(),
            value: v.describe(),
            expected: format!(
                "no value: the {} preset counts Unix ms from 1970-01-01",
                layout.name()
            ),
        });
    }
    let epoch = match v.integer(name)? {
        Some(i) if i < 0 => None,
        Some(i) => Some(u64::try_from(i).unwrap_or(u64::MAX)),
        None if v.describe().starts_with('-') => None,
        None => Some(u64::MAX),
    };
    let epoch = epoch.ok_or_else(|| Error::InvalidSetting {
        setting: name.to_owned(),
        value: v.describe(),
        expected: "an instant at or after 1970-01-01 (ms since the Unix epoch, >= 0)".into(),
    })?;
    layout.with_epoch(epoch)
}

/// Resolves wide generator options: `layout` (a wide preset or fields),
/// `width`, `tick_ms`, `epoch` ([`wide_layout_of`]), then every other 64-bit option (`clock`,
/// `on_regression`, node fields, `node_source`, `protect`, ...) by the
/// 64-bit rules (`testdata/OPTIONS.md`) against the layout's node view.
pub fn resolve_wide(o: &GeneratorOptions, env: &Environment) -> Result<WideSettings> {
    let layout = wide_layout_of(o)?;
    let rest = o
        .without(&["layout", "width", "tick_ms", "epoch"])
        .with("layout", Value::Layout(layout.node_view()));
    wide_settings(layout, rest.resolve_in(env)?)
}

/// The settings of the process default generator of a wide preset
/// (`uuid7`, `ulid`): the default generator's rule over the environment
/// (`SNOWID_*`, else a machine-local slot; `testdata/OPTIONS.md`, "The
/// environment") with the preset's layout.
pub fn resolve_wide_default(preset: &str, env: &Environment) -> Result<WideSettings> {
    let layout = WideLayout::preset(preset)?;
    let o = GeneratorOptions::new().with("layout", Value::Layout(layout.node_view()));
    wide_settings(layout, crate::options::resolve_default(Some(&o), env)?)
}

/// Refuses what a wide generator does not wire yet (lanes, leases).
fn wide_settings(layout: WideLayout, base: Settings) -> Result<WideSettings> {
    if base.lanes > 1 {
        return Err(Error::InvalidSetting {
            setting: "lanes".into(),
            value: base.lanes.to_string(),
            expected: "1 for a wide generator (lanes are not wired for wide layouts yet)".into(),
        });
    }
    if matches!(
        base.node.source,
        NodeSource::Local
            | NodeSource::Explicit(_)
            | NodeSource::Env(_)
            | NodeSource::Kubernetes(_)
    ) {
        return Ok(WideSettings { layout, base });
    }
    Err(Error::InvalidSetting {
        setting: "node_source".into(),
        value: format!("{:?}", base.node.source.name()),
        expected: "a machine-local source for a wide generator (explicit, env, k8s, local); leases are not wired for wide layouts yet".into(),
    })
}

impl WideGenerator {
    /// Resolves `options` ([`resolve_wide`]) and builds the generator.
    pub fn from_options(options: &GeneratorOptions) -> Result<Self> {
        resolve_wide(options, &Environment::process())?.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;

    #[test]
    fn ids_increase_and_decode_to_the_clock() {
        for l in [WideLayout::wide128(), WideLayout::jssafe()] {
            let at = 1_800_000_000_000;
            let clock = ManualClock::new(at);
            let n = vec![5; l.node_count()];
            let g = WideGenerator::new(
                WideConfig::new(l.clone(), &n).clock(ClockChoice::Manual(clock.clone())),
            )
            .unwrap();
            let a = g.next_id().unwrap();
            let b = g.next_id().unwrap();
            clock.advance(20);
            let mut batch = [0u128; 3];
            assert_eq!(g.next_batch(&mut batch).unwrap(), 3);
            assert!(a < b && b < batch[0] && batch[0] < batch[1] && batch[1] < batch[2]);
            let p = l.decode(batch[0]).unwrap();
            assert_eq!((p.timestamp_ms, p.sequence, p.nodes[0]), (at + 20, 0, 5));
            assert_eq!(l.decode(b).unwrap().sequence, 1);
            let s = g.stats();
            assert_eq!(s.issued, 5);
            // The node numbers are the wide layout's, not the padding's.
            let total = l.capacity().nodes;
            assert_eq!(
                (s.nodes_total, s.nodes_in_use, s.nodes_free),
                (total, 1, total - 1)
            );
            clock.advance(-1000);
            assert_eq!(g.next_id().unwrap_err().code(), "CLOCK_MOVED_BACKWARDS");
        }
    }

    #[test]
    fn options_resolve_through_the_core() {
        let env = Environment::from_pairs(Vec::<(String, String)>::new());
        let s = resolve_wide(
            &GeneratorOptions::new()
                .with("layout", "jssafe")
                .with("worker", 3)
                .with("protect", false),
            &env,
        )
        .unwrap();
        assert_eq!(s.layout, WideLayout::jssafe());
        assert!(
            s.summary_json().ends_with("\"width\":53}"),
            "{}",
            s.summary_json()
        );
        let e = resolve_wide(
            &GeneratorOptions::new()
                .with("layout", "timestamp:40|worker:10|sequence:12")
                .with("width", 53)
                .with("worker", 1),
            &env,
        )
        .unwrap_err();
        assert_eq!(e.code(), "LAYOUT_BITS_SUM");
        let e = resolve_wide(
            &GeneratorOptions::new()
                .with("layout", "wide128")
                .with("worker", 1),
            &env,
        )
        .unwrap_err();
        assert_eq!(e.code(), "MISSING_FIELD");
    }
}
