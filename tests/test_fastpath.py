"""The hot-path shortcuts behave exactly like the slow path they replace."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
import webtest
from webob import Request, Response
from webob.exc import HTTPFound, HTTPNotFound

from respond_mw import Middleware, abort, current_request, view
from respond_mw.context import RequestState
from respond_mw.egress import send
from respond_mw.rules import StreamingBody, coerce, coerce_parts, new_response

from .wsgi_support import Adapters, Chunks, blank_environ, call_wsgi, open_wsgi


def _send(sender: Any, response: Response, method: str = "GET") -> tuple[Any, ...]:
    # not validated: some of the RESPONSES are built without a Content-Type
    status, headers, body = call_wsgi(
        functools.partial(sender, response),
        "/a/b?x=1",
        method,
        validate=False,
        base_url="http://example.com:8080",
    )
    return status, headers, body, headers is response.headerlist


def _webob(response: Response, environ: Any, start_response: Any) -> Any:
    return response(environ, start_response)


def _egress(response: Response, environ: Any, start_response: Any) -> Any:
    return send(response, environ, start_response, "view tests.fastpath")


RESPONSES = [
    pytest.param(lambda: Response("hello"), id="response"),
    pytest.param(lambda: new_response("200 OK", [("Content-Length", "2")], [b"hi"]), id="built"),
    pytest.param(
        lambda: new_response("302 Found", [("Location", "../c"), ("Content-Length", "0")], []),
        id="relative-location",
    ),
    pytest.param(
        lambda: new_response("301 Moved", [("LOCATION", "/abs"), ("Content-Length", "0")], []),
        id="location-any-case",
    ),
    pytest.param(lambda: HTTPFound(location="/elsewhere"), id="webob-exc"),
    pytest.param(lambda: HTTPNotFound(), id="not-found"),
    pytest.param(lambda: Response("cond", conditional_response=True), id="conditional"),
]


@pytest.mark.parametrize("make", RESPONSES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_egress_sends_what_webob_sends(make: Any, method: str) -> None:
    fast = _send(_egress, make(), method)
    # HEAD gets the headers of GET (RFC 9110 9.3.2), which WebOb's error pages do not
    slow = _send(_webob, make(), "GET")
    if not any(name.lower() == "content-type" for name, _ in slow[1]):
        # the egress says what a client assumes of a body without Content-Type
        slow = (slow[0], [*slow[1], ("Content-Type", "application/octet-stream")], *slow[2:])
    assert fast[:2] == slow[:2]
    assert fast[2] == (b"" if method == "HEAD" else slow[2])
    assert fast[3] is False  # a new header list, as WebOb hands out
    if method == "HEAD":
        assert fast[2] == b""


def test_the_egress_calls_an_overridden_call_and_checks_what_it_answers() -> None:
    class Custom(Response):
        def __call__(self, environ: Any, start_response: Any) -> Any:
            start_response("299 Custom", [])
            return [b"custom"]

    # the buffered body gets its Content-Length, as every buffered body
    assert _send(_egress, Custom())[:3] == (
        "299 Custom",
        [("Content-Type", "application/octet-stream"), ("Content-Length", "6")],
        b"custom",
    )


def test_request_is_built_lazily_and_only_once() -> None:
    environ = Request.blank("/x").environ
    state = RequestState(None, "v", "text/html", environ)
    assert state._request is None
    first = state.request
    assert first is not None and first.environ is environ
    assert state.request is first
    assert RequestState(None, "v", "text/html").request is None


def test_view_without_request_parameter_still_has_current_request() -> None:
    seen: list[Request] = []

    @view
    def page() -> str:
        seen.append(current_request())
        return "ok"

    response = Request.blank("/p?q=2").get_response(page)
    assert response.text == "ok"
    assert seen[0].params["q"] == "2"


def test_view_with_request_parameter_gets_the_current_request() -> None:
    seen: list[bool] = []

    @view
    def page(request: Request) -> str:
        seen.append(request is current_request())
        return "ok"

    assert Request.blank("/p").get_response(page).text == "ok"
    assert seen == [True]


class Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("héllo", id="str"),
        pytest.param(b"raw", id="bytes"),
        pytest.param(bytearray(b"raw"), id="bytearray"),
        pytest.param({"a": [1, 2]}, id="dict"),
        pytest.param([1, "x"], id="list"),
        pytest.param(("x", 404), id="str-status"),
        pytest.param(({"error": "gone"}, HTTPStatus.GONE), id="dict-httpstatus"),
        pytest.param((b"x", "201"), id="bytes-str-status"),
        pytest.param(("x", {"X-A": "1", "Content-Type": "text/csv"}), id="str-headers"),
        pytest.param(([1], 200, [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]), id="list-cookies"),
        pytest.param(("x", None), id="none-status"),
    ],
)
def test_coerce_parts_are_the_parts_of_the_coerced_response(value: Any) -> None:
    state = RequestState(None, "v", "text/plain; charset=UTF-8")
    response = coerce(value, state)  # also fills the per-type cache
    parts = coerce_parts(value, state)
    assert parts == (response.status, response.headerlist, [response.body])


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Response("x"), id="response"),
        pytest.param(None, id="none"),
        # tuples whose response is not sent as built, or whose body has no parts
        pytest.param(("x", 204), id="tuple-204"),
        pytest.param(("x", 205), id="tuple-205"),
        pytest.param(("x", 304), id="tuple-304"),
        pytest.param(("x", 101), id="tuple-1xx"),
        pytest.param(("x", "404 Gone Fishing"), id="tuple-own-reason"),
        pytest.param(("", 302, {"Location": "/next"}), id="tuple-location"),
        # a Content-Length given is checked against the body where the response leaves
        pytest.param(("abc", 200, {"Content-Length": "3"}), id="tuple-length"),
        pytest.param((Response("x"), 404), id="tuple-response-body"),
        pytest.param((iter(["x"]), 200), id="tuple-iterator-body"),
        pytest.param((("x", 200), 200), id="tuple-tuple-body"),
    ],
)
def test_coerce_parts_leave_other_values_to_coerce(value: Any) -> None:
    state = RequestState(None, "v", "text/html")
    with contextlib.suppress(TypeError):
        coerce(value, state)
    assert coerce_parts(value, state) is None


def test_coerce_parts_of_an_iterator_stream_it_lazily() -> None:
    state = RequestState(None, "v", "text/plain; charset=UTF-8")
    consumed: list[str] = []

    def chunks() -> Iterator[str]:
        consumed.append("started")
        yield "é"
        yield b"!"  # type: ignore[misc]

    coerce(chunks(), state)  # the rule of generators is known
    consumed.clear()
    status, headerlist, body = coerce_parts(chunks(), state)  # type: ignore[misc]
    assert (status, headerlist) == ("200 OK", [("Content-Type", "text/plain; charset=UTF-8")])
    assert isinstance(body, StreamingBody)
    assert consumed == ["started"]  # its first chunk, taken before the status is committed
    assert list(body) == ["é".encode(), b"!"]


@pytest.mark.parametrize("route", [False, True], ids=["view", "route"])
def test_head_on_a_streamed_response_closes_the_body(route: bool) -> None:
    events: list[str] = []

    def stream() -> Chunks:
        return Chunks(events)

    if route:
        mw = Middleware(None)
        mw.route("/")(stream)
        app = webtest.TestApp(mw)
    else:
        app = webtest.TestApp(view(stream))
    app.get("/")  # the rule of the type is known: the next request takes the fast path
    assert events == ["read", "closed"]
    events.clear()
    response = app.head("/")
    assert response.body == b""
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert events == ["read", "closed"]  # GET's status needs the first chunk, then closed


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(("x", 200, {"X-A": "a\nb"}), id="bad-header-value"),
        pytest.param(("x", 999), id="bad-status"),
        pytest.param(({"a": {1, 2}}, 404), id="not-json"),
        pytest.param(("x", 200, {}, "more"), id="four-items"),
    ],
)
def test_coerce_parts_of_an_invalid_tuple_raise_what_coerce_raises(value: Any) -> None:
    state = RequestState(None, "v", "text/html")
    coerce(("x", {"X-B": "1"}), state)  # the rules of str, dict and tuple are known
    coerce({"a": 1}, state)
    with pytest.raises((TypeError, ValueError)) as expected:
        coerce(value, state)
    with pytest.raises(type(expected.value)) as raised:
        coerce_parts(value, state)
    assert str(raised.value) == str(expected.value)


def test_coerce_parts_respect_an_adapter_overriding_a_rule(adapters: Adapters) -> None:
    state = RequestState(None, "v", "text/html")
    coerce(Text("plain"), state)
    assert coerce_parts(Text("plain"), state) is not None
    adapters.register(Text)(lambda text: {"text": str(text)})
    assert coerce_parts(Text("adapted"), state) is None
    assert coerce(Text("adapted"), state).json == {"text": "adapted"}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_view_fast_path_sends_what_the_slow_path_sends(method: str) -> None:
    @view
    def fast() -> dict[str, int]:
        return {"n": 1}

    @view(headers={"X-Extra": "1"})  # default headers: the slow path
    def slow() -> dict[str, int]:
        return {"n": 1}

    got = Request.blank("/", method=method).get_response(fast)
    want = Request.blank("/", method=method).get_response(slow)
    assert got.status == want.status
    assert got.headerlist == [h for h in want.headerlist if h[0] != "X-Extra"]
    assert got.body == want.body == (b"" if method == "HEAD" else b'{"n":1}')


def test_view_called_with_a_dict_subclass_environ_is_a_wsgi_call() -> None:
    class Environ(dict[str, Any]):
        pass

    @view
    def page() -> str:
        return "ok"

    started, body = open_wsgi(page, environ=Environ(blank_environ()))
    assert ([status for status, _, _ in started.calls], b"".join(body)) == (["200 OK"], b"ok")


def test_method_view_wsgi_path_binds_the_instance() -> None:
    class Resource:
        def __init__(self, prefix: str) -> None:
            self.prefix = prefix

        @view(content_type="text/plain")
        def bare(self) -> str:
            return f"{self.prefix} bare"

    one, two = Resource("one"), Resource("two")
    for resource in (one, two):
        response = Request.blank("/").get_response(resource.bare)
        assert (response.text, response.content_type) == (f"{resource.prefix} bare", "text/plain")


# ----------------------------------------------------- Middleware's plain-route path


def _plain_middleware() -> Middleware:
    mw = Middleware()

    @mw.route("/items/<int:item_id>")
    def item(item_id: int) -> dict[str, Any]:
        return {"id": item_id, "urlvars": current_request().urlvars}

    @mw.route("/ask/<name>")
    def ask(name: str, request: Request) -> str:
        return f"{name}:{request.urlvars['name']}:{request is current_request()}"

    @mw.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @mw.route("/gone")
    def gone() -> str:
        abort(410)

    @mw.route("/tuple")
    def with_status() -> tuple[str, int]:
        return "made", 201

    return mw


def test_plain_route_gets_parameters_and_urlvars() -> None:
    app = webtest.TestApp(_plain_middleware())
    assert app.get("/items/7").json == {"id": 7, "urlvars": {"item_id": 7}}
    assert app.get("/ask/bob").text == "bob:bob:True"


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        pytest.param({}, "wsgiorg.routing_args", ((), {"item_id": 3}), id="none"),
        pytest.param(
            {"wsgiorg.routing_args": (("a",), {}), "paste.urlvars": {}},
            "wsgiorg.routing_args",
            (("a",), {"item_id": 3}),
            id="routing-args",
        ),
        pytest.param({"paste.urlvars": {}}, "paste.urlvars", {"item_id": 3}, id="paste"),
    ],
)
def test_plain_route_stores_urlvars_as_webob_does(
    extra: dict[str, Any], key: str, expected: Any
) -> None:
    request = Request.blank("/items/3")
    request.environ.update(extra)
    request.get_response(_plain_middleware())
    assert request.environ[key] == expected
    if key == "wsgiorg.routing_args":
        assert "paste.urlvars" not in request.environ


def _urlvars_middleware(seen: list[Any]) -> Middleware:
    mw = Middleware()

    @mw.route("/quiet/<int:n>")
    def quiet(n: int) -> str:
        return "quiet"

    @mw.route("/boom/<int:n>")
    def boom(n: int) -> str:
        raise RuntimeError("boom")

    @mw.route("/app/<int:n>")
    def legacy(n: int) -> Any:
        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            seen.append(environ["wsgiorg.routing_args"])
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"legacy"]

        return app

    @mw.route("/stream/<int:n>")
    def stream(n: int) -> Iterator[str]:
        yield "a"
        seen.append(current_request().urlvars)  # after the route has returned
        yield "b"

    return mw


def test_a_plain_route_not_asking_for_the_request_leaves_the_environ_alone() -> None:
    request = Request.blank("/quiet/3")
    assert request.get_response(_urlvars_middleware([])).text == "quiet"
    assert "wsgiorg.routing_args" not in request.environ  # nobody could read them


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/app/4", ((), {"n": 4}), id="returned-wsgi-app"),
        pytest.param("/stream/5", {"n": 5}, id="generator-after-return"),
    ],
)
def test_urlvars_are_stored_when_something_reads_the_environ(path: str, expected: Any) -> None:
    seen: list[Any] = []
    assert webtest.TestApp(_urlvars_middleware(seen)).get(path).status_int == 200
    assert seen == [expected]


def test_a_failing_plain_route_leaves_its_urlvars_in_the_environ() -> None:
    request = Request.blank("/boom/6")
    assert request.get_response(_urlvars_middleware([])).status_int == 500
    assert request.environ["wsgiorg.routing_args"] == ((), {"n": 6})


def test_plain_route_errors_take_the_general_path() -> None:
    app = webtest.TestApp(_plain_middleware())
    assert app.get("/boom", status=500).status_int == 500
    assert app.get("/gone", status=410).status_int == 410
    assert (app.get("/tuple", status=201).text, app.head("/items/1").body) == ("made", b"")


def test_plain_route_leaves_nothing_in_the_callers_context() -> None:
    Request.blank("/items/1").get_response(_plain_middleware())
    with pytest.raises(RuntimeError):
        current_request()


# ------------------------------------------- which paths Middleware looks at, and how


def _legacy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"legacy {environ.get('PATH_INFO', '')!r}".encode()]


def _get(app: Any, path: str | None) -> tuple[str, bytes]:
    environ = blank_environ()
    if path is None:
        del environ["PATH_INFO"]
    else:
        environ["PATH_INFO"] = path
    # not validated: the validator refuses an environ without PATH_INFO
    status, _, body = call_wsgi(app, environ=environ, validate=False)
    return status, body


def _mounted(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"mounted {environ['PATH_INFO']!r}".encode()]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/api/items/3", b"item 3", id="route"),
        pytest.param("/api/items/x", b"legacy '/api/items/x'", id="in-range-no-route"),
        pytest.param("/apix", b"legacy '/apix'", id="shares-the-prefix"),
        pytest.param("/legacy", b"legacy '/legacy'", id="outside"),
        pytest.param("/api-v1/page", b"mounted '/page'", id="mount"),
        pytest.param("", b"legacy ''", id="empty"),
        pytest.param(None, b"legacy ''", id="missing"),
        pytest.param("/api/caf\u00c3\u00a9/x", b"caf\xc3\xa9 x", id="non-ascii"),
        pytest.param("/api/caf\u00c3/x", "legacy '/api/caf\u00c3/x'".encode(), id="not-utf-8"),
    ],
)
def test_paths_outside_the_routes_and_mounts_go_straight_to_the_app(
    path: str | None, expected: bytes
) -> None:
    mw = Middleware(_legacy)
    mw.add_route("/api/items/<int:n>", lambda n: f"item {n}")
    mw.add_route("/api/caf\u00e9/<s>", lambda s: f"caf\u00e9 {s}")
    mw.mount("/api-v1", _mounted)  # the paths looked at: those starting with "/api"
    assert _get(mw, path) == ("200 OK", expected)


@pytest.mark.parametrize("path", [pytest.param("", id="empty"), pytest.param(None, id="missing")])
def test_an_empty_path_is_the_root_route(path: str | None) -> None:
    mw = Middleware(_legacy)
    mw.add_route("/", lambda: "root")
    mw.add_route("/x/<n>", lambda n: n)
    assert _get(mw, path) == ("200 OK", b"root")
    assert _get(mw, "/y")[1] == b"legacy '/y'"


def test_hooks_and_a_new_app_see_every_path() -> None:
    mw = Middleware()
    mw.add_route("/api/<n>", lambda n: n)
    assert _get(mw, "/legacy")[0] == "404 Not Found"
    mw.app = _legacy
    assert mw.app is _legacy
    assert _get(mw, "/legacy") == ("200 OK", b"legacy '/legacy'")
    seen: list[str] = []
    mw.before_request(lambda: seen.append(current_request().path) and None)
    assert _get(mw, "/legacy") == ("200 OK", b"legacy '/legacy'")
    assert seen == ["/legacy"]


def test_a_route_changing_its_urlvars_does_not_change_the_next_request() -> None:
    mw = Middleware()

    @mw.route("/items/<int:n>")
    def item(n: int) -> str:
        urlvars = current_request().urlvars
        before = dict(urlvars)
        urlvars["n"] = "changed"
        return repr(before)

    app = webtest.TestApp(mw)
    assert app.get("/items/4").text == app.get("/items/4").text == "{'n': 4}"


def _keywords_only(**params: Any) -> str:
    return f"kw {params}"


@functools.wraps(lambda a, b: None)
def _signature_says_positional(**params: Any) -> str:
    return f"wrapped {params}"


@pytest.mark.parametrize(
    ("func", "positional", "expected"),
    [
        pytest.param(lambda a, b: f"{a} {b}", True, "x 2", id="in-order"),
        pytest.param(lambda b, a: f"{a} {b}", False, "x 2", id="other-order"),
        pytest.param(lambda *, a, b: f"{a} {b}", False, "x 2", id="keyword-only"),
        pytest.param(_keywords_only, False, "kw {'a': 'x', 'b': 2}", id="var-keyword"),
        pytest.param(_signature_says_positional, False, "wrapped {'a': 'x', 'b': 2}", id="wraps"),
    ],
)
def test_route_functions_get_their_parameters_by_position_only_when_that_is_the_same(
    func: Any, positional: bool, expected: str
) -> None:
    mw = Middleware()
    route = mw.add_route("/<a>/<int:b>", func)
    assert route.positional is positional
    assert webtest.TestApp(mw).get("/x/2").text == expected


def test_a_route_setting_a_context_variable_leaves_the_caller_untouched() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    mw = Middleware()

    @mw.route("/set/<value>")
    def set_it(value: str) -> str:
        var.set(value)
        return var.get()

    assert _get(mw, "/set/one") == ("200 OK", b"one")
    assert var.get() == "unset"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="whole"),
        pytest.param({"Range": "bytes=2-5"}, id="range"),
        pytest.param({"Range": "bytes=900-"}, id="unsatisfiable"),
        pytest.param({"If-None-Match": "*"}, id="not-modified"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_parts_of_a_path_are_what_the_egress_sends(
    tmp_path: Any, headers: dict[str, str], method: str
) -> None:
    from pathlib import Path

    from respond_mw.egress import finish

    page = Path(tmp_path, "page.txt")
    page.write_bytes(b"0123456789")
    request = Request.blank("/", method=method, headers=headers)
    state = RequestState(request, "v", "text/html")
    parts = coerce_parts(page, state)
    assert parts is not None
    checked = finish(coerce(page, state), request.environ, "view v")
    assert parts[:2] == checked[:2]
    for body in (parts[2], checked[2]):
        getattr(body, "close", lambda: None)()
