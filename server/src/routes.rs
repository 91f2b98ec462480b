//! The routes of `snowid serve` and their handlers. A handler reads the
//! request's values through the core (`count` by `value::query_count`, IDs
//! and layouts by the core's parsers), calls the generator or a segment and
//! shapes the answer; every error is [`core_error`]'s coded JSON.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use snowid::{Error, Generator, Layout, Value};

use crate::conn::ConnStats;
use crate::http::{
    accepts, core_error, count_param, error_body, error_with_header, json, query_param, with_type,
};
use crate::metrics::{GrpcStats, History, Metrics};
use crate::segment::{self, Segments};
use crate::shapes;

/// The web page (written by the page's own helper; compiled in).
const INDEX_HTML: &str = include_str!("../static/index.html");
/// The committed OpenAPI document, served as is.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// What the handlers share: the generator, the segments, the request
/// counters and the limits a handler applies itself.
pub struct AppState {
    pub gen: Generator,
    pub segments: Arc<Segments>,
    /// Largest `count` of a batch (`--max-batch`).
    pub max_batch: u64,
    /// Longest time a batch may take (`--request-timeout-ms`).
    pub timeout: Duration,
    pub metrics: Metrics,
    pub conns: Arc<ConnStats>,
    /// The gRPC listener's counters, when it listens (`--grpc-listen`).
    pub grpc: Option<GrpcStats>,
    /// The counters once a second (`/v1/history`).
    pub history: History,
}

pub type St = Arc<AppState>;

/// Every route; the front answers `GET /v1/next_id` and `GET /healthz`
/// before the router with the same handlers ([`next_id_response`],
/// [`healthz_response`]).
pub fn router(st: St) -> Router {
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
        .route("/v1/history", get(history))
        .route("/v1/segments/{key}/next_id", get(segment_next_id))
        .route("/v1/segments/{key}/next_ids", get(segment_next_ids))
        .route("/v1/uuid7", get(crate::uuid::uuid7))
        .route("/v1/ulid", get(crate::uuid::ulid))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(st)
}

/// `/v1/next_id`: one ID, JSON (`{"id":"<decimal>"}`) or `text/plain`.
pub fn next_id_response(st: &AppState, headers: &HeaderMap) -> Response {
    match st.gen.next_id() {
        Ok(id) => {
            let mut buf = itoa::Buffer::new();
            let digits = buf.format(id);
            if accepts(headers, "text/plain") {
                let mut b = String::with_capacity(digits.len() + 1);
                b.push_str(digits);
                b.push('\n');
                with_type("text/plain; charset=utf-8", b)
            } else {
                let mut b = String::with_capacity(digits.len() + 10);
                b.push_str("{\"id\":\"");
                b.push_str(digits);
                b.push_str("\"}");
                with_type("application/json", b)
            }
        }
        Err(e) => core_error(&e),
    }
}

async fn next_id(State(st): State<St>, req: Request) -> Response {
    next_id_response(&st, req.headers())
}

/// `/healthz`: the process answers.
pub fn healthz_response() -> Response {
    with_type("text/plain; charset=utf-8", "ok\n")
}

async fn healthz() -> Response {
    healthz_response()
}

fn fill(gen: &Generator, n: usize) -> Result<Vec<u64>, Error> {
    let mut out = vec![0u64; n];
    let mut filled = 0;
    while filled < n {
        filled += gen.next_batch(&mut out[filled..])?;
    }
    Ok(out)
}

/// Why a batch gave no IDs.
pub enum BatchError {
    /// The core refused (its coded error).
    Core(Error),
    /// Not filled within `--request-timeout-ms`.
    Timeout,
    /// The blocking task that filled it failed.
    Failed,
}

/// `count` IDs for one request (HTTP or gRPC): a batch that may wait runs
/// on the blocking pool, bounded by `--request-timeout-ms`.
pub async fn take_batch(st: &St, count: usize) -> Result<Vec<u64>, BatchError> {
    if count <= 4096 {
        return fill(&st.gen, count).map_err(BatchError::Core);
    }
    let st2 = st.clone();
    let task = tokio::task::spawn_blocking(move || fill(&st2.gen, count));
    match tokio::time::timeout(st.timeout, task).await {
        Ok(Ok(r)) => r.map_err(BatchError::Core),
        // The IDs the task still makes are never sent: a gap, never a
        // duplicate.
        Err(_) => Err(BatchError::Timeout),
        Ok(Err(_)) => Err(BatchError::Failed),
    }
}

