#!/usr/bin/env python3
"""Every Kotlin, Java and XML block of a README is a region of a tested file.

A block must follow a line `<!-- snippet: PATH NAME -->` (PATH relative to
this directory's parent of scripts/); its text must equal, after removing
the common indentation, the lines between `START NAME` and `END NAME`
comment lines in PATH. `make test-readme` runs this, so the README's code
cannot drift from what the tests and `make demo` run.
"""
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
LANGS = {"kotlin", "java", "xml"}


def region(path: Path, name: str) -> str:
    lines = path.read_text().splitlines()
    start = [i for i, l in enumerate(lines) if re.search(rf"\bSTART {re.escape(name)}\b", l)]
    end = [i for i, l in enumerate(lines) if re.search(rf"\bEND {re.escape(name)}\b", l)]
    if len(start) != 1 or len(end) != 1 or end[0] <= start[0]:
        raise SystemExit(f"{path}: no single START/END region {name!r}")
    return textwrap.dedent("\n".join(lines[start[0] + 1 : end[0]])).strip("\n")


def main(readme: str) -> None:
    text = (HERE / readme).read_text()
    lines = text.splitlines()
    checked, errors = 0, []
    i = 0
    while i < len(lines):
        m = re.match(r"```(\w+)", lines[i])
        if not m or m.group(1) not in LANGS:
            i += 1
            continue
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        block = "\n".join(lines[i + 1 : j]).strip("\n")
        marker = re.match(r"<!-- snippet: (\S+) (\S+) -->", lines[i - 1]) if i else None
        if not marker:
            errors.append(f"{readme}:{i + 1}: {m.group(1)} block without a snippet marker")
        else:
            want = region(HERE / marker.group(1), marker.group(2))
            if block != want:
                errors.append(f"{readme}:{i + 1}: differs from {marker.group(1)} {marker.group(2)}:\n{want}")
            checked += 1
        i = j + 1
    if errors:
        raise SystemExit("\n".join(errors))
    print(f"{readme}: {checked} snippets match their tested sources")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "README.md")
