#!/usr/bin/env python3
"""Writes testdata/vectors.json from an independent reference model.

This file does not call snowid: it restates the rules in plain Python (bit
arithmetic, positional encodings, the generator's contract under a manual
clock) so that the Rust core and every binding are checked against a second
implementation, not against themselves. Run: python3 testdata/gen_vectors.py
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wide_model import wide_vectors  # noqa: E402  (layouts up to 128 bits, JS-safe)
from uuid_model import uuid_vectors  # noqa: E402  (the uuid7 and ulid presets, their text)
from public_id_model import public_id_vectors  # noqa: E402  (keyed public IDs, FF1 over AES)

TWITTER = {"name": "twitter", "fields": [["timestamp", 41, "timestamp"], ["datacenter", 5, "node"], ["worker", 5, "node"], ["sequence", 12, "sequence"]], "epoch_ms": 1288834974657, "tick_ms": 1, "sign_bit": True}
DISCORD = {"name": "discord", "fields": [["timestamp", 42, "timestamp"], ["worker", 5, "node"], ["process", 5, "node"], ["increment", 12, "sequence"]], "epoch_ms": 1420070400000, "tick_ms": 1, "sign_bit": False}
INSTAGRAM = {"name": "instagram", "fields": [["timestamp", 41, "timestamp"], ["shard", 13, "node"], ["sequence", 10, "sequence"]], "epoch_ms": 1314220021721, "tick_ms": 1, "sign_bit": False}
SONYFLAKE = {"name": "sonyflake", "fields": [["timestamp", 39, "timestamp"], ["sequence", 8, "sequence"], ["machine", 16, "node"]], "epoch_ms": 1409529600000, "tick_ms": 10, "sign_bit": True}
# Custom layouts: a wide sequence (for unsaturated benchmarks), a 3-node-field
# layout in 64 bits with 5 ms ticks, and a small one whose time runs out soon.
WIDE = {"name": "wide", "fields": [["timestamp", 41, "timestamp"], ["node", 2, "node"], ["sequence", 20, "sequence"]], "epoch_ms": 1700000000000, "tick_ms": 1, "sign_bit": True}
REGION = {"name": "region", "fields": [["timestamp", 40, "timestamp"], ["region", 3, "node"], ["zone", 4, "node"], ["host", 7, "node"], ["sequence", 10, "sequence"]], "epoch_ms": 1600000000000, "tick_ms": 5, "sign_bit": False}
TINY = {"name": "tiny", "fields": [["timestamp", 20, "timestamp"], ["node", 31, "node"], ["sequence", 12, "sequence"]], "epoch_ms": 1000000000000, "tick_ms": 1000, "sign_bit": True}
PRESETS = [TWITTER, DISCORD, INSTAGRAM, SONYFLAKE]
LAYOUTS = PRESETS + [WIDE, REGION, TINY]
BY_NAME = {l["name"]: l for l in LAYOUTS}


def geometry(l):
    """(name, bits, kind, shift) for each field, most significant first."""
    pos = 63 if l["sign_bit"] else 64
    out = []
    for name, bits, kind in l["fields"]:
        pos -= bits
        out.append((name, bits, kind, pos))
    return out


def field(l, kind):
    return next(f for f in geometry(l) if f[2] == kind)


def nodes_of(l):
    return [f for f in geometry(l) if f[2] == "node"]


def compose(l, tick, seq, nodes):
    _, _, _, ts = field(l, "timestamp")
    _, _, _, ss = field(l, "sequence")
    out = (tick << ts) | (seq << ss)
    for (name, _, _, shift) in nodes_of(l):
        out |= nodes[name] << shift
    return out


def decode(l, i):
    def get(f):
        return (i >> f[3]) & ((1 << f[1]) - 1)
    tick = get(field(l, "timestamp"))
    return {
        "timestamp_ms": l["epoch_ms"] + tick * l["tick_ms"],
        "tick": tick,
        "sequence": get(field(l, "sequence")),
        "nodes": {f[0]: get(f) for f in nodes_of(l)},
    }


def capacity(l):
    tbits = field(l, "timestamp")[1]
    life = (1 << tbits) * l["tick_ms"]
    per_tick = 1 << field(l, "sequence")[1]
    return {
        "lifespan_ms": life,
        "end_ms": l["epoch_ms"] + life,
        "ids_per_tick": per_tick,
        "ids_per_second_per_node": per_tick * 1000 // l["tick_ms"],
        "nodes": 1 << sum(f[1] for f in nodes_of(l)),
    }


def bounds(l, ms):
    _, tbits, _, ts = field(l, "timestamp")
    tick = (ms - l["epoch_ms"]) // l["tick_ms"]
    top = 63 if l["sign_bit"] else 64
    lo = tick << ts
    hi = lo | ((1 << ts) - 1) | (((1 << top) - 1) & ~((1 << (ts + tbits)) - 1))
    return lo, hi


ALPHABETS = {
    "decimal": (10, "0123456789", None),
    "hex": (16, "0123456789abcdef", 16),
    "base32": (32, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 13),
    "base62": (62, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 11),
}


def encode(i, enc):
    radix, alphabet, width = ALPHABETS[enc]
    digits = ""
    while i:
        digits = alphabet[i % radix] + digits
        i //= radix
    return digits.rjust(width or 1, "0")


class Model:
    """The generator's contract under a manual clock (which never waits):
    positions (tick, sequence) are issued in increasing order; a tick whose
    sequence is spent is borrowed if it is at most max_borrow ticks ahead of
    the clock, else SEQUENCE_EXHAUSTED; a clock behind the last issued tick by
    more than the borrow window gives CLOCK_MOVED_BACKWARDS."""

    def __init__(self, l, nodes, max_borrow):
        self.l, self.nodes, self.max_borrow = l, nodes, max_borrow
        self.seq_space = 1 << field(l, "sequence")[1]
        self.max_tick = (1 << field(l, "timestamp")[1]) - 1
        self.next = None  # (tick, seq) of the next free position

    def take(self, now, want):
        l = self.l
        if now < l["epoch_ms"]:
            return "CLOCK_BEFORE_EPOCH"
        t = (now - l["epoch_ms"]) // l["tick_ms"]
        if t > self.max_tick:
            return "TIME_EXHAUSTED"
        ct, cs = self.next if self.next else (0, 0)
        if (t, 0) > (ct, cs):
            ct, cs = t, 0
        elif ct > t and ct - t > self.max_borrow:
            last = ct - 1 if cs == 0 else ct
            if last <= t + self.max_borrow:
                return "SEQUENCE_EXHAUSTED"
            return "CLOCK_MOVED_BACKWARDS"
        if ct > self.max_tick:
            return "TIME_EXHAUSTED"
        n = min(want, self.seq_space - cs)
        ids = [compose(l, ct, cs + k, self.nodes) for k in range(n)]
        cs += n
        self.next = (ct + 1, 0) if cs == self.seq_space else (ct, cs)
        return ids

    def batch(self, now, want):
        out = []
        while len(out) < want:
            r = self.take(now, want - len(out))
            if isinstance(r, str):
                return r if not out else out
            out += r
        return out


def run(layout, nodes, start_ms, steps, max_borrow=0):
    l = BY_NAME[layout]
    m = Model(l, nodes, max_borrow)
    now = start_ms
    out_steps = []
    for s in steps:
        op = s[0]
        if op == "set":
            now = s[1]
            out_steps.append({"op": "set", "ms": now})
        elif op == "advance":
            now = max(0, now + s[1])
            out_steps.append({"op": "advance", "ms": s[1]})
        elif op == "next":
            r = m.take(now, 1)
            out_steps.append({"op": "next", "error": r} if isinstance(r, str) else {"op": "next", "expect": str(r[0])})
        elif op == "batch":
            r = m.batch(now, s[1])
            if isinstance(r, str):
                out_steps.append({"op": "batch", "n": s[1], "error": r})
            else:
                out_steps.append({"op": "batch", "n": s[1], "expect": [str(x) for x in r]})
    return {
        "layout": layout,
        "nodes": nodes,
        "start_ms": start_ms,
        "max_borrow_ticks": max_borrow,
        "on_regression": "fail",
        "steps": out_steps,
    }


def layout_json(l):
    return {
        "name": l["name"],
        "preset": l in PRESETS,
        "fields": [{"name": n, "bits": b, "kind": k} for n, b, k in l["fields"]],
        "epoch_ms": l["epoch_ms"],
        "tick_ms": l["tick_ms"],
        "sign_bit": l["sign_bit"],
        "max_id": str((1 << (63 if l["sign_bit"] else 64)) - 1),
        "capacity": {k: str(v) for k, v in capacity(l).items()},
    }


def id_case(layout, tick, seq, nodes, source):
    l = BY_NAME[layout]
    i = compose(l, tick, seq, nodes)
    d = decode(l, i)
    assert d["tick"] == tick and d["sequence"] == seq and d["nodes"] == nodes
    return {"layout": layout, "id": str(i), "timestamp_ms": d["timestamp_ms"], "tick": tick,
            "sequence": seq, "nodes": nodes, "source": source}


# ---------------------------------------------------------------------------
# Options, the environment and the default generator (testdata/OPTIONS.md).
# resolve() restates those rules; the `options` cases below only list inputs,
# every expected outcome comes from resolve().

class OptionError(Exception):
    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


OPTION_KEYS = ["layout", "epoch", "clock", "on_regression", "max_wait_ms", "max_borrow_ticks",
               "node_source", "state_dir", "protect", "persist", "window_ms",
               "random_sequence_start", "lanes"]
MAX_LANES = 1024
NODE_SOURCES = ["explicit", "local", "env", "k8s", "etcd", "redis"]
ENV_NODE_SOURCES = {"env": "env", "local": "local", "k8s": "k8s", "kubernetes": "k8s", "etcd": "etcd", "redis": "redis"}
ENV_BOOLS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
MAX_SAFE = 1 << 53


def host_value(v):
    """A JSON form of the OPTIONS.md table -> (kind, value), or None when absent."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        assert -MAX_SAFE <= v <= MAX_SAFE, "write larger integers as {\"int\": ...}"
        return ("int", v)
    if isinstance(v, str):
        return ("str", v)
    (form, x), = v.items()
    if form == "int":
        n = int(x)
        return ("int", n) if -(1 << 127) <= n < (1 << 127) else ("bigint", n)
    if form == "float":  # a JavaScript number: an integer when integral
        return ("float", float(x))
    if form == "real":  # a Python float, a JVM Double: never an integer
        return ("real", float(x))
    if form == "bytes":
        return ("bytes", bytes.fromhex(x))
    if form == "layout_of":
        return ("layout", BY_NAME[x])
    if form == "manual_clock":
        return ("clock", x)
    if form == "other":
        return ("other", x)
    raise ValueError(v)


def as_int(v):
    kind, x = v
    if kind in ("int", "bigint"):  # a BigInt is an integer, out of every range
        return x
    if kind == "float" and x == int(x) and abs(x) <= MAX_SAFE:
        return int(x)
    raise OptionError("WRONG_TYPE")


def as_int_in(v, lo, hi):
    n = as_int(v)
    if not lo <= n <= hi:
        raise OptionError("INVALID_SETTING")
    return n


def as_bool(v):
    kind, x = v
    if kind == "bool":
        return x
    if kind in ("int", "bigint"):
        if x in (0, 1):
            return x == 1
        raise OptionError("INVALID_SETTING")
    raise OptionError("WRONG_TYPE")


def as_str(v):
    kind, x = v
    if kind == "str":
        return x
    if kind == "bytes":
        raise OptionError("INVALID_SETTING")
    raise OptionError("WRONG_TYPE")


def as_choice(v, choices):
    s = as_str(v)  # option strings are exact: no trimming, no case folding
    if s not in choices:
        raise OptionError("INVALID_SETTING")
    return s


def snake(key):
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def canonical_keys(options):
    out = {}
    for key, raw in (options or {}).items():
        v = host_value(raw)
        if v is None:  # absent: not given, not even for the duplicate check
            continue
        k = snake(key)
        if k in out:
            raise OptionError("INVALID_SETTING")
        out[k] = v
    return out


class Env:
    """The process environment: trimmed values, empty is unset, non-UTF-8 is
    INVALID_SETTING naming the variable."""

    def __init__(self, env):
        self.raw = {}
        for k, v in (env or {}).items():
            self.raw[k] = bytes.fromhex(v["bytes"]) if isinstance(v, dict) else v.encode()

    def get(self, name):
        if name not in self.raw:
            return None
        try:
            s = self.raw[name].decode("utf-8").strip()
        except UnicodeDecodeError:
            raise OptionError("INVALID_SETTING")
        return s or None

    def name(self, name, choices):
        s = self.get(name)
        if s is None:
            return None
        if s.lower() not in choices:
            raise OptionError("INVALID_SETTING")
        return choices[s.lower()] if isinstance(choices, dict) else s.lower()

    def integer(self, name, lo, hi):
        s = self.get(name)
        if s is None:
            return None
        if not (s.isascii() and s.isdigit()) or not lo <= int(s) <= hi:
            raise OptionError("INVALID_SETTING")
        return int(s)

    def id_vars(self):
        """SNOWID_<X>_ID variables that are set, as (variable, x) in name order."""
        out = []
        for k in sorted(self.raw):
            if k.startswith("SNOWID_") and k.endswith("_ID") and len(k) > len("SNOWID__ID") and self.get(k) is not None:
                out.append((k, k[len("SNOWID_"):-len("_ID")].lower()))
        return out


def env_nodes(l, env):
    """Node numbers from SNOWID_<FIELD>_ID (0 for fields not set)."""
    fields = {f[0]: f for f in nodes_of(l)}
    ids = env.id_vars()
    if not ids:
        raise OptionError("INVALID_SETTING")
    nodes = {name: 0 for name in fields}
    for var, x in ids:
        if x not in fields:
            raise OptionError("INVALID_SETTING")
        nodes[x] = env.integer(var, 0, (1 << fields[x][1]) - 1)
    return nodes


K8S_ORDINAL = re.compile(r"-(0|[1-9][0-9]{0,3})\Z")
# A StatefulSet name has at most 52 characters (63 for its pods' label
# controller-revision-hash = <name>-<10-character hash>), so a pod name
# <name>-<ordinal of 1 to 4 digits> has at most 57 and is never cut; the
# kubelet cuts longer pod names at 63 (then trims a trailing - or .).
MAX_STATEFULSET_HOSTNAME = 57


def k8s_ordinal(env):
    """SNOWID_POD_INDEX if set, else the hostname's ordinal if the hostname
    cannot have been cut; None when neither gives one."""
    host = env.get("HOSTNAME") or ""
    m = K8S_ORDINAL.search(host)
    return int(m.group(1)) if m and len(host.encode()) <= MAX_STATEFULSET_HOSTNAME else None


def k8s_nodes(l, env, detected):
    """A StatefulSet ordinal (SNOWID_POD_INDEX, else the hostname's) spread
    over the node fields, last field least significant. No ordinal:
    NODE_SOURCE_REQUIRED when the environment was only detected,
    INVALID_SETTING when k8s was named."""
    node_bits = sum(f[1] for f in nodes_of(l))
    ordinal = env.integer("SNOWID_POD_INDEX", 0, (1 << node_bits) - 1)
    if ordinal is None:
        ordinal = k8s_ordinal(env)
    if ordinal is None:
        raise OptionError("NODE_SOURCE_REQUIRED" if detected else "INVALID_SETTING")
    if ordinal >> node_bits:
        raise OptionError("INVALID_SETTING")
    nodes = {}
    for name, bits, _, _ in reversed(nodes_of(l)):
        nodes[name] = ordinal & ((1 << bits) - 1)
        ordinal >>= bits
    return {f[0]: nodes[f[0]] for f in nodes_of(l)}


def default_source(env, layout):
    """The environment's node rule when configure() names no source or
    numbers: (source, whether it was only detected from a replicated environment)."""
    source = env.name("SNOWID_NODE_SOURCE", ENV_NODE_SOURCES)
    ids = env.id_vars()
    # SNOWID_POD_INDEX belongs to the k8s source: refused with another source
    # (named, or env implied by ID variables), alone it selects k8s
    if env.get("SNOWID_POD_INDEX") is not None and (source or ("env" if ids else "k8s")) != "k8s":
        raise OptionError("INVALID_SETTING")
    if ids and source not in (None, "env"):
        raise OptionError("INVALID_SETTING")
    if source is not None:
        return source, False
    if ids:
        return "env", False
    if env.get("SNOWID_POD_INDEX") is not None:
        return "k8s", False
    if env.get("KUBERNETES_SERVICE_HOST") is not None:
        return "k8s", True
    if env.get("AWS_LAMBDA_FUNCTION_NAME") is not None or env.get("K_SERVICE") is not None:
        raise OptionError("NODE_SOURCE_REQUIRED")
    return "local", False


def resolve(target, options, env, now_ms=None):
    """The settings Generator(**options) ("generator"), the default generator
    after configure(**options) ("default"), or the layout inspect() uses
    ("inspect"), under the environment `env`. Raises OptionError(code)."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    env = Env(env)
    default = target in ("default", "service", "inspect")
    o = canonical_keys(options)
    given = lambda k: k in o

    # layout
    if given("layout"):
        kind, x = o["layout"]
        if kind == "layout":
            l = x
        elif kind == "str":
            if x not in [p["name"] for p in PRESETS]:
                raise OptionError("UNKNOWN_LAYOUT")
            l = BY_NAME[x]
        else:
            as_str(o["layout"])  # non-UTF-8 INVALID_SETTING, else WRONG_TYPE
    elif default:
        l = BY_NAME[env.name("SNOWID_LAYOUT", [p["name"] for p in PRESETS]) or "twitter"]
    else:
        l = TWITTER
    epoch = l["epoch_ms"]
    if given("epoch"):
        epoch = as_int(o["epoch"])
        if epoch < 0:
            raise OptionError("INVALID_SETTING")
        if epoch > now_ms:
            raise OptionError("EPOCH_IN_FUTURE")
    if target == "inspect":  # only the layout (with its epoch): nothing else can fail
        return {"layout": l["name"]}

    if given("clock"):
        clock = "manual" if o["clock"][0] == "clock" else as_choice(o["clock"], ["cached", "monotonic"])
    else:
        clock = (env.name("SNOWID_CLOCK", ["cached", "monotonic"]) if default else None) or (
            "monotonic" if target == "service" else "cached")
    on_regression = as_choice(o["on_regression"], ["wait", "fail"]) if given("on_regression") else "wait"
    max_wait = as_int_in(o["max_wait_ms"], 0, 3600000) if given("max_wait_ms") else None
    max_borrow = as_int_in(o["max_borrow_ticks"], 0, 1000000) if given("max_borrow_ticks") else 0
    source = as_choice(o["node_source"], NODE_SOURCES) if given("node_source") else None
    if given("state_dir"):
        if as_str(o["state_dir"]) == "":
            raise OptionError("INVALID_SETTING")
    else:
        env.get("SNOWID_STATE_DIR")  # every generator's default (its value is not compared)
    protect = as_bool(o["protect"]) if given("protect") else None
    if given("persist"):
        persist = as_bool(o["persist"])
    else:
        persist = env.name("SNOWID_PERSIST", ENV_BOOLS) if default else None
    if given("window_ms"):
        window = as_int_in(o["window_ms"], 1, 3600000)
    else:
        window = (env.integer("SNOWID_WINDOW_MS", 1, 3600000) if default else None) or 1000
    random_start = as_bool(o["random_sequence_start"]) if given("random_sequence_start") else False
    total_nodes = capacity(l)["nodes"]
    lanes = as_int_in(o["lanes"], 1, min(total_nodes, MAX_LANES)) if given("lanes") else 1

    # node fields: unknown names first, then values, both in the order given
    fields = {f[0]: f for f in nodes_of(l)}
    node_keys = [k for k in o if k not in OPTION_KEYS]
    for k in node_keys:
        if k not in fields:
            raise OptionError("UNKNOWN_FIELD")
    nodes = {}
    for k in node_keys:
        n = as_int(o[k])
        if not 0 <= n < (1 << fields[k][1]):
            raise OptionError("FIELD_OUT_OF_RANGE")
        nodes[k] = n
    if source is None and nodes:
        source = "explicit"
    if source == "explicit":
        for name in fields:  # missing ones in layout order
            if name not in nodes:
                raise OptionError("MISSING_FIELD")
    detected = False
    if source is None:
        if not default:
            raise OptionError("MISSING_FIELD")
        source, detected = default_source(env, l)
    if source == "explicit":
        nodes = {name: nodes[name] for name in fields}
    elif source == "env":
        nodes = None if nodes else env_nodes(l, env)
    elif source == "k8s":
        nodes = None if nodes else k8s_nodes(l, env, detected)
    else:
        nodes = None
    lease = None if node_keys else lease_settings(source, env)

    # combination rules, on the resolved source wherever it came from
    if max_wait is not None and on_regression == "fail":
        raise OptionError("INVALID_SETTING")
    if source != "explicit" and node_keys:
        raise OptionError("INVALID_SETTING")
    manual = clock == "manual"
    if protect is None:
        protect = not manual
    if protect and manual:
        raise OptionError("INVALID_SETTING")
    if not protect and source != "explicit":
        raise OptionError("INVALID_SETTING")
    if manual and source != "explicit":
        raise OptionError("INVALID_SETTING")
    if persist is None:
        persist = protect
    if persist and not protect:
        raise OptionError("INVALID_SETTING")
    # a fixed number (node fields read as one number, first field most
    # significant; a k8s ordinal) is a block index: with L lanes it owns
    # n*L .. n*L+L-1, for every fixed source alike
    lane_nodes = None
    if nodes is not None:
        slot = 0
        for name, bits, _, _ in nodes_of(l):
            slot = (slot << bits) | nodes[name]
        first = slot * lanes
        if first + lanes > total_nodes:
            raise OptionError("INVALID_SETTING")
        lane_nodes = [slot_nodes(l, first + i) for i in range(lanes)]

    return {
        "clock": clock,
        "epoch_ms": epoch,
        "lane_nodes": lane_nodes,
        "lanes": lanes,
        "layout": l["name"],
        "lease": lease,
        "max_borrow_ticks": max_borrow,
        "max_wait_ms": (1000 if max_wait is None else max_wait) if on_regression == "wait" else None,
        "nodes": nodes,
        "on_regression": on_regression,
        "persist": persist,
        "protect": protect,
        "random_sequence_start": random_start,
        "source": source,
        "window_ms": window,
    }


LEASE_VARS = {"etcd": ("SNOWID_ETCD_ENDPOINTS", "SNOWID_ETCD_PREFIX"),
              "redis": ("SNOWID_REDIS_URL", "SNOWID_REDIS_PREFIX")}


def lease_settings(source, env):
    """A lease source's settings from the environment (read when the source
    is resolved, whatever the target), in the core's order: the endpoints
    (required), the prefix, SNOWID_LEASE_TTL_MS (1000..=3600000, default
    10000), SNOWID_REDIS_ALLOW_VOLATILE (redis only; 1/0, true/false,
    yes/no), then the checks of the whole: at least one endpoint, a prefix
    with something besides '/' and no space. None for other sources."""
    if source not in LEASE_VARS:
        return None
    var, prefix_var = LEASE_VARS[source]
    value = env.get(var)
    if value is None:
        raise OptionError("INVALID_SETTING")
    endpoints = [e.strip() for e in value.split(",") if e.strip()]
    prefix = env.get(prefix_var)
    prefix = "snowid" if prefix is None else prefix.strip()
    ttl = env.integer("SNOWID_LEASE_TTL_MS", 1000, 3600000) or 10000
    allow = None
    if source == "redis":
        allow = env.name("SNOWID_REDIS_ALLOW_VOLATILE", ENV_BOOLS) or False
    if not endpoints:
        raise OptionError("INVALID_SETTING")
    if not prefix.strip("/") or any(c.isspace() for c in prefix):
        raise OptionError("INVALID_SETTING")
    return {"allow_volatile": allow, "endpoints": endpoints, "prefix": prefix, "ttl_ms": ttl}


def slot_nodes(l, slot):
    """A node number (slot order) as node values, last field least significant."""
    out = {}
    for name, bits, _, _ in reversed(nodes_of(l)):
        out[name] = slot & ((1 << bits) - 1)
        slot >>= bits
    return {f[0]: out[f[0]] for f in nodes_of(l)}


def options_cases():
    """Inputs only: target, options (JSON forms of OPTIONS.md), environment."""
    BIG = {"int": "100000000000000000000000000000000000000000"}  # outside i128: a BigInt
    FUTURE = 4102444800000  # 2100-01-01
    TW = {"datacenter": 1, "worker": 7}
    K8S = {"KUBERNETES_SERVICE_HOST": "10.96.0.1"}
    LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "orders"}
    RUN = {"K_SERVICE": "orders"}
    # a Deployment pod name cut by the kubelet at 63: its random suffix is gone
    CUT63 = "payments-reconciliation-worker-europe-west-primary-cluster-ab-6"
    assert len(CUT63) == 63
    cases = []

    def add(target, options, env, why):
        c = {"target": target, "options": options, "env": env or {}}
        try:
            c["expect"] = resolve(target, options, env)
        except OptionError as e:
            c["error"] = e.code
        c["why"] = why
        cases.append(c)

    def gen(options, why, env=None):
        add("generator", options, env, why)

    def dft(options, env, why):
        add("default", options, env, why)

    def insp(options, env, why):
        add("inspect", options, env, why)

    def svc(options, env, why):
        add("service", options, env, why)

    # --- Generator(**options): valid values and defaults
    gen(TW, "node fields only: every other option at its default")
    gen({"layout": "sonyflake", "machine": 65535}, "largest machine")
    gen({"layout": {"layout_of": "region"}, "region": 7, "zone": 15, "host": 127}, "a Layout object with three node fields")
    gen({"layout": {"layout_of": "region"}, "epoch": 1650000000000, "region": 1, "zone": 2, "host": 3}, "epoch overrides a Layout object's epoch, the name stays")
    gen({"layout": "instagram", "epoch": 0, "shard": 8191}, "epoch 0; largest shard")
    gen({"clock": "monotonic", **TW}, "monotonic clock")
    gen({"clock": {"manual_clock": 1700000000000}, **TW}, "a ManualClock: protect and persist default to false")
    gen({"on_regression": "fail", **TW}, "fail: max_wait_ms is null")
    gen({"on_regression": "wait", "max_wait_ms": 0, "max_borrow_ticks": 0, "window_ms": 1, **TW}, "smallest values")
    gen({"max_wait_ms": 3600000, "max_borrow_ticks": 1000000, "window_ms": 3600000, **TW}, "largest values")
    gen({"layout": "discord", "worker": {"float": 3.0}, "process": 0, "max_borrow_ticks": {"float": 7.0}}, "integral floats are integers")
    gen({"layout": "twitter", "node_source": "explicit", "state_dir": "/var/lib/snowid", **TW}, "preset and source named; a state directory")
    gen({"node_source": "local"}, "local slots: nodes picked at claim time")
    gen({"node_source": "env"}, "env source reads SNOWID_<FIELD>_ID, padded values trimmed",
        {"SNOWID_DATACENTER_ID": "2", "SNOWID_WORKER_ID": " 7 "})
    gen({"node_source": "k8s"}, "k8s ordinal 33 over datacenter/worker", {**K8S, "HOSTNAME": "web-33"})
    gen({"protect": False, **TW}, "unprotected: persist defaults to false")
    gen({"protect": 1, "persist": 0, **TW}, "integers 0/1 for bools; protected without a high-water mark")
    gen({"onRegression": "fail", "maxBorrowTicks": 3, "windowMs": 50, "stateDir": "/tmp/snowid", **TW}, "lowerCamelCase keys")
    gen({"maxWaitMs": None, "max_wait_ms": 250, **TW}, "a null spelling is not given: no duplicate")
    gen(TW, "Generator ignores the default generator's variables",
        {"SNOWID_LAYOUT": "discord", "SNOWID_CLOCK": "monotonic", "SNOWID_WINDOW_MS": "50", "SNOWID_PERSIST": "0"})

    # --- Generator: errors, one table row at a time
    gen(None, "no node fields and no node_source")
    gen({}, "no node fields, even in a replicated environment", {**K8S, "HOSTNAME": "web-3"})
    gen({"layout": "snowflake", **TW}, "unknown preset")
    gen({"layout": "Twitter", **TW}, "preset names are exact")
    gen({"layout": 1, **TW}, "layout of the wrong type")
    gen({"layout": {"bytes": "74776974ff"}, **TW}, "non-UTF-8 layout name")
    gen({"epoch": -1, **TW}, "negative epoch")
    gen({"epoch": FUTURE, **TW}, "epoch in 2100")
    gen({"epoch": BIG, **TW}, "a huge epoch is in the future")
    gen({"epoch": "1600000000000", **TW}, "epoch as a string")
    gen({"clock": "manual", **TW}, "manual is only a ManualClock")
    gen({"clock": {"layout_of": "twitter"}, **TW}, "a Layout is not a clock")
    gen({"clock": {"bytes": "ff"}, **TW}, "non-UTF-8 clock")
    gen({"on_regression": "retry", **TW}, "unknown regression policy")
    gen({"on_regression": True, **TW}, "regression policy of the wrong type")
    gen({"max_wait_ms": -1, **TW}, "negative wait")
    gen({"max_wait_ms": 3600001, **TW}, "wait above an hour")
    gen({"max_wait_ms": {"int": str(1 << 64)}, **TW}, "wait beyond 64 bits (an i128)")
    gen({"max_wait_ms": BIG, **TW}, "wait beyond i128 (a BigInt)")
    gen({"max_wait_ms": {"float": 1.5}, **TW}, "fractional wait")
    gen({"max_borrow_ticks": 1000001, **TW}, "borrow above the limit")
    gen({"max_borrow_ticks": {"other": "list"}, **TW}, "borrow of the wrong type")
    gen({"random_sequence_start": True, **TW}, "random sequence start")
    gen({"randomSequenceStart": 1, **TW}, "random sequence start, lowerCamelCase, 0/1")
    gen({"random_sequence_start": 2, **TW}, "random sequence start: an integer other than 0/1")
    gen({"random_sequence_start": "yes", **TW}, "random sequence start of the wrong type")
    # (unprotected, so that suites building these generators for real in one
    # process never meet each other's slot locks)
    # a fixed number is a block index: n with L lanes owns n*L .. n*L+L-1
    gen({"lanes": 4, "protect": False, **TW}, "four lanes from datacenter 1, worker 7 (node number 39): block 156..159")
    gen({"lanes": 2, "protect": False, "datacenter": 0, "worker": 0}, "two lanes from worker 0: nodes 0 and 1")
    gen({"lanes": 2, "protect": False, "datacenter": 0, "worker": 1}, "two lanes from worker 1: nodes 2 and 3, never worker 0's")
    gen({"lanes": 4, "protect": False, "datacenter": 0, "worker": 7}, "worker 7 with four lanes owns workers 28..31")
    gen({"lanes": 4, "protect": False, "datacenter": 0, "worker": 8}, "worker 8 with four lanes: the block carries into datacenter 1")
    gen({"lanes": 4, "protect": False, "datacenter": 7, "worker": 31}, "the last block of four: node numbers 1020..1023")
    gen({"lanes": 4, "datacenter": 8, "worker": 0}, "block 256 of four lanes (1024..1027) is beyond the layout")
    gen({"lanes": 2, "datacenter": 31, "worker": 30}, "two lanes from node number 1022: block 2044..2045 is beyond the layout")
    gen({"lanes": 2, "datacenter": 31, "worker": 31}, "two lanes from the last node number: beyond the layout")
    # (every node number of a 4-node layout: a 1024-entry lane_nodes would pass
    # the 4095 characters a C99 string literal may hold)
    gen({"lanes": 4, "protect": False, "layout": {"layout_of": "wide"}, "node": 0}, "every node number of the layout")
    gen({"lanes": 2, "protect": False, "layout": {"layout_of": "wide"}, "node": 1}, "block 1 of two: the last two nodes")
    gen({"lanes": 4, "layout": {"layout_of": "wide"}, "node": 1}, "block 1 of four lanes is beyond a 4-node layout")
    gen({"lanes": 1024, "datacenter": 0, "worker": 1}, "block 1 of 1024 lanes is beyond the layout")
    gen({"lanes": 1025, "datacenter": 0, "worker": 0}, "more lanes than the layout has node numbers")
    gen({"lanes": 8, "protect": False, "layout": "instagram", "shard": 1023}, "the last eight shards: block 1023 of eight")
    gen({"lanes": 8, "layout": "instagram", "shard": 1024}, "shard 1024 with eight lanes is beyond the layout")
    gen({"lanes": 3, "protect": False, "layout": {"layout_of": "region"}, "region": 0, "zone": 1, "host": 2},
        "three node fields read as one number (130), block 390..392")
    gen({"lanes": 1, "protect": False, "datacenter": 31, "worker": 31}, "one lane: the number itself")
    gen({"lanes": 0, **TW}, "zero lanes")
    gen({"lanes": -1, **TW}, "negative lanes")
    gen({"lanes": {"float": 2.5}, **TW}, "fractional lanes")
    gen({"lanes": "2", **TW}, "lanes as a string")
    gen({"lanes": 4, "node_source": "local"}, "four lanes from local slots: numbers picked at claim time")
    gen({"lanes": 2, "node_source": "k8s"}, "k8s ordinal 3 with two lanes: node numbers 6 and 7", {**K8S, "HOSTNAME": "web-3"})
    gen({"lanes": 2, "node_source": "k8s"}, "k8s ordinal 512 with two lanes: past the layout", {**K8S, "HOSTNAME": "web-512"})
    gen({"lanes": 2, "node_source": "env"}, "env numbers with two lanes: beyond the layout", {"SNOWID_DATACENTER_ID": "31", "SNOWID_WORKER_ID": "31"})
    gen({"lanes": 2, "node_source": "env"}, "machine SNOWID_WORKER_ID=0 with two lanes: nodes 0, 1", {"SNOWID_WORKER_ID": "0"})
    gen({"lanes": 2, "node_source": "env"}, "machine SNOWID_WORKER_ID=1 with two lanes: nodes 2, 3 (no overlap with worker 0)", {"SNOWID_WORKER_ID": "1"})
    gen({"lanes": 2, "node_source": "env"}, "env datacenter 1 with two lanes: the same block as k8s ordinal 32", {"SNOWID_DATACENTER_ID": "1"})
    gen({"lanes": 2, "node_source": "k8s"}, "k8s ordinal 32 with two lanes", {**K8S, "HOSTNAME": "web-32"})
    gen({"node_source": "consul"}, "unknown node source")
    gen({"node_source": 1}, "node source of the wrong type")
    gen({"node_source": {"bytes": "6c6f63616cff"}}, "non-UTF-8 node source")
    gen({"state_dir": "", **TW}, "empty state directory")
    gen({"state_dir": {"bytes": "2f746d70ff"}, **TW}, "non-UTF-8 state directory")
    gen({"protect": 2, **TW}, "an integer other than 0/1")
    gen({"protect": "yes", **TW}, "a string for a bool")
    gen({"persist": {"float": 0.5}, **TW}, "a float for a bool")
    # a float of a host with integers (Python float, JVM Double) is never an integer
    gen({"datacenter": 1, "worker": {"real": 1.0}}, "an integral Python float is no integer")
    gen({"datacenter": {"real": 40.0}, "worker": 0}, "a float node value: its type before its range")
    gen({"lanes": {"real": 2.0}, **TW}, "integral float lanes")
    gen({"max_wait_ms": {"real": 1.5}, **TW}, "fractional float wait")
    gen({"max_borrow_ticks": {"real": 0.0}, **TW}, "float zero")
    gen({"epoch": {"real": 1600000000000.0}, **TW}, "float epoch")
    gen({"persist": {"real": 1.0}, **TW}, "a float for a bool, even 1.0")
    gen({"layout": {"real": 1.0}, **TW}, "a float for a layout")
    gen({"window_ms": 0, **TW}, "empty window")
    gen({"datacenter": 1, "worker": 32}, "worker above 5 bits")
    gen({"datacenter": -1, "worker": 0}, "negative node value")
    gen({"layout": "instagram", "shard": BIG}, "huge node value")
    gen({"datacenter": 1, "worker": "3"}, "node value as a string")
    gen({"datacenter": 1, "worker": True}, "a bool is not an integer")
    gen({"worker": 1}, "datacenter missing")
    gen({"layout": {"layout_of": "region"}, "host": 1}, "region and zone missing: region first")
    gen({"node_source": "explicit"}, "explicit source without node fields")
    gen({"shard": 1, **TW}, "not a node field of twitter")
    gen({"epochMs": 1600000000000, **TW}, "epochMs is epoch_ms, not an option")
    # --- Generator: the order of errors
    gen({"max_wait_ms": 5, "maxWaitMs": 5, "layout": "nope", **TW}, "the same option under both spellings, checked first")
    gen({"shard": 1, "clock": "bogus"}, "options before node fields")
    gen({"datacenter": 99, "shard": 1}, "unknown node fields before values")
    gen({"datacenter": 99}, "node values before missing fields")
    gen({"on_regression": "fail", "max_wait_ms": 100, "datacenter": 0, "worker": 99}, "node values before combination rules")
    gen({"on_regression": "fail", "max_wait_ms": 100, "worker": 1}, "missing node fields before combination rules")
    # --- Generator: combinations
    gen({"on_regression": "fail", "max_wait_ms": 100, **TW}, "max_wait_ms with fail")
    gen({"node_source": "local", **TW}, "local source with node fields")
    gen({"clock": {"manual_clock": 1700000000000}, "protect": True, **TW}, "protect with a ManualClock")
    gen({"clock": {"manual_clock": 1700000000000}, "persist": True, **TW}, "persist with a ManualClock (unprotected)")
    gen({"clock": {"manual_clock": 1700000000000}, "node_source": "local"}, "ManualClock with local slots")
    gen({"protect": False, "node_source": "local"}, "unprotected local slots")
    gen({"protect": False, "persist": True, **TW}, "persist needs protect")
    # --- Generator: env and k8s sources
    gen({"node_source": "env"}, "env source without ID variables")
    gen({"node_source": "env"}, "SNOWID_SHARD_ID: twitter has no shard", {"SNOWID_SHARD_ID": "1"})
    gen({"node_source": "k8s"}, "ordinal needs more than 10 bits", {**K8S, "HOSTNAME": "web-1024"})
    gen({"layout": "sonyflake", "node_source": "k8s"}, "a named k8s source takes StatefulSet ordinals only", {**K8S, "HOSTNAME": "web-7f9c-24567"})
    gen({"node_source": "k8s"}, "a named k8s source: a hostname of 63 characters may have been cut", {**K8S, "HOSTNAME": CUT63})
    gen({"node_source": "k8s"}, "a named k8s source reads SNOWID_POD_INDEX", {**K8S, "HOSTNAME": CUT63, "SNOWID_POD_INDEX": "9"})
    gen({"node_source": "k8s"}, "SNOWID_POD_INDEX wins over the hostname", {**K8S, "HOSTNAME": "web-3", "SNOWID_POD_INDEX": "5"})
    gen({"node_source": "k8s"}, "SNOWID_POD_INDEX beyond the layout", {**K8S, "SNOWID_POD_INDEX": "1024"})
    gen({"node_source": "local"}, "Generator(node_source=local) reads no SNOWID_POD_INDEX", {"SNOWID_POD_INDEX": "3"})

    # --- the default generator: configure() + environment
    dft(None, {}, "nothing configured: local slots, every default")
    dft(None, {"SNOWID_LAYOUT": "  discord  ", "SNOWID_CLOCK": " monotonic ", "SNOWID_PERSIST": " No ", "SNOWID_WINDOW_MS": " 7 ",
               "SNOWID_STATE_DIR": " /var/lib/snowid ", "SNOWID_NODE_SOURCE": " env ", "SNOWID_WORKER_ID": " 3 ", "SNOWID_PROCESS_ID": "31"},
        "every variable, padded")
    dft(None, {"SNOWID_LAYOUT": "DISCORD", "SNOWID_CLOCK": "MONOTONIC", "SNOWID_PERSIST": "YES", "SNOWID_NODE_SOURCE": "LOCAL"},
        "upper-case names")
    dft(None, {"SNOWID_LAYOUT": "", "SNOWID_CLOCK": " ", "SNOWID_PERSIST": "", "SNOWID_WINDOW_MS": "", "SNOWID_STATE_DIR": "",
               "SNOWID_NODE_SOURCE": "  ", "SNOWID_WORKER_ID": "", "SNOWID_SHARD_ID": " "},
        "empty variables are unset")
    for var, hexval in [("SNOWID_LAYOUT", "646973636f7264ff"), ("SNOWID_CLOCK", "ff"), ("SNOWID_PERSIST", "31ff"),
                        ("SNOWID_WINDOW_MS", "37ff"), ("SNOWID_STATE_DIR", "2f746d70ff"), ("SNOWID_WORKER_ID", "33ff"),
                        ("SNOWID_NODE_SOURCE", "656e76ff")]:
        dft(None, {var: {"bytes": hexval}}, "non-UTF-8 " + var)
    dft(None, {"SNOWID_LAYOUT": "snowflake"}, "unknown preset in the environment")
    dft(None, {"SNOWID_CLOCK": "manual"}, "no manual clock from the environment")
    dft(None, {"SNOWID_PERSIST": "2"}, "not a bool")
    dft(None, {"SNOWID_WINDOW_MS": "0"}, "window below 1")
    dft(None, {"SNOWID_WORKER_ID": "3"}, "an ID variable selects the env source; datacenter 0")
    dft(None, {"SNOWID_WORKER_ID": "32"}, "ID above 5 bits")
    dft(None, {"SNOWID_SHARD_ID": "1"}, "twitter has no shard")
    dft(None, {"SNOWID_NODE_SOURCE": "env", "SNOWID_WORKER_ID": "4"}, "env source named")
    dft(None, {"SNOWID_NODE_SOURCE": "env"}, "env source without ID variables")
    dft(None, {"SNOWID_NODE_SOURCE": "local", "SNOWID_WORKER_ID": "4"}, "ID variable with the local source")
    dft(None, {"SNOWID_NODE_SOURCE": "kubernetes", **K8S, "HOSTNAME": "web-5"}, "kubernetes is k8s")
    dft(None, {"SNOWID_NODE_SOURCE": "k8s", **K8S, "HOSTNAME": "web-03"}, "a named k8s source: leading zero is no ordinal")
    dft(None, {"SNOWID_NODE_SOURCE": "explicit"}, "explicit is not an environment source")
    # configure() wins over the environment
    dft({"layout": "instagram"}, {"SNOWID_LAYOUT": "snowflake"}, "an overridden variable is not read")
    dft({"clock": "cached", "windowMs": 5, "persist": True}, {"SNOWID_CLOCK": "monotonic", "SNOWID_WINDOW_MS": "50", "SNOWID_PERSIST": "0"},
        "configured clock, window and persist win")
    dft({"worker": 5, "datacenter": 1}, {"SNOWID_WORKER_ID": "3"}, "configured node fields win")
    dft({"nodeSource": "local"}, {"SNOWID_WORKER_ID": "3"}, "configured source wins (lowerCamelCase key)")
    dft({"layout": {"layout_of": "region"}}, {"SNOWID_REGION_ID": "2", "SNOWID_HOST_ID": "100"}, "region layout from the environment's IDs")
    dft({"worker": 1}, {}, "configured node fields must be complete")
    dft({"clock": {"manual_clock": 1700000000000}}, {}, "ManualClock with local slots from the environment rule")
    dft({"protect": False}, {}, "unprotected local slots from the environment rule")
    dft({"protect": False, "worker": 1, "datacenter": 2}, {"SNOWID_PERSIST": "1"}, "SNOWID_PERSIST=1 asks for a mark that protect=False cannot keep")
    # replicated environments
    dft(None, {**K8S, "HOSTNAME": "web-3"}, "StatefulSet pod web-3")
    dft(None, {**K8S, "HOSTNAME": "web-0"}, "ordinal 0")
    dft(None, {**K8S, "HOSTNAME": " web-33 "}, "padded hostname; ordinal 33 spreads over both fields")
    dft({"layout": {"layout_of": "region"}}, {**K8S, "HOSTNAME": "web-9999"}, "ordinal over three fields")
    dft(None, {**K8S, "HOSTNAME": "web-7f9c-abcde"}, "Deployment pod: no ordinal")
    dft(None, {**K8S, "HOSTNAME": "web-7f9c-24567"}, "5-digit Deployment suffix is no ordinal")
    dft(None, {**K8S, "HOSTNAME": "web-03"}, "leading zero is no ordinal")
    dft(None, {**K8S, "HOSTNAME": "web-7f9c-abcde", "SNOWID_NODE_SOURCE": "local"}, "local accepted in Kubernetes")
    # hostnames the kubelet may have cut at 63 (trimming a trailing - or .)
    dft(None, {**K8S, "HOSTNAME": CUT63}, "63 characters ending in -6: a cut Deployment pod name, no ordinal")
    dft(None, {**K8S, "HOSTNAME": CUT63[:-3] + "-6"}, "62 characters ending in -6 (a trailing - trimmed): no ordinal")
    dft(None, {**K8S, "HOSTNAME": "s" * 56 + "-6"}, "58 characters: longer than any StatefulSet pod name, no ordinal")
    dft(None, {**K8S, "HOSTNAME": "s" * 52 + "-1023"}, "57 characters: a 52-character StatefulSet, ordinal 1023")
    dft(None, {**K8S, "HOSTNAME": "s" * 55 + "-6"}, "57 characters ending in -6: ordinal 6")
    dft(None, {**K8S, "HOSTNAME": " " + "s" * 55 + "-6 "}, "padding does not count")
    dft(None, {**K8S, "HOSTNAME": CUT63, "SNOWID_NODE_SOURCE": "k8s"}, "SNOWID_NODE_SOURCE=k8s: a cut hostname is INVALID_SETTING")
    # SNOWID_POD_INDEX: the label apps.kubernetes.io/pod-index through the downward API
    dft(None, {**K8S, "HOSTNAME": CUT63, "SNOWID_POD_INDEX": "6"}, "SNOWID_POD_INDEX gives the ordinal a cut hostname cannot")
    dft(None, {**K8S, "HOSTNAME": "web-3", "SNOWID_POD_INDEX": "40"}, "SNOWID_POD_INDEX wins over the hostname's ordinal")
    dft(None, {"SNOWID_POD_INDEX": " 12 "}, "SNOWID_POD_INDEX alone selects k8s; padded")
    dft(None, {**K8S, "HOSTNAME": "web-7f9c-abcde", "SNOWID_POD_INDEX": "0"}, "SNOWID_POD_INDEX 0")
    dft(None, {**K8S, "HOSTNAME": "web-3", "SNOWID_POD_INDEX": ""}, "an empty SNOWID_POD_INDEX is unset: the hostname's ordinal")
    dft(None, {**K8S, "SNOWID_POD_INDEX": "1023"}, "the largest SNOWID_POD_INDEX of twitter")
    dft(None, {**K8S, "SNOWID_POD_INDEX": "1024"}, "SNOWID_POD_INDEX beyond the layout")
    dft({"layout": "sonyflake"}, {**K8S, "SNOWID_POD_INDEX": "65535"}, "sonyflake's largest SNOWID_POD_INDEX")
    for bad in ["-1", "abc", "3.0", "0x10", "99999999999999999999999"]:
        dft(None, {**K8S, "SNOWID_POD_INDEX": bad}, "SNOWID_POD_INDEX " + bad + " is no ordinal")
    dft(None, {**K8S, "SNOWID_POD_INDEX": {"bytes": "33ff"}}, "non-UTF-8 SNOWID_POD_INDEX")
    dft(None, {"SNOWID_NODE_SOURCE": "k8s", "SNOWID_POD_INDEX": "4"}, "SNOWID_NODE_SOURCE=k8s with SNOWID_POD_INDEX")
    dft(None, {"SNOWID_NODE_SOURCE": "local", "SNOWID_POD_INDEX": "4"}, "SNOWID_POD_INDEX with the local source")
    dft(None, {"SNOWID_NODE_SOURCE": "env", "SNOWID_WORKER_ID": "1", "SNOWID_POD_INDEX": "4"}, "SNOWID_POD_INDEX with the env source")
    dft(None, {"SNOWID_WORKER_ID": "1", "SNOWID_POD_INDEX": "4"}, "SNOWID_POD_INDEX with an ID variable")
    dft({"node_source": "local"}, {"SNOWID_POD_INDEX": "4"}, "a configured source wins: SNOWID_POD_INDEX not read")
    dft({"lanes": 2}, {**K8S, "SNOWID_POD_INDEX": "5"}, "SNOWID_POD_INDEX 5 with two lanes: nodes 10, 11")
    dft({"lanes": 2}, {**K8S, "SNOWID_POD_INDEX": "512"}, "SNOWID_POD_INDEX 512 with two lanes: beyond the layout")
    dft({"lanes": 2}, {"SNOWID_WORKER_ID": "1"}, "configure(lanes=2) over SNOWID_WORKER_ID=1: nodes 2, 3")
    dft(None, {**K8S, "HOSTNAME": "web-7f9c-abcde", "SNOWID_WORKER_ID": "3"}, "ID variable in Kubernetes")
    dft({"worker": 3, "datacenter": 1}, {**K8S, "HOSTNAME": "web-7f9c-abcde"}, "configured nodes in Kubernetes")
    dft(None, LAMBDA, "AWS Lambda needs a node source")
    dft(None, {**LAMBDA, "SNOWID_NODE_SOURCE": "local"}, "local accepted in Lambda")
    dft(None, {**LAMBDA, "SNOWID_WORKER_ID": "9"}, "ID variable in Lambda")
    dft({"worker": 2, "datacenter": 3}, LAMBDA, "configured nodes in Lambda")
    dft(None, RUN, "Cloud Run needs a node source")
    dft(None, {**RUN, "SNOWID_NODE_SOURCE": "local"}, "local accepted in Cloud Run")
    dft(None, {**RUN, "SNOWID_DATACENTER_ID": "4"}, "ID variable in Cloud Run")
    dft({"worker": 2, "datacenter": 3}, RUN, "configured nodes in Cloud Run")

    # --- the ID service (`snowid serve`): the default's rule, monotonic clock by default
    svc(None, {"SNOWID_WORKER_ID": "3"}, "the service's clock is monotonic by default")
    svc(None, {"SNOWID_WORKER_ID": "3", "SNOWID_CLOCK": "cached"}, "SNOWID_CLOCK chooses the service's clock")
    svc({"clock": "cached", "worker": 1, "datacenter": 2}, {"SNOWID_CLOCK": "monotonic"}, "a clock option wins")
    svc(None, {"SNOWID_LAYOUT": "discord", "SNOWID_WORKER_ID": "1"}, "the service reads SNOWID_LAYOUT")
    svc(None, LAMBDA, "the service in Lambda needs a node source too")

    # --- the layout inspect()/decode() use without a layout
    insp(None, {}, "Twitter by default")
    insp(None, {"SNOWID_LAYOUT": " discord"}, "padded SNOWID_LAYOUT")
    insp(None, {"SNOWID_LAYOUT": "snowflake"}, "invalid SNOWID_LAYOUT")
    insp({"layout": "instagram"}, {"SNOWID_LAYOUT": "discord"}, "configured layout wins")
    insp({"layout": "instagram"}, {"SNOWID_LAYOUT": "snowflake"}, "an overridden SNOWID_LAYOUT is not read")
    insp({"layout": {"layout_of": "region"}}, {}, "configured Layout object")
    insp({"clock": "monotonic"}, {"SNOWID_LAYOUT": "SONYFLAKE"}, "configure() without a layout")
    insp(None, LAMBDA, "decoding needs no node source")

    # --- the lease sources' environment (SNOWID_REDIS_*, SNOWID_ETCD_*,
    # SNOWID_LEASE_TTL_MS), read when the source is resolved, by every target
    # (a build without the source's cargo feature refuses the source itself
    # with INVALID_SETTING: etcd cases are errors only, as the bindings are
    # built without etcd by default)
    URL = {"SNOWID_REDIS_URL": "redis://127.0.0.1:6379/"}
    gen({"node_source": "redis"}, "redis: the URL, default prefix, TTL, no volatile Redis", URL)
    dft(None, {"SNOWID_NODE_SOURCE": "redis", **URL}, "SNOWID_NODE_SOURCE=redis reads the same")
    svc(None, {"SNOWID_NODE_SOURCE": "redis", **URL}, "the service's lease")
    dft(None, {"SNOWID_NODE_SOURCE": "redis", "SNOWID_REDIS_URL": " redis://a:1/ , redis://b:2/,, ",
               "SNOWID_REDIS_PREFIX": " /ids/orders ", "SNOWID_LEASE_TTL_MS": " 3000 "},
        "endpoints split on commas and trimmed, prefix and TTL trimmed")
    for v in ("1", "yes", "TRUE", "0", "no", "false"):
        dft(None, {"SNOWID_NODE_SOURCE": "redis", **URL, "SNOWID_REDIS_ALLOW_VOLATILE": v},
            f"SNOWID_REDIS_ALLOW_VOLATILE={v}")
    for v in ("maybe", "2", "on"):
        dft(None, {"SNOWID_NODE_SOURCE": "redis", **URL, "SNOWID_REDIS_ALLOW_VOLATILE": v},
            f"SNOWID_REDIS_ALLOW_VOLATILE={v}: not a boolean")
    for v in ("1000", "3600000"):
        gen({"node_source": "redis"}, f"SNOWID_LEASE_TTL_MS={v}: a bound", {**URL, "SNOWID_LEASE_TTL_MS": v})
    for v in ("999", "3600001", "10s", "-1", "0", "1e4"):
        gen({"node_source": "redis"}, f"SNOWID_LEASE_TTL_MS={v}: outside 1000..=3600000",
            {**URL, "SNOWID_LEASE_TTL_MS": v})
    gen({"node_source": "redis"}, "redis without SNOWID_REDIS_URL", {})
    gen({"node_source": "redis"}, "a blank SNOWID_REDIS_URL is unset", {"SNOWID_REDIS_URL": "  "})
    gen({"node_source": "redis"}, "SNOWID_REDIS_URL without an endpoint", {"SNOWID_REDIS_URL": " , ,"})
    for v in ("/", "//", "a b", "ids/\torders"):
        gen({"node_source": "redis"}, f"SNOWID_REDIS_PREFIX={v!r}", {**URL, "SNOWID_REDIS_PREFIX": v})
    gen({"node_source": "redis"}, "the TTL is checked before the opt-in",
        {**URL, "SNOWID_LEASE_TTL_MS": "5", "SNOWID_REDIS_ALLOW_VOLATILE": "maybe"})
    gen({"node_source": "redis"}, "the opt-in before the prefix",
        {**URL, "SNOWID_REDIS_PREFIX": "/", "SNOWID_REDIS_ALLOW_VOLATILE": "maybe"})
    gen({"node_source": "local"}, "a lease variable is not read by another source",
        {"SNOWID_LEASE_TTL_MS": "5", "SNOWID_REDIS_ALLOW_VOLATILE": "maybe", "SNOWID_REDIS_URL": ""})
    gen({"node_source": "etcd"}, "etcd without SNOWID_ETCD_ENDPOINTS", {})
    gen({"node_source": "etcd"}, "SNOWID_ETCD_ENDPOINTS without an endpoint", {"SNOWID_ETCD_ENDPOINTS": ","})
    gen({"node_source": "etcd"}, "etcd: SNOWID_LEASE_TTL_MS outside its range",
        {"SNOWID_ETCD_ENDPOINTS": "127.0.0.1:2379", "SNOWID_LEASE_TTL_MS": "999"})
    gen({"node_source": "etcd"}, "etcd: SNOWID_ETCD_PREFIX of slashes",
        {"SNOWID_ETCD_ENDPOINTS": "127.0.0.1:2379", "SNOWID_ETCD_PREFIX": "///"})
    return cases


def main():
    ids = []
    # Discord's developer documentation, "Snowflakes": 175928847299117063 is
    # 2016-04-30 11:18:25.796 UTC, internal worker 1, process 0, increment 7.
    d = decode(DISCORD, 175928847299117063)
    assert d["timestamp_ms"] == 1462015105796 and d["nodes"] == {"worker": 1, "process": 0} and d["sequence"] == 7
    ids.append(id_case("discord", d["tick"], 7, {"worker": 1, "process": 0}, "Discord developer docs, Snowflakes"))
    # Instagram engineering, "Sharding & IDs at Instagram": worked example with
    # 1387263000 ms since the epoch, logical shard 1341, sequence 5001 % 1024 = 7.
    ids.append(id_case("instagram", 1387263000, 7, {"shard": 1341}, "Instagram engineering blog worked example"))
    for layout in ["twitter", "discord", "instagram", "sonyflake", "wide", "region", "tiny"]:
        l = BY_NAME[layout]
        tmax = (1 << field(l, "timestamp")[1]) - 1
        smax = (1 << field(l, "sequence")[1]) - 1
        ns = nodes_of(l)
        zero = {f[0]: 0 for f in ns}
        full = {f[0]: (1 << f[1]) - 1 for f in ns}
        mixed = {f[0]: ((1 << f[1]) - 1) // (k + 2) for k, f in enumerate(ns)}
        ids.append(id_case(layout, 0, 0, zero, "smallest"))
        ids.append(id_case(layout, tmax, smax, full, "largest"))
        ids.append(id_case(layout, min(tmax, 123456789), min(smax, 42), mixed, "mixed"))
        ids.append(id_case(layout, 1, 1, zero, "second tick"))

    bounds_cases = []
    for layout, ms in [("twitter", 1700000000123), ("discord", 1462015105796), ("sonyflake", 1700000000127), ("region", 1650000000003)]:
        lo, hi = bounds(BY_NAME[layout], ms)
        bounds_cases.append({"layout": layout, "timestamp_ms": ms, "min_id": str(lo), "max_id": str(hi)})

    enc_ids = [0, 1, 31, 32, 61, 62, 255, 1 << 32, 175928847299117063, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]
    encodings = [{"id": str(i), **{e: encode(i, e) for e in ALPHABETS}} for i in enc_ids]
    # Lenient parsing that the canonical form does not produce.
    parse_aliases = [
        {"encoding": "hex", "input": "00000000000000FF", "id": "255"},
        {"encoding": "base32", "input": "000000000000z", "id": "31"},
        {"encoding": "base32", "input": "0000000000oil", "id": str(0 * 1024 + 1 * 32 + 1)},
        {"encoding": "decimal", "input": "00042", "id": "42"},
    ]
    invalid_strings = [
        {"encoding": "decimal", "input": "", "error": "PARSE_EMPTY"},
        {"encoding": "decimal", "input": "-1", "error": "PARSE_CHARACTER"},
        {"encoding": "decimal", "input": " 12", "error": "PARSE_CHARACTER"},
        {"encoding": "decimal", "input": "1.5", "error": "PARSE_CHARACTER"},
        {"encoding": "decimal", "input": "18446744073709551616", "error": "PARSE_OVERFLOW"},
        {"encoding": "decimal", "input": "123456789012345678901", "error": "PARSE_LENGTH"},
        {"encoding": "hex", "input": "ff", "error": "PARSE_LENGTH"},
        {"encoding": "hex", "input": "000000000000000g", "error": "PARSE_CHARACTER"},
        {"encoding": "hex", "input": "0x00000000000000", "error": "PARSE_CHARACTER"},
        {"encoding": "base32", "input": "G000000000000", "error": "PARSE_OVERFLOW"},
        {"encoding": "base32", "input": "0000000000U00", "error": "PARSE_CHARACTER"},
        {"encoding": "base32", "input": "00000-0000000", "error": "PARSE_CHARACTER"},
        {"encoding": "base32", "input": "ZZZZ", "error": "PARSE_LENGTH"},
        {"encoding": "base62", "input": "LygHa16AHYG", "error": "PARSE_OVERFLOW"},
        {"encoding": "base62", "input": "0000000000_", "error": "PARSE_CHARACTER"},
        {"encoding": "base62", "input": "000000000000", "error": "PARSE_LENGTH"},
        {"encoding": "base62", "input": "000000000\u00e90", "error": "PARSE_CHARACTER"},
        {"encoding": "base64", "input": "AAAA", "error": "UNKNOWN_ENCODING"},
    ]

    def spec(name="custom", fields=None, epoch_ms=1288834974657, tick_ms=1, sign_bit=True):
        return {"name": name, "fields": [{"name": n, "bits": b, "kind": k} for n, b, k in (fields or TWITTER["fields"])],
                "epoch_ms": epoch_ms, "tick_ms": tick_ms, "sign_bit": sign_bit}
    tw = TWITTER["fields"]
    invalid_layouts = [
        {"spec": spec(fields=[["timestamp", 40, "timestamp"]] + tw[1:]), "error": "LAYOUT_BITS_SUM"},
        {"spec": spec(sign_bit=False), "error": "LAYOUT_BITS_SUM"},
        {"spec": spec(fields=[["timestamp", 53, "timestamp"], ["datacenter", 5, "node"], ["worker", 5, "node"], ["sequence", 0, "sequence"]]), "error": "FIELD_WIDTH"},
        {"spec": spec(fields=[["timestamp", 18, "timestamp"], ["datacenter", 33, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_WIDTH"},
        {"spec": spec(fields=[["timestamp", 46, "timestamp"], ["sequence", 17, "sequence"]]), "error": "FIELD_COUNT"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["datacenter", 10, "node"], ["sequence", 6, "sequence"], ["sequence2", 6, "sequence"]]), "error": "FIELD_COUNT"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["worker", 5, "node"], ["worker", 5, "node"], ["sequence", 12, "sequence"]]), "error": "DUPLICATE_FIELD"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["Data-Center", 10, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["", 10, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        # node fields sit beside the parts' own attributes and the generators'
        # options in every binding: those names, and a leading _, are reserved
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["tick", 10, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["worker", 5, "node"], ["layout", 5, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["__proto__", 10, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        # every option name is reserved (derived from the options table)
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["protect", 10, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        {"spec": spec(fields=[["timestamp", 41, "timestamp"], ["worker", 5, "node"], ["window_ms", 5, "node"], ["sequence", 12, "sequence"]]), "error": "FIELD_NAME"},
        {"spec": spec(tick_ms=0), "error": "TICK_OUT_OF_RANGE"},
        {"spec": spec(tick_ms=86400001), "error": "TICK_OUT_OF_RANGE"},
        {"spec": spec(epoch_ms=32503680000000), "error": "EPOCH_IN_FUTURE"},
        {"spec": spec(fields=[["timestamp", 61, "timestamp"], ["n", 1, "node"], ["sequence", 1, "sequence"]], tick_ms=86400000), "error": "FIELD_WIDTH"},
    ]
    invalid_presets = [{"name": n, "error": "UNKNOWN_LAYOUT"} for n in ("snowflake", "", "TWITTER", "Discord", " twitter")]
    invalid_ids = [
        {"layout": "twitter", "id": str(1 << 63), "error": "ID_OUT_OF_RANGE"},
        {"layout": "sonyflake", "id": str((1 << 64) - 1), "error": "ID_OUT_OF_RANGE"},
    ]
    invalid_compose = [
        {"layout": "twitter", "timestamp_ms": 1700000000000, "sequence": 4096, "nodes": {"datacenter": 0, "worker": 0}, "error": "FIELD_OUT_OF_RANGE"},
        {"layout": "twitter", "timestamp_ms": 1700000000000, "sequence": 0, "nodes": {"datacenter": 32, "worker": 0}, "error": "FIELD_OUT_OF_RANGE"},
        {"layout": "twitter", "timestamp_ms": 1288834974656, "sequence": 0, "nodes": {"datacenter": 0, "worker": 0}, "error": "TIMESTAMP_OUT_OF_RANGE"},
        {"layout": "tiny", "timestamp_ms": 1000000000000 + (1 << 20) * 1000, "sequence": 0, "nodes": {"node": 0}, "error": "TIMESTAMP_OUT_OF_RANGE"},
        {"layout": "instagram", "timestamp_ms": 1700000000000, "sequence": 0, "nodes": {"shard": 0, "worker": 1}, "error": "UNKNOWN_FIELD"},
        {"layout": "discord", "timestamp_ms": 1700000000000, "sequence": 0, "nodes": {"worker": 1}, "error": "MISSING_FIELD"},
    ]

    tw0 = 1700000000000
    runs = [
        run("twitter", {"datacenter": 1, "worker": 7}, tw0,
            [("next",), ("next",), ("advance", 1), ("next",), ("batch", 3), ("advance", 5), ("next",)]),
        # a clock step back: error until the clock catches up, then resume above
        run("twitter", {"datacenter": 0, "worker": 3}, tw0,
            [("next",), ("advance", -10), ("next",), ("advance", 9), ("next",), ("advance", 1), ("next",), ("advance", 1), ("next",)]),
        # sequence exhaustion under a manual clock: a batch stops short, then the error
        run("twitter", {"datacenter": 31, "worker": 31}, tw0,
            [("batch", 4095), ("next",), ("next",), ("advance", 1), ("next",)]),
        # borrowing two ticks ahead, then the clock catches up
        run("instagram", {"shard": 1341}, tw0,
            [("batch", 1024), ("next",), ("batch", 1023), ("next",), ("next",), ("advance", 1), ("next",), ("advance", 5), ("next",)], max_borrow=2),
        # 10 ms ticks: moves inside a tick keep the tick
        run("sonyflake", {"machine": 513}, tw0 + 7,
            [("next",), ("advance", 2), ("next",), ("advance", 1), ("next",), ("advance", -15), ("next",)]),
        run("region", {"region": 5, "zone": 9, "host": 100}, 1650000000000,
            [("batch", 5), ("advance", 4), ("next",), ("advance", 1), ("next",), ("set", 1600000000000 - 1), ("next",)]),
        # the time field runs out
        run("tiny", {"node": 77}, 1000000000000 + ((1 << 20) - 1) * 1000,
            [("next",), ("advance", 1000), ("next",)]),
        run("discord", {"worker": 1, "process": 0}, 1462015105796,
            [("next",), ("next",), ("advance", 1), ("batch", 2)]),
    ]

    from_core = [
        ("LAYOUT_BITS_SUM", 1), ("FIELD_WIDTH", 2), ("FIELD_NAME", 3), ("DUPLICATE_FIELD", 4), ("FIELD_COUNT", 5),
        ("TICK_OUT_OF_RANGE", 6), ("EPOCH_IN_FUTURE", 7), ("UNKNOWN_LAYOUT", 8), ("FIELD_OUT_OF_RANGE", 10),
        ("UNKNOWN_FIELD", 11), ("MISSING_FIELD", 12), ("ID_OUT_OF_RANGE", 13), ("TIMESTAMP_OUT_OF_RANGE", 14),
        ("INVALID_SETTING", 15), ("WRONG_TYPE", 16), ("CLOCK_MOVED_BACKWARDS", 20), ("CLOCK_BEFORE_EPOCH", 21), ("TIME_EXHAUSTED", 22),
        ("SEQUENCE_EXHAUSTED", 23), ("FORKED", 24), ("PARSE_EMPTY", 30), ("PARSE_LENGTH", 31), ("PARSE_CHARACTER", 32),
        ("PARSE_OVERFLOW", 33), ("UNKNOWN_ENCODING", 34), ("NO_FREE_SLOT", 50), ("BEHIND_HIGH_WATER", 51),
        ("STATE_IO", 52), ("STATE_CORRUPT", 53), ("NODE_IN_USE", 54),
        ("LEASE_LOST", 55), ("LEASE_TAKEN", 56), ("COORDINATION_UNAVAILABLE", 57), ("NODE_SOURCE_REQUIRED", 58),
        ("SEGMENT_KEY", 80), ("SEGMENT_STORE_URL", 81), ("SEGMENT_EXHAUSTED", 82), ("SEGMENT_STORE_UNAVAILABLE", 83),
        ("PUBLIC_ID_KEY", 90), ("PUBLIC_ID_CHECK", 91),
        ("REMOTE_UNAVAILABLE", 92), ("REMOTE_TIMEOUT", 93), ("UNAUTHORIZED", 94),
    ]
    invalid_input = {"SEGMENT_KEY", "SEGMENT_STORE_URL", "PUBLIC_ID_KEY", "PUBLIC_ID_CHECK"}
    # the call itself malformed (a bad keyword argument): TypeError in Python and JS
    type_error = {"WRONG_TYPE", "UNKNOWN_FIELD", "MISSING_FIELD"}
    errors = [{"code": c, "number": n,
               "kind": "unavailable" if (20 <= n < 30 or n >= 50) and c not in invalid_input else "invalid_input",
               "type_error": c in type_error}
              for c, n in from_core]

    doc = {
        "version": 1,
        "comment": "Generated by testdata/gen_vectors.py; see testdata/README.md. 64-bit values are decimal strings.",
        "errors": errors,
        "layouts": [layout_json(l) for l in LAYOUTS],
        "ids": ids,
        "bounds": bounds_cases,
        "encodings": encodings,
        "parse_aliases": parse_aliases,
        "invalid_strings": invalid_strings,
        "invalid_layouts": invalid_layouts,
        "invalid_presets": invalid_presets,
        "invalid_ids": invalid_ids,
        "invalid_compose": invalid_compose,
        "runs": runs,
        "options": options_cases(),
        "segments": segment_cases(),
        "remote": remote_cases(),
        "wide": wide_vectors(),
        "service_counts": service_count_cases(),
        "uuid": uuid_vectors(),
        "public_ids": public_id_vectors(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")


SEGMENT_KEY_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


def segment_key_error(key):
    """SEGMENT_KEY unless the key is 1..=128 bytes of A-Z a-z 0-9 _ - . and
    does not start with '.' (testdata/OPTIONS.md, "Segment keys")."""
    if not key or len(key.encode()) > 128 or any(c not in SEGMENT_KEY_CHARS for c in key) or key[0] == ".":
        return "SEGMENT_KEY"
    return None


def store_url_error(url, features=()):
    """SEGMENT_STORE_URL for a store URL this build cannot use; None when
    valid (testdata/OPTIONS.md, "Segment store URLs"). `features`: the optional
    stores compiled in ("postgres", "redis")."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "SEGMENT_STORE_URL"
    if scheme == "file":
        return None if rest.startswith("/") and "?" not in rest and "#" not in rest else "SEGMENT_STORE_URL"
    if scheme in ("postgres", "postgresql", "redis", "rediss"):
        authority = re.split(r"[/?]", rest, maxsplit=1)[0]
        host = authority.rsplit("@", 1)[-1]
        if not host or host.startswith(":"):
            return "SEGMENT_STORE_URL"
        if ":" in host and not host.endswith("]"):
            port = host.rsplit(":", 1)[1]
            if not port.isdigit() or int(port) > 65535:
                return "SEGMENT_STORE_URL"
        feature = "postgres" if scheme.startswith("postgres") else "redis"
        return None if feature in features else "SEGMENT_STORE_URL"
    return "SEGMENT_STORE_URL"


