"""The Bottle part of the demo, mounted under ``/bottle``.

``RespondPlugin`` makes every route's return value go through the rules; one route
skips it the Bottle way, and an ``@app.error(401)`` handler answers
:func:`bottle.abort`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import bottle
from webob import Response

from respond_mw import current_request
from respond_mw.integrations.bottle import RespondPlugin

from .shared import PAGE_END, Example, Point, clock_app, page, page_start, point_as_json

__all__ = ["EXAMPLES", "make_app"]


def home() -> Any:
    path = html.escape(current_request().path)
    return page("Bottle", f"<p>This str came from a Bottle route at {path}.</p>")


def as_list() -> Any:
    return ["bottle", "returns", "a", "list"]


def hello(name: str) -> Any:
    return {"hello": name, "framework": "bottle"}


def stream() -> Any:
    def lines() -> Iterator[str]:
        for number in range(1, 4):
            yield f"bottle chunk {number} for {current_request().path}\n"

    return lines(), {"Content-Type": "text/plain; charset=UTF-8"}  # streamed, plain text


def as_tuple() -> Any:
    return "created by Bottle", 201, {"Content-Type": "text/plain", "X-Demo": "bottle"}


def cookies() -> Any:
    response = Response("two cookies set", content_type="text/plain")
    response.set_cookie("flavour", "chocolate")
    response.set_cookie("size", "large")
    return response


def wsgi() -> Any:
    return clock_app


def point() -> Any:
    return Point(6, 8)


def skipped() -> Any:
    # Bottle joins a list of str itself (through the plugin a list would be JSON).
    return [page_start("Bottle's own handling"), "<p>joined ", "by Bottle itself</p>", PAGE_END]


def unauthorized() -> Any:
    bottle.abort(401, "Bottle's abort still works")


def unauthorized_page(error: bottle.HTTPError) -> str:
    message = html.escape(str(error.body))
    return page("Unauthorized", f"<p>An @app.error(401) handler of Bottle says: {message}</p>")


def make_app() -> bottle.Bottle:
    """Build the Bottle application."""
    app = bottle.Bottle()
    app.install(RespondPlugin())
    app.route("/", "GET", home)
    app.route("/list", "GET", as_list)
    app.route("/hello/<name>", "GET", hello)
    app.route("/stream", "GET", stream)
    app.route("/tuple", "GET", as_tuple)
    app.route("/cookies", "GET", cookies)
    app.route("/wsgi", "GET", wsgi)
    app.route("/point", "GET", point)
    app.route("/skipped", "GET", skipped, skip=[RespondPlugin])
    app.route("/unauthorized", "GET", unauthorized)
    app.error(401)(unauthorized_page)
    return app


#: The examples of the index page (paths under ``/bottle``) and the tests.
EXAMPLES = [
    Example("/", "str: an HTML page", (home,)),
    Example("/list", "list: JSON (Bottle alone cannot)", (as_list,)),
    Example("/hello/demo", "a URL parameter, returned in a dict", (hello,)),
    Example("/stream", "generator: streamed as text/plain, current_request() inside", (stream,)),
    Example("/tuple", "(body, status, headers) tuple", (as_tuple,)),
    Example("/cookies", "a WebOb response with two Set-Cookie headers", (cookies,)),
    Example("/wsgi", "a WSGI application run for the request", (wsgi, clock_app)),
    Example("/point", "an adapted custom type (Point)", (point, point_as_json)),
    Example("/skipped", "skip=[RespondPlugin]: Bottle's own handling", (skipped,)),
    Example(
        "/unauthorized",
        "bottle.abort(401), answered by Bottle's error handler",
        (unauthorized, unauthorized_page),
    ),
    Example("/nowhere", "no such route: the site's custom 404 page", ()),
]
