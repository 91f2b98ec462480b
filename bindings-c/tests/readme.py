#!/usr/bin/env python3
"""Keeps bindings-c/README.md's code blocks tested (run by `make test`).

Every fenced block of the README must follow a comment that says how
`make test` covers it:

  <!-- tested: FILE#NAME [FILE#NAME ...] -->
      the block equals the region between `START NAME` and `END NAME`
      comment lines of each FILE (dedented), a file `make test` compiles
      and runs;
  <!-- tested: FILE -->
      every line of the block appears, in order, in FILE;
  <!-- run: NAME -->
      tests/consumer/run.sh runs the block (`readme.py block NAME`);
  <!-- make-targets -->
      each `make -C bindings-c TARGET` line names a rule of the Makefile.

Usage: readme.py check | readme.py block NAME
"""

import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # bindings-c
ROOT = HERE.parent
README = HERE / "README.md"

FENCE = re.compile(r"^```(\w*)\s*$")
TAG = re.compile(r"^<!--\s*(tested|run|make-targets)\s*:?\s*(.*?)\s*-->\s*$")


def blocks():
    """(tag, argument, code, line number) of every fenced block."""
    lines = README.read_text().splitlines()
    out, i, tag = [], 0, None
    while i < len(lines):
        m = TAG.match(lines[i])
        if m:
            tag = (m.group(1), m.group(2), i + 1)
        elif FENCE.match(lines[i]):
            start = i
            i += 1
            body = []
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            code = "\n".join(body) + "\n"
            if tag is None or tag[2] < start - 1:
                out.append((None, None, code, start + 1))
            else:
                out.append((tag[0], tag[1], code, start + 1))
            tag = None
        elif lines[i].strip() and tag is not None and not lines[i].startswith("<!--"):
            tag = None
        i += 1
    return out


def region(path, name):
    text = path.read_text()
    m = re.search(r"^[ \t]*(?:/\*|//|#) START %s(?: \*/)?\n(.*?)^[ \t]*(?:/\*|//|#) END %s\b" % (
        re.escape(name), re.escape(name)), text, re.S | re.M)
    if not m:
        raise SystemExit("%s has no START/END %s region" % (path, name))
    return textwrap.dedent(m.group(1))


def check():
    problems = []
    makefile = (HERE / "Makefile").read_text()
    runner = (HERE / "tests/consumer/run.sh").read_text()
    found = blocks()
    for tag, arg, code, line in found:
        where = "README.md:%d" % line
        if tag is None:
            problems.append("%s: code block without a <!-- tested/run/make-targets --> comment" % where)
        elif tag == "tested":
            for spec in arg.split():
                file, _, name = spec.partition("#")
                path = ROOT / file
                if not path.exists():
                    problems.append("%s: %s does not exist" % (where, file))
                elif name:
                    if region(path, name) != code:
                        problems.append("%s: block differs from %s (region %s)" % (where, file, name))
                else:
                    text = path.read_text()
                    pos = 0
                    for l in code.splitlines():
                        at = text.find(l, pos)
                        if at < 0:
                            problems.append("%s: line %r is not in %s" % (where, l, file))
                            break
                        pos = at + len(l)
        elif tag == "run":
            if ("readme block %s" % arg) not in runner:
                problems.append("%s: tests/consumer/run.sh does not run block %s" % (where, arg))
        elif tag == "make-targets":
            for l in code.splitlines():
                m = re.match(r"make -C bindings-c (\S+)", l)
                if not m or not re.search(r"^%s:" % re.escape(m.group(1)), makefile, re.M):
                    problems.append("%s: %r is not a target of bindings-c/Makefile" % (where, l))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("bindings-c/README.md: %d code blocks, each compiled, run or checked by make test" % len(found))


def block(name):
    for tag, arg, code, _ in blocks():
        if tag == "run" and arg == name:
            sys.stdout.write(code)
            return
    raise SystemExit("README.md has no block <!-- run: %s -->" % name)


if __name__ == "__main__":
    if sys.argv[1:] == ["check"]:
        check()
    elif len(sys.argv) == 3 and sys.argv[1] == "block":
        block(sys.argv[2])
    else:
        raise SystemExit(__doc__)
