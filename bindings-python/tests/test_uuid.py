"""UUIDv7 and ULID: testdata/vectors.json section "uuid", the standard
library's `uuid.UUID` and real third-party readers (uuid_utils,
python-ulid) reading what snowid makes, and the default generators' fork
rule."""

import os
import uuid
from typing import Any, Dict

import pytest

import snowid
from conftest import run_python


def test_vectors(vectors: Dict[str, Any]) -> None:
    v = vectors["uuid"]
    for l in v["layouts"]:
        w = snowid.WideLayout(l["preset"])
        assert w.fields == [(f["name"], f["bits"], f["kind"]) for f in l["fields"]]
        assert w.capacity()["ids_per_tick"] == l["ids_per_tick"]
    for case in v["ids"]:
        i = int(case["id"])
        w = snowid.WideLayout(case["preset"])
        p = w.decode(i)
        assert (p.timestamp_ms, p.sequence, p.nodes) == (case["timestamp_ms"], case["sequence"], case["nodes"])
        assert w.compose(case["timestamp_ms"], case["sequence"], **case["nodes"]) | int(case["random"]) == i
        assert i.to_bytes(16, "big").hex() == case["bytes"]
        assert snowid.encode_uuid(i) == case["uuid"] and snowid.parse_uuid(case["uuid"]) == i
        assert snowid.encode_ulid(i) == case["ulid"] and snowid.parse_ulid(case["ulid"]) == i
    parse = {"uuid": snowid.parse_uuid, "ulid": snowid.parse_ulid}
    for a in v["parse_aliases"]:
        assert parse[a["format"]](a["input"]) == int(a["id"])
    for b in v["invalid_strings"]:
        with pytest.raises(snowid.SnowidError) as e:
            parse[b["format"]](b["input"])
        assert e.value.code == b["code"], b
    for b in v["invalid_ids"]:
        with pytest.raises(snowid.SnowidError) as e:
            snowid.WideLayout(b["preset"]).decode(int(b["id"]))
        assert e.value.code == b["code"], b


def test_uuid7_is_a_stdlib_uuid_of_version_7() -> None:
    a, b = snowid.uuid7(), snowid.uuid7()
    assert isinstance(a, uuid.UUID)
    assert (a.version, a.variant) == (7, uuid.RFC_4122)
    assert a < b and a.int < b.int
    # Made like uuid.UUID(int=...): equal, same hash, same text, picklable.
    same = uuid.UUID(int=a.int)
    assert a == same and hash(a) == hash(same) and str(a) == str(same)
    assert uuid.UUID(str(a)) == a and a.is_safe == same.is_safe
    import pickle
    assert pickle.loads(pickle.dumps(a)) == a


def test_a_third_party_library_reads_the_same_time() -> None:
    uuid_utils = pytest.importorskip("uuid_utils")
    u = snowid.uuid7()
    ms = snowid.WideLayout("uuid7").decode(u.int).timestamp_ms
    theirs = uuid_utils.UUID(str(u))
    assert theirs.version == 7 and theirs.timestamp == ms
    ulid_mod = pytest.importorskip("ulid")
    text = snowid.ulid()
    parsed = ulid_mod.ULID.from_str(text)
    assert str(parsed) == text
    assert parsed.milliseconds == snowid.WideLayout("ulid").decode(snowid.parse_ulid(text)).timestamp_ms


def test_ulid_texts_sort_like_issue_order() -> None:
    texts = [snowid.ulid() for _ in range(3000)]
    assert len(set(texts)) == len(texts)
    assert sorted(texts) == texts
    assert all(len(t) == 26 for t in texts)


def test_explicit_generators_of_the_presets() -> None:
    g = snowid.WideGenerator(layout="uuid7", datacenter=1, worker=2, protect=False)
    u = g.next_uuid()
    assert u.version == 7
    p = g.layout.decode(u.int)
    assert p.nodes == {"datacenter": 1, "worker": 2}
    assert g.next().bit_length() <= 128
    with pytest.raises(snowid.InvalidSettingError):
        g.next_ulid()
    l = snowid.WideGenerator(layout="ulid", datacenter=1, worker=2, protect=False)
    assert snowid.parse_ulid(l.next_ulid()) < snowid.parse_ulid(l.next_ulid())
    with pytest.raises(snowid.InvalidSettingError) as e:
        snowid.WideGenerator(layout="uuid7", epoch=1, datacenter=1, worker=2)
    assert "uuid7" in str(e.value)


def test_two_processes_never_share_node_numbers() -> None:
    # Two default generators of one machine take different local slots.
    code = "import snowid; u = snowid.uuid7(); print(snowid.WideLayout('uuid7').decode(u.int).nodes)"
    env = {"SNOWID_STATE_DIR": "/tmp/snowid-uuid-py-%d" % os.getpid()}
    first = run_python("import snowid, subprocess, sys\nu = snowid.uuid7()\n"
                       "print(snowid.WideLayout('uuid7').decode(u.int).nodes)\n"
                       f"print(subprocess.run([sys.executable, '-c', {code!r}], capture_output=True, text=True).stdout)",
                       env=env).stdout.split("\n")
    assert first[0] != first[1], first


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_gets_its_own_numbers() -> None:
    out = run_python(
        "import os, snowid\n"
        "l = snowid.WideLayout('uuid7')\n"
        "a = snowid.uuid7()\n"
        "r, w = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.write(w, str(l.decode(snowid.uuid7().int).nodes).encode()); os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "print(l.decode(a.int).nodes); print(os.read(r, 200).decode())\n"
    ).stdout.split("\n")
    assert first_differs(out), out


def first_differs(lines: Any) -> bool:
    return bool(lines[0]) and bool(lines[1]) and lines[0] != lines[1]
