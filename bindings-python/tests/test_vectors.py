"""testdata/vectors.json: every section that applies to Python."""

import json
import os
import re
from typing import Any, Dict, List

import pytest

import snowid
from snowid.exceptions import BY_CODE, SnowidError, class_for, class_name
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
    # every core code has its own class, named after it, of its kind, with
    # its number (read from the core's table, see exceptions.py)
    assert sorted(BY_CODE) == sorted(c for c, _, _ in core)
    for code, number, kind in core:
        cls = BY_CODE[code]
        assert cls is class_for(code, kind) is getattr(snowid, class_name(code)), code
        assert (cls.code, cls.number, cls.kind) == (code, number, kind)
        assert issubclass(cls, SnowidError)
        assert issubclass(cls, ValueError if kind == "invalid_input" else RuntimeError), code
    for e in vectors["errors"]:
        assert issubclass(BY_CODE[e["code"]], TypeError) == e["type_error"], e["code"]
        assert class_name(code) in snowid.__all__
    for code in ["WRONG_TYPE", "UNKNOWN_FIELD", "MISSING_FIELD"]:
        assert issubclass(BY_CODE[code], TypeError)
    # a code newer than the package still gets a class of its kind
    assert class_for("SOME_NEW_CODE", "unavailable") is snowid.UnavailableError


def test_no_code_number_pairs_outside_the_core() -> None:
    """Numbers of codes come from snowid::ERROR_CODES only: no source file of
    this binding pairs a code with a number."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    codes = "|".join(c for c, _, _ in snowid._native.error_codes())
    pair = re.compile(r'"(' + codes + r')"\s*[,)]?\s*\d+|(' + codes + r')"?\s*,\s*number\s*=\s*\d+')
    files = [os.path.join(root, "src", f) for f in os.listdir(os.path.join(root, "src"))]
    files += [os.path.join(os.path.dirname(snowid.__file__), f) for f in os.listdir(os.path.dirname(snowid.__file__))]
    checked = 0
    for path in files:
        if path.endswith((".rs", ".py", ".pyi")):
            with open(path) as f:
                text = f.read()
            assert not pair.search(text), (path, pair.search(text))
            checked += 1
    assert checked >= 8


class JsOnly(Exception):
    """A case with a JavaScript number ({"float": x}: an integer when
    integral), which no Python value is; Python floats are {"real": x}."""


def option_value(v: Dict[str, Any], x: Any) -> Any:
    """A vector's option value as a Python program would pass it."""
    if isinstance(x, list):
        return list(x)
    if not isinstance(x, dict):
        return x
    (form, arg), = x.items()
    if form == "int":
        return int(arg)
    if form == "float":  # a JavaScript number: Python has no such value
        raise JsOnly()
    if form == "real":  # a float of a host with integers: a Python float
        return float(arg)
    if form == "bytes":  # a str that is not UTF-8: what os.fsdecode gives
        return bytes.fromhex(arg).decode("utf-8", "surrogateescape")
    if form == "other":
        return {"list": [], "dict": {}}.get(arg) or type(arg, (), {})()
    if form == "manual_clock":
        return ManualClock(int(arg))
    if form == "layout_of":
        return layout_of(v, arg)
    raise AssertionError(f"unknown value form {form}")


def test_options_resolve_like_the_reference(vectors: Dict[str, Any]) -> None:
    """Every `options` case through the conversion Generator() and
    configure() use (snowid._native._resolve is that conversion plus the
    core's resolver, against the case's environment only)."""
    cases = vectors["options"]
    assert len(cases) >= 50
    skipped = 0
    for case in cases:
        opts = case["options"]
        if opts is not None:
            try:
                opts = {k: option_value(vectors, x) for k, x in opts.items()}
            except JsOnly:
                skipped += 1
                continue
        env = {k: (x if isinstance(x, str) else bytes.fromhex(x["bytes"])) for k, x in case["env"].items()}
        what = f"{case['target']} {case['options']} {case['env']}: {case['why']}"
        if "error" in case:
            with pytest.raises(SnowidError) as e:
                snowid._native._resolve(case["target"], opts, env)
            assert e.value.code == case["error"], (what, str(e.value))
        else:
            got = json.loads(snowid._native._resolve(case["target"], opts, env))
            assert got == case["expect"], what
    assert 0 < skipped < 10, "JavaScript-only cases ({\"float\": x}) skipped: %d" % skipped


def test_options_vectors_through_the_real_constructor(vectors: Dict[str, Any]) -> None:
    """The `generator` cases whose environment is empty, through Generator()
    itself (it reads the real environment: conftest's temp state dir)."""
    ran = 0
    for case in vectors["options"]:
        if case["target"] != "generator" or case["env"] or case["options"] is None:
            continue
        try:
            opts = {k: option_value(vectors, x) for k, x in case["options"].items()}
        except JsOnly:
            continue
        if "error" in case:
            with pytest.raises(SnowidError) as e:
                snowid.Generator(**opts)
            assert e.value.code == case["error"], case
        elif case["expect"]["nodes"] is not None and "state_dir" not in opts:
            g = snowid.Generator(**opts)
            assert g.lane_nodes == case["expect"]["lane_nodes"], case
            assert g.nodes == case["expect"]["lane_nodes"][0], case
            assert g.layout.name == case["expect"]["layout"]
            assert g.layout.epoch_ms == case["expect"]["epoch_ms"]
            del g
        ran += 1
    assert ran >= 20


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
