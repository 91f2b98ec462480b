//! `redis://...`: `INCRBY snowid:segment:KEY step` per range. Redis keeps
//! the promise "never reissued" only as far as it keeps its data: run it with
//! `appendonly yes` and `appendfsync always`. A counter that comes back lower
//! (Redis restarted without its data) is noticed by every process that took a
//! range before, which then refuses to issue (see the segment generator).

use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection};

use super::store::{check_room, redact, unavailable, Range, SegmentStore};
use crate::error::{Error, Result};

/// The Redis key of a segment key.
pub fn redis_key(key: &str) -> String {
    format!("snowid:segment:{key}")
}

/// Counters in Redis.
pub struct RedisStore {
    client: Client,
    conn: Mutex<Option<Connection>>,
    timeout: Duration,
    describe: String,
}

impl RedisStore {
    /// Connects (to report an unreachable server now rather than at the
    /// first ID).
    pub fn open(url: &str) -> Result<RedisStore> {
        let client = Client::open(url).map_err(|e| Error::SegmentStoreUrl {
            url: redact(url),
            reason: e.to_string(),
        })?;
        let store = RedisStore {
            client,
            conn: Mutex::new(None),
            timeout: Duration::from_secs(5),
            describe: redact(url),
        };
        store
            .with_conn(|c| redis::cmd("PING").query::<String>(c))
            .map_err(|e| unavailable("", &store.describe, e))?;
        Ok(store)
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> std::result::Result<T, String> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let c = self
                .client
                .get_connection_with_timeout(self.timeout)
                .and_then(|c| {
                    c.set_read_timeout(Some(self.timeout))?;
                    c.set_write_timeout(Some(self.timeout))?;
                    Ok(c)
                })
                .map_err(|e| format!("cannot connect: {e}"))?;
            *slot = Some(c);
        }
        let r = f(slot.as_mut().expect("connected above"));
        if r.is_err() {
            *slot = None;
        }
        r.map_err(|e| e.to_string())
    }
}

impl SegmentStore for RedisStore {
    fn take(&self, key: &str, step: u64) -> Result<Range> {
        let rkey = redis_key(key);
        let got = self.with_conn(|c| redis::cmd("INCRBY").arg(&rkey).arg(step).query::<i64>(c));
        match got {
            Ok(max_id) if max_id >= 0 && max_id as u64 >= step => {
                Ok(Range::ending_at(max_id as u64, step))
            }
            Ok(max_id) => Err(unavailable(
                key,
                &self.describe,
                format!("{rkey} holds {max_id}, not a counter snowid wrote"),
            )),
            Err(e) if e.contains("overflow") => {
                let cur = self
                    .with_conn(|c| redis::cmd("GET").arg(&rkey).query::<i64>(c))
                    .unwrap_or(i64::MAX);
                check_room(key, &self.describe, cur.max(0) as u64, step)?;
                Err(unavailable(key, &self.describe, e))
            }
            Err(e) => Err(unavailable(key, &self.describe, e)),
        }
    }

    fn describe(&self) -> &str {
        &self.describe
    }
}
