#!/usr/bin/env python3
"""Turns the "wide" section of testdata/vectors.json into C data for
tests/test_wide.c (128-bit values as {hi, lo} snowid_u128_t initialisers).

Usage: gen_wide_h.py VECTORS_JSON OUT_H
"""

import sys

from cdata import Header, cstr, i64, load, status, u128, u64

ENCODINGS = ["decimal", "hex", "base32", "base62"]


def options(o, opts):
    name = o.fresh("wopts")
    items = []
    for k, v in opts.items():
        if isinstance(v, str):
            items.append("{ %s, 1, %s, 0 }" % (cstr(k), cstr(v)))
        else:
            items.append("{ %s, 0, NULL, %s }" % (cstr(k), i64(v)))
    o.emit("static const w_opt %s[] = { %s };" % (name, ", ".join(items)))
    return "%s, %d" % (name, len(items))


def nodes(o, d):
    return "%s, %s, %d" % o.named_nodes(d, "w")


def texts(encodings):
    return "{ %s }" % ", ".join(cstr(encodings[e]) for e in ENCODINGS)


# runs: steps op 0 advance, 1 next (ok), 2 next (error), 3 batch
def run_step(o, s):
    if s["op"] == "advance":
        return "{ 0, %s, { 0, 0 }, SNOWID_OK, 0, NULL, 0 }" % i64(s["ms"])
    if s["op"] == "next" and "error" in s:
        return "{ 2, 0, { 0, 0 }, %s, 0, NULL, 0 }" % status(s["error"])
    if s["op"] == "next":
        return "{ 1, 0, %s, SNOWID_OK, 0, NULL, 0 }" % u128(s["expect"])
    ids = o.fresh("wbatch")
    o.emit("static const snowid_u128_t %s[] = { %s };" % (ids, ", ".join(u128(x) for x in s["expect"]) or "{ 0, 0 }"))
    return "{ 3, 0, { 0, 0 }, SNOWID_OK, %d, %s, %d }" % (s["n"], ids, len(s["expect"]))


