"""The request context: current_request() everywhere a request is handled, nothing leaks."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from webob import Request, Response
from webtest import TestApp

from respond_mw import Middleware, abort, current_request
from respond_mw.context import current_state

from .wsgi_support import legacy_app, open_wsgi


def test_outside_a_request_it_raises() -> None:
    assert current_state() is None
    with pytest.raises(RuntimeError, match="outside of a request"):
        current_request()


def test_everywhere_a_request_is_handled() -> None:
    mw = Middleware(legacy_app)
    seen: dict[str, str] = {}

    def note(where: str) -> None:
        seen[where] = current_request().path_qs

    @mw.before_request
    def before() -> None:
        note("before")

    @mw.after_request
    def after(response: Response) -> Response:
        note("after")
        return response

    @mw.teardown_request
    def teardown(error: BaseException | None) -> None:
        note("teardown")

    @mw.route("/stream")
    def stream() -> Iterator[str]:
        note("route")
        yield "a"
        note("generator")
        yield "b"

    @mw.route("/fail")
    def fail() -> str:
        abort(404)

    @mw.errorhandler(404)
    def not_found(error: Any) -> str:
        note("handler")
        return "nope"

    app = TestApp(mw, lint=True)
    assert app.get("/stream?q=1").text == "ab"
    assert seen == {
        "before": "/stream?q=1",
        "route": "/stream?q=1",
        "generator": "/stream?q=1",
        "after": "/stream?q=1",
        "teardown": "/stream?q=1",
    }
    seen.clear()
    app.get("/fail?q=2", status=404)
    assert seen["handler"] == "/fail?q=2"
    seen.clear()
    assert app.get("/legacy?q=3", status=202).text == "legacy /legacy"
    assert seen == {"before": "/legacy?q=3", "after": "/legacy?q=3", "teardown": "/legacy?q=3"}
    assert current_state() is None


def test_generator_returned_by_a_before_request_hook() -> None:
    mw = Middleware()
    mw.add_route("/x", lambda: "route")

    @mw.before_request
    def maintenance() -> Iterator[str]:
        yield "maintenance for "
        yield current_request().path

    assert TestApp(mw, lint=True).get("/x").text == "maintenance for /x"


def test_nothing_is_left_after_the_response_is_closed() -> None:
    mw = Middleware()

    @mw.route("/stream")
    def stream() -> Iterator[str]:
        yield current_request().path
        yield "more"

    _, body = open_wsgi(mw, "/stream")
    assert current_state() is None
    assert b"".join(body) == b"/streammore"
    body.close()
    assert current_state() is None


def test_abandoned_generator_closes_in_context_and_leaks_nothing() -> None:
    mw = Middleware()
    events: list[str] = []
    torn: list[Any] = []

    @mw.route("/stream")
    def stream() -> Iterator[str]:
        try:
            for i in range(1000):
                yield f"{i};"
        finally:
            events.append(f"closed in {current_request().path}")

    @mw.teardown_request
    def teardown(error: BaseException | None) -> None:
        torn.append((error, current_request().path))

    _, body = open_wsgi(mw, "/stream")
    iterator = iter(body)
    assert next(iterator) == b"0;"
    assert current_state() is None
    body.close()
    assert events == ["closed in /stream"]
    assert torn == [(None, "/stream")]
    assert current_state() is None


def test_the_request_is_freed_once_the_response_is_closed() -> None:
    mw = Middleware(legacy_app)
    mw.teardown_request(lambda error: None)
    requests: list[weakref.ref[Request]] = []

    @mw.route("/stream")
    def stream(request: Request) -> Iterator[str]:
        requests.append(weakref.ref(request))
        yield "a"
        yield "b"

    _, body = open_wsgi(mw, "/stream")
    assert next(iter(body)) == b"a"
    body.close()
    del body
    assert len(requests) == 1
    for _ in range(20):  # bounded: another test's thread may still be finishing
        gc.collect()
        if requests[0]() is None:
            break
        time.sleep(0.01)
    assert requests[0]() is None


def test_threads_never_see_each_others_requests() -> None:
    mw = Middleware()
    count = 8
    barrier = threading.Barrier(count, timeout=10)

    @mw.route("/who/<int:n>")
    def who(n: int) -> Iterator[str]:
        yield f"{n}:{current_request().path};"
        barrier.wait()  # every thread is now inside its own generator
        yield f"{n}:{current_request().path};"

    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            _, body = open_wsgi(mw, f"/who/{n}")
            try:
                results[n] = b"".join(body)
            finally:
                body.close()
            assert current_state() is None
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert not errors
    assert results == {n: f"{n}:/who/{n};{n}:/who/{n};".encode() for n in range(count)}


def test_nested_middlewares_each_see_the_request() -> None:
    inner = Middleware()
    outer = Middleware(inner)
    seen: list[str] = []

    @inner.route("/x")
    def route() -> str:
        seen.append("inner route " + current_request().path)
        return "x"

    @outer.after_request
    def after(response: Response) -> Response:
        seen.append("outer after " + current_request().path)
        return response

    assert TestApp(outer, lint=True).get("/x").text == "x"
    assert seen == ["inner route /x", "outer after /x"]
    assert current_state() is None
