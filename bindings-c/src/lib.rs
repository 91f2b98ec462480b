//! The C ABI of snowid: `libsnowid.so` / `libsnowid.a` and
//! `include/snowid.h` (generated from this crate by cbindgen: the `///`
//! comments here are the header's documentation).
//!
//! Shape: opaque handles with `_new`/`_free` pairs, a `snowid_status` return
//! (0 = `SNOWID_OK`) and out-parameters, only fixed-width types. Every export
//! runs its body through `error::guard`, so a panic becomes
//! `SNOWID_ERR_PANIC` and a NULL pointer becomes `SNOWID_ERR_NULL_ARGUMENT`.
// Every pointer contract is written once, in each export's doc comment (and
// the header's preamble), rather than in a `# Safety` section per function.
#![allow(clippy::missing_safety_doc)]

// Declaration order is the header's order: statuses, layouts, configs,
// generators, options, encodings.
mod args;
mod config;
mod encoding;
mod error;
mod generator;
mod layout;
mod options;
mod public;
mod remote;
mod segment;
mod uuid;
mod wide;

pub use config::*;
pub use encoding::*;
pub use error::*;
pub use generator::*;
pub use layout::*;
pub use options::*;
pub use public::*;
pub use remote::*;
pub use segment::*;
pub use uuid::*;
pub use wide::*;

use std::ffi::{c_char, CStr};

/// Major version of this header.
pub const SNOWID_VERSION_MAJOR: u32 = 0;
/// Minor version of this header.
pub const SNOWID_VERSION_MINOR: u32 = 1;
/// Patch version of this header.
pub const SNOWID_VERSION_PATCH: u32 = 0;

/// The library's version, `"MAJOR.MINOR.PATCH"` (static; never free it,
/// never NULL). Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn snowid_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"",
        };
    error::guard_value(c"".as_ptr(), || VERSION.as_ptr())
}

/// Benchmark helper, not for applications: does nothing (so it cannot
/// panic and needs no guard). Measures the cost of calling an exported Rust
/// function: the floor under every snowid call.
#[no_mangle]
pub extern "C" fn snowid_noop() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_version_matches_the_crate() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            format!("{SNOWID_VERSION_MAJOR}.{SNOWID_VERSION_MINOR}.{SNOWID_VERSION_PATCH}"),
            version
        );
        let v = unsafe { CStr::from_ptr(snowid_version()) };
        assert_eq!(v.to_str().unwrap(), version);
        // The header's SNOWID_VERSION string comes from cbindgen.toml.
        let toml = include_str!("../cbindgen.toml");
        assert!(
            toml.contains(&format!("#define SNOWID_VERSION \"{version}\"")),
            "cbindgen.toml's SNOWID_VERSION is not {version}"
        );
    }
}
