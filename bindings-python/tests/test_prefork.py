"""The default generator under prefork servers: a real gunicorn (master +
forked, recycled workers) and a fork-context ProcessPoolExecutor. Every ID
any process issued is collected; none may repeat.

The gunicorn app is the plainest use: `snowid.next()` in a view, no
`configure()`. With `--preload` the master imports the app, which issues an
ID at import, and a `pre_fork` hook issues one more before every fork, so
each worker (including every replacement forked during the run by
`--max-requests`) inherits a used default generator, and replacements
claim slots (and marks) that retired workers released; two workers are
killed (SIGKILL, no exit handler) after issuing, and their replacements
take over their numbers above the marks they left."""

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Callable, Dict, List, Set, Tuple

import pytest

import snowid
from conftest import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")

APP = '''
import os, signal, snowid

# Issued at import: in the master with --preload, before any fork.
IMPORT_ID = snowid.next()
IMPORT_PID = os.getpid()


def app(environ, start_response):
    if environ["PATH_INFO"] == "/crash":
        # Issue, record, and die without any exit handler (like an OOM
        # kill): the high-water mark stays a window ahead.
        ids = [snowid.next() for _ in range(1000)]
        with open(os.environ["SNOWID_TEST_CRASH_IDS"], "a") as f:
            f.write("".join("%d %d\\n" % (i, os.getpid()) for i in ids))
        os.kill(os.getpid(), signal.SIGKILL)
    try:
        body = "%d %d %d %d" % (snowid.next(), os.getpid(), IMPORT_ID, IMPORT_PID)
        status = "200 OK"
    except snowid.SnowidError as e:
        body = "%s %s" % (e.code, e)
        status = "500 Internal Server Error"
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
'''

# The master issues an ID before every fork (the first workers and every
# replacement) and records it.
CONF = '''
import os, snowid

def pre_fork(server, worker):
    with open(os.environ["SNOWID_TEST_MASTER_IDS"], "a") as f:
        f.write("%d %d\\n" % (snowid.next(), os.getpid()))
'''

REQUESTS = 2000
CLIENTS = 6
WORKERS = 4
CRASHES = 2


def get(port: int) -> Tuple[int, str]:
    """One request on a new connection (the sync worker closes each)."""
    for attempt in range(3):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            c.request("GET", "/", headers={"Connection": "close"})
            r = c.getresponse()
            return r.status, r.read().decode()
        except (ConnectionResetError, http.client.RemoteDisconnected):
            # A worker retiring (--max-requests) may drop a connection it
            # accepted but did not read; the request never reached the app.
            if attempt == 2:
                raise
        finally:
            c.close()
    raise AssertionError("unreachable")


