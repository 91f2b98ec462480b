//! The JSON shapes the CLI and the service share: a decoded ID
//! (`snowid inspect --json`, `GET /v1/ids/{id}`) and a layout with its
//! capacity (`snowid layout check`, `GET /v1/layout`).

use snowid::{Encoding, Error, Layout};

/// The decoded ID in the agreed JSON shape (GET /v1/ids/{id}).
pub fn inspect_json(layout: &Layout, id: u64) -> Result<serde_json::Value, Error> {
    let p = layout.decode(id)?;
    let mut nodes = serde_json::Map::new();
    for (i, f) in layout.node_fields().enumerate() {
        nodes.insert(f.name().to_owned(), p.node(i).into());
    }
    let mut enc = serde_json::Map::new();
    for e in [
        Encoding::Decimal,
        Encoding::Hex,
        Encoding::Base32,
        Encoding::Base62,
    ] {
        enc.insert(e.name().to_owned(), e.encode(id).into());
    }
    // The bit fields, most significant first, each with its raw value (the
    // web page's diagram).
    let mut fields: Vec<_> = layout
        .fields()
        .iter()
        .map(|f| {
            (
                f.name(),
                f.kind().as_str(),
                f.bits(),
                f.shift(),
                (id >> f.shift()) & f.max(),
            )
        })
        .collect();
    if layout.sign_bit() {
        fields.push(("sign", "sign", 1, 63, id >> 63));
    }
    fields.sort_by_key(|f| std::cmp::Reverse(f.3));
    let fields: Vec<_> = fields
        .into_iter()
        .map(|(name, kind, bits, shift, value)| {
            serde_json::json!({"name": name, "kind": kind, "bits": bits, "shift": shift, "value": value})
        })
        .collect();
    Ok(serde_json::json!({
        "id": id.to_string(),
        "layout": layout.name(),
        "timestamp_ms": p.timestamp_ms,
        "timestamp": rfc3339_ms(p.timestamp_ms),
        "tick": p.tick,
        "sequence": p.sequence,
        "nodes": nodes,
        "encodings": enc,
        "fields": fields,
    }))
}

/// `ms` since the Unix epoch as RFC 3339 UTC with milliseconds.
pub fn rfc3339_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// The layout and its capacity in the agreed JSON shape (GET /v1/layout,
/// without `source`).
pub fn layout_json(layout: &Layout) -> serde_json::Value {
    let c = layout.capacity();
    let fields: Vec<_> = layout
        .fields()
        .iter()
        .map(|f| serde_json::json!({"name": f.name(), "bits": f.bits(), "kind": f.kind().as_str()}))
        .collect();
    serde_json::json!({
        "name": layout.name(),
        "fields": fields,
        "epoch_ms": layout.epoch_ms(),
        "tick_ms": layout.tick_ms(),
        "sign_bit": layout.sign_bit(),
        "capacity": {
            "lifespan_ms": c.lifespan_ms,
            "end_ms": c.end_ms,
            "ids_per_tick": c.ids_per_tick,
            "ids_per_second_per_node": c.ids_per_second_per_node,
            "nodes": c.nodes,
        },
    })
}
