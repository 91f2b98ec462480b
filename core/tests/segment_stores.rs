//! Segment mode with real stores and real processes: the file store always;
//! PostgreSQL and Redis when built with the `postgres` / `redis` features
//! (`make test-segments` starts them with scripts/services.sh and sets
//! SNOWID_TEST_POSTGRES_URL, SNOWID_TEST_REDIS_URL (a Redis with its AOF on)
//! and SNOWID_TEST_VOLATILE_REDIS_URL (a Redis without persistence)).
//!
//! Every worker runs with SNOWID_STATE_DIR set to a "machine" directory of
//! the test (where its machine marks live): workers sharing one play the
//! processes of one machine, others those of other machines.
// Without both store features only the file store runs: the other stores' helpers
// are then unused.
#![cfg_attr(
    not(all(feature = "postgres", feature = "redis")),
    allow(dead_code, unused_mut, unreachable_patterns)
)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
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
    /// `scripts/services.sh restart-NAME` restarts it (with its data).
    restart: Option<&'static str>,
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
            restart: Some("restart-postgres"),
        });
    }
    if cfg!(feature = "redis") {
        // The test Redis keeps its AOF: a restart keeps every counter (the
        // volatile one is for `store_went_backwards_*` and the refusal).
        v.push(Store {
            name: "redis",
            url: need("SNOWID_TEST_REDIS_URL"),
            restart: Some("restart-redis"),
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

/// A state directory standing for one machine (its machine marks).
fn machine(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "snowid-seg-machine-{name}-{}-{}",
        std::process::id(),
        fresh_key("m")
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The machine of the tests that play one machine only.
fn this_machine() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| machine("this"))
}

fn spawn(url: &str, key: &str, count: u64, step: u64, max_step: u64, pause_us: u64) -> Child {
    spawn_on(
        this_machine(),
        url,
        key,
        count,
        step,
        max_step,
        pause_us,
        &[],
    )
}

#[allow(clippy::too_many_arguments)]
fn spawn_on(
    state_dir: &Path,
    url: &str,
    key: &str,
    count: u64,
    step: u64,
    max_step: u64,
    pause_us: u64,
    options: &[&str],
) -> Child {
    Command::new(WORKER)
        .args([
            url,
            key,
            &count.to_string(),
            &step.to_string(),
            &max_step.to_string(),
            &pause_us.to_string(),
        ])
        .args(options)
        .env("SNOWID_STATE_DIR", state_dir)
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
        let Some(restart) = store.restart else {
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
            assert!(*ok, "{}: did not recover: {errors:?}", store.name);
            assert_eq!(ids.len(), 40_000);
        }
        let fails: usize = results.iter().map(|r| r.1.len()).sum();
        eprintln!(
            "{}: restarted mid-run; {} IDs issued, {fails} error lines, no duplicate",
            store.name,
            runs.iter().map(Vec::len).sum::<usize>()
        );
    }
}

fn services(cmd: &str) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/services.sh");
    let st = Command::new(&script).arg(cmd).status().unwrap();
    assert!(st.success(), "services.sh {cmd} failed");
}

/// A store whose counter a test sets back, as a loss of data would: the
/// file store restored from a copy, a PostgreSQL row restored from a
/// backup, a Redis without persistence restarted (empty).
enum SetBack {
    File(PathBuf),
    #[cfg(feature = "postgres")]
    Postgres(String),
    #[cfg(feature = "redis")]
    VolatileRedis(String),
}

/// What the counter was at [`SetBack::snapshot`].
enum Snapshot {
    File(Option<Vec<u8>>),
    Counter(u64),
}

