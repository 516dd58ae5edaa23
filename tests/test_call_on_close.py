"""Work after the response: ``call_on_close(func)`` runs ``func`` once the server has
closed the body, in the request's context, at every edge; its errors are logged."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bottle
import pytest
from pyramid.config import Configurator
from webtest import TestApp

from respond_mw import Middleware, call_on_close, current_request, view
from respond_mw.integrations.bottle import RespondPlugin

from .hostile_support import address, error_records, exchange, parse_responses
from .server import serve
from .wsgi_support import legacy_app, open_wsgi


def _remember(events: list[str], label: str = "called") -> None:
    @call_on_close
    def after() -> None:
        events.append(f"{label} {current_request().path}")


def test_a_view_runs_it_once_the_body_is_closed() -> None:
    events: list[str] = []

    @view
    def page() -> Iterator[str]:
        _remember(events)

        def chunks() -> Iterator[str]:
            events.append("first")
            yield "a"
            events.append("last")
            yield "b"

        return chunks()

    _, body = open_wsgi(page, "/p")
    assert events == ["first"]
    assert list(body) == [b"a", b"b"]
    assert events == ["first", "last"]  # not before the server closes the body
    body.close()
    assert events == ["first", "last", "called /p"]
    body.close()  # once
    assert events == ["first", "last", "called /p"]


@pytest.mark.parametrize("value", ["text", {"a": 1}, ("text", 201, {"X-A": "1"})])
def test_a_plain_route_runs_it_too(value: Any) -> None:
    mw = Middleware()  # no hooks: the route's fast path steps aside
    events: list[str] = []

    @mw.route("/r")
    def route() -> Any:
        _remember(events)
        return value

    TestApp(mw).get("/r")
    TestApp(mw).get("/r")
    assert events == ["called /r"] * 2


def test_it_runs_before_teardown_and_after_the_body_closes() -> None:
    mw = Middleware(legacy_app)
    events: list[str] = []

    @mw.route("/r")
    def route() -> Iterator[str]:
        _remember(events)

        def chunks() -> Iterator[str]:
            try:
                yield "x"
            finally:
                events.append("body closed")

        return chunks()

    @mw.teardown_request
    def teardown(error: Any) -> None:
        events.append("teardown")

    TestApp(mw).get("/r")
    assert events == ["body closed", "called /r", "teardown"]


def test_hooks_and_handlers_may_call_it_for_the_wrapped_app() -> None:
    mw = Middleware(legacy_app)
    events: list[str] = []

    @mw.before_request
    def before() -> None:
        _remember(events, "before")

    @mw.after_request
    def after(response: Any) -> Any:
        _remember(events, "after")
        return response

    @mw.route("/fail")
    def fail() -> Any:
        raise RuntimeError("failed")

    @mw.errorhandler(500)
    def failed(error: Any) -> Any:
        _remember(events, "handler")
        return "failed", 500

    app = TestApp(mw)
    app.get("/legacy", status=202)  # the wrapped application answers
    assert events == ["before /legacy", "after /legacy"]
    events.clear()
    app.get("/fail", status=500)
    assert events == ["before /fail", "handler /fail", "after /fail"]


def test_an_async_function_is_awaited() -> None:
    events: list[str] = []

    @view
    def page() -> str:
        @call_on_close
        async def later() -> None:
            events.append(f"async {current_request().path}")

        return "ok"

    TestApp(page).get("/a")
    assert events == ["async /a"]


def test_its_errors_are_logged_and_never_reach_the_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    @view
    def page() -> str:
        @call_on_close
        def broken() -> None:
            raise RuntimeError("mail server down")

        _remember(events, "next")
        return "sent"

    resp = TestApp(page).get("/m")
    assert resp.text == "sent"
    assert events == ["next /m"]  # the other functions still run
    records = error_records(caplog)
    assert len(records) == 1 and "broken" in records[0].getMessage()
    assert records[0].exc_info is not None and "mail server down" in str(records[0].exc_info[1])


def test_pyramid_and_bottle_run_it() -> None:
    events: list[str] = []

    def pyramid_view(request: Any) -> str:
        _remember(events, "pyramid")
        return "ok"

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_route("it", "/it")
    config.add_view(pyramid_view, route_name="it")
    TestApp(config.make_wsgi_app()).get("/it")

    app = bottle.Bottle()
    app.install(RespondPlugin())

    @app.route("/it")
    def bottle_route() -> dict[str, int]:
        _remember(events, "bottle")
        return {"a": 1}

    TestApp(app).get("/it")
    assert events == ["pyramid /it", "bottle /it"]


def test_outside_of_a_request_it_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"call_on_close\(\) was called outside of a request"):
        call_on_close(lambda: None)


@pytest.mark.functional
def test_on_waitress_it_runs_after_a_file_and_after_a_disconnect(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 300_000)
    mw = Middleware()
    done: dict[str, threading.Event] = {"file": threading.Event(), "stream": threading.Event()}

    @mw.route("/file")
    def file() -> Path:
        call_on_close(done["file"].set)
        return path  # through waitress's wsgi.file_wrapper

    @mw.route("/stream")
    def stream() -> Iterator[bytes]:
        call_on_close(done["stream"].set)

        def chunks() -> Iterator[bytes]:
            for _ in range(10_000):
                yield b"y" * 65536

        return chunks()

    with serve(mw) as url:
        raw = exchange(url, b"GET /file HTTP/1.1\r\nHost: x\r\n\r\n", expect=1)
        (response,) = parse_responses(raw)
        assert response.body == path.read_bytes()
        assert done["file"].wait(5)
        # a client that reads a little, then goes away
        with socket.create_connection(address(url), timeout=5) as sock:
            sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1024)
        assert done["stream"].wait(10)


def test_logging_level_of_the_record(caplog: pytest.LogCaptureFixture) -> None:
    @view
    def page() -> str:
        call_on_close(lambda: 1 / 0)
        return "ok"

    TestApp(page).get("/")
    assert [r.levelno for r in error_records(caplog)] == [logging.ERROR]
