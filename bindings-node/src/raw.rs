//! Plain N-API callbacks for the per-ID calls (`next()`, `nextString()`,
//! module-level and on a `Generator` or `Segment`), installed over the
//! napi-rs ones at load time. napi-rs's glue for a method on `&self` checks
//! the receiver's type tag, looks the object up in its class registry (a
//! mutex and a hash map) and opens a borrow scope (another mutex): about 9x
//! the cost of the ID itself. Even the receiver check alone
//! (`napi_check_object_type_tag` and `napi_unwrap`: two private-property
//! lookups, each behind an exception scope) costs several times the ID.
//!
//! So there are two kinds of method:
//! - on the prototype ([`install_methods`]): they check the receiver's type
//!   tag (a method called on another class's object throws
//!   `SNOWID_WRONG_TYPE` instead of reading it as its own); used by
//!   subclasses and `Generator.prototype.next.call(...)`;
//! - on each object of the class itself ([`bind_methods`], called by
//!   index.js when it constructs one): functions that carry the object's
//!   native pointer as their data, checked once when bound, and keep the
//!   object alive through a non-configurable property, so the pointer can
//!   never outlive it.
//!
//! Both call the same core functions as the `#[napi]` items they replace.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::TypeTag;
use napi::{sys, Env, Error, Status};
use snowid::{Encoding, MAX_ENCODED_LEN};

use crate::error::{bug, core};
use crate::generator::Issue;
use crate::js::{self, Dates};

pub type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// A `#[napi]` class whose `next()` / `nextString()` are raw callbacks.
pub trait FastIssue: TypeTag + 'static {
    /// The class name, for the error a wrong receiver throws.
    const EXPECTED: &'static str;
    /// The core object that issues.
    type Core: Issue;
    fn issuer(&self) -> &Self::Core;
}

/// How a per-ID call returns its ID.
trait Form {
    /// The call, for a panic's message.
    const WHAT: &'static str;
    /// The ID as a JS value, into `out`.
    unsafe fn make(env: sys::napi_env, id: u64, out: *mut sys::napi_value) -> sys::napi_status;
}

/// `next()`: a bigint.
struct AsBigint;
impl Form for AsBigint {
    const WHAT: &'static str = "next()";
    unsafe fn make(env: sys::napi_env, id: u64, out: *mut sys::napi_value) -> sys::napi_status {
        // SAFETY: the caller passes its live env and a slot for the result.
        unsafe { sys::napi_create_bigint_uint64(env, id, out) }
    }
}

/// `nextString()`: a decimal string, formatted on the stack.
struct AsDecimal;
impl Form for AsDecimal {
    const WHAT: &'static str = "nextString()";
    unsafe fn make(env: sys::napi_env, id: u64, out: *mut sys::napi_value) -> sys::napi_status {
        let mut buf = [0u8; MAX_ENCODED_LEN];
        let s = Encoding::Decimal.encode_into(id, &mut buf);
        // SAFETY: `s` is ASCII and valid for its length; live env.
        unsafe { sys::napi_create_string_latin1(env, s.as_ptr().cast(), s.len() as isize, out) }
    }
}

/// The whole of a raw `next()`-like callback: one ID from `one`, made into
/// a JS value by `make`; else null with the core's error thrown.
#[inline(always)]
unsafe fn issue<F: Form>(
    env: sys::napi_env,
    one: impl FnOnce() -> snowid::Result<u64>,
) -> sys::napi_value {
    // The error is boxed inside so that the result crossing `catch_unwind`
    // is two words, not the whole `snowid::Error`.
    match catch_unwind(AssertUnwindSafe(|| one().map_err(Box::new))) {
        Ok(Ok(id)) => {
            let mut out = std::ptr::null_mut();
            // SAFETY: `env` is the live environment of this call.
            if unsafe { F::make(env, id, &mut out) } == sys::Status::napi_ok {
                return out;
            }
            let e = Error::from_reason("could not create the ID's value");
            settle(&Env::from_raw(env), F::WHAT, Ok(Err(e)))
        }
        Ok(Err(e)) => {
            core(&Env::from_raw(env), *e);
            std::ptr::null_mut()
        }
        Err(p) => settle(&Env::from_raw(env), F::WHAT, Err(p)),
    }
}