impl SetBack {
    fn all() -> Vec<(&'static str, String, SetBack)> {
        let dir = std::env::temp_dir().join(format!(
            "snowid-seg-backwards-{}-{}",
            std::process::id(),
            fresh_key("d")
        ));
        let mut v = vec![(
            "file",
            format!("file://{}", dir.display()),
            SetBack::File(dir),
        )];
        #[cfg(feature = "postgres")]
        {
            let url = std::env::var("SNOWID_TEST_POSTGRES_URL")
                .expect("SNOWID_TEST_POSTGRES_URL: run with `make test-segments`");
            v.push(("postgres", url.clone(), SetBack::Postgres(url)));
        }
        #[cfg(feature = "redis")]
        {
            let url = std::env::var("SNOWID_TEST_VOLATILE_REDIS_URL")
                .expect("SNOWID_TEST_VOLATILE_REDIS_URL: run with `make test-segments`");
            v.push(("volatile redis", url.clone(), SetBack::VolatileRedis(url)));
        }
        v
    }

    /// The counter now (the last ID taken; 0 for a new key).
    fn counter(&self, key: &str) -> u64 {
        match self {
            SetBack::File(dir) => snowid::segment::file::FileStore::open(dir)
                .unwrap()
                .read(key)
                .unwrap(),
            #[cfg(feature = "postgres")]
            SetBack::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.query_opt("SELECT max_id FROM snowid_segments WHERE key = $1", &[&key])
                    .unwrap()
                    .map_or(0, |r| r.get::<_, i64>(0) as u64)
            }
            #[cfg(feature = "redis")]
            SetBack::VolatileRedis(url) => {
                let mut c = redis::Client::open(url.as_str())
                    .unwrap()
                    .get_connection()
                    .unwrap();
                redis::cmd("GET")
                    .arg(snowid::segment::redis::redis_key(key))
                    .query::<Option<u64>>(&mut c)
                    .unwrap()
                    .unwrap_or(0)
            }
        }
    }

    fn snapshot(&self, key: &str) -> Snapshot {
        match self {
            SetBack::File(dir) => Snapshot::File(
                std::fs::read(
                    snowid::segment::file::FileStore::open(dir)
                        .unwrap()
                        .counter_path(key),
                )
                .ok(),
            ),
            _ => Snapshot::Counter(self.counter(key)),
        }
    }

    /// Sets the counter back to `snap` (a volatile Redis: to nothing at all).
    fn restore(&self, key: &str, snap: &Snapshot) {
        match (self, snap) {
            (SetBack::File(dir), Snapshot::File(bytes)) => {
                let path = snowid::segment::file::FileStore::open(dir)
                    .unwrap()
                    .counter_path(key);
                // Under the key's lock, as the store takes: a restore
                // between a take's read and its rename would be overwritten.
                let lock = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(dir.join(format!("{key}.lock")))
                    .unwrap();
                lock.lock().unwrap();
                match bytes {
                    Some(b) => std::fs::write(path, b).unwrap(),
                    None => std::fs::remove_file(path).unwrap(),
                }
            }
            #[cfg(feature = "postgres")]
            (SetBack::Postgres(url), Snapshot::Counter(n)) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.execute(
                    "UPDATE snowid_segments SET max_id = $2 WHERE key = $1",
                    &[&key, &(*n as i64)],
                )
                .unwrap();
            }
            #[cfg(feature = "redis")]
            (SetBack::VolatileRedis(_), _) => services("restart-volatile-redis"),
            _ => unreachable!(),
        }
    }
}

/// Worker options: the volatile Redis is accepted explicitly.
const VOLATILE_OK: &[&str] = &["allow_volatile_store=true"];

fn run_on(state_dir: &Path, url: &str, key: &str, count: u64) -> Vec<u64> {
    let (ids, errors, ok) = collect(spawn_on(
        state_dir,
        url,
        key,
        count,
        100,
        100,
        0,
        VOLATILE_OK,
    ));
    assert!(ok && errors.is_empty(), "{url}: {errors:?}");
    assert_eq!(ids.len() as u64, count);
    ids
}

