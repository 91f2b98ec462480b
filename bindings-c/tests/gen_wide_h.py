#!/usr/bin/env python3
"""Turns the "wide" section of testdata/vectors.json into C data for
tests/test_wide.c (128-bit values as {hi, lo} snowid_u128_t initialisers).

Usage: gen_wide_h.py VECTORS_JSON OUT_H
"""

import json
import sys

ENCODINGS = ["decimal", "hex", "base32", "base62"]


def cstr(s):
    return json.dumps(s)  # ASCII only in these vectors


def u128(v):
    v = int(v)
    return "{ UINT64_C(%d), UINT64_C(%d) }" % (v >> 64, v & ((1 << 64) - 1))


def u64(v):
    return "UINT64_C(%d)" % int(v)


class Out:
    def __init__(self):
        self.lines, self.n = [], 0

    def emit(self, s=""):
        self.lines.append(s)

    def fresh(self, p):
        self.n += 1
        return "%s_%d" % (p, self.n)


def options(o, opts):
    name = o.fresh("wopts")
    items = []
    for k, v in opts.items():
        if isinstance(v, str):
            items.append("{ %s, 1, %s, 0 }" % (cstr(k), cstr(v)))
        else:
            items.append("{ %s, 0, NULL, INT64_C(%d) }" % (cstr(k), v))
    o.emit("static const w_opt %s[] = { %s };" % (name, ", ".join(items)))
    return "%s, %d" % (name, len(items))


def nodes(o, d):
    if not d:
        return "NULL, NULL, 0"
    n, v = o.fresh("wnames"), o.fresh("wvalues")
    o.emit("static const char *const %s[] = { %s };" % (n, ", ".join(cstr(k) for k in d)))
    o.emit("static const uint64_t %s[] = { %s };" % (v, ", ".join(u64(x) for x in d.values())))
    return "%s, %s, %d" % (n, v, len(d))


