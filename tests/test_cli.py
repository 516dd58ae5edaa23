"""``respond-mw serve``: the application checks and the access log in process, then a
real waitress in a subprocess for what happens on the wire (requests and their log
lines, a busy port, a bad host, ``--reload``, SIGINT/SIGTERM)."""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import inspect
import io
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import respond_mw
from respond_mw import accesslog, cli, view

from .subprocess_support import ROOT, environment, read_line
from .wsgi_support import blank_environ, call_wsgi, open_wsgi

APP_MODULE = """
import functools
from pathlib import Path

from respond_mw import Middleware, view

@view
def app(request):
    return {"served": request.path_qs}

def create_app():
    return view(lambda: ("from the factory", 201))

not_callable = 42

def bad_factory():
    return 42

def factory_with_arguments(settings):
    return app

def factory_of_a_view_function():
    return page

class Site:
    wsgi = app

def page(request):
    return "a view function without @view"

def three(environ, start_response, extra):
    return []

class OneArgument:
    def __call__(self, environ):
        return []

one_argument = OneArgument()

class Klass:
    def __init__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])

    def __iter__(self):
        return iter([b"a class"])

def plain(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"plain"]

def logged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper

decorated = logged(plain)
partial = functools.partial(plain)

site = Middleware()

@site.route("/stream")
def stream():
    yield "one "
    yield "two"

@site.route("/endless")
def endless():
    import time
    while True:
        time.sleep(0.002)
        yield "x" * 1024

@site.route("/file")
def file():
    return Path(__file__)

@site.route("/broken")
def broken():
    raise RuntimeError("broken on purpose")
"""

BROKEN_MODULE = "import respond_mw_no_such_dependency\n"
SYNTAX_ERROR_MODULE = "def app(:\n"


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory holding the modules served, importable and the working directory."""
    (tmp_path / "cliapp.py").write_text(APP_MODULE)
    (tmp_path / "clibroken.py").write_text(BROKEN_MODULE)
    (tmp_path / "clisyntax.py").write_text(SYNTAX_ERROR_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("cliapp", "clibroken", "clisyntax"):
        sys.modules.pop(name, None)


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``cli.main(args)``: its exit status (returned or argparse's), stdout and stderr."""
    try:
        code: Any = cli.main(args)
    except SystemExit as exit_info:
        code = exit_info.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------- in process


def test_load_app_finds_nested_attributes(apps: Path) -> None:
    app = cli.load_app("cliapp:Site.wsgi")
    assert app is cli.load_app("cliapp:app")


def test_load_app_calls_a_factory(apps: Path) -> None:
    assert callable(cli.load_app("cliapp:create_app", call=True))


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("cliapp:app", id="view"),
        pytest.param("cliapp:site", id="middleware"),
        pytest.param("cliapp:plain", id="function"),
        pytest.param("cliapp:Klass", id="class-taking-two-arguments"),
        pytest.param("cliapp:decorated", id="functools-wraps-decorated"),
        pytest.param("cliapp:partial", id="partial"),
    ],
)
def test_load_app_accepts_wsgi_applications(apps: Path, spec: str) -> None:
    cli.load_app(spec)


def test_a_view_is_checked_by_its_wsgi_signature_not_its_function(apps: Path) -> None:
    # A @view advertises its function's signature, (request), for Pyramid's view mapper.
    app = cli.load_app("cliapp:app")
    assert "request" in str(inspect.signature(app))
    assert call_wsgi(app, "/x?y=1").body == b'{"served":"/x?y=1"}'


ARGUMENT_ERRORS = [
    pytest.param(["--threads", "0", "cliapp:app"], "--threads must be at least 1", id="threads"),
    pytest.param(["--port", "70000", "cliapp:app"], "--port must be between 0 and 65535",
                 id="port"),
    pytest.param(["--port", "http", "cliapp:app"], "argument --port: invalid int value",
                 id="port-not-a-number"),
    pytest.param([], "the following arguments are required: MODULE:APP", id="no-app"),
    pytest.param(["--nope", "cliapp:app"], "unrecognized arguments: --nope", id="unknown-option"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), ARGUMENT_ERRORS)
