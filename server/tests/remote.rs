//! `RemoteGenerator` (core, feature `remote`) against the real `snowid
//! serve` on loopback, and against small hand-made servers for what a real
//! one does not do on purpose (stall, cut an answer short).

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{command, temp_dir, Server};
use snowid::remote::RemoteOptions;
use snowid::RemoteGenerator;

fn remote(url: &str, opts: &[(&str, snowid::Value)]) -> RemoteGenerator {
    let mut o = RemoteOptions::new().with("url", url);
    for (k, v) in opts {
        o.set(k, v.clone());
    }
    o.build().unwrap()
}

/// `snowid serve` on a given address (to restart on the same port).
fn serve_at(state: &std::path::Path, addr: &str) -> Child {
    let mut c = command(state);
    c.args(["serve", "--listen", addr])
        .stderr(Stdio::null())
        .stdout(Stdio::null());
    let child = c.spawn().unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "server at {addr} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn ids_are_unique_and_increase_across_a_server_sigkill_and_restart() {
    let state = temp_dir("remote-kill");
    let srv = Server::start(&state, &[], &[]);
    let addr = srv.addr.clone();
    let url = format!("http://{addr}");
    let gen = Arc::new(remote(
        &url,
        &[("batch", 1000.into()), ("timeout_ms", 20_000.into())],
    ));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let g = gen.clone();
            std::thread::spawn(move || {
                let mut v = Vec::with_capacity(50_000);
                for _ in 0..50_000 {
                    v.push(g.next_id().unwrap());
                }
                v
            })
        })
        .collect();
    // SIGKILL once some batches went out, then restart on the same port.
    while gen.stats().batches_fetched < 20 {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(srv); // kill -9 and wait
    let mut again = serve_at(&state, &addr);
    let mut all = HashSet::new();
    for t in threads {
        let v = t.join().unwrap();
        assert!(
            v.windows(2).all(|w| w[0] < w[1]),
            "one thread's IDs increase"
        );
        for id in v {
            assert!(all.insert(id), "duplicate {id}");
        }
    }
    assert_eq!(all.len(), 200_000);
    assert!(gen.stats().fetch_failures >= 1, "{:?}", gen.stats());
    let _ = again.kill();
    let _ = again.wait();
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn a_stalled_server_gives_remote_timeout_within_the_bound() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    // Accepts and reads, never answers.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    let gen = remote(&url, &[("timeout_ms", 300.into())]);
    let t0 = Instant::now();
    let e = gen.next_id().unwrap_err();
    assert_eq!(e.code(), "REMOTE_TIMEOUT", "{e}");
    // The bound is 300 ms; 10 s only guards against a hang on a slow machine.
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
}

#[test]
fn a_refused_connection_gives_remote_unavailable_after_retries() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let gen = remote(&format!("http://{addr}"), &[("timeout_ms", 300.into())]);
    let t0 = Instant::now();
    let e = gen.next_id().unwrap_err();
    assert_eq!(e.code(), "REMOTE_UNAVAILABLE", "{e}");
    assert!(e.to_string().contains("refused"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert!(
        gen.stats().fetch_failures >= 2,
        "retried: {:?}",
        gen.stats()
    );
}

#[test]
fn a_bad_or_missing_token_gives_unauthorized() {
    let state = temp_dir("remote-token");
    let tf = state.join("token");
    std::fs::write(&tf, "s3cret\n").unwrap();
    let srv = Server::start(&state, &["--token-file", tf.to_str().unwrap()], &[]);
    let url = format!("http://{}", srv.addr);
    let e = remote(&url, &[("token", "wrong".into())])
        .next_id()
        .unwrap_err();
    assert_eq!(e.code(), "UNAUTHORIZED", "{e}");
    assert!(
        !e.to_string().contains("wrong"),
        "never shows the token: {e}"
    );
    let e = remote(&url, &[]).next_id().unwrap_err();
    assert_eq!(e.code(), "UNAUTHORIZED", "{e}");
    let g = remote(&url, &[("token", "s3cret".into())]);
    assert!(g.next_id().unwrap() < g.next_id().unwrap());
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

/// A server whose first answer stops half-way: the client hands out none
/// of that answer, only the next whole one.
#[test]
fn an_answer_cut_short_is_discarded_whole() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let batch = 4u64;
    std::thread::spawn(move || {
        for (n, s) in l.incoming().flatten().enumerate() {
            let mut s = s;
            let mut req = [0u8; 4096];
            let _ = s.read(&mut req);
            let first = if n == 0 { 100 } else { 200 + 10 * n as u64 };
            let mut body = Vec::new();
            for id in first..first + batch {
                body.extend_from_slice(&id.to_le_bytes());
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let cut = if n == 0 {
                body.len() / 2 + 3
            } else {
                body.len()
            };
            let _ = s.write_all(&body[..cut]);
        }
    });
    let gen = remote(
        &url,
        &[
            ("batch", (batch as i64).into()),
            ("timeout_ms", 5000.into()),
        ],
    );
    let ids: Vec<u64> = (0..4).map(|_| gen.next_id().unwrap()).collect();
    assert_eq!(
        ids,
        [210, 211, 212, 213],
        "nothing of the cut answer (100..104)"
    );
    assert!(gen.stats().fetch_failures >= 1);
}

#[test]
fn a_segment_key_is_served_the_same_way() {
    let state = temp_dir("remote-segment");
    let store = format!("file://{}", state.join("counters").display());
    let srv = Server::start(&state, &["--segment-store", &store], &[]);
    let url = format!("http://{}", srv.addr);
    let g = remote(&url, &[("key", "orders".into()), ("batch", 10.into())]);
    let ids: Vec<u64> = (0..25).map(|_| g.next_id().unwrap()).collect();
    assert_eq!(ids[0], 1);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn bad_options_are_coded_errors() {
    let code = |o: RemoteOptions| o.resolve().unwrap_err().code();
    assert_eq!(code(RemoteOptions::new()), "INVALID_SETTING");
    let u = || RemoteOptions::new().with("url", "http://127.0.0.1:1");
    assert_eq!(code(u().with("batch", 0)), "INVALID_SETTING");
    assert_eq!(code(u().with("batch", 65_537)), "INVALID_SETTING");
    assert_eq!(code(u().with("timeoutMs", 0)), "INVALID_SETTING");
    assert_eq!(code(u().with("prefetch_at", 100)), "INVALID_SETTING");
    assert_eq!(code(u().with("key", "a/b")), "SEGMENT_KEY");
    assert_eq!(code(u().with("token", "")), "INVALID_SETTING");
    assert_eq!(code(u().with("batch", "10")), "WRONG_TYPE");
    assert_eq!(code(u().with("nope", 1)), "INVALID_SETTING");
    assert_eq!(
        code(RemoteOptions::new().with("url", "ftp://h")),
        "INVALID_SETTING"
    );
}
