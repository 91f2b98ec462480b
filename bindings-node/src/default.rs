//! The module-level functions over the process default generator, which is
//! the core's (`snowid::default`): its settings, first use, re-configure
//! rule, fork rule, clean exit and the layout `inspect()` uses all live
//! there. This file only converts arguments and results, plus the raw
//! N-API callbacks that keep `next()` and `inspect()` fast.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use snowid::default;
use snowid::env::Environment;

use crate::error::OrThrow;
use crate::generator::{batch, nodes_to_js, options_of, stats_to_js, DecimalId};
use crate::js::{self, Dates, Js};
use crate::layout::Layout;
use crate::raw;

/// Configures the default generator behind `next()` / `nextString()`:
/// the options of `new Generator()`; what is not given comes from the
/// environment (`SNOWID_LAYOUT`, `SNOWID_<FIELD>_ID`, ...), as the core's
/// rules say (`testdata/OPTIONS.md`).
///
/// Call it before the first `next()` of the process. Calling it again with
/// the same settings (e.g. from every worker thread) does nothing; other
/// settings after the default generator issued IDs throw
/// `SNOWID_INVALID_SETTING` naming the first setting that differs.
#[napi(catch_unwind, ts_args_type = "options?: GeneratorOptions")]
pub fn configure(env: Env, options: Option<Unknown>) -> Result<()> {
    let o = options_of(&env, options.map(|o| o.raw()))?.unwrap_or_default();
    default::configure(o).or_throw(&env)
}

// This item declares `next` for index.d.ts; at run time the module's `next`
// is `raw::DEFAULT_NEXT`, which calls the same core function without
// napi-rs's call machinery (likewise `nextString`).
/// The next ID of the process-wide default generator, as a bigint.
#[napi(catch_unwind)]
pub fn next(env: Env) -> Result<u64> {
    default::next_id().or_throw(&env)
}

/// `_decodeInto(id, layout, out, method)` as a plain N-API callback around
/// [`crate::text::decode_into`]: napi-rs's argument machinery cost more than
/// the decoding itself.
unsafe extern "C" fn decode_into_raw(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let wrapped = Env::from_raw(env);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut argc = 4usize;
        let mut argv = [std::ptr::null_mut(); 4];
        // SAFETY: `env`/`info` are this call's; `argv` holds `argc` slots.
        let st = unsafe {
            sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        js::ok(st)?;
        // Missing arguments arrive as null pointers: read them as undefined.
        for a in argv.iter_mut().skip(argc) {
            // SAFETY: live env.
            unsafe { sys::napi_get_undefined(env, a) };
        }
        crate::text::decode_into(&wrapped, argv)
    }));
    raw::settle(&wrapped, "inspect()", r)
}

/// Replaces the `next` and `nextString` exports and the methods of the
/// same names of `Generator` and `Segment` with raw callbacks (see
/// [`crate::raw`]) once napi-rs has registered the `#[napi]` items, and adds
/// `_decodeInto` and `_bindMethods` for index.js.
#[napi(module_exports)]
pub fn fast_exports(exports: Object, env: Env) -> Result<()> {
    raw::install_functions(
        &env,
        exports.raw(),
        &[
            (c"next", raw::DEFAULT_NEXT),
            (c"nextString", raw::DEFAULT_NEXT_STRING),
            (c"_decodeInto", decode_into_raw),
            (c"_bindMethods", raw::bind_methods),
        ],
    )?;
    raw::install_methods::<crate::generator::Generator>(&env, exports.raw(), c"Generator")?;
    raw::install_methods::<crate::remote::RemoteGenerator>(
        &env,
        exports.raw(),
        c"RemoteGenerator",
    )?;
    raw::install_methods::<crate::segment::Segment>(&env, exports.raw(), c"Segment")
}

/// The next ID of the default generator, as a decimal string (for JSON and
/// code that cannot take a bigint).
#[napi(catch_unwind, ts_return_type = "string")]
pub fn next_string(env: Env) -> Result<DecimalId> {
    Ok(DecimalId(default::next_id().or_throw(&env)?))
}

