"""The Pyramid part of the demo, mounted under ``/pyramid``.

Every view is a plain function registered with ``config.add_view``; the include
``respond_mw.integrations.pyramid`` lets them return whatever is natural. One view
keeps Pyramid's own ``renderer="json"``, one is a ``@view`` registered directly, and
an exception view of the application answers :func:`respond_mw.abort`'s ``403``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from pyramid.config import Configurator
from webob.exc import HTTPForbidden

from respond_mw import abort, current_request, view

from .shared import Example, Point, clock_app, page, point_as_json

__all__ = ["EXAMPLES", "make_app"]

TEXT = {"Content-Type": "text/plain; charset=UTF-8"}


def home(request: Any) -> Any:
    path = html.escape(request.path)
    return page("Pyramid", f"<p>This str came from a Pyramid view at {path}.</p>")


def as_json(request: Any) -> Any:
    return {"framework": "pyramid", "route": request.matched_route.name}


def as_list(request: Any) -> Any:
    return ["pyramid", "returns", "a", "list"]


def stream(request: Any) -> Any:
    def lines() -> Iterator[str]:
        for number in range(1, 4):
            yield f"pyramid chunk {number} for {current_request().path}\n"

    return lines(), TEXT  # streamed; text/plain, so a browser shows the lines


def as_tuple(request: Any) -> Any:
    return "accepted by Pyramid", 202, {"Content-Type": "text/plain", "X-Demo": "pyramid"}


def wsgi(request: Any) -> Any:
    return clock_app


def point(request: Any) -> Any:
    return Point(3, 4)


def rendered(request: Any) -> Any:
    return {"rendered_by": "pyramid's json renderer"}


@view
def registered_view(context: Any, request: Any) -> Any:
    return {"view": "@view", "context": type(context).__name__}


def forbidden(request: Any) -> Any:
    abort(403, "Pyramid views may call respond_mw.abort")


def forbidden_page(context: HTTPForbidden, request: Any) -> Any:
    message = html.escape(context.detail or "")
    return page("Forbidden", f"<p>A Pyramid exception view says: {message}</p>"), 403


def make_app() -> Any:
    """Build the Pyramid WSGI application."""
    with Configurator() as config:
        config.include("respond_mw.integrations.pyramid")
        for name, pattern, func, options in [
            ("home", "/", home, {}),
            ("json", "/json", as_json, {}),
            ("list", "/list", as_list, {}),
            ("stream", "/stream", stream, {}),
            ("tuple", "/tuple", as_tuple, {}),
            ("wsgi", "/wsgi", wsgi, {}),
            ("point", "/point", point, {}),
            ("renderer", "/renderer", rendered, {"renderer": "json"}),
            ("view", "/view", registered_view, {}),
            ("forbidden", "/forbidden", forbidden, {}),
        ]:
            config.add_route(name, pattern)
            config.add_view(func, route_name=name, **options)
        config.add_exception_view(forbidden_page, context=HTTPForbidden)
        return config.make_wsgi_app()


#: The examples of the index page (paths under ``/pyramid``) and the tests.
EXAMPLES = [
    Example("/", "str: an HTML page", (home,)),
    Example("/json", "dict: JSON", (as_json,)),
    Example("/list", "list: JSON", (as_list,)),
    Example("/stream", "generator: streamed as text/plain, current_request() inside", (stream,)),
    Example("/tuple", "(body, status, headers) tuple", (as_tuple,)),
    Example("/wsgi", "a WSGI application run for the request", (wsgi, clock_app)),
    Example("/point", "an adapted custom type (Point)", (point, point_as_json)),
    Example("/renderer", 'renderer="json": Pyramid renders it, unaffected', (rendered,)),
    Example("/view", "a @view function registered with config.add_view", (registered_view,)),
    Example(
        "/forbidden",
        "respond_mw.abort(403) answered by an exception view",
        (forbidden, forbidden_page),
    ),
    Example("/nowhere", "no such view: the site's custom 404 page", ()),
]
