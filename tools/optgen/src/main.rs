//! `snowid-optgen --write | --check`: every binding's restatement of the
//! options, written from the core's options table (`snowid::option_table`).
//!
//! Node's constructors name option types (`GeneratorOptions`, ...) declared
//! in `bindings-node/dts-header.d.ts`, which napi puts at the top of
//! `index.d.ts`; their fields are written here.
//!
//! The places that must name the options (pyo3 and napi attributes need
//! string literals; stubs and docs are read by people and type checkers)
//! hold regions between `BEGIN GENERATED options:<kind>` and
//! `END GENERATED options:<kind>` markers. `--write` rewrites them;
//! `--check` (run by `make lint`) fails on any difference and says what to
//! run. In a region of a Rust attribute only the `text_signature` string is
//! rewritten; every other region is rewritten whole. `make options` runs
//! `--write`, then `make header` and `make stubs`, which carry the C doc
//! comments into `snowid.h` and Node's option types into `index.d.ts`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use snowid::option_table::{
    for_target, Kind, OptionSpec, Targets, DEFAULT, GENERATOR, LEASE_ENV, REMOTE, SEGMENT, WIDE,
    WIDE_LAYOUT,
};

/// Where regions may be (directories are walked).
const PLACES: &[&str] = &[
    "bindings-python/src",
    "bindings-python/python/snowid",
    "bindings-node/dts-header.d.ts",
    "bindings-c/src",
    "bindings-kotlin/src/main/kotlin",
    "testdata/OPTIONS.md",
];

/// Every kind of region, each of which must appear at least once.
const KINDS: &[&str] = &[
    "py-generator",
    "py-default",
    "py-wide",
    "py-wide-layout",
    "py-segment",
    "pyi-generator",
    "pyi-default",
    "pyi-wide",
    "pyi-wide-layout",
    "pyi-segment",
    "dts-generator",
    "dts-wide",
    "dts-wide-layout",
    "dts-segment",
    "c-generator",
    "c-wide",
    "c-segment",
    "kt-generator",
    "kt-segment",
    "md-generator",
    "md-wide",
    "md-segment",
    "md-lease",
    "py-remote",
    "pyi-remote",
    "dts-remote",
    "c-remote",
    "kt-remote",
    "md-remote",
];

const BEGIN: &str = "BEGIN GENERATED options:";
const END: &str = "END GENERATED options:";

fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let write = match mode.as_str() {
        "--write" => true,
        "--check" => false,
        _ => {
            eprintln!("usage: snowid-optgen --write | --check");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for p in PLACES {
        walk(&root.join(p), &mut files);
    }
    files.sort();
    let mut seen: Vec<&str> = Vec::new();
    let mut stale = Vec::new();
    for f in &files {
        let old = std::fs::read_to_string(f).expect("readable source file");
        if !old.contains(BEGIN) {
            continue;
        }
        let new = match rewrite(&old, &mut seen) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::FAILURE;
            }
        };
        if new != old {
            let shown = f.strip_prefix(&root).unwrap_or(f).display().to_string();
            if write {
                std::fs::write(f, new).expect("writable source file");
                println!("wrote {shown}");
            } else {
                let (o, n) = old
                    .lines()
                    .zip(new.lines())
                    .find(|(o, n)| o != n)
                    .unwrap_or(("(end of file)", "(end of file)"));
                eprintln!("{shown} differs from the options table:\n  now:  {o}\n  want: {n}");
            }
            stale.push(shown);
        }
    }
    // Node types `configure()` with the generator's options.
    let names = |t| for_target(t).map(|o| o.name).collect::<Vec<_>>();
    if names(DEFAULT) != names(GENERATOR) {
        eprintln!("configure() takes other options than Generator(): give Node a type of its own");
        return ExitCode::FAILURE;
    }
    let missing: Vec<&&str> = KINDS.iter().filter(|k| !seen.contains(k)).collect();
    if !missing.is_empty() {
        eprintln!("no region for {missing:?} (markers `{BEGIN}<kind>` ... `{END}<kind>`)");
        return ExitCode::FAILURE;
    }
    if !write && !stale.is_empty() {
        eprintln!(
            "the options are restated differently from core/src/option_table.rs: run `make options` (snowid-optgen --write, then make header and make stubs)"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .expect("readable directory")
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out);
        }
    } else if matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("rs" | "pyi" | "kt" | "md" | "ts")
    ) {
        out.push(p.to_owned());
    }
}

