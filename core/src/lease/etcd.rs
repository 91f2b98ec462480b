//! etcd v3: a put-if-absent transaction bound to a lease; the key's create
//! revision fences every later write.
//!
//! The client is async (tonic); it runs on a one-worker tokio runtime owned
//! by the holder. Calls are spawned onto that runtime and awaited through a
//! channel, so they work from any thread, including one inside the caller's
//! own async runtime (where `block_on` would panic).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, GetOptions, LeaseKeepAliveStream, LeaseKeeper,
    PutOptions, Txn, TxnOp, TxnOpResponse,
};

use super::{now_ms, Backend, Claimed, LeaseSpec, MarkWrite, Renewal};
use crate::error::{Error, Result};

type KeepAlive = (LeaseKeeper, LeaseKeepAliveStream);

struct Etcd {
    rt: Option<tokio::runtime::Runtime>,
    client: Client,
    timeout: Duration,
    key: String,
    mark_key: String,
    lease: i64,
    revision: i64,
    keep_alive: Mutex<Option<KeepAlive>>,
    /// Mod revision of the mark key as we last wrote or read it (0: absent).
    mark_revision: Mutex<i64>,
}

fn run<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    timeout: Duration,
    fut: impl Future<Output = std::result::Result<T, String>> + Send + 'static,
) -> std::result::Result<T, String> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let r = match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
        };
        let _ = tx.send(r);
    });
    rx.recv_timeout(timeout + Duration::from_secs(1))
        .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
}

impl Etcd {
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = std::result::Result<T, String>> + Send + 'static,
    ) -> std::result::Result<T, String> {
        run(self.rt.as_ref().expect("runtime lives"), self.timeout, fut)
    }
}

fn unavailable(spec: &LeaseSpec, reason: impl std::fmt::Display) -> Error {
    Error::CoordinationUnavailable {
        service: "etcd".into(),
        endpoint: spec.endpoints.join(","),
        reason: reason.to_string(),
    }
}

