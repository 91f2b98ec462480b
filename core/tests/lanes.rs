//! Random sequence start and lanes (issue 14 parts 1 and 4).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use snowid::env::Environment;
use snowid::generator::{sequence_offset, spread_mask};
use snowid::{GeneratorOptions, Layout, ManualClock};

mod common;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snowid-lanes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn manual_options(clock: &ManualClock) -> GeneratorOptions {
    GeneratorOptions::new()
        .with("clock", clock.clone())
        .with("datacenter", 1)
        .with("worker", 7)
}

/// 1600 IDs at 100 IDs/s (the manual clock moves 10 ms between IDs): the
/// plain layout puts every one on shard 0 of 16; a random start spreads
/// them evenly (expected 100 per shard).
#[test]
fn random_start_spreads_ids_over_shards_at_low_rates() {
    let shards = |random: bool| {
        let clock = ManualClock::new(Layout::twitter().epoch_ms() + 1_000_000);
        let g = manual_options(&clock)
            .with("random_sequence_start", random)
            .build()
            .unwrap();
        let mut counts = [0u32; 16];
        let mut last = 0;
        for _ in 0..1600 {
            let id = g.next_id().unwrap();
            assert!(id > last);
            last = id;
            counts[(id % 16) as usize] += 1;
            clock.advance(10);
        }
        counts
    };
    let plain = shards(false);
    assert_eq!(plain[0], 1600, "plain layout: all on shard 0: {plain:?}");
    let spread = shards(true);
    assert!(
        spread.iter().all(|&n| (60..=140).contains(&n)),
        "random start: near uniform over 16 shards: {spread:?}"
    );
    // Chi-square with 15 degrees of freedom: 30.6 is the 1% tail.
    let chi2: f64 = spread
        .iter()
        .map(|&n| (f64::from(n) - 100.0).powi(2) / 100.0)
        .sum();
    assert!(chi2 < 30.6, "chi2 {chi2} {spread:?}");
}

/// The offset applies to a tick entered from the clock and costs exactly
/// that many IDs of the tick; a tick entered by carry starts at 0.
#[test]
fn random_start_offset_and_its_capacity_cost() {
    let l = Layout::twitter();
    let clock = ManualClock::new(l.epoch_ms() + 5_000);
    let g = manual_options(&clock)
        .with("random_sequence_start", true)
        .with("max_borrow_ticks", 1)
        .build()
        .unwrap();
    let node_bits = l.compose_tick(0, 0, &[1, 7]).unwrap();
    let m = spread_mask(12);
    assert_eq!(m, 255);
    let tick = 5_000;
    let offset = sequence_offset(tick, node_bits, m);
    let mut buf = vec![0; 8192];
    let n = g.next_batch(&mut buf).unwrap();
    // This tick holds 4096 - offset IDs; the borrowed next one (entered by
    // carry) all 4096.
    assert_eq!(n, 4096 - offset as usize + 4096);
    assert!(buf[..n].windows(2).all(|w| w[0] < w[1]));
    let first = l.decode(buf[0]).unwrap();
    assert_eq!((first.tick, first.sequence), (tick, offset));
    let carried = l.decode(buf[4096 - offset as usize]).unwrap();
    assert_eq!((carried.tick, carried.sequence), (tick + 1, 0));
    assert_eq!(g.stats().issued, n as u64);
    // Over many ticks the offsets cover 0..=255 about evenly.
    let offsets: Vec<u64> = (0..4096)
        .map(|t| sequence_offset(t, node_bits, m))
        .collect();
    let mean = offsets.iter().sum::<u64>() as f64 / 4096.0;
    assert!((mean - 127.5).abs() < 8.0, "mean offset {mean}");
    assert_eq!(*offsets.iter().max().unwrap(), 255);
}

#[test]
fn random_start_with_threads_on_the_real_clock_stays_unique() {
    let g = GeneratorOptions::new()
        .with("datacenter", 2)
        .with("worker", 3)
        .with("protect", false)
        .with("random_sequence_start", true)
        .build()
        .unwrap();
    let runs = common::hammer(Arc::new(g), 3, 30_000);
    assert!(common::assert_unique(&runs) >= 90_000);
}

