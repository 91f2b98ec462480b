"""The Python API: generators, layouts, parts, encodings, and bad input for
every public function."""

import datetime as dt
import itertools
import pickle
import tempfile
from typing import Any, Callable

import pytest

import snowid
from conftest import run_python
from snowid.testing import ManualClock, generator

UTC = dt.timezone.utc
T0 = 1_700_000_000_000


def test_generator_ids_are_increasing_and_carry_the_node() -> None:
    g = snowid.Generator(datacenter=3, worker=17)
    ids = [g.next() for _ in range(10_000)] + g.next_batch(10_000)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    p = snowid.inspect(ids[-1])
    assert (p.datacenter, p.worker) == (3, 17)
    assert g.nodes == {"datacenter": 3, "worker": 17}
    assert g.layout == snowid.Layout.twitter()
    s = g.stats()
    assert s.issued == 20_000
    assert s.to_dict()["issued"] == 20_000
    assert "issued=20000" in repr(s)
    assert "datacenter=3 worker=17" in repr(g)


def test_generator_options() -> None:
    for shard, clock in [(9, "cached"), (10, "monotonic")]:
        g = snowid.Generator(layout="instagram", shard=shard, clock=clock, on_regression="fail", max_borrow_ticks=3)
        assert snowid.inspect(g.next(), "instagram").shard == shard
    g = snowid.Generator(layout=snowid.Layout.sonyflake(), machine=65535, on_regression="wait", max_wait_ms=10)
    p = snowid.inspect(g.next(), "sonyflake")
    assert p.machine == 65535
    now = dt.datetime.now(UTC)
    assert abs((p.timestamp - now).total_seconds()) < 1


def test_generator_custom_epoch() -> None:
    epoch = dt.datetime(2024, 1, 1, tzinfo=UTC)
    g = snowid.Generator(epoch=epoch, datacenter=0, worker=1)
    assert g.layout.epoch == epoch and g.layout.epoch_ms == 1_704_067_200_000
    p = g.layout.decode(g.next())
    assert abs((p.timestamp - dt.datetime.now(UTC)).total_seconds()) < 1
    with pytest.raises(snowid.EpochInFutureError):
        snowid.Generator(epoch=dt.datetime(2999, 1, 1, tzinfo=UTC), datacenter=0, worker=0)


def test_explicit_numbers_are_protected() -> None:
    """Two live generators with the same numbers: the second is refused
    (same process or another); dropping the first frees them, and the next
    holder issues above every ID the first did."""
    a = snowid.Generator(datacenter=5, worker=5)
    first = a.next_batch(1000)
    assert a.source == "explicit (datacenter=5, worker=5)"
    with pytest.raises(snowid.NodeInUseError) as e:
        snowid.Generator(datacenter=5, worker=5)
    assert e.value.code == "NODE_IN_USE" and "datacenter=5, worker=5" in str(e.value)
    b = snowid.Generator(datacenter=5, worker=5, protect=False)  # the documented opt-out
    del a, b
    c = snowid.Generator(datacenter=5, worker=5)
    assert c.next() > first[-1]
    with pytest.raises(snowid.InvalidSettingError):
        snowid.Generator(datacenter=5, worker=6, protect=False, persist=True)