def test_argument_errors_show_the_usage_of_serve(
    apps: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_main(["serve", *args], capsys)
    assert code == 2
    assert err.startswith("usage: respond-mw serve [-h]")
    assert f"respond-mw serve: error: {message}" in err
    assert "Traceback" not in err
    assert out == ""


APP_ERRORS = [
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
    pytest.param(["cliapp:page"],
                 "'cliapp:page' is no WSGI application: page(request) cannot take"
                 " (environ, start_response); decorate a view function with @respond_mw.view",
                 id="view-function-without-view"),
    pytest.param(["cliapp:three"],
                 "'cliapp:three' is no WSGI application: three(environ, start_response, extra)"
                 " cannot take (environ, start_response)",
                 id="three-arguments"),
    pytest.param(["cliapp:one_argument"],
                 "'cliapp:one_argument' is no WSGI application:"
                 " OneArgument.__call__(environ) cannot take (environ, start_response)",
                 id="object-whose-call-takes-one-argument"),
    pytest.param(["--call", "cliapp:factory_with_arguments"],
                 "the factory 'cliapp:factory_with_arguments' is called without arguments:"
                 " factory_with_arguments(settings) needs some",
                 id="factory-with-arguments"),
    pytest.param(["--call", "cliapp:factory_of_a_view_function"],
                 "the factory 'cliapp:factory_of_a_view_function' returned no WSGI"
                 " application: page(request) cannot take (environ, start_response)",
                 id="factory-returns-a-view-function"),
    pytest.param(["clibroken:app"],
                 "cannot load 'clibroken:app': ModuleNotFoundError: No module named"
                 " 'respond_mw_no_such_dependency' (at ",
                 id="module-whose-import-fails"),
    pytest.param(["clisyntax:app"],
                 "cannot load 'clisyntax:app': SyntaxError: invalid syntax (clisyntax.py, line 1)",
                 id="module-with-a-syntax-error"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), APP_ERRORS)
def test_a_bad_application_is_one_line_and_exit_2(
    apps: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_main(["serve", *args], capsys)
    assert code == 2
    assert err.startswith(f"respond-mw serve: error: {message}")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert out == ""


def test_a_failing_import_names_the_file_and_line(
    apps: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = run_main(["serve", "clibroken:app"], capsys)
    assert err.endswith(f"(at {apps / 'clibroken.py'}, line 1)\n")


def test_an_import_error_inside_the_module_is_not_hidden(apps: Path) -> None:
    with pytest.raises(ModuleNotFoundError, match="respond_mw_no_such_dependency"):
        cli.load_app("clibroken:app")


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main([], capsys)
    assert code == 2
    assert err.startswith("usage: respond-mw [-h] [--version] COMMAND")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0
    assert out == f"respond-mw {respond_mw.__version__}\n"
    assert respond_mw.__version__ == importlib.metadata.version("respond_mw") == "0.1.0"


def test_reload_without_hupper_says_what_to_install(
    apps: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hupper", None)  # import hupper -> ImportError
    code, out, err = run_main(["serve", "--reload", "cliapp:app"], capsys)
    assert code == 2
    assert err == (
        "respond-mw serve: error: --reload needs hupper: pip install 'respond_mw[reload]'\n"
    )
    assert out == ""


def test_console_script_is_declared() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["respond-mw"] == "respond_mw.cli:main"


# ------------------------------------------------------- the access log in process


class Recorded(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access() -> Iterator[tuple[logging.Logger, Recorded]]:
    """A logger of its own (so the CLI's configuration of ``respond_mw.access`` in other
    tests does not matter) and what it recorded."""
    logger = logging.getLogger("tests.access")
    handler = Recorded()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)


LINE = re.compile(r"(?P<request>.+) (?P<status>\S+) (?P<bytes>\S+) (?P<ms>\d+\.\d)ms")


class Body:
    """A streamed body that records how the server used it."""

    def __init__(self, chunks: list[bytes], events: list[str], fail_close: bool = False):
        self.chunks = iter(chunks)
        self.events = events
        self.fail_close = fail_close

    def __iter__(self) -> Body:
        return self

    def __next__(self) -> bytes:
        return next(self.chunks)

    def close(self) -> None:
        self.events.append("closed")
        if self.fail_close:
            raise OSError("close failed")


def streaming_app(events: list[str], fail_close: bool = False) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body([b"one ", b"", b"three"], events, fail_close)

    return app


def test_a_streamed_body_is_counted_and_logged_when_closed(access: Any) -> None:
    logger, recorded = access
    events: list[str] = []
    environ = blank_environ("/x?y=1", remote_addr="10.0.0.7")
    _, body = open_wsgi(accesslog.AccessLog(streaming_app(events), logger), environ=environ)
    assert b"".join(body) == b"one three"
    assert recorded.lines == []  # not before the server closes the body
    body.close()
    assert events == ["closed"]
    [line] = recorded.lines
    match = LINE.fullmatch(line)
    assert match, line
    assert match["request"] == '10.0.0.7 "GET /x?y=1 HTTP/1.0"'
    assert (match["status"], match["bytes"]) == ("200", "9")


def test_a_body_closed_early_logs_what_was_sent(access: Any) -> None:
    logger, recorded = access
    events: list[str] = []
    _, body = open_wsgi(accesslog.AccessLog(streaming_app(events), logger))
    assert next(iter(body)) == b"one "
    body.close()  # the client went away
    body.close()  # a second close() logs nothing more
    assert events == ["closed", "closed"]
    [line] = recorded.lines
    assert " 200 4 " in line


class FailingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        raise RuntimeError("the log is broken")


def test_a_failing_log_breaks_neither_the_response_nor_close(access: Any) -> None:
    logger, _ = access
    logger.addFilter(failing := FailingFilter())
    try:
        events: list[str] = []
        result = call_wsgi(accesslog.AccessLog(streaming_app(events), logger))
    finally:
        logger.removeFilter(failing)
    assert result.body == b"one three"
    assert events == ["closed"]


def test_the_body_is_closed_and_logged_when_its_close_raises(access: Any) -> None:
    logger, recorded = access
    events: list[str] = []
    _, body = open_wsgi(accesslog.AccessLog(streaming_app(events, fail_close=True), logger))
    list(body)
    with pytest.raises(OSError, match="close failed"):
        body.close()
    assert events == ["closed"]
    assert len(recorded.lines) == 1


def test_an_application_that_raises_is_logged_as_500(access: Any) -> None:
    logger, recorded = access

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise LookupError("no")

    with pytest.raises(LookupError):
        open_wsgi(accesslog.AccessLog(app, logger), "/boom")
    [line] = recorded.lines
    assert '"GET /boom HTTP/1.0" 500 - ' in line


def test_a_list_body_keeps_its_length_and_write_is_counted(access: Any) -> None:
    logger, recorded = access

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        write = start_response("201 Created", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"listed"]

    start_response, body = open_wsgi(accesslog.AccessLog(app, logger))
    assert len(body) == 1  # waitress uses it to give one chunk a Content-Length
    assert list(body) == [b"listed"]
    assert start_response.written == [b"written "]
    body.close()
    assert " 201 14 " in recorded.lines[0]


class SlotsOnly:
    """A server's ``wsgi.file_wrapper`` (waitress recognises its own by its class),
    without an instance dictionary."""

    __slots__ = ("closed", "file")

    def __init__(self, file: Any, block_size: int = 8192) -> None:
        self.file = file
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(lambda: self.file.read(8192), b"")

    def close(self) -> None:
        self.closed = True
        self.file.close()


class FileWrapper(SlotsOnly):
    """A file wrapper whose ``close`` can be extended on the instance, as waitress'."""


@pytest.mark.parametrize(
    ("wrapper_class", "logged_before_close"),
    [
        pytest.param(FileWrapper, False, id="logged-at-close"),
        pytest.param(SlotsOnly, True, id="close-cannot-be-extended-logged-at-once"),
    ],
)
def test_the_servers_file_wrapper_is_handed_back(
    access: Any, tmp_path: Path, wrapper_class: type[SlotsOnly], logged_before_close: bool
) -> None:
    logger, recorded = access
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 5000)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", "5000")])  # fmt: skip
        wrapper: Iterable[bytes] = environ["wsgi.file_wrapper"](path.open("rb"))
        return wrapper

    environ = dict(blank_environ("/data.bin"), **{"wsgi.file_wrapper": wrapper_class})
    _, body = open_wsgi(accesslog.AccessLog(app, logger), environ=environ)
    assert type(body) is wrapper_class  # the server can still send it its own way
    assert len(recorded.lines) == logged_before_close
    body.close()
    assert body.closed
    [line] = recorded.lines
    assert '"GET /data.bin HTTP/1.0" 200 5000 ' in line


def test_a_request_cannot_forge_a_log_line(access: Any) -> None:
    logger, recorded = access
    environ = blank_environ("/")
    environ["PATH_INFO"] = '/a\n127.0.0.1 "GET /forged" 200'
    environ["QUERY_STRING"] = "q=1"
    call_wsgi(accesslog.AccessLog(view(lambda: "ok"), logger), environ=environ)
    [line] = recorded.lines
    assert "\n" not in line
    assert '"GET /a%0A127.0.0.1%20%22GET%20/forged%22%20200?q=1 HTTP/1.0"' in line
    environ = dict(blank_environ("/"), REQUEST_URI='/raw"\x7f', REMOTE_ADDR="a b")
    call_wsgi(accesslog.AccessLog(view(lambda: "ok"), logger), environ=environ)
    assert recorded.lines[1].startswith('a\\x20b "GET /raw\\x22\\x7f HTTP/1.0" 200 2 ')


# ------------------------------------------------------ the server, in process


@pytest.fixture
def access_logger_restored() -> Iterator[None]:
    """The ``respond_mw.access`` logger as it was, after a test that ran ``main()``."""
    logger = accesslog.access_logger
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def request_then_interrupt(output: io.StringIO, paths: list[str], answers: list[Any]) -> None:
    """Wait for the server to say where it serves, request ``paths``, then send this
    process the ``SIGTERM`` that stops it (only once the server is up, whose handler
    turns it into a clean stop)."""
    deadline = time.monotonic() + 10
    while (match := re.search(SERVING, output.getvalue())) is None:
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)
    try:
        answers.extend(get(f"{match[1]}{path}") for path in paths)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def test_main_serves_with_the_access_log_in_process(
    apps: Path, monkeypatch: pytest.MonkeyPatch, access_logger_restored: None
) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    answers: list[Any] = []
    client = threading.Thread(target=request_then_interrupt, args=(out, ["stream?q=1"], answers))
    client.start()
    try:
        code = cli.main(["serve", "--port", "0", "cliapp:site"])
    finally:
        client.join(timeout=20)
    assert code == 0
    assert answers == [(200, b"one two")]
    assert out.getvalue().endswith("(press Ctrl-C to quit)\nStopped.\n")
    [line] = err.getvalue().splitlines()
    assert re.match(ACCESS_LINE, line), line
    assert '"GET /stream?q=1 HTTP/1.1" 200 7 ' in line


def test_main_twice_logs_each_request_once(
    apps: Path, monkeypatch: pytest.MonkeyPatch, access_logger_restored: None
) -> None:
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        client = threading.Thread(target=request_then_interrupt, args=(out, [""], []))
        client.start()
        try:
            assert cli.main(["serve", "--port", "0", "cliapp:app"]) == 0
        finally:
            client.join(timeout=20)
        assert err.getvalue().count("HTTP/1.1") == 1


@contextlib.contextmanager
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 another socket listens on. waitress leaves the socket of a
    server it could not bind unclosed: it is collected here, its ResourceWarning
    ignored, rather than in some later test."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            yield taken.getsockname()[1]
            gc.collect()


def test_serve_raises_cannot_serve_for_a_busy_port() -> None:
    with busy_port() as port, pytest.raises(cli.CannotServe, match=f"port {port}: Address"):
        cli.serve(view(lambda: "x"), port=port, out=io.StringIO())


class FakeHupper:
    """Stands for hupper in process: records the reloader started and files watched."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.watched: list[str] = []

    def is_active(self) -> bool:
        return self.active

    def start_reloader(self, worker_path: str, **options: Any) -> None:
        self.started.append((worker_path, options))

    def get_reloader(self) -> FakeHupper:
        return self

    def watch_files(self, files: list[str]) -> None:
        self.watched.extend(files)


def test_reload_starts_hupper_with_a_worker_that_runs_the_same_command(
    apps: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hupper", hupper := FakeHupper(active=False))
    arguments = ["serve", "--reload", "--port", "0", "cliapp:app"]
    code, out, err = run_main(arguments, capsys)
    assert (code, out, err) == (0, "", "")
    [(worker_path, options)] = hupper.started
    assert options == {"worker_kwargs": {"argv": arguments, "prog": "respond-mw"}}
    module, _, function = worker_path.rpartition(".")
    worker = getattr(importlib.import_module(module), function)
    with pytest.raises(SystemExit) as exit_info:  # the worker's exit status is main()'s
        worker(argv=["serve", "cliapp:nope"], prog="respond-mw")
    assert exit_info.value.code == 2


def test_reload_checks_the_address_before_starting_hupper(
    apps: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hupper", hupper := FakeHupper(active=False))
    with busy_port() as port:
        code, _, err = run_main(["serve", "--reload", "--port", str(port), "cliapp:app"], capsys)
    assert code == 2
    assert err.endswith(f"port {port}: Address already in use\n") and err.count("\n") == 1
    assert hupper.started == []


def test_a_reloaded_worker_that_cannot_load_watches_the_culprit(
    apps: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hupper", hupper := FakeHupper(active=True))
    code, _, err = run_main(["serve", "--reload", "clibroken:app"], capsys)
    assert code == 2
    assert err.startswith("respond-mw serve: error: cannot load 'clibroken:app'")
    assert str(apps / "clibroken.py") in hupper.watched
    code, _, err = run_main(["serve", "--reload", "clisyntax:app"], capsys)
    assert code == 2
    assert str(apps / "clisyntax.py") in hupper.watched


# ---------------------------------------------------------------- subprocess


def wait_for_line(stream: Any, pattern: str, timeout: float) -> str | None:
    """Read lines of ``stream`` until one matches ``pattern`` and return it, or
    ``None`` after ``timeout`` seconds or at the end of the stream."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.1)
        if ready:
            line = stream.readline()
            if not line:
                return None
            if re.search(pattern, line):
                return str(line)
    return None


def read_until(stream: Any, pattern: str, timeout: float = 20.0) -> str:
    """The next line of ``stream`` matching ``pattern`` (at most ``timeout`` seconds)."""
    line = wait_for_line(stream, pattern, timeout)
    assert line is not None, f"no line matching {pattern!r} within {timeout}s"
    return line


SERVING = r"on (http://127\.0\.0\.1:\d+/) \(press Ctrl-C to quit\)"


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
            start_new_session=True,  # its own process group: --reload's worker included
        )
        procs.append(proc)
        line = read_line(proc)
        match = re.search(SERVING, line)
        assert match, line
        return proc, match[1]

    try:
        yield run
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)


def stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.status, res.read()


def serve_command(*arguments: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "respond_mw", "serve", *arguments)


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
    proc, url = start(*serve_command("--port", "0", *arguments))
    assert get(f"{url}{path}") == answer
    code, out, err = stop(proc, signum)
    assert code == 0
    assert out == "Stopped.\n"
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


ACCESS_LINE = (
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] 127\.0\.0\.1 "
    r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d+) (?P<bytes>\d+) '
    r"(?P<ms>\d+\.\d)ms$"
)


@pytest.mark.functional
def test_each_request_is_logged_on_stderr(start: Any, apps: Path) -> None:
    proc, url = start(*serve_command("--port", "0", "cliapp:site"))
    assert get(f"{url}stream?a=1&b=2") == (200, b"one two")
    assert get(f"{url}file")[1] == (apps / "cliapp.py").read_bytes()
    with pytest.raises(urllib.error.HTTPError) as error:
        get(f"{url}broken")
    with error.value:  # its socket
        assert error.value.code == 500
    code, _, err = stop(proc, signal.SIGTERM)
    assert code == 0
    lines = [re.match(ACCESS_LINE, line) for line in err.splitlines() if "HTTP/1.1" in line]
    found = {m["target"]: (m["method"], m["status"], m["bytes"]) for m in lines if m}
    # each line is written when its body is closed: a file the server sends by its
    # wrapper may be closed after the next request is answered, so no order is assumed
    assert found == {
        "/stream?a=1&b=2": ("GET", "200", "7"),
        "/file": ("GET", "200", str((apps / "cliapp.py").stat().st_size)),
        "/broken": ("GET", "500", found["/broken"][2]),
    }
    assert int(found["/broken"][2]) > 0
    assert len(lines) == 3 and all(lines)


