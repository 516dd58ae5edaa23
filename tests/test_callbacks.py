"""after_this_request and stream_with_context (respond_mw.callbacks), at every edge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bottle
import pytest
from pyramid.config import Configurator
from webob import Request, Response
from webtest import TestApp

from respond_mw import (
    Middleware,
    abort,
    after_this_request,
    current_request,
    stream_with_context,
    view,
)
from respond_mw.integrations.bottle import RespondPlugin


def _stamp(label: str) -> Any:
    def stamp(response: Response) -> Response:
        response.headers.add("X-After", label)
        return response

    return stamp


def page() -> str:
    after_this_request(_stamp("one"))
    after_this_request(_stamp("two"))
    return "page"


def _pyramid() -> Any:
    with Configurator() as config:
        config.include("respond_mw.integrations.pyramid")
        config.add_route("p", "/")
        config.add_view(lambda request: page(), route_name="p")
        return config.make_wsgi_app()


def _bottle() -> Any:
    app = bottle.Bottle()
    app.install(RespondPlugin())
    app.route("/")(page)
    return app


def _route() -> Any:
    mw = Middleware()
    mw.route("/")(page)
    return mw


def _route_with_hooks() -> Any:
    mw = _route()
    mw.after_request(_stamp("hook"))  # runs after the request's own functions
    return mw


EDGES = {
    "view": lambda: view(page),
    "route": _route,
    "route-with-hooks": _route_with_hooks,
    "pyramid": _pyramid,
    "bottle": _bottle,
}


@pytest.mark.parametrize("edge", EDGES, ids=str)
def test_the_functions_run_in_order_on_the_response(edge: str) -> None:
    resp = TestApp(EDGES[edge]()).get("/")
    assert resp.text == "page"
    expected = ["one", "two", "hook"] if edge == "route-with-hooks" else ["one", "two"]
    assert resp.headers.getall("X-After") == expected


def test_view_called_with_a_request_runs_them_too() -> None:
    assert view(page)(Request.blank("/")).headers.getall("X-After") == ["one", "two"]


def test_they_are_for_one_request_only() -> None:
    calls: list[str] = []

    @view
    def once() -> str:
        if current_request().params.get("register"):
            after_this_request(lambda r: calls.append("ran") or r)
        return "x"

    app = TestApp(once)
    app.get("/?register=1")
    app.get("/")
    assert calls == ["ran"]


def test_hooks_and_error_handlers_may_register_them() -> None:
    mw = Middleware()

    @mw.before_request
    def early() -> None:
        after_this_request(_stamp("from the hook"))

    @mw.route("/gone")
    def gone() -> Any:
        abort(410)

    @mw.errorhandler(410)
    def handler(error: Exception) -> str:
        after_this_request(_stamp("from the handler"))
        return "it is gone"

    resp = TestApp(mw).get("/gone", status=410)
    assert resp.headers.getall("X-After") == ["from the hook", "from the handler"]


def test_a_function_that_returns_no_response_is_a_500(caplog: pytest.LogCaptureFixture) -> None:
    @view
    def broken() -> str:
        after_this_request(lambda response: None)
        return "x"

    TestApp(broken).get("/", status=500)
    assert "must return the webob.Response it received" in caplog.text


def test_outside_a_request_it_says_so() -> None:
    with pytest.raises(RuntimeError, match="outside of a request"):
        after_this_request(lambda response: response)


def test_stream_with_context_is_the_stream_itself() -> None:
    def chunks() -> Iterator[str]:
        yield current_request().path

    stream = chunks()
    assert stream_with_context(stream) is stream

    @view
    def streamed() -> Any:
        return stream_with_context(chunks())

    assert TestApp(streamed).get("/here").text == "/here"
