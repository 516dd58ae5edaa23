"""The applications every benchmark script measures, doing the same work.

Each :class:`Case` builds one WSGI application and names the path to request. Every
case of a group returns the same body (``TEXT`` as ``text/html``, or ``PAYLOAD`` as
JSON), and :func:`check` verifies that before anything is timed, so the numbers
compare equal work. A case whose component is missing (a framework not installed,
a respond_mw module not written yet) is reported as skipped, with the reason.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

from webob import Request, Response

# Measure the working tree's respond_mw, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXT = "Hello, World!"
TEXT_BYTES = TEXT.encode()
HTML = "text/html; charset=UTF-8"
PAYLOAD: dict[str, Any] = {
    "message": TEXT,
    "id": 12345,
    "tags": ["fast", "wsgi", "json"],
    "ok": True,
    "ratio": 0.5,
}
#: The file the file cases serve (see :func:`bench_file`): ``TEXT``, as ``text/html``.
FILE_NAME = "hello.html"
#: Number of routes of the "many routes" middleware cases.
MANY_ROUTES = 1000
FEW_ROUTES = 10

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Skip(Exception):
    """A case cannot be built here (missing component); the message says why."""


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], App]
    kind: str  # "text", "json" or "stream": what check() expects
    path: str = "/"
    note: str = ""


# ----------------------------------------------------------------------- the floor


def raw_text(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", HTML), ("Content-Length", str(len(TEXT_BYTES)))])
    return [TEXT_BYTES]


def raw_json(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = json.dumps(PAYLOAD).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def raw_stream(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", HTML)])
    yield TEXT_BYTES[:7]
    yield TEXT_BYTES[7:]


def raw_json_compact(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The bytes respond_mw's encoder gives (no spaces), from the standard library."""
    body = json.dumps(PAYLOAD, separators=(",", ":")).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def bench_file() -> Path:
    """The small file of the file cases: ``TEXT`` in ``hello.html``, in a directory of
    the temporary directory; written (atomically) only when missing or different, so
    that every process serving it sees the same modification time."""
    directory = Path(tempfile.gettempdir()) / "respond_mw-bench"
    path = directory / FILE_NAME
    try:
        if path.read_bytes() == TEXT_BYTES:
            return path
    except OSError:
        pass
    directory.mkdir(mode=0o700, exist_ok=True)
    temporary = directory / f".{FILE_NAME}.{os.getpid()}"
    temporary.write_bytes(TEXT_BYTES)
    os.replace(temporary, path)
    return path


def _raw_file() -> App:
    """A WSGI function serving :func:`bench_file` with the headers a returned
    :class:`~pathlib.Path` gets (``Content-Type``, ``Last-Modified``, ``ETag``,
    ``Accept-Ranges``, ``Content-Length``), through ``wsgi.file_wrapper`` when the
    server has one; it answers no conditional or range request."""
    path = str(bench_file())

    def raw_file(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        file = open(path, "rb")  # noqa: SIM115 -- closed by the server, or below
        st = os.fstat(file.fileno())
        start_response(
            "200 OK",
            [
                ("Content-Type", HTML),
                ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
                ("ETag", f'"{st.st_mtime_ns:x}-{st.st_size:x}"'),
                ("Accept-Ranges", "bytes"),
                ("Content-Length", str(st.st_size)),
            ],
        )
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None:
            return wrapper(file, 64 * 1024)  # type: ignore[no-any-return]
        with file:
            return [file.read()]

    return raw_file


class Forwarding:
    """An object whose ``__call__`` only calls ``app``: the least any WSGI middleware
    written as a class costs, before it looks at the request at all."""

    __slots__ = ("app",)

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)