/// `n` consecutive IDs of the default generator in one call (at most 2^24).
#[napi(
    catch_unwind,
    ts_args_type = "n: number",
    ts_return_type = "BigUint64Array"
)]
pub fn next_batch(env: Env, n: Unknown) -> Result<Js> {
    batch(&env, default::generator().or_throw(&env)?, n)
}

/// `Generator#ready()` of the default generator behind `next()`: reached
/// as `next()` reaches it, so it is created on first use (claiming its node
/// numbers) and re-created in a forked child; throws the error the next
/// `next()` would throw.
#[napi(catch_unwind)]
pub fn ready(env: Env) -> Result<()> {
    default::ready().or_throw(&env)
}

/// Counters of the default generator (all 0 before its first use), and the
/// clock's current `skewMs` (see `Generator.stats()`).
#[napi(
    catch_unwind,
    ts_return_type = "{ issued: number, overflowWaits: number, clockRegressions: number, largestRegressionMs: number, borrowedTicks: number, skewMs: number, runwayS: number, nodesTotal: number, nodesInUse: number, nodesFree: number, leaseTtlLeftMs: number | null }"
)]
pub fn stats(env: Env) -> Result<Js> {
    stats_to_js(&env, &default::stats())
}

/// The layout `inspect()` and friends use when given none: the default
/// generator's (configured, else `SNOWID_LAYOUT`, else Twitter), without
/// creating the generator.
#[napi(catch_unwind, js_name = "defaultLayout")]
pub fn default_layout(env: Env) -> Result<Layout> {
    Ok(Layout {
        inner: default::layout().or_throw(&env)?,
    })
}

/// The default generator's node values by field name (creates it if needed).
#[napi(catch_unwind, ts_return_type = "Record<string, number>")]
pub fn default_nodes(env: Env) -> Result<Js> {
    nodes_to_js(&env, default::generator().or_throw(&env)?)
}

/// Where the default generator's node numbers came from (`"local slot 3
/// in ..."`, `"env (datacenter=1, worker=7)"`, `"explicit"`), or `null`
/// before its first use.
#[napi(catch_unwind)]
pub fn default_source() -> Option<String> {
    default::source()
}

/// Clean exit (index.js calls it on the process's `exit` event): lowers the
/// default generator's high-water mark to the last tick issued, so the next
/// process with its numbers starts without waiting.
#[napi(catch_unwind, js_name = "_shutdown", skip_typescript)]
pub fn shutdown() {
    default::shutdown();
}

/// Test hook for the `options` vectors: converts `options` exactly like
/// `new Generator()` / `configure()` do, resolves them for `target`
/// (`'generator'`, `'default'` or `'inspect'`) under the environment `env`
/// (`{ VAR: string | Uint8Array }`) and returns the resolved settings as
/// the core's canonical JSON (`{"layout": name}` for `'inspect'`).
#[napi(catch_unwind, js_name = "_resolve", skip_typescript)]
pub fn resolve(env: Env, target: Unknown, options: Unknown, vars: Unknown) -> Result<String> {
    let o = options_of(&env, Some(options.raw()))?;
    let mut pairs: Vec<(String, std::ffi::OsString)> = Vec::new();
    if !js::is_nullish(&env, vars.raw())? {
        for (k, v) in js::entries(&env, vars.raw())? {
            let os = match js::bytes(&env, v)? {
                Some(b) => std::os::unix::ffi::OsStringExt::from_vec(b),
                None => js::string(&env, v)?.into(),
            };
            pairs.push((k, os));
        }
    }
    let e = Environment::from_pairs(pairs);
    let target = js::arg(&env, target.raw(), Dates::Object)?;
    let r = target
        .string("target", "generator, default or inspect")
        .and_then(|t| snowid::options::resolve_json(t, o.as_ref(), &e));
    r.or_throw(&env)
}