@pytest.mark.functional
def test_a_client_that_goes_away_mid_stream_is_logged(start: Any) -> None:
    proc, url = start(*serve_command("--port", "0", "cliapp:site"))
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET /endless HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = 0
        deadline = time.monotonic() + 10
        while received < 20_000 and time.monotonic() < deadline:
            received += len(client.recv(65536))
    assert received >= 20_000
    assert proc.stderr is not None
    line = read_until(proc.stderr, r'"GET /endless HTTP/1\.1"')
    match = re.match(ACCESS_LINE, line.rstrip("\n"))
    assert match, line
    assert match["status"] == "200"
    assert int(match["bytes"]) >= 20_000
    code, _, _ = stop(proc, signal.SIGTERM)
    assert code == 0


@pytest.mark.functional
def test_no_access_log(start: Any) -> None:
    proc, url = start(*serve_command("--no-access-log", "--port", "0", "cliapp:app"))
    assert get(url)[0] == 200
    code, _, err = stop(proc, signal.SIGTERM)
    assert code == 0
    assert "HTTP/1.1" not in err


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


def run_to_end(apps: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        serve_command(*arguments),
        cwd=apps,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.functional
def test_missing_attribute_in_a_subprocess(apps: Path) -> None:
    proc = run_to_end(apps, "cliapp:missing")
    assert proc.returncode == 2
    assert proc.stderr == (
        "python -m respond_mw serve: error: 'cliapp' has no attribute 'missing'"
        " (looking for 'cliapp:missing')\n"
    )
    assert proc.stdout == ""


@pytest.mark.functional
def test_a_busy_port_is_one_line_and_exit_2(apps: Path) -> None:
    with busy_port() as port:
        proc = run_to_end(apps, "--port", str(port), "cliapp:app")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"python -m respond_mw serve: error: cannot listen on '127.0.0.1' port {port}:"
        " Address already in use\n"
    )
    assert proc.stdout == ""


