//! Wide layouts (up to 128 bits) and the JS-safe preset (`snowid::wide`).
//! IDs above 64 bits cross as decimal `String`s; the facade
//! (`dev.snowid.WideGenerator`, `Wide.kt`) turns them into `BigInteger`s.

use std::sync::Arc;

use snowid::wide;
use snowid::{Encoding, Value};

use crate::generator::Stats;
use crate::layout::NodeValue;
use crate::values::{self, OptionEntry};
use crate::Result;

/// A decimal ID (a `BigInteger`'s text) as the core's ID argument: the
/// core judges negatives and values above 2^128 - 1.
fn id_of(text: &str) -> Result<u128> {
    let v = match text.parse::<i128>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(text.to_owned()),
    };
    Ok(wide::id_value(&v)?)
}

/// The fields of a wide ID. `timestampMs` and `tick` are decimal strings
/// (a 64-bit time field of milliseconds passes `Long.MAX_VALUE`).
#[derive(uniffi::Record)]
pub struct WideParts {
    /// The ID, decimal.
    pub id: String,
    /// Start of the ID's tick, ms since the Unix epoch, decimal.
    pub timestamp_ms: String,
    /// The raw time field, decimal.
    pub tick: String,
    /// The sequence field.
    pub sequence: i64,
    /// Node field values in layout order.
    pub nodes: Vec<NodeValue>,
}

/// Capacity of a wide layout; times in ms as decimal strings.
#[derive(uniffi::Record)]
pub struct WideCapacity {
    /// How long the time field lasts.
    pub lifespan_ms: String,
    /// First instant the time field cannot hold.
    pub end_ms: String,
    /// First instant a generator cannot issue at (its state is one word).
    pub issue_end_ms: String,
    /// IDs one node issues per tick.
    pub ids_per_tick: i64,
    /// IDs one node issues per second.
    pub ids_per_second_per_node: i64,
    /// Distinct node identities.
    pub nodes: i64,
}

/// A layout of up to 128 bits: options `layout` (`"wide128"`, `"jssafe"`
/// or fields like `"timestamp:48|region:8|host:24|sequence:16"`), `width`,
/// `tickMs`, `epoch`.
#[derive(Debug, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct WideLayout {
    pub(crate) inner: wide::WideLayout,
}

impl std::fmt::Display for WideLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

#[uniffi::export]
impl WideLayout {
    /// The layout the options ask for (other options are ignored).
    #[uniffi::constructor]
    pub fn new(options: Vec<OptionEntry>) -> Result<Arc<Self>> {
        Ok(Arc::new(WideLayout {
            inner: wide::wide_layout_of(&values::options(options))?,
        }))
    }
    /// The layout's name (`custom` for fields).
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }
    /// Width of every ID in bits.
    pub fn width(&self) -> i64 {
        self.inner.width().into()
    }
    /// Whether every ID is at most 2^53 - 1.
    pub fn js_safe(&self) -> bool {
        self.inner.is_js_safe()
    }
    /// Epoch, ms since the Unix epoch.
    pub fn epoch_ms(&self) -> i64 {
        self.inner.epoch_ms() as i64
    }
    /// Tick length in ms.
    pub fn tick_ms(&self) -> i64 {
        self.inner.tick_ms() as i64
    }
    /// Largest ID, decimal.
    pub fn max_id(&self) -> String {
        self.inner.max_id().to_string()
    }
    /// Node field names in layout order.
    pub fn node_names(&self) -> Vec<String> {
        self.inner
            .node_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }
    /// Splits a decimal ID into its fields.
    pub fn decode(&self, id: String) -> Result<WideParts> {
        let id = id_of(&id)?;
        let p = self.inner.decode(id)?;
        Ok(WideParts {
            id: id.to_string(),
            timestamp_ms: p.timestamp_ms.to_string(),
            tick: p.tick.to_string(),
            sequence: p.sequence as i64,
            nodes: self
                .inner
                .node_fields()
                .zip(p.nodes)
                .map(|(f, v)| NodeValue {
                    name: f.name().to_owned(),
                    value: v.into(),
                })
                .collect(),
        })
    }
    /// Builds an ID from a time (decimal ms since the Unix epoch), a
    /// sequence and node values by name; the ID in decimal.
    pub fn compose(
        &self,
        timestamp_ms: String,
        sequence: i64,
        nodes: Vec<NodeValue>,
    ) -> Result<String> {
        let ts = match timestamp_ms.parse::<i128>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(timestamp_ms),
        };
        let vals: Vec<(String, Value)> = nodes
            .into_iter()
            .map(|n| (n.name, Value::from(n.value)))
            .collect();
        let pairs: Vec<(&str, &Value)> = vals.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let seq = Value::from(sequence);
        Ok(self
            .inner
            .compose_values(&ts, Some(&seq), &pairs)?
            .to_string())
    }
    /// Smallest ID of the tick holding `ms`, decimal.
    pub fn min_id_at(&self, ms: i64) -> Result<String> {
        Ok(self.inner.min_id_at(ms)?.to_string())
    }
    /// Largest ID of the tick holding `ms`, decimal.
    pub fn max_id_at(&self, ms: i64) -> Result<String> {
        Ok(self.inner.max_id_at(ms)?.to_string())
    }
    /// Lifespan, end, IDs per tick and second, nodes.
    pub fn capacity(&self) -> WideCapacity {
        let c = self.inner.capacity();
        WideCapacity {
            lifespan_ms: c.lifespan_ms.to_string(),
            end_ms: c.end_ms.to_string(),
            issue_end_ms: c.issue_end_ms.to_string(),
            ids_per_tick: c.ids_per_tick as i64,
            ids_per_second_per_node: c.ids_per_second_per_node as i64,
            nodes: c.nodes as i64,
        }
    }
}

