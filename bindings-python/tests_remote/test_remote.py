"""snowid.RemoteGenerator against the real `snowid serve` on loopback
(started by the test, stopped by its PID), and against small sockets for
what a real server does not do on purpose (stall). The binary: see
conftest.py."""

import array
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, Iterator, List, Set

import pytest

import snowid


class Serve:
    """`snowid serve` on 127.0.0.1 (`port` 0: a free one), its own state dir."""

    def __init__(self, binary: str, state: str, port: int = 0, args: List[str] = []) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
        env.update(SNOWID_STATE_DIR=state, SNOWID_HOST_LOCK_DIR="off")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:%d" % port] + args,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        assert "http://" in line, line
        self.addr = line.split("http://")[1].split()[0]
        self.url = "http://" + self.addr
        self.port = int(self.addr.rsplit(":", 1)[1])
        # keep draining stderr so the server never blocks on it
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def server(server_bin: str) -> Iterator[Serve]:
    with tempfile.TemporaryDirectory(prefix="snowid-remote-") as state:
        s = Serve(server_bin, state)
        yield s
        s.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_construct_ids_increase_and_are_unique(server: Serve) -> None:
    g = snowid.RemoteGenerator(server.url, batch=100)
    ids = [g.next() for _ in range(1000)] + g.next_batch(500)
    assert all(a < b for a, b in zip(ids, ids[1:]))
    assert len(set(ids)) == 1500
    assert g.url == server.url
    s = g.stats()
    assert s["batches_fetched"] >= 15 and s["fetch_failures"] == 0, s
    g.ready()
    assert "RemoteGenerator" in repr(g)
    # the IDs are the service's layout: twitter by default
    assert snowid.inspect(ids[0]).timestamp is not None


def test_segment_key(server_bin: str) -> None:
    with tempfile.TemporaryDirectory(prefix="snowid-remote-") as state:
        s = Serve(server_bin, state, args=["--segment-store", "file://" + state + "/counters"])
        try:
            g = snowid.RemoteGenerator(s.url, key="orders", batch=10)
            assert [g.next() for _ in range(25)] == list(range(1, 26))
        finally:
            s.kill()


def test_vectors_options(vectors: Dict[str, Any]) -> None:
    for case in vectors["remote"]["cases"]:
        pairs = case["options"]
        names = [n for n, _ in pairs]
        if "url" not in names or len(set(names)) != len(names):
            continue  # not expressible as one positional URL and keywords
        url = dict(pairs)["url"]
        rest = {n: v for n, v in pairs if n != "url"}
        if case["error"] is None:
            g = snowid.RemoteGenerator(url, **rest)
            assert g.url == case["settings"]["url"], case
        else:
            with pytest.raises(snowid.SnowidError) as e:
                snowid.RemoteGenerator(url, **rest)
            assert e.value.code == case["error"], case


def test_bad_input_at_every_entry_point(server: Serve) -> None:
    with pytest.raises(snowid.InvalidSettingError):
        snowid.RemoteGenerator("ftp://h")
    with pytest.raises(snowid.WrongTypeError):
        snowid.RemoteGenerator(None)  # type: ignore[arg-type]
    with pytest.raises(snowid.InvalidSettingError) as e:
        snowid.RemoteGenerator(server.url, token="has space")
    assert "has space" not in str(e.value)
    with pytest.raises(snowid.InvalidSettingError):
        snowid.RemoteGenerator(server.url, bogus=1)  # type: ignore[call-arg]
    g = snowid.RemoteGenerator(server.url)
    for bad in (-1, 2**24 + 1):
        with pytest.raises(snowid.InvalidSettingError):
            g.next_batch(bad)
    with pytest.raises(snowid.WrongTypeError):
        g.next_batch("3")  # type: ignore[arg-type]


def test_refused_connection_is_remote_unavailable_after_retries() -> None:
    g = snowid.RemoteGenerator("http://127.0.0.1:%d" % free_port(), timeout_ms=300)
    t0 = time.monotonic()
    with pytest.raises(snowid.RemoteUnavailableError) as e:
        g.next()
    assert e.value.code == "REMOTE_UNAVAILABLE"
    assert time.monotonic() - t0 < 10  # the bound is 300 ms
    assert g.stats()["fetch_failures"] >= 2


