//! Node leases from a real etcd (`make test-leases` starts one; the
//! endpoints come from `SNOWID_TEST_ETCD_ENDPOINTS`).

mod lease_common;

use lease_common::*;
use snowid::lease::Service;

const ETCD: Backend = Backend {
    service: Service::Etcd,
    var: "SNOWID_TEST_ETCD_ENDPOINTS",
    source: "etcd",
    cli_var: "SNOWID_ETCD_ENDPOINTS",
    cli_prefix_var: "SNOWID_ETCD_PREFIX",
    // etcd grants whole seconds, at least 2 with its default election timeout.
    ttl_ms: 3000,
    services_name: "etcd",
};

// etcd keeps leases (and refreshes their TTL) across a restart.
lease_common::lease_tests!(ETCD, unreachable = "127.0.0.1:1", survives_restart = true);

/// A holder whose keep-alive stream broke (etcd down: a renewal failed) and
/// whose lease then expired on the server must learn that the lease is gone
/// at its next renewal (`LEASE_TAKEN`, final), not stay `LEASE_LOST` for
/// good: etcd-client reports the expired lease while opening the new stream.
/// The fault harness (faults/) found it as a server that answered
/// `LEASE_LOST` forever after a partition longer than the TTL healed.
#[test]
fn expired_lease_is_gone_on_a_new_keep_alive_stream() {
    use snowid::{Config, Layout};
    use std::time::{Duration, Instant};

    let b = &ETCD;
    let _serial = b.lock();
    let spec = b.spec("expired-new-stream");
    let (g, h) = b.build(Config::new(Layout::twitter()), &spec).unwrap();
    g.next_id().unwrap();
    let wait = |what: &str, limit_ms: u64, done: &dyn Fn() -> bool| {
        let t = Instant::now();
        while !done() {
            assert!(t.elapsed() < Duration::from_millis(limit_ms), "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("no renewal", h.ttl_ms(), &|| h.renewals() > 0);
    b.services_script("stop-etcd");
    // A renewal fails: the cached keep-alive stream is dropped.
    wait("no failed renewal", 2 * h.ttl_ms(), &|| {
        h.failed_renewals() > 0
    });
    h.pause_renewals();
    b.services_script("start-etcd");
    // etcd refreshes leases on restart; unrenewed, this one expires a TTL later.
    std::thread::sleep(Duration::from_millis(h.ttl_ms() + 2000));
    h.resume_renewals();
    let t = Instant::now();
    let mut last = String::new();
    while t.elapsed() < Duration::from_millis(3 * h.ttl_ms()) {
        match g.next_id() {
            Ok(id) => panic!("issued {id} on an expired lease"),
            Err(e) if e.code() == "LEASE_TAKEN" => break,
            Err(e) => last = e.code().to_owned(),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        g.next_id().unwrap_err().code(),
        "LEASE_TAKEN",
        "still {last} {} ms after renewals resumed on an expired lease",
        t.elapsed().as_millis()
    );
    assert!(h.gone_reason().unwrap().contains("expired"), "{h:?}");
}
