//! Kotlin/Java (JVM) binding of snowid.
//!
//! Two doors into one library, `libsnowid_kotlin.so`:
//!
//! - **uniffi** (proc-macros, no UDL): everything but the per-ID path.
//!   `uniffi-bindgen` turns these exports into `snowid.kt` (committed, checked
//!   by `make -C bindings-kotlin check-generated`). Each generated call costs
//!   microseconds (JNA, a call-status structure, a handle clone), which is fine
//!   for configuration, decoding and encoding.
//! - **JNI** ([`fast`]): `next()` and batches, for the default generator and
//!   for generator objects, bound with `RegisterNatives` to the Kotlin object
//!   `dev.snowid.NativeFast` through the library uniffi already loaded.
//!
//! Every decision is the core's: this crate converts JVM values to
//! [`snowid::Value`] / [`snowid::options::GeneratorOptions`], calls the core,
//! and converts the result or the error ([`SnowidError`], one variant per
//! code of [`snowid::ERROR_CODES`]).

uniffi::setup_scaffolding!("snowid");

mod error;
pub mod fast;
mod functions;
mod generator;
mod layout;
mod public;
mod remote;
mod segment;
mod testing;
mod uuid;
mod values;
mod wide;

pub use error::{ErrorCode, SnowidError, VARIANT_NAMES};
pub use functions::*;
pub use generator::{NativeGenerator, Stats};
pub use layout::{Capacity, Field, FieldSpec, Layout, LayoutSpec, ManualClock, NodeValue, Parts};
pub use public::NativePublicIds;
pub use remote::{NativeRemoteGenerator, RemoteStats};
pub use segment::{NativeSegment, SegmentStats};
pub use testing::{resolve_options_for_tests, EnvVar};
pub use uuid::*;
pub use values::{OptionEntry, OptionValue};
pub use wide::{NativeWideGenerator, WideCapacity, WideLayout, WideParts};

/// Result of every export.
pub type Result<T, E = SnowidError> = std::result::Result<T, E>;
