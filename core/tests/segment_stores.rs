//! Segment mode with real stores and real processes: the file store always;
//! PostgreSQL and Redis when built with the `postgres` / `redis` features
//! (`make test-segments` starts them with scripts/services.sh and sets
//! SNOWID_TEST_POSTGRES_URL / SNOWID_TEST_REDIS_URL).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

const WORKER: &str = env!("CARGO_BIN_EXE_snowid-segment-worker");

/// One test at a time: one of them restarts the servers the others use.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

struct Store {
    name: &'static str,
    url: String,
    /// `scripts/services.sh restart-NAME` restarts it; `keeps_data`: whether
    /// the restarted server still has the counters.
    restart: Option<(&'static str, bool)>,
}

fn stores() -> Vec<Store> {
    let dir = std::env::temp_dir().join(format!("snowid-seg-stores-{}", std::process::id()));
    let mut v = vec![Store {
        name: "file",
        url: format!("file://{}", dir.display()),
        restart: None,
    }];
    let need = |var: &str| {
        std::env::var(var).unwrap_or_else(|_| {
            panic!("{var} is not set: run these tests with `make test-segments`, which starts the servers")
        })
    };
    if cfg!(feature = "postgres") {
        v.push(Store {
            name: "postgres",
            url: need("SNOWID_TEST_POSTGRES_URL"),
            restart: Some(("restart-postgres", true)),
        });
    }
    if cfg!(feature = "redis") {
        // The test Redis runs without persistence: a restart loses every
        // counter, which the segments must notice and refuse.
        v.push(Store {
            name: "redis",
            url: need("SNOWID_TEST_REDIS_URL"),
            restart: Some(("restart-redis", false)),
        });
    }
    v
}

fn fresh_key(what: &str) -> String {
    let ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{ns}", std::process::id())
}

fn spawn(url: &str, key: &str, count: u64, step: u64, max_step: u64, pause_us: u64) -> Child {
    Command::new(WORKER)
        .args([
            url,
            key,
            &count.to_string(),
            &step.to_string(),
            &max_step.to_string(),
            &pause_us.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start snowid-segment-worker")
}

/// The IDs a worker printed, its error lines, and whether it exited 0.
fn collect(child: Child) -> (Vec<u64>, Vec<String>, bool) {
    let out = child.wait_with_output().expect("worker output");
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if let Some(e) = line.strip_prefix("E ") {
            errors.push(e.to_owned());
        } else if !line.starts_with('#') {
            ids.push(line.parse().expect("an ID line"));
        }
    }
    (ids, errors, out.status.success())
}

fn check_unique_and_increasing(name: &str, runs: &[Vec<u64>]) -> HashSet<u64> {
    let mut seen = HashSet::new();
    for (p, ids) in runs.iter().enumerate() {
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{name}: process {p} is not strictly increasing"
        );
        for id in ids {
            assert!(seen.insert(*id), "{name}: {id} issued twice");
        }
    }
    seen
}

#[test]
fn four_processes_share_one_key() {
    let _serial = serial();
    let (n, step, max_step) = (250_000u64, 1000u64, 20_000u64);
    for store in stores() {
        let key = fresh_key("four");
        let children: Vec<Child> = (0..4)
            .map(|_| spawn(&store.url, &key, n, step, max_step, 0))
            .collect();
        let runs: Vec<Vec<u64>> = children
            .into_iter()
            .map(|c| {
                let (ids, errors, ok) = collect(c);
                assert!(ok && errors.is_empty(), "{}: {errors:?}", store.name);
                assert_eq!(ids.len() as u64, n);
                ids
            })
            .collect();
        let seen = check_unique_and_increasing(store.name, &runs);
        let max = *seen.iter().max().unwrap();
        assert_eq!(
            *seen.iter().min().unwrap(),
            1,
            "{}: a new key starts at 1",
            store.name
        );
        // Skipped IDs: the unused rest of each process's current and
        // buffered range at exit, at most two ranges of max_step each.
        let skipped = max - seen.len() as u64;
        let bound = 4 * 2 * max_step;
        eprintln!(
            "{}: 4 x {n} IDs, no duplicate, largest {max}, skipped {skipped} (bound {bound})",
            store.name
        );
        assert!(
            skipped <= bound,
            "{}: skipped {skipped} > {bound}",
            store.name
        );
    }
}

#[test]
fn sigkill_mid_range_then_restart_reissues_nothing() {
    let _serial = serial();
    for store in stores() {
        let key = fresh_key("kill");
        let mut child = spawn(&store.url, &key, 1 << 40, 1000, 1000, 1000);
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = Vec::new();
        let mut line = String::new();
        while first.len() < 5550 {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "worker ended early"
            );
            first.push(line.trim().parse::<u64>().unwrap());
        }
        child.kill().unwrap(); // SIGKILL, mid-range (ranges of 1000, 5550 read)
        child.wait().unwrap();
        for l in reader.lines() {
            first.push(l.unwrap().trim().parse().unwrap());
        }
        let (second, errors, ok) = collect(spawn(&store.url, &key, 5000, 1000, 1000, 0));
        assert!(ok && errors.is_empty(), "{}: {errors:?}", store.name);
        let seen = check_unique_and_increasing(store.name, &[first.clone(), second.clone()]);
        let last = *first.last().unwrap();
        assert!(
            second[0] > last,
            "{}: restart began at {} after {last}",
            store.name,
            second[0]
        );
        eprintln!(
            "{}: killed after {} IDs (last {last}); the restart began at {} ({} IDs skipped)",
            store.name,
            first.len(),
            second[0],
            second[0] - last - 1
        );
        assert_eq!(seen.len(), first.len() + second.len());
    }
}

#[test]
fn store_restart_mid_run() {
    let _serial = serial();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/services.sh");
    for store in stores() {
        let Some((restart, keeps_data)) = store.restart else {
            continue;
        };
        let key = fresh_key("restart");
        // 4 processes x 40k IDs in ranges of 100, 2 ms pause per 100: the
        // run spans the restart.
        let children: Vec<Child> = (0..4)
            .map(|_| spawn(&store.url, &key, 40_000, 100, 100, 2_000))
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(150));
        let st = Command::new(&script).arg(restart).status().unwrap();
        assert!(st.success(), "{restart} failed");
        let results: Vec<_> = children.into_iter().map(collect).collect();
        let runs: Vec<Vec<u64>> = results.iter().map(|r| r.0.clone()).collect();
        check_unique_and_increasing(store.name, &runs);
        for (ids, errors, ok) in &results {
            for e in errors {
                assert!(
                    e.starts_with("SEGMENT_STORE_UNAVAILABLE "),
                    "{}: {e}",
                    store.name
                );
                assert!(
                    e.contains(&key),
                    "{}: the error names the key: {e}",
                    store.name
                );
            }
            if keeps_data {
                assert!(*ok, "{}: did not recover: {errors:?}", store.name);
                assert_eq!(ids.len(), 40_000);
            } else {
                // Redis without persistence forgot the counter: each process
                // notices and refuses for good, after its buffered ranges.
                assert!(
                    !ok,
                    "{}: kept issuing after the store lost data",
                    store.name
                );
                assert!(
                    errors.iter().any(|e| e.contains("went backwards")),
                    "{}: {errors:?}",
                    store.name
                );
            }
        }
        let fails: usize = results.iter().map(|r| r.1.len()).sum();
        eprintln!(
            "{}: restarted mid-run; {} IDs issued, {fails} error lines, no duplicate",
            store.name,
            runs.iter().map(Vec::len).sum::<usize>()
        );
    }
}
