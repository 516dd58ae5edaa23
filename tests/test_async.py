"""Async views and async generators (:mod:`respond_mw.aio`)."""

from __future__ import annotations

import asyncio
import http.client
import os
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from webob import Request, Response
from webob import exc as webob_exc
from webtest import TestApp

from respond_mw import Middleware, abort, current_request, make_response, use_shared_loop, view
from respond_mw.aio import run
from respond_mw.rules import StreamingBody

from .server import serve
from .wsgi_support import legacy_app, open_wsgi


@pytest.fixture
def shared_loop() -> Iterator[None]:
    use_shared_loop(True)
    try:
        yield
    finally:
        use_shared_loop(False)


# --------------------------------------------------------------------- async views

RETURNS = [
    pytest.param({"a": 1}, "200 OK", "application/json", b'{"a":1}', id="dict"),
    pytest.param("héllo", "200 OK", "text/html; charset=UTF-8", "héllo".encode(), id="str"),
    pytest.param(("gone", 410), "410 Gone", "text/html; charset=UTF-8", b"gone", id="tuple"),
    pytest.param(([1], 201, {"X-A": "b"}), "201 Created", "application/json", b"[1]", id="3-tuple"),
    pytest.param(Response("r", status=202), "202 Accepted", None, b"r", id="response"),
]


@pytest.mark.parametrize(("value", "status", "content_type", "body"), RETURNS)
def test_async_view_result_follows_the_rules(
    value: Any, status: str, content_type: str | None, body: bytes
) -> None:
    @view
    async def hello() -> Any:
        await asyncio.sleep(0)
        return value

    resp = TestApp(hello).get("/", status="*")
    assert resp.status == status
    if content_type is not None:
        assert resp.headers["Content-Type"] == content_type
    assert resp.body == body


def test_async_view_receives_the_request_and_sees_current_request() -> None:
    @view
    async def echo(request: Request) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"param": request.params["q"], "same": current_request() is request}

    assert TestApp(echo).get("/?q=7").json == {"param": "7", "same": True}


def test_async_view_called_with_a_request_returns_a_response() -> None:
    @view
    async def hello(request: Request) -> str:
        return f"hi {request.path}"

    resp = hello(Request.blank("/there"))
    assert isinstance(resp, Response)
    assert resp.text == "hi /there"


def test_async_method_view() -> None:
    class Views:
        prefix = "p:"

        @view
        async def show(self, request: Request) -> str:
            return self.prefix + request.path

    assert TestApp(Views().show).get("/m").text == "p:/m"


def test_abort_in_async_view_is_an_http_error() -> None:
    @view
    async def missing() -> str:
        await asyncio.sleep(0)
        abort(404)
        return "unreachable"

    TestApp(missing).get("/", status=404)


def test_exception_in_async_view_is_a_500() -> None:
    @view
    async def broken() -> str:
        await asyncio.sleep(0)
        raise RuntimeError("boom")

    resp = TestApp(broken).get("/", status=500)
    assert b"boom" not in resp.body


def test_async_view_returning_none_is_a_type_error_naming_the_view() -> None:
    @view(propagate_exceptions=True)
    async def forgot() -> None:
        await asyncio.sleep(0)

    with pytest.raises(TypeError, match=r"forgot did not return a valid response.*NoneType"):
        TestApp(forgot).get("/")


def test_coroutine_returning_a_coroutine_is_coerced_in_turn() -> None:
    async def inner() -> str:
        return "inner"

    @view
    async def outer() -> Any:
        return inner()

    assert TestApp(outer).get("/").text == "inner"


def test_coroutine_as_tuple_body() -> None:
    async def body() -> dict[str, int]:
        return {"x": 1}

    resp = make_response(body(), 202, {"X-Y": "z"})
    assert resp.status == "202 Accepted"
    assert resp.headers["X-Y"] == "z"
    assert resp.json == {"x": 1}


def test_make_response_outside_a_request_runs_the_coroutine() -> None:
    async def value() -> str:
        await asyncio.sleep(0)
        return "done"

    assert make_response(value()).text == "done"


# ------------------------------------------------------------------- event loops


def test_one_loop_per_thread_reused_across_requests() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    @view
    async def record() -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    app = TestApp(record)
    for _ in range(3):
        app.get("/")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(app.get, "/").result(timeout=10)
    assert len(loops) == 4
    assert loops[0] is loops[1] is loops[2]
    assert loops[3] is not loops[0]
    assert not loops[0].is_running()
    assert not loops[0].is_closed()


def test_thread_loop_is_closed_when_the_thread_ends() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def record() -> None:
        loops.append(asyncio.get_running_loop())

    thread = threading.Thread(target=run, args=(record(),))
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(loops) == 1
    assert loops[0].is_closed()


def test_called_from_a_running_loop_uses_the_background_loop() -> None:
    where: list[str] = []

    async def value() -> str:
        where.append(threading.current_thread().name)
        return "from background"

    async def main() -> str:
        text: str = make_response(value()).text
        return text

    assert asyncio.run(main()) == "from background"
    assert where == ["respond_mw-asyncio"]


