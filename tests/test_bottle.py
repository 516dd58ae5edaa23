"""Bottle integration: RespondPlugin applies the rules to every route's return value."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import bottle
import pytest
from webob import Request, Response
from webtest import TestApp

from respond_mw import (
    abort,
    current_request,
    redirect,
    view,
)
from respond_mw.integrations.bottle import RespondPlugin
from respond_mw.request import Request as RespondRequest
from tests.integration_support import Money
from tests.wsgi_support import Chunks, legacy_app, open_wsgi

pytestmark = pytest.mark.usefixtures("money_adapter")


def new_app(**config: Any) -> bottle.Bottle:
    app = bottle.Bottle(**config)
    app.install(RespondPlugin())
    return app


def one(func: Callable[..., Any], path: str = "/it", **options: Any) -> TestApp:
    app = new_app()
    app.route(path, callback=func, **options)
    return TestApp(app)


# ------------------------------------------------------------------- every rule

HTML = "text/html; charset=UTF-8"
RULES = [
    pytest.param(lambda: "héllo", 200, HTML, "héllo".encode(), id="str"),
    pytest.param(lambda: b"\x00raw", 200, HTML, b"\x00raw", id="bytes"),
    pytest.param(lambda: memoryview(b"mv"), 200, HTML, b"mv", id="memoryview"),
    pytest.param(lambda: {"a": [1, 2]}, 200, "application/json", b'{"a":[1,2]}', id="dict"),
    pytest.param(lambda: [1, "two"], 200, "application/json", b'[1,"two"]', id="list"),
    pytest.param(lambda: [], 200, "application/json", b"[]", id="empty-list"),
    pytest.param(lambda: iter(["one, ", b"two"]), 200, HTML, b"one, two", id="iterator"),
    pytest.param(lambda: ("gone", 410), 410, HTML, b"gone", id="body-status"),
    pytest.param(lambda: ({"e": 1}, HTTPStatus.CONFLICT), 409, "application/json", b'{"e":1}',
                 id="httpstatus"),
    pytest.param(lambda: ("t", {"Content-Type": "text/plain"}), 200, "text/plain", b"t",
                 id="body-headers"),
    pytest.param(lambda: ("x", 201, [("Content-Type", "text/csv")]), 201, "text/csv", b"x",
                 id="triple"),
    pytest.param(lambda: Response("webob", status=203, content_type="text/plain"), 203,
                 "text/plain; charset=UTF-8", b"webob", id="webob-response"),
    pytest.param(lambda: legacy_app, 202, "text/plain", b"legacy /it",
                 id="wsgi-app"),
    pytest.param(lambda: Money(1250), 200, "application/json", b'{"amount":12.5}',
                 id="adapted-type"),
]  # fmt: skip


@pytest.mark.parametrize(("func", "status", "content_type", "body"), RULES)
def test_every_rule_through_bottle(
    func: Callable[[], Any], status: int, content_type: str, body: bytes
) -> None:
    res = one(func).get("/it", status="*")
    assert res.status_int == status
    assert res.headers["Content-Type"] == content_type
    assert res.body == body


def test_same_semantics_as_view() -> None:
    values: list[Any] = [{"k": 1}, ("x", 404, {"X-A": "b"}), [1], "s", (b"b", "201")]
    for value in values:
        bottle_res = one(lambda v=value: v).get("/it", status="*")
        direct = view(lambda v=value: v)(Request.blank("/it"))
        assert bottle_res.status == direct.status
        assert bottle_res.body == direct.body
        assert bottle_res.headers["Content-Type"] == direct.headers["Content-Type"]
        assert bottle_res.headers.get("X-A") == direct.headers.get("X-A")


def test_custom_reason_phrase_is_kept() -> None:
    assert one(lambda: ("odd", "299 Odd Reason")).get("/it").status == "299 Odd Reason"


def test_url_parameters_pass_through() -> None:
    app = new_app()

    @app.get("/items/<item_id:int>/<name>")
    def item(item_id: int, name: str) -> Any:
        return {"id": item_id, "name": name, "type": type(item_id).__name__}

    assert TestApp(app).get("/items/7/cup").json == {"id": 7, "name": "cup", "type": "int"}


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        pytest.param("text/plain; charset=UTF-8", "plain", id="as-given"),
        pytest.param("text/plain", "caf\u00e9", id="gets-a-charset-like-view"),
    ],
)
def test_plugin_options_content_type(content_type: str, text: str) -> None:
    app = bottle.Bottle()
    app.install(RespondPlugin(content_type=content_type))
    app.route("/it", callback=lambda: text)
    resp = TestApp(app).get("/it")
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert resp.text == text


def test_plugin_refuses_an_invalid_content_type() -> None:
    with pytest.raises(ValueError, match="RespondPlugin: content_type"):
        RespondPlugin(content_type="text/plain\r\nX-Injected: 1")
    with pytest.raises(TypeError, match="RespondPlugin: content_type must be a str"):
        RespondPlugin(content_type=None)  # type: ignore[arg-type]


# --------------------------------------------------------------- headers/cookies


def test_several_set_cookie_are_translated_faithfully() -> None:
    def func() -> Any:
        bottle.response.set_cookie("bottle", "0")
        resp = Response("c")
        resp.set_cookie("a", "1")
        resp.set_cookie("b", "2", httponly=True)
        return resp, {"Set-Cookie": "c=3; Path=/"}

    cookies = one(func).get("/it").headers.getall("Set-Cookie")
    assert sorted(cookies) == sorted(
        ["a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3; Path=/", "bottle=0"]
    )


def test_headers_set_on_bottle_response_are_kept_unless_overridden() -> None:
    def func() -> Any:
        bottle.response.set_header("X-Kept", "bottle")
        bottle.response.set_header("X-Replaced", "bottle")
        return "x", {"X-Replaced": "rules", "X-Multi": ["1", "2"]}

    res = one(func).get("/it")
    assert res.headers["X-Kept"] == "bottle"
    assert res.headers.getall("X-Replaced") == ["rules"]
    assert res.headers.getall("X-Multi") == ["1", "2"]


def test_utf8_header_bytes_survive_bottle() -> None:
    # PEP 3333 gives header bytes as latin-1 text: these are the UTF-8 bytes of "café".
    utf8_bytes = "café".encode().decode("latin-1")
    res = one(lambda: ("x", {"X-Name": utf8_bytes})).get("/it")
    assert res.headers["X-Name"] == utf8_bytes


def test_other_latin1_header_values_go_out_utf8_encoded_as_bottle_does() -> None:
    res = one(lambda: ("x", {"X-Name": "café"})).get("/it")
    assert res.headers["X-Name"].encode("latin-1") == "café".encode()


def test_bottle_content_type_and_status_idioms_are_kept() -> None:
    def func() -> Any:
        bottle.response.content_type = "text/plain"
        bottle.response.status = 201
        return "created"

    res = one(func).get("/it")
    assert res.status == "201 Created"
    assert res.headers["Content-Type"] == "text/plain"


def test_a_status_from_the_return_value_wins_over_bottle_response() -> None:
    def func() -> Any:
        bottle.response.status = 201
        return "missing", 404

    assert one(func).get("/it", status=404).text == "missing"


def test_head_gets_headers_without_body() -> None:
    res = one(lambda: {"a": 1}, method=["GET", "HEAD"]).head("/it")
    assert res.body == b""
    assert res.headers["Content-Length"] == "7"
    assert res.headers["Content-Type"] == "application/json"


# ------------------------------------------------------------------ streaming


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_empty_stream_is_closed_though_bottle_drops_it(method: str) -> None:
    # Bottle peeks at the first chunk of an iterable (also for HEAD) and drops an
    # empty one without calling close(): the stream closes itself when exhausted.
    events: list[str] = []
    app = one(lambda: Chunks(events), method=["GET", "HEAD"])
    app.get("/it")  # the rule of the type is known: the requests take the fast path
    events.clear()
    res = app.request("/it", method=method)
    assert res.body == b""
    assert res.headers["Content-Type"] == HTML
    assert events == ["read", "closed"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a returned stream's first chunk is taken for GET's status; a response is used as is
        pytest.param(lambda events: (Chunks(events), 200), ["read", "closed"], id="tuple"),
        pytest.param(lambda events: Response(app_iter=Chunks(events)), ["closed"], id="response"),
    ],
)
def test_head_closes_a_streamed_body_bottle_drops(
    value: Callable[[list[str]], Any], expected: list[str]
) -> None:
    events: list[str] = []
    app = one(lambda: value(events), method=["GET", "HEAD"])
    res = app.head("/it")
    assert res.body == b""
    assert events == expected


def test_a_relative_location_in_a_tuple_is_made_absolute_as_by_view() -> None:
    app = one(lambda: ("", 302, {"Location": "/there"}))
    for _ in range(2):  # the first request learns the rule of str, the second uses it
        assert app.get("/it", status=302).headers["Location"] == "http://localhost/there"


def test_streaming_stays_lazy_and_is_closed() -> None:
    events: list[str] = []

    def func() -> Any:
        def stream() -> Iterator[bytes]:
            events.append("started")
            try:
                for n in range(3):
                    events.append(f"chunk {n}")
                    yield b"%d" % n
            finally:
                events.append("closed")

        return stream()

    app = new_app()
    app.route("/it", callback=func)
    started, body = open_wsgi(app, "/it")
    assert started.status == "200 OK"
    assert "Content-Length" not in dict(started.headers)
    assert "chunk 1" not in events  # Bottle peeks at the first chunk only
    iterator = iter(body)
    assert next(iterator) == b"0"
    assert next(iterator) == b"1"
    body.close()  # type: ignore[attr-defined]
    assert events == ["started", "chunk 0", "chunk 1", "closed"]


def test_current_request_in_routes_and_streams() -> None:
    seen: list[Any] = []

    def func() -> Any:
        request = current_request()
        seen.append((type(request), request.environ is bottle.request.environ))

        def stream() -> Iterator[str]:
            yield current_request().path_qs
            yield f" {current_request() is request}"

        return stream()

    assert one(func).get("/it?q=1").text == "/it?q=1 True"
    assert seen == [(RespondRequest, True)]  # a webob.Request that reads any path
    with pytest.raises(RuntimeError):
        current_request()


# ------------------------------------------------------------------ errors


def errors_app(catchall: bool = True) -> bottle.Bottle:
    app = new_app()
    app.config["catchall"] = catchall

    @app.error(404)
    def not_found(error: bottle.HTTPError) -> str:
        bottle.response.set_header("X-Something", "A value")
        return f"<h1>custom 404: {error.body}</h1>"

    app.route("/bottle-abort", callback=lambda: bottle.abort(404, "nothing"))
    app.route("/bottle-redirect", callback=lambda: bottle.redirect("/elsewhere"))
    app.route("/http-response", callback=lambda: bottle.HTTPResponse("made", status=207))
    app.route("/http-error", callback=lambda: bottle.HTTPError(401, "who?"))
    app.route("/rules-abort", callback=lambda: abort(403, "not you"))
    app.route("/rules-redirect", callback=lambda: redirect("/there", 303))
    app.route("/none", callback=lambda: None)
    app.route("/bad-status", callback=lambda: ("x", 700))
    app.route("/interim", callback=lambda: ("x", 101))
    return app


def test_bottle_abort_reaches_bottle_error_handler() -> None:
    res = TestApp(errors_app()).get("/bottle-abort", status=404)
    assert res.text == "<h1>custom 404: nothing</h1>"
    assert res.headers["X-Something"] == "A value"


def test_unknown_path_reaches_bottle_error_handler() -> None:
    assert "custom 404" in TestApp(errors_app()).get("/nowhere", status=404).text


def test_bottle_redirect_and_responses_pass_through() -> None:
    app = TestApp(errors_app())
    res = app.get("/bottle-redirect", status="3*")
    assert res.status_int in (302, 303)  # Bottle: 303 for HTTP/1.1, 302 for HTTP/1.0
    assert res.headers["Location"].endswith("/elsewhere")
    assert app.get("/http-response", status=207).text == "made"
    assert "who?" in app.get("/http-error", status=401).text


def test_rules_abort_and_redirect() -> None:
    app = TestApp(errors_app())
    res = app.get("/rules-abort", status=403, headers={"Accept": "application/json"})
    assert res.json["code"] == "403 Forbidden"
    assert "not you" in res.json["message"]
    assert app.get("/rules-redirect", status=303).headers["Location"] == "http://localhost/there"


def test_invalid_return_value_is_a_bottle_500(caplog: pytest.LogCaptureFixture) -> None:
    res = TestApp(errors_app()).get("/none", status=500, expect_errors=True)
    assert "Did you forget a return statement" in res.errors
    res = TestApp(errors_app()).get("/bad-status", status=500, expect_errors=True)
    assert "out of range" in res.errors
    # a response the egress refuses is its logged generic 500, as at every edge
    res = TestApp(errors_app()).get("/interim", status=500)
    assert res.errors == ""
    assert "cannot be sent: the interim status '101 Switching Protocols'" in caplog.text


def test_invalid_return_value_propagates_without_catchall() -> None:
    app = TestApp(errors_app(catchall=False))
    name = "tests.test_bottle.errors_app.<locals>.<lambda>"
    with pytest.raises(TypeError, match=re.escape(name)):
        app.get("/none")


# ---------------------------------------------------------------- skipping

SKIPS = [
    pytest.param(lambda plugin: [RespondPlugin], id="class"),
    pytest.param(lambda plugin: ["respond_mw"], id="name"),
    pytest.param(lambda plugin: [plugin], id="instance"),
    pytest.param(lambda plugin: True, id="all"),
]


@pytest.mark.parametrize("skip", SKIPS)
def test_plugin_can_be_skipped_per_route(skip: Callable[[RespondPlugin], Any]) -> None:
    app = bottle.Bottle()
    plugin = RespondPlugin()
    app.install(plugin)
    app.route("/skipped", callback=lambda: ["a", "b"], skip=skip(plugin))
    app.route("/applied", callback=lambda: ["a", "b"])
    client = TestApp(app)
    skipped = client.get("/skipped")
    assert skipped.text == "ab"  # Bottle's own handling joins a list of strings
    assert skipped.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert client.get("/applied").json == ["a", "b"]


def test_second_plugin_is_refused() -> None:
    app = new_app()
    with pytest.raises(bottle.PluginError):
        app.install(RespondPlugin())


def test_bottle_json_plugin_still_serves_skipped_dicts() -> None:
    res = one(lambda: {"a": 1}, skip=[RespondPlugin]).get("/it")
    assert res.json == {"a": 1}
