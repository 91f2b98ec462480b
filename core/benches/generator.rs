//! `cargo bench -p snowid --bench generator`
//!
//! Criterion groups (one ID, bursts, decode, encodings; the encodings against
//! their reference crates are in `codec.rs`), then a summary: the one-ID
//! rows are criterion's own estimates of this run (one measurement, so the
//! two cannot disagree) with the ratio to ferroid's atomic generator; then,
//! measured in the same run, saturated IDs/s against the layout's cap and two
//! threads on one generator.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput};
use ferroid::define_snowflake_id;
use ferroid::generator::AtomicSnowflakeGenerator;
use ferroid::id::{SnowflakeId, SnowflakeTwitterId};
use ferroid::time::{MonotonicClock as FerroidClock, TWITTER_EPOCH};
use snowid::{ClockChoice, Config, Generator, Layout};

mod common;
use common::{best_ns, node_one, on_threads, wide_layout, EPOCH_MS};

define_snowflake_id!(WideId, u64, reserved: 1, timestamp: 41, machine_id: 2, sequence: 20);

fn ferroid_wide() -> AtomicSnowflakeGenerator<WideId, FerroidClock> {
    AtomicSnowflakeGenerator::new(1, FerroidClock::with_epoch(Duration::from_millis(EPOCH_MS)))
}

fn ferroid_twitter() -> AtomicSnowflakeGenerator<SnowflakeTwitterId, FerroidClock> {
    AtomicSnowflakeGenerator::new(1, FerroidClock::with_epoch(TWITTER_EPOCH))
}

fn ferroid_next<ID: SnowflakeId<Ty = u64>>(g: &AtomicSnowflakeGenerator<ID, FerroidClock>) -> u64 {
    g.next_id(|_| std::thread::yield_now()).to_raw()
}

/// Times `n` calls made right after a tick starts (so none waits for a tick),
/// repeated until `iters` calls are timed: the unsaturated cost on a layout
/// whose sequence a tight loop would otherwise exhaust.
fn bursts(iters: u64, burst: u64, mut f: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let start_ms = snowid::MonotonicClock::new();
        let t0 = snowid::Clock::now_ms(&start_ms);
        while snowid::Clock::now_ms(&start_ms) == t0 {
            std::hint::spin_loop();
        }
        let n = burst.min(iters - done);
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        total += t.elapsed();
        done += n;
    }
    total
}

fn criterion_groups(c: &mut Criterion) {
    let cached = node_one(wide_layout(), ClockChoice::Cached);
    let mono = node_one(wide_layout(), ClockChoice::Monotonic);
    let fw = ferroid_wide();
    let mut g = c.benchmark_group("one_id_unsaturated_wide_layout");
    g.throughput(Throughput::Elements(1));
    g.bench_function("snowid_cached_clock", |b| {
        b.iter(|| black_box(cached.next_id().unwrap()))
    });
    g.bench_function("snowid_monotonic_clock", |b| {
        b.iter(|| black_box(mono.next_id().unwrap()))
    });
    g.bench_function("ferroid_atomic", |b| {
        b.iter(|| black_box(ferroid_next(&fw)))
    });
    let typed = static_dispatch();
    g.bench_function("snowid_cached_static_dispatch", |b| {
        b.iter(|| black_box(typed.next_id().unwrap()))
    });
    g.finish();

    let tw_cached = node_one(Layout::twitter(), ClockChoice::Cached);
    let tw_mono = node_one(Layout::twitter(), ClockChoice::Monotonic);
    let ft = ferroid_twitter();
    let sf = snowflaked::sync::Generator::new(1);
    let mut g = c.benchmark_group("one_id_bursts_of_1000_twitter");
    g.throughput(Throughput::Elements(1));
    g.bench_function("snowid_cached_clock", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(tw_cached.next_id().unwrap());
            })
        })
    });
    g.bench_function("snowid_monotonic_clock", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(tw_mono.next_id().unwrap());
            })
        })
    });
    g.bench_function("ferroid_atomic", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(ferroid_next(&ft));
            })
        })
    });
    g.bench_function("snowflaked_sync", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(sf.generate::<u64>());
            })
        })
    });
    // uuid7: the same 12-bit counter per ms as Twitter's sequence, so the
    // same bursts; the uuid crate's now_v7() (random bits, a lock-free
    // context) measured the same way.
    let u7 = snowid::wide::WideGenerator::from_options(
        &snowid::options::GeneratorOptions::new()
            .with("layout", "uuid7")
            .with("datacenter", 1)
            .with("worker", 1)
            .with("protect", false),
    )
    .unwrap();
    g.bench_function("snowid_uuid7_cached_clock", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(u7.next_id().unwrap());
            })
        })
    });
    g.bench_function("uuid_crate_now_v7", |b| {
        b.iter_custom(|n| {
            bursts(n, 1000, || {
                black_box(uuid::Uuid::now_v7());
            })
        })
    });
    g.finish();

    let layout = Layout::twitter();
    let id = tw_mono.next_id().unwrap();
    let mut g = c.benchmark_group("codec");
    g.bench_function("decode_twitter", |b| {
        b.iter(|| black_box(layout.decode(black_box(id)).unwrap()))
    });
    for e in snowid::ENCODINGS {
        let mut buf = [0u8; snowid::MAX_ENCODED_LEN];
        g.bench_function(format!("encode_{e}"), |b| {
            b.iter(|| black_box(e.encode_into(black_box(id), &mut buf).len()))
        });
        let s = e.encode(id);
        g.bench_function(format!("parse_{e}"), |b| {
            b.iter(|| black_box(e.parse(black_box(&s)).unwrap()))
        });
    }
    g.finish();
}

