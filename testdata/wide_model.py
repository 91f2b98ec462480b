"""The `wide` section of vectors.json: layouts up to 128 bits and the JS-safe
preset, restated independently of the Rust core (see gen_vectors.py).

Rules (core/src/wide, testdata/OPTIONS.md "Wide layouts"):
- a wide layout is `layout` (a preset name, or fields "name:bits|..." whose
  kind follows from the name) plus `width` (default 128) and `tick_ms`
  (default 1) for custom fields, and `epoch` (default: the preset's, 0 for
  custom fields);
- fields fill exactly `width` bits (1..=128), most significant first;
- one timestamp (1..=64 bits), one sequence (1..=62 bits), 1..=4 node fields
  (1..=32 bits each, at most 62 bits in all);
- the last instant of the time field fits u64 milliseconds.
"""

MAX_WIDE = 128
JS_SAFE = 53
U128_MAX = (1 << 128) - 1

PRESETS = {
    "wide128": {"fields": [("timestamp", 64), ("datacenter", 16), ("worker", 32), ("sequence", 16)],
                "epoch_ms": 0, "tick_ms": 1, "width": 128},
    "jssafe": {"fields": [("timestamp", 38), ("worker", 7), ("sequence", 8)],
               "epoch_ms": 1735689600000, "tick_ms": 10, "width": 53},
}
RESERVED = ["id", "layout", "epoch", "clock", "timestamp", "timestamp_ms", "tick", "sequence", "nodes",
            "to_dict", "on_regression", "max_wait_ms", "max_borrow_ticks", "node_source", "state_dir", "persist"]
NOW_MS = 1_764_000_000_000  # any epoch in the cases below is well before this


class Bad(Exception):
    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


def kind_of(name):
    return name if name in ("timestamp", "sequence") else "node"


def valid_name(n):
    return 0 < len(n) <= 32 and all(c.islower() and c.isascii() or c.isdigit() or c == "_" for c in n) \
        and not n[0].isdigit()


def build(name, fields, epoch_ms, tick_ms, width):
    """A validated layout dict, or Bad(code)."""
    if not (1 <= width <= MAX_WIDE):
        raise Bad("INVALID_SETTING")
    kinds = [kind_of(n) for n, _ in fields]
    for k, lo, hi in (("timestamp", 1, 1), ("sequence", 1, 1), ("node", 1, 4)):
        if not lo <= kinds.count(k) <= hi:
            raise Bad("FIELD_COUNT")
    seen = set()
    for (n, b), k in zip(fields, kinds):
        if not valid_name(n) or (k == "node" and (n.startswith("_") or n in RESERVED)):
            raise Bad("FIELD_NAME")
        if n in seen:
            raise Bad("DUPLICATE_FIELD")
        seen.add(n)
        if not 1 <= b <= {"node": 32, "timestamp": 64, "sequence": 62}[k]:
            raise Bad("FIELD_WIDTH")
    if sum(b for _, b in fields) != width:
        raise Bad("LAYOUT_BITS_SUM")
    if sum(b for (n, b), k in zip(fields, kinds) if k == "node") > 62:
        raise Bad("INVALID_SETTING")
    if not 1 <= tick_ms <= 86_400_000:
        raise Bad("TICK_OUT_OF_RANGE")
    if epoch_ms > NOW_MS:
        raise Bad("EPOCH_IN_FUTURE")
    tbits = dict(fields)["timestamp"] if "timestamp" in dict(fields) else None
    if epoch_ms + (1 << tbits) * tick_ms - 1 > (1 << 64) - 1:
        raise Bad("FIELD_WIDTH")
    geo, pos = [], width
    for (n, b), k in zip(fields, kinds):
        pos -= b
        geo.append((n, b, k, pos))
    return {"name": name, "fields": fields, "geo": geo, "epoch_ms": epoch_ms, "tick_ms": tick_ms, "width": width}


