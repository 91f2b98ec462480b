//! `GET /v1/uuid7` and `GET /v1/ulid`: one UUIDv7 or ULID from the core's
//! default generator of that preset (`snowid::default::uuid7`, `ulid`),
//! whose node numbers come from the `SNOWID_*` environment or a
//! machine-local slot, as a bound library's `uuid7()` does; HEAD is refused
//! by the front (it would spend an ID). JSON `{"uuid": "..."}` /
//! `{"ulid": "..."}`, or the text alone with `Accept: text/plain`.

use axum::http::HeaderMap;
use axum::response::Response;
use snowid::wide::{encode_ulid, encode_uuid};

use crate::http::{accepts, core_error, json, with_type};

fn answer(
    headers: &HeaderMap,
    key: &str,
    id: snowid::Result<u128>,
    text: fn(u128) -> String,
) -> Response {
    match id {
        Ok(id) if accepts(headers, "text/plain") => {
            with_type("text/plain; charset=utf-8", text(id) + "\n")
        }
        Ok(id) => json(serde_json::json!({ key: text(id) })),
        Err(e) => core_error(&e),
    }
}

/// `GET /v1/uuid7` -> `{"uuid": "018f3c1e-7d2a-7abc-8def-0123456789ab"}`.
pub async fn uuid7(headers: HeaderMap) -> Response {
    answer(&headers, "uuid", snowid::default::uuid7(), encode_uuid)
}

/// `GET /v1/ulid` -> `{"ulid": "01J..."}`.
pub async fn ulid(headers: HeaderMap) -> Response {
    answer(&headers, "ulid", snowid::default::ulid(), encode_ulid)
}
