"""Node numbers leased from a real Redis (SNOWID_NODE_SOURCE=redis).

Not part of `make test` in this folder: the root `make test-leases` starts
Redis and runs `make -C bindings-python test-redis`, which sets
SNOWID_TEST_REDIS_URL. Without it these tests fail: they never pretend."""

import gc
import os
import subprocess
import sys
import uuid

import pytest

URL = os.environ.get("SNOWID_TEST_REDIS_URL")


@pytest.fixture()
def redis_env(monkeypatch: pytest.MonkeyPatch) -> str:
    assert URL, "SNOWID_TEST_REDIS_URL is not set: run `make test-leases` at the repository root"
    prefix = "snowid-py-" + uuid.uuid4().hex[:8]  # keys of this test only
    monkeypatch.setenv("SNOWID_NODE_SOURCE", "redis")
    monkeypatch.setenv("SNOWID_REDIS_URL", URL)
    monkeypatch.setenv("SNOWID_REDIS_PREFIX", prefix)
    monkeypatch.setenv("SNOWID_LEASE_TTL_MS", "3000")
    return prefix


def test_generators_lease_distinct_workers_and_a_successor_issues_above(redis_env: str) -> None:
    import snowid

    a = snowid.Generator.from_env()
    b = snowid.Generator.from_env()
    assert a.source.startswith("redis worker 0 "), a.source
    assert b.source.startswith("redis worker 1 "), b.source
    ids_a = [a.next() for _ in range(2000)]
    ids_b = [b.next() for _ in range(2000)]
    assert len(set(ids_a) | set(ids_b)) == 4000
    assert {snowid.inspect(i).worker for i in ids_b} != {snowid.inspect(i).worker for i in ids_a}
    del a  # a clean drop releases worker 0 and lowers its mark to what it used
    gc.collect()
    c = snowid.Generator.from_env()
    assert c.source.startswith("redis worker 0 "), c.source
    assert c.next() > max(ids_a), "the next holder of worker 0 issues above the previous one"


def test_the_default_generator_leases_too(redis_env: str) -> None:
    import snowid

    holder = snowid.Generator.from_env()  # holds worker 0 in this process
    code = "import snowid; snowid.next(); print(snowid.default_source())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("redis worker 1 "), out.stdout + out.stderr
    holder.next()
