"""Hostile return values: each is a clear error naming the view, logged on the
``respond_mw`` logger, and a generic 500 that reveals nothing -- never a response a
client or a proxy could misread (checked on the wire with a real waitress server)."""

from __future__ import annotations

import http
import logging
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from webob import Request, Response
from webob import exc as webob_exc
from webtest import TestApp

from respond_mw import Middleware, abort, current_request, redirect, view
from respond_mw.views import View
from tests.hostile_support import error_records, exchange, logged_text, parse_responses
from tests.server import serve
from tests.wsgi_support import run_validated

SECRET = "s3cr3t-7f1c"
Factory = Callable[[], Any]


def _response_with(**changes: Any) -> Factory:
    def build() -> Response:
        resp = Response("ok")
        for name, value in changes.items():
            if name == "headerlist":
                resp.headerlist.extend(value)
            else:
                setattr(resp, name, value)
        return resp

    return build


def _raw_status(status: str) -> Factory:
    def build() -> Response:
        resp = Response("ok")
        resp._status = status  # bypass WebOb's own parsing, as a buggy subclass might
        return resp

    return build


def _wsgi_app(status: str, headers: list[tuple[str, str]]) -> Factory:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, headers)
        return [SECRET.encode()]

    return lambda: app


def _deep(levels: int, container: str) -> Any:
    value: Any = SECRET
    for _ in range(levels):
        value = [value] if container == "list" else {"k": value}
    return value


def _wrong_cl(value: str) -> Factory:
    def build() -> Response:
        resp = Response("abc")
        resp.headerlist = [*resp.headerlist[:-1], ("Content-Length", value)]
        return resp

    return build


Row = namedtuple("Row", "body status")

HOP_BY_HOP = [
    "Connection",
    "Keep-Alive",
    "Transfer-Encoding",
    "TE",
    "Trailer",
    "Upgrade",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "proxy-connection",
]

