//! Generator options from any host: one builder that makes every decision.
//!
//! A binding hands over (name, [`Value`](crate::Value)) pairs exactly as
//! the user wrote them (`worker=7`, `{ maxWaitMs: 10 }`, a C struct's
//! fields) and the core resolves them into [`Settings`]: defaults, parsing
//! of names, node fields, conflicting options, the environment, and errors
//! with codes. The rules,
//! and the order in which errors are reported, are `testdata/OPTIONS.md`;
//! the `options` section of `testdata/vectors.json` checks them in every
//! language.
//!
//! This file holds what every layer may read: the option names, limits and
//! defaults (a layout refuses a node field named like an option). The
//! decisions are below it: `rules` resolves (one small rule per decision,
//! in the order errors are reported), `sources` picks the node source
//! from the environment, and `settings` holds the options given and the
//! settings they resolve to, which build the generator through the node
//! sources and lanes below.
//!
//! ```
//! use snowid::options::GeneratorOptions;
//! let settings = GeneratorOptions::new()
//!     .with("layout", "discord")
//!     .with("worker", 3)
//!     .with("process", 1)
//!     .with("protect", false)
//!     .resolve()?;
//! assert_eq!(settings.summary_json(), r#"{"clock":"cached","epoch_ms":1420070400000,"lane_nodes":[{"worker":3,"process":1}],"lanes":1,"layout":"discord","lease":null,"max_borrow_ticks":0,"max_wait_ms":1000,"nodes":{"worker":3,"process":1},"on_regression":"wait","persist":false,"protect":false,"random_sequence_start":false,"source":"explicit","window_ms":1000}"#);
//! let gen = settings.build()?;
//! # Ok::<(), snowid::Error>(())
//! ```

use crate::error::Error;

// Declared in the options table (`crate::option_table`), re-exported here
// where they have always been.
pub use crate::option_table::{
    DEFAULT_WAIT_MS, DEFAULT_WINDOW_MS, MAX_BORROW_TICKS, MAX_WAIT_MS, MAX_WINDOW_MS, NODE_SOURCES,
    OPTION_NAMES,
};

/// `snake_case` for a lowerCamelCase key (`maxWaitMs` -> `max_wait_ms`);
/// other keys unchanged.
pub fn canonical_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

mod rules;
mod settings;
mod sources;

pub use crate::env::POD_INDEX_VAR;
pub use crate::node::k8s::{statefulset_ordinal, MAX_STATEFULSET_HOSTNAME, POD_INDEX_LABEL};
pub(crate) use rules::check_duplicates;
pub use rules::{default_layout, from_env, resolve_default, resolve_json, resolve_service};
pub use settings::{GeneratorOptions, Settings};

/// An `INVALID_SETTING` error.
pub(crate) fn invalid(
    setting: &str,
    value: impl Into<String>,
    expected: impl Into<String>,
) -> Error {
    Error::InvalidSetting {
        setting: setting.to_owned(),
        value: value.into(),
        expected: expected.into(),
    }
}
