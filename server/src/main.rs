//! `snowid`: the snowid ID service and command-line tool.
//!
//! Every decision (settings, layouts, encodings, errors) is the core's
//! (`snowid`); this binary only converts command-line and HTTP values to
//! `snowid::Value` and core errors to exit codes / HTTP responses.

mod conn;
mod segment;
mod serve;

/// mimalloc: fewer instructions per small allocation than glibc's malloc
/// (hyper and axum allocate a few per request).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use snowid::{Encoding, Error, ErrorKind, Layout, Value};

/// Exit codes (documented in `--help` and server/README.md).
pub const EXIT_OK: u8 = 0;
/// Bad command line (clap's own code).
pub const EXIT_USAGE: u8 = 2;
/// Invalid input: an ID, a layout, a number the core refused.
pub const EXIT_INVALID: u8 = 3;
/// Unavailable: no node numbers, the clock is behind, a lease was lost.
pub const EXIT_UNAVAILABLE: u8 = 4;
/// Output or I/O failure (a closed pipe ends quietly with 0).
pub const EXIT_IO: u8 = 5;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 2 usage (bad command line), 3 invalid input (an ID, a layout,
a number the core refused), 4 unavailable (no node numbers, clock behind, lease
lost), 5 I/O error. stdout carries only the requested output; diagnostics go to
stderr as `snowid: <message> (<CODE>)`.

The generator is configured by the same SNOWID_* environment variables as every
binding (SNOWID_LAYOUT, SNOWID_NODE_SOURCE, SNOWID_STATE_DIR, ...; see
testdata/OPTIONS.md).";

#[derive(Parser)]
#[command(name = "snowid", version, about = "64-bit time-sortable IDs: the CLI and the ID service", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Print N new IDs, one per line, from the environment-configured generator.
    Next {
        /// How many IDs.
        #[arg(
            short = 'n',
            long = "count",
            default_value = "1",
            allow_hyphen_values = true
        )]
        n: String,
        /// decimal, hex, base32 or base62.
        #[arg(short, long, default_value = "decimal")]
        encoding: String,
        /// A preset layout (overrides SNOWID_LAYOUT).
        #[arg(short, long)]
        layout: Option<String>,
    },
    /// Decode an ID given in any encoding (decimal, hex, base32, base62).
    Inspect {
        /// The ID.
        #[arg(allow_hyphen_values = true)]
        id: String,
        /// A preset layout (default: the environment's layout).
        #[arg(short, long)]
        layout: Option<String>,
        /// Print JSON (the shape of GET /v1/ids/{id}).
        #[arg(long)]
        json: bool,
    },
    /// Print a layout's capacity (lifespan, IDs per tick / second, nodes).
    Capacity {
        /// A preset layout (default: the environment's layout).
        #[arg(short, long)]
        layout: Option<String>,
    },
    /// Layout commands.
    Layout {
        #[command(subcommand)]
        cmd: LayoutCmd,
    },
    /// Run the HTTP ID service.
    Serve(Box<serve::ServeArgs>),
}

#[derive(Subcommand)]
enum LayoutCmd {
    /// Check a layout: a preset name or a JSON layout spec
    /// ({"name", "fields": [{"name","bits","kind"}], "epoch_ms", "tick_ms", "sign_bit"}).
    Check {
        /// The preset name or JSON spec.
        spec: String,
    },
}

/// A failure: the message and the exit code.
pub struct Fail(pub u8, pub String);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let code = match e.kind() {
            ErrorKind::InvalidInput => EXIT_INVALID,
            ErrorKind::Unavailable => EXIT_UNAVAILABLE,
        };
        Fail(code, format!("{e} ({})", e.code()))
    }
}

fn io_fail(e: io::Error) -> Fail {
    Fail(EXIT_IO, e.to_string())
}

/// A command-line number as the core's `Value` (`value::integer_text`):
/// an integer if it reads as one (out of range if huge), else the text
/// (which the core then refuses with its own error).
pub fn number_value(s: &str) -> Value {
    snowid::value::integer_text(s.trim())
}

