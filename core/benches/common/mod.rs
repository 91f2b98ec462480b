//! Helpers shared by the benchmarks: the test helpers (layouts,
//! generators) and the timing loops.
#![allow(dead_code)] // each bench uses its own subset

use std::time::{Duration, Instant};

use criterion::Criterion;

#[path = "../../tests/common/mod.rs"]
mod test_common;
#[allow(unused_imports)] // codec.rs needs none of them
pub use test_common::*;

/// Criterion for a quick run: 0.3 s warm-up, 1 s and 20 samples a bench.
pub fn quick_criterion() -> Criterion {
    Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
}

/// Best of `rounds` runs of `n` calls, in ns per call.
pub fn best_ns(rounds: usize, n: u64, mut f: impl FnMut()) -> f64 {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Time for `threads` threads to make `per` calls of `f` each.
pub fn on_threads(threads: usize, per: u64, f: impl Fn() + Sync) -> Duration {
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per {
                    f();
                }
            });
        }
    });
    t.elapsed()
}
