"""The coercion rules of :mod:`respond_mw.rules`: every rule, every tuple form, every
error message."""

from __future__ import annotations

import collections
import gc
import importlib
import types
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from webob import Request, Response
from webob import exc as webob_exc
from webob.headers import ResponseHeaders

from respond_mw import (
    coerce,
    current_request,
    headers,
    lazy_stream,
    make_response,
    remove_response_adapter,
    response_adapter,
)
from respond_mw.bodies import StreamingBody
from respond_mw.context import RequestState, reset_state, set_state
from respond_mw.egress import finish, send
from respond_mw.headers import normalize_headers, parse_status
from respond_mw.responses import HTML, JSON

from .wsgi_support import Adapters, call_wsgi, header_values

Point = collections.namedtuple("Point", "body status")


def state(method: str = "GET") -> RequestState:
    return RequestState(Request.blank("/some/path?q=1", method=method), "tests.my_view", HTML)


def coerce_during(value: Any, st: RequestState) -> Response:
    """Coerce ``value`` while ``st`` is the current request, as a view does."""
    token = set_state(st)
    try:
        return coerce(value, st)
    finally:
        reset_state(token)


def sent(value: Any, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    """Coerce ``value`` within a request and send the response through the egress and
    the validator."""
    st = state(method)
    assert st.request is not None
    response = coerce(value, st)
    return call_wsgi(
        lambda environ, start_response: send(response, environ, start_response, WHERE),
        environ=st.request.environ,
    )


def finished(value: Any, method: str = "GET") -> tuple[str, list[tuple[str, str]], Any]:
    """Coerce ``value`` within a request and take it through the egress, which raises
    the ValueError of a refusal."""
    st = state(method)
    assert st.request is not None
    return finish(coerce(value, st), st.request.environ, WHERE)


def wsgi_hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("202 Accepted", [("Content-Type", "text/plain"), ("X-App", "1")])
    return [b"from ", b"app"]


class CallableApp:
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"callable"


# ---------------------------------------------------------------------------- rules

RULES = [
    pytest.param("héllo", "200 OK", HTML, "héllo".encode(), id="str"),
    pytest.param("", "200 OK", HTML, b"", id="empty-str"),
    pytest.param(b"\x00\xff", "200 OK", HTML, b"\x00\xff", id="bytes"),
    pytest.param(bytearray(b"ba"), "200 OK", HTML, b"ba", id="bytearray"),
    pytest.param(memoryview(b"mv"), "200 OK", HTML, b"mv", id="memoryview"),
    pytest.param({"b": 1, "a": [1, 2]}, "200 OK", JSON, b'{"b":1,"a":[1,2]}', id="dict"),
    pytest.param([1, "é", None], "200 OK", JSON, '[1,"é",null]'.encode(), id="list"),
    pytest.param({}, "200 OK", JSON, b"{}", id="empty-dict"),
    pytest.param(collections.OrderedDict(z=1), "200 OK", JSON, b'{"z":1}', id="dict-subclass"),
    pytest.param((c for c in ["a", b"b", "é"]), "200 OK", HTML, "abé".encode(), id="generator"),
    pytest.param(iter([b"x", b"y"]), "200 OK", HTML, b"xy", id="iterator"),
    pytest.param(
        Response("resp", status=201, content_type="text/plain"),
        "201 Created",
        "text/plain; charset=UTF-8",
        b"resp",
        id="webob-response",
    ),
    pytest.param(wsgi_hello, "202 Accepted", "text/plain", b"from app", id="wsgi-function"),
    pytest.param(CallableApp(), "200 OK", "text/plain", b"callable", id="wsgi-callable-object"),
]


@pytest.mark.parametrize(("value", "status", "content_type", "body"), RULES)
def test_rules(value: Any, status: str, content_type: str, body: bytes) -> None:
    got_status, headers, got_body = sent(value)
    assert got_status == status
    assert header_values(headers, "Content-Type") == [content_type]
    assert got_body == body


@pytest.mark.parametrize(
    ("value", "length"),
    [
        pytest.param("héllo", "6", id="str"),
        pytest.param(b"abc", "3", id="bytes"),
        pytest.param({"a": 1}, "7", id="json"),
        pytest.param((c for c in "ab"), None, id="streaming-has-none"),
    ],
)
def test_content_length(value: Any, length: str | None) -> None:
    _, headers, _ = sent(value)
    assert header_values(headers, "Content-Length") == ([] if length is None else [length])


def test_response_is_used_as_it_is() -> None:
    resp = Response("x")
    assert coerce(resp) is resp


def test_http_exception_is_a_response() -> None:
    status, _, body = sent(webob_exc.HTTPNotFound(detail="no such thing"))
    assert status == "404 Not Found"
    assert b"no such thing" in body


def test_text_type_of_the_state_applies_to_text_bodies() -> None:
    resp = coerce("x", RequestState(None, "v", "text/plain; charset=UTF-8"))
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"


def test_head_keeps_headers_without_body() -> None:
    status, headers, body = sent("hello", method="HEAD")
    assert (status, body) == ("200 OK", b"")
    assert header_values(headers, "Content-Length") == ["5"]


# ----------------------------------------------------------------------- tuple forms

TUPLES = [
    pytest.param(("x", 404), "404 Not Found", {}, id="body-status-int"),
    pytest.param(("x", HTTPStatus.CREATED), "201 Created", {}, id="body-status-httpstatus"),
    pytest.param(("x", "404"), "404 Not Found", {}, id="body-status-str"),
    pytest.param(("x", "404 Gone Fishing"), "404 Gone Fishing", {}, id="body-status-custom"),
    pytest.param(("x", "404 "), "404 Not Found", {}, id="body-status-str-blank-reason"),
    pytest.param(("x", 299), "299 Success", {}, id="body-status-unknown-code"),
    pytest.param(("x", None), "200 OK", {}, id="body-none-status"),
    pytest.param(("x", {"X-A": "1"}), "200 OK", {"X-A": ["1"]}, id="body-headers-dict"),
    pytest.param(("x", [("X-A", "1")]), "200 OK", {"X-A": ["1"]}, id="body-headers-list"),
    pytest.param((("x", (("X-A", "1"),))), "200 OK", {"X-A": ["1"]}, id="body-headers-tuple"),
    pytest.param(
        ("x", types.MappingProxyType({"X-A": "1"})), "200 OK", {"X-A": ["1"]}, id="mapping"
    ),
    pytest.param(("x", 201, {"X-A": "1"}), "201 Created", {"X-A": ["1"]}, id="body-status-hdrs"),
    pytest.param(("x", None, {"X-A": "1"}), "200 OK", {"X-A": ["1"]}, id="none-status-hdrs"),
    pytest.param(("x", 201, None), "201 Created", {}, id="status-none-headers"),
    pytest.param(({"a": 1}, 400), "400 Bad Request", {}, id="json-body-status"),
    pytest.param(
        (Response("r", status=200), 418, {"X-A": "1"}),
        "418 I'm a teapot",
        {"X-A": ["1"]},
        id="response-body",
    ),
    pytest.param((wsgi_hello, 500), "500 Internal Server Error", {"X-App": ["1"]}, id="wsgi-body"),
    pytest.param(
        (Point("p", 200), 203), None, {}, id="namedtuple-body-refused"
    ),  # see test_namedtuple_body_is_refused
]


@pytest.mark.parametrize(("value", "status", "headers"), TUPLES)
def test_tuple_forms(value: tuple[Any, ...], status: str | None, headers: dict[str, Any]) -> None:
    if status is None:
        with pytest.raises(TypeError, match="namedtuples"):
            sent(value)
        return
    got_status, got_headers, _ = sent(value)
    assert got_status == status
    for name, values in headers.items():
        assert header_values(got_headers, name) == values


def test_tuple_body_keeps_its_content() -> None:
    _, headers, body = sent(({"a": 1}, 404, {"X-A": "1"}))
    assert body == b'{"a":1}'
    assert header_values(headers, "Content-Type") == [JSON]


def test_none_status_keeps_the_bodys() -> None:
    status, _, _ = sent((Response("x", status=202), None, {"X-A": "1"}))
    assert status == "202 Accepted"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        pytest.param(("x", 204), "204 No Content", id="204"),
        pytest.param(({"a": 1}, 304), "304 Not Modified", id="304-json"),
        pytest.param(("x", 204, {"Content-Type": "text/plain"}), "204 No Content", id="204-ct"),
    ],
)
def test_no_content_statuses_drop_body_and_content_headers(value: Any, status: str) -> None:
    got_status, headers, body = sent(value)
    assert (got_status, body) == (status, b"")
    assert header_values(headers, "Content-Type") == []
    assert header_values(headers, "Content-Length") == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(("reset the form", 205), id="str"),
        pytest.param(({"a": 1}, 205, {"Content-Length": "7"}), id="json-with-length"),
        pytest.param((iter(["x"]), "205"), id="stream"),
    ],
)
def test_205_has_no_content_and_says_so(value: Any) -> None:
    status, headers, body = sent(value)
    assert (status, body) == ("205 Reset Content", b"")
    assert header_values(headers, "Content-Length") == ["0"]
    assert len(header_values(headers, "Content-Type")) == 1  # PEP 3333 wants it


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_1xx_is_refused_where_it_leaves(method: str) -> None:
    resp = make_response("x", 101)
    assert resp.status == "101 Switching Protocols"  # the rules give what was asked
    with pytest.raises(ValueError, match=r"view tests\.my_view cannot be sent: the interim"):
        finished(resp, method)


