//! `snowid serve`: the HTTP ID service (tokio + axum).
//!
//! Every ID decision is the core's: the generator comes from the default
//! settings (`SNOWID_*` environment, machine-local slot by default), values
//! are converted to `snowid::Value`, errors keep the core's code and number.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use snowid::{Error, ErrorKind, Generator, Layout, Value};
use tower::ServiceExt;

use crate::{Fail, EXIT_UNAVAILABLE, EXIT_USAGE};

/// The web page (written by the page's own helper; compiled in).
const INDEX_HTML: &str = include_str!("../static/index.html");
/// The committed OpenAPI document, served as is.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Largest `count` accepted by /v1/next_ids (1..=16777216).
    #[arg(long, default_value = "65536", allow_hyphen_values = true)]
    max_batch: String,
    /// File holding the bearer token (else $SNOWID_TOKEN; neither: no auth).
    #[arg(long)]
    token_file: Option<std::path::PathBuf>,
    /// Longest time a batch (/v1/next_ids) may take before it gets 503
    /// TIMEOUT (ms, 1..=3600000); the other endpoints never wait.
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    request_timeout_ms: String,
    /// Largest total size of the request line and headers (bytes,
    /// 1024..=262144; else 431).
    #[arg(long, default_value = "16384", allow_hyphen_values = true)]
    max_header_bytes: String,
    /// Longest time to receive a request's line and headers, from accept
    /// or from its first byte after the previous response (ms,
    /// 1..=3600000); then the connection is closed (slowloris).
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    header_timeout_ms: String,
    /// Longest time a keep-alive connection stays open with no request in
    /// flight and nothing sent or received (ms, 1..=3600000).
    #[arg(long, default_value = "75000", allow_hyphen_values = true)]
    idle_timeout_ms: String,
    /// Most connections served at once (1..=1000000); beyond it a new
    /// connection gets 503 TOO_MANY_CONNECTIONS and is closed at once.
    #[arg(long, default_value = "1024", allow_hyphen_values = true)]
    max_connections: String,
    /// On SIGTERM/SIGINT: idle connections close at once; requests in
    /// flight get at most this long to finish (ms, 0..=3600000) before the
    /// generator shuts down (mark lowered) and the process exits.
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    shutdown_grace_ms: String,
    /// Request worker threads (default: one per core). On a machine shared
    /// with a load generator or other busy processes, fewer workers than
    /// cores avoid preemption in the middle of requests (see the README's
    /// benchmark).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,
    /// Node numbers the generator holds, one lane per worker thread
    /// (capacity x N; each claimed from the environment's node source).
    #[arg(long, allow_hyphen_values = true)]
    lanes: Option<String>,
    /// Start each tick entered from the clock at a pseudo-random sequence,
    /// so `id % shards` spreads at low rates.
    #[arg(long)]
    random_sequence_start: bool,
    /// Store of the segment counters (/v1/segments/...): file:///dir,
    /// postgres://..., redis://... (else $SNOWID_SEGMENT_STORE, else
    /// file://<state dir>/segments).
    #[arg(long)]
    segment_store: Option<String>,
    /// Most segment keys one service serves (1..=1000000; each holds a
    /// prefetch thread).
    #[arg(long, default_value = "1024", allow_hyphen_values = true)]
    segment_max_keys: String,
}

/// The service's numeric settings, each checked against its range with the
/// core's coded error naming the flag (`INVALID_SETTING`, `WRONG_TYPE`).
struct Settings {
    max_batch: u64,
    request_timeout: Duration,
    max_header_bytes: usize,
    segment_max_keys: usize,
    limits: crate::conn::Limits,
}

fn setting(flag: &str, text: &str, min: i128, max: i128) -> Result<i128, Error> {
    snowid::value::integer_text(text).int_in(flag, min, max)
}

