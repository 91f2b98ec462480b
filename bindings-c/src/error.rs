//! Status codes, the thread-local last-error message, and the one wrapper
//! every export goes through (no panic unwinds into C; NULL is a status).

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use core_snowid::{Error, ERROR_CODES};

/// Result of every function that can fail: `SNOWID_OK` (0) on success,
/// otherwise one of the `SNOWID_ERR_*` values below. Values 1..99 are the
/// core's stable error numbers (the same codes Python's `SnowidError.code` and
/// Node's `err.code` carry); 100 and up are the C binding's own. A library
/// newer than your header may return a core number you have no constant for:
/// treat any non-zero value as an error and show `snowid_status_str()` /
/// `snowid_last_error_message()`.
#[allow(non_camel_case_types)]
pub type snowid_status = i32;

/// Success.
pub const SNOWID_OK: snowid_status = 0;
/// Layout fields do not add up to 63 (sign bit reserved) or 64 bits.
pub const SNOWID_ERR_LAYOUT_BITS_SUM: snowid_status = 1;
/// A layout field is too narrow or too wide.
pub const SNOWID_ERR_FIELD_WIDTH: snowid_status = 2;
/// A field name is empty, too long, or not `[a-z_][a-z0-9_]*`.
pub const SNOWID_ERR_FIELD_NAME: snowid_status = 3;
/// Two fields share a name (also: a node named twice in a compose call).
pub const SNOWID_ERR_DUPLICATE_FIELD: snowid_status = 4;
/// Wrong number of timestamp, sequence or node fields.
pub const SNOWID_ERR_FIELD_COUNT: snowid_status = 5;
/// Tick length outside 1..=86400000 ms.
pub const SNOWID_ERR_TICK_OUT_OF_RANGE: snowid_status = 6;
/// The layout's epoch lies in the future.
pub const SNOWID_ERR_EPOCH_IN_FUTURE: snowid_status = 7;
/// No preset has that name.
pub const SNOWID_ERR_UNKNOWN_LAYOUT: snowid_status = 8;
/// A field value (node, sequence, node index) does not fit.
pub const SNOWID_ERR_FIELD_OUT_OF_RANGE: snowid_status = 10;
/// The layout has no node field of that name.
pub const SNOWID_ERR_UNKNOWN_FIELD: snowid_status = 11;
/// A node field was given no value.
pub const SNOWID_ERR_MISSING_FIELD: snowid_status = 12;
/// The number cannot be an ID of this layout (reserved sign bit set).
pub const SNOWID_ERR_ID_OUT_OF_RANGE: snowid_status = 13;
/// A time outside the layout's lifespan.
pub const SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE: snowid_status = 14;
/// A setting has a bad value: an environment variable (`SNOWID_WORKER_ID`...),
/// a config field (`clock`, `on_regression`, `struct_size`...), an enum value.
pub const SNOWID_ERR_INVALID_SETTING: snowid_status = 15;
/// An option got a value of the wrong type (`snowid_options_set_str()` for
/// an integer option, `_set_bool()` for a node field...).
pub const SNOWID_ERR_WRONG_TYPE: snowid_status = 16;
/// The clock is behind the last issued ID by more than the policy allows.
pub const SNOWID_ERR_CLOCK_MOVED_BACKWARDS: snowid_status = 20;
/// The clock reads a time before the layout's epoch.
pub const SNOWID_ERR_CLOCK_BEFORE_EPOCH: snowid_status = 21;
/// The layout's time field has run out.
pub const SNOWID_ERR_TIME_EXHAUSTED: snowid_status = 22;
/// Manual clock only: every sequence number of the tick is used; move the clock.
pub const SNOWID_ERR_SEQUENCE_EXHAUSTED: snowid_status = 23;
/// The generator was created before `fork()`; create a new one in the child
/// with its own node numbers.
pub const SNOWID_ERR_FORKED: snowid_status = 24;
/// Parsing an empty string.
pub const SNOWID_ERR_PARSE_EMPTY: snowid_status = 30;
/// The string has the wrong length for the encoding.
pub const SNOWID_ERR_PARSE_LENGTH: snowid_status = 31;
/// A character outside the encoding's alphabet.
pub const SNOWID_ERR_PARSE_CHARACTER: snowid_status = 32;
/// The string encodes a number above 2^64 - 1.
pub const SNOWID_ERR_PARSE_OVERFLOW: snowid_status = 33;
/// No encoding has that name or number.
pub const SNOWID_ERR_UNKNOWN_ENCODING: snowid_status = 34;
/// Node identity: every node number is held by another live process.
pub const SNOWID_ERR_NO_FREE_SLOT: snowid_status = 50;
/// Node identity: the clock is behind the persisted high-water mark.
pub const SNOWID_ERR_BEHIND_HIGH_WATER: snowid_status = 51;
/// Node identity: a state file could not be read or written.
pub const SNOWID_ERR_STATE_IO: snowid_status = 52;
/// Node identity: a state file is corrupt.
pub const SNOWID_ERR_STATE_CORRUPT: snowid_status = 53;
/// Node identity: the node numbers are locked by another live process on
/// this machine.
pub const SNOWID_ERR_NODE_IN_USE: snowid_status = 54;
/// Node identity: the lease on the node numbers is not confirmed recently
/// enough; the generator refuses to issue until a renewal succeeds.
pub const SNOWID_ERR_LEASE_LOST: snowid_status = 55;
/// Node identity: the leased node numbers are gone for good; build a new
/// generator to claim a free number.
pub const SNOWID_ERR_LEASE_TAKEN: snowid_status = 56;
/// Node identity: the coordination service (etcd, Redis) could not be reached.
pub const SNOWID_ERR_COORDINATION_UNAVAILABLE: snowid_status = 57;
/// Default generator: nothing says where its node numbers come from, and the
/// environment is one of many replicas (Kubernetes Deployment, AWS Lambda,
/// Cloud Run), where machine-local slots would repeat on every replica. Set
/// `SNOWID_<FIELD>_ID` per replica, `SNOWID_NODE_SOURCE` (`k8s`, `redis`...)
/// or, if you accept machine-local numbers, `SNOWID_NODE_SOURCE=local`.
pub const SNOWID_ERR_NODE_SOURCE_REQUIRED: snowid_status = 58;
/// Segment mode: a key is empty, longer than 128 bytes, or has characters
/// outside `A-Z a-z 0-9 _ - .` (or starts with `.`).
pub const SNOWID_ERR_SEGMENT_KEY: snowid_status = 80;
/// Segment mode: a store URL cannot be used (unknown scheme, no host, a
/// relative file path, a store this build lacks).
pub const SNOWID_ERR_SEGMENT_STORE_URL: snowid_status = 81;
/// Segment mode: the key's counter would pass INT64_MAX.
pub const SNOWID_ERR_SEGMENT_EXHAUSTED: snowid_status = 82;
/// Segment mode: both buffered ranges are spent and the store gave no new
/// range (unreachable, or it lost its data and the segment refuses for good).
pub const SNOWID_ERR_SEGMENT_STORE_UNAVAILABLE: snowid_status = 83;
/// Public IDs: a key that is not 16, 24 or 32 bytes.
pub const SNOWID_ERR_PUBLIC_ID_KEY: snowid_status = 90;
/// Public IDs: a well-formed public ID that fails its check (mistyped, or
/// made with another key or context).
pub const SNOWID_ERR_PUBLIC_ID_CHECK: snowid_status = 91;
/// Remote generator: the ID service gave no batch (refused, reset, cut
/// short, 429/5xx until the wait ran out, or an answer no retry changes).
pub const SNOWID_ERR_REMOTE_UNAVAILABLE: snowid_status = 92;
/// Remote generator: the ID service did not answer within `timeout_ms`.
pub const SNOWID_ERR_REMOTE_TIMEOUT: snowid_status = 93;
/// Remote generator: the ID service refused the bearer token (HTTP 401).
pub const SNOWID_ERR_UNAUTHORIZED: snowid_status = 94;
/// A required pointer argument was NULL (the message names the argument).
pub const SNOWID_ERR_NULL_ARGUMENT: snowid_status = 100;
/// A caller's buffer is too small; the needed size was written to the
/// length out-parameter when one was given, and is in the message.
pub const SNOWID_ERR_BUFFER_TOO_SMALL: snowid_status = 101;
/// A `const char *` argument is not valid UTF-8.
pub const SNOWID_ERR_INVALID_UTF8: snowid_status = 102;
/// A bug in snowid panicked; the panic was caught at the boundary. The
/// object involved may be left unusable; please report the message.
pub const SNOWID_ERR_PANIC: snowid_status = 199;

