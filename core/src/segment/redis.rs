//! `redis://...`: `INCRBY snowid:segment:KEY step` per range. Redis keeps
//! the promise "never reissued" only as far as it keeps its data: run it with
//! `appendonly yes` and `appendfsync always`. At connect, a Redis that keeps
//! nothing on disk (`appendonly no` and no `save` points) is refused unless
//! the segment option `allow_volatile_store=true` accepts it. A Redis with RDB
//! snapshots only, or `appendfsync everysec`, can still forget the last
//! writes in a crash: a counter that comes back lower is noticed by every
//! process that took a range before (and by the machine mark), which raises
//! it again (see [`SegmentStore::raise_to`] and the segment generator).

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
    ///
    /// A server that can lose acknowledged writes ([`persistence`] says how
    /// it is run) is refused with [`Error::SegmentStoreUrl`] unless
    /// `allow_volatile` (the segment option `allow_volatile_store`).
    pub fn open_checked(url: &str, allow_volatile: bool) -> Result<RedisStore> {
        let store = Self::open(url)?;
        if !allow_volatile {
            let p = store
                .with_conn(persistence)
                .map_err(|e| unavailable("", &store.describe, e))?;
            if let Some(why) = p.volatile() {
                return Err(Error::SegmentStoreUrl {
                    url: store.describe.clone(),
                    reason: format!(
                        "this Redis can lose acknowledged writes ({why}): a restart would hand out IDs again; \
                         run it with `appendonly yes` (and `appendfsync always`), or accept it with the \
                         segment option allow_volatile_store=true"
                    ),
                });
            }
        }
        Ok(store)
    }

    /// Connects without judging the server's persistence (see
    /// [`Self::open_checked`]).
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

/// How a Redis server keeps its data, as far as it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persistence {
    /// `appendonly yes` (the AOF is on).
    pub aof: bool,
    /// The `save` points (`""`: no RDB snapshots); `None` when `CONFIG` is
    /// disabled (renamed away, as on some managed services) and only
    /// `INFO persistence` answered.
    pub save: Option<String>,
}

impl Persistence {
    /// Why this server can lose acknowledged writes, or `None` when it keeps
    /// them somewhere on disk. Without `CONFIG` the save points are unknown:
    /// unless the AOF is on, the server counts as volatile (safe default;
    /// `allow_volatile_store=true` accepts it).
    pub fn volatile(&self) -> Option<String> {
        match (&self.save, self.aof) {
            (_, true) => None,
            (Some(save), false) if !save.trim().is_empty() => None,
            (Some(_), false) => Some("appendonly no, save ''".into()),
            (None, false) => Some(
                "aof_enabled:0 in INFO persistence, and CONFIG is disabled so the save points are unknown"
                    .into(),
            ),
        }
    }
}

/// Asks the server how it persists: `CONFIG GET appendonly` and
/// `CONFIG GET save`, else (`CONFIG` disabled) `INFO persistence`.
pub fn persistence(c: &mut Connection) -> redis::RedisResult<Persistence> {
    let config = |c: &mut Connection, name: &str| -> redis::RedisResult<Option<String>> {
        let pairs: Vec<String> = redis::cmd("CONFIG").arg("GET").arg(name).query(c)?;
        Ok(pairs.get(1).cloned())
    };
    match (config(c, "appendonly"), config(c, "save")) {
        (Ok(Some(aof)), Ok(Some(save))) => Ok(Persistence {
            aof: aof.eq_ignore_ascii_case("yes"),
            save: Some(save),
        }),
        (Err(e), _) | (_, Err(e)) if e.is_io_error() || e.is_timeout() => Err(e),
        _ => {
            let info: String = redis::cmd("INFO").arg("persistence").query(c)?;
            Ok(Persistence {
                aof: info.lines().any(|l| l.trim() == "aof_enabled:1"),
                save: None,
            })
        }
    }
}

/// Sets the counter to `ARGV[1]` unless it is higher already; returns the
/// counter after, as a string. Compares decimal strings (length, then
/// text), not Lua numbers, which are doubles and inexact above 2^53.
/// Refuses a value that is not a counter snowid wrote.
const RAISE_TO: &str = r"
local cur = redis.call('GET', KEYS[1]) or '0'
if not string.match(cur, '^%d+$') then return redis.error_reply('not a counter snowid wrote') end
cur = string.gsub(cur, '^0+(%d)', '%1')
local n = ARGV[1]
if #cur < #n or (#cur == #n and cur < n) then
  redis.call('SET', KEYS[1], n)
  return n
end
return cur
";

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

    fn raise_to(&self, key: &str, max_id: u64) -> Result<u64> {
        let rkey = redis_key(key);
        let got = self.with_conn(|c| {
            redis::Script::new(RAISE_TO)
                .key(&rkey)
                .arg(max_id)
                .invoke::<String>(c)
        });
        match got.as_ref().map(|t| t.parse::<u64>()) {
            Ok(Ok(n)) if n >= max_id => Ok(n),
            Ok(_) => Err(unavailable(
                key,
                &self.describe,
                format!(
                    "raising {rkey} to {max_id} left it at {}",
                    got.unwrap_or_default()
                ),
            )),
            Err(e) => Err(unavailable(
                key,
                &self.describe,
                format!("raising {rkey} to {max_id}: {e}"),
            )),
        }
    }

    fn describe(&self) -> &str {
        &self.describe
    }
}

#[cfg(test)]
mod tests {
    use super::Persistence;

    #[test]
    fn volatile_means_nothing_on_disk() {
        let p = |aof, save: Option<&str>| Persistence {
            aof,
            save: save.map(str::to_owned),
        };
        assert!(p(true, Some("")).volatile().is_none());
        assert!(p(false, Some("3600 1 300 100")).volatile().is_none());
        assert!(p(true, None).volatile().is_none());
        let why = p(false, Some("")).volatile().unwrap();
        assert!(why.contains("appendonly no"), "{why}");
        // CONFIG disabled and the AOF off: the save points are unknown, so
        // the server counts as volatile (accepted only by the option).
        let why = p(false, None).volatile().unwrap();
        assert!(why.contains("CONFIG is disabled"), "{why}");
    }
}
