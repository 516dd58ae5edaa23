"""Errors before the first chunk of a stream go to the error handlers.

A streamed view often looks something up, then yields. respond_mw takes the first
chunk before it commits the status and headers, so an exception or ``abort()``
before that chunk is answered like any other error -- error handlers, default
pages, teardown -- at every edge, with the generator closed. ``lazy_stream()`` opts
out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import bottle
import pytest
from pyramid.config import Configurator
from webtest import TestApp

from respond_mw import Middleware, abort, current_request, lazy_stream, view
from respond_mw.integrations.bottle import RespondPlugin

from .hostile_support import error_records, exchange, logged_text, parse_responses
from .server import serve
from .wsgi_support import call_wsgi, open_wsgi


class Stream:
    """Generators that record what ran: ``fail`` before the first chunk or not."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def sync(self, fail: BaseException | None = None) -> Iterator[str]:
        try:
            self.events.append("started")
            if fail is not None:
                raise fail
            yield "first "
            self.events.append("second")
            yield f"second {current_request().path}"
        finally:
            self.events.append("closed")

    async def asynchronous(self, fail: BaseException | None = None) -> AsyncIterator[str]:
        try:
            self.events.append("started")
            if fail is not None:
                raise fail
            yield "first "
            self.events.append("second")
            yield f"second {current_request().path}"
        finally:
            self.events.append("closed")


def _not_found() -> BaseException:
    try:
        abort(404, "no such item")
    except BaseException as error:
        return error
    raise AssertionError("abort() returned")


KINDS = ["sync", "async"]


def _stream(stream: Stream, kind: str, fail: BaseException | None = None) -> Any:
    return stream.sync(fail) if kind == "sync" else stream.asynchronous(fail)


@pytest.mark.parametrize("kind", KINDS)
def test_view_error_before_the_first_chunk_is_its_500(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return _stream(stream, kind, RuntimeError("lookup failed"))

    resp = TestApp(items).get("/", status=500)
    assert "lookup failed" not in resp.text
    assert stream.events == ["started", "closed"]
    assert any("lookup failed" in logged_text(r) for r in error_records(caplog))


@pytest.mark.parametrize("kind", KINDS)
def test_view_abort_before_the_first_chunk_is_the_error_page(kind: str) -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return _stream(stream, kind, _not_found())

    resp = TestApp(items).get("/", status=404, headers={"Accept": "application/json"})
    assert "no such item" in resp.text
    assert stream.events == ["started", "closed"]


@pytest.mark.parametrize("kind", KINDS)
def test_route_errors_before_the_first_chunk_go_to_the_handlers_and_teardown(kind: str) -> None:
    mw = Middleware()
    stream = Stream()
    torn: list[Any] = []

    @mw.route("/missing")
    def missing() -> Any:
        return _stream(stream, kind, _not_found())

    @mw.route("/broken")
    def broken() -> Any:
        return _stream(stream, kind, RuntimeError("lookup failed"))

    @mw.errorhandler(404)
    def not_found(error: Any) -> Any:
        return {"error": "not found", "detail": error.detail}, 404

    @mw.errorhandler(500)
    def failed(error: Any) -> Any:
        return {"error": str(error.original_exception)}, 500

    @mw.teardown_request
    def teardown(error: Any) -> None:
        torn.append(error)

    app = TestApp(mw)
    assert app.get("/missing", status=404).json == {"error": "not found", "detail": "no such item"}
    assert app.get("/broken", status=500).json == {"error": "lookup failed"}
    assert stream.events == ["started", "closed"] * 2
    assert torn[0] is None  # an HTTP error is an answer, as in Flask
    assert isinstance(torn[1], RuntimeError)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_still_streams_after_its_first_chunk(kind: str) -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return _stream(stream, kind)

    started, body = open_wsgi(items, "/where")
    assert started.status == "200 OK"
    assert stream.events == ["started"]  # only the first chunk was taken
    chunks = iter(body)
    assert next(chunks) == b"first "
    assert stream.events == ["started"]
    assert next(chunks) == b"second /where"  # in the request's context
    body.close()
    assert stream.events == ["started", "second", "closed"]


def test_an_empty_stream_is_an_empty_200() -> None:
    @view
    def nothing() -> Iterator[str]:
        yield from ()

    resp = TestApp(nothing).get("/")
    assert resp.status_int == 200
    assert resp.body == b""


def test_a_plain_route_takes_the_first_chunk_too() -> None:
    mw = Middleware()  # no hooks, no handlers: the route's fast path
    stream = Stream()

    @mw.route("/missing")
    def missing() -> Any:
        return stream.sync(_not_found())

    TestApp(mw).get("/missing", status=404)
    TestApp(mw).get("/missing", status=404)  # and once the rule is known
    assert stream.events == ["started", "closed"] * 2


def test_lazy_stream_commits_the_status_before_the_first_chunk() -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return lazy_stream(stream.sync(RuntimeError("lookup failed")))

    started, body = open_wsgi(items)
    assert started.status == "200 OK"
    assert stream.events == []  # not started before the server iterates
    with pytest.raises(RuntimeError, match="lookup failed"):
        next(iter(body))  # the server's to answer, as in Flask
    body.close()
    assert stream.events == ["started", "closed"]


def test_lazy_stream_of_an_async_generator() -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return lazy_stream(stream.asynchronous())

    _started, body = open_wsgi(items, "/a")
    assert stream.events == []
    assert list(body) == [b"first ", b"second /a"]
    body.close()
    assert stream.events == ["started", "second", "closed"]


def test_pyramid_view_abort_before_the_first_chunk_is_a_404() -> None:
    stream = Stream()

    def items(request: Any) -> Any:
        return stream.sync(_not_found())

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_route("items", "/items")
    config.add_view(items, route_name="items")
    TestApp(config.make_wsgi_app()).get("/items", status=404)
    assert stream.events == ["started", "closed"]


def test_bottle_route_abort_before_the_first_chunk_is_a_404() -> None:
    stream = Stream()
    app = bottle.Bottle()
    app.install(RespondPlugin())

    @app.route("/items")
    def items() -> Any:
        return stream.sync(_not_found())

    TestApp(app).get("/items", status=404)
    assert stream.events == ["started", "closed"]


@pytest.mark.functional
def test_abort_before_the_first_chunk_is_a_complete_404_on_the_wire() -> None:
    mw = Middleware()
    stream = Stream()

    @mw.route("/missing")
    def missing() -> Any:
        return stream.sync(_not_found())

    with serve(mw) as url:
        raw = exchange(url, b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n" * 2, expect=2)
    responses = parse_responses(raw)
    assert [r.status for r in responses] == [404, 404]  # the connection is kept
    assert all(r.complete for r in responses)


def test_a_stream_answered_by_call_wsgi_is_valid() -> None:
    stream = Stream()

    @view
    def items() -> Any:
        return stream.sync()

    result = call_wsgi(items, "/v")  # PEP 3333 validator
    assert result.body == b"first second /v"
