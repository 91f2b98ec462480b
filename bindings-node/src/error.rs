//! The one error module of the binding: every core error becomes a JS error
//! object with the core's stable `code` (`SNOWID_` + the code) and `number`.
//!
//! | core error | JS class |
//! |---|---|
//! | `snowid::TYPE_ERROR_CODES`: `WRONG_TYPE` (a JS value of the wrong type), `UNKNOWN_FIELD` (an option or field the call does not take), `MISSING_FIELD` | `TypeError` |
//! | other `InvalidInput` codes | `RangeError` |
//! | `Unavailable` codes | `Error` |
//!
//! The class follows from the code's kind in `snowid::ERROR_CODES`, so codes
//! the core adds later map without a change here. Bad JS values never get a
//! binding-made error: they become `snowid::Value`s and the core judges them.

use napi::{sys, Env, Status};
use snowid::ErrorKind;

/// Which JS error constructor to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Error,
    TypeError,
    RangeError,
}

impl Class {
    /// The JS class for a core code and its kind.
    pub fn of(code: &str, kind: ErrorKind) -> Class {
        match kind {
            _ if snowid::TYPE_ERROR_CODES.contains(&code) => Class::TypeError,
            ErrorKind::InvalidInput => Class::RangeError,
            ErrorKind::Unavailable => Class::Error,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Error => "Error",
            Class::TypeError => "TypeError",
            Class::RangeError => "RangeError",
        }
    }
}

/// Throws a JS error and returns the marker napi-rs needs to leave it pending.
fn throw(env: &Env, class: Class, code: &str, number: Option<u32>, msg: &str) -> napi::Error {
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
        Class::of(e.code(), e.kind()),
        &code,
        Some(e.number()),
        &e.to_string(),
    )
}

/// Throws a bug report: `SNOWID_PANIC` for a caught panic, `SNOWID_INTERNAL`
/// for a failed Node-API call. Neither comes from any input; both are
/// snowid bugs (or a broken runtime), so they have no core number.
pub fn bug(env: &Env, code: &str, msg: &str) -> napi::Error {
    throw(env, Class::Error, code, None, msg)
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
    bug(
        env,
        "SNOWID_INTERNAL",
        &format!("{what} is provided by the package's index.js; load 'snowid', not snowid.node"),
    )
}
