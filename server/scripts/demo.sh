#!/usr/bin/env bash
# A short tour: the CLI, then the service with curl.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=../target/debug/snowid
STATE=$(mktemp -d)
export SNOWID_STATE_DIR="$STATE" SNOWID_HOST_LOCK_DIR=off
PORT=${PORT:-18933}
echo '$ snowid next -n 3';                     "$BIN" next -n 3
echo '$ snowid next --encoding base62';        "$BIN" next --encoding base62
echo '$ snowid inspect 175928847299117063 --layout discord'; "$BIN" inspect 175928847299117063 --layout discord
echo '$ snowid capacity';                      "$BIN" capacity
"$BIN" serve --listen 127.0.0.1:$PORT 2>"$STATE/server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
for path in /v1/next_id '/v1/next_ids?count=3' '/v1/ids/0Czks0tP37X?layout=discord' /v1/layout /v1/stats /readyz '/v1/next_ids?count=0'; do
  echo "\$ curl -s 'http://127.0.0.1:$PORT$path'"
  curl -s "http://127.0.0.1:$PORT$path"; echo
done
echo "(web page: http://127.0.0.1:$PORT/ while the demo runs; metrics at /metrics)"
