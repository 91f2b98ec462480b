//! Module-level functions: the default generator (`snowid::default`),
//! decoding, composing and encoding with the default generator's layout when
//! none is given.

use std::sync::Arc;

use snowid::Encoding;

use crate::generator::{self, Stats};
use crate::layout::{Capacity, Layout, NodeValue, Parts};
use crate::values::{self, OptionEntry};
use crate::Result;

fn layout_or_default(layout: Option<Arc<Layout>>) -> Result<Arc<Layout>> {
    match layout {
        Some(l) => Ok(l),
        None => Ok(Layout::wrap(snowid::default::layout()?)),
    }
}

/// The next ID of the process default generator (generated, slow path;
/// `Snowid.next()` is the fast one).
#[uniffi::export]
pub fn next() -> Result<i64> {
    Ok(snowid::default::next_id()? as i64)
}

/// `n` IDs of the default generator (generated path).
#[uniffi::export]
pub fn next_batch(n: i64) -> Result<Vec<i64>> {
    generator::batch(snowid::default::generator()?, n)
}

/// Sets the default generator's options (what is not given comes from the
/// `SNOWID_*` environment). The same settings again are a no-op; others
/// fail once it has issued IDs.
#[uniffi::export]
pub fn configure(options: Vec<OptionEntry>) -> Result<()> {
    Ok(snowid::default::configure(values::options(options))?)
}

/// The default generator's layout (without creating the generator).
#[uniffi::export]
pub fn default_layout() -> Result<Arc<Layout>> {
    layout_or_default(None)
}

/// Where the default generator's node numbers came from, or `null` before
/// its first ID.
#[uniffi::export]
pub fn default_source() -> Option<String> {
    snowid::default::source()
}

/// The default generator's resolved settings as JSON, or `null` before its
/// first ID.
#[uniffi::export]
pub fn default_settings_json() -> Option<String> {
    snowid::default::settings_json()
}

/// The default generator's node values (creates it if needed).
#[uniffi::export]
pub fn default_nodes() -> Result<Vec<NodeValue>> {
    let g = snowid::default::generator()?;
    Ok(Layout {
        inner: g.layout().clone(),
    }
    .node_values(g.nodes()))
}

/// The default generator's counters (zero before its first ID).
#[uniffi::export]
pub fn stats() -> Stats {
    snowid::default::stats().into()
}

/// Whether the default generator can issue now, without issuing: reached
/// as `next()` reaches it (created on first use, claiming its numbers);
/// fails with the error the next ID would fail with.
#[uniffi::export]
pub fn ready() -> Result<()> {
    Ok(snowid::default::ready()?)
}

/// A clean exit: lowers the default generator's high-water mark to its last
/// tick, so the next process with its numbers does not wait. The facade
/// calls it from a JVM shutdown hook.
#[uniffi::export]
pub fn shutdown() {
    snowid::default::shutdown()
}

/// Splits an ID (`layout`: default, the default generator's).
#[uniffi::export(default(layout = None))]
pub fn inspect(id: i64, layout: Option<Arc<Layout>>) -> Result<Parts> {
    layout_or_default(layout)?.parts(id)
}

/// Builds an ID from a time in ms, a sequence and every node field.
#[uniffi::export(default(layout = None))]
pub fn compose(
    timestamp_ms: i64,
    sequence: Option<i64>,
    nodes: Vec<NodeValue>,
    layout: Option<Arc<Layout>>,
) -> Result<i64> {
    layout_or_default(layout)?.compose_parts(timestamp_ms, sequence, &nodes)
}

/// Smallest ID any node can issue at `ms`.
#[uniffi::export(default(layout = None))]
pub fn min_id_at(ms: i64, layout: Option<Arc<Layout>>) -> Result<i64> {
    layout_or_default(layout)?.id_floor(ms)
}

/// Largest ID any node can issue at `ms`.
#[uniffi::export(default(layout = None))]
pub fn max_id_at(ms: i64, layout: Option<Arc<Layout>>) -> Result<i64> {
    layout_or_default(layout)?.id_ceiling(ms)
}

/// Capacity of a layout (default: the default generator's).
#[uniffi::export(default(layout = None))]
pub fn capacity(layout: Option<Arc<Layout>>) -> Result<Capacity> {
    Ok(layout_or_default(layout)?.capacity_of())
}

/// An ID as text: `decimal` (unsigned), `hex` (16), `base32` (13,
/// Crockford) or `base62` (11); the fixed-width forms sort like the numbers.
#[uniffi::export]
pub fn encode(id: i64, encoding: String) -> Result<String> {
    Ok(Encoding::from_name(&encoding)?.encode(id as u64))
}

/// Parses text made by `encode` (a `Long` holding the ID's 64 bits).
#[uniffi::export]
pub fn parse(text: String, encoding: String) -> Result<i64> {
    Ok(Encoding::from_name(&encoding)?.parse(&text)? as i64)
}

/// The most IDs one batch call returns (`snowid::MAX_BATCH`).
#[uniffi::export]
pub fn max_batch() -> i64 {
    snowid::MAX_BATCH as i64
}

/// Throws the error the last JNI fast-path call on this thread left (if
/// any); the facade calls it when a fast call signals one.
#[uniffi::export]
pub fn take_pending_error() -> Result<()> {
    crate::fast::take_pending()
}