def test_generator_node_fields_are_checked() -> None:
    with pytest.raises(TypeError) as e:
        snowid.Generator(shard=3)
    assert isinstance(e.value, snowid.UnknownFieldError) and "datacenter, worker" in str(e.value)
    with pytest.raises(TypeError) as e:
        snowid.Generator(datacenter=1)
    assert isinstance(e.value, snowid.MissingFieldError) and "worker" in str(e.value)
    with pytest.raises(snowid.FieldOutOfRangeError) as e2:
        snowid.Generator(datacenter=1, worker=32)
    assert e2.value.code == "FIELD_OUT_OF_RANGE" and "0..=31" in str(e2.value)
    assert isinstance(e2.value, ValueError)
    with pytest.raises(snowid.WrongTypeError) as e3:
        snowid.Generator(datacenter=1.0, worker=1)  # type: ignore[arg-type]
    assert "datacenter" in str(e3.value) and "float 1.0" in str(e3.value), "Python has integers: 1.0 is no integer"
    for bad in [1.5, 1.0, True, "1", [1]]:
        with pytest.raises(snowid.WrongTypeError) as e3:
            snowid.Generator(datacenter=bad, worker=1)  # type: ignore[arg-type]
        assert isinstance(e3.value, TypeError) and e3.value.code == "WRONG_TYPE" and "datacenter" in str(e3.value)
    for big in [-1, 2**40, 2**70, -(2**70)]:
        with pytest.raises(snowid.FieldOutOfRangeError) as e2:
            snowid.Generator(datacenter=big, worker=1)
        assert f"datacenter = {big} is out of range; valid range is 0..=31" in str(e2.value)
    with pytest.raises(TypeError):
        snowid.Generator(1, 2)  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"layout": "snowflake"}, snowid.UnknownLayoutError),
        ({"layout": 5}, snowid.WrongTypeError),
        ({"clock": "wall"}, snowid.InvalidSettingError),
        ({"clock": 1}, snowid.WrongTypeError),
        ({"on_regression": "ignore"}, snowid.InvalidSettingError),
        ({"on_regression": None, "max_wait_ms": -1}, snowid.InvalidSettingError),
        ({"on_regression": "fail", "max_wait_ms": 10}, snowid.InvalidSettingError),
        ({"max_borrow_ticks": 1.5}, snowid.WrongTypeError),
        ({"epoch": "2020-01-01"}, snowid.WrongTypeError),
        ({"epoch": dt.datetime(2020, 1, 1)}, snowid.WrongTypeError),
        ({"epoch": -5}, snowid.InvalidSettingError),
        ({"epoch": 2**64}, snowid.EpochInFutureError),
        ({"state_dir": ""}, snowid.InvalidSettingError),
        ({"window_ms": 0}, snowid.InvalidSettingError),
        ({"protect": 2}, snowid.InvalidSettingError),
        ({"node_source": "zookeeper"}, snowid.InvalidSettingError),
    ],
)
def test_generator_bad_options(kwargs: Any, exc: type) -> None:
    with pytest.raises(exc):
        snowid.Generator(**{"datacenter": 0, "worker": 0, **kwargs})
    with pytest.raises(exc):
        snowid.configure(**{"datacenter": 0, "worker": 0, **kwargs})


def test_next_batch() -> None:
    g = snowid.Generator(datacenter=0, worker=9)
    assert g.next_batch(0) == []
    big = g.next_batch(100_000)
    assert len(big) == 100_000 and big == sorted(big) and len(set(big)) == 100_000
    assert g.next() > big[-1]
    with pytest.raises(snowid.WrongTypeError, match="float 2.0"):
        g.next_batch(2.0)  # type: ignore[arg-type]  # Python has integers: 2.0 is none
    for bad in [-1, 2**24 + 1, 10**9, 10**12, 2**62, 2**100]:
        with pytest.raises(snowid.InvalidSettingError) as e:
            g.next_batch(bad)
        assert str(bad) in str(e.value) and "0..=16777216" in str(e.value)
    for wrong in [1.5, True, "1", None]:
        with pytest.raises(snowid.WrongTypeError):
            g.next_batch(wrong)  # type: ignore[arg-type]


