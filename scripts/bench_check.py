#!/usr/bin/env python3
"""`make bench-check`: compares the ratios the benches measured (each within
one run, so a loaded machine shifts both sides alike) with the committed
baselines in scripts/bench_baselines.json and prints what regressed.

    python3 scripts/bench_check.py RATIOS_FILE

RATIOS_FILE holds one JSON object per line, {"key": ..., "ratio": ...},
appended by the benches when $BENCH_RATIOS names it (core/benches/generator.rs,
bindings-python/bench/bench.py, bindings-node/bench/bench.mjs). A ratio
regressed when it exceeds its baseline by more than the tolerance
($BENCH_TOLERANCE, default 0.25: the noise of one run on a shared 2-core
machine); a target (issue 22's table) is reported as missed beside it.
Exit status 1 if anything regressed or a baselined ratio is missing. Not part
of `make test`: it measures speed.
"""

import json
import os
import sys
from pathlib import Path

BASELINES = Path(__file__).with_name("bench_baselines.json")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    tolerance = float(os.environ.get("BENCH_TOLERANCE", "0.25"))
    baselines = json.loads(BASELINES.read_text(encoding="utf-8"))["ratios"]
    measured = {}
    for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            measured[row["key"]] = float(row["ratio"])
    failed = False
    print(f"{'ratio':<38} {'now':>7} {'baseline':>9} {'target':>7}  verdict  (tolerance {tolerance:.0%})")
    for key, spec in baselines.items():
        base, target = spec["baseline"], spec.get("target")
        now = measured.get(key)
        tgt = f"{target:.2f}" if target is not None else "-"
        if now is None:
            print(f"{key:<38} {'-':>7} {base:>9.2f} {tgt:>7}  MISSING (bench not run or failed)")
            failed = True
            continue
        verdict = "ok"
        if now > base * (1 + tolerance):
            verdict = f"REGRESSED ({now / base:.2f}x the baseline)"
            failed = True
        if target is not None and now > target:
            verdict += f"; above the target {target:.2f}"
        print(f"{key:<38} {now:>7.2f} {base:>9.2f} {tgt:>7}  {verdict}")
    for key in sorted(set(measured) - set(baselines)):
        print(f"{key:<38} {measured[key]:>7.2f} {'-':>9} {'-':>7}  no baseline (add it to {BASELINES.name})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
