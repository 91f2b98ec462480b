//! The command line: `snowid next|inspect|capacity|layout check|serve`.
//! Values go to the core as `snowid::Value`; a core error becomes an exit
//! code ([`crate::exit`]).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use snowid::{Encoding, Error, Layout, Value};

use crate::exit::{Fail, EXIT_INVALID, EXIT_IO, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE};
use crate::shapes::{inspect_json, layout_json, rfc3339_ms};

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
    Serve(Box<crate::args::ServeArgs>),
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

fn io_fail(e: io::Error) -> Fail {
    Fail(EXIT_IO, e.to_string())
}

/// A command-line number as the core's `Value` (`value::integer_text`):
/// an integer if it reads as one (out of range if huge), else the text
/// (which the core then refuses with its own error).
fn number_value(s: &str) -> Value {
    snowid::value::integer_text(s.trim())
}

/// The layout named by `name`, or the default layout of the environment.
fn layout_arg(name: Option<&str>) -> Result<Layout, Error> {
    match name {
        Some(n) => Layout::from_value(&Value::Str(n.to_owned()), "layout"),
        None => snowid::options::default_layout(None, &snowid::env::Environment::process()),
    }
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
    let id = snowid::value::id_text(id)?;
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

/// Runs the command of the process's arguments.
pub fn run() -> ExitCode {
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
        Cmd::Serve(args) => crate::serve::run(*args),
    };
    match r {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(Fail(code, msg)) => {
            eprintln!("snowid: {msg}");
            ExitCode::from(code)
        }
    }
}
