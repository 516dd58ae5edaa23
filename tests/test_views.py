"""The :func:`respond_mw.view` decorator: WSGI through WebTest (lint on), direct calls
with WebOb requests, options and error handling."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import webtest
from webob import Request, Response
from webob import exc as webob_exc
from webtest import TestApp

from respond_mw import Middleware, View, abort, current_request, view

from .wsgi_support import call_wsgi


@view
def hello() -> str:
    """Say hello."""
    return "<p>hello</p>"


@view
def echo(request: Request) -> dict[str, Any]:
    return {"name": request.params.get("name", "world"), "method": request.method}


@view(content_type="text/plain", headers={"X-Frame-Options": "DENY", "X-Default": "1"})
def plain() -> tuple[str, dict[str, str]]:
    return "plain text", {"X-Default": "overridden"}


@view(content_type="application/xml")
def xml() -> str:
    return "<a/>"


@view(content_type="application/octet-stream")
def binary() -> bytes:
    return b"\x00"


@view
def failing() -> str:
    raise RuntimeError("secret database password in this message")


@view(debug=True)
def failing_debug() -> str:
    raise RuntimeError("<b>shown escaped</b>")


@view(propagate_exceptions=True)
def failing_propagate() -> str:
    raise RuntimeError("propagated")


@view
def not_found() -> str:
    raise webob_exc.HTTPNotFound(detail="no such item")


@view
def aborting() -> str:
    abort(403, "go away")


@view
def returns_none() -> None:
    return None


def app(**options: Any) -> webtest.TestApp:
    return webtest.TestApp(view(**options)(lambda: "x") if options else hello)


# --------------------------------------------------------------------------- WSGI

WSGI = [
    pytest.param(hello, "/", 200, "text/html", b"<p>hello</p>", id="bare"),
    pytest.param(
        echo, "/?name=bob", 200, "application/json", b'{"name":"bob","method":"GET"}', id="request"
    ),
    pytest.param(plain, "/", 200, "text/plain", b"plain text", id="content-type-option"),
    pytest.param(xml, "/", 200, "application/xml", b"<a/>", id="xml-gets-charset"),
    pytest.param(binary, "/", 200, "application/octet-stream", b"\x00", id="binary"),
    # error pages are negotiated by Accept: WebTest sends none, so they are plain text
    pytest.param(not_found, "/", 404, "text/plain", None, id="http-exception"),
    pytest.param(aborting, "/", 403, "text/plain", None, id="abort"),
    pytest.param(failing, "/", 500, "text/plain", None, id="error"),
]


@pytest.mark.parametrize(("app_", "url", "status", "content_type", "body"), WSGI)
def test_wsgi(app_: View, url: str, status: int, content_type: str, body: bytes | None) -> None:
    resp = webtest.TestApp(app_).get(url, status=status)
    assert resp.content_type == content_type
    if body is not None:
        assert resp.body == body


def test_wsgi_under_the_wsgiref_validator() -> None:
    status, _, body = call_wsgi(echo, "/?name=x")
    assert (status, body) == ("200 OK", b'{"name":"x","method":"GET"}')


@pytest.mark.parametrize(
    ("app_", "charset"),
    [
        pytest.param(plain, "text/plain; charset=UTF-8", id="text"),
        pytest.param(xml, "application/xml; charset=UTF-8", id="xml"),
        pytest.param(binary, "application/octet-stream", id="binary-no-charset"),
    ],
)
def test_content_type_option_charset(app_: View, charset: str) -> None:
    assert webtest.TestApp(app_).get("/").headers["Content-Type"] == charset


def test_default_headers_are_added_unless_present() -> None:
    resp = webtest.TestApp(plain).get("/")
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers.getall("X-Default") == ["overridden"]


def test_default_headers_on_error_pages_too() -> None:
    resp = webtest.TestApp(view(headers={"X-Frame-Options": "DENY"})(failing.__wrapped__)).get(
        "/", status=500
    )
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_invalid_default_headers_fail_at_decoration() -> None:
    def page() -> str:
        return "x"

    with pytest.raises(ValueError, match="CR, LF") as info:
        view(headers={"X-A": "a\nb"})(page)
    assert "@view " in str(info.value)
    assert "page: invalid headers option" in str(info.value)


@pytest.mark.parametrize(
    ("content_type", "error", "message"),
    [
        pytest.param(123, TypeError, "must be a str", id="not-a-str"),
        pytest.param(" ", ValueError, "it is empty", id="empty"),
        pytest.param("text/plain\r\nX-Injected: 1", ValueError, "CR, LF", id="crlf"),
        pytest.param("text/plain; name=\u20ac", ValueError, "latin-1", id="not-latin-1"),
    ],
)
def test_invalid_content_type_fails_at_decoration(
    content_type: Any, error: type[Exception], message: str
) -> None:
    def page() -> str:
        return "x"

    with pytest.raises(error, match=message) as info:
        view(content_type=content_type)(page)
    assert "page" in str(info.value)
    assert "content_type" in str(info.value)


def test_decorating_a_non_callable() -> None:
    with pytest.raises(TypeError, match="@view decorates a function"):
        View(42)  # type: ignore[arg-type]


# ------------------------------------------------------------ direct calls (WebOb)


def test_call_with_request_returns_response() -> None:
    resp = echo(Request.blank("/?name=ann"))
    assert isinstance(resp, Response)
    assert resp.json_body == {"name": "ann", "method": "GET"}


def test_call_with_context_and_request() -> None:
    @view
    def both(context: Any, request: Request) -> str:
        return f"{context}:{request.path}"

    assert both("ctx", Request.blank("/p")).text == "ctx:/p"


def test_respond_refuses_an_interim_status(caplog: pytest.LogCaptureFixture) -> None:
    @view
    def interim() -> Any:
        return "x", 101

    response = interim(Request.blank("/"))
    assert (response.status, response.body) == ("500 Internal Server Error", response.body)
    assert b"101" not in response.body
    assert "interim cannot be sent: the interim status '101 Switching Protocols'" in caplog.text

    raising = view(propagate_exceptions=True)(interim.__wrapped__)
    with pytest.raises(ValueError, match="the interim status '101 Switching Protocols'"):
        raising(Request.blank("/"))


def test_respond_lets_exceptions_propagate() -> None:
    with pytest.raises(RuntimeError, match="secret"):
        failing(Request.blank("/"))


@pytest.mark.parametrize(
    ("args", "count"),
    [
        pytest.param(("nope",), 1, id="one-str"),
        pytest.param(("nope", "nope"), 2, id="two-str"),
        pytest.param((object(), None), 2, id="object-none"),
    ],
)
def test_wrong_call_is_a_type_error(args: tuple[Any, ...], count: int) -> None:
    with pytest.raises(TypeError, match=rf"called as a WSGI application.*got {count} arg"):
        hello(*args)


# --------------------------------------------------------- request parameter detection


def _ask(func: Any) -> str:
    result: str = view(func)(Request.blank("/r")).text
    return result


def test_no_parameters() -> None:
    assert _ask(lambda: "none") == "none"


def test_request_positional() -> None:
    assert _ask(lambda request: request.path) == "/r"


def test_request_keyword_only() -> None:
    def f(*, request: Request) -> str:
        return "kw " + request.path

    assert _ask(f) == "kw /r"


def test_request_not_first_with_defaults() -> None:
    def f(x: int = 1, request: Request | None = None) -> str:
        assert request is not None
        return f"{x} {request.path}"

    assert _ask(f) == "1 /r"


def test_context_only() -> None:
    def f(context: Any) -> str:
        return f"context={context}"

    assert _ask(f) == "context=None"


def test_other_parameter_name_is_not_given_the_request() -> None:
    def f(req: Any = "default") -> str:
        return str(req)

    assert _ask(f) == "default"


def test_builtin_without_signature_is_called_without_arguments() -> None:
    assert view(dict)(Request.blank("/")).json_body == {}


def test_signature_is_inspected_once() -> None:
    calls: list[str] = []

    class Counting:
        @property
        def __signature__(self) -> Any:
            calls.append("inspected")
            import inspect

            return inspect.Signature()

        def __call__(self) -> str:
            return "ok"

    wrapped = view(Counting())
    for _ in range(3):
        assert wrapped(Request.blank("/")).text == "ok"
    assert calls == ["inspected"]


# -------------------------------------------------------------------- wrapper data


def test_wrapper_attributes() -> None:
    assert hello.__wrapped__() == "<p>hello</p>"
    assert hello.__name__ == "hello"
    assert hello.__doc__ == "Say hello."
    assert repr(hello) == "<respond_mw.View tests.test_views.hello>"


class Resource:
    prefix = "res"

    @view
    def show(self, request: Request) -> str:
        return f"{self.prefix}:{request.path}"

    @view(content_type="text/plain")
    def bare(self) -> str:
        return f"{self.prefix} bare"


def test_methods_via_get() -> None:
    res = Resource()
    assert res.show(Request.blank("/m")).text == "res:/m"
    assert webtest.TestApp(res.show).get("/w").text == "res:/w"
    resp = res.bare(Request.blank("/"))
    assert (resp.text, resp.content_type) == ("res bare", "text/plain")
    assert Resource.show is Resource.__dict__["show"]
    assert isinstance(res.show, View)
    assert res.show.__name__ == "show"


# --------------------------------------------------------------------- exceptions


def test_http_exception_becomes_that_response() -> None:
    resp = webtest.TestApp(not_found).get("/", status=404)
    assert "no such item" in resp.text


def test_raised_response_from_abort() -> None:
    @view
    def teapot() -> str:
        abort(Response("short and stout", status=418))

    resp = webtest.TestApp(teapot).get("/", status=418)
    assert resp.text == "short and stout"


def test_error_is_logged_with_traceback_and_answered_generically(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="respond_mw"):
        resp = webtest.TestApp(failing).get("/", status=500)
    assert "secret" not in resp.text
    assert "Traceback" not in resp.text
    assert "Internal Server Error" in resp.text
    records = [r for r in caplog.records if r.name == "respond_mw"]
    assert len(records) == 1
    assert "tests.test_views.failing" in records[0].getMessage()
    assert records[0].exc_info is not None
    assert "secret database password" in caplog.text
    assert "Traceback" in caplog.text


def test_bad_return_value_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    resp = webtest.TestApp(returns_none).get("/", status=500)
    assert "NoneType" not in resp.text
    assert "did not return a valid response" in caplog.text
    assert "forget a return statement" in caplog.text


def test_debug_shows_the_traceback_escaped(caplog: pytest.LogCaptureFixture) -> None:
    resp = webtest.TestApp(failing_debug).get("/", status=500, headers={"Accept": "text/html"})
    assert "Traceback" in resp.text
    assert "RuntimeError" in resp.text
    assert "<b>shown escaped</b>" not in resp.text
    assert "&lt;b&gt;shown escaped&lt;/b&gt;" in resp.text
    assert "Traceback" in caplog.text


def test_propagate_reraises() -> None:
    with pytest.raises(RuntimeError, match="propagated"):
        webtest.TestApp(failing_propagate).get("/")


def test_propagate_still_turns_http_exceptions_into_responses() -> None:
    @view(propagate_exceptions=True)
    def missing() -> str:
        abort(404)

    webtest.TestApp(missing).get("/", status=404)


# ---------------------------------------------------------------------------- HEAD


def test_head_has_no_body() -> None:
    resp = webtest.TestApp(hello).head("/")
    assert resp.body == b""
    assert resp.headers["Content-Length"] == str(len(b"<p>hello</p>"))


def test_head_close_reaches_the_generator() -> None:
    events: list[str] = []

    @view
    def stream() -> Iterator[str]:
        def gen() -> Iterator[str]:
            try:
                events.append("started")
                yield "a"
            finally:
                events.append("finally")

        g = gen()
        next(g)  # started, so that close() has a finally block to run
        return g

    status, _, body = call_wsgi(stream, method="HEAD")
    assert (status, body) == ("200 OK", b"")
    assert events == ["started", "finally"]


def test_streaming_view_sees_current_request() -> None:
    @view
    def stream(request: Request) -> Iterator[str]:
        yield "path="
        yield current_request().path

    assert webtest.TestApp(stream).get("/deep/path").text == "path=/deep/path"


# ------------------------------------------------------- the one calling convention


def test_a_first_parameter_of_another_name_receives_the_request_as_with_wsgify() -> None:
    @view
    def page(req: Request) -> str:
        return f"{type(req).__name__} {req.path}"

    assert TestApp(page).get("/p").text == "Request /p"
    assert page(Request.blank("/q")).text == "Request /q"


def test_a_view_with_unfilled_parameters_says_what_to_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @view
    def item(item_id: int, name: str) -> str:  # meant to be a route's
        return f"{item_id} {name}"

    TestApp(item).get("/", status=500)
    assert "requires the parameter 'name', which would receive nothing" in caplog.text
    mw = Middleware()
    mw.route("/items/<int:item_id>/<name>")(item)
    assert TestApp(mw).get("/items/3/ada").text == "3 ada"


@pytest.mark.parametrize(
    ("register", "func", "message"),
    [
        pytest.param(
            "before_request", lambda token: None, "'token', which would receive", id="before"
        ),
        pytest.param(
            "after_request", lambda: None, "receives response as its first", id="after-none"
        ),
        pytest.param(
            "after_request",
            lambda request: request,
            "receives response as its first argument, not the request",
            id="after-request-first",
        ),
        pytest.param(
            "teardown_request", lambda: None, "receives error as its first", id="teardown"
        ),
        pytest.param(
            "errorhandler", lambda: "x", "receives error as its first argument", id="handler"
        ),
        pytest.param(
            "route", lambda page, extra: "x", "requires the parameter 'extra'", id="route"
        ),
    ],
)
def test_registration_refuses_a_signature_it_cannot_serve(
    register: str, func: Any, message: str
) -> None:
    mw = Middleware()
    with pytest.raises(TypeError, match=message):
        if register == "errorhandler":
            mw.errorhandler(404)(func)
        elif register == "route":
            mw.route("/<page>")(func)
        else:
            getattr(mw, register)(func)


def test_hooks_and_handlers_may_ask_for_the_request() -> None:
    mw = Middleware()
    seen: list[str] = []

    @mw.route("/missing")
    def missing() -> Any:
        abort(404)

    @mw.errorhandler(404)
    def not_found(error: Exception, request: Request) -> Any:
        return f"no {request.path}"

    @mw.after_request
    def stamp(response: Response, request: Request) -> Response:
        response.headers["X-Path"] = request.path
        return response

    @mw.teardown_request
    def done(error: BaseException | None, request: Request) -> None:
        seen.append(request.path)

    resp = TestApp(mw).get("/missing", status=404)
    assert (resp.text, resp.headers["X-Path"]) == ("no /missing", "/missing")
    assert seen == ["/missing"]


def test_respond_lets_raised_http_exceptions_propagate_to_the_host() -> None:
    # view(request) is what a host calls: its exception views answer abort() (the
    # WSGI call answers it itself); tests/test_edges.py compares returned values only
    @view
    def gone() -> Any:
        abort(410)

    with pytest.raises(webob_exc.HTTPGone):
        gone(Request.blank("/"))
    assert TestApp(gone).get("/", status=410).status == "410 Gone"