def test_no_content_status_closes_a_streamed_body() -> None:
    events: list[str] = []

    def gen() -> Iterator[str]:
        try:
            events.append("started")
            yield "x"
        finally:
            events.append("closed")

    g = gen()
    next(g)  # started: close() must run its finally block
    status, _, body = sent((g, 204))
    assert events == ["started", "closed"]
    assert (status, body) == ("204 No Content", b"")


# ---------------------------------------------------------------- header merge policy


def test_given_name_replaces_the_bodys_values() -> None:
    body = Response(b"x", headerlist=[("X-A", "old"), ("X-A", "old2"), ("Content-Type", "a/b")])
    resp = make_response(body, {"x-a": "new"})
    assert resp.headers.getall("X-A") == ["new"]


def test_content_type_is_replaced() -> None:
    resp = make_response({"a": 1}, {"Content-Type": "application/vnd.api+json"})
    assert resp.headers.getall("Content-Type") == ["application/vnd.api+json"]


def test_set_cookie_is_always_added() -> None:
    body = Response("x")
    body.set_cookie("a", "1")
    resp = make_response(body, {"Set-Cookie": "b=2"})
    assert resp.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2"]


def test_repeated_names_keep_every_value() -> None:
    resp = make_response(
        "x", [("X-A", "1"), ("Set-Cookie", "a=1"), ("X-A", "2"), ("Set-Cookie", "b=2")]
    )
    assert resp.headers.getall("X-A") == ["1", "2"]
    assert resp.headers.getall("Set-Cookie") == ["a=1", "b=2"]


