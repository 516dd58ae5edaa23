"""A WSGI application for the load tests: streaming views that read the current
request between yields (served by waitress in-process and by gunicorn workers)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from respond_mw import Middleware, current_request, view


@view
def echo() -> Iterator[str]:
    """Stream five chunks, each re-reading the request: any cross-talk shows."""
    for i in range(5):
        request = current_request()
        yield f"{request.headers.get('X-Token', '')}|{request.path_qs}|{i};"
        time.sleep(0.0005)


app = Middleware(echo)


@app.route("/pid")
def pid() -> dict[str, int]:
    return {"pid": os.getpid()}


@app.route("/json/<token>")
def buffered(token: str) -> dict[str, str]:
    return {"token": token, "header": current_request().headers.get("X-Token", "")}


@app.route("/routed/<token>")
def routed(token: str) -> Iterator[str]:
    for i in range(5):
        yield f"{current_request().headers.get('X-Token', '')}|{token}|{i};"
        time.sleep(0.0005)
