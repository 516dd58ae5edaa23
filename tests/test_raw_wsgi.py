"""No framework at all: @view and Middleware are plain PEP 3333 applications.

Every call goes through :func:`wsgiref.validate.validator`, which checks both sides of
the WSGI protocol (environ, ``start_response`` arguments, header types, the body
iterable and its ``close()``), and once through a real waitress server.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from webob import Response

from respond_mw import Middleware, abort, current_request, view

from .server import serve
from .wsgi_support import Result, call_wsgi, legacy_app


def call(app: Any, path: str = "/", method: str = "GET") -> Result:
    """Call ``app`` wrapped in the validator, with an environ built by the standard
    library alone (no WebOb); return status, headers and body."""
    environ: dict[str, Any] = {
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REQUEST_METHOD": method,
    }
    setup_testing_defaults(environ)
    environ["wsgi.errors"] = io.StringIO()
    return call_wsgi(app, environ=environ)


def stream() -> Iterator[str]:
    yield "streamed "
    yield current_request().path


VALUES = [
    pytest.param(lambda: "héllo", "200 OK", "héllo".encode(), id="str"),
    pytest.param(lambda: b"bytes", "200 OK", b"bytes", id="bytes"),
    pytest.param(lambda: {"a": 1}, "200 OK", b'{"a":1}', id="dict"),
    pytest.param(lambda: [1, 2], "200 OK", b"[1,2]", id="list"),
    pytest.param(stream, "200 OK", b"streamed /it", id="generator"),
    pytest.param(lambda: ("gone", 410), "410 Gone", b"gone", id="body-status"),
    pytest.param(lambda: ("h", {"X-A": "1"}), "200 OK", b"h", id="body-headers"),
    pytest.param(lambda: ("t", "299 Odd", [("X-A", "1")]), "299 Odd", b"t", id="triple"),
    pytest.param(lambda: ({"e": 1}, HTTPStatus.CONFLICT), "409 Conflict", b'{"e":1}', id="enum"),
    pytest.param(lambda: Response("resp", status=203), "203 Non-Authoritative Information",
                 b"resp", id="response"),
    pytest.param(lambda: legacy_app, "202 Accepted", b"legacy /it", id="wsgi-app"),
    pytest.param(lambda: abort(404), "404 Not Found", None, id="abort"),
    pytest.param(lambda: None, "500 Internal Server Error", None, id="none-is-500"),
]  # fmt: skip


def as_view(func: Callable[[], Any]) -> Any:
    return view(func)


def as_route(func: Callable[[], Any]) -> Any:
    mw = Middleware(legacy_app)
    mw.route("/it")(func)
    return mw


@pytest.mark.parametrize(
    "serve_as", [pytest.param(as_view, id="view"), pytest.param(as_route, id="middleware-route")]
)
@pytest.mark.parametrize(("func", "status", "body"), VALUES)
def test_under_validator(
    serve_as: Callable[[Callable[[], Any]], Any],
    func: Callable[[], Any],
    status: str,
    body: bytes | None,
) -> None:
    got_status, headers, data = call(serve_as(func), "/it")
    assert got_status == status
    if body is not None:
        assert data == body
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in headers)


def make_site() -> Middleware:
    mw = Middleware(legacy_app)

    @mw.route("/hello/<name>")
    def hello(name: str) -> Any:
        return {"hello": name}

    @mw.errorhandler(404)
    def not_found(error: Any) -> Any:
        return "custom 404", {"X-Something": "A value"}

    mw.mount("/sub", view(lambda request: f"sub {request.script_name} {request.path_info}"))
    return mw


def test_middleware_passes_through_routes_mounts_and_errors() -> None:
    site = make_site()
    assert call(site, "/hello/bob")[2] == b'{"hello":"bob"}'
    assert call(site, "/legacy") == (
        "202 Accepted",
        [("Content-Type", "text/plain"), ("X-Legacy", "yes")],
        b"legacy /legacy",
    )
    assert call(site, "/sub/page")[2] == b"sub /sub /page"
    assert call(site, "/hello") == (  # no route matches: the legacy app answers
        "202 Accepted",
        [("Content-Type", "text/plain"), ("X-Legacy", "yes")],
        b"legacy /hello",
    )


def test_middleware_custom_404_under_validator() -> None:
    mw = Middleware()

    @mw.errorhandler(404)
    def not_found(error: Any) -> Any:
        return "custom 404", {"X-Something": "A value"}

    status, headers, data = call(mw, "/nowhere")
    assert status == "404 Not Found"
    assert ("X-Something", "A value") in headers
    assert data == b"custom 404"


def test_head_has_no_body_under_validator() -> None:
    status, headers, data = call(view(lambda: "some text"), "/", method="HEAD")
    assert status == "200 OK"
    assert data == b""
    assert dict(headers)["Content-Length"] == "9"


@pytest.mark.functional
def test_raw_wsgi_on_a_real_server() -> None:
    with serve(validator(make_site())) as url:
        with urllib.request.urlopen(f"{url}/hello/ann", timeout=10) as res:
            assert res.status == 200
            assert res.read() == b'{"hello":"ann"}'
        with urllib.request.urlopen(f"{url}/sub/x", timeout=10) as res:
            assert res.read() == b"sub /sub /x"
        with urllib.request.urlopen(f"{url}/old", timeout=10) as res:
            assert res.status == 202
            assert res.read() == b"legacy /old"
