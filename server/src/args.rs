//! The arguments of `snowid serve` and the service settings read from them.
//!
//! Every number goes through the core's value conversion
//! (`value::integer_text`, then the core's range check), so a bad flag is
//! the core's coded error naming the flag, the value and the valid range
//! (`INVALID_SETTING`, `WRONG_TYPE`), exit 3, before anything listens.

use std::time::Duration;

use snowid::{Error, GeneratorOptions};

use crate::conn::Limits;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Also serve gRPC (proto/snowid.proto: NextIds, StreamIds, health) on
    /// this address, with the same token and limits.
    #[arg(long)]
    pub grpc_listen: Option<String>,
    /// Largest `count` accepted by /v1/next_ids (1..=16777216).
    #[arg(long, default_value = "65536", allow_hyphen_values = true)]
    max_batch: String,
    /// File holding the bearer token (else $SNOWID_TOKEN; neither: no auth).
    #[arg(long)]
    pub token_file: Option<std::path::PathBuf>,
    /// Longest time a batch (/v1/next_ids) may take before it gets 503
    /// TIMEOUT (ms, 1..=3600000); the other endpoints never wait.
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    request_timeout_ms: String,
    /// Largest total size of the request line and headers (bytes,
    /// 1024..=262144; else 431).
    #[arg(long, default_value = "16384", allow_hyphen_values = true)]
    max_header_bytes: String,
    /// Longest time to receive a request's line and headers, from accept
    /// or from its first byte after the previous response (ms,
    /// 1..=3600000); then the connection is closed (slowloris).
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    header_timeout_ms: String,
    /// Longest time a keep-alive connection stays open with no request in
    /// flight and nothing sent or received (ms, 1..=3600000).
    #[arg(long, default_value = "75000", allow_hyphen_values = true)]
    idle_timeout_ms: String,
    /// Most connections served at once (1..=1000000); beyond it a new
    /// connection gets 503 TOO_MANY_CONNECTIONS and is closed at once.
    #[arg(long, default_value = "1024", allow_hyphen_values = true)]
    max_connections: String,
    /// On SIGTERM/SIGINT: idle connections close at once; requests in
    /// flight get at most this long to finish (ms, 0..=3600000) before the
    /// generator shuts down (mark lowered) and the process exits.
    #[arg(long, default_value = "10000", allow_hyphen_values = true)]
    shutdown_grace_ms: String,
    /// Request worker threads (1..=1024; default: one per core). On a
    /// machine shared with a load generator or other busy processes, fewer
    /// workers than cores avoid preemption in the middle of requests (see
    /// the README's benchmark).
    #[arg(long, allow_hyphen_values = true)]
    workers: Option<String>,
    /// Node numbers the generator holds, one lane per worker thread
    /// (capacity x N; each claimed from the environment's node source).
    #[arg(long, allow_hyphen_values = true)]
    lanes: Option<String>,
    /// Start each tick entered from the clock at a pseudo-random sequence,
    /// so `id % shards` spreads at low rates.
    #[arg(long)]
    random_sequence_start: bool,
    /// Store of the segment counters (/v1/segments/...): file:///dir,
    /// postgres://..., redis://... (else $SNOWID_SEGMENT_STORE, else
    /// file://<state dir>/segments).
    #[arg(long)]
    pub segment_store: Option<String>,
    /// Most segment keys one service serves (1..=1000000; each holds a
    /// prefetch thread).
    #[arg(long, default_value = "1024", allow_hyphen_values = true)]
    segment_max_keys: String,
}

/// The service's numeric settings, each checked against its range with the
/// core's coded error naming the flag (`INVALID_SETTING`, `WRONG_TYPE`).
pub struct Settings {
    pub max_batch: u64,
    pub request_timeout: Duration,
    pub max_header_bytes: usize,
    pub segment_max_keys: usize,
    /// Request worker threads; `None`: one per core (tokio's default).
    pub workers: Option<usize>,
    pub limits: Limits,
}

fn setting(flag: &str, text: &str, min: i128, max: i128) -> Result<i128, Error> {
    snowid::value::integer_text(text).int_in(flag, min, max)
}

fn ms(flag: &str, text: &str, min: i128) -> Result<Duration, Error> {
    setting(flag, text, min, 3_600_000).map(|v| Duration::from_millis(v as u64))
}

impl ServeArgs {
    /// The service settings, or the first flag the core refuses.
    pub fn settings(&self) -> Result<Settings, Error> {
        Ok(Settings {
            max_batch: setting("--max-batch", &self.max_batch, 1, snowid::MAX_BATCH.into())? as u64,
            request_timeout: ms("--request-timeout-ms", &self.request_timeout_ms, 1)?,
            max_header_bytes: setting("--max-header-bytes", &self.max_header_bytes, 1024, 262_144)?
                as usize,
            segment_max_keys: setting("--segment-max-keys", &self.segment_max_keys, 1, 1_000_000)?
                as usize,
            workers: match &self.workers {
                Some(w) => Some(setting("--workers", w, 1, 1024)? as usize),
                None => None,
            },
            limits: Limits {
                header_timeout: ms("--header-timeout-ms", &self.header_timeout_ms, 1)?,
                idle_timeout: ms("--idle-timeout-ms", &self.idle_timeout_ms, 1)?,
                max_connections: setting("--max-connections", &self.max_connections, 1, 1_000_000)?
                    as usize,
                shutdown_grace: ms("--shutdown-grace-ms", &self.shutdown_grace_ms, 0)?,
            },
        })
    }

    /// The generator options the flags give (`lanes`, `random_sequence_start`),
    /// for the core's service rule; `None` when no flag sets one.
    pub fn generator_options(&self) -> Option<GeneratorOptions> {
        let mut opts = GeneratorOptions::new();
        if let Some(n) = &self.lanes {
            opts.set("lanes", snowid::value::integer_text(n.trim()));
        }
        if self.random_sequence_start {
            opts.set("random_sequence_start", true);
        }
        (!opts.is_empty()).then_some(opts)
    }
}
