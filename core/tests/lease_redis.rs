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

/// The Redis with the AOF (`appendfsync always`), for the restore test.
const PERSISTENT_REDIS: Backend = Backend {
    service: Service::Redis,
    var: "SNOWID_TEST_REDIS_URL",
    source: "redis",
    cli_var: "SNOWID_REDIS_URL",
    cli_prefix_var: "SNOWID_REDIS_PREFIX",
    ttl_ms: 6000,
    services_name: "redis",
};

/// A Redis that restarts without a lease it granted (here: nothing on disk;
/// the same for `appendfsync everysec` or a restore from a backup) frees the
/// number while its holder, which has not yet renewed, still issues. A
/// second claimant right after the restart must not hold that number while
/// the first can still issue: its claim waits (quarantine) until the server
/// has been up longer than a TTL plus the margin, by which time the first
/// holder has passed its fence deadline. Before the quarantine the second
/// claim was granted at once, with the first holder still issuing.
#[test]
fn a_claim_after_a_restart_waits_until_every_earlier_holder_stopped() {
    use snowid::{Config, Generator};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    let _serial = REDIS.lock();
    let mut spec = REDIS.spec("quarantine");
    // A fence deadline (4 s after the last renewal) longer than a restart.
    spec.ttl_ms = 6000;
    let layout = four_slot_layout();
    let (first, fh) = REDIS.build(Config::new(layout.clone()), &spec).unwrap();
    let mut ids = vec![first.next_id().unwrap()];
    // The first holder has not yet tried to renew when the server restarts.
    fh.pause_renewals();
    let paused = Instant::now();
    REDIS.services_script("restart-volatile-redis");
    let restarted = Instant::now();
    let (tx, rx) = mpsc::channel::<(Generator, u64, Instant)>();
    let claimant = {
        let (spec, layout) = (spec.clone(), layout.clone());
        std::thread::spawn(move || {
            let (g, h) = REDIS.build(Config::new(layout), &spec).unwrap();
            tx.send((g, h.worker(), Instant::now())).unwrap();
        })
    };
    // The first holder issues as fast as it can until the claim returns.
    let mut last_ok = restarted;
    let (second, worker, claimed_at) = loop {
        if let Ok(x) = rx.try_recv() {
            break x;
        }
        if let Ok(id) = first.next_id() {
            ids.push(id);
            last_ok = Instant::now();
        }
        assert!(restarted.elapsed() < Duration::from_secs(30), "no claim");
        std::thread::sleep(Duration::from_micros(200));
    };
    claimant.join().unwrap();
    println!(
        "redis: restart took {} ms; claim after it {} ms; the first holder's last ID {} ms after the restart",
        (restarted - paused).as_millis(),
        (claimed_at - restarted).as_millis(),
        (last_ok - restarted).as_millis()
    );
    assert_eq!(worker, fh.worker(), "the number the restart freed");
    assert!(
        last_ok < claimed_at,
        "the first holder issued {} ms after the second claimed its number",
        (last_ok - claimed_at).as_millis()
    );
    // And not after it either (the second now issues on the same number).
    for _ in 0..50 {
        let r = first.next_id();
        assert!(
            matches!(
                r.as_ref().map_err(|e| e.code()),
                Err("LEASE_LOST" | "LEASE_TAKEN")
            ),
            "the first holder issued {r:?} on the number the second holds"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // Resumed, the first holder learns the number is another's.
    fh.resume_renewals();
    let t = Instant::now();
    while fh.gone_reason().is_none() {
        assert!(t.elapsed() < Duration::from_secs(10), "loss never noticed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let e = first.next_id().unwrap_err();
    assert_eq!(e.code(), "LEASE_TAKEN", "{e}");
    let mut all: std::collections::HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(all.len(), ids.len());
    for _ in 0..1000 {
        assert!(all.insert(second.next_id().unwrap()));
    }
}

/// A Redis brought back from an older copy of its AOF (a restore from a
/// backup) still holds the lease with the holder's token, so renewals would
/// succeed, and an older high-water mark, so a successor could go below what
/// the holder issued since the copy. The holder sees the server's `run_id`
/// change at its next renewal and stops for good. Before, it renewed on.
#[test]
fn a_redis_restored_from_a_backup_stops_the_holder() {
    use snowid::{ClockChoice, Config, ManualClock};
    use std::time::{Duration, Instant};
    let _serial = REDIS.lock();
    let b = &PERSISTENT_REDIS;
    let spec = b.spec("restored");
    let state = std::env::var("SNOWID_SERVICES_STATE")
        .unwrap_or_else(|_| "/tmp/snowid-services.state".into());
    let dir = std::fs::read_to_string(&state).expect("the services' state file");
    let data = std::path::Path::new(dir.trim()).join("redis");
    let backup = std::path::Path::new(dir.trim()).join("redis-backup");
    let clock = ManualClock::new(snowid::Clock::now_ms(&snowid::MonotonicClock::new()));
    let config = Config::new(four_slot_layout()).clock(ClockChoice::Manual(clock.clone()));
    let (g, h) = b.build(config, &spec).unwrap();
    g.next_id().unwrap();
    let sh = |cmd: String| {
        let out = std::process::Command::new("bash")
            .args(["-c", &cmd])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The backup: the lease and the mark as they are now.
    sh(format!(
        "rm -rf '{0}' && cp -a '{1}' '{0}'",
        backup.display(),
        data.display()
    ));
    // More IDs, a window later: the mark moves on past the backup's.
    clock.advance(5000);
    g.next_id().unwrap();
    b.services_script("stop-redis");
    sh(format!(
        "rm -rf '{1}' && mv '{0}' '{1}'",
        backup.display(),
        data.display()
    ));
    b.services_script("start-redis");
    let t = Instant::now();
    while h.gone_reason().is_none() {
        assert!(
            t.elapsed() < Duration::from_millis(4 * h.renew_interval_ms() + 2000),
            "renewed on a Redis restored from a backup ({} renewals)",
            h.renewals()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let why = h.gone_reason().unwrap();
    assert!(why.contains("restarted") && why.contains("run_id"), "{why}");
    clock.advance(5000);
    let e = g.next_id().unwrap_err();
    assert_eq!(e.code(), "LEASE_TAKEN", "{e}");
}
