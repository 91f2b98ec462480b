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
# FUZZ_JOBS (default: the number of cores) targets run at the same time, each
# a single-threaded libFuzzer process with its full SECONDS.
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

mkdir -p "$ROOT/target"
corpus=$ROOT/target/fuzz-corpus
if [ $fresh = 1 ]; then corpus=$(mktemp -d); trap 'rm -rf "$corpus"' EXIT; fi
jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

# One target: its log in target/fuzz-<target>.log, then target/fuzz-<target>.status
# (0: no crash) and, when it passed, its summary line in target/fuzz-<target>.summary.
fuzz_one() {
    local t=$1 log=$ROOT/target/fuzz-$1.log runs secs status=0
    mkdir -p "$corpus/$t"
    cargo +nightly fuzz run "$t" "$corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=1
    if [ $status = 0 ]; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
        printf '%-10s %12s %8s %12s\n' "$t" "$runs" "$secs" "$((runs / (secs > 0 ? secs : 1)))" \
            >"$ROOT/target/fuzz-$t.summary"
    fi
    echo $status >"$ROOT/target/fuzz-$t.status"
}

# Up to $jobs targets at a time; every target runs to its end.
for t in "${targets[@]}"; do rm -f "$ROOT/target/fuzz-$t.status" "$ROOT/target/fuzz-$t.summary"; done
running=0
for t in "${targets[@]}"; do
    if [ $running -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
    fuzz_one "$t" &
    running=$((running + 1))
done
wait

printf '%-10s %12s %8s %12s\n' target executions seconds 'per second' >"$ROOT/target/fuzz-summary.txt"
failed=()
for t in "${targets[@]}"; do
    if [ "$(cat "$ROOT/target/fuzz-$t.status" 2>/dev/null)" = 0 ]; then
        cat "$ROOT/target/fuzz-$t.summary" >>"$ROOT/target/fuzz-summary.txt"
    else
        failed+=("$t")
    fi
done
cat "$ROOT/target/fuzz-summary.txt"
for t in "${failed[@]}"; do
    grep -E -A12 "panicked|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)" "$ROOT/target/fuzz-$t.log" | head -40 >&2
    echo "fuzz: target $t crashed; input saved under fuzz/artifacts/$t/ (log: $ROOT/target/fuzz-$t.log)" >&2
done
[ ${#failed[@]} = 0 ] || { echo "fuzz: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed" >&2; exit 1; }
echo "fuzz: ${#targets[@]} passed, 0 failed"