fn ms(flag: &str, text: &str, min: i128) -> Result<Duration, Error> {
    setting(flag, text, min, 3_600_000).map(|v| Duration::from_millis(v as u64))
}

impl Settings {
    fn from_args(a: &ServeArgs) -> Result<Settings, Error> {
        Ok(Settings {
            max_batch: setting("--max-batch", &a.max_batch, 1, snowid::MAX_BATCH.into())? as u64,
            request_timeout: ms("--request-timeout-ms", &a.request_timeout_ms, 1)?,
            max_header_bytes: setting("--max-header-bytes", &a.max_header_bytes, 1024, 262_144)?
                as usize,
            segment_max_keys: setting("--segment-max-keys", &a.segment_max_keys, 1, 1_000_000)?
                as usize,
            limits: crate::conn::Limits {
                header_timeout: ms("--header-timeout-ms", &a.header_timeout_ms, 1)?,
                idle_timeout: ms("--idle-timeout-ms", &a.idle_timeout_ms, 1)?,
                max_connections: setting("--max-connections", &a.max_connections, 1, 1_000_000)?
                    as usize,
                shutdown_grace: ms("--shutdown-grace-ms", &a.shutdown_grace_ms, 0)?,
            },
        })
    }
}

/// Endpoint labels for metrics.
const ENDPOINTS: [&str; 11] = [
    "next_id", "next_ids", "ids", "layout", "stats", "healthz", "readyz", "metrics", "index",
    "openapi", "other",
];
/// Status codes counted one by one; anything else counts as "other".
const STATUSES: [u16; 8] = [200, 400, 401, 404, 405, 431, 503, 500];
/// Latency histogram bucket bounds in microseconds.
const BUCKETS_US: [u64; 12] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000, 1_000_000, 10_000_000,
];

const EP_NEXT_ID: usize = 0;
const EP_HEALTHZ: usize = 5;

fn endpoint_of(path: &str) -> usize {
    match path {
        "/v1/next_id" => 0,
        "/v1/next_ids" => 1,
        "/v1/layout" => 3,
        "/v1/stats" => 4,
        "/healthz" => 5,
        "/readyz" => 6,
        "/metrics" => 7,
        "/" => 8,
        "/openapi.json" => 9,
        p if p.starts_with("/v1/ids/") && !p["/v1/ids/".len()..].contains('/') => 2,
        _ => 10,
    }
}

#[derive(Default)]
struct Metrics {
    requests: [[AtomicU64; STATUSES.len() + 1]; ENDPOINTS.len()],
    latency: [[AtomicU64; BUCKETS_US.len() + 1]; ENDPOINTS.len()],
    latency_sum_us: [AtomicU64; ENDPOINTS.len()],
    errors: Mutex<BTreeMap<(usize, String), u64>>,
    errors_total: AtomicU64,
}

pub(crate) struct AppState {
    gen: Generator,
    pub(crate) segments: crate::segment::Segments,
    pub(crate) max_batch: u64,
    token: Option<Vec<u8>>,
    timeout: Duration,
    max_header_bytes: usize,
    metrics: Metrics,
    conns: Arc<crate::conn::ConnStats>,
}

pub(crate) type St = Arc<AppState>;

/// The error code a response carries (for the metrics).
#[derive(Clone)]
struct ErrCode(String);

fn error_body(status: StatusCode, code: &str, number: u32, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "number": number, "message": message}});
    let mut r = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r.extensions_mut().insert(ErrCode(code.to_owned()));
    r
}

/// A core error as a response: 400 invalid input, 503 unavailable.
pub(crate) fn core_error(e: &Error) -> Response {
    let status = match e.kind() {
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    error_body(status, e.code(), e.number(), &e.to_string())
}

fn json(v: serde_json::Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        v.to_string(),
    )
        .into_response()
}

fn accepts(h: &HeaderMap, mime: &str) -> bool {
    h.get_all(header::ACCEPT)
        .iter()
        .any(|v| v.to_str().map(|s| s.contains(mime)).unwrap_or(false))
}

