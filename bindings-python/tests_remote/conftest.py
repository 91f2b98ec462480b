"""RemoteGenerator against the real `snowid serve` (run by the root
`make test-remote`, which builds the server and sets SNOWID_SERVER_BIN;
without it the binary is built here with `cargo build -p snowid-server`)."""

import json
import os
import subprocess
import tempfile
from typing import Any, Dict

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER_BIN = os.environ.get("SNOWID_SERVER_BIN")

# As tests/conftest.py: no SNOWID_* of the caller, a fresh state directory.
for _k in [k for k in os.environ if k.startswith("SNOWID_")]:
    del os.environ[_k]
os.environ["SNOWID_STATE_DIR"] = tempfile.mkdtemp(prefix="snowid-pytest-remote-")
os.environ["SNOWID_HOST_LOCK_DIR"] = "off"


@pytest.fixture(scope="session")
def vectors() -> Dict[str, Any]:
    with open(os.path.join(ROOT, "testdata", "vectors.json")) as f:
        data: Dict[str, Any] = json.load(f)
    return data


@pytest.fixture(scope="session")
def server_bin() -> str:
    if SERVER_BIN:
        return SERVER_BIN
    subprocess.run(["cargo", "build", "-q", "-p", "snowid-server"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "snowid")
