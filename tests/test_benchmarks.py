"""The benchmark scripts still run (tiny iteration counts; no timing is asserted)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=BENCHMARKS.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_inprocess_measures_every_case_and_reports_each_target() -> None:
    out = run("inprocess.py", "--iterations", "20", "--repeats", "1")
    for case in ("raw text", "raw json.dumps", "wsgify str", "@view str", "@view dict"):
        assert f"\n{case} " in out, out
    assert "Middleware 1000 routes" in out, out
    # one verdict per target, whatever the numbers are
    for target in ("@view str <= 3.0x raw", "@view dict <= 1.3x raw json.dumps"):
        assert f"PASS {target}" in out or f"FAIL {target}" in out, out


def test_inprocess_only_keeps_the_floors_it_needs() -> None:
    out = run("inprocess.py", "-n", "10", "-r", "1", "--only", "^@view dict$", "--rst")
    assert "\n@view dict " in out
    assert "\nraw json.dumps " in out
    assert "flask" not in out
    assert out.count("=====") >= 3  # reST table rules


def test_inprocess_measures_the_standard_library_encoder_with_orjson_hidden() -> None:
    out = run("inprocess.py", "-n", "20", "-r", "1", "--only", "^@view dict$")
    if importlib.util.find_spec("orjson") is not None:
        # the target without orjson comes from a second run, with orjson hidden
        assert "SKIP @view dict <= 1.3x raw json.dumps: orjson is installed" in out, out
        assert "without orjson (@view dict, raw json.dumps), a second run:" in out, out
        assert "orjson (hidden)" in out, out
    verdicts = re.findall(r"(PASS|FAIL) @view dict <= 1\.3x raw json\.dumps: ", out)
    assert len(verdicts) == 1, out


def test_inprocess_no_orjson_hides_it() -> None:
    out = run("inprocess.py", "-n", "20", "-r", "1", "--only", "^@view dict$", "--no-orjson")
    assert "without orjson" not in out  # no second run from the second run
    assert "SKIP @view dict <= 1.0x raw json.dumps (orjson): orjson is not installed" in out


def test_inprocess_reports_what_the_pass_through_cost_is_made_of() -> None:
    out = run("inprocess.py", "-n", "20", "-r", "1", "--only", "pass-through")
    for case in ("forwarding object", "legacy webob app", "Middleware pass-through webob"):
        assert f"\n{case} " in out, out
    for label in (
        "forwarding object / direct",
        "pass-through / forwarding object",
        "pass-through / direct, WebOb legacy app",
    ):
        assert re.search(rf"\nINFO {re.escape(label)}: [0-9.]+x\n", out), out


@pytest.mark.functional
def test_server_script_serves_and_loads_with_the_python_client() -> None:
    out = run(
        "server.py",
        *("--client", "python", "-d", "0.2", "-r", "2", "-p", "2"),
        *("raw text", "@view str", "Middleware pass-through"),
    )
    assert "client=python" in out
    assert "2 interleaved repeats over 2 server processes per case" in out
    assert "\nraw text " in out
    assert "@view str >= 0.95x raw text req/s" in out
    # a case at another path is compared with the raw application at that path
    assert "\nraw text at /legacy/page " in out
    assert "Middleware pass-through >= 0.95x raw text at /legacy/page req/s" in out


@pytest.mark.functional
def test_memory_script_streams_the_whole_body_in_every_mode() -> None:
    out = run("memory.py", "--size", str(1024 * 1024 + 5), "--timeout", "60")
    for case in ("@view generator", "Middleware route generator", "Middleware pass-through"):
        for mode in ("inprocess", "waitress"):
            # PASS needs the whole body (1 MiB + 5 bytes) with status 200
            assert f"PASS {case} ({mode})" in out, out


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[1] / ".git").exists(),
    reason="compare.py reads an earlier revision with git archive: a git checkout only "
    "(not the unpacked sdist)",
)
def test_compare_times_a_revision_against_the_tree_in_one_process() -> None:
    out = run("compare.py", "HEAD", "--rounds", "1", "--seconds", "0.001")
    assert "before: HEAD; 1 paired rounds" in out, out
    for case in ("@view str HEAD", "@view Response", "Middleware route + hook"):
        assert f"\n{case} " in out, out
    assert out.count("x (") == 11, out  # one ratio per case


def test_file_passthrough_sends_the_whole_file_in_every_case() -> None:
    out = run("file_passthrough.py", "-n", "1", "-r", "1")
    for case in ("application alone", "Middleware", "Middleware + hooks"):
        assert f"\n{case} " in out, out