def segment_cases():
    keys = ["orders", "a", "Invoice-2026_eu.v2", "k" * 128, "", "k" * 129, "a/b", "a b", "..", ".hidden",
            "orders\n", "caf\u00e9", "x:y", "-ok", "_ok"]
    urls = ["file:///var/lib/snowid/segments", "file:///", "", "/tmp/x", "file://relative/dir", "file://",
            "file:///x?y=1", "ftp://host/x", "postgres://snowid@127.0.0.1:25432/snowid", "postgresql://h/db",
            "postgres:///db", "postgres://h:99999/db", "redis://127.0.0.1:6379/", "rediss://h/",
            "redis://:pw@/", "redis://h:x/", "mysql://h/db"]
    return {
        "comment": "key: error code or null; url: error code in a build without / with the postgres and redis features",
        "keys": [{"key": k, "error": segment_key_error(k)} for k in keys],
        "store_urls": [{"url": u, "error_default": store_url_error(u),
                        "error_all_features": store_url_error(u, ("postgres", "redis"))} for u in urls],
        "options": segment_option_cases(),
        "default_stores": default_store_cases(),
    }


def segment_option_cases():
    """`allow_volatile_store` (testdata/OPTIONS.md, "Segment options"): a
    boolean, false by default; `options` go with a file store, so no store is
    judged. Result: the resolved value, or the error code."""
    cases = [[], [("allow_volatile_store", True)], [("allowVolatileStore", False)],
             [("allow_volatile_store", 1)], [("allow_volatile_store", 0)], [("allow_volatile_store", 2)],
             [("allow_volatile_store", "yes")], [("allow_volatile_store", True), ("allowVolatileStore", True)],
             [("allow_volatile_stores", True)]]
    out = []
    for pairs in cases:
        seen = set()
        try:
            value = False
            for name, _ in pairs:  # names first: unknown, or given twice
                canon = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)
                if canon != "allow_volatile_store" or canon in seen:
                    raise OptionError("INVALID_SETTING")
                seen.add(canon)
            for _, v in pairs:
                kind = "bool" if isinstance(v, bool) else "int" if isinstance(v, int) else "str"
                value = as_bool((kind, v))
            out.append({"options": [[n, v] for n, v in pairs], "allow_volatile_store": value, "error": None})
        except OptionError as e:
            out.append({"options": [[n, v] for n, v in pairs], "allow_volatile_store": None, "error": e.code})
    return out


