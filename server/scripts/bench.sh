#!/usr/bin/env bash
# make -C server bench: wrk on loopback against a release `snowid serve`
# (keep-alive). Prints requests/s and p50/p99 for /healthz and /v1/next_id,
# IDs/s through /v1/next_ids?count=4096 (binary), and the issue's ratios.
# A benchmark, not a test: it never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=../target/release/snowid
DUR=${DUR:-5s}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
STATE=$(mktemp -d)
PORT=${PORT:-18931}
env -u SNOWID_NODE_SOURCE SNOWID_STATE_DIR="$STATE" SNOWID_HOST_LOCK_DIR=off \
  "$BIN" serve --listen 127.0.0.1:$PORT ${WORKERS:+--workers $WORKERS} 2>"$STATE/server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
LUA=$(mktemp --suffix=.lua)
cat > "$LUA" <<'LUAEOF'
wrk.headers["Accept"] = "application/octet-stream"
done = function(summary, latency, requests)
  io.write(string.format("LAT %d %d\n", latency:percentile(50), latency:percentile(99)))
end
LUAEOF
PCT=$(mktemp --suffix=.lua)
cat > "$PCT" <<'LUAEOF'
done = function(summary, latency, requests)
  io.write(string.format("LAT %d %d\n", latency:percentile(50), latency:percentile(99)))
end
LUAEOF
# run NAME URL [extra wrk args]: prints "rps p50_us p99_us"
run() {
  local out
  out=$(wrk "${@:3}" --latency -d "$DUR" "http://127.0.0.1:$PORT$2" 2>&1)
  local rps lat
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  lat=$(echo "$out" | awk '/^LAT/ {print $2, $3}')
  echo "$rps $lat"
}
W="-t1 -c32 -s"
curl -sf http://127.0.0.1:$PORT/v1/next_id >/dev/null  # same state for both runs (the clock is started)
# /healthz and /v1/next_id alternate ROUNDS times (default 3) and each keeps
# its median run, so a neighbour's burst or the order of runs does not decide
# the ratio. The server's CPU time per request (user + system, /proc) is
# printed too: it depends far less on what else the machine is doing.
ROUNDS=${ROUNDS:-3}
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$PID/stat; }
H=(); N=()
for _ in $(seq "$ROUNDS"); do
  c0=$(cpu); r=$(run healthz /healthz $W "$PCT"); c1=$(cpu)
  H+=("$r $(python3 -c "print(($c1 - $c0) / $TCK)")")
  c0=$(cpu); r=$(run next_id /v1/next_id $W "$PCT"); c1=$(cpu)
  N+=("$r $(python3 -c "print(($c1 - $c0) / $TCK)")")
done
median() { printf '%s\n' "$@" | sort -g -k1,1 | sed -n "$(( ($# + 1) / 2 ))p"; }
read -r h_rps h_p50 h_p99 h_cpu <<<"$(median "${H[@]}")"
read -r n_rps n_p50 n_p99 n_cpu <<<"$(median "${N[@]}")"
half=$(python3 -c "print(max(1, int(float('$n_rps') / 2)))")
# Half the peak rate: wrk2-style pacing is not in Debian's wrk, so pace with
# fewer connections until the rate is at most half the peak.
read -r q_rps q_p50 q_p99 <<<"$(run next_id_half /v1/next_id -t1 -c2 -s "$PCT")"
read -r b_rps b_p50 b_p99 <<<"$(run batch '/v1/next_ids?count=4096' -t1 -c4 -s "$LUA")"
DURS=$(python3 -c "import re; d='$DUR'; print(float(re.sub('[a-z]', '', d)) * {'s': 1, 'm': 60}.get(d[-1], 1))")
python3 - "$h_rps" "$h_p50" "$h_p99" "$n_rps" "$n_p50" "$n_p99" "$q_rps" "$q_p50" "$q_p99" "$b_rps" "$half" "$h_cpu" "$n_cpu" "$DURS" "$ROUNDS" <<'PY'
import sys
h, hp50, hp99, n, np50, np99, q, qp50, qp99, b, half, hcpu, ncpu, durs, rounds = sys.argv[1:]
h, n, q, b = float(h), float(n), float(q), float(b)
hcpu_us = float(hcpu) / (h * float(durs)) * 1e6
ncpu_us = float(ncpu) / (n * float(durs)) * 1e6
print(f"median of {rounds} alternating runs each for /healthz and /v1/next_id")
ids = b * 4096
cap = 4_096_000
print(f"workers: {__import__('os').environ.get('WORKERS') or 'one per core'}")
print(f"{'endpoint':<34} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
print(f"{'/healthz (c32)':<34} {h:>10,.0f} {int(hp50)/1000:>8.3f} {int(hp99)/1000:>8.3f}")
print(f"{'/v1/next_id (c32, full load)':<34} {n:>10,.0f} {int(np50)/1000:>8.3f} {int(np99)/1000:>8.3f}")
print(f"{'/v1/next_id (c2, lighter load)':<34} {q:>10,.0f} {int(qp50)/1000:>8.3f} {int(qp99)/1000:>8.3f}")
print(f"{'/v1/next_ids?count=4096 binary':<34} {b:>10,.0f}   -> {ids:,.0f} IDs/s")
print()
print(f"server CPU per request       /healthz {hcpu_us:.2f} us, /v1/next_id {ncpu_us:.2f} us")
print(f"next_id / healthz           {n / h:.3f}   (target >= 0.95)")
print(f"next_id req/s               {n:,.0f}   (target >= 100,000)")
print(f"p99 at lighter load          {int(qp99)/1000:.3f} ms at {q:,.0f} req/s (target <= 1 ms at ~half peak = {int(half):,})")
print(f"batch IDs/s / layout cap    {ids / cap:.3f}   (target >= 0.95 of {cap:,})")
PY
