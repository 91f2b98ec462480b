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
