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
};

#[test]
fn holders_get_distinct_workers_and_release_them() {
    lease_common::holders_get_distinct_workers_and_release_them(&ETCD);
}

#[test]
fn paused_holder_stops_before_expiry_and_successor_stays_above_its_mark() {
    lease_common::paused_holder_stops_before_expiry_and_successor_stays_above_its_mark(&ETCD);
}

#[test]
fn clean_drop_lowers_the_mark_to_the_last_id() {
    lease_common::clean_drop_lowers_the_mark_to_the_last_id(&ETCD);
}

#[test]
fn cli_processes_take_distinct_numbers_from_the_environment() {
    lease_common::cli_processes_take_distinct_numbers_from_the_environment(&ETCD);
}

#[test]
fn unreachable_service_is_a_clear_error() {
    lease_common::unreachable_service_is_a_clear_error(&ETCD, "127.0.0.1:1");
}

#[test]
fn service_outage_recovers_or_fails_cleanly() {
    // etcd keeps leases (and refreshes their TTL) across a restart.
    lease_common::service_outage_recovers_or_fails_cleanly(&ETCD, true);
}

#[test]
fn lanes_take_one_lease_each() {
    lease_common::lanes_take_one_lease_each(&ETCD);
}