def main():
    w = json.load(open(sys.argv[1]))["wide"]
    o = Out()
    o.emit("/* Generated from testdata/vectors.json by tests/gen_wide_h.py. Do not edit. */")
    o.emit("#include <stdint.h>")
    o.emit('#include "snowid.h"')
    o.emit("typedef struct { const char *key; int is_str; const char *str; int64_t num; } w_opt;")
    rows = []
    for l in w["layouts"]:
        c = l["capacity"]
        rows.append("  { %s, %s, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s }," % (
            cstr(l["key"]), options(o, l["options"]), l["width"], 1 if l["js_safe"] else 0, u64(l["epoch_ms"]),
            u64(l["tick_ms"]), u128(l["max_id"]), u64(c["ids_per_tick"]), u64(c["ids_per_second_per_node"]),
            u64(c["nodes"]), u128(c["lifespan_ms"]), u128(c["end_ms"]), u128(c["issue_end_ms"])))
    o.emit("typedef struct { const char *key; const w_opt *opts; int nopts; uint32_t width; int js_safe; uint64_t epoch_ms;"
           " uint64_t tick_ms; snowid_u128_t max_id; uint64_t ids_per_tick; uint64_t ids_per_second; uint64_t nodes;"
           " snowid_u128_t lifespan_ms; snowid_u128_t end_ms; snowid_u128_t issue_end_ms; } w_layout;")
    o.emit("static const w_layout W_LAYOUTS[] = {")
    o.lines += rows
    o.emit("};")
    rows = []
    for c in w["ids"]:
        rows.append("  { %s, %s, %s, %s, %d, %s, { %s } }," % (
            cstr(c["layout"]), u128(c["id"]), u64(c["timestamp_ms"]), u64(c["tick"]), c["sequence"],
            nodes(o, c["nodes"]), ", ".join(cstr(c["encodings"][e]) for e in ENCODINGS)))
    o.emit("typedef struct { const char *layout; snowid_u128_t id; uint64_t timestamp_ms; uint64_t tick; uint64_t sequence;"
           " const char *const *names; const uint64_t *values; uint32_t count; const char *text[4]; } w_id;")
    o.emit("static const w_id W_IDS[] = {")
    o.lines += rows
    o.emit("};")
    o.emit("typedef struct { const char *layout; int64_t ms; snowid_u128_t min; snowid_u128_t max; } w_bound;")
    o.emit("static const w_bound W_BOUNDS[] = {")
    for b in w["bounds"]:
        o.emit("  { %s, INT64_C(%d), %s, %s }," % (cstr(b["layout"]), b["ms"], u128(b["min"]), u128(b["max"])))
    o.emit("};")
    o.emit("typedef struct { snowid_u128_t id; const char *text[4]; } w_encoding;")
    o.emit("static const w_encoding W_ENCODINGS[] = {")
    for e in w["encodings"]:
        o.emit("  { %s, { %s } }," % (u128(e["id"]), ", ".join(cstr(e["encodings"][k]) for k in ENCODINGS)))
    o.emit("};")
    rows = ["  { %s, SNOWID_ERR_%s }," % (options(o, c["options"]), c["code"]) for c in w["invalid_layouts"]]
    o.emit("typedef struct { const w_opt *opts; int nopts; snowid_status status; } w_bad_layout;")
    o.emit("static const w_bad_layout W_BAD_LAYOUTS[] = {")
    o.lines += rows
    o.emit("};")
    o.emit("typedef struct { const char *layout; snowid_u128_t id; snowid_status status; } w_bad_id;")
    o.emit("static const w_bad_id W_BAD_IDS[] = {")
    for c in w["invalid_ids"]:
        if 0 <= int(c["id"]) < 1 << 128:  # others cannot be a snowid_u128_t
            o.emit("  { %s, %s, SNOWID_ERR_%s }," % (cstr(c["layout"]), u128(c["id"]), c["code"]))
    o.emit("};")
    o.emit("typedef struct { uint32_t encoding; const char *input; snowid_status status; } w_bad_string;")
    o.emit("static const w_bad_string W_BAD_STRINGS[] = {")
    for c in w["invalid_strings"]:
        o.emit("  { %d, %s, SNOWID_ERR_%s }," % (ENCODINGS.index(c["encoding"]), cstr(c["input"]), c["code"]))
    o.emit("};")
    o.emit("typedef struct { uint32_t encoding; const char *input; snowid_u128_t id; } w_alias;")
    o.emit("static const w_alias W_ALIASES[] = {")
    for c in w["parse_aliases"]:
        o.emit("  { %d, %s, %s }," % (ENCODINGS.index(c["encoding"]), cstr(c["input"]), u128(c["id"])))
    o.emit("};")
    # runs: steps op 0 advance, 1 next (ok), 2 next (error), 3 batch
    o.emit("typedef struct { int op; int64_t ms; snowid_u128_t expect; snowid_status status; uint64_t n; const snowid_u128_t *ids; uint64_t nids; } w_step;")
    runs = []
    for r in w["runs"]:
        steps = []
        for s in r["steps"]:
            if s["op"] == "advance":
                steps.append("{ 0, INT64_C(%d), { 0, 0 }, SNOWID_OK, 0, NULL, 0 }" % s["ms"])
            elif s["op"] == "next" and "error" in s:
                steps.append("{ 2, 0, { 0, 0 }, SNOWID_ERR_%s, 0, NULL, 0 }" % s["error"])
            elif s["op"] == "next":
                steps.append("{ 1, 0, %s, SNOWID_OK, 0, NULL, 0 }" % u128(s["expect"]))
            else:
                ids = o.fresh("wbatch")
                o.emit("static const snowid_u128_t %s[] = { %s };" % (ids, ", ".join(u128(x) for x in s["expect"]) or "{ 0, 0 }"))
                steps.append("{ 3, 0, { 0, 0 }, SNOWID_OK, %d, %s, %d }" % (s["n"], ids, len(s["expect"])))
        sn = o.fresh("wsteps")
        o.emit("static const w_step %s[] = { %s };" % (sn, ", ".join(steps)))
        runs.append("  { %s, %s, %s, %s, %d }," % (options(o, r["options"]), nodes(o, r["nodes"]), u64(r["start_ms"]), sn, len(steps)))
    o.emit("typedef struct { const w_opt *opts; int nopts; const char *const *names; const uint64_t *values; uint32_t count;"
           " uint64_t start_ms; const w_step *steps; int nsteps; } w_run;")
    o.emit("static const w_run W_RUNS[] = {")
    o.lines += runs
    o.emit("};")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(o.lines) + "\n")


if __name__ == "__main__":
    main()