REMOTE_KEYS = ["prefetch_at", "url", "token", "key", "batch", "timeout_ms"]


def remote_url(url):
    """The normalised URL of a service (testdata/OPTIONS.md, "Remote
    generator options"), or OptionError."""
    bad = OptionError("INVALID_SETTING")
    m = re.match(r"(?i)(https?)://", url)
    if not m:
        raise bad
    tls = m.group(1).lower() == "https"
    rest = url[m.end():]
    if any(not 0x21 <= ord(c) <= 0x7E for c in rest) or "?" in rest or "#" in rest:
        raise bad
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        raise bad
    if authority.startswith("["):
        host, close, tail = authority[1:].partition("]")
        if not close or (tail and not tail.startswith(":")):
            raise bad
        port = tail[1:] if tail else None
    elif ":" in authority:
        host, _, port = authority.rpartition(":")
    else:
        host, port = authority, None
    if not host:
        raise bad
    if port is None:
        port = 443 if tls else 80
    elif not port.isdigit() or not 1 <= int(port) <= 65535:
        raise bad
    shown = "[" + host + "]" if ":" in host else host
    prefix = ("/" + path).rstrip("/") if slash else ""
    return "%s://%s:%d%s" % ("https" if tls else "http", shown, int(port), prefix)


def remote_resolve(pairs):
    """Remote generator options (name, (kind, value)) -> settings, in the
    order of the rules: unknown names, a name twice, url (required), token,
    key, batch, prefetch_at, timeout_ms."""
    canon = [re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), n) for n, _ in pairs]
    if any(c not in REMOTE_KEYS for c in canon) or len(set(canon)) != len(canon):
        raise OptionError("INVALID_SETTING")
    d = dict(zip(canon, (v for _, v in pairs)))
    if "url" not in d:
        raise OptionError("INVALID_SETTING")
    url = remote_url(as_str(d["url"]))
    token = None
    if "token" in d:
        token = as_str(d["token"])
        if not token or len(token.encode()) > 4096 or any(not 0x21 <= ord(c) <= 0x7E for c in token):
            raise OptionError("INVALID_SETTING")
    key = None
    if "key" in d:
        key = as_str(d["key"])
        if segment_key_error(key):
            raise OptionError("SEGMENT_KEY")
    batch = as_int_in(d["batch"], 1, 65536) if "batch" in d else 4096
    prefetch = as_int_in(d["prefetch_at"], 0, 99) if "prefetch_at" in d else 10
    timeout = as_int_in(d["timeout_ms"], 1, 600000) if "timeout_ms" in d else 5000
    return {"batch": batch, "key": key, "prefetch_at": prefetch, "timeout_ms": timeout,
            "token": token is not None, "url": url}


