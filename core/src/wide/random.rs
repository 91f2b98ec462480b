//! The random bits of `uuid7` and `ulid` IDs: a per-thread wyrand
//! generator seeded from the OS.
//!
//! No lock, no allocation and no system call per ID: each thread reads 8
//! bytes from the OS (`getrandom`) on its first draw and again after every
//! `fork()` (the fork generation changes), so a forked child never repeats
//! its parent's bits. The bits make IDs hard to guess; they are never what
//! makes them unique (the node numbers, the sequence and the time do), so
//! a fast non-cryptographic generator is enough.

use std::cell::Cell;
use std::sync::atomic::Ordering::Relaxed;

use crate::fork::FORK_GENERATION;

/// wyrand's increment.
const STEP: u64 = 0xa076_1d64_78bd_642f;

thread_local! {
    /// The wyrand state and the fork generation it was seeded in
    /// (`u64::MAX`: not seeded yet).
    static STATE: Cell<(u64, u64)> = const { Cell::new((0, u64::MAX)) };
}

/// 64 random bits.
#[inline(always)]
pub(crate) fn next_u64() -> u64 {
    STATE.with(|c| {
        let (mut s, seeded_in) = c.get();
        let now = FORK_GENERATION.load(Relaxed);
        if seeded_in != now {
            s = seed();
        }
        s = s.wrapping_add(STEP);
        c.set((s, now));
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

/// A seed from the OS; if the OS has none to give (no `getrandom`, no
/// `/dev/urandom`), the standard library's per-process hash keys mixed
/// with the time, the process and the thread.
#[cold]
#[inline(never)]
fn seed() -> u64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_ok() {
        return u64::from_le_bytes(b);
    }
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    std::time::SystemTime::now().hash(&mut h);
    std::process::id().hash(&mut h);
    std::thread::current().id().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_between_threads_and_calls() {
        let a: Vec<u64> = (0..4).map(|_| next_u64()).collect();
        let b: Vec<u64> = std::thread::spawn(|| (0..4).map(|_| next_u64()).collect())
            .join()
            .unwrap();
        assert!(a.iter().all(|x| !b.contains(x)), "{a:?} {b:?}");
        assert!(a.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn a_new_fork_generation_reseeds() {
        // As a forked child sees it: the parent's thread state, a new
        // generation. Continuing would repeat the state `seeded`.
        next_u64();
        let seeded = STATE.with(|c| c.get());
        STATE.with(|c| c.set((seeded.0.wrapping_sub(STEP), seeded.1.wrapping_sub(1))));
        next_u64();
        let again = STATE.with(|c| c.get());
        assert_ne!(again.0, seeded.0, "reseeded, not continued");
        assert_eq!(again.1, seeded.1);
    }
}
