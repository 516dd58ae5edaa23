"""Building :class:`webob.Response` objects from parts the library already checked.

The content types of the rules, the ``(status, headerlist, body)`` triple the rules
and the egress hand each other (:data:`Parts`), and the two cheap operations on a
response every module needs: build one without WebOb's parsing, empty one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from webob import Response

from .wsgi import close_iterable

__all__ = ["HTML", "JSON", "Parts", "drop_content", "new_response", "text_content_type"]

HTML = "text/html; charset=UTF-8"
JSON = "application/json"

#: The status line, header list and body of a response.
Parts = tuple[str, list[tuple[str, str]], Iterable[bytes]]

_new_object = object.__new__


def text_content_type(content_type: str) -> str:
    """Add ``charset=UTF-8`` to a textual content type that has none."""
    if "charset=" in content_type.lower():
        return content_type
    main = content_type.split(";", 1)[0].strip().lower()
    if main.startswith("text/") or main.endswith(("/xml", "+xml", "/javascript")):
        return f"{content_type}; charset=UTF-8"
    return content_type


def new_response(status: str, headerlist: list[tuple[str, str]], app_iter: Any) -> Response:
    """Build a :class:`webob.Response` from already valid parts, cheaply.

    Equivalent to ``Response(status=..., headerlist=..., app_iter=...)`` without the
    constructor's defaults and parsing; used on the hot path.
    """
    resp: Response = _new_object(Response)
    raw: Any = resp  # WebOb's own fields, set directly
    raw._status = status
    raw._headers = None
    raw._headerlist = headerlist
    raw._app_iter = app_iter
    resp.conditional_response = False
    return resp


def drop_content(
    resp: Response, drop: tuple[str, ...] = ("content-type", "content-length")
) -> None:
    """Empty the body of ``resp`` (closing a streamed one) and remove the ``drop``
    headers (lower-case names): what a response without content must not carry."""
    raw: Any = resp  # WebOb's own field, which its app_iter property wraps
    old = raw._app_iter
    raw._app_iter = []
    if type(old) is not list:
        close_iterable(old)
    resp.headerlist = [item for item in resp.headerlist if item[0].lower() not in drop]
