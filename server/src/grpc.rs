//! `snowid serve --grpc-listen ADDR`: the gRPC face of the service
//! (`proto/snowid.proto`): unary `NextIds`, server-streaming `StreamIds`
//! sending packed chunks, and the standard health service
//! (`grpc.health.v1.Health`, SERVING while the generator is ready).
//!
//! Same generator, token and limits as HTTP: the bearer token in the
//! `authorization` metadata, `--max-batch` for a call's count and a
//! stream's chunk, `--request-timeout-ms` for a unary call,
//! `--max-connections` for connections (and for streams at once),
//! `--max-header-bytes` for the metadata, and `--shutdown-grace-ms` for
//! what is in flight at shutdown (a stream ends with UNAVAILABLE
//! `SHUTTING_DOWN` at its next chunk). An error is a status whose message
//! starts with the snowid code, also in the trailers `snowid-code` and
//! `snowid-number`.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tokio_stream::StreamExt;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::transport::server::{Connected, TcpConnectInfo};
use tonic::{Code, Request, Response, Status};

use crate::conn::Limits;
use crate::exit::{Fail, EXIT_UNAVAILABLE};
use crate::front::{bearer_token, token_eq};
use crate::routes::{le_bytes, take_batch, BatchError, St};

mod proto {
    #![allow(clippy::all, clippy::pedantic)]
    tonic::include_proto!("snowid.v1");
}

use proto::snowid_server::{Snowid, SnowidServer};
use proto::{Ids, NextIdsRequest, Packing, StreamIdsRequest};

/// IDs per chunk when a stream asks for 0.
const DEFAULT_CHUNK: u32 = 4096;
/// Chunks a stream may have queued ahead of its client.
const QUEUED_CHUNKS: usize = 4;

/// A coded status: the snowid code leads the message and rides in the
/// trailers `snowid-code` / `snowid-number`.
fn coded(grpc: Code, code: &str, number: u32, message: &str) -> Status {
    let mut md = MetadataMap::new();
    if let Ok(v) = MetadataValue::try_from(code) {
        md.insert("snowid-code", v);
    }
    md.insert("snowid-number", MetadataValue::from(number));
    Status::with_metadata(grpc, format!("{code}: {message}"), md)
}

/// The core's error as a status: invalid input -> INVALID_ARGUMENT, the
/// rest (lease lost, clock, ...) -> UNAVAILABLE, as HTTP's 400 / 503.
fn core_status(e: &snowid::Error) -> Status {
    let grpc = match e.kind() {
        snowid::ErrorKind::InvalidInput => Code::InvalidArgument,
        snowid::ErrorKind::Unavailable => Code::Unavailable,
    };
    coded(grpc, e.code(), e.number(), &e.to_string())
}

fn batch_status(e: &BatchError) -> Status {
    match e {
        BatchError::Core(e) => core_status(e),
        BatchError::Timeout => coded(Code::DeadlineExceeded, "TIMEOUT", 0, "request timed out"),
        BatchError::Failed => coded(Code::Internal, "INTERNAL", 0, "batch task failed"),
    }
}

/// A count of the request (0: `default`) checked by the core against
/// `1..=--max-batch`; its coded error names the field, the value and the
/// range.
fn count(field: &str, n: u32, default: u32, max_batch: u64) -> Result<usize, Status> {
    let n = if n == 0 { default } else { n };
    snowid::Value::from(n)
        .int_in(field, 1, max_batch.min(snowid::MAX_BATCH).into())
        .map(|n| n as usize)
        .map_err(|e| core_status(&e))
}

fn chunk(ids: &[u64], packing: i32) -> Ids {
    if packing == Packing::Fixed64 as i32 {
        Ids {
            packed: Vec::new(),
            ids: ids.to_vec(),
        }
    } else {
        Ids {
            packed: le_bytes(ids),
            ids: Vec::new(),
        }
    }
}

/// The service behind `SnowidServer`.
struct Service {
    st: St,
    token: Option<Vec<u8>>,
    /// One permit per stream (`--max-connections` at once).
    streams: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
}

impl Service {
    fn stats(&self) -> &crate::metrics::GrpcStats {
        self.st
            .grpc
            .as_ref()
            .expect("gRPC stats exist while gRPC listens")
    }