/// The end of a raw callback: its value, or null with a JS error pending —
/// the one already thrown (see `error::core`), `SNOWID_INTERNAL` for a
/// napi-rs error without one, `SNOWID_PANIC` for a caught panic.
pub fn settle(
    env: &Env,
    what: &str,
    r: std::thread::Result<napi::Result<sys::napi_value>>,
) -> sys::napi_value {
    let (code, msg) = match r {
        Ok(Ok(v)) => return v,
        Ok(Err(e)) if e.status == Status::PendingException => return std::ptr::null_mut(),
        Ok(Err(e)) => ("SNOWID_INTERNAL", e.reason.clone()),
        Err(_) => (
            "SNOWID_PANIC",
            format!("snowid {what} panicked (a bug in snowid)"),
        ),
    };
    bug(env, code, &msg);
    std::ptr::null_mut()
}

/// The `T` a method was called on: `this` must carry `T`'s type tag (which
/// napi-rs puts on every object its constructor wraps), else the call
/// throws `SNOWID_WRONG_TYPE` and returns `None`.
#[inline(always)]
unsafe fn receiver<'a, T: FastIssue>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<&'a T> {
    let mut this = std::ptr::null_mut();
    let mut argc = 0usize;
    // SAFETY: `env`/`info` are this call's; no argument slots are asked for.
    let st = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            std::ptr::null_mut(),
            &mut this,
            std::ptr::null_mut(),
        )
    };
    let found = if st == sys::Status::napi_ok {
        unwrap_tagged::<T>(&Env::from_raw(env), this)
    } else {
        None
    };
    match found {
        // SAFETY: an object tagged as `T` wraps the `Box<T>` napi-rs made
        // for it; it lives until the object is collected, which cannot
        // happen while the object is this call's receiver.
        Some(p) => Some(unsafe { &*p }),
        None => {
            wrong_receiver::<T>(env, this);
            None
        }
    }
}

#[cold]
#[inline(never)]
fn wrong_receiver<T: FastIssue>(env: sys::napi_env, this: sys::napi_value) {
    let env = Env::from_raw(env);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let got = if this.is_null() {
            snowid::Value::Other("missing value (undefined)".into())
        } else {
            js::arg(&env, this, Dates::Object)?
        };
        Err::<sys::napi_value, _>(core(&env, got.wrong_type("this", T::EXPECTED)))
    }));
    settle(&env, "a method", r);
}

/// `next()` / `nextString()` on the prototype: the receiver checked.
unsafe extern "C" fn method<T: FastIssue, F: Form>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by Node-API with this call's env and info.
    match unsafe { receiver::<T>(env, info) } {
        // SAFETY: as above.
        Some(g) => unsafe { issue::<F>(env, || g.issuer().one()) },
        None => std::ptr::null_mut(),
    }
}

/// The `T` a bound method was made for (see [`bind`]).
#[inline(always)]
unsafe fn bound<'a, T>(env: sys::napi_env, info: sys::napi_callback_info) -> Option<&'a T> {
    let mut data = std::ptr::null_mut();
    // SAFETY: `env`/`info` are this call's; only the data is asked for.
    let st = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut data,
        )
    };
    // SAFETY: the data of a bound method is the `T` of the object the
    // function keeps alive (see `bind`).
    (st == sys::Status::napi_ok && !data.is_null()).then(|| unsafe { &*data.cast::<T>() })
}

/// `next()` / `nextString()` of one object (see [`bind`]).
unsafe extern "C" fn bound_method<T: FastIssue, F: Form>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by Node-API with this call's env and info.
    match unsafe { bound::<T>(env, info) } {
        // SAFETY: as above.
        Some(g) => unsafe { issue::<F>(env, || g.issuer().one()) },
        None => {
            let e = Error::from_reason("a bound method without its object");
            settle(&Env::from_raw(env), F::WHAT, Ok(Err(e)))
        }
    }
}

