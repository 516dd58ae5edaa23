"""Annotated sample views checked by mypy (strict): the aliases of
:mod:`respond_mw.typing` must accept every rule and refuse what the rules refuse.

A ``# type: ignore[...]`` below marks a value the aliases must refuse: mypy's
``warn_unused_ignores`` (part of strict) fails if an alias starts accepting it.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from webob import Request, Response

from respond_mw import jsonify, make_response, view
from respond_mw.typing import HeadersValue, ResponseReturnValue, ResponseValue, StatusValue


@view
def text() -> ResponseReturnValue:
    return "hello"


@view
def raw() -> ResponseReturnValue:
    return b"bytes"


@view
def json_object(request: Request) -> ResponseReturnValue:
    return {"name": "value", "count": 1}


@view
def json_list() -> ResponseReturnValue:
    return [1, "two", None]


@view
def stream() -> Iterator[str]:
    yield "a"
    yield "b"


def stream_bytes() -> ResponseReturnValue:
    return iter([b"a", b"b"])


# webob is untyped (Any to mypy); a Response is a WSGI application for the aliases
ready: ResponseValue = Response("ready")
json_ready: ResponseReturnValue = (jsonify(a=1), 201)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"app"]


def returns_app() -> ResponseReturnValue:
    return wsgi_app


def with_status() -> ResponseReturnValue:
    return "missing", 404


def with_http_status() -> ResponseReturnValue:
    return {"error": "gone"}, HTTPStatus.GONE


def with_reason() -> ResponseReturnValue:
    return "x", "404 Gone Fishing"


def with_headers_dict() -> ResponseReturnValue:
    return "x", {"X-Count": 5}


def with_several_values() -> ResponseReturnValue:
    return "x", {"Set-Cookie": ["a=1", "b=2"]}


def with_headers_list() -> ResponseReturnValue:
    return "x", [("X-A", "1"), ("X-A", "2")]


def with_all_three() -> ResponseReturnValue:
    return {"id": 1}, 201, {"Location": "/items/1"}


def with_none_status() -> ResponseReturnValue:
    return "x", None, [("X-A", "1")]


def building(status: StatusValue, headers: HeadersValue) -> Response:
    resp: Response = make_response("body", status, headers)
    resp.headers["X-Later"] = "1"
    return resp


body: ResponseValue = "a body"

# ----------------------------------------------------------- what must be refused
Point = collections.namedtuple("Point", "x y")


def returns_none() -> ResponseReturnValue:
    return None  # type: ignore[return-value]


def returns_int() -> ResponseReturnValue:
    return 42  # type: ignore[return-value]


def returns_set() -> ResponseReturnValue:
    return {1, 2}  # type: ignore[return-value]


def returns_four_items() -> ResponseReturnValue:
    return "x", 200, {}, 1  # type: ignore[return-value]


def returns_none_body() -> ResponseReturnValue:
    return None, 404  # type: ignore[return-value]


def returns_bytes_status() -> ResponseReturnValue:
    return "x", b"200"  # type: ignore[return-value]


def returns_bytes_header_value() -> ResponseReturnValue:
    return "x", {"X-A": b"v"}  # type: ignore[return-value]


def bad_status_type() -> StatusValue:
    return 1.5  # type: ignore[return-value]


def streams_ints() -> ResponseReturnValue:
    return iter([1, 2])  # type: ignore[return-value]


def make_response_forms() -> list[Response]:
    return [
        make_response(),
        make_response({"a": 1}),
        make_response("x", 404),
        make_response("x", {"X-A": "1"}),
        make_response("x", None, [("X-A", "1")]),
        make_response("x", b"200"),  # type: ignore[arg-type]
        make_response("x", 200, {"X-A": b"v"}),  # type: ignore[dict-item]
    ]