    fn authorize<T>(&self, req: &Request<T>) -> Result<(), Status> {
        let Some(t) = &self.token else { return Ok(()) };
        let given = req.metadata().get("authorization");
        if given
            .and_then(|v| bearer_token(v.as_bytes()))
            .is_some_and(|g| token_eq(g, t))
        {
            return Ok(());
        }
        Err(coded(
            Code::Unauthenticated,
            "UNAUTHORIZED",
            0,
            "a valid bearer token is required (metadata authorization: Bearer <token>)",
        ))
    }

    async fn next_ids_call(&self, req: Request<NextIdsRequest>) -> Result<Ids, Status> {
        self.authorize(&req)?;
        let r = req.into_inner();
        let n = count("count", r.count, 1, self.st.max_batch)?;
        let ids = take_batch(&self.st, n)
            .await
            .map_err(|e| batch_status(&e))?;
        self.stats().ids_sent.fetch_add(ids.len() as u64, Relaxed);
        Ok(chunk(&ids, r.packing))
    }

    fn stream_call(&self, req: Request<StreamIdsRequest>) -> Result<IdStream, Status> {
        self.authorize(&req)?;
        let r = req.into_inner();
        let per = count("chunk", r.chunk, DEFAULT_CHUNK, self.st.max_batch)?;
        let permit = self.streams.clone().try_acquire_owned().map_err(|_| {
            coded(
                Code::ResourceExhausted,
                "TOO_MANY_STREAMS",
                0,
                "as many streams as --max-connections are open",
            )
        })?;
        let (tx, rx) = tokio::sync::mpsc::channel(QUEUED_CHUNKS);
        let (st, stop) = (self.st.clone(), self.stop.clone());
        // One blocking thread per stream: a chunk may wait for the next
        // tick. It ends when the total is sent, the client is gone (the
        // channel closed: cancelled), the core refuses, or at shutdown.
        tokio::task::spawn_blocking(move || produce(&st, per, r, &tx, &stop, permit));
        Ok(ReceiverStream::new(rx))
    }
}

/// The chunks of one stream, sent into `tx` until it is done.
fn produce(
    st: &St,
    per: usize,
    r: StreamIdsRequest,
    tx: &tokio::sync::mpsc::Sender<Result<Ids, Status>>,
    stop: &watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let stats = st
        .grpc
        .as_ref()
        .expect("gRPC stats exist while gRPC listens");
    stats.streams_open.fetch_add(1, Relaxed);
    let mut left = if r.total == 0 { u64::MAX } else { r.total };
    let mut buf = vec![0u64; per];
    while left > 0 {
        if *stop.borrow() {
            let msg = "the service is shutting down";
            let _ = tx.blocking_send(Err(coded(Code::Unavailable, "SHUTTING_DOWN", 0, msg)));
            break;
        }
        let n = usize::try_from(left).map_or(per, |l| l.min(per));
        let mut filled = 0;
        while filled < n {
            match st.gen.next_batch(&mut buf[filled..n]) {
                Ok(k) => filled += k,
                Err(_) if filled > 0 => break, // send these; the next call says why
                Err(e) => {
                    let _ = tx.blocking_send(Err(core_status(&e)));
                    left = 0;
                    break;
                }
            }
        }
        if filled == 0 {
            break;
        }
        // The client cancelled: the IDs of this chunk are never sent (a
        // gap, never a duplicate).
        if tx
            .blocking_send(Ok(chunk(&buf[..filled], r.packing)))
            .is_err()
        {
            break;
        }
        stats.ids_sent.fetch_add(filled as u64, Relaxed);
        left -= filled as u64;
    }
    stats.streams_open.fetch_sub(1, Relaxed);
}

type IdStream = ReceiverStream<Result<Ids, Status>>;

#[tonic::async_trait]
impl Snowid for Service {
    async fn next_ids(&self, req: Request<NextIdsRequest>) -> Result<Response<Ids>, Status> {
        let r = self.next_ids_call(req).await;
        self.stats()
            .record(0, r.as_ref().map_or_else(|s| s.code() as i32, |_| 0));
        r.map(Response::new)
    }

