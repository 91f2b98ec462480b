//! Node identity and crash safety with real processes and real files.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use snowid::node::{self, HighWaterFile, NodeOptions, NodeSource};
use snowid::{ClockChoice, Config, Layout, ManualClock};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snowid-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cli(state: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_snowid-holder"));
    c.env_clear()
        .env("SNOWID_STATE_DIR", state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// The CLI with exactly `envs` (no `SNOWID_STATE_DIR` unless given).
fn cli_with(envs: &[(&str, &Path)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_snowid-holder"));
    c.env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        c.env(k, v);
    }
    c
}

struct Holder {
    child: Child,
    source: String,
    ids: Vec<u64>,
}

/// Starts a CLI process that issues `n` IDs and holds its slot.
fn start_holder(state: &Path, n: u64) -> Holder {
    hold(&mut cli(state), n)
}

fn hold(cmd: &mut Command, n: u64) -> Holder {
    let mut child = cmd
        .args(["--count", &n.to_string(), "--hold"])
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let source = lines.next().unwrap().unwrap();
    let mut ids = Vec::new();
    for line in lines {
        let line = line.unwrap();
        if line == "# ready" {
            break;
        }
        ids.push(line.parse().unwrap());
    }
    assert_eq!(ids.len() as u64, n, "{source}");
    Holder { child, source, ids }
}

#[test]
fn local_slots_are_distinct_across_processes_and_survive_kill_9() {
    let state = temp_dir("slots");
    let mut holders: Vec<Holder> = (0..4).map(|_| start_holder(&state, 20_000)).collect();
    let sources: HashSet<&str> = holders.iter().map(|h| h.source.as_str()).collect();
    assert_eq!(sources.len(), 4, "distinct slots: {sources:?}");
    for h in &holders {
        assert!(h.source.contains("local slot"), "{}", h.source);
    }
    // kill -9 one holder: its slot is free again, and its successor issues
    // strictly above everything it issued (the persisted mark).
    let victim = holders.remove(1);
    let mut victim_child = victim.child;
    victim_child.kill().unwrap();
    victim_child.wait().unwrap();
    let successor = start_holder(&state, 20_000);
    assert_eq!(successor.source, victim.source, "the freed slot is reused");
    assert!(successor.ids[0] > *victim.ids.last().unwrap());
    let mut all = HashSet::new();
    for ids in holders
        .iter()
        .map(|h| &h.ids)
        .chain([&victim.ids, &successor.ids])
    {
        for id in ids {
            assert!(all.insert(*id), "duplicate {id}");
        }
    }
    for mut h in holders.into_iter().chain([successor]) {
        drop(h.child.stdin.take());
        assert!(h.child.wait().unwrap().success());
    }
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn explicit_numbers_held_by_another_process_are_refused() {
    let state = temp_dir("inuse");
    let mut first = cli(&state)
        .env("SNOWID_WORKER_ID", "7")
        .args(["--hold"])
        .spawn()
        .unwrap();
    let mut out = BufReader::new(first.stdout.take().unwrap()).lines();
    assert!(out.next().unwrap().unwrap().contains("worker=7"));
    let second = cli(&state).env("SNOWID_WORKER_ID", "7").output().unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success());
    assert!(
        err.contains("NODE_IN_USE")
            && err.contains("worker=7")
            && err.contains("another live process"),
        "{err}"
    );
    first.stdin.take().unwrap().write_all(b"").unwrap();
    drop(first.stdin.take());
    first.wait().unwrap();
    let third = cli(&state).env("SNOWID_WORKER_ID", "7").output().unwrap();
    assert!(third.status.success(), "free again after the holder exits");
}

#[test]
fn bad_settings_name_the_variable_and_value() {
    let state = temp_dir("settings");
    for (var, value, expect) in [
        ("SNOWID_WORKER_ID", "32", "0..=31"),
        ("SNOWID_DATACENTER_ID", "-1", "0..=31"),
        ("SNOWID_NODE_SOURCE", "zookeeper", "env, local, k8s"),
        ("SNOWID_LAYOUT", "snowflake", "twitter"),
        ("SNOWID_WINDOW_MS", "0", "1..=3600000"),
        ("SNOWID_CLOCK", "fast", "cached, monotonic"),
        ("SNOWID_PERSIST", "maybe", "1, 0, true"),
    ] {
        let out = cli(&state).env(var, value).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{var}={value}");
        assert!(
            err.contains(var) && err.contains(value) && err.contains(expect),
            "{var}: {err}"
        );
    }
    let out = cli(&state)
        .env("SNOWID_NODE_SOURCE", "k8s")
        .env("HOSTNAME", "web-5")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("datacenter=0, worker=5"));
    let out = cli(&state)
        .env("SNOWID_NODE_SOURCE", "k8s")
        .env("HOSTNAME", "web-2000")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("web-2000"));
}