def main():
    w = load(sys.argv[1], "wide")
    o = Header("gen_wide_h.py", includes=("stdint.h",))
    o.typedef("w_opt", ["const char *key", "int is_str", "const char *str", "int64_t num"])
    rows = []
    for l in w["layouts"]:
        c = l["capacity"]
        rows.append("{ %s, %s, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s }" % (
            cstr(l["key"]), options(o, l["options"]), l["width"], 1 if l["js_safe"] else 0, u64(l["epoch_ms"]),
            u64(l["tick_ms"]), u128(l["max_id"]), u64(c["ids_per_tick"]), u64(c["ids_per_second_per_node"]),
            u64(c["nodes"]), u128(c["lifespan_ms"]), u128(c["end_ms"]), u128(c["issue_end_ms"])))
    o.table("w_layout", ["const char *key", "const w_opt *opts", "int nopts", "uint32_t width", "int js_safe",
                         "uint64_t epoch_ms", "uint64_t tick_ms", "snowid_u128_t max_id", "uint64_t ids_per_tick",
                         "uint64_t ids_per_second", "uint64_t nodes", "snowid_u128_t lifespan_ms",
                         "snowid_u128_t end_ms", "snowid_u128_t issue_end_ms"], "W_LAYOUTS", rows)
    rows = ["{ %s, %s, %s, %s, %d, %s, %s }" % (
        cstr(c["layout"]), u128(c["id"]), u64(c["timestamp_ms"]), u64(c["tick"]), c["sequence"],
        nodes(o, c["nodes"]), texts(c["encodings"])) for c in w["ids"]]
    o.table("w_id", ["const char *layout", "snowid_u128_t id", "uint64_t timestamp_ms", "uint64_t tick",
                     "uint64_t sequence", "const char *const *names", "const uint64_t *values", "uint32_t count",
                     "const char *text[4]"], "W_IDS", rows)
    o.table("w_bound", ["const char *layout", "int64_t ms", "snowid_u128_t min", "snowid_u128_t max"], "W_BOUNDS", [
        "{ %s, %s, %s, %s }" % (cstr(b["layout"]), i64(b["ms"]), u128(b["min"]), u128(b["max"])) for b in w["bounds"]])
    o.table("w_encoding", ["snowid_u128_t id", "const char *text[4]"], "W_ENCODINGS", [
        "{ %s, %s }" % (u128(e["id"]), texts(e["encodings"])) for e in w["encodings"]])
    rows = ["{ %s, %s }" % (options(o, c["options"]), status(c["code"])) for c in w["invalid_layouts"]]
    o.table("w_bad_layout", ["const w_opt *opts", "int nopts", "snowid_status status"], "W_BAD_LAYOUTS", rows)
    o.table("w_bad_id", ["const char *layout", "snowid_u128_t id", "snowid_status status"], "W_BAD_IDS", [
        "{ %s, %s, %s }" % (cstr(c["layout"]), u128(c["id"]), status(c["code"])) for c in w["invalid_ids"]
        if 0 <= int(c["id"]) < 1 << 128])  # others cannot be a snowid_u128_t
    o.table("w_bad_string", ["uint32_t encoding", "const char *input", "snowid_status status"], "W_BAD_STRINGS", [
        "{ %d, %s, %s }" % (ENCODINGS.index(c["encoding"]), cstr(c["input"]), status(c["code"]))
        for c in w["invalid_strings"]])
    o.table("w_alias", ["uint32_t encoding", "const char *input", "snowid_u128_t id"], "W_ALIASES", [
        "{ %d, %s, %s }" % (ENCODINGS.index(c["encoding"]), cstr(c["input"]), u128(c["id"]))
        for c in w["parse_aliases"]])
    o.typedef("w_step", ["int op", "int64_t ms", "snowid_u128_t expect", "snowid_status status", "uint64_t n",
                         "const snowid_u128_t *ids", "uint64_t nids"])
    rows = []
    for r in w["runs"]:
        steps = [run_step(o, s) for s in r["steps"]]
        sn = o.fresh("wsteps")
        o.emit("static const w_step %s[] = { %s };" % (sn, ", ".join(steps)))
        rows.append("{ %s, %s, %s, %s, %d }" % (options(o, r["options"]), nodes(o, r["nodes"]), u64(r["start_ms"]),
                                                 sn, len(steps)))
    o.table("w_run", ["const w_opt *opts", "int nopts", "const char *const *names", "const uint64_t *values",
                      "uint32_t count", "uint64_t start_ms", "const w_step *steps", "int nsteps"], "W_RUNS", rows)
    # The "uuid" section: uuid7 and ulid IDs as 16 bytes and their texts.
    u = load(sys.argv[1], "uuid")
    o.table("u_id", ["const char *preset", "snowid_u128_t id", "uint64_t timestamp_ms", "uint64_t sequence",
                     "const char *bytes_hex", "const char *uuid", "const char *ulid"], "U_IDS", [
        "{ %s, %s, %s, %s, %s, %s, %s }" % (cstr(c["preset"]), u128(c["id"]), u64(c["timestamp_ms"]),
                                            u64(c["sequence"]), cstr(c["bytes"]), cstr(c["uuid"]), cstr(c["ulid"]))
        for c in u["ids"]])
    o.table("u_text", ["int is_uuid", "const char *input", "snowid_u128_t id"], "U_ALIASES", [
        "{ %d, %s, %s }" % (c["format"] == "uuid", cstr(c["input"]), u128(c["id"])) for c in u["parse_aliases"]])
    o.table("u_bad", ["int is_uuid", "const char *input", "snowid_status status"], "U_BAD_STRINGS", [
        "{ %d, %s, %s }" % (c["format"] == "uuid", cstr(c["input"]), status(c["code"])) for c in u["invalid_strings"]])
    o.write(sys.argv[2])


if __name__ == "__main__":
    main()