/// The first value of `key` in the raw query, undecoded (a `count` is
/// decoded by the core's `value::query_count`; IDs and preset names need
/// no decoding).
pub(crate) fn query_param<'a>(uri: &'a Uri, key: &str) -> Option<&'a str> {
    uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then_some(v)
    })
}

/// `/v1/next_id`: one ID, JSON (`{"id":"<decimal>"}`) or `text/plain`.
fn next_id_response(st: &AppState, headers: &HeaderMap) -> Response {
    match st.gen.next_id() {
        Ok(id) => {
            let mut buf = itoa::Buffer::new();
            let digits = buf.format(id);
            let (body, ctype) = if accepts(headers, "text/plain") {
                let mut b = String::with_capacity(digits.len() + 1);
                b.push_str(digits);
                b.push('\n');
                (b, "text/plain; charset=utf-8")
            } else {
                let mut b = String::with_capacity(digits.len() + 10);
                b.push_str("{\"id\":\"");
                b.push_str(digits);
                b.push_str("\"}");
                (b, "application/json")
            };
            let mut r = Response::new(axum::body::Body::from(body));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            r
        }
        Err(e) => core_error(&e),
    }
}

async fn next_id(State(st): State<St>, req: Request) -> Response {
    next_id_response(&st, req.headers())
}

fn healthz_response() -> Response {
    let mut r = Response::new(axum::body::Body::from("ok\n"));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn fill(gen: &Generator, n: usize) -> Result<Vec<u64>, Error> {
    let mut out = vec![0u64; n];
    let mut filled = 0;
    while filled < n {
        filled += gen.next_batch(&mut out[filled..])?;
    }
    Ok(out)
}

async fn next_ids(State(st): State<St>, req: Request) -> Response {
    let (headers, uri) = (req.headers(), req.uri());
    let count = match query_param(uri, "count").map(|s| snowid::value::query_count(s, st.max_batch))
    {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(e)) => return core_error(&e),
    };
    let ids = if count > 4096 {
        let st2 = st.clone();
        let task = tokio::task::spawn_blocking(move || fill(&st2.gen, count));
        match tokio::time::timeout(st.timeout, task).await {
            Ok(Ok(r)) => r,
            Err(_) => {
                // The IDs the task still makes are never sent: a gap, never
                // a duplicate.
                return error_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "TIMEOUT",
                    0,
                    "request timed out",
                );
            }
            Ok(Err(_)) => {
                return error_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "INTERNAL",
                    0,
                    "batch task failed",
                )
            }
        }
    } else {
        fill(&st.gen, count)
    };
    let ids = match ids {
        Ok(v) => v,
        Err(e) => return core_error(&e),
    };
    if accepts(headers, "application/octet-stream") {
        let mut b = Vec::with_capacity(ids.len() * 8);
        for id in &ids {
            b.extend_from_slice(&id.to_le_bytes());
        }
        return (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            )],
            b,
        )
            .into_response();
    }
    if accepts(headers, "text/plain") {
        let mut s = String::with_capacity(ids.len() * 20);
        for id in &ids {
            s.push_str(&id.to_string());
            s.push('\n');
        }
        return (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            s,
        )
            .into_response();
    }
    let mut s = String::with_capacity(ids.len() * 22 + 10);
    s.push_str("{\"ids\":[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('"');
        s.push_str(&id.to_string());
        s.push('"');
    }
    s.push_str("]}");
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        s,
    )
        .into_response()
}

fn layout_param(st: &AppState, uri: &Uri) -> Result<Layout, Error> {
    match query_param(uri, "layout") {
        None => Ok(st.gen.layout().clone()),
        Some(l) => Layout::from_value(&Value::Str(l.to_owned()), "layout"),
    }
}