def test_manual_clock_generator_is_deterministic() -> None:
    runs = []
    for _ in range(2):
        clock = ManualClock(dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC))
        assert clock.now_ms == T0
        g = generator(clock, datacenter=1, worker=7)
        ids = [g.next(), g.next()]
        clock.advance(1)
        ids += g.next_batch(3)
        runs.append(ids)
    assert runs[0] == runs[1]
    p = snowid.inspect(runs[0][0])
    assert (p.timestamp_ms, p.datacenter, p.worker, p.sequence) == (T0, 1, 7, 0)
    clock.advance(-10)
    with pytest.raises(snowid.ClockMovedBackwardsError) as e:
        g.next()
    assert isinstance(e.value, RuntimeError) and e.value.code == "CLOCK_MOVED_BACKWARDS"
    clock.set(T0 + 100)
    assert snowid.inspect(g.next()).timestamp_ms == T0 + 100
    assert "now_ms" in repr(clock)
    with pytest.raises(snowid.WrongTypeError):
        ManualClock(1.5)  # type: ignore[arg-type]
    for bad in [-1, 2**64, -(2**70)]:
        with pytest.raises(snowid.InvalidSettingError) as e:
            ManualClock(bad)
        assert str(bad) in str(e.value)
    assert ManualClock(2**63).now_ms == 2**63
    with pytest.raises(snowid.WrongTypeError):
        ManualClock(dt.datetime(2020, 1, 1))
    with pytest.raises(snowid.WrongTypeError):
        clock.advance(1.5)  # type: ignore[arg-type]
    with pytest.raises(snowid.InvalidSettingError):
        clock.advance(2**63)
    with pytest.raises(snowid.WrongTypeError):
        clock.set("now")  # type: ignore[arg-type]


def test_sequence_exhaustion_on_manual_clock() -> None:
    clock = ManualClock(T0)
    g = generator(clock, layout="instagram", shard=1)
    assert len(g.next_batch(1024)) == 1024
    with pytest.raises(snowid.SequenceExhaustedError):
        g.next()
    assert g.stats().issued == 1024


def test_stats_report_the_clock_skew() -> None:
    clock = ManualClock(T0)
    g = generator(clock, shard=2, layout="instagram")
    clock.advance(10**9)
    assert g.stats().skew_ms == 0 and g.stats().to_dict()["skew_ms"] == 0
    assert "skew_ms=0" in repr(g.stats())
    for shard, name in [(11, "cached"), (12, "monotonic")]:
        real = snowid.Generator(layout="instagram", shard=shard, clock=name)
        real.next()
        assert abs(real.stats().skew_ms) < 1000
    snowid.next()
    assert abs(snowid.default_stats().skew_ms) < 1000


def test_stats_report_the_runway_node_numbers_and_lease() -> None:
    clock = ManualClock(T0)
    g = generator(clock, shard=3, layout="instagram")
    cap = g.layout.capacity
    s = g.stats()
    assert s.runway_s == (cap.end_ms - T0) // 1000
    assert (s.nodes_total, s.nodes_in_use, s.nodes_free) == (cap.nodes, 1, cap.nodes - 1)
    assert s.lease_ttl_left_ms is None  # explicit numbers: no lease
    d = s.to_dict()
    assert d["runway_s"] == s.runway_s and d["nodes_free"] == cap.nodes - 1
    assert "lease_ttl_left_ms" in d and d["lease_ttl_left_ms"] is None
    assert "lease_ttl_left_ms=None" in repr(s)
    clock.advance(5_000)
    assert g.stats().runway_s == s.runway_s - 5
    lanes = snowid.Generator(layout="instagram", shard=20, lanes=2, protect=False)
    assert (lanes.stats().nodes_in_use, lanes.stats().nodes_free) == (2, cap.nodes - 2)


