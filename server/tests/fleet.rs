//! Fleet: three `snowid serve` instances with the etcd source on one machine
//! get distinct worker numbers; stopping etcd makes /readyz and
//! /v1/next_id answer 503 LEASE_LOST before the lease could expire;
//! restarting etcd recovers. Needs a real etcd from scripts/services.sh
//! (`make -C server test-leases` starts and stops it by PID).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;

const TTL_MS: u64 = 3000;

fn start(state: &Path, endpoints: &str) -> Server {
    let ttl = TTL_MS.to_string();
    let env = [
        ("SNOWID_NODE_SOURCE", "etcd"),
        ("SNOWID_ETCD_ENDPOINTS", endpoints),
        ("SNOWID_LEASE_TTL_MS", ttl.as_str()),
    ];
    Server::start(state, &[], &env)
}

fn get(s: &Server, path: &str) -> (u16, String) {
    let r = s.get(path, &[]);
    (r.status, r.text())
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
        let (st, body) = get(s, "/readyz");
        assert_eq!(st, 200, "{body}");
        let (_, m) = get(s, "/metrics");
        let info = m
            .lines()
            .find(|l| l.starts_with("snowid_node_info"))
            .unwrap()
            .to_owned();
        assert!(info.contains("etcd"), "{info}");
        // A leased node number shows its TTL left.
        let ttl = m
            .lines()
            .find_map(|l| l.strip_prefix("snowid_lease_ttl_left_seconds "))
            .unwrap_or_else(|| panic!("no lease TTL in\n{m}"));
        assert!(ttl.parse::<f64>().unwrap() > 0.0, "{ttl}");
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
    for s in &servers {
        let (_, stats) = get(s, "/v1/stats");
        assert!(
            stats.contains("\"issued\":0,"),
            "/readyz spent no ID: {stats}"
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
                let (st, body) = get(s, "/readyz");
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
            let (st, body) = get(s, "/v1/next_id");
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
            ok[i] = ok[i] || get(s, "/readyz").0 == 200;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        ok.iter().all(|o| *o),
        "recovered after etcd restarted: {ok:?}"
    );
    for s in &servers {
        assert_eq!(get(s, "/v1/next_id").0, 200);
    }
    for s in servers {
        // SIGTERM: a clean shutdown revokes the lease.
        assert!(s.term().success());
    }
    let _ = std::fs::remove_dir_all(&state);
}
