//! `cargo bench -p snowid --bench wide` (issue 14, parts 2 and 3)
//!
//! Criterion groups, then a summary measured in the same run: the per-ID
//! cost of a 128-bit generator against a 64-bit one with the same sequence
//! width (20 bits: a tight loop never exhausts a tick, so both are
//! unsaturated), with the ratio (target <= 1.5x), and the wide text forms
//! against the 64-bit ones.

use std::hint::black_box;

use criterion::Criterion;
use snowid::options::GeneratorOptions;
use snowid::wide::{encode_wide_into, parse_wide, WideGenerator, MAX_WIDE_ENCODED_LEN};
use snowid::{ClockChoice, Encoding, Generator, MAX_ENCODED_LEN};

mod common;
use common::{best_ns, node_one, quick_criterion, wide_layout, EPOCH_MS};

/// 64-bit: sign | 41 ms | 2 node | 20 sequence (1,048,576 per ms).
fn narrow(clock: ClockChoice) -> Generator {
    node_one(wide_layout(), clock)
}

/// 128-bit: 60 ms | 16 datacenter | 32 worker | 20 sequence.
fn wide(clock: &str) -> WideGenerator {
    WideGenerator::from_options(
        &GeneratorOptions::new()
            .with("layout", "timestamp:60|datacenter:16|worker:32|sequence:20")
            .with("epoch", EPOCH_MS as i64)
            .with("clock", clock)
            .with("datacenter", 1)
            .with("worker", 1)
            .with("protect", false),
    )
    .unwrap()
}

fn criterion_groups(c: &mut Criterion) {
    let mut g = c.benchmark_group("wide");
    let n64 = narrow(ClockChoice::Cached);
    let w = wide("cached");
    g.bench_function("next_64bit_cached", |b| {
        b.iter(|| black_box(n64.next_id().unwrap()))
    });
    g.bench_function("next_128bit_cached", |b| {
        b.iter(|| black_box(w.next_id().unwrap()))
    });
    let id = w.next_id().unwrap();
    for e in [Encoding::Hex, Encoding::Base32, Encoding::Decimal] {
        g.bench_function(format!("encode_128bit_{e}"), |b| {
            let mut buf = [0u8; MAX_WIDE_ENCODED_LEN];
            b.iter(|| black_box(encode_wide_into(e, black_box(id), &mut buf).len()))
        });
        let text = snowid::wide::encode_wide(e, id);
        g.bench_function(format!("parse_128bit_{e}"), |b| {
            b.iter(|| black_box(parse_wide(e, black_box(&text)).unwrap()))
        });
    }
    g.finish();
}

fn summary() {
    println!("\n== wide summary (same run; the machine is shared, so compare ratios) ==");
    println!(
        "{:<44} {:>10} {:>10} {:>8}",
        "per ID, unsaturated", "64-bit ns", "128-bit ns", "ratio"
    );
    for (name, clock) in [
        ("next() cached clock", "cached"),
        ("next() monotonic clock", "monotonic"),
    ] {
        let choice = if clock == "cached" {
            ClockChoice::Cached
        } else {
            ClockChoice::Monotonic
        };
        let a = narrow(choice);
        let b = wide(clock);
        // Interleave the two, best of several rounds each.
        let (mut x, mut y) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..5 {
            x = x.min(best_ns(1, 2_000_000, || {
                black_box(a.next_id().unwrap());
            }));
            y = y.min(best_ns(1, 2_000_000, || {
                black_box(b.next_id().unwrap());
            }));
        }
        println!("{name:<44} {x:>10.2} {y:>10.2} {:>7.2}x", y / x);
    }
    let a = narrow(ClockChoice::Cached);
    let b = wide("cached");
    let (mut x, mut y) = (f64::INFINITY, f64::INFINITY);
    let mut buf64 = vec![0u64; 4096];
    let mut buf128 = vec![0u128; 4096];
    for _ in 0..5 {
        x = x.min(
            best_ns(1, 200, || {
                black_box(a.next_batch(&mut buf64).unwrap());
            }) / 4096.0,
        );
        y = y.min(
            best_ns(1, 200, || {
                black_box(b.next_batch(&mut buf128).unwrap());
            }) / 4096.0,
        );
    }
    println!(
        "{:<44} {x:>10.2} {y:>10.2} {:>7.2}x",
        "next_batch(4096), per ID",
        y / x
    );

    println!(
        "\n{:<44} {:>10} {:>10} {:>8}",
        "text, per ID", "64-bit ns", "128-bit ns", "ratio"
    );
    let id64 = a.next_id().unwrap();
    let id128 = b.next_id().unwrap();
    for e in [
        Encoding::Hex,
        Encoding::Base32,
        Encoding::Base62,
        Encoding::Decimal,
    ] {
        let mut b64 = [0u8; MAX_ENCODED_LEN];
        let mut b128 = [0u8; MAX_WIDE_ENCODED_LEN];
        let x = best_ns(5, 1_000_000, || {
            black_box(e.encode_into(black_box(id64), &mut b64).len());
        });
        let y = best_ns(5, 1_000_000, || {
            black_box(encode_wide_into(e, black_box(id128), &mut b128).len());
        });
        println!(
            "{:<44} {x:>10.2} {y:>10.2} {:>7.2}x",
            format!("encode {e}"),
            y / x
        );
        let t64 = e.encode(id64);
        let t128 = snowid::wide::encode_wide(e, id128);
        let x = best_ns(5, 1_000_000, || {
            black_box(e.parse(black_box(&t64)).unwrap());
        });
        let y = best_ns(5, 1_000_000, || {
            black_box(parse_wide(e, black_box(&t128)).unwrap());
        });
        println!(
            "{:<44} {x:>10.2} {y:>10.2} {:>7.2}x",
            format!("parse {e}"),
            y / x
        );
    }
}

fn main() {
    let mut c = quick_criterion();
    criterion_groups(&mut c);
    c.final_summary();
    summary();
}