/// The `T` that `obj` wraps, if it carries `T`'s type tag.
fn unwrap_tagged<T: FastIssue>(env: &Env, obj: sys::napi_value) -> Option<*const T> {
    let mut tagged = false;
    let mut wrapped = std::ptr::null_mut();
    // SAFETY: live env; `obj` is a value of this call.
    let found = unsafe {
        sys::napi_check_object_type_tag(env.raw(), obj, &T::type_tag(), &mut tagged)
            == sys::Status::napi_ok
            && tagged
            && sys::napi_unwrap(env.raw(), obj, &mut wrapped) == sys::Status::napi_ok
            && !wrapped.is_null()
    };
    found.then_some(wrapped.cast::<T>().cast_const())
}

/// Defines `obj.next` and `obj.nextString` as functions whose data is `ptr`
/// (the `T` that `obj` wraps); each holds `obj` in a non-writable,
/// non-configurable symbol-keyed property, so `obj` (and with it `*ptr`,
/// freed by `obj`'s finalizer) lives as long as either function.
fn bind<T: FastIssue>(env: &Env, obj: sys::napi_value, ptr: *const T) -> napi::Result<()> {
    let methods: [(&std::ffi::CStr, Callback); 2] = [
        (c"next", bound_method::<T, AsBigint>),
        (c"nextString", bound_method::<T, AsDecimal>),
    ];
    let mut holder = std::ptr::null_mut();
    // SAFETY: live env.
    js::ok(unsafe { sys::napi_create_symbol(env.raw(), std::ptr::null_mut(), &mut holder) })?;
    for (name, cb) in methods {
        // `ptr` stays valid while `obj` lives, which the property below
        // ensures.
        let f = function(env, name, cb, ptr.cast_mut().cast())?;
        let keep = property(
            std::ptr::null(),
            holder,
            obj,
            sys::PropertyAttributes::default,
        );
        // As a method of the prototype, but not enumerable: an own property
        // should not show in `Object.keys` or spreads.
        let method = property(
            name.as_ptr(),
            std::ptr::null_mut(),
            f,
            sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable,
        );
        // SAFETY: live env; `f` and `obj` are objects of this call; the
        // descriptors' pointers are static or live values.
        unsafe {
            js::ok(sys::napi_define_properties(env.raw(), f, 1, &keep))?;
            js::ok(sys::napi_define_properties(env.raw(), obj, 1, &method))?;
        }
    }
    Ok(())
}

fn property(
    utf8name: *const std::ffi::c_char,
    name: sys::napi_value,
    value: sys::napi_value,
    attributes: sys::napi_property_attributes,
) -> sys::napi_property_descriptor {
    sys::napi_property_descriptor {
        utf8name,
        name,
        method: None,
        getter: None,
        setter: None,
        value,
        attributes,
        data: std::ptr::null_mut(),
    }
}

/// `_bindMethods(obj)`: index.js calls it on every object it constructs of
/// `Generator` or `Segment` itself (not of a subclass, whose own methods
/// must not be shadowed); see the module's documentation.
pub unsafe extern "C" fn bind_methods(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let wrapped = Env::from_raw(env);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut argc = 1usize;
        let mut obj = std::ptr::null_mut();
        // SAFETY: `env`/`info` are this call's; one argument slot.
        js::ok(unsafe {
            sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                &mut obj,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        })?;
        if argc == 1 {
            if let Some(p) = unwrap_tagged::<crate::generator::Generator>(&wrapped, obj) {
                bind(&wrapped, obj, p)?;
            } else if let Some(p) = unwrap_tagged::<crate::segment::Segment>(&wrapped, obj) {
                bind(&wrapped, obj, p)?;
            }
        }
        let mut undefined = std::ptr::null_mut();
        // SAFETY: live env.
        js::ok(unsafe { sys::napi_get_undefined(env, &mut undefined) })?;
        Ok(undefined)
    }));
    settle(&wrapped, "_bindMethods()", r)
}

