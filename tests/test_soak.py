from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"


@pytest.mark.slow
@pytest.mark.functional
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
def test_soak_briefly_returns_to_baseline() -> None:
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module
    spec.loader.exec_module(module)
    assert module.soak(seconds=5, clients=8) == []
