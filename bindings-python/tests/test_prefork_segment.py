"""Segments under a prefork server (issue 19, item 5): a real gunicorn with
`--preload`. The master makes a Segment at import and keeps taking ranges
(step 1, prefetch_at 0: a range fetch runs in the background after every ID,
so gunicorn forks workers while the master's fetch holds the key's file
lock); a `pre_fork` hook issues a few more before every fork. Workers make
their own Segment of the same key and hand out its IDs; two are killed
(SIGKILL) after issuing, and `--max-requests` forks replacements all along.

A child that kept the master's lock would hang the key: its own fetch would
wait for itself forever, and the master's next fetch for the child. Every
request has a deadline, so a hang fails the test instead of hanging it; all
IDs of every process must be distinct."""

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any, List, Tuple

import pytest

from test_prefork import crash, drive, group_members

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")

APP = '''
import os, signal, threading, snowid

OPTIONS = dict(store=os.environ["SNOWID_TEST_STORE"], step=1, min_step=1, max_step=1, prefetch_at=0)

# In the master (--preload), before any fork: the first range, and the next
# one already being fetched in the background.
MASTER = snowid.Segment("orders", **OPTIONS)
IMPORT_ID = MASTER.next()
IMPORT_PID = os.getpid()

_lock = threading.Lock()
_mine = {}


def segment():
    """This process's Segment of the key (the master's refuses after fork)."""
    pid = os.getpid()
    with _lock:
        if pid not in _mine:
            _mine.clear()
            _mine[pid] = snowid.Segment("orders", **OPTIONS)
        return _mine[pid]


def app(environ, start_response):
    if environ["PATH_INFO"] == "/crash":
        ids = [segment().next() for _ in range(50)]
        with open(os.environ["SNOWID_TEST_CRASH_IDS"], "a") as f:
            f.write("".join("%d %d\\n" % (i, os.getpid()) for i in ids))
        os.kill(os.getpid(), signal.SIGKILL)
    try:
        body = "%d %d %d %d" % (segment().next(), os.getpid(), IMPORT_ID, IMPORT_PID)
        status = "200 OK"
    except snowid.SnowidError as e:
        body = "%s %s" % (e.code, e)
        status = "500 Internal Server Error"
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
'''

# Before every fork the master issues a few IDs: each leaves a range fetch
# running in its background thread as gunicorn forks.
CONF = '''
import os
import prefork_segment_app as app

def pre_fork(server, worker):
    ids = [app.MASTER.next() for _ in range(5)]
    with open(os.environ["SNOWID_TEST_MASTER_IDS"], "a") as f:
        f.write("".join("%d %d\\n" % (i, os.getpid()) for i in ids))
'''

WORKERS = 4
CRASHES = 2
# The whole run, generously: without the fix it never ends.
RUN_DEADLINE_S = 240


@pytest.mark.parametrize("worker_class", ["sync", "gthread"])
def test_gunicorn_workers_share_a_segment_key_without_hanging(tmp_path: Any, worker_class: str) -> None:
    (tmp_path / "prefork_segment_app.py").write_text(APP)
    (tmp_path / "prefork_segment_conf.py").write_text(CONF)
    master_ids = tmp_path / "master_ids"
    crash_ids = tmp_path / "crash_ids"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    os.set_inheritable(fd, True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
    env.update({
        "SNOWID_STATE_DIR": str(tmp_path / "state"),
        "SNOWID_HOST_LOCK_DIR": "off",
        "SNOWID_TEST_STORE": "file://" + str(tmp_path / "segments"),
        "SNOWID_TEST_MASTER_IDS": str(master_ids),
        "SNOWID_TEST_CRASH_IDS": str(crash_ids),
        "PYTHONPATH": str(tmp_path),
    })
    args = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"fd://{fd}",
        "--workers", str(WORKERS),
        "--worker-class", worker_class,
        "--threads", "4" if worker_class == "gthread" else "1",
        "--max-requests", "20", "--max-requests-jitter", "5",
        "--graceful-timeout", "10",
        "--timeout", "60",
        "--config", str(tmp_path / "prefork_segment_conf.py"),
        "--chdir", str(tmp_path),
        "--log-level", "warning",
        "--preload",
        "prefork_segment_app:app",
    ]
    log = open(tmp_path / "gunicorn.log", "w+")
    t0 = time.monotonic()
    proc = subprocess.Popen(args, env=env, pass_fds=[fd], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    listener.close()
    results: List[Tuple[int, str]] = []
    try:
        for _ in range(CRASHES):
            crash(port)
        results = drive(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.seek(0)
        log_text = log.read()
        log.close()
        deadline = time.monotonic() + 10
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = group_members(proc.pid)
        if left:
            os.killpg(proc.pid, signal.SIGKILL)
    elapsed = time.monotonic() - t0
    assert not left, ("processes left behind (hung on the key?)", left, log_text)
    assert proc.returncode == 0, (proc.returncode, log_text)
    assert elapsed < RUN_DEADLINE_S, elapsed
    bad = [body for status, body in results if status != 200]
    assert not bad, (bad[:5], log_text)

    rows = [tuple(int(x) for x in body.split()) for _, body in results]
    master = [tuple(int(x) for x in line.split()) for line in master_ids.read_text().splitlines()]
    crashed = [tuple(int(x) for x in line.split()) for line in crash_ids.read_text().splitlines()]
    worker_pids = {r[1] for r in rows}
    ((import_id, import_pid),) = {(r[2], r[3]) for r in rows}
    assert {pid for _, pid in master} == {import_pid} == {proc.pid}
    assert import_pid not in worker_pids
    assert len(worker_pids) > WORKERS, worker_pids  # replacements forked during the run
    assert len(master) > WORKERS * 5, len(master)
    assert len(crashed) == CRASHES * 50 and len({pid for _, pid in crashed}) == CRASHES

    everything = [r[0] for r in rows] + [i for i, _ in master] + [import_id] + [i for i, _ in crashed]
    dupes = len(everything) - len(set(everything))
    assert dupes == 0, f"{dupes} duplicate IDs"
    # The counter on disk is above every ID any process issued.
    counter = (tmp_path / "segments" / "orders.segment").read_text().splitlines()
    assert int(counter[2].split()[1]) >= max(everything)
