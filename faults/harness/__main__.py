"""The fault harness: python -m harness (run by faults/run.sh as root).

Environment: FAULTS_SECONDS (length of the fault schedule, default 100),
FAULTS_SEED (default: drawn and printed), FAULTS_HOSTS (3), FAULTS_OUT
(target/faults), FAULTS_SELFTEST=dup (the checker must find duplicates),
FAULTS_BATCH (IDs per call, 100),
FAULTS_INTERVAL_MS (at most one call per interval per workload, 5),
FAULTS_SNOWID (the `snowid` binary with etcd), FAULTS_PYLIB (where the
Python binding with etcd is installed), FAULTS_TTL_MS (lease TTL, 3000), FAULTS_KEEP=1 (keep a passing run's records).
"""

import json
import os
import random
import shutil
import signal
import sys
import time

from . import chart, checker, hosts as hostmod
from .cluster import Cluster
from .nemesis import KINDS, Nemesis
from .procs import Procs, kill_leftovers

T0 = time.monotonic()
RECOVER_S = 20.0  # longest wait for the system to recover after a fault
WORKLOADS = ("http", "python", "segment")
RESTART_EVERY_S = 1.0  # the supervisor restarts one process at most this often


def log(msg):
    print(f"[faults {time.monotonic() - T0:7.2f}s] {msg}", flush=True)


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main():
    seconds = float(os.environ.get("FAULTS_SECONDS", "100"))
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1 << 32))
    n_hosts = int(os.environ.get("FAULTS_HOSTS", "3"))
    out = os.path.abspath(os.environ.get("FAULTS_OUT", "target/faults"))
    selftest = os.environ.get("FAULTS_SELFTEST", "")
    cfg = dict(
        ttl_ms=int(os.environ.get("FAULTS_TTL_MS", "3000")),
        window_ms=int(os.environ.get("SNOWID_WINDOW_MS", "1000")),
        batch=int(os.environ.get("FAULTS_BATCH", "100")),
        interval_ms=float(os.environ.get("FAULTS_INTERVAL_MS", "5")),
        snowid_bin=os.environ.get("FAULTS_SNOWID", "snowid"),
        pylib=os.environ.get("FAULTS_PYLIB", ""),
    )
    run_dir = os.path.join(out, "selftest" if selftest else "run")
    os.makedirs(out, exist_ok=True)
    pidfile = os.path.join(out, "pids")
    left = kill_leftovers(pidfile)
    if left:
        log(f"stopped {left} processes left by a previous run")
    hostmod.teardown()
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(os.path.join(run_dir, "records"))

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # also when started with SIGINT ignored (a background job)
    procs = Procs(pidfile)
    try:
        if selftest:
            return selftest_dup(run_dir, procs, cfg) if selftest == "dup" else _bad_selftest(selftest)
        return run(run_dir, procs, cfg, seconds, seed, n_hosts)
    finally:
        procs.stop_all()
        hostmod.teardown()


def _bad_selftest(name):
    log(f"FAULTS_SELFTEST={name!r}: unknown (valid: dup)")
    return 2


def selftest_dup(run_dir, procs, cfg):
    """Two hosts given the same fixed node (SNOWID_NODE_SOURCE=env,
    SNOWID_WORKER_ID=1): the machine-local lock cannot see the other host, so
    both issue under the same node at the same time. The checker must report
    duplicates; the self-test fails if it does not."""
    hosts = hostmod.setup(2, run_dir)
    c = Cluster(hosts, procs, run_dir, cfg)
    fixed = dict(SNOWID_NODE_SOURCE="env", SNOWID_WORKER_ID="1", SNOWID_ETCD_ENDPOINTS=None)
    for h in hosts:
        c.start_pygen(h, env_override=fixed)
    time.sleep(float(os.environ.get("FAULTS_SELFTEST_SECONDS", "4")))
    procs.stop_all()
    recs = checker.load_records(run_dir)
    n = sum(len(r["ids"]) for r in recs)
    dups, examples = checker.find_duplicates(recs)
    log(f"self-test dup: {n} IDs from {len(recs)} processes on 2 hosts with the same fixed node: {dups} duplicates")
    for e in examples[:3]:
        log(f"  duplicate {e['id']}: {e['first']} and {e['second']}")
    if dups == 0 or n == 0:
        log("SELF-TEST FAILED: the checker did not report the duplicates of a known-unsafe configuration")
        return 1
    log("self-test passed: the checker reports duplicates")
    return 0


