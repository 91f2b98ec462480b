//! JVM values -> [`snowid::Value`], without judging them: the facade
//! (`Options.kt`) maps each `Any?` to one [`OptionValue`] case by its JVM type
//! only, and the core decides what is valid.

use std::sync::Arc;

use snowid::options::GeneratorOptions;
use snowid::Value;

use crate::layout::{Layout, ManualClock};

/// One option value as the JVM gave it.
#[derive(uniffi::Enum)]
pub enum OptionValue {
    /// `Long`, `Int`, `Short`, `Byte`, or a `BigInteger` that fits a `Long`.
    Int { value: i64 },
    /// A `BigInteger` beyond `Long`, as decimal text.
    BigInt { decimal: String },
    /// `Double` or `Float`.
    Float { value: f64 },
    /// A `String` (or `CharSequence`).
    Str { value: String },
    /// A string that is not valid UTF-16 (a lone surrogate), as bytes.
    NonUtf8 { bytes: Vec<u8> },
    /// `Boolean`.
    Bool { value: bool },
    /// A [`Layout`].
    Layout { layout: Arc<Layout> },
    /// A [`ManualClock`].
    Clock { clock: Arc<ManualClock> },
    /// Anything else; `type_name` names its type (`list`, `map`, ...).
    Other { type_name: String },
}

/// One `key = value` option, as the caller named it (`worker`, `maxWaitMs`,
/// `node_source`...).
#[derive(uniffi::Record)]
pub struct OptionEntry {
    /// The option or node field name, exactly as given.
    pub key: String,
    /// Its value.
    pub value: OptionValue,
}

impl From<OptionValue> for Value {
    fn from(v: OptionValue) -> Value {
        match v {
            OptionValue::Int { value } => Value::Int(value.into()),
            OptionValue::BigInt { decimal } => match decimal.parse::<i128>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::BigInt(decimal),
            },
            // A JVM has integers (`Long`, `Int`...): a `Double` or `Float` is
            // never one, even 1.0 (as a Python `float`).
            OptionValue::Float { value } => Value::Real(value),
            OptionValue::Str { value } => Value::Str(value),
            OptionValue::NonUtf8 { bytes } => Value::NonUtf8(bytes),
            OptionValue::Bool { value } => Value::Bool(value),
            OptionValue::Layout { layout } => Value::Layout(layout.inner.clone()),
            OptionValue::Clock { clock } => Value::Clock(clock.inner.clone()),
            OptionValue::Other { type_name } => Value::Other(type_name),
        }
    }
}

/// The core's options builder, fed in the caller's order.
pub(crate) fn options(entries: Vec<OptionEntry>) -> GeneratorOptions {
    let mut o = GeneratorOptions::new();
    for e in entries {
        o.set(&e.key, Value::from(e.value));
    }
    o
}
