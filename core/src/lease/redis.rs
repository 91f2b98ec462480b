//! Redis: `SET key token NX PX ttl` claims a worker number; renewals, mark
//! writes and the release are Lua scripts that act only while the key holds
//! our random token (the fencing token). Only as safe as one Redis primary.
//! At claim, a server without the AOF (`appendonly no`, RDB snapshots or
//! nothing) is refused unless [`LeaseSpec::allow_volatile`]
//! (`SNOWID_REDIS_ALLOW_VOLATILE=1`): restarted, it forgets the lease and the
//! mark together.

use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::{Client, Connection, Script};

use super::{now_ms, Backend, Claimed, LeaseSpec, MarkWrite, Renewal};
use crate::error::{Error, Result};

/// Extends the key's TTL if it still holds our token.
/// 1: renewed; -1: the key is gone; -2: another token holds it.
const RENEW: &str = r#"
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif v then
  return -2
end
return -1
"#;

/// Sets the mark (KEYS[2]) to ARGV[2] if the worker key (KEYS[1]) holds our
/// token ARGV[1]; only upwards unless ARGV[3] == 'lower'.
/// Returns the mark now held, -1 (key gone) or -2 (another token).
const MARK: &str = r#"
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] then
  if v then return -2 end
  return -1
end
local cur = tonumber(redis.call('GET', KEYS[2]) or '-1')
local target = tonumber(ARGV[2])
if ARGV[3] ~= 'lower' and cur >= target then
  return cur
end
redis.call('SET', KEYS[2], ARGV[2])
return target
"#;

/// Deletes the key if it holds our token.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

struct Redis {
    client: Client,
    conn: Mutex<Option<Connection>>,
    timeout: Duration,
    key: String,
    mark_key: String,
    token: String,
    ttl_ms: u64,
    renew: Script,
    mark: Script,
    release: Script,
}

fn connect(client: &Client, timeout: Duration) -> redis::RedisResult<Connection> {
    let c = client.get_connection_with_timeout(timeout)?;
    c.set_read_timeout(Some(timeout))?;
    c.set_write_timeout(Some(timeout))?;
    Ok(c)
}

fn with_conn<T>(
    client: &Client,
    slot: &Mutex<Option<Connection>>,
    timeout: Duration,
    f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
) -> std::result::Result<T, String> {
    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
    if slot.is_none() {
        *slot = Some(connect(client, timeout).map_err(|e| format!("cannot connect: {e}"))?);
    }
    let r = f(slot.as_mut().expect("connected above"));
    if r.is_err() {
        // Reconnect next time: a timed-out connection may hold a late answer.
        *slot = None;
    }
    r.map_err(|e| e.to_string())
}

/// A token no other claim will hold: process, time and a per-process random
/// hasher key.
fn new_token() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let a = h.finish();
    let mut h2 = std::collections::hash_map::RandomState::new().build_hasher();
    h2.write_u64(a);
    format!(
        "{:016x}{:016x} {}",
        a,
        h2.finish(),
        super::holder_description()
    )
}

fn unavailable(spec: &LeaseSpec, reason: impl std::fmt::Display) -> Error {
    Error::CoordinationUnavailable {
        service: "redis".into(),
        endpoint: spec.endpoints.join(","),
        reason: reason.to_string(),
    }
}

/// Why a lease on this Redis could be forgotten, or `None` with the AOF on.
/// Stricter than a segment store's rule: RDB snapshots alone lose every
/// write since the last one, and a lease has no machine mark to fall back
/// on (the store's mark is the only one shared across machines).
fn lease_volatile(p: &crate::segment::redis::Persistence) -> Option<String> {
    match (&p.save, p.aof) {
        (_, true) => None,
        (Some(save), false) if !save.trim().is_empty() => Some(format!(
            "appendonly no (RDB snapshots only: save '{}')",
            save.trim()
        )),
        _ => p.volatile(),
    }
}