async fn ids(State(st): State<St>, uri: Uri) -> Response {
    let raw = uri.path().strip_prefix("/v1/ids/").unwrap_or("");
    let r = layout_param(&st, &uri)
        .and_then(|layout| crate::parse_any(raw).and_then(|id| crate::inspect_json(&layout, id)));
    match r {
        Ok(j) => json(j),
        Err(e) => core_error(&e),
    }
}

async fn layout(State(st): State<St>) -> Response {
    let mut j = crate::layout_json(st.gen.layout());
    j["source"] = st.gen.source().into();
    json(j)
}

async fn stats(State(st): State<St>) -> Response {
    let s = st.gen.stats();
    let requests: u64 = st
        .metrics
        .requests
        .iter()
        .flat_map(|r| r.iter())
        .map(|a| a.load(Relaxed))
        .sum();
    json(serde_json::json!({
        "issued": s.issued,
        "overflow_waits": s.overflow_waits,
        "clock_regressions": s.clock_regressions,
        "largest_regression_ms": s.largest_regression_ms,
        "borrowed_ticks": s.borrowed_ticks,
        "skew_ms": s.skew_ms,
        "requests": requests,
        "errors": st.metrics.errors_total.load(Relaxed),
    }))
}

async fn healthz() -> Response {
    healthz_response()
}

/// Ready while the generator can issue ([`Generator::ready`]: no ID is
/// spent and no counter moves); else 503 with the core's code
/// (`LEASE_LOST`, `BEHIND_HIGH_WATER`, `CLOCK_MOVED_BACKWARDS`, ...).
async fn readyz(State(st): State<St>) -> Response {
    match st.gen.ready() {
        Ok(()) => "ready\n".into_response(),
        Err(e) => core_error(&e),
    }
}

/// A Prometheus label value, escaped.
pub(crate) fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The generator's metrics as `"<name> <type> <help>"`, in the order
/// `metrics` gives their values.
const GENERATOR_METRICS: [&str; 6] = [
    "snowid_ids_issued_total counter IDs issued by this process.",
    "snowid_overflow_waits_total counter Times the sequence ran out and the generator waited for the next tick.",
    "snowid_clock_regressions_total counter Times the clock was seen going backwards.",
    "snowid_clock_regression_largest_ms gauge The largest clock regression seen, in ms.",
    "snowid_borrowed_ticks_total counter Ticks borrowed from the future during regressions.",
    "snowid_clock_skew_ms gauge Wall clock minus the generator's monotonic clock, in ms (alert when |skew| > 100).",
];

/// The connection counters of [`crate::conn::ConnStats`], in its order.
const CONNECTION_METRICS: [&str; 6] = [
    "snowid_http_connections_open gauge Connections open now (at most --max-connections).",
    "snowid_http_connections_accepted_total counter Connections accepted.",
    "snowid_http_connections_refused_total counter Connections beyond --max-connections, answered 503 TOO_MANY_CONNECTIONS and closed.",
    "snowid_http_connections_header_timeouts_total counter Connections closed because a request head took longer than --header-timeout-ms.",
    "snowid_http_connections_idle_timeouts_total counter Connections closed after --idle-timeout-ms with nothing moving.",
    "snowid_http_malformed_requests_total counter Request heads the HTTP layer could not take (400 malformed, 414, 431 beyond its buffer), answered with a coded body and closed.",
];

const NODE_INFO: &str =
    "snowid_node_info gauge The node numbers' source and the layout, one series per lane.";

/// Writes one metric family in the Prometheus text format: `def` is
/// `"<name> <type> <help>"`, each sample `(labels, value)` with labels such
/// as `key="orders"` (escaped by the caller) or none.
pub(crate) fn family<L: std::fmt::Display, V: std::fmt::Display>(
    o: &mut String,
    def: &str,
    samples: impl IntoIterator<Item = (L, V)>,
) {
    use std::fmt::Write;
    let mut words = def.splitn(3, ' ');
    let (name, kind, help) = (
        words.next().unwrap_or(""),
        words.next().unwrap_or(""),
        words.next().unwrap_or(""),
    );
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, v) in samples {
        let labels = labels.to_string();
        if labels.is_empty() {
            let _ = writeln!(o, "{name} {v}");
        } else {
            let _ = writeln!(o, "{name}{{{labels}}} {v}");
        }
    }
}

