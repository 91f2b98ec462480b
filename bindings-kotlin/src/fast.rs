//! The JNI fast path: `next()` and batches without uniffi's per-call cost.
//!
//! Bound to the Kotlin object `dev.snowid.NativeFast` by
//! [`snowid_kotlin_bind_fast_path`], which the facade calls once through JNA
//! with the current `JNIEnv` (the library is loaded once, by JNA, for uniffi
//! and this path alike: no second copy of the default generator).
//!
//! A failing call returns a marker (`0` for an ID, `-1` for a count) and
//! leaves the core's error in a thread-local; the facade then calls
//! `takePendingError()` (uniffi), which throws it as its `SnowidException`
//! subclass. A real ID `0` leaves nothing pending, so it is returned as is.
//! No panic crosses into the JVM: every body runs under `catch_unwind`.

use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::objects::{JClass, JLongArray};
use jni::sys::{jint, jlong};
use jni::{jni_str, EnvUnowned, NativeMethod};
use snowid::value::batch_len;
use snowid::{Generator, Value};

use crate::Result;

enum Pending {
    Error(snowid::Error),
    Panic,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Runs `f`; on an error or a panic, records it and returns `marker`.
#[inline(always)]
fn guarded<T>(marker: T, f: impl FnOnce() -> snowid::Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            PENDING.with(|p| *p.borrow_mut() = Some(Pending::Error(e)));
            marker
        }
        Err(_) => {
            PENDING.with(|p| *p.borrow_mut() = Some(Pending::Panic));
            marker
        }
    }
}

/// The error the last failing fast call on this thread left, if any.
pub(crate) fn take_pending() -> Result<()> {
    match PENDING.with(|p| p.borrow_mut().take()) {
        None => Ok(()),
        Some(Pending::Error(e)) => Err(e.into()),
        Some(Pending::Panic) => panic!("snowid fast path panicked"),
    }
}

/// The generator behind a handle: `0` is the default generator, anything
/// else a reference made by `NativeGenerator::lean_handle` and not released.
///
/// # Safety
/// `handle` is 0 or a live lean handle.
unsafe fn generator<'a>(handle: jlong) -> snowid::Result<&'a Generator> {
    if handle == 0 {
        snowid::default::generator()
    } else {
        // SAFETY: the caller keeps the handle alive for this call.
        Ok(unsafe { &*(handle as *const Generator) })
    }
}

extern "system" fn next_default(_env: EnvUnowned<'_>, _class: JClass<'_>) -> jlong {
    guarded(0, || snowid::default::next_id().map(|id| id as jlong))
}

extern "system" fn next_of(_env: EnvUnowned<'_>, _class: JClass<'_>, handle: jlong) -> jlong {
    // SAFETY: Generator.kt passes a live handle (its call counter keeps it).
    guarded(0, || {
        unsafe { generator(handle) }?
            .next_id()
            .map(|id| id as jlong)
    })
}

extern "system" fn checked_batch_len(_env: EnvUnowned<'_>, _class: JClass<'_>, n: jlong) -> jint {
    guarded(-1, || batch_len(&Value::from(n)).map(|n| n as jint))
}

/// Fills `out[0..n]` (`n` checked by `batchLen`, `out` at least that long);
/// returns how many were written, or -1 with nothing written and an error
/// pending.
extern "system" fn fill<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    out: JLongArray<'l>,
    n: jint,
) -> jint {
    const CHUNK: usize = 4096;
    let mut filled: usize = 0;
    let mut failed = false;
    let n = n.max(0) as usize;
    env.with_env(|env| -> jni::errors::Result<()> {
        // SAFETY: as in next_of.
        let g = match guarded(None, || unsafe { generator(handle) }.map(Some)) {
            Some(g) => g,
            None => {
                failed = true;
                return Ok(());
            }
        };
        let mut buf = [0u64; CHUNK];
        while filled < n {
            let want = (n - filled).min(CHUNK);
            let got = guarded(0, || g.next_batch(&mut buf[..want]));
            if got == 0 {
                failed = filled == 0;
                if !failed {
                    PENDING.with(|p| p.borrow_mut().take());
                }
                break;
            }
            // SAFETY: u64 and i64 have the same layout.
            let longs: &[jlong] = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), got) };
            out.set_region(env, filled as jint, longs)?;
            filled += got;
            if got < want {
                break;
            }
        }
        Ok(())
    })
    .resolve::<jni::errors::ThrowRuntimeExAndDefault>();
    if failed {
        -1
    } else {
        filled as jint
    }
}

extern "system" fn release(_env: EnvUnowned<'_>, _class: JClass<'_>, handle: jlong) {
    if handle != 0 {
        // SAFETY: made by Arc::into_raw in lean_handle; Generator.kt releases
        // it exactly once, after its last call.
        drop(unsafe { std::sync::Arc::from_raw(handle as *const Generator) });
    }
}

/// Binds the native methods of `dev.snowid.NativeFast`. Called once by the
/// facade through JNA (direct mapping passes the caller's `JNIEnv`).
/// Returns 0 on success.
///
/// # Safety
/// `env` is the current thread's `JNIEnv`, as JNA passes it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn snowid_kotlin_bind_fast_path(env: *mut jni::sys::JNIEnv) -> i32 {
    if env.is_null() {
        return 1;
    }
    // SAFETY: a valid JNIEnv of this thread, for the duration of this call.
    let mut unowned = unsafe { EnvUnowned::from_raw(env) };
    unowned
        .with_env(|env| -> jni::errors::Result<i32> {
            let class = env.find_class(jni_str!("dev/snowid/NativeFast"))?;
            // SAFETY: each pointer is a static method of NativeFast with
            // exactly this JNI signature.
            let methods = unsafe {
                [
                    NativeMethod::from_raw_parts(
                        jni_str!("nextDefault"),
                        jni_str!("()J"),
                        next_default as *mut c_void,
                    ),
                    NativeMethod::from_raw_parts(
                        jni_str!("next"),
                        jni_str!("(J)J"),
                        next_of as *mut c_void,
                    ),
                    NativeMethod::from_raw_parts(
                        jni_str!("batchLen"),
                        jni_str!("(J)I"),
                        checked_batch_len as *mut c_void,
                    ),
                    NativeMethod::from_raw_parts(
                        jni_str!("fill"),
                        jni_str!("(J[JI)I"),
                        fill as *mut c_void,
                    ),
                    NativeMethod::from_raw_parts(
                        jni_str!("release"),
                        jni_str!("(J)V"),
                        release as *mut c_void,
                    ),
                ]
            };
            // SAFETY: static methods, matching signatures (above).
            unsafe { env.register_native_methods(&class, &methods) }?;
            Ok(0)
        })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}
