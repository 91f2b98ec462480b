//! Node leases from a real Redis (`make test-leases` starts one; the
//! endpoints come from `SNOWID_TEST_VOLATILE_REDIS_URL`, the Redis without
//! persistence, so that a restart deterministically loses every lease).

mod lease_common;

use lease_common::*;
use snowid::lease::Service;

const REDIS: Backend = Backend {
    service: Service::Redis,
    var: "SNOWID_TEST_VOLATILE_REDIS_URL",
    source: "redis",
    cli_var: "SNOWID_REDIS_URL",
    cli_prefix_var: "SNOWID_REDIS_PREFIX",
    ttl_ms: 2000,
    services_name: "volatile-redis",
};

// Started with --save '' and no AOF, Redis forgets every key on restart:
// the holders must notice and stop for good, never reissue.
lease_common::lease_tests!(
    REDIS,
    unreachable = "redis://127.0.0.1:1/",
    survives_restart = false
);
