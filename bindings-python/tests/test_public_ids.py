"""snowid.PublicIds: keyed public IDs (FF1 over AES), against the vectors of
the independent model, and bad input of every kind."""

import threading
from typing import Any, Dict, List

import pytest

import snowid

KEY = bytes(range(16))


def make(case: Dict[str, Any]) -> snowid.PublicIds:
    return snowid.PublicIds(bytes.fromhex(case["key_hex"]), context=case["context"])


def test_vectors(vectors: Dict[str, Any]) -> None:
    p = vectors["public_ids"]
    assert p["format"]["width"] == 16
    for case in p["cases"]:
        ids = make(case)
        assert ids.encode(int(case["id"])) == case["text"], case
        assert ids.decode(case["text"]) == int(case["id"]), case
        # the same key as hex text, either case
        hexed = snowid.PublicIds(case["key_hex"].upper(), context=case["context"])
        assert hexed.encode(id=int(case["id"])) == case["text"]
    for case in p["aliases"]:
        assert make(case).decode(text=case["text"]) == int(case["id"]), case
    for case in p["invalid_texts"]:
        with pytest.raises(snowid.SnowidError) as e:
            make(case).decode(case["text"])
        assert e.value.code == case["code"], case
        assert isinstance(e.value, ValueError)
    for case in p["invalid_keys"]:
        with pytest.raises(snowid.PublicIdKeyError) as k:
            snowid.PublicIds(bytes.fromhex(case["key_hex"]))
        assert k.value.code == case["code"]
        with pytest.raises(snowid.PublicIdKeyError):
            snowid.PublicIds(bytearray.fromhex(case["key_hex"]))
    for case in p["invalid_key_texts"]:
        with pytest.raises(snowid.SnowidError) as t:
            snowid.PublicIds(case["text"])
        assert t.value.code == case["code"], case
    for case in p["invalid_contexts"]:
        with pytest.raises(snowid.SnowidError) as c:
            snowid.PublicIds(KEY, context=case["context"])
        assert c.value.code == case["code"], case


def test_errors_name_the_value_and_what_was_expected() -> None:
    ids = snowid.PublicIds(KEY)
    with pytest.raises(snowid.PublicIdKeyError, match="15 bytes.*16, 24 or 32"):
        snowid.PublicIds(KEY[:15])
    with pytest.raises(snowid.ParseLengthError, match="16..=16 characters long; got 15"):
        ids.decode("0" * 15)
    with pytest.raises(snowid.ParseCharacterError, match="'U' at position 3"):
        ids.decode("000U000000000000")
    other = snowid.PublicIds(KEY, context="orders").encode(7)
    with pytest.raises(snowid.PublicIdCheckError, match=other) as e:
        ids.decode(other)
    assert isinstance(e.value, snowid.ParseError) and e.value.number == 91


def test_bad_types_and_ranges() -> None:
    ids = snowid.PublicIds(KEY)
    for bad_id in (-1, 2**64, 1.0, "1", None, True):
        with pytest.raises(snowid.SnowidError):
            ids.encode(bad_id)  # type: ignore[arg-type]
    with pytest.raises(snowid.InvalidSettingError, match="-1"):
        ids.encode(-1)
    assert ids.encode(2**64 - 1) != ids.encode(0)
    for bad_text in (b"0" * 16, 5, None, ["x"]):
        with pytest.raises(snowid.WrongTypeError):
            ids.decode(bad_text)  # type: ignore[arg-type]
    with pytest.raises(snowid.ParseEmptyError):
        ids.decode("")
    with pytest.raises(snowid.ParseLengthError):
        ids.decode("0" * 1_000_000)
    with pytest.raises(snowid.InvalidSettingError, match="UTF-8"):
        ids.decode("\ud800" * 16)
    with pytest.raises(snowid.ParseCharacterError, match="'é' at position 0"):
        ids.decode("é" * 16)
    for bad_key in (16, None, [0] * 16, memoryview(KEY)):
        with pytest.raises(snowid.WrongTypeError):
            snowid.PublicIds(bad_key)  # type: ignore[arg-type]
    with pytest.raises(snowid.WrongTypeError):
        snowid.PublicIds(KEY, context=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        snowid.PublicIds(KEY, "positional context")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        snowid.PublicIds(KEY, tweak="x")  # type: ignore[call-arg]


def test_hides_order_and_contexts_are_unrelated() -> None:
    ids = snowid.PublicIds(KEY)
    gen = snowid.Generator(datacenter=1, worker=1)
    issued = gen.next_batch(100)
    texts = [ids.encode(i) for i in issued]
    assert len(set(texts)) == 100
    assert texts != sorted(texts)
    assert [ids.decode(t) for t in texts] == issued
    users = snowid.PublicIds(KEY, context="users")
    assert users.context == "users" and ids.context == ""
    assert all(users.encode(i) != t for i, t in zip(issued, texts))
    assert "users" in repr(users) and KEY.hex() not in repr(users)


def test_one_instance_shared_by_threads() -> None:
    ids = snowid.PublicIds(KEY.hex())
    out: List[bool] = []

    def work(base: int) -> None:
        out.append(all(ids.decode(ids.encode(base + i)) == base + i for i in range(500)))

    threads = [threading.Thread(target=work, args=(n << 40,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [True] * 4
