"""The checker on made-up records with one violation of each kind: each check
must find exactly the violation put there (python -m harness.check_checker;
the first step of `make test-faults`, well under a second)."""

import base64
import sys

import numpy as np

from . import checker


def _id(tick, node, seq):
    return (tick << 22) | (node << 12) | seq


def _rec(name, ids, batches, kind="python", source="etcd"):
    return dict(name=name, meta=dict(host=name.split("-")[0], kind=kind, source=source),
                batches=batches, errors=[], ids=np.array(ids, dtype="<u8"))


def _ev(typ, node, pid, rev, create_rev):
    kv = dict(key=base64.b64encode(f"/faults/x/workers/{node}".encode()).decode(),
              create_revision=create_rev, mod_revision=rev,
              value=base64.b64encode(f"host=h0 pid={pid} lease-ttl-ms=3000".encode()).decode())
    if typ == "DELETE":
        return dict(type="DELETE", kv=dict(key=kv["key"], mod_revision=rev), prev_kv=kv)
    return dict(kv=kv)


def main():
    b = lambda t0, off, n, pid, seg=1: dict(t0=t0, t1=t0 + 0.01, off=off, n=n, pid=pid, seg=seg)  # noqa: E731
    a = _rec("h0-python-1", [_id(10, 3, 0), _id(10, 3, 1), _id(12, 3, 0), _id(11, 3, 5)],
             [b(1.0, 0, 2, 100), b(4.0, 2, 1, 100), b(6.0, 3, 1, 100)])
    c = _rec("h1-python-2", [_id(10, 4, 0), _id(10, 3, 1)], [b(2.0, 0, 1, 200), b(2.0, 1, 1, 300)])
    recs = [a, c]
    events = [(0.5, "h0", _ev("PUT", 3, 100, 2, 2)), (0.6, "h0", _ev("PUT", 4, 200, 3, 3)),
              (5.0, "h1", _ev("DELETE", 3, 100, 4, 2))]
    dups, ex = checker.find_duplicates(recs)
    assert dups == 1 and ex[0]["id"] == _id(10, 3, 1), (dups, ex)
    ooo, ex = checker.find_out_of_order(recs)
    assert ooo == 1 and ex[0]["later"] == _id(11, 3, 5), (ooo, ex)
    fenced, unleased, ex = checker.find_fenced(recs, checker.lease_history(events))
    assert fenced == 1 and [e["t0"] for e in ex if "key_deleted_at" in e] == [6.0], (fenced, ex)
    assert unleased == 1 and [e["pid"] for e in ex if "why" in e] == [300], (unleased, ex)
    print("checker self-check: duplicate, out-of-order, fenced and unleased issues each found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