fn explicit(state: &Path, lock: bool) -> NodeOptions {
    // with_state_dir, not a field write: a test's own state directory has no
    // machine-wide locks, so tests running at once (in this binary, or in
    // another checkout) never meet each other's [3, 9].
    let mut o = NodeOptions::new(NodeSource::Explicit(vec![3, 9])).with_state_dir(state);
    o.lock = lock;
    o.window_ms = 1000;
    o
}

#[test]
fn crash_then_restart_with_the_clock_set_back_never_reissues() {
    let state = temp_dir("crash");
    let l = Layout::twitter();
    let t = 1_700_000_000_000;
    let clock = ManualClock::new(t);
    let config = || Config::new(l.clone()).clock(ClockChoice::Manual(clock.clone()));
    let g = node::build(config(), &explicit(&state, false)).unwrap();
    let mut issued = vec![0; 100];
    g.next_batch(&mut issued).unwrap();
    clock.advance(300);
    let last = g.next_id().unwrap();
    // The mark on disk covers a window beyond what was issued.
    let (hw, mark) = HighWaterFile::open(&state, &l, &[3, 9], 1000).unwrap();
    assert_eq!(hw.tick_ms(mark.unwrap()), t + 1000);
    std::mem::forget(g); // a crash: no clean shutdown
    clock.set(t - 10_000); // and the clock was set back
    let g = node::build(config(), &explicit(&state, false)).unwrap();
    let e = g.next_id().unwrap_err();
    assert_eq!(e.code(), "BEHIND_HIGH_WATER", "{e}");
    assert!(e.to_string().contains(&format!("{}", t + 1000)), "{e}");
    clock.set(t + 1001);
    let next = g.next_id().unwrap();
    assert!(next > last && issued.iter().all(|&i| i < next));
    // A clean shutdown lowers the mark to the last tick issued.
    drop(g);
    let (hw, mark) = HighWaterFile::open(&state, &l, &[3, 9], 1000).unwrap();
    assert_eq!(hw.tick_ms(mark.unwrap()), t + 1001);
    let g = node::build(config(), &explicit(&state, false)).unwrap();
    clock.set(t + 1002);
    assert!(g.next_id().unwrap() > next);
}

/// The epoch's first tick (a custom epoch within one tick of now): the
/// mark is written before an ID of tick 0 is issued, so a crash and a
/// restart in the same tick never reissues it. Before, tick 0 counted as
/// already reserved (`with_reserve(floor.unwrap_or(0))`) and was issued
/// with no mark on disk.
#[test]
fn the_epochs_first_tick_is_reserved_before_it_is_issued() {
    let state = temp_dir("tick0");
    let l = Layout::twitter();
    let clock = ManualClock::new(l.epoch_ms());
    let config = || Config::new(l.clone()).clock(ClockChoice::Manual(clock.clone()));
    let g = node::build(config(), &explicit(&state, false)).unwrap();
    let first = g.next_id().unwrap();
    assert_eq!(l.decode(first).unwrap().tick, 0);
    let (_, mark) = HighWaterFile::open(&state, &l, &[3, 9], 1000).unwrap();
    assert!(mark.is_some(), "tick 0 issued with no mark on disk");
    std::mem::forget(g); // a crash, in the same tick
    let g = node::build(config(), &explicit(&state, false)).unwrap();
    let e = g.next_id().unwrap_err();
    assert_eq!(e.code(), "BEHIND_HIGH_WATER", "{e}");
    clock.advance(1001);
    assert!(g.next_id().unwrap() > first);
}