/// `/v1/next_ids?count=N`: JSON, `text/plain` (one per line) or
/// `application/octet-stream` (little-endian u64s).
async fn next_ids(State(st): State<St>, req: Request) -> Response {
    let (headers, uri) = (req.headers(), req.uri());
    let count = match count_param(uri, st.max_batch) {
        Ok(n) => n,
        Err(e) => return core_error(&e),
    };
    let ids = match take_batch(&st, count).await {
        Ok(v) => v,
        Err(BatchError::Core(e)) => return core_error(&e),
        Err(BatchError::Timeout) => {
            return error_body(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                0,
                "request timed out",
            )
        }
        Err(BatchError::Failed) => {
            return error_body(
                StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                0,
                "batch task failed",
            )
        }
    };
    if accepts(headers, "application/octet-stream") {
        return with_type("application/octet-stream", le_bytes(&ids));
    }
    if accepts(headers, "text/plain") {
        let mut s = String::with_capacity(ids.len() * 20);
        for id in &ids {
            s.push_str(&id.to_string());
            s.push('\n');
        }
        return with_type("text/plain; charset=utf-8", s);
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
    with_type("application/json", s)
}

/// IDs as little-endian u64s, 8 bytes each (the binary batch of HTTP and
/// the packed chunks of gRPC).
pub fn le_bytes(ids: &[u64]) -> Vec<u8> {
    let mut b = Vec::with_capacity(ids.len() * 8);
    for id in ids {
        b.extend_from_slice(&id.to_le_bytes());
    }
    b
}

/// The `layout` query value (a preset name, read by the core), else the
/// generator's layout.
fn layout_param(st: &AppState, uri: &Uri) -> Result<Layout, Error> {
    match query_param(uri, "layout") {
        None => Ok(st.gen.layout().clone()),
        Some(l) => Layout::from_value(&Value::Str(l.to_owned()), "layout"),
    }
}

/// `/v1/ids/{id}`: an ID in any encoding, decoded.
async fn ids(State(st): State<St>, uri: Uri) -> Response {
    let raw = uri.path().strip_prefix("/v1/ids/").unwrap_or("");
    let r = layout_param(&st, &uri).and_then(|layout| {
        snowid::value::id_text(raw).and_then(|id| shapes::inspect_json(&layout, id))
    });
    match r {
        Ok(j) => json(j),
        Err(e) => core_error(&e),
    }
}

async fn layout(State(st): State<St>) -> Response {
    let mut j = shapes::layout_json(st.gen.layout());
    j["source"] = st.gen.source().into();
    json(j)
}

async fn stats(State(st): State<St>) -> Response {
    let s = st.gen.stats();
    json(serde_json::json!({
        "issued": s.issued,
        "overflow_waits": s.overflow_waits,
        "clock_regressions": s.clock_regressions,
        "largest_regression_ms": s.largest_regression_ms,
        "borrowed_ticks": s.borrowed_ticks,
        "skew_ms": s.skew_ms,
        "runway_s": s.runway_s,
        "nodes_total": s.nodes_total,
        "nodes_in_use": s.nodes_in_use,
        "nodes_free": s.nodes_free,
        "lease_ttl_left_ms": s.lease_ttl_left_ms,
        "source": st.gen.source(),
        "lane_nodes": st.gen.lane_nodes(),
        "requests": st.metrics.requests(),
        "errors": st.metrics.errors(),
    }))
}

async fn history(State(st): State<St>) -> Response {
    json(st.history.json())
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

async fn metrics(State(st): State<St>) -> Response {
    let mut o = String::with_capacity(8192);
    crate::metrics::write(&mut o, &st.gen, &st.metrics, &st.conns);
    st.segments.write_metrics(&mut o);
    if let Some(g) = &st.grpc {
        g.write(&mut o);
    }
    with_type("text/plain; version=0.0.4; charset=utf-8", o)
}

async fn index() -> Response {
    with_type("text/html; charset=utf-8", INDEX_HTML)
}

async fn openapi() -> Response {
    with_type("application/json", OPENAPI_JSON)
}

/// `GET /v1/segments/{key}/next_id` -> `{"key": "...", "id": "123"}`.
async fn segment_next_id(State(st): State<St>, Path(key): Path<String>) -> Response {
    match segment::take(st.segments.clone(), key.clone(), 1).await {
        Ok(ids) => json(serde_json::json!({"key": key, "id": ids[0].to_string()})),
        Err(e) => core_error(&e),
    }
}

/// `GET /v1/segments/{key}/next_ids?count=N` -> `{"key": "...", "ids": [...]}`,
/// or little-endian u64s with `Accept: application/octet-stream` (what a
/// `RemoteGenerator` with a `key` reads).
async fn segment_next_ids(State(st): State<St>, Path(key): Path<String>, req: Request) -> Response {
    let count = match count_param(req.uri(), st.max_batch) {
        Ok(n) => n,
        Err(e) => return core_error(&e),
    };
    match segment::take(st.segments.clone(), key.clone(), count).await {
        Ok(ids) if accepts(req.headers(), "application/octet-stream") => {
            let b: Vec<u8> = ids.iter().flat_map(|id| id.to_le_bytes()).collect();
            with_type("application/octet-stream", b)
        }
        Ok(ids) => {
            let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
            json(serde_json::json!({"key": key, "ids": ids}))
        }
        Err(e) => core_error(&e),
    }
}

async fn not_found() -> Response {
    error_body(StatusCode::NOT_FOUND, "NOT_FOUND", 0, "no such endpoint")
}

async fn method_not_allowed() -> Response {
    error_with_header(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "only GET (and HEAD where no ID is issued) are served",
        axum::http::header::ALLOW,
        "GET, HEAD",
    )
}
