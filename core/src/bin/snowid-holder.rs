//! `snowid-holder [--count N] [--encoding E] [--hold]` (a test helper; the user CLI is `snowid` in server/): print IDs from the generator
//! configured by the environment, as the default generator of every binding
//! (see `snowid::options` and `testdata/OPTIONS.md`).
//!
//! The first line describes the generator (`# source: ...`); then one ID per
//! line. With `--hold` it prints `# ready` after the IDs and keeps its node
//! numbers until standard input closes (used by the multi-process tests, and
//! handy to see which slot a process would get).

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use snowid::{node, Encoding};

fn run() -> Result<(), String> {
    let mut count = 1u64;
    let mut encoding = Encoding::Decimal;
    let mut hold = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--count" | "-n" => {
                let v = args.next().ok_or("--count needs a number")?;
                count = node::parse_setting("--count", &v, 0, 100_000_000)
                    .map_err(|e| e.to_string())?;
            }
            "--encoding" | "-e" => {
                let v = args.next().ok_or("--encoding needs a name")?;
                encoding = Encoding::from_name(&v).map_err(|e| e.to_string())?;
            }
            "--hold" => hold = true,
            "--help" | "-h" => {
                println!(
                    "usage: snowid [--count N] [--encoding decimal|hex|base32|base62] [--hold]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}; try --help")),
        }
    }
    let g = node::from_env().map_err(|e| format!("{} ({})", e, e.code()))?;
    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    let p = |e: io::Error| e.to_string();
    writeln!(out, "# source: {} layout: {}", g.source(), g.layout()).map_err(p)?;
    let mut buf = vec![0u64; 4096];
    let mut left = count;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let n = g
            .next_batch(&mut buf[..want])
            .map_err(|e| format!("{} ({})", e, e.code()))?;
        for id in &buf[..n] {
            writeln!(out, "{}", encoding.encode(*id)).map_err(p)?;
        }
        left -= n as u64;
    }
    if hold {
        writeln!(out, "# ready").map_err(p)?;
        out.flush().map_err(p)?;
        for line in io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
        }
    }
    out.flush().map_err(p)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snowid: {e}");
            ExitCode::FAILURE
        }
    }
}
