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
