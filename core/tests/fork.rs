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
