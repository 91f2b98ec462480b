"""The module-level default generator: configure(), environment, fork.

Each case runs in a fresh interpreter: the default generator is per process."""

import glob
import json
import os
import textwrap
from typing import Any

import pytest

from conftest import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def out(code: str, **env: str) -> str:
    return run_python(textwrap.dedent(code), env).stdout.strip()


def test_unconfigured_default_claims_a_machine_local_slot() -> None:
    text = out("""
        import snowid
        assert snowid.default_source() is None
        p = snowid.inspect(snowid.next())
        print(p.layout.name, p.datacenter, p.worker)
        print(snowid.default_source())
    """)
    first, source = text.splitlines()
    assert first == "twitter 0 0" and source.startswith("local slot 0 in "), text


def test_environment_numbers_are_locked_on_this_machine() -> None:
    text = out("""
        import os, subprocess, sys, snowid
        snowid.next()
        print(snowid.default_source())
        code = "import snowid\\ntry:\\n    snowid.next()\\nexcept snowid.SnowidError as e:\\n    print(e.code)"
        print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
    """, SNOWID_WORKER_ID="7")
    assert text.splitlines() == ["env (datacenter=0, worker=7)", "NODE_IN_USE"], text


def test_environment_sets_layout_and_nodes() -> None:
    assert out("""
        import snowid
        p = snowid.inspect(snowid.next())
        print(p.datacenter, p.worker)
    """, SNOWID_WORKER_ID="7", SNOWID_DATACENTER_ID="2") == "2 7"
    assert out("""
        import snowid
        print(snowid.inspect(snowid.next(), "instagram").shard)
    """, SNOWID_LAYOUT="instagram", SNOWID_SHARD_ID="1341") == "1341"


@pytest.mark.parametrize("var, value", [("SNOWID_WORKER_ID", "32"), ("SNOWID_WORKER_ID", "seven"), ("SNOWID_LAYOUT", "snowflake")])
def test_bad_environment_names_the_variable(var: str, value: str) -> None:
    text = out("""
        import snowid
        try:
            snowid.next()
        except snowid.InvalidSettingError as e:
            print(e.code, isinstance(e, ValueError), e)
    """, **{var: value})
    assert text.startswith("INVALID_SETTING True") and var in text and value in text


def test_configure_before_first_use_and_after() -> None:
    text = out("""
        import snowid
        snowid.configure(datacenter=3, worker=9)
        p = snowid.inspect(snowid.next())
        print(p.datacenter, p.worker, snowid.default_source())
        snowid.configure(datacenter=3, worker=9)    # same settings: fine
        try:
            snowid.configure(datacenter=3, worker=10)
        except snowid.InvalidSettingError as e:
            print("refused", "issued" in str(e), "worker" in str(e))
        print(snowid.inspect(snowid.next()).worker)
        try:
            snowid.configure(worker=9)
        except snowid.MissingFieldError as e:
            print(e.code)
    """)
    assert text.splitlines() == [
        "3 9 explicit (datacenter=3, worker=9)", "refused True True", "9", "MISSING_FIELD"], text


def test_configure_before_any_id_replaces_the_default() -> None:
    assert out("""
        import snowid
        print(snowid.inspect(snowid.Layout.twitter().max_id).layout.name)  # creates nothing
        snowid.configure(layout="discord", worker=1, process=2)
        print(snowid.inspect(snowid.next()).layout.name, snowid.default_source())
    """, SNOWID_LAYOUT="instagram").splitlines() == ["instagram", "discord explicit (worker=1, process=2)"]


def test_configure_layout_and_options() -> None:
    assert out("""
        import snowid
        wide = snowid.Layout("wide", [("timestamp", 41), ("node", 2), ("sequence", 20)], epoch=1700000000000)
        snowid.configure(layout=wide, node=3, clock="monotonic", on_regression="fail")
        ids = [snowid.next() for _ in range(100000)]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        print(snowid.inspect(ids[0]).node, snowid.inspect(ids[0]).layout.name, snowid.default_stats().issued)
    """) == "3 wide 100000"