    type StreamIdsStream = IdStream;

    async fn stream_ids(
        &self,
        req: Request<StreamIdsRequest>,
    ) -> Result<Response<IdStream>, Status> {
        let r = self.stream_call(req);
        self.stats()
            .record(1, r.as_ref().map_or_else(|s| s.code() as i32, |_| 0));
        r.map(Response::new)
    }
}

/// An accepted connection holding one of `--max-connections`.
struct Counted {
    io: TcpStream,
    st: St,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Counted {
    fn drop(&mut self) {
        if let Some(g) = &self.st.grpc {
            g.connections_open.fetch_sub(1, Relaxed);
        }
    }
}

impl Connected for Counted {
    type ConnectInfo = TcpConnectInfo;
    fn connect_info(&self) -> TcpConnectInfo {
        self.io.connect_info()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Health: SERVING while the generator is ready ([`snowid::Generator::ready`],
/// as `/readyz`), NOT_SERVING otherwise and from shutdown on.
async fn report_health(
    st: St,
    reporter: tonic_health::server::HealthReporter,
    stop: watch::Receiver<bool>,
) {
    use tonic_health::ServingStatus;
    let name = <SnowidServer<Service> as tonic::server::NamedService>::NAME;
    loop {
        let status = if *stop.borrow() || st.gen.ready().is_err() {
            ServingStatus::NotServing
        } else {
            ServingStatus::Serving
        };
        reporter.set_service_status("", status).await;
        reporter.set_service_status(name, status).await;
        if *stop.borrow() {
            return;
        }
        let mut s = stop.clone();
        let _ = tokio::time::timeout(Duration::from_secs(1), s.changed()).await;
    }
}

/// Binds `addr` and serves gRPC until `stop` turns true, then at most
/// `--shutdown-grace-ms` more for what is in flight. Returns the task.
pub async fn start(
    addr: &str,
    st: St,
    token: Option<Vec<u8>>,
    limits: Limits,
    max_header_bytes: usize,
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, Fail> {
    let addr: SocketAddr = addr.parse().map_err(|e| {
        Fail(
            crate::exit::EXIT_USAGE,
            format!("--grpc-listen {addr:?}: {e}"),
        )
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Fail(EXIT_UNAVAILABLE, format!("listen on {addr} (gRPC): {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Fail(EXIT_UNAVAILABLE, e.to_string()))?;
    eprintln!("snowid: gRPC listening on {local}");
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let st2 = st.clone();
    let incoming = TcpListenerStream::new(listener).filter_map(move |r| {
        let io = r.ok()?;
        let g = st2.grpc.as_ref()?;
        g.connections_accepted.fetch_add(1, Relaxed);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Beyond the limit: closed at once (the client sees UNAVAILABLE).
            g.connections_refused.fetch_add(1, Relaxed);
            return None;
        };
        let _ = io.set_nodelay(true);
        g.connections_open.fetch_add(1, Relaxed);
        Some(Ok::<_, std::io::Error>(Counted {
            io,
            st: st2.clone(),
            _slot: slot,
        }))
    });
    let (reporter, health) = tonic_health::server::health_reporter();
    tokio::spawn(report_health(st.clone(), reporter, stop.clone()));
    let svc = Service {
        st: st.clone(),
        token,
        streams: Arc::new(Semaphore::new(limits.max_connections)),
        stop: stop.clone(),
    };
    let server = tonic::transport::Server::builder()
        .timeout(st.timeout)
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(Duration::from_secs(10)))
        .http2_max_header_list_size(u32::try_from(max_header_bytes).unwrap_or(u32::MAX))
        .add_service(health)
        .add_service(SnowidServer::new(svc))
        .serve_with_incoming_shutdown(incoming, stopped(stop.clone()));
    Ok(tokio::spawn(async move {
        tokio::pin!(server);
        tokio::select! {
            r = &mut server => if let Err(e) = r { eprintln!("snowid: gRPC: {e}") },
            _ = async { stopped(stop).await; tokio::time::sleep(limits.shutdown_grace).await } => {
                eprintln!("snowid: gRPC calls still open after the shutdown grace; closing them");
            }
        }
    }))
}
