"""Conditional responses: ETags and ``304 Not Modified``.

``@view(conditional=True)`` (or :func:`make_conditional` on any response) gives a
``200`` response to a ``GET`` or ``HEAD`` request a strong ``ETag`` computed from its
body, and answers a request whose ``If-None-Match`` matches that ETag with
``304 Not Modified`` and no body::

    @view(conditional=True)
    def catalogue():
        return {"items": load_items()}

Only *buffered* bodies (``str``, ``bytes``, JSON, ...) get a computed ETag: a streamed
body is never read ahead to hash it. A :class:`~respond_mw.Middleware` with
``conditional=True`` also reads the pages of the wrapped application that announce a
``Content-Length`` up to ``conditional_limit`` (1 MiB by default) -- Django's and
Flask's pages are such bodies -- once, and sends them from memory; a ``HEAD`` reaches
the wrapped application as a ``GET`` (as Flask and Django answer ``HEAD`` with their
``GET`` views), so that it gets the headers and ETag ``GET`` gets (RFC 9110 9.3.2). A
streamed response whose view set an ``ETag`` itself is still answered with ``304``
when it matches (its generator is then closed without being iterated). File
responses (``respond_mw.files``) carry their own ETag and handle ``If-None-Match``
themselves.

``If-None-Match`` uses the weak comparison of RFC 9110 (``W/"x"`` matches ``"x"``) and
``*`` matches any response.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from webob import Response
from webob.request import BaseRequest

from .responses import drop_content
from .wsgi import close_iterable

__all__ = ["body_etag", "etag_matches", "listed_etags", "make_conditional"]

_ETAG = re.compile(r'(?:W/)?"[^"]*"')


def body_etag(body: bytes) -> str:
    """A strong ETag (quoted) for a buffered body: a hash of its bytes."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def listed_etags(header: str) -> list[str]:
    """The entity tags an ``If-Match`` or ``If-None-Match`` header lists (quoted)."""
    return _ETAG.findall(header)


def etag_matches(header: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header value matches ``etag`` (weak comparison)."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in listed_etags(header))


def _get_header(response: Response, name: str) -> str | None:
    for key, value in response.headerlist:
        if key.lower() == name:
            return str(value)
    return None


def _read_whole(response: Response, limit: int) -> Any:
    """The body of ``response`` read into a list when its ``Content-Length`` says at
    most ``limit`` bytes (the original iterable closed), else the body as it was."""
    raw: Any = response  # WebOb's own field, which its app_iter property wraps
    length = _get_header(response, "content-length")
    if length is None or not (length.isascii() and length.isdigit()) or int(length) > limit:
        return raw._app_iter
    original = raw._app_iter
    try:
        data = b"".join(original)
    finally:
        close_iterable(original)
    raw._app_iter = [data]
    return raw._app_iter


def make_conditional(response: Response, request: BaseRequest, read_up_to: int = 0) -> Response:
    """Add an ETag to a buffered ``200`` response and answer ``If-None-Match``.

    Changes and returns ``response``: a matching ``If-None-Match`` on a ``GET`` or
    ``HEAD`` request makes it a ``304 Not Modified`` without body (its ``ETag`` and
    other headers are kept). Responses to other methods or with another status, and
    streamed responses without an ETag, are returned unchanged.

    :param read_up_to: a body that is not a list but announces a
        ``Content-Length`` of at most this many bytes is read once into memory (its
        iterable closed), hashed and sent from there -- what a legacy application's
        pages are (Django's, Flask's); ``0``: never. A body without
        ``Content-Length`` is never read ahead.

    .. versionadded:: 0.1.0
    """
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    etag = _get_header(response, "etag")
    if etag is None:
        body = response.app_iter
        if type(body) is not list and read_up_to:
            body = _read_whole(response, read_up_to)
        if type(body) is not list:
            return response  # streamed: never read ahead
        etag = body_etag(b"".join(body))
        response.headerlist.append(("ETag", etag))
    header = request.environ.get("HTTP_IF_NONE_MATCH")
    if header and etag_matches(header, etag):
        response.status = "304 Not Modified"
        drop_content(response)
    return response
