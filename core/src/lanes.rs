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
//! | explicit node fields, `env`: number n | n x L + i |
//! | `k8s` ordinal o | o x L + i |
//! | `local`, `etcd`, `redis` | each lane claims the next free number, as another generator would |
//!
//! A fixed number n (node fields read as one number, the first field most
//! significant, exactly as a StatefulSet ordinal is spread over them) is a
//! block index: with L lanes it owns the block n x L ..= n x L + L - 1, so
//! two machines given 0 and 1 hold {0, 1} and {2, 3}, never a shared
//! number. With one lane the block is n itself. Every generator sharing a
//! layout's node numbers must use the same lane count: worker 1 with 2 lanes
//! owns 2 and 3, which worker 2 with 1 lane also holds.
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
use crate::error::{Error, Result};
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

/// The first slot of the block of `lanes` slots a fixed number owns: the
/// number (its slot) is the block index, for every fixed source alike.
fn first_slot(layout: &Layout, fixed: &[u64], lanes: u32) -> u64 {
    layout.slot_of(fixed).saturating_mul(u64::from(lanes))
}

/// The node values of each lane of a fixed number (lane 0 first), or the
/// `expected` text of `INVALID_SETTING` when the block passes the layout.
pub(crate) fn fixed_lane_nodes(
    layout: &Layout,
    source: &NodeSource,
    fixed: &[u64],
    lanes: u32,
) -> std::result::Result<Vec<Vec<u64>>, String> {
    check_fixed(layout, source, fixed, lanes)?;
    let first = first_slot(layout, fixed, lanes);
    Ok((0..u64::from(lanes))
        .map(|i| layout.slot_nodes(first + i))
        .collect())
}

/// Whether a fixed source (explicit, env, k8s) provides `lanes` node
/// numbers; the error is the `expected` text of `INVALID_SETTING`, naming
/// the block the number owns and the largest block index that fits.
pub(crate) fn check_fixed(
    layout: &Layout,
    source: &NodeSource,
    fixed: &[u64],
    lanes: u32,
) -> std::result::Result<(), String> {
    let nodes = layout.capacity().nodes;
    let index = layout.slot_of(fixed);
    let first = first_slot(layout, fixed, lanes);
    let lanes = u64::from(lanes);
    if first.saturating_add(lanes) <= nodes {
        return Ok(());
    }
    let given = match source {
        NodeSource::Kubernetes(_) => format!("StatefulSet ordinal {index}"),
        _ if fixed.len() == 1 => crate::node::format_nodes(layout, fixed),
        _ => format!(
            "{} (node number {index})",
            crate::node::format_nodes(layout, fixed)
        ),
    };
    let last_block = nodes / lanes - 1;
    Err(format!(
        "{given} with {lanes} lanes owns node numbers {first}..={}, beyond layout {}'s 0..={}: \
         a number given with lanes is a block index (n x {lanes} .. n x {lanes} + {}), \
         at most {last_block} ({}) with {lanes} lanes",
        first.saturating_add(lanes - 1),
        layout.name(),
        nodes - 1,
        lanes - 1,
        crate::node::format_nodes(layout, &layout.slot_nodes(last_block)),
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
            let nodes = layout.slot_nodes(first_slot(layout, fixed, lanes) + u64::from(i));
            one.node.source = match &settings.node.source {
                NodeSource::Env(_) => NodeSource::Env(nodes),
                NodeSource::Kubernetes(_) => NodeSource::Kubernetes(nodes),
                _ => NodeSource::Explicit(nodes),
            };
        }
        match one.build() {
            Ok(g) => built.push(g),
            // A claiming source ran out part-way: say what was asked and
            // what was free (the lanes built so far are dropped, freeing
            // their numbers).
            Err(Error::NoFreeSlot { slots, dir, .. }) => {
                return Err(Error::NoFreeSlot {
                    slots,
                    dir,
                    wanted: lanes.into(),
                    free: i.into(),
                })
            }
            Err(e) => return Err(e),
        }
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
