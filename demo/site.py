"""The demo site: every stack respond_mw supports, in one WSGI application.

* ``/rules/...`` -- plain functions mounted as routes, one page per rule;
* ``/pyramid/...`` -- a Pyramid application (:mod:`demo.pyramid_app`);
* ``/bottle/...`` -- a Bottle application (:mod:`demo.bottle_app`);
* everything else -- the legacy raw WSGI application of :mod:`demo.legacy`, wrapped
  by its own :class:`~respond_mw.Middleware` (new routes ``/hello/<name>``,
  ``/items/<id>``, hooks, and the custom 404 page with an ``X-Something`` header,
  which this site uses for every 404, its stacks' included, as it does its
  ``Server-Timing`` hooks);
* ``/`` -- the index page: every example's URL, what it shows, and the source of the
  functions that answer it, read from them with :func:`inspect.getsource`.

Every HTML page has the demo's inline stylesheet and a link back to the index
(:func:`demo.shared.page`); streamed examples are ``text/plain``, so a browser shows
their lines one by one. User input that goes into HTML is escaped.

:data:`app` is the WSGI application; ``python -m demo`` serves it with waitress.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from typing import Any

from webob import Request, Response
from webob.exc import HTTPMethodNotAllowed

from respond_mw import Middleware, abort, current_request, make_response

from . import bottle_app, legacy, pyramid_app
from .shared import Example, Point, clock_app, page, point_as_json, source_html

__all__ = ["EXAMPLES", "app", "index"]

app = Middleware(legacy.app)
app.mount("/pyramid", pyramid_app.make_app())
app.mount("/bottle", bottle_app.make_app())
# The legacy app's custom 404 page and timing hooks, for the whole site.
app.errorhandler(404)(legacy.not_found)
app.before_request(legacy.start_timer)
app.after_request(legacy.add_timing)

TEXT = {"Content-Type": "text/plain; charset=UTF-8"}


@app.route("/")
def index() -> str:
    """The index page: every example, its link and its code."""
    parts = [
        "<p>Plain functions return whatever is natural -- a str, a dict, a generator, "
        "a tuple, a response, a WSGI application -- and respond_mw turns the value into "
        "a response, in every stack. Below, each example's URL, what it shows, and the "
        "code that answers it, read from the function itself. JSON and plain-text "
        "answers cannot link back here: use your browser's back button.</p>"
    ]
    section = None
    for group, example in EXAMPLES:
        if group != section:
            parts.append(f"<h2>{html.escape(group)}</h2>")
            section = group
        path = html.escape(example.path)
        parts.append(
            f"<div class='example'><p><a href='{path}'>{path}</a> "
            f"&mdash; {html.escape(example.what)}</p>"
        )
        parts.extend(f"<pre><code>{source_html(func)}</code></pre>" for func in example.code)
        parts.append("</div>")
    parts.append("<h2>Around every example</h2>")
    parts.append("<p>The site's hooks time every request, whatever the stack:</p>")
    parts.extend(
        f"<pre><code>{source_html(func)}</code></pre>"
        for func in (legacy.start_timer, legacy.add_timing)
    )
    parts.append("<p>and every HTML page of the demo is made by:</p>")
    parts.append(f"<pre><code>{source_html(page)}</code></pre>")
    return page("respond_mw demo", "".join(parts))


@app.route("/rules/str")
def rule_str() -> str:
    return page("Hello from a str", "<p>A str is an HTML page (200, UTF-8).</p>")


@app.route("/rules/bytes")
def rule_bytes() -> bytes:
    return page("Hello from bytes", "<p>bytes go out as they are: \u2713</p>").encode()


@app.route("/rules/dict")
def rule_dict(request: Request) -> dict[str, Any]:
    return {"rule": "dict", "becomes": "application/json", "path": request.path}


@app.route("/rules/list")
def rule_list() -> list[Any]:
    return ["a", "list", "is", "JSON", "too", 1, 2, 3]


@app.route("/rules/stream")
def rule_stream() -> tuple[Iterator[str], dict[str, str]]:
    def lines() -> Iterator[str]:
        yield f"Streaming {current_request().path}; each line is sent as it is produced.\n"
        for number in range(1, 6):
            time.sleep(0.05)
            yield f"line {number}\n"

    return lines(), TEXT  # streamed; text/plain, so a browser shows the lines


@app.route("/rules/status")
def rule_status() -> tuple[str, int]:
    return page("Created", "<p>Created, with status 201.</p>"), 201


@app.route("/rules/headers")
def rule_headers() -> tuple[str, dict[str, str]]:
    return "plain text, by a header", {"Content-Type": "text/plain", "X-Demo": "headers"}


@app.route("/rules/status-headers")
def rule_status_headers() -> tuple[dict[str, str], int, dict[str, str]]:
    return {"error": "I'm a teapot"}, 418, {"X-Tea": "earl grey"}


@app.route("/rules/response")
def rule_response() -> Response:
    response = make_response(page("A response", "<p>A webob Response, used as it is.</p>"))
    response.set_cookie("demo", "respond_mw")
    return response


@app.route("/rules/wsgi")
def rule_wsgi() -> Any:
    return clock_app


@app.route("/rules/adapted")
def rule_adapted() -> Point:
    return Point(1.5, 2)


@app.route("/rules/greet")
def rule_greet(request: Request) -> str:
    name = request.GET.get("name", "world")
    # What the user sent goes into the HTML escaped: markup in it shows as text.
    return page("Greeting", f"<p>Hello, {html.escape(name)}!</p>")


@app.route("/rules/post-only", methods=["POST"])
def rule_post_only(request: Request) -> str:
    note = request.POST.get("note", "")
    return page("Posted", f"<p>You posted the note: {html.escape(note)}</p>")


@app.errorhandler(405)
def method_not_allowed(error: HTTPMethodNotAllowed, request: Request) -> str:
    allowed = error.headers.get("Allow", "")
    form = ""
    if "POST" in allowed.split(", "):
        form = (
            "<form method='post'><input name='note' value='&lt;b&gt;a note&lt;/b&gt;'> "
            "<button>POST it</button></form>"
        )
    message = f"{request.method} is not allowed here (Allow: {allowed})."
    return page("Method not allowed", f"<p>{html.escape(message)}</p>{form}")


@app.route("/rules/abort")
def rule_abort() -> None:
    abort(404, "nothing here on purpose")


def _mounted(section: str, prefix: str, examples: list[Example]) -> list[tuple[str, Example]]:
    """A mounted application's examples, under its prefix (404s: the site's page)."""
    return [
        (section, Example(prefix + e.path, e.what, e.code or (legacy.not_found,))) for e in examples
    ]


RULES = "Plain functions (Middleware routes)"
LEGACY = "Legacy WSGI app wrapped by Middleware"
GREET = "/rules/greet?name=%3Cem%3EAda%3C%2Fem%3E"

#: The examples of the index page: ``(section, example)``.
EXAMPLES: list[tuple[str, Example]] = [
    (RULES, Example("/rules/str", "str: an HTML page", (rule_str,))),
    (RULES, Example("/rules/bytes", "bytes: raw bytes", (rule_bytes,))),
    (RULES, Example("/rules/dict", "dict: JSON", (rule_dict,))),
    (RULES, Example("/rules/list", "list: JSON", (rule_list,))),
    (RULES, Example("/rules/stream", "generator: streamed as text/plain", (rule_stream,))),
    (RULES, Example("/rules/status", "(body, status)", (rule_status,))),
    (RULES, Example("/rules/headers", "(body, headers)", (rule_headers,))),
    (RULES, Example("/rules/status-headers", "(body, status, headers)", (rule_status_headers,))),
    (RULES, Example("/rules/response", "a webob Response with a cookie", (rule_response,))),
    (RULES, Example("/rules/wsgi", "a WSGI application", (rule_wsgi, clock_app))),
    (RULES, Example("/rules/adapted", "an adapted custom type", (rule_adapted, point_as_json))),
    (RULES, Example(GREET, "user input in HTML, escaped", (rule_greet,))),
    (
        RULES,
        Example(
            "/rules/post-only",
            "POST only: a GET answers 405 with Allow (and a form to POST)",
            (rule_post_only, method_not_allowed),
        ),
    ),
    (
        RULES,
        Example("/rules/abort", "abort(404): the custom 404 page", (rule_abort, legacy.not_found)),
    ),
    (
        LEGACY,
        Example("/report", "legacy streamed report, untouched", (legacy.legacy_app, legacy.report)),
    ),
    (LEGACY, Example("/hello/world", "a new route in front of it", (legacy.hello,))),
    (LEGACY, Example("/items/2", "a new route with an int parameter", (legacy.item,))),
    (LEGACY, Example("/nowhere", "the legacy 404, custom page", (legacy.not_found,))),
    *_mounted("Pyramid, mounted under /pyramid", "/pyramid", pyramid_app.EXAMPLES),
    *_mounted("Bottle, mounted under /bottle", "/bottle", bottle_app.EXAMPLES),
]
