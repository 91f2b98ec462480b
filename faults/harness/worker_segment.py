"""Segment client: dense IDs of one key from the Redis on h0 (AOF, fsync
always), every host on the same key at once; batches of next_batch(),
recorded append-only. An error is retried on the same Segment; after 2 s of
errors a new Segment is built (a new incarnation, `seg`)."""

import os
import sys
import time
from array import array

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.record import Recorder, pace, sleep  # noqa: E402

import snowid  # noqa: E402


def main():
    out, key, store, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    interval = float(sys.argv[5]) / 1000.0
    pid = os.getpid()
    rec = Recorder(out, dict(kind="segment", host=os.environ["FAULTS_HOST"], pid=pid, key=key, source="segment"))
    segment, seg, failing_since = None, 0, None
    while True:
        t0 = time.monotonic()
        try:
            if segment is None:
                segment = snowid.Segment(key, store=store)
                seg += 1
            ids = segment.next_batch(count)
            rec.batch(t0, array("Q", ids).tobytes(), len(ids), seg=seg, pid=pid, key=key)
            failing_since = None
            pace(t0, interval)
        except snowid.SnowidError as e:
            rec.error(t0, str(getattr(e, "code", type(e).__name__)), seg=seg, pid=pid, key=key)
            failing_since = failing_since or t0
            if t0 - failing_since > 2.0:
                segment, failing_since = None, None
            sleep(0.05)


if __name__ == "__main__":
    main()