#[test]
fn corrupt_or_truncated_marks_are_errors_not_silent_reuse() {
    let state = temp_dir("corrupt");
    let l = Layout::twitter();
    let clock = ManualClock::new(1_700_000_000_000);
    let config = || Config::new(l.clone()).clock(ClockChoice::Manual(clock.clone()));
    let g = node::build(config(), &explicit(&state, true)).unwrap();
    g.next_id().unwrap();
    drop(g);
    let (hw, _) = HighWaterFile::open(&state, &l, &[3, 9], 1000).unwrap();
    let good = std::fs::read_to_string(hw.path()).unwrap();
    let truncated: String = good.lines().take(2).map(|s| format!("{s}\n")).collect();
    let flipped = good
        .replacen("tick 4", "tick 5", 1)
        .replacen("tick 1", "tick 2", 1);
    assert_ne!(flipped, good);
    for (what, text) in [
        ("empty", String::new()),
        ("truncated", truncated),
        ("bit flip", flipped),
    ] {
        std::fs::write(hw.path(), &text).unwrap();
        let e = node::build(config(), &explicit(&state, true)).unwrap_err();
        assert_eq!(e.code(), "STATE_CORRUPT", "{what}: {e}");
        assert!(
            e.to_string().contains(&hw.path().display().to_string()),
            "{e}"
        );
    }
}

#[test]
fn the_same_numbers_cannot_be_locked_twice_even_in_one_process() {
    let state = temp_dir("twice");
    let clock = ManualClock::new(1_700_000_000_000);
    let config = || Config::new(Layout::twitter()).clock(ClockChoice::Manual(clock.clone()));
    let a = node::build(config(), &explicit(&state, true)).unwrap();
    a.next_id().unwrap();
    // shutdown() lowers the mark but keeps the numbers: the error says the
    // holder is a generator of this process, not another process.
    a.shutdown();
    let e = node::build(config(), &explicit(&state, true)).unwrap_err();
    assert_eq!(e.code(), "NODE_IN_USE");
    let text = e.to_string();
    assert!(text.contains("another generator of this process"), "{text}");
    assert!(!text.contains("another live process"), "{text}");
    drop(a);
    node::build(config(), &explicit(&state, true)).unwrap();
}

/// `3` from `# source: local slot 3 in /dir ...`.
fn slot(h: &Holder) -> &str {
    let rest = h.source.split("local slot ").nth(1).expect(&h.source);
    rest.split(' ').next().unwrap()
}

fn release(mut h: Holder) {
    drop(h.child.stdin.take());
    assert!(h.child.wait().unwrap().success());
}

/// Two users on one machine each have their own default state directory
/// (`~/.local/state/snowid`). Their processes must still never share node
/// numbers: the default adds a machine-wide lock per slot.
#[test]
fn processes_with_their_own_default_state_dirs_never_share_a_slot() {
    let root = temp_dir("users");
    let (home_a, home_b, host) = (root.join("a"), root.join("b"), root.join("host"));
    for d in [&home_a, &home_b] {
        std::fs::create_dir_all(d).unwrap();
    }
    let off = Path::new("off");
    // Without the machine-wide lock the hole is real: both get slot 0.
    let a = hold(
        &mut cli_with(&[("HOME", &home_a), ("SNOWID_HOST_LOCK_DIR", off)]),
        1000,
    );
    let b = hold(
        &mut cli_with(&[("HOME", &home_b), ("SNOWID_HOST_LOCK_DIR", off)]),
        1000,
    );
    assert_eq!(
        slot(&a),
        slot(&b),
        "per-user dirs alone cannot see each other"
    );
    release(a);
    release(b);

    // With it (an explicit directory here; the default is /run/lock/snowid).
    let a = hold(
        &mut cli_with(&[("HOME", &home_a), ("SNOWID_HOST_LOCK_DIR", &host)]),
        1000,
    );
    let b = hold(
        &mut cli_with(&[("HOME", &home_b), ("SNOWID_HOST_LOCK_DIR", &host)]),
        1000,
    );
    assert_ne!(slot(&a), slot(&b));
    let ids: HashSet<u64> = a.ids.iter().chain(&b.ids).copied().collect();
    assert_eq!(ids.len(), 2000, "no duplicate");
    // Explicit numbers are checked machine-wide too.
    let out = cli_with(&[("HOME", &home_b), ("SNOWID_HOST_LOCK_DIR", &host)])
        .env("SNOWID_NODE_SOURCE", "local")
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut first = hold(
        cli_with(&[("HOME", &home_a), ("SNOWID_HOST_LOCK_DIR", &host)])
            .env("SNOWID_WORKER_ID", "9"),
        1,
    );
    let second = cli_with(&[("HOME", &home_b), ("SNOWID_HOST_LOCK_DIR", &host)])
        .env("SNOWID_WORKER_ID", "9")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains("NODE_IN_USE") && err.contains(host.to_str().unwrap()),
        "{err}"
    );
    drop(first.child.stdin.take());
    first.child.wait().unwrap();
    release(a);
    release(b);

    // The default directory, with no setting at all.
    let a = hold(&mut cli_with(&[("HOME", &home_a)]), 1000);
    let b = hold(&mut cli_with(&[("HOME", &home_b)]), 1000);
    assert_ne!(slot(&a), slot(&b));
    release(a);
    release(b);

    // A state directory chosen with SNOWID_STATE_DIR is its own domain
    // (documented: processes that must not collide share it), unless
    // SNOWID_HOST_LOCK_DIR asks for machine-wide locks too.
    let (s1, s2) = (root.join("s1"), root.join("s2"));
    let a = hold(&mut cli_with(&[("SNOWID_STATE_DIR", &s1)]), 10);
    let b = hold(&mut cli_with(&[("SNOWID_STATE_DIR", &s2)]), 10);
    assert_eq!(slot(&a), slot(&b));
    release(a);
    release(b);
    let a = hold(
        &mut cli_with(&[("SNOWID_STATE_DIR", &s1), ("SNOWID_HOST_LOCK_DIR", &host)]),
        10,
    );
    let b = hold(
        &mut cli_with(&[("SNOWID_STATE_DIR", &s2), ("SNOWID_HOST_LOCK_DIR", &host)]),
        10,
    );
    assert_ne!(slot(&a), slot(&b));
    release(a);
    release(b);
    let _ = std::fs::remove_dir_all(&root);
}

