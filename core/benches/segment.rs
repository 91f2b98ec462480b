//! `cargo bench -p snowid --bench segment` (`make bench-segments`)
//!
//! Per-ID cost of the segment generator (file store, ranges prefetched in the
//! background) against the Snowflake generator in the same run (a layout with
//! a 20-bit sequence, so a tight loop never waits for the next millisecond),
//! one thread and two threads sharing one generator. Target: segment <= 2x.

use std::hint::black_box;

use criterion::Criterion;
use snowid::segment::SegmentOptions;
use snowid::{ClockChoice, Segment};

mod common;
use common::{node_one, on_threads, wide_layout};

fn segment(dir: &std::path::Path, key: &str, max_step: u64) -> Segment {
    SegmentOptions::new()
        .with("store", format!("file://{}", dir.display()))
        .with("max_step", max_step)
        .build(key)
        .unwrap()
}

/// ns per ID over `n` calls on `threads` threads sharing `f`'s generator.
fn per_id(threads: usize, n: u64, f: &(dyn Fn() -> u64 + Sync)) -> f64 {
    let el = on_threads(threads, n, || {
        black_box(f());
    });
    el.as_nanos() as f64 / (n * threads as u64) as f64
}

fn main() {
    let dir = std::env::temp_dir().join(format!("snowid-bench-seg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Default bounds (step up to 1M), and tuned for a tight loop (up to 100M
    // per range: a range then outlasts a file store fsync at ~100M IDs/s).
    let seg = segment(&dir, "bench", 1_000_000);
    let tuned = segment(&dir, "bench-tuned", 100_000_000);
    let gen = node_one(wide_layout(), ClockChoice::Cached);
    // Warm up: let the step grow to its bound and the ticker start.
    for _ in 0..5_000_000 {
        black_box(seg.next_id().unwrap());
        black_box(tuned.next_id().unwrap());
        black_box(gen.next_id().unwrap());
    }

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("one_id");
    g.bench_function("segment_next_id", |b| b.iter(|| seg.next_id().unwrap()));
    g.bench_function("snowflake_next_id", |b| b.iter(|| gen.next_id().unwrap()));
    g.finish();

    let n = 20_000_000;
    println!("\nper-ID cost, same run (best of 3; the machine may be shared)");
    println!("| threads | segment ns/ID (max_step 1M) | segment ns/ID (max_step 100M) | snowflake ns/ID | ratios to snowflake |");
    println!("|---|---|---|---|---|");
    for threads in [1, 2] {
        let best = |f: &(dyn Fn() -> u64 + Sync)| {
            (0..3)
                .map(|_| per_id(threads, n / threads as u64, f))
                .fold(f64::MAX, f64::min)
        };
        let s = best(&|| seg.next_id().unwrap());
        let t = best(&|| tuned.next_id().unwrap());
        let w = best(&|| gen.next_id().unwrap());
        println!(
            "| {threads} | {s:.2} | {t:.2} | {w:.2} | {:.2}x / {:.2}x |",
            s / w,
            t / w
        );
    }
    for (name, seg) in [("max_step 1M", &seg), ("max_step 100M", &tuned)] {
        let st = seg.stats();
        println!(
            "segment ({name}): {} ranges fetched, step now {}, {} waits for a range, fetch latency avg {} us / max {} us",
            st.ranges_fetched,
            st.step,
            st.waits,
            st.total_fetch_us / st.ranges_fetched.max(1),
            st.max_fetch_us
        );
    }
    drop(seg);
    drop(tuned);
    let _ = std::fs::remove_dir_all(&dir);
}
