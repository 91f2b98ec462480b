import json
import os
import subprocess
import sys
from typing import Any, Dict

import pytest
import tempfile

# Slot locks and high-water marks (of the default generator and of every
# protected Generator) go to a fresh directory, never the user's
# ~/.local/state/snowid, and no machine-wide lock is taken: test runs never
# meet each other's (or a real program's) node numbers.
for _k in [k for k in os.environ if k.startswith("SNOWID_")]:
    del os.environ[_k]
os.environ["SNOWID_STATE_DIR"] = tempfile.mkdtemp(prefix="snowid-pytest-")
os.environ["SNOWID_HOST_LOCK_DIR"] = "off"

VECTORS_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "vectors.json")


@pytest.fixture(scope="session")
def vectors() -> Dict[str, Any]:
    with open(VECTORS_PATH) as f:
        return json.load(f)


def run_python(code: str, env: Dict[str, str] = {}, check: bool = True) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (the default generator is per
    process), with SNOWID_* variables cleared and `env` added."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("SNOWID_")}
    full["SNOWID_STATE_DIR"] = tempfile.mkdtemp(prefix="snowid-pytest-")
    full["SNOWID_HOST_LOCK_DIR"] = "off"
    full.update(env)
    p = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"subprocess failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p
