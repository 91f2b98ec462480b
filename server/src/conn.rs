//! The service's connections: the accept loop, the connection limit, the
//! header and idle timeouts, graceful shutdown with a bounded grace, and
//! coded JSON bodies on the answers hyper writes by itself.
//!
//! `axum::serve` has no header timeout, no idle timeout and no connection
//! limit, and its graceful shutdown waits for idle keep-alive connections
//! without bound; so the service drives hyper's HTTP/1 connections itself.
//!
//! Each connection is one task that polls the hyper connection and its
//! [`Watch`]: the deadline of the connection follows its state, read from
//! the connection's own I/O ([`Tracked`]) and requests ([`InFlight`]):
//!
//! - a request head being read (from accept, or from the first byte after
//!   the previous exchange): closed at its start + `--header-timeout-ms`
//!   (slowloris: a head sent a byte at a time is cut all the same);
//! - a request in flight: no deadline (a batch has `--request-timeout-ms`);
//! - otherwise (idle keep-alive, or a response the client does not read):
//!   closed when nothing moved for `--idle-timeout-ms`.
//!
//! A timed-out connection is closed without an answer (no 408): a client
//! that cannot send a head in time would not read one either.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;

use crate::http::error_json;

/// `ready!` for a `Poll<io::Result<T>>` inside a function returning one.
macro_rules! ready_io {
    ($e:expr) => {
        match $e {
            Poll::Ready(r) => r,
            Poll::Pending => return Poll::Pending,
        }
    };
}

/// The connection settings (`snowid serve` flags, validated at start-up).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `--header-timeout-ms`: longest time to receive one request head.
    pub header_timeout: Duration,
    /// `--idle-timeout-ms`: longest time a connection sits with nothing
    /// moving and no request in flight.
    pub idle_timeout: Duration,
    /// `--max-connections`: connections served at once; more are answered
    /// 503 `TOO_MANY_CONNECTIONS` and closed at once.
    pub max_connections: usize,
    /// `--shutdown-grace-ms`: after SIGTERM, longest wait for in-flight
    /// requests (idle connections close at once).
    pub shutdown_grace: Duration,
}

/// Connection counters for `/metrics`.
#[derive(Default)]
pub struct ConnStats {
    pub accepted: AtomicU64,
    pub open: AtomicU64,
    pub refused: AtomicU64,
    pub header_timeouts: AtomicU64,
    pub idle_timeouts: AtomicU64,
    pub http_errors: AtomicU64,
}

/// One connection's state, shared by its I/O and its requests (all in the
/// connection's task, so relaxed atomics suffice). Times are ms since
/// `base`; 0 in `head_since` means no head is being read.
pub struct Watch {
    base: Instant,
    head_since: AtomicU64,
    last_active: AtomicU64,
    in_flight: AtomicU32,
}

impl Watch {
    fn new() -> Watch {
        Watch {
            base: Instant::now(),
            // A fresh connection owes its first head.
            head_since: AtomicU64::new(1),
            last_active: AtomicU64::new(1),
            in_flight: AtomicU32::new(0),
        }
    }

    /// ms since `base`, plus 1 (so 0 stays "unset").
    fn now(&self) -> u64 {
        self.base.elapsed().as_millis() as u64 + 1
    }

    /// A request head arrived whole and the request starts; the guard ends
    /// it (when its response future completes or is dropped).
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.head_since.store(0, Relaxed);
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(self.clone())
    }

    fn on_read(&self) {
        if self.in_flight.load(Relaxed) == 0 && self.head_since.load(Relaxed) == 0 {
            self.head_since.store(self.now(), Relaxed);
        }
    }

    fn on_write(&self) {
        self.last_active.store(self.now(), Relaxed);
    }

    /// Reading a head that the service has not seen: anything written now
    /// is hyper's own answer to a malformed head.
    fn reading_head(&self) -> bool {
        self.head_since.load(Relaxed) != 0 && self.in_flight.load(Relaxed) == 0
    }

    /// When the connection is closed unless something happens first, and
    /// why: `(deadline, is_header_timeout)`; `None` while a request is in
    /// flight.
    fn deadline(&self, l: &Limits) -> Option<(Instant, bool)> {
        let at = |ms: u64, d: Duration| self.base + Duration::from_millis(ms - 1) + d;
        let head = self.head_since.load(Relaxed);
        if head != 0 {
            return Some((at(head, l.header_timeout), true));
        }
        if self.in_flight.load(Relaxed) > 0 {
            return None;
        }
        Some((at(self.last_active.load(Relaxed), l.idle_timeout), false))
    }
}