/// Four lanes from explicit numbers take the block of four node numbers
/// the given number (datacenter 1, worker 7: node number 39) owns,
/// 156..=159; each thread keeps to one lane (its IDs increase and carry one node), no
/// ID repeats, and the counters add up.
#[test]
fn lanes_from_explicit_numbers() {
    let g = GeneratorOptions::new()
        .with("datacenter", 1)
        .with("worker", 7)
        .with("protect", false)
        .with("lanes", 4)
        .build()
        .unwrap();
    assert_eq!(g.lane_count(), 4);
    let lanes: Vec<Vec<u32>> = g.lane_nodes().iter().map(|n| n.to_vec()).collect();
    assert_eq!(lanes, [[4, 28], [4, 29], [4, 30], [4, 31]]);
    let g = Arc::new(g);
    let l = Layout::twitter();
    // Only next_id here: next_batch may fill from several lanes.
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let g = Arc::clone(&g);
            std::thread::spawn(move || {
                (0..20_000)
                    .map(|_| g.next_id().unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let runs: Vec<Vec<u64>> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(common::assert_unique(&runs), 80_000);
    for run in &runs {
        assert!(run.windows(2).all(|w| w[0] < w[1]), "increasing per lane");
        let nodes: HashSet<Vec<u32>> = run
            .iter()
            .map(|&id| l.decode(id).unwrap().nodes.to_vec())
            .collect();
        assert_eq!(nodes.len(), 1, "one thread, one lane");
    }
    assert_eq!(g.stats().issued, 80_000);
    // Mixed next_id / next_batch from more threads than lanes: still unique.
    let runs = common::hammer(Arc::clone(&g), 6, 20_000);
    assert!(common::assert_unique(&runs) >= 120_000);
}

/// `next_batch` fills from every lane: with a manual clock (which never
/// waits) one tick gives lanes x 4096 IDs, in one increasing run per lane.
#[test]
fn next_batch_fills_from_several_lanes() {
    let clock = ManualClock::new(Layout::twitter().epoch_ms() + 77);
    let g = manual_options(&clock).with("lanes", 2).build().unwrap();
    let mut buf = vec![0; 9000];
    assert_eq!(g.next_batch(&mut buf).unwrap(), 8192);
    let l = Layout::twitter();
    for run in buf[..8192].chunks(4096) {
        assert!(run.windows(2).all(|w| w[0] < w[1]));
        let first = l.decode(run[0]).unwrap();
        assert!(run
            .iter()
            .all(|&id| l.decode(id).unwrap().nodes == first.nodes));
    }
    assert_ne!(
        l.decode(buf[0]).unwrap().nodes,
        l.decode(buf[4096]).unwrap().nodes
    );
    assert_eq!(g.next_id().unwrap_err().code(), "SEQUENCE_EXHAUSTED");
    clock.advance(1);
    assert!(g.next_id().is_ok());
    assert_eq!(g.stats().issued, 8193);
}

#[test]
fn lane_errors_name_the_value_and_the_range() {
    let e = GeneratorOptions::new()
        .with("datacenter", 31)
        .with("worker", 31)
        .with("lanes", 2)
        .resolve()
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_SETTING");
    assert!(
        e.to_string().ends_with(
        "datacenter=31, worker=31 (node number 1023) with 2 lanes owns node numbers 2046..=2047, beyond layout twitter's 0..=1023: a number given with lanes is a block index (n x 2 .. n x 2 + 1), at most 511 (datacenter=15, worker=31) with 2 lanes"
        ),
        "{e}"
    );
    let e = GeneratorOptions::new()
        .with("layout", common::small_node_layout("tiny"))
        .with("node", 1)
        .with("lanes", 3)
        .resolve()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("node=1 with 3 lanes owns node numbers 3..=5, beyond layout tiny's 0..=3"),
        "{e}"
    );
    let e = GeneratorOptions::new()
        .with("datacenter", 0)
        .with("worker", 0)
        .with("lanes", 0)
        .resolve()
        .unwrap_err();
    assert!(e.to_string().contains("1..=1024"), "{e}");
}

/// Local lanes each claim a free slot with its own lock and mark; a second
/// generator gets the other slots; more lanes than free slots is
/// NO_FREE_SLOT, and dropping a lane generator frees all its slots.
#[test]
fn local_lanes_claim_distinct_slots() {
    let dir = temp_dir("local");
    let opts = |lanes: u32| {
        GeneratorOptions::new()
            .with("layout", common::small_node_layout("tiny"))
            .with("node_source", "local")
            .with("state_dir", dir.to_str().unwrap())
            .with("lanes", lanes)
    };
    let a = opts(3).build().unwrap();
    let mut nodes: Vec<u32> = a.lane_nodes().iter().map(|n| n[0]).collect();
    nodes.sort();
    assert_eq!(nodes, [0, 1, 2]);
    // Two lanes, one free number: the error says what was asked and free.
    let e = opts(2).build().unwrap_err();
    assert_eq!(e.code(), "NO_FREE_SLOT");
    assert!(
        e.to_string().starts_with(
            "not enough free node numbers: 2 lanes asked for 2 node numbers and only 1 of the 4 slots under"
        ),
        "{e}"
    );
    let b = opts(1).build().unwrap();
    assert_eq!(b.nodes(), &[3]);
    let runs = common::hammer(Arc::new(a), 3, 5_000);
    assert!(common::assert_unique(&runs) >= 15_000);
    // `a` was dropped (its Arc with the threads): its slots are free again.
    let c = opts(3).build().unwrap();
    assert_eq!(c.lane_count(), 3);
    drop((b, c));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Protected explicit lanes lock every number they hold: another generator
/// asking for one of them is refused; shutdown lowers every lane's mark and
/// the generator keeps issuing above it.
#[test]
fn protected_lanes_lock_every_number_and_shut_down_cleanly() {
    let dir = temp_dir("protect");
    let opts = |datacenter: u32, worker: u32, lanes: u32| {
        GeneratorOptions::new()
            .with("datacenter", datacenter)
            .with("worker", worker)
            .with("state_dir", dir.to_str().unwrap())
            .with("lanes", lanes)
    };
    // Node number 100 with two lanes owns 200 and 201: datacenter 6,
    // workers 8 and 9.
    let g = opts(3, 4, 2).build().unwrap();
    let e = opts(6, 9, 1).build().unwrap_err();
    assert_eq!(e.code(), "NODE_IN_USE");
    let first = g.next_id().unwrap();
    g.shutdown();
    let after = g.next_id().unwrap();
    assert_ne!(first, after);
    assert!(
        g.source().contains("datacenter=6, worker=8")
            && g.source().contains("datacenter=6, worker=9"),
        "{}",
        g.source()
    );
    drop(g);
    let again = opts(6, 9, 1).build().unwrap();
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 19 item 1: two machines configured the documented safe way,
/// `SNOWID_WORKER_ID=0` and `=1`, both with two lanes, held workers {0, 1}
/// and {1, 2} and issued the same IDs. Each env number is now a block
/// index: {0, 1} and {2, 3}, and 2 x 100,000 IDs issued at the same time
/// share none.
#[test]
fn env_numbers_with_lanes_on_two_machines_never_overlap() {
    let machine = |worker: &str| {
        let dir = temp_dir(&format!("machine-{worker}"));
        let env = Environment::from_pairs([
            ("SNOWID_WORKER_ID", worker.to_owned()),
            ("SNOWID_STATE_DIR", dir.display().to_string()),
        ]);
        let configured = GeneratorOptions::new().with("lanes", 2);
        let g = snowid::options::resolve_default(Some(&configured), &env)
            .unwrap()
            .build()
            .unwrap();
        (g, dir)
    };
    let (a, dir_a) = machine("0");
    let (b, dir_b) = machine("1");
    let nodes = |g: &snowid::Generator| -> HashSet<Vec<u32>> {
        g.lane_nodes().iter().map(|n| n.to_vec()).collect()
    };
    let (na, nb) = (nodes(&a), nodes(&b));
    assert_eq!(na, HashSet::from([vec![0, 0], vec![0, 1]]));
    assert_eq!(nb, HashSet::from([vec![0, 2], vec![0, 3]]));
    let (a, b) = (Arc::new(a), Arc::new(b));
    let (ha, hb) = (
        std::thread::spawn(move || common::hammer(a, 2, 50_000)),
        std::thread::spawn(move || common::hammer(b, 2, 50_000)),
    );
    let (ra, rb) = (ha.join().unwrap(), hb.join().unwrap());
    let l = Layout::twitter();
    let issued_on = |runs: &[Vec<u64>]| -> HashSet<Vec<u32>> {
        runs.iter()
            .flatten()
            .map(|&id| l.decode(id).unwrap().nodes[..2].to_vec())
            .collect()
    };
    assert!(issued_on(&ra).is_subset(&na), "{:?}", issued_on(&ra));
    assert!(issued_on(&rb).is_subset(&nb));
    let ids_a: HashSet<u64> = ra.iter().flatten().copied().collect();
    assert!(ids_a.len() >= 100_000);
    let shared = rb.iter().flatten().filter(|id| ids_a.contains(id)).count();
    assert_eq!(shared, 0, "IDs issued by both machines");
    assert!(common::assert_unique(&[ra, rb].concat()) >= 200_000);
    let _ = std::fs::remove_dir_all(dir_a);
    let _ = std::fs::remove_dir_all(dir_b);
}
