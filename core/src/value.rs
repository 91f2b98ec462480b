//! Host values, before any decision: what a binding hands to the core.
//!
//! A binding converts its host's value to a [`Value`] without judging it (a
//! Python `int` of any size, a JavaScript `number`, a C `int64_t`, a string
//! that may not even be UTF-8) and the core decides, with one error per
//! problem that names the argument, the value and what is valid. So the same
//! bad value gives the same error code in every language.

use std::fmt;

use crate::clock::ManualClock;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// The largest integer a JavaScript `number` holds exactly (2^53).
pub const MAX_EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

/// The most IDs one batch call returns, in every language (2^24: 128 MiB of
/// 64-bit IDs). Larger requests are [`Error::InvalidSetting`] before
/// anything is allocated.
pub const MAX_BATCH: u64 = 1 << 24;

/// One argument or option value as the host gave it.
#[derive(Clone)]
pub enum Value {
    /// An integer (Python `int`, a JavaScript integer or `bigint`, C integers).
    Int(i128),
    /// An integer outside `i128`, as decimal text (Python's big integers).
    BigInt(String),
    /// A number of a host whose numbers are all floating-point (a
    /// JavaScript `number`, a JSON number): an integer when it is integral
    /// and exact.
    Float(f64),
    /// A floating-point number of a host that has integers of their own
    /// (Python `float`, a JVM `Double` or `Float`): never an integer, even
    /// when integral (`worker=1.0` is [`Error::WrongType`]).
    Real(f64),
    /// A string.
    Str(String),
    /// A host string that is not valid UTF-8.
    NonUtf8(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// A layout object.
    Layout(Layout),
    /// A manual clock object.
    Clock(ManualClock),
    /// Any other host value; the text names its type (`list`, `object`...).
    Other(String),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Value {
    /// The value as error messages show it: `7`, `-1`, `1.5`, `"abc"`,
    /// `true`, `a Layout (twitter)`, `a list`.
    pub fn describe(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::BigInt(s) => s.clone(),
            Value::Float(x) | Value::Real(x) => format!("{x:?}"),
            Value::Str(s) => format!("{s:?}"),
            Value::NonUtf8(b) => format!("{:?} (not UTF-8)", String::from_utf8_lossy(b)),
            Value::Bool(b) => b.to_string(),
            Value::Layout(l) => format!("a Layout ({})", l.name()),
            Value::Clock(_) => "a ManualClock".into(),
            Value::Other(t) => format!("a {t}"),
        }
    }

    /// The value's type, for [`Error::WrongType`].
    fn type_name(&self) -> String {
        match self {
            Value::Int(_) | Value::BigInt(_) => "an integer".into(),
            Value::Float(x) => format!("the number {x:?}"),
            Value::Real(x) => format!("the float {x:?}"),
            Value::Str(s) => format!("the string {s:?}"),
            Value::NonUtf8(_) => "a string".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Layout(_) => "a Layout".into(),
            Value::Clock(_) => "a ManualClock".into(),
            Value::Other(t) => format!("a {t}"),
        }
    }

    /// [`Error::WrongType`] for this value as argument `name`.
    pub fn wrong_type(&self, name: &str, expected: &str) -> Error {
        Error::WrongType {
            name: name.to_owned(),
            expected: expected.to_owned(),
            got: self.type_name(),
        }
    }

    /// The integer, as a number or, for `BigInt`, `None` (out of any range).
    /// `Float`s (JavaScript numbers) count when integral and exact
    /// (|x| <= 2^53); everything else, `Real` too, is [`Error::WrongType`].
    pub fn integer(&self, name: &str) -> Result<Option<i128>> {
        match self {
            Value::Int(i) => Ok(Some(*i)),
            Value::BigInt(_) => Ok(None),
            Value::Float(x) if x.fract() == 0.0 && x.abs() <= MAX_EXACT_FLOAT_INT => {
                Ok(Some(*x as i128))
            }
            Value::Float(_) => Err(self.wrong_type(name, "an integer (exactly representable)")),
            Value::Real(_) => Err(self.wrong_type(name, "an integer (not a float)")),
            _ => Err(self.wrong_type(name, "an integer")),
        }
    }

    /// An integer in `min..=max`; out of range is [`Error::InvalidSetting`].
    pub fn int_in(&self, name: &str, min: i128, max: i128) -> Result<i128> {
        match self.integer(name)? {
            Some(i) if (min..=max).contains(&i) => Ok(i),
            _ => Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: self.describe(),
                expected: format!("an integer {min}..={max}"),
            }),
        }
    }

    /// An unsigned 64-bit integer in `0..=max`.
    pub fn u64_in(&self, name: &str, max: u64) -> Result<u64> {
        self.int_in(name, 0, max.into()).map(|i| i as u64)
    }

    /// A value for a field of width `max`: out of range (negatives too) is
    /// [`Error::FieldOutOfRange`] naming the field.
    pub fn field_value(&self, field: &str, max: u64) -> Result<u64> {
        match self.integer(field)? {
            Some(i) if (0..=i128::from(max)).contains(&i) => Ok(i as u64),
            _ => Err(Error::FieldOutOfRange {
                field: field.to_owned(),
                got: self.describe(),
                max,
            }),
        }
    }

    /// An instant in ms since the Unix epoch (a timestamp argument): outside
    /// `i64` it is [`Error::TimestampOutOfRange`] of `layout`.
    pub fn instant_ms(&self, name: &str, layout: &Layout) -> Result<i64> {
        match self.integer(name)? {
            Some(i) => i64::try_from(i).map_err(|_| layout.out_of_range(i)),
            None => Err(layout.out_of_range(if self.describe().starts_with('-') {
                i128::MIN
            } else {
                i128::MAX
            })),
        }
    }

    /// A string; `NonUtf8` is [`Error::InvalidSetting`], other types
    /// [`Error::WrongType`].
    pub fn string(&self, name: &str, expected: &str) -> Result<&str> {
        match self {
            Value::Str(s) => Ok(s),
            Value::NonUtf8(_) => Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: self.describe(),
                expected: format!("{expected} (valid UTF-8)"),
            }),
            _ => Err(self.wrong_type(name, expected)),
        }
    }

    /// A boolean: `Bool`, or `Int` 0/1 (C and the environment have no
    /// boolean type).
    pub fn boolean(&self, name: &str) -> Result<bool> {
        match self {
            Value::Bool(b) => Ok(*b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            Value::Int(_) | Value::BigInt(_) => Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: self.describe(),
                expected: "true or false (or 1 or 0)".into(),
            }),
            _ => Err(self.wrong_type(name, "a boolean")),
        }
    }
}

