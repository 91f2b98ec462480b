//! Segment mode in the service: `GET /v1/segments/{key}/next_id` and
//! `/v1/segments/{key}/next_ids?count=N`. One core `Segment` per key, made
//! on first use from the store of `--segment-store` (else the core's
//! default: `SNOWID_SEGMENT_STORE`, else the state directory).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use snowid::segment::{validate_key, SegmentOptions, SegmentSettings};
use snowid::{Error, Segment};

use crate::serve::{core_error, query_param, St};

/// The segments of the service, by key.
pub struct Segments {
    settings: SegmentSettings,
    max_keys: usize,
    open: Mutex<HashMap<String, Arc<Segment>>>,
}

impl Segments {
    /// Resolves the store once at start-up (a bad URL stops the service).
    pub fn new(store: Option<&str>, max_keys: usize) -> Result<Segments, Error> {
        let mut o = SegmentOptions::new();
        if let Some(s) = store {
            o.set("store", s);
        }
        Ok(Segments {
            settings: o.resolve()?,
            max_keys,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn get(&self, key: &str) -> Result<Arc<Segment>, Error> {
        validate_key(key)?;
        if let Some(s) = self.open.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            return Ok(s.clone());
        }
        // Opening connects to the store: outside the map's lock.
        let seg = Arc::new(Segment::new(key, self.settings.clone())?);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = open.get(key) {
            return Ok(s.clone()); // another request opened it meanwhile
        }
        if open.len() >= self.max_keys {
            return Err(Error::InvalidSetting {
                setting: "segment key".into(),
                value: key.to_owned(),
                expected: format!(
                    "one of the {} keys this service already serves (--segment-max-keys)",
                    self.max_keys
                ),
            });
        }
        open.insert(key.to_owned(), seg.clone());
        Ok(seg)
    }
}

fn ids_of(st: &St, key: &str, n: usize) -> Result<Vec<u64>, Error> {
    st.segments.get(key)?.next_ids(n)
}

async fn take(st: St, key: String, n: usize) -> Result<Vec<u64>, Response> {
    // The fast path needs no thread; opening a key or waiting for a range
    // may block on the store, so those run on the blocking pool.
    if n == 1 {
        let seg = st
            .segments
            .open
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        if let Some(id) = seg.and_then(|s| s.try_next_id()) {
            return Ok(vec![id]);
        }
    }
    match tokio::task::spawn_blocking(move || ids_of(&st, &key, n)).await {
        Ok(Ok(ids)) => Ok(ids),
        Ok(Err(e)) => Err(core_error(&e)),
        Err(_) => Err(core_error(&Error::SegmentStoreUnavailable {
            key: String::new(),
            store: String::new(),
            reason: "the request's task failed".into(),
        })),
    }
}

fn body(v: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        v,
    )
        .into_response()
}

/// `GET /v1/segments/{key}/next_id` -> `{"key": "...", "id": "123"}`.
pub async fn next_id(State(st): State<St>, Path(key): Path<String>) -> Response {
    match take(st, key.clone(), 1).await {
        Ok(ids) => body(serde_json::json!({"key": key, "id": ids[0].to_string()}).to_string()),
        Err(r) => r,
    }
}

/// `GET /v1/segments/{key}/next_ids?count=N` -> `{"key": "...", "ids": [...]}`.
pub async fn next_ids(State(st): State<St>, Path(key): Path<String>, req: Request) -> Response {
    let count = match query_param(req.uri(), "count") {
        None => 1,
        Some(s) => match crate::number_value(s).int_in("count", 1, st.max_batch.into()) {
            Ok(n) => n as usize,
            Err(e) => return core_error(&e),
        },
    };
    match take(st, key.clone(), count).await {
        Ok(ids) => {
            let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
            body(serde_json::json!({"key": key, "ids": ids}).to_string())
        }
        Err(r) => r,
    }
}
