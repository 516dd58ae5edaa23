"""call_application() (:mod:`respond_mw.wsgi`): lazy start_response, write(), apps
that never call start_response, and close() always reaching the app's iterable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from respond_mw.wsgi import call_application

from .wsgi_support import blank_environ

HEADERS = [("Content-Type", "text/plain")]


class Tracked:
    """An app iterable that records iteration and closing."""

    def __init__(self, chunks: list[bytes], start: Any = None) -> None:
        self.chunks = chunks
        self.start = start  # called before the first chunk (lazy start_response)
        self.events: list[str] = []

    def __iter__(self) -> Iterator[bytes]:
        if self.start is not None:
            self.start()
        for chunk in self.chunks:
            self.events.append(f"read {chunk!r}")
            yield chunk

    def close(self) -> None:
        self.events.append("closed")


def eager(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", HEADERS)
    return [b"a", b"b"]


def test_eager_app_returns_its_own_list() -> None:
    status, headers, body = call_application(eager, blank_environ())
    assert (status, headers) == ("200 OK", HEADERS)
    assert body == [b"a", b"b"]


def test_lazy_start_response_reads_only_the_first_chunk() -> None:
    body_of: dict[str, Tracked] = {}

    def lazy(environ: dict[str, Any], start_response: Any) -> Tracked:
        body_of["it"] = Tracked(
            [b"", b"first", b"second"], start=lambda: start_response("201 Created", HEADERS)
        )
        return body_of["it"]

    status, headers, body = call_application(lazy, blank_environ())
    tracked = body_of["it"]
    assert (status, headers) == ("201 Created", HEADERS)
    assert tracked.events == ["read b''"]  # start_response came with an empty chunk
    assert list(body) == [b"", b"first", b"second"]
    body.close()  # type: ignore[attr-defined]
    assert tracked.events[-1] == "closed"


def test_lazy_generator_app() -> None:
    events: list[str] = []

    def gen_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        try:
            events.append("start")
            start_response("200 OK", HEADERS)
            yield b"one"
            events.append("after one")
            yield b"two"
        finally:
            events.append("finally")

    status, _, body = call_application(gen_app, blank_environ())
    assert status == "200 OK"
    assert events == ["start"]
    assert next(iter(body)) == b"one"
    body.close()  # type: ignore[attr-defined]
    assert events == ["start", "finally"]


def empty_chunk_first(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    yield b""
    start_response("200 OK", HEADERS)
    yield b"data"


def write_then_return(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    write = start_response("200 OK", HEADERS)
    write(b"written ")
    return [b"returned"]


def write_while_iterating(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    write = start_response("200 OK", HEADERS)

    def body() -> Iterator[bytes]:
        yield b"1"
        write(b"2")
        yield b"3"
        write(b"4")

    return body()


def lazy_write_while_iterating(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    write = start_response("200 OK", HEADERS)
    write(b"a")
    yield b"b"
    write(b"c")
    yield b"d"


@pytest.mark.parametrize(
    ("app", "chunks"),
    [
        pytest.param(empty_chunk_first, [b"data"], id="empty-chunks-before-start-are-skipped"),
        pytest.param(write_then_return, [b"written ", b"returned"], id="write-before-returning"),
        pytest.param(write_while_iterating, [b"1", b"2", b"3", b"4"], id="write-while-iterating"),
        pytest.param(
            lazy_write_while_iterating,
            [b"a", b"b", b"c", b"d"],
            id="write-while-iterating-a-lazy-app",
        ),
    ],
)
def test_body_keeps_the_order_of_writes_and_chunks(app: Any, chunks: list[bytes]) -> None:
    _, _, body = call_application(app, blank_environ())
    assert list(body) == chunks


def test_start_response_again_with_exc_info_replaces_the_status() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", HEADERS)
        try:
            raise KeyError("x")
        except KeyError:
            import sys

            start_response("500 Internal Server Error", HEADERS, sys.exc_info())
        return [b"error"]

    status, _, _ = call_application(app, blank_environ())
    assert status == "500 Internal Server Error"


def test_app_that_never_calls_start_response() -> None:
    tracked = Tracked([b"a", b"b"])

    def rude(environ: dict[str, Any], start_response: Any) -> Tracked:
        return tracked

    with pytest.raises(RuntimeError, match="did not call start_response"):
        call_application(rude, blank_environ())
    # reading stops at the first chunk that arrives without a status
    assert tracked.events == ["read b'a'", "closed"]


def test_app_that_fails_while_starting_is_closed() -> None:
    closed: list[bool] = []

    class Failing:
        def __iter__(self) -> Iterator[bytes]:
            raise OSError("disk")

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Failing:
        return Failing()

    with pytest.raises(OSError, match="disk"):
        call_application(app, blank_environ())
    assert closed == [True]


def test_headers_are_copied() -> None:
    headers = list(HEADERS)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", headers)
        return []

    _, got, _ = call_application(app, blank_environ())
    got.append(("X-A", "1"))
    assert headers == HEADERS
