//! Lanes: one generator holding several node numbers at once.
//!
//! `lanes = L` makes a [`Generator`] that claims L node numbers, each
//! through the same node source and with the same protection as a
//! one-lane generator (its own slot lock and its own high-water mark), and
//! issues from L independent states. Each thread uses one lane, chosen
//! round-robin in the order threads first ask any lane generator for an ID
//! (thread k uses lane k mod L), so up to L threads never touch the same
//! atomic, and the capacity is L x the layout's per-node cap.
//!
//! Where the numbers come from:
//!
//! | source | lane i's node number (in slot order) |
//! |---|---|
//! | explicit node fields, `env` | the given number + i (L consecutive numbers from it) |
//! | `k8s` ordinal o | o x L + i (pods never overlap) |
//! | `local`, `etcd`, `redis` | each lane claims the next free number, as another generator would |
//!
//! Ordering, honestly: IDs from one lane increase (a thread that keeps its
//! lane sees its own IDs increase); across lanes IDs are time-sortable (by
//! timestamp, the node bits order IDs of the same tick) but not in issue
//! order. `next_batch(n)` fills the buffer in up to L consecutive runs, one
//! per lane starting with the caller's: each run increases, the buffer as a
//! whole is not sorted.
//!
//! The path of one ID on a lane is the one-lane path plus a thread-local
//! read (the lane index); a lane still advances by compare-and-swap, since
//! more threads than lanes share lanes. On a lane only one thread uses the
//! CAS never fails and its cache line never moves between cores.
//!
//! Fork and shutdown: every lane follows the generator's rules (a forked
//! copy refuses to issue; `shutdown()` and drop lower every lane's mark).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::clock::Clock;
use crate::error::Result;
use crate::generator::Generator;
use crate::layout::Layout;
use crate::node::NodeSource;
use crate::options::Settings;

/// The most lanes one generator may hold.
pub const MAX_LANES: u32 = 1024;

static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_INDEX: u32 = NEXT_THREAD.fetch_add(1, Relaxed) as u32;
}

/// This thread's round-robin index (the same for every lane generator).
#[inline]
pub(crate) fn thread_index() -> u32 {
    THREAD_INDEX.with(|i| *i)
}

/// The constant that makes [`lane_of`] a remainder by `lanes` without a
/// division instruction (Lemire, Kaser and Kurz, "Faster remainder by
/// direct computation", 2019): `ceil(2^64 / lanes)`.
pub(crate) const fn lane_magic(lanes: u32) -> u64 {
    (u64::MAX / lanes as u64).wrapping_add(1)
}

/// `index % lanes` for any 32-bit `index`, with `magic = lane_magic(lanes)`:
/// two multiplications instead of a 64-bit division (tens of cycles, a
/// large part of the cost of one ID).
#[inline(always)]
pub(crate) fn lane_of(index: u32, lanes: u32, magic: u64) -> usize {
    let low = magic.wrapping_mul(u64::from(index));
    ((u128::from(low) * u128::from(lanes)) >> 64) as usize
}

/// The first slot of the L consecutive slots a fixed source gives.
fn first_slot(layout: &Layout, source: &NodeSource, fixed: &[u64], lanes: u32) -> u64 {
    let slot = layout.slot_of(fixed);
    match source {
        NodeSource::Kubernetes(_) => slot * u64::from(lanes),
        _ => slot,
    }
}

/// Whether a fixed source (explicit, env, k8s) provides `lanes` node
/// numbers; the error is the `expected` text of `INVALID_SETTING`.
pub(crate) fn check_fixed(
    layout: &Layout,
    source: &NodeSource,
    fixed: &[u64],
    lanes: u32,
) -> std::result::Result<(), String> {
    let nodes = layout.capacity().nodes;
    let first = first_slot(layout, source, fixed, lanes);
    if first.saturating_add(lanes.into()) <= nodes {
        return Ok(());
    }
    let from = match source {
        NodeSource::Kubernetes(_) => format!(
            "the StatefulSet ordinal {} x {lanes} lanes = node number {first}",
            layout.slot_of(fixed)
        ),
        _ => format!(
            "{} ({}), node number {first}",
            source.name(),
            crate::node::format_nodes(layout, fixed)
        ),
    };
    Err(format!(
        "at most {} lanes from {from}: lanes take consecutive node numbers and layout {} has {nodes} (0..={})",
        nodes.saturating_sub(first),
        layout.name(),
        nodes - 1
    ))
}

/// Builds a generator of `settings.lanes` lanes (see the module docs).
pub(crate) fn build(settings: &Settings) -> Result<Generator> {
    let layout = &settings.layout;
    let lanes = settings.lanes;
    let mut built: Vec<Generator> = Vec::with_capacity(lanes as usize);
    for i in 0..lanes {
        let mut one = settings.clone();
        one.lanes = 1;
        if let Some(fixed) = settings.node.source.fixed_nodes() {
            let first = first_slot(layout, &settings.node.source, fixed, lanes);
            let nodes = layout.slot_nodes(first + u64::from(i));
            one.node.source = match &settings.node.source {
                NodeSource::Env(_) => NodeSource::Env(nodes),
                NodeSource::Kubernetes(_) => NodeSource::Kubernetes(nodes),
                _ => NodeSource::Explicit(nodes),
            };
        }
        built.push(one.build()?);
    }
    let first = built.remove(0);
    Ok(first.with_lanes(built))
}

impl<C: Clock> Generator<C> {
    /// Adds `others` as lanes 1.. of this generator (lane 0). Each must be a
    /// complete generator of the same layout with its own node numbers.
    pub fn with_lanes(mut self, others: Vec<Generator<C>>) -> Self {
        for g in &others {
            self.source = format!("{}; {}", self.source, g.source());
        }
        self.others = others.into_boxed_slice();
        self.lane_magic = lane_magic(self.lane_count() as u32);
        self
    }

    /// How many lanes (node numbers) the generator holds.
    pub fn lane_count(&self) -> usize {
        self.others.len() + 1
    }

    /// Every lane's node values in layout order, lane 0 first.
    pub fn lane_nodes(&self) -> Vec<&[u32]> {
        std::iter::once(self.nodes())
            .chain(self.others.iter().map(|g| g.nodes()))
            .collect()
    }

    /// The lane of the calling thread.
    #[inline(always)]
    pub(crate) fn lane(&self) -> &Self {
        if self.others.is_empty() {
            self
        } else {
            self.thread_lane()
        }
    }

    #[inline]
    fn thread_lane(&self) -> &Self {
        let lanes = self.others.len() as u32 + 1;
        match lane_of(thread_index(), lanes, self.lane_magic) {
            0 => self,
            i => &self.others[i - 1],
        }
    }

    /// Every lane, starting with the calling thread's.
    pub(crate) fn lanes_from_mine(&self) -> impl Iterator<Item = &Self> {
        let n = self.others.len() + 1;
        let mine = lane_of(thread_index(), n as u32, self.lane_magic);
        (0..n).map(move |k| match (mine + k) % n {
            0 => self,
            i => &self.others[i - 1],
        })
    }

    /// Every lane, lane 0 first.
    pub(crate) fn all_lanes(&self) -> impl Iterator<Item = &Self> {
        std::iter::once(self).chain(self.others.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_of_is_the_remainder() {
        for lanes in 1..=MAX_LANES {
            let magic = lane_magic(lanes);
            for index in (0..5000).chain([u32::MAX - 1, u32::MAX, 1 << 31, 123_456_789]) {
                assert_eq!(
                    lane_of(index, lanes, magic),
                    (index % lanes) as usize,
                    "{index} % {lanes}"
                );
            }
        }
    }
}
