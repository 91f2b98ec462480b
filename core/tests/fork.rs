//! Its own test binary with ONE test: the fork generation is process-global,
//! so the scenarios run in sequence, never beside other tests.

use snowid::node::{self, HighWaterFile, NodeOptions, NodeSource};
use snowid::{ClockChoice, Config, Generator, Layout, ManualClock};

#[test]
fn generators_made_before_a_fork_refuse_and_leave_the_parents_mark_alone() {
    // Set up before the (simulated) fork: a plain generator and a persisting one.
    let g = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 1]).unwrap()).unwrap();
    g.next_id().unwrap();
    let dir = std::env::temp_dir().join(format!("snowid-fork-mark-{}", std::process::id()));
    let clock = ManualClock::new(1_700_000_000_000);
    let mut o = NodeOptions::new(NodeSource::Explicit(vec![4, 4]));
    o.state_dir = dir.clone();
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
