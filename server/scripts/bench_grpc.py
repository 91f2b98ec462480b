"""gRPC StreamIds against the layout's cap per node (a benchmark, never a
test: it does not fail on speed). Run by `scripts/grpc.sh bench` with the
cached grpcio venv against the release binary (SNOWID_BIN).

For each packing and chunk size: one stream (total 0) read for DUR seconds;
IDs received per second over the layout's IDs per second per node, and the
server's CPU time per million IDs (/proc)."""

import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "grpc"))
import test_grpc as t  # noqa: E402  (generates the client from proto/snowid.proto)

DUR = float(os.environ.get("DUR", "5"))
TCK = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TCK


def stream(s, packing, chunk):
    call = s.stub.StreamIds(t.snowid_pb2.StreamIdsRequest(total=0, chunk=chunk, packing=packing), metadata=t.AUTH)
    n, c0, start = 0, cpu(s.proc.pid), None
    for msg in call:
        if start is None:  # from the first chunk on: no connection set-up
            start = time.perf_counter()
            continue
        n += len(msg.packed) // 8 if msg.packed else len(msg.ids)
        if time.perf_counter() - start >= DUR:
            break
    took = time.perf_counter() - start
    call.cancel()
    return n / took, (cpu(s.proc.pid) - c0) / (n / 1e6)


def main():
    s = t.Server("--max-batch", "65536")
    try:
        layout = json.loads(s.get("/v1/layout"))
        cap = layout["capacity"]["ids_per_second_per_node"]
        print(f"layout {layout['name']}: cap {cap:,} IDs/s per node; {DUR:.0f} s per run")
        print(f"{'StreamIds':<28} {'IDs/s':>12} {'of cap':>7} {'server CPU s / M IDs':>21}")
        for name, packing, chunk in [("bytes, chunk 4096", 0, 4096), ("bytes, chunk 16384", 0, 16384),
                                     ("fixed64, chunk 4096", 1, 4096), ("bytes, chunk 1024", 0, 1024)]:
            rate, cpu_per_m = stream(s, packing, chunk)
            print(f"{name:<28} {rate:>12,.0f} {rate / cap:>7.3f} {cpu_per_m:>21.3f}")
    finally:
        s.stop()


if __name__ == "__main__":
    urllib.request.getproxies = lambda: {}
    main()
