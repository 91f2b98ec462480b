#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from testdata/vectors.json,
in the byte formats of fuzz_targets/common/mod.rs, into fuzz/seeds/<target>/
(committed; `make fuzz-seeds` rewrites it, `make test-fuzz` checks it is up
to date). One file per vector, named by the SHA-1 of its bytes as libFuzzer
names corpus files."""

import hashlib
import json
import shutil
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VECTORS = json.loads((HERE.parent / "testdata" / "vectors.json").read_text())
ENCODINGS = ["decimal", "hex", "base32", "base62"]
KINDS = {"timestamp": 0, "node": 1, "sequence": 2, None: 3}
C_KINDS = {"timestamp": 1, "node": 2, "sequence": 3, None: 0}
C_TARGETS = {"generator": 0, "default": 1, "inspect": 2}


def u8(n):
    return struct.pack("<B", n & 0xFF)


def u64(n):
    return struct.pack("<Q", n & (2**64 - 1))


def i64(n):
    return struct.pack("<q", n)


def text(s):
    b = s.encode() if isinstance(s, str) else s
    return u8(len(b)) + b[:255]


def layout_bytes(spec, builder=False):
    flags = (1 if spec["sign_bit"] else 0) | (2 if builder else 0)
    out = u8(flags) + u64(spec["epoch_ms"]) + u64(spec["tick_ms"]) + text(spec.get("name", "custom"))
    out += u8(len(spec["fields"]))
    for f in spec["fields"]:
        out += u8(KINDS[f.get("kind")]) + u8(f["bits"]) + text(f["name"])
    return out


def value_bytes(v):
    if isinstance(v, bool):
        return u8(6) + u8(int(v))
    if isinstance(v, int):
        return u8(1) + i64(v) if -(2**63) <= v < 2**63 else u8(2) + text(str(v))
    if isinstance(v, float):
        return u8(3) + struct.pack("<d", v)
    if isinstance(v, str):
        return u8(4) + text(v)
    if isinstance(v, dict):
        (kind, x), = v.items()
        if kind == "bytes":
            return u8(5) + text(bytes.fromhex(x))
        if kind == "int":
            n = int(x)
            return u8(0) + n.to_bytes(16, "little", signed=True) if -(2**127) <= n < 2**127 else u8(2) + text(x)
        if kind == "float":
            return u8(3) + struct.pack("<d", float(x))
        if kind == "real":
            return u8(9) + struct.pack("<d", float(x))
        if kind == "manual_clock":
            return u8(8) + u64(x)
        if kind in ("layout_of", "other"):
            return u8(7) + text(x)
    return u8(7) + text(type(v).__name__)


def seeds():
    out = {t: [] for t in ("parse", "layout", "roundtrip", "options", "c_abi", "wide")}
    for e in VECTORS["encodings"]:
        for i, name in enumerate(ENCODINGS):
            out["parse"].append(u8(i) + e[name].encode())
            # c_abi: op 1 (encode) and op 0 (parse)
            out["c_abi"].append(u8(1) + u64(int(e["id"])) + u8(i) + u8(39) + u8(0) + u8(i) + text(e[name]))
    for a in VECTORS["parse_aliases"] + VECTORS["invalid_strings"]:
        i = ENCODINGS.index(a["encoding"]) if a["encoding"] in ENCODINGS else 0
        out["parse"].append(u8(i) + a["input"].encode())
        out["c_abi"].append(u8(0) + u8(i) + text(a["input"]) + u8(0) + u8(2) + text(a["encoding"]))
    ids_of = {}
    for v in VECTORS["ids"]:
        ids_of.setdefault(v["layout"], []).append(v)
    for spec in VECTORS["layouts"]:
        for builder in (False, True):
            lb = layout_bytes(spec, builder)
            out["layout"].append(lb + i64(1700000000000))
            rt = lb
            for v in ids_of.get(spec["name"], []):
                rt += u64(int(v["id"])) + u64(v["tick"]) + u64(v["sequence"])
                rt += b"".join(u64(n) for n in v["nodes"].values())
            out["roundtrip"].append(rt + u64(int(spec["max_id"])))
        if spec.get("preset"):
            out["c_abi"].append(u8(3) + text(spec["name"]) + u8(1) + u8(1) + text("worker") + u8(200)
                                + u64(int(ids_of.get(spec["name"], [{"id": "0"}])[0]["id"])))
        else:
            fields = spec["fields"]
            op = u8(4) + text(spec["name"]) + u8(len(fields)) + b"".join(text(f["name"]) for f in fields)
            op += b"".join(u8(f["bits"]) + u8(C_KINDS[f.get("kind")]) for f in fields)
            op += u8(0) + u8(1 if spec["sign_bit"] else 0) + u64(spec["epoch_ms"]) + u64(spec["tick_ms"])
            out["c_abi"].append(op)
    for bad in VECTORS["invalid_layouts"]:
        out["layout"].append(layout_bytes(bad["spec"]))
    for p in VECTORS["invalid_presets"]:
        out["layout"].append(u8(0) * 17 + text("x") + u8(0) + p["name"].encode())
        out["c_abi"].append(u8(3) + text(p["name"]))
    for case in VECTORS["options"]:
        b = u8(1 if case["options"] is None else 0) + text(case["target"])
        # c_abi's snowid_test_resolve takes the target as a number
        target = C_TARGETS.get(case["target"], 255)
        for k, v in (case["options"] or {}).items():
            b += u8(0) + text(k) + value_bytes(v)
        for k, v in case["env"].items():
            raw = bytes.fromhex(v["bytes"]) if isinstance(v, dict) else v.encode()
            b += u8(0x80) + text(k) + text(raw)
        out["options"].append(b)
        # c_abi: op 5 with the int/bool/str options and the environment
        opts = [(k, v) for k, v in (case["options"] or {}).items()
                if isinstance(v, (bool, int, str)) and not (isinstance(v, int) and not -(2**63) <= v < 2**63)]
        env = [(k, v) for k, v in case["env"].items() if isinstance(v, str)]
        c = u8(5) + u8(len(opts))
        for k, v in opts:
            if isinstance(v, bool):
                c += text(k) + u8(2) + u8(int(v))
            elif isinstance(v, int):
                c += text(k) + u8(0) + i64(v)
            else:
                c += text(k) + u8(3) + text(v)
        c += u8(len(env)) + b"".join(text(k) for k, _ in env) + b"".join(text(v) for _, v in env)
        c += u8(target) + struct.pack("<H", 512) + u8(0)
        out["c_abi"].append(c[:4096])
    out["wide"] = []
    wide = VECTORS.get("wide", {})
    for e in wide.get("encodings", []):
        for i, name in enumerate(ENCODINGS):
            out["wide"].append(u8(2 * i) + e["encodings"][name].encode())
    for a in wide.get("invalid_strings", []) + wide.get("parse_aliases", []):
        i = ENCODINGS.index(a["encoding"]) if a["encoding"] in ENCODINGS else 0
        out["wide"].append(u8(2 * i) + a["input"].encode())
    for spec in wide.get("layouts", []) + wide.get("invalid_layouts", []):
        layout = spec["options"]["layout"]
        if not isinstance(layout, str):
            continue
        if "fields" in spec and layout == spec.get("name"):
            out["wide"].append(u8(1) + layout.encode())  # a preset by name
            layout = "|".join(f"{f['name']}:{f['bits']}" for f in spec["fields"])
        out["wide"].append(u8(1) + layout.encode())
    return out


def main():
    check = "--check" in sys.argv
    root = HERE / "seeds"
    want = {t: {hashlib.sha1(b).hexdigest(): b for b in bs} for t, bs in seeds().items()}
    if check:
        have = {t: {p.name: p.read_bytes() for p in (root / t).glob("*")} for t in want if (root / t).is_dir()}
        if have != want:
            print("fuzz/seeds is out of date: run `make fuzz-seeds` and commit it", file=sys.stderr)
            return 1
        print(f"fuzz/seeds: up to date ({sum(len(v) for v in want.values())} seeds)")
        return 0
    shutil.rmtree(root, ignore_errors=True)
    for t, files in want.items():
        (root / t).mkdir(parents=True)
        for name, b in files.items():
            (root / t / name).write_bytes(b)
        print(f"fuzz/seeds/{t}: {len(files)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