/// The binding's own statuses, with their names.
const BINDING_STATUSES: &[(&str, snowid_status)] = &[
    ("OK", SNOWID_OK),
    ("NULL_ARGUMENT", SNOWID_ERR_NULL_ARGUMENT),
    ("BUFFER_TOO_SMALL", SNOWID_ERR_BUFFER_TOO_SMALL),
    ("INVALID_UTF8", SNOWID_ERR_INVALID_UTF8),
    ("PANIC", SNOWID_ERR_PANIC),
];

/// Why a call failed, before it becomes a status and a message.
#[derive(Debug)]
pub(crate) enum Failure {
    Core(Error),
    Null(&'static str),
    BufferTooSmall {
        what: &'static str,
        need: u64,
        got: u64,
    },
    InvalidUtf8 {
        what: &'static str,
        valid_up_to: usize,
    },
    Panic(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn status(&self) -> snowid_status {
        match self {
            // Core numbers pass through unchanged, including codes added
            // after this binding was written.
            Failure::Core(e) => i32::try_from(e.number()).unwrap_or(SNOWID_ERR_PANIC),
            Failure::Null(_) => SNOWID_ERR_NULL_ARGUMENT,
            Failure::BufferTooSmall { .. } => SNOWID_ERR_BUFFER_TOO_SMALL,
            Failure::InvalidUtf8 { .. } => SNOWID_ERR_INVALID_UTF8,
            Failure::Panic(_) => SNOWID_ERR_PANIC,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Core(e) => format!("{}: {e}", e.code()),
            Failure::Null(arg) => format!("NULL_ARGUMENT: argument `{arg}` is NULL"),
            Failure::BufferTooSmall { what, need, got } => {
                format!("BUFFER_TOO_SMALL: `{what}` holds {got} element(s); {need} are needed")
            }
            Failure::InvalidUtf8 { what, valid_up_to } => format!(
                "INVALID_UTF8: `{what}` is not valid UTF-8 (bad byte at offset {valid_up_to})"
            ),
            Failure::Panic(msg) => format!("PANIC: snowid panicked (a bug; please report): {msg}"),
        }
    }
}

/// A setting with a bad value, as the core reports it.
pub(crate) fn invalid_setting(setting: &str, value: impl ToString, expected: &str) -> Failure {
    Failure::Core(Error::InvalidSetting {
        setting: setting.to_owned(),
        value: value.to_string(),
        expected: expected.to_owned(),
    })
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: String) {
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // try_with: during thread teardown the slot may be gone; drop the message.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = c;
        }
    });
}