/// `text` with every region regenerated.
fn rewrite(text: &str, seen: &mut Vec<&'static str>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(at) = line.find(BEGIN) else {
            continue;
        };
        let name: String = line[at + BEGIN.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let kind = *KINDS
            .iter()
            .find(|k| **k == name)
            .ok_or_else(|| format!("unknown region kind {name:?}"))?;
        seen.push(kind);
        let mut body = Vec::new();
        let end = loop {
            let l = lines
                .next()
                .ok_or_else(|| format!("region {kind}: no `{END}{kind}`"))?;
            if l.contains(&format!("{END}{kind}")) {
                break l;
            }
            body.push(l);
        };
        let prefix = &line[..at];
        if let Some(literal) = literal_of(kind) {
            let mut found = false;
            for l in body {
                out.push_str(&replace_literal(l, &literal, &mut found));
            }
            if !found {
                return Err(format!("region {kind} holds no text_signature string"));
            }
        } else {
            for l in lines_of(kind) {
                out.push_str(&line_prefix(prefix, kind));
                out.push_str(&l);
                if l.is_empty() {
                    // no trailing blank after the prefix
                    let trimmed = out.trim_end_matches(' ').len();
                    out.truncate(trimmed);
                }
                out.push('\n');
            }
        }
        out.push_str(end);
    }
    Ok(out)
}

/// The prefix of each generated line, from the text before the marker.
fn line_prefix(before_marker: &str, kind: &str) -> String {
    let indent: String = before_marker
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    match kind.split('-').next() {
        Some("c") => format!("{indent}/// "),
        Some("kt") => before_marker.trim_end_matches("<!-- ").to_owned(),
        _ => indent,
    }
}

/// `line` with its `text_signature = "..."` string replaced by `literal`.
fn replace_literal(line: &str, literal: &str, found: &mut bool) -> String {
    const KEY: &str = "text_signature = \"";
    let Some(start) = line.find(KEY) else {
        return line.to_owned();
    };
    let from = start + KEY.len();
    let len = line[from..].find('"').expect("a closed string literal");
    *found = true;
    format!("{}{literal}{}", &line[..from], &line[from + len..])
}

/// The target flag of a region kind.
fn target_of(kind: &str) -> Targets {
    if kind.ends_with("-lease") {
        LEASE_ENV
    } else if kind.ends_with("-wide-layout") {
        WIDE_LAYOUT
    } else if kind.ends_with("-wide") {
        WIDE
    } else if kind.ends_with("-segment") {
        SEGMENT
    } else if kind.ends_with("-remote") {
        REMOTE
    } else if kind.ends_with("-default") {
        DEFAULT
    } else {
        GENERATOR
    }
}

fn is_wide(target: Targets) -> bool {
    target == WIDE || target == WIDE_LAYOUT
}

