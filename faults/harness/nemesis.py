"""The nemesis: a seeded random schedule of faults, one at a time, each
healed (and the system recovered, at most 20 s) before the next. Every kind
appears once per round (a shuffled round of all kinds), the first round
always whole, so every kind is injected at least once; the
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
                    it (2-8 s), the four in turn; the host's Python generator is then
                    restarted (SIGTERM: a clean shutdown) so a new process starts
                    on the stepped clock
  etcd_member_kill  SIGKILL one etcd member, restart it on the same data
  redis_restart     SIGKILL the Redis of the segment clients (AOF, fsync
                    always), restart it on the same data
"""

import signal
import time

KINDS = ["partition", "split", "pause", "kill", "clock_step", "etcd_member_kill", "redis_restart"]


class Nemesis:
    def __init__(self, cluster, rng, log):
        self.c = cluster
        self.rng = rng
        self.log = log
        self.events = []
        self.ttl_s = cluster.cfg["ttl_ms"] / 1000.0
        self.window_s = cluster.cfg["window_ms"] / 1000.0

    def schedule(self, more):
        """Rounds of every kind in a seeded order while more() is true; the
        first round is always finished, so each kind is injected at least once."""
        first = True
        while first or more():
            kinds = list(KINDS)
            self.rng.shuffle(kinds)
            for k in kinds:
                if not first and not more():
                    return
                yield k
            first = False

    def _event(self, kind, hosts, **params):
        ev = dict(kind=kind, hosts=[h.name for h in hosts], start=time.monotonic(), **params)
        self.events.append(ev)
        self.log(f"fault {len(self.events)}: {kind} {','.join(ev['hosts'])} {params}")
        return ev

    def _heal(self, ev):
        ev["heal"] = time.monotonic()

    def _table(self, target):
        return dict(serve=self.c.serve, python=self.c.pygen, segment=self.c.segment)[target]

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
            target = rng.choice(["serve", "python", "segment"])
            p = self._table(target)[h.name]
            ev = self._event(kind, [h], target=target, pid=p.pid, seconds=round(hold, 2))
            self.c.procs.send(p, signal.SIGSTOP)
            self.sleep(hold, lambda: None)
            self.c.procs.send(p, signal.SIGCONT)
        elif kind == "kill":
            target = rng.choice(["serve", "python", "segment"])
            p = self._table(target)[h.name]
            ev = self._event(kind, [h], target=target, pid=p.pid)
            self.c.procs.stop(p, signal.SIGKILL)
            time.sleep(rng.uniform(0.1, 1.0))
            dict(serve=self.c.start_serve, python=self.c.start_pygen, segment=self.c.start_segment)[target](h)
        elif kind == "clock_step":
            # Forward and back, within and beyond the window, in turn.
            n = sum(1 for e in self.events if e["kind"] == kind)
            beyond, back = n % 2 == 1, (n // 2) % 2 == 1
            mag = rng.uniform(2.0, 8.0) if beyond else rng.uniform(0.1, 0.9) * self.window_s
            step = -mag if back else mag
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
        elif kind == "redis_restart":
            down = rng.uniform(0.5, 3.0)
            ev = self._event(kind, [self.c.redis_host], seconds=round(down, 2))
            self.c.procs.stop(self.c.redis, signal.SIGKILL)
            self.sleep(down, supervise)
            self.c.start_redis()
        else:
            raise ValueError(kind)
        self._heal(ev)
