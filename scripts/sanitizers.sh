#!/usr/bin/env bash
# Sanitizer runs with the nightly toolchain (cargo +nightly), each in its own
# target directory, for the host target only (build scripts and proc macros
# stay uninstrumented):
#
#   scripts/sanitizers.sh tsan   ThreadSanitizer: the core's unit tests (the
#                                clock ticker thread), the multi-threaded
#                                generator tests (tests/threads.rs, IDs scaled
#                                down 10x), and the Redis lease tests (the
#                                renewal thread) against a real Redis
#                                (scripts/services.sh, started and stopped here;
#                                four tests skipped, see below)
#   scripts/sanitizers.sh asan   AddressSanitizer + LeakSanitizer: the core's
#                                unit and integration tests (tests/threads.rs
#                                scaled down 4x) and the C binding's Rust tests
#
# There is no rust-src, so std is not rebuilt with the sanitizer
# (-Zbuild-std): it links uninstrumented (-Cunsafe-allow-abi-mismatch), and
# what TSan then reports from inside std is suppressed by
# scripts/sanitizers/tsan.supp, which says why for each entry
# (scripts/sanitizers/lsan.supp: the leaks tests make on purpose).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HOST=$(rustc -vV | sed -n 's/^host: //p')
mode=${1:?usage: scripts/sanitizers.sh tsan|asan}
export RUST_BACKTRACE=0
unset CARGO_TARGET_DIR

run() {
    local san=$1
    shift
    RUSTFLAGS="-Zsanitizer=$san -Cunsafe-allow-abi-mismatch=sanitizer -Cdebuginfo=1" \
    RUSTDOCFLAGS="-Zsanitizer=$san" CARGO_TARGET_DIR="$ROOT/target/$san-san" \
        cargo +nightly test -q --target "$HOST" "$@"
}

case "$mode" in
tsan)
    export TSAN_OPTIONS="suppressions=$ROOT/scripts/sanitizers/tsan.supp halt_on_error=1 second_deadlock_stack=1"
    export SNOWID_TEST_SCALE_DOWN=10
    echo "== ThreadSanitizer: core unit tests, tests/threads.rs" >&2
    # With the redis feature, as the lease tests below need: one
    # instrumented build of the core (and of its binaries) for both runs
    # instead of two. The unit tests are the same; the one that checks the
    # refusal of a lease source missing from the build then checks etcd
    # only (test-rust checks both, without features).
    run thread -p snowid --features redis --lib --test threads
    echo "== ThreadSanitizer: lease renewal against a real Redis" >&2
    state=$(mktemp -d)
    export SNOWID_SERVICES_STATE=$state/services.state
    trap 'scripts/services.sh stop; rm -rf "$state"' EXIT
    scripts/services.sh deps
    # The lease tests use the volatile Redis (their outage test needs a
    # restart that forgets every lease).
    scripts/services.sh start-volatile-redis
    export "$(scripts/services.sh env | grep "^SNOWID_TEST_VOLATILE_REDIS_URL=")"
    # Skipped here: the CLI tests start processes with a cleared environment
    # (TSAN_OPTIONS, and so the suppressions, do not reach them: the
    # volatile-Redis refusal test runs the CLI too), and the outage test
    # times Redis restarts against the lease deadlines, which a 10x slower
    # build cannot keep. The restore-from-backup test needs the Redis with
    # the AOF, which only test-leases starts (it runs there).
    run thread -p snowid --features redis --test lease_redis -- \
        --skip cli_processes_take_distinct_numbers --skip service_outage_recovers \
        --skip a_redis_that_keeps_nothing_on_disk_is_refused_without_the_opt_in \
        --skip a_redis_restored_from_a_backup_stops_the_holder
    ;;
asan)
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
    export SNOWID_TEST_SCALE_DOWN=4
    export LSAN_OPTIONS="suppressions=$ROOT/scripts/sanitizers/lsan.supp:print_suppressions=0"
    echo "== AddressSanitizer + LeakSanitizer: the core's tests" >&2
    run address -p snowid --lib --tests
    echo "== AddressSanitizer + LeakSanitizer: the C binding's Rust tests" >&2
    run address -p snowid-c --lib --tests
    ;;
*)
    echo "usage: scripts/sanitizers.sh tsan|asan" >&2
    exit 2
    ;;
esac
echo "sanitizers: $mode passed" >&2