def test_inspect_without_a_layout_uses_the_default_generators() -> None:
    """inspect(id) decodes with the default generator's layout: configured,
    else SNOWID_LAYOUT (trimmed, any case), else Twitter; before and after
    the default generator exists."""
    assert out("""
        import snowid
        before = snowid.inspect(1 << 40).layout.name
        after = snowid.inspect(snowid.next()).layout.name
        print(before, after, snowid.default_source().split(" in ")[0])
    """, SNOWID_LAYOUT=" Discord ") == "discord discord local slot 0"
    text = out("""
        import snowid
        try:
            snowid.inspect(1)
        except snowid.InvalidSettingError as e:
            print(e.code, "SNOWID_LAYOUT" in str(e))
    """, SNOWID_LAYOUT="snowflake")
    assert text == "INVALID_SETTING True"


FORK_CODE = """
import os, snowid
{setup}
parent = [snowid.next() for _ in range(1000)]
parent_source = snowid.default_source()
gen = snowid.Generator(datacenter=31, worker=31)
gen.next()
gen_next, mod_next = gen.next, snowid.next  # objects taken before the fork
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    lines = []
    try:
        gen.next()
        lines.append("old generator issued")
    except snowid.ForkedError as e:
        lines.append("old generator: " + e.code)
    if {probe}:
        try:
            snowid.next()
            lines.append("default issued, " + ("same" if snowid.default_source() == parent_source else "own") + " numbers")
        except snowid.SnowidError as e:
            lines.append("default: " + e.code)
    {child}
    os.write(w, "\\n".join(lines).encode())
    os._exit(0)
os.close(w)
data = b""
while True:
    chunk = os.read(r, 1 << 20)
    if not chunk:
        break
    data += chunk
os.waitpid(pid, 0)
more = [snowid.next() for _ in range(1000)]
print(data.decode())
child_ids = [int(x) for x in data.decode().split("ids:")[1].split(",")] if "ids:" in data.decode() else []
print("duplicates", len(set(parent + more) & set(child_ids)), len(child_ids))
"""


def test_fork_child_of_an_unconfigured_default_claims_its_own_slot() -> None:
    text = out(FORK_CODE.format(setup="", probe=True, child="""
    ids = [snowid.next() for _ in range(1000)]
    lines.append("ids:" + ",".join(map(str, ids)))
"""))
    lines = text.splitlines()
    assert lines[0] == "old generator: FORKED"
    assert lines[1] == "default issued, own numbers"
    assert lines[-1] == "duplicates 0 1000"


def test_fork_child_through_objects_taken_before_the_fork_never_repeats() -> None:
    """The raw one-ID paths (METH_NOARGS `snowid.next` and `Generator.next`)
    reached in a child through a function and a bound method taken before
    the fork, warm (they issued just before it): the old generator raises
    FORKED on its lock-free path too, and the default one, made again with
    its own numbers, repeats none of the parent's IDs."""
    text = out(FORK_CODE.format(setup="", probe=True, child="""
    try:
        gen_next()
        lines.append("bound method issued")
    except snowid.ForkedError as e:
        lines.append("bound method: " + e.code)
    ids = [mod_next() for _ in range(1000)]
    lines.append("ids:" + ",".join(map(str, ids)))
"""))
    lines = text.splitlines()
    assert lines[:3] == ["old generator: FORKED", "default issued, own numbers", "bound method: FORKED"], text
    assert lines[-1] == "duplicates 0 1000", text


def test_fork_child_of_a_configured_default_gets_node_in_use_until_it_configures_its_own() -> None:
    text = out(FORK_CODE.format(setup="snowid.configure(datacenter=0, worker=3)", probe=True, child="""
    snowid.configure(datacenter=0, worker=5)
    ids = [snowid.next() for _ in range(1000)]
    lines.append("worker " + str(snowid.inspect(ids[0]).worker))
    lines.append("ids:" + ",".join(map(str, ids)))
"""))
    lines = text.splitlines()
    assert lines[0] == "old generator: FORKED"
    assert lines[1] == "default: NODE_IN_USE"
    assert lines[2] == "worker 5"
    assert lines[-1] == "duplicates 0 1000"


def test_fork_child_with_the_parents_explicit_numbers_never_duplicates() -> None:
    text = out(FORK_CODE.format(setup="snowid.configure(datacenter=0, worker=4)", probe=True, child="""
    for attempt in ["again", "configured"]:
        try:
            if attempt == "configured":
                snowid.configure(datacenter=0, worker=4)
            lines.append(attempt + " issued " + str(snowid.next()))
        except snowid.SnowidError as e:
            lines.append(attempt + ": " + e.code)
"""))
    assert text.splitlines()[:4] == [
        "old generator: FORKED", "default: NODE_IN_USE", "again: NODE_IN_USE", "configured: NODE_IN_USE"], text