def crash(port: int) -> None:
    """One request that kills the worker serving it (after it issued)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        c.request("GET", "/crash", headers={"Connection": "close"})
        r = c.getresponse()
        raise AssertionError(f"a worker answered /crash: {r.status} {r.read()!r}")
    except (ConnectionResetError, http.client.RemoteDisconnected):
        pass
    finally:
        c.close()


def drive(port: int) -> List[Tuple[int, str]]:
    """REQUESTS requests from CLIENTS threads."""
    results: List[Tuple[int, str]] = []
    errors: List[BaseException] = []
    lock = threading.Lock()
    counter = iter(range(REQUESTS))

    def client() -> None:
        try:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                r = get(port)
                with lock:
                    results.append(r)
        except BaseException as e:  # noqa: B036 - reported below
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def group_members(pgid: int) -> List[int]:
    """Live (not zombie) processes of process group `pgid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                state, _ppid, pgrp = f.read().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue  # gone meanwhile
        if int(pgrp) == pgid and state != "Z":
            found.append(int(entry))
    return found


WORKER_CLASSES = ("sync", "gthread")


def gunicorn(tmp_path: Any, worker_class: str, app: str, conf: str, module: str,
             env: Dict[str, str] = {}, args: List[str] = []) -> Dict[str, Any]:
    """Runs gunicorn with the app `app` (module `module`, config `conf`) on
    an ephemeral loopback port (a listening socket made here, handed over as
    fd://), drives it, stops it by its PID and returns what every process
    issued. Shared by the tests of the default generator and of segments."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / f"{module}.py").write_text(app)
    (tmp_path / f"{module}_conf.py").write_text(conf)
    master_ids = tmp_path / "master_ids"
    crash_ids = tmp_path / "crash_ids"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    os.set_inheritable(fd, True)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
    full_env.update({
        "SNOWID_STATE_DIR": str(tmp_path / "state"),
        "SNOWID_HOST_LOCK_DIR": "off",
        "SNOWID_TEST_MASTER_IDS": str(master_ids),
        "SNOWID_TEST_CRASH_IDS": str(crash_ids),
        "PYTHONPATH": str(tmp_path),
    })
    full_env.update(env)
    argv = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"fd://{fd}",
        "--workers", str(WORKERS),
        "--worker-class", worker_class,
        "--threads", "4" if worker_class == "gthread" else "1",
        "--max-requests", "20", "--max-requests-jitter", "5",
        "--graceful-timeout", "10",
        *args,
        "--config", str(tmp_path / f"{module}_conf.py"),
        "--chdir", str(tmp_path),
        "--log-level", "warning",
        "--preload",
        f"{module}:app",
    ]
    log = open(tmp_path / "gunicorn.log", "w+")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=full_env, pass_fds=[fd], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: pgid == pid
    listener.close()  # gunicorn holds its own copy
    results: List[Tuple[int, str]] = []
    try:
        for _ in range(CRASHES):
            crash(port)  # first, so the run forks replacements onto their numbers
        results = drive(port)
    finally:
        proc.send_signal(signal.SIGTERM)  # graceful stop: the master reaps its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.seek(0)
        log_text = log.read()
        log.close()
        # Nothing left running: the master reaped every worker it forked.
        deadline = time.monotonic() + 10
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = group_members(proc.pid)
        if left:
            os.killpg(proc.pid, signal.SIGKILL)
    elapsed = time.monotonic() - t0
    assert not left, ("processes left behind (hung?)", left, log_text)
    assert proc.returncode == 0, (proc.returncode, log_text)
    bad = [body for status, body in results if status != 200]
    assert not bad, (bad[:5], log_text)
    rows = [tuple(int(x) for x in body.split()) for _, body in results]
    master = [tuple(int(x) for x in line.split()) for line in master_ids.read_text().splitlines()]
    crashed = [tuple(int(x) for x in line.split()) for line in crash_ids.read_text().splitlines()]
    return {"rows": rows, "master": master, "crashed": crashed, "master_pid": proc.pid, "log": log_text,
            "elapsed": elapsed}


def each_worker_class(tmp_path: Any, check: Callable[[Any, str], None]) -> None:
    """`check(dir, worker_class)` for the sync and the gthread worker at
    the same time, each with a directory (state, store) of its own: the two
    servers are independent, and most of a run is spent waiting (forks,
    fsyncs), so side by side they take little longer than one. Every
    failure names its worker class."""
    def one(worker_class: str) -> None:
        try:
            check(tmp_path / worker_class, worker_class)
        except AssertionError as e:
            raise AssertionError(f"--worker-class {worker_class}: {e}") from e

    with concurrent.futures.ThreadPoolExecutor(len(WORKER_CLASSES)) as pool:
        futures = [pool.submit(one, c) for c in WORKER_CLASSES]
        for f in futures:
            f.result()


def test_gunicorn_workers_never_share_an_id(tmp_path: Any) -> None:
    each_worker_class(tmp_path, check_gunicorn_run)


def check_gunicorn_run(tmp_path: Any, worker_class: str) -> None:
    run = gunicorn(tmp_path, worker_class, APP, CONF, "prefork_app")
    rows: List[Tuple[int, ...]] = run["rows"]
    master_pid: int = run["master_pid"]
    assert len(rows) == REQUESTS

    worker_ids = [r[0] for r in rows]
    worker_pids = {r[1] for r in rows}
    import_ids = {(r[2], r[3]) for r in rows}
    master_ids = [i for i, pid in run["master"]]
    assert {pid for _, pid in run["master"]} == {master_pid}
    # Every worker inherited the master's import-time ID (--preload).
    ((import_id, import_pid),) = import_ids
    assert import_pid == master_pid

    # Forked replacements ran (recycling) and several workers answered.
    assert master_pid not in worker_pids
    assert len(worker_pids) > WORKERS, worker_pids
    assert len(master_ids) > WORKERS, master_ids

    crashed: List[Tuple[int, int]] = run["crashed"]
    crash_pids = {pid for _, pid in crashed}
    assert len(crashed) == CRASHES * 1000 and len(crash_pids) == CRASHES
    assert not crash_pids & worker_pids

    everything = worker_ids + master_ids + [import_id] + [i for i, _ in crashed]
    dupes = len(everything) - len(set(everything))
    assert dupes == 0, f"{dupes} duplicate IDs"

    # Each process's IDs came from one node, none from the master's.
    node_of: Dict[int, Set[Tuple[Tuple[str, int], ...]]] = {}
    issued = [(r[0], r[1]) for r in rows] + [(i, master_pid) for i in master_ids] + crashed
    for i, pid in issued:
        node_of.setdefault(pid, set()).add(tuple(snowid.inspect(i).nodes.items()))
    assert all(len(n) == 1 for n in node_of.values()), node_of
    master_node = node_of[master_pid]
    assert all(n != master_node for pid, n in node_of.items() if pid != master_pid)
    # Replacements took over node numbers of retired workers (and their
    # high-water marks): fewer distinct nodes than workers.
    worker_nodes = {n for pid, ns in node_of.items() if pid != master_pid for n in ns}
    assert len(worker_nodes) < len(worker_pids), (len(worker_nodes), len(worker_pids))
    # ... among them the numbers of the crashed workers, whose marks were
    # left a window ahead.
    for pid in crash_pids:
        assert any(node_of[pid] == node_of[other] for other in worker_pids), (pid, node_of[pid])
    # Successive holders of one node's numbers issued in disjoint ranges,
    # each above the one before: the mark handed over, after a clean exit
    # or a crash alike.
    ranges: Dict[Tuple[Tuple[str, int], ...], Dict[int, List[int]]] = {}
    for i, pid in issued:
        (node,) = node_of[pid]
        span = ranges.setdefault(node, {}).setdefault(pid, [i, i])
        span[0], span[1] = min(span[0], i), max(span[1], i)
    for node, by_pid in ranges.items():
        spans = sorted(by_pid.values())
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), (node, spans)


def test_process_pool_executor_fork_children_of_a_used_default() -> None:
    """ProcessPoolExecutor(mp_context=fork): the parent's default generator
    has issued before the pool forks its workers, and keeps issuing while
    they run."""
    text = run_python(textwrap.dedent("""
        import json, multiprocessing as mp, os, snowid
        from concurrent.futures import ProcessPoolExecutor

        def started(barrier):
            barrier.wait(30)  # every worker runs before any task does

        def work(n):
            ids = [snowid.next() for _ in range(n)]
            return os.getpid(), snowid.default_source(), ids

        if __name__ == "__main__":
            parent = [snowid.next() for _ in range(1000)]
            ctx = mp.get_context("fork")
            with ProcessPoolExecutor(max_workers=4, mp_context=ctx, initializer=started,
                                     initargs=(ctx.Barrier(4),)) as pool:
                futures = [pool.submit(work, 3000) for _ in range(16)]
                parent += [snowid.next() for _ in range(3000)]
                results = [f.result() for f in futures]
            parent += [snowid.next() for _ in range(1000)]
            children = [i for _, _, ids in results for i in ids]
            pids = {pid for pid, _, _ in results}
            sources = {src.split(" in ")[0] for _, src, _ in results}
            everyone = parent + children
            print(json.dumps([len(children), len(pids), sorted(sources),
                              snowid.default_source().split(" in ")[0],
                              len(everyone) - len(set(everyone))]))
    """)).stdout
    n, pids, sources, parent_source, duplicates = json.loads(text)
    assert n == 16 * 3000
    assert pids == 4
    assert parent_source == "local slot 0"
    assert "local slot 0" not in sources and len(sources) == pids, sources
    assert duplicates == 0