#[cold]
#[inline(never)]
fn fail(f: Failure) -> snowid_status {
    let status = f.status();
    set_last_error(f.message());
    status
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// Runs the body of an export: `Ok` -> `SNOWID_OK`; an error -> its status
/// and the thread's last-error message; a panic -> `SNOWID_ERR_PANIC`.
#[inline(always)]
pub(crate) fn guard<F: FnOnce() -> Result<(), Failure>>(body: F) -> snowid_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => SNOWID_OK,
        Ok(Err(f)) => fail(f),
        Err(payload) => fail(Failure::Panic(panic_message(payload))),
    }
}

/// For the few exports that return a value instead of a status (free
/// functions, static strings): a panic yields `fallback`.
#[inline(always)]
pub(crate) fn guard_value<T, F: FnOnce() -> T>(fallback: T, body: F) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(payload) => {
            fail(Failure::Panic(panic_message(payload)));
            fallback
        }
    }
}

fn status_names() -> &'static [(snowid_status, CString)] {
    static NAMES: OnceLock<Vec<(snowid_status, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let core = ERROR_CODES
            .iter()
            .filter_map(|(code, n, _)| Some((i32::try_from(*n).ok()?, *code)));
        BINDING_STATUSES
            .iter()
            .map(|(name, s)| (*s, *name))
            .chain(core)
            .filter_map(|(s, name)| Some((s, CString::new(name).ok()?)))
            .collect()
    })
}

