"""Modernising a legacy WSGI application one function at a time.

``legacy_app`` below is an old hand-written WSGI application. :data:`app` wraps it
in a :class:`respond_mw.Middleware`: two new routes are plain functions returning
whatever is natural, every ``404`` -- the routes' and the legacy app's own -- gets
one custom page, and hooks time every request. Everything else still reaches the
legacy app untouched, its streamed report included.

Run it with::

    python -m demo.legacy               # http://127.0.0.1:8080/
    python -m demo.legacy --port 9000

Then try ``/``, ``/report`` (legacy, streamed), ``/hello/world`` and
``/items/3`` (new routes), ``/items/99`` and ``/nowhere`` (custom 404 page).
"""

from __future__ import annotations

import argparse
import html
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from webob import Request, Response

from respond_mw import Middleware, abort, current_request, make_response

from .shared import page

__all__ = ["app", "legacy_app", "main", "report"]

log = logging.getLogger("demo.legacy")

ITEMS = {1: "teapot", 2: "kettle", 3: "cup"}


def render_page(title: str, message: str) -> str:
    """A tiny page template: the demo's layout around ``message``, escaped."""
    return page(title, f"<p>{html.escape(message)}</p>")


# --------------------------------------------------------- the legacy application


def legacy_app(environ: dict[str, Any], start_response: Any) -> Any:
    """The old application, written against raw WSGI."""
    path = environ.get("PATH_INFO", "")
    if path == "/":
        body = render_page("Legacy home", "Served by the legacy WSGI app.").encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", str(len(body)))],
        )
        return [body]
    if path == "/report":
        start_response("200 OK", [("Content-Type", "text/plain; charset=UTF-8")])
        return report()
    body = b"Not Found (legacy page)"
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [body]


def report() -> Iterator[bytes]:
    """A report streamed line by line, as the legacy app always did."""
    for line in range(1, 6):
        time.sleep(0.05)
        yield f"report line {line}\n".encode()


# ------------------------------------------------------------ the new functions

app = Middleware(legacy_app)


@app.route("/hello/<name>")
def hello(name: str) -> Any:
    return {"hello": name}


@app.route("/items/<int:item_id>", methods=["GET", "PUT"])
def item(item_id: int, request: Request) -> Any:
    if item_id not in ITEMS:
        abort(404, f"there is no item {item_id}")
    if request.method == "PUT":
        ITEMS[item_id] = request.text
        return {"id": item_id, "name": ITEMS[item_id]}, 200, {"X-Updated": "yes"}
    return {"id": item_id, "name": ITEMS[item_id]}


@app.errorhandler(404)
def not_found(error: Any) -> Response:
    resp = make_response(render_page("Not found", f"Nothing at {current_request().path}."), 404)
    resp.headers["X-Something"] = "A value"
    return resp


@app.before_request
def start_timer(request: Request) -> None:
    request.environ["demo.started"] = time.perf_counter()


@app.after_request
def add_timing(response: Response) -> Response:
    started = current_request().environ["demo.started"]
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


@app.teardown_request
def log_request(error: BaseException | None) -> None:
    request = current_request()
    log.info("%s %s done%s", request.method, request.path, f" ({error!r})" if error else "")


def main(argv: Sequence[str] | None = None) -> None:
    """Serve :data:`app` with waitress."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.legacy", description="Serve the legacy-app demo with waitress."
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="default: 8080")
    args = parser.parse_args(argv)
    import waitress

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(f"Serving the legacy demo on http://{args.host}:{args.port}/")
    waitress.serve(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