def test_layout_api() -> None:
    tw = snowid.Layout.twitter()
    assert tw.name == "twitter" and tw == snowid.Layout.preset("twitter")
    with pytest.raises(snowid.UnknownLayoutError):
        snowid.Layout.preset("TWITTER")  # exact, like every language
    assert hash(tw) == hash(snowid.Layout.preset("twitter"))
    assert tw != snowid.Layout.discord() and tw != "twitter"
    assert tw.node_names == ("datacenter", "worker") and tw.sequence_name == "sequence"
    assert snowid.Layout.discord().sequence_name == "increment"
    assert tw.epoch == dt.datetime(2010, 11, 4, 1, 42, 54, 657000, tzinfo=UTC)
    assert str(tw).startswith("twitter(0|timestamp:41|datacenter:5|worker:5|sequence:12")
    assert "snowid.Layout" in repr(tw)
    cap = tw.capacity
    assert cap.ids_per_second_per_node == 4_096_000 and cap.nodes == 1024
    assert cap.end is not None and cap.end.year == 2080
    assert "ids_per_tick=4096" in repr(cap)
    custom = snowid.Layout("mine", [("timestamp", 41), ("region", 3), ("host", 7), ("sequence", 12)], epoch=T0)
    assert custom.node_names == ("region", "host") and custom.tick_ms == 1 and custom.sign_bit
    i = custom.compose(timestamp=T0 + 5, sequence=2, region=1, host=100)
    p = custom.decode(i)
    assert (p.timestamp_ms, p.region, p.host, p.sequence) == (T0 + 5, 1, 100, 2)
    assert custom.min_id_at(T0 + 5) <= i <= custom.max_id_at(dt.datetime.fromtimestamp((T0 + 5) / 1000, UTC))
    # rounding down to the tick
    sf = snowid.Layout.sonyflake()
    assert sf.decode(sf.compose(timestamp=T0 + 7, machine=1)).timestamp_ms == T0


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: snowid.Layout("x", [("timestamp", 41)], epoch=T0), snowid.FieldCountError),
        (lambda: snowid.Layout("x", 5, epoch=T0), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.Layout("x", [("timestamp",)], epoch=T0), snowid.WrongTypeError),  # type: ignore[list-item]
        (lambda: snowid.Layout("x", ["timestamp"], epoch=T0), snowid.WrongTypeError),  # type: ignore[list-item]
        (lambda: snowid.Layout("x", [("timestamp", 41, "time"), ("sequence", 22)], epoch=T0), snowid.InvalidSettingError),
        (lambda: snowid.Layout("x", [("timestamp", -1), ("sequence", 22)], epoch=T0), snowid.InvalidSettingError),
        (lambda: snowid.Layout("x", [("timestamp", 2**40), ("n", 10), ("sequence", 12)], epoch=T0), snowid.InvalidSettingError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("n", 33), ("sequence", 12)], epoch=T0), snowid.FieldWidthError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("n", 10), ("sequence", 12)], epoch=T0, tick_ms=0), snowid.TickOutOfRangeError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("n", 10), ("sequence", 12)], epoch=T0, tick_ms=-1), snowid.InvalidSettingError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("sequence", 22)], epoch=1.5), snowid.WrongTypeError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("n", 10), ("sequence", 12)], epoch=dt.datetime(2020, 1, 1)), snowid.WrongTypeError),
        (lambda: snowid.Layout("x", [("timestamp", 41), ("n", 10), ("sequence", 12)], epoch=T0, sign_bit=2), snowid.InvalidSettingError),
        (lambda: snowid.Layout("x", itertools.repeat(("a", 1)), epoch=0), snowid.FieldCountError),
        (lambda: snowid.Layout("x", ((f"n{i}", 1) for i in itertools.count()), epoch=0), snowid.FieldCountError),
        (lambda: snowid.Layout(b"x", [("timestamp", 41), ("n", 10), ("sequence", 12)], epoch=T0), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.Layout.preset(3), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.Layout.twitter().decode(-1), snowid.InvalidSettingError),
        (lambda: snowid.Layout.twitter().decode(2**63), snowid.IdOutOfRangeError),
        (lambda: snowid.Layout.twitter().decode("1"), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.Layout.twitter().decode(False), snowid.WrongTypeError),
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, datacenter=0), snowid.MissingFieldError),
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, datacenter=0, worker=0, shard=1), snowid.UnknownFieldError),
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, sequence=4096, datacenter=0, worker=0), snowid.FieldOutOfRangeError),
        (lambda: snowid.Layout.twitter().compose(timestamp=0, datacenter=0, worker=0), snowid.TimestampOutOfRangeError),
        (lambda: snowid.Layout.twitter().compose(timestamp=1.5, datacenter=0, worker=0), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, datacenter=-1, worker=0), snowid.FieldOutOfRangeError),
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, datacenter=0, worker=2**70), snowid.FieldOutOfRangeError),
        (lambda: snowid.Layout.twitter().compose(timestamp=T0, sequence=-1, datacenter=0, worker=0), snowid.FieldOutOfRangeError),
        (lambda: snowid.Layout.twitter().compose(datacenter=0, worker=0), TypeError),  # type: ignore[call-arg]
        (lambda: snowid.Layout.twitter().min_id_at(-(2**70)), snowid.TimestampOutOfRangeError),
        (lambda: snowid.Layout.twitter().min_id_at(2**63), snowid.TimestampOutOfRangeError),
        (lambda: snowid.Layout.twitter().min_id_at(0), snowid.TimestampOutOfRangeError),
        (lambda: snowid.Layout.twitter().max_id_at(dt.datetime(2000, 1, 1)), snowid.WrongTypeError),
        (lambda: snowid.Layout.twitter().max_id_at(None), snowid.WrongTypeError),  # type: ignore[arg-type]
    ],
)
def test_layout_bad_input(call: Callable[[], Any], exc: type) -> None:
    with pytest.raises(exc) as e:
        call()
    assert isinstance(e.value, snowid.SnowidError) or exc is TypeError