def test_mapping_with_list_values() -> None:
    resp = make_response("x", {"X-A": ["1", "2"], "X-B": ("3",), "Set-Cookie": ["a=1", "b=2"]})
    assert resp.headers.getall("X-A") == ["1", "2"]
    assert resp.headers.getall("X-B") == ["3"]
    assert resp.headers.getall("Set-Cookie") == ["a=1", "b=2"]


def test_webob_headers_object() -> None:
    headers = ResponseHeaders([("X-A", "1"), ("X-A", "2"), ("Cache-Control", "no-store")])
    resp = make_response("x", headers)
    assert resp.headers.getall("X-A") == ["1", "2"]
    assert resp.headers["Cache-Control"] == "no-store"


def test_request_headers_object() -> None:
    request = Request.blank("/", headers={"X-Forwarded-For": "1.2.3.4"})
    resp = make_response("x", [("X-Echo", request.headers["X-Forwarded-For"])])
    assert resp.headers["X-Echo"] == "1.2.3.4"


def test_non_str_values_are_converted() -> None:
    resp = make_response("x", {"X-Count": 5, "X-Ratio": 1.5})
    assert resp.headers["X-Count"] == "5"
    assert resp.headers["X-Ratio"] == "1.5"


def test_other_headers_of_the_body_are_kept() -> None:
    resp = make_response("hello", {"X-A": "1"})
    assert resp.headers["Content-Type"] == HTML
    assert resp.headers["Content-Length"] == "5"


