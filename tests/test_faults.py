"""Faults: generators that raise mid-stream, clients that disconnect, bodies that are
abandoned, hooks and handlers that fail."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from webob import Response
from webtest import TestApp

from respond_mw import Middleware, view
from tests.hostile_support import address, error_records, logged_text, parse_responses
from tests.server import serve
from tests.wsgi_support import open_wsgi


class Tracker:
    """A streaming view body that records how far it got and whether it was closed."""

    def __init__(self) -> None:
        self.closed = threading.Event()
        self.sent = 0

    def stream(
        self, chunks: int, *, fail_at: int | None = None, pause: float = 0
    ) -> Iterator[bytes]:
        try:
            for i in range(chunks):
                if i == fail_at:
                    raise RuntimeError("disk gone")
                self.sent += 1
                yield b"x" * 1024
                if pause:
                    time.sleep(pause)
        finally:
            self.closed.set()


def test_generator_raising_mid_stream_is_logged_and_start_response_called_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tracker = Tracker()

    @view
    def failing() -> Iterator[bytes]:
        return tracker.stream(5, fail_at=2)

    started, body = open_wsgi(failing)
    received = []
    with pytest.raises(RuntimeError, match="disk gone"):
        received.extend(body)  # the error reaches the server, which aborts the response
    body.close()
    # never a second start_response
    assert [(status, exc_info) for status, _, exc_info in started.calls] == [("200 OK", None)]
    assert len(received) == 2
    assert tracker.closed.is_set()
    assert any(failing.name in logged_text(r) for r in error_records(caplog))


@pytest.mark.functional
def test_generator_raising_mid_stream_on_waitress_aborts_the_response(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tracker = Tracker()

    @view
    def failing() -> Iterator[bytes]:
        return tracker.stream(5, fail_at=2)

    with serve(failing) as url, socket.create_connection(address(url), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break  # the server closed the connection
            data += chunk
        else:
            pytest.fail("the server kept the connection open after a failed stream")
    responses = parse_responses(data)
    assert len(responses) == 1 and responses[0].status == 200
    assert not responses[0].complete  # chunked body never terminated: not misread
    assert tracker.closed.wait(5)
    assert any(failing.name in logged_text(r) for r in error_records(caplog))


@pytest.mark.functional
@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_client_disconnect_mid_stream_closes_the_generator_promptly(reset: bool) -> None:
    tracker = Tracker()

    @view
    def endless() -> Iterator[bytes]:
        return tracker.stream(100_000, pause=0.002)

    with serve(endless) as url:
        sock = socket.create_connection(address(url), timeout=5)
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK")
            if reset:
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
        finally:
            sock.close()
        started = time.monotonic()
        assert tracker.closed.wait(5), "the generator was not closed after the disconnect"
        assert time.monotonic() - started < 5
    assert tracker.sent < 100_000


def test_head_request_closes_the_generator_after_its_first_chunk() -> None:
    tracker = Tracker()

    @view
    def streamed() -> Iterator[bytes]:
        return tracker.stream(3)

    resp = TestApp(streamed).head("/")
    assert resp.body == b""
    assert tracker.sent == 1  # the first chunk decides GET's status; HEAD sends none
    assert tracker.closed.is_set()
    # A started generator abandoned by HEAD is closed too.
    started = Tracker()
    gen = started.stream(3)
    next(gen)

    @view
    def primed() -> Iterator[bytes]:
        return gen

    TestApp(primed).head("/")
    assert started.closed.is_set()


def test_tuple_with_invalid_status_closes_a_started_generator() -> None:
    tracker = Tracker()
    gen = tracker.stream(3)
    next(gen)

    @view
    def bad() -> Any:
        return gen, {"Content-Length": "1"}, "junk"

    TestApp(bad).get("/", status=500)
    assert tracker.closed.is_set()


def test_after_request_hook_failing_closes_the_abandoned_generator(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tracker = Tracker()
    gen = tracker.stream(3)
    next(gen)
    mw = Middleware()

    @mw.route("/")
    def streamed() -> Iterator[bytes]:
        return gen

    @mw.after_request
    def broken_hook(response: Response) -> Response:
        raise RuntimeError("secret-hook-detail")

    resp = TestApp(mw).get("/", status=500)
    assert "secret-hook-detail" not in resp.text
    assert tracker.closed.is_set()
    assert any(
        "broken_hook" in logged_text(r) or "secret-hook-detail" in logged_text(r)
        for r in error_records(caplog)
    )


@pytest.mark.parametrize("where", ["handler", "hook", "handler-bad-value"])
def test_failing_handlers_and_hooks_answer_a_plain_500(
    where: str, caplog: pytest.LogCaptureFixture
) -> None:
    mw = Middleware()

    @mw.route("/")
    def route() -> Any:
        raise LookupError("route-secret")

    if where == "hook":

        @mw.after_request
        def hook(response: Response) -> Response:
            raise RuntimeError("hook-secret")

    else:

        @mw.errorhandler(LookupError)
        def handler(error: Exception) -> Any:
            if where == "handler":
                raise RuntimeError("handler-secret")
            return object()

    resp = TestApp(mw).get("/", status=500)
    for secret in ("route-secret", "hook-secret", "handler-secret", "Traceback", "object at"):
        assert secret not in resp.text
    assert error_records(caplog)


@pytest.mark.functional
def test_stream_longer_than_its_content_length_is_aborted_on_the_wire() -> None:
    tracker = Tracker()

    @view
    def lying() -> Any:
        return tracker.stream(4), {"Content-Length": "2048"}

    with serve(lying) as url, socket.create_connection(address(url), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    responses = parse_responses(data)
    # Exactly the announced bytes at most, then the connection closes: the second
    # request is never answered from a stream the client could misframe.
    assert len(responses) == 1
    assert len(responses[0].body) <= 2048
    assert tracker.closed.wait(5)
