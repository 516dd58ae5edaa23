"""Which paths a :class:`~respond_mw.Middleware` must look at, and its mounts.

Every path a route or a mount can take starts with the literal text of its pattern
(up to the first parameter) or its prefix, so it starts with the longest prefix all
of those share. :func:`path_range` gives the range of such paths; the middleware
hands any other path to the wrapped application after two string comparisons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ABOVE_ALL", "Mounts", "path_range", "shifted", "with_exc_info"]


class _AboveAll:
    """Greater than any string: as the upper bound of the paths to look at, it puts
    every path in the range (``str`` defers to this ``__gt__``)."""

    __slots__ = ()

    def __gt__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "<above all paths>"


#: The upper bound that puts every path in the range.
ABOVE_ALL = _AboveAll()


def _common_prefix(texts: list[str]) -> str:
    """The longest text every one of ``texts`` starts with, character by character."""
    first, last = min(texts), max(texts)  # what they share, all the others share
    for index, (one, other) in enumerate(zip(first, last, strict=False)):
        if one != other:
            return first[:index]
    return first


def path_range(prefixes: list[str], everything: bool) -> tuple[str, str | _AboveAll]:
    """The range ``[lo, hi)`` of the paths that may be a route's or a mount's.

    ``prefixes`` are the literal beginnings of the patterns and the mount prefixes,
    as they appear in ``PATH_INFO`` (latin-1 text); a path that starts with their
    common prefix lies between it and ``common + "\\u0100"``. With ``everything``
    (hooks, error handlers, no wrapped application) every path is in the range.
    """
    if everything:
        return "", ABOVE_ALL
    if not prefixes:
        return "", ""  # nothing to route: an empty range
    common = _common_prefix(prefixes)
    # An empty PATH_INFO is the path "/", which a common prefix "/" admits.
    return ("" if common == "/" else common), common + "\u0100"


class Mounts:
    """Applications mounted on path prefixes; the longest matching prefix wins."""

    def __init__(self) -> None:
        self._apps: dict[str, WSGIApplication] = {}

    def __bool__(self) -> bool:
        return bool(self._apps)

    def prefixes(self) -> list[str]:
        """The prefixes, as they appear in ``PATH_INFO``."""
        return list(self._apps)

    def add(self, prefix: str, app: WSGIApplication) -> None:
        """See :meth:`respond_mw.Middleware.mount`."""
        if not callable(app):
            raise TypeError(f"mount({prefix!r}) needs a WSGI application, not {app!r}")
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"mount prefix {prefix!r} must be a str starting with '/'")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("mount prefix '/' would take every request: wrap the app instead")
        raw = prefix.encode("utf-8").decode("latin-1")  # as it appears in PATH_INFO
        if raw in self._apps:
            raise ValueError(f"mount prefix {prefix!r} is already mounted")
        self._apps[raw] = app

    def find(self, environ: WSGIEnvironment) -> tuple[WSGIApplication, WSGIEnvironment] | None:
        """The application mounted for the request's path and the environ it gets
        (a copy with the prefix moved from ``PATH_INFO`` to ``SCRIPT_NAME``)."""
        path = environ.get("PATH_INFO", "")
        candidate = path
        while candidate:
            app = self._apps.get(candidate)
            if app is not None:
                shifted = dict(environ)
                shifted["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + candidate
                shifted["PATH_INFO"] = path[len(candidate) :]
                return app, shifted
            candidate = candidate[: candidate.rfind("/")]
        return None


def with_exc_info(start_response: StartResponse, exc_info: OptExcInfo) -> StartResponse:
    """``start_response`` passing ``exc_info``: the wrapped application, which raised,
    may already have called it."""

    def start(status: str, headers: list[tuple[str, str]], _: Any = None) -> Any:
        return start_response(status, headers, exc_info)

    return start


def shifted(environ: WSGIEnvironment, mounted: WSGIEnvironment) -> WSGIEnvironment:
    """A fresh copy of ``environ`` (as hooks left it: its ``wsgi.input`` and what WebOb
    parsed of it) with the ``SCRIPT_NAME`` and ``PATH_INFO`` of ``mounted``, the
    environ :meth:`Mounts.find` made for a mounted application."""
    fresh = dict(environ)
    fresh["SCRIPT_NAME"] = mounted["SCRIPT_NAME"]
    fresh["PATH_INFO"] = mounted["PATH_INFO"]
    return fresh
