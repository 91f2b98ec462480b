"""The append-only record of one process: `ids.bin` (little-endian u64s, in
the order issued) and `batches.jsonl` (one line per batch, written after its
IDs, so a line never names IDs that are not on disk): t0/t1 local monotonic
time around the call, off/n the batch's place in ids.bin, seg (the issuing
process's incarnation, as the recorder sees it), pid of the issuing process,
nodes; error lines carry `err` instead of `n`."""

import json
import os
import select
import time


class Recorder:
    def __init__(self, directory, meta):
        os.makedirs(directory, exist_ok=True)
        self.ids = os.open(os.path.join(directory, "ids.bin"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.log = os.open(os.path.join(directory, "batches.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.count = 0
        with open(os.path.join(directory, "meta.json"), "w") as f:
            json.dump(meta, f)

    def batch(self, t0, raw, n, **fields):
        t1 = time.monotonic()
        os.write(self.ids, raw)
        line = dict(t0=round(t0, 4), t1=round(t1, 4), off=self.count, n=n, **fields)
        os.write(self.log, (json.dumps(line, separators=(",", ":")) + "\n").encode())
        self.count += n

    def error(self, t0, code, **fields):
        line = dict(t0=round(t0, 4), t1=round(time.monotonic(), 4), err=code, **fields)
        os.write(self.log, (json.dumps(line, separators=(",", ":")) + "\n").encode())


def pace(t0, interval):
    """Sleeps until `interval` after t0: at most one batch per interval per
    workload, so a record stays a few MB per minute."""
    left = t0 + interval - time.monotonic()
    if left > 0:
        sleep(left)


def sleep(seconds):
    """time.sleep without clock_nanosleep: under libfaketime with an offset
    and DONT_FAKE_MONOTONIC, Python's time.sleep fails with EINVAL."""
    select.select([], [], [], seconds)
