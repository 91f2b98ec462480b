"""testdata/vectors.json, section "wide": layouts up to 128 bits and the
JS-safe preset, with Python ints."""

import threading
from typing import Any, Dict, List

import pytest

import snowid
from snowid.testing import ManualClock


def layouts(v: Dict[str, Any]) -> Dict[str, snowid.WideLayout]:
    return {l["key"]: snowid.WideLayout(**l["options"]) for l in v["wide"]["layouts"]}


def test_layouts_and_capacity(vectors: Dict[str, Any]) -> None:
    by_key = layouts(vectors)
    for l in vectors["wide"]["layouts"]:
        w = by_key[l["key"]]
        assert (w.name, w.width, w.epoch_ms, w.tick_ms) == (l["name"], l["width"], l["epoch_ms"], l["tick_ms"])
        assert w.max_id == int(l["max_id"])
        assert w.js_safe == l["js_safe"]
        assert w.fields == [(f["name"], f["bits"], f["kind"]) for f in l["fields"]]
        assert w.capacity() == {k: int(x) for k, x in l["capacity"].items()}
    assert snowid.WideLayout("jssafe") == snowid.WideLayout(layout="jssafe")
    assert snowid.WideLayout() == snowid.WideLayout("wide128")


def test_ids_compose_decode_encode(vectors: Dict[str, Any]) -> None:
    by_key = layouts(vectors)
    for case in vectors["wide"]["ids"]:
        w = by_key[case["layout"]]
        i = int(case["id"])
        p = w.decode(i)
        assert (p.id, p.tick, p.timestamp_ms, p.sequence) == (i, int(case["tick"]), int(case["timestamp_ms"]), case["sequence"])
        assert p.nodes == case["nodes"]
        assert w.compose(int(case["timestamp_ms"]), case["sequence"], **case["nodes"]) == i
        for enc, text in case["encodings"].items():
            assert snowid.encode_wide(i, enc) == text
            assert snowid.decode_str_wide(text, enc) == i
    for case in vectors["wide"]["encodings"]:
        for enc, text in case["encodings"].items():
            assert snowid.encode_wide(int(case["id"]), enc) == text
            assert snowid.decode_str_wide(text, enc) == int(case["id"])
    for case in vectors["wide"]["parse_aliases"]:
        assert snowid.decode_str_wide(case["input"], case["encoding"]) == int(case["id"])


def test_bounds(vectors: Dict[str, Any]) -> None:
    by_key = layouts(vectors)
    for case in vectors["wide"]["bounds"]:
        w = by_key[case["layout"]]
        assert w.min_id_at(case["ms"]) == int(case["min"])
        assert w.max_id_at(case["ms"]) == int(case["max"])


def test_invalid_inputs(vectors: Dict[str, Any]) -> None:
    by_key = layouts(vectors)
    for case in vectors["wide"]["invalid_layouts"]:
        with pytest.raises(snowid.SnowidError) as e:
            snowid.WideLayout(**case["options"])
        assert e.value.code == case["code"], case
    for case in vectors["wide"]["invalid_ids"]:
        with pytest.raises(snowid.SnowidError) as e:
            by_key[case["layout"]].decode(int(case["id"]))
        assert e.value.code == case["code"], case
    for case in vectors["wide"]["invalid_strings"]:
        with pytest.raises(snowid.SnowidError) as e:
            snowid.decode_str_wide(case["input"], case["encoding"])
        assert e.value.code == case["code"], case


def test_custom_js_safe_layout_that_does_not_fit() -> None:
    with pytest.raises(snowid.LayoutBitsSumError, match="2\\^53 - 1"):
        snowid.WideLayout("timestamp:40|worker:10|sequence:12", width=53)


def test_runs(vectors: Dict[str, Any]) -> None:
    for run in vectors["wide"]["runs"]:
        clock = ManualClock(run["start_ms"])
        g = snowid.WideGenerator(clock=clock, **run["options"], **run["nodes"])
        for step in run["steps"]:
            if step["op"] == "advance":
                clock.advance(step["ms"])
            elif step["op"] == "next":
                if "error" in step:
                    with pytest.raises(snowid.SnowidError) as e:
                        g.next()
                    assert e.value.code == step["error"]
                else:
                    assert g.next() == int(step["expect"])
            else:
                assert g.next_batch(step["n"]) == [int(x) for x in step["expect"]]


def test_generator_with_local_slots_and_threads() -> None:
    a = snowid.WideGenerator(layout="wide128", node_source="local")
    b = snowid.WideGenerator(layout="wide128", node_source="local")
    assert a.nodes != b.nodes and a.source.startswith("local slot")
    ids: List[int] = []
    lock = threading.Lock()

    def work() -> None:
        got = [a.next() for _ in range(5000)] + a.next_batch(5000)
        assert got == sorted(got)
        with lock:
            ids.extend(got)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(set(ids)) == 40000
    assert all(i.bit_length() > 64 for i in ids)
    assert a.stats().issued == 40000
    with pytest.raises(snowid.NodeInUseError):
        taken: Dict[str, Any] = dict(a.nodes)
        snowid.WideGenerator(layout="wide128", **taken)


def test_js_safe_ids_fit_a_double() -> None:
    g = snowid.WideGenerator(layout="jssafe", worker=127, protect=False)
    for i in g.next_batch(1000):
        assert i <= 2**53 - 1 and int(float(i)) == i


def test_fork_rule() -> None:
    """A wide generator made before fork() refuses to issue in the child
    (the child would share its node numbers), as the 64-bit one does."""
    import os

    g = snowid.WideGenerator(layout="jssafe", worker=11, protect=False)
    g.next()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        try:
            g.next()
            code = "issued"
        except snowid.SnowidError as e:
            code = e.code
        os.write(w, code.encode())
        os._exit(0)
    os.close(w)
    got = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    assert got == "FORKED"
    assert g.next() > 0  # the parent goes on