def test_fork_child_of_unprotected_numbers_is_refused() -> None:
    text = out(FORK_CODE.format(setup="snowid.configure(datacenter=0, worker=6, protect=False)", probe=True, child=""))
    assert text.splitlines()[:2] == ["old generator: FORKED", "default: FORKED"], text


def test_fork_child_of_environment_numbers_gets_node_in_use() -> None:
    text = run_python(textwrap.dedent(FORK_CODE.format(setup="", probe=True, child="")),
                      {"SNOWID_WORKER_ID": "7"}).stdout
    assert text.splitlines()[:2] == ["old generator: FORKED", "default: NODE_IN_USE"], text


def test_fork_child_with_per_process_environment() -> None:
    text = out(FORK_CODE.format(setup="", probe=False, child="""
    os.environ["SNOWID_WORKER_ID"] = "12"
    ids = [snowid.next() for _ in range(500)]
    lines.append("worker " + str(snowid.inspect(ids[0]).worker))
    lines.append("ids:" + ",".join(map(str, ids)))
"""))
    lines = text.splitlines()
    assert lines[1] == "worker 12" and lines[-1] == "duplicates 0 500"


def test_multiprocessing_fork_workers_configured_in_initializer() -> None:
    text = out("""
        import json, multiprocessing as mp, os, snowid

        def init(counter):
            with counter.get_lock():
                counter.value += 1
                snowid.configure(datacenter=1, worker=counter.value)

        def work(n):
            return [snowid.next() for _ in range(n)]

        def unconfigured(n):
            # No configure(): the child claims a free machine-local slot.
            return [snowid.next() for _ in range(n)]

        if __name__ == "__main__":
            parent = [snowid.next() for _ in range(2000)]
            ctx = mp.get_context("fork")
            counter = ctx.Value("i", 0)
            with ctx.Pool(3, initializer=init, initargs=(counter,)) as pool:
                batches = pool.map(work, [2000] * 6)
            with ctx.Pool(2) as pool:
                unconfigured_ids = [i for b in pool.map(unconfigured, [2000] * 2) for i in b]
            parent += [snowid.next() for _ in range(2000)]
            children = [i for b in batches for i in b]
            workers = sorted({snowid.inspect(i).worker for i in children})
            everyone = parent + children + unconfigured_ids
            print(json.dumps([len(children), len(set(children)), len(set(children) & set(parent)), workers,
                              len(everyone) - len(set(everyone))]))
    """)
    n, unique, shared, workers, duplicates = json.loads(text)
    assert (n, unique, shared) == (12000, 12000, 0)
    assert 0 not in workers and set(workers) <= {1, 2, 3}
    assert duplicates == 0


def mark_tick(state: str) -> int:
    """The tick of the one high-water mark under `state`."""
    marks = glob.glob(os.path.join(state, "*", "slot-*.mark"))
    assert len(marks) == 1, marks
    with open(marks[0]) as f:
        text = f.read()
    assert text.startswith("snowid-high-water 1\n"), text
    (tick,) = [int(line.split()[1]) for line in text.splitlines() if line.startswith("tick ")]
    return tick


EXITS = {
    "end of script": "",
    "sys.exit(0)": "sys.exit(0)",
    "uncaught SystemExit": "raise SystemExit(3)",
    "os._exit (no atexit, like a crash)": "os._exit(0)",
}


@pytest.mark.parametrize("how", list(EXITS))
def test_clean_exit_releases_the_default_generators_mark(tmp_path: Any, how: str) -> None:
    """After a clean exit the mark on disk is no higher than the last issued
    ID's tick, so the next process with these numbers need not wait out the
    window; after os._exit (no atexit, like a crash) it stays a window ahead.
    Read from the mark file, not timed."""
    state = str(tmp_path)
    code = "import os, sys, snowid\n" \
        "ids = [snowid.next() for _ in range(5000)]\n" \
        "print(snowid.inspect(ids[-1]).tick, flush=True)\n" + EXITS[how]
    env = {"SNOWID_STATE_DIR": state, "SNOWID_WINDOW_MS": "600000"}
    p = run_python(code, env, check=False)
    assert p.returncode in (0, 3), p.stderr
    last = int(p.stdout.split()[0])
    tick = mark_tick(state)
    if how.startswith("os._exit"):
        assert tick >= last + 500_000, (tick, last)
        return
    assert tick <= last, (tick, last)
    # the successor issues above its predecessor
    q = run_python("import snowid; print(snowid.inspect(snowid.next()).tick)", env)
    assert int(q.stdout) >= last


