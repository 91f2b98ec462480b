"""snowid.Segment on a real PostgreSQL and Redis (started by the root
`make test-leases`, which sets SNOWID_TEST_POSTGRES_URL and
SNOWID_TEST_REDIS_URL). Without them these tests fail: they never pretend."""

import os
import uuid

import pytest

import snowid


def url(var: str) -> str:
    u = os.environ.get(var)
    assert u, f"{var} is not set: run `make test-leases` at the repository root"
    return u


@pytest.mark.parametrize("var", ["SNOWID_TEST_POSTGRES_URL", "SNOWID_TEST_REDIS_URL"])
def test_two_segments_share_a_key(var: str) -> None:
    key = "py-" + uuid.uuid4().hex[:12]
    a = snowid.Segment(key, store=url(var), step=100)
    b = snowid.Segment(key, store=url(var), step=100)
    ids_a = a.next_batch(1000)
    ids_b = [b.next() for _ in range(1000)]
    assert ids_a == sorted(ids_a) and ids_b == sorted(ids_b)
    assert not set(ids_a) & set(ids_b)
    assert min(ids_a + ids_b) == 1
    assert a.stats()["ranges_fetched"] >= 4  # 100, 200, 400, ...: the step grows


def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(snowid.SegmentStoreUnavailableError) as e:
        snowid.Segment("k", store="postgres://snowid:secret@127.0.0.1:1/x")
    assert e.value.code == "SEGMENT_STORE_UNAVAILABLE"
    assert "secret" not in str(e.value)
