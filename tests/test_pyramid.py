"""Pyramid integration: the include, @view registered with add_view, exception views."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import pytest
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.response import Response as PyramidResponse
from webob import Request, Response
from webtest import TestApp

from respond_mw import abort, current_request, view
from respond_mw.integrations.pyramid import DERIVER_NAME
from tests.integration_support import Money
from tests.wsgi_support import legacy_app, open_wsgi

pytestmark = pytest.mark.usefixtures("money_adapter")


class Temperature:
    """A custom type taught to Pyramid with config.add_response_adapter."""

    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


def make_app(
    views: dict[str, tuple[Callable[..., Any], dict[str, Any]]], *, include: bool = True
) -> TestApp:
    config = Configurator()
    if include:
        config.include("respond_mw.integrations.pyramid")
    for name, (func, options) in views.items():
        config.add_route(name, f"/{name}")
        config.add_view(func, route_name=name, **options)
    return TestApp(config.make_wsgi_app())


def one(func: Callable[..., Any], **options: Any) -> TestApp:
    return make_app({"it": (func, options)})


# ------------------------------------------------------------------- every rule

RULES = [
    pytest.param(lambda r: "héllo", 200, "text/html; charset=UTF-8", "héllo".encode(), id="str"),
    pytest.param(lambda r: b"\x00raw", 200, "text/html; charset=UTF-8", b"\x00raw", id="bytes"),
    pytest.param(
        lambda r: bytearray(b"ba"), 200, "text/html; charset=UTF-8", b"ba", id="bytearray"
    ),
    pytest.param(lambda r: {"a": [1, 2]}, 200, "application/json", b'{"a":[1,2]}', id="dict"),
    pytest.param(lambda r: [1, "two"], 200, "application/json", b'[1,"two"]', id="list"),
    pytest.param(
        lambda r: iter(["chunk 1, ", b"chunk 2"]),
        200,
        "text/html; charset=UTF-8",
        b"chunk 1, chunk 2",
        id="iterator",
    ),
    pytest.param(
        lambda r: ("gone", 410), 410, "text/html; charset=UTF-8", b"gone", id="body-status"
    ),
    pytest.param(
        lambda r: ("odd", "299 Odd Reason"),
        299,
        "text/html; charset=UTF-8",
        b"odd",
        id="body-status-str",
    ),
    pytest.param(
        lambda r: ({"e": 1}, HTTPStatus.CONFLICT),
        409,
        "application/json",
        b'{"e":1}',
        id="httpstatus",
    ),
    pytest.param(
        lambda r: ("t", {"Content-Type": "text/plain"}), 200, "text/plain", b"t", id="body-headers"
    ),
    pytest.param(
        lambda r: ("x", 201, [("Content-Type", "text/csv")]), 201, "text/csv", b"x", id="triple"
    ),
    pytest.param(
        lambda r: Response("webob", status=203, content_type="text/plain"),
        203,
        "text/plain",
        b"webob",
        id="webob-response",
    ),
    pytest.param(
        lambda r: PyramidResponse("pyr", status=206),
        206,
        "text/html",
        b"pyr",
        id="pyramid-response",
    ),
    pytest.param(lambda r: legacy_app, 202, "text/plain", b"legacy /it", id="wsgi-app"),
    pytest.param(
        lambda r: Money(1250), 200, "application/json", b'{"amount":12.5}', id="adapted-type"
    ),
]


@pytest.mark.parametrize(("func", "status", "content_type", "body"), RULES)
def test_every_rule_through_pyramid(
    func: Callable[[Any], Any], status: int, content_type: str, body: bytes
) -> None:
    res = one(func).get("/it", status="*")
    assert res.status_int == status
    assert res.headers["Content-Type"].startswith(content_type)
    assert res.body == body


def test_pyramid_status_line_keeps_a_custom_reason() -> None:
    res = one(lambda r: ("odd", "299 Odd Reason")).get("/it")
    assert res.status == "299 Odd Reason"


def test_adapted_type_keeps_its_headers() -> None:
    assert one(lambda r: Money(5)).get("/it").headers["X-Money"] == "1"


def test_tuple_headers_merge_and_set_cookie_adds() -> None:
    def func(request: Any) -> Any:
        resp = Response("c")
        resp.set_cookie("a", "1")
        return resp, {"Set-Cookie": "b=2; Path=/", "X-Extra": ["1", "2"]}

    res = one(func).get("/it")
    assert res.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert res.headers.getall("X-Extra") == ["1", "2"]


def returning(value: Any) -> Callable[..., Any]:
    def func(request: Any) -> Any:
        return value

    return func


def test_same_semantics_as_view() -> None:
    values: list[Any] = [{"k": 1}, ("x", 404, {"X-A": "b"}), [1], "s", (b"b", "201")]
    for value in values:
        pyramid_res = one(returning(value)).get("/it", status="*")
        direct = view(returning(value))(Request.blank("/it"))
        assert pyramid_res.status == direct.status
        assert pyramid_res.body == direct.body
        assert pyramid_res.headers["Content-Type"] == direct.headers["Content-Type"]


def test_pyramid_response_adapter_is_consulted_first() -> None:
    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_response_adapter(
        lambda t: PyramidResponse(f"{t.degrees} degrees", content_type="text/plain"), Temperature
    )
    config.add_route("it", "/it")
    config.add_view(lambda r: Temperature(21.5), route_name="it")
    res = TestApp(config.make_wsgi_app()).get("/it")
    assert res.text == "21.5 degrees"
    assert res.content_type == "text/plain"


# ----------------------------------------------------------- renderers untouched


@pytest.mark.parametrize(
    ("renderer", "text", "content_type"),
    [
        pytest.param("json", json.dumps({"a": 1}), "application/json", id="json"),
        pytest.param("string", "{'a': 1}", "text/plain", id="string"),
    ],
)
def test_renderer_is_unaffected(renderer: str, text: str, content_type: str) -> None:
    res = one(lambda r: {"a": 1}, renderer=renderer).get("/it")
    assert res.text == text  # Pyramid's renderer, not the compact rules
    assert res.text != '{"a":1}'
    assert res.content_type == content_type


def test_renderer_views_see_current_request() -> None:
    res = one(lambda r: {"same": current_request() is r}, renderer="json").get("/it")
    assert res.json == {"same": True}


def test_without_the_include_pyramid_refuses_a_dict() -> None:
    app = make_app({"it": (lambda r: {"a": 1}, {})}, include=False)
    with pytest.raises(ValueError, match="Could not convert return value"):
        app.get("/it")


def test_deriver_is_registered_under_rendered_view() -> None:
    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.commit()
    intr = config.registry.introspector.get("view derivers", DERIVER_NAME)
    assert intr["under"] == ("rendered_view",)
    assert intr["over"] == ("mapped_view",)


# ------------------------------------------------------------ current_request


def test_current_request_is_the_pyramid_request_in_views_and_streams() -> None:
    seen: list[Any] = []

    def func(request: Any) -> Any:
        seen.append(current_request() is request)

        def stream() -> Iterator[str]:
            yield current_request().path
            yield f" {current_request() is request}"

        return stream()

    res = one(func).get("/it")
    assert res.text == "/it True"
    assert seen == [True]
    with pytest.raises(RuntimeError):
        current_request()


def test_streaming_is_lazy_and_closed() -> None:
    events: list[str] = []

    def func(request: Any) -> Any:
        def stream() -> Iterator[bytes]:
            events.append("started")
            try:
                yield b"one"
                yield b"two"
            finally:
                events.append("closed")

        return stream()

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_route("it", "/it")
    config.add_view(func, route_name="it")
    app = config.make_wsgi_app()
    started, body = open_wsgi(app, "/it")
    assert started.status == "200 OK"
    assert "Content-Length" not in dict(started.headers)
    assert events == ["started"]  # its first chunk, before the status is committed
    assert next(iter(body)) == b"one"
    body.close()
    assert events == ["started", "closed"]


# --------------------------------------------------- @view with config.add_view

REGISTERED = [
    pytest.param(lambda: {"args": "none"}, {"args": "none"}, id="no-arguments"),
    pytest.param(lambda request: {"path": request.path}, {"path": "/it"}, id="request"),
    pytest.param(
        lambda context, request: {"context": type(context).__name__, "path": request.path},
        {"context": "DefaultRootFactory", "path": "/it"},
        id="context-request",
    ),
]


@pytest.mark.parametrize("include", [True, False], ids=["include", "no-include"])
@pytest.mark.parametrize(("func", "expected"), REGISTERED)
def test_view_registered_directly(func: Callable[..., Any], expected: Any, include: bool) -> None:
    app = make_app({"it": (view(func), {})}, include=include)
    assert app.get("/it").json == expected


@pytest.mark.parametrize("include", [True, False], ids=["include", "no-include"])
def test_view_options_apply_under_pyramid(include: bool) -> None:
    wrapped = view(content_type="text/plain", headers={"X-Frame-Options": "DENY"})(lambda: "t")
    res = make_app({"it": (wrapped, {})}, include=include).get("/it")
    assert res.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert res.headers["X-Frame-Options"] == "DENY"


def test_view_exceptions_reach_pyramid_exception_views() -> None:
    @view
    def broken() -> Any:
        raise LookupError("no such thing")

    config = Configurator()
    config.add_route("it", "/it")
    config.add_view(broken, route_name="it")
    config.add_exception_view(
        lambda exc, request: PyramidResponse(f"handled {exc}", status=422), context=LookupError
    )
    res = TestApp(config.make_wsgi_app()).get("/it", status=422)
    assert res.text == "handled no such thing"


# ------------------------------------------------------------------ errors


def errors_app() -> TestApp:
    def not_found(request: Any) -> Any:
        return f"<h1>No {request.path}</h1>", 404, {"X-Something": "A value"}

    def type_error(exc: TypeError, request: Any) -> Any:
        return {"error": str(exc)}, 500

    def value_error(exc: ValueError, request: Any) -> Any:
        return f"bad: {exc}", "400 Bad Value"

    def abort_403(request: Any) -> Any:
        abort(403, "not you")

    def pyramid_forbidden(request: Any) -> Any:
        raise HTTPForbidden()

    def pyramid_not_found(request: Any) -> Any:
        raise HTTPNotFound()

    def returned_http_error(request: Any) -> Any:
        return HTTPForbidden(body="returned")

    def bad_status(request: Any) -> Any:
        return "x", 700

    def bad_header(request: Any) -> Any:
        return "x", {"X-Evil": "a\r\nInjected: 1"}

    def interim(request: Any) -> Any:
        return "x", 101

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    for name, func in {
        "none": lambda request: None,
        "number": lambda request: 42,
        "abort": abort_403,
        "forbidden": pyramid_forbidden,
        "missing": pyramid_not_found,
        "returned": returned_http_error,
        "bad-status": bad_status,
        "bad-header": bad_header,
        "interim": interim,
    }.items():
        config.add_route(name, f"/{name}")
        config.add_view(func, route_name=name)
    config.add_notfound_view(not_found)
    config.add_exception_view(type_error, context=TypeError)
    config.add_exception_view(value_error, context=ValueError)
    return TestApp(config.make_wsgi_app())


def test_notfound_view_may_return_a_tuple() -> None:
    app = errors_app()
    for path in ("/nowhere", "/missing"):
        res = app.get(path, status=404)
        assert res.text == f"<h1>No {path}</h1>"
        assert res.headers["X-Something"] == "A value"


def test_none_is_a_type_error_naming_the_view() -> None:
    res = errors_app().get("/none", status=500)
    assert "did not return a valid response" in res.json["error"]
    assert "NoneType" in res.json["error"]
    assert "Did you forget a return statement?" in res.json["error"]


def test_number_is_a_type_error() -> None:
    assert "int 42" in errors_app().get("/number", status=500).json["error"]


def test_abort_answers_with_its_status() -> None:
    res = errors_app().get("/abort", status=403, headers={"Accept": "text/plain"})
    assert "not you" in res.text


def test_pyramid_http_exceptions_keep_working() -> None:
    app = errors_app()
    assert app.get("/forbidden", status=403).status == "403 Forbidden"
    assert app.get("/returned", status=403).text == "returned"


def test_interim_status_is_refused_as_a_logged_500_naming_the_view(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # refused where it leaves (respond_mw.egress), as at every edge: not an error the
    # application's exception views could turn into a 1xx page
    res = errors_app().get("/interim", status=500)
    assert "101" not in res.text
    assert "errors_app.<locals>.interim cannot be sent: the interim status" in caplog.text


def test_malformed_status_and_header_are_value_errors() -> None:
    app = errors_app()
    res = app.get("/bad-status", status=400)
    assert res.status == "400 Bad Value"
    assert "out of range" in res.text
    assert "control character" in app.get("/bad-header", status=400).text


def test_unhandled_error_propagates_to_the_server() -> None:
    app = make_app({"it": (lambda r: None, {})})
    with pytest.raises(TypeError, match="Did you forget a return statement"):
        app.get("/it")


def test_a_returned_path_reaches_the_servers_file_wrapper(tmp_path: Any) -> None:
    from pathlib import Path
    from wsgiref.util import FileWrapper

    page = Path(tmp_path, "page.html")
    page.write_text("<p>a file</p>")
    with Configurator() as config:
        config.include("respond_mw.integrations.pyramid")
        config.add_route("file", "/file")
        config.add_view(lambda request: page, route_name="file")
        app = config.make_wsgi_app()
    environ = Request.blank("/file").environ
    environ["wsgi.file_wrapper"] = FileWrapper
    body = app(environ, lambda status, headers, exc_info=None: None)
    assert type(body) is FileWrapper  # the server sends the file itself
    assert b"".join(body) == b"<p>a file</p>"
    body.close()