def test_matching_content_length_is_accepted() -> None:
    resp = make_response("abc", {"Content-Length": "3"})
    assert resp.headers.getall("Content-Length") == ["3"]


def test_content_length_on_stream_is_accepted() -> None:
    resp = make_response(iter([b"abc"]), {"Content-Length": "3"})
    assert resp.headers.getall("Content-Length") == ["3"]


def test_merge_is_the_same_for_every_body_type() -> None:
    for body in ["x", b"x", {"a": 1}, iter([b"x"]), Response("x")]:
        resp = make_response(body, {"Content-Type": "text/plain", "X-A": "1"})
        assert resp.headers.getall("Content-Type") == ["text/plain"], body
        assert resp.headers.getall("X-A") == ["1"], body


# -------------------------------------------------------------------- make_response


def test_make_response_without_arguments() -> None:
    resp = make_response()
    assert (resp.status, resp.body, resp.content_type) == ("200 OK", b"", "text/html")


def test_make_response_one_argument() -> None:
    resp = make_response({"a": 1})
    assert resp.json_body == {"a": 1}


def test_make_response_several_arguments_are_a_tuple() -> None:
    resp = make_response("x", 404, {"X-A": "1"})
    assert (resp.status_code, resp.headers["X-A"], resp.body) == (404, "1", b"x")


def test_make_response_result_can_be_changed() -> None:
    resp = make_response("x")
    resp.headers["X-Later"] = "1"
    resp.status = 202
    status, headers, _ = call_wsgi(resp)
    assert status == "202 Accepted"
    assert header_values(headers, "X-Later") == ["1"]


# ---------------------------------------------------------------- error messages

VIEW = "tests.my_view"
WHERE = f"view {VIEW}"
RETURN_TYPE_ERRORS = [
    pytest.param(None, "NoneType None.*forget a return statement", id="none"),
    pytest.param(42, "int 42.*a view may return a str", id="int"),
    pytest.param(1.5, "float 1.5", id="float"),
    pytest.param(True, "bool True", id="bool"),
    pytest.param({1, 2}, "set ", id="set"),
    pytest.param(frozenset(), "frozenset", id="frozenset"),
    pytest.param(
        Point("x", 404), r"Point Point\(.*namedtuples.*convert it to a dict", id="namedtuple"
    ),
    pytest.param(object(), "object <object.*response adapter", id="object"),
    pytest.param(range(3), "range", id="range-is-iterable-not-iterator"),
    pytest.param((), r"tuple of 0 items", id="empty-tuple"),
    pytest.param(("x",), r"tuple of 1 items", id="1-tuple"),
    pytest.param(("x", 200, {}, 1), r"tuple of 4 items", id="4-tuple"),
    pytest.param((None, 404), r"tuple whose body is NoneType None", id="none-body"),
    pytest.param((("x", 404), 200), r"tuple whose body is tuple", id="nested-tuple"),
    pytest.param((42, 200), r"int 42", id="tuple-int-body"),
    pytest.param(("x", 200, "X-A: 1"), "headers must be a dict.*not str", id="headers-str"),
    pytest.param({"a": object()}, "not JSON: Object of type object", id="json-unknown-type"),
]


@pytest.mark.parametrize(("value", "message"), RETURN_TYPE_ERRORS)
def test_type_errors_name_view_type_and_alternatives(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message) as info:
        coerce(value, state())
    assert VIEW in str(info.value)


