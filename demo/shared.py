"""Pieces every stack of the demo uses.

* :func:`page` -- the demo's page layout: an inline stylesheet (no external assets)
  and a link back to the index on every HTML page;
* :class:`Example` -- one example of the index page: its URL, what it shows and the
  functions that produce it, whose source the index shows
  (:func:`inspect.getsource`, so it never goes stale);
* :class:`Point` and :func:`clock_app` -- a custom type and a raw WSGI application
  that the views return.
"""

from __future__ import annotations

import html
import inspect
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from respond_mw import response_adapter

__all__ = [
    "PAGE_END",
    "STYLE",
    "Example",
    "Point",
    "clock_app",
    "page",
    "page_start",
    "point_as_json",
    "source_html",
]

#: The stylesheet of every HTML page of the demo, inlined in its ``<head>``.
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
       sans-serif; line-height: 1.5; max-width: 50rem; margin: 0 auto;
       padding: 1rem 1.25rem 3rem; color: #1f2328; background: #fff; }
a { color: #0969da; }
nav { font-size: 0.9rem; padding: 0.5rem 0 1rem; border-bottom: 1px solid #d0d7de; }
h1 { font-size: 1.75rem; margin: 1.25rem 0 0.75rem; }
h2 { font-size: 1.3rem; margin-top: 2.5rem; padding-bottom: 0.25rem;
     border-bottom: 1px solid #d0d7de; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
            font-size: 0.85rem; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
      padding: 0.75rem 1rem; overflow-x: auto; line-height: 1.45; }
.example { margin: 1.5rem 0 2rem; }
.example p { margin-bottom: 0.5rem; }
input, button { font: inherit; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; }
  a { color: #4493f8; }
  nav, h2 { border-color: #30363d; }
  pre { background: #161b22; border-color: #30363d; }
}
"""


def page_start(title: str) -> str:
    """The top of a demo page: ``<head>`` with the stylesheet, the link to the index."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        "<nav><a class='home' href='/'>&larr; respond_mw demo: all examples</a></nav>"
        f"<h1>{html.escape(title)}</h1>"
    )


#: The bottom of a demo page.
PAGE_END = "</body></html>"


def page(title: str, body: str) -> str:
    """A demo page: ``title`` (escaped here) above ``body`` (HTML, escaped by the caller)."""
    return f"{page_start(title)}{body}{PAGE_END}"


@dataclass(frozen=True)
class Example:
    """One example of the index page."""

    #: The URL the index links to.
    path: str
    #: What it shows, in a few words.
    what: str
    #: The functions that produce its answer; the index shows their source.
    code: tuple[Callable[..., Any], ...]


def source_html(func: Callable[..., Any]) -> str:
    """The source lines of ``func``, read from the function itself, escaped for HTML."""
    return html.escape(inspect.getsource(func))


@dataclass(frozen=True)
class Point:
    """A type of the application that views return as it is."""

    x: float
    y: float


@response_adapter(Point)
def point_as_json(point: Point) -> Any:
    """Teach the rules what a :class:`Point` looks like on the wire."""
    return {"x": point.x, "y": point.y, "norm": (point.x**2 + point.y**2) ** 0.5}


def clock_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A raw WSGI application that views return (it is run for their request)."""
    body = f"WSGI app at {environ['SCRIPT_NAME']}{environ['PATH_INFO']}, {time.ctime()}\n"
    start_response("200 OK", [("Content-Type", "text/plain; charset=UTF-8"), ("X-Wsgi", "yes")])
    return [body.encode()]