def run(run_dir, procs, cfg, seconds, seed, n_hosts):
    log(f"seed {seed} (replay: FAULTS_SEED={seed} FAULTS_SECONDS={seconds:g} FAULTS_HOSTS={n_hosts})")
    rng = random.Random(seed)
    hosts = hostmod.setup(n_hosts, run_dir)
    c = Cluster(hosts, procs, run_dir, cfg)
    for h in hosts:
        c.start_etcd(h)
    c.wait_etcd()
    c.start_watchers()
    log(f"etcd: {n_hosts} members healthy ({c.endpoints})")
    c.start_redis()
    c.wait_redis()
    for h in hosts:
        c.start_serve(h)
        c.start_pygen(h)
        c.start_client(h)
        c.start_segment(h)
    t_start = time.monotonic()
    nem = Nemesis(c, rng, log)
    restarts = dict(serve=0, python=0, segment=0)
    last_start = {}

    def supervise():
        """A process supervisor, as a real deployment has: restart a dead
        server or generator, and a server whose clients get LEASE_TAKEN
        (final for its generator) for more than a second."""
        c.supervise_watchers()
        for h in hosts:
            for kind, table, start in (("serve", c.serve, c.start_serve), ("python", c.pygen, c.start_pygen),
                                       ("segment", c.segment, c.start_segment)):
                p = table[h.name]
                if p.poll() is not None and time.monotonic() >= last_start.get((h.name, kind), 0) + RESTART_EVERY_S:
                    log(f"{h.name} {kind} pid {p.pid} exited ({p.returncode}); restarting")
                    procs.live.pop(p.pid, None)
                    start(h)
                    last_start[(h.name, kind)] = time.monotonic()
                    restarts[kind] += 1
            last = _last_line(os.path.join(run_dir, "records", f"{h.name}-http", "batches.jsonl"))
            if last and last.get("err") == "LEASE_TAKEN":
                p = c.serve[h.name]
                log(f"{h.name} serve pid {p.pid} answers LEASE_TAKEN; restarting it")
                procs.stop(p, signal.SIGTERM, wait_s=3)
                c.start_serve(h)
                restarts["serve"] += 1

    # Warm up, then one fault at a time with a gap after each heal.
    nem.sleep(3.0, supervise)
    deadline = t_start + seconds
    log(f"faults for {seconds:g} s: rounds of the {len(KINDS)} kinds in a seeded order, at least one round")
    for kind in nem.schedule(lambda: time.monotonic() < deadline):
        nem.inject(kind, supervise)
        # Jepsen-style: let the whole system recover (every workload on every
        # host issuing again, at most RECOVER_S) before the next fault, so
        # each recovery time belongs to one fault.
        heal = nem.events[-1]["heal"]
        while time.monotonic() < heal + RECOVER_S and not all(_recent(run_dir, h.name, heal) for h in hosts):
            nem.sleep(0.1, supervise)
        nem.sleep(rng.uniform(1.0, 3.0), supervise)
    nem.sleep(3.0, supervise)
    t_end = time.monotonic()
    hung = [h.name for h in hosts if not _recent(run_dir, h.name, t_end - 3.0)]
    # Stop the workloads, then read the whole history once more.
    for table in (c.client, c.serve, c.pygen, c.segment):
        for p in table.values():
            procs.send(p, signal.SIGKILL)
    time.sleep(1.0)  # let the watchers catch up
    late = c.final_history()
    c.dump_events(os.path.join(run_dir, "etcd-events.jsonl"))
    log(f"etcd history: {len(c.events)} events ({late} in the final read)")
    procs.stop_all()
    return report(run_dir, c, nem, seed, t_start, t_end, restarts, hung, hosts)


def _last_line(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4096))
            lines = f.read().splitlines()
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def _log_mtime(record_dir):
    """When a record's batch log was last written (0: a record just being created)."""
    try:
        return os.path.getmtime(os.path.join(record_dir, "batches.jsonl"))
    except OSError:
        return 0.0


def _recent(run_dir, host, since):
    """True if the newest record of each workload kind on `host` issued after `since`."""
    import glob

    for kind in WORKLOADS:
        dirs = glob.glob(os.path.join(run_dir, "records", f"{host}-{kind}*"))
        newest = max(dirs, key=_log_mtime, default=None)
        last = _last_line(os.path.join(newest, "batches.jsonl")) if newest else None
        if not last or "err" in last or last["t1"] < since:
            return False
    return True