def remote_cases():
    """RemoteGenerator options -> resolved settings (`token`: whether one is
    set; it is never shown) or the error code. No request is made: a valid
    case only builds the generator."""
    u = ("url", "http://127.0.0.1:1")
    cases = [
        [u], [("url", "HTTP://Example.COM")], [("url", "https://ids.example/api/")],
        [("url", "http://[::1]:9/")], [("url", "http://h:65535/a/b")],
        [], [("url", "")], [("url", "ftp://h")], [("url", "http://")], [("url", "http://:80")],
        [("url", "http://h:0")], [("url", "http://h:65536")], [("url", "http://h:+1")], [("url", "http://h:")],
        [("url", "http://u:p@h")], [("url", "http://h/?count=1")], [("url", "http://h/#x")],
        [("url", "http://h h")], [("url", "http://[::1")], [("url", "http://[::1]x")], [("url", "http://hé")],
        [("url", 5)], [("url", True)],
        [u, ("token", "s3cret")], [u, ("token", "")], [u, ("token", "a b")], [u, ("token", "x" * 4096)],
        [u, ("token", "x" * 4097)], [u, ("token", "café")], [u, ("token", 7)],
        [u, ("key", "orders")], [u, ("key", "a/b")], [u, ("key", "")], [u, ("key", 1)],
        [u, ("batch", 1)], [u, ("batch", 65536)], [u, ("batch", 0)], [u, ("batch", 65537)], [u, ("batch", -1)],
        [u, ("batch", "10")], [u, ("batch", True)],
        [u, ("prefetch_at", 0)], [u, ("prefetchAt", 99)], [u, ("prefetch_at", 100)],
        [u, ("timeout_ms", 1)], [u, ("timeoutMs", 600000)], [u, ("timeout_ms", 0)], [u, ("timeout_ms", 600001)],
        [u, ("batch", 10), ("batch", 10)], [u, ("batch", 10), ("Batch", 10)], [u, ("batchSize", 10)],
        [u, ("timeout_ms", 10), ("timeoutMs", 10)], [u, ("store", "file:///x")],
        # the order of the checks: names, then url, token, key, batch, prefetch_at, timeout_ms
        [("url", "ftp://h"), ("batch", 0)], [u, ("key", "a/b"), ("batch", 0)], [u, ("token", ""), ("key", "a/b")],
        [("batch", 0), ("nope", 1)],
    ]
    out = []
    for pairs in cases:
        typed = [(n, ("bool" if isinstance(v, bool) else "int" if isinstance(v, int)
                      else "float" if isinstance(v, float) else "str", v)) for n, v in pairs]
        try:
            settings, error = remote_resolve(typed), None
        except OptionError as e:
            settings, error = None, e.code
        out.append({"options": [[n, v] for n, v in pairs], "settings": settings, "error": error})
    return {
        "comment": "options in order -> settings (token: whether one is set) or error code",
        "cases": out,
    }


