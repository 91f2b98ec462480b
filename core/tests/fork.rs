//! Its own test binary: the fork generation is process-global.

use snowid::{Config, Generator, Layout};

#[test]
fn generators_made_before_a_fork_refuse_in_the_child() {
    // The host (binding) reports a fork: generators made before it refuse.
    let g = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 1]).unwrap()).unwrap();
    g.next_id().unwrap();
    snowid::after_fork_in_child();
    assert_eq!(g.next_id().unwrap_err().code(), "FORKED");
    let mut buf = [0; 4];
    assert_eq!(g.next_batch(&mut buf).unwrap_err().code(), "FORKED");
    let fresh = Generator::new(Config::new(Layout::twitter()).nodes(&[0, 2]).unwrap()).unwrap();
    fresh.next_id().unwrap();
}

#[test]
fn a_generator_dropped_after_fork_leaves_the_parents_mark_alone() {
    use snowid::node::{self, HighWaterFile, NodeOptions, NodeSource};
    use snowid::{ClockChoice, ManualClock};
    let dir = std::env::temp_dir().join(format!("snowid-fork-mark-{}", std::process::id()));
    let clock = ManualClock::new(1_700_000_000_000);
    let mut o = NodeOptions::new(NodeSource::Explicit(vec![4, 4]));
    o.state_dir = dir.clone();
    let g = node::build(
        Config::new(Layout::twitter()).clock(ClockChoice::Manual(clock.clone())),
        &o,
    )
    .unwrap();
    g.next_id().unwrap();
    let (hw, reserved) = HighWaterFile::open(&dir, &Layout::twitter(), &[4, 4], 1000).unwrap();
    snowid::after_fork_in_child();
    drop(g); // in a real child this is the inherited copy
    assert_eq!(hw.read().unwrap(), reserved, "the reservation stays");
    let _ = std::fs::remove_dir_all(&dir);
}