/// The stable name of a status, without the `SNOWID_ERR_` prefix: `"OK"`,
/// `"FIELD_OUT_OF_RANGE"`, `"NULL_ARGUMENT"`... (the same code strings the
/// Python and Node bindings use), or `"UNKNOWN_STATUS"` for a number no
/// version of snowid defines.
///
/// Ownership: the string is static; never free it. Never returns NULL.
/// Thread safety: safe from any thread. Does not touch the last-error message.
#[no_mangle]
pub extern "C" fn snowid_status_str(status: snowid_status) -> *const c_char {
    static UNKNOWN: &CStr = c"UNKNOWN_STATUS";
    guard_value(UNKNOWN.as_ptr(), || {
        status_names()
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(UNKNOWN.as_ptr(), |(_, name)| name.as_ptr())
    })
}

/// The message of the most recent failed snowid call on the calling thread,
/// starting with the status name and carrying the numbers that explain it,
/// e.g. `"FIELD_OUT_OF_RANGE: worker = 40 is out of range; valid range is
/// 0..=31"`. `""` if no call on this thread has failed yet.
///
/// Lifetime: the pointer stays valid until the next snowid call on the same
/// thread that fails (successful calls leave the message alone), or until the
/// thread exits. Copy it if you need it longer. Never free it; never NULL.
/// Thread safety: each thread has its own message.
#[no_mangle]
pub extern "C" fn snowid_last_error_message() -> *const c_char {
    static EMPTY: &CStr = c"";
    guard_value(EMPTY.as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| {
                slot.try_borrow()
                    .map(|s| s.as_ptr())
                    .unwrap_or(EMPTY.as_ptr())
            })
            .unwrap_or(EMPTY.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status constants of the committed header, `(CODE, number)`.
    fn header_statuses() -> Vec<(String, i64)> {
        include_str!("../include/snowid.h")
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix("#define SNOWID_ERR_")?;
                let (name, n) = rest.split_once(' ')?;
                Some((name.to_owned(), n.trim().parse().ok()?))
            })
            .collect()
    }

    #[test]
    fn the_header_has_exactly_the_core_codes_with_their_numbers() {
        let header = header_statuses();
        for (code, number, _) in ERROR_CODES {
            assert!(
                header.contains(&((*code).to_owned(), i64::from(*number))),
                "snowid.h lacks `#define SNOWID_ERR_{code} {number}` (add the constant to src/error.rs, then `make header`)"
            );
        }
        for (name, n) in &header {
            let core = ERROR_CODES
                .iter()
                .any(|(c, m, _)| c == name && i64::from(*m) == *n);
            let own = BINDING_STATUSES
                .iter()
                .any(|(c, m)| c == name && i64::from(*m) == *n);
            assert!(
                core || own,
                "SNOWID_ERR_{name} = {n} is neither a core code nor the binding's"
            );
        }
        assert_eq!(header.len(), ERROR_CODES.len() + BINDING_STATUSES.len() - 1);
    }

    #[test]
    fn binding_statuses_do_not_collide_with_core_numbers() {
        for (name, s) in &BINDING_STATUSES[1..] {
            assert!(*s >= 100, "{name}");
            assert!(ERROR_CODES
                .iter()
                .all(|(_, n, _)| i64::from(*n) != i64::from(*s)));
        }
    }

    #[test]
    fn status_names_cover_every_code() {
        for (code, n, _) in ERROR_CODES {
            let p = snowid_status_str(*n as i32);
            // SAFETY: static NUL-terminated strings.
            assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), *code);
        }
        let p = snowid_status_str(9999);
        assert_eq!(
            unsafe { CStr::from_ptr(p) }.to_str().unwrap(),
            "UNKNOWN_STATUS"
        );
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let s = guard(|| panic!("boom {}", 7));
        assert_eq!(s, SNOWID_ERR_PANIC);
        let m = unsafe { CStr::from_ptr(snowid_last_error_message()) };
        assert!(m.to_str().unwrap().contains("boom 7"), "{m:?}");
    }
}