MACHINE_STORE_DIR = "/var/lib/snowid/segments"
REPLICATED_MARKERS = ("KUBERNETES_SERVICE_HOST", "AWS_LAMBDA_FUNCTION_NAME", "K_SERVICE")


def default_store(store, env):
    """The store a Segment uses (testdata/OPTIONS.md, "Segment options",
    `store`), as a URL, or the error code. Unix."""
    if store is not None:
        return store_url_error(store) or store
    if env.get("SNOWID_SEGMENT_STORE"):
        url = env["SNOWID_SEGMENT_STORE"]
        return store_url_error(url) or url
    if any(env.get(k) for k in REPLICATED_MARKERS):
        # Every replica has its own filesystem: a default file store there
        # would hand out the same IDs on every replica.
        return "SEGMENT_STORE_URL"
    if env.get("SNOWID_STATE_DIR"):
        return "file://" + env["SNOWID_STATE_DIR"] + "/segments"
    return "file://" + MACHINE_STORE_DIR


def default_store_cases():
    k8s = {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    cases = [
        (None, {}),
        (None, {"HOME": "/home/alice"}),
        (None, {"HOME": "/nonexistent", "USER": "nobody", "XDG_STATE_HOME": "/x"}),
        (None, {"SNOWID_STATE_DIR": "/srv/state"}),
        (None, {"SNOWID_SEGMENT_STORE": "file:///shared/segments"}),
        (None, dict(k8s, HOSTNAME="web-7f9c-abcde")),
        (None, dict(k8s, HOSTNAME="web-3")),
        (None, dict(k8s, SNOWID_STATE_DIR="/data")),
        (None, dict(k8s, SNOWID_SEGMENT_STORE="file:///mnt/shared")),
        ("file:///data/segments", dict(k8s, HOSTNAME="web-3")),
        (None, {"AWS_LAMBDA_FUNCTION_NAME": "f"}),
        ("file:///tmp/segments", {"AWS_LAMBDA_FUNCTION_NAME": "f"}),
        (None, {"K_SERVICE": "svc"}),
        (None, {"K_SERVICE": "svc", "SNOWID_NODE_SOURCE": "local"}),
    ]
    return [{"store": store, "env": env, "expect": default_store(store, env)} for store, env in cases]


def service_count(raw, most):
    """The `count` of a service batch from its raw query text
    (`snowid::value::query_count`): percent-decoded (`+` is a space, a
    malformed escape stays as it is), then an optional `-` and ASCII
    digits is an integer, which must be 1..=most; anything else
    (not UTF-8 either) is WRONG_TYPE."""
    import re
    import urllib.parse
    b = urllib.parse.unquote_to_bytes(raw.replace("+", " "))
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        return {"error": "WRONG_TYPE"}
    if not re.fullmatch(r"-?[0-9]+", text, flags=re.ASCII):
        return {"error": "WRONG_TYPE"}
    n = int(text)
    return {"count": n} if 1 <= n <= most else {"error": "INVALID_SETTING"}


def service_count_cases():
    raws = ["1", "65536", "007", "%35", "%36%35%35%33%36", "%36%35%35%33%37", "65537", "0", "-0", "-1",
            "9" * 44, "-" + "9" * 44, "", "-", "abc", "1.5", "1e3", "0x10", "+5", "%2B5", " 5", "%20",
            "%zz", "%ff", "%3", "5%00"]
    return [{"raw": r, "max": 65536, **service_count(r, 65536)} for r in raws]


if __name__ == "__main__":
    main()