/// A new process of the machine that issued IDs before the store's counter
/// was set back hands out none of them again: its machine mark is above the
/// store's counter, so it raises the store first and takes a range above.
#[test]
fn store_went_backwards_a_new_process_of_the_machine_stays_above() {
    let _serial = serial();
    for (name, url, store) in SetBack::all() {
        let key = fresh_key("backwards-new");
        let here = machine("here");
        let first = run_on(&here, &url, &key, 500);
        let snap = store.snapshot(&key);
        let second = run_on(&here, &url, &key, 500);
        let before_loss = store.counter(&key);
        store.restore(&key, &snap);
        assert!(
            store.counter(&key) < before_loss,
            "{name}: the counter was not set back"
        );
        let third = run_on(&here, &url, &key, 500);
        check_unique_and_increasing(name, &[first, second.clone(), third.clone()]);
        let last = *second.last().unwrap();
        assert!(
            third[0] > last,
            "{name}: a new process began at {} after {last} was issued",
            third[0]
        );
        assert!(
            store.counter(&key) >= *third.last().unwrap(),
            "{name}: the store was raised"
        );
        eprintln!(
            "{name}: counter set back from {before_loss}; the next process began at {} (last issued {last})",
            third[0]
        );
    }
}

/// A running process that gets a range below one it had refuses, and first
/// raises the store above every ID it saw: a process of another machine
/// (no machine mark in common) then hands out none of them again.
#[test]
fn store_went_backwards_the_running_process_repairs_it() {
    let _serial = serial();
    for (name, url, store) in SetBack::all() {
        let key = fresh_key("backwards-run");
        let (here, there) = (machine("here"), machine("there"));
        let snap = store.snapshot(&key);
        // 100k IDs in ranges of 100, 2 ms pause per 100: it outlives the loss.
        let mut child = spawn_on(&here, &url, &key, 100_000, 100, 100, 2_000, VOLATILE_OK);
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut running = Vec::new();
        let mut line = String::new();
        while running.len() < 1050 {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "{name}: ended early"
            );
            running.push(line.trim().parse::<u64>().unwrap());
        }
        store.restore(&key, &snap);
        let mut errors = Vec::new();
        for l in reader.lines() {
            let l = l.unwrap();
            match l.strip_prefix("E ") {
                Some(e) => errors.push(e.to_owned()),
                None if l.starts_with('#') => {}
                None => running.push(l.parse().unwrap()),
            }
        }
        let status = child.wait().unwrap();
        assert!(
            !status.success() && running.len() < 100_000,
            "{name}: kept issuing after the store went backwards: {status}, {} IDs, {errors:?}",
            running.len()
        );
        let refusal = errors
            .iter()
            .find(|e| e.contains("went backwards"))
            .unwrap_or_else(|| panic!("{name}: {errors:?}"));
        assert!(
            refusal.starts_with("SEGMENT_STORE_UNAVAILABLE ") && refusal.contains("raised it to"),
            "{name}: {refusal}"
        );
        let highest = *running.last().unwrap();
        let counter = store.counter(&key);
        assert!(
            counter >= highest,
            "{name}: the store is at {counter}, below {highest} issued"
        );
        let elsewhere = run_on(&there, &url, &key, 500);
        check_unique_and_increasing(name, &[running.clone(), elsewhere.clone()]);
        assert!(
            elsewhere[0] > highest,
            "{name}: {} after {highest}",
            elsewhere[0]
        );
        eprintln!(
            "{name}: set back under a running process after {} IDs (highest {highest}); it raised the store to {counter} and refused; another machine began at {}",
            running.len(),
            elsewhere[0]
        );
    }
}

