//! How a generator persists how far ahead it may issue: the trait the
//! high-water mark ([`crate::node::HighWaterFile`]) and a lease's fenced
//! mark implement. It sits below the generator and them, so they serve the
//! generator without importing it.

use crate::error::Result;

/// Persists how far ahead a generator may issue (the high-water mark).
/// Called on the cold path only, at most once per reserved window.
pub trait Reserve: Send + Sync {
    /// Durably records that ticks up to `tick` may have been issued, and
    /// returns the highest tick now covered (at least `tick`).
    fn reserve(&self, tick: u64) -> Result<u64>;
    /// Called once when the generator is dropped (a clean shutdown) with the
    /// last tick it issued, so the mark can be lowered to exactly that and a
    /// restart need not wait out the reserved window.
    fn release(&self, _last_tick: Option<u64>) {}
    /// Milliseconds left before the reservation stops being trusted (a
    /// lease's deadline); `None` when it has no deadline (a mark file).
    fn ttl_left_ms(&self) -> Option<u64> {
        None
    }
}
