"""Conditional responses (:mod:`respond_mw.conditional`): ETags and 304."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from webob import Request, Response
from webtest import TestApp

from respond_mw import Middleware, make_conditional, view
from respond_mw.conditional import body_etag, etag_matches


def expected_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def conditional_view(value: Any) -> TestApp:
    @view(conditional=True)
    def page() -> Any:
        return value() if callable(value) else value

    return TestApp(page)


BUFFERED = [
    pytest.param("héllo", "héllo".encode(), id="str"),
    pytest.param(b"raw", b"raw", id="bytes"),
    pytest.param({"a": [1, 2]}, b'{"a":[1,2]}', id="json"),
    pytest.param(("text", {"X-A": "1"}), b"text", id="tuple"),
]


@pytest.mark.parametrize(("value", "body"), BUFFERED)
def test_buffered_body_gets_a_strong_etag(value: Any, body: bytes) -> None:
    resp = conditional_view(value).get("/")
    assert resp.body == body
    assert resp.headers["ETag"] == expected_etag(body)
    assert not resp.headers["ETag"].startswith("W/")


@pytest.mark.parametrize(("value", "body"), BUFFERED)
def test_matching_if_none_match_is_a_304(value: Any, body: bytes) -> None:
    etag = expected_etag(body)
    resp = conditional_view(value).get("/", headers={"If-None-Match": etag}, status=304)
    assert resp.body == b""
    assert resp.headers["ETag"] == etag
    assert "Content-Type" not in resp.headers
    assert "Content-Length" not in resp.headers


def test_different_bodies_get_different_etags() -> None:
    assert body_etag(b"a") != body_etag(b"b")
    assert (
        conditional_view("a").get("/").headers["ETag"]
        != (conditional_view("b").get("/").headers["ETag"])
    )


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        pytest.param('"x"', True, id="same"),
        pytest.param('W/"x"', True, id="weak-form"),
        pytest.param('"a", "x"', True, id="list"),
        pytest.param('"a,b", "x"', True, id="comma-inside-tag"),
        pytest.param("*", True, id="star"),
        pytest.param('"y"', False, id="other"),
        pytest.param("x", False, id="unquoted"),
        pytest.param('"a,x"', False, id="substring-in-one-tag"),
    ],
)
def test_etag_matches(header: str, matches: bool) -> None:
    assert etag_matches(header, '"x"') is matches


def test_not_matching_if_none_match_is_a_200() -> None:
    resp = conditional_view("body").get("/", headers={"If-None-Match": '"other"'})
    assert resp.status == "200 OK"
    assert resp.body == b"body"


def test_head_is_answered_like_get() -> None:
    etag = expected_etag(b"body")
    app = conditional_view("body")
    assert app.head("/").headers["ETag"] == etag
    app.head("/", headers={"If-None-Match": etag}, status=304)


def test_other_methods_are_untouched() -> None:
    app = conditional_view("body")
    resp = app.post("/", headers={"If-None-Match": "*"}, status=200)
    assert "ETag" not in resp.headers


def test_error_statuses_are_untouched() -> None:
    resp = conditional_view(("missing", 404)).get("/", headers={"If-None-Match": "*"}, status=404)
    assert "ETag" not in resp.headers


def test_without_the_option_there_is_no_etag() -> None:
    @view
    def page() -> str:
        return "body"

    app = TestApp(page)
    assert "ETag" not in app.get("/").headers
    app.get("/", headers={"If-None-Match": "*"}, status=200)


def test_streamed_body_is_never_read_for_an_etag() -> None:
    events: list[str] = []

    def chunks() -> Iterator[str]:
        events.append("read")
        yield "streamed"

    resp = conditional_view(chunks).get("/", headers={"If-None-Match": "*"}, status=200)
    assert resp.body == b"streamed"
    assert "ETag" not in resp.headers
    assert events == ["read"]  # read once, by the server only


def test_streamed_body_with_the_views_etag_is_a_304_and_closed() -> None:
    events: list[str] = []

    def chunks() -> Iterator[str]:
        try:
            events.append("read")
            yield "streamed"
        finally:
            events.append("closed")

    generators: list[Iterator[str]] = []

    def value() -> Any:
        generators.append(chunks())
        return generators[-1], {"ETag": '"v1"'}

    app = conditional_view(value)
    resp = app.get("/", headers={"If-None-Match": '"v1"'}, status=304)
    assert resp.headers["ETag"] == '"v1"'
    assert events == ["read", "closed"]  # its first chunk only, then closed
    assert inspect.getgeneratorstate(generators[0]) == inspect.GEN_CLOSED  # type: ignore[arg-type]
    resp = app.get("/", headers={"If-None-Match": '"v0"'}, status=200)
    assert resp.body == b"streamed"
    assert events == ["read", "closed", "read", "closed"]


def test_views_own_etag_on_a_buffered_body_is_kept() -> None:
    app = conditional_view(("body", {"ETag": 'W/"mine"'}))
    assert app.get("/").headers["ETag"] == 'W/"mine"'
    app.get("/", headers={"If-None-Match": '"mine"'}, status=304)


def test_view_called_with_a_request_is_conditional_too() -> None:
    @view(conditional=True)
    def page() -> str:
        return "body"

    request = Request.blank("/", headers={"If-None-Match": expected_etag(b"body")})
    resp = page(request)
    assert resp.status == "304 Not Modified"


def test_make_conditional_on_a_response() -> None:
    request = Request.blank("/", headers={"If-None-Match": expected_etag(b"abc")})
    resp = make_conditional(Response(b"abc"), request)
    assert resp.status_code == 304
    assert resp.body == b""


# ------------------------------------------------------------------- middleware


def legacy_list(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"leg", b"acy"]


def legacy_stream(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"stream"


def test_middleware_option_applies_to_routes_and_buffered_legacy_bodies() -> None:
    mw = Middleware(legacy_list, conditional=True)

    @mw.route("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    app = TestApp(mw)
    etag = expected_etag(b'{"hello":"world"}')
    assert app.get("/hello").headers["ETag"] == etag
    app.get("/hello", headers={"If-None-Match": etag}, status=304)
    legacy_etag = expected_etag(b"legacy")
    assert app.get("/other").headers["ETag"] == legacy_etag
    resp = app.get("/other", headers={"If-None-Match": legacy_etag}, status=304)
    assert resp.body == b""


def test_middleware_option_leaves_streamed_legacy_bodies_alone() -> None:
    app = TestApp(Middleware(legacy_stream, conditional=True))
    resp = app.get("/", headers={"If-None-Match": "*"}, status=200)
    assert resp.body == b"stream"
    assert "ETag" not in resp.headers


def test_middleware_without_the_option_adds_nothing() -> None:
    app = TestApp(Middleware(legacy_list))
    assert "ETag" not in app.get("/").headers
