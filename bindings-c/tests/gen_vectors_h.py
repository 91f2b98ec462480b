#!/usr/bin/env python3
"""Turns testdata/vectors.json into C data (a header the C tests include).

Usage: gen_vectors_h.py VECTORS_JSON OUT_H

Error codes become the header's status constants (SNOWID_ERR_<CODE>), so a
code missing from snowid.h is a compile error, not a silent skip. 64-bit
values are written as UINT64_C literals; strings as C literals with every
byte outside printable ASCII as a 3-digit octal escape.
"""

import json
import sys

KINDS = {"timestamp": "SNOWID_FIELD_TIMESTAMP", "node": "SNOWID_FIELD_NODE", "sequence": "SNOWID_FIELD_SEQUENCE"}


def cstr(s):
    return cbytes(s.encode("utf-8"))


def cbytes(data):
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\?':
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def u64(v):
    return "UINT64_C(%d)" % int(v)


def i64(v):
    v = int(v)
    return "INT64_C(%d)" % v if v >= 0 else "(-INT64_C(%d))" % -v


def status(code):
    return "SNOWID_ERR_" + code


class Out:
    def __init__(self):
        self.lines = []
        self.n = 0

    def emit(self, s=""):
        self.lines.append(s)

    def fresh(self, prefix):
        self.n += 1
        return "%s_%d" % (prefix, self.n)


def fields_array(o, fields):
    name = o.fresh("vfields")
    o.emit("static const snowid_field_spec_t %s[] = {" % name)
    for f in fields:
        o.emit("  { %s, %d, %s }," % (cstr(f["name"]), f["bits"], KINDS.get(f["kind"], "SNOWID_FIELD_INFERRED")))
    o.emit("};")
    return name, len(fields)


def spec_init(fa, count, spec):
    return "{ %s, %s, %d, %d, %s, %s }" % (
        cstr(spec["name"]), fa, count, 1 if spec["sign_bit"] else 0, u64(spec["epoch_ms"]), u64(spec["tick_ms"]))