/// The machine-wide lock files work across real users: a file root created
/// is locked by `nobody` through a read-only descriptor, and vice versa.
/// Runs only as root with `setpriv` (as in `make test` here).
#[test]
fn machine_wide_locks_work_across_real_users() {
    let setpriv = Path::new("/usr/bin/setpriv");
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !is_root || !setpriv.exists() {
        eprintln!("skipped: needs root and setpriv");
        return;
    }
    let root = std::env::temp_dir().join(format!("snowid-test-realusers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let host = root.join("host");
    let home_nobody = root.join("nobody");
    std::fs::create_dir_all(&home_nobody).unwrap();
    // nobody must be able to reach the binary, its home and the host dir.
    Command::new("chmod")
        .args(["-R", "a+rwx"])
        .arg(&root)
        .status()
        .unwrap();
    let exe = env!("CARGO_BIN_EXE_snowid-holder");
    let as_nobody = |worker: Option<&str>| {
        let mut c = Command::new(setpriv);
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", exe])
            .env_clear()
            .env("HOME", &home_nobody)
            .env("SNOWID_HOST_LOCK_DIR", &host)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(w) = worker {
            c.env("SNOWID_WORKER_ID", w);
        }
        c
    };
    let exe_reachable = as_nobody(None).arg("--help").output().unwrap();
    if !exe_reachable.status.success() {
        eprintln!(
            "skipped: nobody cannot run {exe}: {}",
            String::from_utf8_lossy(&exe_reachable.stderr)
        );
        let _ = std::fs::remove_dir_all(&root);
        return;
    }
    let home_root = root.join("root");
    std::fs::create_dir_all(&home_root).unwrap();
    let a = hold(
        &mut cli_with(&[("HOME", &home_root), ("SNOWID_HOST_LOCK_DIR", &host)]),
        100,
    );
    let b = hold(&mut as_nobody(None), 100);
    assert_ne!(slot(&a), slot(&b), "root's lock file is honoured by nobody");
    release(b);
    // nobody now owns slot 1's file; root must honour it as well.
    let b = hold(&mut as_nobody(Some("1")), 1);
    let out = cli_with(&[("HOME", &home_root), ("SNOWID_HOST_LOCK_DIR", &host)])
        .env("SNOWID_WORKER_ID", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("NODE_IN_USE"));
    release(b);
    release(a);
    let _ = std::fs::remove_dir_all(&root);
}

/// A symlink planted in the world-writable lock directory is never followed:
/// the local source skips that slot, explicit numbers fail with an error
/// naming the file.
#[test]
fn planted_symlinks_in_the_machine_wide_directory_are_not_followed() {
    let root = temp_dir("symlink");
    let host = root.join("host");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let victim = root.join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    // Find the layout directory by letting one process create it.
    let out = cli_with(&[("HOME", &home), ("SNOWID_HOST_LOCK_DIR", &host)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let layout_dir = std::fs::read_dir(&host)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(layout_dir.join("slot-0.lock")).unwrap();
    std::os::unix::fs::symlink(&victim, layout_dir.join("slot-0.lock")).unwrap();

    let a = hold(
        &mut cli_with(&[("HOME", &home), ("SNOWID_HOST_LOCK_DIR", &host)]),
        10,
    );
    assert_eq!(slot(&a), "1", "slot 0 skipped: {}", a.source);
    release(a);
    let out = cli_with(&[("HOME", &home), ("SNOWID_HOST_LOCK_DIR", &host)])
        .env("SNOWID_WORKER_ID", "0")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("STATE_IO") && err.contains("slot-0.lock") && err.contains("symlink"),
        "{err}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    let _ = std::fs::remove_dir_all(&root);
}

/// Slots belong to the ID space, not to the layout's name: a custom layout
/// with Twitter's bits under another name must not reuse Twitter's slots.
#[test]
fn layouts_with_the_same_bits_share_slots_whatever_their_name() {
    let state = temp_dir("samebits");
    let o = NodeOptions::new(NodeSource::Local).with_state_dir(&state);
    let twitter = Layout::twitter();
    let mut spec = twitter.spec();
    spec.name = "mine".into();
    let mine = Layout::new(spec).unwrap();
    let a = node::claim(&twitter, &o).unwrap();
    let b = node::claim(&mine, &o).unwrap();
    assert_ne!(a.nodes, b.nodes, "{} / {}", a.description, b.description);
    // Different bits (another epoch) are another ID space: slot 0 again.
    let mut spec = twitter.spec();
    spec.epoch_ms -= 1;
    let other = Layout::new(spec).unwrap();
    let c = node::claim(&other, &o).unwrap();
    assert_eq!(c.nodes, a.nodes);
    let _ = std::fs::remove_dir_all(&state);
}

fn mark_tick(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("tick "))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn shutdown_lowers_the_mark_exactly_even_while_threads_issue() {
    let state = temp_dir("shutdown");
    let layout = Layout::twitter();
    let mut o = NodeOptions::new(NodeSource::Explicit(vec![6, 6])).with_state_dir(&state);
    o.window_ms = 60_000; // a reservation far ahead of anything issued here
    let g = node::build(Config::new(layout.clone()), &o).unwrap();
    let mark = state
        .join(layout.id_space())
        .join(format!("slot-{}.mark", layout.slot_of(&[6, 6])));
    let first = g.next_id().unwrap();
    let tick = |id: u64| layout.decode(id).unwrap().tick;
    assert!(
        mark_tick(&mark) >= tick(first) + 59_000,
        "a window is reserved"
    );
    g.shutdown();
    assert_eq!(
        mark_tick(&mark),
        tick(first),
        "lowered to the last tick used"
    );
    // Still usable: an ID in a later tick re-reserves before it is issued.
    std::thread::sleep(std::time::Duration::from_millis(3));
    let second = g.next_id().unwrap();
    assert!(second > first && tick(second) > tick(first));
    assert!(mark_tick(&mark) >= tick(second) + 59_000, "reserved again");

    // Shutdowns racing with issuing threads never lose an ID or reissue one.
    let ids = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let mut mine = Vec::with_capacity(20_000);
                for _ in 0..20_000 {
                    mine.push(g.next_id().unwrap());
                }
                assert!(mine.windows(2).all(|w| w[0] < w[1]));
                ids.lock().unwrap().extend(mine);
            });
        }
        for _ in 0..50 {
            g.shutdown();
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    });
    let mut all = ids.into_inner().unwrap();
    all.sort_unstable();
    let n = all.len();
    all.dedup();
    assert_eq!(all.len(), n, "no duplicate across shutdowns");
    g.shutdown();
    let last = *all.last().unwrap();
    assert_eq!(
        mark_tick(&mark),
        tick(last),
        "the mark is the last tick issued"
    );
    assert_eq!(g.stats().issued, n as u64 + 2);
    let _ = std::fs::remove_dir_all(&state);
}