/// A generator on the cached clock as a type parameter, not [`snowid::AnyClock`].
fn static_dispatch() -> Generator<snowid::CachedClock> {
    let n = wide_layout().node_count();
    Generator::with_clock(
        Config::new(wide_layout()).nodes(&vec![1; n]).unwrap(),
        snowid::CachedClock::new(),
    )
    .unwrap()
}

/// Where criterion writes its estimates, by criterion's own rule
/// (`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the
/// workspace's `target/criterion`); `main` sets it on criterion too, so the
/// summary reads what this run measured.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// ns per ID of `group/bench` as criterion printed it in this run (the
/// middle of its `time:` line: the slope of its linear sampling, else the
/// mean); `None` if criterion did not run it now (a filtered run).
fn criterion_ns(group: &str, bench: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(bench)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let est = |k: &str| v.get(k)?.get("point_estimate")?.as_f64();
    est("slope").or_else(|| est("mean"))
}

/// One summary row: criterion's ns per ID and the ratio to `reference`.
fn row(name: &str, ns: Option<f64>, reference: Option<f64>, what: &str) {
    match (ns, reference) {
        (Some(ns), Some(r)) => println!("  {name:<48} {ns:7.2}   x{:.2} {what}", ns / r),
        (Some(ns), None) => println!("  {name:<48} {ns:7.2}"),
        _ => println!("  {name:<48}       -   (not run: filtered)"),
    }
}

/// Appends `key`'s ratio to `$BENCH_RATIOS` (for `make bench-check`).
fn record_ratio(key: &str, ratio: Option<f64>) {
    let (Some(path), Some(r)) = (std::env::var_os("BENCH_RATIOS"), ratio) else {
        return;
    };
    use std::io::Write;
    let line = format!("{}\n", serde_json::json!({ "key": key, "ratio": r }));
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut f) = f {
        let _ = f.write_all(line.as_bytes());
    }
}