def report(run_dir, c, nem, seed, t_start, t_end, restarts, hung, hosts):
    recs = checker.load_records(run_dir)
    snow = [r for r in recs if r["meta"]["kind"] != "segment"]
    segs = [r for r in recs if r["meta"]["kind"] == "segment"]
    n_ids = int(sum(len(r["ids"]) for r in snow))
    dups, dup_ex = checker.find_duplicates(snow)
    seg_ids = int(sum(len(r["ids"]) for r in segs))
    seg_dups, seg_ex = 0, []
    for key in sorted({r["meta"]["key"] for r in segs}):
        d, e = checker.find_duplicates([r for r in segs if r["meta"]["key"] == key])
        seg_dups += d
        seg_ex += e
    ooo, ooo_ex = checker.find_out_of_order(recs)
    hist = checker.lease_history(c.events)
    fenced, unleased, fen_ex = checker.find_fenced(recs, hist)
    avail = checker.availability(recs, [h.name for h in hosts], t_start, t_end)
    rec = checker.recovery(recs, nem.events, t_end, [h.name for h in hosts], WORKLOADS)
    counts = {k: 0 for k in KINDS}
    for e in nem.events:
        counts[e["kind"]] += 1
    rep = dict(
        seed=seed, duration_s=round(t_end - t_start, 1), hosts=len(hosts), ids_checked=n_ids,
        segment_ids_checked=seg_ids, segment_duplicates=seg_dups,
        processes=len(recs), duplicates=dups, out_of_order=ooo, fenced_issues=fenced, unleased=unleased,
        hung_hosts=hung, events=counts, availability=avail, recovery=rec, supervisor_restarts=restarts,
        lease_holdings=sum(len(v) for v in hist.values()), etcd_events=len(c.events),
        examples=dict(duplicates=dup_ex, segment_duplicates=seg_ex, out_of_order=ooo_ex, fenced=fen_ex),
        faults=nem.events,
    )
    out = os.path.dirname(run_dir)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    print_summary(rep)
    chart.write(os.path.join(out, "report.html"), rep, recs, [h.name for h in hosts], t_start, t_end)
    bad = dups or seg_dups or ooo or fenced or unleased or hung or n_ids == 0 or seg_ids == 0
    missing = [k for k, v in counts.items() if v == 0]
    if missing:
        log(f"fault kinds never injected: {missing}")
    if bad:
        log(f"VIOLATIONS (replay with FAULTS_SEED={seed}): " + json.dumps(rep["examples"])[:4000])
        return 1
    log(f"no violation; report in {os.path.join(out, 'report.json')} and report.html")
    # A passing run's bulk goes (disk is shared): the members' data (WAL files
    # of 64 MB each), the records (8 bytes per ID) and the etcd history; a
    # failing run keeps all.
    for h in hosts:
        shutil.rmtree(os.path.join(h.dir, "etcd"), ignore_errors=True)
    if os.environ.get("FAULTS_KEEP") != "1":
        shutil.rmtree(os.path.join(run_dir, "records"), ignore_errors=True)
        os.unlink(os.path.join(run_dir, "etcd-events.jsonl"))
    return 0


def print_summary(rep):
    print()
    print(f"seed {rep['seed']}  duration {rep['duration_s']} s  hosts {rep['hosts']}  processes {rep['processes']}")
    print(f"segment IDs checked {rep['segment_ids_checked']:,} (key orders, every host)  "
          f"duplicates per key {rep['segment_duplicates']}")
    print(f"IDs checked {rep['ids_checked']:,}  duplicates {rep['duplicates']}  out of order {rep['out_of_order']}  "
          f"fenced issues {rep['fenced_issues']}  unleased {rep['unleased']}  hung hosts {rep['hung_hosts'] or 0}")
    print(f"lease holdings seen in etcd history {rep['lease_holdings']}  supervisor restarts {rep['supervisor_restarts']}")
    print()
    print(f"{'fault kind':<18}{'injected':>9}{'recovery p50 s':>16}{'p99 s':>8}{'max s':>8}")
    for k, n in rep["events"].items():
        r = rep["recovery"].get(k, {})
        print(f"{k:<18}{n:>9}{r.get('p50', '-'):>16}{r.get('p99', '-'):>8}{r.get('max', '-'):>8}")
    print()
    kinds = sorted({k for v in rep["availability"].values() for k in v})
    print(f"{'availability':<14}" + "".join(f"{k:>10}" for k in kinds))
    for h, v in rep["availability"].items():
        print(f"{h:<14}" + "".join(f"{v.get(k, 0) * 100:>9.1f}%" for k in kinds))
    print()


if __name__ == "__main__":
    sys.exit(main())
