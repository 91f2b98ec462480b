//! `make bench-segments` (needs the servers of scripts/services.sh and the
//! `postgres,redis` features): sustained IDs/s from one process for a few
//! seconds, segment mode on PostgreSQL and on Redis, against the naive way in
//! the same run: PostgreSQL `nextval()` per ID and Redis `INCR` per ID.
//! Target: segment >= 100x the naive IDs/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use snowid::segment::SegmentOptions;

const RUN: Duration = Duration::from_secs(3);

fn rate(mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed() < RUN {
        for _ in 0..64 {
            f();
        }
        n += 64;
    }
    n as f64 / t.elapsed().as_secs_f64()
}

fn segment_rate(url: &str, key: &str) -> (f64, snowid::SegmentStats) {
    let seg = SegmentOptions::new()
        .with("store", url)
        .build(key)
        .expect("segment");
    let r = rate(|| {
        black_box(seg.next_id().unwrap());
    });
    (r, seg.stats())
}

fn main() {
    let pg = std::env::var("SNOWID_TEST_POSTGRES_URL")
        .expect("SNOWID_TEST_POSTGRES_URL (make bench-segments)");
    let rd = std::env::var("SNOWID_TEST_REDIS_URL")
        .expect("SNOWID_TEST_REDIS_URL (make bench-segments)");
    let key = format!("bench-{}", std::process::id());

    let (seg_pg, st_pg) = segment_rate(&pg, &key);
    let (seg_rd, st_rd) = segment_rate(&rd, &key);

    let mut client = postgres::Client::connect(&pg, postgres::NoTls).expect("postgres");
    client
        .batch_execute("CREATE SEQUENCE IF NOT EXISTS snowid_bench_seq")
        .unwrap();
    let stmt = client
        .prepare("SELECT nextval('snowid_bench_seq')")
        .unwrap();
    let naive_pg = rate(|| {
        let v: i64 = client.query_one(&stmt, &[]).unwrap().get(0);
        black_box(v);
    });

    let mut conn = redis::Client::open(rd.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let rkey = format!("snowid-bench-incr-{}", std::process::id());
    let naive_rd = rate(|| {
        let v: i64 = redis::cmd("INCR").arg(&rkey).query(&mut conn).unwrap();
        black_box(v);
    });
    let _: () = redis::cmd("DEL").arg(&rkey).query(&mut conn).unwrap();

    println!(
        "\nsustained IDs/s from one process, {} s each, same run (the machine may be shared)",
        RUN.as_secs()
    );
    println!(
        "| store | segment mode IDs/s | naive per-ID IDs/s | ratio | ranges | final step | waits |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| PostgreSQL (naive: nextval() per ID) | {seg_pg:.0} | {naive_pg:.0} | {:.0}x | {} | {} | {} |",
        seg_pg / naive_pg,
        st_pg.ranges_fetched,
        st_pg.step,
        st_pg.waits
    );
    println!(
        "| Redis (naive: INCR per ID) | {seg_rd:.0} | {naive_rd:.0} | {:.0}x | {} | {} | {} |",
        seg_rd / naive_rd,
        st_rd.ranges_fetched,
        st_rd.step,
        st_rd.waits
    );
}