/// The string of a Rust attribute region.
fn literal_of(kind: &str) -> Option<String> {
    let target = target_of(kind);
    let opts: Vec<&OptionSpec> = for_target(target).collect();
    if kind.starts_with("py-") {
        let named = |o: &&OptionSpec| format!("{}=None", o.name);
        return Some(match target {
            WIDE_LAYOUT => {
                let rest: Vec<String> = opts[1..].iter().map(named).collect();
                assert_eq!(opts[0].name, "layout", "a wide layout's first argument");
                format!("(layout=None, *, {})", rest.join(", "))
            }
            SEGMENT => format!(
                "(key, *, {})",
                opts.iter().map(named).collect::<Vec<_>>().join(", ")
            ),
            // The URL is positional, the rest keywords.
            REMOTE => format!(
                "(url, *, {})",
                opts.iter()
                    .filter(|o| o.name != "url")
                    .map(named)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!(
                "(*, {}, **node_fields)",
                opts.iter().map(named).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    None
}

fn quoted(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn ts_type(o: &OptionSpec, target: Targets) -> String {
    match o.kind {
        Kind::Bool => "boolean".into(),
        Kind::Int { .. } => "number".into(),
        Kind::Choice(c) => {
            let c = if is_wide(target) {
                o.wide_choices.unwrap_or(c)
            } else {
                c
            };
            quoted(c)
        }
        Kind::Clock(c) => format!("{} | ManualClock", quoted(c)),
        Kind::Layout if is_wide(target) => "string".into(),
        Kind::Layout => "Layout | string".into(),
        Kind::Instant => "Date | number | bigint".into(),
        Kind::Path | Kind::Url | Kind::Text => "string".into(),
    }
}

fn py_type(o: &OptionSpec, target: Targets) -> &'static str {
    match o.kind {
        Kind::Bool => "bool",
        Kind::Int { .. } => "int",
        Kind::Choice(_) | Kind::Url | Kind::Text => "str",
        Kind::Clock(_) => "_Clock",
        Kind::Layout if is_wide(target) => "str",
        Kind::Layout => "_LayoutArg",
        Kind::Instant => "_Instant",
        Kind::Path => "Union[str, \"os.PathLike[str]\"]",
    }
}

/// How a C program sets the option.
fn c_setter(o: &OptionSpec, target: Targets) -> &'static str {
    match o.kind {
        Kind::Bool => "`_set_bool()`",
        Kind::Int { .. } | Kind::Instant => "`_set_int()`",
        Kind::Choice(_) | Kind::Path | Kind::Url | Kind::Text => "`_set_str()`",
        Kind::Clock(_) => "`_set_str()` or `_set_manual_clock()`",
        Kind::Layout if is_wide(target) => "`_set_str()`",
        Kind::Layout => "`_set_str()` or `_set_layout()`",
    }
}

/// The lines of a whole region (without their comment prefix).
fn lines_of(kind: &str) -> Vec<String> {
    let target = target_of(kind);
    let family = kind.split('-').next().unwrap_or_default();
    // The wide regions of the docs list only what a wide generator adds.
    let opts: Vec<&OptionSpec> = for_target(target)
        .filter(|o| matches!(family, "pyi" | "dts") || target != WIDE || !o.applies_to(GENERATOR))
        // A wide layout's first argument is positional (not in the region).
        .filter(|o| !(family == "pyi" && target == WIDE_LAYOUT && o.name == "layout"))
        // A remote generator's URL is positional in Python.
        .filter(|o| !(family == "pyi" && target == REMOTE && o.name == "url"))
        .collect();
    match family {
        "pyi" => opts
            .iter()
            .map(|o| format!("{}: Optional[{}] = None,", o.name, py_type(o, target)))
            .collect(),
        "dts" => opts
            .iter()
            .flat_map(|o| {
                [
                    format!("/** {}{} */", o.doc, default_of(o)),
                    format!("{}?: {}", o.camel, ts_type(o, target)),
                ]
            })
            .collect(),
        "md" => opts
            .iter()
            .map(|o| {
                // Environment-only rows are known by their variable.
                let name = if target == LEASE_ENV {
                    o.env.unwrap_or(o.name)
                } else {
                    o.name
                };
                format!("| `{}` | {} | {} | {} |", name, o.doc, o.default, o.errors)
            })
            .collect(),
        "c" => {
            let mut out = Vec::new();
            for o in opts {
                let mut s = String::new();
                let _ = write!(s, "- `{}` ({}): {}", o.name, c_setter(o, target), o.doc);
                out.extend(wrap(&(s + &default_of(o)), 76, "  "));
            }
            out
        }
        "kt" => {
            let mut out = Vec::new();
            for o in opts {
                let s = format!("- `{}`: {}{}", o.name, o.doc, default_of(o));
                out.extend(wrap(&s, 74, "  "));
            }
            out
        }
        _ => unreachable!("attribute regions have a literal"),
    }
}

/// The default and the environment variable, for the docs of C and Kotlin.
fn default_of(o: &OptionSpec) -> String {
    let mut s = if o.default.len() <= 60 {
        format!("; default {}", o.default)
    } else {
        "; default: see `testdata/OPTIONS.md`".to_owned()
    };
    if let Some(v) = o.env {
        let _ = write!(s, " (environment: `{v}`)");
    }
    s
}

/// `text` broken at spaces into lines of at most `width` characters (a
/// longer word stays whole); lines after the first start with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push(std::mem::take(&mut line));
            line.push_str(indent);
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_rewritten_and_an_attribute_keeps_all_but_its_string() {
        let text = "x\n    // BEGIN GENERATED options:py-segment (make options)\n    #[pyo3(signature = (key, **options), text_signature = \"(key, *, store=None)\")]\n    // END GENERATED options:py-segment\n# BEGIN GENERATED options:pyi-segment\nstale\n# END GENERATED options:pyi-segment\ny\n";
        let mut seen = Vec::new();
        let out = rewrite(text, &mut seen).unwrap();
        assert_eq!(seen, ["py-segment", "pyi-segment"]);
        assert!(out.contains("#[pyo3(signature = (key, **options), text_signature = \"(key, *, store=None, step=None, min_step=None, max_step=None, prefetch_at=None, range_ms=None, allow_volatile_store=None)\")]"), "{out}");
        assert!(!out.contains("stale"));
        assert!(out.contains("store: Optional[str] = None,\nstep: Optional[int] = None,"));
        assert!(out.starts_with("x\n") && out.ends_with("y\n"));
        // Written once, it is stable.
        assert_eq!(rewrite(&out, &mut Vec::new()).unwrap(), out);
    }

    #[test]
    fn an_unclosed_or_unknown_region_is_an_error() {
        assert!(rewrite("// BEGIN GENERATED options:py-segment\n", &mut Vec::new()).is_err());
        assert!(rewrite(
            "// BEGIN GENERATED options:nope\n// END GENERATED options:nope\n",
            &mut Vec::new()
        )
        .is_err());
    }
}
