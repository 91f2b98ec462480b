//! The options builder with arbitrary options and environment, as every
//! binding calls it: input = a target byte (Generator(...), configure(...)
//! over the environment, no configure, the layout inspect uses), then
//! records: an option (key, value) or, with the top bit of the tag set, an
//! environment variable (name, raw bytes). Resolving never claims anything;
//! it must give settings or a coded error, never panic, and resolve the same
//! way twice.
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
    let target = inp.u8();
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
    let (which, opts) = match target % 4 {
        0 => ("generator", Some(&options)),
        1 => ("default", Some(&options)),
        2 => ("default", None),
        _ => ("inspect", Some(&options)),
    };
    let first = resolve_json(which, opts, &env);
    match &first {
        Ok(json) => assert!(json.starts_with('{') && json.ends_with('}'), "{json}"),
        Err(e) => assert!(!e.code().is_empty() && !e.to_string().is_empty()),
    }
    // The same answer again (messages may quote the current time).
    let again = resolve_json(which, opts, &env);
    assert_eq!(
        first.as_ref().map_err(|e| e.code()),
        again.as_ref().map_err(|e| e.code())
    );
});