/// A Redis that keeps nothing on disk is refused at connect unless the user
/// accepts it; one with its AOF on is accepted.
#[cfg(feature = "redis")]
#[test]
fn volatile_redis_is_refused_unless_accepted() {
    let _serial = serial();
    let volatile = std::env::var("SNOWID_TEST_VOLATILE_REDIS_URL").unwrap();
    let persistent = std::env::var("SNOWID_TEST_REDIS_URL").unwrap();
    let key = fresh_key("volatile");
    let here = machine("here");
    let out = Command::new(WORKER)
        .args([&volatile, &key, "5", "10", "10"])
        .env("SNOWID_STATE_DIR", &here)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SEGMENT_STORE_URL")
            && stderr.contains("appendonly no")
            && stderr.contains("allow_volatile_store=true"),
        "{stderr}"
    );
    let settings = |url: &str, allow: bool| {
        let mut s = snowid::SegmentOptions::new()
            .with("store", url)
            .with("allowVolatileStore", allow)
            .resolve()
            .unwrap();
        s.mark_dir = Some(here.clone());
        s
    };
    let e = snowid::segment::Segment::new(&key, settings(&volatile, false)).unwrap_err();
    assert_eq!(e.code(), "SEGMENT_STORE_URL", "{e}");
    assert!(!e.to_string().contains("went backwards"), "{e}");
    let seg = snowid::segment::Segment::new(&key, settings(&volatile, true)).unwrap();
    assert_eq!(seg.next_id().unwrap(), 1);
    let seg = snowid::segment::Segment::new(&key, settings(&persistent, false)).unwrap();
    assert_eq!(seg.next_id().unwrap(), 1);
    assert_eq!(
        run_on(&here, &volatile, &fresh_key("volatile-ok"), 5),
        [1, 2, 3, 4, 5]
    );
}

/// A Redis whose CONFIG command is disabled (as on some managed services)
/// is judged by `INFO persistence`: with its AOF off it is refused (its save
/// points cannot be known), with its AOF on it is accepted.
#[cfg(feature = "redis")]
#[test]
fn redis_without_config_is_judged_by_info() {
    let here = machine("noconfig");
    for (aof, refused) in [("no", true), ("yes", false)] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = machine("noconfig-data");
        let mut server = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
            ])
            .args(["--appendonly", aof, "--rename-command", "CONFIG", ""])
            .arg("--dir")
            .arg(&data)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/services.sh deps installs it)");
        let url = format!("redis://127.0.0.1:{port}/");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while redis::Client::open(url.as_str())
            .unwrap()
            .get_connection()
            .is_err()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server on {port}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut settings = snowid::SegmentOptions::new()
            .with("store", url.as_str())
            .resolve()
            .unwrap();
        settings.mark_dir = Some(here.clone());
        let got = snowid::segment::Segment::new("k", settings);
        server.kill().unwrap();
        server.wait().unwrap();
        match got {
            Err(e) => {
                assert!(refused, "appendonly {aof}: {e}");
                assert_eq!(e.code(), "SEGMENT_STORE_URL");
                assert!(e.to_string().contains("CONFIG is disabled"), "{e}");
            }
            Ok(_) => assert!(!refused, "appendonly {aof} without CONFIG was accepted"),
        }
    }
}

/// The repair operation of every store: "raise to at least N", exact up to
/// 2^63 - 1 (Redis compares decimal strings, not Lua doubles), never lowering.
#[test]
fn raise_to_never_lowers_and_is_exact() {
    let _serial = serial();
    let big = (1u64 << 53) + 1;
    for store in stores() {
        let s = snowid::segment::StoreUrl::parse(&store.url)
            .unwrap()
            .open()
            .unwrap();
        let key = fresh_key("raise");
        assert_eq!(s.raise_to(&key, 0).unwrap(), 0, "{}: a new key", store.name);
        assert_eq!(s.take(&key, 10).unwrap().end, 11);
        assert_eq!(s.raise_to(&key, 5).unwrap(), 10, "{}: lowered", store.name);
        assert_eq!(s.raise_to(&key, big).unwrap(), big, "{}", store.name);
        assert_eq!(s.raise_to(&key, big - 1).unwrap(), big, "{}", store.name);
        assert_eq!(s.take(&key, 1).unwrap().start, big + 1, "{}", store.name);
    }
}
