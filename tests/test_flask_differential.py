"""Differential tests: the same return values through Flask 3's ``make_response`` and
through respond_mw's rules, compared on what reaches the server (status code, media
type and charset, headers, body -- parsed for JSON).

Flask is the reference for the rules; it is a test dependency only. Where respond_mw
deliberately differs, a test below asserts both behaviours. The differences, and why:

1. **namedtuples and other tuple subclasses** -- Flask unpacks them as
   ``(body, status[, headers])``; we refuse them (``TypeError``): a database row or a
   ``Point(x, y)`` returned by mistake must not become a response with ``y`` as status.
2. **Set-Cookie in the headers of a tuple** -- Flask replaces the body's cookies
   (``Headers.update``); we always add them, so a cookie set on a response is never
   silently lost.
3. **JSON output** -- Flask sorts keys, escapes non-ASCII and adds a trailing newline;
   we keep insertion order (the order the view built), write UTF-8 and add nothing. The
   parsed values are equal.
4. **JSON extras** -- Flask writes dates as HTTP dates (``Thu, 02 Jan 2020 ...``),
   accepts ``NaN`` (emitting invalid JSON) and refuses ``time``, ``Enum`` and
   ``__json__`` objects; we write ISO 8601, refuse ``NaN``/``Infinity`` and accept the
   others.
5. **Statuses outside 100-599 or malformed** (``600``, ``99``, ``True``, ``"abc"``,
   ``"200\\r\\nX: y"``) -- Flask sends ``600 UNKNOWN``, ``1 UNKNOWN``, ``0 abc`` or even a
   status line with CR/LF; we raise ``ValueError``: such a status line is invalid
   HTTP (and the last one a response-splitting vector).
6. **Statuses of the wrong type** (``b"200"``, ``1.5``) -- Flask fails with an
   internal ``TypeError``/``AttributeError`` from Werkzeug; we raise a ``ValueError``
   that says what a status may be.
7. **Header names and values** -- Flask only refuses newlines in values; it sends NUL,
   other control characters, names with spaces or colons, non-latin-1 values and
   hop-by-hop headers (``Connection``). We refuse all of them (``ValueError``): PEP 3333
   forbids hop-by-hop headers and servers choke on the rest.
8. **A Content-Length that disagrees with the body** -- Flask silently replaces it; we
   refuse it, since it is a bug in the view.
9. **204 No Content** -- Flask drops the body but keeps ``Content-Type``; we drop both,
   as PEP 3333's validator requires.
10. **memoryview bodies** -- Flask refuses them; we send the bytes, like ``bytes``.
11. **A mapping that is not a dict** (``MappingProxyType``) as second item of a
    2-tuple -- Flask takes it for a status and fails; we take any mapping as headers.
12. **A generator yielding something other than str/bytes** -- Flask hands the value
    to the server (a PEP 3333 violation); we raise a ``TypeError`` naming the view.
13. **Reason phrases and charset spelling** -- Werkzeug writes ``404 NOT FOUND``
    (``299 UNKNOWN`` for codes it does not know) and ``charset=utf-8``; we write WebOb's
    ``404 Not Found`` (``299 Success``) and ``charset=UTF-8``. Both are equivalent in
    HTTP; the comparisons use the status code and compare charsets case-insensitively
    (a custom reason such as ``"404 Gone Fishing"`` is kept by both).
14. **A relative Location header** -- Werkzeug sends it as given; WebOb (our response
    class) makes it absolute against the request URL when the response is sent. Both
    are valid HTTP (RFC 9110 allows either).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import json
import types
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import pytest
import webtest
from webob import Request, Response

import respond_mw
from respond_mw import coerce
from respond_mw.context import RequestState, reset_state, set_state
from respond_mw.egress import send

from .wsgi_support import call_wsgi

flask = pytest.importorskip("flask")
werkzeug_test = pytest.importorskip("werkzeug.test")

flask_app = flask.Flask(__name__)


@dataclasses.dataclass(frozen=True)
class Sent:
    """What reached the server, normalised for comparison."""

    code: int
    reason: str
    media_type: str | None
    charset: str | None
    headers: list[tuple[str, str]]  # lower-cased names, without Content-Type
    body: bytes

    @property
    def content(self) -> Any:
        """The body, parsed when it is JSON."""
        if self.media_type is not None and self.media_type.endswith("json"):
            return json.loads(self.body)
        return self.body

    def without_length(self) -> list[tuple[str, str]]:
        return [h for h in self.headers if h[0] != "content-length"]


def _normalise(status: str, headers: list[tuple[str, str]], body: bytes) -> Sent:
    code, _, reason = status.partition(" ")
    media_type = charset = None
    rest: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "content-type":
            media_type, _, params = value.partition(";")
            media_type = media_type.strip().lower()
            for param in params.split(";"):
                key, _, val = param.strip().partition("=")
                if key.lower() == "charset":
                    charset = val.lower()
        else:
            rest.append((name.lower(), value))
    return Sent(int(code), reason, media_type, charset, sorted(rest), body)


def through_flask(value: Any) -> Sent:
    with flask_app.test_request_context("/"):
        response = flask_app.make_response(value)
        environ = flask.request.environ
        app_iter, status, headers = werkzeug_test.run_wsgi_app(response, environ)
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
    return _normalise(status, list(headers.items()), body)


def through_ours(value: Any) -> Sent:
    request = Request.blank("/")
    state = RequestState(request, "tests.view", "text/html; charset=UTF-8")
    token = set_state(state)
    try:
        response = coerce(value, state)
    finally:
        reset_state(token)
    # out through the egress, as every response respond_mw answers
    status, headers, body = call_wsgi(
        lambda environ, start_response: send(response, environ, start_response, "view tests.view"),
        environ=request.environ,
    )
    return _normalise(status, headers, body)


# ----------------------------------------------------------------- the same values


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("202 Accepted", [("Content-Type", "text/plain"), ("X-App", "yes")])
    return [b"from the app"]


class CallableApp:
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
        yield b"a,b\n"
        yield b"1,2\n"


@dataclasses.dataclass
class Item:
    name: str
    price: decimal.Decimal


def gen(*chunks: Any) -> Callable[[], Iterator[Any]]:
    return lambda: iter(chunks)


# Each case is a factory: generators can be consumed only once.
SAME: list[Any] = [
    pytest.param(lambda: "hello", id="str"),
    pytest.param(lambda: "héllo wörld €", id="str-unicode"),
    pytest.param(lambda: "", id="str-empty"),
    pytest.param(lambda: b"\x00\xffbytes", id="bytes"),
    pytest.param(lambda: bytearray(b"bytearray"), id="bytearray"),
    pytest.param(lambda: {"b": 1, "a": [1, 2, {"c": None}]}, id="dict"),
    pytest.param(lambda: [1, "two", 3.5, True, None], id="list"),
    pytest.param(lambda: {}, id="dict-empty"),
    pytest.param(lambda: {"s": "é€"}, id="dict-unicode"),
    pytest.param(lambda: {1: "int key"}, id="dict-int-key"),
    pytest.param(
        lambda: {"d": decimal.Decimal("1.10"), "u": uuid.UUID(int=1)}, id="dict-decimal-uuid"
    ),
    pytest.param(lambda: [Item("pen", decimal.Decimal("2.5"))], id="dataclass"),
    pytest.param(lambda: (c for c in ["a", "é", "c"]), id="generator-str"),
    pytest.param(lambda: (c for c in [b"a", b"b"]), id="generator-bytes"),
    pytest.param(gen("mixed ", b"chunks"), id="iterator-mixed"),
    pytest.param(lambda: Response("webob", status=201, content_type="text/plain"), id="webob"),
    pytest.param(lambda: Response(json_body={"a": 1}), id="webob-json"),
    pytest.param(lambda: CallableApp(), id="wsgi-callable-object"),
    # (body, status)
    pytest.param(lambda: ("x", 404), id="status-int"),
    pytest.param(lambda: ("x", HTTPStatus.CREATED), id="status-httpstatus"),
    pytest.param(lambda: ("x", "404"), id="status-str"),
    pytest.param(lambda: ("x", "404 Gone Fishing"), id="status-custom-reason"),
    pytest.param(lambda: ("x", "404 "), id="status-str-trailing-space"),
    pytest.param(lambda: ("x", 299), id="status-unknown-code"),
    pytest.param(lambda: ("x", None), id="status-none"),
    pytest.param(lambda: ({"error": "nope"}, 400), id="json-status"),
    pytest.param(lambda: ((c for c in ["s"]), 201), id="generator-status"),
    pytest.param(lambda: (Response("r"), 418), id="webob-status"),
    pytest.param(lambda: ("x", 304), id="304"),
    # (body, headers)
    pytest.param(lambda: ("x", {"X-A": "1", "X-B": "2"}), id="headers-dict"),
    pytest.param(lambda: ("x", [("X-A", "1"), ("X-B", "2")]), id="headers-list"),
    pytest.param(lambda: ("x", (("X-A", "1"),)), id="headers-tuple"),
    pytest.param(lambda: ("x", [("X-A", "1"), ("X-A", "2")]), id="headers-repeated"),
    pytest.param(lambda: ("x", {"X-A": ["1", "2"]}), id="headers-list-values"),
    pytest.param(lambda: ("x", {"X-Count": 5}), id="headers-int-value"),
    pytest.param(lambda: ("x", {"Content-Type": "text/plain"}), id="content-type-replaced"),
    pytest.param(
        lambda: ({"a": 1}, {"Content-Type": "application/vnd.api+json"}), id="json-content-type"
    ),
    pytest.param(lambda: ("x", {"Set-Cookie": "a=1"}), id="set-cookie-on-fresh-body"),
    pytest.param(
        lambda: ("x", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]), id="set-cookie-twice"
    ),
    pytest.param(lambda: ("x", {"Location": "http://localhost/x"}), id="location"),
    pytest.param(lambda: ((c for c in ["s"]), {"X-A": "1"}), id="generator-headers"),
    # (body, status, headers)
    pytest.param(lambda: ("x", 201, {"X-A": "1"}), id="status-headers"),
    pytest.param(lambda: ("x", None, {"X-A": "1"}), id="none-status-headers"),
    pytest.param(lambda: ("x", 201, None), id="status-none-headers"),
    pytest.param(lambda: ({"a": 1}, 422, [("X-A", "1")]), id="json-status-headers"),
    pytest.param(
        lambda: (Response("r", status=202), None, {"X-A": "1"}), id="webob-keeps-its-status"
    ),
    pytest.param(lambda: ("x", "404 Gone Fishing", {"X-A": "1"}), id="custom-status-headers"),
]


@pytest.mark.parametrize("make", SAME)
def test_same_as_flask(make: Callable[[], Any]) -> None:
    theirs, ours = through_flask(make()), through_ours(make())
    assert ours.code == theirs.code
    assert ours.media_type == theirs.media_type
    assert ours.charset == theirs.charset
    assert ours.content == theirs.content
    if ours.media_type is not None and ours.media_type.endswith("json"):
        assert ours.without_length() == theirs.without_length()  # spelling differs
    else:
        assert ours.headers == theirs.headers


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(("x", "404 Gone Fishing"), id="str"),
        pytest.param(("x", "299 Mostly Fine", {"X-A": "1"}), id="with-headers"),
        pytest.param((Response("r"), "201 Made It"), id="webob-body"),
    ],
)
def test_custom_reason_kept_like_flask(value: Any) -> None:
    assert through_ours(value).reason == through_flask(value).reason == value[1][4:]


ERRORS_IN_BOTH = [
    pytest.param(lambda: None, TypeError, id="none"),
    pytest.param(lambda: 42, TypeError, id="int"),
    pytest.param(lambda: 1.5, TypeError, id="float"),
    pytest.param(lambda: True, TypeError, id="bool"),
    pytest.param(lambda: {1, 2}, TypeError, id="set"),
    pytest.param(lambda: (None, 404), TypeError, id="none-body"),
    pytest.param(lambda: (("x", 404), 200), TypeError, id="nested-tuple"),
    pytest.param(lambda: ("x",), TypeError, id="1-tuple"),
    pytest.param(lambda: ("x", 200, {}, 1), TypeError, id="4-tuple"),
    pytest.param(lambda: {"a": object()}, TypeError, id="json-unknown-type"),
    pytest.param(lambda: ("x", ""), ValueError, id="empty-status"),
    pytest.param(lambda: ("x", {"X-A": "a\r\nX-B: injected"}), ValueError, id="crlf-header"),
    pytest.param(lambda: ("x", {"X-A": "a\nb"}), ValueError, id="lf-header"),
]


@pytest.mark.parametrize(("make", "error"), ERRORS_IN_BOTH)
def test_errors_like_flask(make: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        through_flask(make())
    with pytest.raises(error):
        through_ours(make())


def test_make_response_without_arguments_like_flask() -> None:
    from respond_mw import make_response

    with flask_app.test_request_context("/"):
        theirs = flask.make_response()
    ours = make_response()
    assert (ours.status_code, ours.body) == (theirs.status_code, theirs.get_data())
    assert ours.content_type == theirs.mimetype


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        pytest.param((), {}, id="nothing"),
        pytest.param(({"b": 1},), {}, id="one"),
        pytest.param((1, 2), {}, id="several"),
        pytest.param((), {"a": 1}, id="keywords"),
    ],
)
def test_jsonify_like_flask(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    from respond_mw import jsonify

    with flask_app.test_request_context("/"):
        theirs = flask.jsonify(*args, **kwargs)
    ours = jsonify(*args, **kwargs)
    assert json.loads(ours.body) == json.loads(theirs.get_data())
    assert ours.content_type == theirs.mimetype
    assert ours.status_code == theirs.status_code


# ---------------------------------------------------------- deliberate differences
# One test per difference of the module docstring; each asserts both behaviours.


def test_difference_14_relative_location_is_made_absolute() -> None:
    value = ("x", 302, {"Location": "/elsewhere"})
    assert ("location", "/elsewhere") in through_flask(value).headers
    assert ("location", "http://localhost/elsewhere") in through_ours(value).headers


Pair = collections.namedtuple("Pair", "body status")


def test_difference_1_namedtuple_is_not_unpacked() -> None:
    theirs = through_flask(Pair("x", 404))
    assert (theirs.code, theirs.body) == (404, b"x")
    with pytest.raises(TypeError, match="namedtuples"):
        through_ours(Pair("x", 404))


def test_difference_2_set_cookie_is_added_not_replaced() -> None:
    def make() -> tuple[Response, dict[str, str]]:
        body = Response("x")
        body.set_cookie("session", "abc")
        return body, {"Set-Cookie": "theme=dark"}

    theirs = [v for n, v in through_flask(make()).headers if n == "set-cookie"]
    ours = [v for n, v in through_ours(make()).headers if n == "set-cookie"]
    assert theirs == ["theme=dark"]
    assert ours == ["session=abc; Path=/", "theme=dark"]


def test_difference_3_json_spelling() -> None:
    value = {"b": "é", "a": 1}
    theirs, ours = through_flask(dict(value)), through_ours(dict(value))
    assert theirs.body == b'{"a":1,"b":"\\u00e9"}\n'
    assert ours.body == '{"b":"é","a":1}'.encode()
    assert theirs.content == ours.content


class Color(enum.Enum):
    RED = "red"


class Jsonable:
    def __json__(self) -> str:
        return "custom"


@pytest.mark.parametrize(
    ("value", "flask_result", "ours"),
    [
        pytest.param(
            datetime.date(2020, 1, 2), "Thu, 02 Jan 2020 00:00:00 GMT", "2020-01-02", id="date"
        ),
        pytest.param(
            datetime.datetime(2020, 1, 2, 3, 4, 5),
            "Thu, 02 Jan 2020 03:04:05 GMT",
            "2020-01-02T03:04:05",
            id="datetime",
        ),
        pytest.param(datetime.time(3, 4), TypeError, "03:04:00", id="time"),
        pytest.param(Color.RED, TypeError, "red", id="enum"),
        pytest.param(Jsonable(), TypeError, "custom", id="__json__"),
        pytest.param(float("nan"), "NaN", ValueError, id="nan"),
        pytest.param(float("inf"), "Infinity", ValueError, id="infinity"),
    ],
)
def test_difference_4_json_extras(value: Any, flask_result: Any, ours: Any) -> None:
    if isinstance(flask_result, type):
        with pytest.raises(flask_result):
            through_flask({"v": value})
    elif flask_result in ("NaN", "Infinity"):
        assert through_flask({"v": value}).body == b'{"v":%s}\n' % flask_result.encode()
    else:
        assert through_flask({"v": value}).content == {"v": flask_result}
    if isinstance(ours, type):
        with pytest.raises(ours, match="NaN and Infinity"):
            through_ours({"v": value})
    else:
        assert through_ours({"v": value}).content == {"v": ours}


@pytest.mark.parametrize(
    ("status", "flask_line"),
    [
        pytest.param(600, "600 UNKNOWN", id="600"),
        pytest.param(99, "99 UNKNOWN", id="99"),
        pytest.param(True, "1 UNKNOWN", id="True"),
        pytest.param("abc", "0 abc", id="abc"),
        pytest.param("200\r\nX: y", "0 200\r\nX: y", id="crlf"),
    ],
)
def test_difference_5_invalid_statuses_are_refused(status: Any, flask_line: str) -> None:
    with flask_app.test_request_context("/"):
        assert flask_app.make_response(("x", status)).status == flask_line
    with pytest.raises(ValueError, match="status"):
        through_ours(("x", status))


@pytest.mark.parametrize(
    ("status", "flask_error"),
    [
        pytest.param(b"200", TypeError, id="bytes"),
        pytest.param(1.5, AttributeError, id="float"),
    ],
)
def test_difference_6_wrong_status_types_are_a_value_error(
    status: Any, flask_error: type[Exception]
) -> None:
    with pytest.raises(flask_error):
        through_flask(("x", status))
    with pytest.raises(ValueError, match=r"it must be an int or http\.HTTPStatus"):
        through_ours(("x", status))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        pytest.param({"X-A": "a\x00b"}, "CR, LF, NUL", id="nul"),
        pytest.param({"X-A": "a\x1bb"}, "control character", id="escape"),
        pytest.param({"X A": "1"}, "is not valid", id="space-in-name"),
        pytest.param({"X:A": "1"}, "is not valid", id="colon-in-name"),
        pytest.param({"X-A": "日本"}, "not latin-1", id="non-latin-1"),
        pytest.param({"Connection": "close"}, "hop-by-hop", id="hop-by-hop"),
    ],
)
def test_difference_7_bad_headers_are_refused(headers: dict[str, str], message: str) -> None:
    name, value = next(iter(headers.items()))
    with flask_app.test_request_context("/"):
        assert flask_app.make_response(("x", headers)).headers[name] == value
    with pytest.raises(ValueError, match=message):
        through_ours(("x", headers))


def test_difference_8_wrong_content_length_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    theirs = through_flask(("abc", {"Content-Length": "10"}))
    assert ("content-length", "3") in theirs.headers
    ours = through_ours(("abc", {"Content-Length": "10"}))
    assert (ours.code, ours.body) == (500, ours.body)  # refused: the logged generic 500
    assert b"abc" not in ours.body
    assert "Content-Length (10) disagrees with its body (3 bytes)" in caplog.text


def test_difference_9_204_has_no_content_type() -> None:
    theirs, ours = through_flask(("x", 204)), through_ours(("x", 204))
    assert (theirs.code, theirs.body, theirs.media_type) == (204, b"", "text/html")
    assert (ours.code, ours.body, ours.media_type) == (204, b"", None)


def test_difference_10_memoryview_is_a_body() -> None:
    with pytest.raises(TypeError):
        through_flask(memoryview(b"mv"))
    assert through_ours(memoryview(b"mv")).body == b"mv"


def test_difference_11_any_mapping_is_headers() -> None:
    headers = types.MappingProxyType({"X-A": "1"})
    with pytest.raises(AttributeError):
        through_flask(("x", headers))
    assert ("x-a", "1") in through_ours(("x", headers)).headers


def test_difference_12_generator_yielding_int() -> None:
    with flask_app.test_request_context("/"):
        response = flask_app.make_response(c for c in [42])
        app_iter, _, _ = werkzeug_test.run_wsgi_app(response, flask.request.environ)
        assert list(app_iter) == [42]  # handed to the server as it is
    with pytest.raises(TypeError, match="yielded int"):
        through_ours(c for c in [42])


def test_difference_13_reason_and_charset_spelling() -> None:
    theirs, ours = through_flask(("x", 404)), through_ours(("x", 404))
    assert (theirs.reason, ours.reason) == ("NOT FOUND", "Not Found")
    with flask_app.test_request_context("/"):
        assert flask_app.make_response("x").headers["Content-Type"] == "text/html; charset=utf-8"
    assert coerce("x").headers["Content-Type"] == "text/html; charset=UTF-8"


def test_difference_15_an_interim_status_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    theirs, ours = through_flask(("x", 101)), through_ours(("x", 101))
    assert theirs.code == 101  # a final 1xx: a client would wait for another response
    assert ours.code == 500
    assert "cannot be sent: the interim status '101 Switching Protocols'" in caplog.text


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: wsgi_app, id="wsgi-function"),
        pytest.param(lambda: (wsgi_app, 500), id="wsgi-status"),
        pytest.param(lambda: (wsgi_app, {"X-App": "replaced"}), id="wsgi-headers-replace"),
    ],
)
def test_difference_16_a_wsgi_applications_list_body_gets_its_length(
    make: Callable[[], Any],
) -> None:
    theirs, ours = through_flask(make()), through_ours(make())
    assert (ours.code, ours.media_type, ours.body) == (theirs.code, theirs.media_type, theirs.body)
    assert ("content-length", str(len(ours.body))) in ours.headers
    assert [item for item in ours.headers if item[0] != "content-length"] == theirs.headers


def test_difference_17_redirect_stays_on_the_site() -> None:
    with flask_app.test_request_context("/"):
        theirs = flask.redirect("https://other.example/")
    assert theirs.headers["Location"] == "https://other.example/"
    with pytest.raises(ValueError, match="leaves this site"):
        _redirect_ours()
    ours = _redirect_ours(allow_external=True)
    assert (ours.status_code, ours.location) == (302, "https://other.example/")


def _redirect_ours(**options: Any) -> Any:
    request = Request.blank("/")
    token = set_state(RequestState(request, "tests.view", "text/html; charset=UTF-8"))
    try:
        return respond_mw.redirect("https://other.example/", **options)
    finally:
        reset_state(token)


def test_difference_18_a_bare_body_from_an_error_handler_keeps_the_errors_status() -> None:
    app = flask.Flask("difference_18")
    app.register_error_handler(404, lambda error: "not here")
    assert app.test_client().get("/nothing").status_code == 200
    mw = respond_mw.Middleware()
    mw.register_error_handler(404, lambda error: "not here")
    assert webtest.TestApp(mw).get("/nothing", status=404).text == "not here"


def test_difference_19_a_405_handlers_answer_keeps_allow() -> None:
    app = flask.Flask("difference_19")
    app.add_url_rule("/x", "x", lambda: "x", methods=["POST"])
    app.register_error_handler(405, lambda error: ("use POST", 405))
    assert "Allow" not in app.test_client().get("/x").headers
    mw = respond_mw.Middleware()
    mw.add_route("/x", lambda: "x", methods=["POST"])
    mw.register_error_handler(405, lambda error: "use POST")
    assert webtest.TestApp(mw).get("/x", status=405).headers["Allow"] == "OPTIONS, POST"