fn summary(since: SystemTime) {
    println!("\n== snowid summary (same run; one-ID rows are criterion's estimates above) ==");
    let wide = "one_id_unsaturated_wide_layout";
    let fe = criterion_ns(wide, "ferroid_atomic", since);
    let sw = criterion_ns(wide, "snowid_cached_clock", since);
    println!("unsaturated, wide layout (41|2|20), ns per ID:");
    row(
        "snowid cached clock (the default)",
        sw,
        fe,
        "of ferroid atomic",
    );
    row(
        "snowid Generator<CachedClock> (static dispatch)",
        criterion_ns(wide, "snowid_cached_static_dispatch", since),
        fe,
        "",
    );
    row(
        "snowid monotonic clock",
        criterion_ns(wide, "snowid_monotonic_clock", since),
        fe,
        "",
    );
    row("ferroid atomic", fe, None, "");

    let bursts = "one_id_bursts_of_1000_twitter";
    let bf = criterion_ns(bursts, "ferroid_atomic", since);
    let bc = criterion_ns(bursts, "snowid_cached_clock", since);
    println!("unsaturated, twitter layout, bursts of 1000 at tick start, ns per ID:");
    row(
        "snowid cached clock (the default)",
        bc,
        bf,
        "of ferroid atomic",
    );
    row(
        "snowid monotonic clock",
        criterion_ns(bursts, "snowid_monotonic_clock", since),
        bf,
        "",
    );
    row("ferroid atomic", bf, None, "");
    row(
        "snowflaked sync",
        criterion_ns(bursts, "snowflaked_sync", since),
        bf,
        "",
    );
    let u7 = criterion_ns(bursts, "snowid_uuid7_cached_clock", since);
    row(
        "snowid uuid7 (wide generator, cached clock)",
        u7,
        bc,
        "of snowid next()",
    );
    row(
        "uuid crate Uuid::now_v7()",
        criterion_ns(bursts, "uuid_crate_now_v7", since),
        u7,
        "of snowid uuid7",
    );
    let ratio = |a: Option<f64>, b: Option<f64>| Some(a? / b?);
    record_ratio("core.one_id_wide_vs_ferroid", ratio(sw, fe));
    record_ratio("core.one_id_bursts_vs_ferroid", ratio(bc, bf));

    let cap = Layout::twitter().capacity().ids_per_second_per_node as f64;
    for (name, clock) in [
        ("cached", ClockChoice::Cached),
        ("monotonic", ClockChoice::Monotonic),
    ] {
        let g = node_one(Layout::twitter(), clock);
        let n = 4_096_000u64;
        let t = Instant::now();
        for _ in 0..n {
            black_box(g.next_id().unwrap());
        }
        let rate = n as f64 / t.elapsed().as_secs_f64();
        println!(
            "saturated, twitter, 1 thread, {name} clock: {:.0} IDs/s = {:.2}% of the cap {cap:.0}/s",
            rate,
            100.0 * rate / cap
        );
    }
    let g = node_one(Layout::twitter(), ClockChoice::Cached);
    let mut buf = vec![0u64; 4_096_000];
    let t = Instant::now();
    let filled = g.next_batch(&mut buf).unwrap();
    let rate = filled as f64 / t.elapsed().as_secs_f64();
    println!(
        "saturated, twitter, next_batch(4096000): {rate:.0} IDs/s = {:.2}% of the cap",
        100.0 * rate / cap
    );

    let g = node_one(Layout::twitter(), ClockChoice::Cached);
    let per = 2_048_000u64;
    let el = on_threads(2, per, || {
        black_box(g.next_id().unwrap());
    });
    let rate = (2 * per) as f64 / el.as_secs_f64();
    println!(
        "saturated, twitter, 2 threads on one generator: {rate:.0} IDs/s = {:.2}% of the cap",
        100.0 * rate / cap
    );
    let g = node_one(wide_layout(), ClockChoice::Cached);
    let per = 5_000_000u64;
    let el = on_threads(2, per, || {
        black_box(g.next_id().unwrap());
    })
    .as_secs_f64();
    println!(
        "unsaturated, wide layout, 2 threads on one generator: {:.0} IDs/s aggregate ({:.2} ns per ID)",
        (2 * per) as f64 / el,
        el * 1e9 / (2 * per) as f64
    );
}

/// The high-water mark's cost: one write (fsync + rename), and the per-ID
/// cost of a persisting generator against a plain one.
fn persistence_summary() {
    use snowid::node::{self, HighWaterFile, NodeOptions, NodeSource};
    use snowid::Reserve;
    let dir = std::env::temp_dir().join(format!("snowid-bench-{}", std::process::id()));
    let (hw, _) = HighWaterFile::open(&dir, &wide_layout(), &[1], 1000).unwrap();
    let t = Instant::now();
    let writes = 50;
    for i in 0..writes {
        hw.reserve(i).unwrap();
    }
    let per_write = t.elapsed().as_secs_f64() * 1e6 / writes as f64;
    let mut o = NodeOptions::new(NodeSource::Explicit(vec![2]));
    o.state_dir = dir.clone();
    let persisting =
        node::build(Config::new(wide_layout()).clock(ClockChoice::Cached), &o).unwrap();
    let plain = node_one(wide_layout(), ClockChoice::Cached);
    let n = 20_000_000;
    let p = best_ns(3, n, || {
        black_box(persisting.next_id().unwrap());
    });
    let q = best_ns(3, n, || {
        black_box(plain.next_id().unwrap());
    });
    println!("high-water mark: one write (temp file, fsync, rename, dir fsync) {per_write:.0} us, once per 1000 ms window");
    println!(
        "  per ID with persistence {p:.2} ns vs without {q:.2} ns ({} IDs each, best of 3)",
        n
    );
    drop(persisting);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    criterion_groups(&mut c);
    c.final_summary();
    summary(since);
    persistence_summary();
}
