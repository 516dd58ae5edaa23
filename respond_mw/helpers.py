"""Helpers for views: :func:`abort` and :func:`redirect`."""

from __future__ import annotations

import re
from typing import NoReturn
from urllib.parse import urljoin, urlsplit

from webob import Response
from webob import exc as webob_exc

from .context import current_state
from .headers import iri_to_uri, parse_status

__all__ = ["abort", "http_exception", "redirect"]


def http_exception(status: object, detail: str | None = None) -> webob_exc.WSGIHTTPException:
    """Return the :mod:`webob.exc` exception for ``status`` (with ``detail``).

    Its page is negotiated by ``Accept`` (HTML, JSON or plain text) and escapes
    ``detail``.
    """
    line = parse_status(status)
    code = int(line[:3])
    mapped = webob_exc.status_map.get(code)
    if mapped is not None and line == f"{code} {mapped.title}":
        return mapped(detail=detail)
    cls: type[webob_exc.WSGIHTTPException]
    if mapped is not None:
        cls = mapped
    elif code >= 400:
        cls = webob_exc.HTTPServerError if code >= 500 else webob_exc.HTTPClientError
    else:
        cls = webob_exc.WSGIHTTPException
    error = cls(detail=detail)
    error.status = line
    error.code = code
    error.title = line[4:]
    return error


def abort(status: object | Response, detail: str | None = None) -> NoReturn:
    """Stop the view and answer with an error response.

    ``status`` is a status as the rules accept it (``404``, ``"404 Gone Fishing"``,
    ``HTTPStatus.NOT_FOUND``), or a ready :class:`webob.Response` to send as it is.
    ``detail`` is shown (escaped) on the default error page. Error handlers of a
    :class:`~respond_mw.Middleware` receive the raised
    :class:`webob.exc.HTTPException`.

    :raises webob.exc.HTTPException: always.

    .. versionadded:: 0.1.0
    """
    if isinstance(status, Response):
        raise webob_exc.HTTPException(status.status, status)
    raise http_exception(status, detail)


_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_UNSAFE_LOCATION = re.compile(r"[\x00-\x20\x7f\\]")


def redirect(location: str, code: int = 302, *, allow_external: bool = False) -> Response:
    """Return a redirect response to ``location``.

    Relative locations are resolved against the current request's URL. To prevent
    open redirects, the target must stay on the request's own scheme and host
    unless ``allow_external=True``; tricks that browsers read as another host
    (``//evil.example``, ``/\\evil``, leading spaces or control characters) are refused.
    A location with non-ASCII characters (an IRI, ``/café``) is sent as its URI
    (``/caf%C3%A9``; the host in IDNA), the form browsers read: a lookalike of a
    delimiter (a fullwidth slash) is then an escaped byte of the path, never a host.

    :param code: 301, 302, 303, 307 or 308.
    :raises ValueError: for an unsafe or external location, or a code that is not a
        redirect.

    .. versionadded:: 0.1.0
    """
    if code not in _REDIRECT_CODES:
        raise ValueError(f"redirect code {code!r} is not one of 301, 302, 303, 307, 308")
    if not isinstance(location, str) or not location:
        raise ValueError(f"redirect location {location!r} must be a non-empty str")
    if _UNSAFE_LOCATION.search(location):
        raise ValueError(
            f"redirect location {location!r} contains whitespace, control characters or "
            "backslashes; quote them (urllib.parse.quote) first"
        )
    # an IRI is sent as its URI: ASCII, where no character can pass for a delimiter
    location = iri_to_uri(location)
    state = current_state()
    base = state.request.url if state is not None and state.request is not None else None
    target = urljoin(base, location) if base is not None else location
    parts = urlsplit(target)
    if not allow_external:
        if base is None:
            if parts.scheme or parts.netloc or not location.startswith("/"):
                raise ValueError(
                    f"redirect location {location!r} must be an absolute path outside of a "
                    "request, unless allow_external=True"
                )
        else:
            origin = urlsplit(base)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                raise ValueError(
                    f"redirect location {location!r} leaves this site ({origin.netloc}); "
                    "pass allow_external=True to redirect to another host"
                )
    elif parts.scheme not in ("http", "https", ""):
        raise ValueError(f"redirect location {location!r} must be an http(s) URL")
    cls = webob_exc.status_map[code]
    return cls(location=target)
