"""Hosts: network namespaces on one bridge, each a separate machine with its
own address, loopback, state and lock directories, and clock offset.

Namespaces are named `snowf-hN`, the bridge `snowf-br`, the root side of host
N's veth pair `snowf-hNv`; addresses 10.77.0.(10+N)/24, the bridge 10.77.0.1.
Partitions set a link down (one host cut from all) or add blackhole routes
(a split into two sides); no netem.
"""

import os
import signal
import subprocess

PREFIX = "snowf"
BRIDGE = f"{PREFIX}-br"
NET = "10.77.0"
BRIDGE_IP = f"{NET}.1"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def sh(*argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip()}")
    return r.stdout


class Host:
    def __init__(self, index, root):
        self.index = index
        self.name = f"h{index}"
        self.ns = f"{PREFIX}-{self.name}"
        self.veth = f"{PREFIX}-{self.name}v"
        self.ip = f"{NET}.{10 + index}"
        self.dir = os.path.join(root, self.name)
        self.state_dir = os.path.join(self.dir, "state")
        self.lock_dir = os.path.join(self.dir, "locks")
        self.clock_file = os.path.join(self.dir, "clock-offset")
        self.offset_s = 0.0
        self.blackholed = set()
        self.link_up = True

    def argv(self, argv):
        return ["ip", "netns", "exec", self.ns, *argv]

    def env(self, base, faketime=True):
        """The environment of a process on this host: its own state and lock
        directories, HOSTNAME (the etcd holder description names it), and
        libfaketime reading the host's offset file (monotonic time not faked,
        so every record's monotonic time is comparable across hosts)."""
        e = dict(base)
        e.update(
            SNOWID_STATE_DIR=self.state_dir,
            SNOWID_HOST_LOCK_DIR=self.lock_dir,
            HOSTNAME=self.name,
            FAULTS_HOST=self.name,
        )
        if faketime:
            e.update(
                LD_PRELOAD=FAKETIME_LIB,
                FAKETIME_TIMESTAMP_FILE=self.clock_file,
                FAKETIME_CACHE_DURATION="1",
                DONT_FAKE_MONOTONIC="1",
            )
        return e

    def set_clock(self, offset_s):
        """Steps this host's wall clock to real time + offset_s (every faked
        process rereads the file within FAKETIME_CACHE_DURATION, 1 s)."""
        self.offset_s = offset_s
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{offset_s:+.3f}\n")
        os.replace(tmp, self.clock_file)

    # Partitions.
    def set_link(self, up):
        sh("ip", "link", "set", self.veth, "up" if up else "down")
        self.link_up = up

    def blackhole(self, other_ip):
        sh(*self.argv(["ip", "route", "add", "blackhole", f"{other_ip}/32"]))
        self.blackholed.add(other_ip)

    def heal_routes(self):
        for ip in list(self.blackholed):
            sh(*self.argv(["ip", "route", "del", "blackhole", f"{ip}/32"]), check=False)
        self.blackholed.clear()


def _our_namespaces():
    out = sh("ip", "netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"{PREFIX}-")]


def teardown():
    """Removes every namespace and link of ours; first SIGKILLs what still
    runs inside our namespaces (they are ours: only this harness makes them)."""
    for ns in _our_namespaces():
        for pid in sh("ip", "netns", "pids", ns, check=False).split():
            try:
                os.kill(int(pid), signal.SIGCONT)
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check=False)
    out = sh("ip", "-o", "link", "show", check=False)
    for line in out.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(f"{PREFIX}-"):
            sh("ip", "link", "del", name, check=False)


def setup(n, root):
    teardown()
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", f"{BRIDGE_IP}/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    hosts = []
    for i in range(n):
        h = Host(i, root)
        for d in (h.dir, h.state_dir, h.lock_dir):
            os.makedirs(d, exist_ok=True)
        h.set_clock(0.0)
        sh("ip", "netns", "add", h.ns)
        sh("ip", "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
        sh("ip", "link", "set", h.veth, "master", BRIDGE)
        sh("ip", "link", "set", h.veth, "up")
        sh(*h.argv(["ip", "link", "set", "lo", "up"]))
        sh(*h.argv(["ip", "addr", "add", f"{h.ip}/24", "dev", "eth0"]))
        sh(*h.argv(["ip", "link", "set", "eth0", "up"]))
        hosts.append(h)
    return hosts
