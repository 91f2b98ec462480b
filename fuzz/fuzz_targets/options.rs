//! The options builder with arbitrary options and environment, as every
//! binding calls it (`snowid::options::resolve_json`, the hook behind the
//! `options` vectors): input = a flag byte (bit 0: no options at all, as
//! when `configure` was never called), the target by name (`generator`,
//! `default`, `inspect`, `service`... taken from the input, so a new target
//! is fuzzed without an edit here), then records: an option (key, value) or,
//! with the top bit of the tag set, an environment variable (name, raw
//! bytes). Resolving never claims anything; it must give settings or a coded
//! error, never panic, and resolve the same way twice.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use core_snowid::env::Environment;
use core_snowid::options::{resolve_json, GeneratorOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inp = common::Input::new(data);
    let flags = inp.u8();
    let which = inp.string();
    let mut options = GeneratorOptions::new();
    let mut env: Vec<(String, OsString)> = Vec::new();
    let mut records = 0;
    while !inp.is_empty() && records < 32 {
        records += 1;
        let tag = inp.u8();
        let name = inp.string();
        if tag & 0x80 != 0 {
            env.push((name, OsString::from_vec(inp.str_bytes().to_vec())));
        } else {
            let value = inp.value();
            options.set(&name, value);
        }
    }
    let env = Environment::from_pairs(env);
    let opts = (flags & 1 == 0).then_some(&options);
    let first = resolve_json(&which, opts, &env);
    match &first {
        Ok(json) => assert!(json.starts_with('{') && json.ends_with('}'), "{json}"),
        Err(e) => assert!(!e.code().is_empty() && !e.to_string().is_empty()),
    }
    // The same answer again (messages may quote the current time).
    let again = resolve_json(&which, opts, &env);
    assert_eq!(
        first.as_ref().map_err(|e| e.code()),
        again.as_ref().map_err(|e| e.code())
    );
});
