//! Helpers shared by the integration tests and, through
//! `core/benches/common`, the benchmarks.
#![allow(dead_code)] // each test or bench crate uses its own subset

use std::collections::HashSet;
use std::sync::Arc;

use snowid::{ClockChoice, Config, FieldSpec, Generator, Layout, LayoutSpec};

/// The epoch of the small-node layout: 2023-11-14T22:13:20Z.
pub const EPOCH_MS: u64 = 1_700_000_000_000;

/// sign | 41 bits of ms | 2-bit `node` | 20-bit `sequence`: 4 node
/// numbers, 1,048,576 IDs per ms, so a tight loop never waits for a tick.
pub fn small_node_layout(name: &str) -> Layout {
    Layout::new(LayoutSpec {
        name: name.into(),
        fields: vec![
            FieldSpec::timestamp(41),
            FieldSpec::node("node", 2),
            FieldSpec::sequence(20),
        ],
        epoch_ms: EPOCH_MS,
        tick_ms: 1,
        sign_bit: true,
    })
    .unwrap()
}

/// [`small_node_layout`] named `wide` (a wide sequence, not a wide ID).
pub fn wide_layout() -> Layout {
    small_node_layout("wide")
}

/// A generator with node 1 in every node field, unprotected (explicit
/// numbers, no slot lock or mark).
pub fn node_one(layout: Layout, clock: ClockChoice) -> Generator {
    let nodes = vec![1; layout.node_count()];
    Generator::new(Config::new(layout).nodes(&nodes).unwrap().clock(clock)).unwrap()
}

/// `threads` threads on one generator, each taking `per_thread` IDs (at
/// least; a batch may overshoot), alternating `next_id` and 64-ID
/// `next_batch` calls; the IDs of each thread in order.
pub fn hammer(g: Arc<Generator>, threads: usize, per_thread: usize) -> Vec<Vec<u64>> {
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let g = Arc::clone(&g);
            std::thread::spawn(move || {
                let mut out = Vec::with_capacity(per_thread);
                let mut buf = [0u64; 64];
                while out.len() < per_thread {
                    if (out.len() / 64 + t) % 2 == 0 {
                        out.push(g.next_id().unwrap());
                    } else {
                        let n = g.next_batch(&mut buf).unwrap();
                        out.extend_from_slice(&buf[..n]);
                    }
                }
                out
            })
        })
        .collect();
    hs.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Asserts no ID repeats; returns how many there are.
pub fn assert_unique(runs: &[Vec<u64>]) -> usize {
    let mut seen = HashSet::with_capacity(runs.iter().map(Vec::len).sum());
    for id in runs.iter().flatten() {
        assert!(seen.insert(*id), "duplicate {id}");
    }
    seen.len()
}
