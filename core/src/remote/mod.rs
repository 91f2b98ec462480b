//! IDs from `snowid serve` for processes that have no node identity of
//! their own (a Kubernetes Deployment, AWS Lambda, Cloud Run: where a local
//! generator answers `NODE_SOURCE_REQUIRED`).
//!
//! A [`RemoteGenerator`] (feature `remote`) fetches IDs in batches from the
//! service's binary batch endpoint (`GET /v1/next_ids?count=N`, or
//! `/v1/segments/{key}/next_ids` for a segment key, with
//! `Accept: application/octet-stream`: little-endian u64s) and hands them
//! out from a local buffer: one uncontended atomic increment and two loads
//! per ID, no lock, no allocation, no I/O. When `prefetch_at` percent of a
//! batch is used, a background thread fetches the next one, so a steady
//! caller never waits for the network. The service keeps the IDs unique
//! (its node numbers and high-water mark survive a SIGKILL and restart);
//! the client hands out only whole batches it read to the last byte, never
//! one twice, and a child after `fork()` drops the parent's buffer and
//! fetches its own.
//!
//! This module holds what every build has: the options and their rules
//! ([`RemoteOptions`] -> [`RemoteSettings`], the `remote` section of
//! `testdata/OPTIONS.md` and the `remote` vectors). The client itself is
//! [`client`] and [`http`].

#[cfg(feature = "remote")]
pub mod client;
#[cfg(feature = "remote")]
pub mod http;

#[cfg(feature = "remote")]
pub use client::{RemoteGenerator, RemoteStats};

use crate::error::{Error, Result};
use crate::option_table::{int_range, MAX_TOKEN_LEN, REMOTE_OPTION_NAMES};
use crate::options::canonical_key;
use crate::value::Value;

/// Default IDs per request.
pub const DEFAULT_BATCH: u64 = 4096;
/// Default share of a batch used before the next is fetched (percent).
pub const DEFAULT_PREFETCH_AT: u64 = 10;
/// Default longest wait for an ID, in ms.
pub const DEFAULT_TIMEOUT_MS: u64 = 5000;

/// Where the service is: `http://` or `https://`, host, port, path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https://`: the connection is TLS (rustls, the webpki roots).
    pub tls: bool,
    /// Host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// Port (80 or 443 when the URL gives none).
    pub port: u16,
    /// Path before `/v1/...`, without a trailing `/` (often empty).
    pub prefix: String,
}

impl Endpoint {
    /// Parses a service URL: `http://host[:port][/prefix]` or `https://...`.
    /// User info (give the token as `token`), a query, a fragment, an empty
    /// host or a port outside 1..=65535 are `INVALID_SETTING` naming the URL.
    pub fn parse(url: &str) -> Result<Endpoint> {
        let bad = |why: &str| Error::InvalidSetting {
            setting: "url".into(),
            value: url.to_owned(),
            expected: format!("an http:// or https:// URL of a snowid serve ({why})"),
        };
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let (tls, rest) = if lower.starts_with("https://") {
            (true, &url[8..])
        } else if lower.starts_with("http://") {
            (false, &url[7..])
        } else {
            return Err(bad("the scheme must be http or https"));
        };
        if let Some(c) = rest.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(bad(&format!("{c:?} is not allowed in a URL")));
        }
        if rest.contains(['?', '#']) {
            return Err(bad("no query or fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad("no user info; give the token as the token option"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let end = v6
                .find(']')
                .ok_or_else(|| bad("an IPv6 address needs its ']'"))?;
            let port = match &v6[end + 1..] {
                "" => None,
                tail => Some(
                    tail.strip_prefix(':')
                        .ok_or_else(|| bad("only :port may follow an IPv6 address"))?,
                ),
            };
            (&v6[..end], port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            None => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad("the port must be 1..=65535")),
            },
        };
        Ok(Endpoint {
            tls,
            host: host.to_owned(),
            port,
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL, normalised (scheme, host, port, prefix), as messages show it.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        if self.host.contains(':') {
            format!("{scheme}://[{}]:{}{}", self.host, self.port, self.prefix)
        } else {
            format!("{scheme}://{}:{}{}", self.host, self.port, self.prefix)
        }
    }
}

/// Remote generator options as the host gave them, in order; resolved by
/// [`Self::resolve`]. The rules are `testdata/OPTIONS.md`, "Remote
/// generator options".
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    entries: Vec<(String, String, Value)>,
}

/// Resolved remote generator settings.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteSettings {
    /// The service.
    pub endpoint: Endpoint,
    /// The bearer token, if any (never shown).
    pub token: Option<String>,
    /// The segment key, if any: dense IDs of the key instead of Snowflake IDs.
    pub key: Option<String>,
    /// IDs per request.
    pub batch: u64,
    /// Percent of a batch used before the next is fetched (0..=99).
    pub prefetch_at: u64,
    /// Longest wait for an ID when the buffer is empty, and for one request.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for RemoteSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary_json())
    }
}