def from_options(o):
    """The layout the options ask for, or Bad(code)."""
    text = o.get("layout", "wide128")
    if not isinstance(text, str):
        raise Bad("WRONG_TYPE")
    if ":" not in text:
        if "width" in o or "tick_ms" in o:
            raise Bad("INVALID_SETTING")
        if text not in PRESETS:
            raise Bad("INVALID_SETTING")
        p = PRESETS[text]
        l = build(text, p["fields"], p["epoch_ms"], p["tick_ms"], p["width"])
    else:
        fields = []
        for part in text.split("|"):
            if ":" not in part:
                raise Bad("INVALID_SETTING")
            n, b = part.split(":", 1)
            if not (b.isdigit() and b.isascii() and len(b) <= 3):
                raise Bad("INVALID_SETTING")
            if len(fields) == 6:
                raise Bad("FIELD_COUNT")
            fields.append((n, int(b)))
        width = o.get("width", 128)
        if not isinstance(width, int) or isinstance(width, bool):
            raise Bad("WRONG_TYPE")
        if not 1 <= width <= 128:
            raise Bad("INVALID_SETTING")
        tick = o.get("tick_ms", 1)
        if not 1 <= tick <= 86_400_000:
            raise Bad("INVALID_SETTING")
        l = build("custom", fields, 0, tick, width)
    if "epoch" in o:
        if o["epoch"] < 0:
            raise Bad("INVALID_SETTING")
        l = build(l["name"], l["fields"], o["epoch"], l["tick_ms"], l["width"])
    return l


def get(l, kind):
    return next(f for f in l["geo"] if f[2] == kind)


def node_fields(l):
    return [f for f in l["geo"] if f[2] == "node"]


def compose(l, tick, seq, nodes):
    out = (tick << get(l, "timestamp")[3]) | (seq << get(l, "sequence")[3])
    for n, _, _, shift in node_fields(l):
        out |= nodes[n] << shift
    return out


def decode(l, i):
    def val(f):
        return (i >> f[3]) & ((1 << f[1]) - 1)
    tick = val(get(l, "timestamp"))
    return {"timestamp_ms": l["epoch_ms"] + tick * l["tick_ms"], "tick": tick,
            "sequence": val(get(l, "sequence")), "nodes": {f[0]: val(f) for f in node_fields(l)}}


def bounds(l, ms):
    _, tb, _, ts = get(l, "timestamp")
    tick = (ms - l["epoch_ms"]) // l["tick_ms"]
    top = (1 << l["width"]) - 1
    lo = tick << ts
    return lo, lo | ((1 << ts) - 1) | (top & ~((1 << (ts + tb)) - 1))


def capacity(l):
    tb, sb = get(l, "timestamp")[1], get(l, "sequence")[1]
    life = (1 << tb) * l["tick_ms"]
    issue = (1 << min(tb, 63 - sb, 62)) * l["tick_ms"]
    per_tick = 1 << sb
    return {"lifespan_ms": life, "end_ms": l["epoch_ms"] + life, "issue_end_ms": l["epoch_ms"] + min(issue, life),
            "ids_per_tick": per_tick, "ids_per_second_per_node": per_tick * 1000 // l["tick_ms"],
            "nodes": 1 << sum(f[1] for f in node_fields(l))}


ALPHABETS = {
    "decimal": (10, "0123456789", None),
    "hex": (16, "0123456789abcdef", 32),
    "base32": (32, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 26),
    "base62": (62, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 22),
}


def encode(i, enc):
    radix, alphabet, width = ALPHABETS[enc]
    digits = ""
    while i:
        digits = alphabet[i % radix] + digits
        i //= radix
    return digits.rjust(width or 1, "0")


def encodings_of(i):
    return {e: encode(i, e) for e in ALPHABETS}