def named_nodes(o, nodes):
    """(names array, values array, count) for a {name: value} object."""
    if not nodes:
        return "NULL", "NULL", 0
    names = o.fresh("vnames")
    values = o.fresh("vvalues")
    o.emit("static const char *const %s[] = { %s };" % (names, ", ".join(cstr(k) for k in nodes)))
    o.emit("static const uint64_t %s[] = { %s };" % (values, ", ".join(u64(v) for v in nodes.values())))
    return names, values, len(nodes)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        doc = json.load(f)
    o = Out()
    o.emit("/* Generated from testdata/vectors.json by tests/gen_vectors_h.py. Do not edit. */")
    o.emit("#include <stddef.h>")
    o.emit("#include <stdint.h>")
    o.emit('#include "snowid.h"')
    o.emit()

    o.emit("typedef struct { const char *code; uint32_t number; snowid_status status; const char *kind; } v_error;")
    o.emit("static const v_error V_ERRORS[] = {")
    for e in doc["errors"]:
        o.emit("  { %s, %d, %s, %s }," % (cstr(e["code"]), e["number"], status(e["code"]), cstr(e["kind"])))
    o.emit("};")

    o.emit("typedef struct { const char *name; int preset; snowid_layout_spec_t spec; uint64_t max_id; snowid_capacity_t capacity; } v_layout;")
    inits = []
    for l in doc["layouts"]:
        fa, n = fields_array(o, l["fields"])
        c = l["capacity"]
        cap = "{ %s, %s, %s, %s, %s }" % tuple(u64(c[k]) for k in ["lifespan_ms", "end_ms", "ids_per_tick", "ids_per_second_per_node", "nodes"])
        inits.append("  { %s, %d, %s, %s, %s }," % (cstr(l["name"]), 1 if l["preset"] else 0, spec_init(fa, n, l), u64(l["max_id"]), cap))
    o.emit("static const v_layout V_LAYOUTS[] = {")
    o.lines += inits
    o.emit("};")

    o.emit("typedef struct { const char *layout; uint64_t id; uint64_t timestamp_ms; uint64_t tick; uint64_t sequence;"
           " const char *const *node_names; const uint64_t *node_values; uint32_t node_count; } v_id;")
    inits = []
    for v in doc["ids"]:
        names, values, n = named_nodes(o, v["nodes"])
        inits.append("  { %s, %s, %s, %s, %s, %s, %s, %d }," % (
            cstr(v["layout"]), u64(v["id"]), u64(v["timestamp_ms"]), u64(v["tick"]), u64(v["sequence"]), names, values, n))
    o.emit("static const v_id V_IDS[] = {")
    o.lines += inits
    o.emit("};")

    o.emit("typedef struct { const char *layout; int64_t timestamp_ms; uint64_t min_id; uint64_t max_id; } v_bound;")
    o.emit("static const v_bound V_BOUNDS[] = {")
    for v in doc["bounds"]:
        o.emit("  { %s, %s, %s, %s }," % (cstr(v["layout"]), i64(v["timestamp_ms"]), u64(v["min_id"]), u64(v["max_id"])))
    o.emit("};")

    o.emit("typedef struct { uint64_t id; const char *text[4]; } v_encoding; /* decimal, hex, base32, base62 */")
    o.emit("static const v_encoding V_ENCODINGS[] = {")
    for v in doc["encodings"]:
        o.emit("  { %s, { %s } }," % (u64(v["id"]), ", ".join(cstr(v[k]) for k in ["decimal", "hex", "base32", "base62"])))
    o.emit("};")

    o.emit("typedef struct { const char *encoding; const char *input; uint64_t id; } v_alias;")
    o.emit("static const v_alias V_PARSE_ALIASES[] = {")
    for v in doc["parse_aliases"]:
        o.emit("  { %s, %s, %s }," % (cstr(v["encoding"]), cstr(v["input"]), u64(v["id"])))
    o.emit("};")

    o.emit("typedef struct { const char *encoding; const char *input; snowid_status error; } v_invalid_string;")
    o.emit("static const v_invalid_string V_INVALID_STRINGS[] = {")
    for v in doc["invalid_strings"]:
        o.emit("  { %s, %s, %s }," % (cstr(v["encoding"]), cstr(v["input"]), status(v["error"])))
    o.emit("};")

    o.emit("typedef struct { snowid_layout_spec_t spec; snowid_status error; } v_invalid_layout;")
    inits = []
    for v in doc["invalid_layouts"]:
        fa, n = fields_array(o, v["spec"]["fields"])
        inits.append("  { %s, %s }," % (spec_init(fa, n, v["spec"]), status(v["error"])))
    o.emit("static const v_invalid_layout V_INVALID_LAYOUTS[] = {")
    o.lines += inits
    o.emit("};")

    o.emit("typedef struct { const char *name; snowid_status error; } v_invalid_preset;")
    o.emit("static const v_invalid_preset V_INVALID_PRESETS[] = {")
    for v in doc["invalid_presets"]:
        o.emit("  { %s, %s }," % (cstr(v["name"]), status(v["error"])))
    o.emit("};")

    o.emit("typedef struct { const char *layout; uint64_t id; snowid_status error; } v_invalid_id;")
    o.emit("static const v_invalid_id V_INVALID_IDS[] = {")
    for v in doc["invalid_ids"]:
        o.emit("  { %s, %s, %s }," % (cstr(v["layout"]), u64(v["id"]), status(v["error"])))
    o.emit("};")

    o.emit("typedef struct { const char *layout; uint64_t timestamp_ms; uint64_t sequence; const char *const *node_names;"
           " const uint64_t *node_values; uint32_t node_count; snowid_status error; } v_invalid_compose;")
    inits = []
    for v in doc["invalid_compose"]:
        names, values, n = named_nodes(o, v["nodes"])
        inits.append("  { %s, %s, %s, %s, %s, %d, %s }," % (
            cstr(v["layout"]), u64(v["timestamp_ms"]), u64(v["sequence"]), names, values, n, status(v["error"])))
    o.emit("static const v_invalid_compose V_INVALID_COMPOSE[] = {")
    o.lines += inits
    o.emit("};")

    o.emit("enum { V_SET, V_ADVANCE, V_NEXT, V_BATCH };")
    o.emit("typedef struct { int op; int64_t ms; uint64_t n; const uint64_t *expect; uint32_t expect_count; snowid_status error; } v_step;")
    o.emit("typedef struct { const char *layout; const char *const *node_names; const uint64_t *node_values; uint32_t node_count;"
           " uint64_t start_ms; uint64_t max_borrow_ticks; int fail_on_regression; const v_step *steps; uint32_t step_count; } v_run;")
    inits = []
    for r in doc["runs"]:
        names, values, n = named_nodes(o, r["nodes"])
        steps = []
        for s in r["steps"]:
            op = s["op"]
            err = status(s["error"]) if "error" in s else "SNOWID_OK"
            if op in ("set", "advance"):
                steps.append("{ %s, %s, 0, NULL, 0, SNOWID_OK }" % ("V_SET" if op == "set" else "V_ADVANCE", i64(s["ms"])))
            elif op == "next":
                if "expect" in s:
                    arr = o.fresh("vexpect")
                    o.emit("static const uint64_t %s[] = { %s };" % (arr, u64(s["expect"])))
                    steps.append("{ V_NEXT, 0, 1, %s, 1, SNOWID_OK }" % arr)
                else:
                    steps.append("{ V_NEXT, 0, 1, NULL, 0, %s }" % err)
            elif op == "batch":
                if "expect" in s:
                    arr = o.fresh("vexpect")
                    vals = [u64(x) for x in s["expect"]]
                    rows = [", ".join(vals[i:i + 4]) for i in range(0, len(vals), 4)]
                    o.emit("static const uint64_t %s[] = {\n  %s\n};" % (arr, ",\n  ".join(rows)))
                    steps.append("{ V_BATCH, 0, %d, %s, %d, SNOWID_OK }" % (s["n"], arr, len(s["expect"])))
                else:
                    steps.append("{ V_BATCH, 0, %d, NULL, 0, %s }" % (s["n"], err))
            else:
                raise SystemExit("unknown op " + op)
        sa = o.fresh("vsteps")
        o.emit("static const v_step %s[] = {\n  %s\n};" % (sa, ",\n  ".join(steps)))
        inits.append("  { %s, %s, %s, %d, %s, %s, %d, %s, %d }," % (
            cstr(r["layout"]), names, values, n, u64(r["start_ms"]), u64(r["max_borrow_ticks"]),
            1 if r["on_regression"] == "fail" else 0, sa, len(steps)))
    o.emit("static const v_run V_RUNS[] = {")
    o.lines += inits
    o.emit("};")
    options_section(o, doc)
    o.emit()
    o.emit("/* segment keys and store URLs (this library is built with the postgres and redis stores) */")
    o.emit("typedef struct { const char *text; snowid_status error; } v_segment_case;")
    o.emit("static const v_segment_case V_SEGMENT_KEYS[] = {")
    for v in doc["segments"]["keys"]:
        o.emit("  { %s, %s }," % (cstr(v["key"]), status(v["error"]) if v["error"] else "SNOWID_OK"))
    o.emit("};")
    o.emit("static const v_segment_case V_SEGMENT_URLS[] = {")
    for v in doc["segments"]["store_urls"]:
        e = v["error_all_features"]
        o.emit("  { %s, %s }," % (cstr(v["url"]), status(e) if e else "SNOWID_OK"))
    o.emit("};")

    o.emit("#define V_COUNT(a) (sizeof(a) / sizeof((a)[0]))")

    with open(dst, "w") as f:
        f.write("\n".join(o.lines) + "\n")


