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

from cdata import Header, cbytes, cstr, i64, load, status, u64

KINDS = {"timestamp": "SNOWID_FIELD_TIMESTAMP", "node": "SNOWID_FIELD_NODE", "sequence": "SNOWID_FIELD_SEQUENCE"}


def fields_array(o, fields):
    name = o.fresh("vfields")
    o.array("snowid_field_spec_t", name, [
        "{ %s, %d, %s }" % (cstr(f["name"]), f["bits"], KINDS.get(f["kind"], "SNOWID_FIELD_INFERRED")) for f in fields])
    return name, len(fields)


def spec_init(fa, count, spec):
    return "{ %s, %s, %d, %d, %s, %s }" % (
        cstr(spec["name"]), fa, count, 1 if spec["sign_bit"] else 0, u64(spec["epoch_ms"]), u64(spec["tick_ms"]))


def nodes_init(o, nodes):
    return "%s, %s, %d" % o.named_nodes(nodes)


def run_step(o, s):
    op = s["op"]
    err = status(s.get("error"))
    if op in ("set", "advance"):
        return "{ %s, %s, 0, NULL, 0, SNOWID_OK }" % ("V_SET" if op == "set" else "V_ADVANCE", i64(s["ms"]))
    if op == "next":
        if "expect" not in s:
            return "{ V_NEXT, 0, 1, NULL, 0, %s }" % err
        arr = o.fresh("vexpect")
        o.emit("static const uint64_t %s[] = { %s };" % (arr, u64(s["expect"])))
        return "{ V_NEXT, 0, 1, %s, 1, SNOWID_OK }" % arr
    if op == "batch":
        if "expect" not in s:
            return "{ V_BATCH, 0, %d, NULL, 0, %s }" % (s["n"], err)
        arr = o.fresh("vexpect")
        vals = [u64(x) for x in s["expect"]]
        rows = [", ".join(vals[i:i + 4]) for i in range(0, len(vals), 4)]
        o.emit("static const uint64_t %s[] = {\n  %s\n};" % (arr, ",\n  ".join(rows)))
        return "{ V_BATCH, 0, %d, %s, %d, SNOWID_OK }" % (s["n"], arr, len(s["expect"]))
    raise SystemExit("unknown op " + op)


def key_bytes(hex_text):
    return cbytes(bytes.fromhex(hex_text)), len(hex_text) // 2


def public_ids_section(o, p):
    """Keyed public IDs: keys as byte literals with their length."""
    o.emit()
    o.emit("/* keyed public IDs */")
    o.table("v_public_id", ["const char *key", "uint32_t key_len", "const char *context", "uint64_t id",
                            "const char *text"], "V_PUBLIC_IDS", [
        "{ %s, %d, %s, %s, %s }" % (*key_bytes(v["key_hex"]), cstr(v["context"]), u64(v["id"]), cstr(v["text"]))
        for v in p["cases"] + p["aliases"]])
    o.table("v_public_bad_text", ["const char *key", "uint32_t key_len", "const char *context", "const char *text",
                                  "snowid_status error"], "V_PUBLIC_BAD_TEXTS", [
        "{ %s, %d, %s, %s, %s }" % (*key_bytes(v["key_hex"]), cstr(v["context"]), cstr(v["text"]), status(v["code"]))
        for v in p["invalid_texts"]])
    o.table("v_public_bad_key", ["const char *key", "uint32_t key_len", "snowid_status error"], "V_PUBLIC_BAD_KEYS", [
        "{ %s, %d, %s }" % (*key_bytes(v["key_hex"]), status(v["code"])) for v in p["invalid_keys"]])
    o.table("v_public_bad_context", ["const char *context", "snowid_status error"], "V_PUBLIC_BAD_CONTEXTS", [
        "{ %s, %s }" % (cstr(v["context"]), status(v["code"])) for v in p["invalid_contexts"]])


