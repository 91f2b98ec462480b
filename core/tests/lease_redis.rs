//! Node leases from a real Redis (`make test-leases` starts one; the
//! endpoints come from `SNOWID_TEST_REDIS_URL`).

mod lease_common;

use lease_common::*;
use snowid::lease::Service;

const REDIS: Backend = Backend {
    service: Service::Redis,
    var: "SNOWID_TEST_REDIS_URL",
    source: "redis",
    cli_var: "SNOWID_REDIS_URL",
    cli_prefix_var: "SNOWID_REDIS_PREFIX",
    ttl_ms: 2000,
};

#[test]
fn holders_get_distinct_workers_and_release_them() {
    lease_common::holders_get_distinct_workers_and_release_them(&REDIS);
}

#[test]
fn paused_holder_stops_before_expiry_and_successor_stays_above_its_mark() {
    lease_common::paused_holder_stops_before_expiry_and_successor_stays_above_its_mark(&REDIS);
}

#[test]
fn clean_drop_lowers_the_mark_to_the_last_id() {
    lease_common::clean_drop_lowers_the_mark_to_the_last_id(&REDIS);
}

#[test]
fn cli_processes_take_distinct_numbers_from_the_environment() {
    lease_common::cli_processes_take_distinct_numbers_from_the_environment(&REDIS);
}

#[test]
fn unreachable_service_is_a_clear_error() {
    lease_common::unreachable_service_is_a_clear_error(&REDIS, "redis://127.0.0.1:1/");
}

#[test]
fn service_outage_recovers_or_fails_cleanly() {
    // Started with --save '' and no AOF, Redis forgets every key on restart:
    // the holders must notice and stop for good, never reissue.
    lease_common::service_outage_recovers_or_fails_cleanly(&REDIS, false);
}

#[test]
fn lanes_take_one_lease_each() {
    lease_common::lanes_take_one_lease_each(&REDIS);
}
