#!/usr/bin/env python3
"""Interop with real peer Snowflake libraries, both directions (make test-interop).

usage: check.py --go PEERS_BINARY [--node-peers peers.js] [--snowid-node DIR] [--libsnowid SO]

Run with the Python that has snowid installed (bindings-python/.venv) and the
PyPI peer `snowflake-id`. For every peer and every snowid layout that claims
to read its IDs (a preset, or a custom layout spec):

1. peer -> snowid: IDs the peer generated (at known node numbers, and at edge
   values where the peer takes explicit parts) are decoded by snowid in
   Python, and in Node and C when given; time (ms since the Unix epoch), node
   fields and sequence must equal the peer's own decomposition, and snowid's
   compose() of the peer's parts must give back the peer's ID.
2. snowid -> peer: IDs snowid composed at edge values (epoch, the layout's
   last instant, zero and max node fields and sequence) and IDs a snowid
   Generator issued are decomposed by the peer; the peer's parts must equal
   snowid's decode.

Every mismatch is printed (peer, layout, ID, expected vs got); the exit
status is 1 if there was any.
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List

import snowflake as pypi_snowflake  # PyPI `snowflake-id`
import snowid

TWITTER_EPOCH = 1288834974657
SONYFLAKE_V2_EPOCH = 1735689600000  # 2025-01-01T00:00:00Z, sony/sonyflake/v2's default StartTime


def twitter_node(n):
    """bwmarrin's and snowflake-id's one 10-bit node = datacenter<<5 | worker."""
    return n["datacenter"] << 5 | n["worker"]


@dataclass
class Check:
    """A peer and one snowid layout that reads the peer's IDs."""

    peer: str
    layout: object  # a preset name or a custom spec (dict), as the decoders take it
    to_peer: Callable[[Dict[str, int]], Dict[str, int]]  # snowid's node fields -> the peer's
    from_peer: Callable[[Dict[str, int]], Dict[str, int]]  # and back

    @property
    def layout_name(self):
        return self.layout if isinstance(self.layout, str) else self.layout["name"]


# One 10-bit node field, as bwmarrin/snowflake and snowflake-id see it.
NODE10 = {"name": "node10", "fields": [["timestamp", 41], ["node", 10], ["sequence", 12]],
          "epoch_ms": TWITTER_EPOCH, "tick_ms": 1, "sign_bit": True}
# sony/sonyflake/v2 with its own default StartTime: the sonyflake preset's
# fields on another epoch.
SONYFLAKE_V2 = {"name": "sonyflake_v2", "fields": [["timestamp", 39], ["sequence", 8], ["machine", 16]],
                "epoch_ms": SONYFLAKE_V2_EPOCH, "tick_ms": 10, "sign_bit": True}

same = dict  # node fields named alike on both sides
CHECKS = [
    Check("bwmarrin/snowflake", "twitter", lambda n: {"node": twitter_node(n)},
          lambda p: {"datacenter": p["node"] >> 5, "worker": p["node"] & 31}),
    Check("bwmarrin/snowflake", NODE10, same, same),
    Check("sony/sonyflake", "sonyflake", same, same),
    Check("sony/sonyflake/v2 (StartTime 2014-09-01)", "sonyflake", same, same),
    Check("sony/sonyflake/v2", SONYFLAKE_V2, same, same),
    Check("sapphire/discord", "discord",
          lambda n: {"workerId": n["worker"], "processId": n["process"]},
          lambda p: {"worker": p["workerId"], "process": p["processId"]}),
    Check("sapphire/twitter", "twitter",
          lambda n: {"workerId": n["datacenter"], "processId": n["worker"]},
          lambda p: {"datacenter": p["workerId"], "worker": p["processId"]}),
    Check("snowflake-id", "twitter", lambda n: {"instance": twitter_node(n)},
          lambda p: {"datacenter": p["instance"] >> 5, "worker": p["instance"] & 31}),
    Check("snowflake-id", NODE10, lambda n: {"instance": n["node"]}, lambda p: {"node": p["instance"]}),
]
GO_PEERS = {"bwmarrin/snowflake", "sony/sonyflake", "sony/sonyflake/v2",
            "sony/sonyflake/v2 (StartTime 2014-09-01)"}
NODE_PEERS = {"sapphire/discord", "sapphire/twitter"}


def py_layout(spec):
    if isinstance(spec, str):
        return snowid.Layout.preset(spec)
    return snowid.Layout(spec["name"], [tuple(f) for f in spec["fields"]], epoch=spec["epoch_ms"],
                         tick_ms=spec["tick_ms"], sign_bit=spec["sign_bit"])


def norm(rec):
    """A decomposition with every number an int (JSON from Node has strings)."""
    return {"time_ms": int(rec["time_ms"]), "nodes": {k: int(v) for k, v in rec["nodes"].items()},
            "sequence": int(rec["sequence"])}


# --- snowid's decoders: (layout spec, [id]) -> [(time_ms, nodes by name, sequence)]

def decode_python(spec, ids):
    layout = py_layout(spec)
    out = []
    for i in ids:
        p = layout.decode(i)
        out.append({"time_ms": p.timestamp_ms, "nodes": dict(p.nodes), "sequence": p.sequence})
    return out