fn parse_tick(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

/// Claims the first free worker number under `base`.
pub(crate) fn claim(spec: &LeaseSpec, base: &str, slots: u64) -> Result<Claimed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("snowid-etcd")
        .enable_all()
        .build()
        .map_err(|e| unavailable(spec, format!("cannot start a runtime: {e}")))?;
    let timeout = spec.request_timeout();
    let endpoints = spec.endpoints.clone();
    let ttl_s = spec.ttl_ms.div_ceil(1000) as i64;
    let workers = format!("{base}/workers/");
    let value = format!(
        "{} lease-ttl-ms={}",
        super::holder_description(),
        spec.ttl_ms
    );
    let claim_timeout = timeout * 4;
    let sent_ms = now_ms();
    let (client, lease, granted, found) = run(&rt, claim_timeout, {
        let workers = workers.clone();
        async move {
            let opts = ConnectOptions::new()
                .with_connect_timeout(timeout)
                .with_timeout(timeout);
            let mut client = Client::connect(&endpoints, Some(opts))
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            let grant = client
                .lease_grant(ttl_s, None)
                .await
                .map_err(|e| format!("lease grant failed: {e}"))?;
            let lease = grant.id();
            let mut taken = std::collections::HashSet::new();
            let listed = client
                .get(
                    workers.as_str(),
                    Some(GetOptions::new().with_prefix().with_keys_only()),
                )
                .await
                .map_err(|e| format!("listing {workers} failed: {e}"))?;
            for kv in listed.kvs() {
                if let Some(n) = kv
                    .key_str()
                    .ok()
                    .and_then(|k| k.strip_prefix(workers.as_str()))
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    taken.insert(n);
                }
            }
            let mut found = None;
            for n in (0..slots).filter(|n| !taken.contains(n)) {
                let key = format!("{workers}{n}");
                let txn = Txn::new()
                    .when([Compare::create_revision(key.as_str(), CompareOp::Equal, 0)])
                    .and_then([
                        TxnOp::put(
                            key.as_str(),
                            value.as_str(),
                            Some(PutOptions::new().with_lease(lease)),
                        ),
                        TxnOp::get(key.as_str(), None),
                    ]);
                let resp = client
                    .txn(txn)
                    .await
                    .map_err(|e| format!("claim of {key} failed: {e}"))?;
                if !resp.succeeded() {
                    continue;
                }
                let revision = resp
                    .op_responses()
                    .into_iter()
                    .find_map(|r| match r {
                        TxnOpResponse::Get(g) => g.kvs().first().map(|kv| kv.create_revision()),
                        _ => None,
                    })
                    .ok_or_else(|| format!("claim of {key}: no revision in the answer"))?;
                found = Some((n, revision));
                break;
            }
            if found.is_none() {
                let _ = client.lease_revoke(lease).await;
            }
            Ok((client, lease, grant.ttl(), found))
        }
    })
    .map_err(|e| unavailable(spec, e))?;
    let Some((worker, revision)) = found else {
        return Err(Error::NoFreeSlot {
            slots,
            dir: format!("etcd {workers} at {}", spec.endpoints.join(",")),
            wanted: 1,
            free: 0,
        });
    };
    let key = format!("{workers}{worker}");
    let mark_key = format!("{base}/marks/{worker}");
    let etcd = Etcd {
        rt: Some(rt),
        client,
        timeout,
        key: key.clone(),
        mark_key: mark_key.clone(),
        lease,
        revision,
        keep_alive: Mutex::new(None),
        mark_revision: Mutex::new(0),
    };
    // Read the mark only now that the number is ours: a predecessor's writes
    // need its own create revision, so nothing can raise it after this read.
    let mut client = etcd.client.clone();
    let mark = etcd
        .run(async move {
            let r = client
                .get(mark_key.as_str(), None)
                .await
                .map_err(|e| format!("reading {mark_key} failed: {e}"))?;
            Ok(r.kvs().first().map(|kv| {
                (
                    parse_tick(kv.value()),
                    kv.mod_revision(),
                    kv.value().to_vec(),
                )
            }))
        })
        .map_err(|e| {
            etcd.release();
            unavailable(spec, e)
        })?;
    let mark = match mark {
        None => None,
        Some((Some(t), rev, _)) => {
            *etcd.mark_revision.lock().unwrap_or_else(|p| p.into_inner()) = rev;
            Some(t)
        }
        Some((None, _, raw)) => {
            etcd.release();
            return Err(Error::StateCorrupt {
                path: format!("etcd {base}/marks/{worker}"),
                reason: format!("value {:?} is not a tick", String::from_utf8_lossy(&raw)),
                hint: "the last holder of this worker number stopped".into(),
            });
        }
    };
    Ok(Claimed {
        backend: Arc::new(etcd),
        worker,
        key,
        token: format!("create revision {revision}, lease {lease:x}"),
        mark,
        granted_ttl_ms: (granted.max(0) as u64) * 1000,
        sent_ms,
    })
}