BAD_STATUSES = [
    pytest.param(0, "out of range", id="0"),
    pytest.param(99, "out of range", id="99"),
    pytest.param(600, "out of range", id="600"),
    pytest.param(-200, "out of range", id="negative"),
    pytest.param(10**30, "out of range", id="huge"),
    pytest.param("600", "out of range", id="str-600"),
    pytest.param("099", "out of range", id="str-099"),
    pytest.param(True, r"\(bool\) is not a valid status", id="True"),
    pytest.param(1.5, r"\(float\) is not a valid status", id="float"),
    pytest.param(200.0, r"\(float\) is not a valid status", id="float-integral"),
    pytest.param("", "malformed", id="empty"),
    pytest.param("abc", "malformed", id="letters"),
    pytest.param("20", "malformed", id="two-digits"),
    pytest.param("2000", "malformed", id="four-digits"),
    pytest.param(" 200", "malformed", id="leading-space"),
    pytest.param("200\r\nX: y", "malformed", id="crlf-injection"),
    pytest.param("200 OK\r\nX: y", "control or non latin-1", id="crlf-in-reason"),
    pytest.param("200 O\x00K", "control or non latin-1", id="nul-in-reason"),
    pytest.param("200 ☃", "control or non latin-1", id="non-latin-1-reason"),
    pytest.param("٢٠٠", "malformed", id="non-ascii-digits"),
    pytest.param(b"200", r"\(bytes\) is not a valid status", id="bytes"),
    pytest.param([200], r"\(list\)", id="list-as-headers-is-not-a-status"),
]


@pytest.mark.parametrize(("status", "message"), BAD_STATUSES)
def test_bad_status(status: Any, message: str) -> None:
    if isinstance(status, list):  # a list is read as headers: a pair is missing
        with pytest.raises(ValueError, match="not a \\(name, value\\) pair"):
            coerce(("x", status), state())
        return
    with pytest.raises(ValueError, match=message) as info:
        coerce(("x", status), state())
    assert VIEW in str(info.value)
    with pytest.raises(ValueError, match=message):
        coerce(("x", status, {}), state())


@pytest.mark.parametrize(
    ("status", "line"),
    [
        pytest.param(200, "200 OK", id="int"),
        pytest.param(HTTPStatus.NOT_FOUND, "404 Not Found", id="httpstatus"),
        pytest.param("404", "404 Not Found", id="str"),
        pytest.param("404 Custom Reason", "404 Custom Reason", id="str-reason"),
        pytest.param("404 Ünïcödé", "404 Ünïcödé", id="latin-1-reason"),
        pytest.param(599, "599 Unknown Server Error", id="599"),
        pytest.param(100, "100 Continue", id="100"),
    ],
)
def test_parse_status(status: Any, line: str) -> None:
    assert parse_status(status) == line


BAD_HEADERS = [
    pytest.param({"X-A": "a\r\nX-Injected: 1"}, "CR, LF, NUL", id="crlf-value"),
    pytest.param({"X-A": "a\nb"}, "CR, LF, NUL", id="lf-value"),
    pytest.param({"X-A": "a\x00b"}, "CR, LF, NUL", id="nul-value"),
    pytest.param({"X-A": "a\x1bb"}, "control character", id="escape-value"),
    pytest.param({"X-A": "a\x7fb"}, "control character", id="del-value"),
    pytest.param({"X-A": "日本"}, "not latin-1", id="non-latin-1-value"),
    pytest.param({"X-A": None}, "has the value None", id="none-value"),
    pytest.param({"X-A": b"bytes"}, "has the value b'bytes'", id="bytes-value"),
    pytest.param({"X A": "1"}, "header name 'X A' is not valid", id="space-in-name"),
    pytest.param({"X:A": "1"}, "header name 'X:A' is not valid", id="colon-in-name"),
    pytest.param({"X\r\nA": "1"}, "is not valid", id="crlf-in-name"),
    pytest.param({"": "1"}, "header name '' is not valid", id="empty-name"),
    pytest.param({"0": "1"}, "must be a str starting with a letter", id="digit-first"),
    pytest.param({"X!": "1"}, "header name 'X!' is not valid", id="punctuation-in-name"),
    pytest.param({"Ä": "1"}, "is not valid", id="non-ascii-name"),
    pytest.param({1: "1"}, "header name 1 is not valid", id="int-name"),
    pytest.param({"X-A-": "1"}, "must not end with '-'", id="name-ends-with-dash"),
    pytest.param({"X_": "1"}, "must not end with '-'", id="name-ends-with-underscore"),
    pytest.param({"Status": "200"}, "must not be 'Status'", id="status-header"),
    pytest.param([("X-A",)], "not a \\(name, value\\) pair", id="pair-too-short"),
    pytest.param([("X-A", "1", "2")], "not a \\(name, value\\) pair", id="pair-too-long"),
    pytest.param(["X-A"], "not a \\(name, value\\) pair", id="not-a-pair"),
    pytest.param({"Connection": "close"}, "hop-by-hop", id="connection"),
    pytest.param({"Transfer-Encoding": "chunked"}, "hop-by-hop", id="transfer-encoding"),
    pytest.param({"Keep-Alive": "timeout=5"}, "hop-by-hop", id="keep-alive"),
    pytest.param({"Upgrade": "h2c"}, "hop-by-hop", id="upgrade"),
]
#: Checked where the response leaves (respond_mw.egress), against its body.
BAD_LENGTHS = [
    pytest.param({"Content-Length": "5"}, "Content-Length \\(5\\) disagrees", id="length-mismatch"),
    pytest.param(
        {"Content-Length": "abc"}, "Content-Length \\(abc\\) disagrees", id="length-letters"
    ),
    pytest.param(
        {"Content-Length": "²"}, "Content-Length \\(²\\) disagrees", id="length-superscript"
    ),
    pytest.param(
        [("Content-Length", "3"), ("Content-Length", "3")], "disagrees", id="length-twice"
    ),
]