def main():
    src, dst = sys.argv[1], sys.argv[2]
    doc = load(src)
    o = Header("gen_vectors_h.py")
    o.emit()

    o.table("v_error", ["const char *code", "uint32_t number", "snowid_status status", "const char *kind"], "V_ERRORS", [
        "{ %s, %d, %s, %s }" % (cstr(e["code"]), e["number"], status(e["code"]), cstr(e["kind"])) for e in doc["errors"]])

    rows = []
    for l in doc["layouts"]:
        fa, n = fields_array(o, l["fields"])
        cap = "{ %s }" % ", ".join(u64(l["capacity"][k]) for k in
                                   ["lifespan_ms", "end_ms", "ids_per_tick", "ids_per_second_per_node", "nodes"])
        rows.append("{ %s, %d, %s, %s, %s }" % (cstr(l["name"]), 1 if l["preset"] else 0, spec_init(fa, n, l),
                                                 u64(l["max_id"]), cap))
    o.table("v_layout", ["const char *name", "int preset", "snowid_layout_spec_t spec", "uint64_t max_id",
                         "snowid_capacity_t capacity"], "V_LAYOUTS", rows)

    rows = ["{ %s, %s, %s, %s, %s, %s }" % (cstr(v["layout"]), u64(v["id"]), u64(v["timestamp_ms"]), u64(v["tick"]),
                                            u64(v["sequence"]), nodes_init(o, v["nodes"])) for v in doc["ids"]]
    o.table("v_id", ["const char *layout", "uint64_t id", "uint64_t timestamp_ms", "uint64_t tick", "uint64_t sequence",
                     "const char *const *node_names", "const uint64_t *node_values", "uint32_t node_count"], "V_IDS", rows)

    o.table("v_bound", ["const char *layout", "int64_t timestamp_ms", "uint64_t min_id", "uint64_t max_id"], "V_BOUNDS", [
        "{ %s, %s, %s, %s }" % (cstr(v["layout"]), i64(v["timestamp_ms"]), u64(v["min_id"]), u64(v["max_id"]))
        for v in doc["bounds"]])

    o.typedef("v_encoding", ["uint64_t id", "const char *text[4]"], "decimal, hex, base32, base62")
    o.array("v_encoding", "V_ENCODINGS", [
        "{ %s, { %s } }" % (u64(v["id"]), ", ".join(cstr(v[k]) for k in ["decimal", "hex", "base32", "base62"]))
        for v in doc["encodings"]])

    o.table("v_alias", ["const char *encoding", "const char *input", "uint64_t id"], "V_PARSE_ALIASES", [
        "{ %s, %s, %s }" % (cstr(v["encoding"]), cstr(v["input"]), u64(v["id"])) for v in doc["parse_aliases"]])

    o.table("v_invalid_string", ["const char *encoding", "const char *input", "snowid_status error"], "V_INVALID_STRINGS", [
        "{ %s, %s, %s }" % (cstr(v["encoding"]), cstr(v["input"]), status(v["error"])) for v in doc["invalid_strings"]])

    rows = []
    for v in doc["invalid_layouts"]:
        fa, n = fields_array(o, v["spec"]["fields"])
        rows.append("{ %s, %s }" % (spec_init(fa, n, v["spec"]), status(v["error"])))
    o.table("v_invalid_layout", ["snowid_layout_spec_t spec", "snowid_status error"], "V_INVALID_LAYOUTS", rows)

    o.table("v_invalid_preset", ["const char *name", "snowid_status error"], "V_INVALID_PRESETS", [
        "{ %s, %s }" % (cstr(v["name"]), status(v["error"])) for v in doc["invalid_presets"]])

    o.table("v_invalid_id", ["const char *layout", "uint64_t id", "snowid_status error"], "V_INVALID_IDS", [
        "{ %s, %s, %s }" % (cstr(v["layout"]), u64(v["id"]), status(v["error"])) for v in doc["invalid_ids"]])

    rows = ["{ %s, %s, %s, %s, %s }" % (cstr(v["layout"]), u64(v["timestamp_ms"]), u64(v["sequence"]),
                                        nodes_init(o, v["nodes"]), status(v["error"])) for v in doc["invalid_compose"]]
    o.table("v_invalid_compose", ["const char *layout", "uint64_t timestamp_ms", "uint64_t sequence",
                                  "const char *const *node_names", "const uint64_t *node_values", "uint32_t node_count",
                                  "snowid_status error"], "V_INVALID_COMPOSE", rows)

    o.emit("enum { V_SET, V_ADVANCE, V_NEXT, V_BATCH };")
    o.typedef("v_step", ["int op", "int64_t ms", "uint64_t n", "const uint64_t *expect", "uint32_t expect_count",
                         "snowid_status error"])
    rows = []
    for r in doc["runs"]:
        nodes = nodes_init(o, r["nodes"])
        steps = [run_step(o, s) for s in r["steps"]]
        sa = o.fresh("vsteps")
        o.emit("static const v_step %s[] = {\n  %s\n};" % (sa, ",\n  ".join(steps)))
        rows.append("{ %s, %s, %s, %s, %d, %s, %d }" % (
            cstr(r["layout"]), nodes, u64(r["start_ms"]), u64(r["max_borrow_ticks"]),
            1 if r["on_regression"] == "fail" else 0, sa, len(steps)))
    o.table("v_run", ["const char *layout", "const char *const *node_names", "const uint64_t *node_values",
                      "uint32_t node_count", "uint64_t start_ms", "uint64_t max_borrow_ticks", "int fail_on_regression",
                      "const v_step *steps", "uint32_t step_count"], "V_RUNS", rows)
    options_section(o, doc)
    o.emit()
    o.emit("/* segment keys and store URLs (this library is built with the postgres and redis stores) */")
    o.typedef("v_segment_case", ["const char *text", "snowid_status error"])
    o.array("v_segment_case", "V_SEGMENT_KEYS", [
        "{ %s, %s }" % (cstr(v["key"]), status(v["error"])) for v in doc["segments"]["keys"]])
    o.array("v_segment_case", "V_SEGMENT_URLS", [
        "{ %s, %s }" % (cstr(v["url"]), status(v["error_all_features"])) for v in doc["segments"]["store_urls"]])

    public_ids_section(o, doc["public_ids"])
    o.emit("#define V_COUNT(a) (sizeof(a) / sizeof((a)[0]))")
    o.write(dst)


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

    def in_order(nodes):
        names = order.get(e.get("layout"), list(nodes))
        return {k: nodes[k] for k in sorted(nodes, key=lambda k: names.index(k) if k in names else 99)}

    if isinstance(e.get("nodes"), dict):
        e["nodes"] = in_order(e["nodes"])
    if isinstance(e.get("lane_nodes"), list):
        e["lane_nodes"] = [in_order(n) for n in e["lane_nodes"]]
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
            inits.append("{ %s, %s, NULL, %d, %s, %d, %s, %s, %d, %s, %s }" % (
                target, why, 0 if case["options"] is None else 1, opts, len(entries), names, values,
                len(env), expect, error))
        except Skip as s:
            inits.append("{ %s, %s, %s, 0, NULL, 0, NULL, NULL, 0, NULL, SNOWID_OK }" % (target, why, cstr(str(s))))
    o.array("v_options_case", "V_OPTIONS",
            inits or ["{ 0, NULL, \"no options section\", 0, NULL, 0, NULL, NULL, 0, NULL, SNOWID_OK }"])


if __name__ == "__main__":
    main()
