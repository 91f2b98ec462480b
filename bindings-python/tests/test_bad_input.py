"""Every public entry point, every argument, every kind of bad value: the
result is either success or a snowid error carrying a core code whose
message names the value (or its type), never a crash, a bare OverflowError,
MemoryError or TypeError without a code."""

import datetime as dt
import json
import math
import textwrap
from typing import Any, Callable, Dict, List, Tuple

import pytest

import snowid
from snowid.testing import ManualClock, generator

from conftest import run_python

T0 = 1_700_000_000_000
FIELDS = [("timestamp", 41), ("n", 10), ("sequence", 12)]

BAD: List[Tuple[str, Any]] = [
    ("negative", -1),
    ("too large", 2**64),
    ("huge", 2**200),
    ("huge negative", -(2**200)),
    ("float", 1.5),
    ("nan", math.nan),
    ("inf", math.inf),
    ("str", "x"),
    ("non-UTF-8 str", "\udcff"),
    ("bytes", b"x"),
    ("list", [1]),
    ("dict", {}),
    ("object", object()),
    ("None", None),
    ("bool", True),
    ("naive datetime", dt.datetime(2020, 1, 1)),
]


def names(value: Any, code: str, message: str) -> bool:
    """Whether an error message names the value (a wrong type: its type)."""
    m = message.lower()
    if code == "MISSING_FIELD":
        return value is None  # None is "not given"
    if code in ("UNKNOWN_FIELD", "FIELD_COUNT"):
        return True  # the keyword / the number of fields is what is wrong, and named
    if code in ("TIMESTAMP_OUT_OF_RANGE", "EPOCH_IN_FUTURE") and isinstance(value, int) and abs(value) >= 2**63:
        # The core's error holds the instant as i128 / u64 and shows values
        # beyond as the bound; the value is out of range either way.
        return "outside" in m or "future" in m
    if code == "WRONG_TYPE" and "fields[" in m:
        return True  # an item of the iterable is named, by position
    if code == "WRONG_TYPE":
        kind = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(value))
        if kind and kind in m:
            return True
    if isinstance(value, bool):
        return str(value).lower() in m
    if isinstance(value, int):
        return str(value) in message
    if isinstance(value, float):
        return any(t in m for t in [repr(value), "nan", "inf"])
    if isinstance(value, str):
        return value in message if value.isprintable() else "utf-8" in m or "string" in m
    if isinstance(value, dt.datetime):
        return "datetime" in m
    return type(value).__name__.lower() in m


def check(what: str, call: Callable[[], Any], value: Any) -> str:
    """Runs one call; returns "ok" or the error code."""
    try:
        call()
    except snowid.SnowidError as e:
        assert e.code in snowid.exceptions.BY_CODE, (what, e)
        assert names(value, e.code, e.message), (what, value, str(e))
        if e.code == "WRONG_TYPE":
            assert isinstance(e, TypeError)
        return e.code
    except BaseException as e:  # noqa: B902 - anything uncoded is the bug
        raise AssertionError(f"{what} with {value!r}: uncoded {type(e).__name__}: {e}") from e
    return "ok"


tw = snowid.Layout.twitter()
clock = ManualClock(T0)