@pytest.mark.parametrize(("headers", "message"), BAD_HEADERS)
def test_bad_headers(headers: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        coerce(("abc", headers), state())
    assert VIEW in str(info.value)


@pytest.mark.parametrize(("headers", "message"), BAD_LENGTHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_bad_lengths_are_refused_where_the_response_leaves(
    headers: Any, message: str, method: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        finished(("abc", headers), method)
    assert VIEW in str(info.value)


@pytest.mark.parametrize(("headers", "message"), BAD_HEADERS)
def test_bad_headers_are_refused_every_time(headers: Any, message: str) -> None:
    # valid names are remembered (headers._valid_names); nothing invalid ever is
    for _ in range(2):
        with pytest.raises(ValueError, match=message):
            coerce(("abc", headers), state())


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a\tb", id="tab"),
        pytest.param("a\x7f", id="del"),
        pytest.param("\x1b[31m", id="escape"),
        pytest.param("a\u2028b", id="line-separator"),
    ],
)
def test_values_the_quick_check_does_not_pass_are_still_checked(value: str) -> None:
    with pytest.raises(ValueError, match="header 'X-A' has a value"):
        normalize_headers({"X-A": value})


def test_latin1_values_beyond_ascii_are_accepted() -> None:
    assert normalize_headers({"X-A": "café \x85"}) == [("X-A", "café \x85")]


def test_valid_header_names_are_remembered_within_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(headers, "_valid_names", set())
    for index in range(headers._MAX_VALID_NAMES + 10):
        normalize_headers({f"X-Name{index}": "1"})
    assert len(headers._valid_names) == headers._MAX_VALID_NAMES
    assert "X-Name0" in headers._valid_names

    class Name(str):
        pass

    monkeypatch.setattr(headers, "_valid_names", set())
    assert normalize_headers({Name("X-Sub"): "1"}) == [("X-Sub", "1")]
    assert not headers._valid_names  # only exact str names are remembered


def test_header_error_closes_a_streamed_body() -> None:
    events: list[str] = []

    def gen() -> Iterator[bytes]:
        try:
            yield b"abc"
        finally:
            events.append("closed")

    g = gen()
    next(g)
    with pytest.raises(ValueError, match="Content-Length \\(abc\\) is not a number"):
        finished((g, {"Content-Length": "abc"}))
    assert events == ["closed"]


def test_headers_of_wrong_type_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="headers must be a dict, a mapping or a list"):
        normalize_headers(42)


