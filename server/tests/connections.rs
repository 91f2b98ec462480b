//! The service's connections, against the real `snowid serve` on
//! 127.0.0.1: header and idle timeouts, the connection limit, SIGTERM with
//! idle and busy connections, HEAD on the routes that issue IDs, coded
//! bodies on the HTTP layer's own errors, and bad server settings.
//!
//! Times are bounded from above with wide margins (a slow machine only
//! makes things later, never earlier), and from below only where the
//! server cannot act before a deadline.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{command, mark_tick, request, temp_dir, Resp, Server};

/// A wide margin for "soon": the server acts in milliseconds.
const MARGIN: Duration = Duration::from_secs(15);

/// Reads one response from a keep-alive connection (by content-length).
fn read_response(s: &mut TcpStream) -> std::io::Result<Resp> {
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn get_on(s: &mut TcpStream, path: &str) -> Resp {
    write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    read_response(s).unwrap()
}

/// Whether the server closed `s` (EOF or reset), without blocking.
fn is_closed(s: &mut TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut b = [0u8; 256];
    let closed = match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false, // an answer; the close follows
        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
        Err(_) => true,
    };
    s.set_nonblocking(false).unwrap();
    closed
}

/// Waits until the server closes `s`; the time it took, or `None` after
/// `limit`.
fn wait_closed(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let t = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut b = [0u8; 65536];
    while t.elapsed() < limit {
        match s.read(&mut b) {
            Ok(0) => return Some(t.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(t.elapsed()),
        }
    }
    None
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn sigterm(child: &Child) {
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
}

fn metric(srv: &Server, name: &str) -> u64 {
    let m = srv.get("/metrics", &[]).text();
    m.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in {m}"))
        .parse()
        .unwrap()
}

fn assert_coded(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    assert!(j["error"]["number"].is_u64(), "{j}");
    assert!(!j["error"]["message"].as_str().unwrap().is_empty(), "{j}");
}

#[test]
fn slowloris_heads_are_cut_at_the_header_timeout() {
    let state = temp_dir("slowloris");
    let srv = Server::start(
        &state,
        &["--header-timeout-ms", "1000", "--idle-timeout-ms", "600000"],
        &[],
    );
    let t0 = Instant::now();
    let mut conns: Vec<(TcpStream, Option<Duration>)> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&srv.addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
                .unwrap();
            (s, None)
        })
        .collect();
    // Trickle one byte per connection every 200 ms: a head that keeps
    // moving is cut all the same.
    while t0.elapsed() < Duration::from_secs(1) + MARGIN
        && conns.iter().any(|(_, closed)| closed.is_none())
    {
        for (s, closed) in conns.iter_mut().filter(|(_, c)| c.is_none()) {
            if is_closed(s) || s.write_all(b"a").is_err() {
                *closed = Some(t0.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let times: Vec<Duration> = conns.iter().filter_map(|(_, c)| *c).collect();
    assert_eq!(times.len(), 200, "all 200 half-sent heads closed");
    let first = times.iter().min().unwrap();
    assert!(
        *first >= Duration::from_millis(1000),
        "none before the timeout: {first:?}"
    );
    assert_eq!(srv.get("/healthz", &[]).status, 200, "still serving");
    assert!(metric(&srv, "snowid_http_connections_header_timeouts_total") >= 200);
    // This /metrics request's connection, perhaps the /healthz one ending.
    assert!(metric(&srv, "snowid_http_connections_open") <= 2);
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn idle_keep_alive_connections_close_after_the_idle_timeout() {
    let state = temp_dir("idle");
    let srv = Server::start(
        &state,
        &["--header-timeout-ms", "300", "--idle-timeout-ms", "3000"],
        &[],
    );
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    assert_eq!(get_on(&mut s, "/healthz").status, 200);
    // Idle longer than the header timeout: still open (the header timeout
    // starts with a request's first byte, not with idleness).
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(get_on(&mut s, "/v1/next_id").status, 200);
    let idle = wait_closed(&mut s, Duration::from_secs(3) + MARGIN)
        .expect("the idle connection is closed");
    assert!(idle >= Duration::from_millis(2500), "closed after {idle:?}");
    assert_eq!(
        metric(&srv, "snowid_http_connections_idle_timeouts_total"),
        1
    );
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn connections_beyond_the_limit_get_503_and_the_service_recovers() {
    let state = temp_dir("limit");
    let srv = Server::start(
        &state,
        &["--max-connections", "4", "--header-timeout-ms", "60000"],
        &[],
    );
    let mut held: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(&srv.addr).unwrap();
            assert_eq!(get_on(&mut s, "/healthz").status, 200);
            s
        })
        .collect();
    for _ in 0..3 {
        let mut s = TcpStream::connect(&srv.addr).unwrap();
        let r = read_response(&mut s).expect("an answer without a request");
        assert_coded(&r, 503, "TOO_MANY_CONNECTIONS");
        assert_eq!(r.header("retry-after"), Some("1"));
        assert!(wait_closed(&mut s, MARGIN).is_some(), "and closed");
    }
    // The held connections still work.
    assert_eq!(get_on(&mut held[0], "/v1/next_id").status, 200);
    drop(held);
    let t = Instant::now();
    let r = loop {
        match request(&srv.addr, "GET", "/metrics", &[]) {
            Ok(r) if r.status == 200 => break r,
            _ if t.elapsed() < MARGIN => std::thread::sleep(Duration::from_millis(50)),
            other => panic!("no recovery: {other:?}"),
        }
    };
    drop(r);
    // The three above, and any /metrics attempt made before the held
    // connections' tasks ended.
    assert!(metric(&srv, "snowid_http_connections_refused_total") >= 3);
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn sigterm_with_idle_and_half_sent_connections_exits_at_once_and_lowers_the_mark() {
    let state = temp_dir("term-idle");
    let args = [
        "--shutdown-grace-ms",
        "30000",
        "--header-timeout-ms",
        "600000",
    ];
    let mut srv = Server::start(&state, &args, &[]);
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    let r = get_on(&mut s, "/v1/next_ids?count=10");
    let last: u64 = r.json()["ids"][9].as_str().unwrap().parse().unwrap();
    let running = mark_tick(&state);
    assert!(running > last >> 22);
    // And one connected without a request yet (a client's pool, a
    // preconnecting browser).
    let mut fresh = TcpStream::connect(&srv.addr).unwrap();
    // And one in the middle of sending a head.
    let mut partial = TcpStream::connect(&srv.addr).unwrap();
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    sigterm(&srv.child);
    // The grace (30 s) bounds requests in flight; an idle connection does
    // not wait for it.
    let status = wait_exit(&mut srv.child, MARGIN).expect("exited while a client idled");
    assert!(status.success(), "{status:?}");
    assert!(wait_closed(&mut s, MARGIN).is_some());
    assert!(wait_closed(&mut fresh, MARGIN).is_some());
    assert!(wait_closed(&mut partial, MARGIN).is_some());
    let after = mark_tick(&state);
    assert!(after < running, "mark lowered ({after} < {running})");
    assert!(after >= last >> 22);
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn sigterm_finishes_requests_in_flight_within_the_grace() {
    let state = temp_dir("term-busy");
    let mut srv = Server::start(
        &state,
        &[
            "--shutdown-grace-ms",
            "3000",
            "--max-batch",
            "1000000",
            "--idle-timeout-ms",
            "600000",
        ],
        &[],
    );
    let path = "/v1/next_ids?count=1000000";
    // A client that reads its (22 MB) answer only after the signal, and
    // one that never reads it.
    let mut reader = TcpStream::connect(&srv.addr).unwrap();
    let mut stalled = TcpStream::connect(&srv.addr).unwrap();
    for s in [&mut reader, &mut stalled] {
        write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    }
    // Both requests are in flight before the signal: the server has begun
    // answering each (a slow debug build under load may take seconds to
    // make 1M IDs; a fixed sleep raced with that). Peeking reads nothing.
    for s in [&reader, &stalled] {
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        assert!(s.peek(&mut [0u8; 1]).unwrap() > 0, "the answer started");
    }
    let t = Instant::now();
    sigterm(&srv.child);
    std::thread::sleep(Duration::from_millis(200));
    let r = read_response(&mut reader).expect("the request in flight is answered");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["ids"].as_array().unwrap().len(), 1_000_000);
    let status = wait_exit(&mut srv.child, Duration::from_secs(3) + MARGIN)
        .expect("exited within the grace while a client does not read");
    let took = t.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took >= Duration::from_millis(2900),
        "waited the grace: {took:?}"
    );
    let ids = r.json()["ids"].as_array().unwrap().clone();
    let last: u64 = ids[ids.len() - 1].as_str().unwrap().parse().unwrap();
    assert!(mark_tick(&state) >= last >> 22);
    drop(stalled);
    drop(srv);
    // The mark was lowered (not left a window ahead): the next start's
    // first ID follows the last one without waiting out a window.
    let srv = Server::start(&state, &[], &[]);
    let next: u64 = srv.get("/v1/next_id", &[]).json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next > last);
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn head_on_routes_that_issue_ids_issues_nothing() {
    let state = temp_dir("head");
    let store = format!("file://{}", state.join("counters").display());
    let srv = Server::start(&state, &["--segment-store", &store], &[]);
    assert_eq!(
        srv.get("/v1/segments/orders/next_id", &[]).json()["id"],
        "1"
    );
    let issued = |srv: &Server| srv.get("/v1/stats", &[]).json()["issued"].as_u64().unwrap();
    let before = issued(&srv);
    for path in [
        "/v1/next_id",
        "/v1/next_ids?count=1000",
        "/v1/segments/orders/next_id",
        "/v1/segments/orders/next_ids?count=100",
        "/v1/segments/fresh/next_ids?count=100",
    ] {
        for _ in 0..3 {
            let r = request(&srv.addr, "HEAD", path, &[]).unwrap();
            assert_eq!(r.status, 405, "HEAD {path}");
            assert_eq!(r.header("allow"), Some("GET"), "HEAD {path}");
            assert!(r.body.is_empty());
        }
    }
    assert_eq!(issued(&srv), before, "no ID issued by HEAD");
    let r = srv.get("/v1/segments/orders/next_id", &[]);
    assert_eq!(r.json()["id"], "2", "the dense counter did not move");
    assert_eq!(srv.get("/v1/segments/fresh/next_id", &[]).json()["id"], "1");
    // HEAD elsewhere is still served.
    for path in ["/healthz", "/v1/layout", "/v1/stats", "/openapi.json"] {
        assert_eq!(request(&srv.addr, "HEAD", path, &[]).unwrap().status, 200);
    }
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn the_http_layers_own_errors_carry_the_coded_body() {
    let state = temp_dir("codes");
    let srv = Server::start(&state, &[], &[]);
    let long = format!("/{}", "a".repeat(70_000));
    assert_coded(&srv.get(&long, &[]), 414, "URI_TOO_LONG");
    let many: Vec<(String, String)> = (0..150).map(|i| (format!("X-{i}"), "a".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_coded(&srv.get("/healthz", &many), 431, "HEADERS_TOO_LARGE");
    let huge = "x".repeat(500_000);
    assert_coded(
        &srv.get("/healthz", &[("X-Huge", &huge)]),
        431,
        "HEADERS_TOO_LARGE",
    );
    let big = "x".repeat(20_000);
    assert_coded(
        &srv.get("/healthz", &[("X-Big", &big)]),
        431,
        "HEADERS_TOO_LARGE",
    );
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    s.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    assert_coded(&read_response(&mut s).unwrap(), 400, "BAD_REQUEST");
    // An extractor's rejection (a key that is not UTF-8).
    assert_coded(
        &srv.get("/v1/segments/%FF/next_id", &[]),
        400,
        "BAD_REQUEST",
    );
    assert_coded(&srv.get("/nope", &[]), 404, "NOT_FOUND");
    let r = request(&srv.addr, "DELETE", "/v1/stats", &[]).unwrap();
    assert_coded(&r, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(srv.get("/healthz", &[]).status, 200);
    assert!(metric(&srv, "snowid_http_malformed_requests_total") >= 4);
    assert!(srv.term().success());
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn bad_server_settings_stop_the_service_at_start_up() {
    let state = temp_dir("settings");
    for (flag, value, code, range) in [
        (
            "--max-header-bytes",
            "0",
            "INVALID_SETTING",
            "1024..=262144",
        ),
        ("--segment-max-keys", "0", "INVALID_SETTING", "1..=1000000"),
        ("--max-batch", "0", "INVALID_SETTING", "1..=16777216"),
        ("--max-batch", "16777217", "INVALID_SETTING", "1..=16777216"),
        (
            "--request-timeout-ms",
            "0",
            "INVALID_SETTING",
            "1..=3600000",
        ),
        ("--header-timeout-ms", "0", "INVALID_SETTING", "1..=3600000"),
        ("--idle-timeout-ms", "-5", "INVALID_SETTING", "1..=3600000"),
        ("--max-connections", "0", "INVALID_SETTING", "1..=1000000"),
        (
            "--shutdown-grace-ms",
            "3600001",
            "INVALID_SETTING",
            "0..=3600000",
        ),
        (
            "--max-connections",
            "99999999999999999999999999999999999999999999",
            "INVALID_SETTING",
            "1..=1000000",
        ),
        ("--max-connections", "many", "WRONG_TYPE", "an integer"),
        ("--workers", "0", "INVALID_SETTING", "1..=1024"),
        ("--workers", "1025", "INVALID_SETTING", "1..=1024"),
        ("--workers", "two", "WRONG_TYPE", "an integer"),
    ] {
        let mut child = command(&state)
            .args(["serve", "--listen", "127.0.0.1:0", flag, value])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let Some(status) = wait_exit(&mut child, MARGIN) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{flag} {value}: the service started");
        };
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(3), "{flag} {value}: {err}");
        for part in [flag, value, code, range] {
            assert!(err.contains(part), "{flag} {value}: {part:?} not in {err}");
        }
        assert!(!err.contains("listening"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&state);
}
