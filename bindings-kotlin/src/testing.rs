//! Test hook for the `options` vectors: the same conversion as
//! `Generator(...)` / `configure(...)`, resolved against a given environment.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use snowid::env::Environment;
use snowid::options::{self, GeneratorOptions};

use crate::values::{self, OptionEntry};
use crate::Result;

/// One environment variable (its value as bytes, so non-UTF-8 can be tested).
#[derive(uniffi::Record)]
pub struct EnvVar {
    /// The name.
    pub name: String,
    /// The value's bytes.
    pub value: Vec<u8>,
}

/// Not API (tests only): resolves `options` for `target` (`generator`,
/// `default`, `inspect`) in exactly the environment `env`; returns the
/// resolved settings' canonical JSON (`{"layout": name}` for `inspect`).
#[uniffi::export]
pub fn resolve_options_for_tests(
    target: String,
    options: Option<Vec<OptionEntry>>,
    env: Vec<EnvVar>,
) -> Result<String> {
    let env = Environment::from_pairs(
        env.into_iter()
            .map(|v| (v.name, OsString::from_vec(v.value))),
    );
    let opts: Option<GeneratorOptions> = options.map(values::options);
    Ok(options::resolve_json(&target, opts.as_ref(), &env)?)
}
