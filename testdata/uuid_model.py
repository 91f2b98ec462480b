"""The `uuid` section of vectors.json: the `uuid7` and `ulid` presets and
their text forms, restated from RFC 9562 and the ULID spec, independently
of the Rust core (see gen_vectors.py).

Rules (core/src/wide/layout.rs, core/src/wide/uuid.rs, testdata/OPTIONS.md
"UUIDv7 and ULID"):
- uuid7, 128 bits from the top: unix_ts_ms:48 | version:4 = 7 | sequence:12
  (rand_a, RFC 9562 section 6.2 method 1) | variant:2 = 0b10 | datacenter:8 |
  worker:16 | random:38.
- ulid: unix_ts_ms:48 | sequence:16 | datacenter:8 | worker:16 | random:40.
- UUID text: 8-4-4-4-12 lower-case hex; parsing takes either case and only
  that form (no braces, no urn:uuid:, no hyphen-less 32 digits).
- ULID text: 26 Crockford base32 digits, upper case; parsing is
  case-insensitive, I and L read as 1, O as 0, U and other letters are
  refused, a first digit above 7 (more than 128 bits) is INVALID_SETTING.
"""

import uuid as stdlib_uuid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PRESETS = {
    "uuid7": [("timestamp", 48, "timestamp", None), ("version", 4, "constant", 7), ("sequence", 12, "sequence", None),
              ("variant", 2, "constant", 2), ("datacenter", 8, "node", None), ("worker", 16, "node", None),
              ("random", 38, "random", None)],
    "ulid": [("timestamp", 48, "timestamp", None), ("sequence", 16, "sequence", None), ("datacenter", 8, "node", None),
             ("worker", 16, "node", None), ("random", 40, "random", None)],
}


def placed(preset):
    shift = 128
    out = []
    for name, bits, kind, value in PRESETS[preset]:
        shift -= bits
        out.append((name, bits, kind, value, shift))
    return out


def compose(preset, ms, seq, dc, worker, rnd):
    values = {"timestamp": ms, "sequence": seq, "datacenter": dc, "worker": worker, "random": rnd}
    i = 0
    for name, bits, kind, value, shift in placed(preset):
        v = value if kind == "constant" else values[name]
        assert 0 <= v < (1 << bits), (name, v)
        i |= v << shift
    return i


def uuid_text(i):
    h = "%032x" % i
    return "-".join([h[:8], h[8:12], h[12:16], h[16:20], h[20:]])


def ulid_text(i):
    return "".join(CROCKFORD[(i >> (5 * (25 - k))) & 31] for k in range(26))


def parse_uuid(s):
    if s == "":
        return {"error": "PARSE_EMPTY"}
    if len(s) != 36:
        return {"error": "PARSE_LENGTH"}
    for k, c in enumerate(s):
        ok = c == "-" if k in (8, 13, 18, 23) else c in "0123456789abcdefABCDEF"
        if not ok:
            return {"error": "PARSE_CHARACTER"}
    return {"id": int(s.replace("-", ""), 16)}


def parse_ulid(s):
    if s == "":
        return {"error": "PARSE_EMPTY"}
    if len(s) != 26:
        return {"error": "PARSE_LENGTH"}
    v = 0
    for c in s.upper():
        c = {"I": "1", "L": "1", "O": "0"}.get(c, c)
        if c not in CROCKFORD:
            return {"error": "PARSE_CHARACTER"}
        v = v * 32 + CROCKFORD.index(c)
    if v >= 1 << 128:
        return {"error": "INVALID_SETTING"}
    return {"id": v}


def decode(preset, i):
    out = {}
    for name, bits, kind, value, shift in placed(preset):
        v = (i >> shift) & ((1 << bits) - 1)
        if kind == "constant" and v != value:
            return {"error": "INVALID_SETTING"}
        out[name] = v
    return out