def test_layout_errors_name_the_value_given() -> None:
    for bits in [2**32 + 5, 2**64, -3]:
        with pytest.raises(snowid.InvalidSettingError) as e:
            snowid.Layout("x", [("timestamp", 41), ("n", bits), ("sequence", 12)], epoch=T0)
        assert str(bits) in str(e.value) and "4294967295" not in str(e.value)
    with pytest.raises(snowid.FieldWidthError) as e2:
        snowid.Layout("x", [("timestamp", 41), ("n", 33), ("sequence", 12)], epoch=T0)
    assert "33 bits" in str(e2.value)


def test_inspect_parts() -> None:
    tw = snowid.Layout.twitter()
    i = tw.compose(timestamp=T0 + 123, sequence=5, datacenter=2, worker=9)
    p = snowid.inspect(i)
    assert p == snowid.inspect(i, "twitter") == snowid.inspect(i, layout=tw)
    assert hash(p) == hash(snowid.inspect(i))
    assert p != snowid.inspect(i + 1) and p != i
    assert p.timestamp == dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert p.timestamp.tzinfo is not None
    assert (p.timestamp_ms, p.datacenter, p.worker, p.sequence, p.id) == (T0 + 123, 2, 9, 5, i)
    assert p.nodes == {"datacenter": 2, "worker": 9} and p.layout == tw
    assert p.to_dict() == {
        "id": i, "layout": "twitter", "timestamp": p.timestamp, "timestamp_ms": T0 + 123,
        "tick": p.tick, "datacenter": 2, "worker": 9, "sequence": 5,
    }
    assert repr(p) == (
        f"Parts(id={i}, layout='twitter', timestamp='2023-11-14 22:13:20.123Z', datacenter=2, worker=9, sequence=5)"
    )
    assert "worker" in dir(p)
    with pytest.raises(AttributeError):
        p.shard
    with pytest.raises(AttributeError):
        p.worker = 3  # type: ignore[misc]
    d = snowid.inspect(175928847299117063, "discord")
    assert (d.worker, d.process, d.increment, d.sequence) == (1, 0, 7, 7)


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: snowid.inspect(-1), snowid.InvalidSettingError),
        (lambda: snowid.inspect(2**64), snowid.InvalidSettingError),
        (lambda: snowid.inspect(2**63), snowid.IdOutOfRangeError),
        (lambda: snowid.inspect(1.5), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.inspect("1"), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.inspect(True), snowid.WrongTypeError),
        (lambda: snowid.inspect(None), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.inspect(1, "bogus"), snowid.UnknownLayoutError),
        (lambda: snowid.inspect(1, 3), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.encode(-1, "hex"), snowid.InvalidSettingError),
        (lambda: snowid.encode(2**64, "hex"), snowid.InvalidSettingError),
        (lambda: snowid.encode(1.5, "hex"), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.encode(True, "hex"), snowid.WrongTypeError),
        (lambda: snowid.encode(1, "base64"), snowid.UnknownEncodingError),
        (lambda: snowid.encode(1, None), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.decode_str(b"00", "hex"), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.decode_str(12, "decimal"), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.decode_str("12", "octal"), snowid.UnknownEncodingError),
        (lambda: snowid.decode_str("\ud800", "decimal"), snowid.InvalidSettingError),
        (lambda: snowid.decode_str("", "base32"), snowid.ParseEmptyError),
        (lambda: snowid.configure(shard=1), snowid.UnknownFieldError),
        (lambda: snowid.configure(worker=32), snowid.FieldOutOfRangeError),
        (lambda: snowid.configure(worker=-1), snowid.FieldOutOfRangeError),
        (lambda: snowid.configure(worker=1.5), snowid.WrongTypeError),  # type: ignore[arg-type]
        (lambda: snowid.configure(worker=1), snowid.MissingFieldError),
    ],
)
def test_module_functions_bad_input(call: Callable[[], Any], exc: type) -> None:
    with pytest.raises(exc) as e:
        call()
    assert isinstance(e.value, snowid.SnowidError)


