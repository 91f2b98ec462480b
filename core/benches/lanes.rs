//! `cargo bench -p snowid --bench lanes`
//!
//! Lanes (issue 14 part 1), measured in one run, then a summary table:
//!
//! - aggregate IDs/s, Twitter layout, saturated: 1 and 2 threads, 1 lane vs
//!   2 lanes (target: 2 threads x 2 lanes >= 1.9x one saturated generator);
//! - ns per ID per thread, wide layout, unsaturated: two threads on their
//!   own lanes vs two threads sharing one generator (target <= 0.5x);
//! - single-thread `next_id()`, wide layout (target >= 10M IDs/s);
//! - `next_batch` on a 2-lane generator, wide layout, both cores (target
//!   >= 100M IDs/s).
//!
//! The machine may be shared: the figures are what this run saw.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use criterion::Throughput;
use snowid::{Generator, GeneratorOptions, Layout};

mod common;
use common::{quick_criterion, wide_layout};

/// An unprotected generator (explicit numbers, cached clock).
fn generator(layout: Layout, lanes: u32) -> Generator {
    let mut o = GeneratorOptions::new()
        .with("protect", false)
        .with("lanes", lanes);
    for name in layout.node_names() {
        o.set(name, 0);
    }
    o.with("layout", layout).build().unwrap()
}

/// `threads` threads each calling `f(&g)` `per` times, started together;
/// aggregate calls per second, the best of 3 runs (fresh threads each run).
fn aggregate(g: &Arc<Generator>, threads: usize, per: u64, f: fn(&Generator)) -> f64 {
    (0..3)
        .map(|_| aggregate_once(g, threads, per, f))
        .fold(0.0, f64::max)
}

fn aggregate_once(g: &Arc<Generator>, threads: usize, per: u64, f: fn(&Generator)) -> f64 {
    let start = Arc::new(Barrier::new(threads + 1));
    let hs: Vec<_> = (0..threads)
        .map(|_| {
            let (g, start) = (Arc::clone(g), Arc::clone(&start));
            std::thread::spawn(move || {
                // Pick the lane before the clock starts.
                black_box(g.next_id().unwrap());
                start.wait();
                for _ in 0..per {
                    f(&g);
                }
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    hs.into_iter().for_each(|h| h.join().unwrap());
    (threads as u64 * per) as f64 / t.elapsed().as_secs_f64()
}

fn one(g: &Generator) {
    black_box(g.next_id().unwrap());
}

fn main() {
    let mut c = quick_criterion();
    {
        let one_lane = generator(wide_layout(), 1);
        let two_lanes = generator(wide_layout(), 2);
        let mut g = c.benchmark_group("lanes_one_thread_wide_layout");
        g.throughput(Throughput::Elements(1));
        g.bench_function("next_id_1_lane", |b| {
            b.iter(|| black_box(one_lane.next_id().unwrap()))
        });
        g.bench_function("next_id_2_lanes", |b| {
            b.iter(|| black_box(two_lanes.next_id().unwrap()))
        });
        g.finish();
    }
    c.final_summary();

    println!("\n== lanes summary (same run; the machine may be shared) ==");
    let cap = Layout::twitter().capacity().ids_per_second_per_node as f64;
    let per = 4_096_000u64; // 1 s of one Twitter lane's cap per thread
    let mut base = 0.0;
    println!("twitter layout, saturated, aggregate IDs/s (cap {cap:.0}/s per lane):");
    for (threads, lanes) in [(1, 1), (2, 1), (1, 2), (2, 2)] {
        let g = Arc::new(generator(Layout::twitter(), lanes));
        // ~1 s at the expected rate: a thread only ever uses its own lane.
        let each = per * threads.min(lanes as usize) as u64 / threads as u64;
        let rate = aggregate(&g, threads, each, one);
        if (threads, lanes) == (1, 1) {
            base = rate;
        }
        println!(
            "  {threads} thread(s) x {lanes} lane(s): {rate:>12.0} IDs/s   x{:.2} of one saturated generator{}",
            rate / base,
            if (threads, lanes) == (2, 2) { "   (target >= 1.90)" } else { "" }
        );
    }

    let per = 10_000_000u64;
    let shared = Arc::new(generator(wide_layout(), 1));
    let own = Arc::new(generator(wide_layout(), 2));
    let shared_rate = aggregate(&shared, 2, per, one);
    let own_rate = aggregate(&own, 2, per, one);
    // Per thread: each of the 2 threads made `per` calls in the elapsed time.
    let shared_ns = 2.0 * 1e9 / shared_rate;
    let own_ns = 2.0 * 1e9 / own_rate;
    println!("wide layout (41|2|20), unsaturated, 2 threads, ns per ID per thread:");
    println!("  shared generator (1 lane)   {shared_ns:7.2}   ({shared_rate:.0} IDs/s aggregate)");
    println!(
        "  own lane each (2 lanes)     {own_ns:7.2}   ({own_rate:.0} IDs/s aggregate)   x{:.2} of shared (target <= 0.50)",
        own_ns / shared_ns
    );

    // What a lane owned by one thread could save by a plain load + store
    // instead of the compare-and-swap it keeps (a lane is shared whenever
    // there are more threads than lanes, so the CAS stays).
    let n = 50_000_000u64;
    let cell = std::sync::atomic::AtomicU64::new(0);
    let t = Instant::now();
    for _ in 0..n {
        let v = cell.load(std::sync::atomic::Ordering::Relaxed);
        let _ = black_box(&cell).compare_exchange_weak(
            v,
            v + 1,
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    let cas_ns = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        let v = cell.load(std::sync::atomic::Ordering::Relaxed);
        black_box(&cell).store(v + 1, std::sync::atomic::Ordering::Relaxed);
    }
    let store_ns = t.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "one thread, private atomic: load + CAS {cas_ns:.2} ns vs load + store {store_ns:.2} ns (what a no-RMW owned lane would save per ID)"
    );

    let g = Arc::new(generator(wide_layout(), 1));
    let rate = aggregate(&g, 1, 20_000_000, one);
    println!(
        "wide layout, 1 thread, next_id() saturated: {rate:.0} IDs/s ({:.2} ns per ID; target >= 10M/s)",
        1e9 / rate
    );

    let g = Arc::new(generator(wide_layout(), 2));
    let batches = 500u64;
    let rate = aggregate(&g, 2, batches, |g| {
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u64>> = std::cell::RefCell::new(vec![0; 65_536]);
        }
        BUF.with(|b| {
            let mut b = b.borrow_mut();
            let n = g.next_batch(&mut b).unwrap();
            black_box(b[n - 1]);
        })
    }) * 65_536.0;
    println!(
        "wide layout, 2 lanes, 2 threads, next_batch(65536): {rate:.0} IDs/s (target >= 100M/s)"
    );
}
