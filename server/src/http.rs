//! The one home of the service's HTTP answers: every error, whether the core
//! refused a value, the router found no route or hyper could not parse a
//! head, is the same coded JSON body `{"error": {"code", "number",
//! "message"}}`; plus the few response and request helpers the routes share.
//!
//! Values are not read here: a `count` goes through the core's
//! `value::query_count`, numbers of flags through `value::integer_text`.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use snowid::{Error, ErrorKind};

/// The error code a response carries (read by the metrics).
#[derive(Clone)]
pub struct ErrCode(pub String);

/// The coded JSON body of every error answer.
pub fn error_json(code: &str, number: u32, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "number": number, "message": message}}).to_string()
}

/// The code of an HTTP-layer error that has no core error behind it
/// (hyper's own answers, the router's rejections), by status.
pub fn http_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "BAD_REQUEST",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::URI_TOO_LONG => "URI_TOO_LONG",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "HEADERS_TOO_LARGE",
        s if s.is_server_error() => "INTERNAL",
        _ => "HTTP_ERROR",
    }
}

/// A coded error answer (503 also says `Retry-After: 1`).
pub fn error_body(status: StatusCode, code: &str, number: u32, message: &str) -> Response {
    let mut r = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        error_json(code, number, message),
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r.extensions_mut().insert(ErrCode(code.to_owned()));
    r
}

/// A coded error answer (code number 0: the HTTP layer's own) that also
/// carries one header (`Allow`, `WWW-Authenticate`).
pub fn error_with_header(
    status: StatusCode,
    code: &str,
    message: &str,
    name: HeaderName,
    value: &'static str,
) -> Response {
    let mut r = error_body(status, code, 0, message);
    r.headers_mut()
        .insert(name, HeaderValue::from_static(value));
    r
}

/// A core error as a response: 400 invalid input, 503 unavailable.
pub fn core_error(e: &Error) -> Response {
    let status = match e.kind() {
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    error_body(status, e.code(), e.number(), &e.to_string())
}

/// A routed error answer without the coded JSON body (an axum extractor's
/// rejection, ...) rewritten to carry it, keeping its status, its message
/// and its `Allow` / `WWW-Authenticate` headers.
pub async fn coded(resp: Response) -> Response {
    if resp.status().as_u16() < 400 || resp.extensions().get::<ErrCode>().is_some() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = if text.trim().is_empty() {
        parts.status.canonical_reason().unwrap_or("error")
    } else {
        text.trim()
    };
    let mut r = error_body(parts.status, http_code(parts.status), 0, message);
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            r.headers_mut().insert(name, v.clone());
        }
    }
    r
}

/// A body with its content type.
pub fn with_type(ctype: &'static str, body: impl Into<axum::body::Body>) -> Response {
    let mut r = Response::new(body.into());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

/// A JSON answer.
pub fn json(v: serde_json::Value) -> Response {
    with_type("application/json", v.to_string())
}

/// Whether the request accepts `mime`.
pub fn accepts(h: &HeaderMap, mime: &str) -> bool {
    h.get_all(header::ACCEPT)
        .iter()
        .any(|v| v.to_str().map(|s| s.contains(mime)).unwrap_or(false))
}

/// The first value of `key` in the raw query, undecoded: the value is the
/// core's to read (IDs and preset names need no decoding).
pub fn query_param<'a>(uri: &'a Uri, key: &str) -> Option<&'a str> {
    uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then_some(v)
    })
}

/// The `count` of a batch request: 1 when absent, else the core's
/// `value::query_count` (percent-decoded, `1..=max_batch`, coded errors).
pub fn count_param(uri: &Uri, max_batch: u64) -> Result<usize, Error> {
    query_param(uri, "count").map_or(Ok(1), |raw| snowid::value::query_count(raw, max_batch))
}