def test_stalled_server_is_remote_timeout() -> None:
    with socket.socket() as l:
        l.bind(("127.0.0.1", 0))
        l.listen(8)  # accepts (the kernel does), never answers
        g = snowid.RemoteGenerator("http://127.0.0.1:%d" % l.getsockname()[1], timeout_ms=300)
        t0 = time.monotonic()
        with pytest.raises(snowid.RemoteTimeoutError) as e:
            g.next()
        assert e.value.code == "REMOTE_TIMEOUT"
        assert time.monotonic() - t0 < 10


def test_bad_token_is_unauthorized(server_bin: str) -> None:
    with tempfile.TemporaryDirectory(prefix="snowid-remote-") as state:
        tf = os.path.join(state, "token")
        with open(tf, "w") as f:
            f.write("s3cret\n")
        s = Serve(server_bin, state, args=["--token-file", tf])
        try:
            with pytest.raises(snowid.UnauthorizedError) as e:
                snowid.RemoteGenerator(s.url, token="wrong").next()
            assert e.value.code == "UNAUTHORIZED" and "wrong" not in str(e.value)
            g = snowid.RemoteGenerator(s.url, token="s3cret")
            assert g.next() < g.next()
        finally:
            s.kill()


CLIENT = r'''
import array, os, sys, time, snowid
url, out, go, n, fork = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "fork"
g = snowid.RemoteGenerator(url, batch=1000, timeout_ms=30000)
child = 0
if fork:
    first = [g.next() for _ in range(10)]   # the parent's buffer holds 990 more
    child = os.fork()
    if child == 0:
        first = []
    n //= 2
else:
    first = []
ids = array.array("Q", first)
for _ in range(n // 2):
    ids.append(g.next())
open("%s.%d.half" % (out, os.getpid()), "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
for _ in range(n - n // 2):
    ids.append(g.next())
with open("%s.%d" % (out, os.getpid()), "wb") as f:
    ids.tofile(f)
if child:
    _, status = os.waitpid(child, 0)
    sys.exit(1 if status else 0)
'''


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_four_clients_and_a_forked_one_across_a_server_sigkill_have_no_duplicate(server_bin: str) -> None:
    """4 processes x 100k IDs and a client that forks after taking IDs (the
    parent's buffer must not be replayed by the child); halfway, the server
    is SIGKILLed, the clients go on against the dead port (retrying), and
    the server restarts on the same port with its state (its high-water mark
    keeps its IDs unique). 0 duplicates; each process's IDs increase."""
    n = 100_000
    with tempfile.TemporaryDirectory(prefix="snowid-remote-kill-") as d:
        state = os.path.join(d, "state")
        os.mkdir(state)
        s = Serve(server_bin, state)
        out, go = os.path.join(d, "ids"), os.path.join(d, "go")
        procs = [subprocess.Popen([sys.executable, "-c", CLIENT, s.url, out, go, str(n), mode])
                 for mode in ["plain"] * 4 + ["fork"]]
        s2 = None
        try:
            deadline = time.monotonic() + 120
            while len([f for f in os.listdir(d) if f.endswith(".half")]) < 6:
                assert time.monotonic() < deadline, "clients did not reach halfway"
                assert all(p.poll() in (None, 0) for p in procs)
                time.sleep(0.01)
            s.kill()
            open(go, "w").close()
            time.sleep(0.3)  # the clients spend their buffers, then retry the dead port
            s2 = Serve(server_bin, state, port=s.port)
            for p in procs:
                assert p.wait(timeout=120) == 0
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
            for srv in (s, s2):
                if srv is not None and srv.proc.poll() is None:
                    srv.kill()
        seen: Set[int] = set()
        total = 0
        files = [f for f in os.listdir(d) if f.startswith("ids.") and not f.endswith(".half")]
        assert len(files) == 6
        for f in files:
            ids = array.array("Q")
            with open(os.path.join(d, f), "rb") as fh:
                ids.frombytes(fh.read())
            assert all(a < b for a, b in zip(ids, ids[1:])), f
            total += len(ids)
            seen.update(ids)
        assert total == 4 * n + n + 10
        assert len(seen) == total, "%d duplicates" % (total - len(seen))
