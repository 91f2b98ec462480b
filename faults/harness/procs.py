"""Every process the harness starts, by PID, so that every one is stopped at
the end, on an error, on SIGINT/SIGTERM, and at the start of the next run if
this one crashed (the PIDs are kept in a file with each one's start time)."""

import os
import signal
import subprocess
import time


def _start_time(pid):
    """The kernel's start time of a PID (field 22 of /proc/PID/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


class Procs:
    """Starts processes in their own session and remembers them in `pidfile`."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.live = {}  # pid -> Popen

    def start(self, argv, env=None, log=None, cwd=None, pipe=False):
        out = subprocess.PIPE if pipe else open(log, "ab") if log else subprocess.DEVNULL
        p = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=cwd, start_new_session=True,
        )
        if log and not pipe:
            out.close()
        self.live[p.pid] = p
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid} {_start_time(p.pid)}\n")
        return p

    def send(self, p, sig):
        if p.poll() is None:
            try:
                os.kill(p.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, p, sig=signal.SIGTERM, wait_s=5.0):
        """Sends `sig` (SIGCONT first, in case it is paused), then SIGKILL after `wait_s`."""
        self.send(p, signal.SIGCONT)
        self.send(p, sig)
        try:
            p.wait(wait_s)
        except subprocess.TimeoutExpired:
            self.send(p, signal.SIGKILL)
            p.wait()
        self.live.pop(p.pid, None)

    def stop_all(self):
        for p in list(self.live.values()):
            self.send(p, signal.SIGCONT)
            self.send(p, signal.SIGKILL)
        for p in list(self.live.values()):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.live.clear()
        try:
            os.unlink(self.pidfile)
        except FileNotFoundError:
            pass


def kill_leftovers(pidfile):
    """SIGKILLs the PIDs a crashed previous run left in `pidfile`, each only if
    it is still the same process (same kernel start time)."""
    try:
        with open(pidfile) as f:
            rows = [line.split() for line in f if line.strip()]
    except FileNotFoundError:
        return 0
    n = 0
    for pid, started in rows:
        pid = int(pid)
        if _start_time(pid) == started and alive(pid):
            try:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGKILL)
                n += 1
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        _start_time(int(p)) == s and alive(int(p)) for p, s in rows
    ):
        time.sleep(0.05)
    os.unlink(pidfile)
    return n