ENTRY_POINTS: Dict[str, Callable[[Any], Any]] = {
    "inspect(id)": lambda v: snowid.inspect(v),
    "inspect(layout)": lambda v: snowid.inspect(1, v),
    "encode(id)": lambda v: snowid.encode(v, "hex"),
    "encode(encoding)": lambda v: snowid.encode(1, v),
    "decode_str(text)": lambda v: snowid.decode_str(v, "decimal"),
    "decode_str(encoding)": lambda v: snowid.decode_str("1", v),
    "Layout(name)": lambda v: snowid.Layout(v, FIELDS, epoch=T0),
    "Layout(fields)": lambda v: snowid.Layout("x", v, epoch=T0),
    "Layout(fields[i])": lambda v: snowid.Layout("x", [v, ("n", 10), ("sequence", 12)], epoch=T0),
    "Layout(field name)": lambda v: snowid.Layout("x", [("timestamp", 41), (v, 10), ("sequence", 12)], epoch=T0),
    "Layout(field bits)": lambda v: snowid.Layout("x", [("timestamp", 41), ("n", v), ("sequence", 12)], epoch=T0),
    "Layout(field kind)": lambda v: snowid.Layout("x", [("timestamp", 41), ("n", 10, v), ("sequence", 12)], epoch=T0),
    "Layout(epoch)": lambda v: snowid.Layout("x", FIELDS, epoch=v),
    "Layout(tick_ms)": lambda v: snowid.Layout("x", FIELDS, epoch=T0, tick_ms=v),
    "Layout(sign_bit)": lambda v: snowid.Layout("x", FIELDS, epoch=T0, sign_bit=v),
    "Layout.preset(name)": lambda v: snowid.Layout.preset(v),
    "Layout.decode(id)": lambda v: tw.decode(v),
    "Layout.compose(timestamp)": lambda v: tw.compose(timestamp=v, datacenter=1, worker=1),
    "Layout.compose(sequence)": lambda v: tw.compose(timestamp=T0, sequence=v, datacenter=1, worker=1),
    "Layout.compose(node)": lambda v: tw.compose(timestamp=T0, datacenter=v, worker=1),
    "Layout.min_id_at(when)": lambda v: tw.min_id_at(v),
    "Layout.max_id_at(when)": lambda v: tw.max_id_at(v),
    "Generator.next_batch(n)": lambda v: snowid.Generator(datacenter=30, worker=30, protect=False).next_batch(v),
    "ManualClock(start)": lambda v: ManualClock(v),
    "ManualClock.set(when)": lambda v: clock.set(v),
    "ManualClock.advance(ms)": lambda v: clock.advance(v),
    "testing.generator(clock)": lambda v: generator(v, datacenter=1, worker=1),
}

OPTIONS = ["layout", "epoch", "clock", "on_regression", "max_wait_ms", "max_borrow_ticks", "node_source",
           "state_dir", "protect", "persist", "window_ms", "random_sequence_start", "lanes", "datacenter", "worker", "shard"]


def generator_call(key: str, v: Any) -> Callable[[], Any]:
    nodes = {} if key in ("datacenter", "worker", "node_source") else {"datacenter": 29, "worker": 29}
    if key == "datacenter":
        nodes = {"worker": 29}
    if key == "worker":
        nodes = {"datacenter": 29}
    return lambda: snowid.Generator(**{**nodes, key: v})


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_every_entry_point_with_every_bad_value(entry: str) -> None:
    codes = {label: check(entry, lambda: ENTRY_POINTS[entry](v), v) for label, v in BAD}
    # each entry point refuses most of these; nothing slipped through as a
    # Python-level exception
    assert sum(c != "ok" for c in codes.values()) >= 8, codes


@pytest.mark.parametrize("key", OPTIONS)
def test_every_generator_option_with_every_bad_value(key: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative state_dir lands here
    codes = {label: check(f"Generator({key}=)", generator_call(key, v), v) for label, v in BAD}
    assert sum(c != "ok" for c in codes.values()) >= 10, codes


def test_configure_with_every_bad_value(tmp_path: Any) -> None:
    """The same sweep for configure(), in a fresh process per option (a
    successful configure() changes that process's default generator)."""
    here = __file__.rsplit("/", 1)[0]
    code = textwrap.dedent(f"""
        import json, os, sys
        sys.path.insert(0, {here!r})
        os.chdir({str(tmp_path)!r})
        import snowid
        from test_bad_input import BAD, OPTIONS, check
        out = {{}}
        for key in OPTIONS:
            nodes = {{}} if key in ("datacenter", "worker", "node_source") else {{"datacenter": 29, "worker": 29}}
            if key == "datacenter":
                nodes = {{"worker": 29}}
            if key == "worker":
                nodes = {{"datacenter": 29}}
            for label, v in BAD:
                out[key + " " + label] = check("configure(" + key + "=)", lambda: snowid.configure(**{{**nodes, key: v}}), v)
        out["next"] = str(snowid.next() > 0)
        print(json.dumps(out))
    """)
    codes = json.loads(run_python(code).stdout)
    assert codes["next"] == "True"
    assert codes["worker negative"] == "FIELD_OUT_OF_RANGE" and codes["worker float"] == "WRONG_TYPE"
    assert codes["epoch naive datetime"] == "WRONG_TYPE" and codes["state_dir non-UTF-8 str"] == "INVALID_SETTING"


def test_batch_size_is_checked_before_allocating() -> None:
    g = snowid.Generator(datacenter=28, worker=28, protect=False)
    for n in [10**9, 10**12, 2**63, 2**64, 2**1000]:
        with pytest.raises(snowid.InvalidSettingError) as e:
            g.next_batch(n)
        assert str(n) in str(e.value) and "16777216" in str(e.value)