/// The module-level `next()` and `nextString()`: they take no arguments, so
/// they skip even `napi_get_cb_info`; the whole path is the core's
/// `default::next_id` (one atomic load and the lock-free generator) and the
/// ID's value.
unsafe extern "C" fn default_method<F: Form>(
    env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by Node-API with this call's env.
    unsafe { issue::<F>(env, snowid::default::next_id) }
}

/// The module-level `next()`.
pub const DEFAULT_NEXT: Callback = default_method::<AsBigint>;
/// The module-level `nextString()`.
pub const DEFAULT_NEXT_STRING: Callback = default_method::<AsDecimal>;

/// A function named `name` made of `cb`, whose callback data is `data`
/// (null, or a pointer its caller keeps valid as long as the function).
fn function(
    env: &Env,
    name: &std::ffi::CStr,
    cb: Callback,
    data: *mut std::ffi::c_void,
) -> napi::Result<sys::napi_value> {
    let mut f = std::ptr::null_mut();
    // SAFETY: `env` is live; the name is a static C string; `data` as
    // above.
    js::ok(unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr(),
            name.to_bytes().len() as isize,
            Some(cb),
            data,
            &mut f,
        )
    })
    .map_err(|_| Error::from_reason(format!("could not create {name:?}")))?;
    Ok(f)
}

/// A function made of `cb`, set as `target[name]`.
fn set_function(
    env: &Env,
    target: sys::napi_value,
    name: &std::ffi::CStr,
    cb: Callback,
) -> napi::Result<()> {
    let f = function(env, name, cb, std::ptr::null_mut())?;
    // SAFETY: `env` and `target` are live; the name is a static C string.
    js::ok(unsafe { sys::napi_set_named_property(env.raw(), target, name.as_ptr(), f) })
        .map_err(|_| Error::from_reason(format!("could not export {name:?}")))
}

/// Sets the module's raw functions on `exports`.
pub fn install_functions(
    env: &Env,
    exports: sys::napi_value,
    fns: &[(&std::ffi::CStr, Callback)],
) -> napi::Result<()> {
    for (name, cb) in fns {
        set_function(env, exports, name, *cb)?;
    }
    Ok(())
}

/// Replaces `next` and `nextString` on the prototype of the class exported
/// as `class` with the raw callbacks for `T`.
pub fn install_methods<T: FastIssue>(
    env: &Env,
    exports: sys::napi_value,
    class: &std::ffi::CStr,
) -> napi::Result<()> {
    let mut ctor = std::ptr::null_mut();
    let mut proto = std::ptr::null_mut();
    // SAFETY: live env and exports; static C strings.
    unsafe {
        js::ok(sys::napi_get_named_property(
            env.raw(),
            exports,
            class.as_ptr(),
            &mut ctor,
        ))?;
        js::ok(sys::napi_get_named_property(
            env.raw(),
            ctor,
            c"prototype".as_ptr(),
            &mut proto,
        ))?;
    }
    let methods: [(&std::ffi::CStr, Callback); 2] = [
        (c"next", method::<T, AsBigint>),
        (c"nextString", method::<T, AsDecimal>),
    ];
    for (name, cb) in methods {
        // As napi-rs defines methods: writable, enumerable, configurable.
        let d = sys::napi_property_descriptor {
            utf8name: name.as_ptr(),
            name: std::ptr::null_mut(),
            method: None,
            getter: None,
            setter: None,
            value: function(env, name, cb, std::ptr::null_mut())?,
            attributes: sys::PropertyAttributes::writable
                | sys::PropertyAttributes::enumerable
                | sys::PropertyAttributes::configurable,
            data: std::ptr::null_mut(),
        };
        // SAFETY: live env; `proto` is an object; the descriptor's pointers
        // are static.
        js::ok(unsafe { sys::napi_define_properties(env.raw(), proto, 1, &d) })
            .map_err(|_| Error::from_reason(format!("could not define {name:?}")))?;
    }
    Ok(())
}
