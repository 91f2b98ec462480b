//! `fork()` while another thread is inside a file-store range fetch (issue
//! 19, item 5). Its own test binary with ONE test: the fork generation is
//! process-global. Linux: it watches `/proc/locks` to fork exactly while the
//! fetch waits on the key's lock.
#![cfg(target_os = "linux")]

use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use snowid::segment::file::FileStore;
use snowid::segment::{Range, SegmentStore};

extern "C" {
    fn fork() -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
    fn sleep(seconds: u32) -> u32;
    fn _exit(code: i32) -> !;
}

const WNOHANG: i32 = 1;
const SIGKILL: i32 = 9;
/// Generous: only a hang (the old behaviour) gets near it.
const DEADLINE: Duration = Duration::from_secs(30);
/// How long a sleeping child lives: far longer than a fetch takes.
const CHILD_SLEEPS_S: u32 = 60;

/// Forks a child that sleeps (async-signal-safe only), like a prefork
/// worker that lives on.
fn fork_sleeper() -> i32 {
    // SAFETY: the child only sleeps and exits.
    let pid = unsafe { fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe {
            sleep(CHILD_SLEEPS_S);
            _exit(0)
        }
    }
    pid
}

fn alive(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: polls our own child.
    unsafe { waitpid(pid, &mut status, WNOHANG) == 0 }
}

fn kill_and_reap(pid: i32) {
    let mut status = 0;
    // SAFETY: our own child.
    unsafe {
        kill(pid, SIGKILL);
        waitpid(pid, &mut status, 0);
    }
}

/// Waits for a child with a deadline; kills it (and fails) if it hangs.
fn exit_status_within(pid: i32, what: &str) -> i32 {
    let t0 = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: polls our own child.
        match unsafe { waitpid(pid, &mut status, WNOHANG) } {
            0 if t0.elapsed() > DEADLINE => {
                kill_and_reap(pid);
                panic!("{what}: still running after {DEADLINE:?} (deadlocked on the key's lock)");
            }
            0 => std::thread::sleep(Duration::from_millis(20)),
            p if p == pid => return status,
            p => panic!("waitpid: {p}"),
        }
    }
}

/// A take on another thread; its result arrives on the channel.
fn take_async(store: &Arc<FileStore>, key: &'static str) -> mpsc::Receiver<Range> {
    let (tx, rx) = mpsc::channel();
    let s = Arc::clone(store);
    std::thread::spawn(move || {
        let _ = tx.send(s.take(key, 10).unwrap());
    });
    rx
}

/// Waits until some process waits in `flock` on `lock`'s file.
fn wait_for_a_blocked_lock(lock: &Path) {
    let ino = fs::metadata(lock).unwrap().ino();
    let t0 = Instant::now();
    while t0.elapsed() < DEADLINE {
        let locks = fs::read_to_string("/proc/locks").unwrap();
        if locks
            .lines()
            .any(|l| l.contains("->") && l.contains(&format!(":{ino} ")))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no fetch waited on {}", lock.display());
}

/// Kills the children still listed when dropped (also when the test
/// fails), so no child outlives the test.
struct Reaper(Vec<i32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for &p in &self.0 {
            kill_and_reap(p);
        }
    }
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("snowid-seg-fork-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

#[test]
fn a_fork_during_a_fetch_leaves_no_lock_in_the_child() {
    let dir = tmp();
    let store = Arc::new(FileStore::open(&dir).unwrap());
    let mut ranges = vec![store.take("k", 10).unwrap()];
    let lock_path = dir.join("k.lock");

    // 1. A fetch on another thread is inside `take`, waiting for the key's
    // lock (this test holds it through its own descriptor): the widest
    // window there is. Fork two children right then.
    let blocker = File::open(&lock_path).unwrap();
    blocker.lock().unwrap();
    let in_flight = take_async(&store, "k");
    wait_for_a_blocked_lock(&lock_path);
    let sleeper = fork_sleeper();
    let mut reaper = Reaper(vec![sleeper]);
    // A child that opens the key itself (Python's and C's prefork workers
    // do). It writes its range for the parent to check.
    let child_range = dir.join("child-range");
    // SAFETY: the child allocates (glibc's malloc is fork-safe), takes one
    // range through the file store and exits without unwinding.
    let taker = unsafe { fork() };
    assert!(taker >= 0, "fork failed");
    if taker == 0 {
        let code = match FileStore::open(&dir).and_then(|s| s.take("k", 10)) {
            Ok(r) => match fs::write(&child_range, format!("{} {}", r.start, r.end)) {
                Ok(()) => 0,
                Err(_) => 3,
            },
            Err(_) => 2,
        };
        unsafe { _exit(code) }
    }
    reaper.0.push(taker);
    // Explicitly: the children hold copies of this descriptor too.
    blocker.unlock().unwrap();
    drop(blocker);
    ranges.push(
        in_flight
            .recv_timeout(DEADLINE)
            .expect("the in-flight fetch never ended"),
    );

    // 2. The parent's next fetch does not wait for the sleeping child: it
    // returns while the child still sleeps.
    let next = take_async(&store, "k")
        .recv_timeout(DEADLINE)
        .expect("the parent's next fetch hung");
    assert!(
        alive(sleeper),
        "the parent's next fetch returned only once the sleeping child exited: the child kept the key's lock"
    );
    ranges.push(next);

    // 3. The child that opened the key itself finished (no deadlock) with a
    // range of its own.
    assert_eq!(exit_status_within(taker, "the child taking the key"), 0);
    reaper.0.retain(|&p| p != taker);
    let text = fs::read_to_string(&child_range).unwrap();
    let (a, b) = text.split_once(' ').unwrap();
    ranges.push(Range {
        start: a.parse().unwrap(),
        end: b.parse().unwrap(),
    });

    // 4. Many forks while a thread fetches in a loop: whichever point of
    // the fetch each fork hits (open, locked, writing, unlocking), the next
    // fetch of the parent never waits for a child.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looping = {
        let (s, stop) = (Arc::clone(&store), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut got = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                got.push(s.take("k", 10).unwrap());
            }
            got
        })
    };
    for _ in 0..20 {
        reaper.0.push(fork_sleeper());
        let r = take_async(&store, "k")
            .recv_timeout(DEADLINE)
            .expect("a fetch after a fork hung");
        ranges.push(r);
        assert!(
            reaper.0.iter().all(|&p| alive(p)),
            "a fetch waited for a sleeping child"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    ranges.extend(looping.join().unwrap());
    drop(reaper);

    // Every range of every process is its own.
    ranges.sort_by_key(|r| r.start);
    for w in ranges.windows(2) {
        assert!(w[0].end <= w[1].start, "overlap: {w:?}");
    }
    fs::remove_dir_all(&dir).unwrap();
}
