//! Where a key's counter lives: the store URL, its parsing, and the
//! [`SegmentStore`] trait that the file, PostgreSQL and Redis stores implement.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The largest ID a segment ever issues: 2^63 - 1, so every ID fits a signed
/// 64-bit column (PostgreSQL `BIGINT`, SQLite `INTEGER`, Java `long`).
pub const MAX_SEGMENT_ID: u64 = i64::MAX as u64;

/// A range of a key's counter: the IDs `start..end` (end exclusive), taken
/// by one process and never given to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The first ID of the range.
    pub start: u64,
    /// One past the last ID of the range.
    pub end: u64,
}

impl Range {
    /// The number of IDs in the range.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the range holds no ID.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The range a store hands out when the counter moved from `max_id - step`
    /// to `max_id` (the counter is the last ID taken; it starts at 0, so the
    /// first ID of a key is 1).
    pub fn ending_at(max_id: u64, step: u64) -> Range {
        Range {
            start: max_id - step + 1,
            end: max_id + 1,
        }
    }
}

/// A counter per key, shared by every process that uses the same store.
/// `take` moves the key's counter up by `step` atomically and returns the
/// range it passed over; a counter never moves down, so a range is never
/// handed out twice, whatever crashes.
pub trait SegmentStore: Send + Sync {
    /// Takes the next `step` IDs of `key` (creating the key at 0 if new).
    fn take(&self, key: &str, step: u64) -> Result<Range>;

    /// Raises the counter of `key` to at least `max_id` (the last ID taken),
    /// atomically, never lowering it, and returns the counter after the
    /// raise. The repair of a store that lost data: after it, the next
    /// range starts above `max_id`.
    fn raise_to(&self, key: &str, max_id: u64) -> Result<u64>;

    /// The store as messages show it (the URL without a password).
    fn describe(&self) -> &str;
}

/// A parsed store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `file:///ABSOLUTE/DIR`: one counter file per key in `DIR`.
    File(PathBuf),
    /// `postgres://...` or `postgresql://...` (feature `postgres`).
    Postgres(String),
    /// `redis://...` or `rediss://...` (feature `redis`).
    Redis(String),
}

/// The URL schemes, for messages.
pub const STORE_SCHEMES: &str = "file://, postgres://, postgresql://, redis://, rediss://";

fn bad_url(url: &str, reason: impl Into<String>) -> Error {
    Error::SegmentStoreUrl {
        url: redact(url),
        reason: reason.into(),
    }
}

/// The URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***{}{tail}", &authority[at..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

impl StoreUrl {
    /// Parses a store URL; every problem is [`Error::SegmentStoreUrl`]
    /// naming the URL (password hidden) and what would be valid.
    pub fn parse(url: &str) -> Result<StoreUrl> {
        if url.is_empty() {
            return Err(bad_url(
                url,
                format!("empty; expected one of {STORE_SCHEMES}"),
            ));
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(bad_url(
                url,
                format!("no scheme; expected one of {STORE_SCHEMES}"),
            ));
        };
        match scheme {
            "file" => {
                if rest.is_empty() {
                    return Err(bad_url(url, "no directory: write file:///absolute/dir"));
                }
                if !rest.starts_with('/') {
                    return Err(bad_url(
                        url,
                        "the directory must be absolute: write file:///absolute/dir",
                    ));
                }
                if rest.contains('?') || rest.contains('#') {
                    return Err(bad_url(url, "a file URL takes no query or fragment"));
                }
                Ok(StoreUrl::File(PathBuf::from(rest)))
            }
            "postgres" | "postgresql" => {
                host_part(url, rest)?;
                if cfg!(feature = "postgres") {
                    Ok(StoreUrl::Postgres(url.to_owned()))
                } else {
                    Err(bad_url(
                        url,
                        "this build of snowid has no PostgreSQL support (cargo feature `postgres`)",
                    ))
                }
            }
            "redis" | "rediss" => {
                host_part(url, rest)?;
                if cfg!(feature = "redis") {
                    Ok(StoreUrl::Redis(url.to_owned()))
                } else {
                    Err(bad_url(
                        url,
                        "this build of snowid has no Redis support (cargo feature `redis`)",
                    ))
                }
            }
            other => Err(bad_url(
                url,
                format!("unknown scheme {other:?}; expected one of {STORE_SCHEMES}"),
            )),
        }
    }
}

fn host_part<'a>(url: &str, rest: &'a str) -> Result<&'a str> {
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(bad_url(url, "no host"));
    }
    if let Some((_, port)) = host.rsplit_once(':') {
        if !host.ends_with(']') && port.parse::<u16>().is_err() {
            return Err(bad_url(url, format!("port {port:?} is not 0..=65535")));
        }
    }
    Ok(host)
}

/// The `SegmentStoreUnavailable` error for a store failure.
pub(crate) fn unavailable(key: &str, store: &str, reason: impl Into<String>) -> Error {
    Error::SegmentStoreUnavailable {
        key: key.to_owned(),
        store: store.to_owned(),
        reason: reason.into(),
    }
}

/// Checks that `max_id + step` stays within [`MAX_SEGMENT_ID`].
pub(crate) fn check_room(key: &str, store: &str, max_id: u64, step: u64) -> Result<()> {
    if max_id.checked_add(step).is_none_or(|m| m > MAX_SEGMENT_ID) {
        return Err(Error::SegmentExhausted {
            key: key.to_owned(),
            store: store.to_owned(),
            max_id,
            step,
            limit: MAX_SEGMENT_ID,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            StoreUrl::parse("file:///tmp/x").unwrap(),
            StoreUrl::File("/tmp/x".into())
        );
        for (url, part) in [
            ("", "empty"),
            ("/tmp/x", "no scheme"),
            ("file://tmp/x", "absolute"),
            ("file://", "no directory"),
            ("ftp://h/x", "unknown scheme"),
            ("postgres:///db", "no host"),
            ("redis://h:99999/", "port"),
        ] {
            let e = StoreUrl::parse(url).unwrap_err();
            assert_eq!(e.code(), "SEGMENT_STORE_URL", "{url}");
            assert!(e.to_string().contains(part), "{url}: {e}");
        }
        let e = StoreUrl::parse("ftp://u:secret@h/").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("redis://h:1/"), "redis://h:1/");
    }

    #[test]
    fn ranges() {
        assert_eq!(
            Range::ending_at(1000, 1000),
            Range {
                start: 1,
                end: 1001
            }
        );
        assert!(check_room("k", "s", MAX_SEGMENT_ID - 5, 5).is_ok());
        assert_eq!(
            check_room("k", "s", MAX_SEGMENT_ID - 5, 6)
                .unwrap_err()
                .code(),
            "SEGMENT_EXHAUSTED"
        );
    }
}
