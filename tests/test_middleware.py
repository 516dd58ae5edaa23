"""Middleware: routes, mounts, pass-through, error handlers and hooks (WebTest, lint on)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from webob import Request, Response
from webob import exc as webob_exc
from webtest import TestApp

from respond_mw import Middleware, abort, make_response, view

from .wsgi_support import blank_environ, open_wsgi

# ------------------------------------------------------------------ legacy apps


class Body:
    """A legacy body that records whether it was closed and how much was read."""

    def __init__(self, chunks: list[bytes], log: list[str]) -> None:
        self.chunks = list(chunks)
        self.log = log
        self.read = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk

    def close(self) -> None:
        self.log.append("closed")


class Legacy:
    """A hand-written legacy WSGI application.

    ``/missing`` is its own 404, ``/boom`` raises, ``/stream`` streams with a
    generator, ``/lazy`` only calls ``start_response`` once iterated, ``/write``
    uses the ``write()`` callable; anything else echoes the path.
    """

    def __init__(self) -> None:
        self.log: list[str] = []
        self.seen: list[tuple[str, str]] = []
        self.produced = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ["PATH_INFO"]
        self.seen.append((environ["SCRIPT_NAME"], path))
        if path == "/missing":
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("X-Legacy", "yes")])
            return Body([b"legacy 404"], self.log)
        if path == "/teapot":
            start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
            return Body([b"legacy teapot"], self.log)
        if path == "/boom":
            raise RuntimeError("legacy exploded <script>")
        if path == "/started-then-boom":
            start_response("200 OK", [("Content-Type", "text/plain")])
            raise RuntimeError("legacy exploded after start_response")
        if path == "/stream":
            start_response("200 OK", [("Content-Type", "text/plain"), ("X-Legacy", "yes")])
            return self._stream()
        if path == "/lazy":
            return self._lazy(start_response)
        if path == "/write":
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"written ")
            return [b"returned"]
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Legacy", "yes")])
        return Body([b"legacy ", path.encode("latin-1")], self.log)

    def _stream(self) -> Iterator[bytes]:
        try:
            for i in range(3):
                self.produced += 1
                yield f"chunk{i};".encode()
        finally:
            self.log.append("stream closed")

    def _lazy(self, start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        for i in range(3):
            self.produced += 1
            yield f"lazy{i};".encode()


@pytest.fixture
def legacy() -> Legacy:
    return Legacy()


def render_page(name: str) -> str:
    return f"<html><body><h1>Sorry</h1><p>{name}</p></body></html>"


# ---------------------------------------------------------------------- routes


def test_routes_receive_converted_parameters(legacy: Legacy) -> None:
    mw = Middleware(legacy)

    @mw.route("/hello/<name>")
    def hello(name: str) -> str:
        return f"Hello {name}"

    @mw.route("/items/<int:item_id>")
    def item(item_id: int) -> Any:
        return {"id": item_id, "type": type(item_id).__name__}

    @mw.route("/files/<path:rest>")
    def files(rest: str) -> Any:
        return {"rest": rest}

    app = TestApp(mw, lint=True)
    assert app.get("/hello/bob").text == "Hello bob"
    assert app.get("/items/42").json == {"id": 42, "type": "int"}
    assert app.get("/files/a/b/c.txt").json == {"rest": "a/b/c.txt"}
    assert app.get("/hello/caf%C3%A9").text == "Hello caf\u00e9"
    assert legacy.seen == []


def test_route_gets_the_request_when_it_asks(legacy: Legacy) -> None:
    mw = Middleware(legacy)

    @mw.route("/kw/<int:n>", methods=["POST"])
    def keyword(n: int, request: Request) -> Any:
        return {"n": n, "body": request.text, "urlvars": dict(request.urlvars)}

    @mw.route("/positional/<name>")
    def positional(request: Request, /, name: str) -> str:
        return f"{request.method} {name}"

    @mw.route("/kwargs/<a>/<int:b>")
    def anything(**params: Any) -> Any:
        return params

    app = TestApp(mw, lint=True)
    assert app.post("/kw/3", "payload").json == {"n": 3, "body": "payload", "urlvars": {"n": 3}}
    assert app.get("/positional/x").text == "GET x"
    assert app.get("/kwargs/x/2").json == {"a": "x", "b": 2}


def test_route_decorator_returns_the_function_unchanged() -> None:
    mw = Middleware()

    @mw.route("/a")
    @mw.route("/b")
    def both() -> str:
        return "same"

    assert both() == "same"
    app = TestApp(mw, lint=True)
    assert app.get("/a").text == app.get("/b").text == "same"


@pytest.mark.parametrize(
    ("pattern", "func", "message"),
    [
        pytest.param("/a/<name>", lambda: "x", "no keyword parameter 'name'", id="missing-param"),
        pytest.param(
            "/a/<name>", lambda name, /: "x", "no keyword parameter 'name'", id="positional-only"
        ),
        pytest.param("/a", lambda needed: "x", "requires the parameter 'needed'", id="required"),
    ],
)
def test_route_signature_is_checked_at_registration(
    pattern: str, func: Callable[..., Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Middleware().add_route(pattern, func)


def test_route_registration_errors() -> None:
    mw = Middleware()
    with pytest.raises(TypeError, match="needs a function"):
        mw.add_route("/x", "not callable")  # type: ignore[arg-type]
    mw.add_route("/x", lambda: "x")
    with pytest.raises(ValueError, match="already registered for GET"):
        mw.add_route("/x", lambda: "y")
    with pytest.raises(ValueError, match="starting with '/'"):
        mw.add_route("x", lambda: "y")
    with pytest.raises(TypeError, match="wraps a WSGI application"):
        Middleware("not an app")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="wraps a WSGI application"):
        mw.app = "not an app"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="route '/y': 'GE T' is not an HTTP method name"):
        mw.add_route("/y", lambda: "y", methods=["GE T"])
    with pytest.raises(TypeError, match="route '/y': methods must be a list"):
        mw.add_route("/y", lambda: "y", methods="GET")


def test_route_return_values_follow_the_rules() -> None:
    mw = Middleware()

    @mw.route("/tuple")
    def with_status() -> Any:
        return "made", 201, {"X-Made": "yes"}

    @mw.route("/stream")
    def stream() -> Iterator[str]:
        yield "a"
        yield "b"

    @mw.route("/none")
    def forgot() -> None:
        return None

    app = TestApp(mw, lint=True)
    made = app.get("/tuple", status=201)
    assert made.text == "made"
    assert made.headers["X-Made"] == "yes"
    assert app.get("/stream").text == "ab"
    started, body = open_wsgi(mw, "/stream")
    assert "Content-Length" not in dict(started.headers)
    assert not isinstance(body, list)
    body.close()
    broken = app.get("/none", status=500)
    assert "forgot" not in broken.text


def test_view_decorated_function_as_a_route() -> None:
    mw = Middleware()

    @view(content_type="text/plain", headers={"X-Frame-Options": "DENY"})
    def hello(name: str) -> str:
        return f"hi {name}"

    mw.add_route("/hi/<name>", hello)
    resp = TestApp(mw, lint=True).get("/hi/bob")
    assert resp.text == "hi bob"
    assert resp.content_type == "text/plain"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_conditional_view_as_a_route() -> None:
    mw = Middleware()
    mw.add_route("/data", view(conditional=True)(lambda: {"a": 1}))
    app = TestApp(mw, lint=True)
    etag = app.get("/data").headers["ETag"]
    assert app.get("/data", headers={"If-None-Match": etag}, status=304).body == b""


def test_wrong_method_is_405_with_allow(legacy: Legacy) -> None:
    mw = Middleware(legacy)

    @mw.route("/items/<int:n>", methods=["GET", "PUT"])
    def item(n: int) -> str:
        return "item"

    app = TestApp(mw, lint=True)
    resp = app.post("/items/1", status=405)
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS, PUT"  # OPTIONS too, as Flask
    assert legacy.seen == []
    options = app.options("/items/1")
    assert options.status_int == 200
    assert options.headers["Allow"] == "GET, HEAD, OPTIONS, PUT"
    assert options.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert options.body == b""


def test_405_handler_keeps_allow() -> None:
    mw = Middleware()
    mw.add_route("/only-post", lambda: "ok", methods=["POST"])

    @mw.errorhandler(405)
    def not_allowed(error: webob_exc.HTTPException) -> str:
        return "use another method"

    resp = TestApp(mw, lint=True).get("/only-post", status=405)
    assert resp.text == "use another method"
    assert resp.headers["Allow"] == "OPTIONS, POST"


def test_head_is_served_by_get_routes_without_body() -> None:
    mw = Middleware()
    closed: list[bool] = []

    @mw.route("/page")
    def page() -> str:
        return "some page"

    @mw.route("/stream")
    def stream() -> Iterator[str]:
        try:
            yield "never read"
        finally:
            closed.append(True)

    app = TestApp(mw, lint=True)
    head = app.head("/page")
    assert head.body == b""
    assert head.headers["Content-Length"] == str(len("some page"))
    assert app.head("/stream").body == b""


def test_without_app_unmatched_is_404() -> None:
    mw = Middleware()
    resp = TestApp(mw, lint=True).get("/nothing", status=404, headers={"Accept": "text/html"})
    assert "404 Not Found" in resp.text


# ---------------------------------------------------------------- pass-through


def test_unmatched_requests_go_to_the_app_untouched(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.add_route("/mine", lambda: "mine")
    app = TestApp(mw, lint=True)
    resp = app.get("/other/path")
    assert resp.text == "legacy /other/path"
    assert resp.headers["X-Legacy"] == "yes"
    assert resp.content_type == "text/plain"
    missing = app.get("/missing", status=404)
    assert missing.text == "legacy 404"
    assert missing.headers["X-Legacy"] == "yes"
    assert app.get("/write").text == "written returned"
    assert legacy.log == ["closed", "closed"]


def test_plain_pass_through_is_a_direct_call(legacy: Legacy) -> None:
    returned: list[Any] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        returned.append((environ, start_response, legacy(environ, start_response)))
        return returned[-1][2]

    mw = Middleware(app)
    mw.add_route("/mine", lambda: "mine")
    environ = blank_environ("/other")
    start_response, body = open_wsgi(mw, environ=environ)
    assert returned[0][0] is environ
    assert returned[0][1] is start_response
    assert body is returned[0][2]
    body.close()


@pytest.mark.parametrize("with_hooks", [False, True], ids=["plain", "with-hooks"])
def test_streaming_pass_through_stays_streaming(legacy: Legacy, with_hooks: bool) -> None:
    mw = Middleware(legacy)
    if with_hooks:
        mw.after_request(lambda response: response)
        mw.teardown_request(lambda error: None)
    started, body = open_wsgi(mw, "/stream")
    assert started.status == "200 OK"
    assert ("X-Legacy", "yes") in started.headers
    assert legacy.produced == 0
    iterator = iter(body)
    assert next(iterator) == b"chunk0;"
    assert legacy.produced == 1
    body.close()
    assert legacy.log == ["stream closed"]
    assert legacy.produced == 1


def test_lazy_legacy_app_is_read_one_chunk_ahead_only(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.after_request(lambda response: response)
    started, body = open_wsgi(mw, "/lazy")
    assert started.status == "200 OK"
    assert legacy.produced == 1
    assert b"".join(body) == b"lazy0;lazy1;lazy2;"
    body.close()


def test_after_request_sees_legacy_streams_without_buffering(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    seen: list[int] = []

    @mw.after_request
    def add_header(response: Response) -> Response:
        seen.append(legacy.produced)
        response.headers["X-After"] = "1"
        return response

    resp = TestApp(mw, lint=True).get("/stream")
    assert resp.text == "chunk0;chunk1;chunk2;"
    assert resp.headers["X-After"] == "1"
    assert resp.headers["X-Legacy"] == "yes"
    assert seen == [0]
    assert legacy.log == ["stream closed"]


# ----------------------------------------------------------------------- mounts


def test_mount_shifts_script_name_and_path_info(legacy: Legacy) -> None:
    other = Legacy()
    deeper = Legacy()
    mw = Middleware(legacy)
    mw.mount("/old", other)
    mw.mount("/old/deeper/", deeper)
    app = TestApp(mw, lint=True)
    assert app.get("/old/a/b").text == "legacy /a/b"
    assert app.get("/old").text == "legacy "
    app.get("/old/deeper/x")
    app.get("/oldx")
    app.get("/base/old/x", extra_environ={"SCRIPT_NAME": "/base"})
    assert other.seen == [("/old", "/a/b"), ("/old", ""), ("/base/old", "/x")]
    assert deeper.seen == [("/old/deeper", "/x")]
    assert legacy.seen == [("", "/oldx")]


def test_mount_under_script_name() -> None:
    inner = Legacy()
    mw = Middleware()
    mw.mount("/app", inner)
    TestApp(mw, lint=True, extra_environ={"SCRIPT_NAME": "/site"}).get("/app/page")
    assert inner.seen == [("/site/app", "/page")]


def test_mount_gets_hooks_and_routes_come_first() -> None:
    inner = Legacy()
    mw = Middleware()
    mw.mount("/old", inner)
    mw.add_route("/old/new", lambda: "route")
    mw.after_request(lambda r: (r.headers.update({"X-Hook": "1"}), r)[1])
    app = TestApp(mw, lint=True)
    assert app.get("/old/new").text == "route"
    assert app.get("/old/x").headers["X-Hook"] == "1"
    assert inner.seen == [("/old", "/x")]


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        pytest.param("old", "starting with '/'", id="relative"),
        pytest.param("/", "would take every request", id="root"),
        pytest.param("/dup", "already mounted", id="duplicate"),
    ],
)
def test_mount_errors(prefix: str, message: str) -> None:
    mw = Middleware()
    mw.mount("/dup", Legacy())
    with pytest.raises(ValueError, match=message):
        mw.mount(prefix, Legacy())


def test_mount_needs_an_app() -> None:
    with pytest.raises(TypeError, match="needs a WSGI application"):
        Middleware().mount("/x", None)  # type: ignore[arg-type]


# ----------------------------------------------------------------------- errors


def test_custom_404_page_as_written(legacy: Legacy) -> None:
    mw = Middleware(legacy)

    @mw.route("/items/<int:item_id>")
    def item(item_id: int) -> Any:
        if item_id != 1:
            abort(404)
        return {"id": item_id}

    @mw.errorhandler(404)
    def not_found(error: webob_exc.HTTPException) -> Response:
        resp = make_response(render_page("error.html"), 404)
        resp.headers["X-Something"] = "A value"
        return resp

    app = TestApp(mw, lint=True)
    for path in ("/items/2", "/missing"):
        resp = app.get(path, status=404)
        assert resp.headers["X-Something"] == "A value"
        assert resp.text == render_page("error.html")
        assert resp.content_type == "text/html"
    assert app.get("/items/1").json == {"id": 1}
    # the legacy 404 body was replaced, and closed unread
    assert legacy.log == ["closed"]


def test_unhandled_legacy_statuses_pass_through(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.register_error_handler(500, lambda error: "server error page")
    assert TestApp(mw, lint=True).get("/missing", status=404).text == "legacy 404"


def test_http_class_handler_catches_its_family(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.add_route("/gone", lambda: abort(410, "old <stuff>"))

    @mw.errorhandler(webob_exc.HTTPClientError)
    def client_error(error: webob_exc.HTTPException) -> Any:
        return {"code": error.code, "title": error.title}

    @mw.errorhandler(webob_exc.HTTPGone)
    def gone(error: webob_exc.HTTPException) -> str:
        return "gone for good"

    app = TestApp(mw, lint=True)
    assert app.get("/gone", status=410).text == "gone for good"
    assert app.get("/teapot", status=418).json == {"code": 418, "title": "I'm a teapot"}
    assert app.get("/missing", status=404).json == {"code": 404, "title": "Not Found"}


def test_code_handler_beats_class_handler() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404))
    mw.register_error_handler(webob_exc.HTTPNotFound, lambda e: "class")
    mw.register_error_handler(404, lambda e: "code")
    assert TestApp(mw, lint=True).get("/x", status=404).text == "code"


class AppError(Exception):
    pass


class NotFoundError(AppError, LookupError):
    pass


def test_exception_handlers_follow_the_mro() -> None:
    mw = Middleware()

    @mw.route("/<kind>")
    def fail(kind: str) -> str:
        if kind == "notfound":
            raise NotFoundError("no such thing")
        if kind == "app":
            raise AppError("app trouble")
        if kind == "key":
            raise KeyError("k")
        raise ZeroDivisionError("oops")

    mw.register_error_handler(Exception, lambda e: ("generic", 500))
    mw.register_error_handler(AppError, lambda e: (f"app: {e}", 400))
    mw.register_error_handler(LookupError, lambda e: (f"lookup: {e}", 404))
    mw.register_error_handler(NotFoundError, lambda e: (f"not found: {e}", 404))
    app = TestApp(mw, lint=True)
    assert app.get("/notfound", status=404).text == "not found: no such thing"
    assert app.get("/app", status=400).text == "app: app trouble"
    assert app.get("/key", status=404).text == "lookup: 'k'"
    assert app.get("/zero", status=500).text == "generic"


def test_a_catch_all_handler_takes_http_errors_as_in_flask() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(403))
    mw.register_error_handler(Exception, lambda e: f"generic {e.code}")
    resp = TestApp(mw, lint=True).get("/x", status=403)  # a bare body: the error's status
    assert resp.text == "generic 403"
    assert TestApp(mw).get("/missing", status=404).text == "generic 404"  # routing's own


def test_a_catch_all_handler_leaves_a_legacy_error_status_alone() -> None:
    def legacy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(
            "401 Unauthorized", [("WWW-Authenticate", "Basic"), ("Content-Type", "text/plain")]
        )
        return [b"who are you?"]

    mw = Middleware(legacy)
    mw.register_error_handler(Exception, lambda e: "generic")
    resp = TestApp(mw).get("/private", status=401)
    assert (resp.text, resp.headers["WWW-Authenticate"]) == ("who are you?", "Basic")


def test_exceptions_of_the_wrapped_app_reach_handlers(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.register_error_handler(RuntimeError, lambda e: (f"handled: {e}", 503))
    app = TestApp(mw, lint=True)
    assert app.get("/boom", status=503).text == "handled: legacy exploded <script>"
    assert app.get("/started-then-boom", status=503).text.startswith("handled: legacy")


@pytest.mark.parametrize("hooks", [False, True], ids=["plain", "with-hooks"])
def test_wrapped_app_exception_without_handler_is_a_generic_500(
    legacy: Legacy, hooks: bool, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware(legacy)
    if hooks:
        mw.before_request(lambda: None)
    app = TestApp(mw, lint=True)
    for path in ("/boom", "/started-then-boom"):
        resp = app.get(path, status=500, headers={"Accept": "text/html"})
        assert "500 Internal Server Error" in resp.text
        assert "exploded" not in resp.text
        assert "Traceback" not in resp.text
    assert any("legacy exploded" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_raised_webob_exceptions_are_responses() -> None:
    mw = Middleware()

    @mw.route("/teapot")
    def teapot() -> str:
        raise webob_exc.HTTPForbidden(detail="not <yours>")

    resp = TestApp(mw, lint=True).get("/teapot", status=403, headers={"Accept": "text/html"})
    assert "not &lt;yours&gt;" in resp.text
    assert "<yours>" not in resp.text


@pytest.mark.parametrize(
    ("accept", "content_type", "needle"),
    [
        pytest.param("text/html", "text/html", "&lt;b&gt;why&lt;/b&gt;", id="html"),
        pytest.param("application/json", "application/json", '"code": "404 Not', id="json"),
        pytest.param("text/plain", "text/plain", " why ", id="plain"),
    ],
)
def test_default_error_pages_are_negotiated(accept: str, content_type: str, needle: str) -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404, "<b>why</b>"))
    resp = TestApp(mw, lint=True).get("/x", status=404, headers={"Accept": accept})
    assert resp.content_type == content_type
    assert needle in resp.text
    if content_type != "application/json":
        assert "<b>" not in resp.text


def test_abort_with_a_response() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(Response("custom body", status=409)))
    assert TestApp(mw, lint=True).get("/x", status=409).text == "custom body"


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_traceback_only_with_debug(debug: bool) -> None:
    mw = Middleware(debug=debug)

    @mw.route("/x")
    def broken() -> str:
        raise ValueError("secret <detail>")

    resp = TestApp(mw, lint=True).get("/x", status=500, headers={"Accept": "text/html"})
    assert ("Traceback" in resp.text) is debug
    assert ("secret &lt;detail&gt;" in resp.text) is debug
    assert "secret <detail>" not in resp.text


def test_500_handler_receives_the_original_exception() -> None:
    mw = Middleware()
    errors: list[Any] = []

    @mw.route("/x")
    def broken() -> str:
        raise ValueError("bad")

    @mw.errorhandler(500)
    def server_error(error: Any) -> str:
        errors.append(error)
        return "sorry"

    resp = TestApp(mw, lint=True).get("/x", status=500)
    assert resp.text == "sorry"
    assert isinstance(errors[0], webob_exc.HTTPInternalServerError)
    assert isinstance(errors[0].original_exception, ValueError)


def test_bare_handler_body_keeps_the_error_status() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404))
    mw.add_route("/y", lambda: abort("404 Gone Fishing"))
    mw.register_error_handler(404, lambda e: ("nothing here", {"X-H": "1"}))
    app = TestApp(mw, lint=True)
    resp = app.get("/x", status=404)
    assert resp.text == "nothing here"
    assert resp.headers["X-H"] == "1"
    assert app.get("/y", status=404).status == "404 Gone Fishing"


class ItemsOnly:
    """Headers that are not a Mapping but have ``items()``: the rules read them as
    headers, so a handler returning ``(body, ItemsOnly())`` gives no status."""

    def items(self) -> list[tuple[str, str]]:
        return [("X-H", "1")]


def test_bare_handler_body_with_items_headers_keeps_the_error_status() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404))
    mw.register_error_handler(404, lambda e: ("nothing here", ItemsOnly()))
    resp = TestApp(mw, lint=True).get("/x", status=404)
    assert resp.headers["X-H"] == "1"


def test_handler_may_choose_another_status() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404))
    mw.register_error_handler(404, lambda e: ("moved", 200))
    assert TestApp(mw, lint=True).get("/x", status=200).text == "moved"


def test_handler_that_raises_goes_to_the_500_handler_as_in_flask(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(404))

    @mw.errorhandler(404)
    def broken_handler(error: Any) -> str:
        raise RuntimeError("handler <bug>")

    @mw.errorhandler(500)
    def server_error(error: Any) -> str:
        return f"500 page for {type(error.original_exception).__name__}"

    resp = TestApp(mw, lint=True).get("/x", status=500)
    assert resp.text == "500 page for RuntimeError"
    assert any("broken_handler" in r.getMessage() for r in caplog.records)


def test_a_500_handler_that_raises_gives_the_plain_500(caplog: pytest.LogCaptureFixture) -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: 1 / 0)

    @mw.errorhandler(500)
    def broken(error: Any) -> str:
        raise RuntimeError("handler <bug>")

    resp = TestApp(mw, lint=True).get("/x", status=500, headers={"Accept": "text/html"})
    assert "500 Internal Server Error" in resp.text and "handler" not in resp.text
    assert any("broken" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("key", "error"),
    [
        pytest.param(200, ValueError, id="not-an-error-status"),
        pytest.param(600, ValueError, id="out-of-range"),
        pytest.param(True, TypeError, id="bool"),
        pytest.param("404", TypeError, id="str"),
        pytest.param(int, ValueError, id="not-an-exception"),  # as Flask
        pytest.param(KeyboardInterrupt, ValueError, id="not-an-exception-subclass"),
    ],
)
def test_errorhandler_keys(key: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        Middleware().errorhandler(key)(lambda e: "x")


# ------------------------------------------------------------------------ hooks


def test_before_request_may_short_circuit(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.add_route("/mine", lambda: "mine")

    @mw.before_request
    def guard(request: Request) -> Any:
        if request.headers.get("X-Token") != "ok":
            return {"error": "unauthorized"}, 401
        return None

    app = TestApp(mw, lint=True)
    assert app.get("/mine", status=401).json == {"error": "unauthorized"}
    assert app.get("/other", status=401).json == {"error": "unauthorized"}
    assert legacy.seen == []
    assert app.get("/mine", headers={"X-Token": "ok"}).text == "mine"
    assert app.get("/other", headers={"X-Token": "ok"}).text == "legacy /other"


def test_before_request_hooks_run_in_order_until_one_answers() -> None:
    mw = Middleware()
    calls: list[str] = []
    mw.add_route("/x", lambda: "route")
    mw.before_request(lambda: calls.append("first"))
    mw.before_request(lambda: "second answers")
    mw.before_request(lambda: calls.append("third"))
    assert TestApp(mw, lint=True).get("/x").text == "second answers"
    assert calls == ["first"]


def test_before_request_exception_goes_to_handlers() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: "route")

    @mw.before_request
    def deny() -> None:
        abort(403)

    mw.register_error_handler(403, lambda e: "custom forbidden")
    assert TestApp(mw, lint=True).get("/x", status=403).text == "custom forbidden"


def test_after_request_runs_for_routes_errors_and_legacy(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.add_route("/mine", lambda: "mine")
    mw.add_route("/fail", lambda: abort(404))

    @mw.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Stamp"] = "1"
        return response

    @mw.after_request
    def replace(response: Response) -> Response:
        if response.status_int == 404:
            return Response("replaced", status=404)
        return response

    app = TestApp(mw, lint=True)
    assert app.get("/mine").headers["X-Stamp"] == "1"
    assert app.get("/other").headers["X-Stamp"] == "1"
    assert app.get("/fail", status=404).text == "replaced"
    assert app.get("/missing", status=404).text == "replaced"
    assert legacy.log == ["closed", "closed"]


def test_after_request_must_return_a_response(caplog: pytest.LogCaptureFixture) -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: "x")
    mw.after_request(lambda response: None)
    resp = TestApp(mw, lint=True).get("/x", status=500, headers={"Accept": "text/plain"})
    assert "500" in resp.text
    logged = [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert any("must return the webob.Response" in text for text in logged)


def test_teardown_runs_on_close_with_the_error(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    mw.add_route("/ok", lambda: "ok")
    mw.add_route("/handled", lambda: abort(404))
    mw.add_route("/broken", lambda: 1 / 0)
    torn: list[Any] = []
    mw.teardown_request(torn.append)
    app = TestApp(mw, lint=True)
    app.get("/ok")
    app.get("/handled", status=404)
    app.get("/broken", status=500)
    app.get("/other")
    assert torn[:2] == [None, None]
    assert isinstance(torn[2], ZeroDivisionError)
    assert torn[3] is None
    assert len(torn) == 4


def test_teardown_waits_for_close_and_runs_when_abandoned(legacy: Legacy) -> None:
    mw = Middleware(legacy)
    torn: list[Any] = []
    mw.teardown_request(torn.append)
    _, body = open_wsgi(mw, "/stream")
    assert next(iter(body)) == b"chunk0;"
    assert torn == []
    body.close()
    body.close()
    assert torn == [None]
    assert legacy.log == ["stream closed"]


def test_teardown_receives_streaming_errors() -> None:
    mw = Middleware()
    torn: list[Any] = []
    mw.teardown_request(torn.append)

    @mw.route("/x")
    def stream() -> Iterator[str]:
        yield "a"
        raise OSError("disk gone")

    _, body = open_wsgi(mw, "/x")
    iterator = iter(body)
    assert next(iterator) == b"a"
    with pytest.raises(OSError, match="disk gone"):
        next(iterator)
    body.close()
    assert isinstance(torn[0], OSError)


def test_failing_teardown_is_logged_and_others_run(caplog: pytest.LogCaptureFixture) -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: "x")
    torn: list[Any] = []

    @mw.teardown_request
    def broken(error: Any) -> None:
        raise RuntimeError("teardown bug")

    mw.teardown_request(torn.append)
    assert TestApp(mw, lint=True).get("/x").text == "x"
    assert torn == [None]
    assert any("broken" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- nesting


def test_middlewares_nest(legacy: Legacy) -> None:
    inner = Middleware(legacy)
    inner.add_route("/inner", lambda: "inner route")
    inner.register_error_handler(404, lambda e: "inner 404")
    outer = Middleware(inner)
    outer.add_route("/outer", lambda: "outer route")
    outer.after_request(lambda r: (r.headers.update({"X-Outer": "1"}), r)[1])
    app = TestApp(outer, lint=True)
    assert app.get("/outer").text == "outer route"
    resp = app.get("/inner")
    assert resp.text == "inner route"
    assert resp.headers["X-Outer"] == "1"
    assert app.get("/missing", status=404).text == "inner 404"
    assert app.get("/else").text == "legacy /else"


def test_middleware_wraps_a_view() -> None:
    @view
    def fallback(request: Request) -> Any:
        return {"fallback": request.path}

    mw = Middleware(fallback)
    mw.add_route("/x", lambda: "x")
    app = TestApp(mw, lint=True)
    assert app.get("/x").text == "x"
    assert app.get("/y").json == {"fallback": "/y"}


def test_repr() -> None:
    mw = Middleware()
    route = mw.add_route("/x/<int:n>", lambda n: "x", methods=["POST"])
    assert "1 routes" in repr(mw)
    assert "'/x/<int:n>'" in repr(route)
    assert "POST" in repr(route)


# ------------------------------------------------------------------------- demo


def test_demo_legacy_app() -> None:
    from demo.legacy import app as demo_app

    app = TestApp(demo_app, lint=True)
    home = app.get("/")
    assert "Served by the legacy WSGI app." in home.text
    assert "Server-Timing" in home.headers
    assert app.get("/report").text.splitlines()[-1] == "report line 5"
    assert app.get("/hello/world").json == {"hello": "world"}
    assert app.get("/items/3").json == {"id": 3, "name": "cup"}
    for path in ("/items/99", "/nowhere"):
        missing = app.get(path, status=404)
        assert missing.headers["X-Something"] == "A value"
        assert f"Nothing at {path}." in missing.text


def test_mounted_bottle_and_pyramid_apps_see_their_prefix() -> None:
    bottle = pytest.importorskip("bottle")
    config_module = pytest.importorskip("pyramid.config")

    bottle_app = bottle.Bottle()

    @bottle_app.route("/page/<name>")
    def bottle_page(name: str) -> str:
        return f"bottle {name} {bottle.request.script_name} {bottle.request.path}"

    def pyramid_page(request: Any) -> Response:
        url = request.route_url("page", name=request.matchdict["name"])
        return Response(f"pyramid {request.script_name} {request.path_info} {url}")

    with config_module.Configurator() as config:
        config.add_route("page", "/page/{name}")
        config.add_view(pyramid_page, route_name="page")
        pyramid_app = config.make_wsgi_app()

    mw = Middleware()
    mw.mount("/bottle", bottle_app)
    mw.mount("/pyramid", pyramid_app)
    app = TestApp(mw, lint=True)
    assert app.get("/bottle/page/a").text == "bottle a /bottle/ /page/a"
    assert (
        app.get("/pyramid/page/b").text
        == "pyramid /pyramid /page/b http://localhost/pyramid/page/b"
    )


# ------------------------------------------------ handler lookup, as Flask's


class Banned(webob_exc.HTTPForbidden):
    """A more specific 403."""


@pytest.mark.parametrize(
    ("registered", "raised", "answer"),
    [
        pytest.param([403, Banned], Banned, "Banned", id="subclass-before-code"),
        pytest.param([Banned, 403], webob_exc.HTTPForbidden, "403", id="code-for-its-class"),
        pytest.param(
            [webob_exc.HTTPForbidden, Exception], Banned, "HTTPForbidden", id="class-slot"
        ),
        pytest.param([webob_exc.HTTPClientError, 403], Banned, "403", id="code-before-family"),
        pytest.param([Exception, webob_exc.HTTPException], Banned, "HTTPException", id="mro"),
        pytest.param([Exception], Banned, "Exception", id="catch-all"),
    ],
)
def test_the_most_specific_handler_wins(registered: list[Any], raised: type, answer: str) -> None:
    mw = Middleware()

    @mw.route("/x")
    def x() -> Any:
        raise raised()

    for key in registered:
        name = key if isinstance(key, int) else key.__name__
        mw.register_error_handler(key, lambda error, name=name: str(name))
    assert TestApp(mw).get("/x", status="*").text == answer


def test_errorhandler_403_and_httpforbidden_are_one_slot() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: abort(403))
    mw.register_error_handler(403, lambda error: "by code")
    mw.register_error_handler(webob_exc.HTTPForbidden, lambda error: "by class")
    assert TestApp(mw).get("/x", status=403).text == "by class"  # the later one


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        pytest.param(lambda: abort(500), "None", id="abort-500"),
        pytest.param(lambda: 1 / 0, "ZeroDivisionError", id="unexpected"),
    ],
)
def test_a_500_handler_can_always_ask_for_the_original_exception(
    route: Any, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware()
    mw.add_route("/x", route)

    @mw.errorhandler(500)
    def server_error(error: Any) -> str:
        original = error.original_exception
        return "None" if original is None else type(original).__name__

    assert TestApp(mw).get("/x", status=500).text == expected