/// The native half of `dev.snowid.WideGenerator` (use that class: it
/// returns `BigInteger`s).
#[derive(uniffi::Object)]
pub struct NativeWideGenerator {
    pub(crate) inner: wide::WideGenerator,
}

#[uniffi::export]
impl NativeWideGenerator {
    /// A wide generator from options: the wide layout's and every option of
    /// `Generator` (node fields or `nodeSource`, `protect`, `clock`...).
    #[uniffi::constructor]
    pub fn new(options: Vec<OptionEntry>) -> Result<Arc<Self>> {
        let settings = wide::resolve_wide(
            &values::options(options),
            &snowid::env::Environment::process(),
        )?;
        Ok(Arc::new(NativeWideGenerator {
            inner: settings.build()?,
        }))
    }
    /// The next ID, decimal.
    pub fn next(&self) -> Result<String> {
        Ok(self.inner.next_id()?.to_string())
    }
    /// The next ID of a JS-safe layout as a `Long` (any other layout is
    /// `INVALID_SETTING`).
    pub fn next_long(&self) -> Result<i64> {
        self.inner.layout().require_js_safe()?;
        Ok(self.inner.next_id()? as i64)
    }
    /// `n` consecutive IDs, decimal.
    pub fn next_batch(&self, n: i64) -> Result<Vec<String>> {
        let n = snowid::value::batch_len(&Value::from(n))?;
        let mut buf = vec![0u128; n];
        let got = if n == 0 {
            0
        } else {
            self.inner.next_batch(&mut buf)?
        };
        Ok(buf[..got].iter().map(|i| i.to_string()).collect())
    }
    /// The layout.
    pub fn layout(&self) -> Arc<WideLayout> {
        Arc::new(WideLayout {
            inner: self.inner.layout().clone(),
        })
    }
    /// Node values in layout order.
    pub fn nodes(&self) -> Vec<NodeValue> {
        self.inner
            .layout()
            .node_names()
            .iter()
            .zip(self.inner.nodes())
            .map(|(n, v)| NodeValue {
                name: n.to_string(),
                value: (*v).into(),
            })
            .collect()
    }
    /// Where the node numbers came from.
    pub fn source(&self) -> String {
        self.inner.source().to_owned()
    }
    /// Counters.
    pub fn stats(&self) -> Stats {
        self.inner.stats().into()
    }
}

/// A decimal wide ID as text: `decimal`, `hex` (32), `base32` (26),
/// `base62` (22); the fixed widths sort like the IDs.
#[uniffi::export]
pub fn encode_wide(id: String, encoding: String) -> Result<String> {
    Ok(wide::encode_wide(
        Encoding::from_name(&encoding)?,
        id_of(&id)?,
    ))
}

/// Parses text made by `encodeWide` back into a decimal ID.
#[uniffi::export]
pub fn parse_wide(text: String, encoding: String) -> Result<String> {
    Ok(wide::parse_wide(Encoding::from_name(&encoding)?, &text)?.to_string())
}
