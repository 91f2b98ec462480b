//! Node.js binding of snowid (napi-rs): 64-bit, time-sortable, unique IDs as
//! `bigint`, with the same bit layouts as every other snowid language.
//!
//! Thin by design: JS values become `snowid::Value`s (`js.rs`), option
//! objects go to the core's options builder key by key, the default
//! generator is the core's; results are converted back and core errors
//! thrown with their codes (`error.rs`). Every exported function catches
//! panics, so none crosses into Node.

// napi-derive registers the exports only outside cfg(test), so a test build
// sees the #[napi] items as unused.
#![cfg_attr(test, allow(dead_code))]

mod default;
mod error;
mod generator;
mod js;
mod layout;
mod public;
mod raw;
mod remote;
mod segment;
mod text;
mod uuid;
mod wide;
