#!/usr/bin/env python3
"""Runs the Python and JavaScript snippets of a README, so the docs cannot drift.

usage: readme_snippets.py README.md [--python PY] [--node-package DIR]

Every ```python block runs with PY (a venv where snowid is installed), every
```js block with `node`, where `require('snowid')` resolves to DIR. Each
snippet runs in its own process with a fresh SNOWID_STATE_DIR; a snippet
fails the run if it exits non-zero. (Rust snippets are doctests of the core;
C snippets are compiled by the C binding's tests.)

Blocks whose info string says `db` (```python db) talk to a database: they
run only with --db, which passes SNOWID_TEST_POSTGRES_URL through (the
PostgreSQL of scripts/services.sh) and lets `require` find the drivers
installed under --node-modules (`pg`); Python's come from the venv
(`sqlite3`, `psycopg`). With --db only those blocks run.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile


def blocks(text, lang, db=False):
    found = re.findall(r"^```" + lang + r"([^\n]*)\n(.*?)^```", text, flags=re.S | re.M)
    return [code for info, code in found if ("db" in info.split()) == db]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("readme")
    ap.add_argument("--python")
    ap.add_argument("--node-package")
    ap.add_argument("--db", action="store_true", help="run only the ```LANG db blocks")
    ap.add_argument("--node-modules", help="a node_modules folder with the database drivers")
    a = ap.parse_args()
    text = open(a.readme, encoding="utf-8").read()
    ran = 0
    with tempfile.TemporaryDirectory(prefix="snowid-readme-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
        env["SNOWID_HOST_LOCK_DIR"] = "off"
        if a.db:
            url = os.environ.get("SNOWID_TEST_POSTGRES_URL")
            if not url:
                print("--db needs SNOWID_TEST_POSTGRES_URL (make test-segments starts PostgreSQL)", file=sys.stderr)
                return 1
            env["SNOWID_TEST_POSTGRES_URL"] = url
            if a.node_modules:
                env["NODE_PATH"] = os.path.abspath(a.node_modules)
        jobs = []
        if a.python:
            py = os.path.abspath(a.python)
            jobs += [([py, "-c", code], code) for code in blocks(text, "python", a.db)]
        if a.node_package:
            mods = os.path.join(tmp, "node_modules")
            os.makedirs(mods)
            os.symlink(os.path.abspath(a.node_package), os.path.join(mods, "snowid"))
            jobs += [(["node", "-e", code], code) for code in blocks(text, "js", a.db)]
        for i, (cmd, code) in enumerate(jobs):
            env["SNOWID_STATE_DIR"] = os.path.join(tmp, f"state-{i}")
            r = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                print(f"{a.readme}: snippet {i + 1} failed:\n{code}\n--- stderr ---\n{r.stderr}", file=sys.stderr)
                return 1
            ran += 1
    print(f"{a.readme}: {ran} snippets ran")
    return 0 if ran else 1


if __name__ == "__main__":
    sys.exit(main())
