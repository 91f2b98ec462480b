"""Threads hammering one generator (and the default one): no duplicates."""

import threading
from typing import List

import snowid


def hammer(fn_per_thread: int, make: "callable") -> List[int]:  # type: ignore[valid-type]
    results: List[List[int]] = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def run(k: int) -> None:
        start.wait()
        out = results[k]
        for _ in range(fn_per_thread):
            out.extend(make())

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert r == sorted(r), "each thread sees increasing IDs"
    return [i for r in results for i in r]


def test_threads_share_one_generator() -> None:
    g = snowid.Generator(datacenter=2, worker=3)
    ids = hammer(20_000, lambda: [g.next()])
    assert len(ids) == len(set(ids)) == 160_000
    assert g.stats().issued == 160_000


def test_threads_mix_next_and_batches() -> None:
    g = snowid.Generator(layout="instagram", shard=7)
    ids = hammer(200, lambda: g.next_batch(500) + [g.next()])
    assert len(ids) == len(set(ids)) == 8 * 200 * 501


def test_threads_share_the_default_generator() -> None:
    ids = hammer(20_000, lambda: [snowid.next()])
    assert len(ids) == len(set(ids))


def test_a_wait_for_the_clock_releases_the_gil() -> None:
    """`Generator.next()` waiting for the clock (here: the first ID of a
    holder whose predecessor died with its mark 2 s ahead, a wait bounded by
    the floor wait) lets other Python threads run meanwhile; the lock-free
    path keeps the GIL (nothing to wait for). Before, the raw method held the
    GIL for the whole wait and every other thread stopped."""
    import os
    import subprocess
    import sys
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as state:
        subprocess.run(
            [sys.executable, "-c",
             "import os, snowid\n"
             f"g = snowid.Generator(datacenter=9, worker=12, state_dir={state!r}, window_ms=2000)\n"
             "g.next()\n"
             "os._exit(0)  # no clean exit: the mark stays 2 s ahead\n"],
            check=True, env=dict(os.environ),
        )
        g = snowid.Generator(datacenter=9, worker=12, state_dir=state)
        ticks: List[float] = []
        done = threading.Event()

        def other() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.005)

        t = threading.Thread(target=other)
        t.start()
        try:
            time.sleep(0.05)
            start = time.monotonic()
            first = g.next()
            end = time.monotonic()
        finally:
            done.set()
            t.join()
        if end - start < 0.3:
            import pytest
            pytest.skip(f"the wait was only {end - start:.3f} s (a slow start)")
        during = [x for x in ticks if start + 0.1 < x < end - 0.1]
        assert during, f"no other thread ran during a {end - start:.2f} s wait"
        assert g.next() > first
