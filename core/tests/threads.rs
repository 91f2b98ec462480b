//! Several threads on one generator: no duplicate, strictly increasing per thread.

use std::collections::HashSet;
use std::sync::Arc;

use snowid::{ClockChoice, Config, Generator, Layout};

/// IDs per thread, divided by `SNOWID_TEST_SCALE_DOWN` (the sanitizer runs
/// of `make test-sanitizers` set it: ThreadSanitizer is ~10x slower).
fn scaled(per_thread: usize) -> usize {
    let div = std::env::var("SNOWID_TEST_SCALE_DOWN")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    (per_thread / div).max(1_000)
}

fn hammer(clock: ClockChoice, layout: Layout, threads: usize, per_thread: usize) {
    let per_thread = scaled(per_thread);
    let nodes = vec![1; layout.node_count()];
    let g =
        Arc::new(Generator::new(Config::new(layout).nodes(&nodes).unwrap().clock(clock)).unwrap());
    let handles: Vec<_> = (0..threads)
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
                assert!(
                    out.windows(2).all(|w| w[0] < w[1]),
                    "strictly increasing per thread"
                );
                out
            })
        })
        .collect();
    let mut seen = HashSet::with_capacity(threads * per_thread);
    let mut total = 0;
    for h in handles {
        for id in h.join().unwrap() {
            assert!(seen.insert(id), "duplicate {id}");
            total += 1;
        }
    }
    assert_eq!(g.stats().issued, total as u64);
}

#[test]
fn four_threads_cached_clock_wide_layout() {
    let wide = Layout::new(snowid::LayoutSpec {
        name: "wide".into(),
        fields: vec![
            snowid::FieldSpec::timestamp(41),
            snowid::FieldSpec::node("node", 2),
            snowid::FieldSpec::sequence(20),
        ],
        epoch_ms: 1_700_000_000_000,
        tick_ms: 1,
        sign_bit: true,
    })
    .unwrap();
    hammer(ClockChoice::Cached, wide, 4, 1_000_000);
}

#[test]
fn two_threads_monotonic_clock_saturated_twitter() {
    hammer(ClockChoice::Monotonic, Layout::twitter(), 2, 600_000);
}
