//! The service's counters and their Prometheus text: requests by endpoint
//! and status, error codes, latency histograms, the generator's counters,
//! the node numbers of each lane and the connection counters. One writer,
//! [`family`], for every metric family (the segment metrics use it too).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Instant;

use axum::response::Response;
use snowid::Generator;

use crate::conn::ConnStats;
use crate::http::ErrCode;

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

/// An endpoint, as an index into the metrics' tables.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Endpoint(usize);

impl Endpoint {
    pub const NEXT_ID: Endpoint = Endpoint(0);
    pub const HEALTHZ: Endpoint = Endpoint(5);

    /// The endpoint of a request path (`other` for any unknown path).
    pub fn of(path: &str) -> Endpoint {
        Endpoint(match path {
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
        })
    }
}

/// The request counters of the service.
#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; STATUSES.len() + 1]; ENDPOINTS.len()],
    latency: [[AtomicU64; BUCKETS_US.len() + 1]; ENDPOINTS.len()],
    latency_sum_us: [AtomicU64; ENDPOINTS.len()],
    errors: Mutex<BTreeMap<(usize, String), u64>>,
    errors_total: AtomicU64,
}

impl Metrics {
    /// Counts a finished request.
    pub fn record(&self, ep: Endpoint, start: Instant, resp: &Response) {
        let ep = ep.0;
        let status = resp.status().as_u16();
        let si = STATUSES
            .iter()
            .position(|s| *s == status)
            .unwrap_or(STATUSES.len());
        self.requests[ep][si].fetch_add(1, Relaxed);
        if status >= 400 {
            self.errors_total.fetch_add(1, Relaxed);
            let code = resp
                .extensions()
                .get::<ErrCode>()
                .map(|c| c.0.clone())
                .unwrap_or_else(|| status.to_string());
            if let Ok(mut errs) = self.errors.lock() {
                *errs.entry((ep, code)).or_insert(0) += 1;
            }
        }
        let us = start.elapsed().as_micros() as u64;
        let b = BUCKETS_US
            .iter()
            .position(|b| us <= *b)
            .unwrap_or(BUCKETS_US.len());
        self.latency[ep][b].fetch_add(1, Relaxed);
        self.latency_sum_us[ep].fetch_add(us, Relaxed);
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.requests
            .iter()
            .flat_map(|r| r.iter())
            .map(|a| a.load(Relaxed))
            .sum()
    }

    /// Error answers so far.
    pub fn errors(&self) -> u64 {
        self.errors_total.load(Relaxed)
    }