async fn metrics(State(st): State<St>) -> Response {
    use std::fmt::Write;
    let s = st.gen.stats();
    let m = &st.metrics;
    let mut o = String::with_capacity(8192);
    let values: [i128; 6] = [
        s.issued.into(),
        s.overflow_waits.into(),
        s.clock_regressions.into(),
        s.largest_regression_ms.into(),
        s.borrowed_ticks.into(),
        s.skew_ms.into(),
    ];
    for (def, v) in GENERATOR_METRICS.iter().zip(values) {
        family(&mut o, def, [("", v)]);
    }
    let (source, layout) = (esc(st.gen.source()), esc(st.gen.layout().name()));
    let lanes = st
        .gen
        .lane_nodes()
        .into_iter()
        .enumerate()
        .map(|(lane, nodes)| {
            let nodes: Vec<String> = nodes.iter().map(u32::to_string).collect();
            let nodes = nodes.join(",");
            let labels = format!(
                "source=\"{source}\",layout=\"{layout}\",nodes=\"{nodes}\",lane=\"{lane}\""
            );
            (labels, 1)
        });
    family(&mut o, NODE_INFO, lanes);
    let _ = writeln!(o, "# HELP snowid_http_requests_total HTTP requests by endpoint and status code.\n# TYPE snowid_http_requests_total counter");
    for (e, row) in m.requests.iter().enumerate() {
        for (i, c) in row.iter().enumerate() {
            let v = c.load(Relaxed);
            if v > 0 {
                let code = STATUSES
                    .get(i)
                    .map(|s| s.to_string())
                    .unwrap_or("other".into());
                let _ = writeln!(
                    o,
                    "snowid_http_requests_total{{endpoint=\"{}\",code=\"{code}\"}} {v}",
                    ENDPOINTS[e]
                );
            }
        }
    }
    let _ = writeln!(o, "# HELP snowid_http_errors_total HTTP error responses by endpoint and error code.\n# TYPE snowid_http_errors_total counter");
    if let Ok(errs) = m.errors.lock() {
        for ((e, code), v) in errs.iter() {
            let _ = writeln!(
                o,
                "snowid_http_errors_total{{endpoint=\"{}\",error_code=\"{}\"}} {v}",
                ENDPOINTS[*e],
                esc(code)
            );
        }
    }
    let _ = writeln!(o, "# HELP snowid_http_request_duration_seconds Request latency by endpoint.\n# TYPE snowid_http_request_duration_seconds histogram");
    for (e, row) in m.latency.iter().enumerate() {
        let total: u64 = row.iter().map(|c| c.load(Relaxed)).sum();
        if total == 0 {
            continue;
        }
        let mut cum = 0;
        for (i, c) in row.iter().enumerate() {
            cum += c.load(Relaxed);
            let le = BUCKETS_US
                .get(i)
                .map(|us| format!("{}", *us as f64 / 1e6))
                .unwrap_or("+Inf".into());
            let _ = writeln!(
                o,
                "snowid_http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{le}\"}} {cum}",
                ENDPOINTS[e]
            );
        }
        let _ = writeln!(
            o,
            "snowid_http_request_duration_seconds_sum{{endpoint=\"{}\"}} {}",
            ENDPOINTS[e],
            m.latency_sum_us[e].load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            o,
            "snowid_http_request_duration_seconds_count{{endpoint=\"{}\"}} {total}",
            ENDPOINTS[e]
        );
    }
    let c = &st.conns;
    for (def, v) in CONNECTION_METRICS.iter().zip([
        &c.open,
        &c.accepted,
        &c.refused,
        &c.header_timeouts,
        &c.idle_timeouts,
        &c.http_errors,
    ]) {
        family(&mut o, def, [("", v.load(Relaxed))]);
    }
    st.segments.write_metrics(&mut o);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        o,
    )
        .into_response()
}