/// The layout named by `name`, or the default layout of the environment.
pub fn layout_arg(name: Option<&str>) -> Result<Layout, Error> {
    match name {
        Some(n) => Layout::from_value(&Value::Str(n.to_owned()), "layout"),
        None => snowid::options::default_layout(None, &snowid::env::Environment::process()),
    }
}

/// Parses an ID in any encoding: all digits -> decimal; else by its width
/// (16 hex, 13 base32, 11 base62); anything else is refused by the decimal
/// parser with the core's error.
pub fn parse_any(s: &str) -> Result<u64, Error> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Value::Str(s.to_owned())
            .id()
            .or_else(|_| Encoding::Decimal.parse(s));
    }
    let n = s.chars().count();
    for e in [Encoding::Hex, Encoding::Base32, Encoding::Base62] {
        if e.width() == Some(n) {
            return e.parse(s);
        }
    }
    Encoding::Decimal.parse(s)
}

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
    Ok(serde_json::json!({
        "id": id.to_string(),
        "layout": layout.name(),
        "timestamp_ms": p.timestamp_ms,
        "timestamp": rfc3339_ms(p.timestamp_ms),
        "tick": p.tick,
        "sequence": p.sequence,
        "nodes": nodes,
        "encodings": enc,
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

fn write_out(mut f: impl FnMut(&mut dyn Write) -> io::Result<()>) -> Result<(), Fail> {
    let out = io::stdout();
    let mut w = BufWriter::new(out.lock());
    match f(&mut w).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(io_fail(e)),
    }
}

fn cmd_next(n: &str, encoding: &str, layout: Option<&str>) -> Result<(), Fail> {
    let count = snowid::value::batch_len(&number_value(n))?;
    let encoding = Encoding::from_name(encoding)?;
    let mut opts = snowid::GeneratorOptions::new();
    if let Some(l) = layout {
        opts.set("layout", Value::Str(l.to_owned()));
    }
    let settings = snowid::options::resolve_default(
        if opts.is_empty() { None } else { Some(&opts) },
        &snowid::env::Environment::process(),
    )?;
    let g = settings.build()?;
    let mut buf = vec![0u64; count.min(4096)];
    let mut left = count;
    let r = write_out(|w| {
        while left > 0 {
            let want = left.min(buf.len());
            let got = match g.next_batch(&mut buf[..want]) {
                Ok(n) => n,
                Err(e) => return Err(io::Error::other(Box::new(e))),
            };
            for id in &buf[..got] {
                writeln!(w, "{}", encoding.encode(*id))?;
            }
            left -= got;
        }
        Ok(())
    });
    g.shutdown();
    r.map_err(|Fail(code, msg)| {
        // A generator error travels through io::Error; give it its own code.
        if code == EXIT_IO && left > 0 {
            Fail(EXIT_UNAVAILABLE, msg)
        } else {
            Fail(code, msg)
        }
    })
}

fn cmd_inspect(id: &str, layout: Option<&str>, json: bool) -> Result<(), Fail> {
    let layout = layout_arg(layout)?;
    let id = parse_any(id)?;
    let j = inspect_json(&layout, id)?;
    write_out(|w| {
        if json {
            writeln!(w, "{j}")
        } else {
            writeln!(w, "id         {}", j["id"].as_str().unwrap_or_default())?;
            writeln!(w, "layout     {}", layout.name())?;
            writeln!(
                w,
                "timestamp  {} ({} ms)",
                j["timestamp"].as_str().unwrap_or_default(),
                j["timestamp_ms"]
            )?;
            writeln!(w, "tick       {}", j["tick"])?;
            writeln!(w, "sequence   {}", j["sequence"])?;
            if let Some(nodes) = j["nodes"].as_object() {
                for (k, v) in nodes {
                    writeln!(w, "{:<10} {v}", k)?;
                }
            }
            if let Some(e) = j["encodings"].as_object() {
                for (k, v) in e {
                    writeln!(w, "{:<10} {}", k, v.as_str().unwrap_or_default())?;
                }
            }
            Ok(())
        }
    })
}

fn cmd_capacity(layout: Option<&str>) -> Result<(), Fail> {
    let layout = layout_arg(layout)?;
    let c = layout.capacity();
    write_out(|w| {
        writeln!(w, "layout                   {}", layout.name())?;
        writeln!(w, "id space                 {}", layout.id_space())?;
        writeln!(w, "lifespan_ms              {}", c.lifespan_ms)?;
        writeln!(w, "end                      {}", rfc3339_ms(c.end_ms))?;
        writeln!(w, "ids_per_tick             {}", c.ids_per_tick)?;
        writeln!(w, "ids_per_second_per_node  {}", c.ids_per_second_per_node)?;
        writeln!(w, "nodes                    {}", c.nodes)
    })
}

fn cmd_layout_check(spec: &str) -> Result<(), Fail> {
    let layout = if spec.trim_start().starts_with('{') {
        layout_from_json(spec)?
    } else {
        Layout::from_value(&Value::Str(spec.to_owned()), "layout")?
    };
    let j = layout_json(&layout);
    write_out(|w| writeln!(w, "{j}"))
}

/// A JSON layout spec through the core's `LayoutBuilder` (values converted
/// to `snowid::Value`; every check is the core's).
fn layout_from_json(spec: &str) -> Result<Layout, Fail> {
    let v: serde_json::Value = serde_json::from_str(spec)
        .map_err(|e| Fail(EXIT_INVALID, format!("layout spec is not JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Fail(EXIT_INVALID, "layout spec must be a JSON object".into()))?;
    let val = |j: Option<&serde_json::Value>| -> Value {
        match j {
            None | Some(serde_json::Value::Null) => Value::Other("missing".into()),
            Some(serde_json::Value::Bool(b)) => Value::Bool(*b),
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) => Value::Int(i.into()),
                None => match n.as_u64() {
                    Some(u) => Value::Int(u.into()),
                    None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            Some(serde_json::Value::String(s)) => Value::Str(s.clone()),
            Some(serde_json::Value::Array(_)) => Value::Other("list".into()),
            Some(serde_json::Value::Object(_)) => Value::Other("object".into()),
        }
    };
    let name = obj
        .get("name")
        .map(|_| val(obj.get("name")))
        .unwrap_or(Value::Str("custom".into()));
    let mut b = snowid::LayoutBuilder::new(&name)?;
    let fields = obj
        .get("fields")
        .and_then(|f| f.as_array())
        .ok_or_else(|| Fail(EXIT_INVALID, "layout spec needs \"fields\": a list".into()))?;
    b.expect_fields(fields.len() as u64)?;
    for f in fields {
        let kind = f.get("kind").map(|k| val(Some(k)));
        b.field(&val(f.get("name")), &val(f.get("bits")), kind.as_ref())?;
    }
    if obj.contains_key("epoch_ms") {
        b.epoch(&val(obj.get("epoch_ms")))?;
    }
    if obj.contains_key("tick_ms") {
        b.tick(&val(obj.get("tick_ms")))?;
    }
    if obj.contains_key("sign_bit") {
        b.sign_bit(&val(obj.get("sign_bit")))?;
    }
    Ok(b.build()?)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let r = match cli.cmd {
        Cmd::Next {
            n,
            encoding,
            layout,
        } => cmd_next(&n, &encoding, layout.as_deref()),
        Cmd::Inspect { id, layout, json } => cmd_inspect(&id, layout.as_deref(), json),
        Cmd::Capacity { layout } => cmd_capacity(layout.as_deref()),
        Cmd::Layout {
            cmd: LayoutCmd::Check { spec },
        } => cmd_layout_check(&spec),
        Cmd::Serve(args) => serve::run(*args),
    };
    match r {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(Fail(code, msg)) => {
            eprintln!("snowid: {msg}");
            ExitCode::from(code)
        }
    }
}
