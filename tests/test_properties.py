"""Property-based tests: any value a view may return either becomes a PEP 3333-valid
response (checked by :mod:`wsgiref.validate`) or is a clear ``TypeError``/``ValueError``
naming the view -- never anything else, never a response a server would choke on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Request, Response

from respond_mw import coerce, make_response
from respond_mw.context import RequestState, reset_state, set_state
from respond_mw.egress import finish, send_parts

from .wsgi_support import call_wsgi

VIEW = "tests.property_view"
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"app"]


def lazy_wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    write = start_response("201 Created", [("Content-Type", "text/plain"), ("X-App", "1")])
    write(b"w")
    yield b"lazy"


def bad_wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("X-Bad", "a\r\nb"), ("Content-Type", "text/plain")])
    return [b"bad"]


def generator_of(chunks: list[Any]) -> Iterator[Any]:
    yield from chunks


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # includes NaN and infinities: refused
    st.text(),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(), st.integers()), children, max_size=4),
        st.tuples(children, children),
    ),
    max_leaves=10,
)

bodies = st.one_of(
    st.text(),
    st.binary(),
    st.binary().map(bytearray),
    st.binary().map(memoryview),
    st.dictionaries(st.text(), json_values, max_size=4),
    st.lists(json_values, max_size=4),
    st.builds(generator_of, st.lists(st.one_of(st.text(), st.binary(), st.integers()), max_size=4)),
    st.builds(lambda b: Response(body=b), st.binary()),
    # WebOb builds a 205 without Content-Type (RFC 9110: no content), which wsgiref's
    # validator (exempting only 204 and 304) rejects: a response used as it is is the
    # view's own, so 205 is left out here.
    st.builds(
        lambda s: Response(status=s, body=b"r"), st.integers(200, 599).filter(lambda s: s != 205)
    ),
    st.sampled_from([wsgi_app, lazy_wsgi_app, bad_wsgi_app]),
    # not valid return values at all
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.frozensets(st.integers(), max_size=2),
    st.just(object()),
)

statuses = st.one_of(
    st.none(),
    st.integers(-10, 1000),
    st.sampled_from(list(HTTPStatus)),
    st.booleans(),
    st.floats(allow_nan=False),
    st.from_regex(r"\A[0-9]{3}( [ -~\x80-\xff]{0,12})?\Z"),
    st.text(max_size=8),
    st.binary(max_size=4),
)

header_names = st.one_of(
    st.sampled_from(
        [
            "X-A",
            "x-a",
            "Content-Type",
            "Content-Length",
            "Set-Cookie",
            "Location",
            "Cache-Control",
            "Connection",
            "Status",
            "X-",
        ]
    ),
    st.from_regex(r"\A[A-Za-z0-9-]{1,8}\Z"),
    st.text(max_size=6),
)
header_values = st.one_of(
    st.text(max_size=10),
    st.integers(),
    st.sampled_from(["text/plain", "application/json; charset=UTF-8", "a=1", "0", "3"]),
    st.none(),
)
header_collections = st.one_of(
    st.dictionaries(
        header_names, st.one_of(header_values, st.lists(header_values, max_size=3)), max_size=4
    ),
    st.lists(st.tuples(header_names, header_values), max_size=4),
    st.lists(st.tuples(header_names, header_values), max_size=3).map(tuple),
    st.lists(st.lists(st.text(max_size=4), max_size=3), max_size=2),  # malformed pairs
)

return_values = st.one_of(
    bodies,
    st.tuples(bodies, statuses),
    st.tuples(bodies, header_collections),
    st.tuples(bodies, statuses, header_collections),
    st.lists(st.one_of(bodies, statuses), max_size=5).map(tuple),  # any length, mixed
    st.tuples(st.tuples(bodies, statuses), statuses),  # nested
)


def check(value: Any, method: str) -> None:
    request = Request.blank("/p", method=method)
    state = RequestState(request, VIEW, "text/html; charset=UTF-8")
    token = set_state(state)
    try:
        response = coerce(value, state)
        parts = finish(response, request.environ, f"view {VIEW}")  # the way out
    except (TypeError, ValueError) as error:
        assert VIEW in str(error) or "header" in str(error) or "JSON" in str(error)
        return
    finally:
        reset_state(token)
    try:
        status, headers, body = call_wsgi(
            lambda environ, start_response: send_parts(parts, environ, start_response),
            environ=request.environ,
        )
    except TypeError as error:  # a streamed chunk that is not str/bytes
        assert "may only yield str or bytes" in str(error)
        return
    code = int(status[:3])
    assert 200 <= code <= 599  # never a final 1xx
    for name, value_ in headers:
        assert TOKEN.fullmatch(name), name
        value_.encode("latin-1")
    if method == "HEAD" or code in (204, 304) or code < 200:
        assert body == b""


@SETTINGS
@given(value=return_values, method=st.sampled_from(["GET", "HEAD", "POST"]))
def test_any_value_is_a_valid_response_or_a_clear_error(value: Any, method: str) -> None:
    check(value, method)


@SETTINGS
@given(status=statuses, headers=st.one_of(st.none(), header_collections))
def test_make_response_with_any_status_and_headers(status: Any, headers: Any) -> None:
    try:
        response = make_response("body", status, headers)
        request = Request.blank("/")
        parts = finish(response, request.environ, "view tests.make_response")
    except (TypeError, ValueError):
        return
    call_wsgi(
        lambda environ, start_response: send_parts(parts, environ, start_response),
        environ=request.environ,
    )


@SETTINGS
@given(value=json_values)
def test_json_bodies(value: Any) -> None:
    check({"v": value}, "GET")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_known_valid_value_passes(method: str) -> None:
    # guards the property: check() must not swallow a valid value as an error
    request = Request.blank("/p", method=method)
    response = coerce(({"a": 1}, 201, [("Set-Cookie", "a=1")]), RequestState(request, VIEW, ""))
    status, _headers, body = call_wsgi(response, environ=request.environ)
    assert status == "201 Created"
    assert body == (b"" if method == "HEAD" else b'{"a":1}')
