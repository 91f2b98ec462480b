//! Fleet: three `snowid serve` instances with the etcd source on one machine
//! get distinct worker numbers; stopping etcd makes /readyz and
//! /v1/next_id answer 503 LEASE_LOST before the lease could expire;
//! restarting etcd recovers. Needs a real etcd from scripts/services.sh
//! (`make -C server test-leases` starts and stops it by PID).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TTL_MS: u64 = 3000;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start(state: &std::path::Path, endpoints: &str) -> Server {
    let mut c = Command::new(env!("CARGO_BIN_EXE_snowid"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SNOWID_") {
            c.env_remove(k);
        }
    }
    let mut child = c
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SNOWID_STATE_DIR", state)
        .env("SNOWID_HOST_LOCK_DIR", "off")
        .env("SNOWID_NODE_SOURCE", "etcd")
        .env("SNOWID_ETCD_ENDPOINTS", endpoints)
        .env("SNOWID_LEASE_TTL_MS", TTL_MS.to_string())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
    });
    Server { child, addr }
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn services(cmd: &str) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/services.sh");
    assert!(
        Command::new(root).arg(cmd).status().unwrap().success(),
        "services.sh {cmd}"
    );
}

#[test]
fn three_instances_distinct_numbers_and_lease_lost() {
    let Ok(endpoints) = std::env::var("SNOWID_TEST_ETCD_ENDPOINTS") else {
        panic!("SNOWID_TEST_ETCD_ENDPOINTS is not set: run `make -C server test-leases`");
    };
    let state = std::env::temp_dir().join(format!("snowid-fleet-{}", std::process::id()));
    let servers: Vec<Server> = (0..3)
        .map(|i| start(&state.join(i.to_string()), &endpoints))
        .collect();
    let mut nodes = Vec::new();
    for s in &servers {
        let (st, body) = get(&s.addr, "/readyz");
        assert_eq!(st, 200, "{body}");
        let (_, m) = get(&s.addr, "/metrics");
        let info = m
            .lines()
            .find(|l| l.starts_with("snowid_node_info"))
            .unwrap()
            .to_owned();
        assert!(info.contains("etcd"), "{info}");
        nodes.push(
            info.split("nodes=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    let mut d = nodes.clone();
    d.sort();
    d.dedup();
    assert_eq!(d.len(), 3, "distinct node numbers: {nodes:?}");

    services("stop-etcd");
    let stopped = Instant::now();
    let mut lost = [false; 3];
    while lost.iter().any(|l| !l) && stopped.elapsed() < Duration::from_millis(TTL_MS) {
        for (i, s) in servers.iter().enumerate() {
            if !lost[i] {
                let (st, body) = get(&s.addr, "/readyz");
                if st == 503 {
                    // LEASE_LOST, or COORDINATION_UNAVAILABLE while the
                    // high-water mark cannot be raised (both unavailable).
                    assert!(
                        body.contains("\"LEASE_LOST\"")
                            || body.contains("\"COORDINATION_UNAVAILABLE\""),
                        "{body}"
                    );
                    lost[i] = true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        lost.iter().all(|l| *l),
        "every /readyz failed within the TTL"
    );
    // /v1/next_id answers 503 LEASE_LOST once the lease is no longer
    // trusted, before it could expire in etcd.
    let mut lease_lost = [false; 3];
    while lease_lost.iter().any(|l| !l) && stopped.elapsed() < Duration::from_millis(TTL_MS) {
        for (i, s) in servers.iter().enumerate() {
            let (st, body) = get(&s.addr, "/v1/next_id");
            lease_lost[i] = lease_lost[i] || (st == 503 && body.contains("\"LEASE_LOST\""));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = stopped.elapsed();
    assert!(
        lease_lost.iter().all(|l| *l),
        "LEASE_LOST everywhere within the TTL ({elapsed:?})"
    );
    assert!(
        elapsed < Duration::from_millis(TTL_MS),
        "before the lease could expire ({elapsed:?})"
    );

    services("start-etcd");
    let t = Instant::now();
    let mut ok = [false; 3];
    while ok.iter().any(|o| !o) && t.elapsed() < Duration::from_secs(30) {
        for (i, s) in servers.iter().enumerate() {
            ok[i] = ok[i] || get(&s.addr, "/readyz").0 == 200;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        ok.iter().all(|o| *o),
        "recovered after etcd restarted: {ok:?}"
    );
    for s in &servers {
        assert_eq!(get(&s.addr, "/v1/next_id").0, 200);
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&state);
}