def test_generator_yielding_int_is_a_type_error(caplog: pytest.LogCaptureFixture) -> None:
    resp = make_response(c for c in [b"ok", 42])
    body = resp.app_iter
    assert next(body) == b"ok"
    with pytest.raises(TypeError, match="yielded int \\(42\\); a streamed body may only yield"):
        next(body)
    body.close()
    assert "yielded int" in caplog.text


def test_str_with_lone_surrogate_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"tests\.my_view returned a str that cannot be encoded"):
        coerce("\ud800", state())


def test_json_with_lone_surrogate_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"tests\.my_view returned a value that is not JSON"):
        coerce({"a": "\ud800"}, state())


def test_json_nan_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not JSON: NaN and Infinity are not valid JSON"):
        coerce({"a": float("nan")}, state())


def test_wsgi_app_outside_a_request_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="can only be run while a request is being handled"):
        make_response(wsgi_hello)


def test_wsgi_app_with_invalid_headers_is_a_value_error() -> None:
    closed: list[bool] = []

    class Body(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def bad_app(environ: dict[str, Any], start_response: Any) -> Body:
        start_response("200 OK", [("X-A", "a\r\nb")])
        return Body([b"x"])

    with pytest.raises(ValueError, match=r"my_view cannot be sent: header 'X-A' has a value"):
        finished(bad_app)
    assert closed == [True]


def test_wsgi_app_with_invalid_status_is_a_value_error() -> None:
    def bad_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("2000 Weird", [])
        return []

    with pytest.raises(ValueError, match="cannot be sent: status '2000 Weird'"):
        finished(bad_app)


# ---------------------------------------------------------------- response adapters


class Model:
    def __init__(self, name: str) -> None:
        self.name = name


class SubModel(Model):
    pass


class SubSubModel(SubModel):
    pass


def test_adapter_is_used_for_subclasses_most_specific_wins(adapters: Adapters) -> None:
    adapters.register(Model)(lambda m: {"model": m.name})
    adapters.register(SubModel)(lambda m: (f"sub {m.name}", 201))
    assert make_response(Model("a")).json_body == {"model": "a"}
    sub = make_response(SubSubModel("b"))
    assert (sub.status_code, sub.text) == (201, "sub b")


def test_adapter_lookup_is_cached_and_invalidated(adapters: Adapters) -> None:
    calls: list[str] = []
    adapters.register(Model)(lambda m: calls.append("a") or "a")
    assert make_response(Model("x")).text == "a"
    rules = importlib.import_module("respond_mw.rules")
    assert Model in rules._handlers  # cached after the first lookup
    adapters.register(Model)(lambda m: "b")
    assert Model not in rules._handlers  # registering clears the cache
    assert make_response(Model("x")).text == "b"
    remove_response_adapter(Model)
    with pytest.raises(TypeError, match="Model"):
        make_response(Model("x"))


def test_adapter_can_take_over_a_builtin_type(adapters: Adapters) -> None:
    adapters.register(int)(lambda n: {"number": n})
    assert make_response(7).json_body == {"number": 7}
    assert make_response(True).json_body == {"number": True}  # bool is an int


def test_adapter_result_is_coerced_and_errors_name_the_view(adapters: Adapters) -> None:
    adapters.register(Model)(lambda m: None)
    with pytest.raises(TypeError, match=f"{VIEW}.*NoneType None"):
        coerce(Model("x"), state())


def test_adapter_loop_is_a_type_error(adapters: Adapters) -> None:
    adapters.register(Model)(lambda m: Model(m.name))
    with pytest.raises(TypeError, match="kept converting more than 16 times"):
        coerce(Model("x"), state())


def test_response_adapter_needs_classes() -> None:
    with pytest.raises(TypeError, match="takes one or more classes"):
        response_adapter()
    with pytest.raises(TypeError, match="takes one or more classes"):
        response_adapter("Model")  # type: ignore[arg-type]


# ----------------------------------------------------------------------- streaming


class Recorder:
    """A generator whose steps, closing and finally block are recorded."""

    def __init__(self, chunks: list[Any]) -> None:
        self.events: list[str] = []
        self.chunks = chunks

    def __call__(self) -> Iterator[Any]:
        self.events.append("started")
        try:
            for chunk in self.chunks:
                self.events.append(f"yield {chunk!r}")
                yield chunk
        finally:
            self.events.append("finally")


def test_only_the_first_chunk_is_taken_before_iteration() -> None:
    rec = Recorder(["a", "b"])
    resp = coerce(rec(), state())
    assert rec.events == ["started", "yield 'a'"]  # before the status is committed
    assert isinstance(resp.app_iter, StreamingBody)
    body = resp.app_iter
    assert next(body) == b"a"
    assert rec.events == ["started", "yield 'a'"]
    assert list(body) == [b"b"]
    assert rec.events[-1] == "finally"


def test_only_the_first_chunk_is_taken_before_iteration_in_a_tuple() -> None:
    rec = Recorder(["a", "b"])
    resp = coerce((rec(), 201, {"X-A": "1"}), state())
    assert rec.events == ["started", "yield 'a'"]
    assert resp.status_code == 201


def test_a_lazy_stream_is_not_started_before_iteration() -> None:
    rec = Recorder(["a", "b"])
    resp = coerce(lazy_stream(rec()), state())
    assert rec.events == []
    assert list(resp.app_iter) == [b"a", b"b"]
    assert rec.events[-1] == "finally"


def test_close_runs_the_generators_finally_without_gc() -> None:
    rec = Recorder(["a", "b", "c"])
    gc.disable()
    try:
        resp = coerce(rec(), state())
        body = resp.app_iter
        assert next(body) == b"a"
        body.close()
        assert rec.events == ["started", "yield 'a'", "finally"]
        body.close()  # idempotent
        assert rec.events.count("finally") == 1
    finally:
        gc.enable()


def test_close_reaches_the_generator_through_wsgi_and_the_validator() -> None:
    rec = Recorder(["a", "b"])
    resp = coerce(rec(), state())
    status, _, body = call_wsgi(resp)
    assert (status, body) == ("200 OK", b"ab")
    assert rec.events[-1] == "finally"


def test_close_reaches_the_generator_on_head() -> None:
    rec = Recorder(["a", "b"])
    gen = rec()
    resp = coerce(gen, state())  # started: its first chunk is taken
    _, _, body = call_wsgi(resp, method="HEAD")
    assert body == b""
    assert rec.events == ["started", "yield 'a'", "finally"]


def test_current_request_inside_the_generator() -> None:
    st = state()
    seen: list[str] = []

    def gen() -> Iterator[str]:
        seen.append(current_request().path_qs)
        yield "x"
        seen.append(current_request().path_qs)

    resp = coerce_during(gen(), st)
    with pytest.raises(RuntimeError, match="outside of a request"):
        current_request()
    assert list(resp.app_iter) == [b"x"]
    assert seen == ["/some/path?q=1", "/some/path?q=1"]


def test_current_request_inside_the_generators_finally_on_close() -> None:
    st = state()
    seen: list[str] = []

    def gen() -> Iterator[str]:
        try:
            yield "x"
        finally:
            seen.append(current_request().path)

    resp = coerce_during(gen(), st)
    body = resp.app_iter
    next(body)
    body.close()
    assert seen == ["/some/path"]


def test_error_inside_the_generator_is_logged_and_raised(caplog: pytest.LogCaptureFixture) -> None:
    def gen() -> Iterator[str]:
        yield "x"
        raise KeyError("boom")

    body = make_response(gen()).app_iter
    next(body)
    with pytest.raises(KeyError):
        next(body)
    assert "error while streaming" in caplog.text


def test_streaming_wsgi_app_stays_lazy() -> None:
    events: list[str] = []

    def chunks() -> Iterator[bytes]:
        for chunk in (b"a", b"b"):
            events.append(chunk.decode())
            yield chunk

    def eager_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return chunks()

    def generator_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield from chunks()

    resp = coerce(eager_app, state())
    assert events == []
    assert list(resp.app_iter) == [b"a", b"b"]
    events.clear()
    # start_response runs with the first step of a generator app: only that is read
    resp = coerce(generator_app, state())
    assert events == ["a"]
    assert list(resp.app_iter) == [b"a", b"b"]
    assert events == ["a", "b"]