def legacy_webob(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A legacy application in the WebOb style: a request, a response, and a page."""
    request = Request(environ)
    name = request.GET.get("name", "")
    return Response(TEXT + name)(environ, start_response)  # type: ignore[no-any-return]


def _raw_orjson() -> App:
    try:
        import orjson
    except ImportError:
        raise Skip("orjson is not installed") from None
    dumps = orjson.dumps

    def raw_orjson(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = dumps(PAYLOAD)
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return raw_orjson


# ------------------------------------------------------------------------ the peers


def _wsgify(kind: str) -> App:
    from webob.dec import wsgify

    if kind == "text":

        @wsgify
        def text(request: Any) -> str:
            return TEXT

        return text  # type: ignore[no-any-return]

    @wsgify
    def data(request: Any) -> Any:
        response = Response(content_type="application/json", charset=None)
        response.body = json.dumps(PAYLOAD).encode()
        return response

    return data  # type: ignore[no-any-return]


def _flask(kind: str) -> App:
    try:
        import flask
    except ImportError:
        raise Skip("Flask is not installed") from None
    app = flask.Flask("bench")
    if kind == "text":
        app.add_url_rule("/", "index", lambda: TEXT)
    else:
        app.add_url_rule("/", "index", lambda: PAYLOAD)
    return app  # type: ignore[return-value]


def _bottle(kind: str, plugin: bool = False) -> App:
    try:
        import bottle
    except ImportError:
        raise Skip("Bottle is not installed") from None
    app = bottle.Bottle()
    if plugin:
        try:
            from respond_mw.integrations.bottle import RespondPlugin
        except ImportError as exc:
            raise Skip(f"respond_mw.integrations.bottle is missing ({exc})") from None
        app.install(RespondPlugin())
    if kind == "text":
        app.route("/", callback=lambda: TEXT)
    else:
        app.route("/", callback=lambda: PAYLOAD)
    return app  # type: ignore[no-any-return]


def _pyramid(kind: str, include: bool = False) -> App:
    try:
        from pyramid.config import Configurator
        from pyramid.response import Response
    except ImportError:
        raise Skip("Pyramid is not installed") from None
    with Configurator() as config:
        if include:
            try:
                config.include("respond_mw.integrations.pyramid")
            except ImportError as exc:
                raise Skip(f"respond_mw.integrations.pyramid is missing ({exc})") from None
        config.add_route("index", "/")
        if include:
            value: Any = TEXT if kind == "text" else PAYLOAD
            config.add_view(lambda request: value, route_name="index")
        elif kind == "text":
            config.add_view(lambda request: Response(TEXT), route_name="index")
        else:
            config.add_view(lambda request: PAYLOAD, route_name="index", renderer="json")
        return config.make_wsgi_app()  # type: ignore[no-any-return]


# ----------------------------------------------------------------------- respond_mw


def _view(kind: str) -> App:
    from respond_mw import view

    if kind == "str":

        @view
        def text() -> str:
            return TEXT

        return text
    if kind == "dict":

        @view
        def data() -> dict[str, Any]:
            return PAYLOAD

        return data
    if kind == "tuple":

        @view
        def with_headers() -> tuple[str, int, dict[str, str]]:
            return TEXT, 200, {"X-Bench": "1"}

        return with_headers
    if kind == "status":

        @view
        def with_status() -> tuple[dict[str, Any], int]:
            return PAYLOAD, 200

        return with_status
    if kind == "path":
        file = bench_file()

        @view
        def path() -> Path:
            return file

        return path

    @view
    def stream() -> Iterator[str]:
        yield TEXT[:7]
        yield TEXT[7:]

    return stream


def _middleware_class() -> Any:
    try:
        from respond_mw import Middleware  # type: ignore[attr-defined]
    except ImportError:
        try:
            from respond_mw.middleware import Middleware
        except ImportError as exc:
            raise Skip(f"respond_mw.middleware is missing ({exc})") from None
    return Middleware


def route_path(index: int) -> str:
    return f"/section{index}/items/<int:item_id>"


def request_path(index: int) -> str:
    return f"/section{index}/items/42"


def _routed(count: int, cache: bool = True) -> App:
    """A Middleware with ``count`` routes; the benchmark requests the last one.

    Without ``cache`` its router matches every request afresh (no remembered results).
    """
    middleware = _middleware_class()(raw_text)
    if not cache:
        middleware.router.cache_size = 0
    for index in range(count):

        def item(item_id: int, index: int = index) -> str:
            return TEXT

        middleware.route(route_path(index))(item)
    return middleware  # type: ignore[no-any-return]


def _passthrough(count: int, app: App = raw_text) -> App:
    """A Middleware with ``count`` routes that no request matches, around ``app``."""
    middleware = _middleware_class()(app)
    for index in range(count):
        middleware.route(route_path(index))(lambda item_id: TEXT)
    return middleware  # type: ignore[no-any-return]


# ------------------------------------------------------------------------ the cases

CASES: list[Case] = [
    Case("raw text", lambda: raw_text, "text", note="the floor"),
    Case("raw json.dumps", lambda: raw_json, "json", note="the JSON floor"),
    Case("raw orjson", _raw_orjson, "json"),
    Case("raw generator", lambda: raw_stream, "text"),
    Case(
        "forwarding object",
        lambda: Forwarding(raw_text),
        "text",
        note="__call__ only calls raw text",
    ),
    Case("legacy webob app", lambda: legacy_webob, "text", note="Request, Response"),
    Case("wsgify str", lambda: _wsgify("text"), "text"),
    Case("wsgify json", lambda: _wsgify("json"), "json"),
    Case("flask str", lambda: _flask("text"), "text"),
    Case("flask dict", lambda: _flask("json"), "json"),
    Case("bottle str", lambda: _bottle("text"), "text"),
    Case("bottle dict", lambda: _bottle("json"), "json"),
    Case("pyramid Response", lambda: _pyramid("text"), "text"),
    Case("pyramid json renderer", lambda: _pyramid("json"), "json"),
    Case("@view str", lambda: _view("str"), "text"),
    Case("@view dict", lambda: _view("dict"), "json"),
    Case("@view tuple+status", lambda: _view("status"), "json", note="(dict, 200)"),
    Case("@view tuple+headers", lambda: _view("tuple"), "text", note="(str, 200, {1 header})"),
    Case("@view generator", lambda: _view("stream"), "text"),
    Case(
        f"Middleware {FEW_ROUTES} routes",
        lambda: _routed(FEW_ROUTES),
        "text",
        path=request_path(FEW_ROUTES - 1),
        note="last route",
    ),
    Case(
        f"Middleware {MANY_ROUTES} routes",
        lambda: _routed(MANY_ROUTES),
        "text",
        path=request_path(MANY_ROUTES - 1),
        note="last route",
    ),
    Case(
        f"Middleware {MANY_ROUTES} uncached",
        lambda: _routed(MANY_ROUTES, cache=False),
        "text",
        path=request_path(MANY_ROUTES - 1),
        note="last route, router cache off",
    ),
    Case(
        "Middleware pass-through",
        lambda: _passthrough(FEW_ROUTES),
        "text",
        path="/legacy/page",
        note=f"{FEW_ROUTES} routes, none match",
    ),
    Case(
        "Middleware pass-through webob",
        lambda: _passthrough(FEW_ROUTES, legacy_webob),
        "text",
        path="/legacy/page",
        note="the same around legacy webob app",
    ),
    Case("pyramid + include str", lambda: _pyramid("text", include=True), "text"),
    Case("pyramid + include dict", lambda: _pyramid("json", include=True), "json"),
    Case("bottle + plugin str", lambda: _bottle("text", plugin=True), "text"),
    Case("bottle + plugin dict", lambda: _bottle("json", plugin=True), "json"),
    # The floors of the CPU-time comparisons of server.py: the same bytes as @view.
    Case("raw json compact", lambda: raw_json_compact, "json", note="json.dumps, no spaces"),
    Case("raw file", _raw_file, "text", note=f"{FILE_NAME} via wsgi.file_wrapper"),
    Case("@view Path", lambda: _view("path"), "text", note=f"returns the Path of {FILE_NAME}"),
]

#: (label, case, reference case, highest allowed ratio, condition): the condition names
#: a module that must be importable (``"orjson"``) or absent (``"!orjson"``); ``None``
#: as the ratio reports the ratio without a verdict.
TARGETS: list[tuple[str, str, str, float | None, str]] = [
    ("@view str <= 3.0x raw", "@view str", "raw text", 3.0, ""),
    # Without orjson, the standard library encoder against the same json.dumps floor.
    ("@view dict <= 1.3x raw json.dumps", "@view dict", "raw json.dumps", 1.3, "!orjson"),
    # With orjson installed, @view dict must not be slower than the json.dumps floor.
    ("@view dict <= 1.0x raw json.dumps (orjson)", "@view dict", "raw json.dumps", 1.0, "orjson"),
    (
        f"Middleware {MANY_ROUTES} routes <= 1.5x @view str",
        f"Middleware {MANY_ROUTES} routes",
        "@view str",
        1.5,
        "",
    ),
    ("pass-through <= 1.3x direct", "Middleware pass-through", "raw text", 1.3, ""),
    # What the pass-through target is made of: any object with a __call__ pays this.
    ("forwarding object / direct", "forwarding object", "raw text", None, ""),
    ("pass-through / forwarding object", "Middleware pass-through", "forwarding object", None, ""),
    (
        "pass-through / direct, WebOb legacy app",
        "Middleware pass-through webob",
        "legacy webob app",
        None,
        "",
    ),
]


# ------------------------------------------------------------------ calling an app

_ENVIRON: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/",
    "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8080",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "127.0.0.1:8080",
    "HTTP_ACCEPT": "*/*",
    "HTTP_USER_AGENT": "respond_mw-bench",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def environ_template(path: str) -> dict[str, Any]:
    return {**_ENVIRON, "PATH_INFO": path}


def call(app: App, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call ``app`` once; return its status, headers and the whole body."""
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured[0], captured[1], body


def check(case: Case, app: App) -> None:
    """Raise ``AssertionError`` unless ``app`` answers the way its group must."""
    environ = environ_template(case.path)
    environ["wsgi.input"] = io.BytesIO()
    status, headers, body = call(app, environ)
    assert status.startswith("200"), f"{case.name}: status {status}"
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
    if case.kind == "json":
        assert content_type.startswith("application/json"), f"{case.name}: {content_type}"
        assert json.loads(body) == PAYLOAD, f"{case.name}: body {body!r}"
    else:
        assert content_type.startswith("text/html"), f"{case.name}: {content_type}"
        assert body == TEXT_BYTES, f"{case.name}: body {body!r}"


def build(case: Case) -> App:
    """Build and check ``case``; raises :class:`Skip` when it cannot run here."""
    app = case.build()
    check(case, app)
    return app