async fn index() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        INDEX_HTML,
    )
        .into_response()
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

async fn not_found() -> Response {
    error_body(StatusCode::NOT_FOUND, "NOT_FOUND", 0, "no such endpoint")
}

async fn method_not_allowed() -> Response {
    let mut r = error_body(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        0,
        "only GET (and HEAD where no ID is issued) are served",
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

/// Constant-time comparison of a presented token with the expected one
/// (the time depends only on the expected token's length).
fn token_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = given.len() ^ expected.len();
    for (i, b) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(0);
        diff |= usize::from(g ^ b);
    }
    std::hint::black_box(diff) == 0
}

/// The token of an `Authorization: Bearer <token>` value: the scheme is
/// case-insensitive (RFC 9110 11.1) and followed by one or more spaces.
fn bearer_token(v: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = v.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    let token = rest.trim_ascii_start();
    (!token.is_empty()).then_some(token)
}

/// Routes that issue IDs: HEAD on them gets 405 (axum would run the GET
/// handler for a HEAD and spend IDs on an answer without a body).
fn issues_ids(path: &str) -> bool {
    matches!(path, "/v1/next_id" | "/v1/next_ids")
        || path.strip_prefix("/v1/segments/").is_some_and(|rest| {
            rest.split_once('/').is_some_and(|(key, tail)| {
                !key.is_empty() && matches!(tail, "next_id" | "next_ids")
            })
        })
}

fn head_refused() -> Response {
    let mut r = error_body(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        0,
        "this endpoint issues IDs: only GET is served (HEAD would spend IDs)",
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET"));
    r
}

/// A routed error answer without the coded JSON body (an axum extractor's
/// rejection, ...) rewritten to carry it, keeping its status and message.
async fn coded(resp: Response) -> Response {
    if resp.status().as_u16() < 400 || resp.extensions().get::<ErrCode>().is_some() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let code = match parts.status {
        StatusCode::BAD_REQUEST => "BAD_REQUEST",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::URI_TOO_LONG => "URI_TOO_LONG",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "HEADERS_TOO_LARGE",
        s if s.is_server_error() => "INTERNAL",
        _ => "HTTP_ERROR",
    };
    let message = if text.trim().is_empty() {
        parts.status.canonical_reason().unwrap_or("error")
    } else {
        text.trim()
    };
    let mut r = error_body(parts.status, code, 0, message);
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            r.headers_mut().insert(name, v.clone());
        }
    }
    r
}

fn needs_token(path: &str) -> bool {
    path.starts_with("/v1/") || path == "/metrics"
}

/// The answer to a request that fails the limits or the token check.
fn refuse(st: &AppState, req: &Request) -> Option<Response> {
    let header_bytes: usize = req.uri().path().len()
        + req.uri().query().map_or(0, str::len)
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if header_bytes > st.max_header_bytes {
        return Some(error_body(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            0,
            "request headers too large",
        ));
    }
    if st.token.as_ref().is_some_and(|t| {
        needs_token(req.uri().path())
            && !req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| bearer_token(v.as_bytes()))
                .is_some_and(|g| token_eq(g, t))
    }) {
        let mut r = error_body(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            0,
            "a valid bearer token is required",
        );
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Some(r);
    }
    None
}

