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

use crate::error::{Error, Result};
use crate::generator::{Config, Generator};
use crate::layout::Layout;
use crate::node::{self, NodeOptions, NodeSource};

/// The most lanes one generator may hold (declared in the options table).
pub use crate::option_table::MAX_LANES;

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
        _ if fixed.len() == 1 => node::format_nodes(layout, fixed),
        _ => format!(
            "{} (node number {index})",
            node::format_nodes(layout, fixed)
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
        node::format_nodes(layout, &layout.slot_nodes(last_block)),
    ))
}

/// Builds a generator of `lanes` lanes (see the module docs) from resolved
/// parts: `config` is every lane's configuration without node numbers,
/// `node` where the numbers come from and how they are guarded; each lane is
/// built as a one-lane generator would be ([`node::build_lane`]).
pub(crate) fn build(
    config: &Config,
    node: &NodeOptions,
    protect: bool,
    lanes: u32,
) -> Result<Generator> {
    let layout = &config.layout;
    let mut built: Vec<Generator> = Vec::with_capacity(lanes as usize);
    for i in 0..lanes {
        let mut one = node.clone();
        if let Some(fixed) = node.source.fixed_nodes() {
            let nodes = layout.slot_nodes(first_slot(layout, fixed, lanes) + u64::from(i));
            one.source = match &node.source {
                NodeSource::Env(_) => NodeSource::Env(nodes),
                NodeSource::Kubernetes(_) => NodeSource::Kubernetes(nodes),
                _ => NodeSource::Explicit(nodes),
            };
        }
        match node::build_lane(config.clone(), &one, protect) {
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
