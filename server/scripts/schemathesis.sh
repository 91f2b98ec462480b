#!/usr/bin/env bash
# schemathesis against a running `snowid serve` (loopback, temp state dir)
# and the committed openapi.json: no 5xx, no response outside the document.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=../target/debug/snowid
[ -x .venv/bin/schemathesis ] || { python3 -m venv .venv && .venv/bin/pip install -q "schemathesis==4.32.5"; }
STATE=$(mktemp -d)
PORT=${PORT:-18932}
env -u SNOWID_NODE_SOURCE SNOWID_STATE_DIR="$STATE" SNOWID_HOST_LOCK_DIR=off \
  "$BIN" serve --listen 127.0.0.1:$PORT 2>"$STATE/server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
.venv/bin/schemathesis run openapi.json --url "http://127.0.0.1:$PORT" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${MAX_EXAMPLES:-50}" --no-color