NODE_DECODER = r"""
const { Layout } = require(process.argv[1]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(({ layout, ids }) => {
  const l = typeof layout === 'string' ? Layout.preset(layout) : new Layout({
    name: layout.name, fields: layout.fields.map(([name, bits]) => ({ name, bits })),
    epoch: layout.epoch_ms, tickMs: layout.tick_ms, signBit: layout.sign_bit });
  const names = l.nodeNames;
  return ids.map((id) => {
    const p = l.decode(BigInt(id));
    const nodes = {};
    for (const n of names) nodes[n] = String(p[n]);
    return { time_ms: String(p.timestampMs), nodes, sequence: String(p.sequence) };
  });
});
process.stdout.write(JSON.stringify(out));
"""


class NodeDecoder:
    """snowid's Node package, one `node` process for every case."""

    def __init__(self, package):
        self.package = os.path.abspath(package)
        self.cases = []

    def queue(self, spec, ids):
        self.cases.append({"layout": spec, "ids": [str(i) for i in ids]})
        return len(self.cases) - 1

    def run(self):
        res = subprocess.run(["node", "-e", NODE_DECODER, self.package], check=True,
                             input=json.dumps(self.cases), capture_output=True, text=True)
        return [[norm(r) for r in case] for case in json.loads(res.stdout)]


class FieldSpec(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("bits", ctypes.c_uint32), ("kind", ctypes.c_uint32)]


class LayoutSpec(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("fields", ctypes.POINTER(FieldSpec)),
                ("field_count", ctypes.c_uint32), ("sign_bit", ctypes.c_uint8),
                ("epoch_ms", ctypes.c_uint64), ("tick_ms", ctypes.c_uint64)]


class Parts(ctypes.Structure):
    _fields_ = [("timestamp_ms", ctypes.c_uint64), ("tick", ctypes.c_uint64),
                ("sequence", ctypes.c_uint64), ("nodes", ctypes.c_uint32 * 4),
                ("node_count", ctypes.c_uint32), ("node_names", ctypes.c_char_p * 4)]