class Skip(Exception):
    """A case a C caller cannot express (the reason is printed by the tests)."""


INT64 = range(-(2 ** 63), 2 ** 63)
UINT64 = range(0, 2 ** 64)


def option_entry(key, v):
    """(kind, C initialiser fields) of one option value, or None if absent."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "V_OPT_BOOL", "%d, 0, NULL" % int(v)
    if isinstance(v, int):
        v = {"int": str(v)}
    if isinstance(v, str):
        v = {"text": v}
    if not isinstance(v, dict) or len(v) != 1:
        raise Skip("a JSON %s" % type(v).__name__)
    (form, x), = v.items()
    if form == "int":
        n = int(x)
        if n in INT64:
            return "V_OPT_INT", "0, %s, NULL" % i64(n)
        if n in UINT64:
            return "V_OPT_UINT", "0, %s, NULL" % i64(n - 2 ** 64)  # bits of the uint64_t
        raise Skip("an integer beyond 64 bits")
    if form in ("text", "bytes"):
        data = x.encode("utf-8") if form == "text" else bytes.fromhex(x)
        if b"\0" in data:
            raise Skip("a string with a NUL")
        return "V_OPT_STR", "0, 0, %s" % cbytes(data)
    if form == "manual_clock":
        return "V_OPT_CLOCK", "0, %s, NULL" % i64(int(x))
    if form == "layout_of":
        return "V_OPT_LAYOUT", "0, 0, %s" % cstr(x)
    raise Skip({"float": "a float", "other": "a value of another type"}.get(form, "a %s value" % form))


def canonical(expect, doc):
    """The resolved settings as the core's canonical JSON: sorted keys, no
    spaces, node values in layout order."""
    order = {l["name"]: [f["name"] for f in l["fields"] if f["kind"] == "node"] for l in doc["layouts"]}
    e = dict(expect)
    if isinstance(e.get("nodes"), dict):
        names = order.get(e.get("layout"), list(e["nodes"]))
        e["nodes"] = {k: e["nodes"][k] for k in sorted(e["nodes"], key=lambda k: names.index(k) if k in names else 99)}
    return json.dumps({k: e[k] for k in sorted(e)}, separators=(",", ":"), ensure_ascii=False)


def options_section(o, doc):
    o.emit("enum { V_OPT_INT, V_OPT_UINT, V_OPT_BOOL, V_OPT_STR, V_OPT_CLOCK, V_OPT_LAYOUT };")
    o.emit("typedef struct { const char *key; int kind; int flag; int64_t number; const char *text; } v_option;")
    o.emit("typedef struct { uint32_t target; const char *why; const char *skip; int has_options;"
           " const v_option *options; uint32_t option_count; const char *const *env_names;"
           " const char *const *env_values; uint32_t env_count; const char *expect; snowid_status error; } v_options_case;")
    targets = {"generator": "SNOWID_RESOLVE_GENERATOR", "default": "SNOWID_RESOLVE_DEFAULT", "inspect": "SNOWID_RESOLVE_INSPECT",
               "service": "SNOWID_RESOLVE_SERVICE"}
    inits = []
    for case in doc.get("options", []):
        target = targets[case["target"]]
        why = cstr(case.get("why", ""))
        expect = "NULL"
        error = "SNOWID_OK"
        if "error" in case:
            error = status(case["error"])
        else:
            expect = cstr(canonical(case["expect"], doc))
        decls = []
        try:
            opts = "NULL"
            entries = []
            for k, v in (case["options"] or {}).items():
                e = option_entry(k, v)
                if e is not None:
                    entries.append("  { %s, %s, %s }," % (cstr(k), e[0], e[1]))
            if entries:
                opts = o.fresh("vopts")
                decls.append("static const v_option %s[] = {" % opts)
                decls += entries
                decls.append("};")
            names = values = "NULL"
            env = case["env"]
            if env:
                vals = []
                for k, v in env.items():
                    data = v.encode("utf-8") if isinstance(v, str) else bytes.fromhex(v["bytes"])
                    if b"\0" in data:
                        raise Skip("an environment value with a NUL")
                    vals.append(cbytes(data))
                names = o.fresh("venvn")
                values = o.fresh("venvv")
                decls.append("static const char *const %s[] = { %s };" % (names, ", ".join(cstr(k) for k in env)))
                decls.append("static const char *const %s[] = { %s };" % (values, ", ".join(vals)))
            o.lines += decls
            inits.append("  { %s, %s, NULL, %d, %s, %d, %s, %s, %d, %s, %s }," % (
                target, why, 0 if case["options"] is None else 1, opts, len(entries), names, values,
                len(env), expect, error))
        except Skip as s:
            inits.append("  { %s, %s, %s, 0, NULL, 0, NULL, NULL, 0, NULL, SNOWID_OK }," % (target, why, cstr(str(s))))
    o.emit("static const v_options_case V_OPTIONS[] = {")
    o.lines += inits or ["  { 0, NULL, \"no options section\", 0, NULL, 0, NULL, NULL, 0, NULL, SNOWID_OK },"]
    o.emit("};")


if __name__ == "__main__":
    main()