impl Value {
    /// An ID argument: an integer `0..=u64::MAX` (whether it fits a layout
    /// is the layout's question).
    pub fn id(&self) -> Result<u64> {
        self.u64_in("id", u64::MAX)
    }

    /// A manual clock reading, ms since the Unix epoch: `0..=u64::MAX`.
    pub fn clock_ms(&self, name: &str) -> Result<u64> {
        self.u64_in(name, u64::MAX)
    }

    /// A manual clock step in ms (negative moves it back): an `i64`.
    pub fn clock_step_ms(&self, name: &str) -> Result<i64> {
        self.int_in(name, i64::MIN.into(), i64::MAX.into())
            .map(|v| v as i64)
    }
}

/// The length of a batch request, checked before anything is allocated:
/// an integer `0..=MAX_BATCH`.
pub fn batch_len(n: &Value) -> Result<usize> {
    n.u64_in("n", MAX_BATCH).map(|n| n as usize)
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v.into())
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(v.into())
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}
impl From<Layout> for Value {
    fn from(v: Layout) -> Self {
        Value::Layout(v)
    }
}
impl From<ManualClock> for Value {
    fn from(v: ManualClock) -> Self {
        Value::Clock(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_from_every_host_form() {
        assert_eq!(Value::Int(7).integer("x").unwrap(), Some(7));
        assert_eq!(Value::Float(7.0).integer("x").unwrap(), Some(7));
        assert_eq!(
            Value::Float(1.5).integer("x").unwrap_err().code(),
            "WRONG_TYPE"
        );
        assert_eq!(
            Value::Float(f64::NAN).integer("x").unwrap_err().code(),
            "WRONG_TYPE"
        );
        assert_eq!(
            Value::Float(1e300).integer("x").unwrap_err().code(),
            "WRONG_TYPE"
        );
        for x in [7.0, 0.0, 1.5] {
            let e = Value::Real(x).integer("worker").unwrap_err();
            assert_eq!(e.code(), "WRONG_TYPE");
            assert!(e.to_string().contains("float"), "{e}");
        }
        assert_eq!(
            Value::Real(7.0)
                .field_value("worker", 31)
                .unwrap_err()
                .code(),
            "WRONG_TYPE"
        );
        assert_eq!(
            Value::Str("7".into()).integer("x").unwrap_err().code(),
            "WRONG_TYPE"
        );
        assert_eq!(
            Value::Bool(true).integer("x").unwrap_err().code(),
            "WRONG_TYPE"
        );
        let e = Value::Int(-1).field_value("worker", 31).unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker = -1 is out of range; valid range is 0..=31"
        );
        let big = Value::BigInt("1".repeat(50));
        let e = big.field_value("worker", 31).unwrap_err();
        assert!(e.to_string().contains(&"1".repeat(50)), "{e}");
        assert_eq!(
            batch_len(&Value::Int(MAX_BATCH as i128 + 1))
                .unwrap_err()
                .code(),
            "INVALID_SETTING"
        );
        assert_eq!(
            Value::Int(2).boolean("persist").unwrap_err().code(),
            "INVALID_SETTING"
        );
    }
}

/// Text that should hold a decimal integer (a command-line flag, a URL
/// query value) as a [`Value`]: an optional `-` and one or more ASCII digits
/// is an [`Value::Int`] (a [`Value::BigInt`] outside `i128`, so a huge
/// number is out of range, never of the wrong type); anything else stays a
/// [`Value::Str`], which the integer rules refuse as `WRONG_TYPE`.
pub fn integer_text(text: &str) -> Value {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Value::Str(text.to_owned());
    }
    match text.parse::<i128>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(text.to_owned()),
    }
}

