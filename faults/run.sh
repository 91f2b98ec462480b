#!/usr/bin/env bash
# The fault harness (faults/README.md): make test-faults, make jepsen.
#
#   faults/run.sh test     the checker on made-up records (each check finds its
#                          violation), its self-test (two hosts, one fixed node:
#                          it must report duplicates), then FAULTS_SECONDS
#                          (default 100) of faults on 3 hosts
#   faults/run.sh jepsen [SECONDS]   SECONDS (default 1800) of faults on 5 hosts
#
# Runs as root (network namespaces). Installs what it needs: iproute2,
# libfaketime, etcd (apt, the way scripts/services.sh does), numpy into a
# venv of the per-machine cache (~/.cache/snowid/faults-<hash>). Builds
# nothing new: `snowid` with etcd is the debug build of test-leases and
# test-segments (same packages and features, so cargo finds it fresh after
# them), the Python binding with etcd is the dist-test wheel of test-dist
# (built here only if missing). FAULTS_SEED replays a run's schedule.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mode=${1:-test}
OUT=${FAULTS_OUT:-$ROOT/target/faults}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
log() { echo "faults: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "needs root (network namespaces); run as root or with sudo"; exit 1; }

need=()
command -v ip >/dev/null || need+=(iproute2)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 ] || need+=(libfaketime)
command -v etcd >/dev/null || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
command -v protoc >/dev/null || need+=(protobuf-compiler)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${need[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

# numpy for the checker, matplotlib for the chart, in the per-machine tool cache (under a lock:
# engineers share the machine; .complete marks a finished install).
PY_DEPS=("numpy>=1.24" "matplotlib>=3.7")
TOOLS_CACHE=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snowid}
VENV=$TOOLS_CACHE/faults-$(printf '%s\n' "${PY_DEPS[@]}" "$(python3 -V)" | sha256sum | cut -c1-16)
if ! [ -f "$VENV/.complete" ]; then
    log "installing ${PY_DEPS[*]} into $VENV"
    mkdir -p "$TOOLS_CACHE"
    flock "$VENV.lock" sh -c '[ -f "$1/.complete" ] || { v=$1; shift; rm -rf "$v" && python3 -m venv "$v" &&
        "$v/bin/pip" -q --disable-pip-version-check install "$@" && touch "$v/.complete"; }' sh "$VENV" "${PY_DEPS[@]}"
fi

# `snowid serve` with etcd leases: the build of test-leases/test-segments
# (their SERVICES_TEST package and feature set), copied out so a later build
# of target/debug/snowid with other features does not swap it mid-run.
mkdir -p "$OUT/bin"
log "cargo build (debug) snowid-server with etcd (fresh after test-leases)"
cargo build -q -p snowid -p snowid-server \
    --features snowid/etcd,snowid/redis,snowid/postgres,snowid-server/etcd
cp "$TARGET/debug/snowid" "$OUT/bin/snowid.tmp" && mv "$OUT/bin/snowid.tmp" "$OUT/bin/snowid"

# The Python binding with etcd: the dist-test wheel of test-dist.
ART=$TARGET/dist-test/artifacts
whl=$(ls "$ART"/snowid-*-cp39-abi3-manylinux*_x86_64.whl 2>/dev/null | head -1 || true)
if [ -z "$whl" ]; then
    log "no dist-test wheel in $ART: building it (scripts/package/build.sh python, profile dist-test)"
    SNOWID_DIST_PROFILE=dist-test DIST=$ART scripts/package/build.sh python
    whl=$(ls "$ART"/snowid-*-cp39-abi3-manylinux*_x86_64.whl | head -1)
fi
PYLIB=$OUT/pylib
if ! [ -f "$PYLIB/.from" ] || [ "$(cat "$PYLIB/.from")" != "$(stat -c '%n %Y %s' "$whl")" ]; then
    rm -rf "$PYLIB"
    "$VENV/bin/pip" -q --disable-pip-version-check install --no-deps --target "$PYLIB" "$whl"
    stat -c '%n %Y %s' "$whl" >"$PYLIB/.from"
fi

export FAULTS_OUT=$OUT FAULTS_SNOWID=$OUT/bin/snowid FAULTS_PYLIB=$PYLIB PYTHONPATH=$ROOT/faults
case $mode in
    test)
        "$VENV/bin/python" -m harness.check_checker
        FAULTS_SELFTEST=dup "$VENV/bin/python" -m harness
        FAULTS_SECONDS=${FAULTS_SECONDS:-100} FAULTS_HOSTS=${FAULTS_HOSTS:-3} "$VENV/bin/python" -m harness
        ;;
    jepsen)
        FAULTS_SECONDS=${2:-1800} FAULTS_HOSTS=${FAULTS_HOSTS:-5} FAULTS_INTERVAL_MS=${FAULTS_INTERVAL_MS:-20} \
            "$VENV/bin/python" -m harness
        ;;
    selftest)
        FAULTS_SELFTEST=dup "$VENV/bin/python" -m harness
        ;;
    *) log "unknown mode $mode (test, jepsen, selftest)"; exit 2 ;;
esac
