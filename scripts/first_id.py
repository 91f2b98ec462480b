#!/usr/bin/env python3
"""Time to the first ID of a process that follows a clean exit.

Rust, Python, Node and C (the C bench binary is built by `make bench-c`).

Each language runs a one-line program twice with one fresh state directory:
the first run claims a slot and reserves a window (1 s by default); the
second starts right after. Before the default generator released its mark
at a clean exit, the second run waited out the window (~1 s); now it should
take about as long as the first. Prints one row per language; never fails
on speed (run by `make bench`).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PY = os.path.join(ROOT, "bindings-python", ".venv", "bin", "python")
RUST = os.path.join(ROOT, "target", "release", "snowid-holder")
NODE_PKG = os.path.join(ROOT, "bindings-node")
C_BENCH = os.path.join(ROOT, "bindings-c", "build", "bench_shared")

PROGRAMS = {
    # in-process timing of the first ID, printed in ms
    "python": [PY, "-c", "import time, snowid; t = time.perf_counter(); snowid.next(); print((time.perf_counter() - t) * 1e3)"],
    "node": ["node", "-e", f"const s = require({NODE_PKG!r}); const t = process.hrtime.bigint(); s.next(); console.log(Number(process.hrtime.bigint() - t) / 1e6)"],
    "c": [C_BENCH, "first-id", "clean"],
    # the CLI has no timer of its own: the whole process
    "rust (CLI, whole process)": [RUST, "--count", "1"],
}


def run(cmd, env):
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    wall = (time.perf_counter() - t) * 1e3
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1:] or ["failed"]
    if cmd[0] == RUST:
        return wall, None
    return float(out.stdout.strip().splitlines()[-1]), None


def main():
    print(f"{'time to first ID':<28} {'1st process':>12} {'2nd process':>12}   (ms; window 1000 ms)")
    for name, cmd in PROGRAMS.items():
        if not os.path.exists(cmd[0]) and shutil.which(cmd[0]) is None:
            print(f"{name:<28} {'skipped: not built':>26}")
            continue
        state = tempfile.mkdtemp(prefix="snowid-first-id-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
        env.update(SNOWID_STATE_DIR=state, SNOWID_HOST_LOCK_DIR="off")
        a, err = run(cmd, env)
        b, err2 = run(cmd, env) if err is None else (None, err)
        shutil.rmtree(state, ignore_errors=True)
        if err or err2:
            print(f"{name:<28} error: {(err or err2)[0]}")
            continue
        print(f"{name:<28} {a:>12.2f} {b:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