/// The `count` of a batch request as it arrives in a URL query string
/// (`count=%35`): percent-decoded first (`%35` is `5`, `+` a space; a
/// result that is not UTF-8 is [`Value::NonUtf8`]), then read by
/// [`integer_text`] and checked against `1..=max` (`max` at most
/// [`MAX_BATCH`]): not an integer is `WRONG_TYPE`, out of range (a
/// 44-digit count too) `INVALID_SETTING` naming `count`.
pub fn query_count(raw: &str, max: u64) -> Result<usize> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        match (b, tail) {
            (b'%', [h, l, more @ ..]) if hex(*h).is_some() && hex(*l).is_some() => {
                bytes.push(hex(*h).unwrap_or(0) << 4 | hex(*l).unwrap_or(0));
                rest = more;
                continue;
            }
            (b'+', _) => bytes.push(b' '),
            _ => bytes.push(b),
        }
        rest = tail;
    }
    let v = match String::from_utf8(bytes) {
        Ok(s) => integer_text(&s),
        Err(e) => Value::NonUtf8(e.into_bytes()),
    };
    v.int_in("count", 1, max.min(MAX_BATCH).into())
        .map(|n| n as usize)
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn counts_from_query_text() {
        assert_eq!(query_count("5", 10).unwrap(), 5);
        assert_eq!(query_count("%35", 10).unwrap(), 5);
        assert_eq!(query_count("%31%30", 10).unwrap(), 10);
        assert_eq!(query_count("007", 10).unwrap(), 7);
        for (raw, code) in [
            ("0", "INVALID_SETTING"),
            ("-1", "INVALID_SETTING"),
            ("11", "INVALID_SETTING"),
            (&"9".repeat(44), "INVALID_SETTING"),
            (&format!("-{}", "9".repeat(44)), "INVALID_SETTING"),
            ("", "WRONG_TYPE"),
            ("abc", "WRONG_TYPE"),
            ("1.5", "WRONG_TYPE"),
            ("+5", "WRONG_TYPE"),
            ("%2B5", "WRONG_TYPE"),
            (" 5", "WRONG_TYPE"),
            ("%zz", "WRONG_TYPE"),
            ("%ff", "WRONG_TYPE"),
            ("-", "WRONG_TYPE"),
        ] {
            let e = query_count(raw, 10).unwrap_err();
            assert_eq!(e.code(), code, "{raw:?}: {e}");
        }
        let e = query_count(&"9".repeat(44), 10).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("count") && msg.contains(&"9".repeat(44)) && msg.contains("1..=10"),
            "{msg}"
        );
        assert!(matches!(integer_text("12"), Value::Int(12)));
        assert!(matches!(integer_text(&"1".repeat(50)), Value::BigInt(_)));
        assert!(matches!(integer_text("0x1"), Value::Str(_)));
    }
}

/// An ID written as text in any of its encodings (a command-line argument,
/// a URL path segment), read without being told which: all ASCII digits is
/// decimal; otherwise the encoding whose fixed width is the text's length
/// in characters (16 hex, 13 base32, 11 base62); anything else is refused
/// by the decimal parser with its coded error (`PARSE_CHARACTER`, ...).
pub fn id_text(text: &str) -> Result<u64> {
    use crate::encoding::Encoding;
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Encoding::Decimal.parse(text);
    }
    let n = text.chars().count();
    for e in [Encoding::Hex, Encoding::Base32, Encoding::Base62] {
        if e.width() == Some(n) {
            return e.parse(text);
        }
    }
    Encoding::Decimal.parse(text)
}

#[cfg(test)]
mod id_text_tests {
    use super::*;

    #[test]
    fn ids_in_any_encoding() {
        // Discord's documented example in every encoding.
        for text in [
            "175928847299117063",
            "0271065ac1020007",
            "04W86BB0G4007",
            "0Czks0tP37X",
        ] {
            assert_eq!(id_text(text).unwrap(), 175928847299117063, "{text}");
        }
        // 16 digits are decimal, not hex.
        assert_eq!(id_text("1000000000000000").unwrap(), 1_000_000_000_000_000);
        for (text, code) in [
            ("", "PARSE_EMPTY"),
            ("zz", "PARSE_CHARACTER"),
            ("-1", "PARSE_CHARACTER"),
            ("18446744073709551616", "PARSE_OVERFLOW"),
            ("0271065ac102000g", "PARSE_CHARACTER"),
        ] {
            let e = id_text(text).unwrap_err();
            assert_eq!(e.code(), code, "{text:?}: {e}");
        }
    }
}
