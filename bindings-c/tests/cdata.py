"""C data for the C tests, written once for both header generators
(gen_vectors_h.py: the 64-bit sections of testdata/vectors.json;
gen_wide_h.py: the "wide" section): literals, and a header being written
with its tables.

Literals: 64-bit values as UINT64_C / INT64_C, 128-bit ones as
`{ hi, lo }` snowid_u128_t initialisers, strings as C literals with every
byte outside printable ASCII as a 3-digit octal escape, error codes as the
header's status constants (SNOWID_ERR_<CODE>), so a code missing from
snowid.h is a compile error, not a silent skip.
"""

import json


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


def cstr(s):
    return cbytes(s.encode("utf-8"))


def u64(v):
    return "UINT64_C(%d)" % int(v)


def i64(v):
    v = int(v)
    return "INT64_C(%d)" % v if v >= 0 else "(-INT64_C(%d))" % -v


def u128(v):
    v = int(v)
    return "{ %s, %s }" % (u64(v >> 64), u64(v & ((1 << 64) - 1)))


def status(code):
    return "SNOWID_ERR_" + code if code else "SNOWID_OK"


class Header:
    """A generated header: lines, fresh names for helper arrays, tables."""

    def __init__(self, generator, includes=("stddef.h", "stdint.h")):
        self.lines = []
        self.n = 0
        self.emit("/* Generated from testdata/vectors.json by tests/%s. Do not edit. */" % generator)
        for h in includes:
            self.emit("#include <%s>" % h)
        self.emit('#include "snowid.h"')

    def emit(self, s=""):
        self.lines.append(s)

    def fresh(self, prefix):
        self.n += 1
        return "%s_%d" % (prefix, self.n)

    def typedef(self, name, fields, comment=""):
        """`typedef struct { fields } name;` (fields: C declarations)."""
        self.emit("typedef struct { %s } %s;%s" % (" ".join(f + ";" for f in fields), name,
                                                   " /* %s */" % comment if comment else ""))

    def array(self, ctype, name, rows):
        """`static const ctype name[] = { rows };`, one row (an
        initialiser without its comma) a line."""
        self.emit("static const %s %s[] = {" % (ctype, name))
        self.lines += ["  %s," % r for r in rows]
        self.emit("};")

    def table(self, ctype, fields, name, rows):
        """A struct type and one array of it. Build `rows` first: helper
        arrays they refer to are emitted while they are built."""
        self.typedef(ctype, fields)
        self.array(ctype, name, rows)

    def named_nodes(self, nodes, prefix="v"):
        """(names array, values array, count) for a {name: value} object;
        NULL, NULL, 0 when it is empty."""
        if not nodes:
            return "NULL", "NULL", 0
        names = self.fresh(prefix + "names")
        values = self.fresh(prefix + "values")
        self.emit("static const char *const %s[] = { %s };" % (names, ", ".join(cstr(k) for k in nodes)))
        self.emit("static const uint64_t %s[] = { %s };" % (values, ", ".join(u64(v) for v in nodes.values())))
        return names, values, len(nodes)

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def load(path, section=None):
    with open(path) as f:
        doc = json.load(f)
    return doc[section] if section else doc