def test_generator_node_sources() -> None:
    text = out("""
        import os, tempfile, snowid
        state = tempfile.mkdtemp()
        a = snowid.Generator(node_source="local", state_dir=state)
        b = snowid.Generator(node_source="local", state_dir=state)
        print(a.source.split(" in ")[0], "|", b.source.split(" in ")[0])
        ids = [a.next() for _ in range(1000)] + [b.next() for _ in range(1000)]
        print(len(set(ids)))
        os.environ["SNOWID_WORKER_ID"] = "9"
        e = snowid.Generator(node_source="env", state_dir=state)
        print(e.source, snowid.inspect(e.next()).worker)
        try:
            snowid.Generator(node_source="env", state_dir=state)
        except snowid.NodeInUseError as err:
            print(err.code)
        os.environ["HOSTNAME"] = "web-33"
        k = snowid.Generator(node_source="k8s", state_dir=state)
        print(k.source)
        os.environ["SNOWID_STATE_DIR"] = tempfile.mkdtemp()
        f = snowid.Generator.from_env()
        print(f.source, snowid.inspect(f.next()).worker)
    """)
    lines = text.splitlines()
    assert lines[0] == "local slot 0 | local slot 1"
    assert lines[1] == "2000"
    assert lines[2] == "env (datacenter=0, worker=9) 9"
    assert lines[3] == "NODE_IN_USE"
    assert lines[4] == "k8s (datacenter=1, worker=1)"
    assert lines[5] == "env (datacenter=0, worker=9) 9"


def test_generator_node_source_bad_input() -> None:
    import snowid
    with pytest.raises(snowid.InvalidSettingError, match="node_source"):
        snowid.Generator(node_source="zookeeper")
    with pytest.raises(snowid.WrongTypeError, match="node_source must be one of"):
        snowid.Generator(node_source=3)  # type: ignore[arg-type]
    with pytest.raises(snowid.InvalidSettingError, match="node fields"):
        snowid.Generator(node_source="local", worker=1, datacenter=0)
    with pytest.raises(snowid.MissingFieldError):
        snowid.Generator()
    g = snowid.Generator(worker=1, datacenter=2, protect=False)
    assert g.source == "explicit"  # unprotected: no lock, no mark


def test_ready_reaches_the_default_as_next_does() -> None:
    """`snowid.ready()` creates the default generator (claiming its numbers)
    without issuing, and raises what `snowid.next()` would."""
    text = out("""
        import snowid
        assert snowid.default_source() is None
        snowid.ready()
        print(snowid.default_source().startswith("local slot 0 in "), snowid.default_stats().issued)
        snowid.next()
        snowid.ready()
        print(snowid.default_stats().issued)
    """)
    assert text.splitlines() == ["True 0", "1"], text


def test_ready_in_a_fork_child_raises_what_next_would() -> None:
    probes = """
    for what, call in [("gen.ready", gen.ready), ("ready", snowid.ready), ("next", snowid.next)]:
        try:
            call()
            lines.append(what + " ok")
        except snowid.SnowidError as e:
            lines.append(what + ": " + e.code)
    lines.append("issued " + str(snowid.default_stats().issued))
"""
    text = out(FORK_CODE.format(setup="snowid.configure(datacenter=0, worker=3)", probe=False, child=probes))
    assert text.splitlines()[:5] == [
        "old generator: FORKED", "gen.ready: FORKED", "ready: NODE_IN_USE", "next: NODE_IN_USE", "issued 0"], text
    # An unconfigured default: the child's ready() claims a slot of its own.
    text = out(FORK_CODE.format(setup="", probe=False, child=probes.replace(
        '("next", snowid.next)', '("source", lambda: lines.append(str(snowid.default_source() != parent_source)))')))
    assert text.splitlines()[:6] == [
        "old generator: FORKED", "gen.ready: FORKED", "ready ok", "True", "source ok", "issued 0"], text