HOSTILE: list[Any] = [
    # statuses
    pytest.param(lambda: ("x", f"200 OK\r\nX-Leak: {SECRET}"), id="status-crlf"),
    pytest.param(lambda: ("x", "200 OK\nX-Leak: 1"), id="status-lf"),
    pytest.param(lambda: ("x", "200 OK\rX"), id="status-cr"),
    pytest.param(lambda: ("x", "200 OK\x00"), id="status-nul"),
    pytest.param(lambda: ("x", "200 OK\x1b[31m"), id="status-escape"),
    pytest.param(lambda: ("x", "200\r\nX-Leak: 1"), id="status-code-crlf"),
    pytest.param(lambda: ("x", 99), id="status-99"),
    pytest.param(lambda: ("x", 600), id="status-600"),
    pytest.param(lambda: ("x", 0), id="status-0"),
    pytest.param(lambda: ("x", -200), id="status-negative"),
    pytest.param(lambda: ("x", 10**30), id="status-huge"),
    pytest.param(lambda: ("x", True), id="status-bool"),
    pytest.param(lambda: ("x", 200.0), id="status-float"),
    pytest.param(lambda: ("x", float("nan")), id="status-nan"),
    pytest.param(lambda: ("x", ""), id="status-empty"),
    pytest.param(lambda: ("x", "   "), id="status-blank"),
    pytest.param(lambda: ("x", "abc"), id="status-word"),
    pytest.param(lambda: ("x", "2000"), id="status-4-digits"),
    pytest.param(lambda: ("x", " 200"), id="status-leading-space"),
    pytest.param(lambda: ("x", "200\tOK"), id="status-tab"),
    pytest.param(lambda: ("x", "\u0662\u0660\u0660"), id="status-arabic-digits"),
    pytest.param(lambda: ("x", "200 \u2603"), id="status-not-latin1"),
    pytest.param(lambda: ("x", b"200 OK"), id="status-bytes"),
    pytest.param(lambda: ("x", 100), id="status-100"),
    pytest.param(lambda: ("x", http.HTTPStatus.SWITCHING_PROTOCOLS), id="status-101"),
    pytest.param(lambda: ("x", "103 Early Hints"), id="status-103"),
    pytest.param(_raw_status(f"200 OK\r\nX-Leak: {SECRET}"), id="response-status-crlf"),
    pytest.param(_raw_status("2OO OK"), id="response-status-letters"),
    pytest.param(lambda: Response("x", status=100), id="response-status-100"),
    # header names
    pytest.param(lambda: ("x", {f"X-A\r\nX-Leak: {SECRET}": "1"}), id="name-crlf"),
    pytest.param(lambda: ("x", {"X-A\n": "1"}), id="name-lf"),
    pytest.param(lambda: ("x", {"X\x00A": "1"}), id="name-nul"),
    pytest.param(lambda: ("x", {"X A": "1"}), id="name-space"),
    pytest.param(lambda: ("x", {"X:A": "1"}), id="name-colon"),
    pytest.param(lambda: ("x", {"": "1"}), id="name-empty"),
    pytest.param(lambda: ("x", {" ": "1"}), id="name-blank"),
    pytest.param(lambda: ("x", {"Status": "1"}), id="name-status"),
    pytest.param(lambda: ("x", {"X-": "1"}), id="name-trailing-dash"),
    pytest.param(lambda: ("x", {"X_": "1"}), id="name-trailing-underscore"),
    pytest.param(lambda: ("x", {"X-\u00e9": "1"}), id="name-not-ascii"),
    pytest.param(lambda: ("x", {b"X-A": "1"}), id="name-bytes"),
    pytest.param(lambda: ("x", {1: "1"}), id="name-int"),
    pytest.param(lambda: ("x", [(None, "1")]), id="name-none"),
    # header values
    pytest.param(lambda: ("x", {"X-A": f"a\r\nX-Leak: {SECRET}"}), id="value-crlf"),
    pytest.param(lambda: ("x", {"X-A": "a\nb"}), id="value-lf"),
    pytest.param(lambda: ("x", {"X-A": "a\rb"}), id="value-cr"),
    pytest.param(lambda: ("x", {"X-A": "a\x00b"}), id="value-nul"),
    pytest.param(lambda: ("x", {"X-A": "a\x7fb"}), id="value-del"),
    pytest.param(lambda: ("x", {"X-A": "a\x0bb"}), id="value-vt"),
    pytest.param(lambda: ("x", {"X-A": "a\x0cb"}), id="value-ff"),
    pytest.param(lambda: ("x", {"X-A": "\u2603"}), id="value-not-latin1"),
    pytest.param(lambda: ("x", {"X-A": "\ud800"}), id="value-surrogate"),
    pytest.param(lambda: ("x", {"X-A": None}), id="value-none"),
    pytest.param(lambda: ("x", {"X-A": b"bytes"}), id="value-bytes"),
    pytest.param(lambda: ("x", {"X-A": ["ok", "b\r\nc"]}), id="value-list-crlf"),
    pytest.param(lambda: ("x", {"X-A": [_deep(100_000, "list")]}), id="value-deep"),
    # header pairs
    pytest.param(lambda: ("x", [("X-A",)]), id="pair-1"),
    pytest.param(lambda: ("x", [("X-A", "1", "2")]), id="pair-3"),
    pytest.param(lambda: ("x", ["X-A: 1"]), id="pair-str"),
    pytest.param(lambda: ("x", [("X-A", "1"), None]), id="pair-none"),
    pytest.param(lambda: ("x", 200, {1, 2}), id="headers-set"),
    pytest.param(lambda: ("x", 200, "X-A: 1"), id="headers-str"),
    # hop-by-hop headers (refused, whatever their case)
    *[pytest.param(lambda n=n: ("x", {n: "close"}), id=f"hop-{n}") for n in HOP_BY_HOP],
    *[
        pytest.param(_response_with(headerlist=[(n, "close")]), id=f"response-hop-{n}")
        for n in HOP_BY_HOP[:3]
    ],
    pytest.param(lambda: ("x", {"transfer-ENCODING": "chunked"}), id="hop-mixed-case"),
    # Content-Length disagreeing with the body
    pytest.param(lambda: ("abc", {"Content-Length": "10"}), id="cl-too-big"),
    pytest.param(lambda: ("abc", {"Content-Length": "1"}), id="cl-too-small"),
    pytest.param(lambda: ("abc", {"Content-Length": "-3"}), id="cl-negative"),
    pytest.param(lambda: ("abc", {"Content-Length": "3, 3"}), id="cl-list"),
    pytest.param(lambda: ("abc", {"Content-Length": " 3"}), id="cl-space"),
    pytest.param(lambda: ("abc", {"Content-Length": "\u0663"}), id="cl-arabic-digit"),
    pytest.param(lambda: ("abc", {"Content-Length": "0x3"}), id="cl-hex"),
    pytest.param(
        lambda: ("abc", [("Content-Length", "3"), ("Content-Length", "3")]), id="cl-twice"
    ),
    pytest.param(lambda: ({"a": 1}, {"Content-Length": "1"}), id="cl-json"),
    pytest.param(_wrong_cl("10"), id="response-cl-too-big"),
    pytest.param(_wrong_cl("2"), id="response-cl-too-small"),
    pytest.param(_wrong_cl("x"), id="response-cl-garbage"),
    # responses the view built itself, with unsafe headers
    pytest.param(
        _response_with(headerlist=[("X-A", f"a\r\nX-Leak: {SECRET}")]), id="response-value-crlf"
    ),
    pytest.param(_response_with(headerlist=[("X A", "1")]), id="response-name-space"),
    pytest.param(_response_with(headerlist=[("X-A", 1)]), id="response-value-int"),
    pytest.param(_response_with(headerlist=[("X-A", "1", "2")]), id="response-pair-3"),
    # WSGI applications answering unsafe responses
    pytest.param(_wsgi_app("200 OK", [("X-A", f"a\r\nX-Leak: {SECRET}")]), id="wsgi-value-crlf"),
    pytest.param(_wsgi_app("200 OK\r\nX-Leak: 1", []), id="wsgi-status-crlf"),
    pytest.param(_wsgi_app("200 OK", [("Connection", "close")]), id="wsgi-hop"),
    pytest.param(_wsgi_app("abc", []), id="wsgi-status-word"),
    # JSON
    pytest.param(lambda: {"x": float("nan")}, id="json-nan"),
    pytest.param(lambda: [float("inf")], id="json-infinity"),
    pytest.param(lambda: {"x": [float("-inf")]}, id="json-minus-infinity"),
    pytest.param(lambda: {"x": object()}, id="json-object"),
    pytest.param(lambda: {"x": {1, 2}}, id="json-set"),
    pytest.param(lambda: {(1, 2): SECRET}, id="json-tuple-key"),
    pytest.param(lambda: {"x": b"bytes"}, id="json-bytes"),
    pytest.param(lambda: {"x": "\ud800"}, id="json-surrogate"),
    pytest.param(lambda: _deep(100_000, "list"), id="json-deep-list"),
    pytest.param(lambda: _deep(100_000, "dict"), id="json-deep-dict"),
    pytest.param(lambda: (_deep(100_000, "dict"), 201), id="json-deep-in-tuple"),
    # values no rule accepts
    pytest.param(lambda: None, id="none"),
    pytest.param(lambda: 42, id="int"),
    pytest.param(lambda: True, id="bool"),
    pytest.param(lambda: 1.5, id="float"),
    pytest.param(lambda: {1, 2}, id="set"),
    pytest.param(lambda: object(), id="object"),
    pytest.param(lambda: (), id="tuple-0"),
    pytest.param(lambda: ("x",), id="tuple-1"),
    pytest.param(lambda: ("x", 200, {}, SECRET), id="tuple-4"),
    pytest.param(lambda: (_deep(100_000, "list"), 200, {}, 1), id="tuple-4-deep"),
    pytest.param(lambda: (None, 404), id="tuple-none-body"),
    pytest.param(lambda: (("x", 200), 404), id="tuple-nested"),
    pytest.param(lambda: Row("x", 200), id="namedtuple"),
    pytest.param(lambda: "\ud800", id="str-surrogate"),
]