/// Claims the first free worker number under `base`.
pub(crate) fn claim(spec: &LeaseSpec, base: &str, slots: u64) -> Result<Claimed> {
    let url = spec.endpoints.first().cloned().unwrap_or_default();
    let client = Client::open(url.as_str()).map_err(|e| Error::InvalidSetting {
        setting: "SNOWID_REDIS_URL".into(),
        value: url.clone(),
        expected: format!("a redis:// URL ({e})"),
    })?;
    let timeout = spec.request_timeout();
    let conn = Mutex::new(None);
    if !spec.allow_volatile {
        let p = with_conn(&client, &conn, timeout, crate::segment::redis::persistence)
            .map_err(|e| unavailable(spec, e))?;
        if let Some(why) = lease_volatile(&p) {
            return Err(Error::InvalidSetting {
                setting: "SNOWID_REDIS_URL".into(),
                value: url,
                expected: format!(
                    "a Redis that keeps every write on disk (appendonly yes, appendfsync always); \
                     this one has {why}: restarted, it forgets the lease and the high-water mark \
                     together, and the next holder of a number may reissue IDs. Turn the AOF on, \
                     use etcd, or accept it (tests, IDs you can afford to repeat) with \
                     SNOWID_REDIS_ALLOW_VOLATILE=1"
                ),
            });
        }
    }
    let token = new_token();
    let ttl_ms = spec.ttl_ms;
    let workers = format!("{base}/workers/");
    let sent_ms = now_ms();
    let found = with_conn(&client, &conn, timeout, |c| {
        for n in 0..slots {
            let ok: Option<String> = redis::cmd("SET")
                .arg(format!("{workers}{n}"))
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms)
                .query(c)?;
            if ok.is_some() {
                return Ok(Some(n));
            }
        }
        Ok(None)
    })
    .map_err(|e| unavailable(spec, e))?;
    let Some(worker) = found else {
        return Err(Error::NoFreeSlot {
            slots,
            dir: format!("redis {workers} at {url}"),
            wanted: 1,
            free: 0,
        });
    };
    let key = format!("{workers}{worker}");
    let mark_key = format!("{base}/marks/{worker}");
    let r = Redis {
        client,
        conn,
        timeout,
        key: key.clone(),
        mark_key: mark_key.clone(),
        token: token.clone(),
        ttl_ms,
        renew: Script::new(RENEW),
        mark: Script::new(MARK),
        release: Script::new(RELEASE),
    };
    // Read after the claim: a predecessor's scripts need its own token.
    let raw: std::result::Result<Option<String>, String> =
        with_conn(&r.client, &r.conn, timeout, |c| {
            redis::cmd("GET").arg(&mark_key).query(c)
        });
    let mark = match raw {
        Err(e) => {
            r.release();
            return Err(unavailable(spec, e));
        }
        Ok(None) => None,
        Ok(Some(v)) => match v.trim().parse::<u64>() {
            Ok(t) => Some(t),
            Err(_) => {
                r.release();
                return Err(Error::StateCorrupt {
                    path: format!("redis {mark_key}"),
                    reason: format!("value {v:?} is not a tick"),
                    hint: "the last holder of this worker number stopped".into(),
                });
            }
        },
    };
    Ok(Claimed {
        backend: Arc::new(r),
        worker,
        key,
        token: token.split(' ').next().unwrap_or_default().to_owned(),
        mark,
        granted_ttl_ms: ttl_ms,
        sent_ms,
    })
}

impl Redis {
    fn gone(&self, code: i64) -> String {
        if code == -2 {
            format!("key {} now holds another holder's token", self.key)
        } else {
            format!("key {} is gone (expired, or the server lost it)", self.key)
        }
    }
}

impl Backend for Redis {
    fn renew(&self) -> std::result::Result<Renewal, String> {
        let code: i64 = with_conn(&self.client, &self.conn, self.timeout, |c| {
            self.renew
                .key(&self.key)
                .arg(&self.token)
                .arg(self.ttl_ms)
                .invoke(c)
        })?;
        Ok(if code == 1 {
            Renewal::Renewed(self.ttl_ms)
        } else {
            Renewal::Gone(self.gone(code))
        })
    }

    fn write_mark(&self, tick: u64, lower: bool) -> std::result::Result<MarkWrite, String> {
        let got: i64 = with_conn(&self.client, &self.conn, self.timeout, |c| {
            self.mark
                .key(&self.key)
                .key(&self.mark_key)
                .arg(&self.token)
                .arg(tick)
                .arg(if lower { "lower" } else { "raise" })
                .invoke(c)
        })?;
        Ok(if got < 0 {
            MarkWrite::Gone(self.gone(got))
        } else {
            MarkWrite::Written(got as u64)
        })
    }

    fn release(&self) {
        let _: std::result::Result<i64, String> =
            with_conn(&self.client, &self.conn, self.timeout, |c| {
                self.release.key(&self.key).arg(&self.token).invoke(c)
            });
    }
}

#[cfg(test)]
mod tests {
    use super::lease_volatile;
    use crate::segment::redis::Persistence;

    #[test]
    fn a_lease_needs_the_aof() {
        let p = |aof, save: Option<&str>| Persistence {
            aof,
            save: save.map(str::to_owned),
        };
        assert!(lease_volatile(&p(true, Some(""))).is_none());
        assert!(lease_volatile(&p(true, None)).is_none());
        let rdb = lease_volatile(&p(false, Some("3600 1 300 100"))).unwrap();
        assert!(rdb.contains("RDB snapshots only"), "{rdb}");
        assert!(lease_volatile(&p(false, Some(""))).is_some());
        assert!(lease_volatile(&p(false, None)).is_some());
    }
}
