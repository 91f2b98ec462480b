"""The per-ID entry points are plain C functions (src/raw.rs) and the
argument fast paths of `inspect` and `encode` skip the general conversion
(issue 22): each must give exactly what the general path gives."""

from typing import Any, Callable

import pytest

import snowid
from snowid.testing import ManualClock, generator

T0 = 1_700_000_000_000


class Int(int):
    """An int subclass: always takes the general conversion."""


def outcome(f: Callable[[], Any]) -> Any:
    try:
        return ("ok", f())
    except Exception as e:  # noqa: BLE001 - the outcome is compared
        return ("error", type(e), str(e), getattr(e, "code", None))


def test_generator_next_gives_the_ids_and_errors_of_next_batch() -> None:
    def run(by_batch: bool) -> Any:
        clock = ManualClock(T0)
        g = generator(clock, layout="instagram", shard=7)
        out: list = []
        for _ in range(3):
            out += g.next_batch(1024) if by_batch else [g.next() for _ in range(1024)]
            out.append(outcome(lambda: g.next_batch(1) if by_batch else g.next()))
            clock.advance(1)
        clock.advance(-10)
        out.append(outcome(lambda: g.next_batch(1) if by_batch else g.next()))
        return out

    fast, general = run(False), run(True)
    # The errors compare by class, message and code; next_batch(1) raises
    # the error next() raises.
    assert fast == general
    assert fast[1024][1] is snowid.SequenceExhaustedError
    assert fast[-1][1] is snowid.ClockMovedBackwardsError


def test_generator_next_is_a_method_of_generator_only() -> None:
    g = snowid.Generator(layout="instagram", shard=9, protect=False)
    assert snowid.Generator.next(g) < g.next()
    for other in [object(), 1, None, snowid.Layout.twitter()]:
        with pytest.raises(TypeError):
            snowid.Generator.next(other)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        g.next(1)  # type: ignore[call-arg]
    assert snowid.Generator.next.__name__ == "next"
    assert "Issues one ID" in (snowid.Generator.next.__doc__ or "")
    assert snowid.next.__name__ == "next" and type(snowid.next) is type(len)


@pytest.mark.parametrize("x", [0, 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -1, -(2**70), 2**100])
def test_inspect_and_encode_of_an_int_as_of_an_int_subclass(x: int) -> None:
    for layout in [None, "twitter", snowid.Layout.sonyflake()]:
        fast = outcome(lambda: snowid.inspect(x, layout))
        general = outcome(lambda: snowid.inspect(Int(x), layout))
        if fast[0] == "ok":
            assert general[0] == "ok" and fast[1] == general[1], layout
        else:
            assert fast == general, layout
    for name in snowid.ENCODINGS:
        built = "".join(list(name))  # equal, not the interned object
        assert built is not name or len(name) == 1
        assert outcome(lambda: snowid.encode(x, name)) == outcome(lambda: snowid.encode(Int(x), built))


def test_encode_of_a_bad_encoding_as_before() -> None:
    for bad in ["base64", "BASE62", "", 62, None, b"hex"]:
        got = outcome(lambda: snowid.encode(1, bad))  # type: ignore[arg-type]
        assert got[0] == "error" and isinstance(got[3], str), bad
    assert snowid.encode(12345, "decimal") == "12345"
    assert snowid.encode(255, "hex") == "00000000000000ff"


@pytest.mark.parametrize("x", [0, 2**63 - 1, 2**63, -1, 1.5, "1", True, None])
def test_inspect_positional_forms_as_the_keyword_forms(x: Any) -> None:
    # inspect(id) and inspect(id, layout) are handled by the plain C function;
    # keywords go to the general #[pyfunction]: both must agree.
    assert outcome(lambda: snowid.inspect(x)) == outcome(lambda: snowid.inspect(id=x))
    for layout in [None, "discord", snowid.Layout.instagram(), "bogus", 3]:
        assert outcome(lambda: snowid.inspect(x, layout)) == outcome(lambda: snowid.inspect(x, layout=layout))
        assert outcome(lambda: snowid.inspect(x, layout)) == outcome(lambda: snowid.inspect(id=x, layout=layout))
