//! Node.js binding of snowid (napi-rs): 64-bit, time-sortable, unique IDs as
//! `bigint`, with the same bit layouts as every other snowid language.
//!
//! Thin by design: convert arguments, call the core, convert the result or
//! throw the mapped error (see `error.rs`). Every exported function catches
//! panics, so none crosses into Node.

// napi-derive registers the exports only outside cfg(test), so a test build
// sees the #[napi] items as unused.
#![cfg_attr(test, allow(dead_code))]

mod error;
mod generator;
mod js;
mod layout;
mod text;
