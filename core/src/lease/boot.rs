//! The clock every lease deadline is measured on: time since boot,
//! *including* time the machine spent suspended.
//!
//! A lease's TTL runs on the service's clock, which keeps going while this
//! machine sleeps or its VM is paused. `Instant` (Linux `CLOCK_MONOTONIC`)
//! stops during a suspend, so a holder that measured its deadline on it would,
//! once resumed, trust a lease the service already expired and may have given
//! to another process. The fence therefore reads:
//!
//! - Linux and Android: `CLOCK_BOOTTIME` (monotonic, counts suspend);
//! - macOS and iOS: `CLOCK_MONOTONIC`, which on Apple systems counts sleep;
//! - elsewhere: `std::time::Instant`, which may not count a suspend: there
//!   a lease holder resumed after more than the trusted part of the TTL may
//!   issue until its next renewal or mark write tells it the lease is gone
//!   (at most one mark window); the high-water mark in the service keeps the
//!   next holder above everything it issued.
//!
//! Readings are anchored on the generator's [`MonotonicClock`] (same scale,
//! never ahead of it until a suspend), so a lease's deadlines read like the
//! generator's milliseconds and tests can compare the two; after a suspend
//! they are ahead of it by the time slept.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;

use crate::clock::{Clock, MonotonicClock};

/// Microseconds on the platform's boot clock (see the module doc).
fn raw_us() -> u64 {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios"
    ))]
    {
        use std::os::raw::{c_int, c_long};
        #[repr(C)]
        struct Timespec {
            tv_sec: c_long,
            tv_nsec: c_long,
        }
        extern "C" {
            fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        const CLOCK: c_int = 7; // CLOCK_BOOTTIME
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        const CLOCK: c_int = 6; // CLOCK_MONOTONIC (counts sleep on Apple systems)
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: the C library's clock_gettime writing into a valid timespec.
        if unsafe { clock_gettime(CLOCK, &mut ts) } == 0 {
            return ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1000;
        }
    }
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_micros() as u64
}

/// The process-wide anchor: the generator clock's ms, then the boot clock.
fn anchor() -> (u64, u64) {
    static ANCHOR: OnceLock<(u64, u64)> = OnceLock::new();
    *ANCHOR.get_or_init(|| {
        // The generator clock first: readings never run ahead of it.
        let ms = MonotonicClock::new().now_ms();
        (ms, raw_us())
    })
}

/// Now on the boot clock, in the generator clock's milliseconds (see the
/// module doc).
pub(crate) fn now_ms() -> u64 {
    let (ms, us) = anchor();
    ms + raw_us().saturating_sub(us) / 1000
}

/// One lease's boot clock: [`now_ms`] plus the time a drill pretends this
/// holder was suspended ([`crate::lease::LeaseHandle::simulate_suspend`]).
#[derive(Debug, Default)]
pub(crate) struct BootClock {
    slept_ms: AtomicU64,
}

impl BootClock {
    pub(crate) fn now_ms(&self) -> u64 {
        now_ms() + self.slept_ms.load(Relaxed)
    }

    /// As if the machine had slept `ms`: this clock jumps, the monotonic one
    /// does not.
    pub(crate) fn sleep(&self, ms: u64) {
        self.slept_ms.fetch_add(ms, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_clock_follows_the_generator_clock_and_jumps_on_a_suspend() {
        let c = BootClock::default();
        let mono = MonotonicClock::new();
        let (m0, b0) = (mono.now_ms(), c.now_ms());
        assert!(
            b0 <= mono.now_ms(),
            "boot {b0} ahead of the generator clock"
        );
        assert!(b0 + 1000 > m0, "boot {b0}, generator {m0}");
        c.sleep(60_000);
        let (m1, b1) = (mono.now_ms(), c.now_ms());
        assert!(b1 >= b0 + 60_000);
        assert!(m1 < m0 + 60_000);
    }
}