    /// The request families: requests, errors, latency.
    fn write(&self, o: &mut String) {
        let _ = writeln!(o, "# HELP snowid_http_requests_total HTTP requests by endpoint and status code.\n# TYPE snowid_http_requests_total counter");
        for (e, row) in self.requests.iter().enumerate() {
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
        if let Ok(errs) = self.errors.lock() {
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
        for (e, row) in self.latency.iter().enumerate() {
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
                self.latency_sum_us[e].load(Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                o,
                "snowid_http_request_duration_seconds_count{{endpoint=\"{}\"}} {total}",
                ENDPOINTS[e]
            );
        }
    }
}

/// A Prometheus label value, escaped.
pub fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The generator's metrics as `"<name> <type> <help>"`, in the order
/// [`write`] gives their values.
const GENERATOR_METRICS: [&str; 6] = [
    "snowid_ids_issued_total counter IDs issued by this process.",
    "snowid_overflow_waits_total counter Times the sequence ran out and the generator waited for the next tick.",
    "snowid_clock_regressions_total counter Times the clock was seen going backwards.",
    "snowid_clock_regression_largest_ms gauge The largest clock regression seen, in ms.",
    "snowid_borrowed_ticks_total counter Ticks borrowed from the future during regressions.",
    "snowid_clock_skew_ms gauge Wall clock minus the generator's monotonic clock, in ms (alert when |skew| > 100).",
];

/// The connection counters of [`ConnStats`], in its order.
const CONNECTION_METRICS: [&str; 6] = [
    "snowid_http_connections_open gauge Connections open now (at most --max-connections).",
    "snowid_http_connections_accepted_total counter Connections accepted.",
    "snowid_http_connections_refused_total counter Connections beyond --max-connections, answered 503 TOO_MANY_CONNECTIONS and closed.",
    "snowid_http_connections_header_timeouts_total counter Connections closed because a request head took longer than --header-timeout-ms.",
    "snowid_http_connections_idle_timeouts_total counter Connections closed after --idle-timeout-ms with nothing moving.",
    "snowid_http_malformed_requests_total counter Request heads the HTTP layer could not take (400 malformed, 414, 431 beyond its buffer), answered with a coded body and closed.",
];

/// What an operator alarms on, in the order [`write`] gives their values.
const RUNWAY_METRICS: [&str; 4] = [
    "snowid_layout_runway_seconds gauge Seconds until the layout's last timestamp (then every call fails with EXHAUSTED; alert a year ahead).",
    "snowid_node_numbers_total gauge Node identities in the layout's ID space.",
    "snowid_node_numbers_in_use gauge Node numbers this process holds (one per lane); fleet-wide, alert on total - sum(in_use).",
    "snowid_node_numbers_free gauge Node numbers of the ID space this process leaves to others (total - in_use).",
];

const LEASE_TTL: &str = "snowid_lease_ttl_left_seconds gauge Seconds left before the node-number lease's deadline (then the service stops issuing until a renewal succeeds); absent without a lease.";

const NODE_INFO: &str =
    "snowid_node_info gauge The node numbers' source and the layout, one series per lane.";

/// Writes one metric family in the Prometheus text format: `def` is
/// `"<name> <type> <help>"`, each sample `(labels, value)` with labels such
/// as `key="orders"` (escaped by the caller) or none.
pub fn family<L: std::fmt::Display, V: std::fmt::Display>(
    o: &mut String,
    def: &str,
    samples: impl IntoIterator<Item = (L, V)>,
) {
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

/// The generator's, the requests' and the connections' families, in the
/// order `/metrics` has always given them (the segment families follow).
pub fn write(o: &mut String, gen: &Generator, m: &Metrics, c: &ConnStats) {
    let s = gen.stats();
    let values: [i128; 6] = [
        s.issued.into(),
        s.overflow_waits.into(),
        s.clock_regressions.into(),
        s.largest_regression_ms.into(),
        s.borrowed_ticks.into(),
        s.skew_ms.into(),
    ];
    for (def, v) in GENERATOR_METRICS.iter().zip(values) {
        family(o, def, [("", v)]);
    }
    let runway = [s.runway_s, s.nodes_total, s.nodes_in_use, s.nodes_free];
    for (def, v) in RUNWAY_METRICS.iter().zip(runway) {
        family(o, def, [("", v)]);
    }
    if let Some(ms) = s.lease_ttl_left_ms {
        family(o, LEASE_TTL, [("", ms as f64 / 1000.0)]);
    }
    let (source, layout) = (esc(gen.source()), esc(gen.layout().name()));
    let lanes = gen
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
    family(o, NODE_INFO, lanes);
    m.write(o);
    for (def, v) in CONNECTION_METRICS.iter().zip([
        &c.open,
        &c.accepted,
        &c.refused,
        &c.header_timeouts,
        &c.idle_timeouts,
        &c.http_errors,
    ]) {
        family(o, def, [("", v.load(Relaxed))]);
    }
}

/// Samples the history keeps: 10 minutes at one a second.
const HISTORY_SAMPLES: usize = 600;

/// The generator's counters once a second over the last minutes (the web
/// page's charts of IDs/s and clock skew; `GET /v1/history`).
#[derive(Default)]
pub struct History {
    samples: Mutex<std::collections::VecDeque<(u64, u64, i64)>>,
}

impl History {
    /// Takes one sample: (wall ms, IDs issued, clock skew ms).
    pub fn sample(&self, gen: &Generator) {
        let s = gen.stats();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        if let Ok(mut h) = self.samples.lock() {
            if h.len() == HISTORY_SAMPLES {
                h.pop_front();
            }
            h.push_back((now, s.issued, s.skew_ms));
        }
    }

    /// `{"interval_ms": 1000, "samples": [[t_ms, issued, skew_ms], ...]}`,
    /// oldest first.
    pub fn json(&self) -> serde_json::Value {
        let samples: Vec<_> = self
            .samples
            .lock()
            .map(|h| {
                h.iter()
                    .map(|(t, i, k)| serde_json::json!([t, i, k]))
                    .collect()
            })
            .unwrap_or_default();
        serde_json::json!({"interval_ms": 1000, "samples": samples})
    }
}

/// The gRPC methods counted one by one.
pub const GRPC_METHODS: [&str; 2] = ["NextIds", "StreamIds"];
/// gRPC status code names by number (0..=16).
const GRPC_CODES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The gRPC listener's counters (`--grpc-listen`).
#[derive(Default)]
pub struct GrpcStats {
    calls: [[AtomicU64; GRPC_CODES.len()]; GRPC_METHODS.len()],
    /// IDs sent in NextIds answers and StreamIds chunks.
    pub ids_sent: AtomicU64,
    /// StreamIds calls streaming now.
    pub streams_open: AtomicU64,
    pub connections_open: AtomicU64,
    pub connections_accepted: AtomicU64,
    pub connections_refused: AtomicU64,
}

impl GrpcStats {
    /// Counts a call of `GRPC_METHODS[method]` answered with status `code`
    /// (a stream: its start).
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub fn record(&self, method: usize, code: i32) {
        let c = usize::try_from(code).unwrap_or(2).min(GRPC_CODES.len() - 1);
        self.calls[method][c].fetch_add(1, Relaxed);
    }

    pub fn write(&self, o: &mut String) {
        let calls = self.calls.iter().enumerate().flat_map(|(m, row)| {
            row.iter().enumerate().filter_map(move |(c, v)| {
                let v = v.load(Relaxed);
                (v > 0).then(|| {
                    let labels =
                        format!("method=\"{}\",code=\"{}\"", GRPC_METHODS[m], GRPC_CODES[c]);
                    (labels, v)
                })
            })
        });
        family(o, "snowid_grpc_calls_total counter gRPC calls by method and status code (a stream counts when it starts).", calls);
        for (def, v) in [
            ("snowid_grpc_ids_sent_total counter IDs sent over gRPC (NextIds answers and StreamIds chunks).", &self.ids_sent),
            ("snowid_grpc_streams_open gauge StreamIds calls streaming now.", &self.streams_open),
            ("snowid_grpc_connections_open gauge gRPC connections open now (at most --max-connections).", &self.connections_open),
            ("snowid_grpc_connections_accepted_total counter gRPC connections accepted.", &self.connections_accepted),
            ("snowid_grpc_connections_refused_total counter gRPC connections beyond --max-connections, closed at once.", &self.connections_refused),
        ] {
            family(o, def, [("", v.load(Relaxed))]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(ENDPOINTS[Endpoint::of("/v1/ids/123").0], "ids");
        assert_eq!(ENDPOINTS[Endpoint::of("/v1/ids/1/2").0], "other");
        assert_eq!(ENDPOINTS[Endpoint::of("/nope").0], "other");
    }
}