/// A request in flight on a connection (see [`Watch::request_started`]).
pub struct InFlight(Arc<Watch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last_active.store(self.0.now(), Relaxed);
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

/// The coded JSON response that replaces hyper's own (empty) answer to a
/// head it cannot parse: 400 malformed, 414 URI too long, 431 head too
/// large. The connection closes after it, as hyper's would.
fn coded_http_error(status: &[u8]) -> Vec<u8> {
    let (code, reason, message) = match status {
        b"414" => (
            "URI_TOO_LONG",
            "URI Too Long",
            "the request target is too long",
        ),
        b"431" => (
            "HEADERS_TOO_LARGE",
            "Request Header Fields Too Large",
            "request headers too large",
        ),
        _ => ("BAD_REQUEST", "Bad Request", "malformed HTTP request"),
    };
    let status = std::str::from_utf8(status).unwrap_or("400");
    let body = error_json(code, 0, message);
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// 503 to a connection beyond `--max-connections`.
fn too_many_connections() -> Vec<u8> {
    let body = error_json(
        "TOO_MANY_CONNECTIONS",
        0,
        "the service holds its --max-connections connections; retry later",
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// hyper's answer to a head it could not parse: `HTTP/1.1 4xx ...` with
/// `content-length: 0`, written while the head is still being read. Its
/// status, if `buf` is one.
fn hyper_error_status(buf: &[u8]) -> Option<[u8; 3]> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let status: [u8; 3] = rest.get(..3)?.try_into().ok()?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let empty = buf[..head_end + 2]
        .windows(21)
        .any(|w| w.eq_ignore_ascii_case(b"\r\ncontent-length: 0\r\n"));
    (matches!(&status, b"400" | b"414" | b"431") && empty).then_some(status)
}

/// A connection's socket as hyper sees it: reads and writes move the
/// [`Watch`]; hyper's empty parse-error answers are replaced by coded ones.
struct Tracked {
    io: TcpStream,
    watch: Arc<Watch>,
    stats: Arc<ConnStats>,
    /// A replacement answer still to be written, and how much of it is.
    pending: Vec<u8>,
    sent: usize,
}

impl Tracked {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready_io!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
            self.watch.on_write();
        }
        Poll::Ready(Ok(()))
    }

    /// If `buf` is hyper's own error answer, queue the coded one instead
    /// and claim `buf` written.
    fn replace(&mut self, buf: &[u8]) -> Option<usize> {
        if !self.pending.is_empty() || !self.watch.reading_head() {
            return None;
        }
        let status = hyper_error_status(buf)?;
        self.stats.http_errors.fetch_add(1, Relaxed);
        self.pending = coded_http_error(&status);
        Some(buf.len())
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready_io!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.watch.on_read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready_io!(this.poll_pending(cx))?;
        if let Some(n) = this.replace(buf) {
            return Poll::Ready(Ok(n));
        }
        let n = ready_io!(Pin::new(&mut this.io).poll_write(cx, buf))?;
        this.watch.on_write();
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready_io!(this.poll_pending(cx))?;
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            if let Some(n) = this.replace(first) {
                return Poll::Ready(Ok(n));
            }
        }
        let n = ready_io!(Pin::new(&mut this.io).poll_write_vectored(cx, bufs))?;
        this.watch.on_write();
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready_io!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready_io!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// Serves HTTP/1.1 on `listener` until `shutdown` completes, then closes
/// idle connections, lets in-flight requests finish for at most
/// `limits.shutdown_grace`, and returns (connections still open are
/// dropped with the runtime). `service` makes one connection's service
/// from its [`Watch`].
pub async fn serve<S, B, F>(
    listener: TcpListener,
    limits: Limits,
    stats: Arc<ConnStats>,
    service: F,
    shutdown: impl Future<Output = ()>,
) where
    F: Fn(Arc<Watch>) -> S,
    S: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(true);
    let http = Arc::new(http);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off.
                    eprintln!("snowid: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        stats.accepted.fetch_add(1, Relaxed);
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            // Beyond the limit: answer at once without reading, close.
            stats.refused.fetch_add(1, Relaxed);
            let mut drain = [0u8; 1024];
            let _ = stream.try_read(&mut drain);
            let _ = stream.try_write(&too_many_connections());
            continue;
        };
        let _ = stream.set_nodelay(true);
        let watch = Arc::new(Watch::new());
        let io = Tracked {
            io: stream,
            watch: watch.clone(),
            stats: stats.clone(),
            pending: Vec::new(),
            sent: 0,
        };
        let conn = http.serve_connection(TokioIo::new(io), service(watch.clone()));
        let (stats, mut stop) = (stats.clone(), stop_rx.clone());
        stats.open.fetch_add(1, Relaxed);
        tokio::spawn(async move {
            drive(conn, &watch, &limits, &stats, &mut stop).await;
            stats.open.fetch_sub(1, Relaxed);
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let open = stats.open.load(Relaxed);
    if open > 0 {
        eprintln!(
            "snowid: closing {open} connection(s), waiting at most {} ms for requests in flight",
            limits.shutdown_grace.as_millis()
        );
    }
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        eprintln!(
            "snowid: {} connection(s) still busy after the shutdown grace; closing them",
            stats.open.load(Relaxed)
        );
    }
}

/// Polls one connection until it ends, times out, or shuts down.
async fn drive<C>(
    conn: C,
    watch: &Watch,
    limits: &Limits,
    stats: &ConnStats,
    stop: &mut watch::Receiver<bool>,
) where
    C: Future<Output = hyper::Result<()>> + GracefulConn,
{
    tokio::pin!(conn);
    let timer = tokio::time::sleep_until(Instant::now() + Duration::from_secs(86_400));
    tokio::pin!(timer);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().shut_down();
    }
    let changed = stop.changed();
    tokio::pin!(changed);
    poll_fn(|cx| {
        if !stopping && changed.as_mut().poll(cx).is_ready() {
            stopping = true;
            conn.as_mut().shut_down();
        }
        if conn.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        if stopping && watch.reading_head() {
            // A request not received whole is not in flight: hyper would
            // wait for the rest of its head; close now.
            return Poll::Ready(());
        }
        loop {
            // A request in flight: no deadline; the connection's next
            // poll (its answer) sets one.
            let Some((at, header)) = watch.deadline(limits) else {
                return Poll::Pending;
            };
            if timer.deadline() != at {
                timer.as_mut().reset(at);
            }
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // Expired unless the state moved on meanwhile (then loop).
            if watch
                .deadline(limits)
                .is_some_and(|(d, _)| d <= Instant::now())
            {
                let c = if header {
                    &stats.header_timeouts
                } else {
                    &stats.idle_timeouts
                };
                c.fetch_add(1, Relaxed);
                return Poll::Ready(());
            }
        }
    })
    .await
}

/// hyper's graceful shutdown of a connection (idle: close now; a request
/// in flight: finish it, then close).
pub trait GracefulConn {
    fn shut_down(self: Pin<&mut Self>);
}

impl<I, S> GracefulConn for hyper::server::conn::http1::Connection<I, S>
where
    S: hyper::service::HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn shut_down(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_error_answers_are_recognised() {
        let h =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(hyper_error_status(h), Some(*b"431"));
        let h = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(hyper_error_status(h), Some(*b"400"));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 012\r\n\r\n{}";
        assert_eq!(hyper_error_status(ours), None);
        let ours = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 90\r\n\r\n{}";
        assert_eq!(hyper_error_status(ours), None);
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(hyper_error_status(ok), None);
        let body = coded_http_error(b"414");
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(text.ends_with("\"code\":\"URI_TOO_LONG\",\"message\":\"the request target is too long\",\"number\":0}}"), "{text}");
    }
}
