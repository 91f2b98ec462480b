//! Redis: `SET key token NX PX ttl` claims a worker number; renewals, mark
//! writes and the release are Lua scripts that act only while the key holds
//! our random token (the fencing token). Only as safe as one Redis primary.
//! At claim, a server without the AOF (`appendonly no`, RDB snapshots or
//! nothing) is refused unless [`LeaseSpec::allow_volatile`]
//! (`SNOWID_REDIS_ALLOW_VOLATILE=1`): restarted, it forgets the lease and the
//! mark together.
//!
//! **A server that forgot.** Even with the AOF, a Redis restored from a
//! backup, or one that lost its last second of `appendfsync everysec`,
//! comes back without a lease it acknowledged, while the holder (which has
//! not yet renewed) still issues. So every claim and renewal is tied to the
//! server's `run_id` (new on every start): a renewal answered by another run
//! means the store may have forgotten, and the holder stops for good
//! ([`crate::Error::LeaseTaken`]; build a new generator to claim again). And
//! a claim waits (quarantine) until the server has been up for one TTL plus
//! the margin plus 1 s (its `uptime_in_seconds` has whole seconds): by then
//! every holder from before the restart has passed its fence deadline, so a
//! number the restart freed is never held twice at once. The wait is bounded
//! (a server that keeps restarting is `COORDINATION_UNAVAILABLE`).

use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// The server run the lease was claimed on (`INFO server` `run_id`).
    run_id: String,
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

/// Which run of the server answered (`run_id`, new on every start) and
/// how long it has been up.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServerRun {
    run_id: String,
    uptime_s: u64,
}

fn parse_run(info: &str) -> Option<ServerRun> {
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.trim().strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    Some(ServerRun {
        run_id: field("run_id").filter(|r| !r.is_empty())?.to_owned(),
        uptime_s: field("uptime_in_seconds")?.parse().ok()?,
    })
}

fn server_run(
    client: &Client,
    conn: &Mutex<Option<Connection>>,
    timeout: Duration,
) -> std::result::Result<ServerRun, String> {
    let info: String = with_conn(client, conn, timeout, |c| {
        redis::cmd("INFO").arg("server").query(c)
    })?;
    parse_run(&info).ok_or_else(|| "INFO server has no run_id or uptime_in_seconds".to_owned())
}

/// How long a server must have been up before a claim: one TTL and the
/// margin (every holder from before a restart has passed its deadline),
/// plus 1 s for `uptime_in_seconds`' whole seconds.
fn quarantine_ms(spec: &LeaseSpec) -> u64 {
    spec.ttl_ms + spec.margin() + 1000
}

/// The server's run once it has been up for [`quarantine_ms`], waiting for
/// it if needed; `started`: when the claim began (the bound covers all its
/// waits).
fn settled_run(
    spec: &LeaseSpec,
    client: &Client,
    conn: &Mutex<Option<Connection>>,
    started: Instant,
) -> Result<ServerRun> {
    let q = quarantine_ms(spec);
    let bound = Duration::from_millis(q + 2000);
    loop {
        let run =
            server_run(client, conn, spec.request_timeout()).map_err(|e| unavailable(spec, e))?;
        let up_ms = run.uptime_s.saturating_mul(1000);
        if up_ms >= q {
            return Ok(run);
        }
        let wait = Duration::from_millis(q - up_ms);
        if started.elapsed() + wait > bound {
            return Err(unavailable(
                spec,
                format!(
                    "the server restarted {} s ago (run_id {}) and again while this claim                      waited: a claim waits until it has been up for {q} ms (the lease TTL, the                      margin and 1 s), so that no holder from before a restart, which it may                      have forgotten, still issues on the number",
                    run.uptime_s, run.run_id
                ),
            ));
        }
        std::thread::sleep(wait);
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
    let started = Instant::now();
    let (worker, run, sent_ms) = loop {
        let run = settled_run(spec, &client, &conn, started)?;
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
        // The claim counts only if the run that settled also took it.
        let after = server_run(&client, &conn, timeout);
        if after.as_ref().is_ok_and(|a| a.run_id == run.run_id) {
            break (worker, run, sent_ms);
        }
        let _: std::result::Result<i64, String> = with_conn(&client, &conn, timeout, |c| {
            Script::new(RELEASE)
                .key(format!("{workers}{worker}"))
                .arg(&token)
                .invoke(c)
        });
        after.map_err(|e| unavailable(spec, e))?;
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
        run_id: run.run_id,
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
        if code != 1 {
            return Ok(Renewal::Gone(self.gone(code)));
        }
        // Asked after the renewal: the same run answered both only if it
        // did not restart in between either.
        let run = server_run(&self.client, &self.conn, self.timeout)?;
        if run.run_id != self.run_id {
            return Ok(Renewal::Gone(format!(
                "the Redis server restarted since the claim (run_id {} -> {}, up {} s): it may \
                 have forgotten the lease and the high-water mark (a restore from a backup, \
                 appendfsync everysec), so this holder stops",
                self.run_id, run.run_id, run.uptime_s
            )));
        }
        Ok(Renewal::Renewed(self.ttl_ms))
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
    use super::{lease_volatile, parse_run, ServerRun};
    use crate::segment::redis::Persistence;

    #[test]
    fn the_server_run_comes_from_info_server() {
        let info = "# Server\r\nredis_version:7.0.15\r\nrun_id:4f1c2d\r\ntcp_port:6379\r\nuptime_in_seconds:42\r\nuptime_in_days:0\r\n";
        assert_eq!(
            parse_run(info),
            Some(ServerRun {
                run_id: "4f1c2d".into(),
                uptime_s: 42
            })
        );
        assert_eq!(parse_run("# Server\r\nuptime_in_seconds:42\r\n"), None);
        assert_eq!(parse_run("run_id:x\r\nuptime_in_seconds:soon\r\n"), None);
    }

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
