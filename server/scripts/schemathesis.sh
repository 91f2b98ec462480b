#!/usr/bin/env bash
# schemathesis against a running `snowid serve` (loopback, temp state dir)
# and the committed openapi.json: no 5xx, no response outside the document.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=../target/debug/snowid
# schemathesis (pinned) in a venv of the per-machine tool cache, as cbindgen
# and uniffi-bindgen (TOOLS_CACHE, default ~/.cache/snowid; one folder per
# version and Python), so a fresh clone does not install it again (~20 s of
# CPU). Made under a lock (engineers share the machine); .complete marks a
# finished install.
VERSION=4.32.5
TOOLS_CACHE=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snowid}
VENV=$TOOLS_CACHE/schemathesis-$VERSION-py$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ ! -f "$VENV/.complete" ]; then
    mkdir -p "$TOOLS_CACHE"
    flock "$VENV.lock" sh -c '[ -f "$1/.complete" ] || { rm -rf "$1" && python3 -m venv "$1" &&
        "$1/bin/pip" install -q --disable-pip-version-check "schemathesis==$2" && touch "$1/.complete"; }' sh "$VENV" "$VERSION"
fi
STATE=$(mktemp -d)
PORT=${PORT:-18932}
env -u SNOWID_NODE_SOURCE SNOWID_STATE_DIR="$STATE" SNOWID_HOST_LOCK_DIR=off \
  "$BIN" serve --listen 127.0.0.1:$PORT 2>"$STATE/server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
"$VENV/bin/schemathesis" run openapi.json --url "http://127.0.0.1:$PORT" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${MAX_EXAMPLES:-50}" --no-color
