"""snowid for Python: ns per call against peers measured in the same run.

Run: make bench (or python bench/bench.py inside the venv). Prints a table;
it never fails on speed. Each case is timed with timeit (best of 5 repeats;
the per-call rows take turns within each repeat), loop overhead included for
every row alike.
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
import uuid
from typing import Callable, Dict, List, Optional, Tuple

import snowid

WIDE = snowid.Layout("wide", [("timestamp", 41), ("node", 2), ("sequence", 20)], epoch=1_700_000_000_000)
N = 1_000_000


def per_call(fn: Callable[[], object], n: int = N, repeat: int = 5) -> float:
    """Best ns per call of `fn` over `repeat` runs of `n` calls."""
    return min(timeit.repeat(fn, number=n, repeat=repeat)) / n * 1e9


def interleaved(cases: Dict[str, Tuple[Callable[[], object], int]], rounds: int = 15) -> Dict[str, float]:
    """Best ns per call of each case, the cases taking turns in each of many
    short rounds, so that a loaded machine slows every case of a ratio alike
    and the best round of each is an unloaded one."""
    best = {k: float("inf") for k in cases}
    for _ in range(rounds):
        for k, (fn, n) in cases.items():
            best[k] = min(best[k], timeit.timeit(fn, number=n) / n * 1e9)
    return best


def child(case: str) -> None:
    """Cases that need a fresh default generator run in a child process."""
    if case == "next-saturated":
        # Twitter: 4096 IDs per ms; at this speed most ticks are spent and
        # calls wait for the next millisecond.
        snowid.configure(datacenter=0, worker=1)
    print(per_call(snowid.next, n=2 * N))


def in_child(case: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
    out = subprocess.run([sys.executable, __file__, case], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def remote_vs_local(rounds: int = 15, n: int = 20_000) -> Tuple[float, float]:
    """ns per `RemoteGenerator.next()` in steady state (the buffer always
    holds IDs: each round waits until the next batch is prefetched, as for a
    caller slower than the service) and per `Generator.next()` (wide layout,
    never waits for a tick), the two taking turns in the same rounds. The
    service: $SNOWID_SERVER_BIN, else the repository's debug build (made
    here); started on loopback and stopped by its PID."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    binary = os.environ.get("SNOWID_SERVER_BIN")
    if not binary:
        subprocess.run(["cargo", "build", "-q", "-p", "snowid-server"], cwd=root, check=True)
        binary = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "debug", "snowid")
    state = tempfile.mkdtemp(prefix="snowid-bench-remote-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
    env.update(SNOWID_STATE_DIR=state, SNOWID_HOST_LOCK_DIR="off")
    server = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        url = "http://" + server.stderr.readline().split("http://")[1].split()[0]
        remote = snowid.RemoteGenerator(url, batch=65536)
        local = snowid.Generator(layout=WIDE, node=3)
        best_r = best_l = float("inf")
        for _ in range(rounds):
            remote.ready()
            # the next batch, once requested (at 10% of the current one)
            deadline = time.monotonic() + 1
            while not remote.stats()["buffered"] and time.monotonic() < deadline:
                time.sleep(0.001)
            best_r = min(best_r, timeit.timeit(remote.next, number=n) / n * 1e9)
            best_l = min(best_l, timeit.timeit(local.next, number=n) / n * 1e9)
        return best_r, best_l
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(state, ignore_errors=True)


def main() -> None:
    rows: List[Tuple[str, Optional[float], str]] = []
    # 2^20 IDs per ms: a call never waits for the next tick.
    snowid.configure(layout=WIDE, node=1)
    g = snowid.Generator(layout=WIDE, node=2)
    some_id = snowid.next()
    per_id = interleaved(
        {
            "floor": (time.time_ns, N // 3),
            "next": (snowid.next, N // 3),
            "gen_next": (g.next, N // 3),
            # partial: no Python frame around the call, as for the floor.
            "inspect": (functools.partial(snowid.inspect, some_id), N // 6),
            "encode": (functools.partial(snowid.encode, some_id, "base62"), N // 6),
        }
    )
    floor, unsat, gen_next = per_id["floor"], per_id["next"], per_id["gen_next"]
    inspect, encode = per_id["inspect"], per_id["encode"]
    rows.append(("time.time_ns()  (floor: one C call returning an int)", floor, ""))
    rows.append(("snowid.next()  unsaturated (wide layout, 2^20/ms)", unsat, ""))
    sat = in_child("next-saturated")
    rows.append(("snowid.next()  saturated (twitter, 4096/ms)", sat, "in a child process"))
    rows.append(("Generator.next()  unsaturated (wide layout)", gen_next, "protect=True"))
    # Twitter: "cap-bound" only if the generator waited for a tick.
    twg = snowid.Generator(datacenter=0, worker=3)
    tw_next = per_call(twg.next)
    waits = twg.stats().overflow_waits
    rows.append((f"Generator.next()  twitter{' (cap-bound)' if waits else ''}", tw_next, f"{waits} overflow waits while timed"))

    tw = snowid.Generator(datacenter=0, worker=2)
    cap = tw.layout.capacity.ids_per_second_per_node
    tw.next_batch(1000)
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        ids = tw.next_batch(1_000_000)
        dt = time.perf_counter() - t0
        assert len(ids) == 1_000_000
        best = dt if best is None or dt < best else best
    assert best is not None
    rate = 1_000_000 / best
    rows.append(("next_batch(1_000_000)  twitter, per ID", best / 1e6 * 1e9, f"{rate / cap:.1%} of the layout's cap ({rate:,.0f}/s of {cap:,}/s)"))

    remote_ns, local_ns = remote_vs_local()
    rows.append(("RemoteGenerator.next()  steady state (buffer never empty)", remote_ns, "batch 65536 from snowid serve"))
    rows.append(("Generator.next()  same rounds (wide layout)", local_ns, "the local call it is held to"))

    rows.append(("snowid.inspect(id)", inspect, ""))
    rows.append(("snowid.encode(id, 'base62')", encode, ""))
    public = snowid.PublicIds(bytes(16))
    some_id = snowid.next()
    public_text = public.encode(some_id)
    rows.append(("PublicIds(key).encode(id)  (FF1 over AES-128)", per_call(lambda: public.encode(some_id), n=N // 10), ""))
    rows.append(("PublicIds(key).decode(text)", per_call(lambda: public.decode(public_text), n=N // 10), ""))

    try:
        import uuid_utils

        u7 = per_call(uuid_utils.uuid7)
        rows.append(("uuid_utils.uuid7()", u7, ""))
    except ImportError:
        u7 = None
        rows.append(("uuid_utils.uuid7()  (not installed)", None, ""))
    u4 = per_call(uuid.uuid4, n=N // 4)
    rows.append(("uuid.uuid4()", u4, ""))
    try:
        from snowflake import SnowflakeGenerator

        sf = SnowflakeGenerator(1)
        sfn = per_call(lambda: next(sf), n=N // 4)
        rows.append(("snowflake-id: next(SnowflakeGenerator(1))", sfn, ""))
    except ImportError:
        sfn = None
        rows.append(("snowflake-id  (not installed)", None, ""))

    print(f"Python {sys.version.split()[0]}, snowid {snowid.__version__}")
    print(f"{'case':<58} {'ns/call':>9} {'x time_ns':>10}  note")
    for name, ns, note in rows:
        if ns is None:
            print(f"{name:<58} {'-':>9} {'-':>10}  {note}")
        else:
            print(f"{name:<58} {ns:>9.1f} {ns / floor:>9.2f}x  {note}")
    print()
    print("targets:")
    print(f"  snowid.next() unsaturated <= 1.0x time.time_ns(): {unsat / floor:.2f}x")
    if u7:
        print(f"  >= 3x faster than uuid_utils.uuid7(): {u7 / unsat:.1f}x")
    if sfn:
        print(f"  >= 8x faster than snowflake-id: {sfn / unsat:.1f}x")
    print(f"  next_batch reaches >= 99% of the layout's cap: {rate / cap:.1%}")
    print(f"  Generator.next() <= 1.3x snowid.next(): {gen_next / unsat:.2f}x")
    print(f"  snowid.inspect(id) <= 2.5x time.time_ns(): {inspect / floor:.2f}x")
    print(f"  RemoteGenerator.next() <= 2x Generator.next(): {remote_ns / local_ns:.2f}x")
    # The ratios `make bench-check` compares with scripts/bench_baselines.json.
    ratios = {
        "python.next_vs_time_ns": unsat / floor,
        "python.generator_next_vs_next": gen_next / unsat,
        "python.inspect_vs_time_ns": inspect / floor,
        "python.encode_base62_vs_time_ns": encode / floor,
    }
    out = os.environ.get("BENCH_RATIOS")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            for k, v in ratios.items():
                f.write(json.dumps({"key": k, "ratio": v}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(sys.argv[1])
    else:
        main()