/// Counts a finished request in the metrics.
fn record(st: &AppState, ep: usize, start: Instant, resp: &Response) {
    let status = resp.status().as_u16();
    let si = STATUSES
        .iter()
        .position(|s| *s == status)
        .unwrap_or(STATUSES.len());
    let m = &st.metrics;
    m.requests[ep][si].fetch_add(1, Relaxed);
    if status >= 400 {
        m.errors_total.fetch_add(1, Relaxed);
        let code = resp
            .extensions()
            .get::<ErrCode>()
            .map(|c| c.0.clone())
            .unwrap_or_else(|| status.to_string());
        if let Ok(mut errs) = m.errors.lock() {
            *errs.entry((ep, code)).or_insert(0) += 1;
        }
    }
    let us = start.elapsed().as_micros() as u64;
    let b = BUCKETS_US
        .iter()
        .position(|b| us <= *b)
        .unwrap_or(BUCKETS_US.len());
    m.latency[ep][b].fetch_add(1, Relaxed);
    m.latency_sum_us[ep].fetch_add(us, Relaxed);
}

/// In front of the router: limits, authentication and metrics for every
/// request, HEAD refused on the routes that issue IDs, and the two hot
/// endpoints (`GET /v1/next_id`, `GET /healthz`) answered here without the
/// router's per-request boxing (callgrind: ~20% fewer instructions per
/// request than a `from_fn` middleware + route). Every other request goes
/// through the router; an error it answers without the coded JSON body
/// gets one.
#[derive(Clone)]
struct Front {
    st: St,
    router: Router,
}

/// One connection's service: the [`Front`] and the connection's watch
/// (a request in flight suspends its timeouts).
struct ConnService {
    front: Front,
    watch: Arc<crate::conn::Watch>,
}

/// A response ready now, or the router's future; the request counts as in
/// flight on its connection until this is done or dropped.
struct FrontFuture {
    inner: Inner,
    _in_flight: crate::conn::InFlight,
}

enum Inner {
    Ready(Option<Response>),
    Routed(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Future for FrontFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            Inner::Ready(r) => match r.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending, // polled after completion: never
            },
            Inner::Routed(f) => f.as_mut().poll(cx).map(Ok),
        }
    }
}

impl hyper::service::Service<hyper::Request<hyper::body::Incoming>> for ConnService {
    type Response = Response;
    type Error = Infallible;
    type Future = FrontFuture;

    fn call(&self, req: hyper::Request<hyper::body::Incoming>) -> FrontFuture {
        let in_flight = self.watch.request_started();
        FrontFuture {
            inner: self.front.handle(req.map(axum::body::Body::new)),
            _in_flight: in_flight,
        }
    }
}

impl Front {
    fn handle(&self, req: Request) -> Inner {
        let start = Instant::now();
        let ep = endpoint_of(req.uri().path());
        let get = req.method() == axum::http::Method::GET;
        let head = req.method() == axum::http::Method::HEAD;
        let resp = match refuse(&self.st, &req) {
            Some(r) => r,
            None if head && issues_ids(req.uri().path()) => head_refused(),
            None if get && ep == EP_NEXT_ID => next_id_response(&self.st, req.headers()),
            None if get && ep == EP_HEALTHZ => healthz_response(),
            None => {
                let (st, router) = (self.st.clone(), self.router.clone());
                return Inner::Routed(Box::pin(async move {
                    let resp = match router.oneshot(req).await {
                        Ok(r) => r,
                        Err(never) => match never {},
                    };
                    let resp = coded(resp).await;
                    record(&st, ep, start, &resp);
                    resp
                }));
            }
        };
        record(&self.st, ep, start, &resp);
        Inner::Ready(Some(resp))
    }
}

fn router(st: St) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/next_id", get(next_id))
        .route("/v1/next_ids", get(next_ids))
        .route("/v1/ids/{id}", get(ids))
        .route("/v1/layout", get(layout))
        .route("/v1/stats", get(stats))
        .route("/v1/segments/{key}/next_id", get(crate::segment::next_id))
        .route("/v1/segments/{key}/next_ids", get(crate::segment::next_ids))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(st)
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
    eprintln!("snowid: shutting down (finishing in-flight requests)");
}

