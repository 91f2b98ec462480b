//! Several threads on one generator: no duplicate, strictly increasing per thread.

use std::sync::Arc;

use snowid::{ClockChoice, Layout};

mod common;

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
    let g = Arc::new(common::node_one(layout, clock));
    let runs = common::hammer(Arc::clone(&g), threads, scaled(per_thread));
    for run in &runs {
        assert!(
            run.windows(2).all(|w| w[0] < w[1]),
            "strictly increasing per thread"
        );
    }
    let total = common::assert_unique(&runs);
    assert_eq!(g.stats().issued, total as u64);
}

#[test]
fn four_threads_cached_clock_wide_layout() {
    let wide = common::wide_layout();
    hammer(ClockChoice::Cached, wide, 4, 1_000_000);
}

#[test]
fn two_threads_monotonic_clock_saturated_twitter() {
    hammer(ClockChoice::Monotonic, Layout::twitter(), 2, 600_000);
}