def run(key, l, options, nodes, start_ms, steps):
    """A manual-clock run: positions (tick, sequence) in increasing order;
    a spent tick is SEQUENCE_EXHAUSTED (a manual clock never moves by
    itself), a clock behind the last tick CLOCK_MOVED_BACKWARDS."""
    per_tick = 1 << get(l, "sequence")[1]
    nxt, now, out = None, start_ms, []

    def take():
        nonlocal nxt
        t = (now - l["epoch_ms"]) // l["tick_ms"]
        ct, cs = nxt if nxt else (0, 0)
        if (t, 0) > (ct, cs):
            ct, cs = t, 0
        elif ct > t:
            return "SEQUENCE_EXHAUSTED" if cs == 0 and ct - 1 == t else "CLOCK_MOVED_BACKWARDS"
        nxt = (ct + 1, 0) if cs + 1 == per_tick else (ct, cs + 1)
        return compose(l, ct, cs, nodes)

    for s in steps:
        if s[0] == "advance":
            now += s[1]
            out.append({"op": "advance", "ms": s[1]})
        elif s[0] == "next":
            r = take()
            out.append({"op": "next", "error": r} if isinstance(r, str) else {"op": "next", "expect": str(r)})
        elif s[0] == "batch":
            ids = []
            for _ in range(s[1]):
                r = take()
                if isinstance(r, str):
                    break
                ids.append(str(r))
            out.append({"op": "batch", "n": s[1], "expect": ids})
    return {"layout": key, "options": options, "nodes": nodes, "start_ms": start_ms, "steps": out}


LAYOUT_CASES = [
    ("wide128", {"layout": "wide128"}),
    ("jssafe", {"layout": "jssafe"}),
    ("w96", {"layout": "timestamp:48|region:8|host:24|sequence:16", "width": 96, "epoch": 1700000000000}),
    ("tail80", {"layout": "timestamp:40|sequence:20|zone:4|host:16", "width": 80, "tick_ms": 5,
                "epoch": 1600000000000}),
    ("js41", {"layout": "timestamp:41|worker:4|sequence:8", "width": 53, "epoch": 1700000000000}),
]

INVALID_LAYOUTS = [
    {"layout": "timestamp:40|worker:10|sequence:12", "width": 53},
    {"layout": "timestamp:41|worker:4|sequence:9", "width": 53, "epoch": 1700000000000},
    {"layout": "timestamp:64|datacenter:32|worker:16|sequence:20"},
    {"layout": "timestamp:64|worker:48|sequence:16", "width": 130},
    {"layout": "timestamp:66|worker:32|region:14|sequence:16"},
    {"layout": "timestamp:33|worker:32|sequence:63"},
    {"layout": "timestamp:32|a:32|b:32|sequence:32"},
    {"layout": "timestamp:64|worker:32|sequence:16", "width": 112, "epoch": 1},
    {"layout": "timestamp:64|worker:48"},
    {"layout": "timestamp|worker:48"},
    {"layout": "timestamp:64|tick:48|sequence:16"},
    {"layout": "wide64"},
    {"layout": "wide128", "width": 128},
    {"layout": 128},
    {"layout": "timestamp:48|worker:8|sequence:8", "width": 64, "tick_ms": 0},
    {"layout": "jssafe", "epoch": 4102444800000},
]


