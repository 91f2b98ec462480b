//! The integer an ID is held in: `u64` for [`crate::Layout`], `u128` for
//! [`crate::wide::WideLayout`]. Field placement, decoding and the text
//! forms are written once over [`Word`] and compiled for each width.

use std::fmt::{Debug, Display};
use std::ops::{BitAnd, BitOr, Not, Shl, Shr};

/// An unsigned integer an ID is held in.
pub(crate) trait Word:
    Copy
    + Ord
    + Debug
    + Display
    + Shl<u32, Output = Self>
    + Shr<u32, Output = Self>
    + BitOr<Output = Self>
    + BitAnd<Output = Self>
    + Not<Output = Self>
{
    /// Width in bits.
    const BITS: u32;
    /// Zero.
    const ZERO: Self;
    /// The largest value.
    const MAX: Self;
    /// `v`, widened.
    fn from_u64(v: u64) -> Self;
    /// The low 64 bits.
    fn low_u64(self) -> u64;
    /// `self * radix + digit`, or `None` on overflow.
    fn mul_add(self, radix: u64, digit: u64) -> Option<Self>;
    /// The low `bits` bits set (all of them for `bits >= BITS`).
    #[inline(always)]
    fn mask(bits: u32) -> Self {
        if bits >= Self::BITS {
            Self::MAX
        } else {
            !(Self::MAX << bits)
        }
    }
}

macro_rules! word {
    ($t:ty) => {
        impl Word for $t {
            const BITS: u32 = <$t>::BITS;
            const ZERO: Self = 0;
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn from_u64(v: u64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn low_u64(self) -> u64 {
                self as u64
            }
            #[inline(always)]
            fn mul_add(self, radix: u64, digit: u64) -> Option<Self> {
                self.checked_mul(radix as $t)?.checked_add(digit as $t)
            }
        }
    };
}

word!(u64);
word!(u128);