def test_next_and_default_stats() -> None:
    a, b = snowid.next(), snowid.next()
    assert b > a
    assert snowid.default_stats().issued >= 2
    with pytest.raises(TypeError):
        snowid.next(1)  # type: ignore[call-arg]


def test_errors_carry_code_and_pickle() -> None:
    with pytest.raises(snowid.ParseLengthError) as e:
        snowid.decode_str("ff", "hex")
    err = e.value
    assert err.code == "PARSE_LENGTH" and err.number == 31 and err.kind == "invalid_input"
    assert str(err).startswith("[PARSE_LENGTH] hex id must be 16..=16 characters long")
    assert isinstance(err, snowid.ParseError) and isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.code == "PARSE_LENGTH"
    generic = snowid.UnavailableError("x", code="NEW_CODE", number=99)
    assert generic.code == "NEW_CODE" and generic.number == 99 and isinstance(generic, RuntimeError)


def test_random_sequence_start_spreads_ids_over_shards() -> None:
    # 100 IDs/s on a manual clock: the plain layout puts all on shard 0.
    def shards(random: bool) -> list[int]:
        clock = ManualClock(T0)
        g = snowid.Generator(clock=clock, datacenter=1, worker=7, random_sequence_start=random)
        counts = [0] * 16
        for _ in range(1600):
            counts[g.next() % 16] += 1
            clock.advance(10)
        return counts

    assert shards(False)[0] == 1600
    assert all(60 <= n <= 140 for n in shards(True))
    with pytest.raises(snowid.InvalidSettingError):
        snowid.Generator(datacenter=1, worker=7, random_sequence_start=2)


def test_lanes() -> None:
    clock = ManualClock(T0)
    g = snowid.Generator(clock=clock, datacenter=1, worker=7, lanes=2)
    ids = g.next_batch(9000)  # one tick, two lanes: 2 x 4096
    assert len(ids) == 8192 and len(set(ids)) == 8192
    # datacenter 1, worker 7 is node number 39: with two lanes it owns the
    # block 78, 79 (datacenter 2, workers 14 and 15)
    assert {(snowid.inspect(i).datacenter, snowid.inspect(i).worker) for i in ids} == {(2, 14), (2, 15)}
    assert ids[:4096] == sorted(ids[:4096]) and ids[4096:] == sorted(ids[4096:])
    assert g.stats().issued == 8192
    with pytest.raises(snowid.InvalidSettingError, match="owns node numbers 2046..=2047"):
        snowid.Generator(datacenter=31, worker=31, lanes=2, protect=False)
    with pytest.raises(snowid.InvalidSettingError, match="1..=1024"):
        snowid.Generator(datacenter=1, worker=7, lanes=0, protect=False)