def wide_vectors():
    layouts, by_key = [], {}
    for key, o in LAYOUT_CASES:
        l = from_options(o)
        by_key[key] = l
        layouts.append({
            "key": key, "options": o, "name": l["name"], "width": l["width"],
            "fields": [{"name": n, "bits": b, "kind": k} for n, b, k, _ in l["geo"]],
            "epoch_ms": l["epoch_ms"], "tick_ms": l["tick_ms"], "max_id": str((1 << l["width"]) - 1),
            "js_safe": l["width"] <= JS_SAFE,
            "capacity": {k: str(v) for k, v in capacity(l).items()},
        })
    ids = []
    for key, l in by_key.items():
        tmax = (1 << get(l, "timestamp")[1]) - 1
        smax = (1 << get(l, "sequence")[1]) - 1
        now_tick = (1_800_000_000_123 - l["epoch_ms"]) // l["tick_ms"]
        for tick, seq, fill in ((0, 0, "zero"), (now_tick, 7, "one"), (now_tick, smax, "max"), (tmax, smax, "max")):
            nodes = {f[0]: (0 if fill == "zero" else 1 if fill == "one" else (1 << f[1]) - 1)
                     for f in node_fields(l)}
            i = compose(l, tick, seq, nodes)
            d = decode(l, i)
            assert (d["tick"], d["sequence"], d["nodes"]) == (tick, seq, nodes)
            assert i <= (1 << l["width"]) - 1
            ids.append({"layout": key, "id": str(i), "timestamp_ms": str(d["timestamp_ms"]), "tick": str(tick),
                        "sequence": seq, "nodes": nodes, "encodings": encodings_of(i)})
    bound_cases = []
    for key, l in by_key.items():
        for ms in (l["epoch_ms"], 1_800_000_000_123):
            lo, hi = bounds(l, ms)
            bound_cases.append({"layout": key, "ms": ms, "min": str(lo), "max": str(hi)})
    encodings = [{"id": str(i), "encodings": encodings_of(i)}
                 for i in (0, 1, (1 << 53) - 1, (1 << 64), (1 << 100) + 12345, U128_MAX)]
    invalid_layouts = []
    for o in INVALID_LAYOUTS:
        try:
            from_options(o)
            raise AssertionError(f"valid: {o}")
        except Bad as e:
            invalid_layouts.append({"options": o, "code": e.code})
    invalid_ids = [
        {"layout": "jssafe", "id": str(1 << 53), "code": "ID_OUT_OF_RANGE"},
        {"layout": "js41", "id": str((1 << 64) - 1), "code": "ID_OUT_OF_RANGE"},
        {"layout": "w96", "id": str(1 << 96), "code": "INVALID_SETTING"},
        {"layout": "wide128", "id": str(1 << 128), "code": "INVALID_SETTING"},
        {"layout": "wide128", "id": "-1", "code": "INVALID_SETTING"},
    ]
    invalid_strings = [
        {"encoding": "hex", "input": "0" * 31, "code": "PARSE_LENGTH"},
        {"encoding": "hex", "input": "0" * 31 + "g", "code": "PARSE_CHARACTER"},
        {"encoding": "base32", "input": "8" + "Z" * 25, "code": "INVALID_SETTING"},
        {"encoding": "base32", "input": "0" * 25 + "U", "code": "PARSE_CHARACTER"},
        {"encoding": "base62", "input": "z" * 22, "code": "INVALID_SETTING"},
        {"encoding": "decimal", "input": str(1 << 128), "code": "INVALID_SETTING"},
        {"encoding": "decimal", "input": "1" * 40, "code": "PARSE_LENGTH"},
        {"encoding": "decimal", "input": "", "code": "PARSE_EMPTY"},
    ]
    parse_aliases = [
        {"encoding": "base32", "input": "0" * 24 + "il", "id": str(33)},
        {"encoding": "base32", "input": "0" * 24 + "oZ", "id": str(31)},
        {"encoding": "hex", "input": "0" * 30 + "FF", "id": str(255)},
    ]
    runs = [
        run("jssafe", by_key["jssafe"], {"layout": "jssafe"}, {"worker": 5}, 1_800_000_000_005,
            [("next",), ("next",), ("advance", 10), ("batch", 3), ("advance", -30), ("next",), ("advance", 30),
             ("batch", 256), ("next",), ("advance", 10), ("next",)]),
        run("wide128", by_key["wide128"], {"layout": "wide128"}, {"datacenter": 513, "worker": 4000000000},
            1_800_000_000_000, [("next",), ("batch", 2), ("advance", 1), ("next",), ("advance", -5), ("next",)]),
        run("tail80", by_key["tail80"], LAYOUT_CASES[3][1], {"zone": 3, "host": 65535}, 1_800_000_000_003,
            [("next",), ("advance", 2), ("next",), ("advance", 3), ("batch", 2)]),
    ]
    return {
        "comment": "Layouts up to 128 bits and the JS-safe preset (testdata/wide_model.py); ids, ticks and timestamps of ids are decimal strings.",
        "layouts": layouts, "ids": ids, "bounds": bound_cases, "encodings": encodings,
        "invalid_layouts": invalid_layouts, "invalid_ids": invalid_ids, "invalid_strings": invalid_strings,
        "parse_aliases": parse_aliases, "runs": runs,
    }
