//! Node.js binding of snowid (napi-rs): 64-bit, time-sortable, unique IDs as
//! `bigint`, with the same bit layouts as every other snowid language.
//!
//! Thin by design: convert arguments, call the core, convert the result or
//! throw the mapped error (see `error.rs`). Every exported function catches
//! panics, so none crosses into Node.

mod error;
mod generator;
mod js;
mod layout;
mod text;