def test_nested_coroutine_inside_an_async_view_runs_on_the_background_loop() -> None:
    async def inner() -> str:
        return "nested"

    @view
    async def outer() -> Response:
        resp = make_response(inner(), 201)
        return resp

    resp = TestApp(outer).get("/", status=201)
    assert resp.text == "nested"


def test_shared_loop_runs_views_on_the_background_thread(shared_loop: None) -> None:
    seen: list[tuple[str, str]] = []

    @view
    async def where(request: Request) -> str:
        seen.append((threading.current_thread().name, current_request().path))
        return "ok"

    TestApp(where).get("/a")
    TestApp(where).get("/b")
    assert seen == [("respond_mw-asyncio", "/a"), ("respond_mw-asyncio", "/b")]


def test_shared_loop_refuses_a_coroutine_from_its_own_loop(shared_loop: None) -> None:
    async def inner() -> str:
        return "never"

    @view(propagate_exceptions=True)
    async def outer() -> Response:
        return make_response(inner())

    with pytest.raises(RuntimeError, match="await the coroutine instead"):
        TestApp(outer).get("/")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_gets_a_fresh_loop() -> None:
    async def loop_of() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    parent_loop = run(loop_of())
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report, then leave without running any cleanup
        try:
            child_loop = run(loop_of())
            again = run(loop_of())
            ok = child_loop is not parent_loop and again is child_loop
            os.write(write_end, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        answer = os.read(read_end, 1)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    assert answer == b"1"
    assert run(loop_of()) is parent_loop


# ------------------------------------------------------------- async generators


def test_async_generator_streams_lazily_with_the_request() -> None:
    events: list[str] = []

    @view
    async def stream() -> AsyncIterator[Any]:
        async def chunks() -> AsyncIterator[Any]:
            events.append("started")
            yield "é-"
            await asyncio.sleep(0)
            yield current_request().path.encode()
            events.append("finished")

        return chunks()

    started, body = open_wsgi(stream, "/where")
    assert started.status == "200 OK"
    assert "Content-Length" not in dict(started.headers)
    assert isinstance(body, StreamingBody)
    assert events == ["started"]  # the first chunk is taken before the status is sent
    assert next(body) == "é-".encode()
    assert events == ["started"]
    assert list(body) == [b"/where"]
    assert events == ["started", "finished"]
    body.close()


def test_closing_the_body_acloses_the_async_generator() -> None:
    events: list[str] = []

    @view
    async def stream() -> AsyncIterator[str]:
        async def chunks() -> AsyncIterator[str]:
            try:
                for i in range(1000):
                    yield str(i)
            except GeneratorExit:
                events.append("exit")
                raise
            finally:
                await asyncio.sleep(0)
                events.append(f"finally {current_request().path}")

        return chunks()

    _, body = open_wsgi(stream, "/c")
    assert next(body) == b"0"
    assert next(body) == b"1"
    body.close()
    assert events == ["exit", "finally /c"]
    body.close()  # a second close does nothing
    assert events == ["exit", "finally /c"]


def test_head_request_closes_the_async_generator_after_its_first_chunk() -> None:
    events: list[str] = []

    async def chunks() -> AsyncIterator[str]:
        try:
            events.append("ran")
            yield "x"
        finally:
            events.append("closed")

    @view
    async def stream() -> AsyncIterator[str]:
        return chunks()

    resp = TestApp(stream).head("/")
    assert resp.body == b""
    assert events == ["ran", "closed"]  # GET's status needs the first chunk; then closed


def test_async_generator_through_webtest_lint() -> None:
    @view
    def sync_view_returning_async_generator() -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"a", b"b", b"c"):
                await asyncio.sleep(0)
                yield part

        return chunks()

    resp = TestApp(sync_view_returning_async_generator).get("/")
    assert resp.body == b"abc"
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"


def test_async_generator_with_tuple_status_and_headers() -> None:
    async def chunks() -> AsyncIterator[str]:
        yield "csv,1"

    @view
    def export() -> Any:
        return chunks(), 203, {"Content-Type": "text/csv"}

    resp = TestApp(export).get("/", status=203)
    assert resp.headers["Content-Type"] == "text/csv"
    assert resp.text == "csv,1"


