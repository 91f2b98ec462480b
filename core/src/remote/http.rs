//! One batch over HTTP/1.1: a kept-alive connection to the service (TLS by
//! rustls for `https://`), one `GET`, the answer read to its last byte or
//! discarded whole. Used only by the remote generator's fetch thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::RemoteSettings;
use crate::error::Error;

/// Longest header section of an answer.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest error body read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Why a fetch gave no batch.
#[derive(Debug)]
pub enum Fail {
    /// Worth another try (refused, reset, cut short, 5xx, 429).
    Retry(String),
    /// The service took longer than the timeout (worth another try, but the
    /// caller's error is `REMOTE_TIMEOUT`).
    Timeout(String),
    /// No retry changes it (401, another 4xx, a malformed answer).
    Fatal(Error),
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// A client of one service: the settings and the connection, if open.
pub struct Client {
    settings: RemoteSettings,
    url: String,
    request: Vec<u8>,
    conn: Option<BufReader<Box<dyn Stream>>>,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Client {
    /// A client (no connection yet).
    pub fn new(settings: &RemoteSettings) -> Client {
        let ep = &settings.endpoint;
        let host = if ep.host.contains(':') {
            format!("[{}]:{}", ep.host, ep.port)
        } else {
            format!("{}:{}", ep.host, ep.port)
        };
        let mut request = format!(
            "GET {} HTTP/1.1\r\nHost: {host}\r\nAccept: application/octet-stream\r\nUser-Agent: snowid-remote/{}\r\n",
            settings.path(),
            env!("CARGO_PKG_VERSION")
        );
        if let Some(t) = &settings.token {
            request.push_str("Authorization: Bearer ");
            request.push_str(t);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        let tls = ep.tls.then(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            // ring, not aws-lc-rs: no cmake or C toolchain beyond cc for the
            // bindings' builds; no post-quantum key exchange.
            #[allow(deprecated)]
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            Arc::new(
                rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("ring supports the default TLS versions")
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        });
        Client {
            url: ep.url(),
            settings: settings.clone(),
            request: request.into_bytes(),
            conn: None,
            tls,
        }
    }

    /// The service's URL, as messages show it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Fetches one batch into `out` (cleared first). On any failure the
    /// connection is closed and `out` holds nothing: an answer cut short is
    /// never handed out, not even its first IDs.
    pub fn fetch(&mut self, out: &mut Vec<u64>) -> Result<(), Fail> {
        out.clear();
        let r = self.try_fetch(out);
        if r.is_err() {
            out.clear();
            self.conn = None;
        }
        r
    }

    fn try_fetch(&mut self, out: &mut Vec<u64>) -> Result<(), Fail> {
        let timeout = Duration::from_millis(self.settings.timeout_ms);
        let deadline = Instant::now() + timeout;
        let reused = self.conn.is_some();
        if self.conn.is_none() {
            self.conn = Some(BufReader::with_capacity(64 * 1024, self.connect(timeout)?));
        }
        let conn = self.conn.as_mut().expect("connected above");
        let sent = conn
            .get_mut()
            .write_all(&self.request)
            .and_then(|()| conn.get_mut().flush());
        let head = match sent.map_err(|e| io_fail("sending the request", e)) {
            Ok(()) => read_head(conn, deadline),
            Err(f) => Err(f),
        };
        let head = match head {
            Ok(h) => h,
            // A kept-alive connection the service closed while idle: once
            // more on a new one, at once.
            Err(Fail::Retry(_)) if reused => {
                self.conn = None;
                return self.try_fetch(out);
            }
            Err(f) => return Err(f),
        };
        let conn = self.conn.as_mut().expect("connected above");
        if head.status == 200 {
            let want = self.settings.batch as usize * 8;
            if !head.content_type.starts_with("application/octet-stream") {
                return Err(Fail::Fatal(self.unavailable(format!(
                    "answered {:?}, not application/octet-stream: is this a snowid serve?",
                    head.content_type
                ))));
            }
            match head.length {
                Some(n) if n == want => {}
                other => {
                    return Err(Fail::Retry(format!(
                        "answer of {other:?} bytes for {} IDs ({want} bytes): discarded",
                        self.settings.batch
                    )))
                }
            }
            let mut got = 0;
            out.reserve(self.settings.batch as usize);
            let mut word = [0u8; 8];
            while got < want {
                let buf = match conn.fill_buf() {
                    Ok([]) => {
                        return Err(Fail::Retry(format!(
                            "answer cut short after {got} of {want} bytes: discarded whole"
                        )))
                    }
                    Ok(b) => b,
                    Err(e) => return Err(io_fail("reading the IDs", e)),
                };
                let mut used = 0;
                while used < buf.len() && got < want {
                    let at = got % 8;
                    let take = (8 - at).min(buf.len() - used);
                    word[at..at + take].copy_from_slice(&buf[used..used + take]);
                    used += take;
                    got += take;
                    if got % 8 == 0 {
                        out.push(u64::from_le_bytes(word));
                    }
                }
                conn.consume(used);
                if Instant::now() > deadline && got < want {
                    return Err(Fail::Timeout(format!(
                        "{got} of {want} bytes in {} ms: discarded",
                        self.settings.timeout_ms
                    )));
                }
            }
            if head.close {
                self.conn = None;
            }
            return Ok(());
        }
        // An error answer: its coded JSON's message, then the connection is
        // closed (the body may be long or unframed).
        let mut body = Vec::new();
        if let Some(n) = head.length {
            let _ = conn
                .by_ref()
                .take(n.min(MAX_ERROR_BODY) as u64)
                .read_to_end(&mut body);
        }
        self.conn = None;
        let what = describe_error(head.status, &body);
        match head.status {
            401 => Err(Fail::Fatal(Error::Unauthorized {
                url: self.url.clone(),
                reason: format!(
                    "{what} ({})",
                    if self.settings.token.is_some() {
                        "the token given is not the service's"
                    } else {
                        "no token was given: set the token option"
                    }
                ),
            })),
            429 | 500..=599 => Err(Fail::Retry(what)),
            _ => Err(Fail::Fatal(self.unavailable(what))),
        }
    }

    fn unavailable(&self, reason: String) -> Error {
        Error::RemoteUnavailable {
            url: self.url.clone(),
            reason,
        }
    }

    fn connect(&self, timeout: Duration) -> Result<Box<dyn Stream>, Fail> {
        let ep = &self.settings.endpoint;
        let addrs = (ep.host.as_str(), ep.port)
            .to_socket_addrs()
            .map_err(|e| Fail::Retry(format!("cannot resolve {}: {e}", ep.host)))?;
        let mut last = Fail::Retry(format!("{} resolves to no address", ep.host));
        for a in addrs {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    s.set_read_timeout(Some(timeout))
                        .and_then(|()| s.set_write_timeout(Some(timeout)))
                        .map_err(|e| io_fail("setting timeouts", e))?;
                    return match &self.tls {
                        None => Ok(Box::new(s)),
                        Some(cfg) => {
                            let name = rustls::pki_types::ServerName::try_from(ep.host.clone())
                                .map_err(|e| {
                                    Fail::Fatal(self.unavailable(format!(
                                        "{} is not a TLS server name: {e}",
                                        ep.host
                                    )))
                                })?;
                            let c = rustls::ClientConnection::new(cfg.clone(), name)
                                .map_err(|e| Fail::Fatal(self.unavailable(format!("TLS: {e}"))))?;
                            Ok(Box::new(rustls::StreamOwned::new(c, s)))
                        }
                    };
                }
                Err(e) => last = io_fail(&format!("connecting to {a}"), e),
            }
        }
        Err(last)
    }
}

struct Head {
    status: u16,
    length: Option<usize>,
    content_type: String,
    close: bool,
}

fn io_fail(doing: &str, e: std::io::Error) -> Fail {
    use std::io::ErrorKind::*;
    match e.kind() {
        WouldBlock | TimedOut => Fail::Timeout(format!("{doing}: no answer in time")),
        _ => Fail::Retry(format!("{doing}: {e}")),
    }
}

/// Reads the status line and the headers.
fn read_head(conn: &mut BufReader<Box<dyn Stream>>, deadline: Instant) -> Result<Head, Fail> {
    let mut line = Vec::with_capacity(128);
    let mut total = 0;
    let mut head = Head {
        status: 0,
        length: None,
        content_type: String::new(),
        close: false,
    };
    loop {
        line.clear();
        let n = conn
            .by_ref()
            .take((MAX_HEADER_BYTES - total) as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| io_fail("reading the answer", e))?;
        if n == 0 {
            return Err(Fail::Retry("connection closed before an answer".into()));
        }
        total += n;
        if total > MAX_HEADER_BYTES || !line.ends_with(b"\n") {
            return Err(Fail::Retry("answer headers too long or cut short".into()));
        }
        if Instant::now() > deadline {
            return Err(Fail::Timeout("answer headers: no answer in time".into()));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if head.status == 0 {
            let mut parts = text.split(' ');
            let (v, code) = (parts.next(), parts.next());
            head.status = match (v, code.and_then(|c| c.parse::<u16>().ok())) {
                (Some(v), Some(c)) if v.starts_with("HTTP/1.") && (100..600).contains(&c) => c,
                _ => return Err(Fail::Retry(format!("not an HTTP answer: {text:?}"))),
            };
            if v == Some("HTTP/1.0") {
                head.close = true;
            }
            continue;
        }
        if text.is_empty() {
            return Ok(head);
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(Fail::Retry(format!("malformed header {text:?}")));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                head.length = Some(
                    value
                        .parse()
                        .map_err(|_| Fail::Retry(format!("malformed Content-Length {value:?}")))?,
                )
            }
            "content-type" => head.content_type = value.to_ascii_lowercase(),
            "connection" if value.eq_ignore_ascii_case("close") => head.close = true,
            "transfer-encoding" => head.length = None,
            _ => {}
        }
    }
}

/// `HTTP <status> <CODE>: <message>` from a coded JSON error body (or the
/// status alone).
fn describe_error(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let field = |name: &str| -> Option<String> {
        let at = text.find(&format!("\"{name}\""))?;
        let rest = &text[at + name.len() + 2..];
        let rest = rest.trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        let mut out = String::new();
        let mut esc = false;
        for c in rest.chars() {
            match (esc, c) {
                (true, c) => {
                    out.push(c);
                    esc = false
                }
                (false, '\\') => esc = true,
                (false, '"') => return Some(out),
                (false, c) => out.push(c),
            }
        }
        None
    };
    match (field("code"), field("message")) {
        (Some(c), Some(m)) => format!("HTTP {status} {c}: {m}"),
        (Some(c), None) => format!("HTTP {status} {c}"),
        _ => format!("HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies() {
        let b = br#"{"error":{"code":"UNAUTHORIZED","number":0,"message":"a valid \"bearer\" token is required"}}"#;
        assert_eq!(
            describe_error(401, b),
            "HTTP 401 UNAUTHORIZED: a valid \"bearer\" token is required"
        );
        assert_eq!(describe_error(502, b"<html>"), "HTTP 502");
    }
}
