"""Hypothesis: round trips of encodings and compose/decode."""

from hypothesis import given, settings
from hypothesis import strategies as st

import snowid

PRESETS = ["twitter", "discord", "instagram", "sonyflake"]
ids64 = st.integers(min_value=0, max_value=2**64 - 1)


@given(ids64, st.sampled_from(["decimal", "hex", "base32", "base62"]))
def test_encode_round_trip(i: int, enc: str) -> None:
    text = snowid.encode(i, enc)
    assert snowid.decode_str(text, enc) == i
    if enc == "base32":
        assert snowid.decode_str(text.lower(), enc) == i


@given(ids64, ids64, st.sampled_from(["hex", "base32", "base62"]))
def test_fixed_width_encodings_sort_like_numbers(a: int, b: int, enc: str) -> None:
    assert (snowid.encode(a, enc) < snowid.encode(b, enc)) == (a < b)


@settings(max_examples=300)
@given(st.sampled_from(PRESETS), st.data())
def test_decode_compose_round_trip(name: str, data: st.DataObject) -> None:
    layout = snowid.Layout.preset(name)
    i = data.draw(st.integers(min_value=0, max_value=layout.max_id))
    p = layout.decode(i)
    seq = p.sequence
    assert layout.compose(timestamp=p.timestamp_ms, sequence=seq, **p.nodes) == i
    assert layout.min_id_at(p.timestamp_ms) <= i <= layout.max_id_at(p.timestamp_ms)
    assert snowid.inspect(i, name) == p


@given(st.text(max_size=25, alphabet=st.characters(blacklist_categories=())), st.sampled_from(["decimal", "hex", "base32", "base62"]))
def test_parsing_any_text_never_crashes(text: str, enc: str) -> None:
    try:
        i = snowid.decode_str(text, enc)
    except snowid.ParseError as e:
        assert e.code.startswith("PARSE_")
    except snowid.InvalidSettingError as e:
        assert e.code == "INVALID_SETTING" and "UTF-8" in str(e)  # lone surrogates: not UTF-8
    else:
        assert 0 <= i < 2**64
