"""The Bottle part of the demo, mounted under ``/bottle``.

``RespondPlugin`` makes every route's return value go through the rules; one route
skips it the Bottle way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bottle
from webob import Response

from respond_mw import current_request
from respond_mw.integrations.bottle import RespondPlugin

from .shared import Point, clock_app

__all__ = ["EXAMPLES", "make_app"]

#: ``(path under /bottle, what it shows)`` for the index page and the tests.
EXAMPLES = [
    ("/", "str: an HTML page"),
    ("/list", "list: JSON (Bottle alone cannot)"),
    ("/hello/demo", "a URL parameter, returned in a dict"),
    ("/stream", "generator: streamed, current_request() inside"),
    ("/tuple", "(body, status, headers) tuple"),
    ("/cookies", "a WebOb response with two Set-Cookie headers"),
    ("/wsgi", "a WSGI application run for the request"),
    ("/point", "an adapted custom type (Point)"),
    ("/skipped", "skip=[RespondPlugin]: Bottle's own handling"),
    ("/unauthorized", "bottle.abort(401), handled by Bottle"),
    ("/nowhere", "no such route: the site's custom 404 page"),
]


def home() -> Any:
    return f"<h1>Bottle</h1><p>This str came from a Bottle route at {current_request().path}.</p>"


def as_list() -> Any:
    return ["bottle", "returns", "a", "list"]


def hello(name: str) -> Any:
    return {"hello": name, "framework": "bottle"}


def stream() -> Iterator[str]:
    for number in range(1, 4):
        yield f"bottle chunk {number} for {current_request().path}\n"


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
    return ["joined ", "by Bottle itself"]


def unauthorized() -> Any:
    bottle.abort(401, "Bottle's abort still works")


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
    return app
