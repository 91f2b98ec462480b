//! `snowid-segment-worker STORE KEY COUNT STEP MAX_STEP [PAUSE_US [NAME=VALUE...]]`
//! (a test helper for the multi-process segment tests): prints COUNT IDs of
//! KEY from STORE (`-`: no store option, so the default store), one per line,
//! pausing PAUSE_US microseconds every 100 IDs; NAME=VALUE: more segment
//! options (`true`/`false`, an integer, else a string). An error is printed as
//! `E CODE message` and retried every 50 ms for 30 s (then exit code 3), so a
//! test can restart the store under it. Ends with `# stats ...`.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use snowid::SegmentOptions;

fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, key, count, step, max_step, rest @ ..] = &args[..] else {
        return Err("usage: snowid-segment-worker STORE KEY COUNT STEP MAX_STEP [PAUSE_US]".into());
    };
    let num = |s: &str| s.parse::<u64>().map_err(|e| format!("{s}: {e}"));
    let (count, step, max_step) = (num(count)?, num(step)?, num(max_step)?);
    let pause = Duration::from_micros(rest.first().map(|s| num(s)).transpose()?.unwrap_or(0));
    let mut options = SegmentOptions::new();
    if store != "-" {
        options.set("store", store.as_str());
    }
    let mut options = options
        .with("step", step)
        .with("max_step", max_step)
        .with("min_step", step.min(max_step));
    for extra in rest.iter().skip(1) {
        let (name, value) = extra
            .split_once('=')
            .ok_or_else(|| format!("{extra}: expected NAME=VALUE"))?;
        match value {
            "true" => options.set(name, true),
            "false" => options.set(name, false),
            v => match v.parse::<i64>() {
                Ok(i) => options.set(name, i),
                Err(_) => options.set(name, v),
            },
        };
    }
    let seg = options
        .build(key)
        .map_err(|e| format!("{}: {e}", e.code()))?;
    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    let mut issued = 0;
    let mut failing_since: Option<Instant> = None;
    while issued < count {
        match seg.next_id() {
            Ok(id) => {
                failing_since = None;
                writeln!(out, "{id}").map_err(|e| e.to_string())?;
                issued += 1;
                if issued % 100 == 0 {
                    out.flush().map_err(|e| e.to_string())?;
                    if !pause.is_zero() {
                        std::thread::sleep(pause);
                    }
                }
            }
            Err(e) => {
                writeln!(out, "E {} {e}", e.code()).map_err(|e| e.to_string())?;
                out.flush().map_err(|e| e.to_string())?;
                if e.to_string().contains("went backwards") {
                    return Ok(false); // refused for good, no point retrying
                }
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(30) {
                    return Ok(false);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let st = seg.stats();
    writeln!(
        out,
        "# stats ranges={} failures={} waits={} step={} max_fetch_us={}",
        st.ranges_fetched, st.fetch_failures, st.waits, st.step, st.max_fetch_us
    )
    .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(true)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        Err(e) => {
            eprintln!("snowid-segment-worker: {e}");
            ExitCode::from(2)
        }
    }
}
