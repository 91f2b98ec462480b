"""snowid.Segment with the file store (PostgreSQL and Redis: tests_services)."""

import json
import os
import tempfile
import threading
from typing import Any, Dict, List

import pytest

import snowid


@pytest.fixture
def store() -> str:
    return "file://" + tempfile.mkdtemp(prefix="snowid-seg-py-")


def test_dense_and_increasing(store: str) -> None:
    s = snowid.Segment("orders", store=store, step=10)
    assert s.key == "orders" and s.store == store
    assert [s.next() for _ in range(5)] == [1, 2, 3, 4, 5]
    assert s.next_batch(30) == list(range(6, 36))
    st = s.stats()
    assert st["ranges_fetched"] >= 3 and st["step"] >= 10  # 10, 20, 40: the step grows


def test_a_new_segment_never_reissues(store: str) -> None:
    a = snowid.Segment("invoices", store=store, step=100)
    first = a.next_batch(10)
    del a
    b = snowid.Segment("invoices", store=store, step=100)
    assert b.next() > first[-1]


def test_threads(store: str) -> None:
    s = snowid.Segment("t", store=store, step=50)
    out: List[List[int]] = [[] for _ in range(4)]

    def run(i: int) -> None:
        for _ in range(5000):
            out[i].append(s.next())

    ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for ids in out:
        assert ids == sorted(set(ids))
    assert len(set().union(*out)) == 20000


@pytest.mark.parametrize("key", ["", "a/b", "x" * 129, ".hidden", "café"])
def test_bad_keys(key: str, store: str) -> None:
    with pytest.raises(snowid.SegmentKeyError) as e:
        snowid.Segment(key, store=store)
    assert e.value.code == "SEGMENT_KEY"
    assert isinstance(e.value, ValueError)


def test_bad_key_type(store: str) -> None:
    with pytest.raises(snowid.WrongTypeError):
        snowid.Segment(7, store=store)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["", "/tmp/x", "file://relative", "ftp://h/x", "postgres:///db", "redis://h:99999/"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(snowid.SegmentStoreUrlError) as e:
        snowid.Segment("orders", store=url)
    assert e.value.code == "SEGMENT_STORE_URL"


def test_bad_options(store: str) -> None:
    with pytest.raises(snowid.InvalidSettingError):
        snowid.Segment("k", store=store, stpe=3)  # type: ignore[call-arg]
    with pytest.raises(snowid.InvalidSettingError):
        snowid.Segment("k", store=store, step=10, max_step=5)
    with pytest.raises(snowid.WrongTypeError):
        snowid.Segment("k", store=store, step="10")  # type: ignore[arg-type]


def test_unreachable_store_is_a_clear_error() -> None:
    with pytest.raises(snowid.SegmentStoreUnavailableError) as e:
        snowid.Segment("k", store="redis://127.0.0.1:1/")
    assert "127.0.0.1:1" in str(e.value)


def test_vectors(vectors: Dict[str, Any]) -> None:
    seg = vectors["segments"]
    d = tempfile.mkdtemp(prefix="snowid-seg-vec-")
    for case in seg["keys"]:
        if case["error"] is None:
            snowid.Segment(case["key"], store="file://" + d)
        else:
            with pytest.raises(snowid.SnowidError) as e:
                snowid.Segment(case["key"], store="file://" + d)
            assert e.value.code == case["error"], case
    # This package is built with the postgres and redis stores.
    for case in seg["store_urls"]:
        if case["error_all_features"] is not None:
            with pytest.raises(snowid.SnowidError) as e:
                snowid.Segment("k", store=case["url"])
            assert e.value.code == case["error_all_features"], case


def test_vectors_options(vectors: Dict[str, Any]) -> None:
    # allow_volatile_store passes through to the core unjudged here.
    d = tempfile.mkdtemp(prefix="snowid-seg-vec-")
    for case in vectors["segments"]["options"]:
        options = dict(case["options"])
        if len(options) != len(case["options"]):
            continue  # the same name twice: not expressible as keywords
        if case["error"] is None:
            snowid.Segment("k", store="file://" + d, **options)
        else:
            with pytest.raises(snowid.SnowidError) as e:
                snowid.Segment("k", store="file://" + d, **options)
            assert e.value.code == case["error"], case
