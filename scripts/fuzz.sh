#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for SECONDS each, built
# with libFuzzer and AddressSanitizer (cargo +nightly fuzz), starting from the
# committed seeds (fuzz/seeds/, from testdata/vectors.json). Prints the
# executions per target; fails on the first crash, leaving the input in
# fuzz/artifacts/<target>/ (reproduce: cargo +nightly fuzz run <target> <file>).
#
#   scripts/fuzz.sh SECONDS [--fresh] [TARGET...]
#
# --fresh: a new scratch corpus (make test); otherwise the corpus grows in
# target/fuzz-corpus/<target> from run to run (make fuzz).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
seconds=${1:?usage: scripts/fuzz.sh SECONDS [--fresh] [TARGET...]}
shift
fresh=0
if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse layout roundtrip options c_abi wide)

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz from crates.io" >&2
    cargo install cargo-fuzz --locked
fi
python3 fuzz/seeds.py --check
cargo +nightly fuzz build >/dev/null

corpus=$ROOT/target/fuzz-corpus
if [ $fresh = 1 ]; then corpus=$(mktemp -d); trap 'rm -rf "$corpus"' EXIT; fi
printf '%-10s %12s %8s %12s\n' target executions seconds 'per second' >"$ROOT/target/fuzz-summary.txt"
for t in "${targets[@]}"; do
    mkdir -p "$corpus/$t"
    log=$ROOT/target/fuzz-$t.log
    if ! cargo +nightly fuzz run "$t" "$corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        grep -E -A12 "panicked|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)" "$log" | head -40 >&2
        echo "fuzz: target $t crashed; input saved under fuzz/artifacts/$t/ (log: $log)" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    printf '%-10s %12s %8s %12s\n' "$t" "$runs" "$secs" "$((runs / (secs > 0 ? secs : 1)))" >>"$ROOT/target/fuzz-summary.txt"
done
cat "$ROOT/target/fuzz-summary.txt"
echo "fuzz: ${#targets[@]} passed, 0 failed"