class CDecoder:
    """snowid's C library (libsnowid.so) through ctypes: snowid_layout_preset /
    snowid_layout_new, snowid_layout_decode, snowid_layout_free."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(os.path.abspath(path))
        self.lib.snowid_layout_preset.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.snowid_layout_new.argtypes = [ctypes.POINTER(LayoutSpec), ctypes.POINTER(ctypes.c_void_p)]
        self.lib.snowid_layout_decode.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.POINTER(Parts)]
        self.lib.snowid_layout_free.argtypes = [ctypes.c_void_p]
        self.lib.snowid_layout_free.restype = None

    def __call__(self, spec, ids):
        handle = ctypes.c_void_p()
        if isinstance(spec, str):
            status = self.lib.snowid_layout_preset(spec.encode(), ctypes.byref(handle))
        else:
            fields = (FieldSpec * len(spec["fields"]))(*[FieldSpec(n.encode(), b, 0) for n, b in spec["fields"]])
            s = LayoutSpec(spec["name"].encode(), fields, len(spec["fields"]), int(spec["sign_bit"]),
                           spec["epoch_ms"], spec["tick_ms"])
            status = self.lib.snowid_layout_new(ctypes.byref(s), ctypes.byref(handle))
        if status != 0:
            raise RuntimeError(f"libsnowid: layout {spec!r}: status {status}")
        out = []
        try:
            for i in ids:
                p = Parts()
                status = self.lib.snowid_layout_decode(handle, i, ctypes.byref(p))
                if status != 0:
                    raise RuntimeError(f"libsnowid: decode {i} with {spec!r}: status {status}")
                nodes = {p.node_names[k].decode(): p.nodes[k] for k in range(p.node_count)}
                out.append({"time_ms": p.timestamp_ms, "nodes": nodes, "sequence": p.sequence})
        finally:
            self.lib.snowid_layout_free(handle)
        return out


# --- the peers

def run_json(cmd, stdin=None):
    res = subprocess.run(cmd, check=True, input=stdin, capture_output=True, text=True)
    return json.loads(res.stdout)


def pypi_parts(i, epoch):
    s = pypi_snowflake.Snowflake.parse(i, epoch)
    return {"peer": "snowflake-id", "id": str(i), "time_ms": s.milliseconds,
            "nodes": {"instance": s.instance}, "sequence": s.seq}


def pypi_generate():
    """snowflake-id's generator on the Twitter epoch at instances 0, 165
    (datacenter 5, worker 5), 1023 (max); it yields None when a millisecond's
    sequence is spent, which is its way of saying "try again"."""
    out = []
    for instance in (0, 5 << 5 | 5, 1023):
        gen = pypi_snowflake.SnowflakeGenerator(instance, epoch=TWITTER_EPOCH)
        made = 0
        while made < 3000:
            i = next(gen)
            if i is not None:
                out.append(pypi_parts(i, TWITTER_EPOCH))
                made += 1
    return out


# --- snowid's IDs for one check

def snowid_ids(check):
    """Composed at edge values, then issued by a Generator."""
    layout = py_layout(check.layout)
    fields = {name: (bits, kind) for name, bits, kind in layout.fields}
    node_max = {n: (1 << fields[n][0]) - 1 for n in layout.node_names}
    seq_max = (1 << fields[layout.sequence_name][0]) - 1
    time_bits = next(bits for _, bits, kind in layout.fields if kind == "timestamp")
    tick = layout.tick_ms
    last = layout.epoch_ms + ((1 << time_bits) - 1) * tick
    now = int(time.time() * 1000)
    node_sets = [{n: 0 for n in node_max}, dict(node_max)]
    for n in node_max:  # each field at its max alone, and alone at 0
        node_sets.append({m: (node_max[m] if m == n else 0) for m in node_max})
        node_sets.append({m: (0 if m == n else node_max[m]) for m in node_max})
    node_sets.append({n: v // 3 for n, v in node_max.items()})
    ids = []
    for t in (layout.epoch_ms, layout.epoch_ms + tick, now, last, last + tick - 1):
        for seq in (0, 1, seq_max // 2, seq_max):
            for nodes in node_sets:
                ids.append(layout.compose(timestamp=t, sequence=seq, **nodes))
    for nodes in (node_sets[0], node_sets[1]):
        gen = snowid.Generator(layout=layout, protect=False, **nodes)
        ids.extend(gen.next_batch(3000))
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go", required=True, help="the built interop/go program")
    ap.add_argument("--node-peers", default=os.path.join(os.path.dirname(__file__), "peers.js"))
    ap.add_argument("--snowid-node", help="bindings-node (snowid's Node package) to decode with too")
    ap.add_argument("--libsnowid", help="libsnowid.so (snowid's C library) to decode with too")
    a = ap.parse_args()

    # 1. peer -> snowid
    peer_made = run_json([a.go, "generate"]) + run_json(["node", a.node_peers, "generate"]) + pypi_generate()
    by_peer: Dict[str, List[dict]] = {}
    for rec in peer_made:
        by_peer.setdefault(rec["peer"], []).append(rec)
    assert set(by_peer) == {c.peer for c in CHECKS}, sorted(by_peer)

    # 2. snowid -> peer
    ours = {id(c): snowid_ids(c) for c in CHECKS}
    go_in: Dict[str, List[str]] = {}
    node_in: Dict[str, List[str]] = {}
    for c in CHECKS:
        if c.peer in GO_PEERS:
            go_in.setdefault(c.peer, []).extend(str(i) for i in ours[id(c)])
        elif c.peer in NODE_PEERS:
            node_in.setdefault(c.peer, []).extend(str(i) for i in ours[id(c)])
    peer_read = run_json([a.go, "decode"], json.dumps(go_in)) + \
        run_json(["node", a.node_peers, "decode"], json.dumps(node_in))
    for c in CHECKS:
        if c.peer == "snowflake-id":
            peer_read += [pypi_parts(i, TWITTER_EPOCH) for i in ours[id(c)]]
    peer_of = {(r["peer"], int(r["id"])): norm(r) for r in peer_read}

    # (check, direction, [ids], [the peer's decomposition of each])
    cases = []
    for c in CHECKS:
        recs = by_peer[c.peer]
        cases.append((c, "peer -> snowid", [int(r["id"]) for r in recs], [norm(r) for r in recs]))
        cases.append((c, "snowid -> peer", ours[id(c)], [peer_of[(c.peer, i)] for i in ours[id(c)]]))

    decoders = {"python": decode_python}
    if a.libsnowid:
        decoders["c"] = CDecoder(a.libsnowid)
    node = NodeDecoder(a.snowid_node) if a.snowid_node else None
    node_slots = [node.queue(c.layout, ids) for c, _, ids, _ in cases] if node else []
    node_results = node.run() if node else []

    passed = failed = 0
    for k, (c, direction, ids, theirs) in enumerate(cases):
        got = {name: dec(c.layout, ids) for name, dec in decoders.items()}
        if node:
            got["node"] = node_results[node_slots[k]]
        bad = []
        for j, (i, want) in enumerate(zip(ids, theirs)):
            for lang, decoded in got.items():
                d = decoded[j]
                mine = {"time_ms": d["time_ms"], "nodes": c.to_peer(d["nodes"]), "sequence": d["sequence"]}
                if mine != want:
                    bad.append(f"id {i}: {c.peer} says {want}, snowid ({lang}, {c.layout_name}) says {mine}")
            if direction == "peer -> snowid":
                composed = py_layout(c.layout).compose(timestamp=want["time_ms"], sequence=want["sequence"],
                                                       **c.from_peer(want["nodes"]))
                if composed != i:
                    bad.append(f"id {i}: snowid (python, {c.layout_name}) composes {want} as {composed}")
        what = f"{c.peer} as {c.layout_name}, {direction}: {len(ids)} IDs, snowid in {'/'.join(got)}"
        if bad:
            failed += 1
            print(f"FAIL {what}: {len(bad)} mismatches")
            for line in bad[:10]:
                print("   ", line)
        else:
            passed += 1
            print(f"ok   {what}")
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
