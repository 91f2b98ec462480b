//! The lease contract, run against a real etcd or Redis (see
//! `scripts/services.sh`; `make test-leases` starts both). Shared by
//! `lease_etcd.rs` and `lease_redis.rs`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use snowid::lease::{self, LeaseHandle, LeaseSpec, Service};
use snowid::{
    Clock, ClockChoice, Config, FieldSpec, Generator, Layout, LayoutSpec, ManualClock,
    MonotonicClock,
};

/// Tests restart the service: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

pub struct Backend {
    pub service: Service,
    /// The variable holding the endpoint(s).
    pub var: &'static str,
    /// `SNOWID_NODE_SOURCE` value and the CLI variable for the endpoint.
    pub source: &'static str,
    pub cli_var: &'static str,
    pub cli_prefix_var: &'static str,
    /// TTL used by the tests (etcd grants whole seconds, at least 2).
    pub ttl_ms: u64,
    /// Its name for `scripts/services.sh stop-NAME` / `start-NAME`.
    pub services_name: &'static str,
}

impl Backend {
    pub fn lock(&self) -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn endpoints(&self) -> Vec<String> {
        let v = std::env::var(self.var).unwrap_or_else(|_| {
            panic!(
                "{} is not set: these tests need a running {} (run `make test-leases`, or \
                 `scripts/services.sh start` and export the variables `scripts/services.sh env` prints)",
                self.var,
                self.service.name()
            )
        });
        v.split(',').map(|s| s.trim().to_owned()).collect()
    }

    /// A spec under a prefix no other test (or earlier run) uses.
    pub fn spec(&self, test: &str) -> LeaseSpec {
        let mut s = LeaseSpec::new(self.endpoints());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        s.prefix = format!("snowid-test/{test}-{}-{nanos}", std::process::id());
        s.ttl_ms = self.ttl_ms;
        s.allow_volatile = self.service.name() == "redis";
        s
    }

    /// The opt-in the tests' Redis needs: it keeps nothing on disk, so that
    /// a restart deterministically forgets every lease.
    pub fn opt_in(&self) -> Vec<(&'static str, String)> {
        if self.service.name() == "redis" {
            vec![("SNOWID_REDIS_ALLOW_VOLATILE", "1".into())]
        } else {
            vec![]
        }
    }

    pub fn build(
        &self,
        config: Config,
        spec: &LeaseSpec,
    ) -> snowid::Result<(Generator, LeaseHandle)> {
        lease::build(config, self.service, spec, 1000)
    }

