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
from typing import Any, List, Tuple

import pytest

from test_prefork import each_worker_class, gunicorn

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


def test_gunicorn_workers_share_a_segment_key_without_hanging(tmp_path: Any) -> None:
    each_worker_class(tmp_path, check_segment_run)


def check_segment_run(tmp_path: Any, worker_class: str) -> None:
    run = gunicorn(tmp_path, worker_class, APP, CONF, "prefork_segment_app",
                   env={"SNOWID_TEST_STORE": "file://" + str(tmp_path / "segments")},
                   args=["--timeout", "60"])
    # gunicorn() failed already if a process was left behind (hung on the key).
    assert run["elapsed"] < RUN_DEADLINE_S, run["elapsed"]
    proc_pid: int = run["master_pid"]
    rows: List[Tuple[int, ...]] = run["rows"]
    master: List[Tuple[int, int]] = run["master"]
    crashed: List[Tuple[int, int]] = run["crashed"]
    worker_pids = {r[1] for r in rows}
    ((import_id, import_pid),) = {(r[2], r[3]) for r in rows}
    assert {pid for _, pid in master} == {import_pid} == {proc_pid}
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