class Countdown:
    """An async iterator that is not a generator (no aclose)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __aiter__(self) -> Countdown:
        return self

    async def __anext__(self) -> str:
        if self.n == 0:
            raise StopAsyncIteration
        self.n -= 1
        return str(self.n)


class Numbers:
    """An async iterable whose __aiter__ returns a fresh iterator."""

    def __aiter__(self) -> AsyncIterator[str]:
        return Countdown(2)


@pytest.mark.parametrize(
    ("value", "body"),
    [
        pytest.param(Countdown(3), b"210", id="async-iterator"),
        pytest.param(Numbers(), b"10", id="async-iterable"),
    ],
)
def test_async_iterators_stream(value: Any, body: bytes) -> None:
    @view
    def numbers() -> Any:
        return value

    assert TestApp(numbers).get("/").body == body


def test_async_generator_yielding_a_wrong_type_names_the_view() -> None:
    async def chunks() -> AsyncIterator[Any]:
        yield "fine"
        yield 42

    @view
    def bad() -> AsyncIterator[Any]:
        return chunks()

    _, body = open_wsgi(bad)
    assert next(body) == b"fine"
    with pytest.raises(TypeError, match=r"view .*bad yielded int \(42\)"):
        next(body)
    body.close()


def test_error_in_async_generator_propagates_from_the_body() -> None:
    async def chunks() -> AsyncIterator[str]:
        yield "a"
        raise ValueError("mid-stream")

    @view
    def failing() -> AsyncIterator[str]:
        return chunks()

    _, body = open_wsgi(failing)
    assert next(body) == b"a"
    with pytest.raises(ValueError, match="mid-stream"):
        next(body)
    body.close()


def test_unrelated_awaitable_is_still_rejected() -> None:
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()

        @view(propagate_exceptions=True)
        def returns_future() -> Any:
            return future

        with pytest.raises(TypeError, match="Future"):
            TestApp(returns_future).get("/")
    finally:
        loop.close()


def test_http_exception_from_coroutine_in_errorless_path() -> None:
    @view
    async def forbidden() -> Any:
        raise webob_exc.HTTPForbidden()

    TestApp(forbidden).get("/", status=403)


# ------------------------------------------------------------------- real server


@pytest.mark.functional
def test_async_views_on_waitress_concurrently() -> None:
    @view
    async def slow(request: Request) -> AsyncIterator[str]:
        await asyncio.sleep(0.05)

        async def chunks() -> AsyncIterator[str]:
            yield current_request().path
            await asyncio.sleep(0.01)
            yield "|" + threading.current_thread().name

        return chunks()

    def fetch(host: str, port: int, path: str) -> tuple[int, str, str | None]:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode(), resp.getheader("Transfer-Encoding")
        finally:
            conn.close()

    with serve(slow, threads=4) as url:
        host, port = url.removeprefix("http://").split(":")
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(fetch, host, int(port), f"/r{i}") for i in range(8)]
            results = [f.result(timeout=20) for f in futures]
    for i, (status, text, encoding) in enumerate(results):
        assert status == 200
        path, thread = text.split("|")
        assert path == f"/r{i}"
        assert thread != "respond_mw-asyncio"
        assert encoding == "chunked"


# ------------------------------------------------------------------- middleware


def test_async_route_with_parameters() -> None:
    mw = Middleware(legacy_app)

    @mw.route("/items/<int:item_id>")
    async def item(item_id: int, request: Request) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"id": item_id, "path": current_request().path}

    app = TestApp(mw)
    assert app.get("/items/3").json == {"id": 3, "path": "/items/3"}
    assert app.get("/other", status=202).text == "legacy /other"


def test_async_error_handler_keeps_its_status_and_headers() -> None:
    mw = Middleware()

    @mw.route("/missing")
    async def missing() -> str:
        abort(404)
        return "unreachable"

    @mw.errorhandler(404)
    async def not_found(error: Exception) -> Any:
        await asyncio.sleep(0)
        return {"error": current_request().path}, 410, {"X-Handler": "async"}

    @mw.errorhandler(500)
    async def server_error(error: Exception) -> str:
        return "async 500 page"

    @mw.route("/broken")
    async def broken() -> str:
        raise RuntimeError("boom")

    app = TestApp(mw)
    resp = app.get("/missing", status=410)
    assert resp.json == {"error": "/missing"}
    assert resp.headers["X-Handler"] == "async"
    resp = app.get("/broken", status=500)
    assert resp.text == "async 500 page"


def test_async_hooks() -> None:
    mw = Middleware(legacy_app)
    events: list[str] = []

    @mw.before_request
    async def check(request: Request) -> Any:
        await asyncio.sleep(0)
        events.append("before " + current_request().path)
        if request.path == "/blocked":
            return "blocked", 403
        return None

    @mw.after_request
    async def stamp(response: Response) -> Response:
        await asyncio.sleep(0)
        response.headers["X-After"] = current_request().path
        return response

    @mw.teardown_request
    async def done(error: BaseException | None) -> None:
        await asyncio.sleep(0)
        events.append(f"teardown {error!r}")

    app = TestApp(mw)
    resp = app.get("/open", status=202)
    assert resp.text == "legacy /open"
    assert resp.headers["X-After"] == "/open"
    resp = app.get("/blocked", status=403)
    assert resp.text == "blocked"
    assert resp.headers["X-After"] == "/blocked"
    assert events == ["before /open", "teardown None", "before /blocked", "teardown None"]


def test_async_route_streams_an_async_generator() -> None:
    mw = Middleware()
    events: list[str] = []

    @mw.route("/stream")
    async def stream() -> AsyncIterator[str]:
        async def chunks() -> AsyncIterator[str]:
            try:
                yield "a"
                yield current_request().path
            finally:
                events.append("closed")

        return chunks()

    assert TestApp(mw).get("/stream").text == "a/stream"
    assert events == ["closed"]