@pytest.mark.functional
@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("no-such-host.invalid", "Invalid host/port specified.", id="unresolvable"),
        pytest.param("999.1.1.1", "Invalid host/port specified.", id="malformed"),
        pytest.param("192.0.2.1", "Cannot assign requested address", id="not-this-machine"),
    ],
)
def test_a_bad_host_is_one_line_and_exit_2(apps: Path, host: str, reason: str) -> None:
    proc = run_to_end(apps, "--host", host, "--port", "0", "cliapp:app")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"python -m respond_mw serve: error: cannot listen on {host!r} port 0: {reason}\n"
    )
    assert proc.stdout == ""


@pytest.mark.functional
def test_reload_restarts_the_server_when_the_module_changes(start: Any, apps: Path) -> None:
    pytest.importorskip("hupper")
    module = apps / "clireload.py"
    module.write_text("from respond_mw import view\n\napp = view(lambda: 'first')\n")
    proc, url = start(*serve_command("--reload", "--port", "0", "clireload:app"))
    assert get(url) == (200, b"first")
    assert proc.stdout is not None
    # hupper learns which files to watch from the worker shortly after it started: a
    # change made before that goes unseen, so the change is made again until it is seen
    restarted = None
    for attempt in range(5):
        module.write_text(f"from respond_mw import view\n\napp = view(lambda: 'edit {attempt}')\n")
        restarted = wait_for_line(proc.stdout, SERVING, timeout=6)
        if restarted:
            break
    assert restarted, "the server was not restarted"
    url = re.search(SERVING, restarted)[1]  # type: ignore[index]  # port 0: a new port
    assert get(url) == (200, f"edit {attempt}".encode())
    code, out, err = stop(proc, signal.SIGTERM)
    assert code == 0
    assert out.endswith("Stopped.\n")
    assert "changed; reloading" in err  # hupper's word
    assert "Traceback" not in err


@pytest.mark.functional
def test_reload_checks_the_application_before_starting(apps: Path) -> None:
    pytest.importorskip("hupper")
    proc = run_to_end(apps, "--reload", "cliapp:page")
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m respond_mw serve: error: 'cliapp:page' is no WSGI")
    assert proc.stderr.count("\n") == 1
