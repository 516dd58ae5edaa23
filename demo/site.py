"""The demo site: every stack respond_mw supports, in one WSGI application.

* ``/rules/...`` -- plain functions mounted as routes, one page per rule;
* ``/pyramid/...`` -- a Pyramid application (:mod:`demo.pyramid_app`);
* ``/bottle/...`` -- a Bottle application (:mod:`demo.bottle_app`);
* everything else -- the legacy raw WSGI application of :mod:`demo.legacy`, wrapped
  by its own :class:`~respond_mw.Middleware` (new routes ``/hello/<name>``,
  ``/items/<id>``, hooks, and the custom 404 page with an ``X-Something`` header,
  which this site uses for every 404, its stacks' included, as it does its
  ``Server-Timing`` hooks);
* ``/`` -- an index page linking every example.

:data:`app` is the WSGI application; ``python -m demo`` serves it with waitress.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from typing import Any

from webob import Request, Response

from respond_mw import Middleware, abort, current_request, make_response

from . import bottle_app, legacy, pyramid_app
from .shared import Point, clock_app

__all__ = ["EXAMPLES", "app", "index"]

#: The examples of the index page: ``(section, path, what it shows)``.
EXAMPLES: list[tuple[str, str, str]] = [
    ("Plain functions (Middleware routes)", "/rules/str", "str: an HTML page"),
    ("Plain functions (Middleware routes)", "/rules/bytes", "bytes: raw bytes"),
    ("Plain functions (Middleware routes)", "/rules/dict", "dict: JSON"),
    ("Plain functions (Middleware routes)", "/rules/list", "list: JSON"),
    ("Plain functions (Middleware routes)", "/rules/stream", "generator: streamed line by line"),
    ("Plain functions (Middleware routes)", "/rules/status", "(body, status)"),
    ("Plain functions (Middleware routes)", "/rules/headers", "(body, headers)"),
    ("Plain functions (Middleware routes)", "/rules/status-headers", "(body, status, headers)"),
    ("Plain functions (Middleware routes)", "/rules/response", "a webob Response with a cookie"),
    ("Plain functions (Middleware routes)", "/rules/wsgi", "a WSGI application"),
    ("Plain functions (Middleware routes)", "/rules/adapted", "an adapted custom type (Point)"),
    ("Plain functions (Middleware routes)", "/rules/abort", "abort(404): the custom 404 page"),
    ("Legacy WSGI app wrapped by Middleware", "/report", "legacy streamed report, untouched"),
    ("Legacy WSGI app wrapped by Middleware", "/hello/world", "a new route in front of it"),
    ("Legacy WSGI app wrapped by Middleware", "/items/2", "a new route with an int parameter"),
    ("Legacy WSGI app wrapped by Middleware", "/nowhere", "the legacy 404, custom page"),
    *[("Pyramid, mounted under /pyramid", f"/pyramid{p}", w) for p, w in pyramid_app.EXAMPLES],
    *[("Bottle, mounted under /bottle", f"/bottle{p}", w) for p, w in bottle_app.EXAMPLES],
]

app = Middleware(legacy.app)
app.mount("/pyramid", pyramid_app.make_app())
app.mount("/bottle", bottle_app.make_app())
# The legacy app's custom 404 page and timing hooks, for the whole site.
app.errorhandler(404)(legacy.not_found)
app.before_request(legacy.start_timer)
app.after_request(legacy.add_timing)


@app.route("/")
def index() -> str:
    """The index page: a link to every example."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>respond_mw demo</title>",
        "</head><body><h1>respond_mw demo</h1>",
        "<p>Plain functions return whatever is natural; every stack responds.</p>",
    ]
    section = None
    for group, path, what in EXAMPLES:
        if group != section:
            if section is not None:
                parts.append("</ul>")
            parts.append(f"<h2>{html.escape(group)}</h2><ul>")
            section = group
        parts.append(
            f"<li><a href='{html.escape(path)}'>{html.escape(path)}</a> "
            f"&mdash; {html.escape(what)}</li>"
        )
    parts.append("</ul></body></html>")
    return "".join(parts)


@app.route("/rules/str")
def rule_str() -> str:
    return "<h1>Hello from a str</h1><p>A str is an HTML page (200, UTF-8).</p>"


@app.route("/rules/bytes")
def rule_bytes() -> bytes:
    return b"<p>bytes go out as they are: \xe2\x9c\x93</p>"


@app.route("/rules/dict")
def rule_dict(request: Request) -> dict[str, Any]:
    return {"rule": "dict", "becomes": "application/json", "path": request.path}


@app.route("/rules/list")
def rule_list() -> list[Any]:
    return ["a", "list", "is", "JSON", "too", 1, 2, 3]


@app.route("/rules/stream")
def rule_stream() -> Iterator[str]:
    yield f"Streaming {current_request().path}; each line is sent as it is produced.\n"
    for number in range(1, 6):
        time.sleep(0.05)
        yield f"line {number}\n"


@app.route("/rules/status")
def rule_status() -> tuple[str, int]:
    return "<p>Created, with status 201.</p>", 201


@app.route("/rules/headers")
def rule_headers() -> tuple[str, dict[str, str]]:
    return "plain text, by a header", {"Content-Type": "text/plain", "X-Demo": "headers"}


@app.route("/rules/status-headers")
def rule_status_headers() -> tuple[dict[str, str], int, dict[str, str]]:
    return {"error": "I'm a teapot"}, 418, {"X-Tea": "earl grey"}


@app.route("/rules/response")
def rule_response() -> Response:
    response = make_response("<p>A webob Response, used as it is, with a cookie.</p>")
    response.set_cookie("demo", "respond_mw")
    return response


@app.route("/rules/wsgi")
def rule_wsgi() -> Any:
    return clock_app


@app.route("/rules/adapted")
def rule_adapted() -> Point:
    return Point(1.5, 2)


@app.route("/rules/abort")
def rule_abort() -> None:
    abort(404, "nothing here on purpose")
