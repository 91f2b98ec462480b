use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;

use super::*;

/// A store in memory that can be switched off, for the generator's logic.
struct MemStore {
    max: AtomicU64,
    down: AtomicBool,
    takes: AtomicU64,
}

impl SegmentStore for Arc<MemStore> {
    fn take(&self, key: &str, step: u64) -> Result<Range> {
        self.takes.fetch_add(1, SeqCst);
        if self.down.load(SeqCst) {
            return Err(store::unavailable(key, "mem://", "down"));
        }
        let m = self.max.fetch_add(step, SeqCst) + step;
        Ok(Range::ending_at(m, step))
    }
    fn raise_to(&self, _key: &str, max_id: u64) -> Result<u64> {
        Ok(self.max.fetch_max(max_id, SeqCst).max(max_id))
    }
    fn describe(&self) -> &str {
        "mem://"
    }
}

fn mem() -> Arc<MemStore> {
    Arc::new(MemStore {
        max: AtomicU64::new(0),
        down: AtomicBool::new(false),
        takes: AtomicU64::new(0),
    })
}

fn wait_buffered(seg: &Segment) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seg.stats().buffered {
        assert!(Instant::now() < deadline, "no prefetch: {:?}", seg.stats());
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn settings(step: u64) -> SegmentSettings {
    SegmentOptions::new()
        .with("store", "file:///unused")
        .with("step", step)
        .with("min_step", step)
        .with("max_step", step)
        .resolve_in(&Environment::default())
        .map(|s| SegmentSettings {
            mark_dir: None,
            ..s
        })
        .unwrap()
}

/// [`settings`] with the machine marks in `dir`.
fn marked(step: u64, dir: &std::path::Path) -> SegmentSettings {
    SegmentSettings {
        mark_dir: Some(dir.to_owned()),
        ..settings(step)
    }
}

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("snowid-seg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn keys() {
    for k in ["orders", "a", "Order-2024_x.y", &"k".repeat(128)] {
        validate_key(k).unwrap();
    }
    for (k, part) in [
        ("", "empty"),
        (&"k".repeat(129) as &str, "129 bytes"),
        ("a/b", "'/'"),
        ("a b", "' '"),
        ("é", "'é'"),
        (".hidden", "starts with '.'"),
    ] {
        let e = validate_key(k).unwrap_err();
        assert_eq!(e.code(), "SEGMENT_KEY");
        assert!(e.to_string().contains(part), "{k}: {e}");
    }
    assert_eq!(
        key_from_value(&Value::Int(3)).unwrap_err().code(),
        "WRONG_TYPE"
    );
    assert_eq!(
        key_from_value(&Value::NonUtf8(vec![0xff]))
            .unwrap_err()
            .code(),
        "SEGMENT_KEY"
    );
}

#[test]
fn options_rules() {
    let env = Environment::from_pairs([("SNOWID_STATE_DIR", "/state")]);
    let s = SegmentOptions::new().resolve_in(&env).unwrap();
    assert_eq!(
        s.summary_json(),
        r#"{"allow_volatile_store":false,"max_step":1000000,"min_step":1000,"prefetch_at":10,"range_ms":60000,"step":1000,"store":"file:///state/segments"}"#
    );
    let env2 = Environment::from_pairs([("SNOWID_SEGMENT_STORE", "ftp://x")]);
    let e = SegmentOptions::new().resolve_in(&env2).unwrap_err();
    assert!(e.to_string().contains("SNOWID_SEGMENT_STORE"), "{e}");
    let s = SegmentOptions::new()
        .with("step", 10)
        .resolve_in(&env)
        .unwrap();
    assert_eq!((s.min_step, s.step, s.max_step), (10, 10, 1_000_000));
    let s = SegmentOptions::new()
        .with("maxStep", 50)
        .resolve_in(&env)
        .unwrap();
    assert_eq!((s.min_step, s.step, s.max_step), (50, 50, 50));
    for (o, code) in [
        (SegmentOptions::new().with("stpe", 1), "INVALID_SETTING"),
        (
            SegmentOptions::new().with("step", 1).with("step", 2),
            "INVALID_SETTING",
        ),
        (
            SegmentOptions::new().with("min_step", 1).with("minStep", 2),
            "INVALID_SETTING",
        ),
        (SegmentOptions::new().with("step", 0), "INVALID_SETTING"),
        (SegmentOptions::new().with("step", "10"), "WRONG_TYPE"),
        (
            SegmentOptions::new().with("prefetch_at", 100),
            "INVALID_SETTING",
        ),
        (
            SegmentOptions::new().with("step", 10).with("min_step", 11),
            "INVALID_SETTING",
        ),
        (
            SegmentOptions::new().with("step", 10).with("max_step", 9),
            "INVALID_SETTING",
        ),
        (SegmentOptions::new().with("store", 1), "WRONG_TYPE"),
        (
            SegmentOptions::new().with("allow_volatile_store", "yes"),
            "WRONG_TYPE",
        ),
        (
            SegmentOptions::new().with("allowVolatileStore", 2),
            "INVALID_SETTING",
        ),
        (
            SegmentOptions::new().with("store", "x"),
            "SEGMENT_STORE_URL",
        ),
    ] {
        assert_eq!(o.resolve_in(&env).unwrap_err().code(), code, "{o:?}");
    }
}

#[test]
fn step_adapts_within_bounds() {
    let mut s = settings(100);
    s.min_step = 10;
    s.max_step = 400;
    s.range_ms = 1000;
    let ms = Duration::from_millis;
    assert_eq!(adapt_step(&s, 100, ms(100)), 200);
    assert_eq!(adapt_step(&s, 300, ms(100)), 400);
    assert_eq!(adapt_step(&s, 100, ms(1000)), 100);
    assert_eq!(adapt_step(&s, 100, ms(3000)), 50);
    assert_eq!(adapt_step(&s, 15, ms(3000)), 10);
}

#[test]
fn dense_and_increasing_with_prefetch() {
    let store = mem();
    let seg = Segment::with_store("k", settings(100), Box::new(store.clone())).unwrap();
    let ids = seg.next_ids(1000).unwrap();
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
    // One range ahead at most: 10 ranges used, an 11th buffered or in flight.
    let st = seg.stats();
    assert!(st.ranges_fetched >= 10 && st.ranges_fetched <= 11, "{st:?}");
    let mut last = 1000;
    for _ in 0..1000 {
        let id = seg.next_id().unwrap();
        assert_eq!(id, last + 1);
        last = id;
    }
}

#[test]
fn threads_get_unique_increasing_ids() {
    let store = mem();
    let seg = Arc::new(Segment::with_store("k", settings(64), Box::new(store.clone())).unwrap());
    let per = 20_000;
    let all: Vec<Vec<u64>> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|t| {
                let seg = &seg;
                sc.spawn(move || {
                    let mut v = Vec::with_capacity(per);
                    while v.len() < per {
                        if t % 2 == 0 {
                            v.push(seg.next_id().unwrap());
                        } else {
                            v.extend(seg.next_ids(7.min(per - v.len())).unwrap());
                        }
                    }
                    v
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut seen = HashSet::new();
    for v in &all {
        assert!(v.windows(2).all(|w| w[0] < w[1]), "per thread increasing");
        for id in v {
            assert!(seen.insert(*id), "duplicate {id}");
        }
    }
    let max = *seen.iter().max().unwrap();
    let taken = store.max.load(SeqCst);
    assert!(max <= taken);
}

#[test]
fn store_down_spends_buffers_then_fails_then_recovers() {
    let store = mem();
    let seg = Segment::with_store("k", settings(10), Box::new(store.clone())).unwrap();
    // 10% of a range of 10: the second ID asks for the next range.
    assert_eq!(seg.next_ids(2).unwrap(), [1, 2]);
    wait_buffered(&seg);
    store.down.store(true, SeqCst);
    let ids = seg.next_ids(18).unwrap();
    assert_eq!(ids, (3..=20).collect::<Vec<_>>());
    let e = seg.next_id().unwrap_err();
    assert_eq!(e.code(), "SEGMENT_STORE_UNAVAILABLE");
    assert!(
        e.to_string().contains("\"k\"") && e.to_string().contains("mem://"),
        "{e}"
    );
    assert!(seg.stats().fetch_failures >= 1);
    store.down.store(false, SeqCst);
    let id = seg.next_id().unwrap();
    assert!(id > 20, "{id}");
}

#[test]
fn store_that_goes_backwards_is_refused() {
    let store = mem();
    let seg = Segment::with_store("k", settings(10), Box::new(store.clone())).unwrap();
    seg.next_ids(10).unwrap();
    wait_buffered(&seg);
    store.max.store(0, SeqCst); // the store lost its data
    seg.next_ids(10).unwrap(); // the buffered range is still ours
    let e = seg.next_id().unwrap_err();
    assert_eq!(e.code(), "SEGMENT_STORE_UNAVAILABLE");
    assert!(e.to_string().contains("went backwards"), "{e}");
    // For good: a counter that climbs back past our floor may repeat IDs
    // that other processes issued before the loss.
    store.max.store(1000, SeqCst);
    assert!(seg
        .next_id()
        .unwrap_err()
        .to_string()
        .contains("went backwards"));
}

#[test]
fn running_segment_repairs_the_store_before_refusing() {
    let store = mem();
    let seg = Segment::with_store("k", settings(10), Box::new(store.clone())).unwrap();
    seg.next_ids(10).unwrap();
    wait_buffered(&seg); // 11..21 buffered: the highest ID seen is 20
    store.max.store(0, SeqCst);
    seg.next_ids(10).unwrap();
    let e = seg.next_id().unwrap_err();
    assert!(e.to_string().contains("raised it to 20"), "{e}");
    // The store was raised past everything this process took (the range it
    // handed out while lost, 1..11, does not lower it).
    assert!(store.max.load(SeqCst) >= 20, "{}", store.max.load(SeqCst));
}

#[test]
fn fresh_segment_takes_above_the_machine_mark() {
    let dir = tmp_dir("mark");
    let store = mem();
    let a = Segment::with_store("k", marked(10, &dir), Box::new(store.clone())).unwrap();
    assert_eq!(a.next_ids(5).unwrap(), [1, 2, 3, 4, 5]);
    drop(a);
    let m = mark::MachineMark::open(&dir, "mem://", "k").unwrap();
    let after_a = m.read().unwrap();
    assert!(after_a >= 10, "the range's end is recorded: {after_a}");
    store.max.store(0, SeqCst); // the store forgot (or was restored)
    let b = Segment::with_store("k", marked(10, &dir), Box::new(store.clone())).unwrap();
    let id = b.next_id().unwrap();
    assert!(id > after_a, "{id} after a mark of {after_a}");
    assert!(store.max.load(SeqCst) > after_a);
    drop(b);
    // A mark that does not read back is an error, never a restart from 0.
    let text = std::fs::read_to_string(m.path()).unwrap();
    std::fs::write(m.path(), text.replace("max_id ", "max_id 9")).unwrap();
    let e = Segment::with_store("k", marked(10, &dir), Box::new(store.clone())).unwrap_err();
    assert_eq!(e.code(), "STATE_CORRUPT", "{e}");
    // Another store's or key's mark is its own file.
    let other = Segment::with_store("k2", marked(10, &dir), Box::new(store.clone())).unwrap();
    other.next_id().unwrap();
    drop(other);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_store_survives_a_new_segment() {
    let dir = std::env::temp_dir().join(format!("snowid-seg-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("file://{}", dir.display());
    let opts = SegmentOptions::new()
        .with("store", url.as_str())
        .with("step", 5);
    let a = opts.build("orders").unwrap();
    assert_eq!(a.next_id().unwrap(), 1);
    drop(a); // the rest of its ranges is skipped, never reused
    let b = opts.build("orders").unwrap();
    let id = b.next_id().unwrap();
    assert!(id >= 6, "{id}");
    assert_eq!(opts.build("bad/key").unwrap_err().code(), "SEGMENT_KEY");
    drop(b); // joins its prefetch thread
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn default_store_is_refused_where_every_replica_has_its_own_filesystem() {
    for (pairs, named) in [
        (
            vec![
                ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
                ("HOSTNAME", "web-7f9c-abcde"),
            ],
            "Kubernetes",
        ),
        // A StatefulSet pod has its own node number, but still its own disk.
        (
            vec![
                ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
                ("HOSTNAME", "web-3"),
            ],
            "Kubernetes",
        ),
        (
            vec![("AWS_LAMBDA_FUNCTION_NAME", "billing")],
            "AWS_LAMBDA_FUNCTION_NAME=billing",
        ),
        (
            vec![("K_SERVICE", "api"), ("SNOWID_STATE_DIR", "/data")],
            "K_SERVICE=api",
        ),
    ] {
        let env = Environment::from_pairs(pairs.clone());
        let e = SegmentOptions::new().resolve_in(&env).unwrap_err();
        assert_eq!(e.code(), "SEGMENT_STORE_URL", "{pairs:?}: {e}");
        let msg = e.to_string();
        for part in [named, "postgres://", "redis://", "SNOWID_SEGMENT_STORE"] {
            assert!(msg.contains(part), "{pairs:?}: {msg}");
        }
        // A store the user chose is used as given, a file store too.
        let s = SegmentOptions::new()
            .with("store", "file:///mnt/segments")
            .resolve_in(&env)
            .unwrap();
        assert_eq!(s.store, StoreUrl::File("/mnt/segments".into()));
        let mut with_env = pairs.clone();
        with_env.push(("SNOWID_SEGMENT_STORE", "file:///mnt/shared"));
        let s = SegmentOptions::new()
            .resolve_in(&Environment::from_pairs(with_env))
            .unwrap();
        assert_eq!(s.store, StoreUrl::File("/mnt/shared".into()));
    }
}

#[cfg(unix)]
#[test]
fn default_store_is_one_directory_for_every_user() {
    for pairs in [
        vec![("HOME", "/root"), ("USER", "root")],
        vec![("HOME", "/nonexistent"), ("USER", "nobody")],
        vec![("XDG_STATE_HOME", "/home/a/.state")],
    ] {
        let s = SegmentOptions::new()
            .resolve_in(&Environment::from_pairs(pairs))
            .unwrap();
        assert_eq!(s.store, StoreUrl::File(file::MACHINE_STORE_DIR.into()));
    }
    let s = SegmentOptions::new()
        .resolve_in(&Environment::from_pairs([("SNOWID_STATE_DIR", "/srv/s")]))
        .unwrap();
    assert_eq!(s.store, StoreUrl::File("/srv/s/segments".into()));
}