def _generic_500_body() -> bytes:
    @view
    def crash() -> Any:
        raise RuntimeError(SECRET)

    logging.disable(logging.ERROR)
    try:
        return bytes(TestApp(crash).get("/", status=500).body)
    finally:
        logging.disable(logging.NOTSET)


GENERIC_500 = _generic_500_body()


def _hostile_view(factory: Factory) -> View:
    def hostile_view() -> Any:
        return factory()

    return view(hostile_view)


def _assert_logged_naming(caplog: pytest.LogCaptureFixture, app: View) -> None:
    records = error_records(caplog)
    assert records, "nothing was logged on the respond_mw logger"
    assert any(app.name in logged_text(r) for r in records), [logged_text(r) for r in records]


@pytest.mark.parametrize("factory", HOSTILE)
def test_hostile_value_is_a_logged_generic_500(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    app = _hostile_view(factory)
    resp = TestApp(app).get("/", status=500)  # WebTest's lint checks PEP 3333
    assert resp.body == GENERIC_500
    assert SECRET not in resp.text
    assert SECRET not in str(resp.headers)
    assert "Traceback" not in resp.text
    _assert_logged_naming(caplog, app)
    error = next(r.exc_info[1] for r in error_records(caplog) if r.exc_info)
    assert isinstance(error, (TypeError, ValueError))
    assert app.name in str(error)  # the exception itself names the view


@pytest.mark.parametrize("factory", HOSTILE)
def test_hostile_value_raises_a_clear_error_with_propagate_exceptions(factory: Factory) -> None:
    def hostile_view() -> Any:
        return factory()

    app = view(propagate_exceptions=True)(hostile_view)
    with pytest.raises((TypeError, ValueError)) as info:
        TestApp(app).get("/")
    assert app.name in str(info.value)


@pytest.mark.parametrize("status", [100, 101, 103, 199])
def test_interim_status_is_refused_even_for_a_plain_response(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    app = _hostile_view(lambda: Response(status=status))
    assert TestApp(app).get("/", status=500).body == GENERIC_500
    _assert_logged_naming(caplog, app)


RAISED_UNSAFE = [
    pytest.param(("X-A", f"a\r\nX-Leak: {SECRET}"), "has a value with CR, LF", id="crlf"),
    pytest.param(("X-A", "a\nX-Leak: 1"), "has a value with CR, LF", id="lf"),
    pytest.param(("Connection", "close"), "is hop-by-hop", id="hop-by-hop"),
]


@pytest.mark.parametrize(("header", "problem"), RAISED_UNSAFE)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_raised_http_exception_with_unsafe_header_is_a_generic_500(
    header: tuple[str, str], problem: str, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A webob.exc exception (a plain webob.Response cannot be raised: it is not an
    # exception), refused where it leaves, at the @view and the Middleware edges.
    def raises() -> Any:
        raise webob_exc.HTTPConflict(headers=[header])

    mw = Middleware()
    mw.route("/")(raises)
    for app in (view(raises), mw):
        caplog.clear()
        resp = TestApp(app).request("/", method=method, status=500)
        assert resp.body == (b"" if method == "HEAD" else GENERIC_500)
        assert SECRET not in str(resp.headers) and "Connection" not in resp.headers
        records = error_records(caplog)
        assert len(records) == 1
        assert "raises cannot be sent" in logged_text(records[0])
        assert problem in logged_text(records[0])


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_abort_with_an_unsafe_response_is_a_generic_500(
    method: str, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware()

    @mw.route("/", methods=["GET"])
    def aborting() -> Any:
        unsafe = Response("x", status=409)
        unsafe.headerlist.append(("X-A", f"a\r\nSet-Cookie: {SECRET}"))
        abort(unsafe)

    resp = TestApp(mw).request("/", method=method, status=500)
    assert SECRET not in str(resp.headers)
    assert "aborting cannot be sent: header 'X-A' has a value with CR, LF" in caplog.text


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_abort_with_an_interim_response_is_a_generic_500(
    method: str, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware()

    @mw.route("/", methods=["GET"])
    def aborting() -> Any:
        abort(Response(status=100))

    resp = TestApp(mw).request("/", method=method, status=500)
    assert resp.status == "500 Internal Server Error"
    assert "the interim status '100 Continue' cannot be a final response" in caplog.text


# ------------------------------------------------------------- generators' chunks


def _generator_view(first: Any, bad: Any, closed: threading.Event, *, before: int = 0) -> View:
    def streaming_view() -> Iterator[Any]:
        try:
            for _ in range(before):
                yield first
            yield bad
            yield "never"
        finally:
            closed.set()

    return view(streaming_view)


@pytest.mark.parametrize(
    "bad", [pytest.param(1, id="int"), pytest.param({"a": 1}, id="dict"), None, 1.5, [b"x"]]
)
def test_generator_yielding_a_bad_chunk_is_logged_and_closed(
    bad: Any, caplog: pytest.LogCaptureFixture
) -> None:
    closed = threading.Event()
    app = _generator_view(b"ok", bad, closed, before=1)
    with pytest.raises(TypeError, match="may only yield str or bytes") as info:
        run_validated(app)  # PEP 3333 validator: start_response once, close() called
    assert app.name in str(info.value)
    assert closed.is_set()
    _assert_logged_naming(caplog, app)


@pytest.mark.parametrize(
    "bad", [pytest.param(1, id="int"), pytest.param({"a": 1}, id="dict"), None, 1.5, [b"x"]]
)
def test_a_bad_first_chunk_is_the_views_500(bad: Any, caplog: pytest.LogCaptureFixture) -> None:
    closed = threading.Event()
    app = _generator_view(b"ok", bad, closed)
    result = run_validated(app)  # taken before the status is committed: answered 500
    assert result.status == "500 Internal Server Error"
    assert result.body == GENERIC_500
    assert closed.is_set()
    _assert_logged_naming(caplog, app)
    assert any("may only yield str or bytes" in logged_text(r) for r in error_records(caplog))


@pytest.mark.functional
@pytest.mark.parametrize("before", [0, 3], ids=["first-chunk", "mid-stream"])
def test_bad_chunk_on_the_wire_is_never_a_complete_response(
    before: int, caplog: pytest.LogCaptureFixture
) -> None:
    closed = threading.Event()
    app = _generator_view(b"chunk", None, closed, before=before)
    with serve(app) as url:
        data = exchange(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    responses = parse_responses(data)
    first = responses[0]
    if before == 0:  # taken before the status is committed: respond_mw's own 500
        assert [r.status for r in responses] == [500, 500]  # the connection is kept
        assert all(r.complete and r.body == GENERIC_500 for r in responses)
    else:  # headers were sent: the body is cut short, never terminated
        assert len(responses) == 1  # the connection was closed: no second response
        assert first.status == 200
        assert not first.complete
        assert first.body == b"chunk" * before
    assert closed.wait(5)
    _assert_logged_naming(caplog, app)


# ------------------------------------------------------------------ on the wire

WIRE_CASES: list[Any] = [
    pytest.param(lambda: ("x", f"200 OK\r\nX-Leak: {SECRET}"), id="status-crlf"),
    pytest.param(lambda: ("x", {f"X-A\r\nX-Leak: {SECRET}": "1"}), id="name-crlf"),
    pytest.param(lambda: ("x", {"X-A": f"a\r\nX-Leak: {SECRET}"}), id="value-crlf"),
    pytest.param(lambda: ("x", {"X-A": f"a\nX-Leak: {SECRET}"}), id="value-lf"),
    pytest.param(lambda: ("x", {"X-A": f"a\rX-Leak: {SECRET}"}), id="value-cr"),
    pytest.param(lambda: ("x", {"X-A": "a\x00b"}), id="value-nul"),
    pytest.param(_raw_status(f"200 OK\r\nX-Leak: {SECRET}"), id="response-status-crlf"),
    pytest.param(
        _response_with(headerlist=[("X-A", f"a\r\nX-Leak: {SECRET}")]), id="response-value-crlf"
    ),
    pytest.param(_wsgi_app("200 OK", [("X-A", f"a\r\nX-Leak: {SECRET}")]), id="wsgi-crlf"),
    pytest.param(lambda: ("x", {"Transfer-Encoding": "chunked"}), id="hop-transfer-encoding"),
    pytest.param(lambda: ("x", {"Connection": "keep-alive"}), id="hop-connection"),
    pytest.param(_response_with(headerlist=[("Connection", "close")]), id="response-hop"),
    pytest.param(lambda: ("abc", {"Content-Length": "10"}), id="cl-too-big"),
    pytest.param(lambda: ("abcdef", {"Content-Length": "3"}), id="cl-too-small"),
    pytest.param(lambda: ("x", 100), id="status-100"),
    pytest.param(lambda: ("x", 101), id="status-101"),
]


def _site(hostile: View) -> Callable[..., Any]:
    @view
    def fine() -> str:
        return "fine"

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        target = fine if environ["PATH_INFO"] == "/fine" else hostile
        return target(environ, start_response)

    return app


@pytest.mark.functional
@pytest.mark.parametrize("factory", WIRE_CASES)
def test_on_the_wire_a_hostile_value_is_one_clean_500_and_the_connection_stays_in_sync(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    app = _hostile_view(factory)
    with serve(_site(app)) as url:
        data = exchange(
            url,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /fine HTTP/1.1\r\nHost: x\r\n\r\n",
            expect=2,
        )
    # Strict parsing: every header line well formed, nothing left over.
    responses = parse_responses(data)
    assert [r.status for r in responses] == [500, 200], data
    assert responses[0].body == GENERIC_500
    assert responses[1].body == b"fine"
    assert SECRET.encode() not in data
    assert b"X-Leak" not in data
    assert b"generated by waitress" not in data  # the library answered, not the server
    _assert_logged_naming(caplog, app)


# ------------------------------------------------------------------ redirects

REDIRECT_TRICKS = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "\r\n//evil.example",
    "\x00//evil.example",
    "/\t/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://evil.example",
    "http://evil.example",
    "HTTP://evil.example",
    "http://localhost@evil.example/",
    "http://localhost.evil.example/",
    "http://evil.example\\@localhost/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://evil.example/",
    "",
]

SAME_ORIGIN_TARGETS = [
    ("/ok", "/ok"),
    ("ok", "/a/ok"),
    ("?q=1", "/a/b?q=1"),
    ("///evil.example", "/evil.example"),
    ("http:evil.example", "/a/evil.example"),
    ("%2F%2Fevil.example", "/a/%2F%2Fevil.example"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
    (".//evil.example", "/a/evil.example"),
    # lookalikes of delimiters: sent as the URI of the IRI, escaped bytes of the path
    ("\u3002evil.example", "/a/%E3%80%82evil.example"),
    ("/\u2215\u2215evil.example", "/%E2%88%95%E2%88%95evil.example"),
    ("\uff0f\uff0fevil.example", "/a/%EF%BC%8F%EF%BC%8Fevil.example"),
]


@pytest.mark.parametrize("location", REDIRECT_TRICKS)
def test_open_redirect_tricks_are_refused(location: str, caplog: pytest.LogCaptureFixture) -> None:
    @view
    def go() -> Response:
        return redirect(location)

    resp = TestApp(go).get("/a/b", status=500)
    assert "Location" not in resp.headers
    assert resp.body == GENERIC_500
    _assert_logged_naming(caplog, go)


@pytest.mark.parametrize(("location", "path"), SAME_ORIGIN_TARGETS)
def test_redirects_that_are_allowed_stay_on_the_same_origin(location: str, path: str) -> None:
    @view
    def go() -> Response:
        return redirect(location)

    resp = TestApp(go).get("/a/b", status=302)
    target = urlsplit(resp.headers["Location"])
    assert (target.scheme, target.netloc) == ("http", "localhost")
    assert target.path + (f"?{target.query}" if target.query else "") == path


@pytest.mark.parametrize(
    "location", ["//evil.example", "/\\evil", "https:evil.example", "http://evil.example"]
)
def test_redirect_outside_a_request_is_refused(location: str) -> None:
    with pytest.raises(ValueError, match="redirect location"):
        redirect(location)


@pytest.mark.parametrize(
    "location", ["javascript:alert(1)", "data:,x", " https://evil.example", "\\\\evil.example"]
)
def test_external_redirects_must_still_be_plain_http_urls(location: str) -> None:
    request = Request.blank("/")

    @view
    def go() -> Response:
        return redirect(location, allow_external=True)

    assert request.get_response(go).status_code == 500


def test_external_redirect_when_allowed() -> None:
    @view
    def go() -> Response:
        return redirect("https://elsewhere.example/x", allow_external=True)

    resp = TestApp(go).get("/", status=302)
    assert resp.headers["Location"] == "https://elsewhere.example/x"


# ------------------------------------------------------------------ middleware


def _legacy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"legacy"]


def _middleware_500_body() -> bytes:
    mw = Middleware(_legacy)

    @mw.route("/crash")
    def crash() -> Any:
        raise RuntimeError(SECRET)

    logging.disable(logging.ERROR)
    try:
        return bytes(TestApp(mw).get("/crash", status=500).body)
    finally:
        logging.disable(logging.NOTSET)


def _assert_logged(caplog: pytest.LogCaptureFixture, name: str) -> None:
    records = error_records(caplog)
    assert records, "nothing was logged on the respond_mw logger"
    assert any(name in logged_text(r) for r in records), [logged_text(r) for r in records]


@pytest.mark.parametrize("factory", HOSTILE)
def test_hostile_value_from_a_route_is_a_logged_generic_500(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/hostile")
    def hostile_route() -> Any:
        return factory()

    resp = TestApp(mw).get("/hostile", status=500)
    assert resp.body == _middleware_500_body()
    assert SECRET not in resp.text and SECRET not in str(resp.headers)
    _assert_logged(caplog, "hostile_route")
    assert TestApp(mw).get("/other").body == b"legacy"  # nothing left behind


@pytest.mark.parametrize("factory", HOSTILE)
def test_error_handler_returning_a_hostile_value_is_a_plain_500(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/missing")
    def missing() -> Any:
        abort(404)

    @mw.errorhandler(404)
    def hostile_handler(error: Exception) -> Any:
        return factory()

    resp = TestApp(mw).get("/missing", status=500)
    assert resp.body == _middleware_500_body()
    assert SECRET not in resp.text and SECRET not in str(resp.headers)
    _assert_logged(caplog, "hostile_handler")


@pytest.mark.parametrize(
    "error", [RuntimeError(SECRET), ValueError(SECRET), KeyError(SECRET), RecursionError()]
)
@pytest.mark.parametrize("code", [404, 500])
def test_error_handler_that_raises_is_a_plain_500(
    error: Exception, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/fail")
    def fail() -> Any:
        if code == 404:
            abort(404)
        raise LookupError("first")

    @mw.errorhandler(code)
    def raising_handler(exc: Exception) -> Any:
        raise error

    resp = TestApp(mw).get("/fail", status=500)
    assert resp.body == _middleware_500_body()
    assert SECRET not in resp.text
    _assert_logged(caplog, "raising_handler")


AFTER_HOOK_DAMAGE: list[Any] = [
    pytest.param(lambda r: r.headerlist.append(("X-A", f"a\r\nX-Leak: {SECRET}")), id="crlf"),
    pytest.param(lambda r: r.headerlist.append(("Connection", "close")), id="hop"),
    pytest.param(lambda r: r.headerlist.append(("X A", "1")), id="name-space"),
    pytest.param(lambda r: setattr(r, "_status", f"200 OK\r\nX-Leak: {SECRET}"), id="status"),
    pytest.param(lambda r: setattr(r, "status", 101), id="status-101"),
]


@pytest.mark.parametrize("damage", AFTER_HOOK_DAMAGE)
def test_after_request_hook_breaking_the_response_is_a_plain_500(
    damage: Callable[[Response], None], caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/route")
    def route() -> str:
        return "route"

    @mw.after_request
    def damaging_hook(response: Response) -> Response:
        damage(response)
        return response

    resp = TestApp(mw).get("/route", status=500)
    assert resp.body == _middleware_500_body()
    assert SECRET not in resp.text and SECRET not in str(resp.headers)
    _assert_logged(caplog, "damaging_hook")


@pytest.mark.parametrize(
    "result", [None, "text", {"a": 1}, 42, ("x", 200)], ids=["none", "str", "dict", "int", "tuple"]
)
def test_after_request_hook_returning_a_bad_value_is_a_plain_500(
    result: Any, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/route")
    def route() -> str:
        return SECRET

    @mw.after_request
    def bad_hook(response: Response) -> Any:
        return result

    resp = TestApp(mw).get("/route", status=500)
    assert resp.body == _middleware_500_body()
    assert SECRET not in resp.text
    _assert_logged(caplog, "bad_hook")


@pytest.mark.functional
@pytest.mark.parametrize("damage", AFTER_HOOK_DAMAGE)
def test_after_request_damage_on_the_wire_is_one_clean_500(
    damage: Callable[[Response], None], caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(_legacy)

    @mw.route("/")
    def route() -> str:
        return "route"

    @mw.route("/fine")
    def fine() -> str:
        return "fine"

    @mw.after_request
    def damaging_hook(response: Response) -> Response:
        if current_request().path == "/":
            damage(response)
        return response

    with serve(mw) as url:
        data = exchange(
            url,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /fine HTTP/1.1\r\nHost: x\r\n\r\n",
            expect=2,
        )
    responses = parse_responses(data)
    assert [r.status for r in responses] == [500, 200], data
    assert b"X-Leak" not in data and b"generated by waitress" not in data
    _assert_logged(caplog, "damaging_hook")
