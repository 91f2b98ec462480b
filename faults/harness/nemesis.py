"""The nemesis: a seeded random schedule of faults, one at a time, each
healed before the next. Every kind appears once per round (a shuffled round
of all kinds), so a run of N rounds injects each kind N times; the
parameters (host, target process, duration, clock step) are drawn from the
same seeded generator, so FAULTS_SEED replays the same schedule.

Kinds:
  partition         host's veth link down (cut from every other host), then up
  split             blackhole routes between a minority and a majority of the
                    etcd members (1 of 3, 2 of 5), both directions, then removed
  pause             SIGSTOP `snowid serve` or the Python generator of a host for
                    longer than the lease TTL, then SIGCONT
  kill              SIGKILL `snowid serve` or the Python generator, restart
  clock_step        the host's libfaketime offset steps forward or back, within
                    the high-water window (|step| < SNOWID_WINDOW_MS) or beyond
                    it (several seconds); the host's Python generator is then
                    restarted (SIGTERM: a clean shutdown) so a new process starts
                    on the stepped clock
  etcd_member_kill  SIGKILL one etcd member, restart it on the same data
"""

import signal
import time

KINDS = ["partition", "split", "pause", "kill", "clock_step", "etcd_member_kill"]


class Nemesis:
    def __init__(self, cluster, rng, log):
        self.c = cluster
        self.rng = rng
        self.log = log
        self.events = []
        self.ttl_s = cluster.cfg["ttl_ms"] / 1000.0
        self.window_s = cluster.cfg["window_ms"] / 1000.0

    def schedule(self, rounds):
        out = []
        for _ in range(rounds):
            kinds = list(KINDS)
            self.rng.shuffle(kinds)
            out.extend(kinds)
        return out

    def _event(self, kind, hosts, **params):
        ev = dict(kind=kind, hosts=[h.name for h in hosts], start=time.monotonic(), **params)
        self.events.append(ev)
        self.log(f"fault {len(self.events)}: {kind} {','.join(ev['hosts'])} {params}")
        return ev

    def _heal(self, ev):
        ev["heal"] = time.monotonic()

    def sleep(self, s, supervise):
        end = time.monotonic() + s
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            supervise()
            time.sleep(min(0.25, left))

    def inject(self, kind, supervise):
        hosts = self.c.hosts
        rng = self.rng
        h = rng.choice(hosts)
        hold = self.ttl_s + rng.uniform(1.0, 3.0)
        if kind == "partition":
            ev = self._event(kind, [h], seconds=round(hold, 2))
            h.set_link(False)
            self.sleep(hold, supervise)
            h.set_link(True)
        elif kind == "split":
            k = (len(hosts) - 1) // 2
            minority = rng.sample(hosts, k)
            majority = [o for o in hosts if o not in minority]
            ev = self._event(kind, minority, majority=[o.name for o in majority], seconds=round(hold, 2))
            for a in minority:
                for b in majority:
                    a.blackhole(b.ip)
                    b.blackhole(a.ip)
            self.sleep(hold, supervise)
            for o in hosts:
                o.heal_routes()
        elif kind == "pause":
            target = rng.choice(["serve", "python"])
            p = (self.c.serve if target == "serve" else self.c.pygen)[h.name]
            ev = self._event(kind, [h], target=target, pid=p.pid, seconds=round(hold, 2))
            self.c.procs.send(p, signal.SIGSTOP)
            self.sleep(hold, lambda: None)
            self.c.procs.send(p, signal.SIGCONT)
        elif kind == "kill":
            target = rng.choice(["serve", "python"])
            p = (self.c.serve if target == "serve" else self.c.pygen)[h.name]
            ev = self._event(kind, [h], target=target, pid=p.pid)
            self.c.procs.stop(p, signal.SIGKILL)
            time.sleep(rng.uniform(0.1, 1.0))
            (self.c.start_serve if target == "serve" else self.c.start_pygen)(h)
        elif kind == "clock_step":
            beyond = rng.random() < 0.5
            mag = rng.uniform(2.0, 8.0) if beyond else rng.uniform(0.1, 0.9) * self.window_s
            step = mag if rng.random() < 0.5 else -mag
            new = max(-30.0, min(30.0, h.offset_s + step))
            ev = self._event(kind, [h], step_s=round(new - h.offset_s, 3), offset_s=round(new, 3),
                             beyond_window=beyond)
            h.set_clock(new)
            # Every faked process rereads the offset within a second; then a
            # fresh process starts on the stepped clock.
            time.sleep(1.2)
            self.c.procs.stop(self.c.pygen[h.name], signal.SIGTERM)
            self.c.start_pygen(h)
        elif kind == "etcd_member_kill":
            ev = self._event(kind, [h], seconds=round(hold, 2))
            self.c.procs.stop(self.c.etcd[h.name], signal.SIGKILL)
            self.sleep(hold, supervise)
            self.c.start_etcd(h)
        else:
            raise ValueError(kind)
        self._heal(ev)
