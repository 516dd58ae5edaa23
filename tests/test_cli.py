"""``respond-mw serve``: a real waitress in a subprocess, stopped with SIGINT/SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from respond_mw import cli

from .subprocess_support import ROOT, environment, read_line

APP_MODULE = """
from respond_mw import view

@view
def app(request):
    return {"served": request.path_qs}

def create_app():
    return view(lambda: ("from the factory", 201))

not_callable = 42

def bad_factory():
    return 42

class Site:
    wsgi = app
"""

BROKEN_MODULE = "import respond_mw_no_such_dependency\n"


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory holding the modules served, importable and the working directory."""
    (tmp_path / "cliapp.py").write_text(APP_MODULE)
    (tmp_path / "clibroken.py").write_text(BROKEN_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("cliapp", "clibroken"):
        sys.modules.pop(name, None)


# --------------------------------------------------------------- in process


def test_load_app_finds_nested_attributes(apps: Path) -> None:
    app = cli.load_app("cliapp:Site.wsgi")
    assert app is cli.load_app("cliapp:app")


def test_load_app_calls_a_factory(apps: Path) -> None:
    assert callable(cli.load_app("cliapp:create_app", call=True))


ERRORS = [
    pytest.param(["nosuchmodule:app"], "no module named 'nosuchmodule'", id="missing-module"),
    pytest.param(["cliapp.sub:app"], "no module named 'cliapp.sub'", id="missing-submodule"),
    pytest.param(["cliapp:nope"], "'cliapp' has no attribute 'nope'", id="missing-attribute"),
    pytest.param(
        ["cliapp:Site.nope"], "'cliapp:Site' has no attribute 'nope'", id="missing-nested"
    ),
    pytest.param(["cliapp:not_callable"], "'cliapp:not_callable' is not callable (int)",
                 id="not-callable"),
    pytest.param(["--call", "cliapp:bad_factory"],
                 "the factory 'cliapp:bad_factory' returned int, not a WSGI application",
                 id="factory-returns-non-callable"),
    pytest.param(["cliapp"], "'cliapp' is not MODULE:APP", id="no-colon"),
    pytest.param(["cliapp:"], "'cliapp:' is not MODULE:APP", id="no-attribute"),
    pytest.param(["--threads", "0", "cliapp:app"], "--threads must be at least 1", id="threads"),
    pytest.param(["--port", "70000", "cliapp:app"], "--port must be between 0 and 65535",
                 id="port"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_errors_exit_2_with_a_clear_message(
    apps: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("usage: respond-mw")
    assert "Traceback" not in err


def test_an_import_error_inside_the_module_is_not_hidden(apps: Path) -> None:
    with pytest.raises(ModuleNotFoundError, match="respond_mw_no_such_dependency"):
        cli.load_app("clibroken:app")


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2


def test_console_script_is_declared() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["respond-mw"] == "respond_mw.cli:main"


# ---------------------------------------------------------------- subprocess


@pytest.fixture
def start(apps: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def run(*command: str) -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen(
            command,
            cwd=apps,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        line = read_line(proc)
        match = re.search(r"on (http://127\.0\.0\.1:\d+/) \(press Ctrl-C to quit\)", line)
        assert match, line
        return proc, match[1]

    try:
        yield run
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)


def stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.status, res.read()


@pytest.mark.functional
@pytest.mark.parametrize(
    ("arguments", "path", "answer", "signum"),
    [
        pytest.param(
            ["cliapp:app"],
            "hello?x=1",
            (200, b'{"served":"/hello?x=1"}'),
            signal.SIGINT,
            id="app-stops-on-sigint",
        ),
        pytest.param(
            ["--threads", "2", "--call", "cliapp:create_app"],
            "",
            (201, b"from the factory"),
            signal.SIGTERM,
            id="factory-with-threads-stops-on-sigterm",
        ),
    ],
)
def test_python_m_serves_and_stops(
    start: Any, arguments: list[str], path: str, answer: tuple[int, bytes], signum: int
) -> None:
    proc, url = start(sys.executable, "-m", "respond_mw", "serve", "--port", "0", *arguments)
    assert get(f"{url}{path}") == answer
    code, out, err = stop(proc, signum)
    assert code == 0
    assert out == "Stopped.\n"
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


@pytest.mark.functional
def test_console_script(start: Any) -> None:
    script = Path(sys.executable).parent / "respond-mw"
    if not script.exists():
        pytest.skip("the package is not installed in this environment (no respond-mw script)")
    proc, url = start(str(script), "serve", "--host", "127.0.0.1", "--port", "0", "cliapp:app")
    assert get(url)[0] == 200
    code, _, err = stop(proc, signal.SIGINT)
    assert code == 0
    assert "Traceback" not in err


@pytest.mark.functional
def test_missing_attribute_in_a_subprocess(apps: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "respond_mw", "serve", "cliapp:missing"],
        cwd=apps,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "python -m respond_mw: error: 'cliapp' has no attribute 'missing'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
