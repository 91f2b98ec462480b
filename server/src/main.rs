//! `snowid`: the snowid ID service and command-line tool.
//!
//! Every decision (settings, layouts, encodings, errors) is the core's
//! (`snowid`); this binary only converts command-line and HTTP values to
//! `snowid::Value` and core errors to exit codes / HTTP responses.
//!
//! Modules by job, imports pointing one way (top to bottom):
//!
//! - `cli`: the command line and the CLI commands; `serve` starts the service
//! - `serve`: start-up and shutdown of the service
//! - `args`: `serve`'s flags and the settings read from them
//! - `front`: the gate (header limit, bearer token), metrics per request,
//!   HEAD refused where IDs are issued, the hot endpoints
//! - `grpc`: `--grpc-listen`: NextIds, StreamIds, health (feature `grpc`)
//! - `routes`: the router and its handlers
//! - `segment`: the segments the service serves, by key
//! - `metrics`: the counters and the Prometheus text
//! - `conn`: the accept loop, connection limit, timeouts, graceful shutdown
//! - `http`: the coded JSON error answers (every error, the HTTP layer's
//!   too) and the response and query helpers
//! - `shapes`: the JSON shapes the CLI and the service share
//! - `uuid`: `/v1/uuid7` and `/v1/ulid`
//! - `exit`: exit codes and `Fail`

mod args;
mod cli;
mod conn;
mod exit;
mod front;
#[cfg(feature = "grpc")]
mod grpc;
mod http;
mod metrics;
mod routes;
mod segment;
mod serve;
mod shapes;
mod uuid;

/// mimalloc: fewer instructions per small allocation than glibc's malloc
/// (hyper and axum allocate a few per request).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
