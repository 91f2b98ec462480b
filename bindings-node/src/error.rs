//! The one error module of the binding: every core error becomes a JS error
//! object with a stable `code` (`SNOWID_` + the core's code) and `number`.
//!
//! | core kind | JS class |
//! |---|---|
//! | `InvalidInput` | `RangeError` |
//! | `Unavailable` | `Error` |
//! | (binding) wrong JS type, unknown option | `TypeError`, code `SNOWID_INVALID_ARGUMENT` |
//! | (binding) value out of JS range (negative, fraction, > 2^53 number) | `RangeError`, code `SNOWID_INVALID_ARGUMENT` |
//!
//! Codes the core adds later map the same way, by kind; nothing here matches
//! on the core's variants, so no code can be missed.

use napi::{sys, Env, Status};
use snowid::ErrorKind;

/// Code of errors about JS argument types and ranges (not a core code).
pub const INVALID_ARGUMENT: &str = "SNOWID_INVALID_ARGUMENT";

/// Which JS error constructor to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Error,
    TypeError,
    RangeError,
}

/// The JS class for a core error kind.
pub fn class_of(kind: ErrorKind) -> Class {
    match kind {
        ErrorKind::InvalidInput => Class::RangeError,
        ErrorKind::Unavailable => Class::Error,
    }
}

/// Throws a JS error and returns the marker napi-rs needs to leave it pending.
pub fn throw(env: &Env, class: Class, code: &str, number: Option<u32>, msg: &str) -> napi::Error {
    let env = env.raw();
    let done = napi::Error::new(Status::PendingException, msg.to_owned());
    let mut pending = false;
    // SAFETY: `env` is the live environment of the current call; every
    // pointer passed below points to a local that outlives the call.
    unsafe {
        if sys::napi_is_exception_pending(env, &mut pending) != sys::Status::napi_ok || pending {
            return done;
        }
        let mut js_code = std::ptr::null_mut();
        let mut js_msg = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        if sys::napi_create_string_utf8(
            env,
            code.as_ptr().cast(),
            code.len() as isize,
            &mut js_code,
        ) != sys::Status::napi_ok
            || sys::napi_create_string_utf8(
                env,
                msg.as_ptr().cast(),
                msg.len() as isize,
                &mut js_msg,
            ) != sys::Status::napi_ok
        {
            return napi::Error::from_reason(msg.to_owned());
        }
        let made = match class {
            Class::Error => sys::napi_create_error(env, js_code, js_msg, &mut err),
            Class::TypeError => sys::napi_create_type_error(env, js_code, js_msg, &mut err),
            Class::RangeError => sys::napi_create_range_error(env, js_code, js_msg, &mut err),
        };
        if made != sys::Status::napi_ok {
            return napi::Error::from_reason(msg.to_owned());
        }
        if let Some(n) = number {
            let mut js_n = std::ptr::null_mut();
            if sys::napi_create_uint32(env, n, &mut js_n) == sys::Status::napi_ok {
                sys::napi_set_named_property(env, err, c"number".as_ptr(), js_n);
            }
        }
        if sys::napi_throw(env, err) != sys::Status::napi_ok {
            return napi::Error::from_reason(msg.to_owned());
        }
    }
    done
}

/// Throws a core error.
pub fn core(env: &Env, e: snowid::Error) -> napi::Error {
    let code = format!("SNOWID_{}", e.code());
    throw(
        env,
        class_of(e.kind()),
        &code,
        Some(e.number()),
        &e.to_string(),
    )
}

/// Throws `TypeError` (code `SNOWID_INVALID_ARGUMENT`).
pub fn type_error(env: &Env, msg: impl AsRef<str>) -> napi::Error {
    throw(env, Class::TypeError, INVALID_ARGUMENT, None, msg.as_ref())
}

/// Throws `RangeError` (code `SNOWID_INVALID_ARGUMENT`).
pub fn range_error(env: &Env, msg: impl AsRef<str>) -> napi::Error {
    throw(env, Class::RangeError, INVALID_ARGUMENT, None, msg.as_ref())
}

/// `snowid::Result` -> `napi::Result`, throwing the mapped JS error.
pub trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for snowid::Result<T> {
    #[inline]
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| core(env, e))
    }
}

/// For the `#[napi]` items that only declare types: index.js, the package's
/// entry point, replaces them at load time, so this is reached only by
/// loading `snowid.node` directly (which the package's `exports` forbid).
pub fn provided_by_index_js(env: &Env, what: &str) -> napi::Error {
    throw(
        env,
        Class::Error,
        "SNOWID_INTERNAL",
        None,
        &format!("{what} is provided by the package's index.js; load 'snowid', not snowid.node"),
    )
}
