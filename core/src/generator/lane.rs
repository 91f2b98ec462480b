//! The generator's lanes at the path of one ID: which lane a thread uses
//! (round-robin in the order threads first ask, a remainder without a
//! division) and the lane generators held by lane 0. How the lanes' node
//! numbers are chosen and claimed is [`crate::lanes`], above the generator.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::Generator;
use crate::clock::Clock;

static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_INDEX: u32 = NEXT_THREAD.fetch_add(1, Relaxed) as u32;
}

/// This thread's round-robin index (the same for every lane generator).
#[inline]
pub(crate) fn thread_index() -> u32 {
    THREAD_INDEX.with(|i| *i)
}

/// The constant that makes [`lane_of`] a remainder by `lanes` without a
/// division instruction (Lemire, Kaser and Kurz, "Faster remainder by
/// direct computation", 2019): `ceil(2^64 / lanes)`.
pub(super) const fn lane_magic(lanes: u32) -> u64 {
    (u64::MAX / lanes as u64).wrapping_add(1)
}

/// `index % lanes` for any 32-bit `index`, with `magic = lane_magic(lanes)`:
/// two multiplications instead of a 64-bit division (tens of cycles, a
/// large part of the cost of one ID).
#[inline(always)]
pub(crate) fn lane_of(index: u32, lanes: u32, magic: u64) -> usize {
    let low = magic.wrapping_mul(u64::from(index));
    ((u128::from(low) * u128::from(lanes)) >> 64) as usize
}

impl<C: Clock> Generator<C> {
    /// Adds `others` as lanes 1.. of this generator (lane 0). Each must be a
    /// complete generator of the same layout with its own node numbers.
    pub fn with_lanes(mut self, others: Vec<Generator<C>>) -> Self {
        for g in &others {
            self.source = format!("{}; {}", self.source, g.source());
        }
        self.others = others.into_boxed_slice();
        self.lane_magic = lane_magic(self.lane_count() as u32);
        self
    }

    /// How many lanes (node numbers) the generator holds.
    pub fn lane_count(&self) -> usize {
        self.others.len() + 1
    }

    /// Every lane's node values in layout order, lane 0 first.
    pub fn lane_nodes(&self) -> Vec<&[u32]> {
        std::iter::once(self.nodes())
            .chain(self.others.iter().map(|g| g.nodes()))
            .collect()
    }

    /// The lane of the calling thread.
    #[inline(always)]
    pub(crate) fn lane(&self) -> &Self {
        if self.others.is_empty() {
            self
        } else {
            self.thread_lane()
        }
    }

    #[inline]
    fn thread_lane(&self) -> &Self {
        let lanes = self.others.len() as u32 + 1;
        match lane_of(thread_index(), lanes, self.lane_magic) {
            0 => self,
            i => &self.others[i - 1],
        }
    }

    /// Every lane, starting with the calling thread's.
    pub(crate) fn lanes_from_mine(&self) -> impl Iterator<Item = &Self> {
        let n = self.others.len() + 1;
        let mine = lane_of(thread_index(), n as u32, self.lane_magic);
        (0..n).map(move |k| match (mine + k) % n {
            0 => self,
            i => &self.others[i - 1],
        })
    }

    /// Every lane, lane 0 first.
    pub(crate) fn all_lanes(&self) -> impl Iterator<Item = &Self> {
        std::iter::once(self).chain(self.others.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_of_is_the_remainder() {
        // Up to crate::lanes::MAX_LANES.
        for lanes in 1..=1024 {
            let magic = lane_magic(lanes);
            for index in (0..5000).chain([u32::MAX - 1, u32::MAX, 1 << 31, 123_456_789]) {
                assert_eq!(
                    lane_of(index, lanes, magic),
                    (index % lanes) as usize,
                    "{index} % {lanes}"
                );
            }
        }
    }
}
