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

/// The tests' Redis keeps nothing on disk: without the opt-in a lease on it
/// is refused at claim (a restart would forget the lease and the mark, and
/// the next holder could reissue), through the API and the environment; a
/// bad value of the opt-in names it.
#[test]
fn a_redis_that_keeps_nothing_on_disk_is_refused_without_the_opt_in() {
    use snowid::{ClockChoice, Config, Layout, ManualClock};
    let _serial = REDIS.lock();
    let mut spec = REDIS.spec("volatile-refused");
    spec.allow_volatile = false;
    let config = Config::new(Layout::twitter())
        .clock(ClockChoice::Manual(ManualClock::new(1_700_000_000_000)));
    let Err(e) = REDIS.build(config, &spec) else {
        panic!("a lease on a Redis without the AOF was granted")
    };
    let text = e.to_string();
    assert_eq!(e.code(), "INVALID_SETTING", "{text}");
    assert!(
        text.contains("SNOWID_REDIS_URL")
            && text.contains("appendonly no")
            && text.contains("SNOWID_REDIS_ALLOW_VOLATILE=1"),
        "{text}"
    );
    let cli = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_snowid-holder"));
        c.env_clear()
            .env("SNOWID_NODE_SOURCE", "redis")
            .env("SNOWID_REDIS_URL", REDIS.endpoints().join(","))
            .env("SNOWID_REDIS_PREFIX", &spec.prefix)
            .args(["--count", "1"]);
        c
    };
    for (opt_in, ok, says) in [
        (None, false, "SNOWID_REDIS_ALLOW_VOLATILE=1"),
        (Some("no"), false, "SNOWID_REDIS_ALLOW_VOLATILE=1"),
        (Some("maybe"), false, "SNOWID_REDIS_ALLOW_VOLATILE"),
        (Some("1"), true, ""),
    ] {
        let mut c = cli();
        if let Some(v) = opt_in {
            c.env("SNOWID_REDIS_ALLOW_VOLATILE", v);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "{opt_in:?}: {err}");
        assert!(err.contains(says), "{opt_in:?}: {err}");
        if !ok {
            assert!(err.contains("INVALID_SETTING"), "{opt_in:?}: {err}");
        }
    }
}
