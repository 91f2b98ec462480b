"""HTTP client of the host's `snowid serve` (loopback inside the namespace):
batches from /v1/next_ids as little-endian u64s, recorded append-only. A new
connection starts a new segment; the server's PID is read from its PID file
at that moment (the harness rewrites it on every restart)."""

import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.record import Recorder, pace, sleep  # noqa: E402


def _code(body):
    """The core's error code of an error answer ({"error": {"code": ...}})."""
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return body[:80].decode(errors="replace")


def main():
    out, port, pidfile, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    interval = float(sys.argv[5]) / 1000.0
    rec = Recorder(out, dict(kind="http", host=os.environ["FAULTS_HOST"], client_pid=os.getpid()))
    seg, conn, server_pid = 0, None, None
    path = f"/v1/next_ids?count={count}"
    while True:
        t0 = time.monotonic()
        try:
            if conn is None:
                try:
                    with open(pidfile) as f:
                        server_pid = int(f.read().strip())
                except (OSError, ValueError):
                    server_pid = None
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                seg += 1
            conn.request("GET", path, headers={"Accept": "application/octet-stream"})
            r = conn.getresponse()
            body = r.read()
            if r.status == 200:
                rec.batch(t0, body, len(body) // 8, seg=seg, pid=server_pid)
                pace(t0, interval)
            else:
                code = _code(body)
                rec.error(t0, str(code)[:80], seg=seg, pid=server_pid, status=r.status)
                sleep(0.05)
        except (OSError, http.client.HTTPException) as e:
            rec.error(t0, type(e).__name__, seg=seg, pid=server_pid)
            if conn is not None:
                conn.close()
            conn = None
            sleep(0.05)


if __name__ == "__main__":
    main()