    pub fn services_script(&self, cmd: &str) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/services.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(cmd)
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/services.sh");
        assert!(
            out.status.success(),
            "{} {cmd}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A layout with 4 worker numbers, so a test can hold all of them.
pub fn four_slot_layout() -> Layout {
    Layout::new(LayoutSpec {
        name: "leasetest".into(),
        fields: vec![
            FieldSpec::inferred("timestamp", 41),
            FieldSpec::inferred("worker", 2),
            FieldSpec::inferred("sequence", 20),
        ],
        epoch_ms: Layout::twitter().epoch_ms(),
        tick_ms: 1,
        sign_bit: true,
    })
    .unwrap()
}

fn now() -> u64 {
    MonotonicClock::new().now_ms()
}

fn code(r: &snowid::Result<u64>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

pub fn holders_get_distinct_workers_and_release_them(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("distinct");
    let mut holders = Vec::new();
    let mut claim_ms = Vec::new();
    for _ in 0..4 {
        let t = Instant::now();
        holders.push(b.build(Config::new(Layout::twitter()), &spec).unwrap());
        claim_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{}: claim latency per holder: {:?} ms",
        b.service.name(),
        claim_ms
            .iter()
            .map(|m| format!("{m:.1}"))
            .collect::<Vec<_>>()
    );
    let workers: Vec<u64> = holders.iter().map(|(_, h)| h.worker()).collect();
    assert_eq!(workers, vec![0, 1, 2, 3], "first free numbers, in order");
    let mut all = HashSet::new();
    // The first ID raises the mark in the service (one fenced write); the
    // next ones in the same window touch nothing but the generator's atomics.
    let mut first_us = Vec::new();
    for (g, _) in &holders {
        let t = Instant::now();
        assert!(all.insert(g.next_id().unwrap()));
        first_us.push(t.elapsed().as_micros());
    }
    let t = Instant::now();
    for _ in 0..1000 {
        assert!(all.insert(holders[0].0.next_id().unwrap()));
    }
    println!(
        "{}: first ID (with its mark write) {:?} us; then {:.2} us per ID",
        b.service.name(),
        first_us,
        t.elapsed().as_secs_f64() * 1e6 / 1000.0
    );
    for (g, h) in &holders {
        assert!(
            g.source().contains(&format!("worker {}", h.worker())),
            "{}",
            g.source()
        );
        assert_eq!(g.nodes(), &[0, h.worker() as u32][..]);
        let mut buf = vec![0; 10_000];
        assert_eq!(g.next_batch(&mut buf).unwrap(), buf.len());
        for id in buf {
            assert!(all.insert(id), "duplicate {id}");
        }
    }
    // A clean drop gives the number back at once.
    let (g1, h1) = holders.remove(1);
    drop(g1);
    assert!(h1.gone_reason().is_none());
    let (g, h) = b.build(Config::new(Layout::twitter()), &spec).unwrap();
    assert_eq!(h.worker(), 1, "the released number is free again");
    let id = g.next_id().unwrap();
    assert!(all.insert(id));
}

pub fn paused_holder_stops_before_expiry_and_successor_stays_above_its_mark(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("fence");
    let layout = four_slot_layout();
    let mut holders: Vec<(Generator, LeaseHandle)> = (0..4)
        .map(|_| b.build(Config::new(layout.clone()), &spec).unwrap())
        .collect();
    let e = b.build(Config::new(layout.clone()), &spec).unwrap_err();
    assert_eq!(e.code(), "NO_FREE_SLOT", "{e}");
    let (victim, vh) = holders.remove(2);
    assert_eq!(vh.worker(), 2);
    assert!(vh.renew_interval_ms() * 3 < vh.ttl_ms() - vh.margin_ms());
    // Let one renewal happen, so the deadline comes from a renewal.
    let t = Instant::now();
    while vh.renewals() == 0 {
        assert!(
            t.elapsed() < Duration::from_millis(vh.ttl_ms()),
            "no renewal"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let ttl_left = victim
        .stats()
        .lease_ttl_left_ms
        .expect("a leased generator has a TTL left");
    assert!(
        ttl_left > 0 && ttl_left <= vh.ttl_ms(),
        "ttl left {ttl_left}"
    );
    vh.pause_renewals();
    let paused_at = now();
    let mut issued = Vec::new();
    let lost_at;
    loop {
        match victim.next_id() {
            Ok(id) => issued.push(id),
            Err(e) => {
                lost_at = now();
                assert_eq!(e.code(), "LEASE_LOST", "{e}");
                assert!(e.to_string().contains("worker number 2"), "{e}");
                break;
            }
        }
        assert!(now() < paused_at + 2 * vh.ttl_ms(), "never stopped issuing");
        std::thread::sleep(Duration::from_micros(500));
    }
    let last_sent = vh.last_renewal_sent_ms();
    let expiry = last_sent + vh.ttl_ms();
    println!(
        "{}: ttl {} ms, margin {} ms, renewal every {} ms; stopped issuing {} ms after the last renewal was sent ({} ms before the lease expires)",
        b.service.name(),
        vh.ttl_ms(),
        vh.margin_ms(),
        vh.renew_interval_ms(),
        lost_at - last_sent,
        expiry as i64 - lost_at as i64
    );
    assert!(
        lost_at < expiry,
        "stopped at {lost_at}, lease expires at {expiry}"
    );
    assert!(lost_at >= vh.trusted_until_ms(), "not before the deadline");
    assert_eq!(
        victim.stats().lease_ttl_left_ms,
        Some(0),
        "past the deadline"
    );
    assert!(!issued.is_empty());
    let victim_max = *issued.iter().max().unwrap();

    // The successor: a manual clock far behind the victim's mark.
    let clock = ManualClock::new(layout.epoch_ms() + 1000);
    let config = Config::new(layout.clone()).clock(ClockChoice::Manual(clock.clone()));
    let (succ, sh) = loop {
        match b.build(config.clone(), &spec) {
            Ok(x) => break x,
            Err(e) => {
                assert_eq!(e.code(), "NO_FREE_SLOT", "{e}");
                assert!(now() < lost_at + 3 * vh.ttl_ms(), "number never freed");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    let reclaimed_at = now();
    println!(
        "{}: worker {} claimable again {} ms after its holder stopped issuing ({} ms after its last renewal was sent)",
        b.service.name(),
        sh.worker(),
        reclaimed_at - lost_at,
        reclaimed_at - last_sent
    );
    assert_eq!(sh.worker(), 2, "the victim's number");
    let e = succ.next_id().unwrap_err();
    let snowid::Error::BehindHighWater { mark_ms, .. } = e else {
        panic!("expected BEHIND_HIGH_WATER, got {e}");
    };
    assert!(mark_ms >= layout.decode(victim_max).unwrap().timestamp_ms);
    clock.set(mark_ms + 1);
    let mut buf = vec![0; 1000];
    assert_eq!(succ.next_batch(&mut buf).unwrap(), 1000);
    assert!(
        buf[0] > victim_max,
        "successor {} <= victim {}",
        buf[0],
        victim_max
    );
    assert_eq!(layout.decode(buf[0]).unwrap().nodes[0], 2);

    // The victim never issues on its old number again, even once it can
    // reach the service.
    vh.resume_renewals();
    let t = Instant::now();
    while vh.gone_reason().is_none() {
        assert!(
            t.elapsed() < Duration::from_millis(vh.ttl_ms()),
            "loss never noticed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let e = victim.next_id().unwrap_err();
    assert_eq!(e.code(), "LEASE_TAKEN", "{e}");
    println!("{}: victim after resuming: {e}", b.service.name());
    assert_eq!(code(&victim.next_id()), "LEASE_TAKEN");
    drop(victim);
    // The victim's drop must not free the successor's number.
    let e = b.build(Config::new(layout.clone()), &spec).unwrap_err();
    assert_eq!(e.code(), "NO_FREE_SLOT", "{e}");
    assert!(succ.next_id().unwrap() > buf[999]);
}

pub fn clean_drop_lowers_the_mark_to_the_last_id(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("lower");
    let layout = Layout::twitter();
    let clock = ManualClock::new(now());
    let cfg = Config::new(layout.clone()).clock(ClockChoice::Manual(clock.clone()));
    let (g, h) = b.build(cfg.clone(), &spec).unwrap();
    let first = g.next_id().unwrap();
    clock.advance(1);
    let last = g.next_id().unwrap();
    assert!(first < last);
    drop(g);
    // Same number, clock just past the last ID: no BEHIND_HIGH_WATER, since
    // the drop lowered the mark from tick + window to the last tick.
    let (g2, h2) = b.build(cfg, &spec).unwrap();
    assert_eq!(h2.worker(), h.worker());
    let e = g2.next_id().unwrap_err();
    assert_eq!(e.code(), "BEHIND_HIGH_WATER", "floor is the last tick: {e}");
    clock.advance(1);
    assert!(g2.next_id().unwrap() > last);
}

pub fn cli_processes_take_distinct_numbers_from_the_environment(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("cli");
    let cli = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_snowid-holder"));
        c.env_clear()
            .env("SNOWID_NODE_SOURCE", b.source)
            .env(b.cli_var, b.endpoints().join(","))
            .env(b.cli_prefix_var, &spec.prefix)
            .env("SNOWID_LEASE_TTL_MS", b.ttl_ms.to_string())
            .envs(b.opt_in())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let mut first = cli().args(["--count", "1000", "--hold"]).spawn().unwrap();
    let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
    let source = lines.next().unwrap().unwrap();
    assert!(
        source.contains(&format!("{} worker 0", b.service.name())),
        "{source}"
    );
    let ids: HashSet<u64> = lines
        .by_ref()
        .map(|l| l.unwrap())
        .take_while(|l| l != "# ready")
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 1000);
    let second = cli().args(["--count", "1000"]).output().unwrap();
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        out.contains(&format!("{} worker 1", b.service.name())),
        "{out}"
    );
    for id in out.lines().skip(1) {
        assert!(!ids.contains(&id.parse().unwrap()), "duplicate {id}");
    }
    drop(first.stdin.take());
    assert!(first.wait().unwrap().success());
    // Bad settings name the variable and the value.
    for (var, value, expect) in [
        ("SNOWID_LEASE_TTL_MS", "500", "1000..=3600000"),
        ("SNOWID_LEASE_TTL_MS", "ten", "1000..=3600000"),
    ] {
        let out = cli().env(var, value).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            err.contains("INVALID_SETTING")
                && err.contains(var)
                && err.contains(value)
                && err.contains(expect),
            "{err}"
        );
    }
    let out = cli().env_remove(b.cli_var).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(b.cli_var) && err.contains("INVALID_SETTING"),
        "{err}"
    );
}

pub fn unreachable_service_is_a_clear_error(b: &Backend, bad_endpoint: &str) {
    let mut spec = b.spec("unreachable");
    spec.endpoints = vec![bad_endpoint.to_owned()];
    let t = Instant::now();
    let e = b.build(Config::new(Layout::twitter()), &spec).unwrap_err();
    assert_eq!(e.code(), "COORDINATION_UNAVAILABLE", "{e}");
    assert!(e.to_string().contains(bad_endpoint), "{e}");
    assert!(
        t.elapsed() < Duration::from_secs(15),
        "bounded: {:?}",
        t.elapsed()
    );
}

/// Stops the service under two live holders for longer than their trusted
/// time, then starts it again. `survives`: the service keeps leases across a
/// restart (etcd refreshes their TTL), so the holders must resume; otherwise
/// (Redis without persistence) they must fail cleanly with LEASE_TAKEN and new
/// holders must be able to claim. Either way: LEASE_LOST during the outage,
/// no panic, no duplicate.
pub fn service_outage_recovers_or_fails_cleanly(b: &Backend, survives: bool) {
    let _serial = b.lock();
    let spec = b.spec("restart");
    let layout = Layout::twitter();
    let holders: Vec<(Generator, LeaseHandle)> = (0..2)
        .map(|_| b.build(Config::new(layout.clone()), &spec).unwrap())
        .collect();
    let mut all = HashSet::new();
    let issue = |g: &Generator, all: &mut HashSet<u64>| -> &'static str {
        let r = g.next_id();
        if let Ok(id) = r {
            assert!(all.insert(id), "duplicate {id}");
        }
        code(&r)
    };
    for (g, _) in &holders {
        assert_eq!(issue(g, &mut all), "ok");
    }
    let name = b.service.name();
    let mut seen: Vec<Vec<&'static str>> = vec![Vec::new(); holders.len()];
    let mut last_codes = vec![""; holders.len()];
    let mut round = |seen: &mut Vec<Vec<&'static str>>, last: &mut Vec<&'static str>| {
        for (i, (g, _)) in holders.iter().enumerate() {
            let c = issue(g, &mut all);
            if seen[i].last() != Some(&c) {
                seen[i].push(c);
            }
            last[i] = c;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    b.services_script(&format!("stop-{}", b.services_name));
    let down_at = now();
    // Down for longer than the trusted part of the TTL, shorter than the TTL.
    let (ttl, margin) = (holders[0].1.ttl_ms(), holders[0].1.margin_ms());
    while now() < down_at + ttl - margin + margin / 2 {
        round(&mut seen, &mut last_codes);
    }
    assert!(
        last_codes.iter().all(|c| *c == "LEASE_LOST"),
        "issuing stopped during the outage: {seen:?}"
    );
    b.services_script(&format!("start-{}", b.services_name));
    let up_at = now();
    let settled = |codes: &[&str]| {
        codes
            .iter()
            .all(|c| *c == if survives { "ok" } else { "LEASE_TAKEN" })
    };
    while now() < up_at + 3 * ttl && !settled(&last_codes) {
        round(&mut seen, &mut last_codes);
    }
    println!(
        "{name}: down {} ms; holders saw {seen:?}; settled {} ms after the restart",
        up_at - down_at,
        now() - up_at
    );
    for s in &seen {
        for c in s {
            assert!(
                [
                    "ok",
                    "LEASE_LOST",
                    "LEASE_TAKEN",
                    "COORDINATION_UNAVAILABLE"
                ]
                .contains(c),
                "unexpected {c}"
            );
        }
    }
    assert!(settled(&last_codes), "{seen:?}");
    if survives {
        for (_, h) in &holders {
            assert!(
                h.last_renewal_sent_ms() > down_at,
                "renewed across the outage"
            );
            assert!(h.gone_reason().is_none());
        }
    } else {
        // The numbers are free again (the server forgot them); new holders
        // claim and issue, without duplicates.
        let (g, _) = b.build(Config::new(layout), &spec).unwrap();
        for _ in 0..1000 {
            assert_eq!(issue(&g, &mut all), "ok");
        }
    }
}

/// `lanes = 3` with a lease source: each lane takes the next free number
/// with its own lease (three distinct workers of four), a later holder gets
/// the fourth, and threads on the lanes never repeat an ID; dropping the
/// lane generator releases all three leases.
pub fn lanes_take_one_lease_each(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("lanes");
    let env = snowid::env::Environment::from_pairs(
        b.opt_in().into_iter().chain([
            (b.cli_var, spec.endpoints.join(",")),
            (b.cli_prefix_var, spec.prefix.clone()),
            (
                "SNOWID_STATE_DIR",
                std::env::temp_dir()
                    .join(format!("snowid-lease-lanes-{}", std::process::id()))
                    .display()
                    .to_string(),
            ),
        ]),
    );
    let settings = |lanes: u32| {
        snowid::GeneratorOptions::new()
            .with("layout", four_slot_layout())
            .with("node_source", b.source)
            .with("lanes", lanes)
            .resolve_in(&env)
            .unwrap()
    };
    let g = std::sync::Arc::new(settings(3).build().unwrap());
    let mut workers: Vec<u32> = g.lane_nodes().iter().map(|n| n[0]).collect();
    workers.sort();
    assert_eq!(workers, [0, 1, 2], "three lanes, three leases");
    let s = g.stats();
    assert_eq!((s.nodes_total, s.nodes_in_use, s.nodes_free), (4, 3, 1));
    assert!(s.lease_ttl_left_ms.is_some_and(|t| t > 0), "{s:?}");
    let fourth = settings(1).build().unwrap();
    assert_eq!(fourth.nodes(), &[3]);
    assert!(settings(1).build().is_err(), "no number left");
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let g = std::sync::Arc::clone(&g);
            std::thread::spawn(move || {
                (0..10_000)
                    .map(|_| g.next_id().unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = HashSet::new();
    for h in hs {
        for id in h.join().unwrap() {
            assert!(all.insert(id), "duplicate {id}");
        }
    }
    drop(g);
    let again = settings(3).build().unwrap();
    assert_eq!(again.lane_count(), 3, "the three leases were released");
}

/// The lease contract's tests for one backend, each a `#[test]` calling the
/// function of the same name above: `lease_tests!(BACKEND, unreachable =
/// an endpoint nothing listens on, survives_restart = whether the service
/// keeps its leases across a restart)`.
macro_rules! lease_tests {
    ($b:expr, unreachable = $bad:expr, survives_restart = $survives:expr) => {
        #[test]
        fn holders_get_distinct_workers_and_release_them() {
            lease_common::holders_get_distinct_workers_and_release_them(&$b);
        }

        #[test]
        fn paused_holder_stops_before_expiry_and_successor_stays_above_its_mark() {
            lease_common::paused_holder_stops_before_expiry_and_successor_stays_above_its_mark(&$b);
        }

        #[test]
        fn clean_drop_lowers_the_mark_to_the_last_id() {
            lease_common::clean_drop_lowers_the_mark_to_the_last_id(&$b);
        }

        #[test]
        fn cli_processes_take_distinct_numbers_from_the_environment() {
            lease_common::cli_processes_take_distinct_numbers_from_the_environment(&$b);
        }

        #[test]
        fn unreachable_service_is_a_clear_error() {
            lease_common::unreachable_service_is_a_clear_error(&$b, $bad);
        }

        #[test]
        fn service_outage_recovers_or_fails_cleanly() {
            lease_common::service_outage_recovers_or_fails_cleanly(&$b, $survives);
        }

        #[test]
        fn shutdown_then_more_ids_then_crash_keeps_the_successor_above() {
            lease_common::shutdown_then_more_ids_then_crash_keeps_the_successor_above(&$b);
        }

        #[test]
        fn lanes_take_one_lease_each() {
            lease_common::lanes_take_one_lease_each(&$b);
        }

        #[test]
        fn suspended_holder_stops_at_its_next_reservation() {
            lease_common::suspended_holder_stops_at_its_next_reservation(&$b);
        }
    };
}
pub(crate) use lease_tests;

/// The protocol model's counterexample (`faults/model`,
/// `shutdown_then_more_ids_then_crash_was_a_duplicate`): `shutdown()`
/// lowers the mark to the last tick, the generator stays usable and issues
/// one tick later, then the process dies without a clean drop. The next
/// holder of the number must stay above that ID; before the fix the
/// reserve's cached mark skipped the raise and the successor issued it again.
pub fn shutdown_then_more_ids_then_crash_keeps_the_successor_above(b: &Backend) {
    let _serial = b.lock();
    let spec = b.spec("shutdown-crash");
    let clock = ManualClock::new(now());
    let cfg = Config::new(four_slot_layout()).clock(ClockChoice::Manual(clock.clone()));
    let (g, h) = b.build(cfg.clone(), &spec).unwrap();
    // The other three numbers stay taken, so the successor gets this one.
    let _others: Vec<_> = (0..3)
        .map(|_| b.build(cfg.clone(), &spec).unwrap())
        .collect();
    g.next_id().unwrap();
    g.shutdown();
    clock.advance(1);
    let after = g.next_id().unwrap();
    // A crash: no drop, no more renewals; the lease runs out on the server.
    h.pause_renewals();
    std::mem::forget(g);
    let deadline = Instant::now() + Duration::from_millis(b.ttl_ms * 5);
    let (g2, h2) = loop {
        match b.build(cfg.clone(), &spec) {
            Ok(x) => break x,
            Err(e) if e.code() == "NO_FREE_SLOT" && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(h2.worker(), h.worker());
    match g2.next_id() {
        Ok(id) => assert!(id > after, "successor reissued {id} <= {after}"),
        Err(e) => assert_eq!(e.code(), "BEHIND_HIGH_WATER", "{e}"),
    }
}

/// A holder suspended (laptop asleep, VM paused) for longer than its TTL:
/// its monotonic clock, and so its generator's clock, did not move, but the
/// service expired the lease meanwhile. The lease's boot clock jumped, so the
/// holder stops at its next reservation (`LEASE_LOST`) instead of trusting
/// the lease for another TTL of its own time; a real renewal afterwards (the
/// service never really expired it here) restores it. Before the fence read
/// `CLOCK_BOOTTIME`, the next reservation was granted.
pub fn suspended_holder_stops_at_its_next_reservation(b: &Backend) {
    let _serial = b.lock();
    let mut spec = b.spec("suspend");
    // Long enough that no slow machine reaches the real deadline here.
    spec.ttl_ms = 30_000;
    let layout = four_slot_layout();
    let clock = ManualClock::new(now());
    let config = Config::new(layout.clone()).clock(ClockChoice::Manual(clock.clone()));
    // A 10 ms mark window: every 10 ms of the generator's clock reserves.
    let (g, h) = lease::build(config, b.service, &spec, 10).unwrap();
    let mut last = g.next_id().unwrap();
    clock.advance(20);
    let id = g.next_id().unwrap();
    assert!(id > last);
    last = id;
    h.pause_renewals();
    h.simulate_suspend(spec.ttl_ms + 1000);
    // The generator's clock moves on past the reserved window: the next
    // reservation sees the boot clock beyond the deadline.
    clock.advance(20);
    let r = g.next_id();
    assert_eq!(
        code(&r),
        "LEASE_LOST",
        "issued {r:?} after a suspend longer than the TTL"
    );
    let e = r.unwrap_err();
    let snowid::Error::LeaseLost {
        deadline_ms,
        now_ms,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert!(now_ms >= deadline_ms + 1000, "{e}");
    assert_eq!(code(&g.next_id()), "LEASE_LOST");
    // Resumed and still held on the service: the renewal restores trust.
    h.resume_renewals();
    let t = Instant::now();
    let id = loop {
        match g.next_id() {
            Ok(id) => break id,
            Err(e) => assert_eq!(e.code(), "LEASE_LOST", "{e}"),
        }
        assert!(t.elapsed() < Duration::from_secs(20), "never renewed");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(id > last);
    assert!(h.gone_reason().is_none());
}
