//! The front of the service, in front of the router: the header-size limit
//! and the bearer token for every request, metrics for every request, HEAD
//! refused on the routes that issue IDs, and the two hot endpoints
//! (`GET /v1/next_id`, `GET /healthz`) answered here without the router's
//! per-request boxing (callgrind: ~20% fewer instructions per request than
//! a `from_fn` middleware + route). Every other request goes through the
//! router; an error it answers without the coded JSON body gets one.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use tower::ServiceExt;

use crate::conn::{InFlight, Watch};
use crate::http::{coded, error_body, error_with_header};
use crate::metrics::Endpoint;
use crate::routes::{healthz_response, next_id_response, St};

/// The front's own settings: who may ask, and how large a head may be.
pub struct Gate {
    /// The bearer token (`--token-file` / `SNOWID_TOKEN`); `None`: no auth.
    pub token: Option<Vec<u8>>,
    /// `--max-header-bytes`.
    pub max_header_bytes: usize,
}

/// Constant-time comparison of a presented token with the expected one
/// (the time depends only on the expected token's length).
pub fn token_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = given.len() ^ expected.len();
    for (i, b) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(0);
        diff |= usize::from(g ^ b);
    }
    std::hint::black_box(diff) == 0
}

/// The token of an `Authorization: Bearer <token>` value: the scheme is
/// case-insensitive (RFC 9110 11.1) and followed by one or more spaces.
pub fn bearer_token(v: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = v.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    let token = rest.trim_ascii_start();
    (!token.is_empty()).then_some(token)
}

fn needs_token(path: &str) -> bool {
    path.starts_with("/v1/") || path == "/metrics"
}

impl Gate {
    /// The answer to a request that fails the limits or the token check.
    fn refuse(&self, req: &Request) -> Option<Response> {
        let header_bytes: usize = req.uri().path().len()
            + req.uri().query().map_or(0, str::len)
            + req
                .headers()
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len() + 4)
                .sum::<usize>();
        if header_bytes > self.max_header_bytes {
            return Some(error_body(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "HEADERS_TOO_LARGE",
                0,
                "request headers too large",
            ));
        }
        if self.token.as_ref().is_some_and(|t| {
            needs_token(req.uri().path())
                && !req
                    .headers()
                    .get(header::AUTHORIZATION)
                    .and_then(|v| bearer_token(v.as_bytes()))
                    .is_some_and(|g| token_eq(g, t))
        }) {
            return Some(error_with_header(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "a valid bearer token is required",
                header::WWW_AUTHENTICATE,
                "Bearer",
            ));
        }
        None
    }
}

/// Routes that issue IDs: HEAD on them gets 405 (axum would run the GET
/// handler for a HEAD and spend IDs on an answer without a body).
fn issues_ids(path: &str) -> bool {
    matches!(
        path,
        "/v1/next_id" | "/v1/next_ids" | "/v1/uuid7" | "/v1/ulid"
    ) || path.strip_prefix("/v1/segments/").is_some_and(|rest| {
        rest.split_once('/')
            .is_some_and(|(key, tail)| !key.is_empty() && matches!(tail, "next_id" | "next_ids"))
    })
}

fn head_refused() -> Response {
    error_with_header(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this endpoint issues IDs: only GET is served (HEAD would spend IDs)",
        header::ALLOW,
        "GET",
    )
}

/// The front: the gate, the shared state and the router behind them.
#[derive(Clone)]
pub struct Front {
    st: St,
    gate: Arc<Gate>,
    router: Router,
}

impl Front {
    pub fn new(st: St, gate: Gate) -> Front {
        Front {
            router: crate::routes::router(st.clone()),
            st,
            gate: Arc::new(gate),
        }
    }

    /// One connection's service over this front.
    pub fn for_connection(&self, watch: Arc<Watch>) -> ConnService {
        ConnService {
            front: self.clone(),
            watch,
        }
    }

    fn handle(&self, req: Request) -> Inner {
        let start = Instant::now();
        let ep = Endpoint::of(req.uri().path());
        let get = req.method() == Method::GET;
        let head = req.method() == Method::HEAD;
        let resp = match self.gate.refuse(&req) {
            Some(r) => r,
            None if head && issues_ids(req.uri().path()) => head_refused(),
            None if get && ep == Endpoint::NEXT_ID => next_id_response(&self.st, req.headers()),
            None if get && ep == Endpoint::HEALTHZ => healthz_response(),
            None => {
                let (st, router) = (self.st.clone(), self.router.clone());
                return Inner::Routed(Box::pin(async move {
                    let resp = match router.oneshot(req).await {
                        Ok(r) => r,
                        Err(never) => match never {},
                    };
                    let resp = coded(resp).await;
                    st.metrics.record(ep, start, &resp);
                    resp
                }));
            }
        };
        self.st.metrics.record(ep, start, &resp);
        Inner::Ready(Some(resp))
    }
}

/// One connection's service: the [`Front`] and the connection's watch
/// (a request in flight suspends its timeouts).
pub struct ConnService {
    front: Front,
    watch: Arc<Watch>,
}

/// A response ready now, or the router's future; the request counts as in
/// flight on its connection until this is done or dropped.
pub struct FrontFuture {
    inner: Inner,
    _in_flight: InFlight,
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
}
