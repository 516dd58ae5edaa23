"""Pieces every stack of the demo uses: a custom type and a raw WSGI application."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from respond_mw import response_adapter

__all__ = ["Point", "clock_app", "point_as_json"]


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