impl RemoteOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an option as the user named it (`snake_case` or lowerCamelCase).
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.entries
            .push((key.to_owned(), canonical_key(key), value.into()));
        self
    }

    /// [`Self::set`], by value.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Resolves the options, in the order of `REMOTE_OPTION_NAMES`' checks:
    /// unknown names, an option given twice, `url` (required), `token`,
    /// `key`, `batch`, `prefetch_at`, `timeout_ms`.
    pub fn resolve(&self) -> Result<RemoteSettings> {
        for (given, key, _) in &self.entries {
            if !REMOTE_OPTION_NAMES.contains(&key.as_str()) {
                return Err(Error::InvalidSetting {
                    setting: given.clone(),
                    value: "(an option name)".into(),
                    expected: format!("one of {}", REMOTE_OPTION_NAMES.join(", ")),
                });
            }
        }
        for (i, (given, key, _)) in self.entries.iter().enumerate() {
            if let Some((first, _, _)) = self.entries[..i].iter().find(|e| &e.1 == key) {
                return Err(Error::InvalidSetting {
                    setting: given.clone(),
                    value: "(given twice)".into(),
                    expected: format!("{key} once (already given as {first})"),
                });
            }
        }
        let get = |k: &str| self.entries.iter().find(|e| e.1 == k).map(|e| (&e.0, &e.2));
        let endpoint = match get("url") {
            Some((name, v)) => Endpoint::parse(v.string(name, "a URL string")?)?,
            None => {
                return Err(Error::InvalidSetting {
                    setting: "url".into(),
                    value: "(missing)".into(),
                    expected: "the http:// or https:// URL of a snowid serve".into(),
                })
            }
        };
        let token = match get("token") {
            Some((name, v)) => Some(token(name, v.string(name, "a string")?)?),
            None => None,
        };
        let key = match get("key") {
            Some((_, v)) => Some(crate::segment::key_from_value(v)?),
            None => None,
        };
        let int = |k: &str, default: u64| -> Result<u64> {
            let (min, max) = int_range(k);
            get(k)
                .map(|(name, v)| v.int_in(name, min.into(), max.into()).map(|i| i as u64))
                .transpose()
                .map(|v| v.unwrap_or(default))
        };
        Ok(RemoteSettings {
            endpoint,
            token,
            key,
            batch: int("batch", DEFAULT_BATCH)?,
            prefetch_at: int("prefetch_at", DEFAULT_PREFETCH_AT)?,
            timeout_ms: int("timeout_ms", DEFAULT_TIMEOUT_MS)?,
        })
    }

    /// Resolves and makes the [`RemoteGenerator`] (no request yet: the
    /// first batch is fetched at once in the background).
    #[cfg(feature = "remote")]
    pub fn build(&self) -> Result<RemoteGenerator> {
        RemoteGenerator::new(self.resolve()?)
    }
}

/// A token goes into a header: 1..=4096 visible ASCII characters. The
/// message never shows it, only its length and the first bad position.
fn token(name: &str, t: &str) -> Result<String> {
    let bad = |why: String| Error::InvalidSetting {
        setting: name.to_owned(),
        value: format!("(hidden, {} bytes)", t.len()),
        expected: why,
    };
    if t.is_empty() {
        return Err(bad(
            "a non-empty token (leave the option out for none)".into()
        ));
    }
    if t.len() > MAX_TOKEN_LEN {
        return Err(bad(format!("at most {MAX_TOKEN_LEN} bytes")));
    }
    if let Some(i) = t.bytes().position(|b| !b.is_ascii_graphic()) {
        return Err(bad(format!(
            "visible ASCII characters only (byte {i} is not: no spaces or control characters)"
        )));
    }
    Ok(t.to_owned())
}

impl RemoteSettings {
    /// The request path of one batch (`count` IDs).
    pub fn path(&self) -> String {
        match &self.key {
            Some(k) => format!(
                "{}/v1/segments/{k}/next_ids?count={}",
                self.endpoint.prefix, self.batch
            ),
            None => format!("{}/v1/next_ids?count={}", self.endpoint.prefix, self.batch),
        }
    }

    /// The settings as one line of JSON (stable key order; the token only
    /// as whether there is one), for the vectors and `repr`.
    pub fn summary_json(&self) -> String {
        let key = match &self.key {
            Some(k) => format!("{k:?}"),
            None => "null".into(),
        };
        format!(
            r#"{{"batch":{},"key":{},"prefetch_at":{},"timeout_ms":{},"token":{},"url":{:?}}}"#,
            self.batch,
            key,
            self.prefetch_at,
            self.timeout_ms,
            self.token.is_some(),
            self.endpoint.url()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((e.tls, e.host.as_str(), e.port), (false, "127.0.0.1", 8080));
        let e = Endpoint::parse("HTTPS://ids.example/api/").unwrap();
        assert_eq!(e.url(), "https://ids.example:443/api");
        let e = Endpoint::parse("http://[::1]:9/").unwrap();
        assert_eq!(e.url(), "http://[::1]:9");
        for bad in [
            "",
            "ftp://x",
            "http://",
            "http://:80",
            "http://h:0",
            "http://h:65536",
            "http://h:+1",
            "http://u:p@h",
            "http://h/?a=1",
            "http://h/#f",
            "http://h h",
            "http://[::1",
            "http://[::1]x",
        ] {
            assert_eq!(
                Endpoint::parse(bad).unwrap_err().code(),
                "INVALID_SETTING",
                "{bad}"
            );
        }
    }

    #[test]
    fn token_is_never_shown() {
        let e = RemoteOptions::new()
            .with("url", "http://h")
            .with("token", "secret value")
            .resolve()
            .unwrap_err();
        assert_eq!(e.code(), "INVALID_SETTING");
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
