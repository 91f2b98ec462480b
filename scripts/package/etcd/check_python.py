"""SNOWID_NODE_SOURCE=etcd from the installed wheel, against the real etcd at
$SNOWID_TEST_ETCD_ENDPOINTS (scripts/package/test.sh starts it). Two generators
lease workers 0 and 1, the default generator worker 2; a successor of worker 0
issues above its predecessor. Fails without etcd: it never pretends."""

import gc
import os
import uuid

import snowid

endpoints = os.environ["SNOWID_TEST_ETCD_ENDPOINTS"]
os.environ.update(
    SNOWID_NODE_SOURCE="etcd",
    SNOWID_ETCD_ENDPOINTS=endpoints,
    SNOWID_ETCD_PREFIX="snowid-dist-py-" + uuid.uuid4().hex[:8],
    SNOWID_LEASE_TTL_MS="3000",
)
checks = 0


def check(cond: bool, what: str) -> None:
    global checks
    assert cond, what
    checks += 1


a = snowid.Generator.from_env()
b = snowid.Generator.from_env()
check(a.source.startswith("etcd worker 0 "), a.source)
check(b.source.startswith("etcd worker 1 "), b.source)
ids_a = a.next_batch(2000)
ids_b = b.next_batch(2000)
check(len(set(ids_a) | set(ids_b)) == 4000, "4000 distinct IDs")
check({snowid.inspect(i).worker for i in ids_a} == {0}, "worker 0 in a's IDs")
check({snowid.inspect(i).worker for i in ids_b} == {1}, "worker 1 in b's IDs")
default_id = snowid.next()
check(str(snowid.default_source()).startswith("etcd worker 2 "), str(snowid.default_source()))
check(snowid.inspect(default_id).worker == 2, "the default generator's worker")
del a  # a clean drop revokes worker 0's lease and lowers its mark
gc.collect()
c = snowid.Generator.from_env()
check(c.source.startswith("etcd worker 0 "), c.source)
check(c.next() > max(ids_a), "the next holder of worker 0 issues above the previous one")
print(f"python-etcd: {checks} passed, 0 failed")
