"""Server-sent events and NDJSON (:mod:`respond_mw.streams`).

The wire format is checked twice: byte for byte on a table of events, and by parsing
the stream the way a browser does (the WHATWG ``EventSource`` parsing rules, below)
for any text hypothesis finds. The functional tests run a real waitress server and
read each event from a raw socket while the generator waits for the test to have
received it: an event that waited in a buffer would never arrive.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import inspect
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from queue import Empty, Queue
from typing import Any

import bottle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyramid.config import Configurator
from webob import Request, Response
from webtest import TestApp

from respond_mw import (
    Comment,
    Event,
    Middleware,
    current_request,
    event_stream,
    ndjson,
    use_shared_loop,
    view,
)
from respond_mw.integrations.bottle import RespondPlugin
from respond_mw.streams import EVENT_STREAM, NDJSON

from .edges_support import EDGES, REFERENCE, Case, Edge, LogSource
from .hostile_support import address
from .server import serve
from .wsgi_support import legacy_app, open_wsgi

PROXY_HEADERS = [("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")]


def chunks(response: Response) -> list[bytes]:
    """The chunks of a streamed response, as the server would send them (closed)."""
    body = response.app_iter
    try:
        return list(body)
    finally:
        body.close()


# ------------------------------------------------------------- a browser's parser


def parse_event_stream(text: str) -> list[dict[str, Any]]:
    """The events a browser dispatches for ``text`` (WHATWG HTML, "Interpreting an
    event stream"), each with its ``data``, ``type`` and ``lastEventId``; and the last
    ``retry`` seen, as an item ``{"retry": ms}``."""
    events: list[dict[str, Any]] = []
    data = event_type = last_id = ""
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    for line in lines[:-1]:  # an unterminated last line is not processed
        if not line:
            if data:
                events.append(
                    {"data": data.removesuffix("\n"), "type": event_type or "message",
                     "lastEventId": last_id}
                )  # fmt: skip
            data = event_type = ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data += value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value and value.isascii() and value.isdigit():
            events.append({"retry": int(value)})
    return events


# ------------------------------------------------------------------ the wire format


@dataclasses.dataclass
class Point:
    x: int
    y: int


EVENTS = [
    pytest.param("hello", b"data: hello\n\n", id="str"),
    pytest.param("", b"data:\n\n", id="empty-str"),
    pytest.param("a\nb", b"data: a\ndata: b\n\n", id="lf"),
    pytest.param("a\r\nb", b"data: a\ndata: b\n\n", id="crlf"),
    pytest.param("a\rb", b"data: a\ndata: b\n\n", id="cr"),
    pytest.param("a\r\rb\n", b"data: a\ndata:\ndata: b\ndata:\n\n", id="cr-cr-lf"),
    pytest.param("\n", b"data:\ndata:\n\n", id="only-lf"),
    pytest.param(" lead", b"data:  lead\n\n", id="leading-space"),
    pytest.param("a\u2028b\x0bc", "data: a\u2028b\x0bc\n\n".encode(), id="not-line-breaks"),
    pytest.param("é", "data: é\n\n".encode(), id="utf-8"),
    pytest.param(Event(data="x"), b"data: x\n\n", id="event-data"),
    pytest.param(Event(data="x", event="update"), b"event: update\ndata: x\n\n", id="event-type"),
    pytest.param(Event(data="x", id="7"), b"id: 7\ndata: x\n\n", id="event-id"),
    pytest.param(Event(data="x", id=7), b"id: 7\ndata: x\n\n", id="event-int-id"),
    pytest.param(Event(id=""), b"id:\n\n", id="empty-id-resets"),
    pytest.param(Event(retry=3000), b"retry: 3000\n\n", id="retry"),
    pytest.param(
        Event(data="a\nb", event="e", id="1", retry=5),
        b"event: e\nid: 1\nretry: 5\ndata: a\ndata: b\n\n",
        id="every-field",
    ),
    pytest.param(Event(), b"\n", id="no-field"),
    pytest.param(Event(data={"a": [1, "x\ny"]}), b'data: {"a":[1,"x\\ny"]}\n\n', id="json-dict"),
    pytest.param(Event(data=[1, None]), b"data: [1,null]\n\n", id="json-list"),
    pytest.param(Event(data=0), b"data: 0\n\n", id="json-int"),
    pytest.param(Event(data=Point(1, 2)), b'data: {"x":1,"y":2}\n\n', id="json-dataclass"),
    pytest.param(
        Event(data=datetime.date(2024, 5, 1), event="day"),
        b'event: day\ndata: "2024-05-01"\n\n',
        id="json-date",
    ),
    pytest.param({"data": "x", "event": "e"}, b"event: e\ndata: x\n\n", id="dict"),
    pytest.param({"data": {"n": 1}}, b'data: {"n":1}\n\n', id="dict-json-data"),
    pytest.param(Comment("keepalive"), b": keepalive\n\n", id="comment"),
    pytest.param(Comment(), b":\n\n", id="empty-comment"),
    pytest.param(Comment("a\r\nb"), b": a\n: b\n\n", id="multi-line-comment"),
]


@pytest.mark.parametrize(("item", "wire"), EVENTS)
def test_event_is_one_chunk(item: Any, wire: bytes) -> None:
    assert chunks(event_stream([item])) == [wire]


def test_each_event_is_its_own_chunk() -> None:
    assert chunks(event_stream(["a", Comment("hb"), Event(data="b", id=2)])) == [
        b"data: a\n\n",
        b": hb\n\n",
        b"id: 2\ndata: b\n\n",
    ]


def test_retry_option_comes_first() -> None:
    assert chunks(event_stream(["a"], retry=1500)) == [b"retry: 1500\n\n", b"data: a\n\n"]


def test_a_browser_reads_the_events_back() -> None:
    items = ["one", Event(data="two\r\nlines", event="multi", id="2"), Comment("hb"), "", "x"]
    text = b"".join(chunks(event_stream(items, retry=10))).decode()
    assert parse_event_stream(text) == [
        {"retry": 10},
        {"data": "one", "type": "message", "lastEventId": ""},
        {"data": "two\nlines", "type": "multi", "lastEventId": "2"},
        {"data": "", "type": "message", "lastEventId": "2"},
        {"data": "x", "type": "message", "lastEventId": "2"},
    ]


ONE_LINE = st.text().filter(lambda s: "\r" not in s and "\n" not in s)


@given(data=st.text(), event=ONE_LINE, id=ONE_LINE.filter(lambda s: "\0" not in s))
def test_any_data_survives_the_trip(data: str, event: str, id: str) -> None:
    """The data a browser dispatches is the data sent, CR and CRLF read as LF (the
    format has no other way to carry them)."""
    text = b"".join(chunks(event_stream([Event(data=data, event=event, id=id)]))).decode()
    expected = re.sub(r"\r\n|\r", "\n", data)
    assert parse_event_stream(text) == [
        {"data": expected, "type": event or "message", "lastEventId": id}
    ]


@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=10,
).filter(lambda v: not isinstance(v, str) and v is not None))  # fmt: skip
def test_json_data_survives_the_trip(value: Any) -> None:
    """Data that is not a str is JSON (a str is sent as it is; None means no data)."""

    text = b"".join(chunks(event_stream([Event(data=value)]))).decode()
    (event,) = parse_event_stream(text)
    assert json.loads(event["data"]) == value


# ------------------------------------------------------------------------ refusals

#: The classes without their annotations, to give them values of the wrong type.
Untyped: Any = Event
UntypedComment: Any = Comment

REFUSED_EVENTS = [
    pytest.param(lambda: Event(event="a\nb"), ValueError, "event field.*line break", id="event-lf"),
    pytest.param(lambda: Event(event="a\rb"), ValueError, "event field.*line break", id="event-cr"),
    pytest.param(lambda: Event(id="1\r\n"), ValueError, "id field .* line break", id="id-crlf"),
    pytest.param(lambda: Event(id="a\0b"), ValueError, "id field .* NUL", id="id-nul"),
    pytest.param(lambda: Event(retry=-1), ValueError, "retry field .* 0 or more", id="retry-neg"),
    pytest.param(lambda: Untyped(retry=1.5), TypeError, "retry field .* int", id="retry-float"),
    pytest.param(lambda: Event(retry=True), TypeError, "retry field .* int", id="retry-bool"),
    pytest.param(lambda: Untyped(retry="5"), TypeError, "retry field .* int", id="retry-str"),
    pytest.param(lambda: Untyped(event=1), TypeError, "event field .* str", id="event-int"),
    pytest.param(lambda: Untyped(id=1.0), TypeError, "id field .* str or int", id="id-float"),
    pytest.param(lambda: Event(id=False), TypeError, "id field .* str or int", id="id-bool"),
    pytest.param(lambda: UntypedComment(b"x"), TypeError, "Comment must be a str", id="comment"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error", "message"), REFUSED_EVENTS)
def test_field_values_are_refused(make: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


REFUSED_ITEMS = [
    pytest.param({"event": "a\nb", "data": "x"}, ValueError, "event field .* line break",
                 id="dict-event-lf"),
    pytest.param({"id": "\0"}, ValueError, "id field .* NUL", id="dict-id-nul"),
    pytest.param({"data": "x", "name": "e"}, ValueError, "only have the fields .* 'name'",
                 id="dict-unknown-field"),
    pytest.param(42, TypeError, "event stream got int 42; its items may be", id="int"),
    pytest.param(b"bytes", TypeError, "event stream got bytes", id="bytes"),
    pytest.param(None, TypeError, "event stream got NoneType", id="none"),
    pytest.param(Event(data={1, 2}), TypeError, "data of an event is not JSON", id="data-set"),
    pytest.param(Event(data=float("nan")), ValueError, "data of an event is not JSON.*NaN",
                 id="data-nan"),
    pytest.param("\ud800", ValueError, "cannot be encoded as UTF-8", id="lone-surrogate"),
]  # fmt: skip


@pytest.mark.parametrize(("item", "error", "message"), REFUSED_ITEMS)
def test_items_that_cannot_be_sent_end_the_stream(item: Any, error: type, message: str) -> None:
    closed: list[bool] = []

    def events() -> Iterator[Any]:
        try:
            yield "first"
            yield item
            yield "never sent"
        finally:
            closed.append(True)

    body = event_stream(events()).app_iter
    assert next(body) == b"data: first\n\n"
    with pytest.raises(error, match=message):
        next(body)
    body.close()
    assert closed == [True]


@pytest.mark.parametrize(
    "items",
    [
        pytest.param("data", id="str"),
        pytest.param(b"data", id="bytes"),
        pytest.param({"data": "x"}, id="dict"),
        pytest.param(42, id="int"),
        pytest.param(None, id="none"),
    ],
)
@pytest.mark.parametrize("function", [event_stream, ndjson], ids=["event_stream", "ndjson"])
def test_not_an_iterable_of_items(function: Callable[[Any], Response], items: Any) -> None:
    with pytest.raises(TypeError, match=rf"{function.__name__}\(\) takes an iterator"):
        function(items)


@pytest.mark.parametrize(
    ("retry", "error"), [(-1, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_retry_option_is_checked_at_once(retry: Any, error: type) -> None:
    with pytest.raises(error, match="retry field"):
        event_stream([], retry=retry)


# -------------------------------------------------------------------------- NDJSON

LINES = [
    pytest.param([{"a": 1}, [1, 2]], [b'{"a":1}\n', b"[1,2]\n"], id="objects-arrays"),
    pytest.param(["x", 1, None, True, 2.5], [b'"x"\n', b"1\n", b"null\n", b"true\n", b"2.5\n"],
                 id="scalars"),
    pytest.param([{"s": "a\nb"}], [b'{"s":"a\\nb"}\n'], id="newline-escaped"),
    pytest.param([Point(3, 4)], [b'{"x":3,"y":4}\n'], id="dataclass"),
    pytest.param([datetime.date(2024, 1, 2)], [b'"2024-01-02"\n'], id="date"),
    pytest.param([{"é": "ü"}], ['{"é":"ü"}\n'.encode()], id="utf-8"),
    pytest.param([], [], id="empty"),
]  # fmt: skip


@pytest.mark.parametrize(("items", "lines"), LINES)
def test_ndjson_one_line_per_item(items: list[Any], lines: list[bytes]) -> None:
    assert chunks(ndjson(iter(items))) == lines


@pytest.mark.parametrize(
    ("item", "error", "message"),
    [
        pytest.param(object(), TypeError, "not JSON: Object of type object", id="object"),
        pytest.param(float("inf"), ValueError, "not JSON: NaN and Infinity", id="infinity"),
    ],
)
def test_ndjson_refuses_what_is_not_json(item: Any, error: type, message: str) -> None:
    closed: list[bool] = []

    def items() -> Iterator[Any]:
        try:
            yield 1
            yield item
        finally:
            closed.append(True)

    body = ndjson(items()).app_iter
    assert next(body) == b"1\n"
    with pytest.raises(error, match=f"an NDJSON stream got a value that is {message}"):
        next(body)
    body.close()
    assert closed == [True]


# ------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("response", "content_type"),
    [
        pytest.param(lambda: event_stream([]), "text/event-stream; charset=utf-8", id="sse"),
        pytest.param(lambda: ndjson([]), "application/x-ndjson", id="ndjson"),
    ],
)
def test_headers(response: Callable[[], Response], content_type: str) -> None:
    resp = response()
    assert resp.status == "200 OK"
    assert resp.headerlist == [("Content-Type", content_type), *PROXY_HEADERS]
    assert content_type in (EVENT_STREAM, NDJSON)


def test_headers_can_be_changed_by_a_tuple() -> None:
    @view
    def events() -> Any:
        return event_stream(["a"]), 201, {"Cache-Control": "no-store", "X-Extra": "1"}

    resp = TestApp(events).get("/", status=201)
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Extra"] == "1"
    assert resp.headers["Content-Type"] == EVENT_STREAM
    assert resp.body == b"data: a\n\n"


# --------------------------------------------- laziness, close(), the request context


class Tracked:
    """A generator of ``items`` that records what it did: ``started``, ``closed``
    (its ``finally`` ran) and ``paths`` (``current_request().path`` at each step)."""

    def __init__(self, *items: Any) -> None:
        self.items = items
        self.started = False
        self.closed = False
        self.paths: list[str] = []
        self.generator: Generator[Any, None, None] | None = None

    def __call__(self) -> Generator[Any, None, None]:
        self.generator = self._run()
        return self.generator

    def _run(self) -> Generator[Any, None, None]:
        self.started = True
        try:
            for item in self.items:
                self.paths.append(current_request().path)
                yield item
        finally:
            self.closed = True

    @property
    def state(self) -> str:
        assert self.generator is not None
        return inspect.getgeneratorstate(self.generator)


@pytest.mark.parametrize("function", [event_stream, ndjson], ids=["event_stream", "ndjson"])
def test_nothing_is_read_before_the_server_iterates(function: Callable[[Any], Response]) -> None:
    tracked = Tracked("a", "b")

    @view
    def events() -> Response:
        return function(tracked())

    start_response, body = open_wsgi(events, "/lazy")
    assert start_response.status == "200 OK"
    assert not tracked.started
    first = next(body)
    assert tracked.started and tracked.paths == ["/lazy"]
    assert first in (b"data: a\n\n", b'"a"\n')
    body.close()


def test_retry_is_sent_before_the_generator_starts() -> None:
    tracked = Tracked("a")

    @view
    def events() -> Response:
        return event_stream(tracked(), retry=100)

    _, body = open_wsgi(events)
    assert next(body) == b"retry: 100\n\n"
    assert not tracked.started
    assert next(body) == b"data: a\n\n"
    body.close()


@pytest.mark.parametrize("function", [event_stream, ndjson], ids=["event_stream", "ndjson"])
def test_close_closes_the_generator(function: Callable[[Any], Response]) -> None:
    tracked = Tracked("a", "b", "c")

    @view
    def events() -> Response:
        return function(tracked())

    _, body = open_wsgi(events)
    next(body)
    body.close()  # the client went away after the first item
    assert tracked.closed
    assert tracked.state == inspect.GEN_CLOSED


def test_close_before_iteration_closes_the_generator() -> None:
    tracked = Tracked("a")
    event_stream(tracked()).app_iter.close()
    assert tracked.state == inspect.GEN_CLOSED
    assert not tracked.started


def test_current_request_inside_the_generator() -> None:
    tracked = Tracked("a", "b")

    @view
    def events() -> Response:
        return event_stream(tracked())

    assert TestApp(events).get("/here").body == b"data: a\n\ndata: b\n\n"
    assert tracked.paths == ["/here", "/here"]
    assert tracked.closed


def test_json_data_sees_the_request() -> None:
    """``__json__(request)`` is called while streaming, with the request."""

    class Greeting:
        def __json__(self, request: Request) -> str:
            return f"hello {request.path}"

    @view
    def events() -> Response:
        return event_stream(Event(data=Greeting()) for _ in range(1))

    assert TestApp(events).get("/you").body == b'data: "hello /you"\n\n'


# -------------------------------------------------------------------- async streams


class AsyncTracked(Tracked):
    async def _arun(self) -> AsyncIterator[Any]:
        self.started = True
        try:
            for item in self.items:
                await asyncio.sleep(0)
                self.paths.append(current_request().path)
                yield item
        finally:
            self.closed = True

    def __call__(self) -> Any:
        return self._arun()


@pytest.mark.parametrize(
    ("function", "wire"),
    [
        pytest.param(event_stream, [b"data: a\n\n", b'data: {"b":2}\n\n'], id="event_stream"),
        pytest.param(ndjson, [b'"a"\n', b'{"b":2}\n'], id="ndjson"),
    ],
)
@pytest.mark.parametrize("shared", [False, True], ids=["thread-loop", "shared-loop"])
def test_async_iterators(
    function: Callable[[Any], Response], wire: list[bytes], shared: bool
) -> None:
    items: tuple[Any, ...] = ("a", {"b": 2})
    if function is event_stream:
        items = ("a", Event(data={"b": 2}))
    tracked = AsyncTracked(*items)

    @view
    async def events() -> Response:
        return function(tracked())

    use_shared_loop(shared)
    try:
        start_response, body = open_wsgi(events, "/async")
        assert start_response.status == "200 OK"
        assert not tracked.started
        assert [next(body), next(body)] == wire
        assert tracked.paths == ["/async", "/async"]
        body.close()
        assert tracked.closed
    finally:
        use_shared_loop(False)


def test_async_close_before_the_end_runs_aclose() -> None:
    tracked = AsyncTracked("a", "b", "c")

    @view
    def events() -> Response:
        return event_stream(tracked())

    _, body = open_wsgi(events)
    assert next(body) == b"data: a\n\n"
    body.close()
    assert tracked.closed


# ------------------------------------------------------------------ at every edge

CASES = [
    pytest.param(
        lambda: event_stream(iter(["a", Event(data=[1], id=1)])),
        EVENT_STREAM,
        b"data: a\n\nid: 1\ndata: [1]\n\n",
        id="event_stream",
    ),
    pytest.param(lambda: ndjson(iter([{"a": 1}, 2])), NDJSON, b'{"a":1}\n2\n', id="ndjson"),
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    "edge", [e for e in [REFERENCE, *EDGES] if not e.raised], ids=lambda e: e.name
)
@pytest.mark.parametrize(("make", "content_type", "wire"), CASES)
def test_every_edge_streams_it(
    edge: Edge,
    method: str,
    make: Callable[[], Response],
    content_type: str,
    wire: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``@view`` (cold, warm, called with a request), Middleware routes (with and
    without hooks, an error handler's answer), Pyramid and Bottle: the same status,
    headers and body, ``HEAD`` without the body (under PEP 3333 linting)."""
    outcome = edge.run(Case("stream", make), method, LogSource(caplog))
    assert outcome.kind == "response", outcome.short()
    assert outcome.code == 200
    headers = {name.lower(): value for name, value in outcome.headers}
    assert headers["content-type"] == content_type
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    if edge.family == "bottle" and method == "HEAD":
        # Bottle's own: a HEAD body is one it holds in memory, empty (tests/test_edges.py)
        assert headers["content-length"] == "0"
    else:
        assert "content-length" not in headers
    assert outcome.body == (wire if method == "GET" else b"")
    assert not outcome.logged


@pytest.mark.parametrize("function", [event_stream, ndjson], ids=["event_stream", "ndjson"])
def test_head_closes_the_generator_unread(function: Callable[[Any], Response]) -> None:
    tracked = Tracked("a")

    @view
    def events() -> Response:
        return function(tracked())

    resp = TestApp(events).head("/")
    assert resp.body == b""
    assert resp.headers["Cache-Control"] == "no-cache"
    assert not tracked.started
    assert tracked.state == inspect.GEN_CLOSED


def test_middleware_route() -> None:
    mw = Middleware(legacy_app)
    tracked = Tracked(Event(data="x", event="tick"))

    @mw.route("/events/<name>")
    def events(name: str) -> Response:
        return event_stream(tracked(), retry=50)

    app = TestApp(mw)
    resp = app.get("/events/a")
    assert resp.headers["Content-Type"] == EVENT_STREAM
    assert resp.body == b"retry: 50\n\nevent: tick\ndata: x\n\n"
    assert tracked.paths == ["/events/a"] and tracked.closed
    assert app.get("/other", status=202).text == "legacy /other"


def test_pyramid_view() -> None:
    tracked = Tracked({"a": 1})

    def lines(request: Request) -> Response:
        return ndjson(tracked())

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_route("lines", "/lines")
    config.add_view(lines, route_name="lines")
    resp = TestApp(config.make_wsgi_app()).get("/lines")
    assert resp.headers["Content-Type"] == NDJSON
    assert resp.headers["X-Accel-Buffering"] == "no"
    assert resp.body == b'{"a":1}\n'
    assert tracked.paths == ["/lines"] and tracked.closed


def test_bottle_route() -> None:
    tracked = Tracked("a\nb")
    app = bottle.Bottle()
    app.install(RespondPlugin())
    app.route("/events", callback=lambda: event_stream(tracked()))
    resp = TestApp(app).get("/events")
    assert resp.headers["Content-Type"] == EVENT_STREAM
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.body == b"data: a\ndata: b\n\n"
    assert tracked.paths == ["/events"] and tracked.closed


# ------------------------------------------------------------ on a real waitress

READ_TIMEOUT = 5.0  # how long the client waits for one event
PRODUCE_TIMEOUT = 10.0  # how long the generator waits for the client (longer)


class ChunkedReader:
    """Reads a chunked HTTP/1.1 response from a socket, one chunk at a time; every
    read is bounded by :data:`READ_TIMEOUT`."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"nothing more arrived in {READ_TIMEOUT} s: {self.buffer!r}")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise AssertionError(
                f"nothing more arrived in {READ_TIMEOUT} s: {self.buffer!r}"
            ) from None
        if not data:
            raise AssertionError(f"the server closed the connection: {self.buffer!r}")
        self.buffer += data

    def _until(self, marker: bytes, deadline: float) -> bytes:
        while marker not in self.buffer:
            self._more(deadline)
        before, _, self.buffer = self.buffer.partition(marker)
        return before

    def head(self) -> tuple[str, dict[str, str]]:
        head = self._until(b"\r\n\r\n", time.monotonic() + READ_TIMEOUT).decode("latin-1")
        status, *lines = head.split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        return status, headers

    def chunk(self) -> bytes:
        deadline = time.monotonic() + READ_TIMEOUT
        size = int(self._until(b"\r\n", deadline), 16)
        while len(self.buffer) < size + 2:
            self._more(deadline)
        data, self.buffer = self.buffer[:size], self.buffer[size + 2 :]
        return data


def _request(url: str, path: str) -> socket.socket:
    sock = socket.create_connection(address(url), timeout=READ_TIMEOUT)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return sock


COUNT = 4


def _sync_events(produced: list[int], proceed: list[threading.Event]) -> Iterator[Any]:
    for n in range(COUNT):
        produced.append(n)
        yield Event(data=f"event {n}", id=n)
        if not proceed[n].wait(PRODUCE_TIMEOUT):
            return  # the client never got it: the test fails on its side


async def _async_events(produced: list[int], proceed: list[threading.Event]) -> AsyncIterator[Any]:
    for n in range(COUNT):
        produced.append(n)
        yield Event(data=f"event {n}", id=n)
        for _ in range(int(PRODUCE_TIMEOUT / 0.01)):  # bounded: at most PRODUCE_TIMEOUT
            if proceed[n].is_set():
                break
            await asyncio.sleep(0.01)
        else:
            return


@pytest.mark.functional
@pytest.mark.parametrize(
    ("function", "producer", "expected"),
    [
        pytest.param(
            event_stream, _sync_events, lambda n: f"id: {n}\ndata: event {n}\n\n".encode(),
            id="event_stream",
        ),
        pytest.param(
            event_stream, _async_events, lambda n: f"id: {n}\ndata: event {n}\n\n".encode(),
            id="event_stream-async",
        ),
        pytest.param(
            ndjson, _sync_events, lambda n: f'{{"data":"event {n}","event":null,"id":{n},'
            f'"retry":null}}\n'.encode(), id="ndjson",
        ),
    ],
)  # fmt: skip
def test_each_item_reaches_the_client_before_the_next_exists(
    function: Callable[[Any], Response],
    producer: Callable[[list[int], list[threading.Event]], Any],
    expected: Callable[[int], bytes],
) -> None:
    """With waitress' default settings, every item is on the wire while the
    generator still waits for the client to confirm it: nothing is held back."""
    produced: list[int] = []
    proceed = [threading.Event() for _ in range(COUNT)]

    @view
    def events() -> Response:
        return function(producer(produced, proceed))

    try:
        with serve(events) as url, _request(url, "/events") as sock:
            reader = ChunkedReader(sock)
            status, headers = reader.head()
            assert status == "HTTP/1.1 200 OK"
            assert headers["transfer-encoding"] == "chunked"
            assert headers["cache-control"] == "no-cache"
            assert headers["x-accel-buffering"] == "no"
            for n in range(COUNT):
                assert reader.chunk() == expected(n)  # one item, one chunk
                assert produced == list(range(n + 1))  # the next one does not exist yet
                proceed[n].set()
            assert reader.chunk() == b""  # the last chunk: the response is complete
    finally:
        for event in proceed:  # release the generator whatever happened
            event.set()


@pytest.mark.functional
def test_a_client_that_leaves_closes_the_generator() -> None:
    """A stream that waits for messages and sends a heartbeat comment while it waits:
    the heartbeat is how waitress notices the client has gone, and the generator's
    ``finally`` runs."""
    messages: Queue[str] = Queue()
    closed = threading.Event()
    heartbeats: list[float] = []

    def waiting() -> Iterator[Any]:
        try:
            yield "welcome"
            for _ in range(1500):  # bounded: 30 s at most
                try:
                    yield messages.get(timeout=0.02)
                except Empty:
                    heartbeats.append(time.monotonic())
                    yield Comment("keepalive")
        finally:
            closed.set()

    @view
    def events() -> Response:
        return event_stream(waiting())

    with serve(events) as url:
        with _request(url, "/events") as sock:
            reader = ChunkedReader(sock)
            assert reader.head()[0] == "HTTP/1.1 200 OK"
            assert reader.chunk() == b"data: welcome\n\n"
            messages.put("news")
            chunk = reader.chunk()
            while chunk == b": keepalive\n\n" and len(heartbeats) < 500:
                chunk = reader.chunk()
            assert chunk == b"data: news\n\n"
        left = time.monotonic()  # the client hung up
        assert closed.wait(10), "the generator was not closed after the client left"
        assert time.monotonic() - left < 10
