//! The real `snowid` binary: the HTTP service on 127.0.0.1 with a temporary
//! state directory, and the CLI's subcommands and exit codes.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{command, mark_file, mark_tick, request, temp_dir, Resp, Server};

fn ids_of(r: &Resp) -> Vec<u64> {
    r.json()["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn endpoints_and_bad_input() {
    let state = temp_dir("endpoints");
    let srv = Server::start(&state, &["--max-batch", "5000"], &[]);

    let r = srv.get("/v1/next_id", &[]);
    assert_eq!(r.status, 200);
    let a: u64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    let r = srv.get("/v1/next_id", &[("Accept", "text/plain")]);
    assert_eq!(r.status, 200);
    let b: u64 = r.text().strip_suffix('\n').unwrap().parse().unwrap();
    assert!(b > a);

    let r = srv.get("/v1/next_ids", &[]);
    assert_eq!(ids_of(&r).len(), 1);
    let r = srv.get("/v1/next_ids?count=5000", &[]);
    let ids = ids_of(&r);
    assert_eq!(ids.len(), 5000);
    assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > b);
    let r = srv.get(
        "/v1/next_ids?count=4096",
        &[("Accept", "application/octet-stream")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 4096 * 8);
    let bin: Vec<u64> = r
        .body
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert!(bin.windows(2).all(|w| w[0] < w[1]) && bin[0] > ids[4999]);

    for (count, code) in [
        ("0", "INVALID_SETTING"),
        ("-1", "INVALID_SETTING"),
        ("5001", "INVALID_SETTING"),
        (
            "99999999999999999999999999999999999999999",
            "INVALID_SETTING",
        ),
        (
            "99999999999999999999999999999999999999999999",
            "INVALID_SETTING",
        ),
        (
            "-99999999999999999999999999999999999999999999",
            "INVALID_SETTING",
        ),
        ("%35%30%30%31", "INVALID_SETTING"),
        ("%2B5", "WRONG_TYPE"),
        ("abc", "WRONG_TYPE"),
        ("", "WRONG_TYPE"),
        ("1.5", "WRONG_TYPE"),
    ] {
        let r = srv.get(&format!("/v1/next_ids?count={count}"), &[]);
        assert_eq!(r.status, 400, "count={count}: {}", r.text());
        assert_eq!(r.error_code(), code, "count={count}");
        assert!(r.json()["error"]["number"].as_u64().unwrap() > 0);
    }

    // The query is percent-decoded before the count is read: %35 is 5.
    let r = srv.get("/v1/next_ids?count=%35", &[]);
    assert_eq!(ids_of(&r).len(), 5, "{}", r.text());

    // Discord's documented example, in every encoding.
    let discord = 175928847299117063u64;
    for enc in [
        "175928847299117063",
        "0271065ac1020007",
        "04W86BB0G4007",
        "0Czks0tP37X",
    ] {
        let r = srv.get(&format!("/v1/ids/{enc}?layout=discord"), &[]);
        assert_eq!(r.status, 200, "{enc}: {}", r.text());
        let j = r.json();
        assert_eq!(j["id"], discord.to_string());
        assert_eq!(j["timestamp"], "2016-04-30T11:18:25.796Z");
        assert_eq!(j["timestamp_ms"], 1462015105796u64);
        assert_eq!(j["sequence"], 7);
        assert_eq!(j["nodes"]["worker"], 1);
        assert_eq!(j["nodes"]["process"], 0);
        assert_eq!(j["encodings"]["base62"], "0Czks0tP37X");
        assert_eq!(j["layout"], "discord");
    }
    let r = srv.get(&format!("/v1/ids/{a}"), &[]);
    assert_eq!(r.json()["layout"], "twitter");
    for (bad, code) in [
        ("zz", "PARSE_CHARACTER"),
        ("18446744073709551616", "PARSE_OVERFLOW"),
        ("0271065ac102000g", "PARSE_CHARACTER"),
        ("04W86BB0G400U", "PARSE_CHARACTER"),
        ("0Czks0tP37-", "PARSE_CHARACTER"),
        ("%ff%00", "PARSE_CHARACTER"),
        ("-1", "PARSE_CHARACTER"),
    ] {
        let r = srv.get(&format!("/v1/ids/{bad}"), &[]);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(!r.error_code().is_empty(), "{bad}");
        let _ = code;
    }
    let r = srv.get("/v1/ids/1?layout=nope", &[]);
    assert_eq!((r.status, r.error_code().as_str()), (400, "UNKNOWN_LAYOUT"));
    // An ID with the sign bit set does not fit the twitter layout.
    let r = srv.get(&format!("/v1/ids/{}", u64::MAX), &[]);
    assert_eq!(r.status, 400, "{}", r.text());

    let r = srv.get("/v1/layout", &[]);
    let j = r.json();
    assert_eq!(j["name"], "twitter");
    assert_eq!(j["capacity"]["ids_per_tick"], 4096);
    assert!(j["source"].as_str().unwrap().contains("local slot"));
    assert_eq!(j["fields"].as_array().unwrap().len(), 4);

    let j = srv.get("/v1/stats", &[]).json();
    for k in [
        "issued",
        "overflow_waits",
        "clock_regressions",
        "largest_regression_ms",
        "borrowed_ticks",
        "skew_ms",
        "requests",
        "errors",
    ] {
        assert!(j[k].is_i64() || j[k].is_u64(), "{k}: {j}");
    }
    assert!(j["issued"].as_u64().unwrap() >= 2 + 1 + 5000 + 4096);
    // What an operator alarms on: the runway, the node numbers, the lease.
    let runway = j["runway_s"].as_u64().unwrap();
    let years = runway as f64 / (365.25 * 86400.0);
    assert!(
        (30.0..70.0).contains(&years),
        "twitter's runway: {years} years"
    );
    assert_eq!(
        (&j["nodes_total"], &j["nodes_in_use"], &j["nodes_free"]),
        (&1024.into(), &1.into(), &1023.into())
    );
    assert!(
        j["lease_ttl_left_ms"].is_null(),
        "a local slot is no lease: {j}"
    );
    assert_eq!(j["lane_nodes"].as_array().unwrap().len(), 1);
    assert!(j["errors"].as_u64().unwrap() >= 11);

    assert_eq!(srv.get("/healthz", &[]).status, 200);
    assert_eq!(srv.get("/readyz", &[]).status, 200);
    let r = srv.get("/", &[]);
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("<html")
            || r.text().contains("<!doctype")
            || r.text().contains("<!DOCTYPE")
    );
    let r = srv.get("/nope", &[]);
    assert_eq!((r.status, r.error_code().as_str()), (404, "NOT_FOUND"));
    let r = request(&srv.addr, "POST", "/v1/next_id", &[("Content-Length", "0")]).unwrap();
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (405, "METHOD_NOT_ALLOWED")
    );
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    // HEAD on a route that issues IDs: 405, only GET (see connections.rs).
    let r = request(&srv.addr, "HEAD", "/v1/next_id", &[]).unwrap();
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
    let big = "x".repeat(20_000);
    let r = srv.get("/healthz", &[("X-Big", &big)]);
    assert_eq!(r.status, 431);

    let m = srv.get("/metrics", &[]).text();
    for needle in [
        "snowid_ids_issued_total ",
        "snowid_overflow_waits_total ",
        "snowid_clock_regressions_total ",
        "snowid_clock_regression_largest_ms ",
        "snowid_clock_skew_ms ",
        "snowid_http_requests_total{endpoint=\"next_ids\",code=\"400\"} 11",
        "snowid_http_errors_total{endpoint=\"ids\",error_code=\"UNKNOWN_LAYOUT\"} 1",
        "snowid_http_request_duration_seconds_bucket{endpoint=\"next_id\",le=\"+Inf\"} 4",
        "snowid_http_requests_total{endpoint=\"healthz\",code=\"431\"} 1",
        "snowid_node_info{",
        "# HELP snowid_layout_runway_seconds ",
        "# TYPE snowid_node_numbers_total gauge\nsnowid_node_numbers_total 1024\n",
        "snowid_node_numbers_in_use 1\n",
        "snowid_node_numbers_free 1023\n",
    ] {
        assert!(m.contains(needle), "{needle} missing in\n{m}");
    }
    assert!(
        !m.contains("snowid_lease_ttl_left_seconds"),
        "no lease, no TTL"
    );
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn bearer_tokens() {
    let state = temp_dir("tokens");
    let srv = Server::start(&state, &[], &[("SNOWID_TOKEN", "s3cret")]);
    for h in [
        vec![],
        vec![("Authorization", "Bearer wrong")],
        vec![("Authorization", "Bearer s3cre")],
        vec![("Authorization", "s3cret")],
    ] {
        for p in ["/v1/next_id", "/v1/stats", "/metrics", "/v1/ids/1"] {
            let r = srv.get(p, &h);
            assert_eq!(
                (r.status, r.error_code().as_str()),
                (401, "UNAUTHORIZED"),
                "{p} {h:?}"
            );
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
    }
    // The scheme is case-insensitive (RFC 9110 11.1); one or more spaces.
    for ok in [
        "Bearer s3cret",
        "bearer s3cret",
        "BEARER s3cret",
        "bEaReR  s3cret",
    ] {
        let r = srv.get("/v1/next_id", &[("Authorization", ok)]);
        assert_eq!(r.status, 200, "{ok}: {}", r.text());
    }
    for bad in ["Bearers3cret", "bearer", "bearer ", "Basic s3cret"] {
        let r = srv.get("/v1/next_id", &[("Authorization", bad)]);
        assert_eq!(r.status, 401, "{bad:?}");
    }
    assert_eq!(srv.get("/healthz", &[]).status, 200);
    drop(srv);
    let tf = state.join("token");
    std::fs::write(&tf, "from-file\n").unwrap();
    let srv = Server::start(&state, &["--token-file", tf.to_str().unwrap()], &[]);
    assert_eq!(srv.get("/v1/next_id", &[]).status, 401);
    assert_eq!(
        srv.get("/v1/next_id", &[("Authorization", "Bearer from-file")])
            .status,
        200
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

const OPENAPI: &str = include_str!("../openapi.json");

#[test]
fn openapi_document_matches_the_server() {
    let state = temp_dir("openapi");
    let srv = Server::start(&state, &[], &[]);
    let r = srv.get("/openapi.json", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        OPENAPI,
        "the served document is the committed one"
    );
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let paths: HashSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for p in &paths {
        let url = p
            .replace("{id}", "175928847299117063")
            .replace("{key}", "orders");
        let r = srv.get(&url, &[]);
        assert_eq!(r.status, 200, "{p} answers");
    }
    // Every route the router has is documented (routes read from the source).
    let src = include_str!("../src/routes.rs");
    let routes: HashSet<String> = src
        .split(".route(\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    assert!(!routes.is_empty());
    assert_eq!(routes, paths);
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

fn twitter_tick(id: u64) -> u64 {
    id >> 22
}

/// Rewrites the mark file under `state` to hold `tick` (with its checksum,
/// as `core/src/node/mark.rs` writes it).
fn set_mark_tick(state: &Path, tick: u64) {
    fn fnv64(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    let f = mark_file(state).expect("a mark file");
    let text = std::fs::read_to_string(&f).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let body = format!("{}\n{}\ntick {tick}\n", lines[0], lines[1]);
    let check = format!("check {:016x}\n", fnv64(&body));
    std::fs::write(&f, body + &check).unwrap();
    assert_eq!(mark_tick(state), tick);
}

fn issued(srv: &Server) -> u64 {
    srv.get("/v1/stats", &[]).json()["issued"].as_u64().unwrap()
}

#[test]
fn readyz_spends_no_id_and_fails_while_the_generator_cannot_issue() {
    let state = temp_dir("readyz");
    let srv = Server::start(&state, &[], &[]);
    for _ in 0..5 {
        let r = srv.get("/readyz", &[]);
        assert_eq!((r.status, r.text().as_str()), (200, "ready\n"));
    }
    assert_eq!(issued(&srv), 0, "probes spend no ID");
    let r = srv.get("/v1/next_id", &[]);
    let id: u64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    for _ in 0..5 {
        assert_eq!(srv.get("/readyz", &[]).status, 200);
    }
    assert_eq!(issued(&srv), 1);
    assert!(srv.term().success());
    // A mark an hour ahead of the last ID (as left by a holder whose clock
    // ran ahead): the next ID would wait longer than the floor allows.
    set_mark_tick(&state, twitter_tick(id) + 3_600_000);
    let srv = Server::start(&state, &[], &[]);
    let r = srv.get("/readyz", &[]);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (503, "BEHIND_HIGH_WATER"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("retry-after"), Some("1"));
    let r = srv.get("/v1/next_id", &[]);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (503, "BEHIND_HIGH_WATER")
    );
    assert_eq!(issued(&srv), 0);
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn graceful_shutdown_lowers_the_mark() {
    let state = temp_dir("shutdown");
    let srv = Server::start(&state, &[], &[]);
    let ids = ids_of(&srv.get("/v1/next_ids?count=10", &[]));
    let last = *ids.last().unwrap();
    let running = mark_tick(&state);
    assert!(
        running > twitter_tick(last),
        "a window is reserved while running"
    );
    assert!(srv.term().success());
    let after = mark_tick(&state);
    assert!(
        after < running,
        "shutdown lowered the mark ({after} < {running})"
    );
    assert!(after >= twitter_tick(last));
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn sigkill_and_restart_under_load_never_reissues() {
    let state = temp_dir("crash");
    let srv = Server::start(&state, &[], &[]);
    let addr = Arc::new(Mutex::new((0usize, srv.addr.clone())));
    let stop = Arc::new(AtomicBool::new(false));
    let got: Arc<Mutex<Batches>> = Arc::default();
    let client = {
        let (addr, stop, got) = (addr.clone(), stop.clone(), got.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let (gen, a) = addr.lock().unwrap().clone();
                if let Ok(r) = request(&a, "GET", "/v1/next_ids?count=100", &[]) {
                    if r.status == 200 {
                        got.lock().unwrap().push((gen, ids_of(&r)));
                    }
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(400));
    let mut srv = srv;
    srv.child.kill().unwrap(); // SIGKILL
    srv.child.wait().unwrap();
    let srv2 = Server::start(&state, &[], &[]);
    *addr.lock().unwrap() = (1, srv2.addr.clone());
    let t = Instant::now();
    while got.lock().unwrap().iter().filter(|(g, _)| *g == 1).count() < 20
        && t.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    let got = got.lock().unwrap();
    let before: Vec<u64> = got
        .iter()
        .filter(|(g, _)| *g == 0)
        .flat_map(|(_, v)| v.clone())
        .collect();
    let after: Vec<u64> = got
        .iter()
        .filter(|(g, _)| *g == 1)
        .flat_map(|(_, v)| v.clone())
        .collect();
    assert!(
        !before.is_empty() && !after.is_empty(),
        "{} before, {} after",
        before.len(),
        after.len()
    );
    let max_before = *before.iter().max().unwrap();
    let min_after = *after.iter().min().unwrap();
    assert!(
        min_after > max_before,
        "an ID after the restart ({min_after}) <= one before ({max_before})"
    );
    let mut all: Vec<u64> = before.iter().chain(after.iter()).copied().collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "no duplicates");
    drop(srv);
    drop(srv2);
    let _ = std::fs::remove_dir_all(&state);
}

/// ID batches received, tagged by server generation (0 before the kill).
type Batches = Vec<(usize, Vec<u64>)>;

fn cli(state: &Path, args: &[&str]) -> (i32, String, String) {
    let o = command(state).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn cli_subcommands_and_exit_codes() {
    let state = temp_dir("cli");
    let (c, out, err) = cli(&state, &["next", "-n", "5"]);
    assert_eq!(c, 0, "{err}");
    let ids: Vec<u64> = out.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(ids.len(), 5, "stdout holds only the IDs: {out:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let (c, out, _) = cli(
        &state,
        &["next", "--encoding", "base62", "--layout", "discord"],
    );
    assert_eq!(c, 0);
    assert_eq!(out.trim().len(), 11);
    for bad in [
        ["next", "-n", "-1"],
        ["next", "-n", "abc"],
        ["next", "--encoding", "b64"],
    ] {
        let (c, out, err) = cli(&state, &bad);
        assert_eq!(c, 3, "{bad:?}: {err}");
        assert!(out.is_empty() && err.starts_with("snowid: "));
    }
    let (c, out, _) = cli(
        &state,
        &["inspect", "0Czks0tP37X", "--layout", "discord", "--json"],
    );
    assert_eq!(c, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["timestamp"], "2016-04-30T11:18:25.796Z");
    let (c, out, _) = cli(
        &state,
        &["inspect", "175928847299117063", "--layout", "discord"],
    );
    assert_eq!(c, 0);
    assert!(out.contains("2016-04-30T11:18:25.796Z"));
    assert_eq!(cli(&state, &["inspect", "zz"]).0, 3);
    assert_eq!(cli(&state, &["inspect", "1", "--layout", "nope"]).0, 3);
    let (c, out, _) = cli(&state, &["capacity", "--layout", "twitter"]);
    assert_eq!(c, 0);
    assert!(out.contains("4096000"));
    let (c, out, _) = cli(&state, &["layout", "check", "sonyflake"]);
    assert_eq!(c, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["name"],
        "sonyflake"
    );
    let spec = r#"{"name":"x","fields":[{"name":"timestamp","bits":41,"kind":"timestamp"},{"name":"worker","bits":10,"kind":"node"},{"name":"sequence","bits":12,"kind":"sequence"}],"epoch_ms":1288834974657,"tick_ms":1}"#;
    assert_eq!(cli(&state, &["layout", "check", spec]).0, 0);
    let bad = r#"{"name":"x","fields":[{"name":"timestamp","bits":60,"kind":"timestamp"},{"name":"worker","bits":10,"kind":"node"},{"name":"sequence","bits":12,"kind":"sequence"}]}"#;
    assert_eq!(cli(&state, &["layout", "check", bad]).0, 3);
    assert_eq!(cli(&state, &["layout", "check", "{nope"]).0, 3);
    assert_eq!(cli(&state, &["frobnicate"]).0, 2);
    // A bad --listen is the core's coded INVALID_SETTING naming it, exit 3.
    let (c, _, err) = cli(&state, &["serve", "--listen", "not-an-address"]);
    assert_eq!(c, 3, "{err}");
    assert!(
        err.contains("--listen")
            && err.contains("not-an-address")
            && err.contains("(INVALID_SETTING)"),
        "{err}"
    );
    let (c, out, _) = cli(&state, &["--help"]);
    assert_eq!(c, 0);
    assert!(out.contains("Exit codes"));
    // Unavailable: the only slot of a one-slot space is taken by a server.
    let srv = Server::start(
        &state,
        &[],
        &[
            ("SNOWID_NODE_SOURCE", "env"),
            ("SNOWID_WORKER_ID", "1"),
            ("SNOWID_DATACENTER_ID", "1"),
        ],
    );
    let mut c2 = command(&state);
    c2.args(["next"])
        .env("SNOWID_NODE_SOURCE", "env")
        .env("SNOWID_WORKER_ID", "1")
        .env("SNOWID_DATACENTER_ID", "1");
    let o = c2.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

/// `serve --lanes 2`: the service holds two local slots (the IDs of a
/// batch carry both node numbers, each run increasing); bad values are the
/// core's errors and exit 3 before anything listens.
#[test]
fn lanes_and_random_sequence_start() {
    let state = temp_dir("lanes");
    let s = Server::start(&state, &["--lanes", "2", "--random-sequence-start"], &[]);
    let r = s.get("/v1/next_ids?count=10000", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let ids = ids_of(&r);
    assert_eq!(ids.len(), 10_000);
    let workers: std::collections::BTreeSet<u64> = ids.iter().map(|id| (id >> 12) & 1023).collect();
    assert_eq!(workers.len(), 2, "two lanes, two node numbers: {workers:?}");
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 10_000, "unique");
    let m = s.get("/metrics", &[]).text();
    let info: Vec<&str> = m
        .lines()
        .filter(|l| l.starts_with("snowid_node_info{"))
        .collect();
    assert_eq!(info.len(), 2, "one series per lane: {info:?}");
    for (lane, worker) in workers.iter().enumerate() {
        let series = format!("nodes=\"0,{worker}\",lane=\"{lane}\"}} 1");
        assert!(info[lane].ends_with(&series), "{info:?} lacks {series}");
    }
    assert!(s.term().success());
    for bad in ["0", "1025", "x"] {
        let o = command(&state)
            .args(["serve", "--listen", "127.0.0.1:0", "--lanes", bad])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "--lanes {bad}: {err}");
        assert!(err.contains("lanes"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn segments_over_http() {
    let state = temp_dir("segments");
    let store = format!("file://{}", state.join("counters").display());
    let srv = Server::start(&state, &["--segment-store", &store], &[]);
    let r = srv.get("/v1/segments/orders/next_id", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["key"], "orders");
    assert_eq!(r.json()["id"], "1");
    let r = srv.get("/v1/segments/orders/next_ids?count=4", &[]);
    assert_eq!(ids_of(&r), [2, 3, 4, 5]);
    let r = srv.get("/v1/segments/invoices/next_id", &[]);
    assert_eq!(r.json()["id"], "1", "keys count on their own");
    let r = srv.get("/v1/segments/orders/next_ids?count=%32", &[]);
    assert_eq!(ids_of(&r), [6, 7], "count=%32 is 2");
    for (path, code) in [
        ("/v1/segments/.hidden/next_id", "SEGMENT_KEY"),
        ("/v1/segments/a%20b/next_id", "SEGMENT_KEY"),
        ("/v1/segments/orders/next_ids?count=0", "INVALID_SETTING"),
        ("/v1/segments/orders/next_ids?count=x", "WRONG_TYPE"),
        (
            "/v1/segments/orders/next_ids?count=99999999999999999999999999999999999999999999",
            "INVALID_SETTING",
        ),
        ("/v1/segments/orders/next_ids?count=-1", "INVALID_SETTING"),
        (
            "/v1/segments/orders/next_ids?count=65537",
            "INVALID_SETTING",
        ),
    ] {
        let r = srv.get(path, &[]);
        assert_eq!((r.status, r.error_code().as_str()), (400, code), "{path}");
    }
    srv.term();
    // Restarted on the same store: nothing reissued.
    let srv = Server::start(&state, &["--segment-store", &store], &[]);
    let r = srv.get("/v1/segments/orders/next_id", &[]);
    let id: u64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    assert!(id > 7, "{id}");
    srv.term();
    // A bad store stops the service at start-up.
    let out = command(&state)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--segment-store",
            "ftp://x/",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("SEGMENT_STORE_URL")
            || String::from_utf8_lossy(&out.stderr).contains("unknown scheme")
    );
}

/// The value of the sample `series` (name and labels) in a /metrics text.
fn sample<'a>(metrics: &'a str, series: &str) -> Option<&'a str> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
}

#[test]
fn segment_metrics_per_key() {
    let state = temp_dir("segment-metrics");
    let dir = state.join("counters");
    let store = format!("file://{}", dir.display());
    let args = ["--segment-store", &store, "--segment-max-keys", "3"];
    let srv = Server::start(&state, &args, &[]);
    let m = srv.get("/metrics", &[]).text();
    assert_eq!(sample(&m, "snowid_segment_keys"), Some("0"), "{m}");
    assert_eq!(sample(&m, "snowid_segment_max_keys"), Some("3"));
    assert!(!m.contains("{key="), "{m}");

    assert_eq!(
        srv.get("/v1/segments/orders/next_ids?count=5", &[]).status,
        200
    );
    assert_eq!(srv.get("/v1/segments/orders/next_id", &[]).status, 200);
    assert_eq!(srv.get("/v1/segments/invoices/next_id", &[]).status, 200);
    // A store that cannot be read for this key: a directory where its
    // counter file belongs.
    std::fs::create_dir_all(dir.join("broken.segment")).unwrap();
    let r = srv.get("/v1/segments/broken/next_id", &[]);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (503, "STATE_IO"),
        "{}",
        r.text()
    );
    // Past --segment-max-keys: refused, and not in the metrics.
    let r = srv.get("/v1/segments/extra/next_id", &[]);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (400, "INVALID_SETTING")
    );

    let m = srv.get("/metrics", &[]).text();
    let num = |series: &str| -> u64 {
        sample(&m, series)
            .unwrap_or_else(|| panic!("no {series} in {m}"))
            .parse()
            .unwrap()
    };
    assert_eq!(num("snowid_segment_keys"), 3);
    assert_eq!(num("snowid_segment_ids_issued_total{key=\"orders\"}"), 6);
    assert_eq!(num("snowid_segment_ids_issued_total{key=\"invoices\"}"), 1);
    assert_eq!(num("snowid_segment_ids_issued_total{key=\"broken\"}"), 0);
    assert!(!m.contains("key=\"extra\""), "{m}");
    for key in ["orders", "invoices"] {
        assert!(
            num(&format!(
                "snowid_segment_ranges_fetched_total{{key=\"{key}\"}}"
            )) >= 1
        );
        assert_eq!(
            num(&format!(
                "snowid_segment_fetch_failures_total{{key=\"{key}\"}}"
            )),
            0
        );
        assert!(num(&format!("snowid_segment_step{{key=\"{key}\"}}")) >= 1);
        let buffered = num(&format!("snowid_segment_buffered{{key=\"{key}\"}}"));
        assert!(buffered <= 1);
    }
    assert!(num("snowid_segment_range_start{key=\"orders\"}") <= 1);
    assert!(num("snowid_segment_range_end{key=\"orders\"}") > 6);
    assert!(num("snowid_segment_fetch_failures_total{key=\"broken\"}") >= 1);
    assert_eq!(
        num("snowid_segment_ranges_fetched_total{key=\"broken\"}"),
        0
    );
    let secs: f64 = sample(&m, "snowid_segment_fetch_seconds_total{key=\"orders\"}")
        .unwrap()
        .parse()
        .unwrap();
    assert!(secs > 0.0, "{m}");
    srv.term();
    let _ = std::fs::remove_dir_all(&state);
}

/// `GET /v1/uuid7` and `/v1/ulid`: a version-7 UUID and a ULID, each
/// greater than the one before; HEAD spends nothing (405, as on
/// `/v1/next_id`).
#[test]
fn uuid7_and_ulid_endpoints() {
    let state = temp_dir("uuid");
    let srv = Server::start(&state, &[], &[]);
    let a = srv.get("/v1/uuid7", &[]).json()["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = srv.get("/v1/uuid7", &[("Accept", "text/plain")]).text();
    let b = b.trim_end();
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "7", "version 7: {a}");
    assert!("89ab".contains(&a[19..20]), "RFC variant: {a}");
    assert!(a.as_str() < b, "{a} < {b}");
    let u = srv.get("/v1/ulid", &[]).json()["ulid"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = srv.get("/v1/ulid", &[]).json()["ulid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(u.len(), 26);
    assert!(u < v, "{u} < {v}");
    for path in ["/v1/uuid7", "/v1/ulid"] {
        let r = request(&srv.addr, "HEAD", path, &[]).unwrap();
        assert_eq!((r.status, r.header("allow")), (405, Some("GET")), "{path}");
    }
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn decoded_ids_carry_their_bit_fields_and_history_has_samples() {
    let state = temp_dir("fields");
    let srv = Server::start(&state, &[], &[]);
    // Discord's documented example: 42 bits of time, worker 1, process 0, increment 7.
    let j = srv
        .get("/v1/ids/175928847299117063?layout=discord", &[])
        .json();
    let fields = j["fields"].as_array().unwrap();
    let cols: Vec<(String, u64, u64, u64)> = fields
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap();
            (
                f["name"].as_str().unwrap().to_owned(),
                n("bits"),
                n("shift"),
                n("value"),
            )
        })
        .collect();
    assert_eq!(cols[0].0, "timestamp", "{j}");
    assert_eq!(cols.iter().map(|c| c.1).sum::<u64>(), 64, "{j}");
    assert_eq!(cols[1], ("worker".into(), 5, 17, 1), "{j}");
    assert_eq!(cols.last().unwrap().3, 7, "increment 7: {j}");
    assert_eq!(cols[0].3, j["tick"].as_u64().unwrap(), "{j}");
    // Twitter keeps a sign bit: the first field, 0.
    let j = srv
        .get("/v1/ids/175928847299117063?layout=twitter", &[])
        .json();
    assert_eq!(j["fields"][0]["name"], "sign", "{j}");
    assert_eq!(j["fields"][0]["value"], 0, "{j}");
    let h = srv.get("/v1/history", &[]).json();
    assert_eq!(h["interval_ms"], 1000);
    let samples = h["samples"].as_array().unwrap();
    assert!(!samples.is_empty(), "a sample at start: {h}");
    assert_eq!(samples[0].as_array().unwrap().len(), 3);
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}
