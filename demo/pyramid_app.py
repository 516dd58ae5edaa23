"""The Pyramid part of the demo, mounted under ``/pyramid``.

Every view is a plain function registered with ``config.add_view``; the include
``respond_mw.integrations.pyramid`` lets them return whatever is natural. One view
keeps Pyramid's own ``renderer="json"``, one is a ``@view`` registered directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyramid.config import Configurator

from respond_mw import abort, current_request, view

from .shared import Point, clock_app

__all__ = ["EXAMPLES", "make_app"]

#: ``(path under /pyramid, what it shows)`` for the index page and the tests.
EXAMPLES = [
    ("/", "str: an HTML page"),
    ("/json", "dict: JSON"),
    ("/list", "list: JSON"),
    ("/stream", "generator: streamed, current_request() inside"),
    ("/tuple", "(body, status, headers) tuple"),
    ("/wsgi", "a WSGI application run for the request"),
    ("/point", "an adapted custom type (Point)"),
    ("/renderer", 'renderer="json": Pyramid renders it, unaffected'),
    ("/view", "a @view function registered with config.add_view"),
    ("/forbidden", "respond_mw.abort(403) answered by an exception view"),
    ("/nowhere", "no such view: the site's custom 404 page"),
]


def home(request: Any) -> Any:
    return f"<h1>Pyramid</h1><p>This str came from a Pyramid view at {request.path}.</p>"


def as_json(request: Any) -> Any:
    return {"framework": "pyramid", "route": request.matched_route.name}


def as_list(request: Any) -> Any:
    return ["pyramid", "returns", "a", "list"]


def stream(request: Any) -> Iterator[str]:
    for number in range(1, 4):
        yield f"pyramid chunk {number} for {current_request().path}\n"


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
        return config.make_wsgi_app()
