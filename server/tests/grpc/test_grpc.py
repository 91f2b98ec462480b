"""`snowid serve --grpc-listen` against a real gRPC client (grpcio).

The client code is generated here from the committed proto/snowid.proto by
grpcio-tools, so a server that drifted from the .proto fails these tests.
Run by server/scripts/grpc.sh (the venv is cached) with SNOWID_BIN set.
"""

import array
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "..", "proto")
GEN = tempfile.mkdtemp(prefix="snowid-grpc-gen-")
assert protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={GEN}", f"--grpc_python_out={GEN}",
                    os.path.join(PROTO_DIR, "snowid.proto")]) == 0
sys.path.insert(0, GEN)
import snowid_pb2  # noqa: E402
import snowid_pb2_grpc  # noqa: E402

TOKEN = "grpc-test-token"
AUTH = (("authorization", f"Bearer {TOKEN}"),)
BIN = os.environ["SNOWID_BIN"]


class Server:
    """One `snowid serve` on loopback, ports picked by the kernel."""

    def __init__(self, *flags):
        self.state = tempfile.mkdtemp(prefix="snowid-grpc-state-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
        env.update(SNOWID_STATE_DIR=self.state, SNOWID_HOST_LOCK_DIR="off", SNOWID_TOKEN=TOKEN)
        self.log = open(os.path.join(self.state, "server.log"), "w+")
        self.proc = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", *flags],
                                     env=env, stderr=self.log)
        self.http = self.grpc = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (self.http and self.grpc):
            self.log.seek(0)
            text = self.log.read()
            m = re.search(r"listening on http://(\S+)", text)
            self.http = m and m.group(1)
            m = re.search(r"gRPC listening on (\S+)", text)
            self.grpc = m and m.group(1)
            assert self.proc.poll() is None, text
            time.sleep(0.05)
        assert self.http and self.grpc, "server did not start"
        opts = [("grpc.max_receive_message_length", 64 << 20)]
        self.channel = grpc.insecure_channel(self.grpc, options=opts)
        self.stub = snowid_pb2_grpc.SnowidStub(self.channel)

    def get(self, path, accept="application/json"):
        req = urllib.request.Request(f"http://{self.http}{path}",
                                     headers={"Authorization": f"Bearer {TOKEN}", "Accept": accept})
        for _ in range(100):
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.read()
            except urllib.error.HTTPError as e:
                # --max-connections 1: the previous request's connection may
                # not be released yet (503 TOO_MANY_CONNECTIONS)
                if e.code != 503:
                    raise
                time.sleep(0.02)
        raise AssertionError(f"{path}: 503 for 2 s")

    def metric(self, name):
        text = self.get("/metrics", "text/plain").decode()
        m = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(m.group(1)) if m else None

    def stop(self):
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.log.close()


def unpack(chunk):
    if chunk.packed:
        return array.array("Q", chunk.packed).tolist()  # little-endian hosts
    return list(chunk.ids)


def code_of(err):
    return dict(err.trailing_metadata() or ()).get("snowid-code")


class GrpcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert sys.byteorder == "little"
        cls.s = Server("--max-batch", "100000")

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def test_unary_both_packings(self):
        for packing in (snowid_pb2.PACKING_BYTES, snowid_pb2.PACKING_FIXED64):
            r = self.s.stub.NextIds(snowid_pb2.NextIdsRequest(count=5000, packing=packing), metadata=AUTH)
            ids = unpack(r)
            self.assertEqual(len(ids), 5000)
            self.assertEqual(ids, sorted(set(ids)))
        # count 0 is one ID
        self.assertEqual(len(unpack(self.s.stub.NextIds(snowid_pb2.NextIdsRequest(), metadata=AUTH))), 1)

    def test_count_over_max_batch_is_coded(self):
        calls = [("count", lambda: self.s.stub.NextIds(snowid_pb2.NextIdsRequest(count=100001), metadata=AUTH)),
                 ("chunk", lambda: list(self.s.stub.StreamIds(snowid_pb2.StreamIdsRequest(chunk=100001), metadata=AUTH)))]
        for field, call in calls:
            with self.assertRaises(grpc.RpcError) as c:
                call()
            self.assertEqual(c.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            code, details = code_of(c.exception), c.exception.details()
            self.assertTrue(code, details)
            self.assertTrue(details.startswith(f"{code}: "), details)
            # the field, the value and the valid range are named
            for word in (field, "100001", "100000"):
                self.assertIn(word, details)

    def test_stream_total(self):
        ids = []
        for chunk in self.s.stub.StreamIds(snowid_pb2.StreamIdsRequest(total=50000, chunk=4096), metadata=AUTH):
            got = unpack(chunk)
            self.assertLessEqual(len(got), 4096)
            ids += got
        self.assertEqual(len(ids), 50000)
        self.assertEqual(ids, sorted(set(ids)))

    def test_stream_cancelled_midway_leaves_no_stream_behind(self):
        call = self.s.stub.StreamIds(snowid_pb2.StreamIdsRequest(total=0, chunk=1000), metadata=AUTH)
        seen = []
        for chunk in call:
            seen += unpack(chunk)
            if len(seen) >= 3000:
                break
        call.cancel()
        # The server's producer ends (no leaked thread or permit) ...
        deadline = time.monotonic() + 10
        while self.s.metric("snowid_grpc_streams_open") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.s.metric("snowid_grpc_streams_open"), 0)
        # ... and the next calls work, above every ID the cancelled stream sent.
        after = unpack(self.s.stub.NextIds(snowid_pb2.NextIdsRequest(count=10), metadata=AUTH))
        self.assertGreater(min(after), max(seen))
        health = health_pb2_grpc.HealthStub(self.s.channel)
        self.assertEqual(health.Check(health_pb2.HealthCheckRequest()).status, health_pb2.HealthCheckResponse.SERVING)

    def test_bad_or_missing_token_is_unauthenticated(self):
        for md in ((("authorization", "Bearer wrong"),), (), (("authorization", TOKEN),)):
            for call in (lambda: self.s.stub.NextIds(snowid_pb2.NextIdsRequest(count=1), metadata=md),
                         lambda: list(self.s.stub.StreamIds(snowid_pb2.StreamIdsRequest(total=1), metadata=md))):
                with self.assertRaises(grpc.RpcError) as c:
                    call()
                self.assertEqual(c.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
                self.assertTrue(c.exception.details().startswith("UNAUTHORIZED: "), c.exception.details())
                self.assertEqual(code_of(c.exception), "UNAUTHORIZED")

    def test_health_serving_without_token(self):
        health = health_pb2_grpc.HealthStub(self.s.channel)
        for name in ("", "snowid.v1.Snowid"):
            r = health.Check(health_pb2.HealthCheckRequest(service=name))
            self.assertEqual(r.status, health_pb2.HealthCheckResponse.SERVING, name)

    def test_unique_across_http_and_grpc_callers(self):
        out, errors = [], []

        def grpc_stream():
            for chunk in self.s.stub.StreamIds(snowid_pb2.StreamIdsRequest(total=40000, chunk=2000), metadata=AUTH):
                out.append(unpack(chunk))

        def grpc_unary():
            for _ in range(20):
                out.append(unpack(self.s.stub.NextIds(snowid_pb2.NextIdsRequest(count=2000), metadata=AUTH)))

        def http_batch():
            for _ in range(20):
                out.append(array.array("Q", self.s.get("/v1/next_ids?count=2000", "application/octet-stream")).tolist())

        def http_one():
            for _ in range(200):
                out.append([int(self.s.get("/v1/next_id", "text/plain"))])

        def run(f):
            try:
                f()
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(f,)) for f in (grpc_stream, grpc_stream, grpc_unary, http_batch, http_one)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        ids = [i for part in out for i in part]
        self.assertEqual(len(ids), 2 * 40000 + 20 * 2000 + 20 * 2000 + 200)
        self.assertEqual(len(set(ids)), len(ids), "duplicate IDs across HTTP and gRPC")


class LimitsTest(unittest.TestCase):
    def test_connections_beyond_the_limit_are_closed_and_counted(self):
        s = Server("--max-connections", "1")
        try:
            self.assertEqual(len(unpack(s.stub.NextIds(snowid_pb2.NextIdsRequest(count=3), metadata=AUTH))), 3)
            other = grpc.insecure_channel(s.grpc)
            try:
                with self.assertRaises(grpc.RpcError) as c:
                    snowid_pb2_grpc.SnowidStub(other).NextIds(snowid_pb2.NextIdsRequest(count=1), metadata=AUTH, timeout=5)
                self.assertEqual(c.exception.code(), grpc.StatusCode.UNAVAILABLE)
            finally:
                other.close()
            self.assertGreaterEqual(s.metric("snowid_grpc_connections_refused_total"), 1)
            self.assertEqual(s.metric("snowid_grpc_connections_open"), 1)
            # the first connection still works
            self.assertEqual(len(unpack(s.stub.NextIds(snowid_pb2.NextIdsRequest(count=2), metadata=AUTH))), 2)
        finally:
            s.stop()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_ends_an_endless_stream_within_the_grace(self):
        s = Server("--shutdown-grace-ms", "3000")
        try:
            call = s.stub.StreamIds(snowid_pb2.StreamIdsRequest(total=0, chunk=1000), metadata=AUTH)
            it = iter(call)
            next(it)
            start = time.monotonic()
            s.proc.send_signal(signal.SIGTERM)
            with self.assertRaises(grpc.RpcError) as c:
                for _ in it:
                    pass
            self.assertEqual(c.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertEqual(s.proc.wait(timeout=30), 0)
            self.assertLess(time.monotonic() - start, 20)
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
