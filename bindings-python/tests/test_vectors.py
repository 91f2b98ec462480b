"""testdata/vectors.json: every section that applies to Python."""

from typing import Any, Dict, List

import pytest

import snowid
from snowid.exceptions import BY_CODE, SnowidError, class_for
from snowid.testing import ManualClock, generator


def layout_of(v: Dict[str, Any], name: str) -> snowid.Layout:
    spec = next(l for l in v["layouts"] if l["name"] == name)
    custom = snowid.Layout(
        spec["name"],
        [(f["name"], f["bits"], f["kind"]) for f in spec["fields"]],
        epoch=spec["epoch_ms"],
        tick_ms=spec["tick_ms"],
        sign_bit=spec["sign_bit"],
    )
    if spec["preset"]:
        preset = snowid.Layout.preset(name)
        assert preset == custom, name
        assert getattr(snowid.Layout, name)() == preset
        return preset
    return custom


def test_error_table_matches_core_and_classes(vectors: Dict[str, Any]) -> None:
    listed = [(e["code"], e["number"], e["kind"]) for e in vectors["errors"]]
    core = [tuple(c) for c in snowid._native.error_codes()]
    assert listed == core
    # every class stands for a core code; every core code maps to a class
    # with the right base (its own, or its kind's for codes newer than the
    # binding: the lead adds node-identity codes in the core)
    assert set(BY_CODE) <= {c for c, _, _ in core}
    for code, number, kind in core:
        cls = class_for(code, kind)
        if code in BY_CODE:
            assert cls.code == code and cls.number == number and cls.kind == kind
        assert issubclass(cls, SnowidError)
        assert issubclass(cls, ValueError if kind == "invalid_input" else RuntimeError)


def test_layouts_and_capacity(vectors: Dict[str, Any]) -> None:
    for v in vectors["layouts"]:
        l = layout_of(vectors, v["name"])
        c = l.capacity
        for key in ["lifespan_ms", "end_ms", "ids_per_tick", "ids_per_second_per_node", "nodes"]:
            assert getattr(c, key) == int(v["capacity"][key]), (v["name"], key)
        assert l.max_id == int(v["max_id"])
        assert l.epoch_ms == v["epoch_ms"] and l.tick_ms == v["tick_ms"] and l.sign_bit == v["sign_bit"]
        assert l.fields == tuple((f["name"], f["bits"], f["kind"]) for f in v["fields"])
        assert l.node_names == tuple(f["name"] for f in v["fields"] if f["kind"] == "node")


def test_ids_decode_and_compose(vectors: Dict[str, Any]) -> None:
    for v in vectors["ids"]:
        l = layout_of(vectors, v["layout"])
        i = int(v["id"])
        p = l.decode(i)
        assert p.id == i
        assert p.timestamp_ms == v["timestamp_ms"], v
        assert p.tick == v["tick"] and p.sequence == v["sequence"]
        assert p.nodes == v["nodes"]
        for name, value in v["nodes"].items():
            assert getattr(p, name) == value
        assert p.timestamp.timestamp() * 1000 == pytest.approx(v["timestamp_ms"], abs=0)
        assert l.compose(timestamp=v["timestamp_ms"], sequence=v["sequence"], **v["nodes"]) == i
        assert l.compose(timestamp=p.timestamp, sequence=v["sequence"], **v["nodes"]) == i
        assert snowid.inspect(i, l) == p
        if l.name in ("twitter", "discord", "instagram", "sonyflake"):
            assert snowid.inspect(i, l.name) == p


def test_bounds(vectors: Dict[str, Any]) -> None:
    for v in vectors["bounds"]:
        l = layout_of(vectors, v["layout"])
        assert l.min_id_at(v["timestamp_ms"]) == int(v["min_id"]), v
        assert l.max_id_at(v["timestamp_ms"]) == int(v["max_id"]), v
        dt = snowid.inspect(int(v["min_id"]), l).timestamp
        assert l.min_id_at(dt) == int(v["min_id"])


def test_encodings(vectors: Dict[str, Any]) -> None:
    assert snowid.ENCODINGS == ("decimal", "hex", "base32", "base62")
    for v in vectors["encodings"]:
        i = int(v["id"])
        for enc in snowid.ENCODINGS:
            assert snowid.encode(i, enc) == v[enc]
            assert snowid.decode_str(v[enc], enc) == i
    for v in vectors["parse_aliases"]:
        assert snowid.decode_str(v["input"], v["encoding"]) == int(v["id"])


def test_invalid_strings(vectors: Dict[str, Any]) -> None:
    for v in vectors["invalid_strings"]:
        with pytest.raises(ValueError) as e:
            snowid.decode_str(v["input"], v["encoding"])
        assert isinstance(e.value, BY_CODE[v["error"]]), (v, e.value)
        assert e.value.code == v["error"]  # type: ignore[attr-defined]


def test_invalid_layouts_presets_ids(vectors: Dict[str, Any]) -> None:
    for v in vectors["invalid_layouts"]:
        s = v["spec"]
        with pytest.raises(snowid.LayoutError) as e:
            snowid.Layout(
                s["name"],
                [(f["name"], f["bits"], f["kind"]) for f in s["fields"]],
                epoch=s["epoch_ms"],
                tick_ms=s["tick_ms"],
                sign_bit=s["sign_bit"],
            )
        assert e.value.code == v["error"], v
    for v in vectors["invalid_presets"]:
        with pytest.raises(snowid.UnknownLayoutError):
            snowid.Layout.preset(v["name"])
        with pytest.raises(ValueError) as e2:
            snowid.inspect(0, v["name"])
        assert e2.value.code == v["error"]  # type: ignore[attr-defined]
    for v in vectors["invalid_ids"]:
        l = layout_of(vectors, v["layout"])
        with pytest.raises(ValueError) as e2:
            l.decode(int(v["id"]))
        assert e2.value.code == v["error"]  # type: ignore[attr-defined]


def test_invalid_compose(vectors: Dict[str, Any]) -> None:
    for v in vectors["invalid_compose"]:
        l = layout_of(vectors, v["layout"])
        with pytest.raises(SnowidError) as e:
            l.compose(timestamp=v["timestamp_ms"], sequence=v["sequence"], **v["nodes"])
        assert e.value.code == v["error"], v
        if v["error"] in ("UNKNOWN_FIELD", "MISSING_FIELD"):
            assert isinstance(e.value, TypeError)


def test_deterministic_runs(vectors: Dict[str, Any]) -> None:
    for run in vectors["runs"]:
        l = layout_of(vectors, run["layout"])
        clock = ManualClock(run["start_ms"])
        assert run["on_regression"] == "fail"
        g = generator(clock, layout=l, max_borrow_ticks=run["max_borrow_ticks"], **run["nodes"])
        for i, step in enumerate(run["steps"]):
            what = f"{run['layout']} step {i}: {step.get('op')}"
            op = step["op"]
            if op == "set":
                clock.set(step["ms"])
            elif op == "advance":
                clock.advance(step["ms"])
            elif op == "next":
                if "error" in step:
                    with pytest.raises(SnowidError) as e:
                        g.next()
                    assert e.value.code == step["error"], what
                    assert isinstance(e.value, RuntimeError)
                else:
                    assert g.next() == int(step["expect"]), what
            elif op == "batch":
                if "error" in step:
                    with pytest.raises(SnowidError) as e:
                        g.next_batch(step["n"])
                    assert e.value.code == step["error"], what
                else:
                    got: List[int] = g.next_batch(step["n"])
                    assert got == [int(x) for x in step["expect"]], what
            else:
                raise AssertionError(f"unknown op {op}")
