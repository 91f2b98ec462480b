//! `snowid serve`: start-up and shutdown of the HTTP ID service.
//!
//! Every ID decision is the core's: the generator comes from the core's
//! service rule (`SNOWID_*` environment, machine-local slot by default,
//! `--lanes` / `--random-sequence-start`), values are converted to
//! `snowid::Value`, errors keep the core's code and number. The jobs live
//! apart: arguments and settings (`args`), the front with auth and limits
//! (`front`), routes and handlers (`routes`), metrics (`metrics`), the
//! coded HTTP answers (`http`), segments (`segment`) and connections
//! (`conn`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::args::ServeArgs;
use crate::exit::{Fail, EXIT_UNAVAILABLE, EXIT_USAGE};
use crate::front::{Front, Gate};
use crate::routes::AppState;

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
    eprintln!("snowid: shutting down (finishing in-flight requests)");
}

fn read_token(args: &ServeArgs) -> Result<Option<Vec<u8>>, Fail> {
    let t = match &args.token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Fail(EXIT_USAGE, format!("--token-file {}: {e}", f.display())))?,
        ),
        None => std::env::var("SNOWID_TOKEN").ok(),
    };
    match t.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() => Err(Fail(EXIT_USAGE, "the bearer token is empty".into())),
        Some(t) => Ok(Some(t.into_bytes())),
        None => Ok(None),
    }
}

pub fn run(args: ServeArgs) -> Result<(), Fail> {
    #[cfg(not(feature = "grpc"))]
    if args.grpc_listen.is_some() {
        return Err(Fail(
            EXIT_USAGE,
            "--grpc-listen: built without the grpc feature".into(),
        ));
    }
    let token = read_token(&args)?;
    let set = args.settings()?;
    let addr: SocketAddr = args
        .listen
        .parse()
        .map_err(|e| {
            Fail::from(snowid::Error::InvalidSetting {
                setting: "--listen".into(),
                value: args.listen.clone(),
                expected: format!(
                    "an address IP:PORT, such as 127.0.0.1:8080 or [::1]:8080 (port 0 picks a free one): {e}"
                ),
            })
        })?;
    let settings = snowid::options::resolve_service(
        args.generator_options().as_ref(),
        &snowid::env::Environment::process(),
    )?;
    let gen = settings.build()?;
    let segments =
        crate::segment::Segments::new(args.segment_store.as_deref(), set.segment_max_keys)
            .map_err(|e| Fail(EXIT_USAGE, format!("--segment-store: {e}")))?;
    let conns = Arc::new(crate::conn::ConnStats::default());
    let st = Arc::new(AppState {
        gen,
        segments: Arc::new(segments),
        max_batch: set.max_batch,
        timeout: set.request_timeout,
        metrics: crate::metrics::Metrics::default(),
        conns: conns.clone(),
        grpc: args.grpc_listen.is_some().then(Default::default),
        history: Default::default(),
    });
    #[cfg(feature = "grpc")]
    let grpc_token = token.clone();
    let auth = if token.is_some() {
        "bearer token"
    } else {
        "off"
    };
    let front = Front::new(
        st.clone(),
        Gate {
            token,
            max_header_bytes: set.max_header_bytes,
        },
    );
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = set.workers {
        rt.worker_threads(n);
    }
    let rt = rt
        .enable_all()
        .build()
        .map_err(|e| Fail(EXIT_UNAVAILABLE, format!("tokio runtime: {e}")))?;
    let st2 = st.clone();
    let limits = set.limits;
    #[cfg(feature = "grpc")]
    let max_header_bytes = set.max_header_bytes;
    let r = rt.block_on(async move {
        let st = st2;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Fail(EXIT_UNAVAILABLE, format!("listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Fail(EXIT_UNAVAILABLE, e.to_string()))?;
        eprintln!(
            "snowid: listening on http://{local} (layout {}, nodes from {}, auth {auth})",
            st.gen.layout().name(),
            st.gen.source(),
        );
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        #[cfg(feature = "grpc")]
        let grpc = match &args.grpc_listen {
            Some(a) => Some(
                crate::grpc::start(
                    a,
                    st.clone(),
                    grpc_token,
                    limits,
                    max_header_bytes,
                    stop.clone(),
                )
                .await?,
            ),
            None => None,
        };
        let sampled = st.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                sampled.history.sample(&sampled.gen);
            }
        });
        let service = |watch| front.for_connection(watch);
        let mut http_stop = stop.clone();
        let stopped = async move {
            let _ = http_stop.wait_for(|s| *s).await;
        };
        crate::conn::serve(listener, limits, conns, service, stopped).await;
        #[cfg(feature = "grpc")]
        if let Some(g) = grpc {
            let _ = g.await;
        }
        Ok(())
    });
    // Connections still open after the grace are dropped here; a batch
    // still being filled on the blocking pool gets a moment (its IDs are
    // never sent: a gap, never a duplicate).
    rt.shutdown_timeout(Duration::from_secs(1));
    // Lower the high-water mark to the last tick issued and release the
    // node numbers (lease / slot lock) before exiting.
    st.gen.shutdown();
    // The same for the uuid7 and ulid generators, if a request made them.
    snowid::default::shutdown();
    drop(st);
    eprintln!("snowid: stopped");
    r
}
