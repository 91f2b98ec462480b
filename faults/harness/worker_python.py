"""In-process Python generator with SNOWID_NODE_SOURCE=etcd (from the
environment): batches of next_batch(), recorded append-only. LEASE_TAKEN is
final for a generator (the README): a new one is built; any other error is
retried on the same generator after a short sleep."""

import os
import sys
import time
from array import array

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.record import Recorder, pace, sleep  # noqa: E402

import snowid  # noqa: E402


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    interval = float(sys.argv[3]) / 1000.0
    rec = Recorder(out, dict(kind="python", host=os.environ["FAULTS_HOST"], pid=os.getpid(),
                             source=os.environ.get("SNOWID_NODE_SOURCE")))
    gen, seg, nodes = None, 0, None
    pid = os.getpid()
    while True:
        t0 = time.monotonic()
        try:
            if gen is None:
                gen = snowid.Generator.from_env()
                seg += 1
                nodes = gen.nodes
            ids = gen.next_batch(count)
            raw = array("Q", ids).tobytes()
            rec.batch(t0, raw, len(ids), seg=seg, pid=pid, nodes=nodes)
            pace(t0, interval)
        except snowid.SnowidError as e:
            code = getattr(e, "code", type(e).__name__)
            rec.error(t0, str(code), seg=seg, pid=pid, nodes=nodes)
            if code == "LEASE_TAKEN" or gen is None:
                gen = None
            sleep(0.05)


if __name__ == "__main__":
    main()