fn read_token(args: &ServeArgs) -> Result<Option<Vec<u8>>, Fail> {
    let t = match &args.token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Fail(EXIT_USAGE, format!("--token-file {}: {e}", f.display())))?,
        ),
        None => std::env::var("SNOWID_TOKEN").ok(),
    };
    match t.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() => Err(Fail(EXIT_USAGE, "the bearer token is empty".into())),
        Some(t) => Ok(Some(t.into_bytes())),
        None => Ok(None),
    }
}

pub fn run(args: ServeArgs) -> Result<(), Fail> {
    let token = read_token(&args)?;
    let set = Settings::from_args(&args)?;
    let addr: SocketAddr = args
        .listen
        .parse()
        .map_err(|e| Fail(EXIT_USAGE, format!("--listen {:?}: {e}", args.listen)))?;
    let mut opts = snowid::GeneratorOptions::new();
    if let Some(n) = &args.lanes {
        opts.set("lanes", crate::number_value(n));
    }
    if args.random_sequence_start {
        opts.set("random_sequence_start", true);
    }
    let settings = snowid::options::resolve_service(
        (!opts.is_empty()).then_some(&opts),
        &snowid::env::Environment::process(),
    )?;
    let gen = settings.build()?;
    let segments =
        crate::segment::Segments::new(args.segment_store.as_deref(), set.segment_max_keys)
            .map_err(|e| Fail(EXIT_USAGE, format!("--segment-store: {e}")))?;
    let conns = Arc::new(crate::conn::ConnStats::default());
    let st = Arc::new(AppState {
        gen,
        segments,
        max_batch: set.max_batch,
        token,
        timeout: set.request_timeout,
        max_header_bytes: set.max_header_bytes,
        metrics: Metrics::default(),
        conns: conns.clone(),
    });
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers {
        rt.worker_threads(n.into());
    }
    let rt = rt
        .enable_all()
        .build()
        .map_err(|e| Fail(EXIT_UNAVAILABLE, format!("tokio runtime: {e}")))?;
    let front = Front {
        st: st.clone(),
        router: router(st.clone()),
    };
    let st2 = st.clone();
    let limits = set.limits;
    let r = rt.block_on(async move {
        let st = st2;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Fail(EXIT_UNAVAILABLE, format!("listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Fail(EXIT_UNAVAILABLE, e.to_string()))?;
        eprintln!(
            "snowid: listening on http://{local} (layout {}, nodes from {}, auth {})",
            st.gen.layout().name(),
            st.gen.source(),
            if st.token.is_some() {
                "bearer token"
            } else {
                "off"
            }
        );
        let service = |watch| ConnService {
            front: front.clone(),
            watch,
        };
        crate::conn::serve(listener, limits, conns, service, shutdown_signal()).await;
        Ok(())
    });
    // Connections still open after the grace are dropped here; a batch
    // still being filled on the blocking pool gets a moment (its IDs are
    // never sent: a gap, never a duplicate).
    rt.shutdown_timeout(Duration::from_secs(1));
    // Lower the high-water mark to the last tick issued and release the
    // node numbers (lease / slot lock) before exiting.
    st.gen.shutdown();
    drop(st);
    eprintln!("snowid: stopped");
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_compare() {
        assert!(token_eq(b"secret", b"secret"));
        assert!(!token_eq(b"secreT", b"secret"));
        assert!(!token_eq(b"secret1", b"secret"));
        assert!(!token_eq(b"", b"secret"));
    }

    #[test]
    fn endpoints() {
        assert_eq!(ENDPOINTS[endpoint_of("/v1/ids/123")], "ids");
        assert_eq!(ENDPOINTS[endpoint_of("/v1/ids/1/2")], "other");
        assert_eq!(ENDPOINTS[endpoint_of("/nope")], "other");
    }
}
