#!/usr/bin/env bash
# The gRPC face of `snowid serve` (--grpc-listen) against a real gRPC client:
# grpcio + grpcio-tools (the client generated from proto/snowid.proto) +
# grpcio-health-checking, pinned, in a venv of the per-machine tool cache
# (TOOLS_CACHE, default ~/.cache/snowid), made under a lock like
# schemathesis.sh's; .complete marks a finished install.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.85.1
TOOLS_CACHE=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snowid}
VENV=$TOOLS_CACHE/grpc-$VERSION-py$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ ! -f "$VENV/.complete" ]; then
    mkdir -p "$TOOLS_CACHE"
    flock "$VENV.lock" sh -c '[ -f "$1/.complete" ] || { rm -rf "$1" && python3 -m venv "$1" &&
        "$1/bin/pip" install -q --disable-pip-version-check "grpcio==$2" "grpcio-tools==$2" \
          "grpcio-health-checking==$2" && touch "$1/.complete"; }' sh "$VENV" "$VERSION"
fi
# `grpc.sh bench`: scripts/bench_grpc.py against the release binary.
if [ "${1:-}" = bench ]; then
    SNOWID_BIN=${SNOWID_BIN:-$(cd .. && pwd)/target/release/snowid} exec "$VENV/bin/python" scripts/bench_grpc.py
fi
SNOWID_BIN=${SNOWID_BIN:-$(cd .. && pwd)/target/debug/snowid} "$VENV/bin/python" tests/grpc/test_grpc.py