def test_lane_nodes() -> None:
    """`nodes` is lane 0's; `lane_nodes` and `repr` show every lane's."""
    clock = ManualClock(T0)
    one = snowid.Generator(clock=clock, datacenter=1, worker=7)
    assert one.lane_nodes == [{"datacenter": 1, "worker": 7}]
    assert repr(one) == "<snowid.Generator layout=twitter datacenter=1 worker=7 clock=manual>"

    # node number 62 with three lanes owns the block 186..188
    g = snowid.Generator(clock=clock, datacenter=1, worker=30, lanes=3)
    lanes = g.lane_nodes
    assert lanes == [{"datacenter": 5, "worker": 26}, {"datacenter": 5, "worker": 27},
                     {"datacenter": 5, "worker": 28}]
    assert g.nodes == lanes[0]
    assert repr(g) == ("<snowid.Generator layout=twitter lanes=[datacenter=5 worker=26, "
                       "datacenter=5 worker=27, datacenter=5 worker=28] clock=manual>")
    # Every lane's numbers are the ones its IDs carry.
    ids = g.next_batch(3 * 4096)
    assert {tuple(snowid.inspect(i).nodes.items()) for i in ids} == {tuple(n.items()) for n in lanes}
    # A fresh list of fresh dicts each time: changing one changes nothing.
    lanes[0]["worker"] = 99
    assert g.lane_nodes[0] == {"datacenter": 5, "worker": 26}

    # Node numbers claimed lane by lane from machine-local slots.
    with tempfile.TemporaryDirectory() as state:
        local = snowid.Generator(node_source="local", state_dir=state, lanes=2)
        assert local.lane_nodes == [{"datacenter": 0, "worker": 0}, {"datacenter": 0, "worker": 1}]
        shard = snowid.Generator(layout="instagram", clock=clock, shard=5, lanes=2)
        assert shard.lane_nodes == [{"shard": 10}, {"shard": 11}]
        assert "lanes=[shard=10, shard=11]" in repr(shard)


def test_ready_spends_no_id_and_raises_what_the_next_id_would() -> None:
    """`ready()` issues nothing; while the next ID would fail it raises that
    ID's error (same class and code), and passes again once it would not."""
    with tempfile.TemporaryDirectory() as state:
        g = snowid.Generator(datacenter=9, worker=9, state_dir=state)
        for _ in range(3):
            assert g.ready() is None
        assert g.stats().issued == 0
        g.next()
        g.ready()
        assert g.stats().issued == 1
        del g

    clock = ManualClock(T0)
    g = snowid.Generator(clock=clock, on_regression="fail", layout="instagram", shard=3, lanes=2)
    g.ready()
    assert len(g.next_batch(2048)) == 2048  # both lanes' sequences spent
    with pytest.raises(snowid.SequenceExhaustedError) as r:
        g.ready()
    with pytest.raises(snowid.SequenceExhaustedError) as n:
        g.next()
    assert r.value.code == n.value.code == "SEQUENCE_EXHAUSTED"
    clock.advance(1)
    g.ready()
    g.next()
    clock.advance(-5)
    with pytest.raises(snowid.ClockMovedBackwardsError) as r:
        g.ready()
    with pytest.raises(snowid.ClockMovedBackwardsError) as n:
        g.next()
    assert r.value.code == n.value.code == "CLOCK_MOVED_BACKWARDS"
    assert g.stats().issued == 2049


def test_ready_reports_a_high_water_mark_ahead_of_the_clock() -> None:
    """A holder killed after issuing leaves its mark a window ahead (here an
    hour): the next holder of its numbers would wait longer than the floor
    allows, so `ready()` raises BEHIND_HIGH_WATER, as its first ID does."""
    with tempfile.TemporaryDirectory() as state:
        run_python(
            "import os, snowid\n"
            f"g = snowid.Generator(datacenter=9, worker=10, state_dir={state!r}, window_ms=3_600_000)\n"
            "g.next()\n"
            "os._exit(0)  # no clean exit: the mark stays an hour ahead\n"
        )
        g = snowid.Generator(datacenter=9, worker=10, state_dir=state)
        with pytest.raises(snowid.BehindHighWaterError) as r:
            g.ready()
        with pytest.raises(snowid.BehindHighWaterError) as n:
            g.next()
        assert r.value.code == n.value.code == "BEHIND_HIGH_WATER"
        assert g.stats().issued == 0
        # Another node's numbers in the same directory are not behind.
        snowid.Generator(datacenter=9, worker=11, state_dir=state).ready()
