"""What runs on the hosts: one etcd member each, `snowid serve` with etcd
leases and lanes plus its HTTP client, and an in-process Python generator;
an etcd watcher per member in the root namespace stamps every lease-key event
with the harness's monotonic time (the fencing check reads it)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAULTS = os.path.dirname(HERE)
ETCD_PREFIX = "faults"
SERVE_PORT = 8080


class Cluster:
    def __init__(self, hosts, procs, root, cfg):
        self.hosts, self.procs, self.root, self.cfg = hosts, procs, root, cfg
        self.etcd = {}  # host name -> Popen
        self.serve = {}
        self.client = {}
        self.pygen = {}
        self.segment = {}
        self.redis = None
        self.redis_host = hosts[0]
        self.watchers = []
        self.events = []  # (mono, member, event dict)
        self.events_lock = threading.Lock()
        self.endpoints = ",".join(f"{h.ip}:2379" for h in hosts)

    # etcd.
    def start_etcd(self, h, new=True):
        cluster = ",".join(f"{o.name}=http://{o.ip}:2380" for o in self.hosts)
        argv = [
            "etcd", "--name", h.name, "--data-dir", os.path.join(h.dir, "etcd"),
            "--listen-client-urls", f"http://{h.ip}:2379", "--advertise-client-urls", f"http://{h.ip}:2379",
            "--listen-peer-urls", f"http://{h.ip}:2380", "--initial-advertise-peer-urls", f"http://{h.ip}:2380",
            "--initial-cluster", cluster, "--initial-cluster-token", "snowid-faults",
            "--initial-cluster-state", "new",
            "--heartbeat-interval", "100", "--election-timeout", "1000",
            # A member coming back from a partition must not depose a working
            # leader (without pre-vote its higher term forces an election and
            # the whole cluster stalls for a moment; the default from 3.5 on).
            "--pre-vote",
        ]
        self.etcd[h.name] = self.procs.start(h.argv(argv), log=os.path.join(h.dir, "etcd.log"))

    def etcd_healthy(self, h):
        r = subprocess.run(
            ["etcdctl", "--endpoints", f"{h.ip}:2379", "--dial-timeout", "1s",
             "--command-timeout", "2s", "endpoint", "health"],
            capture_output=True, env=dict(os.environ, ETCDCTL_API="3"),
        )
        return r.returncode == 0

    def wait_etcd(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.etcd_healthy(h) for h in self.hosts):
                return
            time.sleep(0.3)
        for h in self.hosts:
            sys.stderr.write(open(os.path.join(h.dir, "etcd.log")).read()[-2000:])
        raise RuntimeError("the etcd cluster did not become healthy")

    def start_watchers(self):
        for h in self.hosts:
            self._watch(h)

    def _watch(self, h):
        argv = ["etcdctl", "--endpoints", f"{h.ip}:2379", "watch", "--prefix", f"/{ETCD_PREFIX}/",
                "--rev", "1", "--prev-kv", "-w", "json"]
        p = self.procs.start(argv, env=dict(os.environ, ETCDCTL_API="3"), pipe=True)

        def read():
            for line in p.stdout:
                now = time.monotonic()
                try:
                    resp = json.loads(line)
                except ValueError:
                    continue
                with self.events_lock:
                    for ev in resp.get("Events") or []:
                        self.events.append((now, h.name, ev))

        t = threading.Thread(target=read, daemon=True)
        t.start()
        self.watchers.append((p, t, h))

    def supervise_watchers(self):
        """A watcher whose member was killed exits: start it again (it
        replays from revision 1; an event keeps the first time any watcher
        saw it)."""
        for i, (p, t, h) in enumerate(list(self.watchers)):
            if p.poll() is not None:
                self.procs.live.pop(p.pid, None)
                self.watchers.remove((p, t, h))
                self._watch(h)

    def final_history(self, seconds=3.0):
        """The whole history once more, after the run, over every endpoint:
        events no live watcher saw get an infinite time (they prove that a
        key existed, never when it was deleted)."""
        argv = ["etcdctl", "--endpoints", self.endpoints, "watch", "--prefix", f"/{ETCD_PREFIX}/",
                "--rev", "1", "--prev-kv", "-w", "json"]
        try:
            r = subprocess.run(argv, env=dict(os.environ, ETCDCTL_API="3"), capture_output=True,
                               text=True, timeout=seconds)
            out = r.stdout
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        n = 0
        with self.events_lock:
            for line in out.splitlines():
                try:
                    resp = json.loads(line)
                except ValueError:
                    continue
                for ev in resp.get("Events") or []:
                    self.events.append((float("inf"), "final", ev))
                    n += 1
        return n

    def dump_events(self, path):
        with self.events_lock, open(path, "w") as f:
            for t, member, ev in self.events:
                f.write(json.dumps(dict(t=t if t != float("inf") else None, member=member, ev=ev)) + "\n")

    # Redis for the segment clients: one server on the first host, AOF with
    # fsync always (a restart keeps every acknowledged INCRBY).
    def start_redis(self):
        h = self.redis_host
        d = os.path.join(h.dir, "redis")
        os.makedirs(d, exist_ok=True)
        argv = ["redis-server", "--bind", h.ip, "--port", "6379", "--appendonly", "yes",
                "--appendfsync", "always", "--save", "", "--dir", d, "--daemonize", "no",
                "--protected-mode", "no"]
        self.redis = self.procs.start(h.argv(argv), log=os.path.join(h.dir, "redis.log"))

    def wait_redis(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = subprocess.run(["redis-cli", "-h", self.redis_host.ip, "-p", "6379", "ping"],
                               capture_output=True, text=True)
            if r.stdout.strip() == "PONG":
                return
            time.sleep(0.2)
        raise RuntimeError("redis did not answer")

    def start_segment(self, h):
        env = h.env(os.environ)
        env["PYTHONPATH"] = self.cfg["pylib"]
        self.segment_seq = getattr(self, "segment_seq", 0) + 1
        out = os.path.join(self.root, "records", f"{h.name}-segment-{self.segment_seq}")
        argv = [sys.executable, os.path.join(HERE, "worker_segment.py"), out, "orders",
                f"redis://{self.redis_host.ip}:6379/0", str(self.cfg["batch"]), str(self.cfg["interval_ms"])]
        p = self.procs.start(h.argv(argv), env=env, log=os.path.join(h.dir, "segment.log"))
        self.segment[h.name] = p
        return p

    # Workloads.
    def snowid_env(self, h):
        e = h.env(os.environ)
        e.update(
            SNOWID_NODE_SOURCE="etcd",
            SNOWID_ETCD_ENDPOINTS=self.endpoints,
            SNOWID_ETCD_PREFIX=ETCD_PREFIX,
            SNOWID_LEASE_TTL_MS=str(self.cfg["ttl_ms"]),
        )
        return e

    def start_serve(self, h):
        env = self.snowid_env(h)
        argv = [self.cfg["snowid_bin"], "serve", "--listen", f"127.0.0.1:{SERVE_PORT}",
                "--lanes", "2", "--workers", "2", "--shutdown-grace-ms", "500",
                "--request-timeout-ms", "2000"]
        p = self.procs.start(h.argv(argv), env=env, log=os.path.join(h.dir, "serve.log"))
        with open(os.path.join(h.dir, "serve.pid.tmp"), "w") as f:
            f.write(str(p.pid))
        os.replace(os.path.join(h.dir, "serve.pid.tmp"), os.path.join(h.dir, "serve.pid"))
        self.serve[h.name] = p
        return p

    def start_client(self, h):
        env = dict(os.environ, FAULTS_HOST=h.name)
        out = os.path.join(self.root, "records", f"{h.name}-http")
        argv = [sys.executable, os.path.join(HERE, "worker_http.py"), out, str(SERVE_PORT),
                os.path.join(h.dir, "serve.pid"), str(self.cfg["batch"]), str(self.cfg["interval_ms"])]
        self.client[h.name] = self.procs.start(h.argv(argv), env=env, log=os.path.join(h.dir, "http.log"))

    def start_pygen(self, h, env_override=None):
        env = self.snowid_env(h)
        env["PYTHONPATH"] = self.cfg["pylib"]
        if env_override:
            for k, v in env_override.items():
                if v is None:
                    env.pop(k, None)
                else:
                    env[k] = v
        self.pygen_seq = getattr(self, "pygen_seq", 0) + 1
        out = os.path.join(self.root, "records", f"{h.name}-python-{self.pygen_seq}")
        argv = [sys.executable, os.path.join(HERE, "worker_python.py"), out, str(self.cfg["batch"]),
                str(self.cfg["interval_ms"])]
        p = self.procs.start(h.argv(argv), env=env, log=os.path.join(h.dir, "python.log"))
        self.pygen[h.name] = p
        return p