def uuid_vectors():
    layouts = [{"preset": p,
                "fields": [dict({"name": n, "bits": b, "kind": k}, **({"value": v} if v is not None else {}))
                           for n, b, k, v, _ in placed(p)],
                "ids_per_tick": 1 << dict((n, b) for n, b, *_ in PRESETS[p])["sequence"],
                "nodes": 1 << 24}
               for p in PRESETS]
    inputs = [
        (0, 0, 0, 0, 0),
        (1_800_000_000_123, 7, 3, 700, 0x12_3456_789A),
        (1_733_616_000_000, 4095, 255, 65535, (1 << 38) - 1),
        ((1 << 48) - 1, 1, 1, 1, 1),
    ]
    ids = []
    for preset in PRESETS:
        for ms, seq, dc, worker, rnd in inputs:
            rnd &= (1 << dict((n, b) for n, b, *_ in PRESETS[preset])["random"]) - 1
            i = compose(preset, ms, seq, dc, worker, rnd)
            case = {"preset": preset, "id": str(i), "timestamp_ms": ms, "sequence": seq,
                    "nodes": {"datacenter": dc, "worker": worker}, "random": str(rnd),
                    "bytes": "%032x" % i, "uuid": uuid_text(i), "ulid": ulid_text(i)}
            if preset == "uuid7":
                # The standard library's reading, as a second opinion.
                u = stdlib_uuid.UUID(int=i)
                assert u.version == 7 and u.variant == stdlib_uuid.RFC_4122, case
                assert str(u) == case["uuid"]
            assert decode(preset, i)["timestamp"] == ms
            ids.append(case)
    parse_aliases = [
        {"format": "uuid", "input": "018F3C1E-7D2A-7ABC-8DEF-0123456789AB"},
        {"format": "uuid", "input": "018f3c1e-7d2a-7ABC-8def-0123456789ab"},
        {"format": "ulid", "input": "01arz3ndektsv4rrffq69g5fav"},
        {"format": "ulid", "input": "0IARZ3NDEKTSV4RRFFQ69G5FAV"},
        {"format": "ulid", "input": "OLARZ3NDEKTSV4RRFFQ69G5FAV"},
        {"format": "ulid", "input": "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"},
    ]
    for a in parse_aliases:
        r = (parse_uuid if a["format"] == "uuid" else parse_ulid)(a["input"])
        a["id"] = str(r["id"])
    bad = [
        ("uuid", ""), ("uuid", "{018f3c1e-7d2a-7abc-8def-0123456789ab}"),
        ("uuid", "urn:uuid:018f3c1e-7d2a-7abc-8def-0123456789ab"), ("uuid", "018f3c1e7d2a7abc8def0123456789ab"),
        ("uuid", "018f3c1e-7d2a-7abc-8def-0123456789ag"), ("uuid", "018f3c1e07d2a-7abc-8def-0123456789ab"),
        ("uuid", "018f3c1e-7d2a-7abc-8def-0123456789a "), ("uuid", "018f3c1e_7d2a_7abc_8def_0123456789ab"),
        ("ulid", ""), ("ulid", "01ARZ3NDEKTSV4RRFFQ69G5FA"), ("ulid", "01ARZ3NDEKTSV4RRFFQ69G5FAVV"),
        ("ulid", "01ARZ3NDEKTSV4RRFFQ69G5FAU"), ("ulid", "01ARZ3NDEKTSV4RRFFQ69G5FA-"),
        ("ulid", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"), ("ulid", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"),
    ]
    invalid_strings = [{"format": f, "input": s,
                        "code": (parse_uuid if f == "uuid" else parse_ulid)(s)["error"]} for f, s in bad]
    invalid_ids = []
    for text in ["018f3c1e-7d2a-4abc-8def-0123456789ab", "018f3c1e-7d2a-7abc-cdef-0123456789ab",
                 "00000000-0000-0000-0000-000000000000"]:
        i = parse_uuid(text)["id"]
        invalid_ids.append({"preset": "uuid7", "id": str(i), "uuid": text, "code": decode("uuid7", i)["error"]})
    return {
        "comment": "uuid7 and ulid (testdata/uuid_model.py); ids and random bits are decimal strings, bytes big-endian hex.",
        "layouts": layouts,
        "ids": ids,
        "parse_aliases": parse_aliases,
        "invalid_strings": invalid_strings,
        "invalid_ids": invalid_ids,
    }
