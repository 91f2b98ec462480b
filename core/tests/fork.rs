//! Its own test binary with ONE test: the fork generation is process-global,
//! so the scenarios run in sequence, never beside other tests.

use snowid::node::{self, HighWaterFile, NodeOptions, NodeSource};
use snowid::{ClockChoice, Config, Generator, Layout, ManualClock};

extern "C" {
    fn fork() -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
    fn _exit(code: i32) -> !;
}

/// A real `fork()` with nobody calling `after_fork_in_child`: the core's own
/// `pthread_atfork` handler makes the child's copy refuse, while the parent
/// goes on. The child only reads atomics and exits (no allocation), which
/// is safe after forking a multi-threaded test process.
fn real_fork_without_help() {
    let g = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 3]).unwrap()).unwrap();
    let before = g.next_id().unwrap();
    // SAFETY: the child runs only async-signal-safe work, then _exit.
    let pid = unsafe { fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match g.next_id() {
            Err(e) if e.code() == "FORKED" => 0,
            Err(_) => 2,
            Ok(_) => 3,
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { _exit(code) }
    }
    let mut status = 0;
    // SAFETY: waits for the child just made.
    assert_eq!(unsafe { waitpid(pid, &mut status, 0) }, pid);
    assert_eq!(
        status, 0,
        "child exit status {status:#x}: 3 = issued an ID, 2 = other error"
    );
    assert!(g.next_id().unwrap() > before, "the parent goes on");
}

#[test]
fn generators_made_before_a_fork_refuse_and_leave_the_parents_mark_alone() {
    real_fork_without_help();
    // Set up before the (simulated) fork: a plain generator and a persisting one.
    let g = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 1]).unwrap()).unwrap();
    g.next_id().unwrap();
    let dir = std::env::temp_dir().join(format!("snowid-fork-mark-{}", std::process::id()));
    let clock = ManualClock::new(1_700_000_000_000);
    let o = NodeOptions::new(NodeSource::Explicit(vec![4, 4])).with_state_dir(&dir);
    let persisting = node::build(
        Config::new(Layout::twitter()).clock(ClockChoice::Manual(clock.clone())),
        &o,
    )
    .unwrap();
    persisting.next_id().unwrap();
    let (hw, reserved) = HighWaterFile::open(&dir, &Layout::twitter(), &[4, 4], 1000).unwrap();

    // The host (a binding's fork hook) reports a fork.
    snowid::after_fork_in_child();

    // Generators made before it refuse.
    assert_eq!(g.next_id().unwrap_err().code(), "FORKED");
    let mut buf = [0; 4];
    assert_eq!(g.next_batch(&mut buf).unwrap_err().code(), "FORKED");
    // Dropping the inherited copy must not lower the parent's reservation:
    // the parent is still issuing under it.
    drop(persisting);
    assert_eq!(hw.read().unwrap(), reserved, "the reservation stays");
    // New generators work.
    let fresh = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 2]).unwrap()).unwrap();
    fresh.next_id().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