impl Backend for Etcd {
    fn renew(&self) -> std::result::Result<Renewal, String> {
        let held = self
            .keep_alive
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let mut client = self.client.clone();
        let lease = self.lease;
        let (stream, outcome) = self.run(async move {
            let (mut keeper, mut stream) = match held {
                Some(ka) => ka,
                None => match client.lease_keep_alive(lease).await {
                    Ok(ka) => ka,
                    // etcd-client reads the first answer of a new stream
                    // itself and reports a TTL of 0 (the lease expired or was
                    // revoked on the server) as this error: the lease is
                    // gone, not unreachable. Taken for a transient failure,
                    // a holder whose stream broke during a partition longer
                    // than the TTL stayed LEASE_LOST for good after it
                    // healed (found by the fault harness, faults/).
                    Err(etcd_client::Error::LeaseKeepAliveError(m)) if m == "lease not found" => {
                        return Ok((
                            None,
                            Ok(Renewal::Gone(format!(
                                "lease {lease:x} expired on the server"
                            ))),
                        ))
                    }
                    Err(e) => return Ok((None, Err(format!("keep-alive stream: {e}")))),
                },
            };
            if let Err(e) = keeper.keep_alive().await {
                return Ok((None, Err(format!("keep-alive send: {e}"))));
            }
            match stream.message().await {
                Ok(Some(resp)) if resp.ttl() > 0 => Ok((
                    Some((keeper, stream)),
                    Ok(Renewal::Renewed(resp.ttl() as u64 * 1000)),
                )),
                Ok(Some(_)) => Ok((
                    None,
                    Ok(Renewal::Gone(format!(
                        "lease {lease:x} expired on the server"
                    ))),
                )),
                Ok(None) => Ok((None, Err("keep-alive stream closed".into()))),
                Err(e) => Ok((None, Err(format!("keep-alive answer: {e}")))),
            }
        })?;
        *self.keep_alive.lock().unwrap_or_else(|p| p.into_inner()) = stream;
        outcome
    }

    fn write_mark(&self, tick: u64, lower: bool) -> std::result::Result<MarkWrite, String> {
        let mut known = self.mark_revision.lock().unwrap_or_else(|p| p.into_inner());
        for _ in 0..4 {
            let (key, mark_key, revision) =
                (self.key.clone(), self.mark_key.clone(), self.revision);
            let mut client = self.client.clone();
            let mark_rev = *known;
            let resp = self.run(async move {
                let txn = Txn::new()
                    .when([
                        Compare::create_revision(key.as_str(), CompareOp::Equal, revision),
                        Compare::mod_revision(mark_key.as_str(), CompareOp::Equal, mark_rev),
                    ])
                    .and_then([TxnOp::put(mark_key.as_str(), tick.to_string(), None)])
                    .or_else([
                        TxnOp::get(key.as_str(), None),
                        TxnOp::get(mark_key.as_str(), None),
                    ]);
                client
                    .txn(txn)
                    .await
                    .map_err(|e| format!("mark transaction: {e}"))
            })?;
            if resp.succeeded() {
                *known = resp.header().map(|h| h.revision()).unwrap_or(mark_rev);
                return Ok(MarkWrite::Written(tick));
            }
            let gets: Vec<_> = resp
                .op_responses()
                .into_iter()
                .filter_map(|r| match r {
                    TxnOpResponse::Get(g) => Some(g.kvs().first().cloned()),
                    _ => None,
                })
                .collect();
            let (worker_kv, mark_kv) = match gets.as_slice() {
                [w, m] => (w.clone(), m.clone()),
                _ => return Err("mark transaction: unexpected answer".into()),
            };
            match worker_kv {
                None => {
                    return Ok(MarkWrite::Gone(format!(
                        "key {} was deleted (lease expired or revoked)",
                        self.key
                    )))
                }
                Some(kv) if kv.create_revision() != self.revision => {
                    return Ok(MarkWrite::Gone(format!(
                        "key {} now belongs to another holder (create revision {}, ours {}; {})",
                        self.key,
                        kv.create_revision(),
                        self.revision,
                        String::from_utf8_lossy(kv.value())
                    )))
                }
                Some(_) => {}
            }
            // Only the mark moved (e.g. our own write whose answer was lost).
            *known = mark_kv.as_ref().map_or(0, |kv| kv.mod_revision());
            if let Some(current) = mark_kv.as_ref().and_then(|kv| parse_tick(kv.value())) {
                if !lower && current >= tick {
                    return Ok(MarkWrite::Written(current));
                }
            }
        }
        Err("the mark kept changing under us".into())
    }

    fn release(&self) {
        let mut client = self.client.clone();
        let lease = self.lease;
        let _ = self.run(async move {
            client
                .lease_revoke(lease)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        // Never blocks or panics, even inside the caller's async runtime.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
