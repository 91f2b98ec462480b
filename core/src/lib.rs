//! # snowid
//!
//! 64-bit, time-sortable, unique IDs (the Snowflake scheme), made in-process.
//!
//! - [`Layout`]: the bit layout as a runtime value (presets Twitter, Discord,
//!   Instagram, Sonyflake, or your own), with pure `compose`/`decode`, range
//!   bounds and capacity.
//! - [`Generator`]: lock-free and `Send + Sync`; one clock read, one load and
//!   one compare-and-swap per ID.
//! - [`Clock`]: injected; [`MonotonicClock`] (exact), [`CachedClock`] (one
//!   atomic load, a shared ticker thread), [`ManualClock`] (tests).
//! - [`Encoding`]: decimal, hex, Crockford base32, base62; the fixed-width
//!   ones sort like the numbers.
//! - [`node`]: where node numbers come from (explicit, environment,
//!   Kubernetes ordinal, machine-local slots) and the persisted high-water mark
//!   that keeps restarts from reissuing IDs.
//! - `lease` (features `etcd`, `redis`): node numbers leased from etcd or
//!   Redis across machines, fenced by the lease deadline, with the
//!   high-water mark kept next to the lease.
//! - [`segment`]: segment mode, dense strictly increasing IDs per key from
//!   ranges of a counter in a file, PostgreSQL or Redis (feature `postgres`),
//!   double-buffered.
//! - [`Error`]: one enum; every variant has a stable code shared by every
//!   language binding.
//!
//! ```
//! use snowid::{Config, Generator, Layout};
//!
//! let gen = Generator::new(Config::new(Layout::twitter()).node("datacenter", 1)?.node("worker", 7)?)?;
//! let id = gen.next_id()?;
//! let parts = gen.layout().decode(id)?;
//! assert_eq!(&parts.nodes[..2], &[1, 7]);
//! # Ok::<(), snowid::Error>(())
//! ```

pub mod clock;
pub mod default;
pub mod encoding;
pub mod env;
pub mod error;
pub mod fork;
pub mod generator;
pub mod lanes;
pub mod layout;
#[cfg(any(feature = "etcd", feature = "redis"))]
pub mod lease;
pub mod node;
pub mod option_table;
pub mod options;
pub mod public_id;
pub mod remote;
pub mod reserve;
pub mod segment;
pub mod value;
pub mod wide;
mod word;

pub use clock::{AnyClock, CachedClock, Clock, ManualClock, MonotonicClock};
pub use encoding::{Encoding, ENCODINGS, MAX_ENCODED_LEN};
pub use error::{Error, ErrorKind, FieldKind, Result, ERROR_CODES, TYPE_ERROR_CODES};
pub use generator::{
    after_fork_in_child, fork_generation, ClockChoice, Config, Generator, RegressionPolicy,
    Reserve, Stats,
};
pub use layout::{
    Capacity, Field, FieldSpec, Layout, LayoutBuilder, LayoutSpec, Parts, MAX_FIELDS,
    MAX_NODE_BITS, MAX_NODE_FIELDS, PRESETS, RESERVED_NODE_NAMES,
};
pub use options::{GeneratorOptions, Settings};
pub use public_id::PublicIds;
#[cfg(feature = "remote")]
pub use remote::{RemoteGenerator, RemoteStats};
pub use remote::{RemoteOptions, RemoteSettings};
pub use segment::{Segment, SegmentOptions, SegmentSettings, SegmentStats};
pub use value::{Value, MAX_BATCH};

/// The root README's Rust snippets, compiled and run as doctests (edition
/// 2024, like a new `cargo new` project), so the documentation cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
